"""Log-rank test (issue #21 point 4): equal to lifelines (test-only reference) and to a per-time loop; edge cases;
usable on the toolkit's own survival results; shown by the cohort explorer and plot_survival."""

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.cohorts import LogrankResult, lapse_durations, logrank_test, survival_curves
from toolkit.errors import DataQualityError

lifelines_stats = pytest.importorskip("lifelines.statistics")


def _lifelines(durations, events, groups):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lifelines_stats.multivariate_logrank_test(durations, groups, events)


def _naive(durations, events, groups):
    """Observed, expected and the covariance of O - E by a plain loop over churn times (k x k, all groups)."""
    labels = sorted(set(groups))
    k = len(labels)
    obs, exp, cov = np.zeros(k), np.zeros(k), np.zeros((k, k))
    for t in sorted({d for d, e in zip(durations, events) if e}):
        n_g = np.array([sum(1 for d, g in zip(durations, groups) if g == lab and d >= t) for lab in labels], float)
        d_g = np.array([sum(1 for d, e, g in zip(durations, events, groups) if g == lab and e and d == t)
                        for lab in labels], float)
        n, d = n_g.sum(), d_g.sum()
        obs += d_g
        exp += d * n_g / n
        if n > 1:
            for a in range(k):
                for b in range(k):
                    cov[a, b] += d * (n - d) / (n - 1) * n_g[a] / n * ((a == b) - n_g[b] / n)
    return obs, exp, cov


@st.composite
def survival_data(draw):
    k = draw(st.integers(2, 5))
    sizes = draw(st.lists(st.integers(1, 25), min_size=k, max_size=k))
    n = sum(sizes)
    groups = np.repeat([f"g{j}" for j in range(k)], sizes)
    max_t = draw(st.sampled_from([3, 10, 40]))  # few distinct times: many ties
    durations = np.array(draw(st.lists(st.integers(0, max_t), min_size=n, max_size=n)), dtype=float)
    if draw(st.booleans()):
        durations = durations + 0.5 * np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)))
    events = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)))
    order = np.array(draw(st.permutations(range(n))))
    return durations[order], events[order], groups[order]


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(survival_data())
def test_equals_lifelines_and_a_loop_on_random_data_with_ties_and_censoring(data):
    durations, events, groups = data
    k = len(set(groups))
    ref = _lifelines(durations, events, groups)
    obs, exp, cov = _naive(durations.tolist(), events.tolist(), groups.tolist())
    rank = np.linalg.matrix_rank(cov[:-1, :-1])
    if rank == 0:  # no churn time with two groups at risk and a survivor: nothing to compare
        with pytest.raises(DataQualityError, match="cannot be compared"):
            logrank_test(durations, events, groups)
        assert ref.test_statistic == pytest.approx(0.0, abs=1e-8)
        return
    r = logrank_test(durations, events, groups)
    np.testing.assert_allclose(r.statistic, ref.test_statistic, rtol=1e-8, atol=1e-8)
    np.testing.assert_array_equal(r.summary["observed"].to_numpy(), obs)
    np.testing.assert_allclose(r.summary["expected"].to_numpy(), exp, rtol=1e-10, atol=1e-10)
    np.testing.assert_array_equal(r.summary["customers"].to_numpy(), pd.Series(groups).value_counts().sort_index())
    assert r.df == rank
    if rank == k - 1:  # lifelines always reports k - 1 df
        assert r.df == ref.degrees_of_freedom
        np.testing.assert_allclose(r.p_value, ref.p_value, rtol=1e-8, atol=1e-8)
    assert 0.0 <= r.p_value <= 1.0


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(5, 200), st.integers(5, 200))
def test_two_groups_equal_lifelines_logrank_test(seed, n_a, n_b):
    rng = np.random.default_rng(seed)
    da = rng.integers(0, 30, n_a).astype(float)
    db = rng.integers(0, 30, n_b).astype(float) * rng.choice([0.7, 1.0, 1.5])
    ea, eb = rng.random(n_a) < 0.7, rng.random(n_b) < 0.5
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = lifelines_stats.logrank_test(da, db, event_observed_A=ea, event_observed_B=eb)
    r = logrank_test(np.concatenate([da, db]), np.concatenate([ea, eb]), ["A"] * n_a + ["B"] * n_b)
    np.testing.assert_allclose(r.statistic, ref.test_statistic, rtol=1e-8, atol=1e-8)
    np.testing.assert_allclose(r.p_value, ref.p_value, rtol=1e-8, atol=1e-10)
    assert r.df == 1
    # two groups: O - E of one group is minus that of the other, and O sums to the churn events
    s = r.summary
    assert s["observed"].sum() == ea.sum() + eb.sum()
    assert s["expected"].sum() == pytest.approx(s["observed"].sum())


