"""Cohort retention: kernels vs naive pandas references, calendar edges, invariants, KM vs lifelines, sBG paper values."""

import doctest
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit
import toolkit.cohorts as cohorts
from tests import naive
from toolkit.cohorts import (
    METRICS,
    ShiftedBetaGeometric,
    cohort_counts,
    kaplan_meier,
    lapse_durations,
    period_rates,
    retention_matrix,
    survival_curves,
)
from toolkit.errors import DataQualityError, NotFittedError, SchemaError


def make_tx(rows, end=None, orders=False):
    """rows: list of (customer, 'YYYY-MM-DD', amount[, order])."""
    cols = ["c", "d", "v"] + (["o"] if orders else [])
    raw = pd.DataFrame(rows, columns=cols)
    kw = {"order": "o"} if orders else {}
    return toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v", observation_end=end,
                                           duplicates="keep", **kw)


def assert_matrix_equal(ours, ref):
    assert ours.shape == ref.shape, (ours.shape, ref.shape)
    np.testing.assert_allclose(ours.to_numpy(dtype=float), ref.to_numpy(dtype=float), rtol=1e-9, atol=1e-9,
                               equal_nan=True)


# ---------------------------------------------------------------------------------------------------------
# hand-computed examples and calendar edges
# ---------------------------------------------------------------------------------------------------------
def test_hand_computed_monthly():
    tx = make_tx([(1, "2024-01-03", 10.0), (1, "2024-02-10", 5.0), (2, "2024-01-20", 7.0),
                  (3, "2024-02-01", 3.0), (3, "2024-03-31", 4.0)])
    m = retention_matrix(tx, "M")
    assert [str(c) for c in m.index] == ["2024-01", "2024-02"]
    np.testing.assert_array_equal(m.to_numpy(), [[1.0, 0.5, 0.0], [1.0, 1.0, np.nan]])
    assert toolkit.cohorts.cohort_sizes(m).tolist() == [2, 1]
    rev = retention_matrix(tx, "M", metric="cumulative_revenue_per_customer")
    np.testing.assert_allclose(rev.to_numpy(), [[8.5, 11.0, 11.0], [3.0, 7.0, np.nan]])
    nrr = retention_matrix(tx, "M", metric="net_revenue_retention")
    grr = retention_matrix(tx, "M", metric="gross_revenue_retention")
    assert nrr.iloc[1, 1] == pytest.approx(4 / 3)  # expansion counted
    assert grr.iloc[1, 1] == pytest.approx(1.0)  # capped at period-0 revenue


def test_unequal_months_are_calendar_months():
    # Jan 31 -> Feb 1 is the next month; Feb 1 -> Feb 29 (leap day) is the same month
    tx = make_tx([(1, "2024-01-31", 1.0), (1, "2024-02-01", 1.0), (2, "2024-02-01", 1.0), (2, "2024-02-29", 1.0),
                  (2, "2024-03-01", 1.0)], end="2024-03-31")
    m = retention_matrix(tx, "M", metric="active")
    np.testing.assert_array_equal(m.to_numpy(), [[1, 1, 0], [1, 1, np.nan]])


def test_iso_weeks_run_monday_to_sunday():
    # Sunday 2024-12-29 and Monday 2024-12-30 are in different ISO weeks (2024-W52 and 2025-W01)
    tx = make_tx([(1, "2024-12-29", 1.0), (1, "2024-12-30", 1.0), (2, "2024-12-23", 1.0), (2, "2024-12-29", 1.0)],
                 end="2025-01-05")
    m = retention_matrix(tx, "W", metric="active")
    assert str(m.index[0]) == "2024-12-23/2024-12-29"
    assert pd.Timestamp("2024-12-23").isocalendar().week == 52
    # both customers start in the week of Monday 23 December; only customer 1 buys on Monday 30 December
    np.testing.assert_array_equal(m.to_numpy(), [[2, 1]])


def test_daily_across_month_end_and_leap_day():
    tx = make_tx([(1, "2024-02-28", 1.0), (1, "2024-02-29", 2.0), (1, "2024-03-01", 3.0), (2, "2024-02-29", 1.0)])
    m = retention_matrix(tx, "D", metric="revenue")
    np.testing.assert_array_equal(m.to_numpy(), [[1.0, 2.0, 3.0], [1.0, 0.0, np.nan], [np.nan] * 3][:2])
    assert list(m.index.astype(str)) == ["2024-02-28", "2024-02-29"]


