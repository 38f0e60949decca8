"""Model diagnostics: P(X(t)=x), the period-transactions check, the likelihood-ratio test and their plots."""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import naive
from toolkit.clv import likelihood_ratio_test, period_transactions
from toolkit.clv.diagnostics import repeat_pmf
from toolkit.clv.models import BetaGeo, GammaGamma, ModifiedBetaGeo, ParetoNBD
from toolkit.datasets import load_cdnow_summary

#: Fader, Hardie and Lee (2005), Figure 3: CDNOW sample (2,357 customers), repeat transactions in weeks 1-39.
CDNOW_ACTUAL = [1411, 439, 214, 100, 62, 38, 29, 64]

pos = st.floats(0.05, 10.0)
rate = st.floats(0.2, 100.0)
horizon = st.floats(0.05, 200.0)


def _model(name, p1, p2, p3, p4):
    if name == "Pareto/NBD":
        return ParetoNBD.from_params(r=p1, alpha=p2, s=p3, beta=p4)
    cls = BetaGeo if name == "BG/NBD" else ModifiedBetaGeo
    return cls.from_params(r=p1, alpha=p2, a=p3, b=p4)


@settings(max_examples=40, deadline=None)
@given(name=st.sampled_from(["BG/NBD", "MBG/NBD", "Pareto/NBD"]), r=pos, alpha=rate, p3=pos,
       p4=st.floats(0.1, 50.0), t=horizon)
def test_pmf_matches_numerical_integration(name, r, alpha, p3, p4, t):
    model = _model(name, r, alpha, p3, p4)
    ours = repeat_pmf(model, [t], 6)[0]
    params = tuple(model.params_)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # quad's round-off notes at the tolerance asked for
        ref = np.array([naive.btyd_repeat_pmf(name, params, t, x) for x in range(7)])
    np.testing.assert_allclose(ours, ref, rtol=1e-7, atol=1e-10)


@settings(max_examples=25, deadline=None)
@given(name=st.sampled_from(["BG/NBD", "MBG/NBD", "Pareto/NBD"]), r=st.floats(0.1, 3.0),
       alpha=st.floats(1.0, 50.0), p3=st.floats(0.2, 5.0), p4=st.floats(0.5, 20.0), ratio=st.floats(0.01, 5.0))
def test_pmf_is_a_distribution(name, r, alpha, p3, p4, ratio):
    # t <= 5 alpha: P(N(t) > 120) < (5/6)^120 x poly ~ 1e-8, so the first 121 terms carry all the mass
    pmf = repeat_pmf(_model(name, r, alpha, p3, p4), [ratio * alpha], 120)[0]
    assert np.all(pmf >= 0)
    assert pmf.sum() == pytest.approx(1.0, abs=1e-6)


def test_pmf_at_age_zero_is_no_purchase():
    for name in ("BG/NBD", "MBG/NBD", "Pareto/NBD"):
        pmf = repeat_pmf(_model(name, 0.5, 4.0, 0.8, 2.5), [0.0], 4)[0]
        np.testing.assert_allclose(pmf, [1, 0, 0, 0, 0], atol=1e-15)


@pytest.mark.parametrize("name", ["BG/NBD", "MBG/NBD", "Pareto/NBD"])
def test_period_transactions_equals_loop_over_customers(name):
    rng = np.random.default_rng(5)
    model = _model(name, 0.4, 5.0, 0.9, 3.0)
    sim = model.simulate(rng.uniform(5, 40, size=40), seed=1)[["frequency", "recency", "T"]]
    res = period_transactions(model, sim, max_repeat=4)
    params = tuple(model.params_)
    actual, expected = naive.period_transactions_counts(
        sim["frequency"], sim["T"], lambda k, t: naive.btyd_repeat_pmf(name, params, t, k), 4)
    assert res.table["actual"].to_list() == actual
    np.testing.assert_allclose(res.table["expected"], expected, rtol=1e-8, atol=1e-8)
    assert res.table["expected"].sum() == pytest.approx(len(sim), rel=1e-12)
    assert list(res.table.index) == ["0", "1", "2", "3", "4+"]


