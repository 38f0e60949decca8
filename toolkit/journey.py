"""Customer-journey mapping: stages, funnels, transitions, paths, flows, stage KPIs, NPS — linked to value.

=================================  ==========================================================================
function / class                   what
=================================  ==========================================================================
:class:`JourneyMap`                touchpoints (event names) -> stages, as data; :data:`PRESETS`
:func:`check_map`                  every touchpoint of a log mapped or reported
:func:`stage_codes`                the stage of every event under a map (computed once per map)
:func:`funnel`                     ordered steps, strict or loose order, conversion window, per segment
:func:`transition_matrix`          moves between touchpoints or stages, with start and exit states
:func:`top_paths`                  most frequent paths (first steps of each journey)
:func:`flows`                      step-by-step flows for a Sankey / alluvial chart
:func:`dwell_times`                time spent in each stage before moving on
:func:`journey_gaps`               the biggest gaps: largest drop-off, longest dwell, highest exit
:func:`nps`                        Net Promoter Score with a confidence interval, per group
:func:`stage_kpis`                 the course's KPIs per process: reach, acquisition (CAC), conversion,
                                   retention (repurchase, LTV, CSAT), NPS, churn and win-back rates
:func:`journey_board`              stages across, KPIs and gaps down (for the journey-map board)
:func:`affinity`                   category co-purchase support, confidence, lift (overall, by segment)
:func:`cross_sell`                 candidates per customer ranked by lift x value
:func:`journey_value`              revenue, margin, CLV by entry channel, path and exit stage; what a
                                   referral is worth, what a complaint costs
=================================  ==========================================================================

Every function reads a built :class:`toolkit.Events` (its CSR arrays are built once, with the tie rule for
simultaneous events described there) and runs numba kernels from :mod:`toolkit._kernels.journey`.
Durations are reported in the log's ``time_unit`` (days by default).

**Event names** are matched with journey maps, funnel steps and purchase events ignoring case and spaces:
leading and trailing spaces are removed, case is folded, and runs of spaces, underscores and hyphens inside a
name count as one ``_`` (``"Visit"``, ``" VISIT "`` and ``"visit"`` are one touchpoint; ``"Sign up"`` is
``"sign_up"``). Names that match no touchpoint of a map are reported by :func:`check_map` and by a warning.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import special

from .config import DAYS_PER_UNIT
from .errors import (
    DataQualityError,
    DataQualityWarning,
    ParameterError,
    SchemaError,
    UnknownNameError,
)
from .i18n import get_language, localize, register, tr

__all__ = [
    "JourneyMap",
    "PRESETS",
    "journey_map",
    "check_map",
    "stage_codes",
    "funnel",
    "FunnelResult",
    "transition_matrix",
    "TransitionResult",
    "top_paths",
    "flows",
    "FlowResult",
    "dwell_times",
    "journey_gaps",
    "nps",
    "NPSResult",
    "stage_kpis",
    "StageKPIs",
    "journey_board",
    "JourneyBoard",
    "affinity",
    "cross_sell",
    "journey_value",
    "JourneyValue",
]

START = "(start)"
EXIT = "(exit)"
OTHER = "(other)"
UNMAPPED = "(unmapped)"
_NS_PER_DAY = 86_400 * 10**9

register({
    "journey.reach": {"en": "reach", "zh": "触达"},
    "journey.acquisition": {"en": "acquisition", "zh": "获客"},
    "journey.conversion": {"en": "conversion", "zh": "转化"},
    "journey.retention": {"en": "retention", "zh": "留存"},
    "journey.win_back": {"en": "win-back", "zh": "赢回"},
    "journey.awareness": {"en": "awareness", "zh": "认知"},
    "journey.purchase": {"en": "purchase", "zh": "购买"},
    "journey.use": {"en": "use", "zh": "使用"},
    "journey.repurchase": {"en": "repurchase", "zh": "复购"},
    "journey.recommend": {"en": "recommend", "zh": "推荐"},
    "journey.five_processes": {"en": "five processes", "zh": "五大流程"},
    "journey.purchase_cycle": {"en": "purchase cycle", "zh": "购买周期"},
})
# the pseudo-states of transitions, paths and flows, as tables show them (value labels)
register({f"val.{name}": {"en": name, "zh": zh} for name, zh in {
    START: "（开始）", EXIT: "（退出）", OTHER: "（其他）", UNMAPPED: "（未映射）"}.items()})
# what the results say (their __repr__ and _repr_html_); English as it always was
register({
    "journey.repr.map": {"en": "JourneyMap {name}: {parts}", "zh": "旅程地图 {name}：{parts}"},
    "journey.repr.map_html": {"en": "Journey map {name}", "zh": "旅程地图 {name}"},
    "journey.repr.funnel": {
        "en": "Funnel ({order} order, window {window}): {entered} entered, {completed} completed ({share})",
        "zh": "漏斗（{order}，转化窗口：{window}）：进入 {entered} 人，完成 {completed} 人（{share}）"},
    "journey.repr.strict": {"en": "strict", "zh": "严格顺序"},
    "journey.repr.loose": {"en": "loose", "zh": "宽松顺序"},
    "journey.repr.no_window": {"en": "none", "zh": "不限"},
    "journey.repr.step": {"en": "  {step}: {customers} ({share})", "zh": "  {step}：{customers}（{share}）"},
    "journey.repr.biggest_drop": {"en": "biggest drop-off before {step}", "zh": "流失最多的一步：进入“{step}”之前"},
    "journey.repr.transitions": {"en": "Transitions ({level} level, {moves} moves, {states} states)",
                                 "zh": "状态转移（{level}层级，共 {moves} 次转移，{states} 个状态）"},
    "journey.repr.event": {"en": "event", "zh": "事件"},
    "journey.repr.stage": {"en": "stage", "zh": "阶段"},
    "journey.repr.move": {"en": "  {a} → {b}: {moves} ({share})", "zh": "  {a} → {b}：{moves}（{share}）"},
    "journey.repr.transitions_html": {"en": " — share of moves out of each row", "zh": "——每行状态移出的转移占比"},
    "journey.repr.flows": {"en": "Flows over {steps} steps ({level} level), {customers} customers, {links} links",
                           "zh": "旅程流向：共 {steps} 步（{level}层级），{customers} 位客户，{links} 条连线"},
    "journey.repr.nps": {
        "en": "NPS {nps} ({level} CI {lower} to {upper}) from {responses} responses: {promoters} promoters, "
              "{detractors} detractors",
        "zh": "NPS {nps}（{level} 置信区间 {lower} 至 {upper}），基于 {responses} 份答卷：推荐者 {promoters}，"
              "贬损者 {detractors}"},
    "journey.repr.kpis": {"en": "Stage KPIs", "zh": "各阶段 KPI"},
    "journey.repr.na": {"en": "n/a", "zh": "无数据"},
    "journey.repr.by_channel": {"en": "By acquisition channel", "zh": "各获客渠道"},
    "journey.repr.board": {"en": "JourneyBoard {name}: {stages} stages x {rows} rows; gaps — {gaps}",
                           "zh": "旅程看板 {name}：{stages} 个阶段 × {rows} 行；最大差距——{gaps}"},
    "journey.repr.gap": {"en": "{kind}: {where}", "zh": "{kind}：{where}"},
    "journey.repr.gap_sep": {"en": "; ", "zh": "；"},
    "journey.repr.value": {
        "en": "JourneyValue: {customers} customers; a referred customer is worth {referral}; a complaint costs "
              "{complaint} of margin (within channel)",
        "zh": "旅程价值：{customers} 位客户；一位被推荐客户价值 {referral}；一次投诉损失 {complaint} 的毛利（按渠道内比较）"},
    "journey.repr.by_exit": {"en": "By exit stage", "zh": "按离开时所处阶段"},
    "journey.repr.referral": {"en": "Referral", "zh": "推荐"},
    "journey.repr.complaint": {"en": "Complaint", "zh": "投诉"},
    # headers whose catalogue label means something else in these tables
    "journey.col.margin": {"en": "Margin", "zh": "毛利"},
    "journey.col.spend": {"en": "Spend", "zh": "获客支出"},
    "journey.col.target": {"en": "Target", "zh": "去向"},
})


def _english() -> bool:
    """True when results speak English (then they are exactly what they always were); else load the Chinese of
    the toolkit's result texts (``toolkit.i18n.set_language`` alone does not)."""
    if get_language() == "en":
        return True
    from . import _zh  # noqa: F401

    return False


def _name(name) -> str:
    """A stage, event or state name as results show it: as given in English; else the journey catalogue, then
    the value labels (steps that are several names, ``"a | b"``, name by name)."""
    if get_language() == "en":
        return str(name)
    from .formatting import value_label

    parts = []
    for part in str(name).split(" | "):
        text = tr(f"journey.{part}", "\0")
        parts.append(text if text != "\0" else value_label(part))
    return " | ".join(parts)


# ------------------------------------------------------------------------------------------------------
# journey maps
# ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class JourneyMap:
    """A journey map as data: ordered stages and the touchpoints (event names) that belong to each.

    Parameters
    ----------
    name : str
    stages : tuple of str
        Stages in journey order (funnels over a map use this order).
    touchpoints : dict[str, str]
        Event name -> stage. Every stage must appear; an event belongs to one stage.
    description : str, optional

    Examples
    --------
    >>> m = JourneyMap("mine", ("look", "buy"), {"visit": "look", "purchase": "buy"})
    >>> m.events_of("buy")
    ['purchase']
    """

    name: str
    stages: tuple
    touchpoints: dict
    description: str = ""

    def __post_init__(self):
        stages = tuple(str(s) for s in self.stages)
        object.__setattr__(self, "stages", stages)
        if len(set(stages)) != len(stages) or not stages:
            raise SchemaError(f"Journey map {self.name!r}: stages must be distinct and non-empty, got {stages}.")
        unknown = {e: s for e, s in self.touchpoints.items() if s not in stages}
        if unknown:
            raise SchemaError(f"Journey map {self.name!r}: touchpoints mapped to unknown stages {unknown}; "
                              f"stages are {list(stages)}.")
        keys = {}
        for e, s in self.touchpoints.items():
            if keys.setdefault(_name_key(e), s) != s:
                raise SchemaError(f"Journey map {self.name!r}: {e!r} and another spelling of it are mapped to two "
                                  f"stages ({keys[_name_key(e)]!r} and {s!r}); event names are matched ignoring case "
                                  "and spaces, so map the name once.")
        empty = [s for s in stages if s not in set(self.touchpoints.values())]
        if empty:
            raise SchemaError(f"Journey map {self.name!r}: stages {empty} have no touchpoint; map at least one "
                              "event to each stage or remove it.")

    def events_of(self, stage) -> list:
        """Event names mapped to ``stage``."""
        if stage not in self.stages:
            raise UnknownNameError(f"unknown stage {stage!r}; stages are {list(self.stages)}")
        return [e for e, s in self.touchpoints.items() if s == stage]

    @property
    def table(self) -> pd.DataFrame:
        """One row per touchpoint: event, stage, stage number."""
        rows = [{"event": e, "stage": s, "stage_number": self.stages.index(s)} for e, s in self.touchpoints.items()]
        return pd.DataFrame(rows).sort_values(["stage_number", "event"], kind="stable").reset_index(drop=True)

    def __repr__(self):
        english = _english()
        sep = ", " if english else "，"
        parts = " → ".join(f"{_name(s)} [{sep.join(_name(e) for e in self.events_of(s))}]" for s in self.stages)
        return tr("journey.repr.map").format(name=repr(self.name) if english else _name(self.name), parts=parts)

    def _repr_html_(self):
        if _english():
            return f"<p><b>Journey map {html.escape(self.name)}</b></p>" + self.table.to_html(index=False)
        from .data import _shown

        title = tr("journey.repr.map_html").format(name=_name(self.name))
        return f"<p><b>{html.escape(title)}</b></p>" + _shown(self.table).to_html(index=False)


