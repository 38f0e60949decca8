"""Transactions validation: every bad-input case gets a typed error naming column, count, rows and fix;
every cleaning balances rows in = rows kept + rows dropped."""

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import DataQualityError, SchemaError


def build(df, **kw):
    kw.setdefault("customer", "cust")
    kw.setdefault("time", "date")
    kw.setdefault("amount", "value")
    return toolkit.Transactions.from_frame(df, **kw)


def base(n=6):
    return pd.DataFrame({
        "cust": [1, 1, 2, 2, 3, 3][:n],
        "date": ["2024-01-01", "2024-01-10", "2024-01-02", "2024-02-01", "2024-01-05", "2024-01-06"][:n],
        "value": [10.0, 20.0, 5.0, 7.0, 3.0, 4.0][:n],
    })


def assert_balanced(tx):
    r = tx.report
    assert r.rows_in == r.rows_kept + sum(r.dropped.values())
    assert r.rows_kept == len(tx.frame)


def test_clean_frame_builds_canonical_frame_and_arrays():
    tx = build(base())
    assert list(tx.frame.columns) == ["customer_id", "timestamp", "amount"]
    assert tx.n_customers == 3 and len(tx) == 6
    a = tx.arrays
    assert list(a.offsets) == [0, 2, 4, 6]
    assert (np.diff(a.day[0:2]) >= 0).all()
    assert tx.report.rows_dropped == 0 and tx.report.balanced
    assert "6 rows in" in repr(tx.report) and "<table" in tx.report._repr_html_()


def test_unsorted_input_is_sorted_within_customer():
    df = base().iloc[::-1].reset_index(drop=True)
    tx = build(df)
    for i in range(tx.n_customers):
        lo, hi = tx.arrays.offsets[i], tx.arrays.offsets[i + 1]
        assert (np.diff(tx.frame["timestamp"].to_numpy()[lo:hi]) >= np.timedelta64(0)).all()


def test_empty_frame():
    with pytest.raises(SchemaError, match="empty"):
        build(base().iloc[:0])


def test_missing_column_suggests_close_name():
    df = base().rename(columns={"value": "Value"})
    with pytest.raises(SchemaError, match=r"amount='value' is not a column.*'Value'"):
        build(df)


def test_duplicate_column_names():
    df = base()
    df.columns = ["cust", "date", "cust"]
    with pytest.raises(SchemaError, match="duplicated"):
        build(df, amount="cust")


def test_not_a_frame():
    with pytest.raises(SchemaError, match="DataFrame"):
        build([1, 2, 3])


def test_unparseable_dates_raise_with_rows_and_fix():
    df = base()
    df.loc[[1, 4], "date"] = ["not a date", "2024-13-45"]
    with pytest.raises(DataQualityError) as e:
        build(df)
    msg = str(e.value)
    assert "unparseable timestamp" in msg and "'date'" in msg and "2 rows" in msg and "[1, 4]" in msg
    assert "date_format" in msg
    assert e.value.count == 2 and e.value.column == "date" and len(e.value.examples) == 2


def test_unparseable_dates_dropped_and_reported():
    df = base()
    df.loc[[1, 4], "date"] = ["not a date", "2024-13-45"]
    tx = build(df, on_bad_rows="drop")
    assert tx.report.dropped == {"unparseable timestamp": 2}
    assert list(tx.report.examples["unparseable timestamp"].index) == [1, 4]
    assert_balanced(tx)


def test_all_dates_unparseable_is_a_schema_error():
    df = base()
    df["date"] = "soon"
    with pytest.raises(SchemaError, match="could be read as a date"):
        build(df)


def test_numeric_timestamps_are_ambiguous():
    df = base()
    df["date"] = np.arange(6) * 1000.5
    with pytest.raises(SchemaError, match="ambiguous"):
        build(df)


def test_yyyymmdd_integers_are_dates():
    df = base()
    df["date"] = [20240101, 20240110, 20240102, 20240201, 20240105, 20240106]
    tx = build(df)
    assert tx.frame["timestamp"].min() == pd.Timestamp("2024-01-01")


def test_formatted_amount_strings_refused_without_option():
    df = base()
    df["value"] = ["1,234.50", "¥99", "10", "7", "3", "4"]
    with pytest.raises(SchemaError, match=r"2 non-numeric amounts.*'1,234.50'.*parse_amounts=True"):
        build(df)