def test_hand_computed_example():
    # a: churn at 1, 2, 3; b: churn at 4, censored at 5, churn at 6. Times 1-3 each: 1 of n at risk churns in a.
    r = logrank_test([1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 0, 1], ["a", "a", "a", "b", "b", "b"])
    exp_a = 1 / 2 + 2 / 5 + 1 / 4  # n = 6, 5, 4 at risk, a has 3, 2, 1 of them
    var = (3 / 6 * 3 / 6) + (2 / 5 * 3 / 5) + (1 / 4 * 3 / 4)  # d = 1: hypergeometric variance p(1 - p)
    assert r.summary.loc["a", "expected"] == pytest.approx(exp_a)
    assert r.summary.loc["b", "expected"] == pytest.approx(5 - exp_a)
    assert r.statistic == pytest.approx((3 - exp_a) ** 2 / var)
    assert r.df == 1 and r.significant  # p = 0.025
    assert "a churns most" in r.sentence and "b least" in r.sentence


def test_one_group_is_a_clear_error():
    with pytest.raises(ValueError, match="at least two groups"):
        logrank_test([1, 2, 3], [1, 0, 1], ["x", "x", "x"])
    with pytest.raises(ValueError, match="groups is required"):
        logrank_test([1, 2, 3], [1, 0, 1])
    with pytest.raises(ValueError, match="at least two groups"):  # missing labels are left out
        logrank_test([1, 2, 3], [1, 0, 1], ["x", None, np.nan])


def test_a_group_without_events():
    d = np.array([1, 2, 3, 4, 5, 2, 3, 6, 7, 8], float)
    e = np.array([1, 1, 0, 1, 1, 0, 0, 0, 0, 0], bool)
    g = ["churns"] * 5 + ["never churns"] * 5
    r = logrank_test(d, e, g)
    ref = _lifelines(d, e, g)
    assert r.statistic == pytest.approx(ref.test_statistic, rel=1e-10)
    assert r.p_value == pytest.approx(ref.p_value, rel=1e-10)
    assert r.summary.loc["never churns", "observed"] == 0
    assert r.summary.loc["never churns", "expected"] > 0
    assert r.summary.loc["never churns", "observed_over_expected"] == 0
    # three groups, one of them without events: still k - 1 = 2 df
    r3 = logrank_test(np.r_[d, d[:5]], np.r_[e, e[:5]], g + ["copy"] * 5)
    assert r3.df == 2
    assert r3.statistic == pytest.approx(_lifelines(np.r_[d, d[:5]], np.r_[e, e[:5]], g + ["copy"] * 5)
                                         .test_statistic, rel=1e-10)


def test_group_never_at_risk_beside_another_reduces_df():
    # the "gone" customers are all censored before the first churn time: they carry no information
    d = [1, 2, 3, 1, 2, 4, 0.5, 0.5]
    e = [1, 1, 0, 1, 0, 1, 0, 0]
    g = ["a", "a", "a", "b", "b", "b", "gone", "gone"]
    r = logrank_test(d, e, g)
    assert r.df == 1
    two = logrank_test(d[:6], e[:6], g[:6])
    assert r.statistic == pytest.approx(two.statistic)


def test_nothing_to_compare_and_bad_input():
    with pytest.raises(DataQualityError, match="cannot be compared"):
        logrank_test([1, 2, 3, 4], [0, 0, 0, 0], ["a", "a", "b", "b"])  # no churn at all
    with pytest.raises(DataQualityError, match="cannot be compared"):
        logrank_test([1, 1], [1, 1], ["a", "b"])  # everyone churns at once: no variance
    with pytest.raises(DataQualityError, match="True/False"):
        logrank_test([1, 2], [1, 2], ["a", "b"])
    with pytest.raises(DataQualityError, match=">= 0"):
        logrank_test([-1, 2], [1, 1], ["a", "b"])
    with pytest.raises(ValueError, match="equal length"):
        logrank_test([1, 2, 3], [1, 1], ["a", "b", "c"])
    with pytest.raises(ValueError, match="alpha"):
        logrank_test([1, 2], [1, 1], ["a", "b"], alpha=1.5)


