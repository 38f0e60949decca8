"""Static covariates for Pareto/NBD, BG/NBD and Gamma-Gamma (issue #21, point 1).

Golden values: CLVTools' published fits on its apparel data (``../shared/data/clvtools/PROVENANCE.md``: CLVTools
v0.12.1 website article and ``vignettes/CLVTools_advanced_techniques.pdf`` section 4; time unit week, 104-week
estimation split). Parametrisation: Fader & Hardie (2007), "Incorporating time-invariant covariates into the
Pareto/NBD and BG/NBD models" (note 019), as CLVTools implements it; Gamma-Gamma: Fader & Hardie (2013).
"""

from __future__ import annotations

import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.clv import customer_intervals
from toolkit.clv.models import BetaGeo, GammaGamma, ParetoNBD, customer_lifetime_value
from toolkit.errors import DataQualityError, ParameterError, SchemaError

from . import naive

DATA = pathlib.Path(__file__).resolve().parent / "data" / "clvtools"  # a copy of ../shared/data/clvtools


@pytest.fixture(scope="module")
def apparel():
    """CLVTools' apparel data: weekly summary with a 104-week estimation period, and the static covariates."""
    trans = pd.read_csv(DATA / "apparelTrans.csv", parse_dates=["Date"])
    tx = toolkit.Transactions.from_frame(trans, customer="Id", time="Date", amount="Price", time_unit="W",
                                         duplicates="keep")
    summary = toolkit.customer_summary(tx, observation_end="2006-12-31")
    covariates = pd.read_csv(DATA / "apparelStaticCov.csv", index_col="Id")
    return summary, covariates


@pytest.fixture(scope="module")
def pnbd_gc(apparel):
    summary, cov = apparel
    return ParetoNBD().fit(summary, covariates=cov[["Gender", "Channel"]])


# --------------------------------------------------------------------------------------------------------------
# CLVTools' published fits
# --------------------------------------------------------------------------------------------------------------
def test_apparel_summary_matches_clvtools(apparel):
    summary, _ = apparel
    assert len(summary) == 600
    assert int(summary["frequency"].sum() + len(summary)) == 1866  # transactions in the estimation period
    assert np.allclose(summary["T"], 104.0)


def test_pareto_nbd_without_covariates_reproduces_clvtools(apparel):
    summary, _ = apparel
    model = ParetoNBD().fit(summary)
    assert model.log_likelihood_ == pytest.approx(-5848.0978, abs=1e-3)
    published = {"r": 1.4489768, "alpha": 48.6360845, "s": 0.5612598, "beta": 46.8843633}
    for name, value in published.items():
        # beta's likelihood is flat (se ~ 36): CLVTools' optimiser stops a little earlier along it
        assert model.params_[name] == pytest.approx(value, rel=1e-3 if name == "beta" else 1e-4), name


def test_pareto_nbd_gender_channel_reproduces_clvtools(apparel, pnbd_gc):
    summary, _ = apparel
    model = pnbd_gc
    assert model.log_likelihood_ == pytest.approx(-5821.0627, abs=1e-3)
    published = {"r": 1.8378, "alpha": 92.9123, "s": 0.5920, "beta": 49.6227, "purchase:Gender": 0.2859,
                 "purchase:Channel": 0.6241, "dropout:Gender": -0.6430, "dropout:Channel": 0.7907}
    assert list(model.params_.index) == list(published)
    for name, value in published.items():
        if ":" in name:  # 4 decimals published; the flat beta direction moves the drop-out ones by ~1e-3
            assert model.params_[name] == pytest.approx(value, abs=2e-3), name
        else:
            assert model.params_[name] == pytest.approx(value, rel=3e-3), name
    # ours is at least as good a maximum as the published point (evaluated by our kernel)
    data = model._prepare(summary)
    ll_published = model._loglik(np.array(list(published.values())), data, np.ones(len(summary)), np.zeros(8))
    assert model.log_likelihood_ >= ll_published - 1e-6
    # standard errors and intervals like the other parameters
    assert np.all(np.isfinite(model.standard_errors_)) and np.all(model.standard_errors_ > 0)
    ci = model.confidence_intervals_
    assert ci.loc["purchase:Channel", "lower"] == pytest.approx(model.params_["purchase:Channel"]
                                                                - 1.959963984540054 * model.standard_errors_[
                                                                    "purchase:Channel"])
    assert model.identified_
    assert set(model.summary.index) == set(published)


