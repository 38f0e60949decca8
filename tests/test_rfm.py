"""RFM scores, segment maps, value tiers, scorecard, needs classes, summaries, clustering and their plots."""

import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit
from tests import naive
from toolkit import rfm
from toolkit._kernels import rfm as kernels
from toolkit.errors import BinningWarning, DataQualityError, DataQualityWarning, SchemaError


def _summary(since_last, n_days, revenue, tenure_days=None, ids=None, time_unit="D", **extra):
    n = len(since_last)
    frame = pd.DataFrame(
        {"since_last": np.asarray(since_last, dtype=float), "n_days": np.asarray(n_days, dtype=np.int64),
         "n_orders": np.asarray(n_days, dtype=np.int64), "revenue": np.asarray(revenue, dtype=float),
         "tenure_days": np.asarray(tenure_days if tenure_days is not None else [100.0] * n, dtype=float),
         **extra},
        index=pd.Index(ids if ids is not None else [f"c{i:03d}" for i in range(n)], name="customer_id"),
    )
    frame.attrs["time_unit"] = time_unit
    return frame


@pytest.fixture
def summary(rng):
    n = 400
    return _summary(rng.integers(0, 300, n), rng.poisson(2, n) + 1, np.round(rng.lognormal(4, 1, n), 2),
                    tenure_days=rng.integers(0, 900, n), ids=rng.permutation(10_000)[:n])


# ------------------------------------------------------------------------------------------ kernel vs naive
values_with_ties = st.lists(st.integers(0, 6).map(float), min_size=1, max_size=60)
values_floats = st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=60)


@given(values=st.one_of(values_with_ties, values_floats), bins=st.integers(2, 7), reverse=st.booleans())
def test_quantile_kernel_matches_naive_rank_rule(values, bins, reverse):
    scores, counts, _ = kernels.quantile_scores(np.array(values), bins, reverse=reverse)
    expected = naive.rfm_quantile_scores(values, bins, reverse=reverse)
    np.testing.assert_array_equal(scores, expected)
    assert counts[0] == 0
    np.testing.assert_array_equal(counts[1:], np.bincount(expected, minlength=bins + 1)[1:])


@given(values=st.lists(st.floats(-100, 100, allow_nan=False), min_size=1, max_size=50),
       cuts=st.lists(st.integers(-100, 100), min_size=1, max_size=6, unique=True), reverse=st.booleans())
def test_threshold_kernel_matches_pandas_cut(values, cuts, reverse):
    cuts = sorted(float(c) for c in cuts)
    scores, _ = kernels.assign_scores(np.array(values), np.array(cuts), reverse=reverse)
    np.testing.assert_array_equal(scores, naive.rfm_threshold_scores(values, cuts, reverse=reverse))


@given(n=st.integers(1, 200), bins=st.integers(2, 9))
def test_without_ties_bins_are_balanced(n, bins):
    values = np.random.default_rng(n).permutation(n).astype(float)
    _, counts, _ = kernels.quantile_scores(values, bins)
    used = counts[1:]
    assert used.sum() == n
    assert used.max() - used.min() <= 1  # floor or ceil of n / bins each


def test_single_customer_and_all_equal_get_the_lowest_score():
    assert kernels.quantile_scores(np.array([3.0]), 5)[0].tolist() == [1]
    assert kernels.quantile_scores(np.full(7, 2.5), 4, reverse=True)[0].tolist() == [1] * 7


def test_nan_scores_zero_in_kernel():
    scores, counts = kernels.assign_scores(np.array([1.0, np.nan, 5.0]), np.array([2.0]))
    assert scores.tolist() == [1, 0, 2] and counts.tolist() == [1, 1, 1]


