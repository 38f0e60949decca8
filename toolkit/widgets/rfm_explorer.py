"""RFM explorer: a state object (no ipywidgets) and a thin ipywidgets view.

The per-customer summary is computed once, when the tool is built. Every control change re-runs only
cheap public-API steps on that cached summary: :func:`toolkit.rfm.rfm_scores`,
:func:`toolkit.rfm.assign_segments`, :func:`toolkit.rfm.value_tiers` and
:func:`toolkit.rfm.segment_summary` (a few milliseconds for 10^4 customers), then redraws the R x F
heatmap (:func:`toolkit.plotting.rfm.plot_rf_heatmap`) and the tables.

Vocabulary: the R score ranks ``since_last`` (time since the last purchase, the marketing textbooks'
"recency"); the summary's ``recency`` column is the BTYD quantity and is not used here.

Examples
--------
In a notebook::

    from toolkit.widgets.rfm_explorer import rfm_explorer
    view = rfm_explorer(tx, segment_map="rf_grid", bins=5)
    view                                  # display it
    view.bins.value = 4                   # same as moving the slider
    view.model.scores                     # == toolkit.rfm.rfm_scores(summary, bins=4)
    view.key_numbers.value                # 'Champions: 123 customers (4.5%) | ...'

Headless (no ipywidgets needed)::

    state = RFMExplorerState(tx)
    state.update(bins=4, benchmark_mean=800.0)
    state.tiers["tier"].value_counts()
"""

from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from .. import customers as _customers
from .. import rfm
from ..errors import ParameterError, ToolkitError, UnknownNameError
from ..formatting import count, html_table, label, money, share, value_label
from ..i18n import localize, register, register_patterns, tr
from ._common import (
    LABEL_STYLE,
    FigureAndTables,
    labelled_options,
    SyncGuard,
    add_setting_properties,
    auto_button,
    figure_png,
    row,
    stylesheet,
    wire_controls,
    wrapping_label,
)

register({
    "widget.rfm.segment_map": {"en": "segment map", "zh": "细分规则表"},
    "widget.rfm.bins": {"en": "bins (scores 1..n)", "zh": "分档数（1..n 分）"},
    "widget.rfm.benchmark_mean": {"en": "benchmark mean", "zh": "基准均值"},
    "widget.rfm.frequency_col": {"en": "F score column", "zh": "F 分所用列"},
    "widget.rfm.monetary_col": {"en": "M score column", "zh": "M 分所用列"},
    "widget.rfm.heatmap_value": {"en": "heatmap shows", "zh": "热图显示"},
    "widget.rfm.count": {"en": "count", "zh": "客户数"},
    "widget.rfm.revenue": {"en": "revenue", "zh": "收入"},
    "widget.rfm.use_data_mean": {"en": "use the data's mean", "zh": "使用数据自身均值"},
    "widget.rfm.heatmap_title": {"en": "Customers by R and F score ({bins} bins)", "zh": "按 R 分和 F 分的客户数（{bins} 档）"},
    "widget.rfm.heatmap_title_revenue": {"en": "Revenue by R and F score ({bins} bins)",
                                         "zh": "按 R 分和 F 分的收入（{bins} 档）"},
    "widget.rfm.kn_group": {"en": "{label}: {n} customers ({share})", "zh": "{label}：{n} 位客户（{share}）"},
    "widget.rfm.kn_group_empty": {"en": "{label}: 0 customers", "zh": "{label}：0 位客户"},
    "widget.rfm.kn_high": {"en": "high value tier", "zh": "高价值层级"},
    "widget.rfm.kn_dormant": {"en": "dormant tier", "zh": "沉睡层级"},
    "widget.rfm.kn_benchmark": {"en": "benchmark mean {value}", "zh": "基准均值 {value}"},
    "widget.rfm.kn_total": {"en": "{n} customers", "zh": "共 {n} 位客户"},
})
# the state's messages (English in the state, tested there) as the Chinese view shows them
register_patterns("zh", [
    (r"segment map (?P<m>'[^']*') does not fit scores 1\.\.(?P<b>\d+): (?P<why>.+?) Choose bins=5 for the preset maps, "
     r"or pass your own map\.", lambda m: f"细分规则表“{value_label(m['m'].strip(chr(39)))}”不适用于 1..{m['b']} 分："
                                         f"{localize(m['why'])} 预设规则表请选 5 档，或传入自己的规则表。"),
    (r"segment map rule (?P<i>\d+) \((?P<seg>'[^']*')\): (?P<lo>\w+)=(?P<a>\d+), (?P<hi>\w+)=(?P<b>\d+) must satisfy "
     r"1 <= (?P=lo) <= (?P=hi) <= bins=(?P<n>\d+)\. The presets are written for scores 1\.\.5: score with bins=5 or "
     r"write a map for your number of bins\.",
     lambda m: f"第 {m['i']} 条规则（{value_label(m['seg'].strip(chr(39)))}）的 {m['lo'][0].upper()} 分范围 "
               f"{m['a']}..{m['b']} 须在 1..{m['n']} 之内。预设规则表按 1..5 分编写：请用 5 档评分，或按你的档数编写规则表。"),
    (r"the benchmark mean must be > 0 \(got (?P<v>[^)]*)\); kept the previous value",
     r"基准均值必须大于 0（输入为 \g<v>）；仍使用之前的值"),
    (r"bins must be an integer between 2 and 20, got (?P<v>.+)", r"分档数必须是 2 到 20 之间的整数，输入为 \g<v>"),
    (r"unknown segment map (?P<m>.+?); choose from (?P<c>.+)", r"未知的细分规则表 \g<m>；可选：\g<c>"),
    (r"the summary has no column (?P<a>'[^']*') or (?P<b>'[^']*')", r"客户汇总表中没有列 \g<a> 或 \g<b>"),
])

