"""Issue #20, the analyses' results: RFM, lifecycle, cohorts and KPIs speak Chinese under ``set_language("zh")``.

What a Chinese lesson shows of these results -- result objects' ``repr`` and HTML, their tables as a notebook
displays them (:func:`toolkit.formatting.notebook_table_html`), the sentences they carry (reasons, derivations,
actions) and the figures drawn from them (:func:`toolkit.plotting._texts.figure_texts`) -- has no English word
left once the code a reader types is set aside (column names under their Chinese headers, ``argument=value``:
:func:`tests._zh_words.without_code`). The English output stays as it was: the same reprs, labels and figure
texts (the English strings below are the ones these results printed before they had Chinese).
"""

from __future__ import annotations

import re
import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

import toolkit  # noqa: E402
from toolkit import cohorts, datasets, lifecycle, rfm  # noqa: E402
from toolkit.formatting import format_table, label, notebook_table_html, value_label  # noqa: E402
from toolkit.plotting._texts import figure_texts  # noqa: E402

from ._zh_words import english_words, strip_html, without_code  # noqa: E402

CODE_TAG = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)


def shown(*outputs) -> dict:
    """The English words a Chinese reader would see in these reprs / HTML fragments (code set aside)."""
    texts = []
    for out in outputs:
        text = strip_html(CODE_TAG.sub(" ", out)) if "<" in out and ">" in out else out
        texts.append(without_code(text, examples=False))
    return english_words(texts)


def figure_words(ax) -> dict:
    texts = figure_texts(ax.figure)
    plt.close("all")
    return english_words(texts)


@pytest.fixture
def zh():
    toolkit.set_language("zh")
    try:
        yield
    finally:
        toolkit.set_language("en")


@pytest.fixture(scope="module")
def company():
    return datasets.load_company()


@pytest.fixture(scope="module")
def tx(company):
    return company.to_transactions()


@pytest.fixture(scope="module")
def summary(tx, company):
    events = company.events
    refs = rfm.count_support_contacts(events, type_col="event", types="referral", name="referrals")
    support = rfm.count_support_contacts(events, type_col="event", types="support_contact")
    return toolkit.customer_summary(tx).join(refs).join(support).fillna({"referrals": 0, "support_contacts": 0})