def test_formatted_amount_strings_parsed_with_option():
    df = base()
    df["value"] = ["1,234.50", "¥99", "$ 10", "(7.00)", "3", "€4"]
    tx = build(df, parse_amounts=True, on_bad_rows="drop")
    got = dict(zip(tx.frame["customer_id"].astype(str) + tx.frame["timestamp"].astype(str), tx.frame["amount"]))
    assert 1234.5 in got.values() and 99.0 in got.values() and 10.0 in got.values()
    assert tx.report.dropped == {"negative amount (return)": 1}  # "(7.00)" is a refund
    assert_balanced(tx)


def test_garbage_amounts_with_parse_option_are_bad_rows():
    df = base()
    df["value"] = ["abc", "12", "10", "7", "3", "4"]
    with pytest.raises(DataQualityError, match="unparseable amount in column 'value': 1 rows"):
        build(df, parse_amounts=True)


def test_nan_in_key_columns():
    df = base()
    df.loc[0, "cust"] = np.nan
    df.loc[2, "date"] = None
    df.loc[3, "value"] = np.nan
    with pytest.raises(DataQualityError) as e:
        build(df)
    msg = str(e.value)
    assert "missing customer_id in column 'cust': 1 rows" in msg
    assert "missing timestamp in column 'date': 1 rows" in msg
    assert "missing amount in column 'value': 1 rows" in msg
    tx = build(df, on_bad_rows="drop")
    assert tx.report.dropped == {"missing customer_id": 1, "missing timestamp": 1, "missing amount": 1}
    assert_balanced(tx)
    # float ids that were NaN-polluted come back as integers
    assert tx.frame["customer_id"].dtype == np.int64


def test_infinite_amounts():
    df = base()
    df.loc[5, "value"] = np.inf
    with pytest.raises(DataQualityError, match="non-finite amount"):
        build(df)


def test_timestamps_after_observation_end():
    df = base()
    with pytest.raises(DataQualityError, match=r"after observation_end in column 'date': 1 rows.*\[3\]"):
        build(df, observation_end="2024-01-31")
    tx = build(df, observation_end="2024-01-31", on_bad_rows="drop")
    assert tx.report.dropped == {"after observation_end": 1}
    assert tx.observation_end == pd.Timestamp("2024-01-31")
    assert_balanced(tx)


def test_observation_end_is_an_inclusive_day():
    df = base()
    df.loc[3, "date"] = "2024-01-31 23:59"
    tx = build(df, observation_end="2024-01-31")
    assert len(tx) == 6


def test_mixed_time_zones_refused():
    df = base()
    df["date"] = ["2024-01-01T10:00+08:00", "2024-01-10T10:00+00:00", "2024-01-02T10:00+08:00",
                  "2024-02-01T10:00+08:00", "2024-01-05T10:00+08:00", "2024-01-06T10:00+08:00"]
    with pytest.raises(SchemaError, match="mixes time zones.*tz_convert"):
        build(df)


def test_single_time_zone_is_accepted_and_noted():
    df = base()
    df["date"] = pd.to_datetime(df["date"]).dt.tz_localize("Asia/Shanghai")
    tx = build(df)
    assert tx.frame["timestamp"].dt.tz is None
    assert any("time zone" in n for n in tx.report.notes)


def test_duplicated_rows_follow_policy():
    df = pd.concat([base(), base().iloc[[0, 3]]], ignore_index=True)
    with pytest.raises(DataQualityError, match=r"duplicate row.*2 rows.*\[6, 7\].*duplicates='keep'"):
        build(df)
    tx = build(df, duplicates="drop")
    assert tx.report.dropped == {"duplicate row": 2} and len(tx) == 6
    assert_balanced(tx)
    tx = build(df, duplicates="keep")
    assert len(tx) == 8 and tx.report.kept_notes["duplicate row (kept: duplicates='keep')"] == 2
    assert_balanced(tx)


def test_rows_differing_in_an_optional_column_are_not_duplicates():
    df = base()
    df["order"] = range(6)
    df2 = df.iloc[[0]].assign(order=99)
    tx = build(pd.concat([df, df2], ignore_index=True), order="order")
    assert len(tx) == 7


