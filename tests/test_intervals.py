"""Per-customer intervals (``toolkit.clv.customer_intervals``): kernels against a per-draw reference, the
shape of the intervals, and their coverage on customers simulated from known parameters (issue 21, point 2)."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.clv import customer_intervals
from toolkit.clv import intervals as iv_module
from toolkit.clv.models import (
    BetaGeo,
    GammaGamma,
    ModifiedBetaGeo,
    ParetoNBD,
    customer_lifetime_value,
)
from toolkit.datasets import load_cdnow_summary
from toolkit.errors import NotFittedError, ParameterError

CDNOW_BGNBD = dict(r=0.243, alpha=4.414, a=0.793, b=2.426)
CDNOW_GG = dict(p=6.25, q=3.74, gamma=15.44)


def _fit(model, summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(summary)


def _simulate(n, seed, params=CDNOW_BGNBD, spend=False):
    """n customers from the BG/NBD process, ages uniform over 27-39 weeks (the CDNOW cohort's)."""
    rng = np.random.default_rng(seed)
    T = rng.uniform(27.0, 39.0, n)
    sim = BetaGeo.from_params(**params).simulate(T, seed=rng)[["frequency", "recency", "T"]]
    if spend:
        mv = np.zeros(n)
        pos = sim["frequency"].to_numpy() > 0
        mv[pos] = GammaGamma.from_params(**CDNOW_GG).simulate(sim["frequency"].to_numpy()[pos],
                                                              seed=rng)["monetary_value"].to_numpy()
        sim["monetary_value"] = mv
    sim.attrs["time_unit"] = "W"
    return sim


@pytest.fixture(scope="module")
def cdnow():
    summary = load_cdnow_summary()
    return summary, _fit(BetaGeo(), summary), _fit(ParetoNBD(), summary)


@pytest.fixture(scope="module")
def with_spend():
    summary = _simulate(1500, seed=3, spend=True)
    return summary, _fit(BetaGeo(), summary), _fit(GammaGamma(), summary[summary["frequency"] > 0])


def _reference(model, summary, draws, probs, quantity, t=None, spend=None, spend_draws=None, clv=None):
    """Obviously correct: the public prediction under each draw (a model from_params), then np.quantile."""
    cols = []
    for j, d in enumerate(draws):
        m = type(model).from_params(time_unit=model.time_unit_, **dict(zip(model.params_.index, d)))
        if quantity == "p_alive":
            cols.append(m.p_alive(summary).to_numpy())
        elif quantity == "expected_purchases":
            cols.append(m.conditional_expected_purchases(summary, t).to_numpy())
        else:
            s = spend if spend_draws is None else GammaGamma.from_params(**dict(zip(("p", "q", "gamma"),
                                                                                      spend_draws[j])))
            cols.append(customer_lifetime_value(m, summary, s, **clv).to_numpy())
    return np.quantile(np.column_stack(cols), probs, axis=1).T


# ----------------------------------------------------------------------------------------------------------
# kernels against the per-draw reference
# ----------------------------------------------------------------------------------------------------------
@st.composite
def _customers(draw):
    n = draw(st.integers(1, 25))
    rows = []
    for _ in range(n):
        T = draw(st.sampled_from([0.5, 1.0, 7.0, 30.0, 38.5, 200.0]))
        x = draw(st.sampled_from([0, 0, 1, 2, 5, 40]))
        recency = 0.0 if x == 0 else draw(st.floats(0.0, 1.0)) * T
        rows.append((float(x), recency, T))
    return pd.DataFrame(rows, columns=["frequency", "recency", "T"])


@settings(max_examples=40, deadline=None)
@given(summary=_customers(), seed=st.integers(0, 2 ** 31), modified=st.booleans(),
       quantity=st.sampled_from(["p_alive", "expected_purchases"]), t=st.sampled_from([0.5, 4.0, 52.0]))
def test_bgnbd_kernel_matches_the_per_draw_reference(summary, seed, modified, quantity, t):
    rng = np.random.default_rng(seed)
    base = np.array([0.5, 5.0, 0.8, 2.5])
    draws = np.ascontiguousarray(base * np.exp(rng.normal(0.0, 0.6, (7, 4))))
    model = (ModifiedBetaGeo if modified else BetaGeo).from_params(**dict(zip(("r", "alpha", "a", "b"), base)))
    probs = iv_module._probabilities([0.8, 0.5, 0.95])
    got = iv_module._bgnbd_quantiles(model, summary, quantity, t, draws, probs)
    want = _reference(model, summary, draws, probs, quantity, t)
    np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-12)