@pytest.mark.parametrize("cls,params", [
    (BetaGeo, {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.5}),
    (ModifiedBetaGeo, {"r": 0.5, "alpha": 4.0, "a": 0.8, "b": 2.5}),
    (ParetoNBD, {"r": 0.6, "alpha": 8.0, "s": 0.7, "beta": 10.0}),
])
def test_chi_square_on_simulated_data(cls, params):
    """Data drawn from the model: no misfit flagged; the same data against wrong parameters: flagged."""
    rng = np.random.default_rng(11)
    T = rng.uniform(10, 52, size=20_000)
    model = cls.from_params(**params)
    sim = model.simulate(T, seed=3)[["frequency", "recency", "T"]]
    res = period_transactions(model, sim)
    assert res.p_value > 0.001, res
    assert "within chance" in res.verdict
    wrong = dict(params, r=params["r"] * 1.3)
    bad = period_transactions(cls.from_params(**wrong), sim)
    assert bad.p_value < 1e-6
    assert "does not reproduce" in bad.verdict


def test_cdnow_bgnbd_histogram():
    """FHL (2005) Figure 3: the actual column exactly; the expected column sums to the 2,357 customers."""
    summary = load_cdnow_summary()
    model = BetaGeo().fit(summary)
    res = period_transactions(model, summary)
    assert res.table["actual"].to_list() == CDNOW_ACTUAL
    assert res.table["expected"].sum() == pytest.approx(2357, rel=1e-12)
    # the figure shows the model close to every bar; 0 repeats: 1,411 actual
    assert res.table.loc["0", "expected"] == pytest.approx(1411, rel=0.01)
    np.testing.assert_allclose(res.table["expected"], res.table["actual"], rtol=0.15)
    assert res.df == 8 - 1 - 4 and len(res.pooled) == 8
    assert res.p_value > 0.05 and "within chance" in res.verdict
    assert res.chi_square == pytest.approx(res.pooled["contribution"].sum())
    assert "BG/NBD" in repr(res) and "<table" in res._repr_html_()


def test_pooling_and_too_few_bins():
    rng = np.random.default_rng(2)
    model = BetaGeo.from_params(r=0.3, alpha=6.0, a=0.8, b=2.5)
    sim = model.simulate(rng.uniform(20, 40, size=60), seed=4)[["frequency", "recency", "T"]]
    res = period_transactions(model, sim)
    assert (res.pooled["expected"] >= 5).all()
    assert res.pooled["actual"].sum() == 60
    assert res.pooled["expected"].sum() == pytest.approx(60)
    if res.df < 1:
        assert math.isnan(res.p_value) and "Too few bins" in res.verdict


def test_period_transactions_errors():
    summary = load_cdnow_summary()
    with pytest.raises(TypeError, match="BetaGeo"):
        period_transactions(GammaGamma.from_params(p=6.0, q=3.0, gamma=15.0), summary)
    with pytest.raises(Exception, match="max_repeat"):
        period_transactions(BetaGeo.from_params(r=0.2, alpha=4, a=0.8, b=2.4), summary, max_repeat=0)


# --------------------------------------------------------------------------------------------------------
# likelihood-ratio test
# --------------------------------------------------------------------------------------------------------
B0 = 2.5


class BetaGeoFixedB(BetaGeo):
    """BG/NBD with b fixed at B0: nested in BG/NBD (one parameter fewer)."""

    _param_names = ("r", "alpha", "a")
    _model_name = "BG/NBD (b fixed)"

    def _default_initial(self, data, weights):
        return super()._default_initial(data, weights)[:3]

    def _loglik(self, params, data, weights, grad):
        g = np.zeros(4)
        ll = super()._loglik(np.append(params, B0), data, weights, g)
        grad[:] = g[:3]
        return ll


def _simulated(b, n=8000, seed=0):
    rng = np.random.default_rng(seed)
    model = BetaGeo.from_params(r=0.8, alpha=3.0, a=1.0, b=b)
    return model.simulate(rng.uniform(30, 78, size=n), seed=seed + 1)[["frequency", "recency", "T"]]


def test_lr_restricted_true_is_not_rejected():
    data = _simulated(B0)
    res = likelihood_ratio_test(BetaGeoFixedB().fit(data), BetaGeo().fit(data))
    assert res.df == 1
    assert res.statistic >= 0
    assert res.p_value > 0.01, res
    assert "simpler" in res.verdict and not res.notes


def test_lr_restricted_false_is_rejected():
    data = _simulated(8.0)
    restricted, full = BetaGeoFixedB().fit(data), BetaGeo().fit(data)
    res = likelihood_ratio_test(restricted, full)
    assert res.statistic == pytest.approx(2 * (full.log_likelihood_ - restricted.log_likelihood_))
    assert res.p_value < 1e-6
    assert "prefer" in res.verdict


