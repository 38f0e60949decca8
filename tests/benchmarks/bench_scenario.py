"""Issue 4 benchmark: per-customer CLV scenario recomputation (what a slider change does).

Ours: ``toolkit.clv.Portfolio.evaluate`` on arrays prepared once (numba kernel; serial below 2e5 customers,
parallel above) for "retention +3 points on one tier". Baselines doing the same per-customer work:
(i) vectorised NumPy, one pass per year up to the longest horizon (``tests.naive.scenario_current_value_numpy``),
(ii) pandas, one row per customer-year then a groupby sum (``tests.naive.scenario_current_value_pandas``;
skipped above 1e6 customers). The slider budget is 100 ms for 1e6 customers.
"""

from __future__ import annotations

import numba
import numpy as np
import pandas as pd

from tests import naive
from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from toolkit import clv

BUDGET_S = 0.100


def synthetic_summary(n, seed=0):
    """Per-customer frame like ``customer_summary``: revenue, tenure_days, tier (3 tiers)."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({
        "revenue": rng.gamma(2.0, 400.0, n),
        "tenure_days": rng.uniform(30.0, 1500.0, n),
        "tier": rng.choice(np.array(["gold", "silver", "bronze"]), n, p=[0.2, 0.3, 0.5]),
    }, index=pd.Index(np.arange(n), name="customer_id"))


RETENTION = {"gold": 0.85, "silver": 0.7, "bronze": 0.5}  # horizons 7, 3, 2 years
DELTA = 0.03


def _baseline_inputs(pf, delta):
    mask = pf.codes == pf.groups.index("gold")
    r = np.where(mask, pf.retention + delta, pf.retention)
    return [pf.revenue, pf.margin, r, pf.discount, clv.default_horizon(r), pf.growth, pf.cost]


def numpy_recipe(pf, delta, base_total):
    """Scenario total minus the cached base total (the base is computed once, as Portfolio does)."""
    return naive.scenario_current_value_numpy(*_baseline_inputs(pf, delta))[0].sum() - base_total


def pandas_recipe(pf, delta, base_total):
    cols = ["revenue", "margin", "retention", "discount", "horizon", "growth", "cost"]
    frame = pd.DataFrame(dict(zip(cols, _baseline_inputs(pf, delta))))
    return naive.scenario_current_value_pandas(frame).sum() - base_total


def run(sizes=None, quick=False, repeat=5):
    """Time one slider recomputation per size; print and return the table.

    Parameters
    ----------
    sizes : list of int, optional
        Numbers of customers; default ``[1e5, 1e6]`` (``[1e4, 1e5]`` with ``quick``).
    quick : bool, default False
    repeat : int, default 5
        Runs per timing (median reported).
    """
    sizes = sizes or ([10**4, 10**5] if quick else [10**5, 10**6])
    warm = clv.Portfolio(synthetic_summary(300_000), group="tier", retention=RETENTION)  # compile both kernels
    warm.evaluate("gold", retention_delta=DELTA)
    clv.Portfolio(synthetic_summary(100), group="tier", retention=RETENTION).evaluate("gold", retention_delta=DELTA)
    threads = numba.get_num_threads()
    rows = []
    for n in sizes:
        pf = clv.Portfolio(synthetic_summary(n), group="tier", retention=RETENTION)
        timings = {}
        for k in sorted({1, threads}):
            numba.set_num_threads(k)
            try:
                timings[k], res = median_time(lambda: pf.evaluate("gold", retention_delta=DELTA), repeat)
            finally:
                numba.set_num_threads(threads)
        base_total = naive.scenario_current_value_numpy(*_baseline_inputs(pf, 0.0))[0].sum()
        t_np, d_np = median_time(lambda: numpy_recipe(pf, DELTA, base_total), repeat)
        np.testing.assert_allclose(res.delta, d_np, rtol=1e-9)
        if n <= 10**6:
            t_pd, d_pd = median_time(lambda: pandas_recipe(pf, DELTA, base_total), max(1, repeat // 2))
            np.testing.assert_allclose(res.delta, d_pd, rtol=1e-9)
        else:
            t_pd = float("nan")
        ours = timings[threads]
        peak = peak_memory(lambda: pf.evaluate("gold", retention_delta=DELTA))
        rows.append({
            "customers": f"{n:.0e}",
            "ours 1 thread ms": timings[1] * 1e3,
            f"ours {threads} threads ms": ours * 1e3,
            "numpy ms": t_np * 1e3,
            "pandas ms": t_pd * 1e3,
            "numpy / ours": t_np / ours,
            "pandas / ours": t_pd / ours,
            "within 100 ms": bool(ours <= BUDGET_S),
            "peak MB": peak / 2**20,
        })
    table = pd.DataFrame(rows)
    print(f"slider recomputation (Portfolio.evaluate, retention +{DELTA:.0%} on one tier, scenario vs cached base); "
          f"medians of {repeat} runs; numba threads {threads}; (the kernel runs serially below 2e5 customers)")
    print(fmt_table(table))
    return table


if __name__ == "__main__":
    run()
