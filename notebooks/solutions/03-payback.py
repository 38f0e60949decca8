# Solution 2: payback = CAC / monthly margin = 1,500 / (2,400 x 60% / 12) = 1,500 / 120 = 12.5 months.
from toolkit import clv
from toolkit.exercises import check

answer_2 = clv.textbook_example().unit_economics(1500).payback_months
feedback = check("answer_2", 12.5, tol=0.05)
feedback
