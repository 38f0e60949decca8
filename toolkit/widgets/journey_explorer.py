"""Journey map explorer: a state object (no ipywidgets) and a thin ipywidgets view.

The state calls only the public :mod:`toolkit.journey` API on a built :class:`toolkit.Events` (CSR arrays built
once; the stage codes of every offered map are computed when the state is built and kept on it). A control change
re-runs at most two kernels for the selected customers: the stage funnel (kept per map, order, window and
selection) and the stage transition counts (kept per map and selection: order and window do not change them).
Customer masks are kept per selection, built from attribute values coded once. The view keeps one figure and
updates its artists (:class:`toolkit.plotting.journey.JourneyDashboard`).

Examples
--------
In a notebook::

    from toolkit.widgets.journey_explorer import journey_explorer
    w = journey_explorer(events, attributes={"city tier": customers.set_index("customer_id")["city_tier"]},
                         channels=customers.set_index("customer_id")["channel"])
    w                                        # display
    w.controls["map"].value = "purchase_cycle"
    w.state.funnel.table                     # the funnel on screen
"""

from __future__ import annotations

import html
import warnings

import numpy as np
import pandas as pd

from .. import journey
from ..errors import DataQualityWarning, ParameterError, UnknownNameError
from ..formatting import html_table, share, value_label
from ..i18n import get_language, register, tr
from ._common import (
    attribute_label,
    labelled_options,
    LABEL_STYLE,
    SyncGuard,
    explorer_outputs,
    row,
    stylesheet,
    wire_controls,
)

__all__ = ["JourneyExplorerState", "journey_explorer", "ALL", "GOAL_STAGES", "RESCUE_STAGES"]

ALL = "(all)"
#: Stages a journey aims for: completing the journey means reaching the first of them the map has (the course's
#: retention process, 留存). A map without one aims for its last stage that is not a rescue stage.
GOAL_STAGES = ("retention",)
#: Rescue stages (the course: "win-back is a rescue process, not a goal"): shown as their own rate, never as
#: completion.
RESCUE_STAGES = ("win_back",)

register({
    "journey.widget.map": {"en": "journey map", "zh": "旅程地图"},
    "journey.widget.segment": {"en": "segment by", "zh": "细分维度"},
    "journey.widget.group": {"en": "segment", "zh": "细分群体"},
    "journey.widget.channel": {"en": "channel", "zh": "渠道"},
    "journey.widget.window": {"en": "window (days, 0 = none)", "zh": "转化窗口（天，0 = 不限）"},
    "journey.widget.order": {"en": "order", "zh": "顺序"},
    "journey.widget.customers": {"en": "customers selected", "zh": "选中客户"},
    "journey.widget.completed": {"en": "completed the journey (reached {stage})", "zh": "完成旅程（到达{stage}）"},
    "journey.widget.winback": {"en": "needed win-back", "zh": "需要赢回"},
    "journey.widget.winback_note": {"en": "a rescue, not a goal: lower is better",
                                   "zh": "赢回是补救而非目标：越低越好"},
    "journey.widget.none": {"en": "(none)", "zh": "（无）"},
    "journey.widget.all": {"en": "(all)", "zh": "（全部）"},
    "journey.widget.strict": {"en": "strict", "zh": "严格"},
    "journey.widget.loose": {"en": "loose", "zh": "宽松"},
    "journey.widget.biggest_drop": {"en": "biggest drop-off before", "zh": "最大流失发生在进入此阶段前"},
})


