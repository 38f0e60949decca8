"""KPI board: targets as data, KPI definitions over a window, and the board section."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import DataQualityError, SchemaError
from ..i18n import tr
from .base import ReportContext, Section


# ---------------------------------------------------------------------------------------------- KPIs
@dataclass(frozen=True)
class Target:
    """A consultant's target for one KPI. Targets are data: build them in code, a dict or a JSON file.

    Parameters
    ----------
    kpi : str
        A key of :data:`KPIS` (``"clv"``, ``"repurchase_rate"``, ``"nps"``, ...).
    kind : {"absolute", "ratio", "relative", "points"}
        How the target value is computed from ``value`` and ``baseline``:

        ==========  ==============================  =============================================
        absolute    target = value                  "repurchase rate at least 0.35"
        ratio       target = value x baseline       "CLV at least 1.2 x the industry mean"
        relative    target = baseline x (1 + value) "repurchase rate +10%" (value 0.10)
        points      target = baseline + value       "NPS +5 points" (value 5)
        ==========  ==============================  =============================================
    value : float
    baseline : float, "previous" or None, default "previous"
        A number (e.g. an industry mean from a benchmark study), or ``"previous"``: the same KPI over the
        previous KPI window (the 12 months before the last 12, by default). ``None`` means "not given yet": the
        board shows the actual value and no target. Ignored for ``kind="absolute"``.
    label : str, optional
        Text on the board; default built from the KPI and the rule. Kept as given (English for code); ``print``
        and f-strings show its translation under ``set_language("zh")`` when the catalogue knows it.

    Notes
    -----
    Gap = actual − target, in the KPI's units. A target is met when the gap is >= 0 (every KPI in
    :data:`KPIS` is "higher is better").
    """

    kpi: str
    kind: str
    value: float
    baseline: object = "previous"
    label: str | None = None

    def __post_init__(self):
        if self.kpi not in KPIS:
            raise SchemaError(f"Unknown KPI {self.kpi!r} in a target. Known KPIs: {sorted(KPIS)}.")
        if self.kind not in _KINDS:
            raise SchemaError(f"Target kind must be one of {sorted(_KINDS)}, got {self.kind!r} (KPI {self.kpi!r}).")
        if not isinstance(self.value, (int, float)) or isinstance(self.value, bool) or not math.isfinite(self.value):
            raise SchemaError(f"Target value for {self.kpi!r} must be a finite number, got {self.value!r}.")
        b = self.baseline
        if not (b is None or b == "previous" or (isinstance(b, (int, float)) and not isinstance(b, bool)
                                                   and math.isfinite(b))):
            raise SchemaError(f"Target baseline for {self.kpi!r} must be a number, 'previous' or null, got {b!r}.")
        if isinstance(self.label, str):  # the English label, printed in the notebook's language
            from ..i18n import Sentence

            object.__setattr__(self, "label", Sentence(self.label))

    @property
    def rule(self) -> str:
        """The rule in words, e.g. ``"1.2 x industry/benchmark value"``."""
        base = "previous period" if self.baseline == "previous" else (
            "baseline not set" if self.baseline is None else f"baseline {self.baseline:,.4g}")
        return {
            "absolute": f"at least {self.value:,.4g}",
            "ratio": f"{self.value:g} x {base}",
            "relative": f"{base} {self.value:+.0%}",
            "points": f"{base} {self.value:+g} points",
        }[self.kind]

    def target_value(self, baseline):
        """The target for a known baseline value (NaN when the baseline is missing)."""
        if self.kind == "absolute":
            return float(self.value)
        if baseline is None or not math.isfinite(baseline):
            return math.nan
        return {"ratio": self.value * baseline, "relative": baseline * (1 + self.value),
                "points": baseline + self.value}[self.kind]


_KINDS = {"absolute", "ratio", "relative", "points"}


def _window_stats(tx, end_day, window):
    """Per customer: purchase days and revenue in (end_day - window, end_day]."""
    arr = tx.arrays
    n = arr.n_customers
    owner = np.repeat(np.arange(n), np.diff(arr.offsets))
    day = np.asarray(arr.day)
    sel = (day > end_day - window) & (day <= end_day)
    o, d = owner[sel], day[sel]
    new_day = np.ones(len(o), dtype=bool)
    if len(o) > 1:
        new_day[1:] = (o[1:] != o[:-1]) | (d[1:] != d[:-1])
    days = np.bincount(o[new_day], minlength=n)
    revenue = np.bincount(o, weights=np.asarray(arr.amount)[sel], minlength=n)
    return days, revenue


def _kpi_repurchase(ctx, end):
    days, _ = _window_stats(ctx.transactions, ctx.transactions.arrays.day_of(end), ctx.settings.kpi_window_days)
    buyers = days > 0
    return float((days[buyers] >= 2).mean()) if buyers.any() else math.nan


def _kpi_retention(ctx, end):
    w = ctx.settings.kpi_window_days
    end_day = ctx.transactions.arrays.day_of(end)
    now, _ = _window_stats(ctx.transactions, end_day, w)
    before, _ = _window_stats(ctx.transactions, end_day - w, w)
    base = before > 0
    return float((now[base] > 0).mean()) if base.any() else math.nan


def _kpi_active(ctx, end):
    days, _ = _window_stats(ctx.transactions, ctx.transactions.arrays.day_of(end), ctx.settings.kpi_window_days)
    return float((days > 0).sum())


def _kpi_revenue(ctx, end):
    _, rev = _window_stats(ctx.transactions, ctx.transactions.arrays.day_of(end), ctx.settings.kpi_window_days)
    return float(rev.sum())


def _kpi_revenue_per_active(ctx, end):
    days, rev = _window_stats(ctx.transactions, ctx.transactions.arrays.day_of(end), ctx.settings.kpi_window_days)
    active = int((days > 0).sum())
    return float(rev.sum() / active) if active else math.nan


def _summary_at(ctx, end):
    from ..customers import customer_summary

    if end >= ctx.transactions.observation_end:
        return ctx.summary
    first = ctx.transactions.frame["timestamp"].min().normalize()
    if end < first:
        return None
    return customer_summary(ctx.transactions, observation_end=end)


def _kpi_clv(ctx, end):
    from .. import clv

    s = ctx.settings
    if end >= ctx.transactions.observation_end and "course_clv" in ctx.cache:
        return float(ctx.cache["course_clv"]["clv"].mean())
    summary = _summary_at(ctx, end)
    if summary is None or not len(summary):
        return math.nan
    r = float(clv.estimate_retention(summary)["retention"].iloc[0])
    if not math.isfinite(r):
        return math.nan
    values = clv.customer_values(summary, margin=s.margin, retention=min(max(r, 0.01), 0.99),
                                 discount_rate=s.discount_rate)
    return float(values["clv"].mean())


def _kpi_model_clv(ctx, end):
    from ..clv.models import BetaGeo, GammaGamma, customer_lifetime_value

    s = ctx.settings
    if end >= ctx.transactions.observation_end and "model_clv" in ctx.cache:
        return float(ctx.cache["model_clv"].mean())
    summary = _summary_at(ctx, end)
    if summary is None:
        return math.nan
    summary = summary[summary["T"] > 0]
    if not len(summary):
        return math.nan
    bg = BetaGeo().fit(summary)
    gg = GammaGamma().fit(summary)
    monthly = (1 + s.discount_rate) ** (1 / 12) - 1
    return float(customer_lifetime_value(bg, summary, gg, horizon=s.horizon_months, period="M",
                                         discount_rate=monthly, margin=s.margin).mean())


def nps_score(scores) -> float:
    """Net Promoter Score in points: % promoters (9-10) − % detractors (0-6), from -100 to 100.

    Parameters
    ----------
    scores : array-like of int
        Survey answers on the 0-10 scale.

    Returns
    -------
    float
        NaN when there are no answers.

    Raises
    ------
    DataQualityError
        Missing, non-integer or out-of-range answers (with their count and examples).
    """
    s = pd.to_numeric(pd.Series(scores), errors="coerce")
    bad = s.isna() | (s < 0) | (s > 10) | (s != np.floor(s))
    if bad.any():
        raise DataQualityError(
            f"{int(bad.sum()):,} NPS answers are not whole numbers from 0 to 10 (e.g. "
            f"{pd.Series(scores)[bad.to_numpy()].head(3).tolist()}). Fix or remove them.",
            column="score", count=int(bad.sum()))
    if not len(s):
        return math.nan
    return float(100.0 * ((s >= 9).mean() - (s <= 6).mean()))


def _nps_window(ctx, end):
    """Answers (a boolean mask over ``ctx.nps``) in the KPI window ending at ``end``."""
    end = pd.Timestamp(end).normalize()
    start = end - pd.Timedelta(days=ctx.settings.kpi_window_days)
    day = ctx.nps["date"].dt.normalize()
    return (day > start) & (day <= end)


def _kpi_nps(ctx, end):
    if ctx.nps is None:
        return math.nan
    if pd.Timestamp(end).normalize() == ctx.transactions.observation_end.normalize():
        return float(nps_definitions(ctx).loc["window", "nps"])  # the number the journey section shows too
    sel = _nps_window(ctx, end)
    return nps_score(ctx.nps.loc[sel, "score"]) if sel.any() else math.nan


def nps_definitions(ctx: ReportContext) -> pd.DataFrame | None:
    """NPS under the two definitions a report uses, computed once per report (``ctx.cache["nps"]``).

    ``"all"``: every survey answer (the journey section's NPS with its confidence interval); ``"window"``: the
    answers in the KPI window, the last ``kpi_window_days`` up to the observation end (the KPI board's NPS).
    The two differ when the score moves over time; the report labels both.

    Returns
    -------
    pandas.DataFrame or None
        Index ``definition`` ("all", "window"); columns ``label, nps, answers, first, last``. None without
        survey answers.
    """
    if ctx.nps is None:
        return None
    if "nps" not in ctx.cache:
        nps = ctx.nps
        w = ctx.settings.kpi_window_days
        rows = []
        for key, sel in (("all", pd.Series(True, index=nps.index)), ("window", _nps_window(ctx, ctx.transactions.observation_end))):
            part = nps.loc[sel]
            first = part["date"].min() if len(part) else pd.NaT
            last = part["date"].max() if len(part) else pd.NaT
            label = (tr("report.nps.all", "NPS, all {n} answers").format(n=f"{len(part):,}") if key == "all" else
                     tr("report.nps.window", "NPS, last {days} days ({n} answers)").format(days=w, n=f"{len(part):,}"))
            rows.append({"definition": key, "label": label,
                         "nps": nps_score(part["score"]) if len(part) else math.nan,
                         "answers": len(part), "first": first, "last": last})
        ctx.cache["nps"] = pd.DataFrame(rows).set_index("definition")
    return ctx.cache["nps"]


#: KPIs a :class:`Target` can name: key -> (label, definition, function(ctx, end) -> float).
#: Window KPIs are measured over the ``kpi_window_days`` up to ``end``.
KPIS = {
    "clv": ("mean course CLV per customer",
            "mean of historical + current + potential value over customers acquired "
            "by the end, at the estimated annual retention, report margin and discount rate", _kpi_clv),
    "model_clv": ("mean BG/NBD + Gamma-Gamma CLV",
                  "mean discounted CLV over the report horizon from BG/NBD and Gamma-Gamma fitted on the history "
                  "up to the end", _kpi_model_clv),
    "repurchase_rate": ("repurchase rate",
                        "share of the window's buyers who bought on 2 or more distinct days in the window",
                        _kpi_repurchase),
    "retention_rate": ("retention rate",
                       "share of the previous window's buyers who bought again in the window", _kpi_retention),
    "active_customers": ("active customers", "customers who bought in the window", _kpi_active),
    "revenue": ("revenue", "revenue in the window", _kpi_revenue),
    "revenue_per_active": ("revenue per active customer", "revenue in the window / active customers",
                           _kpi_revenue_per_active),
    "nps": ("NPS", "Net Promoter Score of the window's survey answers: % 9-10 − % 0-6 (points)", _kpi_nps),
}

#: The course's targets: mean CLV at least 1.2 x the industry mean (set the industry mean as the baseline:
#: ``parse_targets(COURSE_TARGETS, industry_clv=...)``), repurchase rate +10% on the previous year, NPS +5 points on
#: the previous year.
COURSE_TARGETS = (
    Target("clv", "ratio", 1.2, baseline=None, label="mean CLV ≥ 1.2 × industry mean"),
    Target("repurchase_rate", "relative", 0.10, baseline="previous", label="repurchase rate +10% on last year"),
    Target("nps", "points", 5.0, baseline="previous", label="NPS +5 points on last year"),
)


def parse_targets(targets=None, *, industry_clv=None):
    """Normalise targets given as Target objects, dicts or a JSON-style mapping into a list of :class:`Target`.

    Parameters
    ----------
    targets : None, sequence of Target or dict, or dict
        ``None``: :data:`COURSE_TARGETS`. A sequence of :class:`Target` or of dicts with the Target fields. A
        mapping ``{kpi: spec}`` where ``spec`` is a dict of the other fields (``{"kind": "points", "value": 5}``) or
        a bare number (an absolute target). This is also the JSON format read by :func:`read_targets`::

            {"clv": {"kind": "ratio", "value": 1.2, "baseline": 850, "label": "CLV ≥ 1.2 × industry mean"},
             "repurchase_rate": {"kind": "relative", "value": 0.10},
             "nps": {"kind": "points", "value": 5}}
    industry_clv : float, optional
        Baseline filled into ``"clv"`` ratio targets whose baseline is not set (the industry mean CLV).

    Returns
    -------
    list of Target

    Raises
    ------
    SchemaError
        Unknown KPI or kind, or a malformed entry.
    """
    if targets is None:
        targets = COURSE_TARGETS
    items = []
    if isinstance(targets, dict):
        for kpi, spec in targets.items():
            if isinstance(spec, (int, float)) and not isinstance(spec, bool):
                spec = {"kind": "absolute", "value": spec}
            if not isinstance(spec, dict):
                raise SchemaError(f"Target for {kpi!r} must be a number or an object with kind/value, got {spec!r}.")
            items.append({"kpi": kpi, **spec})
    else:
        items = list(targets)
    out = []
    for item in items:
        if isinstance(item, Target):
            t = item
        elif isinstance(item, dict):
            unknown = set(item) - {"kpi", "kind", "value", "baseline", "label"}
            if unknown or "kpi" not in item or "value" not in item:
                raise SchemaError(f"A target needs kpi, kind and value (optional baseline, label); got {item!r}.")
            t = Target(item["kpi"], item.get("kind", "absolute"), item["value"], item.get("baseline", "previous"),
                       item.get("label"))
        else:
            raise SchemaError(f"Targets must be Target objects or dicts, got {type(item).__name__}.")
        if industry_clv is not None and t.kpi == "clv" and t.kind == "ratio" and t.baseline is None:
            t = replace(t, baseline=float(industry_clv))
        out.append(t)
    return out


def read_targets(path, *, industry_clv=None):
    """Read targets from a JSON file (format in :func:`parse_targets`)."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"No such targets file: {path}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaError(f"{path.name} is not valid JSON: {exc}") from None
    return parse_targets(data, industry_clv=industry_clv)


def compute_kpis(ctx: ReportContext, kpis, end=None) -> dict:
    """Values of the named KPIs over the KPI window ending at ``end`` (default: the observation end).

    A value is computed from whatever data the window holds; whether the data cover the whole window is a
    separate question, answered by :func:`kpi_board` (see :data:`KPI_WINDOWS`).
    """
    end = ctx.transactions.observation_end if end is None else pd.Timestamp(end).normalize()
    return {k: KPIS[k][2](ctx, end) for k in kpis}


#: Windows of history a KPI reads up to its end date: 0 for values "as of" a date (CLV), 2 for the retention
#: rate (the window and the one before it), 1 for the others. A value counts only when the data cover all of it.
KPI_WINDOWS = {"clv": 0, "model_clv": 0, "retention_rate": 2}


def _data_start(ctx, kpi):
    """First day with data for ``kpi``: the first survey answer for NPS, the first purchase otherwise."""
    if kpi == "nps":
        if ctx.nps is None or not len(ctx.nps):
            return None
        return pd.Timestamp(ctx.nps["date"].min()).normalize()
    return pd.Timestamp(ctx.transactions.frame["timestamp"].min()).normalize()


def _coverage(start, first, needed):
    """Days of data among the ``needed`` days that end the day before ``start`` (``first`` = first data day)."""
    have = (start - first).days
    return int(min(max(have, 0), needed))


def kpi_board(ctx: ReportContext, targets=None) -> pd.DataFrame:
    """The KPI board: one row per target with actual, baseline, target, gap = actual − target and met.

    Parameters
    ----------
    ctx : ReportContext
    targets : list of Target, optional
        Defaults to ``ctx.targets``.

    Returns
    -------
    pandas.DataFrame
        Index ``kpi``; columns ``label, actual, baseline, target, gap, met, status, window, baseline_window,
        rule, definition``. ``met`` is True/False, or None when there is no verdict; ``status`` says which
        ("met", "missed", "no baseline given", "no data in the window", "not enough history for a baseline
        (needs 365 days before 2024-01-01, has 9)", ...). ``window`` and ``baseline_window`` give the dates
        each number covers. ``attrs`` holds the windows (``start``, ``end``, ``previous_start``,
        ``previous_end``), ``window_days`` and the first purchase day (``data_start``).

    Notes
    -----
    A comparison is only fair between windows of equal length. A "previous" baseline therefore counts only when
    the data start on or before the previous window's first day (for the retention rate, which compares a
    window with the one before, one window earlier still; for CLV, a value as of a date, the previous window
    must be covered so the baseline rests on a year of history like the actual). Otherwise the row gets no
    verdict (``met`` None) and its status says how many days are missing. Likewise, a KPI whose current
    window is only partly covered by the data gets no verdict. NPS coverage is judged by the first survey
    answer, every other KPI by the first purchase.
    """
    targets = ctx.targets if targets is None else targets
    w = int(ctx.settings.kpi_window_days)
    day = pd.Timedelta(days=1)
    end = ctx.transactions.observation_end
    start = end - pd.Timedelta(days=w) + day  # first day of the current window
    prev_end = start - day
    prev_start = prev_end - pd.Timedelta(days=w) + day
    kpis = list(dict.fromkeys(t.kpi for t in targets))
    actual = compute_kpis(ctx, kpis, end)
    need_prev = list(dict.fromkeys(t.kpi for t in targets if t.baseline == "previous" and t.kind != "absolute"))
    previous = compute_kpis(ctx, need_prev, prev_end) if need_prev else {}
    rows = []
    for t in targets:
        k = KPI_WINDOWS.get(t.kpi, 1)
        first = _data_start(ctx, t.kpi)
        # the current value needs k windows of data up to the end; a previous-period baseline needs
        # max(k, 1) full windows before the current window starts (the same length as the current window)
        now_days = k * w
        now_has = _coverage(end + day, first, now_days) if first is not None else now_days
        prev_days = max(k, 1) * w
        prev_has = _coverage(start, first, prev_days) if first is not None else 0
        uses_prev = t.kind != "absolute" and t.baseline == "previous"
        now_ok = now_has >= now_days
        prev_ok = prev_has >= prev_days
        if t.kind == "absolute":
            base = math.nan
        elif uses_prev:
            base = previous[t.kpi] if prev_ok else math.nan
        elif t.baseline is None:
            base = math.nan
        else:
            base = float(t.baseline)
        target = t.target_value(base)
        a = actual[t.kpi]
        gap = a - target if math.isfinite(a) and math.isfinite(target) and now_ok else math.nan
        if first is not None and not now_ok:
            note = (f"not enough history for the window (needs {now_days} days up to {end:%Y-%m-%d}, "
                    f"has {now_has})")
        elif math.isfinite(gap):
            note = "met" if gap >= 0 else "missed"
        elif not math.isfinite(a):
            note = "no NPS answers in the window" if t.kpi == "nps" and ctx.nps is None else "no data in the window"
        elif t.baseline is None:
            note = "no baseline given"
        elif uses_prev and not prev_ok:
            note = (f"not enough history for a baseline (needs {prev_days} days before {start:%Y-%m-%d}, "
                    f"has {prev_has})")
        else:
            note = "no data in the previous window"
        window = (f"as of {end:%Y-%m-%d}" if k == 0 else
                  f"{end - pd.Timedelta(days=now_days) + day:%Y-%m-%d} to {end:%Y-%m-%d}")
        if uses_prev:
            base_window = (f"as of {prev_end:%Y-%m-%d}" if k == 0 else
                           f"{start - pd.Timedelta(days=prev_days):%Y-%m-%d} to {prev_end:%Y-%m-%d}")
        else:
            base_window = "" if t.kind == "absolute" or t.baseline is None else "given"
        rows.append({"kpi": t.kpi, "label": t.label or f"{KPIS[t.kpi][0]}: {t.rule}", "actual": a, "baseline": base,
                     "target": target, "gap": gap, "met": (bool(gap >= 0) if math.isfinite(gap) else None),
                     "status": note, "window": window, "baseline_window": base_window, "rule": t.rule,
                     "definition": KPIS[t.kpi][1]})
    board = pd.DataFrame(rows, columns=["kpi", "label", "actual", "baseline", "target", "gap", "met", "status",
                                        "window", "baseline_window", "rule", "definition"]).set_index("kpi")
    board["met"] = board["met"].astype(object)
    first_purchase = _data_start(ctx, "revenue")
    board.attrs.update(window_days=w, start=str(start.date()), end=str(end.date()),
                       previous_start=str(prev_start.date()), previous_end=str(prev_end.date()),
                       data_start=str(first_purchase.date()))
    return board


def section_kpis(ctx: ReportContext) -> Section:
    """KPI board against the consultant's targets."""
    from ..plotting.report import plot_kpi_board

    w = ctx.settings.kpi_window_days
    board = kpi_board(ctx)
    a = board.attrs
    n_met = int((board["status"] == "met").sum())
    n_missed = int((board["status"] == "missed").sum())
    n_none = int(board["met"].isna().sum())
    sec = Section("kpis", tr("report.section.kpis", "KPI board"), intro=tr(
        "report.intro.kpis",
        "Each KPI over the last {w} days ({start} to {end}) against the consultant's target (gap = actual − "
        "target), with a previous-period baseline over the {w} days before ({previous_start} to {previous_end}) "
        "only where the data, which start on {data_start}, cover it.").format(w=w, **a))
    sec.intro += " " + tr("report.sowhat.kpis",
                          "{met} of {n} targets are met, {missed} missed and {none} without a verdict.").format(
        met=n_met, n=len(board), missed=n_missed, none=n_none)
    ctx.cache["kpi_board"] = board
    met = board["met"]
    sec.add_number("targets", tr("report.kpis.targets", "targets"), len(board))
    sec.add_number("met", tr("report.kpis.met", "met"), n_met)
    sec.add_number("missed", tr("report.kpis.missed", "missed"), n_missed)
    sec.add_number("no_verdict", tr("report.kpis.no_verdict", "no verdict"), n_none)
    for _, row in board[met.isna()].iterrows():  # a KPI without a verdict qualifies the board: a caveat
        sec.caveat(f"{row['label']}: no verdict: {row['status']}.")
    if len(board):
        sec.add_figure(tr("report.section.kpis", "KPI board"), lambda ax: plot_kpi_board(board, ax=ax, currency=ctx.settings.currency),
                       figsize=(9, 0.8 * len(board) + 1.6))
    sec.tables["KPI board"] = board
    return sec