@pytest.fixture(scope="module")
def fitted(tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = lifecycle.LifecycleClassifier().fit(tx)
        monthly = clf.classify(at=lifecycle.snapshot_dates(tx, "M", 4))
    return clf, monthly


# ------------------------------------------------------------------------------------------------------ RFM
def test_rfm_results_in_chinese(zh, summary):
    grid = rfm.check_segment_map("rf_grid")
    broken = rfm.segment_map("rf_grid")
    broken.loc[0, "r_min"] = 4
    overlaps = rfm.check_segment_map(broken)
    conc = rfm.revenue_concentration(summary)
    clusters = rfm.cluster_customers(summary, k=range(2, 4))
    for result in (grid, overlaps, conc, clusters):
        assert shown(repr(result), result._repr_html_()) == {}, type(result).__name__
    assert repr(grid).startswith("细分规则表覆盖检查：R × F 评分网格（1..5 分）：完整，无重叠")
    assert "0 个空缺格，2 个重叠格" in repr(overlaps)
    assert "基尼系数 0.739" in repr(conc) and "前 20%" in repr(conc) and "前 20%" in conc._repr_html_()
    assert "平均轮廓系数" in repr(clusters)


def test_rfm_results_in_english_unchanged(summary):
    grid = rfm.check_segment_map("rf_grid")
    assert repr(grid) == ("SegmentMapCheck: R x F grid of scores 1..5: complete, no overlaps\n"
                          + grid.summary.to_string())
    assert grid._repr_html_().startswith("<p><b>SegmentMapCheck</b>: R x F grid of scores 1..5: complete, no "
                                         "overlaps</p><table border=\"1\" class=\"dataframe\">")
    conc = rfm.revenue_concentration(summary)
    assert repr(conc).startswith("ConcentrationResult: 2,000 customers, revenue 2,661,672.13, Gini 0.739\n")
    clusters = rfm.cluster_customers(summary, k=range(2, 4))
    assert repr(clusters).startswith("ClusterResult: k=2 on 2,000 customers, features ['since_last', 'n_days', "
                                     "'revenue']; silhouette k=2: 0.414, k=3: 0.399\n")


def test_rfm_tables_in_a_chinese_notebook(zh, summary, tx):
    scores = rfm.rfm_scores(summary, method="thresholds",
                            thresholds={"r": [30, 90, 180, 365], "f": [1, 2, 3, 5], "m": [100, 200, 400, 800]})
    card = rfm.value_scorecard(summary)
    needs = rfm.needs_classes(summary)
    truth = needs["needs_class"].astype(str).rename("truth")
    tiers = rfm.value_tiers(tx)
    tables = [scores.head(), rfm.segment_map("rf_grid"), card.head(), needs.head(),
              pd.crosstab(needs["needs_class"], truth), tiers.head(), pd.DataFrame(tiers.attrs["rules"]).T,
              rfm.segment_summary(summary, labels=tiers, segment_col="tier"),
              rfm.cluster_customers(summary, k=range(2, 4)).scores]
    for table in tables:
        assert shown(notebook_table_html(table)) == {}, list(table.columns)
    html = notebook_table_html(pd.crosstab(needs["needs_class"], truth))
    assert "价格敏感型" in html and "服务依赖型" in html and "需求导向型" in html


def test_a_scorecard_error_reads_chinese_and_stays_a_value_error(zh, summary):
    with pytest.raises(ValueError) as err:
        rfm.value_scorecard(summary, weights={"financial": 0.5, "growth": 0.25, "loyalty": 0.2, "influence": 0.15})
    assert err.value.message.startswith("weights must sum to 1, but they sum to 1.1")  # raised in English
    assert "之和必须为 1" in str(err.value)  # shown in Chinese


# ------------------------------------------------------------------------------------------------------ lifecycle
def test_lifecycle_results_in_chinese(zh, fitted, company, tx):
    clf, monthly = fitted
    truth = company.truth.set_index("customer_id")
    accuracy = lifecycle.lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_evident"])
    q = monthly.dates
    results = [clf, lifecycle.LifecycleClassifier(), monthly, accuracy, lifecycle.stage_migration(monthly, q[0], q[-1]),
               lifecycle.segment_migration(tx, q[0], q[-1], kind="tier")]
    for result in results:
        assert shown(repr(result), result._repr_html_()) == {}, type(result).__name__
    timeline = lifecycle.customer_timeline(clf, monthly.stages.index[0])
    assert shown(repr(timeline), repr(clf.features_)) == {}
    assert repr(clf).startswith("LifecycleClassifier（已拟合：187 天后进入稳定期，预期忠诚期 561 天")
    # the learned thresholds: "reach" is the span that counts as reaching stability, not the journey stage 触达
    html = clf._repr_html_()
    assert "判定进入稳定期的购买跨度（天）" in html and "触达" not in html and "设定值（0 = 不使用）" in html


def test_explanations_speak_chinese_and_keep_their_codes(zh, fitted):
    clf, monthly = fitted
    for stage in lifecycle.STAGES:
        cid = monthly.stages[monthly.stages == stage].index[0]
        e = monthly.explain(cid)
        assert e.stage == stage  # a code, as the lessons assert
        # what print(e.stage_reason) shows (str()) is Chinese; the value itself stays the English sentence
        assert shown(str(e.stage_reason), str(e.pattern_reason), str(e.action), repr(e), e._repr_html_()) == {}, stage
        assert e.stage_reason.startswith(stage) and f"{e.stage_reason}" == str(e.stage_reason)
    assert str(monthly.explain(monthly.stages.index[0]).stage_reason).startswith(
        ("流失", "退化期", "稳定期", "形成期", "考察期"))


def test_lifecycle_tables_in_a_chinese_notebook(zh, fitted, tx):
    clf, monthly = fitted
    q = monthly.dates
    tiers = lifecycle.segment_migration(tx, q[0], q[-1], kind="tier")
    tables = [clf.learned_.round(2), monthly.counts(), monthly.summary,
              monthly.reasons(customers=monthly.stages.index[:5]), lifecycle.early_warning(clf.result_, top=10),
              lifecycle.suggested_actions(), lifecycle.stage_mix(clf.result_, "cohort", freq="Q"),
              lifecycle.stage_migration(monthly, q[0], q[-1]).counts, tiers.summary, tiers.counts,
              lifecycle.stage_flows(monthly).head(), monthly.table().head()]
    for table in tables:
        assert shown(notebook_table_html(table)) == {}, list(table.columns)
    # the tier migration's columns are tiers (潜力), not the CLV part "potential" (潜在价值)
    assert "潜力" in notebook_table_html(tiers.counts) and "潜在价值" not in notebook_table_html(tiers.counts)


def test_lifecycle_results_in_english_unchanged(fitted):
    clf, monthly = fitted
    assert repr(clf) == ("LifecycleClassifier(fitted: stability after 187 days, expected loyal duration 561 days, lost "
                         "after 148 days without a purchase)")
    assert repr(lifecycle.LifecycleClassifier()) == "LifecycleClassifier(not fitted)"
    e = monthly.explain(1)
    assert repr(e).splitlines()[0] == "Customer 1: stage lost, pattern early_exit"
    assert e.stage_reason == "lost: 443 days since the last purchase > 3.0 x her typical gap of 65 days = 195 days"
    assert repr(monthly).startswith("LifecycleResult: 2,000 customers, 4 snapshot(s) up to 2024-12-31; stability "
                                    "after 187 days, loyal duration 561 days\n")
    # the English report labels the learned thresholds as before
    assert format_table(clf.learned_).index[:5] == ["start of stability (days)", "end of exploration (days)",
                                                    "early purchase cycle (days)", "reach", "lost: long gap"]
    assert [row[0] for row in format_table(monthly.summary).cells][:1] == ["stage"]


# ------------------------------------------------------------------------------------------------------ cohorts
def test_cohort_results_in_chinese(zh, tx, company):
    channel = company.customers.set_index("customer_id")["channel"]
    survival = cohorts.survival_curves(tx, by=channel, time_unit="M")
    sbg = cohorts.ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326])
    for out in (survival, sbg, cohorts.ShiftedBetaGeometric()):
        assert shown(repr(out), out._repr_html_()) == {}, type(out).__name__
    assert shown(repr(cohorts.cohort_counts(tx))) == {}
    rates = cohorts.period_rates(tx, "M", window=90)
    km = cohorts.kaplan_meier(cohorts.lapse_durations(tx)["duration"], cohorts.lapse_durations(tx)["event"])
    for table in (rates.tail(), km.head(), survival.summary, sbg.project(8), survival.survival_at(3)):
        assert shown(notebook_table_html(table)) == {}
    assert "流失 = 90 天内没有购买" in repr(survival) and "时间单位 月" in repr(survival)


