# Solution to 06 · exercise 2: lower bound of the 95% interval of the NPS of referral customers (points).
from toolkit import journey
from toolkit.exercises import check

lower = journey.nps(company.nps, by=channel).table.loc["referral", "lower"]
check("lower", 27.07, tol=0.01)
