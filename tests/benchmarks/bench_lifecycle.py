"""Issue 6 benchmark: (a) lifecycle features + stages (+ patterns) for 1e6 customers x 12 monthly snapshots vs a
vectorised pandas implementation of the same rules (``tests.naive.pandas_lifecycle``), equal labels checked, with
peak memory (the kernels are serial: a parallel feature kernel
gained nothing on the 2-core machine and cost compilation time in every new kernel); (b) re-classifying 1e6 customers after a threshold (slider) change.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from tests import naive
from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from tests.benchmarks.bench_foundation import ours_build, synthetic_log
import toolkit
from toolkit import lifecycle

THRESHOLDS = {"lost_gap": 120.0, "k_lost": 3.0, "k_det": 2.3, "drop_alpha": 0.05, "p_alive_min": 0.0,
              "t_explore": 45.0, "t_early": 45.0, "t_stability": 180.0, "reach": 225.0, "loyal_duration": 400.0,
              "window": 70.0}


def ours(tx, dates):
    clf = lifecycle.LifecycleClassifier.from_thresholds(THRESHOLDS)
    return clf.classify(tx, at=dates)


def baseline(tx, dates):
    return naive.pandas_lifecycle(tx.frame, dates, int(THRESHOLDS["window"]), THRESHOLDS)


def check_equal(res, ref, dates):
    stages, patterns = ref
    for k, d in enumerate(dates):
        got = res.stage_at(k).astype(str)
        exp = stages[stages["snapshot"] == d]["stage"]
        assert len(got) == len(exp) and (got.sort_index().to_numpy() == exp.sort_index().to_numpy()).all()
    assert (res.patterns.astype(str).sort_index().to_numpy() == patterns.sort_index().to_numpy()).all()


def bench_snapshots(n_rows, repeat):
    raw = synthetic_log(n_rows)
    tx = ours_build(raw)
    dates = lifecycle.snapshot_dates(tx, "M", 12)
    t_ours, res = median_time(lambda: ours(tx, dates), repeat)
    t_pd, ref = median_time(lambda: baseline(tx, dates), 1)
    check_equal(res, ref, dates)
    peak = peak_memory(lambda: ours(tx, dates))
    peak_pd = peak_memory(lambda: baseline(tx, dates))
    rows = [{"customers": f"{tx.n_customers:,}", "rows": f"{len(tx):,}", "snapshots": len(dates), "ours s": t_ours,
             "pandas s": t_pd, "speed-up": t_pd / t_ours, "peak ours MB": peak / 2**20,
             "peak pandas MB": peak_pd / 2**20, "equal labels": True}]
    return pd.DataFrame(rows), tx


def bench_slider(tx, repeat):
    clf = lifecycle.LifecycleClassifier.from_thresholds(THRESHOLDS, tx)
    rows = []
    for name, value in (("lost_gap", 90.0), ("t_stability", 200.0), ("loyal_duration", 500.0), ("drop_alpha", 0.01)):
        t, res = median_time(lambda: clf.reclassify(**{name: value}), repeat)
        start = time.perf_counter()
        res.counts()
        res.pattern_counts()
        t_counts = time.perf_counter() - start
        rows.append({"slider": f"{name} = {value:g}", "customers": f"{len(res.pattern_codes):,}",
                     "re-classify s": t, "+ counts s": t_counts, "target s": 0.5})
    from toolkit.widgets.lifecycle_browser import LifecycleBrowserState

    state = LifecycleBrowserState(clf)
    t, _ = median_time(lambda: state.update(lost_gap=float(np.random.default_rng().integers(60, 150))), repeat)
    rows.append({"slider": "browser state update (lost_gap)", "customers": f"{len(res.pattern_codes):,}",
                 "re-classify s": t, "+ counts s": float("nan"), "target s": 0.5})
    return pd.DataFrame(rows)


def run(quick=False, repeat=3):
    n_rows = 10**5 if quick else 10**7
    toolkit.warmup(progress=False)  # every kernel compiled (or loaded) before the timings
    print(f"serial kernels; medians of {repeat} runs (pandas: 1 run)")
    table, tx = bench_snapshots(n_rows, repeat)
    print("\n(a) features + stages + patterns, 12 monthly snapshots, vs pandas\n" + fmt_table(table), flush=True)
    slider = bench_slider(tx, repeat)
    print(f"\n(b) slider re-classification of {tx.n_customers:,} customers\n" + fmt_table(slider), flush=True)
    return table, slider


if __name__ == "__main__":
    run()