def test_quarters():
    tx = make_tx([(1, "2024-03-31", 1.0), (1, "2024-04-01", 1.0), (2, "2024-05-15", 1.0)], end="2024-12-31")
    m = retention_matrix(tx, "Q")
    assert [str(i) for i in m.index] == ["2024Q1", "2024Q2"]
    np.testing.assert_array_equal(m.to_numpy(), [[1, 1, 0, 0], [1, 0, 0, np.nan]])


def test_partial_last_period_rule():
    rows = [(1, "2024-01-05", 1.0), (1, "2024-02-10", 1.0), (2, "2024-02-03", 1.0)]
    censor = retention_matrix(make_tx(rows, end="2024-02-15"), "M")
    keep = retention_matrix(make_tx(rows, end="2024-02-15"), "M", partial="keep")
    # February is only half observed: censored by default, shown with partial="keep"
    assert censor.shape == (2, 1) and np.isnan(censor.iloc[1, 0])
    np.testing.assert_array_equal(keep.to_numpy(), [[1.0, 1.0], [1.0, np.nan]])


def test_first_purchase_on_last_day_and_single_cohort():
    tx = make_tx([(1, "2024-03-01", 1.0), (1, "2024-03-31", 1.0), (2, "2024-03-31", 5.0)])
    m = retention_matrix(tx, "M", metric="active")
    assert m.shape == (1, 1) and m.iloc[0, 0] == 2
    d = retention_matrix(tx, "D")
    assert d.loc[pd.Period("2024-03-31", "D"), 0] == 1.0
    assert toolkit.cohorts.cohort_sizes(d).iloc[-1] == 1


