"""Report section: lifecycle stages and patterns, and the early-warning list."""

from __future__ import annotations

from ...errors import DataQualityError
from ...i18n import tr
from ..base import ReportContext, Section


# ---------------------------------------------------------------------------------------------- lifecycle, journey
def section_lifecycle(ctx: ReportContext) -> Section:
    """Lifecycle stages and patterns (``toolkit.lifecycle.LifecycleClassifier``), pattern mix and early warning."""
    from ... import lifecycle
    from ...plotting import lifecycle as lifecycle_plots

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


