"""The section registry and build_report: run the sections on one client's data."""

from __future__ import annotations

import html
import sys
import time
import warnings

import pandas as pd

from ..data import as_transactions
from ..errors import (
    ConvergenceWarning,
    DataQualityError,
    DataQualityWarning,
    ParameterError,
    SchemaError,
    ToolkitError,
)
from ..i18n import get_language, tr, using_language
from .base import ReportContext, ReportSettings, Section
from .kpis import nps_score, parse_targets, section_kpis
from .render import Report
from .sections.clv import section_clv
from .sections.cohorts import section_cohorts
from .sections.data import section_data
from .sections.journey import _match_ids, section_journey
from .sections.lifecycle import section_lifecycle
from .sections.rfm import section_rfm
from .summary import executive_summary

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
        raise ParameterError("a report section must be a function ctx -> Section", parameter="function", value=function)
    SECTIONS[key] = function


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
        self._handle = display(HTML(f"<p>{tr('report.progress.start')}</p>"), display_id=True)

    def __call__(self, step, n_steps, name, state, seconds):
        if state == "start":
            text = tr("report.progress.step").format(step=step, n_steps=n_steps, name=html.escape(name))
        elif step == n_steps:
            text = tr("report.progress.done").format(n_steps=n_steps)
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


def _call_done(callback, step, n_steps, name, sec):
    """``callback(step, n_steps, name, "done", seconds)``, plus the built Section as a sixth argument when the
    callback takes one (the command line prints its outcome: "done", "done with a caveat", "skipped", ...)."""
    import inspect

    try:
        inspect.signature(callback).bind(step, n_steps, name, "done", sec.seconds, sec)
    except (TypeError, ValueError):
        callback(step, n_steps, name, "done", sec.seconds)
    else:
        callback(step, n_steps, name, "done", sec.seconds, sec)


def _prepare_events(events):
    if events is None:
        return None
    from ..data import Events

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
                 settings=None, industry_clv=None, progress="auto", lang=None, **frame_kwargs):
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
        command line prints these); a callable that takes a sixth argument also gets the built
        :class:`Section` with "done" (its ``outcome`` says "done", "done with a caveat", "skipped", "not enough
        data" or "error"). False/None: silent.
    lang : {"en", "zh"}, optional
        Language of the whole report (titles, text, tables, figures); default: the current language
        (``toolkit.get_language()``). The current language is restored afterwards.
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
    if lang is not None and lang != get_language():  # build in that language, then restore the caller's
        with using_language(lang):
            return build_report(transactions, events, nps, targets, sections=sections, title=title, settings=settings,
                                industry_clv=industry_clv, progress=progress, **frame_kwargs)
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
        raise ParameterError(f"Unknown report section(s) {unknown}; available: {list(SECTIONS)}.",
                             parameter="sections", value=sections)
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
                sec = Section(key, name, status="skipped", needs=str(exc))
                sec.note(f"This section needs more or other data than the export has: {exc}")
            except ToolkitError as exc:
                sec = Section(key, name, status="error")
                sec.note(f"{type(exc).__name__}: {exc}")
        for w in caught:
            if str(w.message) not in sec.notes:  # fit notes already carry the same text
                data_note = issubclass(w.category, DataQualityWarning)
                text = str(w.message) if data_note else f"{w.category.__name__}: {w.message}"
                # a data-quality or convergence warning qualifies the section's results: a caveat
                (sec.caveat if data_note or issubclass(w.category, ConvergenceWarning) else sec.note)(text)
        sec.seconds = time.perf_counter() - start
        sec.currency = settings.currency  # money headers and cells of its tables
        built.append(sec)
        if callback:
            _call_done(callback, i, len(keys), name, sec)
    first = tx.frame["timestamp"].min()
    subtitle = tr("report.subtitle", "{customers} customers, {rows} transactions, {first} to {end}; built {now}").format(
        customers=f"{tx.n_customers:,}", rows=f"{len(tx):,}", first=f"{first:%Y-%m-%d}",
        end=f"{tx.observation_end:%Y-%m-%d}", now=f"{pd.Timestamp.now():%Y-%m-%d %H:%M}")
    findings = executive_summary(built, ctx)
    return Report(title or tr("report.title", "Customer value report"), subtitle, built, settings, ctx.targets,
                  time.perf_counter() - t0, language=get_language(), findings=findings)

