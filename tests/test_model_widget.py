"""Issue 5, "Connect to the rest": the model explorer, driven headlessly (set control values, assert on the state).

Every number the widget shows is compared with a direct call of the public model API under the same settings,
so the widget holds no analytics of its own. The models are fitted once per module, outside the tool.
"""

import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import datasets
from toolkit.clv.evaluation import calibration_holdout_split
from toolkit.clv.models import BetaGeo, GammaGamma, ParetoNBD, customer_lifetime_value
from toolkit.widgets.model_explorer import SETTINGS, ModelExplorerState, _figure_png, model_explorer

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def cdnow_tx():
    raw = datasets.load_cdnow("sample")
    return toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                           duplicates="keep", time_unit="W")


@pytest.fixture(scope="module")
def split(cdnow_tx):
    return calibration_holdout_split(cdnow_tx, "1997-09-30", "1998-06-30")


@pytest.fixture(scope="module")
def bg(split):
    return BetaGeo().fit(split)


@pytest.fixture(scope="module")
def gg(split):
    return GammaGamma().fit(split)


def _assert_matches_api(state, model, summary, spend, *, horizon, discount_rate, margin, period="M"):
    want = customer_lifetime_value(model, summary, spend, horizon=horizon, period=period,
                                   discount_rate=discount_rate, margin=margin)
    pd.testing.assert_series_equal(state.clv, want, rtol=1e-12)
    cid = state.customer
    values = state.customer_values()
    assert values["clv"] == pytest.approx(float(want.loc[cid]), rel=1e-12)
    assert values["p_alive"] == pytest.approx(float(model.p_alive(summary.loc[[cid]]).iloc[0]), rel=1e-12)
    length = {"M": 365.2425 / 12 / 7, "W": 1.0}[period] * horizon
    direct = model.conditional_expected_purchases(summary.loc[[cid]], length).iloc[0]
    assert values["expected_purchases"] == pytest.approx(float(direct), rel=1e-10)
    assert state.forecast["time"].iloc[-1] == pytest.approx(length)
    # the P(alive) curve ends at the summary's end, where it equals the model's P(alive) of her row
    assert state.history["T"].iloc[-1] == pytest.approx(float(summary.loc[cid, "T"]))
    assert state.history["p_alive"].iloc[-1] == pytest.approx(values["p_alive"], rel=1e-9)


# ------------------------------------------------------------------------------------------ state
def test_state_defaults_and_equality_with_the_api(bg, gg, split, cdnow_tx):
    state = ModelExplorerState(bg, split, cdnow_tx, spend=gg, margin=0.3)
    assert state.customer == 157 == split["frequency"].idxmax()  # the most frequent buyer (29 repeat days)
    assert state.settings == {"customer": 157, "horizon": 12, "discount_rate": 0.01, "margin": 0.3}
    _assert_matches_api(state, bg, split, gg, horizon=12, discount_rate=0.01, margin=0.3)
    pd.testing.assert_series_equal(state.p_alive, bg.p_alive(split))
    # her real purchase days: the history reproduces her frequency and recency
    assert state.history["frequency"].iloc[-1] == split.loc[157, "frequency"]
    assert state.history["recency"].iloc[-1] == pytest.approx(split.loc[157, "recency"])
    times, _ = state.purchase_times()
    pd.testing.assert_frame_equal(state.history, bg.p_alive_history(times, end=split.loc[157, "T"], n_points=200))
    # purchases after the calibration end, as counted by calibration_holdout_split
    assert state.actual["purchases"].iloc[-1] == split.loc[157, "frequency_holdout"]


