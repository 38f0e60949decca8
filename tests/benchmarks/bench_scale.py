"""Issue 9 benchmark (opt-in: ``python -m tests.benchmarks --only scale`` or ``CVT_BENCH_SCALE=1``).

Synthetic logs (~10 transactions per customer) written chunk-wise as Parquet, then with ``toolkit.scale`` on a
``distributed.LocalCluster`` (2 worker processes x 1 thread, 5 GiB memory limit each): validation + customer
summary + RFM scores (global edges) + monthly cohort counts + BG/NBD and Gamma-Gamma fits + CLV scoring, then
lifecycle stages and patterns at the observation end (``LifecycleClassifier`` fitted on statistics summed over
partitions, then classified per partition: two passes over the log for the fit, one for the stages). Sizes
1e6 and 1e7 rows by default; 1e8 with ``CVT_BENCH_SCALE_SIZES=1e6,1e7,1e8`` (about 2.5 GB of Parquet in a temp
folder, deleted afterwards). The in-memory path (pandas read + the same analyses) is timed at 1e6 and 1e7.
Peak memory is the largest resident set of the whole process tree (this process, scheduler, nannies and
workers), sampled every 0.2 s. The 1-minute load average before and after each size is printed (2 shared cores).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import toolkit
from tests.benchmarks._harness import fmt_table

OPT_IN = True  # too large for `make bench`'s default run; see tests/benchmarks/__main__.py
END = pd.Timestamp("2025-12-31")
CHUNK = 2_000_000
KW = {"customer": "customer_id", "time": "timestamp", "amount": "amount", "duplicates": "keep",
      "observation_end": END}
CLV = {"horizon": 12, "period": "M", "discount_rate": 0.01}


def write_log(folder, n_rows, seed=0):
    """Write ``n_rows`` synthetic transactions as Parquet files of at most ``CHUNK`` rows (bounded memory)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    n_cust = max(n_rows // 10, 1)
    for k, start in enumerate(range(0, n_rows, CHUNK)):
        m = min(CHUNK, n_rows - start)
        rng = np.random.default_rng([seed, k])
        days = rng.integers(0, 730, m)
        secs = rng.integers(0, 86400, m)
        ts = np.datetime64("2024-01-01", "s") + days.astype("timedelta64[D]") + secs.astype("timedelta64[s]")
        pd.DataFrame({"customer_id": rng.integers(0, n_cust, m) * 7 + 1000,
                      "timestamp": ts.astype("datetime64[ns]"),
                      "amount": np.round(rng.lognormal(3.0, 0.8, m), 2)}).to_parquet(folder / f"part-{k:04d}.parquet")
    return folder


class TreeMemory:
    """Peak resident memory of this process and all its descendants (sampled in a thread)."""

    def __init__(self, interval=0.2):
        import psutil

        self._proc = psutil.Process()
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()

    def _sample(self):
        total = 0
        for p in [self._proc, *self._proc.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except Exception:  # a process ended between listing and reading
                pass
        self.peak = max(self.peak, total)

    def _loop(self):
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.interval)

    def __enter__(self):
        self.peak = 0
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self._sample()
        self._stop.clear()


def in_memory(folder):
    """The in-memory path on the same files."""
    from toolkit.clv.models import BetaGeo, GammaGamma, customer_lifetime_value

    start = time.perf_counter()
    raw = pd.read_parquet(folder)
    tx = toolkit.Transactions.from_frame(raw, **KW)
    del raw
    summary = toolkit.customer_summary(tx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rfm = toolkit.rfm_scores(summary)
        counts = toolkit.cohorts.cohort_counts(tx, period="M")
        summary = summary[summary["T"] > 0]
        bg = BetaGeo().fit(summary)
        gg = GammaGamma().fit(summary)
        p_alive = bg.p_alive(summary)
        clv = customer_lifetime_value(bg, summary, gg, **CLV)
    core = time.perf_counter() - start
    clf = toolkit.LifecycleClassifier().fit(tx)
    table = clf.result_.table()
    return {"customers": len(tx.arrays.customer_id), "cells": rfm["rfm_cell"].value_counts(),
            "cohort_size": counts.size, "p_alive": float(p_alive.sum()), "clv": float(clv.sum()), "bg": bg,
            "lifecycle": clf, "stages": table["stage"].value_counts(), "patterns": table["pattern"].value_counts(),
            "core s": core}


def scaled(folder, client):
    """The toolkit.scale path: read once for summary + cohorts + report, then RFM, fits and scoring."""
    from toolkit import scale
    from toolkit.clv.models import BetaGeo, GammaGamma

    start = time.perf_counter()
    ptx = scale.read_transactions(str(folder), client=client, **KW)
    summary, counts, report = scale.persist(scale.customer_summary(ptx), scale.cohort_counts(ptx, compute=False),
                                            ptx.report_delayed(), client=client, progress=False)
    counts, report = scale.compute(counts, report, client=client, progress=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rfm = scale.rfm_scores(summary, client=client, progress=False)
        cells = rfm["rfm_cell"].value_counts()
        summary = summary[summary["T"] > 0].persist()
        bg = scale.fit(BetaGeo(), summary, client=client, progress=False)
        gg = scale.fit(GammaGamma(), summary, client=client, progress=False)
        scores = scale.predict(summary, bg, gg, **CLV)
        cells, totals, n = scale.compute(cells, scores[["p_alive", "clv"]].sum(), summary.shape[0], client=client,
                                         progress=False)
    core = time.perf_counter() - start
    clf = scale.fit(toolkit.LifecycleClassifier(), ptx, client=client, progress=False)
    table = scale.lifecycle_stages(ptx, clf)
    stages, patterns = scale.compute(table["stage"].value_counts(), table["pattern"].value_counts(), client=client,
                                     progress=False)
    return {"customers": int(counts.size.sum()), "cells": cells, "cohort_size": counts.size,
            "p_alive": float(totals["p_alive"]), "clv": float(totals["clv"]), "bg": bg, "rows": report.rows_kept,
            "lifecycle": clf, "stages": stages, "patterns": patterns, "core s": core}


def _sizes(quick):
    env = os.environ.get("CVT_BENCH_SCALE_SIZES")
    if env:
        return [int(float(s)) for s in env.split(",")]
    return [10**5] if quick else [10**6, 10**7]


def run(quick=False):
    from distributed import Client, LocalCluster

    sizes = _sizes(quick)
    workdir = Path(tempfile.mkdtemp(prefix="cvt-bench-scale-"))
    rows = []
    cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, memory_limit="5GiB",
                           dashboard_address=None, local_directory=str(workdir / "dask"),
                           env={"NUMBA_NUM_THREADS": "1"})
    client = Client(cluster)
    try:
        client.run(toolkit.warmup)
        toolkit.warmup()
        print(f"workers: {len(client.scheduler_info()['workers'])} x 1 thread, 5 GiB limit each; "
              f"disk free: {shutil.disk_usage(workdir).free / 2**30:.0f} GiB", flush=True)
        for n in sizes:
            folder = workdir / f"log-{n}"
            start = time.perf_counter()
            write_log(folder, n)
            gen = time.perf_counter() - start
            size_gb = sum(f.stat().st_size for f in folder.iterdir()) / 2**30
            load = os.getloadavg()[0]
            with TreeMemory() as mem:
                start = time.perf_counter()
                got = scaled(folder, client)
                wall = time.perf_counter() - start
            row = {"rows": f"{n:.0e}", "customers": got["customers"], "parquet GiB": size_gb, "generate s": gen,
                   "scale s": wall, "of which lifecycle s": wall - got["core s"], "rows/s": n / wall,
                   "s per 1e6 rows": wall / n * 1e6, "core s per 1e6 rows": got["core s"] / n * 1e6,
                   "scale peak GiB": mem.peak / 2**30}
            if n <= 10**7:
                with TreeMemory() as mem_ref:
                    start = time.perf_counter()
                    ref = in_memory(folder)
                    ref_wall = time.perf_counter() - start
                assert ref["customers"] == got["customers"]
                np.testing.assert_array_equal(ref["cohort_size"], got["cohort_size"])
                assert ref["cells"].sort_index().equals(got["cells"].sort_index())
                # uniform synthetic purchases have no dropout: BG/NBD ends at a bound (a -> 0, alpha large) where the
                # likelihood is flat, so parameters agree only loosely; the maximised likelihood agrees closely
                np.testing.assert_allclose(ref["bg"].log_likelihood_, got["bg"].log_likelihood_, rtol=1e-9)
                np.testing.assert_allclose([ref["p_alive"], ref["clv"]], [got["p_alive"], got["clv"]], rtol=1e-3)
                th_ref, th_got = ref["lifecycle"].thresholds_, got["lifecycle"].thresholds_
                np.testing.assert_allclose([th_got[k] for k in th_ref], list(th_ref.values()), rtol=1e-9)
                assert ref["stages"].sort_index().equals(got["stages"].sort_index())
                assert ref["patterns"].sort_index().equals(got["patterns"].sort_index())
                row.update({"in-memory s": ref_wall, "ratio scale/in-memory": wall / ref_wall,
                            "core ratio": got["core s"] / ref["core s"], "in-memory peak GiB": mem_ref.peak / 2**30})
            row["load 1-min before/after"] = f"{load:.1f}/{os.getloadavg()[0]:.1f}"
            rows.append(row)
            shutil.rmtree(folder)
            print(fmt_table(pd.DataFrame([row])), flush=True)
    finally:
        client.close()
        cluster.close()
        shutil.rmtree(workdir, ignore_errors=True)
    table = pd.DataFrame(rows)
    per_row = table["s per 1e6 rows"]
    print("\nsummary + RFM + monthly cohorts + BG/NBD & Gamma-Gamma fits + CLV scoring (core), then lifecycle fit + "
          "stages and patterns at the observation end (2 shared cores, other jobs running: figures taken under "
          "contention)\n" + fmt_table(table))
    print(f"time per row, largest / smallest across sizes: {per_row.max() / per_row.min():.2f}x "
          f"(core only: {table['core s per 1e6 rows'].max() / table['core s per 1e6 rows'].min():.2f}x)")
    if len(table) > 2:
        later = per_row.iloc[1:]
        print(f"without the smallest size (fixed overhead): {later.max() / later.min():.2f}x")
    return table


if __name__ == "__main__":
    run()