def test_empty_cohorts_are_rows_with_size_zero():
    tx = make_tx([(1, "2024-01-05", 1.0), (2, "2024-04-02", 1.0), (1, "2024-04-03", 1.0)], end="2024-04-30")
    m = retention_matrix(tx, "M")
    assert [str(i) for i in m.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    assert toolkit.cohorts.cohort_sizes(m).tolist() == [1, 0, 0, 1]
    assert np.isnan(m.iloc[1, 0]) and np.isnan(m.iloc[2, 0])
    assert retention_matrix(tx, "M", metric="active").iloc[1, 0] == 0


def test_orders_are_distinct_order_ids():
    tx = make_tx([(1, "2024-01-05", 1.0, 10), (1, "2024-01-05", 2.0, 10), (1, "2024-01-09", 2.0, 11),
                  (2, "2024-01-07", 2.0, 12)], end="2024-01-31", orders=True)
    m = retention_matrix(tx, "M", metric="orders")
    assert m.iloc[0, 0] == 3


def test_by_attribute_and_channel_string():
    tx = make_tx([(1, "2024-01-05", 1.0), (2, "2024-01-06", 1.0), (2, "2024-02-06", 1.0), (3, "2024-02-07", 1.0)],
                 end="2024-02-29")
    seg = pd.Series({1: "a", 2: "b", 3: "a"}, name="segment")
    m = retention_matrix(tx, "M", by=seg)
    assert m.index.names == ["segment", "cohort"]
    assert m.loc[("b", pd.Period("2024-01", "M")), 1] == 1.0
    assert m.loc[("a", pd.Period("2024-01", "M")), 1] == 0.0
    with pytest.raises(SchemaError, match="channel"):
        retention_matrix(tx, "M", by="channel")
    with pytest.raises(SchemaError, match="Series indexed by customer_id"):
        retention_matrix(tx, "M", by="segment")
    with pytest.raises(SchemaError, match="No customer id"):
        retention_matrix(tx, "M", by=pd.Series({99: "x"}))


def test_acquisition_dates_define_cohorts():
    tx = make_tx([(1, "2024-01-05", 1.0), (1, "2024-02-05", 1.0), (2, "2024-02-06", 1.0)], end="2024-03-31")
    acq = pd.Series(pd.to_datetime(["2024-02-01", "2024-02-01"]), index=[1, 2])
    m = retention_matrix(tx, "M", cohort=acq, metric="active")
    assert m.shape[0] == 1 and toolkit.cohorts.cohort_sizes(m).iloc[0] == 2
    assert m.iloc[0, 0] == 2  # January purchase of customer 1 precedes acquisition and is ignored


def test_errors_are_actionable():
    tx = make_tx([(1, "2024-01-05", 1.0)])
    with pytest.raises(ValueError, match="period must be one of"):
        retention_matrix(tx, "Y")
    with pytest.raises(ValueError, match="metric must be one of"):
        retention_matrix(tx, "M", metric="ltv")
    with pytest.raises(ValueError, match="partial"):
        retention_matrix(tx, "M", partial="drop")


def test_raw_frame_with_column_arguments():
    raw = pd.DataFrame({"c": [1, 1], "d": ["2024-01-01", "2024-02-01"], "v": [1.0, 2.0]})
    m = retention_matrix(raw, "M", customer="c", time="d", amount="v", observation_end="2024-02-29")
    assert m.iloc[0, 1] == 1.0


def test_doctests():
    failures, _ = doctest.testmod(cohorts, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert failures == 0


# ---------------------------------------------------------------------------------------------------------
# property tests against the naive pandas reference
# ---------------------------------------------------------------------------------------------------------
BASES = [pd.Timestamp("2024-01-25"), pd.Timestamp("2024-02-20"), pd.Timestamp("2023-12-20")]


@st.composite
def logs(draw, max_customers=8, max_rows=25):
    base = draw(st.sampled_from(BASES))
    span = draw(st.integers(1, 120))
    n = draw(st.integers(1, max_rows))
    cust = draw(st.lists(st.integers(1, max_customers), min_size=n, max_size=n))
    days = draw(st.lists(st.integers(0, span), min_size=n, max_size=n))
    amounts = draw(st.lists(st.integers(1, 50), min_size=n, max_size=n))
    orders = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    end_extra = draw(st.integers(0, 40))
    frame = pd.DataFrame({"customer_id": cust, "timestamp": base + pd.to_timedelta(days, unit="D"),
                          "amount": np.array(amounts, dtype=float), "order_id": orders})
    end = frame["timestamp"].max() + pd.Timedelta(days=end_extra)
    return frame, end


def _tx_from(frame, end, with_orders):
    kw = {"order": "order_id"} if with_orders else {}
    return toolkit.Transactions.from_frame(frame, customer="customer_id", time="timestamp", amount="amount",
                                           observation_end=end, duplicates="keep", **kw)


@given(logs(), st.sampled_from(list(cohorts.PERIODS)), st.sampled_from(list(METRICS)), st.booleans(),
       st.sampled_from(["censor", "keep"]))
def test_matrix_matches_naive(log, period, metric, with_orders, partial):
    frame, end = log
    tx = _tx_from(frame, end, with_orders)
    ours = retention_matrix(tx, period, metric=metric, partial=partial)
    ref_frame = tx.frame if with_orders else tx.frame.drop(columns=[c for c in ("order_id",) if c in tx.frame])
    ref, sizes = naive.cohort_retention(ref_frame, period, end, metric=metric, partial=partial)
    assert_matrix_equal(ours, ref)
    np.testing.assert_array_equal(toolkit.cohorts.cohort_sizes(ours).to_numpy(), sizes.to_numpy())


@given(logs(), st.sampled_from(["D", "W", "M"]), st.sampled_from(["retention", "revenue", "gross_revenue_retention"]))
def test_matrix_by_group_and_acquisition_match_naive(log, period, metric):
    frame, end = log
    tx = _tx_from(frame, end, False)
    ids = np.unique(frame["customer_id"])
    group = pd.Series(np.where(ids % 3 == 0, "x", "y"), index=ids, name="g")
    ours = retention_matrix(tx, period, metric=metric, by=group)
    ref, _ = naive.cohort_retention(tx.frame, period, end, metric=metric, group=group)
    assert_matrix_equal(ours, ref)
    first = frame.groupby("customer_id")["timestamp"].min().dt.normalize()
    acq = first - pd.to_timedelta(ids % 4 * 3, unit="D")
    ours = retention_matrix(tx, period, metric=metric, cohort=acq)
    ref, _ = naive.cohort_retention(tx.frame, period, end, metric=metric, acquisition=acq)
    assert_matrix_equal(ours, ref)


@given(logs(), st.sampled_from(list(cohorts.PERIODS)))
def test_invariants(log, period):
    frame, end = log
    tx = _tx_from(frame, end, False)
    counts = cohort_counts(tx, period)
    share = counts.values("retention")
    size = counts.size
    obs = counts.observed
    # period 0 share is 100% wherever observed and the cohort is non-empty
    assert np.all(share[(size > 0) & obs[:, 0], 0] == 1.0)
    finite = share[np.isfinite(share)]
    assert np.all((finite >= 0) & (finite <= 1))
    assert np.all(np.isnan(share[~obs]))
    for metric in ("gross_revenue_retention",):
        v = counts.values(metric)
        assert np.all(v[np.isfinite(v)] <= 1 + 1e-12)
    cum = counts.values("cumulative_revenue_per_customer")
    diffs = np.diff(cum, axis=1)
    assert np.all(diffs[np.isfinite(diffs)] >= -1e-12)
    # censored cells are exactly the periods not fully observed
    first_p = counts.index[0] if len(counts.index) else None
    if first_p is not None:
        for i, c in enumerate(counts.index):
            for k in range(counts.n_periods):
                assert obs[i, k] == ((c + k).end_time.normalize() <= tx.observation_end)


@given(logs(), st.integers(1, 45), st.sampled_from(["lapse", "last_purchase"]))
def test_lapse_durations_match_naive(log, window, clock):
    frame, end = log
    tx = _tx_from(frame, end, False)
    ours = lapse_durations(tx, window=window, clock=clock)
    ref = naive.lapse_durations(tx.frame, window, end, clock=clock)
    np.testing.assert_array_equal(ours["duration"].to_numpy(), ref["duration"].to_numpy())
    np.testing.assert_array_equal(ours["event"].to_numpy(), ref["event"].to_numpy())


@given(logs(max_rows=20), st.sampled_from(["D", "W", "M"]), st.integers(1, 40))
def test_period_rates_match_naive(log, period, window):
    frame, end = log
    tx = _tx_from(frame, end, False)
    ours = period_rates(tx, period, window=window)
    ref = naive.period_rates(tx.frame, period, window, end)
    if len(ref) == 0:
        assert len(ours) == 0 or ours["customers"].sum() >= 0
        return
    assert list(ours.index.astype(str)) == list(ref.index.astype(str))
    for col, rcol in [("customers", "customers"), ("active", "active"), ("churn_base", "churn_base"),
                      ("churned", "churned"), ("winback_base", "winback_base"), ("reactivated", "reactivated")]:
        np.testing.assert_array_equal(ours[col].to_numpy(), ref[rcol].to_numpy(), err_msg=col)
    rep = np.where(ref["active"] > 0, ref["rep"] / ref["active"].clip(lower=1), np.nan)
    np.testing.assert_allclose(ours["repurchase_rate"].to_numpy(), rep, equal_nan=True)
    prev = np.concatenate([[0], ref["active"].to_numpy()[:-1]])
    ret = np.where(prev > 0, ref["both"].to_numpy() / np.maximum(prev, 1), np.nan)
    np.testing.assert_allclose(ours["retention_rate"].to_numpy(), ret, equal_nan=True)


def test_period_rates_by_cohort_and_group():
    tx = make_tx([(1, "2024-01-05", 1.0), (1, "2024-02-05", 1.0), (1, "2024-02-07", 1.0), (2, "2024-02-06", 1.0),
                  (2, "2024-05-06", 1.0)], end="2024-05-31")
    r = period_rates(tx, "M", window=30)
    feb = r.loc[pd.Period("2024-02", "M")]
    assert feb["active"] == 2 and feb["repurchase_rate"] == 0.5
    by_c = period_rates(tx, "M", window=30, by="cohort")
    assert set(by_c.index.get_level_values("cohort")) == {"2024-01", "2024-02"}
    g = period_rates(tx, "M", window=30, by=pd.Series({1: "a", 2: "b"}, name="seg"))
    assert g.index.names == ["seg", "period"]
    may_b = g.loc[("b", pd.Period("2024-05", "M"))]
    assert may_b["winback_base"] == 1 and may_b["reactivated"] == 1 and may_b["reactivation_rate"] == 1.0
    assert r.attrs["window"] == 30


# ---------------------------------------------------------------------------------------------------------
# Kaplan-Meier vs lifelines (test-only dependency)
# ---------------------------------------------------------------------------------------------------------
def _lifelines_km(durations, events):
    lifelines = pytest.importorskip("lifelines")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kmf = lifelines.KaplanMeierFitter().fit(durations, events)
    return kmf


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_kaplan_meier_equals_lifelines(seed):
    rng = np.random.default_rng(seed)
    n = 400
    d = rng.integers(0, 60, n).astype(float)
    e = rng.random(n) < 0.7
    ours = kaplan_meier(d, e)
    kmf = _lifelines_km(d, e)
    sf = kmf.survival_function_.iloc[:, 0]
    np.testing.assert_allclose(ours["survival"].to_numpy(), sf.reindex(ours.index).to_numpy(), rtol=1e-12)
    ci = kmf.confidence_interval_
    lo = ci.iloc[:, 0].reindex(ours.index).to_numpy()
    hi = ci.iloc[:, 1].reindex(ours.index).to_numpy()
    ok = (ours["survival"] > 0).to_numpy()
    np.testing.assert_allclose(ours["lower"].to_numpy()[ok], lo[ok], rtol=1e-9)
    np.testing.assert_allclose(ours["upper"].to_numpy()[ok], hi[ok], rtol=1e-9)
    np.testing.assert_array_equal(ours["at_risk"].to_numpy(), kmf.event_table["at_risk"].reindex(ours.index))
    med = survival_curves.__globals__["_median"](ours)
    assert med == kmf.median_survival_time_


def test_kaplan_meier_float_durations_and_no_events():
    d = np.array([0.5, 1.25, 1.25, 3.0])
    ours = kaplan_meier(d, [True, False, True, False])
    kmf = _lifelines_km(d, [True, False, True, False])
    np.testing.assert_allclose(ours["survival"].to_numpy(),
                               kmf.survival_function_.iloc[:, 0].reindex(ours.index).to_numpy())
    none = kaplan_meier([1, 2], [False, False])
    assert (none["survival"] == 1).all() and (none["lower"] == 1).all()
    with pytest.raises(DataQualityError):
        kaplan_meier([-1.0, 2.0])


def test_survival_curves_by_group_equal_lifelines():
    company = toolkit.datasets.load_company()
    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    channel = company.customers.set_index("customer_id")["channel"]
    res = survival_curves(tx, window=120, by=channel)
    assert set(res.curves) == set(channel.unique())
    for label, curve in res.curves.items():
        d = res.durations[res.durations["group"] == label]
        kmf = _lifelines_km(d["duration"], d["event"])
        np.testing.assert_allclose(curve["survival"].to_numpy(),
                                   kmf.survival_function_.iloc[:, 0].reindex(curve.index).to_numpy(), rtol=1e-12)
        assert res.summary.loc[label, "median_lifetime"] == kmf.median_survival_time_
    s = res.summary
    assert "one_yuan_promo" in s.index
    # the promotion channel loses customers fastest
    assert s.loc["one_yuan_promo", "median_lifetime"] == s["median_lifetime"].min()
    assert "120 days" in res.churn_definition
    assert "median" in repr(res) and "<table" in res._repr_html_()
    at = res.survival_at(180)
    assert at.idxmin() == "one_yuan_promo"


# ---------------------------------------------------------------------------------------------------------
# sBG: Fader & Hardie (2007), "How to project customer retention", J. Interactive Marketing 21(1)
# ---------------------------------------------------------------------------------------------------------
# Table 1 of the paper: customers alive at t = 0..12 of two cohorts of 1000; the paper fits years 0..7.
HIGH_END = [1000, 869, 743, 653, 593, 551, 517, 491, 468, 445, 427, 409, 394]
REGULAR = [1000, 631, 468, 382, 326, 289, 262, 241, 223, 207, 194, 183, 173]


@pytest.mark.parametrize("data,alpha,beta,ll", [(REGULAR, 0.704, 1.182, -1680.3), (HIGH_END, 0.668, 3.806, -1611.2)])
def test_sbg_reproduces_paper(data, alpha, beta, ll):
    m = ShiftedBetaGeometric().fit(data[:8])
    assert m.params_["alpha"] == pytest.approx(alpha, abs=5e-4)
    assert m.params_["beta"] == pytest.approx(beta, abs=5e-4)
    assert m.log_likelihood_ == pytest.approx(ll, abs=0.05)
    # projections for years 8..12 stay close to what actually happened (paper, Figure 3)
    proj = m.expected_survivors(np.arange(8, 13))
    np.testing.assert_allclose(proj, data[8:], rtol=0.05)
    assert (m.standard_errors_ > 0).all()


def test_sbg_formulas():
    m = ShiftedBetaGeometric.from_params(alpha=0.704, beta=1.182)
    t = np.arange(1, 30)
    s = m.survival(t)
    np.testing.assert_allclose(m.survival(t - 1) - s, m.churn_probability(t), rtol=1e-12)
    np.testing.assert_allclose(s / m.survival(t - 1), m.retention_rate(t), rtol=1e-12)
    assert np.all(np.diff(m.retention_rate(t)) > 0)  # rising retention from heterogeneity
    d = 0.1
    for renewals in (0, 1, 4):
        n = renewals + 1
        tt = np.arange(n, 5000)
        direct = np.sum(m.survival(tt) / m.survival(n - 1) / (1 + d) ** (tt - n))
        assert m.derl(d, renewals) == pytest.approx(direct, rel=1e-8)
    tt = np.arange(0, 5000)
    assert m.discounted_expected_lifetime(d) == pytest.approx(np.sum(m.survival(tt) / (1 + d) ** tt), rel=1e-8)
    proj = ShiftedBetaGeometric().fit(REGULAR[:8]).project(12)
    assert proj.loc[3, "observed_survival"] == pytest.approx(0.382)
    assert np.isnan(proj.loc[10, "observed_survival"])


def test_sbg_errors_and_display():
    with pytest.raises(NotFittedError):
        ShiftedBetaGeometric().survival(3)
    with pytest.raises(DataQualityError, match="must not increase"):
        ShiftedBetaGeometric().fit([100, 80, 90])
    with pytest.raises(ValueError, match="at least two"):
        ShiftedBetaGeometric().fit([100])
    m = ShiftedBetaGeometric().fit(HIGH_END[:8])
    assert "alpha=0.668" in repr(m) and "<table" in m._repr_html_()
    assert list(m.summary.columns) == ["coef", "se"]


# ---------------------------------------------------------------------------------------------------------
# average curves and plots
# ---------------------------------------------------------------------------------------------------------
def test_average_curve_pools_observed_cohorts():
    tx = make_tx([(1, "2024-01-05", 1.0), (1, "2024-02-05", 1.0), (2, "2024-01-06", 1.0), (3, "2024-02-07", 1.0),
                  (4, "2024-02-08", 1.0), (3, "2024-03-02", 1.0)], end="2024-03-31")
    m = retention_matrix(tx, "M")
    avg = toolkit.cohorts.average_curve(m)
    # period 1: (1 of 2 January customers + 1 of 2 February customers) / 4; period 2 only January is observed
    np.testing.assert_allclose(avg.loc["all"].to_numpy(), [1.0, 0.5, 0.0])
    seg = pd.Series({1: "a", 2: "a", 3: "b", 4: "b"})
    g = toolkit.cohorts.average_curve(retention_matrix(tx, "M", by=seg))
    assert g.loc["b", 1] == 0.5 and np.isnan(g.loc["b", 2])


def test_plots_return_axes():
    import matplotlib.pyplot as plt

    from toolkit.plotting import cohorts as cplot

    company = toolkit.datasets.load_company()
    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    channel = company.customers.set_index("customer_id")["channel"]
    m = retention_matrix(tx, "M")
    assert m.shape == (36, 36)
    ax = cplot.plot_cohort_heatmap(m)
    assert len(ax.get_yticklabels()) <= 18 and not ax.texts  # readable at 36 x 36: no cell labels
    small = retention_matrix(tx, "Q", metric="revenue_per_customer")
    ax = cplot.plot_cohort_heatmap(small)
    assert ax.texts
    split = retention_matrix(tx, "M", by=channel)
    with pytest.raises(ValueError, match="group="):
        cplot.plot_cohort_heatmap(split)
    cplot.plot_cohort_heatmap(split, group="one_yuan_promo")
    cplot.plot_retention_curves(toolkit.cohorts.average_curve(split))
    cplot.plot_retention_curves(m)
    res = survival_curves(tx, window=90, by=channel, time_unit="M")
    ax = cplot.plot_survival(res)
    assert "90 days" in ax.get_title()
    model = ShiftedBetaGeometric().fit(REGULAR[:8])
    fig, axes = plt.subplots(1, 2)
    assert cplot.plot_sbg_projection(model, ax=axes[0], actual=REGULAR, n_periods=12) is axes[0]
    cplot.plot_sbg_projection(model, ax=axes[1], kind="retention", actual=REGULAR)
    plt.close("all")
