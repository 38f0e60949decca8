"""Cohort retention: retention matrices, period rates, survival curves and sBG retention projection.

=================================  ==========================================================================
function / class                   what
=================================  ==========================================================================
:func:`cohort_counts`              one kernel pass: every count the matrices need (cached, metric-free)
:func:`retention_matrix`           acquisition cohort x periods since acquisition, any :data:`METRICS`
:func:`average_curve`              cohort-size-weighted mean curve of a matrix (per group)
:func:`period_rates`               per calendar period: retention, repurchase, churn and win-back rates
:func:`lapse_durations`            per customer: lifetime of the first active spell (inactivity churn)
:func:`kaplan_meier`               Kaplan-Meier estimate with Greenwood / log-log bands, from durations
:func:`survival_curves`            Kaplan-Meier customer survival by group, with median lifetimes
:func:`logrank_test`               log-rank test that groups' survival curves differ (k - 1 df chi-square)
:class:`ShiftedBetaGeometric`      sBG model of contractual retention (Fader & Hardie 2007), DERL
=================================  ==========================================================================

Calendar periods follow pandas period rules: ``"D"`` days, ``"W"`` ISO weeks (Monday to Sunday),
``"M"`` calendar months (28 to 31 days), ``"Q"`` calendar quarters. Period ``k`` of a cohort is the k-th
calendar period after the cohort's acquisition period (period 0 is the acquisition period itself).

**Censoring rule.** A cell (cohort, k) is *observed* only when its calendar period lies entirely on or before
the observation end (``partial="censor"``, the default). Cells in periods that end after the observation
end, including a partially observed last period, are censored and shown as NaN, never as 0: an incomplete
month would understate activity. With ``partial="keep"`` a partially observed period is shown (cells in
periods that start after the end are NaN in any case). A cohort whose own acquisition period is partial is
therefore entirely NaN under the default rule; its size is still reported.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import optimize, special

from .errors import ConvergenceError, DataQualityError, NotFittedError, ParameterError, SchemaError
from .i18n import register, register_patterns, tr
from .logrank import LogrankResult, logrank_test

__all__ = [
    "PERIODS",
    "METRICS",
    "CohortCounts",
    "cohort_counts",
    "retention_matrix",
    "cohort_sizes",
    "select_group",
    "average_curve",
    "period_rates",
    "lapse_durations",
    "kaplan_meier",
    "survival_curves",
    "SurvivalResult",
    "logrank_test",
    "LogrankResult",
    "ShiftedBetaGeometric",
]

#: Calendar period codes -> pandas period frequency (ISO weeks run Monday to Sunday = pandas "W-SUN").
PERIODS = {"D": "D", "W": "W-SUN", "M": "M", "Q": "Q-DEC"}

#: Metric name -> description (unit).
METRICS = {
    "active": "customers of the cohort buying in the period (count)",
    "retention": "share of the cohort buying in the period (active / cohort size)",
    "orders": "orders in the period (count; rows when there are no order ids)",
    "orders_per_customer": "orders in the period per original cohort customer",
    "revenue": "revenue in the period",
    "revenue_per_customer": "revenue in the period per original cohort customer",
    "cumulative_revenue": "revenue from period 0 to k",
    "cumulative_revenue_per_customer": "revenue from period 0 to k per original customer (realised CLV curve)",
    "net_revenue_retention": "revenue in period k / revenue in period 0 (expansion counted)",
    "gross_revenue_retention": "sum over customers of min(revenue in k, revenue in 0) / revenue in period 0",
}

_SHARE_METRICS = {"retention", "net_revenue_retention", "gross_revenue_retention"}
_NONE = "(missing)"

# ------------------------------------------------------------------------------------------------------
# what the results print and show (#20): English as before, Chinese under toolkit.set_language("zh")
# ------------------------------------------------------------------------------------------------------
register({
    "cohorts.repr.counts": {
        "en": "CohortCounts({rows} cohort rows x {periods} periods ({period}), {customers} customers, {cells} "
              "observed cells)",
        "zh": "同期群计数（{rows} 行同期群 × {periods} 个期间（{period}），{customers} 位客户，{cells} 个已观测单元格）"},
    "cohorts.repr.survival": {"en": "SurvivalResult({definition}; unit {unit}; {medians})",
                              "zh": "生存分析结果（{definition}；时间单位 {unit}；{medians}）"},
    "cohorts.repr.median": {"en": "{group}: median {median}", "zh": "{group}：中位数 {median}"},
    "cohorts.repr.survival_html": {"en": "Kaplan-Meier survival", "zh": "Kaplan-Meier 生存分析"},
    "cohorts.repr.survival_html_note": {"en": "{definition}; time unit {unit}", "zh": "{definition}；时间单位 {unit}"},
    "cohorts.repr.sbg_unfitted": {"en": "ShiftedBetaGeometric(not fitted)", "zh": "ShiftedBetaGeometric（尚未拟合）"},
    "cohorts.repr.sbg_unfitted_html": {"en": "ShiftedBetaGeometric (not fitted)",
                                       "zh": "ShiftedBetaGeometric（尚未拟合）"},
    "cohorts.repr.sbg": {"en": "ShiftedBetaGeometric(alpha={a}, beta={b}{fitted})",
                         "zh": "ShiftedBetaGeometric（alpha={a}，beta={b}{fitted}）"},
    "cohorts.repr.sbg_fitted": {"en": ", fitted on {n} customers over {k} periods",
                                "zh": "，基于 {n} 位客户的 {k} 个期间拟合"},
})
# column names of the results (English: what toolkit.formatting.label wrote for them before)
register({f"col.{name}": {"en": en, "zh": zh} for name, (en, zh) in {
    "churn_base": ("Churn base", "流失基数"), "winback_base": ("Winback base", "赢回基数"),
    "reactivated": ("Reactivated", "已赢回"), "at_risk": ("At risk", "风险集人数"), "lower": ("Lower", "置信下限"),
    "upper": ("Upper", "置信上限"), "time": ("Time", "时间"), "duration": ("Duration", "生命周期时长"),
    "event": ("Event", "是否流失"), "cohort_size": ("Cohort size", "同期群规模"),
    "projected_survival": ("Projected survival", "预测存活比例"), "projected_retention": ("Projected retention", "预测留存率"),
    "expected_survivors": ("Expected survivors", "预期存活人数"), "observed_survival": ("Observed survival", "实际存活比例"),
    "observed_retention": ("Observed retention", "实际留存率"), "t": ("T", "期数 t"),
    "orders_per_customer": ("Orders per customer", "每位客户订单数"),
    "revenue_per_customer": ("Revenue per customer", "每位客户收入"), "cumulative_revenue": ("Cumulative revenue", "累计收入"),
    "cumulative_revenue_per_customer": ("Cumulative revenue per customer", "每位客户累计收入"),
    "net_revenue_retention": ("Net revenue retention", "净收入留存率"),
    "gross_revenue_retention": ("Gross revenue retention", "总收入留存率"),
}.items() if tr(f"col.{name}", "\0") == "\0"})
register_patterns("zh", [
    (r"churn = no purchase for (?P<d>\d+) days; lifetime to the last purchase of the spell",
     r"流失 = \g<d> 天内没有购买；生命周期计到该活跃期的最后一次购买"),
    (r"survival_at_(?P<t>.+)", r"第 \g<t> 期的存活比例"),
])


# ------------------------------------------------------------------------------------------------------
# helpers: calendar lookups and customer attributes
# ------------------------------------------------------------------------------------------------------
def _tx(data, frame_kwargs):
    from .data import as_transactions

    return as_transactions(data, **frame_kwargs)


def _check_period(period):
    if period not in PERIODS:
        raise ParameterError(f"period must be one of {list(PERIODS)} (days, ISO weeks, months, quarters), "
                             f"got {period!r}.",
                             parameter="period", value=period)
    return PERIODS[period]


def _period_lookup(origin, day_lo, day_hi, period):
    """Absolute period ordinal of every day index in ``[day_lo, day_hi]`` (int64)."""
    dates = origin + pd.to_timedelta(np.arange(day_lo, day_hi + 1), unit="D")
    return pd.PeriodIndex(dates, freq=PERIODS[period]).asi8.astype(np.int64)


def _period_bounds(origin, ordinals, period):
    """First and last day index of each absolute period ordinal."""
    pi = pd.PeriodIndex.from_ordinals(np.asarray(ordinals, dtype=np.int64), freq=PERIODS[period])
    origin = pd.Timestamp(origin).as_unit("s")  # in seconds: a span of more than 292 years overflows nanoseconds
    start = ((pi.start_time.as_unit("s") - origin) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    end = ((pi.end_time.normalize().as_unit("s") - origin) // pd.Timedelta(days=1)).to_numpy(dtype=np.int64)
    return start, end, pi


def _by_customer(values, arr, what):
    """Align a per-customer Series / mapping with ``arr.customer_id`` (object array, NaN where missing)."""
    if isinstance(values, dict):
        values = pd.Series(values)
    if isinstance(values, pd.DataFrame):
        raise SchemaError(f"{what} must be a Series indexed by customer_id (one column), not a DataFrame; "
                          "e.g. customers.set_index('customer_id')['channel'].")
    if not isinstance(values, pd.Series):
        raise SchemaError(f"{what} must be a pandas Series indexed by customer_id, a dict, or the name of a "
                          f"transaction column; got {type(values).__name__}.")
    if not values.index.is_unique:
        dup = values.index[values.index.duplicated()][:5].tolist()
        raise DataQualityError(f"{what} has duplicated customer ids (e.g. {dup}); give one value per customer.",
                               count=int(values.index.duplicated().sum()))
    ids = arr.customer_id
    index = values.index
    if ids.dtype.kind in "iu" and index.dtype.kind not in "iu":
        try:
            index = index.astype(np.int64)
        except (TypeError, ValueError):
            pass
    elif ids.dtype == object and index.dtype.kind in "iu":
        index = index.astype(str)
    aligned = pd.Series(values.to_numpy(), index=index).reindex(ids)
    if aligned.isna().all() and len(ids):
        raise SchemaError(f"No customer id of {what} matches the transaction log (e.g. log ids "
                          f"{list(ids[:3])}, {what} ids {list(values.index[:3])}).")
    return aligned


def _groups(by, tx):
    """Group code per customer (-1 = missing) and the group labels, or (None, None)."""
    arr = tx.arrays
    if by is None:
        return None, None, None
    if isinstance(by, str):
        if by not in ("channel", "category"):
            raise SchemaError(f"by={by!r}: a string names a transaction column ('channel' or 'category', value at "
                              "the first purchase); pass other customer attributes as a Series indexed by "
                              "customer_id, e.g. customers.set_index('customer_id')['channel'].")
        codes = getattr(arr, by)
        if codes is None:
            raise SchemaError(f"by={by!r} but the transactions have no {by!r} column; map it in "
                              f"Transactions.from_frame({by}=...).")
        labels = getattr(arr, f"{by}_labels")
        first = codes[arr.offsets[:-1]] if arr.n_customers else codes[:0]
        values = pd.Series(np.where(first >= 0, labels[np.maximum(first, 0)], None), dtype=object)
        name = by
    else:
        values = _by_customer(by, arr, "by")
        name = by.name if isinstance(by, pd.Series) and by.name is not None else "group"
    codes, labels = pd.factorize(pd.Series(values.to_numpy()), sort=True)
    return codes.astype(np.int64), np.asarray(labels, dtype=object), str(name)


def _cohort_days(cohort, tx):
    """Cohort start day of each customer (int64; huge sentinel where unknown)."""
    arr = tx.arrays
    if isinstance(cohort, str):
        if cohort != "first_purchase":
            raise ParameterError("cohort must be 'first_purchase' or a Series of acquisition dates indexed by "
                                 f"customer_id, got {cohort!r}.", parameter="cohort", value=cohort)
        return arr.day[arr.offsets[:-1]].astype(np.int64) if arr.n_customers else np.zeros(0, np.int64)
    dates = _by_customer(cohort, arr, "cohort")
    dates = pd.to_datetime(dates)
    days = ((dates.dt.normalize() - arr.origin) // pd.Timedelta(days=1)).to_numpy(dtype="float64",
                                                                                  na_value=np.nan)
    return np.where(np.isnan(days), np.iinfo(np.int64).max // 4, days).astype(np.int64)


# ------------------------------------------------------------------------------------------------------
# cohort counts and retention matrices
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class CohortCounts:
    """Everything a retention matrix needs, from one kernel pass (metric-independent, cheap to re-slice).

    Rows are cohorts (``group`` x ``cohort`` with ``by``), columns periods since acquisition.

    Attributes
    ----------
    index : pandas.Index or MultiIndex
        ``cohort`` (pandas Periods) or (``group``, ``cohort``).
    size : int64 ndarray (rows,)
        Customers per cohort.
    active, orders : int64 ndarray (rows, periods)
    revenue, gross : float64 ndarray (rows, periods)
        Revenue, and the sum of ``min(revenue in k, revenue in 0)`` over customers.
    observed : bool ndarray (rows, periods)
        False where the cell is censored (see the module docstring).
    period : str
    partial : {"censor", "keep"}
    observation_end : pandas.Timestamp
    n_skipped : int
        Customers left out (outside the cohort date range, missing group or cohort date).
    group_name : str or None
    """

    index: pd.Index
    size: np.ndarray
    active: np.ndarray
    orders: np.ndarray
    revenue: np.ndarray
    gross: np.ndarray
    observed: np.ndarray
    period: str
    partial: str
    observation_end: pd.Timestamp
    n_skipped: int = 0
    group_name: str | None = None
    notes: list = field(default_factory=list)

    @property
    def n_periods(self) -> int:
        return self.active.shape[1]

    def values(self, metric="retention"):
        """The grid of one metric as a float64 array, censored cells NaN."""
        if metric not in METRICS:
            raise ParameterError(f"metric must be one of {list(METRICS)}, got {metric!r}.",
                                 parameter="metric", value=metric)
        size = self.size[:, None].astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            if metric == "active":
                out = self.active.astype(np.float64)
            elif metric == "retention":
                out = self.active / size
            elif metric == "orders":
                out = self.orders.astype(np.float64)
            elif metric == "orders_per_customer":
                out = self.orders / size
            elif metric == "revenue":
                out = self.revenue.copy()
            elif metric == "revenue_per_customer":
                out = self.revenue / size
            elif metric == "cumulative_revenue":
                out = np.cumsum(self.revenue, axis=1)
            elif metric == "cumulative_revenue_per_customer":
                out = np.cumsum(self.revenue, axis=1) / size
            elif metric == "net_revenue_retention":
                out = self.revenue / self.revenue[:, :1]
            else:  # gross_revenue_retention
                out = self.gross / self.revenue[:, :1]
        out = np.where(self.observed, out, np.nan)
        return out

    def matrix(self, metric="retention"):
        """Retention matrix of ``metric`` as a DataFrame (index cohorts, columns periods since acquisition).

        ``attrs`` holds ``metric``, ``period``, ``cohort_size`` (a tuple aligned with the rows; use
        :func:`cohort_sizes` for a Series), ``observation_end``, ``partial``.
        """
        df = pd.DataFrame(self.values(metric), index=self.index,
                          columns=pd.RangeIndex(self.n_periods, name="period"))
        df.attrs.update({"metric": metric, "period": self.period,
                         "cohort_size": tuple(int(v) for v in self.size),
                         "observation_end": self.observation_end, "partial": self.partial,
                         "group_name": self.group_name})
        return df

    def __repr__(self):
        return tr("cohorts.repr.counts").format(rows=len(self.size), periods=self.n_periods, period=self.period,
                                                customers=f"{int(self.size.sum()):,}",
                                                cells=f"{int(self.observed.sum()):,}")


def cohort_counts(data, period="M", by=None, cohort="first_purchase", partial="censor", cohort_range=None,
                  max_periods=None, **frame_kwargs):
    """Count customers, orders and revenue per acquisition cohort and period since acquisition (one pass).

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log, or a raw frame plus ``Transactions.from_frame`` column arguments in ``frame_kwargs``.
    period : {"D", "W", "M", "Q"}, default "M"
        Calendar period: days, ISO weeks (Monday-Sunday), calendar months, calendar quarters.
    by : pandas.Series, dict or {"channel", "category"}, optional
        Customer attribute to split by: a Series indexed by ``customer_id`` (acquisition channel, segment,
        tier, lifecycle pattern, ...), or the name of a transaction column (its value at the first purchase).
        Customers without a value are left out (counted in ``n_skipped``).
    cohort : "first_purchase" or pandas.Series, default "first_purchase"
        What defines the cohort: the first purchase, or acquisition dates indexed by ``customer_id``
        (transactions before a customer's acquisition period are then ignored).
    partial : {"censor", "keep"}, default "censor"
        Treatment of a partially observed last period (see the module docstring).
    cohort_range : (date-like or None, date-like or None), optional
        Keep only customers whose cohort date lies in this closed range.
    max_periods : int, optional
        Keep at most this many periods since acquisition.

    Returns
    -------
    CohortCounts

    Notes
    -----
    All cohort periods between the first and the last non-empty cohort are rows (empty cohorts have size
    0 and NaN shares), so gaps stay visible. Kernel: :func:`toolkit._kernels.cohorts.retention_grid`.
    """
    from ._kernels.cohorts import retention_grid

    _check_period(period)
    if partial not in ("censor", "keep"):
        raise ParameterError(f"partial must be 'censor' or 'keep', got {partial!r}.",
                             parameter="partial", value=partial)
    tx = _tx(data, frame_kwargs)
    arr = tx.arrays
    end_day = int(arr.end_day)
    cdays = _cohort_days(cohort, tx)
    keep = cdays <= end_day
    if cohort_range is not None:
        lo_d, hi_d = cohort_range
        if lo_d is not None:
            keep &= cdays >= arr.day_of(lo_d)
        if hi_d is not None:
            keep &= cdays <= arr.day_of(hi_d)
    gcodes, glabels, gname = _groups(by, tx)
    if gcodes is not None:
        keep &= gcodes >= 0
    day_lo = int(min(0, cdays[keep].min())) if keep.any() else 0
    lookup = _period_lookup(arr.origin, day_lo, end_day, period)
    p_end = int(lookup[-1])
    cust_p0 = np.zeros(arr.n_customers, dtype=np.int64)
    cust_p0[keep] = lookup[cdays[keep] - day_lo]
    if keep.any():
        p_first, p_last = int(cust_p0[keep].min()), int(cust_p0[keep].max())
    else:
        p_first = p_last = p_end
    n_cohorts = p_last - p_first + 1 if keep.any() else 0
    n_periods = p_end - p_first + 1
    if max_periods is not None:
        n_periods = max(1, min(n_periods, int(max_periods)))
    n_groups = 1 if gcodes is None else len(glabels)
    row = np.full(arr.n_customers, -1, dtype=np.int64)
    g = np.zeros(arr.n_customers, dtype=np.int64) if gcodes is None else gcodes
    row[keep] = g[keep] * n_cohorts + (cust_p0[keep] - p_first)
    order = arr.order_code if arr.order_code is not None else np.empty(0, dtype=np.int64)
    size, active, orders, revenue, gross = retention_grid(
        arr.offsets, arr.day, arr.amount, order, np.int64(arr.n_order_codes), lookup, np.int64(day_lo), row,
        cust_p0, np.int64(n_groups * n_cohorts), np.int64(n_periods))
    # censoring
    ordinals = np.arange(p_first, p_first + n_cohorts + n_periods, dtype=np.int64)
    starts, ends, _ = _period_bounds(arr.origin, ordinals, period)
    cell = np.arange(n_cohorts)[:, None] + np.arange(n_periods)[None, :]
    observed_c = (ends[cell] <= end_day) if partial == "censor" else (starts[cell] <= end_day)
    # trim trailing periods without any observed cell
    if n_cohorts:
        any_obs = observed_c.any(axis=0)
        last = int(np.nonzero(any_obs)[0].max()) + 1 if any_obs.any() else 1
    else:
        last = 0
    cohorts = pd.PeriodIndex.from_ordinals(np.arange(p_first, p_first + n_cohorts, dtype=np.int64),
                                           freq=PERIODS[period]).rename("cohort")
    observed = np.tile(observed_c[:, :last], (n_groups, 1))
    if gcodes is None:
        index = cohorts
    else:
        index = pd.MultiIndex.from_product([pd.Index(glabels, name=gname), cohorts], names=[gname, "cohort"])
    return CohortCounts(index=index, size=size, active=active[:, :last], orders=orders[:, :last],
                        revenue=revenue[:, :last], gross=gross[:, :last], observed=observed, period=period,
                        partial=partial, observation_end=tx.observation_end,
                        n_skipped=int((~keep).sum()), group_name=gname)


def retention_matrix(data, period="M", metric="retention", by=None, cohort="first_purchase", partial="censor",
                     cohort_range=None, max_periods=None, **frame_kwargs):
    """Cohort retention matrix: acquisition cohort x calendar periods since acquisition.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log, or a raw frame plus ``Transactions.from_frame`` column arguments.
    period : {"D", "W", "M", "Q"}, default "M"
        True calendar periods: days, ISO weeks (Monday-Sunday), months (28-31 days), quarters.
    metric : str, default "retention"
        One of :data:`METRICS`: ``active``, ``retention`` (share of the cohort), ``orders``,
        ``orders_per_customer``, ``revenue``, ``revenue_per_customer``, ``cumulative_revenue``,
        ``cumulative_revenue_per_customer`` (the cohort's realised CLV curve), ``net_revenue_retention``,
        ``gross_revenue_retention``.
    by : pandas.Series, dict or {"channel", "category"}, optional
        Split by a customer attribute (Series indexed by ``customer_id``); the index becomes
        (attribute, cohort).
    cohort : "first_purchase" or pandas.Series, default "first_purchase"
        Cohort definition: first purchase, or acquisition dates by ``customer_id``.
    partial : {"censor", "keep"}, default "censor"
        ``"censor"``: a period that ends after the observation end is NaN (see module docstring).
    cohort_range : tuple, optional
        (first, last) cohort date to keep.
    max_periods : int, optional
        Cap on the number of period columns.

    Returns
    -------
    pandas.DataFrame
        Index ``cohort`` (pandas Periods) or (group, ``cohort``); columns ``period`` 0, 1, ...; censored cells
        NaN. :func:`cohort_sizes` gives the cohort sizes (stored in ``attrs["cohort_size"]``), ``attrs["metric"]`` / ``["period"]`` the settings.

    Notes
    -----
    Net revenue retention is revenue from the cohort in period k over its revenue in period 0; gross revenue
    retention caps each customer's revenue at their period-0 revenue before summing (no expansion), as
    subscription businesses report them. Both are relative to period 0 of the same customers.

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> from toolkit.cohorts import retention_matrix
    >>> raw = pd.DataFrame({"c": [1, 1, 2, 3, 3], "v": [10.0, 5.0, 7.0, 3.0, 4.0],
    ...     "d": ["2024-01-03", "2024-02-10", "2024-01-20", "2024-02-01", "2024-03-31"]})
    >>> tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v")
    >>> retention_matrix(tx, "M")
    period     0    1    2
    cohort
    2024-01  1.0  0.5  0.0
    2024-02  1.0  1.0  NaN
    """
    counts = cohort_counts(data, period=period, by=by, cohort=cohort, partial=partial, cohort_range=cohort_range,
                           max_periods=max_periods, **frame_kwargs)
    return counts.matrix(metric)


def cohort_sizes(matrix):
    """Customers per cohort row of a :func:`retention_matrix` result, as a Series aligned with its rows."""
    size = matrix.attrs.get("cohort_size")
    if size is None:
        raise SchemaError("matrix has no attrs['cohort_size']; pass a retention_matrix() result.")
    return pd.Series(np.asarray(size, dtype=np.int64), index=matrix.index, name="cohort_size")


def select_group(matrix, group):
    """The rows of one group of a matrix split ``by`` an attribute, with its cohort sizes kept."""
    if not isinstance(matrix.index, pd.MultiIndex):
        return matrix
    groups = list(matrix.index.get_level_values(0).unique())
    if group not in groups:
        raise ParameterError(f"The matrix is split by {matrix.index.names[0]!r}: pass group= one of {groups}.",
                             parameter="group", value=group)
    mask = (matrix.index.get_level_values(0) == group)
    sub = matrix[mask].copy()
    sub.index = sub.index.droplevel(0)
    sub.attrs = dict(matrix.attrs, cohort_size=tuple(np.asarray(matrix.attrs["cohort_size"])[mask].tolist()))
    return sub


def average_curve(matrix, min_cohorts=1):
    """Cohort-size-weighted mean of a retention matrix per period since acquisition (per group with ``by``).

    Only observed (non-NaN) cells count, so late cohorts do not drag later periods down. For counts and
    shares of the cohort (``retention``, ``*_per_customer``) this is the pooled value, e.g. total active
    customers over total cohort customers at period k.

    Parameters
    ----------
    matrix : pandas.DataFrame
        A :func:`retention_matrix` result (``attrs["cohort_size"]`` is used as weights).
    min_cohorts : int, default 1
        Periods observed in fewer cohorts are NaN.

    Returns
    -------
    pandas.DataFrame
        One row per group (``"all"`` without groups), columns periods since acquisition.
    """
    size = cohort_sizes(matrix).to_numpy()
    values = matrix.to_numpy(dtype=np.float64)
    ok = np.isfinite(values)
    w = pd.DataFrame(np.where(ok, size[:, None], 0.0), index=matrix.index, columns=matrix.columns)
    wv = pd.DataFrame(np.where(ok, values, 0.0), index=matrix.index, columns=matrix.columns) * w
    n = pd.DataFrame(ok, index=matrix.index, columns=matrix.columns) & (w > 0)
    if isinstance(matrix.index, pd.MultiIndex):
        level = matrix.index.names[0]
        num, den, cnt = wv.groupby(level=0).sum(), w.groupby(level=0).sum(), n.groupby(level=0).sum()
    else:
        level = "group"
        num, den, cnt = (f.sum().to_frame("all").T for f in (wv, w, n))
    with np.errstate(divide="ignore", invalid="ignore"):
        out = (num / den).where((den > 0) & (cnt >= min_cohorts))
    out.index.name = level
    out.attrs.update({k: v for k, v in matrix.attrs.items() if k != "cohort_size"})
    return out


# ------------------------------------------------------------------------------------------------------
# period rates
# ------------------------------------------------------------------------------------------------------
def period_rates(data, period="M", window=90, by=None, cohort="first_purchase", **frame_kwargs):
    """Retention, repurchase, churn and win-back rates per calendar period, overall or by group / cohort.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
    period : {"D", "W", "M", "Q"}, default "M"
    window : int, default 90
        Inactivity window in days that defines churn: a customer is *active* at a date when they bought in
        the ``window`` days up to it, *lapsed* otherwise.
    by : None, "cohort", pandas.Series, dict or {"channel", "category"}, optional
        ``None``: one row per period (all customers). ``"cohort"``: per acquisition cohort. Otherwise a
        customer attribute as in :func:`retention_matrix`.
    cohort : "first_purchase" or pandas.Series
        Acquisition dates (used by ``by="cohort"`` and to decide when a customer starts counting).

    Returns
    -------
    pandas.DataFrame
        One row per fully observed calendar period (and group), columns:

        ========================  =================================================================
        customers                 customers acquired by the end of the period
        active                    customers buying in the period
        repurchase_rate           share of the period's buyers who bought on 2+ distinct days in it
        retention_rate            share of the previous period's buyers who bought again in this one
        churn_base, churned       active at the end of the previous period; of those, lapsed at the end
        churn_rate                churned / churn_base
        winback_base, reactivated lapsed at the end of the previous period; of those, buying in this one
        reactivation_rate         reactivated / winback_base (the win-back rate)
        ========================  =================================================================

        ``attrs["window"]`` holds the window.

    Notes
    -----
    Customers count from their first purchase (or acquisition date when ``cohort`` is a Series); a customer
    acquired in a period is not in that period's churn or win-back base. Rates with an empty base are NaN.
    """
    from ._kernels.cohorts import period_status

    _check_period(period)
    from ._validate import check_int

    window = check_int("window", window, low=1, high=36_524, hint="It is a number of days, e.g. 90.")
    tx = _tx(data, frame_kwargs)
    arr = tx.arrays
    end_day = int(arr.end_day)
    cdays = _cohort_days(cohort, tx)
    keep = cdays <= end_day
    first_day = int(cdays[keep].min()) if keep.any() else 0
    day_lo = min(0, first_day)
    lookup = _period_lookup(arr.origin, day_lo, end_day, period)
    p_first = int(lookup[first_day - day_lo])
    ordinals = np.arange(p_first, int(lookup[-1]) + 1, dtype=np.int64)
    starts, ends, pidx = _period_bounds(arr.origin, ordinals, period)
    full = ends <= end_day
    starts, ends, pidx = starts[full], ends[full], pidx[full]
    if by is None:
        labels, name = np.array(["all"], dtype=object), None
        row = np.where(keep, 0, -1).astype(np.int64)
    elif isinstance(by, str) and by == "cohort":
        cp = np.zeros(arr.n_customers, dtype=np.int64)
        cp[keep] = lookup[cdays[keep] - day_lo]
        labels = pd.PeriodIndex.from_ordinals(ordinals, freq=PERIODS[period]).astype(str).to_numpy(dtype=object)
        name = "cohort"
        row = np.where(keep, cp - p_first, -1).astype(np.int64)
    else:
        codes, labels, name = _groups(by, tx)
        row = np.where(keep & (codes >= 0), codes, -1).astype(np.int64)
    # the kernel starts each customer's clock at their first purchase; acquisition dates only select rows
    counts = period_status(arr.offsets, arr.day, np.int64(window), starts, ends, row, np.int64(len(labels)))
    frames = []
    periods = pidx.rename("period")
    for gi, label in enumerate(labels):
        c = counts[gi]
        if by is not None and c[:, 0].sum() == 0:
            continue
        prev_active = np.concatenate([[0], c[:-1, 1]])
        with np.errstate(divide="ignore", invalid="ignore"):
            f = pd.DataFrame({
                "customers": c[:, 0], "active": c[:, 1],
                "repurchase_rate": np.where(c[:, 1] > 0, c[:, 2] / c[:, 1], np.nan),
                "retention_rate": np.where(prev_active > 0, c[:, 7] / prev_active, np.nan),
                "churn_base": c[:, 3], "churned": c[:, 4],
                "churn_rate": np.where(c[:, 3] > 0, c[:, 4] / c[:, 3], np.nan),
                "winback_base": c[:, 5], "reactivated": c[:, 6],
                "reactivation_rate": np.where(c[:, 5] > 0, c[:, 6] / c[:, 5], np.nan),
            }, index=periods)
        if by is not None:
            f = f[f["customers"] > 0]
            f.index = pd.MultiIndex.from_arrays([np.full(len(f), label, dtype=object), f.index],
                                                names=[name, "period"])
        frames.append(f)
    out = pd.concat(frames) if frames else pd.DataFrame()
    out.attrs["window"] = window
    out.attrs["period"] = period
    return out


# ------------------------------------------------------------------------------------------------------
# survival
# ------------------------------------------------------------------------------------------------------
def lapse_durations(data, window=90, by=None, clock="lapse", time_unit="D", **frame_kwargs):
    """Per customer: duration of the first active spell and whether its end (churn) was observed.

    Churn is defined by inactivity: a customer is active on a day when they bought in the ``window`` days up
    to it. The spell ends on the first day after a purchase with no purchase in the following ``window``
    days ("lapse"). Right-censored customers are those still active at the observation end.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
    window : int, default 90
        Inactivity window in days.
    by : optional
        Customer attribute (as in :func:`retention_matrix`) added as column ``group``.
    clock : {"lapse", "last_purchase"}, default "lapse"
        ``"lapse"``: duration from the first purchase to the lapse day (last purchase of the spell + window);
        a censored customer is censored at the observation end. ``"last_purchase"``: duration to the last
        purchase of the spell (the customer's observable lifetime); censored at the last purchase seen.
    time_unit : {"D", "W", "M"}, default "D"
        Unit of ``duration``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id``: ``duration`` (float, time unit), ``event`` (bool: churn observed)
        [, ``group``].
    """
    from ._kernels.cohorts import lapse_durations as kernel
    from .config import DAYS_PER_UNIT

    if clock not in ("lapse", "last_purchase"):
        raise ParameterError(f"clock must be 'lapse' or 'last_purchase', got {clock!r}.",
                             parameter="clock", value=clock)
    from ._validate import check_int

    window = check_int("window", window, low=1, high=36_524, hint="It is the inactivity window in days, e.g. 90.")
    if time_unit not in DAYS_PER_UNIT:
        raise ParameterError(f"time_unit must be one of {list(DAYS_PER_UNIT)}, got {time_unit!r}.",
                             parameter="time_unit", value=time_unit)
    tx = _tx(data, frame_kwargs)
    arr = tx.arrays
    start = arr.day[arr.offsets[:-1]].astype(np.int64) if arr.n_customers else np.zeros(0, np.int64)
    dur, event = kernel(arr.offsets, arr.day, np.int64(window), np.int64(arr.end_day), start, clock == "lapse")
    out = pd.DataFrame({"duration": dur / DAYS_PER_UNIT[time_unit], "event": event},
                       index=pd.Index(arr.customer_id, name="customer_id"))
    if by is not None:
        codes, labels, name = _groups(by, tx)
        out["group"] = np.where(codes >= 0, labels[np.maximum(codes, 0)], None)
        out.attrs["group_name"] = name
    out = out[np.isfinite(out["duration"].to_numpy())]
    out.attrs.update({"window": window, "clock": clock, "time_unit": time_unit})
    return out


def kaplan_meier(durations, events=None, alpha=0.05):
    """Kaplan-Meier survival estimate with Greenwood variance and log(-log) confidence bands.

    Parameters
    ----------
    durations : array-like of float
        Time to the event or to censoring (>= 0, finite).
    events : array-like of bool, optional
        True when the event was observed, False when right-censored (all True when omitted).
    alpha : float, default 0.05
        1 - confidence level of the bands.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``time`` (every distinct duration, plus 0): ``at_risk``, ``events``, ``censored``,
        ``survival``, ``lower``, ``upper``.

    Notes
    -----
    :math:`\\hat S(t) = \\prod_{t_i \\le t} (1 - d_i / n_i)` (Kaplan & Meier 1958, JASA 53(282)). Greenwood's
    formula :math:`\\hat V = \\sum d_i / (n_i (n_i - d_i))`; bands :math:`\\hat S^{\\exp(\\pm z \\sqrt{\\hat V}
    / \\log \\hat S)}` (the log(-log) transform of Kalbfleisch & Prentice 1980, *The Statistical Analysis of
    Failure Time Data*, sec. 1.3), which stay inside [0, 1]. Where :math:`\\hat S` is 1 the bands are 1;
    where it is 0 they are 0.

    Examples
    --------
    >>> from toolkit.cohorts import kaplan_meier
    >>> kaplan_meier([1, 2, 2, 3], [True, True, False, True])["survival"].round(3).tolist()
    [1.0, 0.75, 0.5, 0.0]
    """
    from ._validate import check_event_flags, check_number

    check_number("alpha", alpha, low=0.0, high=1.0, inclusive="neither", hint="Pass 0.05 for 95% bands.")
    t = np.asarray(durations, dtype=np.float64)
    e = check_event_flags(events, len(t))
    if t.ndim != 1 or e.shape != t.shape:
        raise SchemaError("durations and events must be 1-d and of equal length.")
    if len(t) and (not np.all(np.isfinite(t)) or t.min() < 0):
        raise DataQualityError("durations must be finite and >= 0; drop or fix the bad values.",
                               count=int((~np.isfinite(t) | (t < 0)).sum()))
    from ._kernels.cohorts import integer_event_counts

    ok, total, dead = integer_event_counts(np.ascontiguousarray(t), np.ascontiguousarray(e),
                                           np.int64(4 * len(t) + 100_000))
    if ok:
        times = np.nonzero(total)[0]
        removed, d = total[times], dead[times]
        times = times.astype(np.float64)
    else:
        times, inv = np.unique(t, return_inverse=True)
        removed = np.bincount(inv, minlength=len(times))
        d = np.bincount(inv[e], minlength=len(times))
    if len(times) == 0 or times[0] > 0:
        times = np.concatenate([[0.0], times])
        removed = np.concatenate([[0], removed])
        d = np.concatenate([[0], d])
    at_risk = len(t) - np.concatenate([[0], np.cumsum(removed)[:-1]])
    with np.errstate(divide="ignore", invalid="ignore"):
        surv = np.cumprod(np.where(at_risk > 0, 1.0 - d / at_risk, 1.0))
        var = np.cumsum(np.where((at_risk - d) > 0, d / (at_risk * (at_risk - d)), np.where(d > 0, np.inf, 0.0)))
        z = special.ndtri(1 - alpha / 2)  # the normal quantile, without importing scipy.stats (~0.4 s)
        log_s = np.log(surv)
        half = z * np.sqrt(var) / log_s
        lower = np.exp(-np.exp(np.log(-log_s) - half))
        upper = np.exp(-np.exp(np.log(-log_s) + half))
    lower = np.where(surv >= 1.0, 1.0, np.where(surv <= 0.0, 0.0, lower))
    upper = np.where(surv >= 1.0, 1.0, np.where(surv <= 0.0, 0.0, upper))
    return pd.DataFrame({"at_risk": at_risk, "events": d, "censored": removed - d, "survival": surv,
                         "lower": lower, "upper": upper}, index=pd.Index(times, name="time"))


def _chinese() -> bool:
    """True when results are shown in a language other than English (loads the Chinese of the toolkit's texts)."""
    from .i18n import get_language

    if get_language() == "en":
        return False
    from . import _zh  # noqa: F401  (the Chinese of the reasons, derivations, actions and definitions)

    return True


def _said(text):
    from .i18n import localize

    return localize(text) if _chinese() else text


def _unit(code):
    """A time unit code ("D", "W", "M"...) for people in the current language."""
    words = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters", "Y": "years"}
    return tr(f"unit.{words[code]}", code) if code in words and _chinese() else code


def _group_label(value):
    from .formatting import value_label

    return value_label(value) if isinstance(value, str) else str(value)


def _median(curve, column="survival"):
    below = curve.index[curve[column].to_numpy() <= 0.5]
    return float(below[0]) if len(below) else math.inf


@dataclass(eq=False)
class SurvivalResult:
    """Kaplan-Meier customer survival by group (from :func:`survival_curves`).

    Attributes
    ----------
    curves : dict[str, pandas.DataFrame]
        Group label -> :func:`kaplan_meier` table (``"all"`` without groups).
    durations : pandas.DataFrame
        The per-customer durations (:func:`lapse_durations`).
    window : int
    clock : str
    time_unit : str
    alpha : float
    """

    curves: dict
    durations: pd.DataFrame
    window: int
    clock: str
    time_unit: str
    alpha: float

    @property
    def churn_definition(self) -> str:
        """Plain-language churn definition (put it on every chart)."""
        end = "lapse day" if self.clock == "lapse" else "last purchase of the spell"
        return f"churn = no purchase for {self.window} days; lifetime to the {end}"

    @property
    def summary(self) -> pd.DataFrame:
        """Per group: customers, churned (events), censored, median lifetime and its confidence interval."""
        rows = []
        for label, c in self.curves.items():
            rows.append({"group": label, "customers": int(c["at_risk"].iloc[0]), "churned": int(c["events"].sum()),
                         "censored": int(c["censored"].sum()), "median_lifetime": _median(c),
                         "median_lower": _median(c, "lower"), "median_upper": _median(c, "upper")})
        return pd.DataFrame(rows).set_index("group")

    def survival_at(self, t) -> pd.Series:
        """Estimated survival of each group at time ``t`` (step function, right-continuous)."""
        out = {}
        for label, c in self.curves.items():
            pos = np.searchsorted(c.index.to_numpy(), t, side="right") - 1
            out[label] = float(c["survival"].iloc[pos]) if pos >= 0 else 1.0
        return pd.Series(out, name=f"survival_at_{t:g}")

    def logrank_test(self, alpha=0.05):
        """Log-rank test that the groups' curves differ (:func:`logrank_test` on ``durations``; needs groups)."""
        return logrank_test(self.durations, alpha=alpha)

    def __repr__(self):
        zh = _chinese()
        parts = ("，" if zh else ", ").join(
            tr("cohorts.repr.median").format(group=_group_label(k) if zh else k, median=f"{v:g}")
            for k, v in self.summary["median_lifetime"].items())
        return tr("cohorts.repr.survival").format(definition=_said(self.churn_definition), unit=_unit(self.time_unit),
                                                  medians=parts)

    def _repr_html_(self):
        note = tr("cohorts.repr.survival_html_note").format(definition=_said(self.churn_definition),
                                                           unit=_unit(self.time_unit))
        if _chinese():
            from .formatting import notebook_table_html

            return (f"<p><b>{html.escape(tr('cohorts.repr.survival_html'))}</b>（{html.escape(note)}）</p>"
                    + notebook_table_html(self.summary))
        return (f"<p><b>Kaplan-Meier survival</b> ({html.escape(note)})</p>"
                + self.summary.to_html(float_format=lambda v: f"{v:,.3g}"))


def survival_curves(data, window=90, by=None, clock="lapse", time_unit="D", alpha=0.05, **frame_kwargs):
    """Kaplan-Meier customer survival with inactivity-defined churn and right censoring, by group.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
    window : int, default 90
        Inactivity window in days: churn = no purchase for ``window`` days (see :func:`lapse_durations`).
    by : optional
        Customer attribute to split by (Series indexed by ``customer_id``, or "channel" / "category").
    clock : {"lapse", "last_purchase"}, default "lapse"
    time_unit : {"D", "W", "M"}, default "D"
    alpha : float, default 0.05

    Returns
    -------
    SurvivalResult
        ``curves`` by group, ``summary`` with median lifetimes and their confidence intervals.

    Notes
    -----
    The estimates equal lifelines' ``KaplanMeierFitter`` on the same durations (tested). Medians are the
    first time the curve is at or below 0.5 (inf if never); their interval uses the bands the same way.
    """
    durations = lapse_durations(data, window=window, by=by, clock=clock, time_unit=time_unit, **frame_kwargs)
    curves = {}
    if by is None:
        curves["all"] = kaplan_meier(durations["duration"], durations["event"], alpha)
    else:
        d = durations[durations["group"].notna()]
        for label, g in d.groupby("group", sort=True):
            curves[label] = kaplan_meier(g["duration"], g["event"], alpha)
    return SurvivalResult(curves=curves, durations=durations, window=int(window), clock=clock,
                          time_unit=time_unit, alpha=alpha)


# ------------------------------------------------------------------------------------------------------
# sBG
# ------------------------------------------------------------------------------------------------------
def _sbg_log_pmf(alpha, beta, t):
    """log P(T = t), t = 1, 2, ...: B(alpha + 1, beta + t - 1) / B(alpha, beta)."""
    return special.betaln(alpha + 1.0, beta + t - 1.0) - special.betaln(alpha, beta)


def _sbg_log_survival(alpha, beta, t):
    """log S(t) = log B(alpha, beta + t) / B(alpha, beta)."""
    return special.betaln(alpha, beta + t) - special.betaln(alpha, beta)


class ShiftedBetaGeometric:
    """Shifted-beta-geometric (sBG) model of contractual retention (Fader & Hardie 2007).

    Each customer churns at the end of every period with a constant probability ``theta``; ``theta`` varies
    across customers as Beta(``alpha``, ``beta``). Retention rates therefore rise with tenure at the cohort
    level although no individual's propensity changes.

    Parameters
    ----------
    tol : float, default 1e-10
        Optimiser tolerance.
    max_iter : int, default 1000

    Attributes
    ----------
    params_ : pandas.Series
        ``alpha``, ``beta``.
    standard_errors_ : pandas.Series
        From the inverse Hessian of the log-likelihood (delta method from the log scale).
    log_likelihood_ : float
    survivors_ : ndarray
        The fitted counts (customers alive at t = 0 .. n).
    n_customers_ : int

    Notes
    -----
    With survivors :math:`n_0, \\dots, n_T`:
    :math:`P(T=t) = B(\\alpha+1, \\beta+t-1)/B(\\alpha,\\beta)`, :math:`S(t) = B(\\alpha, \\beta+t)/B(\\alpha,\\beta)`,
    retention :math:`r_t = (\\beta+t-1)/(\\alpha+\\beta+t-1)`, and
    :math:`LL = \\sum_{t=1}^{T} (n_{t-1}-n_t) \\log P(T=t) + n_T \\log S(T)`
    (Fader & Hardie 2007, "How to project customer retention", *Journal of Interactive Marketing* 21(1),
    eqs. 2-7). DERL: Fader & Hardie (2010), "Customer-base valuation in a contractual setting: the perils of
    ignoring heterogeneity", *Marketing Science* 29(1), eq. 6.

    Examples
    --------
    >>> from toolkit.cohorts import ShiftedBetaGeometric
    >>> m = ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    >>> m.params_.round(3).tolist()
    [0.704, 1.182]
    """

    _param_names = ("alpha", "beta")

    def __init__(self, *, tol=1e-10, max_iter=1000):
        self.tol = tol
        self.max_iter = max_iter

    # -- fitting ----------------------------------------------------------------------------------------
    @staticmethod
    def _check_survivors(survivors):
        s = np.asarray(survivors, dtype=np.float64)
        if s.ndim != 1 or len(s) < 2:
            raise ParameterError("survivors must be a 1-d sequence of at least two counts (alive at t = 0, 1, ...).",
                                 parameter="survivors", value=survivors)
        if not np.all(np.isfinite(s)) or s.min() < 0:
            raise DataQualityError("survivors must be finite counts >= 0.", count=int((~np.isfinite(s) | (s < 0)).sum()))
        if np.any(np.diff(s) > 0):
            bad = np.nonzero(np.diff(s) > 0)[0] + 1
            raise DataQualityError(f"survivors must not increase (a cohort only loses customers); they rise at "
                                   f"t = {bad.tolist()[:5]}.", count=len(bad))
        if s[0] <= 0:
            raise DataQualityError("the cohort is empty (survivors[0] is 0).", count=1)
        return s

    @staticmethod
    def _loglik(log_params, s):
        a, b = np.exp(log_params)
        t = np.arange(1, len(s))
        lost = s[:-1] - s[1:]
        return float(np.sum(lost * _sbg_log_pmf(a, b, t)) + s[-1] * _sbg_log_survival(a, b, len(s) - 1))

    def fit(self, survivors):
        """Estimate ``alpha`` and ``beta`` by maximum likelihood from a cohort's survivor counts.

        Parameters
        ----------
        survivors : array-like
            Customers still alive at t = 0, 1, ..., n (non-increasing; the first entry is the cohort size).

        Returns
        -------
        self

        Raises
        ------
        DataQualityError
            Counts are negative, increasing, or the cohort is empty.
        ConvergenceError
            The optimiser failed from every starting point.
        """
        s = self._check_survivors(survivors)
        best = None
        for x0 in (np.zeros(2), np.array([0.0, 1.0]), np.array([1.0, 2.0])):
            res = optimize.minimize(lambda x: -self._loglik(x, s), x0, method="Nelder-Mead",
                                    options={"xatol": 1e-10, "fatol": self.tol, "maxiter": self.max_iter})
            res = optimize.minimize(lambda x: -self._loglik(x, s), res.x, method="BFGS",
                                    options={"gtol": 1e-9, "maxiter": self.max_iter})
            if np.isfinite(res.fun) and (best is None or res.fun < best.fun):
                best = res
        if best is None:
            raise ConvergenceError("sBG fit failed: the log-likelihood was not finite from any start. Check that "
                                   "the survivor counts are a cohort's customers alive at t = 0, 1, ...")
        x = best.x
        self.params_ = pd.Series(np.exp(x), index=list(self._param_names), name="coef")
        self.log_likelihood_ = -float(best.fun)
        self.survivors_ = s
        self.n_customers_ = int(round(s[0]))
        hess = self._hessian(x, s)
        try:
            cov_log = np.linalg.inv(-hess)
            jac = np.diag(np.exp(x))
            cov = jac @ cov_log @ jac
            se = np.sqrt(np.maximum(np.diag(cov), 0.0))
        except np.linalg.LinAlgError:
            se = np.full(2, np.nan)
        self.standard_errors_ = pd.Series(se, index=list(self._param_names), name="se")
        return self

    def _hessian(self, x, s, h=1e-4):
        f = lambda y: self._loglik(y, s)  # noqa: E731
        H = np.zeros((2, 2))
        for i in range(2):
            for j in range(2):
                ei = np.eye(2)[i] * h
                ej = np.eye(2)[j] * h
                H[i, j] = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (4 * h * h)
        return H

    @classmethod
    def from_params(cls, alpha, beta):
        """A model with known parameters (no data)."""
        if not (alpha > 0 and beta > 0 and math.isfinite(alpha) and math.isfinite(beta)):
            raise ParameterError(f"alpha and beta must be positive and finite, got {alpha}, {beta}.",
                                 parameter="alpha, beta", value=(alpha, beta))
        m = cls()
        m.params_ = pd.Series([float(alpha), float(beta)], index=list(cls._param_names), name="coef")
        m.standard_errors_ = pd.Series(np.nan, index=list(cls._param_names), name="se")
        m.log_likelihood_ = np.nan
        m.survivors_ = None
        m.n_customers_ = 0
        return m

    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError("This ShiftedBetaGeometric is not fitted yet: call fit(survivors) or from_params().")
        return self.params_["alpha"], self.params_["beta"]

    # -- predictions ------------------------------------------------------------------------------------
    def survival(self, t):
        """Share of the cohort still alive after ``t`` periods, S(t) (t = 0, 1, ...)."""
        a, b = self._check_fitted()
        return np.exp(_sbg_log_survival(a, b, np.asarray(t, dtype=np.float64)))

    def churn_probability(self, t):
        """P(T = t): probability that a new customer churns at the end of period t (t = 1, 2, ...)."""
        a, b = self._check_fitted()
        return np.exp(_sbg_log_pmf(a, b, np.asarray(t, dtype=np.float64)))

    def retention_rate(self, t):
        """Cohort retention rate in period t, r_t = S(t) / S(t - 1) = (beta + t - 1) / (alpha + beta + t - 1)."""
        a, b = self._check_fitted()
        t = np.asarray(t, dtype=np.float64)
        return (b + t - 1.0) / (a + b + t - 1.0)

    def expected_survivors(self, t, n0=None):
        """Expected customers alive at t out of ``n0`` (default the fitted cohort size)."""
        n0 = self.n_customers_ if n0 is None else n0
        return n0 * self.survival(t)

    def derl(self, discount_rate, renewals=0):
        """Discounted expected residual lifetime of a customer who has made ``renewals`` renewals.

        Evaluated just before the next renewal decision, in payments: the first future payment (at the
        next renewal, if it happens) is not discounted, each later one by a further period.

        Parameters
        ----------
        discount_rate : float
            Per-period discount rate d (> 0, or 0 with finite lifetime sum when alpha > 1).
        renewals : int or array-like, default 0
            Renewals made so far (n - 1 in the paper's notation: the customer has been a customer for
            ``renewals + 1`` periods).

        Returns
        -------
        float or ndarray
            :math:`\\frac{\\beta+n-1}{\\alpha+\\beta+n-1}\\, {}_2F_1(1, \\beta+n; \\alpha+\\beta+n; \\tfrac{1}{1+d})`
            (Fader & Hardie 2010, eq. 6). Multiply by the margin per period for residual value.
        """
        a, b = self._check_fitted()
        if discount_rate < 0:
            raise ParameterError(f"discount_rate must be >= 0, got {discount_rate}.",
                                 parameter="discount_rate", value=discount_rate)
        n = np.asarray(renewals, dtype=np.float64) + 1.0
        z = 1.0 / (1.0 + discount_rate)
        return (b + n - 1.0) / (a + b + n - 1.0) * special.hyp2f1(1.0, b + n, a + b + n, z)

    def discounted_expected_lifetime(self, discount_rate):
        """DEL of a just-acquired customer (payment at t = 0 included): 2F1(1, beta; alpha + beta; 1/(1+d))."""
        a, b = self._check_fitted()
        return float(special.hyp2f1(1.0, b, a + b, 1.0 / (1.0 + discount_rate)))

    def project(self, n_periods=None):
        """Observed and projected survival and retention per period, as a DataFrame.

        Parameters
        ----------
        n_periods : int, optional
            Last period to project (default: 2 x the fitted periods, at least 10).

        Returns
        -------
        pandas.DataFrame
            Index ``t`` = 0..n_periods; columns ``projected_survival``, ``projected_retention``,
            ``expected_survivors`` and, for fitted periods, ``observed_survival``, ``observed_retention``.
        """
        self._check_fitted()
        fitted = 0 if self.survivors_ is None else len(self.survivors_) - 1
        n_periods = max(2 * fitted, 10) if n_periods is None else int(n_periods)
        t = np.arange(n_periods + 1)
        out = pd.DataFrame({"projected_survival": self.survival(t)}, index=pd.Index(t, name="t"))
        out["projected_retention"] = np.where(t >= 1, self.retention_rate(np.maximum(t, 1)), np.nan)
        out["expected_survivors"] = self.expected_survivors(t) if self.n_customers_ else np.nan
        obs = np.full(len(t), np.nan)
        ret = np.full(len(t), np.nan)
        if self.survivors_ is not None:
            s = self.survivors_ / self.survivors_[0]
            k = min(len(s), len(t))
            obs[:k] = s[:k]
            with np.errstate(divide="ignore", invalid="ignore"):
                ret[1:k] = s[1:k] / s[: k - 1]
        out["observed_survival"] = obs
        out["observed_retention"] = ret
        return out

    @property
    def summary(self):
        """Parameter table: estimate and standard error."""
        self._check_fitted()
        return pd.DataFrame({"coef": self.params_, "se": self.standard_errors_})

    def __repr__(self):
        if not hasattr(self, "params_"):
            return tr("cohorts.repr.sbg_unfitted")
        a, b = self.params_
        fitted = "" if self.survivors_ is None else tr("cohorts.repr.sbg_fitted").format(
            n=f"{self.n_customers_:,}", k=len(self.survivors_) - 1)
        return tr("cohorts.repr.sbg").format(a=f"{a:.3f}", b=f"{b:.3f}", fitted=fitted)

    def _repr_html_(self):
        if not hasattr(self, "params_"):
            return f"<p>{html.escape(tr('cohorts.repr.sbg_unfitted_html'))}</p>"
        if _chinese():
            from .formatting import notebook_table_html

            return f"<p><b>{html.escape(repr(self))}</b></p>" + notebook_table_html(self.summary)
        return f"<p><b>{html.escape(repr(self))}</b></p>" + self.summary.to_html(float_format=lambda v: f"{v:.4g}")