def _name_key(name) -> str:
    """How event names are compared with journey maps, funnel steps and purchase events (module notes). Leading and trailing spaces are removed, case is folded, and runs of spaces, underscores and hyphens
    inside a name count as one ``_``: ``"Visit"``, ``" VISIT "`` and ``"visit"`` are one touchpoint, and so are
    ``"Sign up"`` and ``"sign_up"``."""
    return re.sub(r"[\s_\-]+", "_", str(name).strip().casefold())


def _codes_matching(events, names):
    """Codes of the log's event labels that match any of ``names`` by :func:`_name_key`."""
    keys = {_name_key(n) for n in names if n is not None}
    return [k for k, label in enumerate(events.event_labels) if _name_key(label) in keys]


def _stage_lookup(jmap):
    """Event name key -> stage of a journey map."""
    return {_name_key(e): s for e, s in jmap.touchpoints.items()}


#: Preset maps over the teaching company's touchpoints (:data:`toolkit.datasets.EVENTS`).
PRESETS = {
    "five_processes": JourneyMap(
        "five_processes", ("reach", "acquisition", "conversion", "retention", "win_back"),
        {"ad_impression": "reach", "visit": "reach", "sign_up": "acquisition", "trial": "acquisition",
         "purchase": "conversion", "repurchase": "retention", "referral": "retention",
         "support_contact": "retention", "complaint": "retention", "winback_offer": "win_back"},
        "The course's five customer-management processes: reach (触达), acquisition (获客), conversion (转化), "
        "retention (留存) and win-back (赢回). Visits are reach touchpoints whenever they happen."),
    "purchase_cycle": JourneyMap(
        "purchase_cycle", ("awareness", "purchase", "use", "repurchase", "recommend"),
        {"ad_impression": "awareness", "visit": "awareness", "sign_up": "awareness", "trial": "purchase",
         "purchase": "purchase", "support_contact": "use", "complaint": "use", "repurchase": "repurchase",
         "winback_offer": "repurchase", "referral": "recommend"},
        "Awareness → purchase → use → repurchase → recommend."),
}


def journey_map(spec) -> JourneyMap:
    """A :class:`JourneyMap` from a preset name, a map, or a dict ``{stage: [event, ...]}`` (order = journey order)."""
    if isinstance(spec, JourneyMap):
        return spec
    if isinstance(spec, str):
        if spec not in PRESETS:
            raise ParameterError(f"unknown journey map {spec!r}; presets are {list(PRESETS)} (or pass a JourneyMap "
                                 "or a dict {stage: [events]})", parameter="spec", value=spec)
        return PRESETS[spec]
    if isinstance(spec, dict):
        touch = {}
        for stage, evs in spec.items():
            for e in ([evs] if isinstance(evs, str) else evs):
                if e in touch:
                    raise SchemaError(f"event {e!r} is mapped to two stages ({touch[e]!r} and {stage!r}).")
                touch[e] = stage
        return JourneyMap("custom", tuple(spec), touch)
    raise SchemaError(f"A journey map is a preset name, a JourneyMap or a dict {{stage: [events]}}, got "
                      f"{type(spec).__name__}.")


def check_map(events, jmap, unmapped="report") -> pd.DataFrame:
    """Check that every touchpoint of the log is mapped to a stage.

    Parameters
    ----------
    events : toolkit.Events
    jmap : JourneyMap, preset name or dict
    unmapped : {"report", "raise"}, default "report"
        ``"raise"``: a :class:`~toolkit.errors.DataQualityError` names the unmapped events, their counts and
        the fix. ``"report"``: they are listed in the result (stage ``"(unmapped)"``) and left out of stage
        views (a :class:`~toolkit.errors.DataQualityWarning` says how many events).

    Returns
    -------
    pandas.DataFrame
        One row per event name of the log and per mapped name absent from it: ``event, stage, events,
        customers, in_log``. Names are matched ignoring case and spaces (see the module notes on event names): ``"Visit"`` in the
        log is the map's ``"visit"``.
    """
    jmap = journey_map(jmap)
    _check_events(events)
    counts = np.bincount(events.event_code, minlength=len(events.event_labels))
    cust = _customers_per_code(events)
    lookup = _stage_lookup(jmap)
    rows = []
    for k, name in enumerate(events.event_labels):
        rows.append({"event": name, "stage": lookup.get(_name_key(name), UNMAPPED), "events": int(counts[k]),
                     "customers": int(cust[k]), "in_log": True})
    in_log = {_name_key(name) for name in events.event_labels}
    for name, stage in jmap.touchpoints.items():
        if _name_key(name) not in in_log:
            rows.append({"event": name, "stage": stage, "events": 0, "customers": 0, "in_log": False})
    out = pd.DataFrame(rows)
    missing = out[out["stage"] == UNMAPPED]
    if len(missing) and unmapped == "raise":
        raise DataQualityError(
            f"{int(missing['events'].sum()):,} events of {len(missing)} touchpoints are not mapped to a stage of "
            f"journey map {jmap.name!r}: {dict(zip(missing['event'], missing['events']))}. Fix: add them to the "
            "map's touchpoints, or pass unmapped='report' to leave them out of stage views.",
            column="event", count=int(missing["events"].sum()), examples=missing)
    if unmapped not in ("raise", "report"):
        raise ParameterError(f"unmapped must be 'report' or 'raise', got {unmapped!r}.",
                             parameter="unmapped", value=unmapped)
    return out


def stage_codes(events, journey_map="five_processes", unmapped="report"):
    """Stage of every event under a journey map, as codes: computed once per map and kept on the Events.

    Every stage view (funnels over stages, transitions, paths, flows, dwell times at ``level="stage"``) reads
    these codes; an interactive tool can compute them for all its maps up front, so that switching maps later
    costs nothing.

    Parameters
    ----------
    events : toolkit.Events
    journey_map : JourneyMap, preset name or dict, default "five_processes"
    unmapped : {"report", "raise"}
        As in :func:`check_map`.

    Returns
    -------
    codes : numpy.ndarray of int32
        One per event, in the Events' order: the stage number (position in ``labels``), ``-1`` for unmapped
        touchpoints.
    labels : list of str
        The map's stages.
    """
    _check_events(events)
    return _view(events, "stage", journey_map, unmapped)


# ------------------------------------------------------------------------------------------------------
# helpers
# ------------------------------------------------------------------------------------------------------
def _check_events(events):
    from .data import Events

    if not isinstance(events, Events):
        raise SchemaError(f"Expected toolkit.Events (build it once with toolkit.Events.from_frame), got "
                          f"{type(events).__name__}.")
    return events


def _customers_per_code(events):
    key = ("customers_per_code",)
    if key not in events._cache:
        from ._kernels.journey import customers_per_code

        events._cache[key] = customers_per_code(events.offsets, events.event_code, len(events.event_labels))
    return events._cache[key]


def _unit_ns(events, time_unit=None):
    unit = time_unit or events.time_unit
    if unit not in DAYS_PER_UNIT:
        raise ParameterError(f"time_unit must be one of {list(DAYS_PER_UNIT)}, got {unit!r}.",
                             parameter="time_unit", value=unit)
    return unit, DAYS_PER_UNIT[unit] * _NS_PER_DAY


def _window_ns(window, events, name="window"):
    """Window in ns (-1 = none); numbers are in the log's time unit. ``name`` is the caller's argument."""
    from ._validate import check_number

    if window is None:
        return -1
    if isinstance(window, (str, pd.Timedelta, np.timedelta64)):
        value = pd.Timedelta(window).value
        if pd.isna(pd.Timedelta(window)) or value < 0:
            raise ParameterError(f"{name} must be a duration >= 0, got {window!r}.", parameter=name, value=window)
        return int(value)
    value = check_number(name, window, low=0.0,
                         hint=f"Pass a number in the log's time unit ({events.time_unit!r}) or a pd.Timedelta.")
    return int(value * DAYS_PER_UNIT[events.time_unit] * _NS_PER_DAY)


def _view(events, level="event", jmap=None, unmapped="report"):
    """(state per event int32, state labels) for events or the stages of a journey map (cached per map)."""
    if level == "event" and jmap is None:
        return events.event_code, list(events.event_labels)
    if level not in ("event", "stage"):
        raise ParameterError(f"level must be 'event' or 'stage', got {level!r}.", parameter="level", value=level)
    jmap = journey_map(jmap if jmap is not None else "five_processes")
    if level == "event":
        return events.event_code, list(events.event_labels)
    key = ("stage", jmap.name, jmap.stages, tuple(sorted(jmap.touchpoints.items())))
    if key not in events._cache:
        table = check_map(events, jmap, unmapped=unmapped)
        lookup = _stage_lookup(jmap)
        lut = np.array([jmap.stages.index(lookup[_name_key(e)]) if _name_key(e) in lookup else -1
                        for e in events.event_labels], dtype=np.int32)
        n_unmapped = int(table.loc[table["stage"] == UNMAPPED, "events"].sum())
        events._cache[key] = (lut[events.event_code], n_unmapped)
    state, n_unmapped = events._cache[key]
    if n_unmapped:
        if unmapped == "raise":
            check_map(events, jmap, unmapped="raise")
        import warnings

        warnings.warn(f"{n_unmapped:,} events are not mapped to a stage of {jmap.name!r} and are left out; see "
                      "toolkit.journey.check_map(events, map).", DataQualityWarning, stacklevel=3)
    return state, list(jmap.stages)


def _customer_mask(events, customers):
    """uint8 mask over customers from ids, a boolean Series indexed by customer_id, or None (all)."""
    if customers is None:
        return np.empty(0, dtype=np.uint8)
    if isinstance(customers, np.ndarray) and customers.dtype == np.uint8 and len(customers) == events.n_customers:
        return customers
    ids = pd.Index(events.customer_id)
    if isinstance(customers, pd.Series) and customers.dtype == bool:
        sel = customers[customers].index
    else:
        sel = pd.Index(list(customers))
    return ids.isin(sel).astype(np.uint8)


def _aligned(values, events, what):
    """A customer attribute aligned with ``events.customer_id`` (object array, None where missing)."""
    if isinstance(values, dict):
        values = pd.Series(values)
    if not isinstance(values, pd.Series):
        raise SchemaError(f"{what} must be a pandas Series indexed by customer_id (or 'channel'), got "
                          f"{type(values).__name__}.")
    if not values.index.is_unique:
        raise DataQualityError(f"{what} has duplicated customer ids; give one value per customer.",
                               count=int(values.index.duplicated().sum()))
    aligned = values.reindex(pd.Index(events.customer_id))
    return aligned.to_numpy(dtype=object)


def _entry_channel(events, positions):
    if events.channel_code is None:
        raise SchemaError("by='channel' needs a channel column: map it in Events.from_frame(channel=...).")
    ch = np.where(positions >= 0, events.channel_code[np.maximum(positions, 0)], -1)
    labels = np.append(np.asarray(events.channel_labels, dtype=object), None)
    return labels[ch]  # -1 -> None


def _first_positions(events, state=None, mask=None):
    from ._kernels.journey import first_event_index

    state = events.event_code if state is None else state
    mask = np.empty(0, dtype=np.uint8) if mask is None else mask
    return first_event_index(events.offsets, state, mask)


