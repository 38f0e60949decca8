"""Unit economics of acquiring customers: CLV:CAC against the course's 3:1 line, payback, channels."""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScenarioError, SchemaError
from ..i18n import tr
from . import _common
from ._common import _fmt

__all__ = ["HEALTHY_CLV_CAC", "UnitEconomics", "unit_economics", "channel_economics"]

#: The course's health line for the CLV:CAC ratio.
HEALTHY_CLV_CAC = 3.0


@dataclass(frozen=True)
class UnitEconomics:
    """CLV:CAC ratio and payback period.

    Attributes
    ----------
    clv, cac, ratio : float
    healthy : bool
        ``ratio >= health_ratio`` (the course's 3:1 line).
    payback_months : float
        Months of margin needed to earn back the acquisition cost: ``CAC / (annual margin / 12)``
        (``inf`` when the margin is 0).
    health_ratio : float
    """

    clv: float
    cac: float
    ratio: float
    healthy: bool
    payback_months: float
    health_ratio: float

    @property
    def summary(self) -> pd.DataFrame:
        """One-row DataFrame of the figures."""
        return pd.DataFrame([{"clv": self.clv, "cac": self.cac, "clv_cac": self.ratio, "healthy": self.healthy,
                              "payback_months": self.payback_months}])

    def __repr__(self) -> str:
        if _common._zh():
            state = (tr("clv.economics.healthy") if self.healthy
                     else tr("clv.economics.below").format(ratio=f"{self.health_ratio:g}"))
            m = self.payback_months
            payback = (tr("clv.economics.months").format(months=f"{m:.1f}") if np.isfinite(m)
                       else tr("clv.economics.no_payback") if np.isinf(m) else tr("clv.economics.unknown_payback"))
            return tr("clv.economics.repr").format(ratio=f"{self.ratio:.2f}", state=state, payback=payback,
                                                   clv=_fmt(self.clv), cac=_fmt(self.cac))
        state = "healthy" if self.healthy else f"below the {self.health_ratio:g}:1 line"
        return (f"UnitEconomics(CLV:CAC = {self.ratio:.2f}:1 ({state}), payback {self.payback_months:.1f} months; "
                f"CLV {_fmt(self.clv)}, CAC {_fmt(self.cac)})")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>"


def unit_economics(clv, cac, *, annual_margin=None, health_ratio=HEALTHY_CLV_CAC) -> UnitEconomics:
    """CLV:CAC ratio against the course's 3:1 health line, and the payback period in months.

    Parameters
    ----------
    clv : float
        Value of a newly acquired customer (forward-looking: current + potential value).
    cac : float
        Customer acquisition cost, > 0.
    annual_margin : float, optional
        Annual revenue x margin of the customer, for the payback period; NaN payback when omitted.
    health_ratio : float, default 3.0

    Returns
    -------
    UnitEconomics
    """
    if not (np.isfinite(cac) and cac > 0):
        raise ScenarioError(f"cac (customer acquisition cost) must be a positive number; got {cac!r}.")
    ratio = float(clv) / float(cac)
    if annual_margin is None:
        payback = float("nan")
    else:
        payback = float(cac) / (float(annual_margin) / 12.0) if annual_margin > 0 else float("inf")
    return UnitEconomics(clv=float(clv), cac=float(cac), ratio=ratio, healthy=bool(ratio >= health_ratio),
                         payback_months=payback, health_ratio=float(health_ratio))


def channel_economics(values, customers=None, *, channel="channel", cac="acquisition_cost", clv="clv_new",
                      annual_margin="annual_margin", health_ratio=HEALTHY_CLV_CAC) -> pd.DataFrame:
    """CLV:CAC and payback per acquisition channel.

    Parameters
    ----------
    values : pandas.DataFrame
        Per-customer values indexed by ``customer_id`` (e.g. :func:`customer_values`), with the ``clv`` and
        ``annual_margin`` columns. May already hold the channel and cost columns.
    customers : pandas.DataFrame, optional
        Per-customer attributes indexed by ``customer_id`` (or with a ``customer_id`` column) holding
        ``channel`` and ``cac`` columns, joined onto ``values``.
    channel, cac, clv, annual_margin : str
        Column names. ``clv`` defaults to ``clv_new``, the forward-looking value (current + potential)
        that acquisition spending buys.
    health_ratio : float, default 3.0

    Returns
    -------
    pandas.DataFrame
        Index ``channel``; columns ``n_customers, cac, clv, clv_cac, payback_months, healthy`` (means per
        customer; ratio of means).
    """
    df = values
    if customers is not None:
        cust = customers.set_index("customer_id") if "customer_id" in customers.columns else customers
        cols = [c for c in (channel, cac) if c in cust.columns and c not in df.columns]
        df = df.join(cust[cols], how="left")
    missing = [c for c in (channel, cac, clv, annual_margin) if c not in df.columns]
    if missing:
        raise SchemaError(f"channel_economics needs columns {missing}; pass `customers` with `{channel}` and `{cac}`, "
                          "and per-customer values from customer_values().")
    g = df.groupby(channel, observed=True, sort=True)
    out = pd.DataFrame({
        "n_customers": g.size(),
        "cac": g[cac].mean(),
        "clv": g[clv].mean(),
        "annual_margin": g[annual_margin].mean(),
    })
    out["clv_cac"] = out["clv"] / out["cac"].where(out["cac"] > 0)
    out["payback_months"] = out["cac"] / (out["annual_margin"] / 12.0).where(out["annual_margin"] > 0)
    out["healthy"] = out["clv_cac"] >= health_ratio
    out.index.name = "channel"
    return out
