"""Cohort explorer: a state object (no ipywidgets) and a thin ipywidgets view.

The state calls only the public :mod:`toolkit.cohorts` API on the cached ``Transactions`` (its CustomerArrays
are built once). Changing the period, the split or the date range re-runs one kernel pass
(:func:`toolkit.cohorts.cohort_counts`); changing the metric or absolute/share only re-slices the cached counts.

Examples
--------
In a notebook::

    from toolkit.widgets.cohort_explorer import cohort_explorer
    w = cohort_explorer(tx, attributes={"channel": customers.set_index("customer_id")["channel"]})
    w                                   # display
    w.controls["period"].value = "W"
    w.state.matrix                      # the matrix on screen
"""

from __future__ import annotations

from collections import OrderedDict

import pandas as pd

from .. import cohorts
from ..errors import ParameterError, UnknownNameError
from ..formatting import category_label, value_label
from ..i18n import register, tr
from ._common import (
    attribute_label,
    labelled_options,
    LABEL_STYLE,
    SyncGuard,
    explorer_outputs,
    figure_png,
    row,
    stylesheet,
    wire_controls,
)

register({
    "widget.cohort.period": {"en": "period", "zh": "周期"},
    "widget.cohort.measure": {"en": "measure", "zh": "指标"},
    "widget.cohort.show": {"en": "show", "zh": "显示"},
    "widget.cohort.share": {"en": "share / per customer", "zh": "比例 / 人均"},
    "widget.cohort.absolute": {"en": "absolute", "zh": "绝对值"},
    "widget.cohort.split": {"en": "split by", "zh": "拆分依据"},
    "widget.cohort.none": {"en": "(none)", "zh": "（不拆分）"},
    "widget.cohort.group": {"en": "heatmap of", "zh": "热图分组"},
    "widget.cohort.cohorts": {"en": "cohorts", "zh": "同期群"},
    "widget.cohort.days": {"en": "days", "zh": "天"},
    "widget.cohort.weeks": {"en": "ISO weeks", "zh": "ISO 周"},
    "widget.cohort.months": {"en": "months", "zh": "月"},
    "widget.cohort.quarters": {"en": "quarters", "zh": "季度"},
    "widget.cohort.message": {
        "en": "<b>{metric}</b> — {customers} customers in {cohorts} cohorts; blank cells are not yet fully observed "
              "(observation end {end})",
        "zh": "<b>{metric}</b> — {customers} 位客户，{cohorts} 个同期群；空白单元格尚未完整观测（观测截止 {end}）"},
    "widget.cohort.mean_curve": {"en": "cohort-size-weighted mean", "zh": "按同期群规模加权的平均值"},
    "widget.cohort.by_group": {"en": " by group", "zh": "（分组）"},
    "widget.cohort.logrank": {
        "en": "<b>Survival by {split}</b> (churn = no purchase for {window} days): {sentence}",
        "zh": "<b>按{split}的客户生存</b>（{window} 天未购买即流失）：log-rank 卡方 {statistic}，自由度 {df}，"
              "{p}（{verdict}）"},
    "widget.cohort.logrank_differs": {"en": "survival differs", "zh": "生存差异显著"},
    "widget.cohort.logrank_same": {"en": "no evidence of a difference", "zh": "无显著差异"},
    "widget.cohort.group_title": {"en": "{split} = {group}: {title}", "zh": "{split} = {group}：{title}"},
    # the measures menu (MEASURES) and the metric each shows (toolkit.cohorts.METRICS, English there)
    "widget.cohort.measure.customers": {"en": "customers", "zh": "客户"},
    "widget.cohort.measure.orders": {"en": "orders", "zh": "订单"},
    "widget.cohort.measure.revenue": {"en": "revenue", "zh": "收入"},
    "widget.cohort.measure.cumulative revenue": {"en": "cumulative revenue", "zh": "累计收入"},
    "widget.cohort.measure.net revenue retention": {"en": "net revenue retention", "zh": "净收入留存率"},
    "widget.cohort.measure.gross revenue retention": {"en": "gross revenue retention", "zh": "毛收入留存率"},
})
register({f"widget.cohort.metric.{key}": {"en": en, "zh": zh} for key, en, zh in [
    (key, cohorts.METRICS[key], zh) for key, zh in {
        "active": "该期有购买的同期群客户数（人数）",
        "retention": "该期有购买的同期群客户占比（活跃人数 / 同期群规模）",
        "orders": "该期的订单数（没有订单号时按行计）",
        "orders_per_customer": "该期每位原始同期群客户的订单数",
        "revenue": "该期的收入",
        "revenue_per_customer": "该期每位原始同期群客户的收入",
        "cumulative_revenue": "第 0 期到第 k 期的累计收入",
        "cumulative_revenue_per_customer": "第 0 期到第 k 期每位原始客户的累计收入（已实现的 CLV 曲线）",
        "net_revenue_retention": "第 k 期收入 / 第 0 期收入（含扩张收入）",
        "gross_revenue_retention": "各客户第 k 期与第 0 期收入中较小者之和 / 第 0 期收入",
    }.items()]})

