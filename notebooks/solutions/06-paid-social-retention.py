# Solution to 06 · exercise 1: step conversion into retention of the paid_social customers (five-process funnel,
# strict order, no conversion window).
from toolkit import journey
from toolkit.exercises import check

fun = journey.funnel(events, ["reach", "acquisition", "conversion", "retention"], journey_map=five, by=channel)
answer = fun.by.loc[("paid_social", "retention"), "step_conversion"]
check("answer", 0.7759, tol=0.0005)
