"""CLV scenario sliders: a state object (no ipywidgets) and a thin ipywidgets view.

The state calls only the public :mod:`toolkit.clv` API. Each slider change re-runs closed-form kernels:
one customer for the waterfall, 16 vectorised evaluations for the tornado and, in per-segment mode,
the cached :class:`toolkit.clv.Portfolio` arrays (about 10 ms for 1e6 customers).

Examples
--------
In a notebook::

    from toolkit.widgets.clv_scenario import clv_scenario_widget
    w = clv_scenario_widget()
    w                           # display
    w.controls["retention"].value = 0.9
    w.state.result.total
"""

from __future__ import annotations

import html
import math

from .. import clv
from ..errors import UnknownNameError
from ..formatting import count, label, money, share, value_label
from ..i18n import get_language, localize, register, tr
from ._common import (
    labelled_options,
    LABEL_STYLE,
    SyncGuard,
    auto_button,
    figure_png,
    row,
    stylesheet,
    wire_controls,
)

__all__ = ["SLIDERS", "PORTFOLIO_SLIDERS", "CLVScenarioState", "clv_scenario_widget"]

#: Slider specification: parameter -> (label, min, max, step, readout format).
SLIDERS = {
    "annual_revenue": ("purchase value / year", 0.0, 10000.0, 100.0, ",.0f"),
    "margin": ("gross margin", 0.0, 1.0, 0.01, ".0%"),
    "years_as_customer": ("years as customer", 0.0, 20.0, 1.0, ".0f"),
    "retention": ("retention rate", 0.0, 0.99, 0.01, ".0%"),
    "discount_rate": ("discount rate", 0.0, 0.30, 0.005, ".1%"),
    "horizon": ("horizon (years)", 1, 30, 1, "d"),
    "revenue_growth": ("revenue change / year", -0.2, 0.3, 0.01, "+.0%"),
    "retention_cost": ("maintenance cost / year", 0.0, 1000.0, 10.0, ",.0f"),
    "upsell_revenue": ("up-sell plan / year", 0.0, 10000.0, 100.0, ",.0f"),
    "upsell_probability": ("up-sell success", 0.0, 1.0, 0.01, ".0%"),
    "referrals_per_year": ("referrals / year", 0.0, 3.0, 0.1, ".1f"),
    "referral_cost": ("referral cost", 0.0, 2000.0, 50.0, ",.0f"),
    "data_value": ("data value / year", 0.0, 1000.0, 10.0, ",.0f"),
    "cac": ("acquisition cost (CAC)", 0.0, 5000.0, 50.0, ",.0f"),
}

#: Portfolio (per-segment) controls: parameter -> (label, min, max, step, format).
PORTFOLIO_SLIDERS = {
    "retention_delta": ("retention change (pts)", -0.2, 0.2, 0.01, "+.0%"),
    "price_change": ("price change", -0.3, 0.3, 0.01, "+.0%"),
    "cost_change": ("maintenance cost change", -200.0, 500.0, 10.0, "+,.0f"),
}

_DEFAULT_CAC = 1200.0

