"""Customer delivered value calculator: a state object (no ipywidgets) and a thin ipywidgets view.

Customer delivered value = total customer value (product, service, personnel and image value) - total customer
cost (money, time, energy and psychological cost), after Kotler & Keller, *Marketing Management*. Every slider
move calls :func:`toolkit.clv.delivered_value` and redraws :func:`toolkit.plotting.clv.plot_delivered_value`.

The default inputs are the course's smart-coffee-cup case (:data:`COFFEE_CUP`, illustrative money
equivalents in yuan).

Examples
--------
In a notebook::

    from toolkit.widgets.delivered_value import delivered_value_calculator
    calc = delivered_value_calculator()      # the smart coffee cup
    calc                                     # display
    calc.controls["money"].value = 149       # a price cut
    calc.state.result.delivered              # == toolkit.clv.delivered_value(**{**COFFEE_CUP, "money": 149}).delivered
"""

from __future__ import annotations

from .. import clv
from ..errors import ParameterError, UnknownNameError
from ..i18n import register, tr
from ._common import (
    LABEL_STYLE,
    SyncGuard,
    auto_button,
    figure_png,
    row,
    stylesheet,
    wire_controls,
)

__all__ = ["COFFEE_CUP", "VALUE_PARTS", "COST_PARTS", "DeliveredValueState", "delivered_value_calculator"]

#: The smart coffee cup (keeps coffee at drinking temperature, app with caffeine log): money equivalents, yuan.
COFFEE_CUP = {"product": 260.0, "service": 40.0, "personnel": 15.0, "image": 45.0,
              "money": 199.0, "time": 20.0, "energy": 10.0, "psychological": 15.0}
#: Parts of the total customer value and of the total customer cost, in display order.
VALUE_PARTS = ("product", "service", "personnel", "image")
COST_PARTS = ("money", "time", "energy", "psychological")
_MAX = 500.0

register({
    "widget.dv.product": {"en": "product value", "zh": "产品价值"},
    "widget.dv.service": {"en": "service value", "zh": "服务价值"},
    "widget.dv.personnel": {"en": "personnel value", "zh": "人员价值"},
    "widget.dv.image": {"en": "image value", "zh": "形象价值"},
    "widget.dv.money": {"en": "money cost (price)", "zh": "货币成本（价格）"},
    "widget.dv.time": {"en": "time cost", "zh": "时间成本"},
    "widget.dv.energy": {"en": "energy cost", "zh": "精力成本"},
    "widget.dv.psychological": {"en": "psychological cost", "zh": "心理成本"},
    "widget.dv.values": {"en": "Total customer value", "zh": "顾客总价值"},
    "widget.dv.costs": {"en": "Total customer cost", "zh": "顾客总成本"},
    "widget.dv.reset": {"en": "reset to the coffee cup", "zh": "恢复智能咖啡杯示例"},
    "widget.dv.headline": {
        "en": "<b>Delivered value {delivered}</b> = total value {value} − total cost {cost} (value/cost {ratio})",
        "zh": "<b>客户让渡价值 {delivered}</b> = 顾客总价值 {value} − 顾客总成本 {cost}（价值/成本 {ratio}）"},
})


class DeliveredValueState:
    """Inputs and result of the calculator (no widgets: testable headlessly).

    Parameters
    ----------
    **parts : float
        Any of :data:`VALUE_PARTS` and :data:`COST_PARTS`; missing parts come from :data:`COFFEE_CUP`.

    Attributes
    ----------
    parts : dict
        The eight inputs.
    result : toolkit.clv.DeliveredValue
        ``toolkit.clv.delivered_value(**parts)`` (the last valid one).
    error : str
        Why the last change was refused ("" when it was applied).
    n_updates : int
    """

    def __init__(self, **parts):
        self.parts = dict(COFFEE_CUP)
        self.result = None
        self.error = ""
        self.n_updates = 0
        self.update(**parts)
        if self.result is None:
            raise ParameterError(f"DeliveredValueState: {self.error}")

    def update(self, **changes):
        """Change parts and recompute; negative or non-finite amounts are refused (``error`` says why)."""
        unknown = set(changes) - set(COFFEE_CUP)
        if unknown:
            raise UnknownNameError(f"unknown part(s) {sorted(unknown)}; choose from {list(COFFEE_CUP)}")
        new = {**self.parts, **{k: float(v) for k, v in changes.items()}}
        try:
            result = clv.delivered_value(**new)
        except clv.ScenarioError as exc:
            self.error = str(exc)
            return self
        self.parts, self.result, self.error = new, result, ""
        self.n_updates += 1
        return self

    def headline(self) -> str:
        """One line (HTML): delivered value = total value - total cost, and the value/cost ratio."""
        r = self.result
        return tr("widget.dv.headline").format(delivered=f"{r.delivered:,.1f}", value=f"{r.total_value:,.1f}",
                                               cost=f"{r.total_cost:,.1f}", ratio=f"{r.ratio:.2f}")