class JourneyExplorerState:
    """Inputs and results of the journey explorer (no widgets: testable headlessly).

    Parameters
    ----------
    events : toolkit.Events
    maps : dict[str, JourneyMap], optional
        Maps offered (default :data:`toolkit.journey.PRESETS`).
    attributes : dict[str, pandas.Series], optional
        Customer attributes to segment by (Series indexed by customer_id).
    channels : pandas.Series, optional
        Acquisition channel per customer (default: channel of each customer's first event).
    map_name, segment, group, channel, window, order :
        Initial settings; ``window`` in days (``None`` or 0: no window), ``order`` "strict" or "loose".

    Attributes
    ----------
    funnel : toolkit.journey.FunnelResult
        Stage funnel of the selected customers.
    rescue_funnel : toolkit.journey.FunnelResult or None
        ``journey.funnel(events, [first stage, rescue stage], order="loose", window=...)`` of the selected
        customers: who needed win-back after entering (None when the map has no rescue stage).
    transitions : toolkit.journey.TransitionResult
        Stage transitions of the selected customers.
    n_selected : int
    n_updates : int
    """

    CONTROLS = ("map_name", "segment", "group", "channel", "window", "order")

    def __init__(self, events, maps=None, attributes=None, channels=None, *, map_name="five_processes",
                 segment=None, group=None, channel=None, window=None, order="strict"):
        self.events = events
        self.maps = dict(maps or journey.PRESETS)
        self.attributes = {k: v.reindex(pd.Index(events.customer_id)).to_numpy(dtype=object)
                           for k, v in (attributes or {}).items()}
        if channels is None:
            from ..journey import _entry_channel, _first_positions

            ch = _entry_channel(events, _first_positions(events)) if events.channel_code is not None else \
                np.full(events.n_customers, None, dtype=object)
        else:
            ch = channels.reindex(pd.Index(events.customer_id)).to_numpy(dtype=object)
        self._channel = ch
        self.channel_options = sorted({str(c) for c in ch if c is not None and c == c})
        self.map_name, self.segment, self.group = map_name, segment, group
        self.channel, self.window, self.order = channel, window, order
        # computed once: values as text codes and groups per attribute; masks per selection; results per setting
        self._groups = {k: sorted({str(x) for x in v if x is not None and x == x}) for k, v in self.attributes.items()}
        self._text_codes = {name: pd.factorize(pd.Series(values).astype(str).to_numpy())  # name None: channel
                            for name, values in [(None, ch), *self.attributes.items()]}
        self._masks = {}
        self._funnels = {}
        self._rescues = {}
        self._transitions = {}
        with warnings.catch_warnings():  # unmapped touchpoints are reported when a map is shown, not here
            warnings.simplefilter("ignore", DataQualityWarning)
            for jm in self.maps.values():
                journey.stage_codes(events, jm)  # kept on the Events: changing maps needs no new codes
        self.n_updates = 0
        self._check()
        self._recompute()

    @property
    def jmap(self):
        return self.maps[self.map_name]

    def groups(self) -> list:
        """Values of the current segment attribute."""
        if self.segment is None:
            return []
        return list(self._groups[self.segment])

    def _check(self):
        if self.map_name not in self.maps:
            raise UnknownNameError(f"unknown map {self.map_name!r}; choose from {list(self.maps)}")
        if self.segment is not None and self.segment not in self.attributes:
            raise UnknownNameError(f"unknown segment {self.segment!r}; choose from {list(self.attributes)}")
        if self.order not in ("strict", "loose"):
            raise ParameterError(f"order must be 'strict' or 'loose', got {self.order!r}",
                                 parameter="order", value=self.order)
        if self.window is not None and not float(self.window) >= 0:
            raise ParameterError(f"window must be >= 0 days, got {self.window!r}",
                                 parameter="window", value=self.window)

    def update(self, **changes):
        """Change any of ``map_name, segment, group, channel, window, order`` and recompute."""
        for k, v in changes.items():
            if k not in self.CONTROLS:
                raise UnknownNameError(f"unknown control {k!r}; controls are {self.CONTROLS}")
            setattr(self, k, v)
        if "segment" in changes and "group" not in changes:
            self.group = None
        self._check()
        return self._recompute()

    def _mask_key(self):
        seg = self.segment if self.group not in (None, ALL) else None
        ch = self.channel if self.channel not in (None, ALL) else None
        return seg, self.group if seg else None, ch

    def _equal_text(self, name, value):
        """Customers whose attribute ``name`` (or the channel, name None) reads as ``str(value)``."""
        codes, labels = self._text_codes[name]
        hit = np.flatnonzero(labels == str(value))
        return codes == hit[0] if len(hit) else np.zeros(len(codes), dtype=bool)

    def mask(self):
        """uint8 mask of the selected customers (cached per segment, group and channel)."""
        key = self._mask_key()
        if key not in self._masks:
            seg, group, ch = key
            sel = np.ones(self.events.n_customers, dtype=bool)
            if seg is not None:
                sel &= self._equal_text(seg, group)
            if ch is not None:
                sel &= self._equal_text(None, ch)
            self._masks[key] = (sel.astype(np.uint8), int(sel.sum()))
        return self._masks[key][0]

    def _recompute(self):
        """Funnel and transitions of the current settings. Each is kept for the settings it depends on (the
        transitions do not depend on order and window), so going back to a recent setting costs nothing."""
        self.n_updates += 1
        key = self._mask_key()
        m = self.mask() if key != (None, None, None) else None  # None: every customer, no mask to read
        window = None if not self.window else float(self.window)
        jm = self.jmap
        fkey = (self.map_name, self.order, window, key)
        if fkey not in self._funnels:
            _remember(self._funnels, fkey, journey.funnel(
                self.events, list(jm.stages), journey_map=jm, order=self.order, window=window, customers=m),
                      keep=4)  # a funnel over 500,000 customers holds about 40 MB
        tkey = (self.map_name, key)
        if tkey not in self._transitions:
            _remember(self._transitions, tkey, journey.transition_matrix(self.events, "stage", journey_map=jm,
                                                                        customers=m), keep=32)
        rescue = self.rescue_stage
        rkey = (self.map_name, window, key)
        if rescue is not None and rkey not in self._rescues:
            # who needed the rescue after entering: a loose two-step funnel (order does not matter for it)
            _remember(self._rescues, rkey, journey.funnel(
                self.events, [jm.stages[0], rescue], journey_map=jm, order="loose", window=window, customers=m),
                      keep=4)
        self.n_selected = self._masks[key][1] if m is not None else self.events.n_customers
        self.funnel = self._funnels[fkey]
        self.rescue_funnel = self._rescues[rkey] if rescue is not None else None
        self.transitions = self._transitions[tkey]
        return self.funnel

    @property
    def goal_stage(self) -> str:
        """The stage whose reach counts as completing the journey (see :data:`GOAL_STAGES`)."""
        stages = list(self.jmap.stages)
        for s in stages:
            if s in GOAL_STAGES:
                return s
        others = [s for s in stages if s not in RESCUE_STAGES]
        return others[-1] if others else stages[-1]

    @property
    def rescue_stage(self):
        """The map's rescue stage (win-back), or None."""
        return next((s for s in self.jmap.stages if s in RESCUE_STAGES), None)

    @property
    def completion(self) -> float:
        """Share of the entered customers who reached :attr:`goal_stage` (in the funnel's order and window)."""
        done = float(self.funnel.table.loc[self.goal_stage, "overall_conversion"])
        return done if np.isfinite(done) else 0.0

    @property
    def winback_rate(self) -> float:
        """Share of the entered customers who needed win-back (a win-back touchpoint after entering, within the
        window); NaN when the map has no rescue stage."""
        if self.rescue_funnel is None:
            return float("nan")
        rate = float(self.rescue_funnel.table["overall_conversion"].iloc[-1])
        return rate if np.isfinite(rate) else 0.0

    @property
    def biggest_drop(self):
        """The step up to the goal with the largest drop-off rate (a rescue stage is no drop-off), or None."""
        t = self.funnel.table
        upto = list(t.index).index(self.goal_stage)
        rates = t["drop_off_rate"].iloc[1:upto + 1].dropna()
        return None if rates.empty else str(rates.idxmax())

    def headline(self) -> str:
        """One line for the view: selected customers, completion (reaching the goal stage), the share who needed
        win-back, and the biggest drop-off before the goal."""
        goal = self.goal_stage
        parts = [f"{tr('journey.widget.customers')}: {self.n_selected:,}",
                 (f"{tr('journey.widget.completed').format(stage=_stage_name(goal))}: "
                  f"{share(self.completion)}")]
        if self.rescue_funnel is not None:
            parts.append(f"{tr('journey.widget.winback')}: {share(self.winback_rate)} "
                         f"({tr('journey.widget.winback_note')})")
        drop = self.biggest_drop
        if drop is not None:
            parts.append(f"{tr('journey.widget.biggest_drop')} {_stage_name(drop)}")
        return " · ".join(parts)


