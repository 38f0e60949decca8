"""Client playbook report: the toolkit's analyses of one client's data, in one self-contained HTML file.

:func:`build_report` runs a list of *sections* on a validated transaction log (plus, optionally, an event log
and NPS survey responses) and returns a :class:`Report`. Each section is a small function
``section(ctx) -> Section`` that reads the shared :class:`ReportContext` and returns tables, figures (PNG bytes),
headline numbers and notes; sections are looked up by key in :data:`SECTIONS`, so a new analysis plugs in with
:func:`register_section`. The default order is :data:`DEFAULT_SECTIONS`:

==========  ===========================================================================================
data        the :class:`~toolkit.CleaningReport`: rows in = rows kept + rows dropped, by reason
rfm         RFM scores and segments, the course's value tiers, revenue concentration
cohorts     monthly cohort retention, period rates (repurchase, churn), Kaplan-Meier survival
lifecycle   lifecycle stages and patterns, pattern mix by acquisition quarter, early-warning list
journey     journey board, stage funnel, stage KPIs and NPS (``toolkit.journey``; needs an event log)
clv         course CLV per customer, and a BG/NBD + Gamma-Gamma fit with its holdout fit-health verdict
kpis        the KPI board: actual, target and gap = actual − target for the consultant's targets
==========  ===========================================================================================

Targets are data: a list of :class:`Target` (or the equivalent dict / JSON file, see :func:`parse_targets`);
:data:`COURSE_TARGETS` are the course's (mean CLV at least 1.2 x the industry mean, repurchase rate +10%,
NPS +5 points). The KPIs a target can name are in :data:`KPIS`.

A section that fails on the data with a toolkit error (for example a model that does not converge) is kept in
the report with status ``"error"`` and the message, and the other sections still run; programming errors are
not caught.

Figures are drawn by :mod:`toolkit.plotting` (imported only when a report is built), so importing this module
stays light.
"""

from __future__ import annotations

import base64
import html
import json
import math
import sys
import time
import warnings
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .data import Transactions, as_transactions
from .errors import DataQualityError, DataQualityWarning, SchemaError, ToolkitError
from .i18n import get_language, register, tr

__all__ = [
    "build_report",
    "Report",
    "Section",
    "ReportContext",
    "ReportSettings",
    "Target",
    "COURSE_TARGETS",
    "KPIS",
    "SECTIONS",
    "DEFAULT_SECTIONS",
    "register_section",
    "parse_targets",
    "read_targets",
    "compute_kpis",
    "kpi_board",
    "nps_score",
]

register({
    "report.title": {"en": "Customer value report", "zh": "客户价值报告"},
    "report.section.data": {"en": "Data validation", "zh": "数据校验"},
    "report.section.rfm": {"en": "RFM and value tiers", "zh": "RFM 与价值分层"},
    "report.section.cohorts": {"en": "Cohorts and retention", "zh": "同期群与留存"},
    "report.section.lifecycle": {"en": "Lifecycle", "zh": "客户生命周期"},
    "report.section.journey": {"en": "Customer journey", "zh": "客户旅程"},
    "report.section.clv": {"en": "Customer lifetime value", "zh": "客户终身价值"},
    "report.section.kpis": {"en": "KPI board", "zh": "KPI 看板"},
    "report.fig.tiers": {"en": "Customers and revenue by value tier", "zh": "各价值层级的客户与收入占比"},
    "report.fig.rf": {"en": "Customers by R and F score", "zh": "按 R、F 得分的客户分布"},
    "report.fig.pareto": {"en": "Revenue concentration", "zh": "收入集中度"},
    "report.fig.cohorts": {"en": "Retention by monthly cohort", "zh": "月度同期群留存率"},
    "report.fig.survival": {"en": "Customer survival", "zh": "客户生存曲线"},
    "report.fig.clv_tiers": {"en": "Mean course CLV per customer by value tier", "zh": "各价值层级的平均 CLV"},
    "report.fig.holdout": {"en": "BG/NBD: calibration vs holdout", "zh": "BG/NBD：校准期与验证期"},
    "report.fig.tracking": {"en": "BG/NBD: cumulative repeat purchases", "zh": "BG/NBD：累计重复购买"},
    "report.fig.model_clv": {"en": "BG/NBD + Gamma-Gamma CLV per customer", "zh": "BG/NBD + Gamma-Gamma 客户 CLV"},
    "report.toc": {"en": "Contents", "zh": "目录"},
    "report.assumptions": {"en": "Assumptions and run details", "zh": "假设与运行信息"},
})


# ============================================================================================ settings
@dataclass(frozen=True)
class ReportSettings:
    """Business assumptions and analysis choices of a report (all shown in the report's last table).

    Attributes
    ----------
    margin : float, default 0.6
        Gross margin rate used for every CLV (course default).
    discount_rate : float, default 0.10
        Annual discount rate for CLV.
    horizon_months : int, default 36
        Horizon of the BG/NBD + Gamma-Gamma CLV.
    churn_window_days : int, default 90
        Churn definition: no purchase for this many days (cohort rates and survival).
    kpi_window_days : int, default 365
        KPI window: KPIs are measured over the last ``kpi_window_days`` up to the observation end; a
        ``"previous"`` baseline is the same KPI over the window before it.
    cohort_period : {"W", "M", "Q"}, default "M"
        Calendar period of the cohort matrix and period rates.
    holdout_days : int, optional
        Holdout length of the BG/NBD fit-health check. Default: a quarter of the observed span, at most 365
        days. Spans shorter than 8 weeks skip the check.
    bins : int, default 5
        RFM score bins.
    segment_map : str or DataFrame, default "rf_grid"
        RFM segment map (see ``toolkit.rfm.SEGMENT_MAPS``).
    benchmark_mean : float, optional
        Benchmark mean annual spend of the value tiers (default: the data's own mean).
    currency : str, default ""
        Money label shown next to amounts (e.g. "CNY").
    loyal_duration_days, time_to_stability_days, lost_gap_days : float, optional
        Lifecycle durations in days (``LifecycleClassifier(loyal_duration=..., time_to_stability=...,
        lost_gap=...)``), e.g. the business's own expected loyal duration. Default: learned from the data,
        bounded by the observed window (the lifecycle section's notes say what was assumed).
    """

    margin: float = 0.6
    discount_rate: float = 0.10
    horizon_months: int = 36
    churn_window_days: int = 90
    kpi_window_days: int = 365
    cohort_period: str = "M"
    holdout_days: int | None = None
    bins: int = 5
    segment_map: object = "rf_grid"
    benchmark_mean: float | None = None
    currency: str = ""
    loyal_duration_days: float | None = None
    time_to_stability_days: float | None = None
    lost_gap_days: float | None = None

    def __post_init__(self):
        from ._validate import check_int, check_number

        # one day short of 100 years: every window must fit between pandas' Timestamp limits
        days = 36_524
        for name in ("loyal_duration_days", "time_to_stability_days", "lost_gap_days"):
            value = getattr(self, name)
            if value is not None:
                check_number(name, value, low=0.0, high=days, inclusive="right",
                             hint="It is a number of days (or None to learn it from the data).")
        check_number("margin", self.margin, low=0.0, high=1.0, hint="Pass 0.6 for 60%.")
        check_number("discount_rate", self.discount_rate, low=0.0, high=1.0, inclusive="left",
                     hint="It is an annual rate: pass 0.1 for 10%.")
        check_int("horizon_months", self.horizon_months, low=1, high=1200, hint="For example 36 (three years).")
        check_int("kpi_window_days", self.kpi_window_days, low=1, high=days,
                  hint="It is the KPI window in days, e.g. 365 (one year).")
        check_int("churn_window_days", self.churn_window_days, low=1, high=days,
                  hint="It is the churn definition in days, e.g. 90.")
        if self.holdout_days is not None:
            check_int("holdout_days", self.holdout_days, low=1, high=days, hint="For example 180.")
        check_int("bins", self.bins, low=2, high=10, hint="RFM scores use 2 to 10 bins; 5 is usual.")
        if self.benchmark_mean is not None:
            check_number("benchmark_mean", self.benchmark_mean, low=0.0, inclusive="neither",
                         hint="It is a mean annual spend per customer.")
        if self.cohort_period not in ("D", "W", "M", "Q"):
            raise ValueError(f"cohort_period must be 'D', 'W', 'M' or 'Q', got {self.cohort_period!r}.")

    def table(self) -> pd.DataFrame:
        """The settings as a two-column table (setting, value)."""
        rows = [(k, v if isinstance(v, (int, float, str)) or v is None else type(v).__name__)
                for k, v in self.__dict__.items()]
        return pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting")


