"""Issue 2 §4: the RFM explorer, driven headlessly (set control values, assert on the state).

Every check compares the widget's state with a direct call of the public API under the same settings,
so the widget can hold no analytics of its own.
"""

import pathlib
import warnings

import pandas as pd
import pytest

import toolkit
from toolkit import customers, datasets, rfm
from toolkit.widgets.rfm_explorer import SETTINGS, RFMExplorerState, _heatmap_png, rfm_explorer

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def company_tx():
    company = datasets.load_company()
    return toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


@pytest.fixture(scope="module")
def company_summary(company_tx):
    return toolkit.customer_summary(company_tx)


@pytest.fixture(scope="module")
def cdnow_tx():
    raw = datasets.load_cdnow("sample")
    return toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                           duplicates="keep", time_unit="W")


@pytest.fixture
def count_summaries(monkeypatch):
    """Count calls of toolkit.customer_summary (the one heavy step) however it is reached."""
    calls = {"n": 0}
    real = customers.customer_summary

    def counting(*args, **kwargs):
        calls["n"] += 1
        return real(*args, **kwargs)

    monkeypatch.setattr(customers, "customer_summary", counting)
    monkeypatch.setattr(toolkit, "customer_summary", counting)
    return calls


def _expected(summary, tx, *, segment_map="rf_grid", bins=5, benchmark_mean=None, frequency_col="n_days",
              monetary_col="revenue"):
    """What the public API gives for these settings (scores, segments or None, tiers)."""
    with warnings.catch_warnings():  # ties / holes: the widget shows these in its message line
        warnings.simplefilter("ignore")
        scores = rfm.rfm_scores(summary, bins=bins, frequency_col=frequency_col, monetary_col=monetary_col)
        try:
            segments = rfm.assign_segments(scores, segment_map)
        except toolkit.SchemaError:
            segments = None
    tiers = rfm.value_tiers(tx, benchmark_mean=benchmark_mean)
    return scores, segments, tiers


def _assert_state_matches(state, summary, tx, **settings):
    scores, segments, tiers = _expected(summary, tx, **settings)
    pd.testing.assert_frame_equal(state.scores, scores)
    pd.testing.assert_frame_equal(state.tiers, tiers)
    if segments is None:
        assert state.segments is None and state.segment_table is None
        assert "does not fit" in state.error
    else:
        pd.testing.assert_frame_equal(state.segments, segments)
        with_revenue = segments.join(summary[["revenue"]]) if "revenue" not in segments else segments
        pd.testing.assert_frame_equal(state.segment_table, rfm.segment_summary(
            with_revenue, frequency_col=settings.get("frequency_col", "n_days"),
            monetary_col=settings.get("monetary_col", "revenue")))
    pd.testing.assert_frame_equal(state.tier_table, rfm.segment_summary(summary, segment_col="tier", labels=tiers))


# ------------------------------------------------------------------------------------------ state
@pytest.mark.parametrize("settings", [
    {},
    {"bins": 4},
    {"bins": 3, "frequency_col": "n_orders"},
    {"segment_map": "rfm_8", "monetary_col": "monetary_value"},
    {"benchmark_mean": 1000.0},
    {"segment_map": "rfm_8", "bins": 5, "benchmark_mean": 250.0, "frequency_col": "frequency"},
])
def test_state_equals_public_api(company_tx, company_summary, settings):
    state = RFMExplorerState(company_tx, **settings)
    _assert_state_matches(state, company_summary, company_tx, **settings)
    assert state.n_updates == 1


def test_state_updates_equal_public_api_and_reject_bad_values(company_tx, company_summary):
    state = RFMExplorerState(company_tx)
    state.update(bins=6, segment_map="rfm_8")
    _assert_state_matches(state, company_summary, company_tx, bins=6, segment_map="rfm_8")
    state.update(bins=5)
    assert state.error == ""
    _assert_state_matches(state, company_summary, company_tx, segment_map="rfm_8")
    before = state.tiers
    for bad in ({"benchmark_mean": 0.0}, {"bins": 1}, {"segment_map": "nope"}, {"frequency_col": "colour"}):
        state.update(**bad)
        assert state.error and state.tiers is before and state.bins == 5
    with pytest.raises(KeyError, match="unknown RFM explorer setting"):
        state.update(colour="red")
    with pytest.raises(ValueError, match="bins must be"):
        RFMExplorerState(company_summary, bins=30)


def test_state_from_a_summary_uses_tenure_tiers(company_summary):
    state = RFMExplorerState(company_summary)
    pd.testing.assert_frame_equal(state.tiers, rfm.value_tiers(company_summary))
    assert state.tiers.attrs["annualise"] == "tenure"
    assert state.data_mean == pytest.approx(rfm.value_tiers(company_summary).attrs["benchmark_mean"])


