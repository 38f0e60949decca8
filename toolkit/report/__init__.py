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
    "KPI_WINDOWS",
]

# The package, one concern per module: base (settings, Section, context), format (numbers and tables),
# sections/ (one module per analysis), kpis (targets and the KPI board), summary (the executive summary: page one's
# findings), render (Report, HTML/PDF), build (the registry and build_report). Each section's ``outcome`` ("done",
# "done with a caveat", "skipped", "not enough data", "error") is what the HTML and the command line say about it.
from .base import ReportContext, ReportSettings, Section
from .build import DEFAULT_SECTIONS, SECTIONS, build_report, register_section
from .kpis import COURSE_TARGETS, KPI_WINDOWS, KPIS, Target, compute_kpis, kpi_board, nps_score, parse_targets, \
    read_targets
from .render import Report