def _quantiles(x, unit_ns=1.0):
    if len(x) == 0:
        return {"median": np.nan, "p25": np.nan, "p75": np.nan, "mean": np.nan}
    v = np.asarray(x, dtype=np.float64)
    v = v / unit_ns if unit_ns != 1.0 else v
    q = np.quantile(v, [0.25, 0.5, 0.75])
    return {"median": q[1], "p25": q[0], "p75": q[2], "mean": float(v.mean())}


def _html_table(title, df, note="", headers=None, kinds=None):
    """A titled table of a result. In another language than English, the text cells and index labels are
    shown by their labels or translations, states named as columns by their labels, and ``headers``
    ({column: catalogue key}) replaces the headers whose general label means something else in this table.
    ``kinds`` ({column: kind}) overrides the formatter's guess from a column's name."""
    from .formatting import format_table, html_table  # the report's formatter: no e+

    headers = headers or {}
    if get_language() == "en":
        ft = format_table(df, kinds=kinds)
    else:
        from .data import _shown

        shown = _shown(df.rename(columns=str), cells=True)  # text cells and index in the current language
        shown.columns = list(df.columns)  # keep the names: format_table picks formats and labels by them
        ft = format_table(shown, kinds=kinds)
        ft.headers = [_name(c) if h == str(c) and isinstance(c, str) else h for c, h in zip(df.columns, ft.headers)]
    ft.headers = [tr(headers[c], h) if c in headers else h for c, h in zip(df.columns, ft.headers)]
    body = html_table(ft)
    extra = f"<p>{html.escape(note)}</p>" if note else ""
    return f"<p><b>{html.escape(title)}</b></p>{body}{extra}"


# ------------------------------------------------------------------------------------------------------
# funnel
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class FunnelResult:
    """A funnel: customers reaching each step, conversion, drop-off and time between steps.

    Attributes
    ----------
    table : pandas.DataFrame
        Index ``step`` (labels); columns ``customers, step_conversion, overall_conversion, drop_off,
        drop_off_rate, median_time, p25_time, p75_time, mean_time`` (times in :attr:`time_unit`: since the
        previous step in strict order, since the entry step in loose order).
    by : pandas.DataFrame or None
        The same columns per group (index ``group, step``).
    per_customer : pandas.DataFrame
        Index ``customer_id`` (entered customers only): ``depth`` (steps reached), ``entry_time``, ``group``
        (when split), and ``t_<k>`` the time of each step (NaT when not reached).
    times : dict[str, numpy.ndarray]
        Durations behind the time columns, per step after the first (for distributions).
    steps, order, window, time_unit, group_name
    """

    table: pd.DataFrame
    by: pd.DataFrame | None
    _per: dict
    times: dict
    steps: list
    order: str
    window: object
    time_unit: str
    group_name: str | None = None

    @property
    def per_customer(self) -> pd.DataFrame:
        """Per entered customer: ``depth``, ``entry_time``, ``t_<k>`` (NaT when not reached)[, ``group``]."""
        if "_frame" not in self._per:
            p = self._per
            sel = p["depth"] > 0
            cols = {"depth": p["depth"][sel], "entry_time": p["step_ns"][sel, 0].view("datetime64[ns]")}
            for j in range(1, p["step_ns"].shape[1]):
                col = p["step_ns"][sel, j]
                cols[f"t_{j}"] = np.where(col >= 0, col, np.iinfo(np.int64).min).view("datetime64[ns]")  # NaT
            if p.get("groups") is not None:
                cols["group"] = p["groups"][sel]
            p["_frame"] = pd.DataFrame(cols, index=pd.Index(p["ids"][sel], name="customer_id"), copy=False)
        return self._per["_frame"]

    @property
    def summary(self) -> pd.DataFrame:
        """The step table."""
        return self.table

    @property
    def biggest_drop(self) -> str | None:
        """Step with the largest drop-off rate (the funnel's gap)."""
        rates = self.table["drop_off_rate"].iloc[1:]
        return None if rates.dropna().empty else str(rates.idxmax())

    def __repr__(self):
        t = self.table
        english = _english()
        window = self.window if self.window is not None else tr("journey.repr.no_window")
        head = tr("journey.repr.funnel").format(
            order=tr(f"journey.repr.{self.order}", self.order), window=window,
            entered=f"{int(t['customers'].iloc[0]):,}", completed=f"{int(t['customers'].iloc[-1]):,}",
            share=f"{t['overall_conversion'].iloc[-1]:.1%}")
        lines = [head] + [tr("journey.repr.step").format(step=_name(s), customers=f"{int(r.customers):,}",
                                                         share=f"{r.overall_conversion:.1%}")
                          for s, r in t.iterrows()]
        if self.biggest_drop is not None:
            lines.append("  " + self._drop_text(english))
        return "\n".join(lines)

    def _drop_text(self, english):
        step = repr(self.biggest_drop) if english else _name(self.biggest_drop)
        return tr("journey.repr.biggest_drop").format(step=step)

    def _repr_html_(self):
        english = _english()
        return _html_table(repr(self).splitlines()[0], self.table,
                           self._drop_text(english) if self.biggest_drop else "")


def _resolve_steps(events, steps, jmap):
    """Step labels and the (n_codes, n_steps) uint8 membership mask."""
    labels_index = {}  # name key -> codes of the log's labels (spellings of one name)
    for k, name in enumerate(events.event_labels):
        labels_index.setdefault(_name_key(name), []).append(k)
    stage_events = {}
    if jmap is not None:
        jm = journey_map(jmap)
        stage_events = {s: jm.events_of(s) for s in jm.stages}
    if steps is None:
        if jmap is None:
            raise SchemaError("Pass steps=[...] (event names) or journey_map= (its stages become the steps).")
        steps = list(journey_map(jmap).stages)
    if len(steps) < 1:
        raise SchemaError("A funnel needs at least one step.")
    mask = np.zeros((len(events.event_labels), len(steps)), dtype=np.uint8)
    names = []
    for j, step in enumerate(steps):
        items = [step] if isinstance(step, str) else list(step)
        for item in items:
            if item in stage_events:
                codes = [c for e in stage_events[item] for c in labels_index.get(_name_key(e), [])]
            elif _name_key(item) in labels_index:
                codes = labels_index[_name_key(item)]
            else:
                import difflib

                names_in_log = [str(e) for e in events.event_labels]
                close = difflib.get_close_matches(str(item), names_in_log + list(stage_events), n=3)
                raise SchemaError(f"Funnel step {item!r} is neither an event of the log nor a stage of the map."
                                  + (f" Did you mean {', '.join(map(repr, close))}?" if close else "")
                                  + f" Events: {names_in_log}.")
            mask[codes, j] = 1
        names.append(step if isinstance(step, str) else " | ".join(map(str, items)))
    return names, mask


def _funnel_table(depth, step_ns, names, strict, unit_ns, entered):
    """Step table and durations (in the time unit) of the customers selected by ``entered``."""
    from ._kernels.journey import funnel_durations

    counts, durations, offsets = funnel_durations(depth, step_ns, strict, entered)
    rows = []
    times = {}
    for j, name in enumerate(names):
        prev = counts[j - 1] if j else counts[0]
        times[name] = durations[offsets[j]:offsets[j + 1]] / unit_ns
        q = _quantiles(times[name])
        with np.errstate(invalid="ignore", divide="ignore"):
            rows.append({"step": name, "customers": int(counts[j]),
                         "step_conversion": counts[j] / prev if prev else np.nan,
                         "overall_conversion": counts[j] / counts[0] if counts[0] else np.nan,
                         "drop_off": int(prev - counts[j]),
                         "drop_off_rate": (prev - counts[j]) / prev if prev else np.nan,
                         "median_time": q["median"], "p25_time": q["p25"], "p75_time": q["p75"],
                         "mean_time": q["mean"]})
    table = pd.DataFrame(rows).set_index("step")
    table.iloc[0, table.columns.get_loc("drop_off_rate")] = np.nan
    return table, times


def funnel(events, steps=None, *, order="strict", window=None, by=None, journey_map=None, customers=None,
           time_unit=None) -> FunnelResult:
    """Funnel over ordered steps: who reaches each step, conversion, drop-off and time to the next step.

    Parameters
    ----------
    events : toolkit.Events
    steps : list, optional
        Step definitions in order. Each is an event name (matched ignoring case and spaces, see
        the module notes), a stage name of ``journey_map``, or a list of them (any of). Default: the stages of
        ``journey_map``.
    order : {"strict", "loose"}, default "strict"
        ``"strict"``: each step must happen after the previous step (later in the customer's sequence; other
        events may lie between). ``"loose"``: each step must happen after the entry step, in any order.
    window : number, str or Timedelta, optional
        Conversion window from the entry step (numbers in the log's time unit). Default: no limit.
    by : "channel" or pandas.Series, optional
        Split by the channel of the entry event, or by a customer attribute (Series indexed by customer_id).
    journey_map : JourneyMap, preset name or dict, optional
        Lets steps name stages.
    customers : iterable of ids or boolean Series, optional
        Restrict to these customers.
    time_unit : {"D", "W", "M"}, optional
        Unit of the time columns (default the log's).

    Returns
    -------
    FunnelResult

    Notes
    -----
    A customer *enters* with any event of step 1. Of all entries, the attempt reaching the most steps within
    the window counts (ties: the earliest entry), and steps are matched to the earliest qualifying events.
    Simultaneous events follow the tie rule of :class:`toolkit.Events`.
    """
    from ._kernels.journey import funnel_steps

    _check_events(events)
    if order not in ("strict", "loose"):
        raise ParameterError(f"order must be 'strict' or 'loose', got {order!r}.", parameter="order", value=order)
    unit, unit_ns = _unit_ns(events, time_unit)
    names, mask = _resolve_steps(events, steps, journey_map)
    win = _window_ns(window, events)
    cmask = _customer_mask(events, customers)
    depth, entry, step_ns = funnel_steps(events.offsets, events.ns, events.event_code, mask, np.int64(win),
                                         order == "strict", cmask)
    entered = depth > 0
    table, times = _funnel_table(depth, step_ns, names, order == "strict", unit_ns, entered)
    per = {"depth": depth, "step_ns": step_ns, "ids": events.customer_id, "groups": None}
    by_table = None
    group_name = None
    if by is not None:
        if isinstance(by, str):
            if by != "channel":
                raise SchemaError(f"by={by!r}: use 'channel' (channel of the entry event) or a Series of a "
                                  "customer attribute indexed by customer_id.")
            groups = _entry_channel(events, entry)
            group_name = "channel"
        else:
            groups = _aligned(by, events, "by")
            group_name = by.name if isinstance(by, pd.Series) and by.name is not None else "group"
        per["groups"] = groups
        parts = {}
        g_entered = groups[entered]
        labels = pd.unique(pd.Series(g_entered[pd.notna(g_entered)]))
        for label in sorted(labels, key=str):
            sel = entered.copy()
            sel[entered] = g_entered == label
            parts[label] = _funnel_table(depth, step_ns, names, order == "strict", unit_ns, sel)[0]
        by_table = pd.concat(parts, names=[group_name, "step"]) if parts else None
    return FunnelResult(table, by_table, per, times, names, order, window, unit, group_name)