def test_purchase_and_dropout_columns_are_chosen_separately(apparel):
    summary, cov = apparel
    model = ParetoNBD().fit(summary, covariates=cov, purchase_covariates=["Channel"], dropout_covariates=["Gender"])
    assert list(model.params_.index) == ["r", "alpha", "s", "beta", "purchase:Channel", "dropout:Gender"]
    only = ParetoNBD().fit(summary, covariates=cov, purchase_covariates=["Gender", "Channel"], dropout_covariates=[])
    assert list(only.params_.index)[4:] == ["purchase:Gender", "purchase:Channel"]
    assert only.log_likelihood_ <= model.log_likelihood_ + 30  # sanity: a proper fit, not a failure


# --------------------------------------------------------------------------------------------------------------
# likelihood against the naive per-customer reference
# --------------------------------------------------------------------------------------------------------------
def _model_with(cls, frame, cov, **chosen):
    """A model of ``cls`` with its covariate layout set up for ``frame`` (no fit)."""
    model = cls()
    arg_names = {"purchase": "purchase_covariates", "dropout": "dropout_covariates", "spend": "spend_covariates"}
    model._setup_covariates(frame, cov, {arg_names[p]: chosen.get(arg_names[p]) for p in cls._processes}, None,
                            None)
    return model


rows_strategy = st.lists(st.tuples(st.integers(0, 12), st.floats(0.0, 1.0), st.floats(1.0, 60.0),
                                   st.floats(-1.5, 1.5), st.sampled_from([0.0, 1.0])), min_size=2, max_size=6)


def _frame(rows):
    x = np.array([r[0] for r in rows], dtype=float)
    T = np.array([r[2] for r in rows])
    tx = np.where(x > 0, np.array([r[1] for r in rows]) * T, 0.0)
    frame = pd.DataFrame({"frequency": x, "recency": tx, "T": T}, index=pd.RangeIndex(len(rows), name="customer_id"))
    z1 = np.array([r[3] for r in rows])
    z1[0], z1[1] = -1.0, 1.0  # never constant
    z2 = np.array([r[4] for r in rows])
    z2[0], z2[1] = 0.0, 1.0
    cov = pd.DataFrame({"z1": z1, "z2": z2}, index=frame.index)
    return frame, cov


@settings(max_examples=40, deadline=None)
@given(rows=rows_strategy, r=st.floats(0.2, 3.0), alpha=st.floats(0.5, 30.0), s=st.floats(0.2, 3.0),
       beta=st.floats(0.5, 30.0), g=st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4))
def test_pareto_nbd_covariate_likelihood_matches_naive(rows, r, alpha, s, beta, g):
    frame, cov = _frame(rows)
    model = _model_with(ParetoNBD, frame, cov)
    data = model._prepare(frame)
    params = np.array([r, alpha, s, beta, *g])
    ours = model._loglik(params, data, np.ones(len(frame)), np.zeros(8))
    Z = cov.to_numpy()
    ref = naive.pnbd_loglik_covariates(r, alpha, s, beta, np.array(g[:2]), np.array(g[2:]), Z, Z,
                                       *(frame[c].to_numpy() for c in ("frequency", "recency", "T")))
    assert ours == pytest.approx(ref, rel=1e-8, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(rows=rows_strategy, r=st.floats(0.2, 3.0), alpha=st.floats(0.5, 30.0), a=st.floats(0.3, 3.0),
       b=st.floats(0.3, 5.0), g=st.lists(st.floats(-1.0, 1.0), min_size=4, max_size=4))
def test_bgnbd_covariate_likelihood_matches_naive(rows, r, alpha, a, b, g):
    frame, cov = _frame(rows)
    model = _model_with(BetaGeo, frame, cov)
    data = model._prepare(frame)
    params = np.array([r, alpha, a, b, *g])
    ours = model._loglik(params, data, np.ones(len(frame)), np.zeros(8))
    Z = cov.to_numpy()
    ref = naive.bgnbd_loglik_covariates(r, alpha, a, b, np.array(g[:2]), np.array(g[2:]), Z, Z,
                                        *(frame[c].to_numpy() for c in ("frequency", "recency", "T")))
    assert ours == pytest.approx(ref, rel=1e-8, abs=1e-8)


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(st.tuples(st.integers(1, 20), st.floats(1.0, 300.0), st.floats(-1.5, 1.5)), min_size=2,
                     max_size=6), p=st.floats(0.5, 10.0), q=st.floats(0.5, 10.0), gamma=st.floats(1.0, 100.0),
       g=st.floats(-1.0, 1.0))
