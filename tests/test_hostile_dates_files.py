"""Hostile dates and files (issue #23 points 1, 6 and the date crashes of point 11).

Each test is a case users hit: a dd/mm export read half month-first, a typo year that moved the observation end,
dates pandas cannot hold, Excel serial numbers, mixed time zones, and files that are empty, binary, in another
encoding, on another sheet, or written to a folder that does not exist.
"""

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.__main__ import main
from toolkit.errors import DataQualityError, FileFormatError, SchemaError, ToolkitError

COLS = {"customer": "cust", "time": "date", "amount": "value"}


def _frame(dates, n_customers=None):
    n = len(dates)
    return pd.DataFrame({"cust": np.arange(n) % (n_customers or n), "date": dates, "value": np.arange(1.0, n + 1)})


def _truth(n=400, seed=3):
    rng = np.random.default_rng(seed)
    return (pd.Timestamp("2023-01-01") + pd.to_timedelta(np.sort(rng.integers(0, 540, n)), unit="D")).to_series(
        index=range(n))


# ------------------------------------------------------------------------------------------ day first or month first
def test_dd_mm_export_is_read_day_first_throughout(tmp_path):
    truth = _truth()
    raw = _frame(list(truth.dt.strftime("%d/%m/%Y")), n_customers=50)
    assert (truth.dt.day <= 12).sum() > 100  # many values read both ways: the old per-value reading broke them
    tx = toolkit.Transactions.from_frame(raw, **COLS)
    got = tx.frame.sort_values("amount")["timestamp"].to_numpy()
    assert (got == truth.to_numpy()).all()
    assert tx.observation_end == truth.max()
    # the same through a file and the command line
    path = tmp_path / "ddmm.csv"
    raw.to_csv(path, index=False)
    assert toolkit.read_transactions(path, **COLS).observation_end == truth.max()


def test_dd_mm_with_and_without_times_is_one_order():
    """Two formats in one column are read value by value, but with one day/month order for all of them."""
    truth = _truth(60)
    text = [t.strftime("%d/%m/%Y %H:%M") if k % 2 else t.strftime("%d/%m/%Y") for k, t in enumerate(truth)]
    tx = toolkit.Transactions.from_frame(_frame(text), **COLS)
    got = tx.frame.sort_values("amount")["timestamp"].dt.normalize().to_numpy()
    assert (got == truth.to_numpy()).all()


def test_ambiguous_only_column_asks_for_the_order(capsys, tmp_path):
    raw = _frame(["05/06/2024", "06/07/2024", "01/02/2024", "03/04/2024"])
    with pytest.raises(SchemaError, match=r"day and month cannot be told.*date_format='%d/%m/%Y'.*dayfirst=True"):
        toolkit.Transactions.from_frame(raw, **COLS)
    day = toolkit.Transactions.from_frame(raw, **COLS, dayfirst=True)
    month = toolkit.Transactions.from_frame(raw, **COLS, dayfirst=False)
    assert day.frame["timestamp"].min() == pd.Timestamp("2024-02-01")
    assert month.frame["timestamp"].min() == pd.Timestamp("2024-01-02")
    # every value with day == month reads the same both ways: no question to ask
    same = toolkit.Transactions.from_frame(_frame(["01/01/2024", "02/02/2024", "03/03/2024"]), **COLS)
    assert same.observation_end == pd.Timestamp("2024-03-03")
    with pytest.raises(ValueError, match="dayfirst must be"):
        toolkit.Transactions.from_frame(raw, **COLS, dayfirst="yes")
    # the command line names its flags, and --dayfirst settles it
    path = tmp_path / "ambiguous.csv"
    raw.to_csv(path, index=False)
    base = ["report", str(path), "--customer", "cust", "--time", "date", "--amount", "value", "-q",
            "-o", str(tmp_path / "r.html")]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "--date-format %d/%m/%Y" in err and "--dayfirst" in err and "dayfirst=" not in err
    from toolkit.__main__ import build_parser

    assert build_parser().parse_args([*base, "--dayfirst"]).dayfirst is True
    assert build_parser().parse_args([*base, "--dayfirst", "false"]).dayfirst is False


def test_both_orders_in_one_column_are_refused():
    raw = _frame(["25/06/2024", "06/25/2024", "2024-01-05", "13/01/2024"])
    with pytest.raises(SchemaError, match=r"day-first dates \(2.*month-first dates \(1.*date_format="):
        toolkit.Transactions.from_frame(raw, **COLS)