def delivered_value_calculator(*, plots=True, **parts):
    """Build (not display) the customer delivered value calculator.

    Parameters
    ----------
    plots : bool, default True
        Draw the stacked value/cost bars (``toolkit.plotting.clv.plot_delivered_value``).
    **parts : float
        Start values (default the smart coffee cup, :data:`COFFEE_CUP`).

    Returns
    -------
    ipywidgets.VBox
        With attributes ``state`` (:class:`DeliveredValueState`), ``controls`` (dict part -> FloatSlider),
        ``headline`` (HTML), ``message`` (HTML), ``figure`` (Image), ``reset_button`` and ``n_redraws``.
        CSS classes ``cvt-dv-<part>`` on the sliders, ``cvt-dv-headline``, ``cvt-dv-figure``, ``cvt-dv-message``
        and ``cvt-dv-calculator`` on the box are stable hooks for browser tests.
    """
    import ipywidgets as ipw

    state = DeliveredValueState(**parts)
    style = LABEL_STYLE
    layout = ipw.Layout(width="420px", max_width="100%")
    controls = {name: ipw.FloatSlider(value=min(state.parts[name], _MAX), min=0.0, max=_MAX, step=1.0,
                                      description=tr(f"widget.dv.{name}"), readout_format=",.0f",
                                      continuous_update=False, style=style, layout=layout)
                for name in (*VALUE_PARTS, *COST_PARTS)}
    headline = ipw.HTML()
    message = ipw.HTML()
    figure = ipw.Image(format="png", layout=ipw.Layout(max_width="min(520px, 100%)", height="auto"))
    reset = auto_button(ipw, tr("widget.dv.reset"), icon="undo")
    box = ipw.VBox()
    box.n_redraws = 0
    syncing = SyncGuard()

    def redraw():
        box.n_redraws += 1
        headline.value = state.headline()
        message.value = f"<span style='color:#b71c1c'>⚠ {state.error}</span>" if state.error else ""
        if plots:
            from ..plotting.clv import delivered_value_figure

            figure.value = figure_png(delivered_value_figure(state.result))

    def on_change(change):
        if syncing.on:
            return
        state.update(**{change["owner"]._cvt_name: change["new"]})
        redraw()

    def on_reset(_):
        state.update(**COFFEE_CUP)
        with syncing:
            for name, ctl in controls.items():
                ctl.value = state.parts[name]
        redraw()

    wire_controls(controls, "dv", on_change)
    reset.on_click(on_reset)
    for widget, css in ((headline, "headline"), (message, "message"), (figure, "figure"), (reset, "reset"),
                        (box, "calculator")):
        widget.add_class(f"cvt-dv-{css}")
    left = ipw.VBox([ipw.HTML(f"<b>{tr('widget.dv.values')}</b>"), *(controls[n] for n in VALUE_PARTS)])
    right = ipw.VBox([ipw.HTML(f"<b>{tr('widget.dv.costs')}</b>"), *(controls[n] for n in COST_PARTS), reset])
    box.children = [stylesheet(ipw), row(ipw, [left, right]), headline, message, figure]
    box.state = state
    box.controls = controls
    box.headline = headline
    box.message = message
    box.figure = figure
    box.reset_button = reset
    redraw()
    return box