# ============================================================================================ sections
@dataclass
class Section:
    """One part of a report: headline numbers, tables, figures and notes.

    Attributes
    ----------
    key : str
        Identifier (``report["rfm"]``).
    title : str
    intro : str
        One paragraph saying what the section shows and how to read it.
    status : {"ok", "skipped", "error"}
    headline : list of (str, str)
        Formatted headline numbers, in display order.
    numbers : dict[str, float]
        The same numbers, unformatted, by key (for code and tests).
    tables : dict[str, pandas.DataFrame]
    figures : dict[str, bytes]
        PNG files by caption.
    notes : list[str]
        Warnings raised while computing the section, data caveats, reasons for skipping.
    seconds : float
        Time the section took.
    """

    key: str
    title: str
    intro: str = ""
    status: str = "ok"
    headline: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    figures: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    seconds: float = 0.0

    def add_number(self, key, label, value, fmt="{:,.0f}"):
        """Record a headline number (``fmt`` formats it; NaN shows as "n/a")."""
        value = float(value) if value is not None else math.nan
        self.numbers[key] = value
        self.headline.append((label, "n/a" if not math.isfinite(value) else fmt.format(value)))

    def add_figure(self, caption, draw, figsize=(7.0, 4.2)):
        """Render ``draw(ax)`` to PNG and keep it under ``caption``."""
        from .plotting.report import figure_png

        self.figures[caption] = figure_png(draw, figsize=figsize)

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def to_html(self, number=None) -> str:
        """HTML fragment of this section (``<section>``)."""
        title = f"{number}. {self.title}" if number is not None else self.title
        parts = [f'<section id="sec-{html.escape(self.key)}" class="status-{html.escape(self.status)}">',
                 f"<h2>{html.escape(title)}</h2>"]
        if self.status != "ok":
            parts.append(f'<p class="status">{html.escape(self.status)}</p>')
        if self.intro:
            parts.append(f'<p class="intro">{html.escape(self.intro)}</p>')
        if self.headline:
            items = "".join(f"<div><dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd></div>" for k, v in self.headline)
            parts.append(f'<dl class="headline">{items}</dl>')
        for caption, png in self.figures.items():
            data = base64.b64encode(png).decode("ascii")
            parts.append(f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{data}">'
                         f"<figcaption>{html.escape(caption)}</figcaption></figure>")
        for name, table in self.tables.items():
            parts.append(f"<h3>{html.escape(name)}</h3>{_table_html(table)}")
        if self.notes:
            parts.append('<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        parts.append("</section>")
        return "\n".join(parts)

    def _repr_html_(self):
        return self.to_html()

    def __repr__(self):
        head = "; ".join(f"{k} {v}" for k, v in self.headline[:5])
        return f"<Section {self.key!r} ({self.status}): {head}>"


_MAX_TABLE_ROWS = 60


def _fmt_float(v):
    if not np.isfinite(v):
        return "–"
    if v != 0 and abs(v) < 0.001:
        return f"{v:.2e}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    if abs(v) >= 100:
        return f"{v:,.1f}"
    return f"{v:.3f}".rstrip("0").rstrip(".") if v != int(v) else f"{v:.0f}"


def _label(v):
    return " / ".join(str(x) for x in v) if isinstance(v, tuple) else str(v)


def _cell_html(v):
    if isinstance(v, (bool, np.bool_)) or v is None:
        return "<td>" + ("–" if v is None else html.escape(str(v))) + "</td>"
    if isinstance(v, (int, np.integer)):
        return f'<td class="n">{v:,}</td>'
    if isinstance(v, (float, np.floating)):
        return f'<td class="n">{_fmt_float(float(v))}</td>'
    if isinstance(v, pd.Timestamp):
        return f"<td>{v:%Y-%m-%d %H:%M}</td>" if (v.hour or v.minute) else f"<td>{v:%Y-%m-%d}</td>"
    if v is pd.NaT or (not isinstance(v, str) and pd.api.types.is_scalar(v) and pd.isna(v)):
        return "<td>–</td>"
    text = str(v)
    # long text (a reason, an action) gets room to read instead of a one-word-wide column
    return f'<td class="long">{html.escape(text)}</td>' if len(text) > 40 else f"<td>{html.escape(text)}</td>"


def _table_html(table):
    """A DataFrame as a plain HTML table: numbers right-aligned and formatted, text escaped, long tables cut."""
    frame = table
    extra = ""
    if len(frame) > _MAX_TABLE_ROWS:
        extra = f'<p class="more">First {_MAX_TABLE_ROWS} of {len(frame):,} rows.</p>'
        frame = frame.head(_MAX_TABLE_ROWS)
    index_name = _label(tuple(n for n in frame.index.names if n is not None)) if any(frame.index.names) else ""
    head = f"<tr><th>{html.escape(index_name)}</th>" + "".join(
        f"<th>{html.escape(_label(c))}</th>" for c in frame.columns) + "</tr>"
    rows = []
    for idx, values in zip(frame.index, frame.itertuples(index=False, name=None)):
        rows.append(f"<tr><th>{html.escape(_label(idx))}</th>" + "".join(_cell_html(v) for v in values) + "</tr>")
    return (f'<div class="table-wrap"><table class="table"><thead>{head}</thead><tbody>{"".join(rows)}</tbody>'
            f'</table></div>{extra}')


@dataclass
class ReportContext:
    """What every section function receives.

    Attributes
    ----------
    transactions : toolkit.Transactions
    events : toolkit.Events, pandas.DataFrame or None
        Event log (``customer_id, timestamp, event``, optionally ``channel``, ``order_id``), as given.
    nps : pandas.DataFrame or None
        Survey responses (``customer_id``, ``date``, ``score``), validated by :func:`nps_score`.
    targets : list of Target
    settings : ReportSettings
    cache : dict
        Results shared between sections (``"summary"``, ``"tiers"``, ``"course_clv"``, ``"model_clv"`` ...).
    """

    transactions: Transactions
    events: object = None
    nps: pd.DataFrame | None = None
    targets: list = field(default_factory=list)
    settings: ReportSettings = field(default_factory=ReportSettings)
    cache: dict = field(default_factory=dict)

    @property
    def summary(self) -> pd.DataFrame:
        """``toolkit.customer_summary(transactions)``, computed once."""
        if "summary" not in self.cache:
            from .customers import customer_summary

            self.cache["summary"] = customer_summary(self.transactions)
        return self.cache["summary"]


def _money_fmt(ctx, decimals=0):
    cur = f" {ctx.settings.currency}" if ctx.settings.currency else ""
    return "{:,.%df}%s" % (decimals, cur.replace("{", "{{").replace("}", "}}"))


# ---------------------------------------------------------------------------------------------- data
def section_data(ctx: ReportContext) -> Section:
    """Data validation: the CleaningReport (rows in = kept + dropped by reason), customers and period."""
    tx = ctx.transactions
    rep = tx.report
    sec = Section("data", tr("report.section.data", "Data validation"), intro=(
        "Every row of the export and its money is accounted for: rows in = rows kept + rows dropped, and money in = "
        "money kept + money dropped, by reason. Rows kept but worth knowing about (refunds netted, zero amounts, "
        "lines that look like postage or fees) are listed too. All later sections use the kept rows."))
    sec.add_number("rows_in", "rows in", rep.rows_in)
    sec.add_number("rows_kept", "rows kept", rep.rows_kept)
    sec.add_number("rows_dropped", "rows dropped", rep.rows_dropped)
    for reason, count in rep.dropped.items():
        sec.numbers[f"dropped: {reason}"] = float(count)
    sec.add_number("customers", "customers", tx.n_customers)
    sec.add_number("revenue", "revenue", float(tx.frame["amount"].sum()), _money_fmt(ctx))
    first = tx.frame["timestamp"].min()
    sec.headline.append(("period", f"{first:%Y-%m-%d} to {tx.observation_end:%Y-%m-%d}"))
    sec.add_number("money_in", "money in the export", rep.money_in, _money_fmt(ctx, 2))
    sec.add_number("money_kept", "money kept", rep.money_kept, _money_fmt(ctx, 2))
    if rep.cancelled_later > 0:
        sec.add_number("cancelled_later", "kept revenue cancelled later (refunds dropped)", rep.cancelled_later,
                       _money_fmt(ctx, 2))
    sec.tables["rows in = kept + dropped"] = rep.summary.set_index("reason")
    if rep.suspect_items is not None and len(rep.suspect_items):
        sec.tables["kept lines that look like non-product lines"] = rep.suspect_items.head(15)
    for reason, ex in rep.examples.items():
        sec.tables[f"examples: {reason}"] = ex.head(5)
    for note in rep.notes:
        sec.note(note)
    if not rep.balanced:  # pragma: no cover - Transactions guarantees it
        sec.note("The cleaning report does not balance: please report this as a bug.")
    return sec


# ---------------------------------------------------------------------------------------------- RFM
def section_rfm(ctx: ReportContext) -> Section:
    """RFM scores and segments, the course's value tiers and revenue concentration."""
    from . import rfm
    from .plotting import rfm as rfm_plots

    s = ctx.settings
    summary = ctx.summary
    sec = Section("rfm", tr("report.section.rfm", "RFM and value tiers"), intro=(
        "Customers scored 1-5 on recency (days since the last purchase), frequency (purchase days) and money "
        "(revenue), grouped into named segments; the course's value tiers (high, potential, regular, dormant) "
        "from the last 12 months' spend, purchases and recency; and how concentrated revenue is."))
    scores = rfm.rfm_scores(summary, bins=s.bins)
    segments = rfm.assign_segments(scores, s.segment_map)
    seg_table = rfm.segment_summary(segments)
    tiers = rfm.value_tiers(ctx.transactions, benchmark_mean=s.benchmark_mean)
    tier_table = rfm.segment_summary(summary, segment_col="tier", labels=tiers)
    conc = rfm.revenue_concentration(summary)
    ctx.cache["tiers"] = tiers
    n = len(summary)
    sec.add_number("customers", "customers", n)
    for tier in ("high", "dormant"):
        share = tier_table.loc[tier, "share"] if tier in tier_table.index else 0.0
        sec.add_number(f"{tier}_share", f"{tier}-value tier" if tier == "high" else "dormant tier", share, "{:.1%}")
    if "high" in tier_table.index:
        sec.add_number("high_revenue_share", "revenue from the high-value tier", tier_table.loc["high", "revenue_share"],
                       "{:.1%}")
    sec.add_number("top20_revenue_share", "revenue from the top 20% of customers",
                   conc.top.loc["top 20%", "revenue_share"] if "top 20%" in conc.top.index else math.nan, "{:.1%}")
    sec.add_number("gini", "Gini coefficient of revenue", conc.gini, "{:.2f}")
    sec.add_number("benchmark_mean", "benchmark mean annual spend", tiers.attrs["benchmark_mean"], _money_fmt(ctx))
    sec.add_figure(tr("report.fig.tiers", "Customers and revenue by value tier"),
                   lambda ax: rfm_plots.plot_segments(tier_table, ax=ax,
                                                      title=tr("report.fig.tiers", "Customers and revenue by value tier")),
                   figsize=(7, 3.6))
    sec.add_figure(tr("report.fig.rf", "Customers by R and F score"),
                   lambda ax: rfm_plots.plot_rf_heatmap(segments, ax=ax, title=tr("report.fig.rf", "Customers by R and F score")),
                   figsize=(6, 4.8))
    sec.add_figure(tr("report.fig.pareto", "Revenue concentration"),
                   lambda ax: rfm_plots.plot_pareto(conc, ax=ax), figsize=(6, 4.6))
    sec.tables["value tiers"] = tier_table
    sec.tables["value tier rules"] = pd.DataFrame(tiers.attrs["rules"]).T
    sec.tables["RFM segments"] = seg_table
    sec.tables["revenue concentration"] = conc.top
    return sec


# ---------------------------------------------------------------------------------------------- cohorts
def section_cohorts(ctx: ReportContext) -> Section:
    """Cohort retention matrix, average retention curve, period rates and Kaplan-Meier survival."""
    from . import cohorts
    from .plotting import cohorts as cohort_plots

    s = ctx.settings
    tx = ctx.transactions
    sec = Section("cohorts", tr("report.section.cohorts", "Cohorts and retention"), intro=(
        f"Customers grouped by the calendar period of their first purchase (cohort): the share still buying in "
        f"each later period, period-by-period repurchase and churn rates (churn = no purchase for "
        f"{s.churn_window_days} days), and the Kaplan-Meier survival curve of customers under that definition."))
    matrix = cohorts.retention_matrix(tx, s.cohort_period)
    curve = cohorts.average_curve(matrix)
    rates = cohorts.period_rates(tx, s.cohort_period, window=s.churn_window_days)
    survival = cohorts.survival_curves(tx, window=s.churn_window_days, time_unit="M")
    unit = {"D": "day", "W": "week", "M": "month", "Q": "quarter"}[s.cohort_period]
    sec.add_number("cohorts", "cohorts", len(matrix))
    row = curve.loc["all"] if "all" in curve.index else curve.iloc[0]
    for k in (1, 3, 12):
        if k in row.index:
            sec.add_number(f"retention_{k}", f"still buying in {unit} {k}", row[k], "{:.1%}")
    if len(rates):
        last = rates.iloc[-1]
        label = str(rates.index[-1])
        sec.add_number("repurchase_rate_last", f"repurchase rate in {label}", last["repurchase_rate"], "{:.1%}")
        sec.add_number("churn_rate_last", f"churn rate in {label}", last["churn_rate"], "{:.1%}")
    median = survival.summary["median_lifetime"].iloc[0]
    sec.add_number("median_lifetime_months", "median customer lifetime (months)", median, "{:.1f}")
    period_names = {"D": "days", "W": "weeks", "M": "months", "Q": "quarters"}
    show = matrix if len(matrix) <= 36 else matrix.iloc[-36:]
    if show is not matrix:
        show.attrs = dict(matrix.attrs, cohort_size=tuple(list(matrix.attrs["cohort_size"])[-36:]))
        sec.note(f"The heatmap shows the last 36 of {len(matrix)} cohorts.")
    sec.add_figure(tr("report.fig.cohorts", "Retention by monthly cohort"),
                   lambda ax: cohort_plots.plot_cohort_heatmap(show, ax=ax),
                   figsize=(min(4 + 0.25 * show.shape[1], 12), min(2.5 + 0.22 * len(show), 9)))
    sec.add_figure(tr("report.fig.survival", "Customer survival"),
                   lambda ax: cohort_plots.plot_survival(survival, ax=ax), figsize=(7, 4))
    avg = curve.iloc[:, :13].T
    avg.index.name = f"{period_names[s.cohort_period]} since first purchase"
    sec.tables["average retention curve (cohort-size weighted)"] = avg
    sec.tables[f"rates per {unit} (last 12)"] = rates.tail(12)[
        ["customers", "active", "repurchase_rate", "retention_rate", "churn_rate", "reactivation_rate"]]
    sec.tables["survival"] = survival.summary
    sec.note(survival.churn_definition)
    return sec


# ---------------------------------------------------------------------------------------------- CLV
def _holdout_days(tx, settings):
    span = int(tx.arrays.end_day - int(tx.arrays.day.min())) + 1
    if settings.holdout_days is not None:
        return int(settings.holdout_days), span
    return int(min(365, span // 4)), span


def section_clv(ctx: ReportContext) -> Section:
    """Course CLV per customer, and a BG/NBD + Gamma-Gamma fit with its holdout fit-health verdict."""
    from . import clv
    from .plotting import models as model_plots
    from .plotting.report import plot_group_bars, plot_histogram

    s = ctx.settings
    tx = ctx.transactions
    summary = ctx.summary
    sec = Section("clv", tr("report.section.clv", "Customer lifetime value"), intro=(
        f"Two views of customer value. The course CLV: historical value (revenue so far x margin) plus the "
        f"discounted margin of the coming years at the observed retention rate. The probabilistic CLV: a BG/NBD "
        f"model of repeat purchases and a Gamma-Gamma model of spend per purchase, fitted on the purchase "
        f"history; their fit is first checked on a holdout period. The model's numbers are sound only when the "
        f"data pin down its parameters and it predicts the holdout better than the naive forecast (each customer "
        f"keeps her past purchase rate); otherwise the first line below says so. Margin {s.margin:.0%}, discount rate "
        f"{s.discount_rate:.0%} a year."))
    # -- course CLV
    ret = clv.estimate_retention(summary)
    r = float(ret["retention"].iloc[0])
    if not math.isfinite(r):
        sec.note("Course CLV skipped: no customer has a full year of history, so the annual retention rate "
                 "cannot be estimated.")
    else:
        r_used = min(max(r, 0.01), 0.99)
        if r_used != r:
            sec.note(f"Estimated annual retention {r:.3f} clipped to {r_used:.2f} for the course CLV.")
        values = clv.customer_values(summary, margin=s.margin, retention=r_used, discount_rate=s.discount_rate)
        ctx.cache["course_clv"] = values
        sec.add_number("retention", "annual retention (customers with a year of history)", r, "{:.1%}")
        sec.add_number("course_clv_mean", "mean course CLV per customer", values["clv"].mean(), _money_fmt(ctx))
        sec.add_number("course_clv_total", "total course CLV", values["clv"].sum(), _money_fmt(ctx))
        comp = values[["historical", "current", "potential", "clv"]].agg(["mean", "median", "sum"]).T
        comp.index.name = "component"
        sec.tables["course CLV components (per customer)"] = comp
        tiers = ctx.cache.get("tiers")
        if tiers is not None:
            by_tier = values[["historical", "current"]].groupby(tiers["tier"].reindex(values.index), observed=False).mean()
            by_tier = by_tier.iloc[::-1]
            sec.tables["mean course CLV by value tier"] = by_tier.assign(clv=by_tier.sum(axis=1))
            sec.add_figure(tr("report.fig.clv_tiers", "Mean course CLV per customer by value tier"),
                           lambda ax: plot_group_bars(
                               by_tier, ax=ax, title=tr("report.fig.clv_tiers", "Mean course CLV per customer by value tier"),
                               ylabel=f"mean CLV per customer{' (' + s.currency + ')' if s.currency else ''}",
                               xlabel="value tier"), figsize=(6.5, 3.8))
    # -- BG/NBD + Gamma-Gamma
    try:
        _clv_models(ctx, sec, model_plots, plot_histogram)
    except ToolkitError as exc:
        sec.note(f"Probabilistic CLV skipped: {exc}")
    return sec


def _clv_models(ctx, sec, model_plots, plot_histogram):
    """BG/NBD + Gamma-Gamma: holdout fit health, then the whole-history fit and its CLV.

    The model's numbers are called sound only when the holdout check is sound (``EvaluationReport.sound``: the
    calibration fit is identified and beats the naive forecast) and the whole-history fits are identified
    (``model.identified_``). Otherwise the first headline item says which problem, in plain words, and the
    course CLV and the naive forecast (each customer keeps her past purchase rate and spend,
    :func:`toolkit.clv.evaluation.naive_clv`) are shown beside the model's numbers, which are labelled
    unreliable.
    """
    from .clv.evaluation import calibration_holdout_split, evaluate_model, naive_clv, naive_forecast
    from .clv.models import BetaGeo, GammaGamma, customer_lifetime_value
    from .config import DAYS_PER_UNIT

    s = ctx.settings
    tx = ctx.transactions
    holdout, span = _holdout_days(tx, s)
    problems = []
    if holdout >= 28 and span - holdout >= 28:
        cal_end = tx.observation_end - pd.Timedelta(days=holdout)
        split = calibration_holdout_split(tx, cal_end)
        young = int((split["T"] <= 0).sum())
        split = split[split["T"] > 0]
        if young:
            sec.note(f"{young:,} customers whose first purchase is on the last calibration day are left out of the "
                     "holdout check (the model needs some observation time).")
        bg = BetaGeo().fit(split)
        gg = GammaGamma().fit(split)
        ev = evaluate_model(bg, split, spend_model=gg, transactions=tx)
        ctx.cache["evaluation"] = ev
        missing = int(ev.predictions["predicted"].isna().sum())
        sec.headline.append(("fit health", ev.verdict))
        if not ev.sound:
            problems.append(f"on a {holdout}-day holdout, " + "; and ".join(ev.problems))
        sec.numbers["fit_ok_checks"] = float(ev.checks["ok"].sum())
        sec.numbers["fit_checks"] = float(len(ev.checks))
        if missing:
            sec.note(f"The BG/NBD model gave no holdout prediction for {missing:,} customers (fitted a + b < 1 makes "
                     "the prediction formula undefined for customers without repeat purchases); the holdout totals "
                     "above leave them out.")
        checks = ev.checks.set_index("check")
        sec.tables["fit health (holdout of %d days from %s)" % (holdout, f"{cal_end + pd.Timedelta(days=1):%Y-%m-%d}")] = checks
        sec.add_figure(tr("report.fig.holdout", "BG/NBD: calibration vs holdout"),
                       lambda ax: model_plots.plot_calibration_holdout(ev, ax=ax), figsize=(6.5, 4))
        if ev.tracking is not None:
            sec.add_figure(tr("report.fig.tracking", "BG/NBD: cumulative repeat purchases"),
                           lambda ax: model_plots.plot_tracking(ev, cumulative=True, ax=ax), figsize=(7, 4))
    else:
        sec.note(f"Holdout fit-health check skipped: the log spans {span} days, too short to hold out "
                 f"{holdout} days and keep at least 4 weeks of calibration.")
        sec.headline.append(("fit health", "Not checked: the log is too short for a holdout, so the model's "
                                           "predictions are unverified."))
        problems.append("its predictions could not be checked on a holdout (the log is too short)")
    full = ctx.summary
    young = int((full["T"] <= 0).sum())
    fit_on = full[full["T"] > 0]
    if young:
        sec.note(f"{young:,} customers who first bought on the last day have no probabilistic CLV.")
    bg = BetaGeo().fit(fit_on)
    gg = GammaGamma().fit(fit_on)
    if not bg.identified_:
        loose = set(bg.diagnostics.index[~bg.diagnostics["identified"]])
        role = "a and b set how fast customers stop buying, so " if loose <= {"a", "b"} else ""
        problems.append(f"on the whole history, {bg.identification_problem}; {role}P(alive) and the "
                        f"{s.horizon_months}-month CLV rest on values the data do not support")
    if not gg.identified_:
        problems.append(f"on the whole history, {gg.identification_problem} (spend per purchase)")
    monthly = (1 + s.discount_rate) ** (1 / 12) - 1
    with warnings.catch_warnings():  # infinite spend is reported below, once, in plain words
        warnings.simplefilter("ignore", DataQualityWarning)
        value = customer_lifetime_value(bg, fit_on, gg, horizon=s.horizon_months, period="M",
                                        discount_rate=monthly, margin=s.margin)
    n_inf = int(np.isinf(value.to_numpy()).sum())
    if n_inf:  # Gamma-Gamma q <= 1: the spend distribution has no mean; never add infinities into a total
        problems.append(f"{n_inf:,} customers have an infinite expected spend (Gamma-Gamma q = "
                        f"{float(gg.params_['q']):.3g} <= 1: very heavy-tailed amounts; check for outliers), so their "
                        "model CLV is undefined and means and totals leave them out")
        value = value.where(np.isfinite(value))
    sound = not problems
    naive = naive_clv(fit_on, horizon=s.horizon_months, period="M", discount_rate=monthly, margin=s.margin,
                      time_unit=tx.time_unit)
    months = s.horizon_months * DAYS_PER_UNIT["M"] / DAYS_PER_UNIT[fit_on.attrs.get("time_unit") or tx.time_unit]
    model_purchases = float(bg.conditional_expected_purchases(fit_on, months).sum())
    naive_purchases = float(naive_forecast(fit_on, months).sum())
    ctx.cache["naive_clv"] = naive
    ctx.cache["clv_problems"] = problems
    sec.numbers["model_sound"] = float(sound)
    p_alive = bg.p_alive(fit_on)
    ctx.cache["model_clv"] = value
    n_nan = int(value.isna().sum())
    if n_nan:
        sec.note(f"{n_nan:,} customers have no probabilistic CLV (the fitted model's prediction is undefined for "
                 "them); means and totals leave them out.")
    flag = "" if sound else " (unreliable, see the warning)"
    sec.add_number("model_clv_mean", f"mean {s.horizon_months}-month model CLV{flag}", value.mean(), _money_fmt(ctx))
    sec.add_number("model_clv_total", f"total {s.horizon_months}-month model CLV{flag}", value.sum(), _money_fmt(ctx))
    sec.add_number("p_alive_mean", f"mean P(alive){flag}", p_alive.mean(), "{:.1%}")
    sec.numbers["naive_clv_mean"] = float(naive.mean())
    sec.numbers["naive_clv_total"] = float(naive.sum())
    sec.numbers["model_purchases"] = model_purchases
    sec.numbers["naive_purchases"] = naive_purchases
    course = ctx.cache.get("course_clv")
    money = _money_fmt(ctx)
    comparison = pd.DataFrame(
        {"mean per customer": [value.mean(), naive.mean(),
                               course["clv"].mean() if course is not None else math.nan],
         "total": [value.sum(), naive.sum(), course["clv"].sum() if course is not None else math.nan],
         f"purchases in the next {s.horizon_months} months": [model_purchases, naive_purchases, math.nan]},
        index=pd.Index([f"BG/NBD + Gamma-Gamma ({s.horizon_months} months)",
                        f"naive forecast: past rate and spend kept ({s.horizon_months} months)",
                        "course CLV (historical + current + potential)"], name="CLV"))
    sec.tables["model CLV beside the naive forecast and the course CLV"] = comparison
    if not sound:
        sec.add_number("naive_clv_mean", f"mean {s.horizon_months}-month naive-forecast CLV", naive.mean(), money)
        sec.add_number("naive_clv_total", f"total {s.horizon_months}-month naive-forecast CLV", naive.sum(), money)
        if course is not None:
            instead = (f"Quote the course CLV instead: mean {money.format(course['clv'].mean())}, total "
                       f"{money.format(course['clv'].sum())}")
        else:
            instead = "The course CLV is not available either (no customer has a year of history)"
        warning = ("Do not quote the BG/NBD + Gamma-Gamma numbers: " + "; ".join(problems) + f". {instead}. "
                   f"For comparison, the naive forecast (each customer keeps her past purchase rate and spend) "
                   f"gives mean {money.format(naive.mean())}, total {money.format(naive.sum())} over "
                   f"{s.horizon_months} months ({naive_purchases:,.0f} purchases, against the model's "
                   f"{model_purchases:,.0f}).")
        sec.headline.insert(0, ("model warning", warning))
        # the course CLV next to the model's numbers
        course_items = [h for h in sec.headline if h[0] in ("mean course CLV per customer", "total course CLV")]
        others = [h for h in sec.headline if h not in course_items]
        at = next((k for k, h in enumerate(others) if h[0].startswith(f"mean {s.horizon_months}-month model CLV")),
                  len(others))
        sec.headline[:] = others[:at] + course_items + others[at:]
        sec.note("Model warning: " + "; ".join(problems) + ".")
    params = pd.concat({"BG/NBD": bg.diagnostics, "Gamma-Gamma": gg.diagnostics})
    sec.tables["model parameters (whole history)"] = params[["coef", "se", "lower 95%", "upper 95%", "identified",
                                                             "status"]]
    top = pd.DataFrame({"model_clv": value, "p_alive": p_alive,
                        "frequency": fit_on["frequency"], "revenue": fit_on["revenue"]}).nlargest(10, "model_clv")
    sec.tables["top 10 customers by model CLV"] = top
    unit = f" ({s.currency})" if s.currency else ""
    sec.add_figure(tr("report.fig.model_clv", "BG/NBD + Gamma-Gamma CLV per customer"),
                   lambda ax: plot_histogram(value, ax=ax, log=True,
                                             title=tr("report.fig.model_clv", "BG/NBD + Gamma-Gamma CLV per customer"),
                                             xlabel=f"{s.horizon_months}-month CLV per customer{unit}"),
                   figsize=(6.5, 3.8))
    for note in bg.fit_notes_ + gg.fit_notes_:
        sec.note(note)


# ---------------------------------------------------------------------------------------------- lifecycle, journey
def section_lifecycle(ctx: ReportContext) -> Section:
    """Lifecycle stages and patterns (``toolkit.lifecycle.LifecycleClassifier``), pattern mix and early warning."""
    from . import lifecycle
    from .plotting import lifecycle as lifecycle_plots

    sec = Section("lifecycle", tr("report.section.lifecycle", "Lifecycle"), intro=(
        "Every customer's lifecycle stage today (exploration, formation, stability, deterioration, lost) and "
        "lifecycle pattern (early abortion, mid-term abortion, early exit, long-term retention, or too early to "
        "tell), by explainable rules whose thresholds are learned from this log; the pattern mix of each "
        "acquisition quarter; and the early-warning list: customers who were stable and whose buying dropped, "
        "ranked by spend at risk."))
    s = ctx.settings
    given = {name: value for name, value in (("loyal_duration", s.loyal_duration_days),
                                             ("time_to_stability", s.time_to_stability_days),
                                             ("lost_gap", s.lost_gap_days)) if value is not None}
    try:
        classifier = lifecycle.LifecycleClassifier(**given).fit(ctx.transactions)
    except DataQualityError as exc:  # the data cannot support the lifecycle: say what it needs and has
        text = str(exc).removeprefix("LifecycleClassifier.fit: ")
        sec.status = "skipped"
        sec.note(text[:1].upper() + text[1:])
        return sec
    for caveat in classifier.caveats_:  # what a short history forced the classifier to assume
        sec.note(caveat)
    result = classifier.result_
    ctx.cache["lifecycle"] = result
    summary = result.summary
    n = max(int(result.acquired.sum()), 1)
    for key, label in (("stability", "in stability"), ("deterioration", "in deterioration"), ("lost", "lost"),
                       ("long_term_retention", "long-term retention pattern"),
                       (lifecycle.TOO_EARLY, "pattern too early to tell")):
        count = summary.loc[key, "customers"] if key in summary.index else 0
        sec.add_number(key, label, float(count) / n, "{:.1%}")
    warning = lifecycle.early_warning(result, top=20)
    sec.add_number("early_warning", "early-warning customers (top 20 listed)", len(lifecycle.early_warning(result)))
    mix = lifecycle.stage_mix(result, by="cohort", freq="Q")
    sec.add_figure("pattern mix by acquisition quarter", lambda ax: lifecycle_plots.plot_pattern_mix(mix, ax=ax),
                   figsize=(9, 0.4 * len(mix) + 1.8))
    sec.tables["stages and patterns"] = summary
    sec.tables["learned thresholds (days)"] = classifier.learned_
    sec.tables["pattern mix by acquisition quarter"] = mix
    sec.tables["early warning"] = warning
    return sec


def _match_ids(ids, reference):
    """Customer ids converted to the type of the transaction log's ids (text vs numbers), so that an event log or
    survey read from another file joins on the same customers."""
    ref_text = np.asarray(reference).dtype.kind in "OUS"
    values = pd.Series(ids)
    if ref_text and values.dtype.kind in "iuf":
        as_int = pd.to_numeric(values, errors="coerce")
        if (as_int.dropna() % 1 == 0).all():
            values = as_int.astype("Int64")
        return values.astype("string").astype(object).where(values.notna(), None)
    if not ref_text and (values.dtype.kind in "OUS" or isinstance(values.dtype, pd.StringDtype)):
        num = pd.to_numeric(values, errors="coerce")
        if num.notna().sum() == values.notna().sum():
            return num
    return values


def _events_for_journey(ctx, sec):
    """The event log as ``toolkit.Events`` (built once, bad rows dropped and reported)."""
    from .data import Events, as_events

    if isinstance(ctx.events, Events):
        return ctx.events
    if "journey_events" not in ctx.cache:
        frame = ctx.events.assign(customer_id=_match_ids(ctx.events["customer_id"], ctx.transactions.customer_ids))
        cols = frame.columns
        ev = as_events(frame, customer="customer_id", time="timestamp", event="event",
                       channel="channel" if "channel" in cols else None, order="order_id" if "order_id" in cols else None,
                       on_bad_rows="drop")
        ctx.cache["journey_events"] = ev
        rep = ev.report
        sec.note(f"Event log: {rep.rows_in:,} rows in = {rep.rows_kept:,} kept + {rep.rows_dropped:,} dropped"
                 + "".join(f"; {n:,} {reason}" for reason, n in rep.dropped.items()) + ".")
    return ctx.cache["journey_events"]


def section_journey(ctx: ReportContext) -> Section:
    """Journey-map board of the course's five processes, the stage funnel, the stage KPIs and NPS.

    Needs an event log (``customer_id, timestamp, event``, optionally ``channel`` and ``order_id``) whose event
    names follow the ``"five_processes"`` journey map of :mod:`toolkit.journey` (ad_impression, visit, sign_up,
    trial, purchase, repurchase, referral, support_contact, complaint, winback_offer); other names are reported
    as unmapped.
    """
    sec = Section("journey", tr("report.section.journey", "Customer journey"), intro=(
        "The course's five customer-management processes (reach, acquisition, conversion, retention, win-back) "
        "from the event log: how many customers reach each stage, the conversion between stages, the time spent "
        "in each, the stage KPIs and the biggest gaps; plus NPS from the survey answers."))
    if ctx.events is None:
        sec.status = "skipped"
        sec.note("No event log given (events=...): section skipped.")
        return sec
    from . import journey
    from .plotting import journey as journey_plots

    s = ctx.settings
    ev = _events_for_journey(ctx, sec)
    unmapped = journey.check_map(ev, journey.journey_map("five_processes"))
    if len(unmapped):
        sec.tables["event names and their stage"] = unmapped
    funnel = journey.funnel(ev, journey_map="five_processes", order="loose")
    nps_scores = ctx.nps if ctx.nps is not None and "customer_id" in ctx.nps.columns else None
    kpis = journey.stage_kpis(ev, transactions=ctx.transactions, nps_scores=nps_scores, margin=s.margin,
                              churn_window=s.churn_window_days)
    board = journey.journey_board(ev, kpis=kpis)
    table = funnel.table
    sec.add_number("entered", f"customers entering at {table.index[0]}", table["customers"].iloc[0])
    sec.add_number("overall_conversion", f"{table.index[0]} to {table.index[-1]}", table["overall_conversion"].iloc[-1], "{:.1%}")
    if ctx.nps is not None:
        result = journey.nps(ctx.nps)
        sec.add_number("nps", "NPS (all answers)", result.table["nps"].iloc[0], "{:+.1f}")
        sec.add_figure("NPS", lambda ax: journey_plots.plot_nps(result, ax=ax), figsize=(6.5, 3.2))
    sec.add_figure("journey board", lambda ax: journey_plots.plot_journey_board(board, ax=ax), figsize=(10, 5.5))
    sec.add_figure("stage funnel", lambda ax: journey_plots.plot_funnel(funnel, ax=ax), figsize=(7, 4))
    sec.tables["journey board"] = board.grid
    sec.tables["biggest gaps"] = board.gaps
    sec.tables["stage funnel (loose order)"] = table
    sec.tables["stage KPIs"] = kpis.table
    if kpis.by_channel is not None and len(kpis.by_channel):
        sec.tables["KPIs by acquisition channel"] = kpis.by_channel
    return sec


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
        Text on the board; default built from the KPI and the rule.

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
    from .customers import customer_summary

    if end >= ctx.transactions.observation_end:
        return ctx.summary
    first = ctx.transactions.frame["timestamp"].min().normalize()
    if end < first:
        return None
    return customer_summary(ctx.transactions, observation_end=end)


def _kpi_clv(ctx, end):
    from . import clv

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
    from .clv.models import BetaGeo, GammaGamma, customer_lifetime_value

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


def _kpi_nps(ctx, end):
    if ctx.nps is None:
        return math.nan
    nps = ctx.nps
    end = pd.Timestamp(end).normalize()
    start = end - pd.Timedelta(days=ctx.settings.kpi_window_days)
    day = nps["date"].dt.normalize()
    sel = (day > start) & (day <= end)
    return nps_score(nps.loc[sel, "score"]) if sel.any() else math.nan


#: KPIs a :class:`Target` can name: key -> (label, definition, function(ctx, end) -> float).
#: Window KPIs are measured over the ``kpi_window_days`` up to ``end``.
KPIS = {
    "clv": ("mean course CLV per customer",
            "mean of historical + current + potential value (toolkit.clv.customer_values) over customers acquired "
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
    from .plotting.report import plot_kpi_board

    w = ctx.settings.kpi_window_days
    board = kpi_board(ctx)
    a = board.attrs
    sec = Section("kpis", tr("report.section.kpis", "KPI board"), intro=(
        f"Each KPI is measured over the last {w} days, {a['start']} to {a['end']}, and compared with the "
        f"consultant's target. Gap = actual − target, in the KPI's units; a target is met when the gap is at "
        f"least 0. A 'previous period' baseline is the same KPI over the {w} days before, {a['previous_start']} "
        f"to {a['previous_end']}; it is used only when the data cover all of that window (the data start on "
        f"{a['data_start']}), so that both numbers rest on the same length of time."))
    ctx.cache["kpi_board"] = board
    met = board["met"]
    sec.add_number("targets", "targets", len(board))
    sec.add_number("met", "met", int((board["status"] == "met").sum()))
    sec.add_number("missed", "missed", int((board["status"] == "missed").sum()))
    for _, row in board[met.isna()].iterrows():
        sec.note(f"{row['label']}: no verdict: {row['status']}.")
    if len(board):
        sec.add_figure(tr("report.section.kpis", "KPI board"), lambda ax: plot_kpi_board(board, ax=ax),
                       figsize=(9, 0.8 * len(board) + 1.6))
    sec.tables["KPI board"] = board
    return sec


# ============================================================================================ registry
#: Section key -> function(ctx) -> Section.
SECTIONS = {
    "data": section_data,
    "rfm": section_rfm,
    "cohorts": section_cohorts,
    "lifecycle": section_lifecycle,
    "journey": section_journey,
    "clv": section_clv,
    "kpis": section_kpis,
}
#: Default order of sections (the KPI board last: it reuses the CLV section's results).
DEFAULT_SECTIONS = ("data", "rfm", "cohorts", "lifecycle", "journey", "clv", "kpis")


def register_section(key, function):
    """Add or replace a report section: ``function(ctx: ReportContext) -> Section``.

    Add its key to ``sections=`` of :func:`build_report` (or to :data:`DEFAULT_SECTIONS` for a built-in one).
    """
    if not callable(function):
        raise TypeError("a report section must be a function ctx -> Section")
    SECTIONS[key] = function


# ============================================================================================ report
class Report:
    """A built report: its sections and settings; export with :meth:`to_html` or :meth:`to_pdf`.

    Attributes
    ----------
    title, subtitle : str
    sections : list of Section
    settings : ReportSettings
    targets : list of Target
    seconds : float
        Total build time.
    """

    def __init__(self, title, subtitle, sections, settings, targets, seconds, language="en"):
        self.title = title
        self.subtitle = subtitle
        self.sections = sections
        self.settings = settings
        self.targets = targets
        self.seconds = seconds
        self.language = language

    def __getitem__(self, key) -> Section:
        for sec in self.sections:
            if sec.key == key:
                return sec
        raise KeyError(f"No section {key!r}; sections: {self.keys()}")

    def keys(self):
        """Section keys in order."""
        return [s.key for s in self.sections]

    @property
    def kpi_board(self) -> pd.DataFrame | None:
        """The KPI board table (None without a ``kpis`` section)."""
        try:
            return self["kpis"].tables.get("KPI board")
        except KeyError:
            return None

    def html(self) -> str:
        """The whole report as one self-contained HTML document (inline CSS, base64 PNG, no external URLs)."""
        toc = "".join(f'<li><a href="#sec-{html.escape(s.key)}">{html.escape(s.title)}</a>'
                      + (f" <small>({html.escape(s.status)})</small>" if s.status != "ok" else "") + "</li>"
                      for s in self.sections)
        body = "\n".join(s.to_html(i) for i, s in enumerate(self.sections, 1))
        timing = pd.DataFrame({"status": [s.status for s in self.sections],
                               "seconds": [round(s.seconds, 2) for s in self.sections]},
                              index=pd.Index([s.title for s in self.sections], name="section"))
        return (f'<!DOCTYPE html>\n<html lang="{html.escape(self.language)}">\n<head>\n<meta charset="utf-8">\n'
                f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
                f"<title>{html.escape(self.title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
                f"<header><h1>{html.escape(self.title)}</h1><p>{html.escape(self.subtitle)}</p></header>\n"
                f'<nav><h2>{html.escape(tr("report.toc", "Contents"))}</h2><ol>{toc}</ol></nav>\n{body}\n'
                f'<footer><h2>{html.escape(tr("report.assumptions", "Assumptions and run details"))}</h2>'
                f"{_table_html(self.settings.table())}{_table_html(timing)}"
                f"<p>Built in {self.seconds:.1f} s by Customer Value Toolkit.</p></footer>\n</body>\n</html>\n")

    def to_html(self, path) -> Path:
        """Write the report as one self-contained HTML file and return its path."""
        path = Path(path)
        path.write_text(self.html(), encoding="utf-8")
        return path

    def to_pdf(self, path) -> Path:
        """Write a PDF version (matplotlib ``PdfPages``; see :func:`toolkit.plotting.report.write_pdf` for its limits:
        raster figures, tables cut to 28 rows x 9 columns, no links)."""
        from .plotting.report import write_pdf

        return write_pdf(self, path)

    def __repr__(self):
        lines = [f"Report: {self.title} ({self.subtitle}); {len(self.sections)} sections in {self.seconds:.1f} s"]
        for i, s in enumerate(self.sections, 1):
            head = "; ".join(f"{k} {v}" for k, v in s.headline[:3])
            lines.append(f"  {i}. {s.title} [{s.status}]" + (f": {head}" if head else ""))
        return "\n".join(lines)

    def _repr_html_(self):
        rows = "".join(
            f"<tr><td>{i}</td><td>{html.escape(s.title)}</td><td>{html.escape(s.status)}</td>"
            f"<td>{html.escape('; '.join(f'{k} {v}' for k, v in s.headline[:3]))}</td></tr>"
            for i, s in enumerate(self.sections, 1))
        return (f"<p><b>{html.escape(self.title)}</b> — {html.escape(self.subtitle)}</p>"
                f"<table><tr><th></th><th>section</th><th>status</th><th>headline</th></tr>{rows}</table>")


_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
max-width:1100px;margin:0 auto;padding:1.5rem;color:#1a1a1a;line-height:1.45}
header{border-bottom:3px solid #0072B2;margin-bottom:1rem}h1{margin:.2rem 0}h2{color:#0072B2;margin-top:2rem}
nav ol{columns:2}section{border-top:1px solid #ddd;padding-top:.5rem}
.intro{color:#333;max-width:60rem}.status{display:inline-block;background:#eee;padding:.1rem .5rem;border-radius:3px}
dl.headline{display:flex;flex-wrap:wrap;gap:.6rem;margin:1rem 0}
dl.headline div{border:1px solid #cfd8e3;border-radius:6px;padding:.4rem .7rem;min-width:9rem;background:#f7fafc}
dl.headline dt{font-size:.8rem;color:#555}dl.headline dd{margin:0;font-size:1.15rem;font-weight:600}
figure{display:inline-block;vertical-align:top;margin:.5rem 1rem .5rem 0;max-width:100%}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption{font-size:.85rem;color:#555}
table.table{border-collapse:collapse;font-size:.85rem;margin:.5rem 0 1rem}.table-wrap{max-width:100%;overflow-x:auto}
td.long{min-width:18rem}
table.table th,table.table td{border-bottom:1px solid #e2e2e2;padding:.2rem .6rem;text-align:left;vertical-align:top}
table.table td.n{text-align:right;font-variant-numeric:tabular-nums}
table.table th{background:#f0f4f8}ul.notes{font-size:.85rem;color:#7a4b00}.more{font-size:.8rem;color:#555}
footer{margin-top:2rem;border-top:3px solid #0072B2;font-size:.85rem}
"""


# ============================================================================================ build
def _in_jupyter():
    ip = sys.modules.get("IPython")
    if ip is None:
        return False
    try:
        shell = ip.get_ipython()
    except Exception:  # pragma: no cover - defensive
        return False
    return shell is not None and hasattr(shell, "kernel")


class _JupyterProgress:
    """Show the current step name in one updating notebook output."""

    def __init__(self):
        from IPython.display import HTML, display

        self._html = HTML
        self._handle = display(HTML("<p>Building report…</p>"), display_id=True)

    def __call__(self, step, n_steps, name, state, seconds):
        if state == "start":
            text = f"Building report: step {step}/{n_steps}, {html.escape(name)}…"
        elif step == n_steps:
            text = f"Report built: {n_steps} sections."
        else:
            return
        self._handle.update(self._html(f"<p>{text}</p>"))


def _progress_callback(progress):
    if callable(progress):
        return progress
    if progress == "auto" or progress is True:
        if _in_jupyter():
            return _JupyterProgress()
    return None


def _prepare_events(events):
    if events is None:
        return None
    from .data import Events

    if isinstance(events, Events):
        return events  # already validated
    if not isinstance(events, pd.DataFrame):
        raise SchemaError(f"events must be a DataFrame (customer_id, timestamp, event), got {type(events).__name__}.")
    missing = [c for c in ("customer_id", "timestamp", "event") if c not in events.columns]
    if missing:
        raise SchemaError(f"The event log needs columns customer_id, timestamp, event; missing {missing}. "
                          f"Available: {[str(c) for c in events.columns]}.")
    return events


def _prepare_nps(nps, reference):
    if nps is None:
        return None
    if not isinstance(nps, pd.DataFrame):
        raise SchemaError(f"nps must be a DataFrame (date, score), got {type(nps).__name__}.")
    date_col = "date" if "date" in nps.columns else ("timestamp" if "timestamp" in nps.columns else None)
    if date_col is None or "score" not in nps.columns:
        raise SchemaError("NPS responses need a 'score' column (0-10) and a 'date' (or 'timestamp') column; got "
                          f"{[str(c) for c in nps.columns]}.")
    dates = pd.to_datetime(nps[date_col], errors="coerce", format="mixed")
    if dates.isna().any():
        bad = nps.loc[dates.isna().to_numpy(), date_col]
        raise DataQualityError(f"{len(bad):,} NPS responses have a missing or unreadable date (e.g. "
                               f"{bad.head(3).tolist()}). Fix or remove them.", column=date_col, count=len(bad))
    nps_score(nps["score"])  # validates the answers
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_localize(None)
    out = pd.DataFrame({"date": dates.to_numpy(), "score": pd.to_numeric(nps["score"]).to_numpy()})
    if "customer_id" in nps.columns:
        out.insert(0, "customer_id", _match_ids(nps["customer_id"], reference).to_numpy())
    return out


def build_report(transactions, events=None, nps=None, targets=None, *, sections=None, title=None,
                 settings=None, industry_clv=None, progress="auto", **frame_kwargs):
    """Run the report sections on one client's data and return a :class:`Report`.

    Parameters
    ----------
    transactions : toolkit.Transactions or pandas.DataFrame
        A validated log (``toolkit.read_transactions`` / ``Transactions.from_frame``), or a raw frame plus the
        column arguments of ``Transactions.from_frame`` in ``frame_kwargs``.
    events : toolkit.Events or pandas.DataFrame, optional
        Event log for the journey section: a validated ``toolkit.Events``, or a frame with ``customer_id,
        timestamp, event`` (optionally ``channel``, ``order_id``), validated with bad rows dropped and reported.
    nps : pandas.DataFrame, optional
        Survey answers with ``score`` (0-10) and ``date`` (or ``timestamp``) (for the NPS KPI and journey).
    targets : None, list of Target, or dict
        The consultant's targets (see :func:`parse_targets`); default :data:`COURSE_TARGETS`.
    sections : sequence of str, optional
        Section keys in order; default :data:`DEFAULT_SECTIONS`.
    title : str, optional
    settings : ReportSettings or dict, optional
        Business assumptions (margin, discount rate, windows, ...).
    industry_clv : float, optional
        Industry mean CLV: the baseline of the course's "CLV ≥ 1.2 × industry mean" target.
    progress : "auto", bool or callable, default "auto"
        ``"auto"``/True: in Jupyter, one output line shows the step being run; elsewhere nothing. A callable is
        called as ``progress(step, n_steps, name, state, seconds)`` with ``state`` "start" then "done" (the
        command line prints these). False/None: silent.
    **frame_kwargs
        Column arguments when ``transactions`` is a raw frame.

    Returns
    -------
    Report

    Raises
    ------
    SchemaError, DataQualityError
        Invalid transactions, events, NPS answers or targets (before any section runs).
    """
    t0 = time.perf_counter()
    tx = as_transactions(transactions, **frame_kwargs)
    if settings is None:
        settings = ReportSettings()
    elif isinstance(settings, dict):
        settings = ReportSettings(**settings)
    ctx = ReportContext(tx, events=_prepare_events(events), nps=_prepare_nps(nps, tx.customer_ids),
                        targets=parse_targets(targets, industry_clv=industry_clv), settings=settings)
    keys = list(DEFAULT_SECTIONS if sections is None else sections)
    unknown = [k for k in keys if k not in SECTIONS]
    if unknown:
        raise ValueError(f"Unknown report section(s) {unknown}; available: {list(SECTIONS)}.")
    callback = _progress_callback(progress)
    built = []
    for i, key in enumerate(keys, 1):
        function = SECTIONS[key]
        name = tr(f"report.section.{key}", key)
        if callback:
            callback(i, len(keys), name, "start", 0.0)
        start = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                sec = function(ctx)
            except (DataQualityError, SchemaError) as exc:  # a limit of the data: say it in plain words
                sec = Section(key, name, status="skipped")
                sec.note(f"This section needs more or other data than the export has: {exc}")
            except ToolkitError as exc:
                sec = Section(key, name, status="error")
                sec.note(f"{type(exc).__name__}: {exc}")
        for w in caught:
            if str(w.message) not in sec.notes:  # fit notes already carry the same text
                data_note = issubclass(w.category, DataQualityWarning)
                sec.note(str(w.message) if data_note else f"{w.category.__name__}: {w.message}")
        sec.seconds = time.perf_counter() - start
        built.append(sec)
        if callback:
            callback(i, len(keys), name, "done", sec.seconds)
    first = tx.frame["timestamp"].min()
    subtitle = (f"{tx.n_customers:,} customers, {len(tx):,} transactions, {first:%Y-%m-%d} to "
                f"{tx.observation_end:%Y-%m-%d}; built {pd.Timestamp.now():%Y-%m-%d %H:%M}")
    return Report(title or tr("report.title", "Customer value report"), subtitle, built, settings, ctx.targets,
                  time.perf_counter() - t0, language=get_language())

