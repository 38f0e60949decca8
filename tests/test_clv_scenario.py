"""Issue 4: the course CLV method, scenarios, unit economics, promotions, portfolio; toolkit.exercises."""

import math
import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import naive
from toolkit import clv
from toolkit._kernels import scenario as kern
from toolkit.errors import SchemaError
from toolkit.exercises import Feedback, check

ROOT = pathlib.Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------ the worked example (course figures)


def test_textbook_example_course_figures():
    res = clv.textbook_example()
    assert res.horizon == 5
    assert res.historical == pytest.approx(4320.0, abs=1e-9)
    assert round(res.current, 1) == 3058.7
    assert round(res.upsell, 1) == 458.8
    assert round(res.referral, 1) == 1029.4
    assert round(res.potential, 1) == 1488.2
    assert round(res.total, 1) == 8866.9
    for got, quoted in zip(res.years["present_value"], [1047.3, 761.6, 553.9, 402.8, 293.0]):
        assert abs(got - quoted) <= 0.5
    assert res.years["cumulative_pv"].iloc[-1] == pytest.approx(res.current)
    assert res.lifetime_factor == pytest.approx(3058.700163302308 / 1440)


def test_textbook_upsell_and_referral_formulas():
    res = clv.textbook_example()
    assert res.upsell == pytest.approx(0.3 * (3600 - 2400) * 0.6 * res.current / 1440)
    assert res.referral == pytest.approx(0.5 * res.current - 500)


def test_infinite_horizon_limit_3840():
    res = clv.textbook_example(horizon=np.inf)
    assert res.current == pytest.approx(3840.0, rel=1e-12)
    assert clv.textbook_example().current_infinite == pytest.approx(1440 * 0.8 / (1 + 0.1 - 0.8))
    assert len(res.years) == 100  # table truncated, value is the closed form


@pytest.mark.parametrize("h", [1, 2, 5, 17, 60])
def test_closed_form_geometric_series(h):
    q = 0.8 / 1.1
    res = clv.course_clv(2400, 0.6, 0, retention=0.8, discount_rate=0.1, horizon=h)
    assert res.current == pytest.approx(1440 * q * (1 - q**h) / (1 - q), rel=1e-12)


def test_growth_and_cost_closed_form():
    r, d, g, c, h = 0.7, 0.08, 0.05, 100.0, 6
    res = clv.course_clv(1000, 0.5, 0, retention=r, discount_rate=d, horizon=h, revenue_growth=g, retention_cost=c)
    q = r / (1 + d)
    expect = sum((500 * (1 + g) ** (t - 1) - c) * q**t for t in range(1, h + 1))
    assert res.current == pytest.approx(expect)
    assert res.years["present_value"].sum() == pytest.approx(expect)


def test_data_value_and_referred_value():
    res = clv.textbook_example(data_value=100.0, referred_value=1000.0)
    q = 0.8 / 1.1
    assert res.data == pytest.approx(100 * sum(q**t for t in range(1, 6)))
    assert res.referral == pytest.approx(0.5 * 1000 - 500)
    assert res.potential == pytest.approx(res.upsell + res.referral + res.data)


@pytest.mark.parametrize("r,h", [(0.8, 5), (0.6, 3), (0.5, 2), (0.0, 1), (0.9, 10), (0.75, 4), (0.95, 20)])
def test_default_horizon_is_rounded_expected_lifetime(r, h):
    assert clv.default_horizon(r) == h
    assert clv.course_clv(retention=r).horizon == h


def test_result_repr_summary_html():
    res = clv.textbook_example()
    assert "8,866.9" in repr(res)
    assert list(res.summary.index) == ["historical", "current", "upsell", "referral", "data", "potential", "total"]
    assert res.summary.loc["total", "share"] == pytest.approx(1.0)
    html = res._repr_html_()
    assert "<table" in html and "8,866.9" in html
    assert res.to_dict()["historical"] == pytest.approx(4320)


