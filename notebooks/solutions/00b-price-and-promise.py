# Solution to 00b · exercise 2: two cost parts change (money 199 -> 159, psychological 15 -> 5); the value stays.
# 360 - (159 + 20 + 10 + 5) = 166.
from toolkit import clv
from toolkit.exercises import check
from toolkit.widgets.delivered_value import COFFEE_CUP

delivered_after = clv.delivered_value(**{**COFFEE_CUP, "money": 159.0, "psychological": 5.0}).delivered
check("delivered_after", 166.0, tol=0.05)
