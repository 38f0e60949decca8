"""The course's CLV method: historical + current + potential value, scenarios and unit economics.

CLV = historical value + current value + potential value, where

* **historical value** is the margin earned so far (annual revenue x gross margin x years as a customer, or
  the actual revenue history x margin for a real customer base);
* **current value** is the discounted expected margin if behaviour does not change,
  ``sum_{t=1..H} R m r**t / (1 + d)**t`` (retention ``r``, discount rate ``d``, horizon ``H``, by default
  the expected lifetime ``1 / (1 - r)`` rounded to whole years);
* **potential value** is the up-sell value (success probability x extra annual margin x remaining-lifetime
  factor ``current / annual margin``), plus the referral value (referrals per year x value of a referred
  customer - referral cost), plus the value of the customer's data (per retained year, discounted).

Everything here is closed-form and cheap: many customers are evaluated at once by the numba kernel
:func:`toolkit._kernels.scenario.current_value`, which is what the widget sliders call.

References
----------
.. [1] Gupta, S., & Lehmann, D. R. (2003). Customers as assets. Journal of Interactive Marketing, 17(1), 9-24.
.. [2] Berger, P. D., & Nasr, N. I. (1998). Customer lifetime value: marketing models and applications.
   Journal of Interactive Marketing, 12(1), 17-30.
.. [3] Kotler, P., & Keller, K. L. Marketing Management, chapter "Creating customer value, satisfaction and
   loyalty" (customer delivered value = total customer value - total customer cost).
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .._kernels._arrays import readonly
from .._kernels.scenario import current_value as _cv_serial
from .._kernels.scenario import current_value_parallel as _cv_parallel
from .._kernels.scenario import scenario_current as _sc_serial
from .._kernels.scenario import scenario_current_parallel as _sc_parallel
from ..config import DAYS_PER_UNIT
from .._validate import check_int, check_number
from ..errors import DataQualityError, SchemaError, ToolkitError

__all__ = [
    "ScenarioError",
    "TEXTBOOK",
    "CLVResult",
    "course_clv",
    "textbook_example",
    "expected_lifetime",
    "default_horizon",
    "clv_components",
    "FACTORS",
    "SensitivityResult",
    "sensitivity",
    "heatmap",
    "UnitEconomics",
    "unit_economics",
    "channel_economics",
    "PromotionResult",
    "promotion_breakeven",
    "customer_values",
    "spend_gap",
    "estimate_retention",
    "Portfolio",
    "PortfolioResult",
    "portfolio_scenario",
    "clv_segments",
    "SEGMENT_STRATEGIES",
    "DeliveredValue",
    "delivered_value",
    "HEALTHY_CLV_CAC",
]

#: Parameters of the course's worked example (a subscription customer).
TEXTBOOK = {
    "annual_revenue": 2400.0,
    "margin": 0.6,
    "years_as_customer": 3.0,
    "retention": 0.8,
    "discount_rate": 0.1,
    "horizon": None,
    "upsell_revenue": 3600.0,
    "upsell_probability": 0.3,
    "referrals_per_year": 0.5,
    "referral_cost": 500.0,
}

#: The course's health line for the CLV:CAC ratio.
HEALTHY_CLV_CAC = 3.0

_DAYS_PER_YEAR = 365.2425
_PARALLEL_FROM = 200_000
_MAX_HORIZON = 1000


class ScenarioError(ToolkitError, ValueError):
    """Parameters that would give an infinite or meaningless CLV."""


# --------------------------------------------------------------------------------------------------
# helpers


def expected_lifetime(retention):
    """Expected customer lifetime ``1 / (1 - r)`` in periods (years for an annual retention rate).

    Parameters
    ----------
    retention : float or array-like
        Retention rate(s) in [0, 1); 1 gives ``inf``.

    Returns
    -------
    float or ndarray
    """
    r = np.asarray(retention, dtype=np.float64)
    with np.errstate(divide="ignore"):
        out = np.where(r < 1.0, 1.0 / np.where(r < 1.0, 1.0 - r, 1.0), np.inf)
    return float(out) if out.ndim == 0 else out


def default_horizon(retention):
    """The course's default horizon: the expected lifetime ``1 / (1 - r)`` rounded to whole years.

    Halves round up (``r = 0.6`` gives 2.5, hence 3 years); the horizon is at least one year. A tiny
    tolerance absorbs floating-point error (``1 / (1 - 0.8)`` is 4.999999999999999 in binary).

    Parameters
    ----------
    retention : float or array-like
        Retention rate(s) in [0, 1).

    Returns
    -------
    float or ndarray
        Whole years as float64 (``inf`` for retention 1).
    """
    life = np.asarray(expected_lifetime(retention), dtype=np.float64)
    with np.errstate(invalid="ignore"):
        out = np.where(np.isinf(life), np.inf, np.maximum(np.floor(life + 0.5 + 1e-9), 1.0))
    return float(out) if out.ndim == 0 else out


def _f8(x, n, name):
    """Broadcast a scalar or array-like to a fresh-enough C-contiguous writable float64 array of length n."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    if a.shape != (n,):
        raise SchemaError(f"`{name}` has shape {a.shape}, expected a scalar or ({n},) values, one per customer.")
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


def _check_params(*, retention, discount_rate, horizon, margin=None, annual_revenue=None, where=""):
    """Raise a clear ScenarioError for parameter combinations without a finite, meaningful CLV."""
    r = np.asarray(retention, dtype=np.float64)
    d = np.asarray(discount_rate, dtype=np.float64)
    if np.any(~np.isfinite(r)) or np.any((r < 0.0) | (r > 1.0)):
        bad = r[~np.isfinite(r) | (r < 0) | (r > 1)].ravel()[:3]
        raise ScenarioError(
            f"retention must be a rate in [0, 1) (1 only with a finite horizon){where}; got {bad.tolist()}. "
            "Pass 0.8 for 80%, not 80; churn 20% means retention 0.8."
        )
    if np.any(~np.isfinite(d)) or np.any((d < 0.0) | (d > 1.0)):
        raise ScenarioError(
            f"discount_rate must be a finite yearly rate in [0, 1]{where}; got {np.unique(d[~np.isfinite(d) | (d < 0) | (d > 1)])[:3].tolist()}. "
            "Pass 0.1 for 10% (not 10); a negative rate would make later years worth more than today."
        )
    if horizon is None:
        if np.any(r >= 1.0):
            raise ScenarioError(
                f"retention 1 means an infinite expected lifetime, so the default horizon 1/(1-r) is infinite{where}. "
                "Give a finite `horizon` (years) or a retention below 1."
            )
    else:
        h = np.asarray(horizon, dtype=np.float64)
        if np.any(np.isnan(h)) or np.any(h < 0):
            raise ScenarioError(f"horizon must be a number of years >= 0 or numpy.inf{where}; got {np.asarray(horizon).ravel()[:3].tolist()}.")
        finite = np.isfinite(h)
        if np.any(finite & (h != np.floor(h))):
            raise ScenarioError(f"horizon counts whole years{where}; got {h[finite & (h != np.floor(h))][:3].tolist()}. Round it first.")
        if np.any(finite & (h > _MAX_HORIZON)):
            raise ScenarioError(f"horizon above {_MAX_HORIZON} years{where}: pass numpy.inf for the infinite-horizon limit.")
        inf_h = np.broadcast_to(~finite, np.broadcast(h, r, d).shape)
        rr = np.broadcast_to(r, inf_h.shape)
        dd = np.broadcast_to(d, inf_h.shape)
        bad = inf_h & ((rr >= 1.0) | (rr >= 1.0 + dd))
        if np.any(bad):
            raise ScenarioError(
                f"an infinite horizon with retention {float(rr[bad][0]):g} (discount rate {float(dd[bad][0]):g}) "
                f"describes a customer who never leaves{where}: the value is infinite, or (with d > 0) only a "
                "perpetuity artefact. Use a finite horizon or a retention below 1."
            )
    if margin is not None:
        m = np.asarray(margin, dtype=np.float64)
        if np.any(~np.isfinite(m)) or np.any((m < 0.0) | (m > 1.0)):
            raise ScenarioError(
                f"margin is the gross margin rate in [0, 1]{where}; got {np.unique(m[~np.isfinite(m) | (m < 0) | (m > 1)])[:3].tolist()}. "
                "Pass 0.6 for 60%. A negative margin makes 'current value / annual margin' meaningless: model "
                "loss-making service as `retention_cost` instead."
            )
    if annual_revenue is not None:
        a = np.asarray(annual_revenue, dtype=np.float64)
        if np.any(~np.isfinite(a)) or np.any(a < 0):
            raise ScenarioError(f"annual_revenue must be finite and >= 0{where}.")