def test_state_window_tiers_match_value_tiers_on_the_log(company_tx):
    state = RFMExplorerState(company_tx)
    assert state.tiers.attrs["annualise"] == "window"
    assert state.benchmark == pytest.approx(rfm.value_tiers(company_tx).attrs["benchmark_mean"])
    assert len(state.tiers) == company_tx.n_customers and state.tiers["tier"].notna().all()


def test_binning_warnings_are_captured_not_emitted(cdnow_tx):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # nothing may escape into the notebook
        state = RFMExplorerState(cdnow_tx, observation_end="1997-09-30")
    assert len(state.summary) == 2357
    assert any("ties collapse" in w for w in state.warnings)
    assert "ties collapse" in state.message()
    # a different observation end than the log's: tiers fall back to tenure annualisation
    assert state.tiers.attrs["annualise"] == "tenure"
    state.update(bins=3)
    assert state.warnings == [] or all("ties" in w for w in state.warnings)


def test_key_numbers_line(company_tx, company_summary):
    state = RFMExplorerState(company_tx)
    seg = rfm.assign_segments(rfm.rfm_scores(company_summary), "rf_grid")
    k = int((seg["segment"] == "Champions").sum())
    n = len(company_summary)
    high = int((rfm.value_tiers(company_tx)["tier"] == "high").sum())
    line = state.key_numbers()
    assert line.startswith(f"Champions: {k:,} customers ({k / n:.1%}) | high value tier: {high:,} customers")
    assert line.endswith(f"{n:,} customers")
    state.update(bins=4)  # no segments: the line still gives the tiers
    assert state.key_numbers().startswith("high value tier:")


# ------------------------------------------------------------------------------------------ view
def test_view_controls_drive_state(company_tx, company_summary):
    view = rfm_explorer(company_tx, plots=False)
    assert view.model.settings == {"segment_map": "rf_grid", "bins": 5, "benchmark_mean": None,
                                   "frequency_col": "n_days", "monetary_col": "revenue", "heatmap_value": "count"}
    n0 = view.n_redraws
    view.bins.value = 4
    assert view.model.bins == 4 and view.n_redraws == n0 + 1
    _assert_state_matches(view.model, company_summary, company_tx, bins=4)
    assert "does not fit" in view.message.value and view.key_numbers.value.startswith("high value tier")

    view.bins.value = 5
    view.segment_map.value = "rfm_8"
    assert view.n_redraws == n0 + 3
    _assert_state_matches(view.model, company_summary, company_tx, segment_map="rfm_8")
    assert view.key_numbers.value == view.model.key_numbers()
    assert view.key_numbers.value.startswith("High-value: ")

    view.frequency_col.value = "n_orders"
    view.monetary_col.value = "monetary_value"
    _assert_state_matches(view.model, company_summary, company_tx, segment_map="rfm_8", frequency_col="n_orders",
                          monetary_col="monetary_value")
    view.heatmap_value.value = "revenue"
    assert view.model.heatmap_value == "revenue"
    assert "revenue" in view.model.heatmap_frame.columns
    assert view.n_redraws == n0 + 6


def test_view_benchmark_mean(company_tx, company_summary):
    view = rfm_explorer(company_tx, plots=False)
    data_mean = view.model.data_mean
    assert view.benchmark_mean.value == pytest.approx(round(data_mean, 2))
    view.benchmark_mean.value = 1000.0
    _assert_state_matches(view.model, company_summary, company_tx, benchmark_mean=1000.0)
    assert "benchmark mean 1,000.00" in view.key_numbers.value
    n = view.n_redraws
    view.benchmark_mean.value = -5.0  # rejected: state keeps 1000 and the box shows it again
    assert "must be > 0" in view.model.error and "must be &gt; 0" in view.message.value
    assert view.model.benchmark_mean == 1000.0 and view.benchmark_mean.value == 1000.0
    assert view.n_redraws == n + 1
    view.use_data_mean.click()
    assert view.model.benchmark_mean is None
    assert view.benchmark_mean.value == pytest.approx(round(data_mean, 2))
    _assert_state_matches(view.model, company_summary, company_tx)


def test_summary_is_computed_once_not_in_callbacks(company_tx, count_summaries):
    view = rfm_explorer(company_tx, plots=False)
    at_build = count_summaries["n"]
    assert 1 <= at_build <= 2  # the summary, plus value_tiers' trailing-year window on the log
    view.bins.value = 4
    view.bins.value = 6
    view.segment_map.value = "rfm_8"
    view.benchmark_mean.value = 900.0
    view.frequency_col.value = "n_orders"
    view.monetary_col.value = "monetary_value"
    view.heatmap_value.value = "revenue"
    view.use_data_mean.click()
    assert view.n_redraws == 9
    assert count_summaries["n"] == at_build


