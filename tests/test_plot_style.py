"""Every figure of the public plotting functions (toolkit.plotting.rfm, cohorts, clv, models, lifecycle, journey,
report) has a title and labelled axes, draws without a warning, and uses colour-blind-safe colours (no red-green
pairs)."""

from __future__ import annotations

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.colors import to_rgb

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import toolkit  # noqa: E402
from toolkit import clv, cohorts, rfm  # noqa: E402
from toolkit.plotting import clv as clv_plots  # noqa: E402
from toolkit.plotting import cohorts as cohort_plots  # noqa: E402
from toolkit.plotting import journey as journey_plots  # noqa: E402
from toolkit.plotting import lifecycle as lifecycle_plots  # noqa: E402
from toolkit.plotting import models as model_plots  # noqa: E402
from toolkit.plotting import report as report_plots  # noqa: E402
from toolkit.plotting import rfm as rfm_plots  # noqa: E402


@pytest.fixture(scope="module")
def company_tx():
    company = toolkit.datasets.make_company(300, seed=3)
    return company, toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


@pytest.fixture(scope="module")
def cdnow():
    from toolkit.clv.evaluation import calibration_holdout_split
    from toolkit.clv.models import BetaGeo

    raw = toolkit.datasets.load_cdnow("sample")
    tx = toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                         duplicates="keep", time_unit="W")
    split = calibration_holdout_split(tx, "1997-09-30", "1998-06-30")
    return tx, split, BetaGeo().fit(split)