# ------------------------------------------------------------------ clear errors for bad combinations


@pytest.mark.parametrize("kw,match", [
    ({"retention": 1.2}, "retention must be a rate"),
    ({"retention": -0.1}, "retention must be a rate"),
    ({"retention": 80}, "0.8 for 80%"),
    ({"retention": 1.0}, "infinite expected lifetime"),
    ({"retention": 1.0, "discount_rate": 0.0, "horizon": np.inf}, "infinite"),
    ({"retention": 1.0, "horizon": np.inf}, "infinite"),
    ({"discount_rate": -1.0}, r"in \[0, 1\]"),
    ({"discount_rate": np.nan}, "discount_rate"),
    ({"margin": -0.2}, "negative margin"),
    ({"margin": 60}, "0.6 for 60%"),
    ({"horizon": 2.5}, "whole years"),
    ({"horizon": -1}, "horizon"),
    ({"upsell_revenue": 1000.0}, "bigger plan"),
    ({"upsell_probability": 30}, "probability"),
    ({"revenue_growth": -1.5}, "revenue_growth"),
    ({"retention": 0.9, "discount_rate": 0.0, "revenue_growth": 0.2, "horizon": np.inf}, "revenue growth"),
])
def test_bad_combinations_raise_clear_errors(kw, match):
    with pytest.raises(clv.ScenarioError, match=match):
        clv.textbook_example(**kw)


def test_retention_one_with_finite_horizon_is_fine():
    res = clv.course_clv(2400, 0.6, 0, retention=1.0, discount_rate=0.0, horizon=3)
    assert res.current == pytest.approx(3 * 1440)
    assert np.isfinite(res.total)


def test_course_clv_rejects_arrays():
    with pytest.raises(SchemaError, match="scalar"):
        clv.course_clv(annual_revenue=[1.0, 2.0])


# ------------------------------------------------------------------ kernel vs plain-Python loop

cust = st.tuples(
    st.floats(0, 1e5), st.floats(0, 1), st.floats(0, 0.999), st.floats(-0.5, 1.0),
    st.one_of(st.integers(0, 40).map(float), st.just(math.inf)), st.floats(-0.5, 0.5), st.floats(0, 1e3),
)


@given(st.lists(cust, min_size=0, max_size=30))
def test_kernel_equals_naive_loop(rows):
    cols = [np.array([r[i] for r in rows], dtype=np.float64) for i in range(7)]
    want = naive.scenario_current_value(*cols)
    for fn in (kern.current_value, kern.current_value_parallel):
        n = len(rows)
        out = [np.empty(n), np.empty(n), np.empty(n)]
        fn(*cols, *out)
        for got, ref in zip(out, want):
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-6)


@given(st.lists(cust.filter(lambda r: math.isfinite(r[4])), min_size=1, max_size=20))
def test_numpy_and_pandas_baselines_equal_kernel(rows):
    cols = [np.array([r[i] for r in rows], dtype=np.float64) for i in range(7)]
    n = len(rows)
    out = [np.empty(n), np.empty(n), np.empty(n)]
    kern.current_value(*cols, *out)
    np.testing.assert_allclose(naive.scenario_current_value_numpy(*cols)[0], out[0], rtol=1e-9, atol=1e-6)
    frame = pd.DataFrame(dict(zip(["revenue", "margin", "retention", "discount", "horizon", "growth", "cost"], cols)))
    np.testing.assert_allclose(naive.scenario_current_value_pandas(frame).to_numpy(dtype=float), out[0], rtol=1e-9, atol=1e-6)


scen_cust = st.tuples(
    st.floats(0, 1e5), st.floats(0, 1), st.floats(0, 0.95), st.floats(0.0, 0.5),
    st.one_of(st.just(-1.0), st.integers(0, 30).map(float)), st.floats(-0.2, 0.2), st.floats(0, 1e3),
    st.integers(0, 2),
)