def test_cohort_results_in_english_unchanged(tx):
    sbg = cohorts.ShiftedBetaGeometric().fit([1000, 631, 468, 382, 326])
    assert repr(sbg) == "ShiftedBetaGeometric(alpha=0.764, beta=1.296, fitted on 1,000 customers over 4 periods)"
    assert repr(cohorts.ShiftedBetaGeometric()) == "ShiftedBetaGeometric(not fitted)"
    survival = cohorts.survival_curves(tx)
    assert repr(survival) == ("SurvivalResult(churn = no purchase for 90 days; lifetime to the lapse day; unit D; "
                              "all: median 112)")
    assert repr(cohorts.cohort_counts(tx)) == ("CohortCounts(36 cohort rows x 36 periods (M), 2,000 customers, 666 "
                                               "observed cells)")


# ------------------------------------------------------------------------------------------------------ labels, KPIs
NEW_COLUMNS = ["rfm_cell", "r_min", "m_max", "segments", "customer_share", "financial", "composite", "needs_class",
               "support_per_order", "k", "cluster", "silhouette", "inertia", "snapshot", "from", "to", "direction",
               "value_before", "period_revenue", "stage_rule", "tenure", "span_days", "drop_p", "precision",
               "support", "true", "from_stage", "age_days", "churn_base", "winback_base", "reactivated", "at_risk",
               "lower", "time", "projected_survival", "t", "cohort_size"]


