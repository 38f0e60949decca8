"""Lifecycle browser: headless state tests, widget controls driving the state, and one nbclient run."""

import numpy as np
import pytest

import toolkit
from toolkit.lifecycle import LifecycleClassifier
from toolkit.widgets.lifecycle_browser import SLIDERS, LifecycleBrowserState, lifecycle_browser


@pytest.fixture(scope="module")
def clf():
    company = toolkit.datasets.load_company()
    return LifecycleClassifier().fit(company.to_transactions())


def test_state_reclassifies_like_the_api(clf):
    s = LifecycleBrowserState(clf)
    assert (s.counts["change"] == 0).all()
    n_lost = int(s.counts.query("kind == 'stage' and label == 'lost'")["customers"].iloc[0])
    s.update(lost_gap=60)
    ref = clf.reclassify(lost_gap=60)
    assert int(s.counts.query("kind == 'stage' and label == 'lost'")["customers"].iloc[0]) == ref.counts().iloc[-1]["lost"]
    assert ref.counts().iloc[-1]["lost"] > n_lost
    assert s.counts["change"].abs().sum() > 0
    # the counts of each kind still add up to all customers
    assert (s.counts.groupby("kind")["customers"].sum() == clf.tx_.n_customers).all()
    s.update(t_stability=250)
    assert s.thresholds["reach"] - 250 == pytest.approx(clf.thresholds_["reach"] - clf.thresholds_["t_stability"])
    with pytest.raises(KeyError):
        s.update(window=3)
    assert "<table" in s.counts_html()


def test_state_customer_picker(clf):
    s = LifecycleBrowserState(clf, max_options=50)
    opts = s.customer_options()
    assert len(opts) == 50 and len(set(opts)) == 50
    assert all("12" in o for o in s.customer_options("12"))
    e = s.select("5")
    assert s.customer == 5 and e.customer_id == 5
    assert s.timeline.explanation.stage == e.stage
    s.update(loyal_duration=5000)
    assert s.explanation.pattern != "long_term_retention"  # re-explained with the new threshold
    with pytest.raises(KeyError):
        s.select("no such id")


def test_widget_controls_drive_state(clf):
    w = lifecycle_browser(clf, plots=False)
    assert "cvt-lifecycle-browser" in w._dom_classes
    assert "cvt-lifecycle-counts" in w.counts._dom_classes
    assert "cvt-lifecycle-customer" in w.picker._dom_classes
    assert set(w.controls) == set(SLIDERS)
    assert all("cvt-lifecycle-slider" in c._dom_classes for c in w.controls.values())
    n0 = w.n_redraws
    before = w.counts.value
    w.controls["lost_gap"].value = w.controls["lost_gap"].min
    assert w.state.thresholds["lost_gap"] == w.controls["lost_gap"].min
    assert w.counts.value != before and w.n_redraws == n0 + 1
    w.picker.value = "5"
    assert w.state.customer == 5 and "customer 5" in w.explanation.value
    w.picker.value = "nobody"
    assert "no customer" in w.explanation.value


def test_widget_draws_timeline(clf):
    w = lifecycle_browser(clf)
    w.picker.value = "5"
    assert bytes(w.image.value[1:4]) == b"PNG"
    assert w.figure is not None and "5" in w.figure.axes[0].get_title()


def test_notebook_slider_with_nbclient(run_notebook):
    run = run_notebook([
        ("import toolkit\nfrom toolkit.widgets.lifecycle_browser import lifecycle_browser\n"
         "tx = toolkit.datasets.load_company().to_transactions()\n"
         "w = lifecycle_browser(tx, plots=False)\nw"),
        "lost0 = int(w.state.counts.set_index('label').loc['lost', 'customers'])\nw.controls['lost_gap'].value = 60",
        ("lost1 = int(w.state.counts.set_index('label').loc['lost', 'customers'])\n"
         "print(lost0, lost1, w.state.thresholds['lost_gap'])"),
    ], timeout=240)
    text = run.text(2).split()
    lost0, lost1, gap = int(text[0]), int(text[1]), float(text[2])
    assert gap == 60.0 and lost1 > lost0
    sliders = [s for s in run.states("FloatSliderModel") if "cvt-lifecycle-lost-gap" in s.get("_dom_classes", [])]
    assert sliders and sliders[0]["value"] == 60.0
    counts = [s["value"] for s in run.states("HTMLModel") if "cvt-lifecycle-counts" in s.get("_dom_classes", [])]
    assert counts and f"{lost1:,}" in counts[0] and f"{lost1 - lost0:+,}" in counts[0]
    assert np.isfinite(gap)