# ------------------------------------------------------------------------------------------------------
# transitions, paths, flows, dwell
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class TransitionResult:
    """Moves between states.

    Attributes
    ----------
    counts : pandas.DataFrame
        Rows ``(start)`` + states, columns states + ``(exit)``.
    probabilities : pandas.DataFrame
        Row-normalised counts (share of moves out of each state; rows without moves are NaN).
    level : str
    collapse : bool
    """

    counts: pd.DataFrame
    level: str
    collapse: bool
    max_gap: object = None

    @property
    def probabilities(self) -> pd.DataFrame:
        totals = self.counts.sum(axis=1)
        return self.counts.div(totals.where(totals > 0), axis=0)

    @property
    def exit_rates(self) -> pd.Series:
        """Share of moves out of each state that end the journey."""
        return self.probabilities[EXIT].drop(START, errors="ignore").rename("exit_rate")

    @property
    def summary(self) -> pd.DataFrame:
        """Every observed move, most frequent first: ``from, to, moves, share_of_from``."""
        c = self.counts.stack()
        c = c[c > 0]
        p = self.probabilities.stack().reindex(c.index)
        out = pd.DataFrame({"moves": c.astype(np.int64), "share_of_from": p})
        out.index.names = ["from", "to"]
        return out.sort_values("moves", ascending=False, kind="stable")

    def __repr__(self):
        _english()
        top = self.summary.head(5)
        lines = [tr("journey.repr.transitions").format(
            level=tr(f"journey.repr.{self.level}", self.level), moves=f"{int(self.counts.to_numpy().sum()):,}",
            states=len(self.counts.columns) - 1)]
        lines += [tr("journey.repr.move").format(a=_name(a), b=_name(b), moves=f"{int(r.moves):,}",
                                                 share=f"{r.share_of_from:.0%}") for (a, b), r in top.iterrows()]
        return "\n".join(lines)

    def _repr_html_(self):
        _english()
        return _html_table(repr(self).splitlines()[0] + tr("journey.repr.transitions_html"),
                           self.probabilities.round(3))


def transition_matrix(events, level="event", *, journey_map=None, collapse=None, max_gap=None, customers=None,
                      unmapped="report") -> TransitionResult:
    """Transition counts between touchpoints or stages, with ``(start)`` and ``(exit)`` states.

    Parameters
    ----------
    events : toolkit.Events
    level : {"event", "stage"}, default "event"
    journey_map : JourneyMap, preset name or dict, optional
        Used with ``level="stage"`` (default preset ``"five_processes"``).
    collapse : bool, optional
        Merge consecutive events in the same state (no self-moves). Default: True for stages, False for events.
    max_gap : number or Timedelta, optional
        A gap longer than this (log time unit) ends a journey (exit) and starts a new one.
    customers : iterable of ids or boolean Series, optional
    unmapped : {"report", "raise"}

    Returns
    -------
    TransitionResult
    """
    from ._kernels.journey import transition_counts

    _check_events(events)
    state, labels = _view(events, level, journey_map, unmapped)
    if collapse is None:
        collapse = level == "stage"
    counts = transition_counts(events.offsets, events.ns, state, len(labels), bool(collapse),
                               np.int64(_window_ns(max_gap, events, "max_gap")), _customer_mask(events, customers))
    df = pd.DataFrame(counts, index=labels + [START], columns=labels + [EXIT])
    df = df.loc[[START] + labels]
    df.index.name, df.columns.name = "from", "to"
    return TransitionResult(df, level, bool(collapse), max_gap)


def _path_codes(events, state, n_states, collapse, max_length, cmask):
    from ._kernels.journey import path_codes

    base = n_states + 2
    if max_length < 1:
        raise ParameterError("max_length must be at least 1.", parameter="max_length", value=max_length)
    if (max_length + 1) * np.log2(base) >= 62.5:
        raise ParameterError(f"max_length={max_length} is too long for {n_states} states (paths are encoded exactly in "
                             f"64 bits); use max_length <= {int(62.5 / np.log2(base)) - 1}.",
                             parameter="max_length", value=max_length)
    return path_codes(events.offsets, state, n_states, bool(collapse), int(max_length), cmask)


def _decode(code, labels, max_length):
    base = len(labels) + 2
    parts = []
    c = int(code)
    for _ in range(max_length + 1):
        digit = c % base
        c //= base
        if digit == 0:
            break
        parts.append("…" if digit == len(labels) + 1 else labels[digit - 1])
    return " → ".join(parts)


def top_paths(events, n=10, *, level="event", journey_map=None, max_length=6, collapse=True, customers=None,
              value=None, unmapped="report") -> pd.DataFrame:
    """The most frequent journeys: each customer's first ``max_length`` steps, counted.

    Parameters
    ----------
    events : toolkit.Events
    n : int, default 10
        Paths returned (the most frequent first); ``0`` gives an empty table with the same columns.
    level, journey_map, collapse, customers, unmapped
        As in :func:`transition_matrix` (``collapse`` merges consecutive equal states; default True).
    max_length : int, default 6
        Steps kept per path; longer paths end in "…".
    value : pandas.Series, optional
        A per-customer value (revenue, CLV) indexed by customer_id: adds ``mean_value`` and ``total_value``.

    Returns
    -------
    pandas.DataFrame
        Index ``rank`` (1..n); columns ``path, customers, share, steps`` (path length, "…" counted as one),
        optionally ``mean_value, total_value``. ``attrs["n_customers"]`` holds the customers counted.
    """
    _check_events(events)
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or n < 0:
        raise ParameterError(f"n must be a whole number >= 0 (paths to return), got {n!r}.", parameter="n", value=n)
    state, labels = _view(events, level, journey_map, unmapped)
    cmask = _customer_mask(events, customers)
    code, length = _path_codes(events, state, len(labels), collapse, max_length, cmask)
    ok = code >= 0
    uniq, inverse, counts = np.unique(code[ok], return_inverse=True, return_counts=True)
    top = np.argsort(-counts, kind="stable")[:n]
    total = int(ok.sum())
    out = pd.DataFrame({"path": pd.Series([_decode(uniq[k], labels, max_length) for k in top], dtype=object),
                        "customers": counts[top].astype(np.int64),
                        "share": counts[top] / max(total, 1)})
    out["steps"] = np.asarray([p.count("→") + 1 for p in out["path"]], dtype=np.int64)
    if value is not None:
        v = pd.to_numeric(pd.Series(_aligned(value, events, "value")), errors="coerce").to_numpy()[ok]
        sums = np.bincount(inverse, weights=np.nan_to_num(v), minlength=len(uniq))
        nval = np.bincount(inverse, weights=np.isfinite(v).astype(float), minlength=len(uniq))
        with np.errstate(invalid="ignore", divide="ignore"):
            out["mean_value"] = sums[top] / nval[top]
        out["total_value"] = sums[top]
    out.index = pd.RangeIndex(1, len(out) + 1, name="rank")
    out.attrs["n_customers"] = total
    return out


@dataclass(eq=False)
class FlowResult:
    """Step-by-step flows of journeys (for a Sankey / alluvial chart).

    Attributes
    ----------
    nodes : pandas.DataFrame
        ``step, state, customers`` (``(exit)`` = journey ended before this step; rare states grouped into
        ``(other)``).
    links : pandas.DataFrame
        ``step, source, target, customers``: customers in ``source`` at step ``step`` and in ``target`` at
        step ``step + 1``.
    states : list
        All state labels, in the map / log order.
    """

    nodes: pd.DataFrame
    links: pd.DataFrame
    states: list
    n_steps: int
    level: str

    @property
    def summary(self):
        return self.links

    def __repr__(self):
        _english()
        n0 = int(self.nodes.loc[self.nodes["step"] == 0, "customers"].sum())
        return tr("journey.repr.flows").format(steps=self.n_steps, level=tr(f"journey.repr.{self.level}", self.level),
                                               customers=f"{n0:,}", links=len(self.links))

    def _repr_html_(self):
        return _html_table(repr(self), self.links.head(40), headers={"target": "journey.col.target"})