@pytest.mark.parametrize("name", NEW_COLUMNS)
def test_new_column_labels_keep_the_english_header(name):
    """The English header of a newly labelled column is what label() derived from its name before."""
    from toolkit.formatting import _SNAKE, _words

    derived = _words(name) if (_SNAKE.match(name) or name.islower() and " " not in name and len(name) > 1) else name
    assert label(name) == derived[:1].upper() + derived[1:]
    with toolkit.i18n.using_language("zh"):
        assert not english_words([label(name)]), label(name)


def test_context_labels(zh):
    assert value_label("reach", "threshold") == "判定进入稳定期的购买跨度（天）"
    assert value_label("reach") == "触达"  # the journey stage, elsewhere
    assert value_label("up", "direction") == "上升" and value_label("new", "from") == "新客户"
    toolkit.set_language("en")
    assert value_label("reach", "threshold") == "reach" and value_label("lost_gap", "threshold") == "lost: long gap"
    assert value_label("stage", "kind") == "stage" and value_label("same stage", "direction") == "same stage"


def test_kpi_board_gap_in_points(zh):
    board = pd.DataFrame({"label": ["x", "y"], "actual": [0.70, 30.0], "target": [0.75, 25.0], "gap": [-0.05, 5.0]},
                         index=pd.Index(["repurchase_rate", "nps"], name="kpi"))
    ft = format_table(board)
    assert ft.cells[0][3] == "-5.0 个百分点" and ft.index == ["复购率", "NPS"]
    toolkit.set_language("en")
    ft = format_table(board)
    assert ft.cells[0][3] == "-5.0 pts" and ft.index == ["Repurchase rate", "nps"]


