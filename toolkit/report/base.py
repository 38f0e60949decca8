"""Report settings, the Section a section function returns, and the context every section reads."""

from __future__ import annotations

import base64
import html
import re
import math
from collections.abc import MutableMapping
from dataclasses import dataclass, field

import pandas as pd

from ..data import Transactions
from ..errors import ParameterError
from ..i18n import get_language, localize, register, tr
from .format import _table_html

register({
    "report.to": {"en": "to", "zh": "至"},
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
    "report.outcome.done": {"en": "done", "zh": "已完成"},
    "report.outcome.done with a caveat": {"en": "done with a caveat", "zh": "已完成（有保留意见）"},
    "report.outcome.skipped": {"en": "skipped", "zh": "已跳过"},
    "report.outcome.not enough data": {"en": "not enough data", "zh": "数据不足"},
    "report.outcome.error": {"en": "error", "zh": "出错"},
    "report.repr.section_object": {"en": "<Section {title} ({outcome}): {head}>",
                                   "zh": "<章节 {title}（{outcome}）：{head}>"},
    # the notebook progress line of build_report
    "report.progress.start": {"en": "Building report…", "zh": "正在生成报告…"},
    "report.progress.step": {"en": "Building report: step {step}/{n_steps}, {name}…",
                             "zh": "正在生成报告：第 {step}/{n_steps} 步，{name}…"},
    "report.progress.done": {"en": "Report built: {n_steps} sections.", "zh": "报告已生成：共 {n_steps} 节。"},
})

#: What a report says about a section (:attr:`Section.outcome`).
OUTCOMES = ("done", "done with a caveat", "skipped", "not enough data", "error")


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
        from .._validate import check_int, check_number

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
            raise ParameterError(f"cohort_period must be 'D', 'W', 'M' or 'Q', got {self.cohort_period!r}.",
                                 parameter="cohort_period", value=self.cohort_period)

    def table(self) -> pd.DataFrame:
        """The settings as a two-column table (setting, value)."""
        rows = [(k, v if isinstance(v, (int, float, str)) or v is None else type(v).__name__)
                for k, v in self.__dict__.items()]
        return pd.DataFrame(rows, columns=["setting", "value"]).set_index("setting")


# ============================================================================================ sections
class _Pending:
    """A figure not drawn yet: its drawing function, size and the language it was added in."""

    __slots__ = ("draw", "figsize", "language")

    def __init__(self, draw, figsize, language):
        self.draw, self.figsize, self.language = draw, figsize, language


