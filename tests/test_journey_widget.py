"""Journey map explorer: headless state tests, control values driving the view, and one nbclient run."""

import pathlib
import subprocess
import sys

import pandas as pd
import pytest

import toolkit
from toolkit import journey as J
from toolkit.widgets.journey_explorer import ALL, JourneyExplorerState, journey_explorer

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def ev(company):
    return toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                     channel="channel", order="order_id")


@pytest.fixture(scope="module")
def attrs(company):
    c = company.customers.set_index("customer_id")
    return {"city tier": c["city_tier"], "age band": c["age_band"]}, c["channel"]


def test_state_matches_public_api(ev, attrs):
    a, ch = attrs
    s = JourneyExplorerState(ev, attributes=a, channels=ch)
    pd.testing.assert_frame_equal(s.funnel.table, J.funnel(ev, journey_map="five_processes").table)
    s.update(segment="city tier", group="tier2", channel="referral", window=120, order="loose")
    ids = ch.index[(a["city tier"] == "tier2") & (ch == "referral")]
    assert s.n_selected == len(ids)
    want = J.funnel(ev, journey_map="five_processes", order="loose", window=120, customers=ids)
    pd.testing.assert_frame_equal(s.funnel.table, want.table)
    pd.testing.assert_frame_equal(s.transitions.counts,
                                  J.transition_matrix(ev, "stage", customers=ids).counts)
    s.update(map_name="purchase_cycle")
    assert list(s.funnel.table.index) == list(J.PRESETS["purchase_cycle"].stages)
    with pytest.raises(KeyError):
        s.update(map_name="nope")
    with pytest.raises(KeyError):
        s.update(colour="red")


def test_widget_controls_drive_state(ev, attrs):
    a, ch = attrs
    w = journey_explorer(ev, a, ch, plots=False)
    assert "cvt-journey-explorer" in w._dom_classes
    for name in ("map", "segment", "group", "channel", "window", "order"):
        assert f"cvt-journey-{name}" in w.controls[name]._dom_classes
    assert "cvt-journey-table" in w.table._dom_classes and "cvt-journey-message" in w.message._dom_classes
    n0 = w.n_redraws
    w.controls["segment"].value = "age band"
    assert w.controls["group"].disabled is False and set(w.controls["group"].options) == {ALL} | set(a["age band"])
    w.controls["group"].value = "35+"
    assert w.state.n_selected == int((a["age band"] == "35+").sum())
    w.controls["channel"].value = "one_yuan_promo"
    w.controls["window"].value = 60
    assert w.state.window == 60
    w.controls["map"].value = "purchase_cycle"
    assert w.state.funnel.table.index[0] == "awareness"
    assert w.n_redraws == n0 + 5
    assert "customers selected" in w.message.value and "<table" in w.table.value
    w.controls["segment"].value = None
    assert w.controls["group"].disabled and w.state.group is None


def test_state_reuses_results_that_do_not_depend_on_the_change(ev, attrs):
    a, ch = attrs
    s = JourneyExplorerState(ev, attributes=a, channels=ch)
    f0, t0 = s.funnel, s.transitions
    s.update(order="loose", window=30)
    assert s.transitions is t0 and s.funnel is not f0  # transitions do not depend on order and window
    pd.testing.assert_frame_equal(
        s.funnel.table, J.funnel(ev, journey_map="five_processes", order="loose", window=30).table)
    f1 = s.funnel
    s.update(segment="age band")  # no group chosen yet: the same customers
    assert s.funnel is f1 and s.transitions is t0 and s.n_selected == ev.n_customers
    s.update(group="35+", channel="referral")
    ids = ch.index[(a["age band"] == "35+") & (ch == "referral")]
    assert s.n_selected == len(ids)
    pd.testing.assert_frame_equal(s.transitions.counts, J.transition_matrix(ev, "stage", customers=ids).counts)
    s.update(map_name="purchase_cycle")
    pd.testing.assert_frame_equal(s.funnel.table, J.funnel(ev, journey_map="purchase_cycle", order="loose",
                                                           window=30, customers=ids).table)
    pd.testing.assert_frame_equal(
        s.transitions.counts, J.transition_matrix(ev, "stage", journey_map="purchase_cycle", customers=ids).counts)
    s.update(map_name="five_processes", segment=None, channel=ALL, order="strict", window=None)
    assert s.funnel is f0 and s.transitions is t0  # back to the first settings: nothing recomputed


def test_widget_draws_png(ev, attrs):
    w = journey_explorer(ev, *attrs)
    assert w.image.value[:4] == b"\x89PNG" and w.figure is not None
    fig, png = w.figure, w.image.value
    w.controls["channel"].value = "referral"
    # the figure is kept and its artists updated: the picture follows the funnel
    assert w.figure is fig and w.image.value != png and w.image.value[:4] == b"\x89PNG"
    assert fig.axes[0].get_title().startswith("Funnel")
    first = int(w.state.funnel.table["customers"].iloc[0])
    assert fig.axes[0].texts[0].get_text().startswith(f"{first:,}  (100%)")


def test_state_does_not_import_ipywidgets():
    code = ("import sys, toolkit; from toolkit.widgets.journey_explorer import JourneyExplorerState; "
            "c = toolkit.datasets.make_company(200, seed=3); "
            "ev = toolkit.Events.from_frame(c.events, customer='customer_id', time='timestamp', event='event', "
            "channel='channel'); s = JourneyExplorerState(ev); s.update(window=30); "
            "print('ipywidgets' in sys.modules, 'matplotlib' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.split() == ["False", "False"]


def test_notebook_widget_headless_with_nbclient(run_notebook):
    run = run_notebook([
        ("import toolkit\nfrom toolkit.widgets.journey_explorer import journey_explorer\n"
         "c = toolkit.datasets.load_company()\n"
         "ev = toolkit.Events.from_frame(c.events, customer='customer_id', time='timestamp', event='event', "
         "channel='channel')\n"
         "w = journey_explorer(ev, channels=c.customers.set_index('customer_id')['channel'])\nw"),
        "w.controls['channel'].value = 'referral'",
        "print(w.state.n_selected, int(w.state.funnel.table['customers'].iloc[0]), bytes(w.image.value[1:4]))",
    ], timeout=180)
    text = run.text(2).split()
    n_ref = int((toolkit.datasets.load_company().customers["channel"] == "referral").sum())
    assert text == [str(n_ref), str(n_ref), "b'PNG'"]
    dropdowns = [s for s in run.states("DropdownModel") if "cvt-journey-channel" in s.get("_dom_classes", [])]
    assert dropdowns and dropdowns[0]["index"] == dropdowns[0]["_options_labels"].index("referral")