# ------------------------------------------------------------------------------------------ rfm_scores
def test_rfm_scores_matches_naive_on_summary(summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        scores = rfm.rfm_scores(summary)
    assert list(scores.index) == list(summary.index)
    assert [str(scores[c].dtype) for c in ("r_score", "f_score", "m_score")] == ["int8"] * 3
    np.testing.assert_array_equal(scores["r_score"], naive.rfm_quantile_scores(summary["since_last"], 5, reverse=True))
    np.testing.assert_array_equal(scores["f_score"], naive.rfm_quantile_scores(summary["n_days"], 5))
    np.testing.assert_array_equal(scores["m_score"], naive.rfm_quantile_scores(summary["revenue"], 5))
    cell = scores["r_score"].astype(str) + "-" + scores["f_score"].astype(str) + "-" + scores["m_score"].astype(str)
    assert (scores["rfm_cell"].astype(str) == cell).all()
    codes = (scores["r_score"].astype(int) - 1) * 25 + (scores["f_score"].astype(int) - 1) * 5 + scores["m_score"] - 1
    np.testing.assert_array_equal(scores["rfm_cell"].cat.codes, codes)
    assert scores.attrs["bins"] == 5 and scores.attrs["columns"]["f"] == "n_days"


def test_docstring_example_and_recency_direction():
    s = _summary([1.0, 10, 40, 200], [9, 3, 3, 1], [900.0, 120, 80, 15], ids=["a", "b", "c", "d"])
    with pytest.warns(BinningWarning, match="score 3|\\[3\\]"):
        out = rfm.rfm_scores(s, bins=4)
    assert out["r_score"].tolist() == [4, 3, 2, 1]  # most recent buyer gets the highest R
    assert out["f_score"].tolist() == [4, 2, 2, 1]  # tie (3, 3) straddling a boundary -> the lower score
    assert out["rfm_cell"].astype(str).tolist() == ["4-4-4", "3-2-3", "2-2-2", "1-1-1"]


def test_collapsed_bins_warn_with_counts():
    s = _summary(np.arange(10.0), [1] * 6 + [2, 2, 3, 4], np.arange(10.0) + 1)
    with pytest.warns(BinningWarning, match=r"f_score \(n_days\).*customers per score: \{1: 6, 2: 0, 3: 0, 4: 2"):
        out = rfm.rfm_scores(s)
    assert sorted(out["f_score"].unique().tolist()) == [1, 4, 5]  # scale kept, not renumbered


def test_no_warning_without_ties():
    s = _summary(np.arange(10.0), np.arange(1, 11), np.arange(10.0) + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = rfm.rfm_scores(s)
    assert out["f_score"].value_counts().tolist() == [2] * 5


def test_thresholds_method_and_errors():
    s = _summary([0, 30, 31, 400], [1, 2, 5, 9], [10.0, 50, 100, 1000])
    out = rfm.rfm_scores(s, bins=3, method="thresholds",
                         thresholds={"r": [30, 90], "f": [1, 4], "monetary": [50, 500]})
    assert out["r_score"].tolist() == [3, 3, 2, 1]
    assert out["f_score"].tolist() == [1, 2, 3, 3]
    assert out["m_score"].tolist() == [1, 1, 2, 3]
    with pytest.raises(SchemaError, match="bins=5"):
        rfm.rfm_scores(s, method="thresholds", thresholds={"r": [30, 90], "f": [1, 4], "m": [50, 500]})
    with pytest.raises(SchemaError, match="missing"):
        rfm.rfm_scores(s, bins=3, method="thresholds", thresholds={"r": [30, 90], "f": [1, 4]})
    with pytest.raises(SchemaError, match="strictly increasing"):
        rfm.rfm_scores(s, bins=3, method="thresholds", thresholds={"r": [90, 30], "f": [1, 4], "m": [1, 2]})


def test_rfm_scores_input_errors(summary):
    with pytest.raises(SchemaError, match="n_purchases"):
        rfm.rfm_scores(summary, frequency_col="n_purchases")
    bad = summary.copy()
    bad.iloc[3, bad.columns.get_loc("revenue")] = np.nan
    with pytest.raises(DataQualityError, match="revenue.*1 missing"), warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        rfm.rfm_scores(bad)
    with pytest.raises(SchemaError, match="one row per customer"):
        rfm.rfm_scores(pd.concat([summary, summary.head(2)]))
    with pytest.raises(ValueError, match="bins"):
        rfm.rfm_scores(summary, bins=1)


def test_accepts_transactions():
    raw = pd.DataFrame({"c": ["x", "x", "y", "z", "z", "z"],
                        "d": ["2024-01-01", "2024-03-01", "2024-02-01", "2024-01-05", "2024-02-05", "2024-03-05"],
                        "v": [10.0, 20.0, 5.0, 1.0, 2.0, 3.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        out = rfm.rfm_scores(tx, bins=3)
    assert out.index.tolist() == ["x", "y", "z"]
    assert out["f_score"].tolist() == [2, 1, 3]
    assert out["revenue"].tolist() == [30.0, 5.0, 6.0]


# ------------------------------------------------------------------------------------------ segment maps
def test_presets_cover_the_grid_without_overlaps():
    for name in rfm.SEGMENT_MAPS:
        check = rfm.check_segment_map(name)
        assert check.ok, name
        assert "complete" in repr(check) and "<table" in check._repr_html_()
    assert rfm.check_segment_map("rfm_8").summary.loc["cells", "value"] == 125


def test_check_finds_hole_and_overlap():
    m = rfm.segment_map("rf_grid")
    holey = m[m["segment"] != "Need Attention"]
    check = rfm.check_segment_map(holey)
    assert not check.ok
    assert check.holes.to_dict("records") == [{"r_score": 3, "f_score": 3}]
    dup = pd.concat([m, pd.DataFrame([{"segment": "VIP", "r_min": 5, "r_max": 5, "f_min": 5, "f_max": 5}])])
    over = rfm.check_segment_map(dup).overlaps
    assert over.to_dict("records") == [{"r_score": 5, "f_score": 5, "segments": "Champions, VIP"}]


def test_malformed_map_is_rejected():
    with pytest.raises(SchemaError, match="r_max"):
        rfm.check_segment_map(pd.DataFrame({"segment": ["x"], "r_min": [1], "r_max": [6], "f_min": [1],
                                            "f_max": [5]}))
    with pytest.raises(SchemaError, match="segment"):
        rfm.check_segment_map(pd.DataFrame({"r_min": [1], "r_max": [5]}))


@given(seed=st.integers(0, 10_000), name=st.sampled_from(["rf_grid", "rfm_8"]))
def test_assign_segments_matches_naive_loop(seed, name):
    r = np.random.default_rng(seed)
    scores = pd.DataFrame({c: r.integers(1, 6, 30).astype(np.int8) for c in ("r_score", "f_score", "m_score")},
                          index=pd.Index(r.permutation(1000)[:30], name="customer_id"))
    out = rfm.assign_segments(scores, name)
    assert out["segment"].astype(str).tolist() == naive.rfm_segments(scores, rfm.segment_map(name))
    assert out.index.equals(scores.index)


def test_customers_in_holes_are_labelled_not_dropped():
    m = rfm.segment_map("rf_grid")
    scores = pd.DataFrame({"r_score": [3, 5], "f_score": [3, 5], "m_score": [1, 1]}, dtype=np.int8)
    with pytest.warns(DataQualityWarning, match="1 customer"):
        out = rfm.assign_segments(scores, m[m["segment"] != "Need Attention"], other_label="other")
    assert out["segment"].astype(str).tolist() == ["other", "Champions"]


def test_first_rule_wins_and_user_maps():
    rules = pd.DataFrame({"segment": ["best", "all"], "r_min": [5, 1], "r_max": [5, 5], "f_min": [1, 1],
                          "f_max": [5, 5]})
    scores = pd.DataFrame({"r_score": [5, 4], "f_score": [1, 1], "m_score": [1, 1]})
    assert rfm.assign_segments(scores, rules)["segment"].astype(str).tolist() == ["best", "all"]


def test_assign_segments_scores_a_summary_itself(summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        out = rfm.assign_segments(summary)
    assert {"r_score", "segment"} <= set(out.columns) and out["segment"].notna().all()


# ------------------------------------------------------------------------------------------ value tiers
TIER_CASES = {
    # name: (since_last days, annual spend, purchases a year, expected tier); benchmark mean 100
    "high_at_bounds": (30, 200.01, 12, "high"),
    "high_31_days": (31, 300, 12, "regular"),
    "high_ratio_exactly_2": (10, 200, 12, "regular"),  # > 2 needed for high; < 12 purchases for potential
    "high_11_purchases": (5, 500, 11, "regular"),
    "potential_upper_bounds": (90, 200, 11, "potential"),
    "potential_lower_bounds": (0, 50, 6, "potential"),
    "potential_91_days": (91, 100, 8, "regular"),
    "potential_ratio_0.49": (5, 49, 8, "regular"),
    "potential_5_purchases": (5, 100, 5, "regular"),
    "dormant_at_bounds": (180, 30, 2, "dormant"),
    "dormant_179_days": (179, 30, 2, "regular"),
    "dormant_ratio_0.31": (400, 31, 1, "regular"),
    "dormant_3_purchases": (200, 10, 3, "regular"),
}


def _tier_frame(time_unit="D"):
    scale = {"D": 1.0, "W": 7.0, "M": 365.2425 / 12}[time_unit]
    rows = list(TIER_CASES.values())
    return _summary([r[0] / scale for r in rows], [r[2] for r in rows], [r[1] for r in rows],
                    ids=list(TIER_CASES), time_unit=time_unit)


@pytest.mark.parametrize("time_unit", ["D", "W", "M"])
def test_value_tiers_every_boundary(time_unit):
    out = rfm.value_tiers(_tier_frame(time_unit), benchmark_mean=100)
    expected = {k: v[3] for k, v in TIER_CASES.items()}
    assert out["tier"].astype(str).to_dict() == expected
    assert out["days_since_last"].tolist() == [v[0] for v in TIER_CASES.values()]
    assert out.attrs["annualise"] == "tenure"


def test_value_tiers_output_displays_and_concatenates():
    out = rfm.value_tiers(_tier_frame(), benchmark_mean=100)
    assert "potential" in repr(out) and len(pd.concat([out, out])) == 2 * len(out)  # attrs hold no frames
    assert out.attrs["rules"]["dormant"]["days_since_last"] == ">= 180"


def test_value_tiers_numbers_and_default_benchmark():
    s = _summary([10, 400], [24, 1], [1000.0, 200.0], tenure_days=[2 * 365.2425, 30.0], ids=["old", "young"])
    out = rfm.value_tiers(s)
    # old: 2 years of tenure -> 500 a year, 12 purchases a year; young: < 1 year, not extrapolated
    np.testing.assert_allclose(out["annual_spend"], [500.0, 200.0])
    np.testing.assert_allclose(out["purchases_per_year"], [12.0, 1.0])
    assert out.attrs["benchmark_mean"] == pytest.approx(350.0)
    np.testing.assert_allclose(out["spend_ratio"], [500 / 350, 200 / 350])
    assert out["tier"].cat.ordered and out["tier"].max() in {"regular", "high", "potential", "dormant"}


def test_value_tiers_window_from_transactions():
    raw = pd.DataFrame({"c": ["a", "a", "a", "b"],
                        "d": ["2023-01-01", "2023-12-20", "2024-06-01", "2024-05-20"],
                        "v": [1000.0, 40.0, 60.0, 10.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v", observation_end="2024-06-10")
    out = rfm.value_tiers(tx, benchmark_mean=50)
    assert out.attrs["annualise"] == "window"
    # window = the 365 days up to 2024-06-10: a's 2023-01-01 purchase is outside it
    assert out.loc["a", "annual_spend"] == 100.0 and out.loc["a", "purchases_per_year"] == 2
    assert out.loc["b", "annual_spend"] == 10.0
    assert rfm.value_tiers(tx, benchmark_mean=50, annualise="tenure").attrs["annualise"] == "tenure"
    with pytest.raises(SchemaError, match="revenue_365d"):
        rfm.value_tiers(toolkit.customer_summary(tx), annualise="window")


# ------------------------------------------------------------------------------------------ scorecard
def _monotone(n=3, referrals=True):
    extra = {"referrals": np.arange(n)} if referrals else {}
    return _summary(np.arange(n, 0, -1) * 10.0, np.arange(1, n + 1), np.arange(1, n + 1) * 100.0,
                    tenure_days=np.arange(1, n + 1) * 50.0, **extra)


def test_scorecard_hand_computed():
    out = rfm.value_scorecard(_monotone())
    np.testing.assert_allclose(out["composite"], [0.0, 50.0, 100.0])
    assert out["tier"].astype(str).tolist() == ["D", "B", "A"]  # exactly 50 is a B
    assert list(out.columns) == ["financial", "growth", "loyalty", "influence", "composite", "tier"]


def test_scorecard_weights_must_sum_to_one():
    with pytest.raises(ValueError, match=r"sum to 0\.9"):
        rfm.value_scorecard(_monotone(), weights={"financial": 0.4, "growth": 0.25, "loyalty": 0.1,
                                                  "influence": 0.15})
    with pytest.raises(ValueError, match="non-negative"):
        rfm.value_scorecard(_monotone(), weights={"financial": 1.2, "growth": -0.2, "loyalty": 0,
                                                  "influence": 0})
    with pytest.raises(ValueError, match="same dimensions"):
        rfm.value_scorecard(_monotone(), weights={"financial": 1.0})


def test_scorecard_missing_dimension_raises_or_drops():
    s = _monotone(referrals=False)
    with pytest.raises(SchemaError, match="influence.*referrals"):
        rfm.value_scorecard(s)
    with pytest.warns(DataQualityWarning, match="financial=0.471"):
        out = rfm.value_scorecard(s, missing="drop")
    assert "influence" not in out.columns
    assert out.attrs["weights"]["financial"] == pytest.approx(0.4 / 0.85)
    assert sum(out.attrs["weights"].values()) == pytest.approx(1.0)


def test_scorecard_custom_dimensions():
    s = _monotone()
    out = rfm.value_scorecard(s, weights={"money": 0.5, "recent": 0.5},
                              dimensions={"money": "revenue", "recent": ["-since_last"]},
                              tier_cuts=(60,), tier_labels=("top", "rest"))
    np.testing.assert_allclose(out["composite"], [0.0, 50.0, 100.0])
    assert out["tier"].astype(str).tolist() == ["rest", "rest", "top"]


# ------------------------------------------------------------------------------------------ needs classes
def test_needs_classes_discount_and_support():
    s = _summary([1, 2, 3, 4], [4, 4, 4, 4], [1.0] * 4, discount_share=[0.75, 0.5, 0.1, 0.6])
    support = pd.Series({"c001": 2, "c003": 4})  # per customer; c000 and c002 have none
    out = rfm.needs_classes(s, support=support)
    assert out["needs_class"].astype(str).tolist() == [
        "price-sensitive", "service-dependent", "demand-oriented", "service-dependent"]  # both: service wins
    np.testing.assert_allclose(out["support_per_order"], [0.0, 0.5, 0.0, 1.0])
    assert out["price_sensitive"].tolist() == [True, True, False, True]
    flipped = rfm.needs_classes(s, support=support, precedence=("price-sensitive", "service-dependent"))
    assert flipped["needs_class"].astype(str).tolist()[1] == "price-sensitive"
    with pytest.raises(SchemaError, match="check the id type"):
        rfm.needs_classes(s, support=pd.Series({1: 3, 2: 1}))
    with pytest.raises(ValueError, match="precedence"):
        rfm.needs_classes(s, support=support, precedence=("price-sensitive",))


def test_needs_classes_support_only_and_neither():
    s = _summary([1, 2], [2, 10], [1.0, 1.0], support_contacts=[3, 1])
    out = rfm.needs_classes(s)
    assert out["needs_class"].astype(str).tolist() == ["service-dependent", "demand-oriented"]
    assert out["discount_share"].isna().all()
    with pytest.raises(SchemaError, match="discount.*support"):
        rfm.needs_classes(_summary([1], [1], [1.0]))


def test_needs_classes_recover_teaching_company_truth():
    datasets = pytest.importorskip("toolkit.datasets")
    try:
        company = datasets.load_company()
    except Exception as exc:  # bundled files missing in this checkout
        pytest.skip(f"teaching company not available: {exc}")
    tx = toolkit.Transactions.from_frame(company.transactions, customer="customer_id", time="timestamp",
                                         amount="amount", order="order_id", discount="discount")
    support = rfm.count_support_contacts(company.events, type_col="event", types="support_contact")
    out = rfm.needs_classes(tx, support=support)
    truth = company.truth.set_index("customer_id")["need_class"].reindex(out.index).str.replace("_", "-")
    assert (out["needs_class"].astype(str) == truth).mean() > 0.75  # 0.80 observed; chance is ~0.4


def test_count_support_contacts():
    events = pd.DataFrame({"customer_id": ["a", "a", "b", "a"], "type": ["call", "visit", "call", "ticket"]})
    counts = rfm.count_support_contacts(events, type_col="type", types=["call", "ticket"])
    assert counts.to_dict() == {"a": 2, "b": 1} and counts.name == "support_contacts"


# ------------------------------------------------------------------------------------------ summaries
def test_segment_summary_shares_and_order(summary):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        seg = rfm.assign_segments(rfm.rfm_scores(summary))
    out = rfm.segment_summary(seg)
    assert out["customers"].sum() == len(summary)
    assert out["share"].sum() == pytest.approx(1.0) and out["revenue_share"].sum() == pytest.approx(1.0)
    assert out["revenue_share"].is_monotonic_decreasing
    champions = seg[seg["segment"] == "Champions"]
    assert out.loc["Champions", "mean_since_last"] == pytest.approx(champions["since_last"].mean())
    assert out.loc["Champions", "mean_r_score"] == 5


def test_segment_summary_keeps_tier_order_with_labels():
    s = _tier_frame()
    out = rfm.segment_summary(s, "tier", labels=rfm.value_tiers(s, benchmark_mean=100))
    assert out.index.tolist() == ["high", "potential", "regular", "dormant"]
    assert out["customers"].tolist() == [1, 2, 9, 1]
    with pytest.raises(SchemaError, match="labels="):
        rfm.segment_summary(s, "tier")


@given(values=st.lists(st.floats(0, 1e4, allow_nan=False), min_size=1, max_size=40).filter(lambda v: sum(v) > 0))
def test_concentration_matches_naive(values):
    s = _summary([1.0] * len(values), [1] * len(values), values)
    res = rfm.revenue_concentration(s)
    assert res.gini == pytest.approx(naive.gini(values), abs=1e-9)
    for frac, row in zip(res.top["top_fraction"], res.top.itertuples()):
        assert row.revenue_share == pytest.approx(naive.top_share(values, frac), rel=1e-9)
    assert res.curve.iloc[0].tolist() == [0.0, 0.0]
    assert res.curve.iloc[-1].tolist() == pytest.approx([1.0, 1.0])
    assert len(res.curve) == len(values) + 1


def test_concentration_result_display_and_errors():
    s = _summary([1.0] * 5, [1] * 5, [100.0, 0, 0, 0, 0])
    res = rfm.revenue_concentration(s, top=(0.2,))
    assert res.gini == pytest.approx(0.8)
    assert res.summary.loc["top 20%", "revenue_share"] == 1.0
    assert "Gini 0.800" in repr(res) and "<table" in res._repr_html_()
    with pytest.raises(DataQualityError, match="negative"):
        rfm.revenue_concentration(_summary([1.0, 1], [1, 1], [5.0, -1]))


def test_cluster_customers_finds_separated_groups():
    r = np.random.default_rng(0)
    groups = [(5, 20, 3000.0), (60, 5, 300.0), (300, 1, 30.0)]
    parts = [(r.normal(a, a * 0.05, 60), np.full(60, b), r.normal(c, c * 0.05, 60)) for a, b, c in groups]
    s = _summary(*(np.concatenate(p) for p in zip(*parts)), ids=np.arange(180) * 7)
    res = rfm.cluster_customers(s, k=range(2, 6))
    assert res.k == 3 and res.silhouette > 0.8
    assert res.scores.index.tolist() == [2, 3, 4, 5]
    assert res.labels.index.equals(s.index)
    truth = np.repeat([0, 1, 2], 60)
    assert pd.crosstab(truth, res.labels.to_numpy()).gt(0).sum(axis=1).eq(1).all()  # each group in one cluster
    assert res.profile["customers"].tolist() == [60, 60, 60]
    assert set(res.transforms) == {"since_last", "n_days", "revenue"}
    assert "silhouette" in repr(res)
    with pytest.raises(ValueError, match="2 <= k"):
        rfm.cluster_customers(s, k=1)


def test_cluster_log_transform_only_where_skewed(summary):
    res = rfm.cluster_customers(summary, k=2, n_init=2)
    assert res.transforms == {"since_last": "none", "n_days": "none", "revenue": "log1p"}  # lognormal revenue
    assert rfm.cluster_customers(summary, k=2, n_init=2, log=False).transforms["revenue"] == "none"
    assert summary["revenue"].skew() > 1 > abs(summary["since_last"].skew())


def test_import_rfm_is_light():
    code = ("import sys, toolkit.rfm; print(','.join(m for m in ('matplotlib', 'sklearn') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ------------------------------------------------------------------------------------------ plots
def test_plots_return_axes(summary):
    import matplotlib.pyplot as plt
    from matplotlib.axes import Axes

    from toolkit import plotting

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", BinningWarning)
        seg = rfm.assign_segments(rfm.rfm_scores(summary))
    ax = plotting.plot_rf_heatmap(seg)
    assert isinstance(ax, Axes) and ax.get_images()[0].get_array().sum() == len(summary)
    assert "F score" in ax.get_xlabel()
    ax = plotting.plot_rf_heatmap(seg, value="revenue", annotate=False)
    assert ax.get_images()[0].get_array().sum() == pytest.approx(summary["revenue"].sum())
    table = rfm.segment_summary(seg)
    ax = plotting.plot_segments(table)
    assert isinstance(ax, Axes) and len(ax.patches) == 2 * len(table)
    fig, given_ax = plt.subplots()
    ax = plotting.plot_pareto(rfm.revenue_concentration(summary), ax=given_ax)
    assert ax is given_ax and "Gini" in ax.get_title() and "%" in ax.get_ylabel()
    plt.close("all")
    with pytest.raises(ValueError, match="r_score"):
        plotting.plot_rf_heatmap(summary)


def test_segment_summary_follows_the_columns_the_scores_used():
    """Regression: scoring M on monetary_value must not make segment_summary demand a revenue column."""
    import warnings

    from toolkit import rfm

    summary = pd.DataFrame({"since_last": [1.0, 2.0, 30.0, 40.0], "n_days": [5, 4, 1, 2],
                            "monetary_value": [10.0, 20.0, 0.0, 5.0]}, index=pd.Index([1, 2, 3, 4], name="customer_id"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        seg = rfm.assign_segments(rfm.rfm_scores(summary, bins=2, monetary_col="monetary_value"),
                                  rfm.segment_map("rfm_8").assign(r_min=1, r_max=2, f_min=1, f_max=2, m_min=1,
                                                                 m_max=2).iloc[:1])
    out = rfm.segment_summary(seg)
    assert "mean_monetary_value" in out.columns
    assert out["revenue"].sum() == pytest.approx(35.0)