def test_gamma_gamma_covariate_likelihood_matches_naive(rows, p, q, gamma, g):
    frame = pd.DataFrame({"frequency": [float(r[0]) for r in rows], "monetary_value": [r[1] for r in rows]})
    z = np.array([r[2] for r in rows])
    z[0], z[1] = -1.0, 1.0
    cov = pd.DataFrame({"z": z}, index=frame.index)
    model = _model_with(GammaGamma, frame, cov)
    data = model._prepare(frame)
    ours = model._loglik(np.array([p, q, gamma, g]), data, np.ones(len(frame)), np.zeros(4))
    ref = naive.gg_loglik_covariates(p, q, gamma, np.array([g]), z[:, None], frame["frequency"].to_numpy(),
                                     frame["monetary_value"].to_numpy())
    assert ours == pytest.approx(ref, rel=1e-9, abs=1e-9)


@pytest.mark.parametrize("cls, params", [(ParetoNBD, [0.8, 8.0, 0.7, 12.0, 0.3, -0.2, 0.4, 0.1]),
                                         (BetaGeo, [0.8, 8.0, 0.9, 2.5, 0.3, -0.2, 0.4, 0.1]),
                                         (GammaGamma, [4.0, 3.0, 20.0, 0.3, -0.2])])
def test_covariate_gradient_matches_finite_differences(cls, params):
    rng = np.random.default_rng(3)
    n = 40
    T = rng.uniform(5, 50, n)
    x = rng.poisson(3, n).astype(float)
    if cls is GammaGamma:
        x += 1
        frame = pd.DataFrame({"frequency": x, "monetary_value": rng.gamma(4, 10, n)})
    else:
        frame = pd.DataFrame({"frequency": x, "recency": np.where(x > 0, rng.uniform(0, 1, n) * T, 0.0), "T": T})
    cov = pd.DataFrame({"z1": rng.normal(size=n), "z2": rng.integers(0, 2, n).astype(float)}, index=frame.index)
    model = _model_with(cls, frame, cov)
    data = model._prepare(frame)
    w = rng.integers(1, 4, n).astype(float)
    params = np.array(params)
    grad = np.zeros(len(params))
    model._loglik(params, data, w, grad)
    for j in range(len(params)):
        h = 1e-6 * max(1.0, abs(params[j]))
        up, down = params.copy(), params.copy()
        up[j] += h
        down[j] -= h
        fd = (model._loglik(up, data, w, np.zeros(len(params)))
              - model._loglik(down, data, w, np.zeros(len(params)))) / (2 * h)
        assert grad[j] == pytest.approx(fd, rel=1e-5, abs=1e-5), model._param_names[j]


def test_bgnbd_zero_coefficients_reproduce_the_no_covariate_likelihood():
    from toolkit.datasets import load_cdnow_summary

    summary = load_cdnow_summary()
    rng = np.random.default_rng(0)
    cov = pd.DataFrame({"female": rng.integers(0, 2, len(summary)).astype(float),
                        "age": rng.normal(40, 10, len(summary))}, index=summary.index)
    plain = BetaGeo().fit(summary)
    model = _model_with(BetaGeo, summary, cov)
    params = np.concatenate([plain.params_.to_numpy(), np.zeros(4)])
    ll = model._loglik(params, model._prepare(summary), np.ones(len(summary)), np.zeros(8))
    assert ll == pytest.approx(plain.log_likelihood_, rel=1e-12)
    # and a fit with a covariate unrelated to the data barely moves the likelihood (nested model: never lower)
    fitted = BetaGeo().fit(summary, covariates=cov[["female"]])
    assert plain.log_likelihood_ - 1e-6 <= fitted.log_likelihood_ <= plain.log_likelihood_ + 5.0