def test_negative_amounts_raise_drop_or_net():
    df = pd.DataFrame({"cust": [1, 1, 1, 2], "date": ["2024-01-01", "2024-01-05", "2024-01-06", "2024-01-02"],
                       "value": [10.0, 20.0, -25.0, 8.0]})
    with pytest.raises(DataQualityError, match=r"negative amount \(return\) in column 'value': 1 rows.*'net'"):
        build(df)
    tx = build(df, on_bad_rows="drop")
    assert tx.report.dropped == {"negative amount (return)": 1}
    assert_balanced(tx)
    tx = build(df, on_bad_rows="net")
    # the refund of 25 consumes the latest purchase (20) and 5 of the one before
    f = tx.frame
    assert list(f["amount"]) == [5.0, 8.0]
    assert tx.report.dropped == {"return netted against purchases": 1, "purchase fully refunded (netted)": 1}
    assert tx.report.kept_notes == {"purchase partly refunded (amount reduced)": 1}
    assert_balanced(tx)


def test_net_prefers_same_order_and_reports_unmatched():
    df = pd.DataFrame({"cust": [1, 1, 1, 2], "date": ["2024-01-01", "2024-01-05", "2024-01-07", "2024-01-02"],
                       "value": [10.0, 20.0, -10.0, -3.0], "order": ["A", "B", "A", "C"]})
    tx = build(df, order="order", on_bad_rows="net")
    assert list(tx.frame["amount"]) == [20.0]
    assert tx.report.dropped["purchase fully refunded (netted)"] == 1
    assert tx.report.dropped["return larger than earlier purchases (remainder unmatched)"] == 1
    assert any("3.00 of refunds" in n for n in tx.report.notes)
    assert_balanced(tx)


def test_zero_amounts_policy():
    df = base()
    df.loc[2, "value"] = 0.0
    tx = build(df)
    assert tx.report.kept_notes["zero amount (kept: counted as a purchase)"] == 1 and len(tx) == 6
    tx = build(df, zero_amounts="drop")
    assert tx.report.dropped == {"zero amount": 1} and len(tx) == 5
    assert_balanced(tx)
    with pytest.raises(DataQualityError, match="zero amount in column 'value': 1 rows"):
        build(df, zero_amounts="raise")


def test_every_problem_listed_in_one_error():
    df = base()
    df.loc[0, "date"] = "garbage"
    df.loc[5, "value"] = -1.0
    with pytest.raises(DataQualityError) as e:
        build(df)
    assert "2 of 6 rows" in str(e.value)
    assert "unparseable timestamp" in str(e.value) and "negative amount" in str(e.value)


def test_customer_that_loses_every_row_disappears():
    df = base()
    df.loc[[4, 5], "value"] = np.nan
    tx = build(df, on_bad_rows="drop")
    assert tx.n_customers == 2 and list(tx.arrays.offsets) == [0, 2, 4]
    assert_balanced(tx)


def test_all_rows_dropped_is_an_error():
    df = base()
    df["value"] = np.nan
    with pytest.raises(DataQualityError, match="No rows are left"):
        build(df, on_bad_rows="drop")


def test_string_and_int_ids_come_back_unchanged():
    df = base()
    df["cust"] = ["x9", "x9", "007", "007", "b", "b"]
    tx = build(df)
    assert list(tx.customer_ids) == ["007", "b", "x9"]
    df["cust"] = [10**12, 10**12, 5, 5, 7, 7]
    tx = build(df)
    assert list(tx.customer_ids) == [5, 7, 10**12]


def test_mixed_type_ids_become_text_with_a_note():
    df = base()
    df["cust"] = pd.Series([1, 1, "2", "2", 3.5, 3.5], dtype=object)
    tx = build(df)
    assert tx.n_customers == 3 and any("mixed types" in n for n in tx.report.notes)


def test_bad_options():
    with pytest.raises(ValueError, match="time_unit"):
        build(base(), time_unit="Y")
    with pytest.raises(ValueError, match="on_bad_rows"):
        build(base(), on_bad_rows="ignore")
    with pytest.raises(SchemaError, match="two roles"):
        build(base(), order="value")


def test_optional_columns_are_canonical():
    df = base()
    df["o"] = range(6)
    df["cat"] = list("aabbcc")
    df["q"] = [1, 2, 1, 1, 3, 1]
    df["ch"] = ["web"] * 6
    df["disc"] = [0, 1, 0, 0, 0, 2]
    tx = build(df, order="o", category="cat", quantity="q", channel="ch", discount="disc")
    assert list(tx.frame.columns) == ["customer_id", "timestamp", "amount", "order_id", "category", "quantity",
                                      "channel", "discount"]
    assert list(tx.arrays.category_labels) == ["a", "b", "c"]