@given(st.lists(scen_cust, min_size=1, max_size=25), st.floats(-0.3, 0.3), st.floats(-0.5, 0.5), st.floats(0, 100),
       st.lists(st.booleans(), min_size=3, max_size=3))
def test_scenario_kernel_equals_naive(rows, d_ret, price, d_cost, aff):
    cols = [np.array([r[i] for r in rows], dtype=np.float64) for i in range(7)]
    codes = np.array([r[7] for r in rows], dtype=np.int64)
    affected = np.array(aff, dtype=np.bool_)
    hit = affected[codes]
    rev, m, r, d, h, g, c = cols
    r2 = np.where(hit, np.clip(r + d_ret, 0.0, 0.99), r)
    rev2 = np.where(hit, rev * (1 + price), rev)
    m2 = np.where(hit, (m + price) / (1 + price), m)
    c2 = np.where(hit, c + d_cost, c)
    h2 = np.where(h < 0, clv.default_horizon(r2), h)
    want = naive.scenario_current_value(rev2, m2, r2, d, h2, g, c2)[0]
    for fn in (kern.scenario_current, kern.scenario_current_parallel):
        out = np.empty(len(rows))
        fn(codes, affected, rev, m, r, d, h, g, c, d_ret, price, d_cost, 0.99, out)
        np.testing.assert_allclose(out, want, rtol=1e-9, atol=1e-6)


def test_kernel_edge_cases():
    one = np.ones(1)
    z = np.zeros(1)
    out = [np.empty(1), np.empty(1), np.empty(1)]
    # horizon 0: nothing; zero revenue over an infinite horizon: 0, not NaN
    kern.current_value(one * 100, one * 0.5, one * 0.8, one * 0.1, z, z, z, *out)
    assert out[0][0] == 0.0
    kern.current_value(z, one * 0.5, one * 0.8, one * 0.1, np.full(1, np.inf), z, z, *out)
    assert out[0][0] == 0.0
    # divergent infinite series -> inf factor, never raises
    kern.current_value(one, one, one, z, np.full(1, np.inf), z, z, *out)
    assert np.isinf(out[1][0])


def test_clv_components_vectorised_matches_course_clv(rng):
    r = rng.uniform(0.1, 0.95, 50)
    d = rng.uniform(0.0, 0.3, 50)
    comps = clv.clv_components(2400.0, 0.6, r, d, years_as_customer=3, upsell_revenue=3600.0, upsell_probability=0.3,
                               referrals_per_year=0.5, referral_cost=500.0)
    for i in (0, 17, 49):
        one = clv.course_clv(2400, 0.6, 3, retention=r[i], discount_rate=d[i], upsell_revenue=3600.0,
                             upsell_probability=0.3, referrals_per_year=0.5, referral_cost=500.0)
        assert comps["total"][i] == pytest.approx(one.total)
        assert comps["horizon"][i] == one.horizon


def test_large_input_uses_parallel_kernel_same_result(rng):
    n = 250_000
    r = rng.uniform(0, 0.95, n)
    a = clv.clv_components(100.0, 0.5, r, 0.1, 7.0)["current"]
    b = clv.clv_components(100.0, 0.5, r[:1000], 0.1, 7.0)["current"]
    np.testing.assert_allclose(a[:1000], b)


# ------------------------------------------------------------------ monotonicity

@given(st.floats(0.0, 0.97), st.floats(0.0, 0.02), st.floats(0.0, 0.5), st.integers(1, 40))
def test_clv_rises_with_retention(r, dr, d, h):
    lo = clv.course_clv(2400, 0.6, 3, retention=r, discount_rate=d, horizon=h).total
    hi = clv.course_clv(2400, 0.6, 3, retention=min(r + dr, 0.99), discount_rate=d, horizon=h).total
    assert hi >= lo - 1e-9