def _stage_name(name) -> str:
    """A stage (or event) name: the journey catalogue, else the value labels in Chinese, else the name."""
    text = tr(f"journey.{name}", "\0")
    if text != "\0":
        return text
    return str(name) if get_language() == "en" else value_label(name)


def _remember(cache, key, value, keep):
    """Store ``value`` under ``key``, forgetting the oldest entries beyond ``keep``."""
    cache[key] = value
    while len(cache) > keep:
        del cache[next(iter(cache))]


def _with_all(values):
    """Options of a group or channel menu: ``ALL`` then the values, labelled in Chinese."""
    return labelled_options([ALL, *values], lambda v: tr("journey.widget.all") if v == ALL else value_label(v))


def journey_explorer(events, attributes=None, channels=None, *, maps=None, map_name="five_processes",
                     plots=True):
    """Build (not display) the journey map explorer.

    Parameters
    ----------
    events : toolkit.Events
    attributes : dict[str, pandas.Series], optional
        Offered in "segment by" (Series indexed by customer_id).
    channels : pandas.Series, optional
        Acquisition channel per customer (default: channel of the first event).
    maps : dict, optional
        Journey maps offered (default the presets).
    map_name : str
    plots : bool, default True
        Draw the funnel and the transition heatmap as a PNG (False: HTML tables only).

    Returns
    -------
    ipywidgets.VBox
        CSS class ``cvt-journey-explorer``, with attributes ``state`` (:class:`JourneyExplorerState`),
        ``controls`` (dict: ``map``, ``segment``, ``group``, ``channel``, ``window``, ``order``), ``image``,
        ``table``, ``message``, ``figure`` and ``n_redraws``. Controls carry CSS classes ``cvt-journey-<name>``;
        the outputs ``cvt-journey-figure``, ``cvt-journey-table`` and ``cvt-journey-message``.
    """
    import ipywidgets as ipw

    state = JourneyExplorerState(events, maps, attributes, channels, map_name=map_name)
    controls = {
        "map": ipw.Dropdown(options=[(tr(f"journey.{k}", k), k) for k in state.maps], value=state.map_name,
                            description=tr("journey.widget.map"), style=LABEL_STYLE),
        "segment": ipw.Dropdown(options=[(tr("journey.widget.none"), None)] + [(attribute_label(k), k)
                                                                              for k in state.attributes],
                                value=None, description=tr("journey.widget.segment"), style=LABEL_STYLE),
        "group": ipw.Dropdown(options=_with_all([]), value=ALL, description=tr("journey.widget.group"), disabled=True,
                              style=LABEL_STYLE),
        "channel": ipw.Dropdown(options=_with_all(state.channel_options), value=ALL,
                                description=tr("journey.widget.channel"), style=LABEL_STYLE),
        "window": ipw.BoundedIntText(value=0, min=0, max=3650, step=30, description=tr("journey.widget.window"),
                                     style=LABEL_STYLE),
        "order": ipw.ToggleButtons(options=[(tr(f"journey.widget.{o}"), o) for o in ("strict", "loose")],
                                   value=state.order, description=tr("journey.widget.order"),
                                   style={**LABEL_STYLE, "button_width": "auto"}),
    }
    names = {"map": "map_name", "segment": "segment", "group": "group", "channel": "channel", "window": "window",
             "order": "order"}
    message, image, table, box = explorer_outputs(ipw, "journey", "cvt-journey-explorer")
    if plots:
        from ..plotting.journey import JourneyDashboard

        dashboard = JourneyDashboard()
    syncing = SyncGuard()

    def redraw():
        box.n_redraws += 1
        message.value = f"<b>{html.escape(state.headline())}</b>"
        table.value = html_table(state.funnel.table[["customers", "step_conversion", "overall_conversion",
                                                     "drop_off", "median_time"]])
        if plots:
            box.figure = dashboard.update(state.funnel, state.transitions)  # same figure, artists updated
            image.value = dashboard.png(dpi=64)

    def on_change(change):
        if syncing.on:
            return
        name = change["owner"]._cvt_name
        value = change["new"]
        if name == "window":
            value = None if not value else int(value)
        state.update(**{names[name]: value})
        if name == "segment":
            with syncing:
                controls["group"].options = _with_all(state.groups())
                controls["group"].value = ALL
                controls["group"].disabled = state.segment is None
        redraw()

    wire_controls(controls, "journey", on_change)
    box.children = [stylesheet(ipw), row(ipw, [controls["map"], controls["order"]]),
                    row(ipw, [controls["segment"], controls["group"], controls["channel"]]),
                    controls["window"], message, image if plots else table]
    box.state = state
    box.controls = controls
    box.image = image
    box.table = table
    box.message = message
    redraw()
    return box