def flows(events, n_steps=4, *, level="stage", journey_map=None, collapse=True, max_nodes=12, customers=None,
          unmapped="report") -> FlowResult:
    """Journey flows step by step: where customers are at step 1, 2, ... and how they move.

    Parameters
    ----------
    events : toolkit.Events
    n_steps : int, default 4
    level, journey_map, collapse, customers, unmapped
        As in :func:`transition_matrix`.
    max_nodes : int, default 12
        At most this many states per step (the rest are grouped into ``(other)``; ``(exit)`` always shown).

    Returns
    -------
    FlowResult
    """
    from ._kernels.journey import path_matrix

    _check_events(events)
    state, labels = _view(events, level, journey_map, unmapped)
    S = len(labels)
    mat = path_matrix(events.offsets, state, S, bool(collapse), int(n_steps), _customer_mask(events, customers))
    mat = mat[mat[:, 0] >= 0].astype(np.int64)
    names = labels + [EXIT, OTHER]
    # group rare states per step
    for j in range(n_steps):
        cnt = np.bincount(mat[:, j], minlength=S + 2)
        live = np.argsort(-cnt[:S], kind="stable")
        live = live[cnt[live] > 0]
        if len(live) > max_nodes - 1 and len(live) > max_nodes:
            rare = live[max_nodes - 1:]
            col = mat[:, j]
            col[np.isin(col, rare)] = S + 1
    node_rows = []
    link_rows = []
    for j in range(n_steps):
        cnt = np.bincount(mat[:, j], minlength=S + 2)
        for s in np.flatnonzero(cnt):
            node_rows.append({"step": j, "state": names[s], "customers": int(cnt[s])})
        if j + 1 < n_steps:
            pair = mat[:, j] * (S + 2) + mat[:, j + 1]
            keep = mat[:, j] != S  # nothing flows out of an exit
            pc = np.bincount(pair[keep], minlength=(S + 2) ** 2)
            for k in np.flatnonzero(pc):
                link_rows.append({"step": j, "source": names[k // (S + 2)], "target": names[k % (S + 2)],
                                  "customers": int(pc[k])})
    return FlowResult(pd.DataFrame(node_rows, columns=["step", "state", "customers"]),
                      pd.DataFrame(link_rows, columns=["step", "source", "target", "customers"]),
                      labels, int(n_steps), level)


def dwell_times(events, *, level="stage", journey_map=None, customers=None, time_unit=None,
                unmapped="report") -> pd.DataFrame:
    """Time spent in each stage (or touchpoint) before the journey moves to another one.

    A *visit* is a run of consecutive events in the same state; its dwell time runs from its first event to the
    first event of the next visit. The last visit of each customer has not ended by the observation end: it is
    counted in ``censored`` and left out of the dwell statistics.

    Returns
    -------
    pandas.DataFrame
        Index ``state`` (in map order); columns ``visits, customers, completed, censored, median, p25, p75,
        p90, mean`` (times in the time unit).
    """
    from ._kernels.journey import stage_visits

    _check_events(events)
    unit, unit_ns = _unit_ns(events, time_unit)
    state, labels = _view(events, level, journey_map, unmapped)
    end_ns = np.int64((events.observation_end + pd.Timedelta(days=1)).value)
    vs, vc, dwell, cens = stage_visits(events.offsets, events.ns, state, end_ns, _customer_mask(events, customers))
    rows = []
    for s, label in enumerate(labels):
        sel = vs == s
        done = dwell[sel & ~cens] / unit_ns
        q = np.quantile(done, [0.25, 0.5, 0.75, 0.9]) if len(done) else [np.nan] * 4
        rows.append({"state": label, "visits": int(sel.sum()), "customers": int(len(np.unique(vc[sel]))),
                     "completed": int(len(done)), "censored": int((sel & cens).sum()), "median": q[1], "p25": q[0],
                     "p75": q[2], "p90": q[3], "mean": float(done.mean()) if len(done) else np.nan})
    out = pd.DataFrame(rows).set_index("state")
    out.attrs["time_unit"] = unit
    return out


def journey_gaps(funnel_result=None, dwell=None, transitions=None, top=3) -> pd.DataFrame:
    """The biggest gaps of a journey, ranked: largest drop-offs, longest dwells, highest exit rates.

    Parameters
    ----------
    funnel_result : FunnelResult, optional
    dwell : DataFrame from :func:`dwell_times`, optional
    transitions : TransitionResult, optional
    top : int, default 3
        Gaps kept per kind.

    Returns
    -------
    pandas.DataFrame
        ``kind, where, value, unit, rank`` — kind is ``drop-off`` (share of the previous step lost before this
        step), ``dwell`` (median time in the stage) or ``exit`` (share of moves out of the state that end the
        journey).
    """
    rows = []
    if funnel_result is not None:
        r = funnel_result.table["drop_off_rate"].iloc[1:].dropna().sort_values(ascending=False).head(top)
        rows += [{"kind": "drop-off", "where": k, "value": float(v), "unit": "share"} for k, v in r.items()]
    if dwell is not None:
        d = dwell["median"].dropna().sort_values(ascending=False).head(top)
        unit = dwell.attrs.get("time_unit", "D")
        rows += [{"kind": "dwell", "where": k, "value": float(v), "unit": unit} for k, v in d.items()]
    if transitions is not None:
        e = transitions.exit_rates.dropna().sort_values(ascending=False).head(top)
        rows += [{"kind": "exit", "where": k, "value": float(v), "unit": "share"} for k, v in e.items()]
    out = pd.DataFrame(rows, columns=["kind", "where", "value", "unit"])
    out["rank"] = out.groupby("kind").cumcount() + 1
    return out


# ------------------------------------------------------------------------------------------------------
# NPS
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class NPSResult:
    """Net Promoter Score per group with a confidence interval.

    Attributes
    ----------
    table : pandas.DataFrame
        Index group (``"all"`` first); columns ``responses, promoters, passives, detractors, promoter_share,
        passive_share, detractor_share, nps, lower, upper`` (NPS and bounds in points, -100..100).
    alpha : float
    notes : list of str
        What was read how: answers given as labels, blank answers left out, invalid answers dropped (with
        ``invalid="drop"``).
    """

    table: pd.DataFrame
    alpha: float
    notes: list = field(default_factory=list)

    @property
    def summary(self):
        return self.table

    @property
    def score(self) -> float:
        return float(self.table["nps"].iloc[0])

    def __repr__(self):
        _english()
        r = self.table.iloc[0]
        return tr("journey.repr.nps").format(
            nps=f"{r.nps:+.1f}", level=f"{1 - self.alpha:.0%}", lower=f"{r.lower:+.1f}", upper=f"{r.upper:+.1f}",
            responses=f"{int(r.responses):,}", promoters=f"{r.promoter_share:.0%}",
            detractors=f"{r.detractor_share:.0%}")

    def _repr_html_(self):
        return _html_table(repr(self), self.table)


def _nps_row(scores, z):
    s = np.asarray(scores, dtype=np.float64)
    s = s[np.isfinite(s)]
    n = len(s)
    P = int((s >= 9).sum())
    D = int((s <= 6).sum())
    A = n - P - D
    if n == 0:
        return {"responses": 0, "promoters": 0, "passives": 0, "detractors": 0, "promoter_share": np.nan,
                "passive_share": np.nan, "detractor_share": np.nan, "nps": np.nan, "lower": np.nan, "upper": np.nan}
    nps_ = (P - D) / n
    # adjusted Wald: one pseudo-response added to each category (n + 3) for the variance and centre
    pa, da = (P + 1) / (n + 3), (D + 1) / (n + 3)
    centre = pa - da
    se = np.sqrt(max(pa + da - centre**2, 0.0) / (n + 3))
    return {"responses": n, "promoters": P, "passives": A, "detractors": D, "promoter_share": P / n,
            "passive_share": A / n, "detractor_share": D / n, "nps": 100 * nps_,
            "lower": 100 * max(centre - z * se, -1.0), "upper": 100 * min(centre + z * se, 1.0)}


#: NPS answers given as the group's name instead of a score (compared ignoring case and spaces).
NPS_LABELS = {"promoter": 10.0, "promoters": 10.0, "passive": 8.0, "passives": 8.0, "neutral": 8.0,
              "detractor": 0.0, "detractors": 0.0}


def _nps_scores(values):
    """Answers as numbers (labels of :data:`NPS_LABELS` as a score of their group), the blank mask, the
    invalid mask (not a label, not a whole number 0-10) and the number of labels read."""
    raw = pd.Series(values, copy=False).reset_index(drop=True)
    s = pd.to_numeric(raw, errors="coerce").to_numpy(dtype=np.float64, copy=True)
    text = np.isnan(s) & raw.map(lambda v: isinstance(v, str)).to_numpy(dtype=bool)
    n_labels = 0
    blank = np.isnan(s) & ~text & raw.isna().to_numpy()
    if text.any():
        keys = raw[text].map(_name_key)
        s[text] = keys.map(NPS_LABELS).to_numpy(dtype=np.float64)
        blank[text] = (keys == "").to_numpy()
        n_labels = int(np.isfinite(s[text]).sum())
    invalid = ~blank & (np.isnan(s) | (s < 0) | (s > 10) | (np.mod(s, 1) != 0))
    return s, blank, invalid, n_labels


def nps(scores, *, by=None, alpha=0.05, invalid="raise") -> NPSResult:
    """Net Promoter Score: % promoters (9-10) minus % detractors (0-6), with a confidence interval.

    Parameters
    ----------
    scores : pandas.Series, array or DataFrame
        Answers 0-10; a DataFrame needs a ``score`` column (and ``customer_id`` when ``by`` is a customer
        attribute).
    by : pandas.Series or str, optional
        Group of each answer: a column name of ``scores``, a Series aligned with the answers, or a customer
        attribute indexed by customer_id (matched through ``scores["customer_id"]``).
    alpha : float, default 0.05
    invalid : {"raise", "drop"}, default "raise"
        Answers that are neither whole numbers 0-10 nor a group label (``11``, ``-1``, ``7.5``, ``"great"``):
        ``"raise"`` raises a :class:`~toolkit.errors.DataQualityError` with their count, positions and
        examples; ``"drop"`` leaves them out and says how many in :attr:`NPSResult.notes`. They are never left
        out silently. The labels ``promoter``, ``passive`` (or ``neutral``) and ``detractor`` (any case, also
        plural) count in their group. Blank answers are no answer: left out and counted in the notes.

    Returns
    -------
    NPSResult

    Raises
    ------
    DataQualityError
        Invalid answers (see ``invalid``).

    Notes
    -----
    The interval is an adjusted Wald interval for the difference of two multinomial shares: one pseudo-answer is
    added to each of promoters, passives and detractors, then ``centre ± z * sqrt((p_P + p_D - (p_P - p_D)**2) / n)``
    (in the spirit of Agresti & Caffo 2000, *The American Statistician* 54(4); see Rocks 2016, "Interval
    estimation for the net promoter score", *The American Statistician* 70(4), for a comparison of intervals).
    The point estimate is the plain NPS.
    """
    if isinstance(scores, pd.DataFrame):
        df = scores
    else:  # a list keeps each answer's own type (numpy would turn [5, "great"] into text)
        values = scores.to_numpy() if isinstance(scores, pd.Series) else scores
        df = pd.DataFrame({"score": values if isinstance(values, np.ndarray) else pd.Series(list(values), dtype=object)})
    if "score" not in df.columns:
        raise SchemaError(f"NPS answers need a 'score' column; got {list(df.columns)}.")
    if invalid not in ("raise", "drop"):
        raise ParameterError(f"invalid must be 'raise' or 'drop', got {invalid!r}.", parameter="invalid", value=invalid)
    s, blank, bad, n_labels = _nps_scores(df["score"])
    notes = []
    if n_labels:
        notes.append(f"{n_labels:,} answers given as labels (promoter / passive / detractor) counted in their group")
    if blank.any():
        notes.append(f"{int(blank.sum()):,} blank answers left out")
    if bad.any():
        pos = np.flatnonzero(bad)
        examples = df.iloc[pos[:5]]
        if invalid == "raise":
            raise DataQualityError(
                f"{len(pos):,} NPS answers in column 'score' are neither whole numbers 0-10 nor a label "
                f"(promoter, passive, neutral, detractor) (e.g. {examples['score'].tolist()} at positions {pos[:5].tolist()}). "
                "Fix: correct them, or pass invalid='drop' to leave them out (they are counted in the notes).",
                column="score", count=len(pos), examples=examples)
        notes.append(f"{len(pos):,} invalid answers (not 0-10 or a label, e.g. {examples['score'].tolist()}) left "
                     "out (invalid='drop')")
        s = np.where(bad, np.nan, s)
    z = special.ndtri(1 - alpha / 2)  # the normal quantile, without importing scipy.stats (~0.4 s)
    rows = {"all": _nps_row(s, z)}
    if by is not None:
        if isinstance(by, str):
            groups = df[by].to_numpy(dtype=object)
        elif isinstance(by, pd.Series) and "customer_id" in df.columns and not by.index.equals(df.index):
            groups = by.reindex(df["customer_id"].to_numpy()).to_numpy(dtype=object)
        else:
            groups = np.asarray(by, dtype=object)
        for g in sorted(pd.unique(pd.Series(groups).dropna()), key=str):
            rows[g] = _nps_row(s[groups == g], z)
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "group"
    return NPSResult(table, alpha, notes)


# ------------------------------------------------------------------------------------------------------
# stage KPIs
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class StageKPIs:
    """The course's KPIs per customer-management process.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per KPI: ``stage, kpi, value, unit, definition``.
    by_channel : pandas.DataFrame
        Per acquisition channel: ``reached, new_customers, conversion_rate, spend, cac, repurchase_rate,
        ltv, ltv_cac, churn_rate, nps``.
    nps : NPSResult or None
    """

    table: pd.DataFrame
    by_channel: pd.DataFrame
    nps: NPSResult | None = None
    notes: list = field(default_factory=list)

    @property
    def summary(self):
        return self.table

    def value(self, kpi) -> float:
        """Value of one KPI by name."""
        hit = self.table.loc[self.table["kpi"] == kpi, "value"]
        if hit.empty:
            raise UnknownNameError(f"unknown KPI {kpi!r}; KPIs: {self.table['kpi'].tolist()}")
        return float(hit.iloc[0])

    def __repr__(self):
        english = _english()
        lines = [tr("journey.repr.kpis")]
        for _, r in self.table.iterrows():
            v = r["value"]
            txt = tr("journey.repr.na") if pd.isna(v) else (f"{v:.1%}" if r["unit"] == "share" else f"{v:,.2f}")
            if english:
                lines.append(f"  {r['stage']:<12} {r['kpi']:<22} {txt}")
            else:
                lines.append(f"  {_name(r['stage'])}  {localize(r['kpi'])}  {txt}")
        return "\n".join(lines)

    def _repr_html_(self):
        from .formatting import format_kpi_table

        _english()
        return (_html_table(tr("journey.repr.kpis"), format_kpi_table(self).set_index(["stage", "kpi"]))
                + _html_table(tr("journey.repr.by_channel"), self.by_channel,
                              headers={"spend": "journey.col.spend"}))


def _check_same_ids(events, transactions):
    """Events and transactions must name customers the same way (both numbers or both text)."""
    ev = np.asarray(events.customer_id)
    tx = np.asarray(transactions.arrays.customer_id)
    numeric = (ev.dtype.kind in "iuf", tx.dtype.kind in "iuf")
    if numeric[0] != numeric[1]:
        kinds = ["numbers" if k else "text" for k in numeric]
        raise SchemaError(
            f"customer ids are {kinds[0]} in the events (e.g. {ev[:3].tolist()}) but {kinds[1]} in the "
            f"transactions (e.g. {tx[:3].tolist()}), so no customer would match. Read both with the same id type, "
            "e.g. events_frame['customer_id'] = events_frame['customer_id'].astype(str) before Events.from_frame.")


def _purchases(events, transactions, purchase_events):
    """Per customer purchase times (ns) as a DataFrame ``customer_id, ns`` (orders)."""
    if transactions is not None:
        _check_same_ids(events, transactions)
        f = transactions.frame
        if "order_id" in f:
            f = f.groupby(["customer_id", "order_id"], sort=False)["timestamp"].min().reset_index()
        return pd.DataFrame({"customer_id": f["customer_id"].to_numpy(),
                             "ns": f["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")})
    sel = np.isin(events.event_code, _codes_matching(events, purchase_events))
    cust = np.repeat(events.customer_id, np.diff(events.offsets))
    return pd.DataFrame({"customer_id": cust[sel], "ns": events.ns[sel]})


def stage_kpis(events, journey_map="five_processes", *, transactions=None, customers=None, nps_scores=None,
               csat=None, clv=None, spend=None, channel="channel", cost="acquisition_cost", margin=0.6,
               churn_window=90, winback_window=90, purchase_events=("purchase", "repurchase")) -> StageKPIs:
    """The course's KPI list per process, from the event log (and transactions, costs, surveys when given).

    Parameters
    ----------
    events : toolkit.Events
    journey_map : JourneyMap or preset name, default "five_processes"
        Needs the five processes' stages ``reach, acquisition, conversion, retention, win_back`` (the first
        five stages of the map are read in that role whatever their names).
    transactions : toolkit.Transactions, optional
        Purchases (else events named in ``purchase_events`` are the purchases). Needed for LTV.
    customers : pandas.DataFrame, optional
        One row per customer with ``customer_id``, the acquisition ``channel`` and its ``cost``.
    nps_scores : pandas.DataFrame, optional
        Survey answers ``customer_id, score`` (0-10).
    csat : pandas.DataFrame or Series, optional
        Satisfaction answers 1-5 (``score`` column): CSAT = share of 4-5 answers.
    clv : pandas.Series, optional
        CLV per customer (e.g. ``toolkit.clv.models.customer_lifetime_value``); default: the course CLV of
        :func:`toolkit.clv.customer_values` with ``margin`` (needs ``transactions``).
    spend : dict or pandas.Series, optional
        Acquisition spend per channel (instead of per-customer costs).
    channel, cost : str
        Column names in ``customers``.
    margin : float, default 0.6
    churn_window, winback_window : int, default 90
        Days: a customer has churned when the last purchase is more than ``churn_window`` days before the end;
        a win-back touchpoint succeeded when a purchase follows within ``winback_window`` days.
    purchase_events : tuple of str

    Returns
    -------
    StageKPIs

    Notes
    -----
    Definitions (all in :attr:`StageKPIs.table`): reach = unique people with a reach touchpoint; new customers =
    people with a first purchase; CAC = acquisition spend / new customers; conversion rate = new customers /
    people reached; repurchase rate = share of customers with two or more orders; LTV = mean CLV; CSAT = share
    of satisfied answers (4-5 of 5); NPS = % promoters - % detractors; churn rate = share of customers acquired
    at least ``churn_window`` days before the end whose last purchase is more than ``churn_window`` days before
    it; win-back rate = share of win-back touchpoints followed by a purchase within ``winback_window`` days
    (touchpoints in the last ``winback_window`` days are not judged).
    """
    _check_events(events)
    jm = journey_map if isinstance(journey_map, JourneyMap) else globals()["journey_map"](journey_map)
    if len(jm.stages) < 5:
        raise SchemaError(f"stage_kpis needs a map with five stages (reach, acquisition, conversion, retention, "
                          f"win-back); {jm.name!r} has {list(jm.stages)}.")
    state, _ = _view(events, "stage", jm)
    ids = pd.Index(events.customer_id, name="customer_id")
    cust_of_event = np.repeat(np.arange(events.n_customers), np.diff(events.offsets))
    end_ns = (events.observation_end + pd.Timedelta(days=1)).value
    notes = []
    ctab = None
    if customers is not None:
        ctab = customers.set_index("customer_id") if "customer_id" in customers.columns else customers

    acq_channel = _kpi_acquisition_channel(events, ctab, channel, ids, notes)
    reached_mask = np.zeros(events.n_customers, dtype=bool)
    reached_mask[np.unique(cust_of_event[state == 0])] = True
    buys = _purchases(events, transactions, purchase_events)
    first_buy, last_buy, n_orders = _kpi_purchase_days(buys, ids)
    spend_by = _kpi_acquisition_spend(spend, ctab, cost, ids, acq_channel)
    ltv_series = _kpi_ltv(clv, transactions, margin, ids, notes)
    csat_value = _kpi_csat(csat)
    nps_result = None
    if nps_scores is not None:
        nps_result = nps(nps_scores, by=acq_channel.rename("channel") if "customer_id" in nps_scores else None)
    churn_ns = churn_window * _NS_PER_DAY
    eligible = first_buy.notna() & (first_buy < end_ns - churn_ns)
    churned = eligible & (last_buy < end_ns - churn_ns)
    winback = _kpi_winbacks(events, state, cust_of_event, buys, end_ns, winback_window)

    table = _kpi_table(jm.stages[:5], events.n_customers, reached_mask, first_buy.notna(), n_orders, spend_by,
                       ltv_series, csat_value, nps_result, eligible, churned, winback, churn_window, winback_window)
    frame = pd.DataFrame({"channel": acq_channel.to_numpy(), "reached": reached_mask,
                          "buyer": first_buy.notna().to_numpy(),
                          "repeat": (n_orders >= 2).to_numpy() & first_buy.notna().to_numpy(),
                          "eligible": eligible.to_numpy(), "churned": churned.to_numpy()}, index=ids)
    if ltv_series is not None:
        frame["ltv"] = ltv_series.to_numpy()
    return StageKPIs(table, _kpis_by_channel(frame, spend_by, nps_result), nps_result, notes)


# ---- the steps of stage_kpis ----


def _kpi_acquisition_channel(events, ctab, channel, ids, notes):
    """Acquisition channel per customer: from the customers table, else the channel of her first event."""
    if ctab is not None:
        acq_channel = ctab[channel].reindex(ids)
    else:
        first = _first_positions(events)
        acq_channel = pd.Series(_entry_channel(events, first) if events.channel_code is not None else None,
                                index=ids)
        notes.append("acquisition channel = channel of each customer's first event (no customers table)")
    return acq_channel.astype(object)


def _kpi_purchase_days(buys, ids):
    """First and last purchase (ns) and the number of orders of every customer (NaN / 0 without purchases)."""
    g = buys.groupby("customer_id")["ns"]
    return g.min().reindex(ids), g.max().reindex(ids), g.size().reindex(ids).fillna(0)


def _kpi_acquisition_spend(spend, ctab, cost, ids, acq_channel):
    """Acquisition spend per channel: as given, or the customers' costs summed by channel (None if neither)."""
    if spend is not None:
        return pd.Series(spend, dtype=float)
    if ctab is not None and cost in ctab.columns:
        return ctab[cost].reindex(ids).groupby(acq_channel.to_numpy()).sum()
    return None


def _kpi_ltv(clv, transactions, margin, ids, notes):
    """CLV per customer: as given, else the course CLV of the transactions (None without either)."""
    if clv is not None:
        return pd.Series(clv).reindex(ids)
    if transactions is not None:
        from .clv import customer_values
        from .customers import customer_summary

        notes.append(f"LTV = course CLV (toolkit.clv.customer_values, margin {margin:g})")
        return customer_values(customer_summary(transactions), margin=margin)["clv"].reindex(ids)
    return None


def _kpi_csat(csat):
    """Share of satisfied answers (4-5 of 5); NaN without answers."""
    if csat is None:
        return np.nan
    cs = csat["score"] if isinstance(csat, pd.DataFrame) else pd.Series(csat)
    cs = pd.to_numeric(cs, errors="coerce").dropna()
    return float((cs >= 4).mean()) if len(cs) else np.nan


def _kpi_winbacks(events, state, cust_of_event, buys, end_ns, winback_window):
    """Win-back touchpoints (positions), which of them can be judged, and which a purchase followed in time."""
    win_pos = np.flatnonzero(state == 4)
    win_ns = events.ns[win_pos]
    judged = win_ns < end_ns - winback_window * _NS_PER_DAY
    win_cust = events.customer_id[cust_of_event[win_pos]]
    buys_sorted = buys.sort_values(["customer_id", "ns"])
    success = np.zeros(len(win_pos), dtype=bool)
    if len(win_pos):
        key_c = pd.Index(buys_sorted["customer_id"].to_numpy())
        b_ns = buys_sorted["ns"].to_numpy()
        starts = key_c.searchsorted(win_cust, side="left")
        stops = key_c.searchsorted(win_cust, side="right")
        for k in range(len(win_pos)):  # few offers; each looks up its customer's sorted purchases
            seg = b_ns[starts[k]:stops[k]]
            nxt = np.searchsorted(seg, win_ns[k], side="right")
            success[k] = nxt < len(seg) and seg[nxt] - win_ns[k] <= winback_window * _NS_PER_DAY
    return win_pos, judged, success


def _kpi_table(stages, people, reached_mask, buyers, n_orders, spend_by, ltv_series, csat_value, nps_result,
               eligible, churned, winback, churn_window, winback_window):
    """The KPI list per process (:attr:`StageKPIs.table`) from the per-customer pieces."""
    reach_s, acq_s, conv_s, ret_s, win_s = stages
    win_pos, judged, success = winback
    reached = int(reached_mask.sum())
    new_customers = int(buyers.sum())
    total_spend = float(spend_by.sum()) if spend_by is not None else np.nan
    cac = total_spend / new_customers if new_customers and spend_by is not None else np.nan
    ltv = float(ltv_series.mean()) if ltv_series is not None else np.nan
    churn_rate = float(churned.sum() / eligible.sum()) if eligible.any() else np.nan
    rows = [
        (reach_s, "people reached", reached, "people", "unique people with a touchpoint of this stage"),
        (reach_s, "reach rate", reached / people if people else np.nan, "share", "reached / people in the log"),
        (acq_s, "new customers", new_customers, "customers", "people with a first purchase"),
        (acq_s, "acquisition spend", total_spend, "money", "sum of acquisition costs"),
        (acq_s, "CAC", cac, "money", "acquisition spend / new customers"),
        (conv_s, "conversion rate", new_customers / people if people else np.nan, "share",
         "new customers / people in the log"),
        (ret_s, "repurchase rate", float((n_orders[buyers] >= 2).mean()) if new_customers else np.nan, "share",
         "customers with 2+ orders / customers"),
        (ret_s, "LTV", ltv, "money", "mean customer lifetime value"),
        (ret_s, "CSAT", csat_value, "share", "share of satisfaction answers 4-5 (of 5)"),
        (ret_s, "NPS", nps_result.score if nps_result is not None else np.nan, "points",
         "% promoters (9-10) - % detractors (0-6)"),
        (ret_s, "churn rate", churn_rate, "share",
         f"no purchase in the last {churn_window} days, among customers acquired before that"),
        (win_s, "win-back rate", float(success[judged].mean()) if judged.any() else np.nan, "share",
         f"win-back touchpoints followed by a purchase within {winback_window} days"),
        (win_s, "win-back touchpoints", int(len(win_pos)), "events", "events of this stage"),
    ]
    return pd.DataFrame(rows, columns=["stage", "kpi", "value", "unit", "definition"])


def _kpis_by_channel(frame, spend_by, nps_result):
    """The KPIs per acquisition channel (:attr:`StageKPIs.by_channel`) from one row of flags per customer."""
    grp = frame.groupby("channel", dropna=True)
    bc = pd.DataFrame({"people": grp.size(), "reached": grp["reached"].sum(), "new_customers": grp["buyer"].sum()})
    bc["conversion_rate"] = bc["new_customers"] / bc["people"]
    if spend_by is not None:
        bc["spend"] = spend_by.reindex(bc.index)
        bc["cac"] = bc["spend"] / bc["new_customers"]
    bc["repurchase_rate"] = grp["repeat"].sum() / bc["new_customers"]
    if "ltv" in frame:
        bc["ltv"] = grp["ltv"].mean()
        if "cac" in bc:
            bc["ltv_cac"] = bc["ltv"] / bc["cac"]
    bc["churn_rate"] = grp["churned"].sum() / grp["eligible"].sum()
    if nps_result is not None:
        bc["nps"] = nps_result.table["nps"].reindex(bc.index)
    bc.index.name = "channel"
    return bc


# ------------------------------------------------------------------------------------------------------
# journey board
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class JourneyBoard:
    """Stages across, KPIs and gaps down: the data of the journey-map board.

    Attributes
    ----------
    grid : pandas.DataFrame
        Index = rows of the board (``customers``, ``conversion from previous``, ``median dwell``, ``exit rate``,
        then KPI names), columns = stages; values as numbers.
    units : dict
        Row -> unit (``share``, ``count``, a time unit, ``money``, ``points``).
    gaps : pandas.DataFrame
        From :func:`journey_gaps`.
    flags : pandas.DataFrame
        Same shape as ``grid``; True where a cell is one of the biggest gaps (highlighted on the board).
    """

    grid: pd.DataFrame
    units: dict
    gaps: pd.DataFrame
    flags: pd.DataFrame
    map_name: str = ""

    @property
    def summary(self):
        return self.grid

    def __repr__(self):
        english = _english()
        g = self.gaps[self.gaps["rank"] == 1]
        txt = tr("journey.repr.gap_sep").join(
            tr("journey.repr.gap").format(kind=localize(r.kind), where=_name(r["where"])) for _, r in g.iterrows())
        return tr("journey.repr.board").format(name=repr(self.map_name) if english else _name(self.map_name),
                                               stages=len(self.grid.columns), rows=len(self.grid), gaps=txt)

    def _repr_html_(self):
        from .formatting import _UNIT_KINDS

        grid = self.grid.copy()  # rows are measures: each row formatted by its unit (counts, shares, days, money)
        grid.attrs["orient"] = "rows"
        grid.attrs["row_kinds"] = {row: _UNIT_KINDS.get(str(self.units.get(row)), "count" if self.units.get(row)
                                                        == "events" else None) for row in grid.index}
        return _html_table(repr(self), grid)



def journey_board(events, journey_map="five_processes", *, kpis=None, window=None, customers=None) -> JourneyBoard:
    """Build the journey-map board: per stage the customers reaching it (stage funnel in loose order), the
    conversion from the previous stage, the median dwell, the exit rate, and the stage KPIs when given.

    Parameters
    ----------
    events : toolkit.Events
    journey_map : JourneyMap or preset name
    kpis : StageKPIs, optional
        Adds each KPI under its stage.
    window : number, optional
        Conversion window of the stage funnel.
    customers : optional
        Restrict to these customers.

    Returns
    -------
    JourneyBoard
    """
    jm = globals()["journey_map"](journey_map)
    f = funnel(events, list(jm.stages), journey_map=jm, order="loose", window=window, customers=customers)
    d = dwell_times(events, journey_map=jm, customers=customers)
    t = transition_matrix(events, "stage", journey_map=jm, customers=customers)
    stages = list(jm.stages)
    unit = d.attrs.get("time_unit", "D")
    grid = pd.DataFrame({
        "customers": f.table["customers"].to_numpy(dtype=float),
        "conversion from previous": f.table["step_conversion"].to_numpy(),
        f"median dwell ({unit})": d["median"].reindex(stages).to_numpy(),
        "exit rate": t.exit_rates.reindex(stages).to_numpy(),
    }, index=stages).T
    units = {"customers": "count", "conversion from previous": "share", f"median dwell ({unit})": unit,
             "exit rate": "share"}
    if kpis is not None:
        for _, r in kpis.table.iterrows():
            if r["stage"] in grid.columns and r["kpi"] not in grid.index:
                grid.loc[r["kpi"]] = np.nan
                grid.loc[r["kpi"], r["stage"]] = r["value"]
                units[r["kpi"]] = r["unit"]
    grid.iloc[1, 0] = np.nan
    gaps = journey_gaps(f, d, t, top=1)
    flags = pd.DataFrame(False, index=grid.index, columns=grid.columns)
    row_of = {"drop-off": "conversion from previous", "dwell": f"median dwell ({unit})", "exit": "exit rate"}
    for _, r in gaps.iterrows():
        if r["where"] in flags.columns:
            flags.loc[row_of[r["kind"]], r["where"]] = True
    return JourneyBoard(grid, units, gaps, flags, jm.name)


# ------------------------------------------------------------------------------------------------------
# affinity and cross-sell
# ------------------------------------------------------------------------------------------------------
def _baskets(transactions, basket):
    a = transactions.arrays
    if a.category is None:
        raise SchemaError("Co-purchase affinity needs a category column: map it in "
                          "Transactions.from_frame(category=...).")
    cust = np.repeat(np.arange(a.n_customers), np.diff(a.offsets))
    if basket == "customer":
        bid = cust
    elif basket == "order":
        bid = a.order_code if a.order_code is not None else np.arange(a.n_transactions)
    else:
        raise ParameterError(f"basket must be 'customer' or 'order', got {basket!r}.", parameter="basket", value=basket)
    ok = a.category >= 0
    return bid[ok].astype(np.int64), a.category[ok].astype(np.int64), cust[ok], list(a.category_labels)


def _rules(bid, cat, n_cat, labels, min_support):
    from scipy import sparse

    if len(bid) == 0:
        return pd.DataFrame(columns=["antecedent", "consequent", "baskets", "support", "confidence", "lift"])
    codes, b = np.unique(bid, return_inverse=True)
    B = sparse.csr_matrix((np.ones(len(b), dtype=np.int64), (b, cat)), shape=(len(codes), n_cat))
    B.data[:] = 1
    B.sum_duplicates()
    B.data = np.minimum(B.data, 1)
    co = (B.T @ B).toarray()
    n = len(codes)
    single = np.diag(co).astype(np.float64)
    rows = []
    for i in range(n_cat):
        for j in range(n_cat):
            if i == j or co[i, j] == 0:
                continue
            support = co[i, j] / n
            if support < min_support:
                continue
            conf = co[i, j] / single[i]
            rows.append({"antecedent": labels[i], "consequent": labels[j], "baskets": int(co[i, j]),
                         "support": support, "confidence": conf, "lift": conf / (single[j] / n)})
    out = pd.DataFrame(rows, columns=["antecedent", "consequent", "baskets", "support", "confidence", "lift"])
    out.attrs["n_baskets"] = n
    return out.sort_values("lift", ascending=False, kind="stable").reset_index(drop=True)


def affinity(transactions, *, by=None, basket="customer", min_support=0.0) -> pd.DataFrame:
    """Category co-purchase affinity: support, confidence and lift of every pair "bought A → also bought B".

    Parameters
    ----------
    transactions : toolkit.Transactions
        With a category column.
    by : pandas.Series, optional
        Customer segment (indexed by customer_id): rules are computed within each segment.
    basket : {"customer", "order"}, default "customer"
        What counts as bought together: anything a customer ever bought (hidden needs across time, the
        course's infant-formula / maternity-wear example), or one order.
    min_support : float, default 0

    Returns
    -------
    pandas.DataFrame
        ``antecedent, consequent, baskets, support, confidence, lift`` (plus ``segment`` first with ``by``),
        sorted by lift. support = P(A and B), confidence = P(B | A), lift = P(B | A) / P(B) (Agrawal,
        Imieliński & Swami 1993; Brin et al. 1997).
    """
    bid, cat, cust, labels = _baskets(transactions, basket)
    if by is None:
        return _rules(bid, cat, len(labels), labels, min_support)
    seg = pd.Series(by).reindex(pd.Index(transactions.arrays.customer_id)).to_numpy(dtype=object)
    parts = []
    for g in sorted(pd.unique(pd.Series(seg).dropna()), key=str):
        sel = seg[cust] == g
        r = _rules(bid[sel], cat[sel], len(labels), labels, min_support)
        r.insert(0, "segment", g)
        parts.append(r)
    return pd.concat(parts, ignore_index=True) if parts else _rules(bid[:0], cat[:0], len(labels), labels, 0)


def cross_sell(transactions, *, rules=None, value=None, top=3, min_lift=1.0) -> pd.DataFrame:
    """Cross-sell candidates per customer: categories not yet bought, ranked by lift x value.

    For customer i and a category b they have not bought, ``lift_ib`` is the largest lift of a rule
    "a → b" over the categories a they bought; ``value_b`` is the mean revenue per buyer of b (or ``value``).

    Parameters
    ----------
    transactions : toolkit.Transactions
    rules : DataFrame from :func:`affinity`, optional
        Default: customer-basket rules of ``transactions``.
    value : dict or pandas.Series, optional
        Value of each category (default: mean revenue per customer who bought it).
    top : int, default 3
        Candidates per customer.
    min_lift : float, default 1.0
        Only rules with a lift above this count (lift <= 1 means no affinity).

    Returns
    -------
    pandas.DataFrame
        ``customer_id, rank, category, because_of, lift, value, score`` sorted by customer and rank.
    """
    a = transactions.arrays
    bid, cat, cust, labels = _baskets(transactions, "customer")
    rules = affinity(transactions) if rules is None else rules
    L = np.zeros((len(labels), len(labels)))
    idx = {c: k for k, c in enumerate(labels)}
    for r in rules.itertuples():
        if r.lift > min_lift and r.antecedent in idx and r.consequent in idx:
            L[idx[r.antecedent], idx[r.consequent]] = r.lift
    B = np.zeros((a.n_customers, len(labels)), dtype=bool)
    B[cust, cat] = True
    if value is None:
        rev = np.zeros((a.n_customers, len(labels)))
        ok = a.category >= 0
        np.add.at(rev, (np.repeat(np.arange(a.n_customers), np.diff(a.offsets))[ok], a.category[ok]), a.amount[ok])
        with np.errstate(invalid="ignore", divide="ignore"):
            val = np.nan_to_num(rev.sum(axis=0) / B.sum(axis=0))
    else:
        val = pd.Series(value, dtype=float).reindex(labels).fillna(0).to_numpy()
    best = np.zeros((a.n_customers, len(labels)))
    because = np.full((a.n_customers, len(labels)), -1)
    for k in range(len(labels)):
        cand = np.where(B[:, k:k + 1], L[k][None, :], 0.0)
        better = cand > best
        best = np.where(better, cand, best)
        because = np.where(better, k, because)
    best[B] = 0.0
    score = best * val[None, :]
    order = np.argsort(-score, axis=1, kind="stable")[:, :top]
    rows_i = np.repeat(np.arange(a.n_customers), order.shape[1])
    cols = order.ravel()
    keep = score[rows_i, cols] > 0
    rows_i, cols = rows_i[keep], cols[keep]
    labels_arr = np.asarray(labels, dtype=object)
    out = pd.DataFrame({"customer_id": a.customer_id[rows_i], "category": labels_arr[cols],
                        "because_of": labels_arr[because[rows_i, cols]], "lift": best[rows_i, cols],
                        "value": val[cols], "score": score[rows_i, cols]})
    out.insert(1, "rank", out.groupby("customer_id").cumcount() + 1)
    return out


# ------------------------------------------------------------------------------------------------------
# journeys linked to value
# ------------------------------------------------------------------------------------------------------
@dataclass(eq=False)
class JourneyValue:
    """Journeys linked to money.

    Attributes
    ----------
    per_customer : pandas.DataFrame
        Index customer_id: ``entry_channel, path, exit_stage, furthest_stage, revenue, margin, clv, referrals,
        complaints``.
    by_entry_channel, by_path, by_exit_stage : pandas.DataFrame
        ``customers, revenue, margin, clv`` (means per customer) and ``total_clv``.
    referral : pandas.DataFrame
        What a referral is worth: mean CLV of referred customers vs others (net of acquisition cost when
        given), and per referral made.
    complaint : pandas.DataFrame
        What a complaint costs: margin lost in the months after a complaint compared with similar customers
        (see the Notes of :func:`journey_value`), with a 95% interval.
    """

    per_customer: pd.DataFrame
    by_entry_channel: pd.DataFrame
    by_path: pd.DataFrame
    by_exit_stage: pd.DataFrame
    referral: pd.DataFrame
    complaint: pd.DataFrame

    @property
    def summary(self):
        return self.by_entry_channel

    @property
    def referral_worth(self) -> float:
        return float(self.referral.loc["value of a referred customer", "value"])

    @property
    def complaint_cost(self) -> float:
        return float(self.complaint.loc["cost of a complaint (margin, within channel)", "value"])

    def __repr__(self):
        _english()
        return tr("journey.repr.value").format(customers=f"{len(self.per_customer):,}",
                                               referral=f"{self.referral_worth:,.0f}",
                                               complaint=f"{self.complaint_cost:,.0f}")

    def _repr_html_(self):
        margin, money = {"margin": "journey.col.margin"}, {"margin": "money"}  # margin here is money, not a rate
        return (_html_table(repr(self), self.by_entry_channel, headers=margin, kinds=money)
                + _html_table(tr("journey.repr.by_exit"), self.by_exit_stage, headers=margin, kinds=money)
                + _html_table(tr("journey.repr.referral"), self.referral)
                + _html_table(tr("journey.repr.complaint"), self.complaint))


def _complaint_cost(events, transactions, per, complaint_event, margin, horizon_days):
    H = pd.Timedelta(days=horizon_days)
    end = events.observation_end + pd.Timedelta(days=1)
    ev = events.frame
    first_c = ev.loc[ev["event"] == complaint_event].groupby("customer_id", observed=True)["timestamp"].min()
    tx = transactions.frame[["customer_id", "timestamp", "amount"]]
    first_buy = tx.groupby("customer_id")["timestamp"].min().reindex(per.index)
    tenure = (first_c - first_buy.reindex(first_c.index)).dropna()
    chan = per["entry_channel"]
    med = tenure.groupby(chan.reindex(tenure.index).to_numpy()).median()
    ref = (first_buy + chan.map(med).astype("timedelta64[ns]")).where(~per.index.isin(first_c.index))
    ref = ref.fillna(first_c.reindex(per.index))
    ref = ref[ref.notna() & (ref + H <= end)]
    m = tx.merge(ref.rename("ref").reset_index(), on="customer_id")
    before = m[(m["timestamp"] > m["ref"] - H) & (m["timestamp"] <= m["ref"])].groupby("customer_id")["amount"].sum()
    after = m[(m["timestamp"] > m["ref"]) & (m["timestamp"] <= m["ref"] + H)].groupby("customer_id")["amount"].sum()
    active = before.index[before > 0]
    change = (after.reindex(active).fillna(0.0) - before.reindex(active)).rename("change").to_frame()
    change["complaint"] = change.index.isin(first_c.index)
    change["channel"] = chan.reindex(change.index).to_numpy()
    diffs, weights, variances = [], [], []
    for _, g in change.groupby("channel"):
        a = g.loc[g["complaint"], "change"]
        b = g.loc[~g["complaint"], "change"]
        if len(a) and len(b) > 1:
            diffs.append(b.mean() - a.mean())
            weights.append(len(a))
            variances.append((a.var(ddof=1) / len(a) if len(a) > 1 else 0.0) + b.var(ddof=1) / len(b))
    w = np.asarray(weights, dtype=float)
    if w.sum() > 0:
        w = w / w.sum()
        cost, se = float(np.dot(w, diffs)) * margin, float(np.sqrt(np.dot(w**2, variances))) * margin
    else:
        cost, se = np.nan, np.nan
    comp = per["complaints"] > 0
    rows = {
        "customers with a complaint": float(comp.sum()),
        "complainers compared": float(change["complaint"].sum()),
        "others compared": float((~change["complaint"]).sum()),
        f"revenue change after a complaint ({horizon_days} d)": change.loc[change["complaint"], "change"].mean(),
        f"revenue change of others ({horizon_days} d)": change.loc[~change["complaint"], "change"].mean(),
        "cost of a complaint (margin, within channel)": cost,
        "lower 95%": cost - 1.96 * se,
        "upper 95%": cost + 1.96 * se,
        "mean CLV with a complaint (raw)": per.loc[comp, "clv"].mean(),
        "mean CLV without a complaint (raw)": per.loc[~comp, "clv"].mean(),
    }
    return pd.DataFrame({"value": pd.Series(rows, dtype=float)})


def _group_value(df, key):
    g = df.groupby(key, dropna=True, observed=True)
    out = pd.DataFrame({"customers": g.size(), "revenue": g["revenue"].mean(), "margin": g["margin"].mean(),
                        "clv": g["clv"].mean(), "total_clv": g["clv"].sum()})
    return out.sort_values("total_clv", ascending=False, kind="stable")


def journey_value(events, transactions, journey_map="five_processes", *, clv=None, margin=0.6, customers=None,
                  channel="channel", cost="acquisition_cost", referral_channel="referral", referral_event="referral",
                  complaint_event="complaint", max_length=4, level="stage", top=10,
                  horizon_days=180) -> JourneyValue:
    """Link journeys to value: revenue, margin and CLV by entry channel, path and the stage where customers left.

    Parameters
    ----------
    events : toolkit.Events
    transactions : toolkit.Transactions
    journey_map : JourneyMap or preset name
    clv : pandas.Series, optional
        CLV per customer; default the course CLV of :func:`toolkit.clv.customer_values` (``margin``).
    margin : float, default 0.6
        Share of revenue that is margin.
    customers : pandas.DataFrame, optional
        ``customer_id``, acquisition ``channel`` and ``cost`` columns; the entry channel is the acquisition
        channel when given, else the channel of the first event.
    referral_channel : str, default "referral"
        Acquisition channel of referred customers.
    referral_event, complaint_event : str
        Event names of a referral made and of a complaint.
    max_length, level, top
        Paths: first ``max_length`` steps at ``level``; ``by_path`` keeps the ``top`` most frequent.
    horizon_days : int, default 180
        Window before and after a complaint over which revenue is compared.

    Returns
    -------
    JourneyValue

    Notes
    -----
    **What a complaint costs** is a difference in differences: for each customer with a complaint, revenue in
    the ``horizon_days`` after the first complaint minus revenue in the ``horizon_days`` before it; the same
    for customers without a complaint around a reference date at the same tenure (the median tenure at the
    first complaint of their entry channel). Only customers who bought in the "before" window (active when
    the complaint came) and whose "after" window ends by the observation end count. The cost is the
    complainers' change minus the others' change, averaged within entry channels weighted by the complainers
    (direct standardisation), times ``margin``, with a 95% normal interval. It is an association measured in
    the data, not a proven causal effect; the raw CLV means of both groups are shown for contrast
    (complainers are often the more active customers, so raw comparisons mislead).
    """
    _check_same_ids(events, transactions)
    from .customers import customer_summary

    _check_events(events)
    jm = globals()["journey_map"](journey_map)
    ids = pd.Index(events.customer_id, name="customer_id")
    summary = customer_summary(transactions)
    revenue = summary["revenue"].reindex(ids).fillna(0.0)
    if clv is None:
        from .clv import customer_values

        clv = customer_values(summary, margin=margin)["clv"]
    clv = pd.Series(clv).reindex(ids)
    if customers is not None:
        ctab = customers.set_index("customer_id") if "customer_id" in customers.columns else customers
        entry = ctab[channel].reindex(ids).astype(object)
        acq_cost = ctab[cost].reindex(ids) if cost in ctab.columns else None
    else:
        entry = pd.Series(_entry_channel(events, _first_positions(events)), index=ids)
        acq_cost = None
    from ._kernels.journey import last_state, max_state

    state, labels = _view(events, level, jm)
    empty = np.empty(0, dtype=np.uint8)
    code, _ = _path_codes(events, state, len(labels), True, max_length, empty)
    uniq, inverse, counts = np.unique(code, return_inverse=True, return_counts=True)
    paths = np.array([_decode(c, labels, max_length) if c >= 0 else None for c in uniq], dtype=object)[inverse]
    sstate, slabels = _view(events, "stage", jm)
    last = last_state(events.offsets, sstate, empty)
    furthest = max_state(events.offsets, sstate, empty)
    lab = np.append(np.asarray(slabels, dtype=object), None)
    ev_counts = {}
    for name in (referral_event, complaint_event):
        hit = np.isin(events.event_code, _codes_matching(events, [name]))
        cust = np.repeat(np.arange(events.n_customers), np.diff(events.offsets))
        ev_counts[name] = np.bincount(cust[hit], minlength=events.n_customers)
    per = pd.DataFrame({"entry_channel": entry.to_numpy(), "path": paths, "exit_stage": lab[last],
                        "furthest_stage": lab[furthest], "revenue": revenue.to_numpy(),
                        "margin": revenue.to_numpy() * margin, "clv": clv.to_numpy(),
                        "referrals": ev_counts[referral_event], "complaints": ev_counts[complaint_event]}, index=ids)
    by_path = _group_value(per, "path").sort_values("customers", ascending=False, kind="stable").head(top)
    by_exit = _group_value(per, "exit_stage").reindex([s for s in slabels if s in set(per["exit_stage"].dropna())])

    # referral worth
    referred = per["entry_channel"] == referral_channel
    v_ref = per.loc[referred, "clv"].mean()
    v_other = per.loc[~referred, "clv"].mean()
    rows = {"value of a referred customer": v_ref, "value of other customers": v_other,
            "difference": v_ref - v_other}
    if acq_cost is not None:
        c_ref = acq_cost[referred.to_numpy()].mean()
        rows["acquisition cost of a referred customer"] = c_ref
        rows["net value of a referred customer"] = v_ref - c_ref
    n_ref_made = int(per["referrals"].sum())
    rows["referrals made"] = n_ref_made
    rows["referred customers"] = int(referred.sum())
    rows["value of one referral made"] = v_ref * referred.sum() / n_ref_made if n_ref_made else np.nan
    referral = pd.DataFrame({"value": pd.Series(rows, dtype=float)})

    complaint = _complaint_cost(events, transactions, per, complaint_event, margin, horizon_days)
    return JourneyValue(per, _group_value(per, "entry_channel"), by_path, by_exit, referral, complaint)