@pytest.mark.parametrize("suffix", ["csv", "parquet", "xlsx"])
def test_read_transactions_formats(tmp_path, suffix):
    df = base()
    df["cust"] = ["001", "001", "002", "002", "010", "010"]
    path = tmp_path / f"tx.{suffix}"
    getattr(df, {"csv": "to_csv", "parquet": "to_parquet", "xlsx": "to_excel"}[suffix])(path, index=False)
    tx = toolkit.read_transactions(path, customer="cust", time="date", amount="value")
    assert list(tx.customer_ids) == ["001", "002", "010"]  # zero padding survives
    assert len(tx) == 6


def test_read_transactions_unknown_suffix(tmp_path):
    p = tmp_path / "tx.json"
    p.write_text("[]")
    with pytest.raises(SchemaError, match="Unsupported file type"):
        toolkit.read_transactions(p, customer="c", time="t", amount="a")


def test_as_transactions_requires_column_names():
    with pytest.raises(SchemaError, match="customer=..., time=..., amount=..."):
        toolkit.customer_summary(base())


@pytest.mark.parametrize("ids", [
    [5, 3, 3, 9, 5, 4],                 # dense range: direct-address table
    [-2, 7, -2, 0, 7, 1],               # negative ids, gaps
    [10**12, 5, 10**12, 7],             # sparse: hash fallback
    np.random.default_rng(3).integers(0, 50, 200),
])
def test_id_factorisation_equals_sorted_pandas_factorize(ids):
    from toolkit.data import _factorize_ids

    codes, uniques, _ = _factorize_ids(pd.Series(np.asarray(ids, dtype=np.int64)))
    ref_codes, ref_uniques = pd.factorize(np.asarray(ids, dtype=np.int64), sort=True)
    assert list(codes) == list(ref_codes) and list(uniques) == list(ref_uniques)


def test_text_dates_in_one_format_are_read_with_one_format():
    """A day-first column is read day-first throughout (not value by value: 05/06 as 6 May beside 25/06 as
    25 June); ISO, month-first and given formats agree with pandas' own reading in that format."""
    import warnings

    from toolkit.data import _parse_dates

    dayfirst = pd.Series(["05/06/2024", "25/06/2024", None, "01/02/2024 "])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no pandas "dayfirst" warning reaches the user
        got, _ = _parse_dates(dayfirst, "t", None)
        iso, _ = _parse_dates(pd.Series(["2024-01-05 10:00:00", "2024-02-03 11:30:00"]), "t", None)
    assert got.iloc[0] == pd.Timestamp("2024-06-05") and got.iloc[1] == pd.Timestamp("2024-06-25")
    assert pd.isna(got.iloc[2]) and got.iloc[3] == pd.Timestamp("2024-02-01")  # a padded value is stripped
    assert iso.tolist() == [pd.Timestamp("2024-01-05 10:00"), pd.Timestamp("2024-02-03 11:30")]
    monthfirst, _ = _parse_dates(pd.Series(["05/06/2024", "06/25/2024"]), "t", None)
    assert monthfirst.tolist() == [pd.Timestamp("2024-05-06"), pd.Timestamp("2024-06-25")]
    given, _ = _parse_dates(pd.Series(["05/06/2024", "oops"]), "t", "%d/%m/%Y")
    assert given.iloc[0] == pd.Timestamp("2024-06-05") and pd.isna(given.iloc[1])
    mixed = pd.Series(["2024-01-05", "5 March 2024"])  # two formats: value by value, as before
    assert _parse_dates(mixed, "t", None)[0].tolist() == [pd.Timestamp("2024-01-05"), pd.Timestamp("2024-03-05")]


def test_blank_text_dates_are_missing_not_unparseable():
    raw = pd.DataFrame({"c": [1, 1, 2, 3], "t": ["2024-01-01", "   ", "2024-01-03", "nonsense"],
                        "a": [1.0, 2.0, 3.0, 4.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="t", amount="a", on_bad_rows="drop")
    dropped = tx.report.dropped
    assert tx.report.rows_in == tx.report.rows_kept + sum(dropped.values()) == 4
    assert dropped.get("missing timestamp") == 1 and dropped.get("unparseable timestamp") == 1, dropped