def _resolve_horizon(horizon, retention, n):
    if horizon is None:
        return _f8(default_horizon(retention), n, "horizon")
    return _f8(horizon, n, "horizon")


def _run_kernel(revenue, margin, retention, discount, horizon, growth, cost):
    """Call the (serial or parallel) kernel; all inputs are float64 arrays of equal length."""
    n = revenue.shape[0]
    current = np.empty(n)
    factor_g = np.empty(n)
    factor = np.empty(n)
    kern = _cv_parallel if n >= _PARALLEL_FROM else _cv_serial
    # inputs read-only whatever their origin (a pandas view or a fresh array): one compiled version each
    kern(*map(readonly, (revenue, margin, retention, discount, horizon, growth, cost)), current, factor_g, factor)
    return current, factor_g, factor


def clv_components(
    annual_revenue,
    margin,
    retention,
    discount_rate,
    horizon=None,
    *,
    years_as_customer=0.0,
    revenue_growth=0.0,
    retention_cost=0.0,
    upsell_revenue=None,
    upsell_probability=0.0,
    referrals_per_year=0.0,
    referred_value=None,
    referral_cost=0.0,
    data_value=0.0,
    historical=None,
):
    """Vectorised course CLV: every component for many customers or scenarios at once.

    All parameters broadcast: pass scalars, or arrays of one value per customer / scenario. See
    :func:`course_clv` for their meaning; this function skips the year-by-year table and returns arrays.

    Returns
    -------
    dict of str to ndarray
        ``historical, current, upsell, referral, data, potential, total, horizon, factor``
        (``factor`` is the remaining-lifetime factor ``current / annual margin`` without maintenance cost).

    Raises
    ------
    ScenarioError
        For retention outside [0, 1] (1 only with a finite horizon), discount rate <= -100%, an
        infinite horizon whose series diverges, a margin outside [0, 1], a negative revenue, an up-sell
        plan cheaper than the current plan, or probabilities outside [0, 1].
    """
    _check_params(retention=retention, discount_rate=discount_rate, horizon=horizon, margin=margin, annual_revenue=annual_revenue)
    arrays = [annual_revenue, margin, retention, discount_rate, revenue_growth, retention_cost, years_as_customer,
              upsell_probability, referrals_per_year, referral_cost, data_value]
    if horizon is not None:
        arrays.append(horizon)
    for extra in (upsell_revenue, referred_value, historical):
        if extra is not None:
            arrays.append(extra)
    n = max(int(np.prod(np.shape(a))) if np.ndim(a) else 1 for a in arrays)
    p = np.asarray(upsell_probability, dtype=np.float64)
    if np.any(~np.isfinite(p)) or np.any((p < 0) | (p > 1)):
        raise ScenarioError("upsell_probability is a probability in [0, 1]; pass 0.3 for 30%.")
    g = np.asarray(revenue_growth, dtype=np.float64)
    if np.any(~np.isfinite(g)) or np.any(g <= -1.0):
        raise ScenarioError("revenue_growth is a yearly rate above -100%; pass 0.05 for +5% a year.")
    for name, val in (("retention_cost", retention_cost), ("referrals_per_year", referrals_per_year),
                      ("referral_cost", referral_cost), ("data_value", data_value), ("years_as_customer", years_as_customer)):
        v = np.asarray(val, dtype=np.float64)
        if np.any(~np.isfinite(v)) or np.any(v < 0):
            raise ScenarioError(f"`{name}` must be finite and >= 0.")

    rev = _f8(annual_revenue, n, "annual_revenue")
    mar = _f8(margin, n, "margin")
    ret = _f8(retention, n, "retention")
    disc = _f8(discount_rate, n, "discount_rate")
    hor = _resolve_horizon(horizon, ret, n)
    gro = _f8(revenue_growth, n, "revenue_growth")
    cost = _f8(retention_cost, n, "retention_cost")
    current, factor_g, factor = _run_kernel(rev, mar, ret, disc, hor, gro, cost)
    if np.any(~np.isfinite(factor_g) & (rev * mar > 0)):
        raise ScenarioError(
            "with an infinite horizon, revenue growth (1+g) times r/(1+d) must stay below 1, otherwise the value "
            "is infinite. Lower `revenue_growth` or use a finite horizon."
        )

    annual_margin = rev * mar
    if historical is None:
        hist = annual_margin * _f8(years_as_customer, n, "years_as_customer")
    else:
        hist = _f8(historical, n, "historical")
    if upsell_revenue is None:
        upsell = np.zeros(n)
    else:
        up = _f8(upsell_revenue, n, "upsell_revenue")
        if np.any(up < rev):
            raise ScenarioError("upsell_revenue is the annual revenue of the bigger plan: it must be >= annual_revenue.")
        upsell = _f8(upsell_probability, n, "upsell_probability") * (up - rev) * mar * factor_g
    ref_value = current if referred_value is None else _f8(referred_value, n, "referred_value")
    referral = _f8(referrals_per_year, n, "referrals_per_year") * ref_value - _f8(referral_cost, n, "referral_cost")
    dv = _f8(data_value, n, "data_value")
    data = np.where(dv != 0.0, dv * np.where(np.isfinite(factor), factor, 0.0), 0.0)
    potential = upsell + referral + data
    return {
        "historical": hist,
        "current": current,
        "upsell": upsell,
        "referral": referral,
        "data": data,
        "potential": potential,
        "total": hist + current + potential,
        "horizon": hor,
        "factor": factor_g,
    }


# --------------------------------------------------------------------------------------------------
# one customer: the worked example


def _fmt(x):
    return f"{x:,.1f}"


