"""Issue 4: the CLV scenario widget, driven headlessly (set control values, assert on the state)."""

import pathlib
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from toolkit import clv
from toolkit.widgets.clv_scenario import SLIDERS, CLVScenarioState, clv_scenario_widget

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture
def summary():
    rng = np.random.default_rng(4)
    n = 300
    return pd.DataFrame({
        "revenue": rng.gamma(2.0, 500.0, n),
        "tenure_days": rng.uniform(30, 1500, n),
        "tier": rng.choice(["gold", "silver", "bronze"], n),
    }, index=pd.Index(np.arange(n), name="customer_id"))


def test_state_starts_at_textbook_and_updates():
    s = CLVScenarioState()
    assert round(s.result.total, 1) == 8866.9 and s.n_updates == 1
    s.update(retention=0.9)
    assert s.result.horizon == 10  # horizon follows the expected lifetime
    assert s.result.total > 8866.9
    s.update(horizon=5)
    assert s.result.current == pytest.approx(clv.textbook_example(retention=0.9, horizon=5).current)
    s.reset()
    assert round(s.result.total, 1) == 8866.9 and s.n_updates == 4


def test_state_keeps_last_result_on_bad_input():
    s = CLVScenarioState()
    before = s.result
    s.update(upsell_revenue=1000.0)
    assert "bigger plan" in s.error and s.result is before
    s.update(upsell_revenue=3600.0)
    assert s.error == ""
    with pytest.raises(KeyError, match="unknown"):
        s.update(colour=1)


def test_widget_sliders_drive_state():
    w = clv_scenario_widget(plots=False)
    assert w.state.result.total == pytest.approx(clv.textbook_example().total)
    assert set(SLIDERS) <= set(w.controls)
    n0 = w.n_redraws
    w.controls["retention"].value = 0.9
    assert w.state.params["retention"] == pytest.approx(0.9)
    assert w.state.result.horizon == 10 and w.controls["horizon"].value == 10
    assert w.n_redraws == n0 + 1
    w.controls["discount_rate"].value = 0.2
    assert w.state.result.current == pytest.approx(clv.textbook_example(retention=0.9, discount_rate=0.2).current)
    assert "CLV" in w.summary.value


def test_widget_manual_horizon_and_reset():
    w = clv_scenario_widget(plots=False)
    w.auto_horizon.value = False
    assert not w.controls["horizon"].disabled
    w.controls["horizon"].value = 3
    assert w.state.result.horizon == 3
    w.controls["annual_revenue"].value = 5000.0  # above the 3,600 up-sell plan: rejected, message shown
    assert "bigger plan" in w.message.value
    w.controls["upsell_revenue"].value = 6000.0
    assert w.message.value == "" and w.state.result.params["annual_revenue"] == 5000.0
    w.controls["cac"].value = 3000.0
    assert w.state.economics.cac == 3000.0
    w.reset_button.click()
    assert round(w.state.result.total, 1) == 8866.9
    assert w.auto_horizon.value and w.controls["horizon"].disabled and w.controls["horizon"].value == 5
    assert w.controls["annual_revenue"].value == 2400.0 and w.controls["cac"].value == 1200.0


def test_every_factor_slider_changes_the_result():
    w = clv_scenario_widget(plots=False)
    base = w.state.result.total
    moves = {"annual_revenue": 3000.0, "margin": 0.5, "years_as_customer": 4.0, "retention": 0.7,
             "discount_rate": 0.05, "revenue_growth": 0.05, "retention_cost": 100.0, "upsell_revenue": 4000.0,
             "upsell_probability": 0.5, "referrals_per_year": 1.0, "referral_cost": 100.0, "data_value": 50.0}
    for name, value in moves.items():
        w.reset_button.click()
        w.controls[name].value = value
        assert w.state.result.total != pytest.approx(base), name
    w.reset_button.click()
    w.auto_horizon.value = False
    w.controls["horizon"].value = 8
    assert w.state.result.total > base


def test_widget_per_segment_mode(summary):
    pf = clv.Portfolio(summary, group="tier", retention=0.75)
    w = clv_scenario_widget(portfolio=pf, plots=False)
    assert w.controls["segment"].options == ("bronze", "gold", "silver")
    assert w.state.portfolio_result.delta == 0.0
    w.controls["segment"].value = "gold"
    w.controls["retention_delta"].value = 0.05
    res = w.state.portfolio_result
    assert res.segment == "gold" and res.delta > 0
    assert res.delta == pytest.approx(pf.evaluate("gold", retention_delta=0.05).delta)
    w.controls["price_change"].value = -0.1
    assert w.state.portfolio_result.delta < res.delta
    assert "segment 'gold'" in w.summary.value
    w.reset_button.click()
    assert w.state.portfolio_result.delta == 0.0 and w.controls["retention_delta"].value == 0.0


def test_widget_draws_dashboard_image_and_table():
    w = clv_scenario_widget()
    png = w.dashboard.value
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert "1047.273" in w.year_table.value
    n0 = w.n_redraws
    w.controls["margin"].value = 0.5
    assert w.n_redraws == n0 + 1 and w.dashboard.value != png
    assert w.state.result.params["margin"] == 0.5
    assert "872.727" in w.year_table.value  # 2,400 x 50% x 0.8 / 1.1
    import matplotlib.pyplot as plt

    assert plt.get_fignums() == []  # the dashboard figure is not registered with pyplot


def test_state_module_does_not_import_ipywidgets():
    code = ("import sys; from toolkit.widgets.clv_scenario import CLVScenarioState; s = CLVScenarioState(); "
            "s.update(retention=0.7); print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_notebook_widget_headless_with_nbclient(run_notebook):
    run = run_notebook([
        "from toolkit.widgets.clv_scenario import clv_scenario_widget\nw = clv_scenario_widget()\nw",
        "w.controls['retention'].value = 0.9",
        "print(round(w.state.result.total, 1), w.state.result.horizon, bytes(w.dashboard.value[1:4]))",
    ], timeout=180)
    text = run.text(2)
    want = clv.textbook_example(retention=0.9)
    assert text.split() == [f"{round(want.total, 1)}", "10.0", "b'PNG'"]
    sliders = [s for s in run.states("FloatSliderModel") if s.get("description") == "retention rate"]
    assert sliders and sliders[0]["value"] == 0.9
    assert run.states("ImageModel")