_ZH = {
    "annual_revenue": "每年购买额", "margin": "毛利率", "years_as_customer": "已成为客户年数", "retention": "保留率",
    "discount_rate": "折现率", "horizon": "时间跨度（年）", "revenue_growth": "每年收入变化",
    "retention_cost": "每年维系成本", "upsell_revenue": "增购方案 / 年", "upsell_probability": "增购成功率",
    "referrals_per_year": "每年推荐人数", "referral_cost": "推荐成本", "data_value": "每年数据价值",
    "cac": "获客成本（CAC）", "retention_delta": "保留率变化（百分点）", "price_change": "价格变化",
    "cost_change": "维系成本变化",
}
register({f"widget.clv.{name}": {"en": spec[0], "zh": _ZH[name]} for name, spec in {**SLIDERS, **PORTFOLIO_SLIDERS}.items()})
register({
    "widget.clv.economics": {
        "en": "CLV:CAC = {ratio}:1 ({state}), payback {payback} months; CLV {clv}, CAC {cac}",
        "zh": "CLV:CAC = {ratio}:1（{state}），回收期 {payback} 个月；CLV {clv}，CAC {cac}"},
    "widget.clv.healthy": {"en": "healthy", "zh": "健康"},
    "widget.clv.below_line": {"en": "below the {ratio}:1 line", "zh": "低于 {ratio}:1 健康线"},
    "widget.clv.portfolio_line": {
        "en": "segment {segment} ({n} customers): total current value {base} → {scenario} ({delta})",
        "zh": "细分群体“{segment}”（{n} 位客户）：当前价值合计 {base} → {scenario}（{delta}）"},
    "widget.clv.auto_horizon": {"en": "horizon = expected lifetime 1/(1-r)", "zh": "时间跨度 = 期望生命周期 1/(1-r)"},
    "widget.clv.reset": {"en": "reset to textbook example", "zh": "恢复教材示例"},
    "widget.clv.segment": {"en": "segment", "zh": "细分群体"},
    "widget.clv.per_segment": {"en": "Per-segment scenario on the customer base", "zh": "客户群的分群情景"},
    "widget.clv.headline": {
        "en": "<b>CLV {total}</b> = historical {historical} + current {current} + potential {potential} "
              "(horizon {horizon} years)",
        "zh": "<b>CLV {total}</b> = 历史价值 {historical} + 当前价值 {current} + 潜在价值 {potential}"
              "（时间跨度 {horizon} 年）"},
    "widget.clv.negative_potential": {
        "en": "Potential value is negative ({potential}) because the referral programme costs more than it brings: "
              "{k} referrals a year × {ref_value} per referred customer = {gain}, minus the programme's cost "
              "{cost}, gives referral {referral} (up-sell adds {upsell}, data {data}). A referred customer is valued "
              "like this customer's current value, which shrinks as retention falls ({retention} now). At this "
              "retention the referral programme loses money: lower its cost or raise retention before running it.",
        "zh": "潜在价值为负（{potential}），因为推荐计划的成本高于它带来的价值：每年 {k} 位被推荐客户 × 每位 {ref_value} "
              "= {gain}，减去计划成本 {cost}，推荐价值为 {referral}（增购价值 {upsell}，数据价值 {data}）。被推荐客户按"
              "该客户的当前价值计算，保留率越低当前价值越小（现为 {retention}）。在这一保留率下推荐计划是亏损的："
              "先降低其成本或提高保留率，再开展推荐。"},
    "widget.clv.negative_current": {
        "en": "Current value is negative ({current}) because keeping this customer costs more than she brings: the "
              "maintenance cost of {cost} a year exceeds the margin expected from her at {retention} retention "
              "({margin} a year if she stays). Lower the maintenance cost or raise retention.",
        "zh": "当前价值为负（{current}），因为维系该客户的成本高于她带来的价值：每年维系成本 {cost} 超过了在 {retention} "
              "保留率下预期从她获得的毛利（若她留下，每年 {margin}）。请降低维系成本或提高保留率。"},
})


def _economics_line(econ) -> str:
    """The CLV:CAC line under the headline: ``repr(UnitEconomics)`` without its class name, in the language."""
    if get_language() == "en":
        return repr(econ).replace("UnitEconomics(", "").rstrip(")")
    state = (tr("widget.clv.healthy") if econ.healthy
             else tr("widget.clv.below_line").format(ratio=f"{econ.health_ratio:g}"))
    return tr("widget.clv.economics").format(ratio=f"{econ.ratio:.2f}", state=state,
                                             payback=f"{econ.payback_months:.1f}", clv=money(econ.clv, decimals=1),
                                             cac=money(econ.cac, decimals=1))