@given(st.floats(0.0, 0.99), st.floats(0.0, 0.5), st.floats(0.0, 0.5), st.integers(1, 40))
def test_clv_falls_with_discount_rate(r, d, dd, h):
    lo = clv.course_clv(2400, 0.6, 3, retention=r, discount_rate=d + dd, horizon=h).total
    hi = clv.course_clv(2400, 0.6, 3, retention=r, discount_rate=d, horizon=h).total
    assert hi >= lo - 1e-9


def test_default_horizon_clv_rises_with_retention():
    rs = np.linspace(0, 0.98, 99)
    v = clv.clv_components(2400.0, 0.6, rs, 0.1)["current"]
    assert np.all(np.diff(v) >= -1e-9)


# ------------------------------------------------------------------ sensitivity


def test_sensitivity_tornado_and_elasticities():
    s = clv.sensitivity(pct=0.1)
    assert set(s.tornado.index) == set(clv.FACTORS)
    assert s.base == pytest.approx(clv.textbook_example().total)
    assert s.tornado["swing"].is_monotonic_decreasing
    t = s.tornado
    assert t.loc["retention", "value_high"] > s.base > t.loc["retention", "value_low"]
    assert t.loc["discount_rate", "value_high"] < s.base < t.loc["discount_rate", "value_low"]
    assert t.loc["retention_cost", "value_high"] < s.base
    assert t.loc["horizon", "low"] == 4 and t.loc["horizon", "high"] == 6
    e = s.elasticities["elasticity"]
    assert e["retention"] > 0 > e["discount_rate"]
    assert e["annual_revenue"] > 0
    assert "1% more" in s.elasticities.loc["retention", "reading"]
    assert "retention" in repr(s) and "<table" in s._repr_html_()


def test_sensitivity_annual_revenue_elasticity_is_exact():
    # the current value is linear in revenue: elasticity exactly 1
    s = clv.sensitivity(value="current")
    assert s.elasticities.loc["annual_revenue", "elasticity"] == pytest.approx(1.0)
    assert s.elasticities.loc["discount_rate", "elasticity"] < 0


def test_sensitivity_rejects_unknown_factor():
    with pytest.raises(ValueError, match="unknown factor"):
        clv.sensitivity(factors=["colour"])


def test_heatmap_grid_and_monotone():
    h = clv.heatmap()
    assert h.index.name == "retention" and h.columns.name == "discount_rate"
    assert h.loc[0.8, 0.1] == pytest.approx(clv.textbook_example().total)
    assert (h.diff(axis=0).iloc[1:] > 0).all().all()
    assert (h.diff(axis=1).iloc[:, 1:] < 0).all().all()
    h2 = clv.heatmap(hold_horizon=False, value="current")
    assert h2.loc[0.9, 0.1] == pytest.approx(clv.textbook_example(retention=0.9).current)


# ------------------------------------------------------------------ unit economics


def test_unit_economics_ratio_and_payback():
    econ = clv.unit_economics(3600.0, 1200.0, annual_margin=1440.0)
    assert econ.ratio == pytest.approx(3.0) and econ.healthy
    assert econ.payback_months == pytest.approx(10.0)
    assert not clv.unit_economics(3000.0, 1200.0).healthy
    e2 = clv.textbook_example().unit_economics(1200)
    assert e2.clv == pytest.approx(3058.700163302308 + 1488.155106146500)
    assert "healthy" in repr(e2)
    with pytest.raises(clv.ScenarioError, match="acquisition cost"):
        clv.unit_economics(100, 0)