def test_updates_recompute_only_what_changed(bg, gg, split, cdnow_tx):
    state = ModelExplorerState(bg, split, cdnow_tx, spend=gg)
    assert state.n_clv_updates == 1
    state.update(customer=18)
    assert state.n_clv_updates == 1 and state.customer == 18
    _assert_matches_api(state, bg, split, gg, horizon=12, discount_rate=0.01, margin=1.0)
    state.update(horizon=24, discount_rate=0.02, margin=0.25)
    assert state.n_clv_updates == 2
    _assert_matches_api(state, bg, split, gg, horizon=24, discount_rate=0.02, margin=0.25)
    state.update(customer="1000")  # text from the picker
    assert state.customer == 1000 and state.n_clv_updates == 2


def test_bad_values_keep_the_previous_settings(bg, split):
    state = ModelExplorerState(bg, split)
    before = state.clv
    for bad in ({"customer": 99999}, {"horizon": 0}, {"discount_rate": -1.0}, {"margin": 1.5}, {"horizon": 2.5}):
        state.update(**bad)
        assert state.error and state.clv is before and state.settings["horizon"] == 12
    assert "99999" in ModelExplorerState(bg, split).update(customer=99999).message()
    with pytest.raises(KeyError, match="unknown model explorer setting"):
        state.update(colour="red")
    with pytest.raises(ValueError, match="horizon must be"):
        ModelExplorerState(bg, split, horizon=0)


def test_without_transactions_and_with_other_spend(split):
    pn = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="W")
    published = datasets.load_cdnow_summary()
    state = ModelExplorerState(pn, published, spend=35.0, period="W", horizon=52, discount_rate=0.002)
    _assert_matches_api(state, pn, published, 35.0, horizon=52, discount_rate=0.002, margin=1.0, period="W")
    # only the stretch after her last purchase is traced, with her true frequency and recency
    row = published.loc[state.customer]
    assert state.history["time"].iloc[0] == pytest.approx(row["recency"])
    assert (state.history["frequency"] == row["frequency"]).all() and state.actual is None
    assert "week" in state.key_numbers() and "$" in state.key_numbers()
    # no spend: CLV counts discounted purchases
    plain = ModelExplorerState(pn, published, period="W")
    assert "discounted purchases" in plain.key_numbers()


# ------------------------------------------------------------------------------------------ view
def test_view_controls_drive_state(bg, gg, split, cdnow_tx):
    view = model_explorer(bg, split, cdnow_tx, spend=gg, plots=False, margin=0.3)
    n0 = view.n_redraws
    view.customer.value = "18"
    assert view.model.customer == 18 and view.n_redraws == n0 + 1
    view.horizon.value = 36
    view.discount_rate.value = 0.015
    view.margin.value = 0.5
    assert view.n_redraws == n0 + 4
    _assert_matches_api(view.model, bg, split, gg, horizon=36, discount_rate=0.015, margin=0.5)
    assert view.key_numbers.value.startswith("Customer 18: P(alive)")
    view.customer.value = "not-an-id"  # rejected: the box shows the customer still in use
    assert view.model.customer == 18 and view.customer.value == "18" and "not in the summary" in view.message.value
    assert view.customer.options[0] == "157"
    with pytest.raises(TypeError, match="unknown setting"):
        model_explorer(bg, split, colour="red")


def test_every_control_and_output_has_a_css_hook(bg, split):
    view = model_explorer(bg, split, plots=False)
    for name in SETTINGS:
        assert f"cvt-model-{name.replace('_', '-')}" in getattr(view, name)._dom_classes, name
    for attr in ("key_numbers", "message", "output", "intervals", "fit_check"):
        assert f"cvt-model-{attr.replace('_', '-')}" in getattr(view, attr)._dom_classes
    assert "cvt-model-explorer" in view._dom_classes


def test_figure_leaves_no_pyplot_figures(bg, gg, split, cdnow_tx):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    state = ModelExplorerState(bg, split, cdnow_tx, spend=gg)
    png = _figure_png(state)
    state.update(customer=18)
    assert png.startswith(b"\x89PNG") and _figure_png(state) != png
    view = model_explorer(bg, split, cdnow_tx, spend=gg)
    view.horizon.value = 6
    assert plt.get_fignums() == before