def test_bgnbd_clv_kernel_matches_customer_lifetime_value(with_spend):
    summary, bg, gg = with_spend
    rng = np.random.default_rng(1)
    draws = iv_module._normal_draws(bg, 9, rng)
    spend_draws = iv_module._normal_draws(gg, 9, rng)
    probs = iv_module._probabilities([0.8, 0.95])
    clv = dict(horizon=6, period="M", discount_rate=0.02, margin=0.3)
    got = iv_module._bgnbd_quantiles(bg, summary, "clv", None, draws, probs, gg, spend_draws, clv)
    want = _reference(bg, summary, draws, probs, "clv", spend_draws=spend_draws, clv=clv)
    np.testing.assert_allclose(got, want, rtol=1e-9)
    # a fixed spend (no spend uncertainty) as well
    got = iv_module._bgnbd_quantiles(bg, summary, "clv", None, draws, probs, 25.0, None, clv)
    want = _reference(bg, summary, draws, probs, "clv", spend=25.0, clv=clv)
    np.testing.assert_allclose(got, want, rtol=1e-9)


@pytest.mark.parametrize("quantity", ["p_alive", "expected_purchases"])
def test_general_path_matches_the_per_draw_reference(cdnow, quantity):
    summary, _, pnbd = cdnow
    rows = summary.iloc[::40]
    draws = iv_module._normal_draws(pnbd, 11, np.random.default_rng(2))
    probs = iv_module._probabilities([0.8, 0.95])
    got = iv_module._general_quantiles(pnbd, rows, quantity, 26.0, draws, probs)
    np.testing.assert_allclose(got, _reference(pnbd, rows, draws, probs, quantity, 26.0), rtol=1e-9)


def test_normal_draws_follow_the_inverse_hessian_on_the_log_scale(cdnow):
    _, bg, _ = cdnow
    draws = iv_module._normal_draws(bg, 20_000, np.random.default_rng(0))
    logs = np.log(draws)
    cov = np.linalg.inv(bg.hessian_.to_numpy())
    se = np.sqrt(np.diag(cov))
    assert np.all(np.abs(logs.mean(axis=0) - np.log(bg.params_.to_numpy())) < 4 * se / np.sqrt(2e4))
    # covariances to within 5% of the product of the standard errors (sampling error ~1% at 20,000 draws)
    assert np.all(np.abs(np.cov(logs.T) - cov) < 0.05 * np.outer(se, se))


# ----------------------------------------------------------------------------------------------------------
# what the intervals look like
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("which", ["bg", "pnbd"])
@pytest.mark.parametrize("quantity", ["p_alive", "expected_purchases"])
def test_intervals_contain_the_point_and_widen_with_the_level(cdnow, which, quantity):
    summary, bg, pnbd = cdnow
    model = bg if which == "bg" else pnbd
    out = customer_intervals(model, summary, quantity=quantity, t=52)
    assert list(out.columns) == [quantity, "lower_80", "upper_80", "lower_95", "upper_95"]
    assert out.index.equals(summary.index)
    point = out[quantity]
    expected = (model.p_alive(summary) if quantity == "p_alive"
                else model.conditional_expected_purchases(summary, 52))
    np.testing.assert_array_equal(point.to_numpy(), expected.to_numpy())
    assert (out["lower_95"] <= out["lower_80"]).all() and (out["upper_80"] <= out["upper_95"]).all()
    assert ((out["lower_80"] <= point) & (point <= out["upper_80"])).all()
    width80 = out["upper_80"] - out["lower_80"]
    width95 = out["upper_95"] - out["lower_95"]
    moving = width80 > 0  # BG/NBD P(alive) is 1 under every draw for customers without repeat purchases
    if which == "bg" and quantity == "p_alive":
        assert moving.equals(summary["frequency"] > 0)
    elif quantity == "p_alive":  # Pareto/NBD: a customer who bought at the very end is alive under any draw
        assert moving.equals(summary["recency"] < summary["T"])
    else:
        assert moving.all()
    assert (width95[moving] > width80[moving]).all()
    assert out.attrs["method"] == "normal" and out.attrs["n_draws"] == 200


def test_intervals_shrink_as_the_number_of_customers_grows():
    probe = _simulate(300, seed=99)
    widths = {}
    for n in (1_000, 16_000):
        fit = _fit(BetaGeo(), _simulate(n, seed=n))
        out = customer_intervals(fit, probe, quantity="expected_purchases", t=39, levels=(0.9,))
        widths[n] = float(((out["upper_90"] - out["lower_90"]) / out["expected_purchases"]).median())
    # standard errors fall like 1/sqrt(n): 16 times the customers, about a quarter of the width
    assert widths[16_000] < 0.5 * widths[1_000], widths
    assert widths[16_000] > 0.1 * widths[1_000], widths