def test_channel_economics_hand_built():
    values = pd.DataFrame({"clv_new": [900.0, 300.0, 600.0], "annual_margin": [120.0, 120.0, 60.0]},
                          index=pd.Index([1, 2, 3], name="customer_id"))
    customers = pd.DataFrame({"customer_id": [1, 2, 3], "channel": ["ads", "ads", "store"],
                              "acquisition_cost": [200.0, 200.0, 100.0]})
    t = clv.channel_economics(values, customers)
    assert t.loc["ads", "clv_cac"] == pytest.approx(3.0) and t.loc["ads", "healthy"]
    assert t.loc["store", "clv_cac"] == pytest.approx(6.0)
    assert t.loc["ads", "payback_months"] == pytest.approx(20.0)
    with pytest.raises(ValueError, match="channel"):
        clv.channel_economics(values)


# ------------------------------------------------------------------ promotion break-even


@pytest.mark.parametrize("cut", [0.05, 0.1, 0.2])
def test_promotion_breakeven_solves_equation(cut):
    p = clv.promotion_breakeven(cut, annual_revenue=2400, margin=0.6, retention=0.8, discount_rate=0.1)
    assert p.feasible and 0 < p.breakeven_uplift < 0.2
    base = clv.course_clv(2400, 0.6, 0, retention=0.8, discount_rate=0.1, horizon=5).current
    after = clv.course_clv(2400 * (1 - cut), (0.6 - cut) / (1 - cut), 0, retention=0.8 + p.breakeven_uplift,
                           discount_rate=0.1, horizon=5).current
    assert after == pytest.approx(base, abs=1e-6)
    c = p.curve
    assert c["profit_change"].iloc[0] < 0
    assert np.all(np.diff(c["profit_change"]) > 0)
    assert "pays for itself" in repr(p)


def test_promotion_edge_cases():
    assert clv.promotion_breakeven(0.0).breakeven_uplift == 0.0
    p = clv.promotion_breakeven(0.55, margin=0.6, retention=0.8, horizon=3)
    assert not p.feasible and math.isnan(p.breakeven_uplift) and "never" in repr(p)
    with pytest.raises(clv.ScenarioError, match="whole margin"):
        clv.promotion_breakeven(0.6, margin=0.6)
    p10 = clv.promotion_breakeven(0.1, n_customers=1000)
    assert p10.curve["total_change"].iloc[0] == pytest.approx(1000 * p10.curve["profit_change"].iloc[0])


# ------------------------------------------------------------------ a real customer base (hand-built summary)


@pytest.fixture
def summary():
    end = pd.Timestamp("2024-12-31")
    df = pd.DataFrame({
        "revenue": [7200.0, 1000.0, 500.0, 3000.0, 50.0, 2400.0],
        "tenure_days": [3 * 365.2425, 365.2425, 100.0, 730.485, 800.0, 400.0],
        "since_last": [10.0, 400.0, 5.0, 30.0, 700.0, 100.0],
        "segment": ["gold", "silver", "silver", "gold", "bronze", "gold"],
    }, index=pd.Index([11, 12, 13, 14, 15, 16], name="customer_id"))
    df["first_purchase"] = end - pd.to_timedelta(df["tenure_days"], unit="D")
    df.attrs = {"time_unit": "D", "observation_end": end}
    return df


def test_customer_values_match_course_clv(summary):
    v = clv.customer_values(summary, margin=0.6, retention=0.8, discount_rate=0.1)
    assert v.index.equals(summary.index)
    # customer 11: 7,200 over 3 years = 2,400 a year: the textbook customer
    assert v.loc[11, "annual_revenue"] == pytest.approx(2400)
    assert v.loc[11, "historical"] == pytest.approx(4320)
    assert v.loc[11, "current"] == pytest.approx(clv.textbook_example().current)
    # a 100-day customer is not annualised x3.65
    assert v.loc[13, "annual_revenue"] == pytest.approx(500)
    assert (v["clv"] == v["historical"] + v["current"] + v["potential"]).all()