# --------------------------------------------------------------------------------------------------------------
# recovery of known coefficients from simulated data
# --------------------------------------------------------------------------------------------------------------
def _simulate_pnbd(n, r, alpha, s, beta, g_p, g_d, seed):
    rng = np.random.default_rng(seed)
    Z = np.column_stack([rng.integers(0, 2, n).astype(float), rng.normal(0, 1, n)])
    alpha_i = alpha * np.exp(-Z @ g_p)
    beta_i = beta * np.exp(-Z @ g_d)
    T = rng.integers(30, 53, n).astype(float)
    lam = rng.gamma(r, 1.0 / alpha_i)
    mu = rng.gamma(s, 1.0 / beta_i)
    tau = np.minimum(rng.exponential(1.0, n) / mu, T)
    x = rng.poisson(lam * tau)
    recency = np.where(x > 0, tau * rng.beta(np.maximum(x, 1), 1.0), 0.0)
    frame = pd.DataFrame({"frequency": x, "recency": recency, "T": T}, index=pd.RangeIndex(n, name="customer_id"))
    return frame, pd.DataFrame({"vip": Z[:, 0], "score": Z[:, 1]}, index=frame.index)


def test_pareto_nbd_recovers_known_coefficients():
    truth = {"purchase:vip": 0.5, "purchase:score": -0.3, "dropout:vip": 0.6, "dropout:score": 0.2}
    frame, cov = _simulate_pnbd(8000, 0.8, 6.0, 0.7, 15.0, np.array([0.5, -0.3]), np.array([0.6, 0.2]), seed=7)
    model = ParetoNBD().fit(frame, covariates=cov)
    for name, value in truth.items():
        assert abs(model.params_[name] - value) < 3.5 * model.standard_errors_[name], name


def test_bgnbd_recovers_known_coefficients():
    rng = np.random.default_rng(11)
    n = 10000
    z = rng.integers(0, 2, n).astype(float)
    r, alpha, a, b, g_p, g_d = 0.8, 5.0, 0.8, 2.5, 0.7, 0.5
    alpha_i = alpha * np.exp(-g_p * z)
    T = rng.integers(30, 53, n).astype(float)
    frames = []
    for value in (0.0, 1.0):  # one population per covariate value, drawn with the model's own simulator
        keep = z == value
        sim = BetaGeo.from_params(r=r, alpha=alpha * np.exp(-g_p * value), a=a * np.exp(g_d * value),
                                  b=b * np.exp(g_d * value)).simulate(T[keep], seed=int(value) + 1)
        sim.index = np.flatnonzero(keep)
        frames.append(sim)
    frame = pd.concat(frames).sort_index()[["frequency", "recency", "T"]]
    frame.index.name = "customer_id"
    assert len(alpha_i) == n
    model = BetaGeo().fit(frame, covariates=pd.DataFrame({"group": z}, index=frame.index))
    for name, value in {"purchase:group": g_p, "dropout:group": g_d}.items():
        assert abs(model.params_[name] - value) < 3.5 * model.standard_errors_[name], name


def test_gamma_gamma_spend_covariates_recovered_and_used():
    rng = np.random.default_rng(5)
    n = 6000
    z = rng.integers(0, 2, n).astype(float)
    p, q, gamma, g_s = 6.0, 4.0, 15.0, 0.5
    x = rng.integers(1, 8, n).astype(float)
    nu = rng.gamma(q, 1.0 / (gamma * np.exp(g_s * z)))
    m = rng.gamma(p * x, 1.0 / (x * nu))
    frame = pd.DataFrame({"frequency": x, "monetary_value": m}, index=pd.RangeIndex(n, name="customer_id"))
    cov = pd.DataFrame({"premium": z}, index=frame.index)
    model = GammaGamma().fit(frame, covariates=cov)
    assert list(model.params_.index) == ["p", "q", "gamma", "spend:premium"]
    assert abs(model.params_["spend:premium"] - g_s) < 3.5 * model.standard_errors_["spend:premium"]
    spend = model.expected_spend(frame)
    pp, qq, gg, gs = model.params_.to_numpy()
    expected = [naive.gg_expected_spend(pp, qq, gg * np.exp(gs * zi), xi, mi) for zi, xi, mi in zip(z[:5], x[:5], m[:5])]
    assert spend.to_numpy()[:5] == pytest.approx(expected, rel=1e-12)