# ------------------------------------------------------------------------------------------ outliers and range
def test_typo_year_2099_is_an_outlier_not_the_observation_end():
    truth = _truth(400)
    text = list(truth.dt.strftime("%Y-%m-%d"))
    text[123] = "2099-03-01"
    raw = _frame(text, n_customers=40)
    with pytest.raises(DataQualityError, match=r"date far outside the bulk \(outlier\) in column 'date': 1 rows "
                                               r"\(first at rows \[123\]\).*date_outliers='keep'") as e:
        toolkit.Transactions.from_frame(raw, **COLS)
    assert e.value.count == 1 and list(e.value.examples.index) == [123]
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    assert tx.report.dropped == {"date far outside the bulk (outlier)": 1}
    assert tx.report.money_dropped["date far outside the bulk (outlier)"] == 124.0
    assert tx.report.balanced and tx.report.money_balanced
    assert tx.observation_end == truth.drop(123).max()
    assert any("far outside the bulk" in n for n in tx.report.notes)
    kept = toolkit.Transactions.from_frame(raw, **COLS, date_outliers="keep")
    assert kept.observation_end == pd.Timestamp("2099-03-01") and len(kept) == 400
    # a stated observation_end decides instead: the typo is after it
    with pytest.raises(DataQualityError, match="after observation_end"):
        toolkit.Transactions.from_frame(raw, **COLS, observation_end="2024-12-31")


def test_a_date_long_before_the_bulk_is_an_outlier_and_cohorts_survive_it():
    text = list(_truth(50).dt.strftime("%Y-%m-%d"))
    text[7] = "1850-01-01"
    raw = _frame(text, n_customers=10)
    with pytest.raises(DataQualityError, match=r"outlier.*rows \[7\]"):
        toolkit.Transactions.from_frame(raw, **COLS)
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    assert tx.frame["timestamp"].min() >= pd.Timestamp("2023-01-01")
    kept = toolkit.Transactions.from_frame(raw, **COLS, date_outliers="keep")  # genuine: 174 years of cohorts
    matrix = toolkit.cohorts.retention_matrix(kept)
    assert matrix.shape[0] > 2000 and np.nanmax(matrix.to_numpy(dtype=float)) <= 1.0


def test_the_outlier_rule_spares_a_normal_long_log():
    """Ten years with a thin first year are no outliers (the margin is twice the bulk's span)."""
    rng = np.random.default_rng(1)
    days = np.concatenate([rng.integers(0, 365, 5), rng.integers(365, 3650, 2000)])
    dates = pd.Timestamp("2012-01-01") + pd.to_timedelta(days, unit="D")
    tx = toolkit.Transactions.from_frame(_frame(list(dates.strftime("%Y-%m-%d")), 300), **COLS)
    assert len(tx) == 2005 and not tx.report.dropped


@pytest.mark.parametrize("far", ["1500-01-01", "2999-05-05", "0001-01-01"])
def test_dates_pandas_cannot_hold_are_bad_rows_not_crashes(far):
    raw = _frame(["2024-01-01", far, "2024-02-01", "2024-03-01"])
    with pytest.raises(DataQualityError, match=r"date outside the usable range in column 'date': 1 rows.*"
                                               r"1677-09-22"):
        toolkit.Transactions.from_frame(raw, **COLS)
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    assert tx.report.dropped == {"date outside the usable range": 1}
    assert tx.report.balanced and tx.report.money_balanced and tx.report.money_dropped[
        "date outside the usable range"] == 2.0
    ev = toolkit.Events.from_frame(raw.assign(what="visit"), customer="cust", time="date", event="what",
                                   on_bad_rows="drop")
    assert ev.report.dropped == {"date outside the usable range": 1} and len(ev) == 3


def test_second_resolution_datetimes_out_of_range():
    stamps = pd.Series(np.array(["2024-01-01", "1500-01-01", "2024-01-03"], dtype="datetime64[s]"))
    tx = toolkit.Transactions.from_frame(_frame(stamps), **COLS, on_bad_rows="drop")
    assert tx.report.dropped == {"date outside the usable range": 1}


def test_events_outliers_do_not_move_the_end():
    text = list(_truth(100).dt.strftime("%Y-%m-%d"))
    text[5] = "2099-01-01"
    raw = _frame(text).assign(what="visit")
    with pytest.raises(DataQualityError, match="outlier"):
        toolkit.Events.from_frame(raw, customer="cust", time="date", event="what")
    ev = toolkit.Events.from_frame(raw, customer="cust", time="date", event="what", on_bad_rows="drop")
    assert ev.observation_end.year == 2024 and ev.report.dropped == {"date far outside the bulk (outlier)": 1}