def test_customer_values_per_group_parameters(summary):
    v = clv.customer_values(summary, retention={"gold": 0.9, "silver": 0.7, "bronze": 0.3}, group="segment",
                            upsell_uplift=0.5, upsell_probability=0.3, referrals_per_year=0.5, referral_cost=10.0)
    assert v.loc[11, "retention"] == 0.9 and v.loc[15, "retention"] == 0.3
    assert v.loc[11, "horizon"] == 10
    one = clv.course_clv(2400, 0.6, 3, retention=0.9, discount_rate=0.1, upsell_revenue=3600, upsell_probability=0.3,
                         referrals_per_year=0.5, referral_cost=10.0)
    assert v.loc[11, "clv"] == pytest.approx(one.total)
    with pytest.raises(ValueError, match="no value for group"):
        clv.customer_values(summary, retention={"gold": 0.9}, group="segment")
    with pytest.raises(ValueError, match="revenue"):
        clv.customer_values(summary.drop(columns="revenue"))


def test_spend_gap(summary):
    g = clv.spend_gap(summary, q=1.0)
    assert g.loc[11] == 0.0 and (g >= 0).all()
    assert g.loc[15] == pytest.approx(2400 / (50 / (800 / 365.2425)) - 1)
    gs = clv.spend_gap(summary, by="segment", q=1.0)
    assert gs.loc[13] == pytest.approx(1000 / 500 - 1)


def test_estimate_retention(summary):
    est = clv.estimate_retention(summary)
    # at risk: tenure >= 1 year: 11, 12, 14, 15, 16; bought in the last year: 11, 14, 16
    assert est.loc["all", "n"] == 5 and est.loc["all", "retention"] == pytest.approx(3 / 5)
    by = clv.estimate_retention(summary, by="segment")
    assert by.loc["gold", "retention"] == 1.0 and by.loc["bronze", "retention"] == 0.0


def test_portfolio_no_change_is_zero_and_segment_only(summary):
    pf = clv.Portfolio(summary, group="segment", retention=0.8)
    assert pf.groups == ["bronze", "gold", "silver"]
    res0 = pf.evaluate("gold")
    assert res0.delta == 0.0
    res = pf.evaluate("gold", retention_delta=0.05)
    assert res.delta > 0 and res.n_affected == 3
    assert res.by_group.loc["silver", "delta"] == 0.0 and res.by_group.loc["bronze", "delta"] == 0.0
    base = clv.customer_values(summary, retention=0.8)
    after = clv.customer_values(summary, retention=np.where(summary["segment"] == "gold", 0.85, 0.8))
    assert res.delta == pytest.approx(after["current"].sum() - base["current"].sum())
    assert res.base_total == pytest.approx(base["current"].sum())
    # price -10% at unchanged unit costs on silver: margin per old revenue 0.6 -> 0.5
    cut = pf.evaluate("silver", price_change=-0.1)
    want = clv.customer_values(summary, margin=np.where(summary["segment"] == "silver", 0.5, 0.6), retention=0.8)
    assert cut.scenario_total == pytest.approx(want["current"].sum())
    cost = pf.evaluate(["silver", "bronze"], cost_change=10.0, value="clv")
    assert cost.delta < 0 and cost.base_total == pytest.approx(base["clv"].sum())
    assert "PortfolioResult" in repr(cost) and "<table" in cost._repr_html_()
    with pytest.raises(ValueError, match="not found"):
        pf.evaluate("platinum")
    with pytest.raises(clv.ScenarioError, match="retention"):
        pf.evaluate("gold", retention_delta=0.3)