# --------------------------------------------------------------------------------------------------------------
# large fits: Hessian from the per-customer Hessians, quasi-Newton steps from a subsample fit
# --------------------------------------------------------------------------------------------------------------
def _bgnbd_data(n, seed):
    rng = np.random.default_rng(seed)
    z = rng.integers(0, 2, n).astype(float)
    T = rng.integers(30, 53, n).astype(float)
    frame = BetaGeo.from_params(r=0.8, alpha=5.0, a=0.8, b=2.5).simulate(T, seed=seed)[["frequency", "recency", "T"]]
    frame.index = pd.RangeIndex(n, name="customer_id")
    return frame, pd.DataFrame({"group": z, "score": rng.normal(0, 1, n)}, index=frame.index)


@pytest.mark.parametrize("cls", [ParetoNBD, BetaGeo])
def test_hessian_from_per_customer_hessians_matches_the_full_finite_differences(cls):
    from toolkit.clv.models.base import BaseModel, compress_rows

    frame, cov = (_simulate_pnbd(3000, 0.8, 6.0, 0.7, 15.0, np.array([0.5, -0.3]), np.array([0.6, 0.2]), seed=3)
                  if cls is ParetoNBD else _bgnbd_data(3000, seed=3))
    model = cls(penalizer=0.01).fit(frame, covariates=cov)
    data = model._prepare(frame)
    patterns, w, _ = compress_rows(data)
    logp = model._unconstrained(model.params_.to_numpy())
    model._HESSIAN_BLOCK = 1000  # several blocks
    fast = model._hessian(logp, patterns, w, float(w.sum()))
    slow = BaseModel._hessian(model, logp, patterns, w, float(w.sum()))  # 2 x (number of parameters) passes
    assert np.max(np.abs(fast - slow)) < 1e-7 * np.max(np.abs(slow))


@pytest.mark.parametrize("cls", [ParetoNBD, BetaGeo])
def test_quasi_newton_from_a_subsample_reaches_the_lbfgs_optimum(cls):
    frame, cov = (_simulate_pnbd(6000, 0.8, 6.0, 0.7, 15.0, np.array([0.5, -0.3]), np.array([0.6, 0.2]), seed=4)
                  if cls is ParetoNBD else _bgnbd_data(6000, seed=4))
    reference = cls().fit(frame, covariates=cov)  # below the size threshold: L-BFGS-B
    assert "subsample" not in reference.optimizer_result_.message
    model = cls()
    model._SUBSAMPLE_MIN = 1000
    model._SUBSAMPLE = 1500
    model.fit(frame, covariates=cov)
    assert "subsample fit converged" in model.optimizer_result_.message and model.converged_
    assert model.log_likelihood_ == pytest.approx(reference.log_likelihood_, rel=1e-12, abs=1e-7)
    assert model.params_.to_numpy() == pytest.approx(reference.params_.to_numpy(), rel=1e-6, abs=1e-8)
    # standard errors come from the Hessian at the optimiser's own point (before the Newton polish), which for
    # L-BFGS-B (ftol 1e-10) is ~1e-4 off along flat directions: they agree to that
    assert model.standard_errors_.to_numpy() == pytest.approx(reference.standard_errors_.to_numpy(), rel=1e-3)


# --------------------------------------------------------------------------------------------------------------
# predictions per customer, new customers, CLV, intervals
# --------------------------------------------------------------------------------------------------------------
def test_predictions_use_each_customers_own_parameters(apparel, pnbd_gc):
    summary, cov = apparel
    model = pnbd_gc
    r, alpha, s, beta, gp1, gp2, gd1, gd2 = model.params_.to_numpy()
    new = pd.DataFrame({"Gender": [1.0, 0.0], "Channel": [0.0, 1.0]}, index=pd.Index([9001, 9002], name="Id"))
    rows = pd.DataFrame({"frequency": [3, 0], "recency": [20.0, 0.0], "T": [40.0, 40.0]}, index=new.index)
    rows.attrs["time_unit"] = "W"
    p_alive = model.p_alive(rows, covariates=new).to_numpy()
    expected = model.conditional_expected_purchases(rows, 26, covariates=new).to_numpy()
    for i, (g, c) in enumerate(new.to_numpy()):
        one = ParetoNBD.from_params(r=r, alpha=alpha * np.exp(-(gp1 * g + gp2 * c)), s=s,
                                    beta=beta * np.exp(-(gd1 * g + gd2 * c)), time_unit="W")
        assert p_alive[i] == pytest.approx(one.p_alive(rows.iloc[[i]]).iloc[0], rel=1e-12)
        assert expected[i] == pytest.approx(one.conditional_expected_purchases(rows.iloc[[i]], 26).iloc[0],
                                            rel=1e-12)
    # fitted customers: the covariates given at fit are used by default, and equal passing them again
    assert np.array_equal(model.p_alive(summary).to_numpy(), model.p_alive(summary, covariates=cov).to_numpy())
    # customers unknown to the model need covariates=
    with pytest.raises(DataQualityError, match="covariates="):
        model.p_alive(rows)


