# Solution 1: churn falls from 20% to 10%, so retention is 0.9 and the course's default horizon
# (the expected lifetime 1 / (1 - 0.9)) grows from 5 to 10 years. Both effects raise the current value.
from toolkit import clv
from toolkit.exercises import check

answer_1 = clv.textbook_example(retention=0.9).current
feedback = check("answer_1", 5608.9, tol=0.05)
feedback