@pytest.fixture(scope="module")
def company():
    c = toolkit.datasets.load_company()
    tx = toolkit.Transactions.from_frame(c.transactions, **c.transaction_kwargs())
    return tx, c.customers.set_index("customer_id")["channel"]


def test_on_the_toolkits_own_survival_results(company):
    tx, channel = company
    res = survival_curves(tx, window=90, by=channel, time_unit="M")
    r = res.logrank_test()
    assert isinstance(r, LogrankResult) and toolkit.logrank_test is logrank_test
    table = lapse_durations(tx, window=90, by=channel, time_unit="M")
    for other in (logrank_test(res), logrank_test(table),
                  logrank_test(table["duration"], table["event"], table["group"])):
        assert other.statistic == pytest.approx(r.statistic, rel=1e-12)
        assert other.df == r.df == channel.nunique() - 1
    ref = _lifelines(table["duration"], table["event"], table["group"])
    assert r.statistic == pytest.approx(ref.test_statistic, rel=1e-8)
    # the time unit rescales durations only: the test is rank-based
    days = logrank_test(lapse_durations(tx, window=90, by=channel, time_unit="D"))
    assert days.statistic == pytest.approx(r.statistic, rel=1e-9)
    # the summary's customers and churn events are those of the Kaplan-Meier curves
    np.testing.assert_array_equal(r.summary["customers"], res.summary.loc[r.summary.index, "customers"])
    np.testing.assert_array_equal(r.summary["observed"], res.summary.loc[r.summary.index, "churned"])
    # the promotion channel loses customers fastest (see test_cohorts): it churns most against expectation
    assert r.significant and r.summary["observed_over_expected"].idxmax() == "one_yuan_promo"
    assert r.group_name == "channel" and "one_yuan_promo churns most" in r.sentence
    assert "p < 0.001" in r.sentence and "Log-rank" in r._repr_html_() and "LogrankResult(" in repr(r)
    with pytest.raises(ValueError, match="no 'group' column"):
        survival_curves(tx, window=90).logrank_test()


def test_no_difference_between_random_halves(company):
    tx, _ = company
    table = lapse_durations(tx, window=90)
    coin = pd.Series(np.random.default_rng(3).integers(0, 2, len(table)), index=table.index)
    r = logrank_test(table["duration"], table["event"], coin)
    assert not r.significant and r.sentence.startswith("No evidence")


def test_cohort_explorer_shows_the_test(company):
    from toolkit.widgets.cohort_explorer import SURVIVAL_WINDOW, CohortExplorerState, cohort_explorer

    tx, channel = company
    w = cohort_explorer(tx, {"channel": channel}, plots=False)
    assert w.state.logrank is None and "log-rank" not in w.message.value
    w.controls["split"].value = "channel"
    expected = logrank_test(lapse_durations(tx, window=SURVIVAL_WINDOW, by=channel))
    assert w.state.logrank.statistic == pytest.approx(expected.statistic, rel=1e-12)
    assert "Survival by channel" in w.message.value and "log-rank chi-square" in w.message.value
    # a cohort range tests the customers of those cohorts only
    w.controls["cohort_range"].value = ("2023-01", "2023-03")
    n = int(toolkit.cohorts.cohort_sizes(w.state.matrix).sum())
    assert int(w.state.logrank.summary["customers"].sum()) == n
    w.controls["split"].value = None
    assert w.state.logrank is None and "log-rank" not in w.message.value
    s = CohortExplorerState(tx, {"channel": channel}, split="channel")
    s.update(period="W")
    assert s.logrank is not None and len(s._logrank_cache) == 1  # the period does not change the test


def test_plot_survival_title_carries_the_test(company):
    import matplotlib

    matplotlib.use("Agg")
    from toolkit.plotting import cohorts as cplot

    tx, channel = company
    res = survival_curves(tx, window=90, by=channel, time_unit="M")
    ax = cplot.plot_survival(res, logrank=res.logrank_test())
    assert "log-rank χ² = " in ax.get_title() and "df = 4" in ax.get_title()
    assert "log-rank" not in cplot.plot_survival(res).get_title()
    matplotlib.pyplot.close("all")