__all__ = ["MEASURES", "CohortExplorerState", "cohort_explorer"]

#: Measure -> (metric shown as share / per customer, metric shown as absolute).
MEASURES = {
    "customers": ("retention", "active"),
    "orders": ("orders_per_customer", "orders"),
    "revenue": ("revenue_per_customer", "revenue"),
    "cumulative revenue": ("cumulative_revenue_per_customer", "cumulative_revenue"),
    "net revenue retention": ("net_revenue_retention", "net_revenue_retention"),
    "gross revenue retention": ("gross_revenue_retention", "gross_revenue_retention"),
}
PERIOD_OPTIONS = [("days", "D"), ("ISO weeks", "W"), ("months", "M"), ("quarters", "Q")]
#: Inactivity window (days) of the survival comparison shown with a split.
SURVIVAL_WINDOW = 90
#: At most this many periods since acquisition are shown per period type (keeps redraws fast).
MAX_PERIODS = {"D": 120, "W": 104, "M": None, "Q": None}


class CohortExplorerState:
    """Inputs and results of the cohort explorer (no widgets: testable headlessly).

    Parameters
    ----------
    tx : toolkit.Transactions
        Built once; every recomputation reuses its arrays.
    attributes : dict[str, pandas.Series], optional
        Customer attributes to split by (Series indexed by ``customer_id``).
    period : {"D", "W", "M", "Q"}, default "M"
    measure : str, default "customers"
        A key of :data:`MEASURES`.
    absolute : bool, default False
        Absolute numbers instead of shares of the cohort / per cohort customer.
    split : str or None
        Name of the attribute to split by.
    cohort_range : (date-like, date-like) or None
    cache_size : int, default 8
        Kernel results kept (period x split x range).

    Attributes
    ----------
    counts : toolkit.cohorts.CohortCounts
    matrix : pandas.DataFrame
        The matrix on screen (all groups).
    curves : pandas.DataFrame
        Cohort-size-weighted mean curve per group.
    logrank : toolkit.cohorts.LogrankResult or None
        With a split: the log-rank test that the groups' Kaplan-Meier survival differs (churn = no purchase
        for :data:`SURVIVAL_WINDOW` days; customers of the selected cohorts). None without a split or when
        there are not two groups to compare.
    n_computes : int
        Kernel passes so far (cache misses).
    n_updates : int
        Recomputations of the displayed result.
    """

    def __init__(self, tx, attributes=None, *, period="M", measure="customers", absolute=False, split=None,
                 cohort_range=None, cache_size=8):
        self.tx = tx
        self.attributes = dict(attributes or {})
        self.period = period
        self.measure = measure
        self.absolute = absolute
        self.split = split
        self.group = None
        self.cohort_range = cohort_range
        self.cache_size = cache_size
        self._cache = OrderedDict()
        self._logrank_cache = {}
        self.n_computes = 0
        self.n_updates = 0
        self._check()
        self._recompute()

    def _check(self):
        if self.measure not in MEASURES:
            raise UnknownNameError(f"unknown measure {self.measure!r}; choose from {list(MEASURES)}")
        if self.period not in cohorts.PERIODS:
            raise ParameterError(f"period must be one of {list(cohorts.PERIODS)}, got {self.period!r}",
                                 parameter="period", value=self.period)
        if self.split is not None and self.split not in self.attributes:
            raise UnknownNameError(f"unknown split {self.split!r}; choose from {list(self.attributes)}")

    @property
    def metric(self) -> str:
        """The :data:`toolkit.cohorts.METRICS` name shown."""
        return MEASURES[self.measure][1 if self.absolute else 0]

    @property
    def groups(self) -> list:
        """Groups of the current split (empty without a split)."""
        if self.split is None:
            return []
        return list(self.matrix.index.get_level_values(0).unique())

    def update(self, **changes):
        """Change any of ``period, measure, absolute, split, group, cohort_range`` and recompute."""
        for k, v in changes.items():
            if k not in ("period", "measure", "absolute", "split", "group", "cohort_range"):
                raise UnknownNameError(f"unknown control {k!r}")
            setattr(self, k, v)
        self._check()
        return self._recompute()

    def _counts(self):
        key = (self.period, self.split, self.cohort_range)
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        by = None if self.split is None else self.attributes[self.split]
        counts = cohorts.cohort_counts(self.tx, period=self.period, by=by, cohort_range=self.cohort_range,
                                       max_periods=MAX_PERIODS[self.period])
        self.n_computes += 1
        self._cache[key] = counts
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)
        return counts

    def _recompute(self):
        self.n_updates += 1
        self.counts = self._counts()
        self.matrix = self.counts.matrix(self.metric)
        self.curves = cohorts.average_curve(self.matrix)
        if self.split is not None:
            groups = self.groups
            if self.group not in groups:
                self.group = groups[0] if groups else None
        else:
            self.group = None
        self.logrank = self._logrank()
        return self.matrix

    def _logrank(self):
        if self.split is None:
            return None
        key = (self.split, self.cohort_range)
        if key not in self._logrank_cache:
            d = cohorts.lapse_durations(self.tx, window=SURVIVAL_WINDOW, by=self.attributes[self.split])
            d.attrs["group_name"] = self.split
            if self.cohort_range is not None:
                arr = self.tx.arrays
                first = pd.Series(arr.origin + pd.to_timedelta(arr.day[arr.offsets[:-1]], unit="D"),
                                  index=arr.customer_id).reindex(d.index)
                lo, hi = (pd.Timestamp(v) if v is not None else None for v in self.cohort_range)
                d = d[((first >= lo) if lo is not None else True) & ((first <= hi) if hi is not None else True)]
            try:
                self._logrank_cache[key] = cohorts.logrank_test(d)
            except ValueError:  # fewer than two groups, or nothing to compare (DataQualityError is a ValueError)
                self._logrank_cache[key] = None
        return self._logrank_cache[key]

    def heatmap_matrix(self):
        """The matrix of the selected group (or the whole matrix without a split)."""
        if self.split is None or self.group is None:
            return self.matrix
        return cohorts.select_group(self.matrix, self.group)