class Figures(MutableMapping):
    """A section's figures, caption -> PNG bytes, each drawn when first read.

    :meth:`Section.add_figure` keeps the drawing function (and the language it was added in) instead of the PNG, so
    building a report costs no figure until one is shown: the dashboard's Overview needs one chart of the report's
    ten, the HTML file and the PDF need them all. Reading a figure draws it once, in the language of the section.
    """

    def __init__(self, items=None):
        self._items = dict(items or {})

    def add(self, caption, draw, figsize):
        self._items[caption] = _Pending(draw, figsize, get_language())

    def __getitem__(self, caption):
        item = self._items[caption]
        if isinstance(item, _Pending):
            from ..i18n import using_language
            from ..plotting.report import figure_png

            with using_language(item.language):
                item = self._items[caption] = figure_png(item.draw, figsize=item.figsize)
        return item

    def __setitem__(self, caption, png):
        self._items[caption] = png

    def __delitem__(self, caption):
        del self._items[caption]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)

    def renamed(self, rename):
        """The same figures under captions ``rename(caption)``, still drawn when first read."""
        return Figures({rename(caption): item for caption, item in self._items.items()})

    def __repr__(self):
        return f"Figures({list(self._items)})"


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
        Whether the section produced results ("ok"), was not run ("skipped") or failed ("error"). What the report
        says about it is :attr:`outcome`.
    headline : list of (str, str)
        Formatted headline numbers, in display order.
    numbers : dict[str, float]
        The same numbers, unformatted, by key (for code and tests).
    tables : dict[str, pandas.DataFrame]
    figures : dict[str, bytes]
        PNG files by caption.
    notes : list[str]
        Warnings raised while computing the section, data caveats, reasons for skipping.
    caveats : list[str]
        The notes that qualify the section's results (a model that failed its checks, a KPI without a verdict, a
        duration the data could only bound): they make the outcome "done with a caveat". Add with :meth:`caveat`.
    needs : str
        For a section skipped because the data cannot support it: what it needs (outcome "not enough data").
    seconds : float
        Time the section took.
    currency : str
        Money label of its tables (``ReportSettings.currency``; set by :func:`build_report`).
    """

    key: str
    title: str
    intro: str = ""
    status: str = "ok"
    headline: list = field(default_factory=list)
    numbers: dict = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    figures: Figures = field(default_factory=Figures)
    notes: list = field(default_factory=list)
    caveats: list = field(default_factory=list)
    needs: str = ""
    seconds: float = 0.0
    currency: str = ""

    def add_number(self, key, label, value, fmt="{:,.0f}"):
        """Record a headline number (``fmt`` formats it; NaN shows as "n/a")."""
        value = float(value) if value is not None else math.nan
        self.numbers[key] = value
        self.headline.append((label, "n/a" if not math.isfinite(value) else fmt.format(value)))

    def add_figure(self, caption, draw, figsize=(7.0, 4.2)):
        """Keep ``draw(ax)`` under ``caption``: drawn to PNG when the figure is first read (:class:`Figures`)."""
        if not isinstance(self.figures, Figures):
            self.figures = Figures(self.figures)
        self.figures.add(caption, draw, figsize)

    def note(self, text):
        if text not in self.notes:
            self.notes.append(text)

    def caveat(self, text):
        """Record a note that qualifies the results (shown as a note; the outcome becomes "done with a caveat")."""
        self.note(text)
        if text not in self.caveats:
            self.caveats.append(text)

    @property
    def outcome(self) -> str:
        """What the report says about this section, in the HTML and on the terminal: one of :data:`OUTCOMES`,
        "done", "done with a caveat", "skipped" (see :attr:`reason`), "not enough data" (see :attr:`needs`) or
        "error"."""
        if self.status == "error":
            return "error"
        if self.status == "skipped":
            return "not enough data" if self.needs else "skipped"
        return "done with a caveat" if self.caveats else "done"

    @property
    def reason(self) -> str:
        """Why the outcome is not plain "done": the first caveat, what is missing, or the first note."""
        outcome = self.outcome
        if outcome == "done":
            return ""
        if outcome == "done with a caveat":
            return self.caveats[0]
        if outcome == "not enough data" and self.needs:
            return self.needs
        return self.notes[0] if self.notes else ""

    def outcome_text(self, reason=True, limit=None) -> str:
        """The outcome in the report's language, optionally with its reason: "done with a caveat: ..."."""
        label = tr(f"report.outcome.{self.outcome}", self.outcome)
        why = localize(self.reason) if reason else ""
        if why and limit and len(why) > limit:
            why = why[: limit - 1].rstrip() + "…"
        return f"{label}: {why}" if why else label

    def to_html(self, number=None) -> str:
        """HTML fragment of this section (``<section>``).

        Text made in English by lower layers (cleaning-report reasons, notes, labels) is shown in the current
        language where :func:`toolkit.i18n.localize` knows a translation.
        """
        if get_language() != "en" and not getattr(self, "_localized", False):
            return _localized(self).to_html(number)
        title = f"{number}. {self.title}" if number is not None else self.title
        parts = [f'<section id="sec-{html.escape(self.key)}" class="status-{html.escape(self.status)}">',
                 f"<h2>{html.escape(title)}</h2>"]
        outcome = self.outcome.replace(" ", "-")
        parts.append(f'<p class="status outcome-{outcome}">{html.escape(self.outcome_text(limit=400))}</p>')
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
            parts.append(f"<h3>{html.escape(name)}</h3>{_table_html(table, name, currency=self.currency)}")
        if self.notes:
            parts.append('<ul class="notes">' + "".join(f"<li>{html.escape(n)}</li>" for n in self.notes) + "</ul>")
        parts.append("</section>")
        return "\n".join(parts)

    def _repr_html_(self):
        return self.to_html()

    def __repr__(self):
        if get_language() == "en":
            head = "; ".join(f"{k} {v}" for k, v in self.headline[:5])
            return f"<Section {self.key!r} ({self.status}): {head}>"
        head = "；".join(f"{localize(k)} {localize(v)}" for k, v in self.headline[:5])
        return tr("report.repr.section_object").format(title=localize(self.title), outcome=tr(
            f"report.outcome.{self.outcome}", self.outcome), head=head)


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
            from ..customers import customer_summary

            self.cache["summary"] = customer_summary(self.transactions)
        return self.cache["summary"]




def _localized(sec: Section) -> Section:
    """A copy of ``sec`` whose English texts (title, intro, labels, captions, table names and text cells, notes) are
    translated into the current language where a translation is known (:func:`toolkit.i18n.localize`)."""
    from dataclasses import replace

    def text(v):
        return localize(v) if isinstance(v, str) else v

    def table(frame):
        if not isinstance(frame, pd.DataFrame):
            return frame
        out = frame.copy()
        def textual(dtype):
            return dtype == object or pd.api.types.is_string_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)

        for col in out.columns:
            if textual(out[col].dtype):
                out[col] = out[col].astype(object).map(text)
        if not isinstance(out.index, pd.MultiIndex) and textual(out.index.dtype):
            out.index = pd.Index([text(v) for v in out.index], name=out.index.name, dtype=object)
        return out

    # sentences joined with a space in English run on without one in Chinese ("。 全" -> "。全")
    intro = re.sub(r"(?<=[。！？；：])\s+", "", text(sec.intro))
    done = replace(sec, title=text(sec.title), intro=intro,
                   headline=[(text(k), text(v)) for k, v in sec.headline],
                   figures=(sec.figures.renamed(text) if isinstance(sec.figures, Figures)
                            else {text(k): v for k, v in sec.figures.items()}),
                   tables={text(k): table(v) for k, v in sec.tables.items()},
                   notes=[text(n) for n in sec.notes],
                   **{k: [text(c) for c in getattr(sec, k)] for k in ("caveats",) if hasattr(sec, k)},
                   **{k: text(getattr(sec, k)) for k in ("needs",) if hasattr(sec, k)})
    done._localized = True
    return done