@dataclass(frozen=True)
class CLVResult:
    """Course CLV of one customer: the three values, their parts and the year-by-year table.

    Attributes
    ----------
    params : dict
        The parameters used (horizon resolved).
    historical, current, upsell, referral, data, potential, total : float
        The values; ``potential = upsell + referral + data``, ``total = historical + current + potential``.
    horizon : float
        Years in the current value (``inf`` for the infinite-horizon limit).
    lifetime_factor : float
        Remaining-lifetime factor ``sum_t (1+g)**(t-1) r**t / (1+d)**t`` (= current / annual margin when there
        is no maintenance cost): 2.124 in the textbook example.
    years : pandas.DataFrame
        One row per year ``t``: ``revenue, margin, survival (r**t), discount_factor (1/(1+d)**t),
        expected_margin, present_value, cumulative_pv`` (at most 100 rows shown for an infinite horizon).
    """

    params: dict
    historical: float
    current: float
    upsell: float
    referral: float
    data: float
    potential: float
    total: float
    horizon: float
    lifetime_factor: float
    years: pd.DataFrame = field(repr=False)

    @property
    def annual_margin(self) -> float:
        """Annual revenue x margin rate."""
        return self.params["annual_revenue"] * self.params["margin"]

    @property
    def current_infinite(self) -> float:
        """The infinite-horizon limit of the current value, ``R m r / (1 + d - r)`` without growth or cost."""
        res = course_clv(**{**self.params, "horizon": np.inf})
        return res.current

    @property
    def summary(self) -> pd.DataFrame:
        """Components as a DataFrame (rows: value names; columns ``value`` and ``share`` of the total)."""
        rows = {
            "historical": self.historical,
            "current": self.current,
            "upsell": self.upsell,
            "referral": self.referral,
            "data": self.data,
            "potential": self.potential,
            "total": self.total,
        }
        df = pd.DataFrame({"value": pd.Series(rows, dtype="float64")})
        df["share"] = df["value"] / self.total if self.total else np.nan
        df.index.name = "component"
        return df

    def unit_economics(self, cac, *, health_ratio=HEALTHY_CLV_CAC):
        """CLV:CAC and payback for acquiring a customer like this one (see :func:`unit_economics`).

        The value of a *new* customer is forward-looking: ``current + potential`` (no history yet).
        """
        return unit_economics(self.current + self.potential, cac, annual_margin=self.annual_margin, health_ratio=health_ratio)

    def to_dict(self) -> dict:
        """The seven values as a plain dict."""
        return self.summary["value"].to_dict()

    def __repr__(self) -> str:
        h = "inf" if math.isinf(self.horizon) else f"{self.horizon:g}"
        return (
            f"CLVResult(total={_fmt(self.total)}: historical={_fmt(self.historical)}, current={_fmt(self.current)} "
            f"over {h} years, potential={_fmt(self.potential)} [upsell={_fmt(self.upsell)}, "
            f"referral={_fmt(self.referral)}, data={_fmt(self.data)}])"
        )

    def _repr_html_(self) -> str:
        h = "inf" if math.isinf(self.horizon) else f"{self.horizon:g}"
        head = f"<p><b>Course CLV</b> = {html.escape(_fmt(self.total))} (horizon {h} years)</p>"
        years = self.years[["revenue", "expected_margin", "discount_factor", "present_value", "cumulative_pv"]]
        return head + self.summary.to_html(float_format=_fmt) + years.head(20).to_html(float_format=lambda x: f"{x:,.4g}" if abs(x) < 1 else _fmt(x))


def course_clv(
    annual_revenue=2400.0,
    margin=0.6,
    years_as_customer=0.0,
    retention=0.8,
    discount_rate=0.1,
    horizon=None,
    *,
    revenue_growth=0.0,
    retention_cost=0.0,
    upsell_revenue=None,
    upsell_probability=0.0,
    referrals_per_year=0.0,
    referred_value=None,
    referral_cost=0.0,
    data_value=0.0,
    historical=None,
) -> CLVResult:
    """Course CLV of one customer: historical + current + potential value, with the year-by-year table.

    Parameters
    ----------
    annual_revenue : float, default 2400
        Purchase value per year (e.g. the annual fee).
    margin : float, default 0.6
        Gross margin rate in [0, 1].
    years_as_customer : float, default 0
        Years the customer has already been with us (for the historical value).
    retention : float, default 0.8
        Annual retention rate in [0, 1) (``1 - churn``); 1 is allowed only with a finite horizon.
    discount_rate : float, default 0.1
        Annual discount rate, > -1.
    horizon : int, numpy.inf or None, default None
        Years of future margin in the current value. None: the expected lifetime ``1/(1-r)`` rounded to whole
        years (:func:`default_horizon`), as the course does. ``numpy.inf`` gives the infinite-horizon limit.
    revenue_growth : float, default 0
        Revenue change per year: year ``t`` earns ``annual_revenue * (1 + g)**(t - 1)``.
    retention_cost : float, default 0
        Maintenance (retention) cost per retained year, subtracted from the margin.
    upsell_revenue : float, optional
        Annual revenue of the plan we try to up-sell to (3,600 in the example).
    upsell_probability : float, default 0
        Probability the up-sell succeeds.
    referrals_per_year : float, default 0
        Customers referred per year.
    referred_value : float, optional
        Value of one referred customer; None uses this customer's own current value (same economics).
    referral_cost : float, default 0
        Cost of the referral programme for this customer (a lump sum, not per referral; see Notes).
    data_value : float, default 0
        Value of the customer's data per retained year (discounted like the margin).
    historical : float, optional
        Margin actually earned so far; overrides ``annual_revenue * margin * years_as_customer``.

    Returns
    -------
    CLVResult

    Raises
    ------
    ScenarioError
        See :func:`clv_components`.

    See Also
    --------
    textbook_example : the course's worked example.
    clv_components : the same computation for arrays of customers or scenarios.

    Notes
    -----
    With ``q = r / (1 + d)``, ``A = sum_{t=1..H} q**t`` and ``A_g = sum_{t=1..H} (1 + g)**(t-1) q**t``:

    * historical = ``R m x years``;
    * current = ``R m A_g - c A`` (Gupta & Lehmann 2003, eq. 1; infinite horizon: ``R m r / (1 + d - r)``);
    * upsell = ``p (R_up - R) m A_g``: success probability x extra annual margin x remaining-lifetime factor
      ``A_g = current / annual margin`` (exact when there is no maintenance cost);
    * referral = ``k V_ref - C``: referrals per year x value of a referred customer - referral cost;
    * data = ``v A``.

    **Referral formula, derived from the course's numbers.** The course quotes 1,029.4 for 0.5 referrals
    per year, a referral cost of 500 and (implicitly) a referred customer worth the example's own current
    value 3,058.70. Candidates: ``0.5 x 3,058.70 - 500 = 1,029.35`` (rounds to 1,029.4, and potential
    458.81 + 1,029.35 = 1,488.16 -> 1,488.2, total 8,866.86 -> 8,866.9: all three quoted numbers match);
    ``0.5 x (3,058.70 - 500) = 1,279.35`` (cost per referral: does not match); multiplying by the lifetime
    factor 2.124 or the 5-year horizon gives 2,000+ (does not match). ``k (V - C / k)``, i.e. a cost of 1,000 per
    referral, is algebraically the same number, so the data admit two readings of the cost; we take the
    course's wording: the cost is a lump sum for the referral effort and one year of referrals is counted.

    Examples
    --------
    >>> res = course_clv(2400, 0.6, 3, retention=0.8, discount_rate=0.1)
    >>> round(res.historical), round(res.current, 1), res.horizon
    (4320, 3058.7, 5.0)
    """
    comps = clv_components(
        annual_revenue, margin, retention, discount_rate, horizon,
        years_as_customer=years_as_customer, revenue_growth=revenue_growth, retention_cost=retention_cost,
        upsell_revenue=upsell_revenue, upsell_probability=upsell_probability, referrals_per_year=referrals_per_year,
        referred_value=referred_value, referral_cost=referral_cost, data_value=data_value, historical=historical,
    )
    for name, val in (("annual_revenue", annual_revenue), ("margin", margin), ("retention", retention),
                      ("discount_rate", discount_rate), ("horizon", horizon)):
        if val is not None and np.ndim(val) != 0:
            raise SchemaError(f"course_clv is for one customer: `{name}` must be a scalar. Use clv_components or customer_values for arrays.")
    vals = {k: float(v[0]) for k, v in comps.items()}
    h = vals["horizon"]
    params = {
        "annual_revenue": float(annual_revenue), "margin": float(margin), "years_as_customer": float(years_as_customer),
        "retention": float(retention), "discount_rate": float(discount_rate), "horizon": h,
        "revenue_growth": float(revenue_growth), "retention_cost": float(retention_cost),
        "upsell_revenue": None if upsell_revenue is None else float(upsell_revenue),
        "upsell_probability": float(upsell_probability), "referrals_per_year": float(referrals_per_year),
        "referred_value": None if referred_value is None else float(referred_value),
        "referral_cost": float(referral_cost), "data_value": float(data_value),
        "historical": None if historical is None else float(historical),
    }
    n_rows = int(min(h, 100)) if math.isinf(h) else int(h)
    t = np.arange(1, n_rows + 1, dtype=np.float64)
    r, d, g = float(retention), float(discount_rate), float(revenue_growth)
    rev = float(annual_revenue) * (1.0 + g) ** (t - 1.0)
    surv = r ** t
    disc = (1.0 + d) ** (-t)
    exp_margin = rev * float(margin) * surv - float(retention_cost) * surv
    pv = exp_margin * disc
    years = pd.DataFrame(
        {
            "revenue": rev,
            "margin": rev * float(margin),
            "survival": surv,
            "expected_margin": exp_margin,
            "discount_factor": disc,
            "present_value": pv,
            "cumulative_pv": np.cumsum(pv),
        },
        index=pd.Index(t.astype(np.int64), name="year"),
    )
    return CLVResult(
        params=params, historical=vals["historical"], current=vals["current"], upsell=vals["upsell"],
        referral=vals["referral"], data=vals["data"], potential=vals["potential"], total=vals["total"],
        horizon=h, lifetime_factor=vals["factor"], years=years,
    )