def test_lr_non_nested_and_errors():
    summary = load_cdnow_summary()
    bg, mbg = BetaGeo().fit(summary), ModifiedBetaGeo().fit(summary)
    res = likelihood_ratio_test(bg, mbg)
    assert res.df == 0 and math.isnan(res.p_value)
    assert any("not nested" in n for n in res.notes)
    assert res.statistic == pytest.approx(2 * (mbg.log_likelihood_ - bg.log_likelihood_))
    with pytest.raises(ValueError, match="different data"):
        likelihood_ratio_test(BetaGeoFixedB().fit(summary.iloc[:2000]), bg)
    with pytest.raises(ValueError, match="swap"):
        likelihood_ratio_test(bg, BetaGeoFixedB().fit(summary))
    with pytest.raises(ValueError, match="given parameters"):
        likelihood_ratio_test(BetaGeoFixedB().fit(summary), BetaGeo.from_params(r=0.2, alpha=4, a=0.8, b=2.4))
    with pytest.raises(ValueError, match="penalizer"):
        likelihood_ratio_test(BetaGeoFixedB().fit(summary), BetaGeo(penalizer=0.01).fit(summary))
    assert "LR" in repr(res) and "<table" in res._repr_html_()


# --------------------------------------------------------------------------------------------------------
# plots
# --------------------------------------------------------------------------------------------------------
def test_plot_period_transactions_bars():
    import matplotlib.pyplot as plt

    from toolkit.plotting.diagnostics import plot_period_transactions

    summary = load_cdnow_summary()
    res = period_transactions(BetaGeo().fit(summary), summary)
    _fig, ax = plt.subplots()
    assert plot_period_transactions(res, ax=ax) is ax
    assert len(ax.containers) == 2 and all(len(c) == 8 for c in ax.containers)
    heights = [b.get_height() for b in ax.containers[0]]
    assert heights == CDNOW_ACTUAL
    assert [t.get_text() for t in ax.get_xticklabels()][-1] == "7+"
    plt.close("all")


def test_plot_heterogeneity():
    import matplotlib.pyplot as plt

    from toolkit.plotting.diagnostics import plot_heterogeneity

    bg = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426, time_unit="W")
    pnbd = ParetoNBD.from_params(r=0.55, alpha=10.58, s=0.61, beta=11.67)
    _fig, axes = plt.subplots(1, 4)
    for ax, (model, which) in zip(axes, [(bg, "lambda"), (bg, "p"), (pnbd, "lambda"), (pnbd, "mu")]):
        assert plot_heterogeneity(model, which, ax=ax) is ax
        assert len(ax.lines) == 2  # density + mean
        x, y = ax.lines[0].get_data()
        assert np.all(y >= 0) and np.all(np.diff(x) > 0)
    mean_line = axes[1].lines[1].get_xdata()[0]
    assert mean_line == pytest.approx(0.793 / (0.793 + 2.426))
    assert "week" in axes[0].get_xlabel()
    with pytest.raises(ValueError, match="mu"):
        plot_heterogeneity(bg, "mu")
    with pytest.raises(ValueError, match="'p'"):
        plot_heterogeneity(pnbd, "p")
    plt.close("all")


def test_plot_tracking_models():
    import matplotlib.pyplot as plt

    toolkit = pytest.importorskip("toolkit")
    from toolkit.clv.evaluation import calibration_holdout_split, tracking
    from toolkit.datasets import load_cdnow
    from toolkit.plotting.diagnostics import plot_tracking_models

    raw = load_cdnow("sample")
    tx = toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                         time_unit="W", duplicates="keep")
    split = calibration_holdout_split(tx, "1997-09-30", "1998-06-30")
    frames = {}
    for cls in (BetaGeo, ParetoNBD):
        model = cls().fit(split)
        frames[model._model_name] = tracking(model, tx, "1997-09-30", "1998-06-30")
    _fig, ax = plt.subplots()
    assert plot_tracking_models(frames, ax=ax) is ax
    assert len(ax.lines) == 1 + 2 + 1  # actual, two models, holdout marker
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "BG/NBD" in labels and "Pareto/NBD" in labels
    with pytest.raises(ValueError, match="other periods"):
        plot_tracking_models({"a": frames["BG/NBD"], "b": frames["BG/NBD"].iloc[:-3]})
    plt.close("all")