def test_same_seed_same_intervals_other_seed_other_intervals(cdnow):
    summary, bg, _ = cdnow
    a = customer_intervals(bg, summary, quantity="expected_purchases", t=10, seed=5)
    b = customer_intervals(bg, summary, quantity="expected_purchases", t=10, seed=5)
    c = customer_intervals(bg, summary, quantity="expected_purchases", t=10, seed=6)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["lower_80"], c["lower_80"])
    rows = summary.iloc[:200]
    d = customer_intervals(bg, rows, method="bootstrap", n_boot=20, seed=np.random.default_rng(3))
    e = customer_intervals(bg, rows, method="bootstrap", n_boot=20, seed=np.random.default_rng(3))
    pd.testing.assert_frame_equal(d, e)


def test_bootstrap_intervals_agree_with_the_normal_ones(cdnow):
    summary, bg, _ = cdnow
    normal = customer_intervals(bg, summary, quantity="expected_purchases", t=52, levels=(0.8,))
    boot = customer_intervals(bg, summary, quantity="expected_purchases", t=52, levels=(0.8,),
                              method="bootstrap", n_boot=60, seed=1)
    assert boot.attrs["method"] == "bootstrap" and boot.attrs["n_draws"] + boot.attrs["n_failed"] == 60
    width_n = (normal["upper_80"] - normal["lower_80"]).median()
    width_b = (boot["upper_80"] - boot["lower_80"]).median()
    assert 0.6 < width_b / width_n < 1.6, (width_b, width_n)
    inside = (boot["lower_80"] <= boot["expected_purchases"]) & (boot["expected_purchases"] <= boot["upper_80"])
    assert inside.mean() > 0.95


def test_clv_intervals_with_a_gamma_gamma_spend_model(with_spend):
    summary, bg, gg = with_spend
    settings_ = dict(spend_model=gg, horizon=12, period="M", discount_rate=0.01, margin=0.3)
    out = customer_intervals(bg, summary, quantity="clv", **settings_)
    point = customer_lifetime_value(bg, summary, gg, horizon=12, period="M", discount_rate=0.01, margin=0.3)
    np.testing.assert_array_equal(out["clv"].to_numpy(), point.to_numpy())
    assert ((out["lower_80"] <= out["clv"]) & (out["clv"] <= out["upper_80"])).all()
    # the spend model's uncertainty adds to the purchase model's: wider than with spend held at its estimate
    fixed = customer_intervals(bg, summary, quantity="clv", **{**settings_, "spend_model": gg.expected_spend(summary)})
    assert (out["upper_95"] - out["lower_95"]).median() > (fixed["upper_95"] - fixed["lower_95"]).median()
    boot = customer_intervals(bg, summary, quantity="clv", method="bootstrap", n_boot=15, **settings_)
    assert np.isfinite(boot[["lower_80", "upper_80"]].to_numpy()).all()


# ----------------------------------------------------------------------------------------------------------
# coverage in simulation
# ----------------------------------------------------------------------------------------------------------
@pytest.mark.slow
def test_nominal_90_percent_intervals_cover_the_truth_90_percent_of_the_time():
    """Customers simulated from known BG/NBD parameters; the target of a parameter-uncertainty interval is the
    model-implied truth E[X(t) | her history, true parameters] (not her realised holdout count, which varies
    far more). Within one data set the customers' intervals share one estimation error, so they cover or miss
    together; the coverage is therefore pooled over 80 independent data sets of 1,000 customers each."""
    truth_model = BetaGeo.from_params(**CDNOW_BGNBD)
    shares = []
    for rep in range(80):
        sim = _simulate(1_000, seed=1000 + rep)
        fit = _fit(BetaGeo(), sim)
        out = customer_intervals(fit, sim, quantity="expected_purchases", t=39, levels=(0.9,), seed=rep)
        truth = truth_model.conditional_expected_purchases(sim, 39).to_numpy()
        shares.append(np.mean((out["lower_90"].to_numpy() <= truth) & (truth <= out["upper_90"].to_numpy())))
    coverage = float(np.mean(shares))
    assert 0.85 <= coverage <= 0.95, coverage


# ----------------------------------------------------------------------------------------------------------
# errors
# ----------------------------------------------------------------------------------------------------------
def test_errors_name_the_problem(cdnow):
    summary, bg, _ = cdnow
    with pytest.raises(ParameterError, match="quantity"):
        customer_intervals(bg, summary, quantity="revenue")
    with pytest.raises(ParameterError, match="method"):
        customer_intervals(bg, summary, method="bayes")
    with pytest.raises(ParameterError, match="horizon t"):
        customer_intervals(bg, summary, quantity="expected_purchases")
    with pytest.raises(ParameterError, match="levels"):
        customer_intervals(bg, summary, levels=(0.8, 1.2))
    with pytest.raises(ParameterError, match="spend_model"):
        customer_intervals(bg, summary, quantity="clv", horizon=12, period="M", discount_rate=0.01)
    with pytest.raises(NotFittedError, match="from given parameters"):
        customer_intervals(BetaGeo.from_params(**CDNOW_BGNBD), summary)
    with pytest.raises(NotFittedError):
        customer_intervals(BetaGeo(), summary)