def textbook_example(**overrides) -> CLVResult:
    """The course's worked example, optionally with some parameters changed.

    A subscription customer pays an annual fee of 2,400 at a 60% margin, has been a customer for 3 years,
    churns at 20% a year (retention 0.8) and is discounted at 10%; the horizon is the expected lifetime of
    5 years. An up-sell to a 3,600 plan succeeds with 30% probability; the customer brings 0.5 referrals a
    year at a referral cost of 500.

    Course figures: historical 4,320; current 3,058.7 (years 1,047.3 / 761.6 / 553.9 / 402.8 / 293.0);
    up-sell 458.8; referral 1,029.4; potential 1,488.2; total 8,866.9; infinite-horizon current value 3,840.

    Parameters
    ----------
    **overrides
        Any parameter of :func:`course_clv` to change.

    Returns
    -------
    CLVResult

    Examples
    --------
    >>> res = textbook_example()
    >>> round(res.total, 1)
    8866.9
    """
    return course_clv(**{**TEXTBOOK, **overrides})


# --------------------------------------------------------------------------------------------------
# sensitivity

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
        top = ", ".join(f"{f} {s:,.0f}" for f, s in self.tornado["swing"].head(3).items())
        return f"SensitivityResult({self.value}={_fmt(self.base)}, ±{self.pct:.0%}; largest swings: {top})"

    def _repr_html_(self) -> str:
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


# --------------------------------------------------------------------------------------------------
# unit economics


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


# --------------------------------------------------------------------------------------------------
# promotion break-even


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
        if self.feasible:
            return (f"PromotionResult(a {self.price_cut:.0%} price cut pays for itself if retention rises by "
                    f"{self.breakeven_uplift * 100:.2f} points, {self.retention:.3f} -> {self.breakeven_retention:.3f})")
        return f"PromotionResult(a {self.price_cut:.0%} price cut never pays for itself: even retention 1 is not enough)"

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.summary.to_html(float_format=lambda x: f"{x:,.4g}")


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


# --------------------------------------------------------------------------------------------------
# a real customer base


def _as_summary(data):
    """A per-customer summary frame: passed through, or built from a ``toolkit.Transactions``."""
    if isinstance(data, pd.DataFrame):
        return data
    if hasattr(data, "arrays") and hasattr(data, "frame"):
        from ..customers import customer_summary

        return customer_summary(data)
    raise SchemaError(f"expected toolkit.customer_summary(tx) output (a DataFrame) or a toolkit.Transactions, "
                      f"got {type(data).__name__}.")


def _summary_unit_days(summary):
    unit = summary.attrs.get("time_unit", "D") if hasattr(summary, "attrs") else "D"
    return DAYS_PER_UNIT.get(unit, 1.0)


def _tenure_years(summary):
    if "tenure_days" in summary.columns:
        return summary["tenure_days"].to_numpy(dtype=np.float64) / _DAYS_PER_YEAR
    if "T" in summary.columns:
        return summary["T"].to_numpy(dtype=np.float64) * _summary_unit_days(summary) / _DAYS_PER_YEAR
    raise SchemaError("the customer summary needs `tenure_days` (or `T`): use toolkit.customer_summary(tx).")


def estimate_retention(summary, *, by=None, period_days=_DAYS_PER_YEAR) -> pd.DataFrame:
    """Rough one-period retention from a customer summary: established customers still buying.

    Among customers whose first purchase is at least one period before the observation end (``tenure_days
    >= period_days``), the share who bought within the last period (``since_last`` <= one period). This is an
    approximation (it assumes everyone at risk was alive at the start of the period); cohort survival
    from transactions is better when you have it. ``n`` is returned so the uncertainty can be propagated
    (Beta posterior in :meth:`Portfolio.evaluate`).

    Parameters
    ----------
    summary : pandas.DataFrame
        Output of ``toolkit.customer_summary`` (``tenure_days``, ``since_last``).
    by : str, optional
        Column to group by (segment, tier, stage, channel...).
    period_days : float, default 365.2425

    Returns
    -------
    pandas.DataFrame
        Columns ``retention, n, retained`` (one row, or one per group).
    """
    summary = _as_summary(summary)
    missing = [c for c in ("tenure_days", "since_last") if c not in summary.columns]
    if missing:
        raise SchemaError(f"estimate_retention needs columns {missing} of toolkit.customer_summary(tx).")
    at_risk = summary["tenure_days"].to_numpy(dtype=np.float64) >= period_days
    active = summary["since_last"].to_numpy(dtype=np.float64) * _summary_unit_days(summary) <= period_days
    df = pd.DataFrame({"n": at_risk.astype(np.int64), "retained": (at_risk & active).astype(np.int64)}, index=summary.index)
    if by is None:
        out = df.sum().to_frame().T
        out.index = pd.Index(["all"], name="group")
    else:
        out = df.groupby(summary[by], observed=True).sum()
    out["retention"] = out["retained"] / out["n"].where(out["n"] > 0)
    return out[["retention", "n", "retained"]]