# ------------------------------------------------------------------------------------------ numbers and time zones
def test_excel_serial_numbers_are_dates():
    raw = _frame([45292.0, 45293.5, 45323.0])
    tx = toolkit.Transactions.from_frame(raw, **COLS)
    assert sorted(tx.frame["timestamp"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02 12:00"),
                                            pd.Timestamp("2024-02-01")]
    assert any("Excel serial" in n for n in tx.report.notes)
    with pytest.raises(SchemaError, match="neither YYYYMMDD dates nor Excel serial"):
        toolkit.Transactions.from_frame(_frame([1.7e9, 1.71e9]), **COLS)


@pytest.mark.parametrize("values", [
    ["2024-01-01T10:00+08:00", "2024-01-02 10:00", "2024-01-03 11:00"],
    [pd.Timestamp("2024-01-01 10:00", tz="UTC"), pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")],
])
def test_aware_and_naive_times_are_refused_in_our_words(values):
    with pytest.raises(SchemaError, match=r"with a time zone \(1.*and without one \(2.*cannot be told"):
        toolkit.Transactions.from_frame(_frame(values), **COLS)


def test_one_offset_keeps_wall_clock_times_and_dashed_dates_are_no_offsets():
    tx = toolkit.Transactions.from_frame(_frame(["2024-01-01T23:30+08:00", "2024-01-02T10:00:00+0800"]), **COLS)
    assert sorted(tx.frame["timestamp"]) == [pd.Timestamp("2024-01-01 23:30"), pd.Timestamp("2024-01-02 10:00")]
    assert any("local wall-clock" in n for n in tx.report.notes)
    # '05-06-2023' ends like an offset ('-2023'); two years in one column are no time zones
    dashed = toolkit.Transactions.from_frame(_frame(["25-12-2023", "05-01-2024", "13-01-2024 10:00"]), **COLS)
    assert dashed.frame["timestamp"].min() == pd.Timestamp("2023-12-25")


# ------------------------------------------------------------------------------------------ files
def test_empty_blank_and_header_only_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(FileFormatError, match=r"empty.csv is empty \(0 bytes\)"):
        toolkit.read_transactions(empty, **COLS)
    blank = tmp_path / "blank.csv"
    blank.write_text("\n   \n\n")
    with pytest.raises(FileFormatError, match="only blank lines"):
        toolkit.read_transactions(blank, **COLS)
    header = tmp_path / "header.csv"
    header.write_text("cust,date,value\n")
    with pytest.raises(FileFormatError, match="no data rows"):
        toolkit.read_transactions(header, **COLS)
    folder = tmp_path / "folder.csv"
    folder.mkdir()
    with pytest.raises(FileFormatError, match="is a folder"):
        toolkit.read_transactions(folder, **COLS)


def test_binary_and_misnamed_files(tmp_path):
    workbook = tmp_path / "book.xlsx"
    _frame(["2024-01-01", "2024-01-02"]).to_excel(workbook, index=False)
    as_csv = tmp_path / "book.csv"
    as_csv.write_bytes(workbook.read_bytes())
    with pytest.raises(FileFormatError, match=r"not a text \(CSV\) file: it is a zip archive.*rename it to .xlsx"):
        toolkit.read_transactions(as_csv, **COLS)
    image = tmp_path / "image.csv"
    image.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    with pytest.raises(FileFormatError, match="PNG image"):
        toolkit.read_transactions(image, **COLS)
    text_xlsx = tmp_path / "text.xlsx"
    text_xlsx.write_text("cust,date,value\n1,2024-01-01,5\n")
    with pytest.raises(FileFormatError, match=r"not an Excel workbook: it holds text \(CSV\?\): rename it to .csv"):
        toolkit.read_transactions(text_xlsx, **COLS)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(workbook.read_bytes()[:300])  # cut short
    with pytest.raises(FileFormatError, match="cannot be opened as an Excel workbook"):
        toolkit.read_transactions(broken, **COLS)
    parquet = tmp_path / "garbage.parquet"
    parquet.write_bytes(b"PAR1 not really")
    with pytest.raises(FileFormatError, match="cannot be read as Parquet"):
        toolkit.read_transactions(parquet, **COLS)
    csv_parquet = tmp_path / "text.parquet"
    csv_parquet.write_text("cust,date,value\n")
    with pytest.raises(FileFormatError, match="not a Parquet file"):
        toolkit.read_transactions(csv_parquet, **COLS)


def test_encodings_tried_in_turn(tmp_path):
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes("客户,日期,金额\n张三,2024-01-01,5\n李四,2024-01-02,6\n".encode("gbk"))
    tx = toolkit.read_transactions(gbk, customer="客户", time="日期", amount="金额")
    assert set(tx.customer_ids) == {"张三", "李四"}
    assert any("GB18030" in n for n in tx.report.notes)
    bom = tmp_path / "bom.csv"  # Excel's "CSV UTF-8" with a title row above the header
    bom.write_bytes("\ufeffSales export,,\ncust,date,value\n1,2024-01-01,5\n".encode("utf-8"))
    assert len(toolkit.read_transactions(bom, **COLS)) == 1
    utf16 = tmp_path / "unicode.txt"  # Excel's "Unicode text"
    utf16.write_bytes("cust\tdate\tvalue\n1\t2024-01-01\t5\n".encode("utf-16"))
    assert len(toolkit.read_transactions(utf16, **COLS, read_kwargs={"sep": "\t"})) == 1


def test_data_on_another_sheet(tmp_path, capsys):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"note": ["exported by the shop system"]}).to_excel(writer, sheet_name="Info", index=False)
        _frame(["2024-01-01", "2024-01-02", "2024-01-05"]).to_excel(writer, sheet_name="Orders", index=False)
    with pytest.raises(SchemaError, match=r"This is sheet 'Info' of 'Info', 'Orders'\. Sheet 'Orders' holds every "
                                          r"mapped column: pass sheet_name='Orders'"):
        toolkit.read_transactions(path, **COLS)
    assert len(toolkit.read_transactions(path, **COLS, sheet_name="Orders")) == 3
    assert len(toolkit.read_transactions(path, **COLS, sheet_name=1)) == 3
    with pytest.raises(FileFormatError, match=r"no sheet 'Order'; its sheets are 'Info', 'Orders'.*Did you mean"):
        toolkit.read_transactions(path, **COLS, sheet_name="Order")
    with pytest.raises(FileFormatError, match=r"has 2 sheets .*sheet number 5"):
        toolkit.read_transactions(path, **COLS, sheet_name=5)
    base = ["report", str(path), "--customer", "cust", "--time", "date", "--amount", "value", "-q",
            "-o", str(tmp_path / "r.html")]
    assert main(base) == 1
    assert "pass --sheet Orders" in capsys.readouterr().err
    assert main([*base, "--sheet", "Nope"]) == 1
    assert "its sheets are 'Info', 'Orders'" in capsys.readouterr().err