def test_portfolio_monte_carlo_band(summary):
    res = clv.portfolio_scenario(summary, "gold", group="segment", retention_delta=0.05, retention=0.8,
                                 retention_n={"gold": 50, "silver": 40, "bronze": 10}, n_sims=100)
    b = res.band
    assert b.loc["q05", "delta"] <= b.loc["q50", "delta"] <= b.loc["q95", "delta"]
    assert b.loc["q05", "base_total"] < res.base_total < b.loc["q95", "base_total"]
    assert "delta_q05" in res.summary.columns
    again = clv.portfolio_scenario(summary, "gold", group="segment", retention_delta=0.05, retention=0.8,
                                   retention_n={"gold": 50, "silver": 40, "bronze": 10}, n_sims=100)
    pd.testing.assert_frame_equal(b, again.band)  # seeded
    sd = clv.portfolio_scenario(summary, "gold", group="segment", retention_delta=0.05, retention_sd=0.02, n_sims=50)
    assert sd.band is not None
    assert clv.portfolio_scenario(summary, "gold", group="segment", retention_delta=0.05).band is None


def test_clv_segments_quadrants():
    v = pd.DataFrame({"current": [10.0, 10.0, 1.0, 1.0], "potential": [5.0, 0.0, 5.0, 0.0]})
    s = clv.clv_segments(v)
    assert list(s["clv_segment"]) == ["high-value", "watch", "growth", "low-value"]
    assert s["strategy"].str.len().min() > 10
    s2 = clv.clv_segments(v, current_threshold=20)
    assert set(s2["clv_segment"]) == {"growth", "low-value"}


def test_delivered_value():
    dv = clv.delivered_value(product=300, service=60, personnel=20, image=40, money=199, time=10, energy=5,
                             psychological=6)
    assert dv.total_value == 420 and dv.total_cost == 220 and dv.delivered == 200
    assert dv.ratio == pytest.approx(420 / 220)
    assert len(dv.summary) == 8 and "DeliveredValue" in repr(dv)
    with pytest.raises(clv.ScenarioError):
        clv.delivered_value(money=-1)


# ------------------------------------------------------------------ teaching company (toolkit.datasets)


def test_teaching_company_channels_and_portfolio():
    import toolkit

    datasets = pytest.importorskip("toolkit.datasets")
    if not hasattr(datasets, "make_company"):
        pytest.skip("make_company not available")
    co = datasets.make_company(400, seed=1)
    tx = toolkit.Transactions.from_frame(co.transactions, customer="customer_id", time="timestamp", amount="amount",
                                         order="order_id", duplicates="keep")
    s = toolkit.customer_summary(tx).join(co.customers.set_index("customer_id")[["channel", "acquisition_cost"]])
    ret = clv.estimate_retention(s, by="channel")
    v = clv.customer_values(s, margin=0.35, retention=ret["retention"].fillna(0.3).clip(upper=0.95), group="channel")
    t = clv.channel_economics(v, s)
    assert set(t.index) <= set(co.customers["channel"]) and t["n_customers"].sum() == len(s)
    assert t["clv_cac"].notna().all()
    pf = clv.Portfolio(s, group="channel", margin=0.35, retention=ret["retention"].fillna(0.3).clip(upper=0.95),
                       retention_n=ret["n"])
    res = pf.evaluate(pf.groups[0], retention_delta=0.02, n_sims=20)
    assert res.delta > 0


# ------------------------------------------------------------------ import weight and plots


