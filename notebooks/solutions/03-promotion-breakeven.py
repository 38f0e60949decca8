# Solution 3: a 15% price cut leaves a margin of 60% - 15% = 45% of the old price. Retention must rise
# until the current value at the lower margin equals the current value before the promotion.
from toolkit import clv
from toolkit.exercises import check

promo = clv.promotion_breakeven(0.15, annual_revenue=2400, margin=0.6, retention=0.8, discount_rate=0.1)
answer_3 = promo.breakeven_uplift * 100  # in percentage points
feedback = check("answer_3", 9.78, tol=0.05)
feedback