def test_output_paths_are_checked_before_computing(tmp_path, capsys):
    data = tmp_path / "missing-data.csv"  # never read: the output is checked first
    base = ["report", str(data), "--customer", "cust", "--time", "date", "--amount", "value"]
    assert main([*base, "-o", str(tmp_path)]) == 1
    captured = capsys.readouterr()
    assert "that is a folder" in captured.err and "reading and validating" not in captured.out
    assert main([*base, "-o", str(tmp_path / "no" / "such" / "r.html")]) == 1
    assert "does not exist. Create it first" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "r.html"), "--pdf", str(tmp_path / "nope" / "r.pdf")]) == 1
    assert "--pdf" in capsys.readouterr().err
    assert main([*base, "-o", str(tmp_path / "r.html")]) == 1  # a writable output: the data file is the problem
    assert "No such transaction file" in capsys.readouterr().err


def test_every_failure_above_is_a_toolkit_error():
    """The typed errors are ToolkitErrors, so the CLI prints them without a traceback (exit code 1)."""
    assert issubclass(FileFormatError, ToolkitError) and issubclass(SchemaError, ToolkitError)


def test_report_output_paths_are_typed_errors_through_the_api(tmp_path):
    from toolkit.errors import OutputPathError

    raw = pd.DataFrame({"c": [1, 1, 2], "t": ["2024-01-02", "2024-02-13", "2024-01-25"], "a": [5.0, 6.0, 7.0]})
    tx = toolkit.Transactions.from_frame(raw, customer="c", time="t", amount="a")
    report = toolkit.build_report(tx, sections=["data"], progress=False)
    for bad, why in ((tmp_path, "that is a folder"), (tmp_path / "nope" / "r.html", "does not exist")):
        with pytest.raises(OutputPathError, match=why):
            report.to_html(bad)
        with pytest.raises(OutputPathError, match=why):
            report.to_pdf(bad)
    assert report.to_html(tmp_path / "r.html").exists()
