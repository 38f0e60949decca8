"""Cohort explorer: headless tests set control values and assert on the state's result."""

import numpy as np
import pandas as pd
import pytest

import toolkit
import toolkit.cohorts
from toolkit.cohorts import retention_matrix
from toolkit.widgets.cohort_explorer import MEASURES, CohortExplorerState, cohort_explorer


@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def tx(company):
    return toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())


@pytest.fixture(scope="module")
def attrs(company):
    c = company.customers.set_index("customer_id")
    return {"channel": c["channel"], "city tier": c["city_tier"]}


def test_state_matches_public_api(tx, attrs):
    s = CohortExplorerState(tx, attrs)
    pd.testing.assert_frame_equal(s.matrix, retention_matrix(tx, "M"))
    s.update(measure="revenue", absolute=True)
    assert s.metric == "revenue"
    assert s.n_computes == 1  # metric changes re-slice cached counts
    s.update(split="channel")
    assert s.n_computes == 2 and s.group in s.groups
    pd.testing.assert_frame_equal(s.matrix, retention_matrix(tx, "M", metric="revenue", by=attrs["channel"]))
    s.update(split=None)
    assert s.n_computes == 2  # cached
    with pytest.raises(KeyError):
        s.update(measure="ltv")


def test_widget_controls_drive_state(tx, attrs):
    w = cohort_explorer(tx, attrs, plots=False)
    assert "cvt-cohort-explorer" in w._dom_classes
    assert "cvt-cohort-period" in w.controls["period"]._dom_classes
    n0 = w.n_redraws
    w.controls["period"].value = "Q"
    assert w.state.period == "Q" and w.state.matrix.shape[0] == 12
    pd.testing.assert_frame_equal(w.state.matrix, retention_matrix(tx, "Q"))
    w.controls["absolute"].value = True
    assert w.state.metric == "active"
    w.controls["measure"].value = "gross revenue retention"
    assert w.state.metric == "gross_revenue_retention"
    w.controls["split"].value = "channel"
    assert w.controls["group"].disabled is False
    assert set(w.controls["group"].options) == set(attrs["channel"].unique())
    w.controls["group"].value = "referral"
    assert w.state.group == "referral"
    assert w.state.heatmap_matrix().shape[0] == 12
    w.controls["cohort_range"].value = ("2023-01", "2023-12")
    sizes = toolkit.cohorts.cohort_sizes(w.state.matrix)
    assert sizes.index.get_level_values("cohort").min() == pd.Period("2023Q1", "Q")
    assert int(sizes.sum()) == int(((pd.to_datetime(tx.frame.groupby("customer_id")["timestamp"].min())
                                     .dt.year == 2023)).sum())
    assert w.n_redraws == n0 + 6
    assert "blank cells" in w.message.value


def test_widget_draws_plots(tx, attrs):
    w = cohort_explorer(tx, attrs, split="channel")
    fig = w.figure
    assert fig is not None and "one_yuan_promo" in fig.axes[0].get_title()
    w.controls["period"].value = "W"
    assert w.state.matrix.shape[1] <= 104
    assert w.figure is not fig and "weeks" in w.figure.axes[0].get_xlabel()


def test_measures_cover_metrics():
    from toolkit.cohorts import METRICS

    assert {m for pair in MEASURES.values() for m in pair} == set(METRICS)
    assert np.all([len(p) == 2 for p in MEASURES.values()])
