"""Issue #17 point 7: model honesty. "Sound" only when the fit is identified and beats the naive forecast.

The case from the field: 12 months of order lines, a BG/NBD fit whose drop-out parameters ran off (a ~ 6e-6,
95% interval of a up to 1e20), mean P(alive) 99.7%, a holdout MAE no better than the naive forecast, all under
"the fit is sound". Two reproductions:

- a hand-built log in which nobody ever leaves (a Poisson purchase process with gamma-distributed rates, 12
  months and 9 days): BG/NBD's a, b are then not identified, on the calibration period and on the whole history;
- the teaching company simulated over one year (``make_company(..., start="2023-01-01", end="2023-12-31")``): the
  BG/NBD fit is identified but does not beat the naive forecast on a 91-day holdout (seed 0), or both problems
  at once (seed 1).

The published fits (CDNOW, the bundled company) must stay sound.
"""

import html
import math
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.clv.evaluation import calibration_holdout_split, evaluate_model, naive_clv, naive_forecast
from toolkit.clv.models import BetaGeo, GammaGamma
from toolkit.clv.models.base import MAX_LOG_SE
from toolkit.customers import customer_summary
from toolkit.report import build_report

Z95 = 1.959963984540054


def loyal_log(n=1000, seed=3, start="2023-01-01", days=374):
    """Nobody ever leaves: purchases at a constant, customer-specific rate from acquisition to the end."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp(start)
    birth = rng.integers(0, days, n)
    rate = rng.gamma(2.0, 1 / 60.0, n)  # purchases per day, one a month on average
    rows = []
    for c in range(n):
        t = float(birth[c])
        while t < days:
            rows.append((c, start + pd.Timedelta(days=int(t)), round(float(rng.gamma(4.0, 25.0)), 2)))
            t += rng.exponential(1 / rate[c])
    raw = pd.DataFrame(rows, columns=["customer", "date", "amount"])
    return toolkit.Transactions.from_frame(raw, customer="customer", time="date", amount="amount", time_unit="W",
                                           observation_end=start + pd.Timedelta(days=days - 1), duplicates="keep")


def _quiet_fit(model, data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return model.fit(data)


@pytest.fixture(scope="module")
def loyal_tx():
    return loyal_log()


@pytest.fixture(scope="module")
def loyal_summary(loyal_tx):
    s = customer_summary(loyal_tx)
    return s[s["T"] > 0]


@pytest.fixture(scope="module")
def loyal_bg(loyal_summary):
    return _quiet_fit(BetaGeo(), loyal_summary)


def _one_year_split(seed):
    company = toolkit.datasets.make_company(2000, seed=seed, start="2023-01-01", end="2023-12-31")
    tx = company.to_transactions(time_unit="W")
    return calibration_holdout_split(tx, tx.observation_end - pd.Timedelta(days=91))


@pytest.fixture(scope="module")
def cdnow_split():
    raw = toolkit.datasets.load_cdnow("sample")
    tx = toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                         time_unit="W", duplicates="keep")
    return calibration_holdout_split(tx, "1997-09-30", "1998-06-30")


def _rule(model):
    """The identification rule recomputed from the public summary table (not from the diagnostics)."""
    table = model.summary
    with np.errstate(divide="ignore", invalid="ignore"):
        log_se = np.log(table["upper 95%"] / table["lower 95%"]) / (2 * Z95)
    bound = set(model.parameters_at_bound_)
    return pd.Series([name not in bound and bool(np.isfinite(v)) and v <= MAX_LOG_SE
                      for name, v in log_se.items()], index=table.index)


# ---------------------------------------------------------------------------------------------------------- model
def test_no_dropout_log_leaves_a_b_unidentified(loyal_bg, loyal_summary):
    diag = loyal_bg.diagnostics
    assert not loyal_bg.identified_
    assert not diag.loc["a", "identified"] and not diag.loc["b", "identified"]
    assert diag.loc["r", "identified"] and diag.loc["alpha", "identified"]
    # the symptom of the issue: nobody is ever predicted to have left
    assert loyal_bg.params_["a"] < 1e-3 and loyal_bg.p_alive(loyal_summary).mean() > 0.99
    # the judgement agrees with the rule applied to the summary table by hand
    pd.testing.assert_series_equal(diag["identified"], _rule(loyal_bg), check_names=False)
    problem = loyal_bg.identification_problem
    assert "a, b" in problem and "r," not in problem


def test_published_cdnow_fit_is_identified(cdnow_split):
    model = BetaGeo().fit(cdnow_split)
    diag = model.diagnostics
    assert model.identified_ and model.identification_problem == ""
    assert (diag["status"] == "well determined").all()
    np.testing.assert_allclose(diag["log_se"], model.standard_errors_ / model.params_, rtol=1e-12)
    np.testing.assert_allclose(diag["interval_factor"], np.exp(2 * Z95 * diag["log_se"]), rtol=1e-9)
    pd.testing.assert_series_equal(diag["identified"], _rule(model), check_names=False)


def test_given_parameters_count_as_identified():
    model = BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426)
    assert model.identified_ and (model.diagnostics["status"] == "given").all()


# ------------------------------------------------------------------------------------------------ evaluation
def test_naive_forecast_and_clv_by_hand():
    summary = pd.DataFrame({"frequency": [0, 2, 4], "T": [10.0, 20.0, 8.0], "monetary_value": [0.0, 30.0, 5.0]})
    np.testing.assert_allclose(naive_forecast(summary, 5.0), [0.0, 0.5, 2.5])
    got = naive_clv(summary, horizon=2, period=4.0, discount_rate=0.1, margin=0.5)
    annuity = 1 / 1.1 + 1 / 1.21
    np.testing.assert_allclose(got, [0.0, 0.5 * 30.0 * 0.4 * annuity, 0.5 * 5.0 * 2.0 * annuity])
    summary.attrs["time_unit"] = "D"
    np.testing.assert_allclose(naive_clv(summary, horizon=1, period="W", discount_rate=0.0),
                               [0.0, 30.0 * 0.1 * 7, 5.0 * 0.5 * 7])


def test_identified_fit_that_loses_to_the_naive_forecast_is_not_sound():
    split = _one_year_split(seed=0)
    model = _quiet_fit(BetaGeo(), split)
    assert model.identified_
    rep = evaluate_model(model, split)
    # the naive forecast is each customer's calibration rate over the holdout, recomputed here
    want = split["frequency"] / split["T"] * split["duration_holdout"]
    np.testing.assert_allclose(rep.predictions["baseline"], want)
    mae_naive = float(np.mean(np.abs(want - split["frequency_holdout"])))
    assert rep.metrics.loc["baseline", "MAE"] == pytest.approx(mae_naive)
    assert rep.metrics.loc["model", "MAE"] >= mae_naive  # measured: 1.512 vs 1.465
    assert not rep.sound and rep.verdict.startswith("Do not use")
    assert "naive forecast" in rep.verdict and "sound" not in rep.verdict
    assert len(rep.problems) == 1


def test_unidentified_fit_is_not_sound_even_when_it_beats_the_naive_forecast(loyal_tx):
    split = calibration_holdout_split(loyal_tx, loyal_tx.observation_end - pd.Timedelta(days=93))
    model = _quiet_fit(BetaGeo(), split)
    rep = evaluate_model(model, split)
    assert rep.metrics.loc["model", "MAE"] < rep.metrics.loc["baseline", "MAE"]
    assert not model.identified_ and not rep.sound
    assert rep.verdict.startswith("Do not use") and "do not pin down" in rep.verdict
    ok = rep.checks.set_index("check")["ok"]
    assert not ok["identified"] and ok["beats baseline"]


def test_both_problems_are_named():
    split = _one_year_split(seed=1)
    model = _quiet_fit(BetaGeo(), split)
    rep = evaluate_model(model, split)
    assert not model.identified_
    assert rep.metrics.loc["model", "MAE"] >= rep.metrics.loc["baseline", "MAE"]
    assert len(rep.problems) == 2 and "do not pin down" in rep.verdict and "naive forecast" in rep.verdict


def test_published_fits_stay_sound(cdnow_split):
    rep = evaluate_model(BetaGeo().fit(cdnow_split), cdnow_split, spend_model=GammaGamma().fit(cdnow_split))
    assert rep.sound and rep.problems == []
    assert rep.verdict.startswith("Usable with care: the fit is sound")  # holdout total -12% (Christmas)
    company = toolkit.datasets.load_company().to_transactions(time_unit="W")
    split = calibration_holdout_split(company, company.observation_end - pd.Timedelta(days=273))
    rep = evaluate_model(BetaGeo().fit(split), split)
    assert rep.sound and "sound" in rep.verdict


# ------------------------------------------------------------------------------------------------------ report
@pytest.fixture(scope="module")
def loyal_report(loyal_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_report(loyal_tx, sections=["clv"], settings={"currency": "CNY"}, progress=False)


def test_report_headline_warns_and_shows_course_and_naive_clv(loyal_report, loyal_summary, loyal_bg):
    sec = loyal_report["clv"]
    label, warning = sec.headline[0]
    assert label == "model warning" and warning.startswith("Do not quote")
    assert "do not pin down" in warning and "a, b" in warning
    assert sec.numbers["model_sound"] == 0.0
    # course CLV quoted in the warning, and its headline numbers sit right before the model's
    course_mean = sec.numbers["course_clv_mean"]
    assert f"{course_mean:,.0f} CNY" in warning
    labels = [k for k, _ in sec.headline]
    at = labels.index("total course CLV")
    assert labels[at + 1].startswith("mean 36-month model CLV (unreliable")
    assert "mean P(alive) (unreliable, see the warning)" in labels
    # the naive forecast, recomputed by hand: past repeat rate x own mean spend x margin, discounted monthly
    s = loyal_report.settings
    d = (1 + s.discount_rate) ** (1 / 12) - 1
    month = 365.2425 / 12 / 7  # weeks
    annuity = sum((1 + d) ** -k for k in range(1, s.horizon_months + 1))
    x, T, m = (loyal_summary[c].to_numpy(dtype=float) for c in ("frequency", "T", "monetary_value"))
    naive = np.where(x > 0, s.margin * m * x / T * month * annuity, 0.0)
    assert sec.numbers["naive_clv_total"] == pytest.approx(naive.sum(), rel=1e-9)
    assert f"{naive.sum():,.0f} CNY" in warning
    assert sec.numbers["naive_purchases"] == pytest.approx(float(np.sum(x / T)) * month * s.horizon_months)
    assert sec.numbers["p_alive_mean"] == pytest.approx(float(loyal_bg.p_alive(loyal_summary).mean()))
    table = sec.tables["model CLV beside the naive forecast and the course CLV"]
    assert table["total"].iloc[2] == pytest.approx(sec.numbers["course_clv_total"])
    assert "Do not quote" in loyal_report.html()


def test_report_on_the_bundled_company_has_no_warning():
    tx = toolkit.datasets.load_company().to_transactions(time_unit="W")
    sec = build_report(tx, sections=["clv"], progress=False)["clv"]
    assert sec.numbers["model_sound"] == 1.0
    assert all(label != "model warning" for label, _ in sec.headline)
    assert "sound" in dict(sec.headline)["fit health"]
    assert not any("unreliable" in label for label, _ in sec.headline)


# ------------------------------------------------------------------------------------------------------ widget
def test_model_explorer_shows_the_same_warning(loyal_bg, loyal_summary, loyal_tx):
    pytest.importorskip("ipywidgets")
    from toolkit.clv import customer_values
    from toolkit.widgets.model_explorer import ModelExplorerState, model_explorer

    gg = _quiet_fit(GammaGamma(), loyal_summary)
    course = customer_values(loyal_summary, margin=0.5, retention=0.6, discount_rate=0.1)
    view = model_explorer(loyal_bg, loyal_summary, loyal_tx, spend=gg, plots=False, horizon=12, margin=0.5,
                          course_clv=course)
    state = view.model
    assert not state.sound and state.warning.startswith("Do not quote")
    assert loyal_bg.identification_problem in state.warning
    visible = [c for c in view.children if "cvt-stylesheet" not in c._dom_classes]  # the hidden CSS comes first
    assert html.escape(state.warning) in view.warning.value and visible[0] is view.warning
    naive = naive_clv(loyal_summary, horizon=12, period="M", discount_rate=0.01, margin=0.5)
    assert f"naive forecast (past rate and spend kept): CLV total ${naive.sum():,.0f}" in state.key_numbers()
    assert f"course CLV: total ${course['clv'].sum():,.0f}" in state.key_numbers()
    view.horizon.value = 24  # the naive comparison follows the sliders
    naive24 = naive_clv(loyal_summary, horizon=24, period="M", discount_rate=0.01, margin=0.5)
    assert f"CLV total ${naive24.sum():,.0f}" in view.key_numbers.value
    # an identified model with a failed holdout check: the evaluation's problem is shown
    split = _one_year_split(seed=0)
    model = _quiet_fit(BetaGeo(), split)
    rep = evaluate_model(model, split)
    st = ModelExplorerState(model, split, evaluation=rep)
    assert not st.sound and "naive forecast" in st.warning


def test_model_explorer_quiet_when_sound(cdnow_split):
    from toolkit.widgets.model_explorer import ModelExplorerState

    model = BetaGeo().fit(cdnow_split)
    state = ModelExplorerState(model, cdnow_split, evaluation=evaluate_model(model, cdnow_split))
    assert state.sound and state.warning == "" and state.warning_html() == ""
    assert "naive forecast" not in state.key_numbers()


def test_figure_carries_the_warning(loyal_bg, loyal_summary):
    pytest.importorskip("matplotlib")
    from toolkit.plotting.models import model_explorer_figure
    from toolkit.widgets.model_explorer import ModelExplorerState

    state = ModelExplorerState(loyal_bg, loyal_summary)
    fig = model_explorer_figure(state.history, state.forecast, warning="not sound")
    assert any(t.get_text() == "⚠ not sound" for t in fig.texts)
    fig = model_explorer_figure(state.history, state.forecast)
    assert not fig.texts
    assert math.isfinite(state.customer_values()["clv"])