def test_bgnbd_and_clv_with_new_customers():
    frame, zcov = _simulate_pnbd(3000, 0.8, 6.0, 0.7, 15.0, np.array([0.5, -0.3]), np.array([0.3, 0.2]), seed=3)
    frame.attrs["time_unit"] = "W"
    bg = BetaGeo().fit(frame, covariates=zcov)
    new = pd.DataFrame({"vip": [1.0], "score": [0.5]}, index=pd.Index(["new"], name="customer_id"))
    rows = pd.DataFrame({"frequency": [2], "recency": [10.0], "T": [30.0]}, index=new.index)
    rows.attrs["time_unit"] = "W"
    r, alpha, a, b, gp1, gp2, gd1, gd2 = bg.params_.to_numpy()
    f = np.exp(gd1 + 0.5 * gd2)
    one = BetaGeo.from_params(r=r, alpha=alpha * np.exp(-(gp1 + 0.5 * gp2)), a=a * f, b=b * f, time_unit="W")
    assert bg.p_alive(rows, covariates=new).iloc[0] == pytest.approx(one.p_alive(rows).iloc[0], rel=1e-12)
    assert (bg.conditional_expected_purchases(rows, 10, covariates=new).iloc[0]
            == pytest.approx(one.conditional_expected_purchases(rows, 10).iloc[0], rel=1e-12))
    clv = customer_lifetime_value(bg, rows, 50.0, horizon=6, period="M", discount_rate=0.01, covariates=new)
    assert clv.iloc[0] == pytest.approx(customer_lifetime_value(one, rows, 50.0, horizon=6, period="M",
                                                                discount_rate=0.01).iloc[0], rel=1e-12)


def test_customer_intervals_with_covariates(apparel, pnbd_gc):
    summary, cov = apparel
    repeaters = summary[summary["frequency"] > 0]
    gg = GammaGamma().fit(repeaters, covariates=cov)
    for quantity, kw in (("p_alive", {}), ("expected_purchases", {"t": 26}),
                         ("clv", dict(spend_model=gg, horizon=12, period="M", discount_rate=0.01))):
        iv = customer_intervals(pnbd_gc, summary, quantity=quantity, n_draws=60, **kw)
        point = iv[quantity].to_numpy()
        assert np.all(iv["lower_95"] <= iv["upper_95"])
        inside = (iv["lower_95"].to_numpy() <= point * (1 + 1e-9)) & (point <= iv["upper_95"].to_numpy() * (1 + 1e-9))
        assert inside.mean() > 0.95, quantity
    # the intervals differ between covariate groups with the same history (each customer's own parameters)
    same = summary[(summary["frequency"] == 0)]
    iv = customer_intervals(pnbd_gc, same, quantity="p_alive", n_draws=60)
    groups = cov.loc[same.index].astype(str).agg("-".join, axis=1)
    assert iv.groupby(groups.to_numpy())["upper_95"].mean().nunique() == groups.nunique()
    with pytest.raises(ParameterError, match="bootstrap"):
        customer_intervals(pnbd_gc, summary, method="bootstrap", n_boot=5)


