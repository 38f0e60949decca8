"""Sensitivity of the course CLV: tornado, elasticities and the retention x discount-rate heatmap."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._validate import check_number
from ..errors import ScenarioError, SchemaError
from ..i18n import localize, tr
from . import _common
from ._common import _check_params, _fmt
from .course import TEXTBOOK, clv_components, default_horizon

__all__ = ["FACTORS", "SensitivityResult", "sensitivity", "heatmap"]

#: The eight CLV drivers the course names, mapped to the parameter that carries them.
FACTORS = {
    "horizon": "time horizon (years)",
    "discount_rate": "discount rate",
    "retention": "retention rate",
    "revenue_growth": "revenue change per year",
    "retention_cost": "maintenance (retention) cost per year",
    "annual_revenue": "purchase value (annual revenue)",
    "referrals_per_year": "referral value (referrals per year)",
    "data_value": "data value per year",
}


def _resolved(params):
    """Copy of ``params`` with the horizon resolved to whole years (held fixed while factors move)."""
    p = dict(params)
    if p.get("horizon") is None:
        _check_params(retention=p.get("retention", 0.8), discount_rate=p.get("discount_rate", 0.1), horizon=None)
        p["horizon"] = default_horizon(p.get("retention", 0.8))
    return p


def _vary(params, factor, values):
    """Evaluate many values of one factor at once; returns dict of arrays."""
    p = dict(params)
    p[factor] = np.asarray(values, dtype=np.float64)
    keys = ("annual_revenue", "margin", "retention", "discount_rate", "horizon")
    defaults = {"annual_revenue": 2400.0, "margin": 0.6, "retention": 0.8, "discount_rate": 0.1, "horizon": None}
    pos = [p.pop(k, defaults[k]) for k in keys]
    return clv_components(*pos, **p)


@dataclass(frozen=True)
class SensitivityResult:
    """Tornado table and elasticities of the course CLV.

    Attributes
    ----------
    base : float
        The value at the base parameters.
    value : str
        Which value was analysed (``"total"``, ``"current"``, ``"potential"``).
    tornado : pandas.DataFrame
        Index ``factor``; columns ``label, base, low, high, value_low, value_high, swing`` sorted by swing.
    elasticities : pandas.DataFrame
        Index ``factor``; columns ``label, base, elasticity`` (% change of the value per 1% change of the
        factor; horizon: per one more year, in % of the value) and ``reading`` (a plain sentence).
    """

    base: float
    value: str
    pct: float
    tornado: pd.DataFrame
    elasticities: pd.DataFrame

    @property
    def summary(self) -> pd.DataFrame:
        """The tornado table joined with the elasticities."""
        return self.tornado.join(self.elasticities[["elasticity"]])

    def __repr__(self) -> str:
        if _common._zh():
            top = "，".join(f"{localize(FACTORS.get(f, f))} {s:,.0f}" for f, s in self.tornado["swing"].head(3).items())
            return tr("clv.sensitivity.repr").format(value=tr(f"clv.sensitivity.value.{self.value}"),
                                                     base=_fmt(self.base), pct=f"{self.pct:.0%}", top=top)
        top = ", ".join(f"{f} {s:,.0f}" for f, s in self.tornado["swing"].head(3).items())
        return f"SensitivityResult({self.value}={_fmt(self.base)}, ±{self.pct:.0%}; largest swings: {top})"

    def _repr_html_(self) -> str:
        if _common._zh():
            summary = _common._zh_frame(self.summary.drop(columns="label"))  # the row label says it
            head = tr("clv.sensitivity.head").format(value=tr(f"clv.sensitivity.value.{self.value}"),
                                                     base=_fmt(self.base), pct=f"{self.pct:.0%}")
            return f"<p>{head}</p>" + summary.to_html(float_format=lambda x: f"{x:,.3g}")
        return f"<p><b>Sensitivity of {self.value} CLV</b> ({_fmt(self.base)}), each factor ±{self.pct:.0%}</p>" + self.summary.to_html(
            float_format=lambda x: f"{x:,.3g}")


def _steps(factor, base, pct, params):
    """Low and high values of a factor for the tornado."""
    if factor == "horizon":
        if math.isinf(base):
            return base, base
        step = max(1.0, float(np.floor(pct * base + 0.5)))
        return max(base - step, 0.0), base + step
    if base != 0.0:
        lo, hi = base * (1 - pct), base * (1 + pct)
    else:
        # zero base: a relative change is no change; use an absolute step of the same size relative to
        # the annual margin (costs, data value), or pct itself for rates.
        am = params.get("annual_revenue", 2400.0) * params.get("margin", 0.6)
        unit = {"retention_cost": am, "data_value": am, "annual_revenue": 1.0, "referrals_per_year": 1.0}.get(factor, 1.0)
        lo, hi = -pct * unit, pct * unit
        if factor in ("retention_cost", "data_value", "referrals_per_year", "annual_revenue", "retention"):
            lo = 0.0
    if factor == "retention":
        hi = min(hi, 0.9999 if math.isinf(params["horizon"]) else 1.0)
        lo = max(lo, 0.0)
    if factor == "discount_rate":
        lo = max(lo, 0.0)
        hi = min(hi, 1.0)
    return lo, hi


def sensitivity(params=None, *, pct=0.1, value="total", factors=None, step=0.01) -> SensitivityResult:
    """Tornado (each factor ± ``pct``) and elasticities of the course CLV.

    The horizon is held at its resolved base value while the other factors move, so each bar isolates one
    factor (with the course's default horizon, a retention change would also change the horizon).

    Parameters
    ----------
    params : dict, optional
        Parameters of :func:`course_clv`; default the textbook example.
    pct : float, default 0.1
        Relative change of each factor (±10%), in (0, 0.5]. The horizon moves by ``max(1, round(pct x H))`` years;
        a factor whose base is 0 moves by ``pct`` x the annual margin (costs, data value) or ``pct``
        (rates), and never below 0. Retention is capped at 1.
    value : {"total", "current", "potential"}, default "total"
    factors : list of str, optional
        Subset of :data:`FACTORS`.
    step : float, default 0.01
        Relative step of the central-difference elasticities.

    Returns
    -------
    SensitivityResult
    """
    if value not in ("total", "current", "potential"):
        raise SchemaError("value must be 'total', 'current' or 'potential'.")
    pct = check_number("pct", pct, low=0.0, high=0.5, inclusive="right", error=ScenarioError,
                       hint="It is the relative change of each factor: pass 0.1 for ±10%, not 10 or 5 (beyond "
                            "±50% a rate such as revenue_growth would step to -100%).")
    step = check_number("step", step, low=0.0, high=0.5, inclusive="right", error=ScenarioError,
                        hint="It is the relative step of the elasticities: pass 0.01 for 1%.")
    p = _resolved(TEXTBOOK if params is None else params)
    factors = list(FACTORS) if factors is None else list(factors)
    unknown = set(factors) - set(FACTORS)
    if unknown:
        raise SchemaError(f"unknown factor(s) {sorted(unknown)}; choose from {list(FACTORS)}.")
    base = float(_vary(p, "margin", [p.get("margin", 0.6)])[value][0])
    rows, erows = [], []
    for f in factors:
        b = float(p.get(f, 0.0) if p.get(f) is not None else 0.0)
        lo, hi = _steps(f, b, pct, p)
        v = _vary(p, f, [lo, hi])[value]
        rows.append({"factor": f, "label": FACTORS[f], "base": b, "low": lo, "high": hi,
                     "value_low": float(v[0]), "value_high": float(v[1]), "swing": float(abs(v[1] - v[0]))})
        # elasticities
        if f == "horizon":
            if math.isinf(b):
                e = 0.0
            else:
                vv = _vary(p, f, [b, b + 1])[value]
                e = float((vv[1] - vv[0]) / base * 100.0) if base else np.nan
            reading = f"one more year adds {e:.2f}% to {value} CLV"
        elif b == 0.0:
            e = np.nan
            reading = "base is 0: no elasticity (see the tornado)"
        else:
            hi_e = b * (1 + step)
            if f == "retention":
                hi_e = min(hi_e, 1.0)
            vv = _vary(p, f, [b * (1 - step), hi_e])[value]
            e = float((vv[1] - vv[0]) / base / ((hi_e - b * (1 - step)) / b)) if base else np.nan
            reading = f"1% more {FACTORS[f]} changes {value} CLV by {e:+.2f}%"
        erows.append({"factor": f, "label": FACTORS[f], "base": b, "elasticity": e, "reading": reading})
    tornado = pd.DataFrame(rows).set_index("factor").sort_values("swing", ascending=False)
    elast = pd.DataFrame(erows).set_index("factor")
    return SensitivityResult(base=base, value=value, pct=float(pct), tornado=tornado, elasticities=elast)


def heatmap(params=None, *, retention=None, discount_rate=None, value="total", hold_horizon=True) -> pd.DataFrame:
    """CLV on a retention x discount-rate grid (one kernel call).

    Parameters
    ----------
    params : dict, optional
        Parameters of :func:`course_clv`; default the textbook example.
    retention : array-like, optional
        Grid of retention rates; default 0.50, 0.55, ..., 0.95.
    discount_rate : array-like, optional
        Grid of discount rates; default 0.00, 0.02, ..., 0.20.
    value : {"total", "current", "potential"}, default "total"
    hold_horizon : bool, default True
        Keep the base horizon for every cell. False: each retention gets the course's default horizon
        ``round(1 / (1 - r))`` (only when ``params`` leaves the horizon to the default).

    Returns
    -------
    pandas.DataFrame
        Index ``retention``, columns ``discount_rate``.
    """
    p0 = dict(TEXTBOOK if params is None else params)
    r = np.round(np.arange(0.5, 0.951, 0.05), 4) if retention is None else np.asarray(retention, dtype=np.float64)
    d = np.round(np.arange(0.0, 0.201, 0.02), 4) if discount_rate is None else np.asarray(discount_rate, dtype=np.float64)
    rr, dd = np.meshgrid(r, d, indexing="ij")
    p = _resolved(p0) if hold_horizon else p0
    p = dict(p)
    p["retention"] = rr.ravel()
    p["discount_rate"] = dd.ravel()
    v = _vary(p, "margin", p.get("margin", 0.6))[value]
    return pd.DataFrame(v.reshape(rr.shape), index=pd.Index(r, name="retention"), columns=pd.Index(d, name="discount_rate"))