def test_import_clv_is_light():
    code = ("import sys, toolkit.clv; heavy = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'dask')"
            " if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == ""


def test_plot_functions_return_axes(summary):
    import matplotlib.pyplot as plt

    from toolkit.plotting import clv as cplot

    res = clv.textbook_example()
    v = clv.customer_values(summary, upsell_uplift=clv.spend_gap(summary), upsell_probability=0.3)
    values = pd.DataFrame({"clv_new": [900.0, 300.0], "annual_margin": [120.0, 60.0], "channel": ["a", "b"],
                           "acquisition_cost": [100.0, 200.0]})
    calls = [
        (cplot.plot_waterfall, res), (cplot.plot_years, res), (cplot.plot_tornado, clv.sensitivity()),
        (cplot.plot_heatmap, clv.heatmap()), (cplot.plot_clv_cac_gauge, res.unit_economics(1200)),
        (cplot.plot_profit_curve, clv.promotion_breakeven(0.1)), (cplot.plot_clv_segments, clv.clv_segments(v)),
        (cplot.plot_delivered_value, clv.delivered_value(product=10, money=4)),
        (cplot.plot_channel_economics, clv.channel_economics(values)),
    ]
    for fn, arg in calls:
        fig, ax = plt.subplots()
        assert fn(arg, ax=ax) is ax
        plt.close(fig)
    ax = cplot.plot_waterfall(res)
    assert len(ax.patches) >= 5
    plt.close("all")


# ------------------------------------------------------------------ toolkit.exercises


def test_check_by_name_and_value():
    current_value = 3058.7  # noqa: F841 (looked up by name)
    fb = check("current_value", 3058.700163, tol=0.05)
    assert isinstance(fb, Feedback) and fb.right and bool(fb) and fb.name == "current_value"
    assert "right" in repr(fb) and "✔" in fb._repr_html_()
    assert check(3058.7, 3058.700163, tol=0.05)
    wrong = check(3840.0, 3058.7, tol=0.5, hint="Use five years.", mistakes={3840: "that is the infinite-horizon limit"})
    assert wrong.wrong and wrong.why == "that is the infinite-horizon limit" and "five years" in repr(wrong)
    assert "Hint" in wrong._repr_html_()


def test_check_explains_common_slips():
    assert "not defined yet" in check("no_such_variable_xyz", 1.0).message
    assert "100x too large" in check(80.0, 0.8, tol=0.001).why
    assert "100x too small" in check(0.2, 20.0, tol=0.01).why
    assert "sign" in check(-5.0, 5.0).why
    assert "off by" in check(10.0, 12.0).why
    assert check(..., 3.0).message.endswith("not answered yet")
    assert "NaN" in check(float("nan"), 3.0).why
    assert check(float("nan"), float("nan"))
    assert check("1,029.4", 1029.35, tol=0.1)


def test_check_other_types():
    assert check("High-Value ", "high-value")
    assert not check("growth", "watch")
    assert check(np.array([1.0, 2.0]), [1.0, 2.0 + 1e-9])
    arr = check(np.array([1.0, 2.5]), np.array([1.0, 2.0]))
    assert not arr and "1 of 2 values" in arr.why
    assert "shape" in check([1.0], [1.0, 2.0]).why
    assert check(pd.Series([1.0, 2.0]), pd.Series([1.0, 2.0]))
    assert check(True, True) and not check(1, True)
    assert check(None, None) and not check(0, None)
    assert check(["a", "b"], ["a", "b"]) and not check(["a", "c"], ["a", "b"])
    assert check({"a": 1}, {"a": 1})
    assert check(100.0, 103.0, rtol=0.05) and not check(100.0, 110.0, rtol=0.05)


# ------------------------------------------------------------------ lesson solutions run and pass


@pytest.mark.parametrize("path", sorted((ROOT / "notebooks" / "solutions").glob("03-*.py")), ids=lambda p: p.name)
def test_lesson_03_solutions_pass_their_checks(path, capsys):
    ns = {"__name__": "solution"}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), ns)
    fb = ns.get("feedback")
    assert isinstance(fb, Feedback) and fb.right, fb


def test_customer_values_accept_transactions():
    import toolkit

    raw = pd.DataFrame({"cust": ["a", "a", "b"], "date": ["2022-01-01", "2024-01-01", "2024-06-01"],
                        "value": [100.0, 200.0, 50.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="cust", time="date", amount="value",
                                         observation_end="2024-12-31")
    v = clv.customer_values(tx, margin=0.5)
    assert v.loc["a", "historical"] == pytest.approx(150.0)
    assert v.loc["b", "annual_revenue"] == pytest.approx(50.0)  # tenure < 1 year is floored at 1 year
    with pytest.raises(ValueError, match="DataFrame"):
        clv.customer_values([1, 2, 3])
