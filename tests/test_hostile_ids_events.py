"""Issue #23 points 7-8: ids, events, journey names, NPS answers and refund netting on hostile input.

Each case users hit is a test here: 64-bit ids, ids written two ways, string-id events merged with integer-id
transactions, upper-case event names, text NPS answers, ``top_paths(n=0)``, and netting that must not depend on
the order of the rows (checked against the slow reference ``tests.naive.net_returns``).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import toolkit
from tests import naive
from toolkit import journey as J
from toolkit.data import _factorize_ids, customer_ids
from toolkit.errors import DataQualityError, DataQualityWarning, SchemaError

DAY = 86_400 * 10**9


def tx_of(ids, amounts=None, times=None, **kwargs):
    n = len(ids)
    frame = pd.DataFrame({"c": ids, "t": times if times is not None else pd.date_range("2024-01-01", periods=n),
                          "a": amounts if amounts is not None else np.arange(1.0, n + 1)})
    return toolkit.Transactions.from_frame(frame, customer="c", time="t", amount="a", **kwargs)


# ------------------------------------------------------------------------------------------------ ids
BIG = [2**63, 2**63 + 5, 2**64 - 1, 7]


@pytest.mark.parametrize("ids", [
    pd.Series(BIG, dtype="uint64"),
    pd.Series(BIG, dtype=object),                 # Python ints beyond int64
    pd.Series([str(v) for v in BIG], dtype=object),  # digit text (a CSV read as text)
])
def test_uint64_ids_at_or_above_2_63_stay_exact(ids):
    tx = tx_of(ids)
    assert tx.customer_ids.dtype == np.uint64
    assert [int(v) for v in tx.customer_ids] == sorted(BIG)
    assert (tx.frame["customer_id"].to_numpy() >= 0).all()
    ev = toolkit.Events.from_frame(pd.DataFrame({"c": ids, "t": pd.date_range("2024-01-01", periods=4),
                                                 "e": "visit"}), customer="c", time="t", event="e")
    assert ev.customer_id.dtype == np.uint64 and [int(v) for v in ev.customer_id] == sorted(BIG)


def test_small_uint64_ids_are_int64_and_negative_mixes_stay_text():
    assert customer_ids(pd.Series([3, 1], dtype="uint64")).dtype == np.int64
    mixed = customer_ids(pd.Series([-1, 2**64 - 1], dtype=object))  # no integer type holds both
    assert list(mixed) == ["-1", str(2**64 - 1)]
    codes, uniques, _ = _factorize_ids(pd.Series(BIG, dtype="uint64"))
    assert [int(uniques[c]) for c in codes] == BIG and list(uniques) == sorted(BIG)


@pytest.mark.parametrize("ids, expect, words", [
    (pd.Series([1, 1.0, "1", 2], dtype=object), [1, 2], "written two ways"),
    (pd.Series([1, 1.0, 2, 2], dtype=object), [1, 2], "integers and decimals"),
    (["C1", "C1 ", " C2", "C2"], ["C1", "C2"], "spaces around them"),
])
def test_one_id_written_several_ways_is_one_customer_with_a_note(ids, expect, words):
    tx = tx_of(ids)
    assert list(tx.customer_ids) == expect
    assert any(words in n for n in tx.report.notes), tx.report.notes
    ev = toolkit.Events.from_frame(pd.DataFrame({"c": ids, "t": pd.date_range("2024-01-01", periods=4),
                                                 "e": "visit"}), customer="c", time="t", event="e")
    assert list(ev.customer_id) == expect and any(words in n for n in ev.report.notes)


# ------------------------------------------------------------------------------------------------ events
N = 300
TIMES = pd.Timestamp("2024-01-01") + pd.to_timedelta(np.arange(N), "h")


def tx_int_ids(order=False):
    frame = pd.DataFrame({"c": np.arange(1, N + 1), "t": TIMES, "a": 10.0, "o": np.arange(1000, 1000 + N)})
    return toolkit.Transactions.from_frame(frame, customer="c", time="t", amount="a", order="o" if order else None)


def string_id_events(purchase="purchase"):
    return pd.DataFrame({"c": [str(i) for i in range(1, N + 1)] * 2,
                         "t": list(TIMES - pd.Timedelta("30min")) + list(TIMES),
                         "e": ["visit"] * N + [purchase] * N,
                         "o": [None] * N + [str(1000 + i) for i in range(N)]})


@pytest.mark.parametrize("purchase", ["purchase", " Purchase"])
def test_string_id_events_merged_with_integer_id_transactions_add_no_duplicates(purchase):
    ev = toolkit.Events.from_frame(string_id_events(purchase), customer="c", time="t", event="e",
                                   transactions=tx_int_ids())
    assert len(ev) == 2 * N and ev.n_customers == N and ev.customer_id.dtype.kind == "i"
    assert ev.report.kept_notes["purchase events merged from transactions ('purchase')"] == 0
    # by order id: text order ids in the log are the transactions' integer order ids
    ev = toolkit.Events.from_frame(string_id_events(purchase), customer="c", time="t", event="e", order="o",
                                   transactions=tx_int_ids(order=True))
    assert len(ev) == 2 * N
    assert ev.report.kept_notes["purchase events merged from transactions ('purchase')"] == 0


def test_events_and_transactions_without_a_shared_customer_are_reported():
    log = string_id_events().assign(c=lambda d: "C" + d["c"])
    ev = toolkit.Events.from_frame(log, customer="c", time="t", event="e", transactions=tx_int_ids(),
                                   duplicates="keep")
    assert any("no customer of the transactions" in n for n in ev.report.notes)


def casing_log():
    rows = [(1, "2024-01-01", "Visit"), (1, "2024-01-02", " SIGN UP "), (1, "2024-01-03", "Purchase"),
            (1, "2024-01-04", "REPURCHASE"), (2, "2024-01-01", " VISIT "), (2, "2024-01-05", "Purchase"),
            (3, "2024-01-02", "visit"), (3, "2024-01-03", "Teleport")]
    return pd.DataFrame(rows, columns=["c", "t", "e"])


def lower(log):
    known = {"visit": "visit", "sign up": "sign_up", "purchase": "purchase", "repurchase": "repurchase"}
    return log.assign(e=log["e"].str.strip().str.lower().map(known).fillna(log["e"]))


def events_of(log):
    return toolkit.Events.from_frame(log, customer="c", time="t", event="e")


def test_upper_case_event_names_follow_the_journey_map():
    hostile, clean = events_of(casing_log()), events_of(lower(casing_log()))
    got = J.funnel(hostile, journey_map="five_processes").table["customers"].tolist()
    want = J.funnel(clean, journey_map="five_processes").table["customers"].tolist()
    assert got == want == [3, 1, 1, 1, 0]
    with pytest.warns(DataQualityWarning, match="1 events are not mapped"):  # 'Teleport', in stage views
        codes, _ = J.stage_codes(hostile, "five_processes")
    assert (codes >= 0).sum() == 7
    assert J.funnel(hostile, ["visit", "purchase"]).table["customers"].tolist() == [3, 2]
    table = J.check_map(hostile, "five_processes").set_index("event")
    assert table.loc["Visit", "stage"] == table.loc["VISIT", "stage"] == "reach"
    assert table.loc["SIGN UP", "stage"] == "acquisition"
    assert table.loc["Teleport", "stage"] == J.UNMAPPED  # unknown names are reported, not guessed
    assert table.loc["visit", "in_log"]  # the map's 'visit' is in the log (as 'Visit', ' VISIT ', 'visit')
    with pytest.raises(DataQualityError, match="Teleport"):
        J.check_map(hostile, "five_processes", unmapped="raise")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        k_hostile = J.stage_kpis(hostile).table.set_index("kpi")["value"]
        k_clean = J.stage_kpis(clean).table.set_index("kpi")["value"]
    pd.testing.assert_series_equal(k_hostile, k_clean)
    assert k_hostile["people reached"] == 3 and k_hostile["new customers"] == 2


def test_a_map_naming_one_event_twice_in_two_spellings_is_refused():
    with pytest.raises(SchemaError, match="ignoring case"):
        J.JourneyMap("m", ("a", "b"), {"Visit": "a", "visit ": "b"})


def test_nps_reads_group_labels_and_reports_invalid_answers():
    r = J.nps(["promoter", 10, " Detractor", 5, "passive", None, ""])
    row = r.table.loc["all"]
    assert (row["responses"], row["promoters"], row["passives"], row["detractors"]) == (5, 2, 1, 2)
    assert any("labels" in n for n in r.notes) and any("2 blank answers" in n for n in r.notes)
    with pytest.raises(DataQualityError, match=r"2 NPS answers.*\[11, 'great'\] at positions \[1, 2\].*invalid='drop'"):
        J.nps([5, 11, "great", 9])
    dropped = J.nps([5, 11, "great", 9], invalid="drop")
    assert dropped.table.loc["all", "responses"] == 2 and any("2 invalid answers" in n for n in dropped.notes)


def test_top_paths_n_zero_is_an_empty_table():
    ev = events_of(lower(casing_log()))
    empty = J.top_paths(ev, n=0)
    assert empty.empty and list(empty.columns) == ["path", "customers", "share", "steps"]
    assert list(J.top_paths(ev, n=0, value=pd.Series({1: 1.0, 2: 2.0, 3: 3.0})).columns)[-2:] == [
        "mean_value", "total_value"]
    assert len(J.top_paths(ev, n=2)) == 2
    with pytest.raises(ValueError, match="n must be"):
        J.top_paths(ev, n=-1)


# ------------------------------------------------------------------------------------------------ netting
def net(frame, **kwargs):
    return toolkit.Transactions.from_frame(frame, customer="c", time="t", amount="a", on_bad_rows="net", **kwargs)


@pytest.mark.parametrize("rows", [[0, 1], [1, 0]])
def test_same_day_refund_nets_whichever_row_comes_first(rows):
    frame = pd.DataFrame({"c": [1, 1], "t": ["2024-01-05", "2024-01-05"], "a": [50.0, -30.0]}).iloc[rows]
    tx = net(frame)
    assert tx.report.money_kept == 20.0 and list(tx.frame["amount"]) == [20.0]
    assert tx.report.dropped == {"return netted against purchases": 1}


def test_refund_takes_same_day_then_exact_amount_then_latest():
    frame = pd.DataFrame({
        "c": [1, 1, 1, 1, 2, 2, 2],
        "t": ["2024-01-01", "2024-01-09", "2024-01-10", "2024-01-20 09:00", "2024-01-01", "2024-01-05 10:00",
              "2024-01-05 09:00"],
        "a": [20.0, 35.0, -20.0, -5.0, 30.0, 10.0, -10.0]})
    f = net(frame).frame
    # customer 1: the 20 refund removes the purchase of exactly 20 (not 20 of the later 35); the later 5 takes
    # from the 35 (latest first); customer 2: the 09:00 refund takes the same day's 10:00 purchase
    assert f[["customer_id", "amount"]].values.tolist() == [[1, 30.0], [2, 30.0]]


def test_a_refund_never_reaches_a_later_day():
    tx = net(pd.DataFrame({"c": [1, 1], "t": ["2024-01-01", "2024-01-02"], "a": [-10.0, 10.0]}))
    assert tx.report.money_kept == 10.0
    assert tx.report.dropped == {"return larger than earlier purchases (remainder unmatched)": 1}


def test_same_order_lines_come_first_at_any_time():
    frame = pd.DataFrame({"c": [1, 1, 1], "t": ["2024-01-01", "2024-01-03", "2024-01-02"],
                          "a": [10.0, 10.0, -10.0], "o": ["B", "A", "A"]})
    f = net(frame, order="o").frame
    assert f["order_id"].tolist() == ["B"]


@st.composite
def refund_logs(draw):
    n = draw(st.integers(1, 40))
    customer = draw(st.lists(st.integers(0, 3), min_size=n, max_size=n))
    day = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    hour = draw(st.lists(st.sampled_from([0, 0, 9, 15]), min_size=n, max_size=n))
    amount = draw(st.lists(st.sampled_from([-30.0, -20.0, -10.0, -5.5, 5.5, 10.0, 20.0, 30.0, 0.0]),
                           min_size=n, max_size=n))
    order = draw(st.lists(st.integers(-1, 3), min_size=n, max_size=n))
    ns = [d * DAY + h * 3600 * 10**9 for d, h in zip(day, hour)]
    return customer, ns, amount, order


@settings(max_examples=300, deadline=None)
@given(refund_logs(), st.randoms(use_true_random=False))
def test_net_returns_kernel_equals_reference(log, rnd):
    from toolkit._kernels.build import net_returns

    customer, ns, amount, order = log
    rows = list(range(len(ns)))
    rnd.shuffle(rows)  # ties in time arrive in any order
    rows.sort(key=lambda j: (customer[j], ns[j]))  # CSR order: customer, then time
    c = np.asarray(customer)[rows]
    offsets = np.searchsorted(c, np.arange(5)).astype(np.int64)
    got = net_returns(offsets, np.asarray(ns, dtype=np.int64)[rows], np.asarray(amount)[rows],
                      np.asarray(order, dtype=np.int64)[rows])
    # rows equal in (customer, time, amount, order) are interchangeable: both keep them in input order
    want = naive.net_returns(*([v[j] for j in rows] for v in (customer, ns, amount, order)))
    np.testing.assert_allclose(got[0], want[0], atol=1e-9)
    np.testing.assert_array_equal(got[1], want[1])
    assert got[2] == pytest.approx(want[2], abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(refund_logs(), st.booleans(), st.randoms(use_true_random=False))
def test_netting_does_not_depend_on_row_order(log, with_order, rnd):
    customer, ns, amount, order = log
    frame = pd.DataFrame({"c": customer, "t": pd.to_datetime(np.asarray(ns, dtype=np.int64)) + pd.Timedelta("1000D"),
                          "a": amount, "o": ["" if o < 0 else f"O{o}" for o in order]})
    frame["o"] = frame["o"].replace("", None)
    kw = {"order": "o"} if with_order else {}
    rows = list(range(len(frame)))
    rnd.shuffle(rows)
    results = []
    for f in (frame, frame.iloc[rows]):
        try:
            tx = net(f, duplicates="keep", **kw)
        except DataQualityError as e:  # every row cancelled
            results.append(("nothing left", str(e).split(".")[0]))
            continue
        kept = tx.frame.assign(timestamp=tx.frame["timestamp"].astype("int64"))
        kept = kept.sort_values(list(kept.columns), kind="stable").reset_index(drop=True)
        results.append((round(tx.report.money_kept, 9), dict(tx.report.dropped), kept.to_dict("list")))
    assert results[0] == results[1]


def test_long_runs_of_equal_times_use_the_merge_sort_and_agree():
    from toolkit._kernels.build import net_returns

    rng = np.random.default_rng(5)
    n = 200  # one customer, two timestamps: runs far longer than the insertion-sort limit
    ns = np.sort(rng.integers(0, 2, n)) * DAY
    amount = rng.choice([-20.0, -7.5, 5.0, 7.5, 20.0, 40.0], n)
    order = rng.integers(-1, 6, n)
    got = net_returns(np.array([0, n], dtype=np.int64), ns, amount, order)
    want = naive.net_returns([0] * n, list(ns), list(amount), list(order))
    np.testing.assert_allclose(got[0], want[0], atol=1e-9)
    np.testing.assert_array_equal(got[1], want[1])


@pytest.mark.parametrize("gap", [-1, float("nan"), "-2D"])
def test_max_gap_is_refused_by_its_own_name(gap):
    from toolkit import datasets, journey

    company = datasets.load_company()
    ev = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                   channel="channel")
    with pytest.raises(ValueError, match="max_gap must be"):
        journey.transition_matrix(ev, max_gap=gap)