class CLVScenarioState:
    """Inputs and results of the CLV scenario tool (no widgets here: testable headlessly).

    Parameters
    ----------
    params : dict, optional
        Parameters of :func:`toolkit.clv.course_clv`; default the textbook example.
    cac : float, default 1200
        Acquisition cost for the CLV:CAC gauge.
    portfolio : toolkit.clv.Portfolio, optional
        A customer base prepared once, for the per-segment mode.
    pct : float, default 0.1
        Tornado step.

    Attributes
    ----------
    params : dict
    result : toolkit.clv.CLVResult
        Last valid result.
    error : str
        Message of the last rejected combination ("" when the current inputs are valid).
    sensitivity : toolkit.clv.SensitivityResult
    economics : toolkit.clv.UnitEconomics
    portfolio_result : toolkit.clv.PortfolioResult or None
    n_updates : int
        How many recomputations have happened (tests use it).
    """

    def __init__(self, params=None, *, cac=_DEFAULT_CAC, portfolio=None, pct=0.1):
        self._defaults = dict(clv.TEXTBOOK if params is None else params)
        self._default_cac = float(cac)
        self.pct = pct
        self.portfolio = portfolio
        self.segment = None if portfolio is None or portfolio.group is None else portfolio.groups[0]
        self.scenario = {"retention_delta": 0.0, "price_change": 0.0, "cost_change": 0.0}
        self.portfolio_result = None
        self.n_updates = 0
        self.error = ""
        self.reset()

    # -- inputs -------------------------------------------------------------------------------
    def reset(self):
        """Back to the initial parameters (the textbook example by default); returns the result."""
        self.params = dict(self._defaults)
        self.cac = self._default_cac
        self.scenario = {"retention_delta": 0.0, "price_change": 0.0, "cost_change": 0.0}
        return self._recompute()

    def update(self, **changes):
        """Change parameters (any of :data:`SLIDERS`, ``horizon=None`` for the expected lifetime) and recompute.

        Invalid combinations keep the previous result and set :attr:`error` instead of raising. Values that
        are no number at all (NaN, inf, text) or a negative CAC are refused before anything changes.
        """
        portfolio_only = bool(changes) and all(k in PORTFOLIO_SLIDERS or k == "segment" for k in changes)
        for k in changes:
            if not (k == "cac" or k in PORTFOLIO_SLIDERS or k == "segment" or k in SLIDERS or k in clv.TEXTBOOK
                    or k in ("referred_value", "historical")):
                raise UnknownNameError(f"unknown CLV scenario parameter {k!r}; choose from {list(SLIDERS)}")
        problem = self._refused(changes)
        if problem:  # refuse: keep every setting and the last result
            self.error = problem
            return getattr(self, "result", None)
        for k, v in changes.items():
            if k == "cac":
                self.cac = float(v)
            elif k in PORTFOLIO_SLIDERS:
                self.scenario[k] = float(v)
            elif k == "segment":
                self.segment = v
            elif k in SLIDERS or k in clv.TEXTBOOK or k in ("referred_value", "historical"):
                self.params[k] = v
            else:
                raise UnknownNameError(f"unknown CLV scenario parameter {k!r}; choose from {list(SLIDERS)}")
        # a refused combination (up-sell below revenue...) stays pending, as the sliders show it; the next
        # change may make it valid
        if portfolio_only and self.portfolio is not None:
            return self._recompute_portfolio()
        return self._recompute()

    @staticmethod
    def _refused(changes) -> str:
        """Why a slider value cannot be used (NaN, inf, a negative CAC...), or "" (before anything is applied)."""
        from .._validate import check_number
        from ..errors import ParameterError

        for k, v in changes.items():
            if k == "segment" or (k == "horizon" and v is None) or k == "historical" and v is None:
                continue
            try:
                if k == "cac":
                    check_number("cac", v, low=0.0)
                elif k in PORTFOLIO_SLIDERS:
                    check_number(k, v)
                elif k in SLIDERS:
                    check_number(k, v, allow_inf=(k == "horizon"))
            except ParameterError as exc:
                return f"{exc} Kept the previous settings."
        return ""

    def _recompute_portfolio(self):
        """Only the customer base changed: one kernel pass over the cached arrays."""
        self.n_updates += 1
        try:
            self.portfolio_result = self.portfolio.evaluate(self.segment, **self.scenario)
            self.error = ""
        except (clv.ScenarioError, ValueError) as exc:
            self.error = str(exc)
        return self.result

    # -- results ------------------------------------------------------------------------------
    def _recompute(self):
        self.n_updates += 1
        try:
            result = clv.course_clv(**self.params)
            sens = clv.sensitivity(self.params, pct=self.pct)
            econ = result.unit_economics(self.cac) if self.cac > 0 else None
        except (clv.ScenarioError, ValueError) as exc:
            self.error = str(exc)
            return getattr(self, "result", None)
        self.error = ""
        self.result, self.sensitivity, self.economics = result, sens, econ
        if self.portfolio is not None:
            try:
                self.portfolio_result = self.portfolio.evaluate(self.segment, **self.scenario)
            except (clv.ScenarioError, ValueError) as exc:
                self.error = str(exc)
        return result

    def notes(self) -> list:
        """Plain-language reasons for negative values of the current result (empty when none is negative).

        A negative value is kept (not floored at 0): it says that a programme loses money at these settings,
        which is what the scenario is for; the note says what makes it negative.
        """
        r, p = self.result, self.params
        out = []
        if r.current < 0:
            out.append(tr("widget.clv.negative_current").format(
                current=money(r.current, decimals=1), cost=money(p.get("retention_cost", 0.0) or 0.0),
                retention=share(p["retention"], 0), margin=money(r.annual_margin)))
        if r.potential < 0:
            referred = p.get("referred_value")
            ref_value = r.current if referred is None else float(referred)
            k = float(p.get("referrals_per_year", 0.0) or 0.0)
            out.append(tr("widget.clv.negative_potential").format(
                potential=money(r.potential, decimals=1), k=f"{k:g}", ref_value=money(ref_value, decimals=1),
                gain=money(k * ref_value, decimals=1), cost=money(p.get("referral_cost", 0.0) or 0.0),
                referral=money(r.referral, decimals=1), upsell=money(r.upsell, decimals=1),
                data=money(r.data, decimals=1), retention=share(p["retention"], 0)))
        return out

    @property
    def horizon_is_lifetime(self) -> bool:
        """True when the horizon follows the expected lifetime ``round(1/(1-r))``."""
        return self.params.get("horizon") is None


