"""Slow, obviously correct reference implementations, one section per analysis.

Kernels are compared with these on random inputs (hypothesis). Keep them plain pandas / Python.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

# --- summary ---

DAYS = {"D": 1.0, "W": 7.0, "M": 365.2425 / 12.0}


def customer_summary(frame, observation_end, time_unit="D"):
    """Reference per-customer summary from a canonical frame (customer_id, timestamp, amount[, ...]).

    Written as a plain loop over customers with pandas, following the definitions in the docstring of
    ``toolkit.customer_summary`` (distinct purchase days, lifetimes semantics).
    """
    end = pd.Timestamp(observation_end).normalize()
    scale = DAYS[time_unit]
    rows = {}
    for cid, g in frame.groupby("customer_id", sort=True):
        g = g[g["timestamp"].dt.normalize() <= end].sort_values("timestamp", kind="stable")
        if g.empty:
            continue
        days = g["timestamp"].dt.normalize()
        distinct = sorted(days.unique())
        first = distinct[0]
        freq = len(distinct) - 1
        repeat_spend = g.loc[days > first, "amount"].sum()
        gaps = [(b - a).days for a, b in zip(distinct[:-1], distinct[1:])]
        n_orders = g["order_id"].nunique() if "order_id" in g else len(g)
        row = {
            "frequency": freq,
            "recency": (distinct[-1] - first).days / scale,
            "T": (end - first).days / scale,
            "monetary_value": repeat_spend / freq if freq else 0.0,
            "n_orders": n_orders,
            "n_days": len(distinct),
            "revenue": g["amount"].sum(),
            "first_purchase": g["timestamp"].iloc[0],
            "last_purchase": g["timestamp"].iloc[-1],
            "since_last": (end - distinct[-1]).days / scale,
            "ipt_mean": np.mean(gaps) / scale if gaps else np.nan,
            "ipt_cv": (np.std(gaps, ddof=1) / np.mean(gaps)) if len(gaps) >= 2 else np.nan,
        }
        if "category" in g:
            row["breadth"] = g["category"].dropna().nunique()
        if "quantity" in g:
            row["depth"] = g["quantity"].sum() / n_orders
        else:
            row["depth"] = len(g) / n_orders
        if "discount" in g:
            if "order_id" in g:
                row["discount_share"] = g.loc[g["discount"] > 0, "order_id"].nunique() / n_orders
            else:
                row["discount_share"] = (g["discount"] > 0).sum() / n_orders
        row["tenure_days"] = float((end - first).days)
        rows[cid] = row
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = "customer_id"
    return out


def pandas_summary_recipe(raw, customer, time, amount, observation_end, time_unit="D"):
    """The plain pandas groupby recipe an analyst would write (vectorised, same semantics); used by benches."""
    end = pd.Timestamp(observation_end).normalize()
    scale = DAYS[time_unit]
    d = pd.DataFrame({"c": raw[customer].to_numpy(), "day": pd.to_datetime(raw[time]).dt.normalize(),
                      "a": raw[amount].to_numpy()})
    d = d[d["day"] <= end]
    per_day = d.groupby(["c", "day"], sort=True)["a"].sum().reset_index()
    g = per_day.groupby("c")
    first = g["day"].transform("min")
    per_day["repeat"] = np.where(per_day["day"] > first, per_day["a"], 0.0)
    agg = per_day.groupby("c").agg(n_days=("day", "size"), first=("day", "min"), last=("day", "max"),
                                   revenue=("a", "sum"), repeat=("repeat", "sum"))
    out = pd.DataFrame(index=agg.index)
    out["frequency"] = agg["n_days"] - 1
    out["recency"] = (agg["last"] - agg["first"]).dt.days / scale
    out["T"] = (end - agg["first"]).dt.days / scale
    out["monetary_value"] = np.where(out["frequency"] > 0, agg["repeat"] / out["frequency"].clip(lower=1), 0.0)
    out["revenue"] = agg["revenue"]
    out["since_last"] = (end - agg["last"]).dt.days / scale
    return out