def _figures(company_tx, cdnow):
    """(name, callable returning an Axes or a Figure) for every public plotting function of the seven modules."""
    from toolkit import journey, lifecycle
    from toolkit.clv.evaluation import evaluate_model, frequency_recency_matrix
    from toolkit.report import build_report

    company, tx = company_tx
    summary = toolkit.customer_summary(tx)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", toolkit.BinningWarning)
        scores = rfm.assign_segments(rfm.rfm_scores(summary, bins=5), "rf_grid")
    table = rfm.segment_summary(scores)
    channel = company.customers.set_index("customer_id")["channel"]
    matrix = cohorts.retention_matrix(tx, "M")
    survival = cohorts.survival_curves(tx, window=90, by=channel, time_unit="M")
    sbg = cohorts.ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326, 289, 262, 241])
    example = clv.textbook_example()
    econ = example.unit_economics(cac=1200)
    with_cac = summary.join(company.customers.set_index("customer_id")[["channel", "acquisition_cost"]])
    values = clv.customer_values(with_cac, margin=0.35, retention=0.6, group="channel", discount_rate=0.1)
    cdnow_tx, split, bg = cdnow
    report = evaluate_model(bg, split, transactions=cdnow_tx)
    history = bg.p_alive_history(np.array([0.0, 5.0, 20.0]), end=39.0, n_points=30)
    forecast = {"time": np.arange(4.0), "expected_purchases": np.array([0.0, 0.2, 0.35, 0.5])}
    import pandas as pd

    forecast = pd.DataFrame(forecast)
    # lifecycle (as notebooks/05 and tests/test_lifecycle.py feed the plots)
    clf = lifecycle.LifecycleClassifier().fit(tx)
    monthly = clf.classify(at=lifecycle.snapshot_dates(tx, "M", 6))
    timeline = lifecycle.customer_timeline(clf, int(company.customers["customer_id"].iloc[0]))
    truth = company.truth.set_index("customer_id")
    accuracy = lifecycle.lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_determinable"])
    # journey (as notebooks/06 and toolkit/report/sections/journey.py feed them)
    events = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                       channel="channel", order="order_id", transactions=tx,
                                       observation_end=company.end)
    funnel = journey.funnel(events, journey_map="five_processes", by=channel)
    moves = journey.transition_matrix(events, "stage")
    kpis = journey.stage_kpis(events, transactions=tx, customers=company.customers, nps_scores=company.nps)
    # report (as toolkit/report/kpis.py feeds them): a KPI board with met and missed targets
    board = build_report(tx, sections=["kpis"], nps=company.nps, industry_clv=150, progress=False).kpi_board
    by_channel = values[["historical", "current"]].groupby(with_cac["channel"]).mean()
    return [
        ("rfm.plot_rf_heatmap", lambda: rfm_plots.plot_rf_heatmap(scores)),
        ("rfm.plot_segments", lambda: rfm_plots.plot_segments(table)),
        ("rfm.plot_pareto", lambda: rfm_plots.plot_pareto(rfm.revenue_concentration(summary))),
        ("rfm.rf_heatmap_figure", lambda: rfm_plots.rf_heatmap_figure(scores)),
        ("cohorts.plot_cohort_heatmap", lambda: cohort_plots.plot_cohort_heatmap(matrix)),
        ("cohorts.plot_retention_curves", lambda: cohort_plots.plot_retention_curves(cohorts.average_curve(
            cohorts.retention_matrix(tx, "M", by=channel)))),
        ("cohorts.plot_survival", lambda: cohort_plots.plot_survival(survival)),
        ("cohorts.plot_sbg_projection", lambda: cohort_plots.plot_sbg_projection(sbg, n_periods=10)),
        ("cohorts.cohort_dashboard", lambda: cohort_plots.cohort_dashboard(matrix, cohorts.average_curve(matrix))),
        ("clv.plot_waterfall", lambda: clv_plots.plot_waterfall(example)),
        ("clv.plot_years", lambda: clv_plots.plot_years(example)),
        ("clv.plot_tornado", lambda: clv_plots.plot_tornado(clv.sensitivity())),
        ("clv.plot_heatmap", lambda: clv_plots.plot_heatmap(clv.heatmap())),
        ("clv.plot_clv_cac_gauge", lambda: clv_plots.plot_clv_cac_gauge(econ)),
        ("clv.plot_profit_curve", lambda: clv_plots.plot_profit_curve(clv.promotion_breakeven(
            0.1, annual_revenue=2400, margin=0.6, retention=0.8, discount_rate=0.1))),
        ("clv.plot_clv_segments", lambda: clv_plots.plot_clv_segments(clv.clv_segments(values))),
        ("clv.plot_delivered_value", lambda: clv_plots.plot_delivered_value(clv.delivered_value(
            product=260, service=40, personnel=15, image=45, money=199, time=20, energy=10, psychological=15))),
        ("clv.plot_channel_economics", lambda: clv_plots.plot_channel_economics(clv.channel_economics(values,
                                                                                                      with_cac))),
        ("clv.delivered_value_figure", lambda: clv_plots.delivered_value_figure(clv.delivered_value(
            product=300, money=199, time=10))),
        ("clv.scenario_dashboard", lambda: clv_plots.scenario_dashboard(example, clv.sensitivity(), econ)),
        ("models.plot_frequency_recency_matrix", lambda: model_plots.plot_frequency_recency_matrix(
            frequency_recency_matrix(bg, T=39, t=52))),
        ("models.plot_probability_alive_matrix", lambda: model_plots.plot_probability_alive_matrix(
            frequency_recency_matrix(bg, T=39, quantity="p_alive"))),
        ("models.plot_calibration_holdout", lambda: model_plots.plot_calibration_holdout(report)),
        ("models.plot_tracking", lambda: model_plots.plot_tracking(report)),
        ("models.plot_p_alive_history", lambda: model_plots.plot_p_alive_history(history)),
        ("models.model_explorer_figure", lambda: model_plots.model_explorer_figure(history, forecast,
                                                                                   time_label="weeks", title="x")),
        ("lifecycle.plot_customer_timeline", lambda: lifecycle_plots.plot_customer_timeline(timeline)),
        ("lifecycle.customer_timeline_figure", lambda: lifecycle_plots.customer_timeline_figure(timeline)),
        ("lifecycle.plot_stage_flow", lambda: lifecycle_plots.plot_stage_flow(monthly)),
        ("lifecycle.plot_stage_flow(share)", lambda: lifecycle_plots.plot_stage_flow(monthly, share=True)),
        ("lifecycle.plot_pattern_mix", lambda: lifecycle_plots.plot_pattern_mix(
            lifecycle.stage_mix(clf.result_, channel))),
        ("lifecycle.plot_pattern_mix(cohort)", lambda: lifecycle_plots.plot_pattern_mix(
            lifecycle.stage_mix(clf.result_, by="cohort", freq="Q"))),
        ("lifecycle.plot_confusion", lambda: lifecycle_plots.plot_confusion(accuracy)),
        ("journey.plot_funnel", lambda: journey_plots.plot_funnel(funnel)),
        ("journey.plot_funnel(group)", lambda: journey_plots.plot_funnel(funnel, group="one_yuan_promo")),
        ("journey.plot_transition_heatmap", lambda: journey_plots.plot_transition_heatmap(moves)),
        ("journey.plot_sankey", lambda: journey_plots.plot_sankey(journey.flows(events, 4, level="event",
                                                                                max_nodes=12))),
        ("journey.plot_journey_board", lambda: journey_plots.plot_journey_board(journey.journey_board(
            events, kpis=kpis))),
        ("journey.plot_nps", lambda: journey_plots.plot_nps(kpis.nps)),
        ("journey.journey_dashboard", lambda: journey_plots.journey_dashboard(funnel, moves)),
        ("journey.JourneyDashboard", lambda: journey_plots.JourneyDashboard().update(funnel, moves)),
        ("report.plot_kpi_board", lambda: report_plots.plot_kpi_board(board)),
        ("report.plot_histogram", lambda: report_plots.plot_histogram(
            values["clv"], log=True, title="CLV per customer", xlabel="CLV per customer (yuan)")),
        ("report.plot_group_bars", lambda: report_plots.plot_group_bars(
            by_channel, title="Mean CLV by channel", ylabel="mean CLV per customer (yuan)")),
    ]


