"""Lifecycle stages and patterns: kernels vs naive references, rule boundaries, censoring, accuracy on the
teaching company's ground truth (seeds not used for tuning), transitions, migrations, early warning, plots."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import toolkit
from tests import naive
from toolkit import lifecycle
from toolkit._kernels.lifecycle import pattern_rules, stage_rules
from toolkit.errors import DataQualityError, NotFittedError
from toolkit.lifecycle import (
    PATTERNS,
    STAGES,
    TOO_EARLY,
    LifecycleClassifier,
    early_warning,
    lifecycle_accuracy,
    lifecycle_features,
    segment_migration,
    snapshot_dates,
    stage_flows,
    stage_migration,
    stage_mix,
    suggested_actions,
)

FEATURES = ("n_days", "tenure", "since_last", "span", "recent_n", "revenue", "base_rate", "drop_p", "rate_ratio",
            "spend_ratio")


def make_tx(rows, end):
    raw = pd.DataFrame(rows, columns=["c", "d", "v"])
    return toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v", observation_end=end,
                                           duplicates="keep")


def th(**kw):
    base = {"lost_gap": 100.0, "k_lost": 3.0, "k_det": 2.0, "drop_alpha": 0.05, "p_alive_min": 0.0,
            "t_explore": 30.0, "t_early": 30.0, "t_stability": 150.0, "reach": 200.0, "loyal_duration": 300.0,
            "window": 60.0}
    base.update(kw)
    return base


def run_rules(n_days, tenure, since_last, span, drop_p, t, p_alive=None):
    a = lambda x, dt: np.ascontiguousarray(np.atleast_1d(x), dtype=dt)  # noqa: E731
    pa = np.empty(0) if p_alive is None else a(p_alive, np.float64)
    stage, rule = stage_rules(a(n_days, np.int32), a(tenure, np.int32), a(since_last, np.int32), a(span, np.int32),
                              a(drop_p, np.float32), pa, t["lost_gap"], t["k_lost"], t["k_det"], t["drop_alpha"],
                              t["p_alive_min"], t["t_explore"], t["t_stability"])
    return stage, rule


# ---------------------------------------------------------------------------------------------------------
# kernels vs naive references
# ---------------------------------------------------------------------------------------------------------
logs = st.lists(st.tuples(st.integers(0, 6), st.integers(0, 400), st.floats(0.5, 500.0)), min_size=1, max_size=40)


@settings(max_examples=30)
@given(logs, st.lists(st.integers(0, 420), min_size=1, max_size=4), st.integers(1, 120))
def test_features_match_naive(rows, snap_offsets, window):
    origin = pd.Timestamp("2023-01-01")
    raw = [(c, origin + pd.Timedelta(days=d), v) for c, d, v in rows]
    end = origin + pd.Timedelta(days=420)
    tx = make_tx(raw, end)
    snaps = sorted({origin + pd.Timedelta(days=o) for o in snap_offsets})
    feats = lifecycle_features(tx, snaps, window=window)
    ref = naive.lifecycle_features(tx.frame, snaps, window)
    if ref.empty:
        ref = pd.DataFrame(columns=["snapshot", "customer_id", *FEATURES])
    ids = feats.customer_id
    got_rows = 0
    for k, s in enumerate(feats.dates):
        r = ref[ref["snapshot"] == s].set_index("customer_id")
        acquired = feats.n_days[k] > 0
        assert set(ids[acquired]) == set(r.index)
        got_rows += len(r)
        for name in FEATURES:
            got = pd.Series(getattr(feats, name)[k][acquired].astype(np.float64), index=ids[acquired])
            np.testing.assert_allclose(got.loc[r.index].to_numpy(), r[name].to_numpy(dtype=float), rtol=2e-6,
                                       atol=1e-6, equal_nan=True, err_msg=name)
    assert got_rows == len(ref)


feature_rows = st.tuples(st.integers(0, 12), st.integers(0, 400), st.integers(0, 400), st.integers(0, 400),
                         st.one_of(st.just(float("nan")), st.floats(0.0, 1.0)), st.floats(0.0, 1.0))
thresholds = st.fixed_dictionaries({
    "lost_gap": st.floats(1.0, 300.0), "k_lost": st.floats(0.5, 5.0), "k_det": st.floats(0.5, 5.0),
    "drop_alpha": st.floats(0.0, 0.5), "p_alive_min": st.sampled_from([0.0, 0.2, 0.5]),
    "t_explore": st.floats(0.0, 100.0), "t_stability": st.floats(0.0, 300.0), "t_early": st.floats(0.0, 80.0),
    "reach": st.floats(0.0, 400.0), "loyal_duration": st.floats(0.0, 500.0)})


@given(st.lists(feature_rows, min_size=1, max_size=30), thresholds)
@example(rows=[(1, 0, 0, 0, 0.0, 0.0)],  # a drop p of 0 against an alpha below float32's smallest value
         t={"lost_gap": 1.0, "k_lost": 1.0, "k_det": 1.0, "drop_alpha": 1.5647930221087676e-99, "p_alive_min": 0.0,
            "t_explore": 0.0, "t_stability": 0.0, "t_early": 0.0, "reach": 0.0, "loyal_duration": 0.0})
def test_rules_match_naive(rows, t):
    nd, ten, since, span, dp, pa = (np.array(c) for c in zip(*rows))
    since = np.minimum(since, ten)
    span = np.minimum(span, ten - since)
    nd = np.where((span > 0) & (nd < 2), 2, nd)
    stage, rule = run_rules(nd, ten, since, span, dp, t, p_alive=pa)
    pattern, _ = pattern_rules(stage, nd.astype(np.int32), span.astype(np.int32), t["t_early"], t["reach"],
                               t["t_stability"], t["loyal_duration"])
    for j in range(len(rows)):
        exp_stage, exp_rule = naive.lifecycle_stage(nd[j], ten[j], since[j], span[j], np.float32(dp[j]), t, pa[j])
        got = STAGES[stage[j]] if stage[j] >= 0 else None
        assert got == exp_stage and lifecycle.STAGE_RULES[rule[j]] == exp_rule
        labels = PATTERNS + (TOO_EARLY,)
        got_p = labels[pattern[j]] if pattern[j] >= 0 else None
        assert got_p == naive.lifecycle_pattern(exp_stage, nd[j], span[j], t)


def test_pandas_baseline_agrees_with_kernels(company_fit):
    company, tx, clf = company_fit
    dates = snapshot_dates(tx, "Q", 3)
    res = clf.classify(at=dates)
    ref, ref_pattern = naive.pandas_lifecycle(tx.frame, dates, int(clf.thresholds_["window"]), clf.thresholds_)
    for k, d in enumerate(dates):
        got = res.stage_at(k).astype(str)
        exp = ref[ref["snapshot"] == d]["stage"]
        pd.testing.assert_series_equal(got.sort_index(), exp.sort_index().rename("stage"), check_names=False,
                                       check_index_type=False)
    pd.testing.assert_series_equal(res.patterns.astype(str).sort_index(), ref_pattern.sort_index(), check_names=False,
                                   check_index_type=False)


# ---------------------------------------------------------------------------------------------------------
# rule boundaries
# ---------------------------------------------------------------------------------------------------------
def test_stage_rule_boundaries():
    t = th()
    nan = np.nan
    # lost gap: exactly at the threshold is not lost, one day more is
    s, r = run_rules([1, 1], [150, 151], [100, 101], [0, 0], [nan, nan], t)
    assert list(s) == [0, 4] and lifecycle.STAGE_RULES[r[1]] == "lost_gap"
    # own rhythm: 3 purchase days 50 days apart -> 3 x 50 = 150 > lost_gap 100
    s, r = run_rules([3, 3], [400, 401], [150, 151], [100, 100], [nan, nan], t)
    assert list(s) == [3, 4] and lifecycle.STAGE_RULES[r[1]] == "lost_rhythm"
    assert lifecycle.STAGE_RULES[r[0]] == "deterioration_lapse"  # 150 > 2 x 50
    # lapse boundary: 2 x 20 = 40 days
    s, r = run_rules([6, 6], [300, 300], [40, 41], [100, 100], [nan, nan], t)
    assert list(s) == [2, 3]
    # drop test: p below alpha -> deterioration; exactly alpha is not
    s, r = run_rules([10, 10], [300, 300], [5, 5], [290, 290], [0.0499, 0.05], t)
    assert list(s) == [3, 2] and lifecycle.STAGE_RULES[r[0]] == "deterioration_drop"
    # exploration by age, then one purchase, formation, stability
    s, r = run_rules([2, 2, 1, 2, 2], [29, 30, 90, 149, 150], [0, 0, 90, 0, 0], [29, 30, 0, 149, 150],
                     [nan] * 5, t)
    assert [STAGES[x] for x in s] == ["exploration", "formation", "exploration", "formation", "stability"]
    # not yet a customer
    s, r = run_rules([0], [-1], [-1], [-1], [nan], t)
    assert s[0] == -1 and lifecycle.STAGE_RULES[r[0]] == "not_yet_customer"
    # P(alive) rule only when switched on
    s, _ = run_rules([5, 5], [300, 300], [10, 10], [290, 290], [nan, nan], th(p_alive_min=0.3), p_alive=[0.29, 0.3])
    assert list(s) == [4, 2]
    s, _ = run_rules([5], [300], [10], [290], [nan], t, p_alive=[0.01])
    assert s[0] == 2


def test_pattern_rule_boundaries():
    t = th()
    lost = np.full(8, 4, dtype=np.int8)
    nd = np.array([1, 2, 2, 5, 5, 5, 5, 5], dtype=np.int32)
    span = np.array([0, 30, 31, 199, 200, 449, 450, 600], dtype=np.int32)
    p, r = pattern_rules(lost, nd, span, t["t_early"], t["reach"], t["t_stability"], t["loyal_duration"])
    labels = PATTERNS + (TOO_EARLY,)
    assert [labels[x] for x in p] == ["early_abortion", "early_abortion", "mid_term_abortion", "mid_term_abortion",
                                      "early_exit", "early_exit", "long_term_retention", "long_term_retention"]
    # active customers: long-term once stable for the loyal duration, else too early to tell (censoring)
    active = np.array([2, 2, 3, 0], dtype=np.int8)
    p, r = pattern_rules(active, np.array([20, 20, 20, 20], dtype=np.int32),
                         np.array([449, 450, 900, 10], dtype=np.int32), 30.0, 200.0, 150.0, 300.0)
    assert [labels[x] for x in p] == [TOO_EARLY, "long_term_retention", "long_term_retention", TOO_EARLY]
    assert lifecycle.PATTERN_RULES[r[0]] == "too_early_to_tell"


def test_censoring_too_early_then_called():
    """A steady buyer observed for a short time is 'too early to tell'; the same customer later lost is called."""
    days = list(range(0, 240, 20))
    rows = [(1, pd.Timestamp("2023-01-01") + pd.Timedelta(days=d), 10.0) for d in days]
    tx = make_tx(rows, pd.Timestamp("2024-12-31"))
    clf = LifecycleClassifier(time_to_stability=100, loyal_duration=300, lost_gap=90, recent_window=60)
    clf.thresholds_ = {**th(lost_gap=90.0, t_stability=100.0, reach=140.0, loyal_duration=300.0), "window": 60.0}
    clf.tx_, clf.model_ = tx, None
    clf.features_ = lifecycle_features(tx, None, window=60)
    clf.result_ = clf._classify(clf.features_, clf.thresholds_)
    early = clf.predict(at="2023-08-20")
    assert early.iloc[0] == TOO_EARLY
    assert "too early to tell" in clf.classify(at="2023-08-20").explain(1).pattern_reason
    late = clf.predict()
    assert late.iloc[0] == "early_exit"  # lost after 220 - 100 = 120 < 300 days of stability


# ---------------------------------------------------------------------------------------------------------
# the classifier on the teaching company
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def company_fit():
    company = toolkit.datasets.load_company()
    tx = company.to_transactions()
    return company, tx, LifecycleClassifier().fit(tx)


@pytest.mark.parametrize("seed,n", [(7, 5000), (11, 2000), (13, 10000)])
def test_accuracy_on_untuned_seeds(seed, n):
    """Defaults were developed on seed 1; these seeds and sizes were not used for tuning.

    >= 90% on customers whose pattern the orders can show (``pattern_evident``); on every customer whose
    pattern is fixed by the end (``pattern_determinable``, including mid-term abortions whose only order was
    the first, which look exactly like early abortions) the accuracy is lower and only guarded here.
    """
    company = toolkit.datasets.make_company(n, seed=seed)
    clf = LifecycleClassifier().fit(company.to_transactions())
    truth = company.truth.set_index("customer_id")
    rep = lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_evident"])
    assert rep.accuracy >= 0.90, rep
    assert rep.coverage >= 0.8
    assert rep.confusion.to_numpy().sum() == rep.n == int(truth["pattern_evident"].sum())
    assert set(rep.per_class.index) == set(PATTERNS)
    assert (rep.per_class[["precision", "recall"]] > 0.8).all().all()
    wide = lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_determinable"])
    assert 0.85 <= wide.accuracy < rep.accuracy and wide.n > rep.n


def test_bundled_company_accuracy_and_learned_thresholds(company_fit):
    company, tx, clf = company_fit
    truth = company.truth.set_index("customer_id")
    rep = lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_evident"])
    assert rep.accuracy >= 0.90
    assert rep.strict_accuracy == pytest.approx(rep.accuracy * rep.coverage)
    th_ = clf.thresholds_
    # learned values are in a sensible range for a retailer buying about monthly (not constants)
    true_stab = (truth["reached_stability_date"] - company.customers.set_index("customer_id")["acquisition_date"])
    assert abs(th_["t_stability"] - true_stab.dt.days.median()) < 45
    assert th_["t_explore"] < th_["t_stability"] < th_["reach"]
    assert th_["loyal_duration"] > 0 and th_["lost_gap"] > 0
    assert set(clf.learned_.index) == set(th_)
    assert "restricted" in clf.learned_.loc["loyal_duration", "derivation"]
    # a different log gives different thresholds
    other = LifecycleClassifier().fit(toolkit.datasets.make_company(1500, seed=5, mean_purchase_rate=2.5)
                                      .to_transactions())
    assert other.thresholds_["lost_gap"] < th_["lost_gap"]


def test_api_conventions(company_fit):
    company, tx, clf = company_fit
    with pytest.raises(NotFittedError):
        LifecycleClassifier().predict()
    assert LifecycleClassifier().get_params()["lost_quantile"] == 0.95
    c2 = LifecycleClassifier().set_params(drop_alpha=0.0)
    assert c2.drop_alpha == 0.0
    with pytest.raises(ValueError):
        LifecycleClassifier(lost_quantile=1.5).fit(tx)
    with pytest.raises(ValueError):
        LifecycleClassifier().set_params(nonsense=1)
    pred = clf.predict()
    assert pred.index.name == "customer_id" and len(pred) == tx.n_customers
    assert set(pred.unique()) <= set(PATTERNS) | {TOO_EARLY}
    e = clf.explain(int(pred.index[0]))
    assert e.stage in STAGES and e.pattern in PATTERNS + (TOO_EARLY,)
    assert str(int(clf.features_.frame().loc[pred.index[0], "since_last_days"])) in e.stage_reason
    assert "Customer" in repr(e) and "<p>" in e._repr_html_()
    with pytest.raises(KeyError):
        clf.explain(-12345)
    assert "stability after" in repr(clf) and "<table" in clf._repr_html_()
    assert "LifecycleResult" in repr(clf.result_) and "<table" in clf.result_._repr_html_()
    with pytest.raises(ValueError):
        clf.classify(at="2030-01-01")


def test_reclassify_only_reruns_rules(company_fit):
    company, tx, clf = company_fit
    res = clf.reclassify(lost_gap=60)
    assert res.features is clf.features_
    assert res.counts().iloc[-1]["lost"] > clf.result_.counts().iloc[-1]["lost"]
    # same as a classifier fitted with that value
    fixed = LifecycleClassifier(lost_gap=60, loyal_duration=clf.thresholds_["loyal_duration"]).fit(tx)
    np.testing.assert_array_equal(fixed.result_.stage_codes, res.stage_codes)
    with pytest.raises(KeyError):
        clf.reclassify(nope=1)
    with pytest.raises(ValueError):
        clf.reclassify(window=10)


def test_p_alive_feature(company_fit):
    from toolkit.clv.models import BetaGeo

    company, tx, clf = company_fit
    summary = toolkit.customer_summary(tx)
    summary = summary[summary["T"] > 0]
    model = BetaGeo().fit(summary)
    feats = lifecycle_features(tx, model=model, window=60)
    f = feats.frame()
    mask = f["tenure_days"] > 0
    np.testing.assert_allclose(f.loc[mask, "p_alive"], model.p_alive(summary).loc[f.index[mask]], rtol=1e-10)
    assert (f.loc[~mask, "p_alive"] == 1.0).all()
    res = LifecycleClassifier(p_alive_min=0.2).fit(tx, model=model).result_
    assert (res.stage_rule == lifecycle.STAGE_RULES.index("lost_p_alive")).any()


def test_too_little_history_raises():
    # two months of one customer cannot support the purchase-rate curve at all: a typed error that says what
    # the lifecycle needs and what the log has (short but usable logs give caveats: tests/test_lifecycle_short.py)
    tx = make_tx([(1, "2024-01-01", 5.0), (1, "2024-02-01", 5.0)], "2024-03-01")
    needs_has = r"needs at least 4 months of history \(120 days\), this log has 2 months \(60 days"
    with pytest.raises(DataQualityError, match=needs_has):
        LifecycleClassifier().fit(tx)


# ---------------------------------------------------------------------------------------------------------
# transitions, mix, migrations, early warning
# ---------------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def monthly(company_fit):
    company, tx, clf = company_fit
    return clf.classify(at=snapshot_dates(tx, "M", 6))


def test_migration_and_flows(monthly):
    res = monthly
    m = stage_migration(res, 0, -1)
    assert int(m.counts.to_numpy().sum()) == int((res.stage_codes[-1] >= 0).sum())
    assert m.counts.loc["lost"].drop("lost").sum() == 0 or m.counts.loc["lost", "lost"] > 0
    np.testing.assert_allclose(m.shares.sum(axis=1).dropna(), 1.0)
    stab_det = m.between("stability", "deterioration")
    assert len(stab_det) == m.counts.loc["stability", "deterioration"]
    flows = stage_flows(res)
    per = flows.groupby("to_date")["customers"].sum()
    np.testing.assert_array_equal(per.to_numpy(), (res.stage_codes[1:] >= 0).sum(axis=1))
    assert "MigrationResult" in repr(m) and "<table" in m._repr_html_()


def test_stage_mix_shows_promo_early_abortions(company_fit):
    company, tx, clf = company_fit
    channel = company.customers.set_index("customer_id")["channel"]
    mix = stage_mix(clf.result_, channel)
    np.testing.assert_allclose(mix[list(PATTERNS) + [TOO_EARLY]].sum(axis=1), 1.0)
    assert mix["early_abortion"].idxmax() == "one_yuan_promo"
    assert int(mix["customers"].sum()) == tx.n_customers
    cohorts = stage_mix(clf.result_, "cohort", freq="Q", normalize=False)
    assert int(cohorts["customers"].sum()) == tx.n_customers
    # recent cohorts are mostly too early to tell
    assert cohorts[TOO_EARLY].iloc[-1] > cohorts[TOO_EARLY].iloc[0]
    stages = stage_mix(clf.result_, channel, what="stage")
    assert list(stages.columns[:5]) == list(STAGES)


@pytest.mark.parametrize("kind", ["tier", "segment"])
def test_segment_migration(company_fit, kind):
    company, tx, clf = company_fit
    a, b = "2024-06-30", "2024-09-30"
    m = segment_migration(tx, a, b, kind=kind)
    sb = toolkit.customer_summary(tx, observation_end=b)
    sa = toolkit.customer_summary(tx, observation_end=a)
    assert int(m.counts.to_numpy().sum()) == len(sb)
    assert int(m.counts.loc["new"].sum()) == len(sb) - len(sa)
    f = tx.frame
    between = f[(f["timestamp"] > pd.Timestamp(a) + pd.Timedelta(days=1)) &
                (f["timestamp"] < pd.Timestamp(b) + pd.Timedelta(days=1))]["amount"].sum()
    assert m.moves["period_revenue"].sum() == pytest.approx(between)
    assert m.value.sum().sum() == pytest.approx(between)
    assert set(m.moves["direction"]) <= {"up", "down", "same", "new", "moved"}
    if kind == "tier":
        up = m.moves[m.moves["direction"] == "up"]
        assert ((up["from"] == "regular") & (up["to"] == "high")).any()
        assert not ((up["from"] == "high")).any()
    with pytest.raises(ValueError):
        segment_migration(tx, b, a)


def test_early_warning(monthly, company_fit):
    res = monthly
    ew = early_warning(res)
    assert len(ew) > 0
    pos = [res._pos(c) for c in ew.index]
    assert (res.stage_codes[-2][pos] == 2).all()
    assert set(ew["stage"]) <= {"deterioration", "lost"}
    assert ew["value_at_risk"].is_monotonic_decreasing
    assert ew["reason"].str.len().gt(10).all() and ew["action"].notna().all()
    clv = pd.Series(np.arange(len(ew), dtype=float), index=ew.index)
    ranked = early_warning(res, value=clv, top=5)
    assert list(ranked.index) == list(ew.index[::-1][:5])
    single = early_warning(company_fit[2].result_)
    assert (single["stage"].isin(["deterioration", "lost"])).all()


def test_suggested_actions():
    table = suggested_actions()
    assert set(STAGES) <= set(table["label"]) and set(PATTERNS) <= set(table["label"])
    assert "loyalty" in suggested_actions("stability").lower()
    assert "win-back" in suggested_actions("lost").lower()
    assert "barrier" in suggested_actions("early_abortion").lower()
    with pytest.raises(KeyError):
        suggested_actions("nope")


# ---------------------------------------------------------------------------------------------------------
# plots and warm-up
# ---------------------------------------------------------------------------------------------------------
def test_plots(company_fit, monthly):
    import matplotlib.pyplot as plt

    from toolkit import plotting

    company, tx, clf = company_fit
    tl = lifecycle.customer_timeline(clf, 5)
    assert len(tl.purchases) == int(clf.features_.frame().loc[5, "n_days"])
    ax = plotting.plot_customer_timeline(tl)
    assert "5" in ax.get_title() and ax.get_ylabel()
    assert len(ax.collections) + len(ax.lines) >= 1
    ax = plotting.plot_stage_flow(monthly)
    assert ax.get_title() and len(ax.patches) >= len(monthly.dates)
    mix = stage_mix(clf.result_, company.customers.set_index("customer_id")["channel"])
    ax = plotting.plot_pattern_mix(mix)
    assert len(ax.patches) == 5 * len(mix)
    truth = company.truth.set_index("customer_id")
    rep = lifecycle_accuracy(clf.predict(), truth["pattern"], truth["pattern_determinable"])
    ax = plotting.plot_confusion(rep)
    assert ax.get_xlabel() and len(ax.texts) == rep.confusion.size
    plt.close("all")

