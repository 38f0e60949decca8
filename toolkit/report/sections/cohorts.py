"""Report section: cohort retention, period rates and survival."""

from __future__ import annotations

from ...i18n import tr
from ..base import ReportContext, Section


# ---------------------------------------------------------------------------------------------- cohorts
def section_cohorts(ctx: ReportContext) -> Section:
    """Cohort retention matrix, average retention curve, period rates and Kaplan-Meier survival."""
    from ... import cohorts
    from ...plotting import cohorts as cohort_plots

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