def _per_customer(value, summary, group, name):
    """Scalar, column name, per-customer array/Series, or per-group mapping -> (n,) float64."""
    n = len(summary)
    if isinstance(value, str):
        if value not in summary.columns:
            raise SchemaError(f"`{name}`={value!r} is not a column of the summary.")
        return summary[value].to_numpy(dtype=np.float64)
    if isinstance(value, (dict, pd.Series)) and group is not None and (
        isinstance(value, dict) or not value.index.equals(summary.index)
    ):
        mapping = pd.Series(value, dtype="float64")
        out = summary[group].map(mapping).to_numpy(dtype=np.float64)
        if np.isnan(out).any():
            miss = summary[group][np.isnan(out)].unique()[:5].tolist()
            raise SchemaError(f"`{name}` has no value for group(s) {miss} of `{group}`.")
        return out
    if isinstance(value, pd.Series):
        return value.reindex(summary.index).to_numpy(dtype=np.float64)
    return _f8(value, n, name)


def customer_values(summary, *, margin=0.6, retention=0.8, discount_rate=0.1, horizon=None, revenue_growth=0.0,
                    retention_cost=0.0, upsell_uplift=0.0, upsell_probability=0.0, referrals_per_year=0.0,
                    referral_cost=0.0, data_value=0.0, group=None, min_tenure_years=1.0,
                    current=None) -> pd.DataFrame:
    """Course CLV of every customer of a real customer base.

    Historical value is the actual revenue so far x margin; annual revenue is revenue per year of tenure
    (tenure floored at ``min_tenure_years`` so a one-month customer is not annualised x12).

    Parameters
    ----------
    summary : pandas.DataFrame or toolkit.Transactions
        ``toolkit.customer_summary(tx)`` (uses ``revenue`` and ``tenure_days``), indexed by ``customer_id``;
        a Transactions is summarised first (historical value = its actual revenue x margin).
    margin, retention, discount_rate, horizon, revenue_growth, retention_cost, upsell_probability,
    referrals_per_year, referral_cost, data_value
        As in :func:`course_clv`; each may be a scalar, a column name, a per-customer Series/array, or a
        dict / Series indexed by the labels of ``group``.
    upsell_uplift : float, default 0
        Relative revenue increase of the up-sell plan (0.5: a plan 50% dearer).
    group : str, optional
        Column of ``summary`` that the per-group dicts refer to.
    min_tenure_years : float, default 1.0
    current : str, pandas.Series or array-like, optional
        Current value of each customer from elsewhere, typically a fitted model's discounted margin
        (``toolkit.clv.models.ModelCLV(...).clv(..., margin=m)`` or ``customer_lifetime_value``). It replaces
        the course's retention formula for the current value, so the CLV segmentation (:func:`clv_segments`)
        and the totals use the model; potential value still follows the course's up-sell, referral and data
        terms. A Series is aligned by customer id and must cover every customer.

    Returns
    -------
    pandas.DataFrame
        Index ``customer_id``; columns ``annual_revenue, annual_margin, retention, horizon, historical,
        current, upsell, referral, data, potential, clv`` (total) and ``clv_new`` (current + potential, the
        value of acquiring such a customer). ``attrs["current_source"]`` says ``"course formula"`` or
        ``"given"``.
    """
    summary = _as_summary(summary)
    if "revenue" not in summary.columns:
        raise SchemaError("the customer summary needs a `revenue` column: use toolkit.customer_summary(tx).")
    years = np.maximum(_tenure_years(summary), float(min_tenure_years))
    revenue = summary["revenue"].to_numpy(dtype=np.float64)
    annual = revenue / years
    m = _per_customer(margin, summary, group, "margin")
    r = _per_customer(retention, summary, group, "retention")
    kw = {k: _per_customer(v, summary, group, k) for k, v in (
        ("discount_rate", discount_rate), ("revenue_growth", revenue_growth), ("retention_cost", retention_cost),
        ("upsell_probability", upsell_probability), ("referrals_per_year", referrals_per_year),
        ("referral_cost", referral_cost), ("data_value", data_value))}
    h = None if horizon is None else _per_customer(horizon, summary, group, "horizon")
    up = _per_customer(upsell_uplift, summary, group, "upsell_uplift")
    comps = clv_components(annual, m, r, kw.pop("discount_rate"), h, historical=revenue * m,
                           upsell_revenue=annual * (1.0 + up), **kw)
    out = pd.DataFrame({
        "annual_revenue": annual,
        "annual_margin": annual * m,
        "retention": r,
        "horizon": comps["horizon"],
        "historical": comps["historical"],
        "current": comps["current"],
        "upsell": comps["upsell"],
        "referral": comps["referral"],
        "data": comps["data"],
        "potential": comps["potential"],
        "clv": comps["total"],
    }, index=summary.index)
    if current is not None:
        given = _given_current(current, summary)
        out["clv"] = out["clv"] - out["current"] + given
        out["current"] = given
    out["clv_new"] = out["current"] + out["potential"]
    out.attrs["current_source"] = "course formula" if current is None else "given"
    return out


def _given_current(current, summary):
    """Per-customer current value (column name, Series aligned by id, or array) with no gaps allowed."""
    values = _per_customer(current, summary, None, "current")
    bad = ~np.isfinite(values)
    if bad.any():
        raise DataQualityError(
            f"current value is missing or not finite for {int(bad.sum())} customer(s), e.g. "
            f"{list(summary.index[bad][:5])}: score every customer of the summary with the model "
            "(same summary, same index).", column="current", count=int(bad.sum()),
            examples=pd.DataFrame({"current": values[bad]}, index=summary.index[bad]).head())
    return values


