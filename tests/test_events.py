"""Events validation: typed errors naming column, count, rows and fix; rows in = kept + dropped; tie rule;
transactions merged in as purchase events."""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit
from toolkit.errors import DataQualityError, SchemaError


def raw(n=6):
    return pd.DataFrame({
        "cust": [1, 1, 2, 2, 3, 3][:n],
        "when": ["2024-01-01 10:00", "2024-01-02", "2024-01-02", "2024-01-03", "2024-01-05", "2024-01-06"][:n],
        "what": ["visit", "purchase", "visit", "sign_up", "visit", "complaint"][:n],
        "where": ["web", "app", "web", "web", None, "service"][:n],
    })


def build(df, **kw):
    kw.setdefault("customer", "cust")
    kw.setdefault("time", "when")
    kw.setdefault("event", "what")
    return toolkit.Events.from_frame(df, **kw)


def balanced(ev):
    r = ev.report
    assert r.rows_in == r.rows_kept + sum(r.dropped.values()) and r.rows_kept == len(ev.frame) == len(ev)


def test_clean_log_builds_csr_arrays():
    ev = build(raw(), channel="where")
    balanced(ev)
    assert list(ev.frame.columns) == ["customer_id", "timestamp", "event", "channel"]
    assert ev.n_customers == 3 and list(ev.offsets) == [0, 2, 4, 6]
    assert list(ev.frame["event"].astype(str)) == list(ev.event_labels[ev.event_code])
    assert ev.channel_code[4] == -1 and pd.isna(ev.frame["channel"].iloc[4])
    assert "6 events" in repr(ev) and "<table" in ev._repr_html_()
    assert toolkit.read_events is not None and toolkit.Events is type(ev)


def test_missing_column_and_empty_frame():
    with pytest.raises(SchemaError, match=r"event='What' is not a column.*'what'"):
        build(raw(), event="What")
    with pytest.raises(SchemaError, match="empty"):
        build(raw().iloc[:0])
    with pytest.raises(SchemaError, match="numeric"):
        build(raw().assign(when=np.arange(6.0) + 0.5))


def test_bad_rows_raise_with_column_count_examples_and_fix():
    df = raw()
    df.loc[1, "what"] = None
    df.loc[3, "what"] = "  "
    df.loc[4, "when"] = "not a date"
    with pytest.raises(DataQualityError) as info:
        build(df)
    msg = str(info.value)
    assert "missing event in column 'what': 2 rows" in msg and "Fix:" in msg
    assert "unparseable timestamp in column 'when': 1 rows" in msg
    assert info.value.count == 3 and info.value.column == "when"
    ev = build(df, on_bad_rows="drop")
    balanced(ev)
    assert ev.report.dropped == {"unparseable timestamp": 1, "missing event": 2}
    assert list(ev.report.examples["missing event"].index) == [1, 3]


def test_duplicates_policy():
    df = pd.concat([raw(), raw().iloc[[0, 0]]], ignore_index=True)
    with pytest.raises(DataQualityError, match="duplicate row.*2 rows"):
        build(df)
    assert build(df, duplicates="drop").report.dropped == {"duplicate row": 2}
    kept = build(df, duplicates="keep")
    assert len(kept) == 8 and kept.report.kept_notes["duplicate row (kept: duplicates='keep')"] == 2
    # a different channel makes the row distinct
    df2 = df.copy()
    df2.loc[6, "where"] = "app"
    assert build(df2, channel="where", on_bad_rows="drop").report.dropped == {"duplicate row": 1}


def test_observation_end():
    with pytest.raises(DataQualityError, match="after observation_end"):
        build(raw(), observation_end="2024-01-04")
    ev = build(raw(), observation_end="2024-01-04", on_bad_rows="drop")
    assert ev.report.dropped == {"after observation_end": 2} and ev.n_customers == 2
    assert ev.observation_end == pd.Timestamp("2024-01-04")


def test_tie_rule_does_not_depend_on_input_order():
    df = pd.DataFrame({"cust": [1, 1, 1, 1], "when": ["2024-01-01"] * 3 + ["2023-12-31"],
                       "what": ["referral", "purchase", "visit", "zeta"]})
    a = build(df)
    b = build(df.iloc[::-1])
    assert list(a.frame["event"].astype(str)) == ["zeta", "visit", "purchase", "referral"]
    assert list(b.frame["event"].astype(str)) == list(a.frame["event"].astype(str))
    c = build(df, event_order=["referral", "visit"])
    assert list(c.frame["event"].astype(str)) == ["zeta", "referral", "visit", "purchase"]
    assert list(c.event_labels) == ["referral", "visit", "purchase", "zeta"]


def test_merge_transactions_as_purchase_events():
    tx = toolkit.Transactions.from_frame(pd.DataFrame({
        "c": [1, 1, 1, 4], "t": pd.to_datetime(["2024-01-02", "2024-01-02", "2024-02-01", "2024-01-09"]),
        "a": [5.0, 7.0, 3.0, 9.0], "o": [10, 10, 11, 12]}), customer="c", time="t", amount="a", order="o")
    df = raw().assign(order=[None, 10, None, None, None, None])
    ev = build(df, order="order", transactions=tx, repurchase_event="repurchase")
    balanced(ev)
    assert ev.report.rows_in == 6 + 2
    assert ev.report.kept_notes["purchase events merged from transactions ('purchase')"] == 2
    f = ev.frame
    added = f[f["amount"].notna()]
    assert sorted(added["order_id"].tolist()) == [11, 12]
    assert added.set_index("order_id").loc[11, "event"] == "repurchase"
    assert added.set_index("order_id").loc[12, "event"] == "purchase" and ev.n_customers == 4
    # without order ids: purchases at a (customer, time) already holding a purchase event are skipped
    ev2 = build(raw(), transactions=tx)
    assert ev2.report.kept_notes["purchase events merged from transactions ('purchase')"] == 2
    with pytest.raises(SchemaError, match="Transactions"):
        build(raw(), transactions=tx.frame)


def test_read_events_keeps_text_ids(tmp_path):
    path = tmp_path / "ev.csv"
    raw().assign(cust=["001", "001", "002", "002", "010", "010"]).to_csv(path, index=False)
    ev = toolkit.read_events(path, customer="cust", time="when", event="what", channel="where")
    assert list(ev.customer_id) == ["001", "002", "010"]
    with pytest.raises(FileNotFoundError):
        toolkit.read_events(tmp_path / "nope.csv", customer="cust", time="when", event="what")
    from toolkit.data import as_events

    assert as_events(ev) is ev
    with pytest.raises(SchemaError, match="event=..."):
        as_events(raw(), customer="cust", time="when")


@given(st.lists(st.tuples(st.sampled_from([1, 2, 3, None]), st.sampled_from(["2024-01-01", "2024-01-02", "x", None]),
                          st.sampled_from(["visit", "purchase", "", None])), min_size=1, max_size=25))
def test_rows_in_equals_kept_plus_dropped(rows):
    df = pd.DataFrame(rows, columns=["cust", "when", "what"])
    try:
        ev = build(df, on_bad_rows="drop", date_format="%Y-%m-%d")
    except (SchemaError, DataQualityError):
        return  # nothing parseable / nothing left: reported as an error, never silently
    balanced(ev)
    ok = df["cust"].notna() & df["when"].isin(["2024-01-01", "2024-01-02"]) & df["what"].isin(["visit", "purchase"])
    assert ev.report.rows_kept == len(df[ok].drop_duplicates())