__all__ = ["RFMExplorerState", "rfm_explorer", "FREQUENCY_COLUMNS", "MONETARY_COLUMNS", "SETTINGS"]

#: Candidate columns for the F score, in menu order (only those present in the summary are offered).
FREQUENCY_COLUMNS = ("n_days", "n_orders", "frequency")
#: Candidate columns for the M score, in menu order.
MONETARY_COLUMNS = ("revenue", "monetary_value")
#: Settings the state understands (``update(**settings)``).
SETTINGS = ("segment_map", "bins", "benchmark_mean", "frequency_col", "monetary_col", "heatmap_value")

_WINDOW_DAYS = 365


class RFMExplorerState:
    """Settings and results of the RFM explorer; no widgets here, so it is testable headlessly.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log (the summary is built from it once) or a customer summary
        (``toolkit.customer_summary(tx)``).
    segment_map : str or pandas.DataFrame, default "rf_grid"
        Name of a map in ``segment_maps`` or a rule table (see :func:`toolkit.rfm.check_segment_map`).
    bins : int, default 5
        Scores per dimension (2..10 in the view). The preset maps are defined on 1..5 scores; with
        other bins they cannot be applied and :attr:`error` says so (scores and tiers still update).
    benchmark_mean : float, optional
        Benchmark mean annual spend for the value tiers; None = the data's own mean.
    frequency_col : str, default "n_days"
        Summary column behind the F score.
    monetary_col : str, default "revenue"
        Summary column behind the M score.
    heatmap_value : {"count", "revenue"}, default "count"
        What the heatmap shows per R x F cell.
    segment_maps : dict, optional
        Name -> rule table offered in the map menu; default :data:`toolkit.rfm.SEGMENT_MAPS`.
    observation_end, time_unit : optional
        Passed to :func:`toolkit.customer_summary` when ``data`` is a log.

    Attributes
    ----------
    summary : pandas.DataFrame
        The customer summary, computed once. For a log observed to its own end it also carries
        ``revenue_365d`` and ``n_days_365d`` (from one :func:`toolkit.rfm.value_tiers` call), so that
        tiers use the trailing-year window exactly as ``value_tiers(tx)`` does.
    scores : pandas.DataFrame
        :func:`toolkit.rfm.rfm_scores` of the current settings.
    segments : pandas.DataFrame or None
        :func:`toolkit.rfm.assign_segments` of ``scores`` (None when the map does not fit the bins).
    segment_table : pandas.DataFrame or None
        :func:`toolkit.rfm.segment_summary` of ``segments``.
    tiers : pandas.DataFrame
        :func:`toolkit.rfm.value_tiers` of the summary with the current benchmark mean.
    tier_table : pandas.DataFrame
        :func:`toolkit.rfm.segment_summary` by tier.
    data_mean : float
        The data's own mean annual spend (the default benchmark).
    warnings : list of str
        Warnings raised by the last recomputation (e.g. ties collapsing quantile bins).
    error : str
        Why the last change could not be applied in full ("" when everything applied).
    n_updates : int
        Number of recomputations (tests use it).
    """

    def __init__(self, data, *, segment_map="rf_grid", bins=5, benchmark_mean=None, frequency_col="n_days",
                 monetary_col="revenue", heatmap_value="count", segment_maps=None, observation_end=None,
                 time_unit=None):
        self.segment_maps = dict(rfm.SEGMENT_MAPS if segment_maps is None else segment_maps)
        self.summary = self._build_summary(data, observation_end, time_unit)
        self.settings = {"segment_map": "rf_grid", "bins": 5, "benchmark_mean": None, "frequency_col": "n_days",
                         "monetary_col": "revenue", "heatmap_value": "count"}
        self.segments = self.segment_table = None
        self.warnings, self.error, self.n_updates = [], "", 0
        self.data_mean = float(rfm.value_tiers(self.summary).attrs["benchmark_mean"])
        self.update(segment_map=segment_map, bins=bins, benchmark_mean=benchmark_mean,
                    frequency_col=frequency_col, monetary_col=monetary_col, heatmap_value=heatmap_value)
        if self.n_updates == 0:  # the initial settings were rejected
            raise ParameterError(f"RFMExplorerState: {self.error}")

    # -- heavy part: once ------------------------------------------------------------------------
    @staticmethod
    def _build_summary(data, observation_end, time_unit):
        if isinstance(data, pd.DataFrame):
            return data
        summary = _customers.customer_summary(data, observation_end=observation_end, time_unit=time_unit)
        same_end = observation_end is None or pd.Timestamp(observation_end) == data.observation_end
        if same_end:  # trailing-year window as value_tiers(tx) measures it (one extra pass, here only)
            window = rfm.value_tiers(data, time_unit=summary.attrs.get("time_unit"))
            summary = summary.assign(**{f"revenue_{_WINDOW_DAYS}d": window["annual_spend"],
                                        f"n_days_{_WINDOW_DAYS}d": window["purchases_per_year"]})
        return summary

    # -- settings ----------------------------------------------------------------------------------
    @property
    def frequency_columns(self) -> list:
        """F-score columns available in the summary."""
        return [c for c in FREQUENCY_COLUMNS if c in self.summary.columns]

    @property
    def monetary_columns(self) -> list:
        """M-score columns available in the summary."""
        return [c for c in MONETARY_COLUMNS if c in self.summary.columns]

    @property
    def map_table(self) -> pd.DataFrame:
        """The rule table of the current segment map."""
        m = self.settings["segment_map"]
        return self.segment_maps[m] if isinstance(m, str) else m

    @property
    def map_name(self) -> str:
        m = self.settings["segment_map"]
        return m if isinstance(m, str) else "custom map"

    def update(self, **changes):
        """Change settings (any of :data:`SETTINGS`) and recompute. Returns self.

        Invalid values (unknown map, bins out of range, benchmark <= 0) keep the previous settings and
        results and set :attr:`error`; a map that does not fit the bins keeps the new settings, updates
        scores and tiers, and sets :attr:`error` and ``segments = None``.
        """
        unknown = set(changes) - set(SETTINGS)
        if unknown:
            raise UnknownNameError(f"unknown RFM explorer setting(s) {sorted(unknown)}; choose from {list(SETTINGS)}")
        new = {**self.settings, **changes}
        problem = self._invalid(new)
        if problem:
            self.error = problem
            return self
        old, self.settings = self.settings, new
        if not self._recompute():
            self.settings = old
        return self

    def _invalid(self, s) -> str:
        if isinstance(s["segment_map"], str) and s["segment_map"] not in self.segment_maps:
            return f"unknown segment map {s['segment_map']!r}; choose from {sorted(self.segment_maps)}"
        if s["frequency_col"] not in self.summary.columns or s["monetary_col"] not in self.summary.columns:
            return f"the summary has no column {s['frequency_col']!r} or {s['monetary_col']!r}"
        b = s["bins"]
        if isinstance(b, bool) or not isinstance(b, (int, np.integer)) or not 2 <= b <= 20:
            return f"bins must be an integer between 2 and 20, got {b!r}"
        if s["heatmap_value"] not in ("count", "revenue"):
            return f'heatmap_value must be "count" or "revenue", got {s["heatmap_value"]!r}'
        b = s["benchmark_mean"]
        if b is not None and not float(b) > 0:
            return f"the benchmark mean must be > 0 (got {b}); kept the previous value"
        return ""

    # -- cheap part: every change -----------------------------------------------------------------
    def _recompute(self) -> bool:
        """Re-run the cheap API steps; False (results untouched) when scoring itself fails."""
        s = self.settings
        self.error = ""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                self.scores = rfm.rfm_scores(self.summary, bins=int(s["bins"]), frequency_col=s["frequency_col"],
                                             monetary_col=s["monetary_col"])
            except (ToolkitError, ValueError) as exc:  # e.g. missing values in the chosen column
                self.error = str(exc)
                return False
            try:
                self.segments = rfm.assign_segments(self.scores, self.map_table)
            except (ToolkitError, ValueError) as exc:
                self.segments = self.segment_table = None
                self.error = (f"segment map {self.map_name!r} does not fit scores 1..{s['bins']}: {exc} "
                              "Choose bins=5 for the preset maps, or pass your own map.")
            else:
                self.segment_table = rfm.segment_summary(self._with_revenue(self.segments),
                                                         frequency_col=s["frequency_col"],
                                                         monetary_col=s["monetary_col"])
            self.tiers = rfm.value_tiers(self.summary, benchmark_mean=s["benchmark_mean"])
            self.tier_table = rfm.segment_summary(self.summary, segment_col="tier", labels=self.tiers)
        self.warnings = [str(w.message) for w in caught]
        self.n_updates += 1
        return True

    # -- what the view shows ----------------------------------------------------------------------
    @property
    def benchmark(self) -> float:
        """The benchmark mean in use (the data mean when none was set)."""
        return float(self.tiers.attrs["benchmark_mean"])

    def _with_revenue(self, frame: pd.DataFrame) -> pd.DataFrame:
        """``frame`` plus the summary's ``revenue`` when the M score uses another column."""
        if "revenue" in frame.columns or "revenue" not in self.summary.columns:
            return frame
        out = frame.assign(revenue=self.summary["revenue"])
        out.attrs.update(frame.attrs)
        return out

    @property
    def heatmap_frame(self) -> pd.DataFrame:
        """Scores (with segments when available) plus ``revenue``, ready for ``plot_rf_heatmap``."""
        return self._with_revenue(self.segments if self.segments is not None else self.scores)

    def key_numbers(self) -> str:
        """One line of headline numbers, e.g. ``Champions: 335 customers (14.2%) | high value tier: ...``."""
        n = len(self.summary)
        groups = []
        if self.segments is not None:
            top = str(self.map_table["segment"].iloc[0])
            groups.append((value_label(top), int((self.segments["segment"] == top).sum())))
        counts = self.tiers["tier"].value_counts()
        for tier in ("high", "dormant"):
            groups.append((tr(f"widget.rfm.kn_{tier}"), int(counts.get(tier, 0))))
        parts = [tr("widget.rfm.kn_group").format(label=name, n=count(k), share=share(k / n)) if n
                 else tr("widget.rfm.kn_group_empty").format(label=name) for name, k in groups]
        parts.append(tr("widget.rfm.kn_benchmark").format(value=money(self.benchmark, decimals=2)))
        parts.append(tr("widget.rfm.kn_total").format(n=count(n)))
        return " | ".join(parts)

    def message(self) -> str:
        """Error and warnings of the last change, as one HTML snippet ("" when all is well)."""
        lines = []
        if self.error:
            lines.append(f"<span style='color:#b71c1c'>⚠ {html.escape(localize(self.error))}</span>")
        lines += [f"<span style='color:#8a6d00'>ⓘ {html.escape(localize(w))}</span>" for w in self.warnings]
        return "<br>".join(lines)