def spend_gap(summary, *, by=None, q=0.75, min_tenure_years=1.0) -> pd.Series:
    """Up-sell room per customer: relative gap to the ``q``-quantile annual revenue of the customer's group.

    A simple share-of-wallet proxy for the up-sell potential on a real customer base: a customer spending
    300 a year in a group whose 75th percentile is 450 has ``450 / 300 - 1 = 0.5`` room; customers at or
    above the quantile have 0. Pass the result as ``upsell_uplift`` to :func:`customer_values`.

    Parameters
    ----------
    summary : pandas.DataFrame
        ``toolkit.customer_summary(tx)`` (``revenue``, ``tenure_days``).
    by : str or pandas.Series, optional
        Group column (or Series aligned with the summary); None compares with everyone.
    q : float, default 0.75
    min_tenure_years : float, default 1.0
        As in :func:`customer_values`.

    Returns
    -------
    pandas.Series
        Index ``customer_id``, name ``upsell_uplift``, values >= 0.
    """
    if not 0.0 < q <= 1.0:
        raise ScenarioError("q is a quantile in (0, 1].")
    summary = _as_summary(summary)
    annual = pd.Series(summary["revenue"].to_numpy(dtype=np.float64)
                       / np.maximum(_tenure_years(summary), float(min_tenure_years)), index=summary.index)
    if by is None:
        target = pd.Series(annual.quantile(q), index=summary.index)
    else:
        keys = summary[by] if isinstance(by, str) else pd.Series(by).reindex(summary.index)
        target = annual.groupby(keys, observed=True).transform(lambda s: s.quantile(q))
    gap = (target / annual.where(annual > 0) - 1.0).clip(lower=0.0).fillna(0.0)
    return gap.rename("upsell_uplift")


@dataclass(frozen=True)
class PortfolioResult:
    """Change in total CLV when a scenario is applied to one group of customers.

    Attributes
    ----------
    base_total, scenario_total, delta : float
        Sum of ``value`` over all customers before and after, and the difference.
    by_group : pandas.DataFrame
        Index: group label; columns ``n_customers, base, scenario, delta``.
    band : pandas.DataFrame or None
        Monte Carlo quantiles (rows ``q05, q50, q95``) of ``base_total, scenario_total, delta`` from the
        retention uncertainty; None when ``n_sims`` was 0.
    """

    segment: object
    change: dict
    value: str
    base_total: float
    scenario_total: float
    delta: float
    n_affected: int
    by_group: pd.DataFrame
    band: pd.DataFrame | None = None

    @property
    def summary(self) -> pd.DataFrame:
        """One-row DataFrame of the totals (plus the 90% band of the delta when simulated)."""
        row = {"segment": self.segment, "n_affected": self.n_affected, "base_total": self.base_total,
               "scenario_total": self.scenario_total, "delta": self.delta,
               "delta_pct": self.delta / self.base_total if self.base_total else np.nan}
        if self.band is not None:
            row["delta_q05"] = self.band.loc["q05", "delta"]
            row["delta_q95"] = self.band.loc["q95", "delta"]
        return pd.DataFrame([row])

    def __repr__(self) -> str:
        band = ""
        if self.band is not None:
            band = f" (90% band {self.band.loc['q05', 'delta']:+,.0f} .. {self.band.loc['q95', 'delta']:+,.0f})"
        return (f"PortfolioResult({self.change} on {self.segment!r} ({self.n_affected:,} customers): total {self.value} "
                f"{self.base_total:,.0f} -> {self.scenario_total:,.0f}, change {self.delta:+,.0f}{band})")

    def _repr_html_(self) -> str:
        out = f"<p>{html.escape(repr(self))}</p>" + self.by_group.to_html(float_format=lambda x: f"{x:,.0f}")
        if self.band is not None:
            out += self.band.to_html(float_format=lambda x: f"{x:,.0f}")
        return out