def test_every_control_and_output_has_a_css_hook(company_summary):
    view = rfm_explorer(company_summary, plots=False)
    expected = {name: f"cvt-rfm-{name.replace('_', '-')}" for name in SETTINGS}
    expected.update(use_data_mean="cvt-rfm-use-data-mean", key_numbers="cvt-rfm-key-numbers",
                    message="cvt-rfm-message", output="cvt-rfm-output")
    for attr, css in expected.items():
        assert css in getattr(view, attr)._dom_classes, attr
    assert "cvt-rfm-explorer" in view._dom_classes
    assert view.segment_map.options == tuple(rfm.SEGMENT_MAPS)
    assert set(view.frequency_col.options) == {"n_days", "n_orders", "frequency"}


def test_custom_segment_map_and_unknown_settings(company_summary):
    custom = pd.DataFrame({"segment": ["recent", "lapsed"], "r_min": [3, 1], "r_max": [4, 2],
                           "f_min": [1, 1], "f_max": [4, 4]})
    view = rfm_explorer(company_summary, plots=False, segment_map=custom, bins=4)
    assert view.segment_map.value == "custom map"
    pd.testing.assert_frame_equal(view.model.segments,
                                  rfm.assign_segments(rfm.rfm_scores(company_summary, bins=4), custom))
    assert view.key_numbers.value.startswith("recent: ")
    with pytest.raises(TypeError, match="unknown setting"):
        rfm_explorer(company_summary, colour="red")


def test_heatmap_png_leaves_no_pyplot_figures(company_summary):
    import matplotlib.pyplot as plt

    before = plt.get_fignums()
    state = RFMExplorerState(company_summary)
    png = _heatmap_png(state)
    state.update(heatmap_value="revenue", bins=4)
    png4 = _heatmap_png(state)
    assert png.startswith(b"\x89PNG") and png4.startswith(b"\x89PNG") and png != png4
    view = rfm_explorer(company_summary)  # plots=True: redraws go through the same path
    view.bins.value = 3
    assert plt.get_fignums() == before


# ------------------------------------------------------------------------------------------ notebook
def test_notebook_widget_headless_with_nbclient(run_notebook):
    run = run_notebook([
        ("import toolkit\nfrom toolkit import datasets\n"
         "from toolkit.widgets.rfm_explorer import rfm_explorer\n"
         "company = datasets.make_company(300, seed=7)\n"
         "tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())\n"
         "view = rfm_explorer(tx)\nview"),
        "view.segment_map.value = 'rfm_8'\nview.benchmark_mean.value = 800.0",
        "print(view.n_redraws)\nprint(view.key_numbers.value)",
    ], timeout=180)

    company = datasets.make_company(300, seed=7)
    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    want = RFMExplorerState(tx, segment_map="rfm_8", benchmark_mean=800.0).key_numbers()
    printed = run.text(2).splitlines()
    assert printed == ["3", want]

    models = run.models
    labels = [m["state"].get("value") for m in models if m["model_name"] == "LabelModel"]
    assert want in labels
    dropdowns = [m["state"] for m in models if m["model_name"] == "DropdownModel"]
    assert any(d.get("_options_labels", [None])[d.get("index", 0)] == "rfm_8" for d in dropdowns)
    floats = [m["state"].get("value") for m in models if m["model_name"] == "FloatTextModel"]
    assert 800.0 in floats
    # the figure and the tables are widget values (no Output widget: they also draw from a background thread)
    images = [m for m in models if m["model_name"] == "ImageModel" and "cvt-rfm-figure" not in m["state"].get(
        "_dom_classes", ())]
    assert len(images) == 1
    html = "".join(m["state"].get("value", "") for m in models if m["model_name"] == "HTMLModel")
    assert "High-value" in html and "dormant" in html


def test_solution_01_passes_the_notebook_check(company_tx):
    """notebooks/solutions/01-dormant-270.py, run in the notebook's namespace, passes the exercise check."""
    from toolkit import exercises

    path = ROOT / "notebooks" / "solutions" / "01-dormant-270.py"
    namespace = {"rfm": rfm, "tx": company_tx}
    exec(compile(path.read_text(encoding="utf-8"), str(path), "exec"), namespace)
    lines = company_tx.frame.assign(day=company_tx.frame["timestamp"].dt.normalize())
    end = company_tx.observation_end.normalize()
    last_year = lines[lines["day"] > end - pd.Timedelta(days=365)]
    index = pd.Index(company_tx.arrays.customer_id, name="customer_id")
    spend = last_year.groupby("customer_id")["amount"].sum().reindex(index, fill_value=0.0)
    buys = last_year.groupby("customer_id")["day"].nunique().reindex(index, fill_value=0)
    idle = (end - lines.groupby("customer_id")["day"].max()).dt.days.reindex(index)
    ratio = spend / spend.mean()
    expected = int(((idle >= 270) & (ratio <= 0.3) & (buys <= 2)).sum())  # high/potential need idle <= 90
    assert exercises.check(namespace["n_dormant_270"], expected)
    notebook = (ROOT / "notebooks" / "01-rfm-and-value-tiers.ipynb").read_text(encoding="utf-8")
    assert "%load solutions/01-dormant-270.py" in notebook