def _month_options(tx):
    first = tx.arrays.origin.to_period("M")
    last = tx.observation_end.to_period("M")
    return [str(p) for p in pd.period_range(first, last, freq="M")]


def cohort_explorer(tx, attributes=None, *, period="M", measure="customers", split=None, plots=True):
    """Build (not display) the cohort explorer.

    Parameters
    ----------
    tx : toolkit.Transactions
    attributes : dict[str, pandas.Series], optional
        Attributes offered in "split by" (Series indexed by ``customer_id``).
    period, measure, split :
        Initial control values (see :class:`CohortExplorerState`).
    plots : bool, default True
        Draw the heatmap and the curves as a PNG image (False: the matrix as an HTML table only).

    Returns
    -------
    ipywidgets.VBox
        CSS class ``cvt-cohort-explorer``, with attributes ``state`` (:class:`CohortExplorerState`),
        ``controls`` (dict: ``period``, ``measure``, ``absolute``, ``split``, ``group``, ``cohort_range``),
        ``image`` (Image: the figure as PNG), ``table`` (HTML, when ``plots=False``), ``message`` (HTML), ``figure``
        (the last matplotlib figure drawn) and ``n_redraws``. Controls carry CSS classes
        ``cvt-cohort-<name>``.
    """
    import ipywidgets as ipw

    state = CohortExplorerState(tx, attributes, period=period, measure=measure, split=split)
    months = _month_options(tx)
    controls = {
        "period": ipw.Dropdown(options=[(tr(f"widget.cohort.{key}"), code) for key, code in
                                        zip(("days", "weeks", "months", "quarters"), ("D", "W", "M", "Q"))],
                               value=state.period, description=tr("widget.cohort.period"), style=LABEL_STYLE),
        "measure": ipw.Dropdown(options=labelled_options(MEASURES, lambda k: tr(f"widget.cohort.measure.{k}", k)),
                                value=state.measure, description=tr("widget.cohort.measure"),
                                style=LABEL_STYLE),
        "absolute": ipw.ToggleButtons(options=[(tr("widget.cohort.share"), False), (tr("widget.cohort.absolute"), True)],
                                      value=state.absolute, description=tr("widget.cohort.show"),
                                      style={**LABEL_STYLE, "button_width": "auto"}),
        "split": ipw.Dropdown(options=[(tr("widget.cohort.none"), None)] + [(attribute_label(k), k)
                                                                            for k in state.attributes],
                              value=state.split, description=tr("widget.cohort.split"), style=LABEL_STYLE),
        "group": ipw.Dropdown(options=labelled_options(state.groups, value_label), value=state.group, description=tr("widget.cohort.group"),
                              disabled=state.split is None, style=LABEL_STYLE),
        "cohort_range": ipw.SelectionRangeSlider(options=months, index=(0, len(months) - 1),
                                                 description=tr("widget.cohort.cohorts"), continuous_update=False,
                                                 style=LABEL_STYLE, layout=ipw.Layout(width="620px", max_width="100%")),
    }
    message, image, table, box = explorer_outputs(ipw, "cohort", "cvt-cohort-explorer")
    syncing = SyncGuard()

    def redraw():
        box.n_redraws += 1
        m = state.matrix
        size = cohorts.cohort_sizes(m)
        message.value = tr("widget.cohort.message").format(
            metric=tr(f"widget.cohort.metric.{state.metric}", cohorts.METRICS[state.metric]), customers=f"{int(size.sum()):,}", cohorts=f"{(size > 0).sum():,}",
            end=f"{state.counts.observation_end:%Y-%m-%d}")
        if state.logrank is not None:
            lr = state.logrank
            message.value += "<br>" + tr("widget.cohort.logrank").format(
                split=attribute_label(state.split), window=SURVIVAL_WINDOW, sentence=lr.sentence, statistic=f"{lr.statistic:.3g}",
                df=lr.df, p="p < 0.001" if lr.p_value < 0.001 else f"p = {lr.p_value:.3f}",
                verdict=tr("widget.cohort.logrank_differs" if lr.significant else "widget.cohort.logrank_same"))
        if not plots:
            table.value = ("<div style='max-width:100%;overflow-x:auto'>"
                           + state.heatmap_matrix().round(3).to_html(max_cols=40, na_rep="") + "</div>")
            return
        from ..plotting.cohorts import cohort_dashboard

        title = tr(f"widget.cohort.metric.{state.metric}", cohorts.METRICS[state.metric]).split(" (")[0].split("（")[0]
        if state.group is not None:
            title = tr("widget.cohort.group_title").format(split=attribute_label(state.split),
                                                           group=category_label(state.group), title=title)
        fig = cohort_dashboard(state.heatmap_matrix(), state.curves, heatmap_title=title,
                               curves_title=tr("widget.cohort.mean_curve")
                               + (tr("widget.cohort.by_group") if state.split else ""))
        image.value = figure_png(fig)
        box.figure = fig

    def sync_groups():
        with syncing:
            controls["group"].options = labelled_options(state.groups, value_label)
            controls["group"].value = state.group
            controls["group"].disabled = state.split is None

    def on_change(change):
        if syncing.on:
            return
        name = change["owner"]._cvt_name
        value = change["new"]
        if name == "cohort_range":
            lo, hi = value
            value = (pd.Period(lo, "M").start_time, pd.Period(hi, "M").end_time.normalize())
            if value[0] <= tx.arrays.origin and value[1] >= tx.observation_end:
                value = None
        state.update(**{name: value})
        if name == "split":
            sync_groups()
        redraw()

    wire_controls(controls, "cohort", on_change)
    box.children = [
        stylesheet(ipw),
        row(ipw, [controls["period"], controls["measure"], controls["absolute"]]),
        row(ipw, [controls["split"], controls["group"]]),
        controls["cohort_range"], message, image if plots else table,
    ]
    box.state = state
    box.controls = controls
    box.image = image
    box.table = table
    box.message = message
    redraw()
    return box
