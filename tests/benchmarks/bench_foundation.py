"""Issue 2 benchmark: (a) building Transactions, (b) customer_summary + RFM scores, against
(i) the plain pandas groupby/qcut recipe with the same semantics and (ii) lifetimes'
summary_data_from_transaction_data (+ the same qcut scoring), on synthetic logs of ~10 rows per customer.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

import toolkit
from tests import naive
from tests.benchmarks._harness import fmt_table, median_time, peak_memory

END = pd.Timestamp("2025-12-31")


def synthetic_log(n_rows, seed=0):
    """Shuffled raw log: int customer ids, datetime64 timestamps over two years, lognormal amounts."""
    rng = np.random.default_rng(seed)
    n_cust = max(n_rows // 10, 1)
    cust = rng.integers(0, n_cust, n_rows) * 7 + 1000
    days = rng.integers(0, 730, n_rows)
    secs = rng.integers(0, 86400, n_rows)
    ts = (np.datetime64("2024-01-01", "s") + days.astype("timedelta64[D]") + secs.astype("timedelta64[s]"))
    amount = np.round(rng.lognormal(3.0, 0.8, n_rows), 2)
    return pd.DataFrame({"customer_id": cust, "timestamp": ts.astype("datetime64[ns]"), "amount": amount})


def _qcut_scores(summary, bins=5):
    out = pd.DataFrame(index=summary.index)
    out["r_score"] = pd.qcut((-summary["since_last"]).rank(method="first"), bins, labels=False) + 1
    out["f_score"] = pd.qcut(summary["frequency"].rank(method="first"), bins, labels=False) + 1
    out["m_score"] = pd.qcut(summary["revenue"].rank(method="first"), bins, labels=False) + 1
    return out


def ours_build(raw):
    return toolkit.Transactions.from_frame(raw, customer="customer_id", time="timestamp", amount="amount",
                                           duplicates="keep", observation_end=END)


def ours_score(tx):
    summary = toolkit.customer_summary(tx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scores = toolkit.rfm.rfm_scores(summary)
    return summary, scores


def pandas_recipe(raw):
    summary = naive.pandas_summary_recipe(raw, "customer_id", "timestamp", "amount", END)
    return summary, _qcut_scores(summary)


def lifetimes_recipe(raw):
    from lifetimes.utils import summary_data_from_transaction_data

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        s = summary_data_from_transaction_data(raw, "customer_id", "timestamp", monetary_value_col="amount",
                                               observation_period_end=END, freq="D")
    s["since_last"] = s["T"] - s["recency"]
    s["revenue"] = s["monetary_value"] * s["frequency"]  # lifetimes has no total; same-work stand-in
    return s, _qcut_scores(s)


def run(quick=False, sizes=None, repeat=3):
    sizes = sizes or ([10**5] if quick else [10**5, 10**6, 10**7])
    ours_score(ours_build(synthetic_log(1000)))  # compile / load kernels
    rows = []
    for n in sizes:
        raw = synthetic_log(n)
        raw_bytes = raw.memory_usage(deep=True).sum()
        rep = repeat if n < 10**7 else max(1, repeat)
        t_build, tx = median_time(lambda: ours_build(raw), rep)
        t_score, (summary, _) = median_time(lambda: ours_score(tx), rep)
        t_pandas, (ref, _) = median_time(lambda: pandas_recipe(raw), rep)
        t_lt, (lt, _) = median_time(lambda: lifetimes_recipe(raw), 1 if n >= 10**7 else rep)
        # same numbers as both baselines
        np.testing.assert_array_equal(summary["frequency"].to_numpy(), ref["frequency"].to_numpy())
        np.testing.assert_allclose(summary["T"].to_numpy(), ref["T"].to_numpy())
        np.testing.assert_allclose(summary["recency"].to_numpy(), lt["recency"].to_numpy())
        peak = peak_memory(lambda: ours_score(ours_build(raw)))
        peak_pd = peak_memory(lambda: pandas_recipe(raw))
        total = t_build + t_score
        rows.append({
            "rows": f"{n:.0e}", "customers": f"{tx.n_customers:,}",
            "ours build (a) s": t_build, "ours summary+RFM (b) s": t_score, "ours (a)+(b) s": total,
            "pandas s": t_pandas, "lifetimes s": t_lt,
            "(a)+(b) vs pandas": t_pandas / total, "(a)+(b) vs lifetimes": t_lt / total,
            "(b) vs pandas": t_pandas / t_score,
            "peak ours / raw frame": peak / raw_bytes, "peak pandas / raw frame": peak_pd / raw_bytes,
            "raw frame MB": raw_bytes / 2**20,
        })
        print(f"  {n:.0e} rows done", flush=True)
    table = pd.DataFrame(rows)
    print(f"numba threads: {__import__('numba').get_num_threads()}; medians of {repeat} runs "
          "(lifetimes: 1 run at 1e7); peak = tracemalloc peak during the work")
    print(fmt_table(table))
    return table


if __name__ == "__main__":
    run()
