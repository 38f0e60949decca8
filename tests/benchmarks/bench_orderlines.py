"""Issue #17 point 10: building Transactions from a raw order-line export (~500k lines: invoice number, item code,
quantity, unit price, text timestamps, float customer ids with gaps, cancellations, copied rows) against plain
pandas doing the same cleaning: drop rows without a customer, drop full-row copies, parse the timestamps, form
quantity x price, keep positive lines, sort by customer and time.

Ours does more in the same call (a cleaning report with money by reason, the revenue later cancelled, the
non-product line check, the per-customer arrays), so the ratio is an upper bound of its overhead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import toolkit
from tests.benchmarks._harness import fmt_table, median_time, peak_memory

COLUMNS = dict(customer="CustomerID", time="InvoiceDate", order="InvoiceNo", quantity="Quantity", price="UnitPrice")


def pandas_recipe(raw):
    df = raw[raw["CustomerID"].notna()].drop_duplicates()
    df = df.assign(timestamp=pd.to_datetime(df["InvoiceDate"], format="%m/%d/%Y %H:%M"),
                   amount=df["Quantity"] * df["UnitPrice"])
    df = df[df["amount"] > 0]
    df["CustomerID"] = df["CustomerID"].astype("int64")
    return df.sort_values(["CustomerID", "timestamp"], kind="stable")


def ours(raw, mode="drop"):
    return toolkit.Transactions.from_frame(raw, **COLUMNS, on_bad_rows=mode)


def run(quick=False):
    from toolkit.datasets import make_order_lines

    rows = []
    sizes = [(450, 12)] if quick else [(450, 12), (4500, 12)]
    for n_customers, months in sizes:
        raw, truth = make_order_lines(n_customers, months, seed=0)
        ours(raw.iloc[::200])  # kernels loaded before timing (a spread-out slice: its days tell d/m from m/d)
        t_pd, plain = median_time(lambda: pandas_recipe(raw), repeat=5)
        t_drop, tx = median_time(lambda: ours(raw), repeat=5)
        t_net, tx_net = median_time(lambda: ours(raw, "net"), repeat=5)
        m_pd = peak_memory(lambda: pandas_recipe(raw))
        m_ours = peak_memory(lambda: ours(raw))
        # same cleaning, same money: checked in the run that is timed
        assert abs(tx.report.money_kept - plain["amount"].sum()) < 0.01
        assert abs(tx.report.money_kept - truth.revenue_drop) < 0.01
        assert abs(tx_net.report.money_kept - truth.revenue_net) < 0.01
        rows.append({"lines": len(raw), "customers kept": tx.n_customers, "pandas (s)": t_pd,
                     "ours drop (s)": t_drop, "ratio drop": t_drop / t_pd, "ours net (s)": t_net,
                     "ratio net": t_net / t_pd, "peak MB pandas": m_pd / 1e6, "peak MB ours": m_ours / 1e6,
                     "revenue kept": f"{tx.report.money_kept:,.2f}"})
    print(fmt_table(pd.DataFrame(rows)))
    print("ratio = ours / plain pandas (median of 5); the issue asks for <= 2x. Kept revenue equals pandas and the "
          "generator's truth to the cent in every run.")
    return np.array([r["ratio drop"] for r in rows])


if __name__ == "__main__":
    run()