def test_no_warnings_escape(bg, gg, split, cdnow_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view = model_explorer(bg, split, cdnow_tx, spend=gg)
        for cid in ("4", "157", "2357"):
            view.customer.value = cid
        view.horizon.value = 120
        view.discount_rate.value = 0.0
    assert np.isfinite(view.model.clv).all()


# ------------------------------------------------------------------------------------------ intervals, fit check
def test_intervals_of_the_selected_customer_equal_customer_intervals(bg, gg, split, cdnow_tx):
    """Issue #21: her P(alive), expected purchases and CLV with an 80% interval, exactly customer_intervals."""
    from toolkit.clv import customer_intervals
    from toolkit.widgets.model_explorer import INTERVAL_DRAWS, INTERVAL_LEVEL, INTERVAL_SEED

    assert (INTERVAL_LEVEL, INTERVAL_DRAWS, INTERVAL_SEED) == (0.8, 200, 0)
    state = ModelExplorerState(bg, split, cdnow_tx, spend=gg, margin=0.3)
    state.update(customer=18, horizon=24)
    row = split.loc[[18]]
    common = {"levels": (0.8,), "n_draws": 200, "seed": 0}
    want = {
        "p_alive": customer_intervals(bg, row, quantity="p_alive", **common),
        "expected_purchases": customer_intervals(bg, row, quantity="expected_purchases", t=24 * 365.2425 / 12 / 7,
                                                 **common),
        "clv": customer_intervals(bg, row, quantity="clv", spend_model=gg, horizon=24, period="M",
                                  discount_rate=0.01, margin=0.3, **common),
    }
    values = state.customer_values()
    iv = state.intervals
    assert list(iv.index) == list(want) and list(iv.columns) == ["estimate", "lower", "upper"]
    for quantity, frame in want.items():
        assert iv.loc[quantity, "estimate"] == pytest.approx(values[quantity], rel=1e-10)  # the numbers shown
        assert iv.loc[quantity, "estimate"] == pytest.approx(frame[quantity].iloc[0], rel=1e-12)
        assert iv.loc[quantity, "lower"] == pytest.approx(frame["lower_80"].iloc[0], rel=1e-12)
        assert iv.loc[quantity, "upper"] == pytest.approx(frame["upper_80"].iloc[0], rel=1e-12)
        assert iv.loc[quantity, "lower"] <= iv.loc[quantity, "estimate"] <= iv.loc[quantity, "upper"]
    assert iv.loc["clv", "lower"] < iv.loc["clv", "upper"]  # the spend model's and the purchase model's uncertainty
    text = state.interval_text()
    assert text.startswith("80% interval") and f"${iv.loc['clv', 'lower']:,.2f}" in text and "overlap" in text
    # computed once per customer and settings: going back is a cache hit
    n = state.n_interval_updates
    state.update(customer=157)
    state.update(customer=18)
    assert state.n_interval_updates == n + 1 and state.intervals is not None
    # the view shows the same line
    view = model_explorer(bg, split, cdnow_tx, spend=gg, plots=False, margin=0.3, customer=18, horizon=24)
    import html

    assert view.intervals.value == html.escape(text)
    view.customer.value = "157"
    assert view.intervals.value == html.escape(view.model.interval_text()) != html.escape(text)


def test_no_intervals_without_standard_errors():
    pn = ParetoNBD.from_params(r=0.553, alpha=10.578, s=0.606, beta=11.669, time_unit="W")
    state = ModelExplorerState(pn, datasets.load_cdnow_summary(), spend=35.0, period="W")
    assert state.intervals is None and state.interval_text().startswith("No intervals")


def test_fit_check_is_the_period_transactions_verdict(bg, split):
    """Issue #21: the period-transactions check, computed once at build, in plain words (en and zh)."""
    import html

    from toolkit.clv import period_transactions
    from toolkit.i18n import using_language

    want = period_transactions(bg, split)
    view = model_explorer(bg, split, plots=False)
    state = view.model
    assert state.fit_verdict == want.verdict and state.fit_check.chi_square == want.chi_square
    assert state.fit_check.p_value == want.p_value and "within chance" in want.verdict  # BG/NBD fits CDNOW
    assert view.fit_check.value == html.escape("Fit check (period transactions): " + want.verdict)
    view.customer.value = "18"
    assert state.fit_check is not None and view.fit_check.value.endswith(html.escape(want.verdict))
    with using_language("zh"):
        zh = state.fit_check_text()
    assert zh.startswith("拟合检验") and f"卡方 {want.chi_square:.1f}" in zh and "随机波动" in zh
    # no check where period_transactions does not apply (a model with covariates): said in plain words
    from toolkit.widgets.model_explorer import _fit_check

    z = pd.DataFrame({"z": (split.index % 2).astype(float)}, index=split.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cov_model = BetaGeo().fit(split, covariates=z)
    assert _fit_check(cov_model, split) is None
    state.fit_check = None
    assert "not available" in state.fit_check_text()


# ------------------------------------------------------------------------------------------ notebook
def test_notebook_widget_headless_with_nbclient(bg, gg, split, cdnow_tx, run_notebook):
    nb = run_notebook([
        ("import toolkit\nfrom toolkit import datasets\n"
         "from toolkit.clv.evaluation import calibration_holdout_split\n"
         "from toolkit.clv.models import BetaGeo, GammaGamma\n"
         "from toolkit.widgets.model_explorer import model_explorer\n"
         "raw = datasets.load_cdnow('sample')\n"
         "tx = toolkit.Transactions.from_frame(raw, customer='sample_id', time='date', amount='dollar_value',"
         " duplicates='keep', time_unit='W')\n"
         "split = calibration_holdout_split(tx, '1997-09-30', '1998-06-30')\n"
         "view = model_explorer(BetaGeo().fit(split), split, tx, spend=GammaGamma().fit(split))\nview"),
        "view.customer.value = '18'\nview.horizon.value = 24\nview.margin.value = 0.3",
        "print(view.n_redraws)\nprint(view.key_numbers.value)",
    ], timeout=180).nb

    import html

    want = html.escape(ModelExplorerState(bg, split, cdnow_tx, spend=gg, customer=18, horizon=24,
                                          margin=0.3).key_numbers())
    printed = "".join(o.get("text", "") for o in nb.cells[2].outputs).splitlines()
    assert printed == ["4", want]
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]["state"]
    models = list(state.values())
    assert want in [m["state"].get("value") for m in models if m["model_name"] == "HTMLModel"]
    assert "18" in [m["state"].get("value") for m in models if m["model_name"] == "ComboboxModel"]
    assert 24 in [m["state"].get("value") for m in models if m["model_name"] == "IntSliderModel"]
    # the figure and the customer's numbers are widget values (no Output widget: drawable from any thread)
    images = [m for m in models if m["model_name"] == "ImageModel"]
    assert len(images) == 1 and images[0]["state"]["layout"]
    assert any("<table" in (m["state"].get("value") or "") and "18" in m["state"]["value"]
               for m in models if m["model_name"] == "HTMLModel")


def test_solution_04_passes_the_notebook_check(bg, split):
    """notebooks/solutions/04-at-risk-buyers.py, run in the notebook's namespace, passes the exercise check."""
    from toolkit import exercises

    path = ROOT / "notebooks" / "solutions" / "04-at-risk-buyers.py"
    namespace = {"bg": bg, "split": split}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    expected = int(((split["frequency"] >= 2) & (bg.p_alive(split) < 0.5)).sum())
    assert expected > 0 and exercises.check(namespace["n_at_risk"], expected)
    notebook = (ROOT / "notebooks" / "04-probabilistic-clv.ipynb").read_text(encoding="utf-8")
    assert "%load solutions/04-at-risk-buyers.py" in notebook
