"""Report section: cohort retention, period rates and survival."""

from __future__ import annotations

import math

from ...i18n import tr
from ..base import ReportContext, Section


# ---------------------------------------------------------------------------------------------- cohorts
def section_cohorts(ctx: ReportContext) -> Section:
    """Cohort retention matrix, average retention curve, period rates and Kaplan-Meier survival."""
    from ... import cohorts
    from ...plotting import cohorts as cohort_plots

    s = ctx.settings
    tx = ctx.transactions
    sec = Section("cohorts", tr("report.section.cohorts", "Cohorts and retention"), intro=tr(
        "report.intro.cohorts",
        "Customers grouped by the period of their first purchase: the share still buying in each later period, "
        "repurchase and churn rates (churn = no purchase for {days} days) and how long customers survive."
    ).format(days=s.churn_window_days))
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
    r1, r12 = sec.numbers.get("retention_1"), sec.numbers.get("retention_12")
    if r1 is not None and math.isfinite(r1):
        unit_text = tr(f"report.unit.{unit}", unit)
        if r12 is None or not math.isfinite(r12):
            sowhat = tr("report.sowhat.cohorts.short",
                        "{Unit}-1 retention is {r1}: that share of new customers buys again within a {unit}; the log "
                        "is too short to follow cohorts to {unit} 12.")
        elif r12 >= 0.6 * r1:
            sowhat = tr("report.sowhat.cohorts.first",
                        "{Unit}-1 retention is {r1}, and {r12} are still buying in {unit} 12: most customers who do "
                        "not buy again within the first {unit} never do, so the first {unit} decides.")
        else:
            sowhat = tr("report.sowhat.cohorts.erodes",
                        "{Unit}-1 retention is {r1} and falls to {r12} by {unit} 12: customers keep leaving after the "
                        "first {unit}, so retention needs work beyond the welcome.")
        sec.intro += " " + sowhat.format(Unit=unit_text[:1].upper() + unit_text[1:], unit=unit_text, r1=f"{r1:.0%}",
                                         r12=f"{r12:.0%}" if r12 is not None and math.isfinite(r12) else "n/a")
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
    avg.attrs["kinds"] = {c: "share" for c in avg.columns}
    sec.tables["average retention curve (cohort-size weighted)"] = avg
    sec.tables[f"rates per {unit} (last 12)"] = rates.tail(12)[
        ["customers", "active", "repurchase_rate", "retention_rate", "churn_rate", "reactivation_rate"]]
    sec.tables["survival"] = survival.summary.copy()
    sec.tables["survival"].attrs["time_unit"] = "M"  # median lifetime in months
    sec.note(survival.churn_definition)
    return sec