add_setting_properties(RFMExplorerState, SETTINGS)


def _heatmap_png(state) -> bytes:
    """The R x F heatmap of the current state as PNG bytes.

    The figure is a plain ``matplotlib.figure.Figure``: it never enters pyplot's figure registry, so
    nothing leaks between redraws and the inline backend does not show it a second time under the
    cell. The drawing is ``toolkit.plotting.rfm.rf_heatmap_figure``.
    """
    from ..plotting import rfm as rfm_plots

    value = state.heatmap_value
    title = tr("widget.rfm.heatmap_title" if value == "count" else "widget.rfm.heatmap_title_revenue").format(
        bins=state.bins)
    fig = rfm_plots.rf_heatmap_figure(state.heatmap_frame, value=value, title=title)
    return figure_png(fig, dpi=90)


def _draw(state, output, plots):
    """Redraw the heatmap and the tables into ``output`` (a :class:`FigureAndTables`)."""
    # the report's formatter: counts with separators, shares as %, money without e+; cells wrap
    tables = html_table(state.segment_table) if state.segment_table is not None else ""
    output.show(_heatmap_png(state) if plots else None, tables + html_table(state.tier_table))


def rfm_explorer(data, *, plots=True, segment_maps=None, observation_end=None, time_unit=None, **initial):
    """Build (not display) the RFM explorer.

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log or a customer summary; the summary is computed here, once.
    plots : bool, default True
        Draw the R x F heatmap; False shows the tables only.
    segment_maps : dict, optional
        Name -> rule table for the map menu; default :data:`toolkit.rfm.SEGMENT_MAPS`.
    observation_end, time_unit : optional
        Passed to :func:`toolkit.customer_summary`.
    **initial
        Initial settings: ``segment_map``, ``bins``, ``benchmark_mean``, ``frequency_col``,
        ``monetary_col``, ``heatmap_value`` (see :class:`RFMExplorerState`).

    Returns
    -------
    ipywidgets.VBox
        With attributes ``model`` (:class:`RFMExplorerState`), the controls ``segment_map`` (Dropdown),
        ``bins`` (IntSlider), ``benchmark_mean`` (FloatText), ``use_data_mean`` (Button),
        ``frequency_col`` and ``monetary_col`` (Dropdowns), ``heatmap_value`` (ToggleButtons), and
        ``key_numbers`` (Label), ``message`` (HTML), ``output`` (Output), ``n_redraws`` (int).
        CSS classes ``cvt-rfm-<name>`` (e.g. ``cvt-rfm-bins``, ``cvt-rfm-output``) are stable hooks for
        browser tests.
    """
    import ipywidgets as ipw

    unknown = set(initial) - set(SETTINGS)
    if unknown:
        raise TypeError(f"rfm_explorer got unknown setting(s) {sorted(unknown)}; choose from {list(SETTINGS)}")
    state = RFMExplorerState(data, segment_maps=segment_maps, observation_end=observation_end,
                             time_unit=time_unit, **initial)
    style = LABEL_STYLE
    map_options = list(state.segment_maps)
    if not isinstance(state.segment_map, str):
        state.segment_maps["custom map"] = state.segment_map
        state.settings["segment_map"] = "custom map"
        map_options.append("custom map")
    controls = {
        "segment_map": ipw.Dropdown(options=labelled_options(map_options, value_label), value=state.segment_map, description=tr("widget.rfm.segment_map"),
                                    style=style),
        "bins": ipw.IntSlider(value=state.bins, min=2, max=10, step=1, description=tr("widget.rfm.bins"),
                              continuous_update=False, style=style),
        "benchmark_mean": ipw.FloatText(value=round(state.benchmark, 2), description=tr("widget.rfm.benchmark_mean"),
                                        step=10.0, style=style),
        "frequency_col": ipw.Dropdown(options=labelled_options(state.frequency_columns, label),
                                      value=state.frequency_col,
                                      description=tr("widget.rfm.frequency_col"), style=style),
        "monetary_col": ipw.Dropdown(options=labelled_options(state.monetary_columns, label),
                                     value=state.monetary_col,
                                     description=tr("widget.rfm.monetary_col"), style=style),
        "heatmap_value": ipw.ToggleButtons(options=[(tr("widget.rfm.count"), "count"),
                                                    (tr("widget.rfm.revenue"), "revenue")],
                                           value=state.heatmap_value, description=tr("widget.rfm.heatmap_value"),
                                           style={**style, "button_width": "auto"}),
    }
    use_data_mean = auto_button(ipw, tr("widget.rfm.use_data_mean"), icon="undo")
    key_numbers = wrapping_label(ipw, state.key_numbers())  # a long line: wraps, never cut at "| 2,00"
    message = ipw.HTML(value=state.message())
    drawing = FigureAndTables(ipw)
    output = drawing.box
    box = ipw.VBox()
    box.n_redraws = 0
    syncing = SyncGuard()

    def redraw():
        box.n_redraws += 1
        key_numbers.value = key_numbers.tooltip = state.key_numbers()
        message.value = state.message()
        _draw(state, drawing, plots)

    def set_benchmark_control(value):
        with syncing:
            controls["benchmark_mean"].value = round(value, 2)

    def on_change(change):
        if syncing.on:
            return
        name = change["owner"]._cvt_name
        state.update(**{name: change["new"]})
        if name == "benchmark_mean" and state.error:  # rejected: show the value still in use
            set_benchmark_control(state.benchmark)
        redraw()

    def on_use_data_mean(_):
        state.update(benchmark_mean=None)
        set_benchmark_control(state.benchmark)
        redraw()

    wire_controls(controls, "rfm", on_change, attach_to=box)
    use_data_mean.on_click(on_use_data_mean)
    for widget, css in ((use_data_mean, "use-data-mean"), (key_numbers, "key-numbers"), (message, "message"),
                        (output, "output"), (box, "explorer")):
        widget.add_class(f"cvt-rfm-{css}")
    rows = [
        row(ipw, [controls["segment_map"], controls["bins"]]),
        row(ipw, [controls["frequency_col"], controls["monetary_col"]]),
        row(ipw, [controls["benchmark_mean"], use_data_mean]),
        controls["heatmap_value"],
    ]
    box.children = [stylesheet(ipw), *rows, key_numbers, message, output]
    box.model = state
    box.controls = controls
    box.use_data_mean = use_data_mean
    box.key_numbers = key_numbers
    box.message = message
    box.output = output
    redraw()
    return box