# ------------------------------------------------------------------------------------------------------ figures
def _figures(company, tx, summary, fitted):
    """Every figure the lessons draw from these results (a function per figure, drawn in the current language)."""
    from toolkit import journey
    from toolkit.clv import evaluation
    from toolkit.plotting import clv as clv_plots, cohorts as cohort_plots, journey as journey_plots
    from toolkit.plotting import lifecycle as lifecycle_plots, models as model_plots, rfm as rfm_plots

    clf, monthly = fitted
    channel = company.customers.set_index("customer_id")["channel"]
    tiers = rfm.value_tiers(tx)
    truth = company.truth.set_index("customer_id")
    events = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event")
    five = journey.journey_map("five_processes")
    kpis = journey.stage_kpis(events, five, transactions=tx, customers=company.customers, nps_scores=company.nps)
    return {
        "segments (tiers)": lambda: rfm_plots.plot_segments(
            rfm.segment_summary(summary, labels=tiers, segment_col="tier")),
        "segments (rf grid)": lambda: rfm_plots.plot_segments(rfm.segment_summary(
            rfm.assign_segments(rfm.rfm_scores(summary), "rf_grid"))),
        "pareto": lambda: rfm_plots.plot_pareto(rfm.revenue_concentration(summary)),
        "pattern mix (channel)": lambda: lifecycle_plots.plot_pattern_mix(lifecycle.stage_mix(clf.result_, channel)),
        "confusion": lambda: lifecycle_plots.plot_confusion(
            lifecycle.lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_evident"])),
        "timeline": lambda: lifecycle_plots.plot_customer_timeline(lifecycle.customer_timeline(clf, 1)),
        "stage flow": lambda: lifecycle_plots.plot_stage_flow(monthly),
        "heatmap (group)": lambda: cohort_plots.plot_cohort_heatmap(cohorts.retention_matrix(tx, by=channel),
                                                                    group="one_yuan_promo"),
        "sbg": lambda: cohort_plots.plot_sbg_projection(cohorts.ShiftedBetaGeometric().fit([1000, 631, 468, 382])),
        "survival": lambda: cohort_plots.plot_survival(cohorts.survival_curves(tx, by=channel, time_unit="M")),
        "journey board": lambda: journey_plots.plot_journey_board(journey.journey_board(events, five, kpis=kpis)),
        "nps": lambda: journey_plots.plot_nps(kpis.nps),
        "tracking": lambda: model_plots.plot_tracking(pd.DataFrame(
            {"actual_cumulative": np.arange(12.0), "expected_cumulative": np.arange(12.0),
             "holdout": [False] * 8 + [True] * 4},
            index=pd.date_range("2024-01-31", periods=12, freq="ME"))),
        "channel economics": lambda: clv_plots.plot_channel_economics(pd.DataFrame(
            {"clv_cac": [5.3, 2.0]}, index=pd.Index(["one_yuan_promo", "referral"], name="channel"))),
        "_evaluation": lambda: evaluation,  # imported: the CLV helpers' Chinese is registered
    }


def test_the_lessons_figures_have_no_english_under_zh(zh, company, tx, summary, fitted):
    figures = _figures(company, tx, summary, fitted)
    found = {}
    for name, draw in figures.items():
        if name.startswith("_"):
            continue
        ax = draw()
        words = figure_words(ax)
        if words:
            found[name] = words
    assert found == {}


def test_figures_in_english_unchanged(company, tx, summary, fitted):
    figures = _figures(company, tx, summary, fitted)
    texts = figure_texts(figures["segments (tiers)"]().figure)
    assert "tier" in texts and "high" in texts and "dormant" in texts
    plt.close("all")
    texts = figure_texts(figures["tracking"]().figure)
    assert "May" in texts and "Sep" in texts
    plt.close("all")
    texts = figure_texts(figures["pareto"]().figure)
    assert "Revenue concentration (Gini 0.74)" in texts
    plt.close("all")
    texts = figure_texts(figures["nps"]().figure)
    assert "one_yuan_promo" in texts and "group" in texts and "Net Promoter Score (95% CI)" in texts
    plt.close("all")
    texts = figure_texts(figures["journey board"]().figure)
    assert "median dwell (D)" in texts and "0.0 D" in texts
    plt.close("all")


def test_month_ticks_are_chinese_months(zh, company, tx, summary, fitted):
    texts = figure_texts(_figures(company, tx, summary, fitted)["tracking"]().figure)
    plt.close("all")
    assert "5月" in texts and not {"May", "Sep"} & set(texts)


def test_the_chinese_report_pdf_and_figures_have_no_english(company, tx, tmp_path):
    """The client report's pages (lesson 90 writes its PDF): section texts, tables and figures in Chinese."""
    from matplotlib.backend_bases import FigureCanvasBase

    from toolkit.report import ReportSettings, build_report

    texts = []
    original = FigureCanvasBase.print_figure

    def recording(self, *args, **kwargs):
        texts.extend(figure_texts(self.figure))
        return original(self, *args, **kwargs)

    events = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                       channel="channel")
    FigureCanvasBase.print_figure = recording
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            report = build_report(tx, events=events, nps=company.nps, industry_clv=900,
                                  settings=ReportSettings(currency="CNY"), lang="zh")
            report.to_pdf(tmp_path / "report.pdf")
    finally:
        FigureCanvasBase.print_figure = original
    assert len(texts) > 1000
    assert english_words(texts) == {}
