# Solution to 00b · exercise 1: a warranty and certified materials remove risk, Maslow's safety need: trust value.
from toolkit.exercises import check

warranty_type = "trust"
check("warranty_type", "trust")
