"""Issue 21 benchmark: per-customer intervals, 1 million customers x 200 parameter draws (BG/NBD).

Data: customers simulated from the BG/NBD process with the CDNOW parameters at day resolution in weeks
(``bench_models.simulated_summary``), the model fitted on them. Timed (median of ``repeat`` runs after one
untimed call that loads the kernels): ``customer_intervals`` for P(alive) and for expected purchases in the
next 52 weeks, method "normal", 200 draws, levels 80% and 95%; and the 12-month CLV with a Gamma-Gamma spend
model. Peak memory is tracemalloc's (NumPy and Python allocations). The issue's target: <= 5 s each on the
2-core machine.
"""

from __future__ import annotations

import warnings

import pandas as pd

from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from tests.benchmarks.bench_models import simulated_summary
from toolkit.clv import customer_intervals
from toolkit.clv.models import BetaGeo, GammaGamma


def run(quick=False):
    n = 20_000 if quick else 1_000_000
    repeat = 1 if quick else 3
    summary = simulated_summary(n, seed=0)
    summary.attrs["time_unit"] = "W"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = BetaGeo().fit(summary)
        spend = GammaGamma().fit(summary[summary["frequency"] > 0])
    cases = {
        "P(alive)": dict(quantity="p_alive"),
        "expected purchases, 52 weeks": dict(quantity="expected_purchases", t=52.0),
        "CLV, 12 months (Gamma-Gamma)": dict(quantity="clv", spend_model=spend, horizon=12, period="M",
                                             discount_rate=0.01),
    }
    rows = []
    for label, kwargs in cases.items():
        call = lambda kw=kwargs: customer_intervals(model, summary, n_draws=200, **kw)
        call()  # load / compile the kernels
        seconds, result = median_time(call, repeat=repeat)
        peak = peak_memory(call)
        rows.append({"quantity": label, "customers": n, "draws": 200, "seconds": seconds,
                     "peak MiB": peak / 2 ** 20, "patterns": len(summary[["frequency", "recency", "T"]]
                                                                        .drop_duplicates())})
    print(fmt_table(pd.DataFrame(rows)))


if __name__ == "__main__":
    run()
