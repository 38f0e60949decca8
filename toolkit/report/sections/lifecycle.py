"""Report section: lifecycle stages and patterns, and the early-warning list."""

from __future__ import annotations

from ...errors import DataQualityError
from ...i18n import tr
from ..base import ReportContext, Section
from ..format import _money_fmt


# ---------------------------------------------------------------------------------------------- lifecycle, journey
def section_lifecycle(ctx: ReportContext) -> Section:
    """Lifecycle stages and patterns (``toolkit.lifecycle.LifecycleClassifier``), pattern mix and early warning."""
    from ... import lifecycle
    from ...plotting import lifecycle as lifecycle_plots

    sec = Section("lifecycle", tr("report.section.lifecycle", "Lifecycle"), intro=tr(
        "report.intro.lifecycle",
        "Every customer's lifecycle stage today (exploration, formation, stability, deterioration, lost) and "
        "pattern, by rules learned from this log, and the early-warning list of stable customers whose buying "
        "dropped."))
    s = ctx.settings
    given = {name: value for name, value in (("loyal_duration", s.loyal_duration_days),
                                             ("time_to_stability", s.time_to_stability_days),
                                             ("lost_gap", s.lost_gap_days)) if value is not None}
    try:
        classifier = lifecycle.LifecycleClassifier(**given).fit(ctx.transactions)
    except DataQualityError as exc:  # the data cannot support the lifecycle: say what it needs and has
        text = getattr(exc, "message", str(exc)).removeprefix("LifecycleClassifier.fit: ")
        sec.status = "skipped"
        sec.needs = text[:1].upper() + text[1:]
        sec.note(sec.needs)
        return sec
    for caveat in classifier.caveats_:  # what a short history forced the classifier to assume
        sec.caveat(caveat)
    result = classifier.result_
    ctx.cache["lifecycle"] = result
    summary = result.summary
    n = max(int(result.acquired.sum()), 1)
    for key, label in (("stability", "in stability"), ("deterioration", "in deterioration"), ("lost", "lost"),
                       ("long_term_retention", "long-term retention pattern"),
                       (lifecycle.TOO_EARLY, "pattern too early to tell")):
        count = summary.loc[key, "customers"] if key in summary.index else 0
        sec.add_number(key, label, float(count) / n, "{:.1%}")
    every = lifecycle.early_warning(result)  # ranked by value at risk: the HTML shows the top 20, the CSV all
    sec.add_number("early_warning", "early-warning customers (top 20 listed)", len(every))
    at_risk = float(every["value_at_risk"].sum()) if len(every) else 0.0
    sec.add_number("early_warning_value", "spend at risk (early-warning customers)", at_risk, _money_fmt(ctx))
    revenue = float(ctx.transactions.frame["amount"].sum())
    sec.numbers["early_warning_value_share"] = at_risk / revenue if revenue > 0 else float("nan")
    lost = float(sec.numbers.get("lost", float("nan")))
    sec.intro += " " + tr(
        "report.sowhat.lifecycle",
        "{n} customers are on the early-warning list with {value} of spend at risk, and {lost} of customers are "
        "already lost: call the list this month, biggest first.").format(
        n=f"{len(every):,}", value=_money_fmt(ctx).format(at_risk), lost=f"{lost:.0%}")
    mix = lifecycle.stage_mix(result, by="cohort", freq="Q")
    sec.add_figure("pattern mix by acquisition quarter", lambda ax: lifecycle_plots.plot_pattern_mix(mix, ax=ax),
                   figsize=(9, 0.4 * len(mix) + 1.8))
    sec.tables["stages and patterns"] = summary
    sec.tables["learned thresholds (days)"] = classifier.learned_
    mix.attrs["kinds"] = {c: "share" for c in mix.columns if c != "customers"}
    sec.tables["pattern mix by acquisition quarter"] = mix
    every.attrs["show"] = ["stage", "since_last_days", "typical_gap_days", "value_at_risk", "reason", "action"]
    sec.tables["early warning"] = every  # the page shows these columns of the top 20; the CSV has everything
    return sec


