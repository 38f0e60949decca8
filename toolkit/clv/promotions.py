"""Promotion break-even: which retention uplift pays for a price cut (course CLV, current value)."""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import ScenarioError
from ..i18n import tr
from . import _common
from ._common import _check_params
from .course import clv_components, default_horizon

__all__ = ["PromotionResult", "promotion_breakeven"]


@dataclass(frozen=True)
class PromotionResult:
    """Break-even retention uplift of a price promotion.

    Attributes
    ----------
    price_cut : float
        Fractional price cut (0.1 = 10%).
    base_value : float
        Current value per customer without the promotion.
    breakeven_uplift : float
        Retention increase (in rate points, 0.05 = +5 points) at which the promotion pays for itself;
        NaN when no uplift up to retention 1 is enough (``feasible`` False).
    breakeven_retention : float
    feasible : bool
    curve : pandas.DataFrame
        Index ``uplift``; columns ``retention, value, profit_change`` (per customer) and ``total_change``
        (x ``n_customers``).
    """

    price_cut: float
    retention: float
    base_value: float
    breakeven_uplift: float
    breakeven_retention: float
    feasible: bool
    n_customers: int
    curve: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """One-row DataFrame of the break-even figures."""
        return pd.DataFrame([{"price_cut": self.price_cut, "retention": self.retention, "base_value": self.base_value,
                              "breakeven_uplift": self.breakeven_uplift, "breakeven_retention": self.breakeven_retention,
                              "feasible": self.feasible}])

    def __repr__(self) -> str:
        if _common._zh():
            if self.feasible:
                return tr("clv.promotion.repr").format(
                    cut=f"{self.price_cut:.0%}", points=f"{self.breakeven_uplift * 100:.2f}",
                    retention=f"{self.retention:.3f}", breakeven=f"{self.breakeven_retention:.3f}")
            return tr("clv.promotion.never").format(cut=f"{self.price_cut:.0%}")
        if self.feasible:
            return (f"PromotionResult(a {self.price_cut:.0%} price cut pays for itself if retention rises by "
                    f"{self.breakeven_uplift * 100:.2f} points, {self.retention:.3f} -> {self.breakeven_retention:.3f})")
        return f"PromotionResult(a {self.price_cut:.0%} price cut never pays for itself: even retention 1 is not enough)"

    def _repr_html_(self) -> str:
        summary = self.summary
        if _common._zh():
            summary = _common._zh_frame(summary, columns={"retention": tr("clv.promotion.retention")})
        return f"<p>{html.escape(repr(self))}</p>" + summary.to_html(float_format=lambda x: f"{x:,.4g}")


def promotion_breakeven(price_cut, *, annual_revenue=2400.0, margin=0.6, retention=0.8, discount_rate=0.1, horizon=None,
                        revenue_growth=0.0, retention_cost=0.0, n_customers=1, uplifts=None) -> PromotionResult:
    """Which retention uplift pays for a price discount? Solve the break-even and trace the profit curve.

    A price cut of ``x`` keeps unit costs, so the margin per unit of the old revenue falls from ``m`` to
    ``m - x``. The promotion breaks even at the uplift ``u`` solving ``V(r + u, m - x) = V(r, m)``, where ``V`` is
    the current value (:func:`clv_components`) with the horizon held at its base value (so the curve is smooth;
    the course's default horizon is resolved once from the base retention).

    Parameters
    ----------
    price_cut : float
        Fractional price cut in [0, margin).
    annual_revenue, margin, retention, discount_rate, horizon, revenue_growth, retention_cost
        As in :func:`course_clv`.
    n_customers : int, default 1
        Customers in the segment; scales ``total_change``.
    uplifts : array-like, optional
        Uplift grid for the curve; default 0 to about twice the break-even (at most up to retention 1).

    Returns
    -------
    PromotionResult

    Raises
    ------
    ScenarioError
        When the price cut wipes out the whole margin, or for invalid base parameters.
    """
    from scipy.optimize import brentq

    _check_params(retention=retention, discount_rate=discount_rate, horizon=horizon, margin=margin, annual_revenue=annual_revenue)
    if not (0.0 <= price_cut < margin):
        raise ScenarioError(
            f"price_cut {price_cut!r} must be in [0, margin={margin}): a cut of the whole margin or more leaves no "
            "margin to recover with retention."
        )
    h = default_horizon(retention) if horizon is None else float(horizon)
    r_max = 1.0 if math.isfinite(h) else min(1.0, 1.0 + discount_rate) - 1e-9
    # margin per unit of the old revenue: m - x; expressed as margin rate on the new price (R (1 - x)).
    new_rev = annual_revenue * (1.0 - price_cut)
    new_margin = (margin - price_cut) / (1.0 - price_cut)

    def value(rs, rev, mar):
        rs = np.atleast_1d(np.asarray(rs, dtype=np.float64))
        return clv_components(rev, mar, rs, discount_rate, np.full(rs.shape, h), revenue_growth=revenue_growth,
                              retention_cost=retention_cost)["current"]

    base = float(value(retention, annual_revenue, margin)[0])

    def gap(u):
        return float(value(retention + u, new_rev, new_margin)[0]) - base

    hi = r_max - retention
    feasible = price_cut == 0.0 or (hi > 0 and gap(hi) >= 0)
    if price_cut == 0.0:
        u_star = 0.0
    elif feasible:
        u_star = float(brentq(gap, 0.0, hi, xtol=1e-12))
    else:
        u_star = float("nan")
    if uplifts is None:
        top = min(hi, 2.0 * u_star if feasible and u_star > 0 else 0.2)
        uplifts = np.linspace(0.0, max(top, 1e-6), 41)
    u = np.asarray(uplifts, dtype=np.float64)
    rs = np.clip(retention + u, 0.0, r_max)
    v = value(rs, new_rev, new_margin)
    curve = pd.DataFrame({"retention": rs, "value": v, "profit_change": v - base}, index=pd.Index(u, name="uplift"))
    curve["total_change"] = curve["profit_change"] * n_customers
    return PromotionResult(price_cut=float(price_cut), retention=float(retention), base_value=base, breakeven_uplift=u_star,
                           breakeven_retention=float(retention + u_star) if feasible else float("nan"), feasible=bool(feasible),
                           n_customers=int(n_customers), curve=curve)