def _slider(ipw, name, spec, value):
    label, lo, hi, step, fmt = spec
    label = tr(f"widget.clv.{name}", label)
    if name == "horizon":
        return ipw.IntSlider(value=int(value), min=lo, max=hi, step=step, description=label, continuous_update=False,
                             style=LABEL_STYLE, layout=ipw.Layout(width="460px", max_width="100%"))
    value = lo if value is None else float(value)
    return ipw.FloatSlider(value=min(max(value, lo), hi), min=lo, max=hi, step=step, description=label,
                           readout_format=fmt, continuous_update=False, style=LABEL_STYLE,
                           layout=ipw.Layout(width="460px", max_width="100%"))


def clv_scenario_widget(params=None, *, cac=_DEFAULT_CAC, portfolio=None, plots=True):
    """Build (not display) the CLV scenario tool.

    Parameters
    ----------
    params : dict, optional
        Start parameters; default the textbook example (also what "reset" returns to).
    cac : float, default 1200
    portfolio : toolkit.clv.Portfolio, optional
        Enables the per-segment mode (segment dropdown, retention / price / cost change, total change).
    plots : bool, default True
        Draw the waterfall, CLV:CAC gauge, tornado and year table; False shows the tables only.

    Returns
    -------
    ipywidgets.VBox
        With attributes ``state`` (:class:`CLVScenarioState`), ``controls`` (dict name -> control),
        ``reset_button``, ``auto_horizon`` (Checkbox), ``message`` and ``summary`` (HTML), ``dashboard``
        (Image: waterfall, tornado, years, CLV:CAC gauge), ``year_table`` (HTML) and ``n_redraws``.
        CSS classes ``cvt-clv-<name>`` (controls, e.g. ``cvt-clv-retention``; ``cvt-clv-summary``,
        ``cvt-clv-message``, ``cvt-clv-dashboard``, ``cvt-clv-year-table``, ``cvt-clv-reset``,
        ``cvt-clv-auto-horizon``; the box has ``cvt-clv-explorer``) are stable hooks for browser tests.
    """
    import ipywidgets as ipw

    state = CLVScenarioState(params, cac=cac, portfolio=portfolio)
    p = state.params
    controls = {}
    for name, spec in SLIDERS.items():
        if name == "cac":
            value = state.cac
        elif name == "horizon":
            value = state.result.horizon if math.isfinite(state.result.horizon) else 30
        else:
            value = p.get(name, 0.0)
        controls[name] = _slider(ipw, name, spec, value)
    auto = ipw.Checkbox(value=state.horizon_is_lifetime, description=tr("widget.clv.auto_horizon"), indent=False,
                        style=LABEL_STYLE, layout=ipw.Layout(width="auto"))
    controls["horizon"].disabled = auto.value
    if portfolio is not None:
        if portfolio.group is not None:
            controls["segment"] = ipw.Dropdown(options=labelled_options(portfolio.groups, value_label),
                                               value=state.segment,
                                               description=tr("widget.clv.segment"), style=LABEL_STYLE)
        for name, spec in PORTFOLIO_SLIDERS.items():
            controls[name] = _slider(ipw, name, spec, 0.0)
    reset = auto_button(ipw, tr("widget.clv.reset"), icon="undo")
    message = ipw.HTML()
    summary = ipw.HTML()
    dashboard = ipw.Image(format="png", layout=ipw.Layout(max_width="min(900px, 100%)", height="auto"))
    table = ipw.HTML()
    box = ipw.VBox()
    box.n_redraws = 0
    syncing = SyncGuard()

    def redraw(figures=True):
        box.n_redraws += 1
        r = state.result
        msg = f"<span style='color:#b71c1c'>⚠ {html.escape(localize(state.error))}</span>" if state.error else ""
        message.value = msg
        lines = [tr("widget.clv.headline").format(total=money(r.total, decimals=1),
                                                  historical=money(r.historical, decimals=1),
                                                  current=money(r.current, decimals=1),
                                                  potential=money(r.potential, decimals=1), horizon=f"{r.horizon:g}")]
        lines += [f"<span class='cvt-clv-note' style='color:#8a4b00'>ⓘ {html.escape(n)}</span>"
                  for n in state.notes()]
        if state.economics is not None:
            lines.append(html.escape(_economics_line(state.economics)))
        if state.portfolio_result is not None:
            pr = state.portfolio_result
            delta = ("+" if pr.delta >= 0 else "") + money(pr.delta)
            segment = repr(pr.segment) if get_language() == "en" else value_label(pr.segment)
            lines.append(html.escape(quote=False, s=tr("widget.clv.portfolio_line").format(
                segment=segment, n=count(pr.n_affected), base=money(pr.base_total), scenario=money(pr.scenario_total),
                delta=delta)))
        summary.value = "<div style='white-space:normal;max-width:100%'>" + "<br>".join(lines) + "</div>"
        if not (plots and figures):
            return
        from ..plotting.clv import scenario_dashboard

        fig = scenario_dashboard(r, state.sensitivity, state.economics)
        dashboard.value = figure_png(fig)
        years = r.years[["revenue", "survival", "discount_factor", "present_value", "cumulative_pv"]].round(3)
        if get_language() != "en":  # the headers in words (English keeps the column names of the result)
            years = years.rename(columns=label).rename_axis(label(years.index.name or "year"))
        table.value = years.to_html()

    def on_change(change):
        if syncing.on:
            return
        name = change["owner"]._cvt_name
        value = change["new"]
        if name == "horizon" and auto.value:
            return
        if name == "upsell_revenue" and value == 0.0:
            value = None
        state.update(**{name: value})
        if name in PORTFOLIO_SLIDERS or name == "segment":
            redraw(figures=False)  # the single-customer figures did not change
            return
        sync_horizon()
        redraw()

    def sync_horizon():
        """Show the resolved horizon on the (disabled) slider when it follows the lifetime."""
        if auto.value and math.isfinite(state.result.horizon):
            with syncing:
                controls["horizon"].value = int(min(state.result.horizon, controls["horizon"].max))

    def on_auto(change):
        if syncing.on:
            return
        controls["horizon"].disabled = change["new"]
        state.update(horizon=None if change["new"] else int(controls["horizon"].value))
        sync_horizon()
        redraw()

    def on_reset(_):
        state.reset()
        with syncing:
            for name, ctl in controls.items():
                if name in SLIDERS and name not in ("horizon", "cac"):
                    v = state.params.get(name, 0.0)
                    ctl.value = min(max(0.0 if v is None else float(v), ctl.min), ctl.max)
                elif name == "cac":
                    ctl.value = state.cac
                elif name in PORTFOLIO_SLIDERS:
                    ctl.value = 0.0
            auto.value = state.horizon_is_lifetime
            controls["horizon"].disabled = auto.value
        if not state.horizon_is_lifetime:
            controls["horizon"].value = int(state.params["horizon"])
        sync_horizon()
        redraw()

    wire_controls(controls, "clv", on_change)
    for widget, css in ((auto, "auto-horizon"), (reset, "reset"), (message, "message"), (summary, "summary"),
                        (dashboard, "dashboard"), (table, "year-table"), (box, "explorer")):
        widget.add_class(f"cvt-clv-{css}")
    auto.observe(on_auto, names="value")
    reset.on_click(on_reset)

    left = [controls[n] for n in ("annual_revenue", "margin", "years_as_customer", "retention", "discount_rate")]
    left += [auto, controls["horizon"], controls["revenue_growth"], controls["retention_cost"]]
    right = [controls[n] for n in ("upsell_revenue", "upsell_probability", "referrals_per_year", "referral_cost",
                                   "data_value", "cac")]
    right.append(reset)
    rows = [row(ipw, [ipw.VBox(left), ipw.VBox(right)])]
    if portfolio is not None:
        seg = [controls[n] for n in ("segment", *PORTFOLIO_SLIDERS) if n in controls]
        rows.append(ipw.VBox([ipw.HTML(f"<b>{tr('widget.clv.per_segment')}</b>"), row(ipw, seg[:2]),
                              row(ipw, seg[2:])]))
    box.children = [stylesheet(ipw), *rows, message, summary, dashboard, table]
    box.state = state
    box.controls = controls
    box.auto_horizon = auto
    box.reset_button = reset
    box.message = message
    box.summary = summary
    box.dashboard = dashboard
    box.year_table = table
    sync_horizon()
    redraw()
    return box
