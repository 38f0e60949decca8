"""customer_summary: kernel == naive reference on random logs, and the published CDNOW summary."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit
from tests import naive



@st.composite
def logs(draw):
    n_cust = draw(st.integers(1, 6))
    rows = []
    for c in range(n_cust):
        k = draw(st.integers(1, 6))
        for _ in range(k):
            day = draw(st.integers(0, 40))
            hour = draw(st.sampled_from([0, 0, 9, 23]))
            rows.append({
                "cust": f"c{c}" if draw(st.booleans()) else f"c{c}",
                "when": pd.Timestamp("2024-02-20") + pd.Timedelta(days=day, hours=hour),
                "amount": draw(st.sampled_from([0.0, 1.5, 10.0, 99.99, 250.0])),
                "order": draw(st.integers(0, 3)) + 10 * c,
                "cat": draw(st.sampled_from(["x", "y", "z", None])),
                "qty": draw(st.integers(1, 4)),
                "disc": draw(st.sampled_from([0.0, 0.0, 2.0])),
            })
    with_extras = draw(st.booleans())
    end_offset = draw(st.integers(-10, 5))
    unit = draw(st.sampled_from(["D", "W", "M"]))
    return pd.DataFrame(rows), with_extras, end_offset, unit


def _compare(ours, ref):
    assert list(ours.index) == list(ref.index)
    for col in ref.columns:
        a, b = ours[col], ref[col]
        if col in ("first_purchase", "last_purchase"):
            assert (a.to_numpy() == pd.to_datetime(b).to_numpy()).all(), col
        else:
            np.testing.assert_allclose(a.to_numpy(dtype=float), b.to_numpy(dtype=float), rtol=1e-9, atol=1e-9,
                                       err_msg=col)


@given(logs())
def test_summary_matches_naive(case):
    raw, with_extras, end_offset, unit = case
    kwargs = dict(customer="cust", time="when", amount="amount", duplicates="keep", time_unit=unit)
    if with_extras:
        kwargs.update(order="order", category="cat", quantity="qty", discount="disc")
    tx = toolkit.Transactions.from_frame(raw, **kwargs)
    end = tx.observation_end + pd.Timedelta(days=end_offset) if end_offset < 0 else tx.observation_end
    ours = toolkit.customer_summary(tx, observation_end=end)
    ref = naive.customer_summary(tx.frame, end, unit)
    if ref.empty:
        assert ours.empty
        return
    assert set(ref.columns) <= set(ours.columns)
    _compare(ours, ref)
    # invariants of the BTYD quantities
    assert (ours["recency"] <= ours["T"]).all()
    assert (ours.loc[ours["frequency"] == 0, "recency"] == 0).all()
    assert (ours["since_last"] >= 0).all()


def test_single_customer_one_purchase():
    raw = pd.DataFrame({"c": [7], "d": ["2024-03-01"], "v": [12.0]})
    s = toolkit.customer_summary(raw, customer="c", time="d", amount="v", observation_end=None)
    assert s.loc[7, "frequency"] == 0 and s.loc[7, "recency"] == 0 and s.loc[7, "T"] == 0
    assert s.loc[7, "monetary_value"] == 0 and s.loc[7, "revenue"] == 12.0
    assert np.isnan(s.loc[7, "ipt_mean"]) and np.isnan(s.loc[7, "ipt_cv"])


def test_same_day_purchases_are_one_occasion():
    raw = pd.DataFrame({"c": [1, 1, 1, 1], "d": ["2024-01-01 09:00", "2024-01-01 18:00", "2024-01-08", "2024-01-08"],
                        "v": [1.0, 2.0, 3.0, 4.0], "o": [1, 2, 3, 4]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v", order="o", time_unit="W")
    s = toolkit.customer_summary(tx)
    assert s.loc[1, "frequency"] == 1 and s.loc[1, "n_days"] == 2 and s.loc[1, "n_orders"] == 4
    assert s.loc[1, "recency"] == pytest.approx(1.0) and s.loc[1, "monetary_value"] == pytest.approx(7.0)


def test_customers_starting_after_calibration_end_are_left_out():
    raw = pd.DataFrame({"c": [1, 2], "d": ["2024-01-01", "2024-02-01"], "v": [1.0, 1.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v")
    s = toolkit.customer_summary(tx, observation_end="2024-01-15")
    assert list(s.index) == [1] and s.loc[1, "T"] == 14
    with pytest.raises(ValueError, match="after the end of the log"):
        toolkit.customer_summary(tx, observation_end="2024-03-01")


def test_original_ids_come_back():
    raw = pd.DataFrame({"c": ["00042", "00007", "00042"], "d": ["2024-01-01", "2024-01-02", "2024-01-03"],
                        "v": [1.0, 2.0, 3.0]})
    s = toolkit.customer_summary(raw, customer="c", time="d", amount="v")
    assert list(s.index) == ["00007", "00042"]


@pytest.fixture(scope="module")
def cdnow_sample_tx():
    raw = toolkit.datasets.load_cdnow("sample")
    return toolkit.Transactions.from_frame(raw, customer="sample_id", time="date", amount="dollar_value",
                                           duplicates="keep", time_unit="W")


def test_cdnow_published_summary_reproduced(cdnow_sample_tx):
    """Fader, Hardie & Lee (2005) CDNOW 1/10 sample, weeks, calibration end 1997-09-30: all 2,357 customers."""
    ours = toolkit.customer_summary(cdnow_sample_tx, observation_end="1997-09-30")
    ref = toolkit.datasets.load_cdnow_summary()
    assert len(ours) == len(ref) == 2357
    assert (ours.index.to_numpy() == ref.index.to_numpy()).all()
    assert (ours["frequency"] == ref["frequency"]).all()
    assert (ours["recency"].round(2) == ref["recency"]).all()
    assert (ours["T"].round(2) == ref["T"]).all()
    assert ours["frequency"].mean() == pytest.approx(1.042, abs=5e-4)
    assert (ours["frequency"] == 0).sum() == 1411


def test_cdnow_monetary_matches_published_zbar(cdnow_sample_tx):
    ours = toolkit.customer_summary(cdnow_sample_tx, observation_end="1997-09-30")
    ref = toolkit.datasets.load_cdnow_summary(with_monetary=True)
    np.testing.assert_allclose(ours["monetary_value"], ref["monetary_value"], atol=0.0051)
