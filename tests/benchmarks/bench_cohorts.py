"""Issue 3 benchmark: (a) monthly retention matrix vs the tutorial pandas recipe (groupby cohort/period, nunique,
unstack) at 1e6 and 1e7 rows, from a built Transactions and including the build; (b) Kaplan-Meier on 1e6
customers vs lifelines' KaplanMeierFitter (equal results checked); (c) cohort explorer redraw on 1e6 customers /
1e7 transactions (state update + figure rendered to PNG).
"""

from __future__ import annotations

import time
import warnings

import numpy as np
import pandas as pd

import toolkit
from tests import naive
from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from tests.benchmarks.bench_foundation import END, synthetic_log
from toolkit import cohorts


def build(raw):
    return toolkit.Transactions.from_frame(raw, customer="customer_id", time="timestamp", amount="amount",
                                           duplicates="keep", observation_end=END)


def recipe(raw):
    return naive.pandas_cohort_recipe(raw, "customer_id", "timestamp", "amount")


def bench_matrix(sizes, repeat):
    rows = []
    for n in sizes:
        raw = synthetic_log(n)
        rep = repeat if n < 10**7 else max(1, repeat - 1)
        t_build, tx = median_time(lambda: build(raw), rep)
        t_ours, ours = median_time(lambda: cohorts.retention_matrix(tx, "M"), rep)
        t_pd, ref = median_time(lambda: recipe(raw), rep)
        # same numbers wherever the recipe has a value (it drops empty cohorts and leaves empty cells NaN, not 0;
        # no censoring is needed here because the log ends on a month end)
        r = ref.reindex(index=ours.index, columns=ours.columns).to_numpy()
        mask = np.isfinite(r)
        np.testing.assert_allclose(ours.to_numpy()[mask], r[mask], rtol=1e-12)
        peak = peak_memory(lambda: cohorts.retention_matrix(tx, "M"))
        peak_pd = peak_memory(lambda: recipe(raw))
        rows.append({"rows": f"{n:.0e}", "customers": f"{tx.n_customers:,}", "ours matrix s": t_ours,
                     "ours build s": t_build, "pandas recipe s": t_pd, "speed-up (built)": t_pd / t_ours,
                     "speed-up (incl. build)": t_pd / (t_ours + t_build),
                     "peak ours MB": peak / 2**20, "peak pandas MB": peak_pd / 2**20})
        print(f"  matrix {n:.0e} rows done", flush=True)
    return pd.DataFrame(rows)


def bench_km(n_customers, repeat):
    from lifelines import KaplanMeierFitter

    rng = np.random.default_rng(1)
    d = rng.integers(0, 1096, n_customers).astype(float)
    e = rng.random(n_customers) < 0.7

    def ll():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return KaplanMeierFitter().fit(d, e)

    t_ours, ours = median_time(lambda: cohorts.kaplan_meier(d, e), repeat)
    t_ll, kmf = median_time(ll, repeat)
    ref = kmf.survival_function_.iloc[:, 0].reindex(ours.index).to_numpy()
    np.testing.assert_allclose(ours["survival"].to_numpy(), ref, rtol=1e-10)
    return pd.DataFrame([{"customers": f"{n_customers:,}", "ours s": t_ours, "lifelines s": t_ll,
                          "speed-up": t_ll / t_ours, "equal": True}])


def bench_widget(n_rows):
    from toolkit.widgets.cohort_explorer import cohort_explorer

    raw = synthetic_log(n_rows)
    tx = build(raw)
    ids = tx.arrays.customer_id
    attrs = {"channel": pd.Series(np.array(["a", "b", "c", "d", "e"])[ids % 5], index=ids)}
    w = cohort_explorer(tx, attrs)
    steps = [("measure", "revenue"), ("absolute", True), ("period", "W"), ("period", "Q"), ("period", "M"),
             ("split", "channel"), ("group", "c"), ("cohort_range", ("2024-06", "2025-06"))]
    rows = []
    for name, value in steps:
        start = time.perf_counter()
        w.controls[name].value = value
        rows.append({"control change": f"{name} = {value}", "redraw s": time.perf_counter() - start,
                     "kernel passes so far": w.state.n_computes})
    return pd.DataFrame(rows), tx


def run(quick=False, repeat=3):
    sizes = [10**5] if quick else [10**6, 10**7]
    cohorts.retention_matrix(build(synthetic_log(1000)), "M")  # compile / load kernels
    print(f"numba threads: {__import__('numba').get_num_threads()}; medians of {repeat} runs (2 at 1e7)")
    m = bench_matrix(sizes, repeat)
    print("\n(a) monthly retention matrix vs pandas recipe\n" + fmt_table(m), flush=True)
    k = bench_km(10**5 if quick else 10**6, repeat)
    print("\n(b) Kaplan-Meier\n" + fmt_table(k), flush=True)
    wtab, tx = bench_widget(10**5 if quick else 10**7)
    print(f"\n(c) cohort explorer redraw, {tx.n_customers:,} customers / {len(tx):,} transactions\n" + fmt_table(wtab))
    return m, k, wtab


if __name__ == "__main__":
    run()