class Portfolio:
    """A customer base prepared once for fast scenario recomputation (what the per-segment sliders call).

    Parameters
    ----------
    summary : pandas.DataFrame
        ``toolkit.customer_summary(tx)`` or any frame with ``revenue`` and ``tenure_days``.
    group : str, optional
        Column holding the segment / tier / lifecycle stage the scenarios target.
    margin, retention, discount_rate, horizon, retention_cost, revenue_growth
        Base assumptions, as in :func:`customer_values` (scalars, columns or per-group dicts).
    retention_n : float, dict or None
        Number of customers behind each retention estimate (e.g. ``estimate_retention(...)["n"]``),
        for the Monte Carlo band: retention is drawn from ``Beta(r n + 1, (1 - r) n + 1)`` per group.
    min_tenure_years : float, default 1.0

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"revenue": [1000.0, 2000.0], "tenure_days": [730.5, 365.25], "tier": ["a", "b"]})
    >>> pf = Portfolio(s, group="tier", margin=0.5, retention=0.8, discount_rate=0.1)
    >>> round(pf.evaluate(segment="a", retention_delta=0.05).delta, 1)  # horizon 5 -> 7 years, too
    179.1
    """

    def __init__(self, summary, *, group=None, margin=0.6, retention=0.8, discount_rate=0.1, horizon=None,
                 retention_cost=0.0, revenue_growth=0.0, retention_n=None, min_tenure_years=1.0):
        summary = _as_summary(summary)
        if group is not None and group not in summary.columns:
            raise SchemaError(f"group column {group!r} is not in the summary; columns are {list(summary.columns)}.")
        if "revenue" not in summary.columns:
            raise SchemaError("the customer summary needs a `revenue` column: use toolkit.customer_summary(tx).")
        self.group = group
        self.n = len(summary)
        self.index = summary.index
        years = np.maximum(_tenure_years(summary), float(min_tenure_years))
        revenue = summary["revenue"].to_numpy(dtype=np.float64)
        self.revenue = np.ascontiguousarray(revenue / years)
        self.margin = np.ascontiguousarray(_per_customer(margin, summary, group, "margin"))
        self.retention = np.ascontiguousarray(_per_customer(retention, summary, group, "retention"))
        self.discount = np.ascontiguousarray(_per_customer(discount_rate, summary, group, "discount_rate"))
        self.cost = np.ascontiguousarray(_per_customer(retention_cost, summary, group, "retention_cost"))
        self.growth = np.ascontiguousarray(_per_customer(revenue_growth, summary, group, "revenue_growth"))
        self.horizon = None if horizon is None else np.ascontiguousarray(_per_customer(horizon, summary, group, "horizon"))
        self.historical = revenue * self.margin
        _check_params(retention=self.retention, discount_rate=self.discount, horizon=self.horizon, margin=self.margin)
        # horizon < 0 tells the kernel "expected lifetime of the (new) retention, rounded as the course does"
        self._horizon_arr = np.full(self.n, -1.0) if self.horizon is None else np.require(self.horizon, np.float64, ["C", "W"])
        if group is None:
            self.codes = np.zeros(self.n, dtype=np.int64)
            self.labels = np.array(["all"], dtype=object)
        else:
            codes, labels = pd.factorize(summary[group], sort=True)
            self.codes = np.ascontiguousarray(codes.astype(np.int64))
            self.labels = np.asarray(labels, dtype=object)
        k = len(self.labels)
        self.retention_n = None if retention_n is None else _per_customer(retention_n, summary, group, "retention_n")
        self.counts = np.bincount(self.codes, minlength=k)
        # group extremes, so a scenario is validated in O(groups), not O(customers)
        order = np.argsort(self.codes, kind="stable")
        starts = np.searchsorted(self.codes[order], np.arange(k))
        nonempty = self.counts > 0
        self._r_min = np.full(k, np.inf)
        self._r_max = np.full(k, -np.inf)
        self._c_min = np.full(k, np.inf)
        self._d_min = np.full(k, np.inf)
        if self.n:
            self._r_min[nonempty] = np.minimum.reduceat(self.retention[order], starts[nonempty])
            self._r_max[nonempty] = np.maximum.reduceat(self.retention[order], starts[nonempty])
            self._c_min[nonempty] = np.minimum.reduceat(self.cost[order], starts[nonempty])
            self._d_min[nonempty] = np.minimum.reduceat(self.discount[order], starts[nonempty])
        self._hist_group = np.bincount(self.codes, weights=self.historical, minlength=k)
        self._base_current = self._scenario(np.zeros(k, dtype=np.bool_), self.retention, 0.0, 0.0, 0.0, 1.0)
        self._base_group = np.bincount(self.codes, weights=self._base_current, minlength=k)

    @property
    def groups(self) -> list:
        """Group labels (for a dropdown)."""
        return list(self.labels)

    def _scenario(self, affected, retention, d_retention, price_change, d_cost, r_max):
        """Per-customer current value under a scenario: one kernel pass over the cached arrays."""
        out = np.empty(self.n)
        kern = _sc_parallel if self.n >= _PARALLEL_FROM else _sc_serial
        kern(*map(readonly, (self.codes, affected, self.revenue, self.margin, retention, self.discount,
                             self._horizon_arr, self.growth, self.cost)),
             float(d_retention), float(price_change), float(d_cost), float(r_max), out)
        return out

    def _affected(self, segment):
        labels = list(self.labels)
        affected = np.zeros(len(labels), dtype=np.bool_)
        if segment is None or self.group is None or (isinstance(segment, str) and segment == "all" and "all" not in labels):
            if segment not in (None, "all"):
                raise SchemaError(f"segment {segment!r} given but the Portfolio has no `group` column.")
            affected[:] = True
            return affected
        segs = [segment] if np.ndim(segment) == 0 else list(segment)
        unknown = [s for s in segs if s not in labels]
        if unknown:
            raise SchemaError(f"segment {unknown} not found in `{self.group}`; groups are {self.groups}.")
        for s_ in segs:
            affected[labels.index(s_)] = True
        return affected

    def evaluate(self, segment=None, *, retention_delta=0.0, price_change=0.0, cost_change=0.0, value="current",
                 n_sims=0, retention_sd=None, seed=0) -> PortfolioResult:
        """Apply a change to one group and report the change in total CLV.

        One pass of the numba kernel over the cached arrays (about 10-20 ms for 1e6 customers on 2 cores),
        plus group sums; cheap enough for a slider callback.

        Parameters
        ----------
        segment : label, list of labels or None
            Group(s) the change applies to; None or ``"all"``: everyone.
        retention_delta : float, default 0
            Added to retention (rate points; 0.05 = +5 points). Must keep retention in [0, 1) (in [0, 1]
            with a finite horizon).
        price_change : float, default 0
            Relative price change (-0.1 = 10% cheaper). Unit costs stay, so the margin per unit of old
            revenue moves from ``m`` to ``m + price_change``; it may turn negative (a loss-making price).
        cost_change : float, default 0
            Added to the maintenance cost per retained year.
        value : {"current", "clv"}, default "current"
            Forward-looking current value, or historical + current.
        n_sims : int, default 0
            Monte Carlo draws of retention per group (Beta with ``retention_n`` customers behind each rate,
            or normal with ``retention_sd``) for a 90% band. The draws shift every group's retention (the
            estimate is uncertain for the base and the scenario alike); the band is of the totals and of
            the change.
        retention_sd : float, optional
            Standard deviation of each group's retention, when ``retention_n`` is unknown.
        seed : int, default 0

        Returns
        -------
        PortfolioResult

        Raises
        ------
        ScenarioError
            When the change pushes a retention outside [0, 1) (or the horizon rules of :func:`course_clv`),
            makes a maintenance cost negative, or cuts the price by 100% or more.
        """
        if value not in ("current", "clv"):
            raise SchemaError("value must be 'current' or 'clv'.")
        affected = self._affected(segment)
        retention_delta = check_number("retention_delta", retention_delta, low=-1.0, high=1.0, error=ScenarioError,
                                       hint="It is added to retention in rate points: pass 0.05 for +5 points.")
        price_change = check_number("price_change", price_change, low=-1.0, inclusive="neither",
                                    error=ScenarioError, hint="Pass -0.1 for a 10% price cut.")
        cost_change = check_number("cost_change", cost_change, error=ScenarioError,
                                   hint="It is added to the maintenance cost per retained year.")
        n_sims = check_int("n_sims", n_sims, low=0, high=1_000_000, error=ScenarioError)
        if retention_sd is not None:
            retention_sd = check_number("retention_sd", retention_sd, low=0.0, high=1.0, error=ScenarioError)
        where = f" after retention_delta={retention_delta:+g} on {segment!r}"
        hit = affected & (self.counts > 0)
        if hit.any():
            r_lo = float(self._r_min[hit].min()) + retention_delta
            r_hi = float(self._r_max[hit].max()) + retention_delta
            if r_lo < 0.0 or r_hi > 1.0:
                raise ScenarioError(f"retention must stay a rate in [0, 1){where}: it would reach {min(r_lo, 0) or r_hi:g}.")
            if r_hi >= 1.0:
                if self.horizon is None:
                    raise ScenarioError(f"retention would reach 1{where}: an infinite expected lifetime, so the default "
                                        "horizon 1/(1-r) is infinite. Use a smaller change or a finite `horizon`.")
                if np.any(np.isinf(self.horizon[affected[self.codes]])):
                    raise ScenarioError(f"retention would reach 1 with an infinite horizon{where}: infinite value.")
            if float(self._c_min[hit].min()) + cost_change < 0.0:
                raise ScenarioError("cost_change makes a maintenance cost negative.")
        scen_cur = self._scenario(affected, self.retention, retention_delta, price_change, cost_change, 1.0)
        k = len(self.labels)
        scen_group = np.bincount(self.codes, weights=scen_cur, minlength=k)
        hist_group = self._hist_group if value == "clv" else np.zeros(k)
        by = pd.DataFrame({
            "n_customers": self.counts,
            "base": self._base_group + hist_group,
            "scenario": scen_group + hist_group,
        }, index=pd.Index(self.labels, name=self.group or "group"))
        by["delta"] = by["scenario"] - by["base"]
        band = None
        if n_sims:
            band = self._band(affected, retention_delta, price_change, cost_change, float(hist_group.sum()), n_sims,
                              retention_sd, seed)
        change = {k2: v for k2, v in (("retention_delta", retention_delta), ("price_change", price_change),
                                      ("cost_change", cost_change)) if v}
        base_total = float(by["base"].sum())
        scen_total = float(by["scenario"].sum())
        return PortfolioResult(segment=segment if segment is not None else "all", change=change, value=value,
                               base_total=base_total, scenario_total=scen_total, delta=float(by["delta"].sum()),
                               n_affected=int(self.counts[affected].sum()), by_group=by, band=band)

    def _band(self, affected, delta, price_change, cost_change, hist_total, n_sims, retention_sd, seed):
        rng = np.random.default_rng(seed)
        k = len(self.labels)
        # group-level mean retention and its uncertainty
        r_group = np.bincount(self.codes, weights=self.retention, minlength=k) / np.maximum(self.counts, 1)
        if self.retention_n is not None:
            n_group = np.bincount(self.codes, weights=self.retention_n, minlength=k) / np.maximum(self.counts, 1)
        elif retention_sd is None:
            raise SchemaError("a Monte Carlo band needs `retention_n` (Portfolio) or `retention_sd`.")
        hi = 0.999 if self.horizon is None else 1.0
        none = np.zeros(k, dtype=np.bool_)
        totals = np.empty((n_sims, 2))
        for s in range(n_sims):
            if self.retention_n is not None:
                draw = rng.beta(r_group * n_group + 1.0, (1.0 - r_group) * n_group + 1.0)
            else:
                draw = r_group + rng.normal(0.0, retention_sd, size=k)
            r0 = np.clip(self.retention + (draw - r_group)[self.codes], 0.0, hi)
            totals[s, 0] = self._scenario(none, r0, 0.0, 0.0, 0.0, hi).sum() + hist_total
            totals[s, 1] = self._scenario(affected, r0, delta, price_change, cost_change, hi).sum() + hist_total
        q = np.quantile(totals, [0.05, 0.5, 0.95], axis=0)
        return pd.DataFrame({"base_total": q[:, 0], "scenario_total": q[:, 1],
                             "delta": np.quantile(totals[:, 1] - totals[:, 0], [0.05, 0.5, 0.95])},
                            index=pd.Index(["q05", "q50", "q95"], name="quantile"))