PUBLIC = {
    "rfm": ["plot_rf_heatmap", "plot_segments", "plot_pareto", "rf_heatmap_figure"],
    "cohorts": ["plot_cohort_heatmap", "plot_retention_curves", "plot_survival", "plot_sbg_projection",
                "cohort_dashboard"],
    "clv": list(clv_plots.__all__),
    "models": list(model_plots.__all__),
}
#: Public names that are not plot functions, left out of PUBLIC: colour constants (checked through the plots that
#: use them), figure_png (renders any draw(ax) callable to PNG bytes: nothing of its own to label) and write_pdf
#: (pages of report text, PNGs and tables, axes switched off).
NOT_PLOTS = {
    "lifecycle": {"STAGE_COLORS", "PATTERN_COLORS"},
    "journey": set(),
    "report": {"figure_png", "write_pdf"},
}
for _mod, _module in (("lifecycle", lifecycle_plots), ("journey", journey_plots), ("report", report_plots)):
    PUBLIC[_mod] = [n for n in _module.__all__ if n not in NOT_PLOTS[_mod]]


def _is_red_green_pair(a, b):
    """Both saturated, one mostly red and one mostly green: the pair people with deuteranopia confuse."""
    def kind(c):
        r, g, b_ = to_rgb(c)
        if max(r, g, b_) - min(r, g, b_) < 0.25:
            return None
        if r > 0.55 and g < 0.45 and b_ < 0.45:
            return "red"
        if g > 0.45 and r < 0.35 and b_ < 0.45:
            return "green"
        return None
    return {kind(a), kind(b)} == {"red", "green"}


def _artist_colours(ax):
    colours = []
    for patch in ax.patches:
        colours.append(patch.get_facecolor())
    for line in ax.get_lines():
        colours.append(line.get_color())
    for coll in ax.collections:
        fc = coll.get_facecolor()
        if len(fc) and getattr(coll, "get_array", lambda: None)() is None:
            colours.extend(map(tuple, fc[:8]))
    return colours


def test_every_public_plot_function_is_covered():
    names = {f"{mod}.{fn}" for mod, fns in PUBLIC.items() for fn in fns}
    import inspect

    src = inspect.getsource(_figures)
    missing = sorted(n for n in names if f'"{n}"' not in src)
    assert not missing, f"add these plotting functions to _figures: {missing}"
    modules = {"lifecycle": lifecycle_plots, "journey": journey_plots, "report": report_plots}
    stale = sorted(f"{m}.{n}" for m, names in NOT_PLOTS.items() for n in names if n not in modules[m].__all__)
    assert not stale, f"no longer public, drop from NOT_PLOTS: {stale}"


def test_every_figure_has_title_axis_labels_and_safe_colours(company_tx, cdnow):
    problems = []
    for name, make in _figures(company_tx, cdnow):
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # e.g. missing glyphs, tight_layout failures
            out = make()
            fig = out if isinstance(out, matplotlib.figure.Figure) else out.figure
            fig.canvas.draw()
        # colour bars are axes too: skip them (they carry their own label); so are blank panels (axis off, nothing
        # drawn). A drawn panel with its axis switched off (e.g. the journey board) still needs a title.
        axes = [ax for ax in fig.axes if ax.get_label() != "<colorbar>" and (
            ax.axison or ax.patches or ax.texts or ax.images or ax.lines or ax.collections)]
        for ax in axes:
            if not ax.get_title():
                problems.append(f"{name}: no title")
            if ax.axison and len(ax.get_xticks()) and not ax.get_xlabel():
                problems.append(f"{name}: no x label")
            if ax.axison and len(ax.get_yticks()) and not ax.get_ylabel():
                problems.append(f"{name}: no y label")
            colours = _artist_colours(ax)
            if any(_is_red_green_pair(a, b) for i, a in enumerate(colours) for b in colours[i + 1:]):
                problems.append(f"{name}: red and green used together")
        plt.close("all")
    assert not problems, problems


def test_red_green_detector_detects():
    assert _is_red_green_pair("#c0392b", "#28b463")
    assert not _is_red_green_pair("#0072B2", "#D55E00")