# --------------------------------------------------------------------------------------------------------------
# encoding and errors
# --------------------------------------------------------------------------------------------------------------
def test_categorical_one_hot_with_stated_reference(apparel):
    summary, cov = apparel
    labelled = pd.DataFrame({"Channel": cov["Channel"].map({0.0: "online", 1.0: "offline"}),
                             "Gender": cov["Gender"]})
    model = ParetoNBD().fit(summary, covariates=labelled, categorical=["Channel"])
    most = labelled.loc[summary.index, "Channel"].value_counts().idxmax()
    other = "offline" if most == "online" else "online"
    enc = model.covariate_encoding_
    assert enc.loc["Channel", "reference"] == most and enc.loc["Channel", "kind"] == "categorical"
    assert f"purchase:Channel={other}" in model.params_.index
    assert any(f"reference level {most!r}" in note for note in model.fit_notes_)
    assert model.summary.attrs["covariate_encoding"].loc["Channel", "reference"] == most
    # the reference can be chosen; the fit is the same model (the likelihood does not move)
    flipped = ParetoNBD().fit(summary, covariates=labelled, categorical=["Channel"], reference={"Channel": other})
    assert flipped.log_likelihood_ == pytest.approx(model.log_likelihood_, abs=1e-6)
    assert flipped.params_[f"purchase:Channel={most}"] == pytest.approx(-model.params_[f"purchase:Channel={other}"],
                                                                      abs=1e-4)
    # a level never seen at fit is refused at prediction
    bad = labelled.loc[summary.index[:2]].assign(Channel="phone")
    with pytest.raises(DataQualityError, match="phone"):
        model.p_alive(summary.iloc[:2], covariates=bad)


def test_covariate_errors_name_the_column_the_count_and_the_fix(apparel):
    summary, cov = apparel
    with pytest.raises(DataQualityError, match="no row in covariates") as err:
        ParetoNBD().fit(summary, covariates=cov.iloc[5:])
    assert err.value.count == 5
    with_nan = cov.copy()
    with_nan.iloc[:3, 0] = np.nan
    with pytest.raises(DataQualityError, match="'Gender'") as err:
        ParetoNBD().fit(summary, covariates=with_nan)
    assert err.value.count == 3 and err.value.column == "Gender"
    text = cov.assign(Channel=cov["Channel"].map({0.0: "online", 1.0: "offline"}))
    with pytest.raises(DataQualityError, match=r"categorical=\['Channel'\]"):
        ParetoNBD().fit(summary, covariates=text)
    with pytest.raises(DataQualityError, match="constant") as err:
        ParetoNBD().fit(summary, covariates=cov.assign(one=1.0))
    assert err.value.column == "one" and err.value.count == 600
    with pytest.raises(SchemaError, match="Age"):
        ParetoNBD().fit(summary, covariates=cov, purchase_covariates=["Age"])
    with pytest.raises(ParameterError, match="covariates="):
        ParetoNBD().fit(summary, purchase_covariates=["Gender"])
    with pytest.raises(SchemaError, match="DataFrame"):
        ParetoNBD().fit(summary, covariates=cov.to_numpy())
    plain = ParetoNBD().fit(summary)
    with pytest.raises(ParameterError, match="without covariates"):
        plain.p_alive(summary, covariates=cov)


def test_population_methods_refuse_covariate_models(pnbd_gc):
    with pytest.raises(ParameterError, match="covariates"):
        pnbd_gc.expected_purchases_new_customer(10.0)
    with pytest.raises(ParameterError, match="covariates"):
        pnbd_gc.simulate(np.full(3, 10.0))


def test_refit_without_covariates_resets_the_model(apparel):
    summary, cov = apparel
    model = ParetoNBD().fit(summary, covariates=cov)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(summary)
    assert list(model.params_.index) == ["r", "alpha", "s", "beta"]
    assert model.covariate_encoding_ is None
    assert model.log_likelihood_ == pytest.approx(-5848.0978, abs=1e-3)


def test_p_alive_history_with_her_covariates(pnbd_gc, apparel):
    _, cov = apparel
    her = cov.loc[cov.index[0]]
    hist = pnbd_gc.p_alive_history([0.0, 5.0, 12.0], end=30.0, n_points=7, covariates=her)
    rows = hist.loc[hist["T"] > 0, ["frequency", "recency", "T"]]
    frame = pd.DataFrame([her.to_numpy()] * len(rows), columns=her.index, index=rows.index)
    assert hist.loc[hist["T"] > 0, "p_alive"].to_numpy() == pytest.approx(
        pnbd_gc.p_alive(rows, covariates=frame).to_numpy(), rel=1e-12)
    with pytest.raises(ParameterError, match="covariates="):
        pnbd_gc.p_alive_history([0.0, 5.0])