def portfolio_scenario(summary, segment=None, *, group=None, retention_delta=0.0, price_change=0.0, cost_change=0.0,
                       margin=0.6, retention=0.8, discount_rate=0.1, horizon=None, retention_cost=0.0,
                       retention_n=None, retention_sd=None, n_sims=200, value="current", seed=0) -> PortfolioResult:
    """Apply a change (retention +Δ, price -x%, cost +c) to one segment of a customer base; report the CLV change.

    One-shot wrapper of :class:`Portfolio` (build once and call :meth:`Portfolio.evaluate` for many scenarios).
    See there for the parameters. The Monte Carlo band (``n_sims`` draws) needs ``retention_n`` or
    ``retention_sd``; without either, no band is computed.

    Returns
    -------
    PortfolioResult
    """
    pf = Portfolio(summary, group=group, margin=margin, retention=retention, discount_rate=discount_rate, horizon=horizon,
                   retention_cost=retention_cost, retention_n=retention_n)
    if retention_n is None and retention_sd is None:
        n_sims = 0
    return pf.evaluate(segment, retention_delta=retention_delta, price_change=price_change, cost_change=cost_change,
                       value=value, n_sims=n_sims, retention_sd=retention_sd, seed=seed)


# --------------------------------------------------------------------------------------------------
# CLV-based segmentation and customer delivered value

#: The course's strategy per current x potential quadrant.
SEGMENT_STRATEGIES = {
    "high-value": "high current, high potential: retain and develop (VIP service, loyalty, account management)",
    "growth": "low current, high potential: develop (up-sell, cross-sell, referral programmes)",
    "watch": "high current, low potential: maintain efficiently and watch for churn signals",
    "low-value": "low current, low potential: serve at low cost (self-service), or let go",
}


def clv_segments(values, *, current="current", potential="potential", current_threshold=None,
                 potential_threshold=None) -> pd.DataFrame:
    """CLV-based segmentation (the course's step 4): current value x potential value quadrants.

    Parameters
    ----------
    values : pandas.DataFrame
        Per-customer values (e.g. :func:`customer_values`).
    current, potential : str
        Column names.
    current_threshold, potential_threshold : float, optional
        Split points; default the medians. "High" means ``>= threshold``.

    Returns
    -------
    pandas.DataFrame
        ``values`` with ``clv_segment`` (categorical: high-value, growth, watch, low-value) and ``strategy``.
    """
    missing = [c for c in (current, potential) if c not in values.columns]
    if missing:
        raise SchemaError(f"clv_segments needs columns {missing}.")
    c = values[current].to_numpy(dtype=np.float64)
    p = values[potential].to_numpy(dtype=np.float64)
    ct = float(np.nanmedian(c)) if current_threshold is None else float(current_threshold)
    pt = float(np.nanmedian(p)) if potential_threshold is None else float(potential_threshold)
    hc, hp = c >= ct, p >= pt
    lab = np.where(hc & hp, "high-value", np.where(hp, "growth", np.where(hc, "watch", "low-value")))
    out = values.copy()
    out["clv_segment"] = pd.Categorical(lab, categories=list(SEGMENT_STRATEGIES))
    out["strategy"] = out["clv_segment"].map(SEGMENT_STRATEGIES).astype(str)
    out.attrs = {**values.attrs, "current_threshold": ct, "potential_threshold": pt}
    return out


@dataclass(frozen=True)
class DeliveredValue:
    """Customer delivered value: total customer value - total customer cost.

    Attributes
    ----------
    values, costs : dict
        The four value parts (product, service, personnel, image) and four cost parts (money, time,
        energy, psychological).
    total_value, total_cost, delivered, ratio : float
        ``delivered = total_value - total_cost``; ``ratio = total_value / total_cost``.
    """

    values: dict
    costs: dict
    total_value: float
    total_cost: float
    delivered: float
    ratio: float

    @property
    def summary(self) -> pd.DataFrame:
        """One row per part: ``side`` (value / cost), ``part``, ``amount``."""
        rows = [("value", k, v) for k, v in self.values.items()] + [("cost", k, v) for k, v in self.costs.items()]
        return pd.DataFrame(rows, columns=["side", "part", "amount"])

    def __repr__(self) -> str:
        return (f"DeliveredValue(total value {self.total_value:,.1f} - total cost {self.total_cost:,.1f} = "
                f"{self.delivered:,.1f}; value/cost {self.ratio:.2f})")

    def _repr_html_(self) -> str:
        return f"<p>{html.escape(repr(self))}</p>" + self.summary.to_html(index=False)


def delivered_value(*, product=0.0, service=0.0, personnel=0.0, image=0.0, money=0.0, time=0.0, energy=0.0,
                    psychological=0.0) -> DeliveredValue:
    """Customer delivered value (Kotler): total customer value - total customer cost.

    Parameters
    ----------
    product, service, personnel, image : float
        Parts of the total customer value (in money-equivalent units, or scores on a common scale).
    money, time, energy, psychological : float
        Parts of the total customer cost, same units.

    Returns
    -------
    DeliveredValue

    Examples
    --------
    >>> round(delivered_value(product=300, service=60, personnel=20, image=40, money=199, time=10).delivered, 1)
    211.0
    """
    vals = {"product": product, "service": service, "personnel": personnel, "image": image}
    costs = {"money": money, "time": time, "energy": energy, "psychological": psychological}
    for k, v in {**vals, **costs}.items():
        if not np.isfinite(v) or v < 0:
            raise ScenarioError(f"`{k}` must be a finite amount >= 0; got {v!r}.")
    tv, tc = float(sum(vals.values())), float(sum(costs.values()))
    return DeliveredValue(values={k: float(v) for k, v in vals.items()}, costs={k: float(v) for k, v in costs.items()},
                          total_value=tv, total_cost=tc, delivered=tv - tc, ratio=tv / tc if tc > 0 else float("inf"))
