# Solution: Kaplan-Meier survival of the paid_social customers 12 months after their first purchase, with churn
# defined as 90 days without a purchase (right-censored customers are handled by the estimator).
from toolkit import cohorts
from toolkit.exercises import check

result = cohorts.survival_curves(tx, window=90, by=channel, time_unit="M")
answer = result.survival_at(12)["paid_social"]
check("answer", 0.169, tol=0.0005)
