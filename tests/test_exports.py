"""Real client exports: order lines, full-row duplicates, quantity x price, non-product lines, ids, file lines.

Issue #17: what a consultant meets in the first minute with a retailer's raw order-line export.
"""

import re

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.__main__ import _as_flags, main
from toolkit.data import customer_ids
from toolkit.errors import DataQualityError, FileFormatError, SchemaError

COLS = dict(customer="CustomerID", time="InvoiceDate", order="InvoiceNo", quantity="Quantity", price="UnitPrice")


def _lines():
    """A small export: a multi-line invoice with equal line totals, a copied line, a cancellation, postage,
    a line without a customer."""
    return pd.DataFrame({
        "InvoiceNo": ["536365", "536365", "536365", "536365", "536370", "C536371", "536372", "536372", "536373"],
        "StockCode": ["85123A", "71053", "84406B", "POST", "22728", "85123A", "22728", "22728", "M"],
        "Description": ["WHITE HANGING HEART", "WHITE METAL LANTERN", "CREAM CUPID HEARTS", "POSTAGE",
                        "ALARM CLOCK", "WHITE HANGING HEART", "ALARM CLOCK", "ALARM CLOCK", "Manual"],
        "Quantity": [6, 6, 6, 1, 24, -2, 2, 2, 1],
        "InvoiceDate": ["12/1/2010 8:26"] * 4 + ["12/13/2010 9:00", "12/14/2010 9:00", "12/20/2010 10:00",
                                                 "12/20/2010 10:00", "12/21/2010 11:00"],
        "UnitPrice": [2.55, 2.55, 2.55, 18.0, 3.75, 2.55, 3.75, 3.75, 5.0],
        "CustomerID": [17850.0, 17850.0, 17850.0, 17850.0, 17850.0, 17850.0, np.nan, 13047.0, 13047.0],
    })


def test_distinct_lines_with_equal_totals_are_not_duplicates():
    raw = _lines()
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    assert "duplicate row" not in tx.report.dropped  # three lines of 536365 total 15.30 each: not copies
    copied = pd.concat([raw, raw.iloc[[1, 4]]], ignore_index=True)
    tx = toolkit.Transactions.from_frame(copied, **COLS, on_bad_rows="drop")
    assert tx.report.dropped["duplicate row"] == 2
    assert tx.report.money_dropped["duplicate row"] == pytest.approx(6 * 2.55 + 24 * 3.75)
    with pytest.raises(DataQualityError, match=r"duplicate row in every column: 2 rows"):
        toolkit.Transactions.from_frame(copied, **COLS)


def test_line_key_decides_what_a_copy_is():
    raw = _lines()
    raw["Line"] = range(len(raw))
    copied = pd.concat([raw, raw.iloc[[1]].assign(Description="white metal lantern")], ignore_index=True)
    # the re-exported line differs in its description only: not equal in every column ...
    tx = toolkit.Transactions.from_frame(copied, **COLS, on_bad_rows="drop")
    assert "duplicate row" not in tx.report.dropped
    # ... but it is the same line by invoice and line number
    tx = toolkit.Transactions.from_frame(copied, **COLS, on_bad_rows="drop", line_key=["InvoiceNo", "Line"])
    assert tx.report.dropped["duplicate row"] == 1
    with pytest.raises(SchemaError, match="'Lne'.*Did you mean 'Line'"):
        toolkit.Transactions.from_frame(copied, **COLS, line_key=["Lne"])


def test_quantity_times_price_is_the_amount():
    raw = _lines()
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    kept = raw[raw["CustomerID"].notna() & (raw["Quantity"] > 0)]
    assert tx.frame["amount"].sum() == pytest.approx((kept["Quantity"] * kept["UnitPrice"]).sum(), abs=0.005)
    assert set(tx.frame.columns) >= {"order_id", "quantity"}
    with pytest.raises(SchemaError, match="price= needs quantity="):
        toolkit.Transactions.from_frame(raw, customer="CustomerID", time="InvoiceDate", price="UnitPrice")
    with pytest.raises(SchemaError, match="not both"):
        toolkit.Transactions.from_frame(raw, **COLS, amount="UnitPrice")
    with pytest.raises(SchemaError, match="amount= .* or price= with quantity="):
        toolkit.Transactions.from_frame(raw, customer="CustomerID", time="InvoiceDate")
    bad = raw.astype({"Quantity": object})
    bad.loc[2, "Quantity"] = "six"
    # a word in the quantity is the quantity column's own problem (issue #23), not an "unparseable amount"
    with pytest.raises(DataQualityError, match=r"unparseable quantity in column 'Quantity': 1 rows"):
        toolkit.Transactions.from_frame(bad, **COLS)


def test_lines_of_one_order_are_one_purchase():
    tx = toolkit.Transactions.from_frame(_lines(), **COLS, on_bad_rows="drop")
    s = toolkit.customer_summary(tx)
    assert s.loc[17850, "n_orders"] == 2  # invoice 536365 (4 lines) and 536370
    assert s.loc[17850, "frequency"] == 1


def test_exclude_items_by_code_and_by_pattern():
    raw = _lines()
    tx = toolkit.Transactions.from_frame(raw, **COLS, item="StockCode", on_bad_rows="drop",
                                         exclude_items=["POST", "M", "DOT"])
    rep = tx.report
    assert rep.dropped["non-product line (exclude_items)"] == 2
    assert rep.money_dropped["non-product line (exclude_items)"] == pytest.approx(23.0)
    assert any("'DOT'" in n for n in rep.notes)  # a code that matched nothing is reported
    assert rep.suspect_items is None
    assert set(tx.frame["item"]) == {"85123A", "71053", "84406B", "22728"}
    by_text = toolkit.Transactions.from_frame(raw, **COLS, description="Description", on_bad_rows="drop",
                                              exclude_items=r"(?i)^(postage|manual)$")
    assert by_text.report.dropped["non-product line (exclude_items)"] == 2
    with pytest.raises(SchemaError, match="needs item="):
        toolkit.Transactions.from_frame(raw, **COLS, exclude_items=["POST"])


def test_non_product_lines_are_reported_not_excluded():
    raw = _lines()
    tx = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")  # item column not even mapped
    sus = tx.report.suspect_items
    assert list(sus.index) == ["POST", "M"] or set(sus.index) == {"POST", "M"}
    assert sus["money"].sum() == pytest.approx(23.0)
    note = next(n for n in tx.report.notes if "non-product" in n)
    assert re.search(r"item='StockCode' and exclude_items=\['(POST', 'M|M', 'POST)'\]", note)
    assert len(tx) == 7  # nothing excluded silently: 9 lines - 1 without a customer - 1 cancellation
    assert re.search("--item StockCode and --exclude-items (POST,M|M,POST)", _as_flags(note))


def test_drop_reports_revenue_cancelled_later_and_net_subtracts_it():
    raw = _lines()
    drop = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    net = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="net")
    assert drop.report.cancelled_later == pytest.approx(2 * 2.55)
    assert any("on_bad_rows='net'" in n and "cancelled later" in n for n in drop.report.notes)
    assert net.report.money_kept == pytest.approx(drop.report.money_kept - 2 * 2.55)
    for rep in (drop.report, net.report):
        assert rep.balanced and rep.money_balanced
        assert rep.money_in == pytest.approx((raw["Quantity"] * raw["UnitPrice"]).sum())


# ------------------------------------------------------------------ conservation on random order-line exports
@st.composite
def _exports(draw):
    n = draw(st.integers(1, 40))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    cust = rng.choice([1.0, 2.0, 3.0, np.nan], n, p=[0.3, 0.3, 0.25, 0.15])
    qty = rng.choice([-2, -1, 1, 2, 3], n, p=[0.1, 0.1, 0.4, 0.2, 0.2])
    price = rng.choice([1.25, 2.5, 3.75], n)
    day = rng.integers(1, 20, n)
    raw = pd.DataFrame({"InvoiceNo": [f"{'C' if q < 0 else ''}{d}{int(c) if c == c else 0}" for q, d, c in
                                      zip(qty, day, cust)],
                        "StockCode": rng.choice(["A", "B", "C"], n), "Quantity": qty, "UnitPrice": price,
                        "InvoiceDate": [f"2024-01-{d:02d}" for d in day], "CustomerID": cust})
    k = draw(st.integers(0, n))
    return pd.concat([raw, raw.sample(k, random_state=1, replace=True)], ignore_index=True)


@given(_exports())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_money_is_conserved_and_drop_equals_plain_pandas(raw):
    amount = raw["Quantity"] * raw["UnitPrice"]
    plain = raw[raw["CustomerID"].notna()].drop_duplicates()
    plain_amount = plain["Quantity"] * plain["UnitPrice"]
    expected = plain_amount[plain_amount > 0].sum()
    if expected <= 0:
        with pytest.raises(DataQualityError, match="No rows are left"):
            toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
        return
    drop = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    assert drop.report.money_kept == pytest.approx(expected, abs=0.005)
    assert drop.frame["amount"].sum() == pytest.approx(expected, abs=0.005)
    assert drop.report.dropped.get("duplicate row", 0) == int(raw[raw["CustomerID"].notna()].duplicated().sum())
    try:
        net = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="net")
    except DataQualityError:  # every purchase refunded
        assert drop.report.cancelled_later == pytest.approx(expected, abs=0.005)
        return
    refunds = -plain_amount[plain_amount < 0].sum()
    for rep in (drop.report, net.report):
        assert rep.balanced and rep.money_balanced
        assert rep.money_in == pytest.approx(amount.sum(), abs=0.005)
    assert net.report.money_kept == pytest.approx(expected - drop.report.cancelled_later, abs=0.005)
    assert 0 <= drop.report.cancelled_later <= refunds + 0.005


# ------------------------------------------------------------------ customer ids keep the export's identity
def test_customer_ids_one_rule():
    np.testing.assert_array_equal(customer_ids(pd.Series([12347.0, 5.0])), [12347, 5])
    np.testing.assert_array_equal(customer_ids(pd.Series(["12347.0", "5"])), [12347, 5])
    assert list(customer_ids(pd.Series(["00042", "17"]))) == ["00042", "17"]
    assert list(customer_ids(pd.Series(["A12", "12"]))) == ["A12", "12"]
    assert customer_ids(pd.Series([1.5, 2.0])).dtype == np.float64


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_ids_are_the_same_through_the_api_and_the_readers(tmp_path, suffix):
    raw = _lines()
    api = toolkit.Transactions.from_frame(raw, **COLS, on_bad_rows="drop")
    path = tmp_path / f"export{suffix}"
    raw.to_csv(path, index=False) if suffix == ".csv" else raw.to_excel(path, index=False)
    read = toolkit.read_transactions(path, **COLS, on_bad_rows="drop")
    assert list(api.customer_ids) == list(read.customer_ids) == [13047, 17850]
    assert api.frame["amount"].sum() == pytest.approx(read.frame["amount"].sum())
    zeros = raw.assign(CustomerID=raw["CustomerID"].map(lambda v: f"{int(v):07d}" if v == v else None))
    zeros.to_csv(tmp_path / "zeros.csv", index=False)
    read = toolkit.read_transactions(tmp_path / "zeros.csv", **COLS, on_bad_rows="drop")
    assert list(read.customer_ids) == ["0013047", "0017850"]


# ------------------------------------------------------------------ files: lines, parser errors, title blocks
def test_examples_are_numbered_by_file_line(tmp_path):
    path = tmp_path / "export.csv"
    _lines().to_csv(path, index=False)
    with pytest.raises(DataQualityError) as err:
        toolkit.read_transactions(path, **COLS)
    text = str(err.value)
    # header = line 1, so frame position 6 (the line without a customer) is line 8, the cancellation line 7
    assert "missing customer_id in column 'CustomerID': 1 rows (first at line 8)" in text
    assert "(first at line 7)" in text
    assert err.value.examples.index.name == "line"
    tx = toolkit.read_transactions(path, **COLS, on_bad_rows="drop")
    assert list(tx.report.examples["missing customer_id"].index) == [8]
    assert path.read_text().splitlines()[8 - 1].startswith("536372,22728")


def test_wrong_separator_is_a_typed_error_with_the_line(tmp_path):
    path = tmp_path / "export.csv"
    _lines().to_csv(path, index=False)
    # the header has no space: it is read as one column, and the message names the separator it has
    with pytest.raises(SchemaError, match=r"header was read as one column: the separator looks like ','; "
                                          r"pass read_kwargs=\{'sep': ','\}"):
        toolkit.read_transactions(path, **COLS, read_kwargs={"sep": " "})
    spaced = tmp_path / "spaced.csv"  # a header with spaces in its names: the tokenizer itself breaks
    spaced.write_text("Customer ID,Invoice Date,Amount\n1,2024-01-01 10:00,5\n2,2024-01-02 11:00 am,6 x\n")
    with pytest.raises(FileFormatError) as err:
        toolkit.read_transactions(spaced, customer="Customer ID", time="Invoice Date", amount="Amount",
                                  read_kwargs={"sep": " "})
    assert (err.value.line, err.value.expected, err.value.found) == (3, 3, 4)
    assert "separator is probably ','" in str(err.value) and "read_kwargs={'sep': ','}" in str(err.value)
    assert "line 3: 2,2024-01-02 11:00 am,6 x" in str(err.value)
    bad = tmp_path / "quoted.csv"
    bad.write_text('a,b,c\n1,2024-01-01,5\n2,"2024-01-02,6\n3,2024-01-03,7\n4,2024-01-04,8,9\n')
    with pytest.raises(FileFormatError, match=r"line 3: a quote opened on this line is never closed"):
        toolkit.read_transactions(bad, customer="a", time="b", amount="c")
    bad.write_text('a,b,c\n1,2024-01-01,5\n2,2024-01-02,6\n4,2024-01-04,8,9\n')
    with pytest.raises(FileFormatError, match=r"quoted.csv, line 4: expected 3 fields \(as in the header\), found 4"):
        toolkit.read_transactions(bad, customer="a", time="b", amount="c")


def test_encoding_error_names_the_encoding(tmp_path):
    # issue #23 point 6: a GBK file is read as GB18030 by itself, with a note (it used to raise, suggesting gbk)
    path = tmp_path / "gbk.csv"
    path.write_bytes("客户,日期,金额\n1,2024-01-01,5\n".encode("gbk"))
    tx = toolkit.read_transactions(path, customer="客户", time="日期", amount="金额")
    assert len(tx) == 1 and any("read as GB18030" in n for n in tx.report.notes)
    tx = toolkit.read_transactions(path, customer="客户", time="日期", amount="金额", read_kwargs={"encoding": "gbk"})
    assert len(tx) == 1
    western = tmp_path / "latin.csv"  # not Chinese: refused, naming the encoding that fits
    western.write_bytes("client,date,montant\nCafé Müller,2024-01-01,5\n".encode("cp1252"))
    with pytest.raises(FileFormatError, match="encoding': 'latin-1'"):
        toolkit.read_transactions(western, customer="client", time="date", amount="montant")


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_title_block_above_the_header(tmp_path, suffix):
    raw = _lines()
    path = tmp_path / f"titled{suffix}"
    if suffix == ".csv":
        body = raw.to_csv(index=False)
        path.write_text("Sales export,,\nShop: all,,\n\n" + body)
        header_line = 4
    else:
        with pd.ExcelWriter(path) as writer:
            pd.DataFrame([["Sales export"], ["Shop: all"]]).to_excel(writer, header=False, index=False)
            raw.to_excel(writer, startrow=3, index=False)
        header_line = 4
    tx = toolkit.read_transactions(path, **COLS, on_bad_rows="drop")
    assert len(tx) == 7
    assert any(f"header is on {'line' if suffix == '.csv' else 'sheet row'} {header_line}" in n
               for n in tx.report.notes)
    assert list(tx.report.examples["missing customer_id"].index) == [header_line + 7]
    with pytest.raises(SchemaError, match=r"'CustID' not among the columns.*Did you mean 'CustomerID'.*skiprows"):
        toolkit.read_transactions(path, **{**COLS, "customer": "CustID"})


# ------------------------------------------------------------------ the command line speaks in flags
def test_cli_flags_form_amounts_and_messages_name_flags(tmp_path, capsys):
    path = tmp_path / "export.csv"
    _lines().to_csv(path, index=False)
    base = ["report", str(path), "--customer", "CustomerID", "--time", "InvoiceDate", "--order", "InvoiceNo",
            "--quantity", "Quantity", "--price", "UnitPrice", "-o", str(tmp_path / "r.html"), "-q"]
    assert main(base) == 1
    err = capsys.readouterr().err
    assert "--on-bad-rows drop" in err and "on_bad_rows=" not in err
    assert "first at line 8" in err
    assert main([*base[:-1], "--on-bad-rows", "net", "--item", "StockCode", "--exclude-items", "POST,M"]) == 0
    out = capsys.readouterr().out
    assert "non-product line (exclude_items)" in out and "dropped 2" in out
    assert main([*base, "--sep", ";"]) == 1
    err = capsys.readouterr().err
    assert "the separator looks like ','; pass --sep ','" in err and "read_kwargs" not in err


@pytest.mark.parametrize("text, flags", [
    ("pass on_bad_rows='drop' to remove", "pass --on-bad-rows drop to remove"),
    ("pass parse_amounts=True to strip", "pass --parse-amounts to strip"),
    ("pass read_kwargs={'sep': ';'}.", "pass --sep ';'."),
    ("pass exclude_items=['POST', 'BANK CHARGES']", "pass --exclude-items 'POST,BANK CHARGES'"),
    ("exclude_items=r'^(POST|M)$'", "--exclude-pattern '^(POST|M)$'"),
    ("pass skiprows=N (the rows)", "pass --skiprows N (the rows)"),
    ("pass date_format= (e.g. '%d/%m/%Y')", "pass --date-format (e.g. '%d/%m/%Y')"),
])
def test_messages_translate_to_flags(text, flags):
    assert _as_flags(text) == flags


# ------------------------------------------------------------------ the generator's truth (make_order_lines)
@given(seed=st.integers(0, 10_000), n=st.integers(3, 40), months=st.integers(6, 12))
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_transactions_reproduce_the_truth_of_a_raw_export(seed, n, months):
    from toolkit.datasets import NON_PRODUCT_CODES, make_order_lines

    raw, truth = make_order_lines(n, months, seed=seed, mean_lines_per_invoice=4.0)
    # a few customers' dates can all have day <= 12: the format is the generator's, said once (the inference is
    # tested on its own in tests/test_hostile_dates_files.py)
    cols = {**COLS, "date_format": "%m/%d/%Y %H:%M"}
    drop = toolkit.Transactions.from_frame(raw, **cols, on_bad_rows="drop")
    rep = drop.report
    assert rep.dropped.get("missing customer_id", 0) == truth.missing_id_rows
    assert rep.money_dropped.get("missing customer_id", 0.0) == pytest.approx(truth.missing_id_money, abs=0.01)
    assert rep.dropped.get("duplicate row", 0) == truth.duplicate_rows
    assert rep.money_kept == pytest.approx(truth.revenue_drop, abs=0.01)
    assert rep.cancelled_later == pytest.approx(truth.cancelled_matched, abs=0.01)
    assert drop.n_customers == truth.customers
    assert int(toolkit.customer_summary(drop)["n_orders"].sum()) == truth.orders
    fees = {code for code, lines in truth.non_product_lines.items() if lines}
    found = set() if rep.suspect_items is None else set(rep.suspect_items.index)
    assert found == fees  # every kept fee line is pointed out, and nothing else
    if fees:
        assert rep.suspect_items["rows"].to_dict() == {c: truth.non_product_lines[c] for c in fees}
    net = toolkit.Transactions.from_frame(raw, **cols, on_bad_rows="net", observation_end=truth.observation_end)
    assert net.report.money_kept == pytest.approx(truth.revenue_net, abs=0.01)
    unmatched = net.report.money_dropped.get("return larger than earlier purchases (remainder unmatched)", 0.0)
    assert -unmatched == pytest.approx(truth.cancelled_unmatched, abs=0.01)
    products = toolkit.Transactions.from_frame(raw, **cols, item="StockCode", on_bad_rows="net",
                                               exclude_items=list(NON_PRODUCT_CODES))
    assert products.report.money_kept == pytest.approx(truth.revenue_net_products, abs=0.01)
    assert products.report.suspect_items is None
    for r in (rep, net.report, products.report):
        assert r.balanced and r.money_balanced


def test_the_bundled_sample_reads_from_disk_to_the_truth(tmp_path):
    from toolkit.datasets import dataset_path, load_order_lines

    _, truth = load_order_lines()
    path = dataset_path("retail", "order_lines_sample.csv")
    tx = toolkit.read_transactions(path, **COLS, item="StockCode", on_bad_rows="net")
    assert tx.report.money_kept == pytest.approx(truth.revenue_net, abs=0.01)
    assert tx.n_customers == truth.customers and tx.customer_ids.dtype.kind == "i"
    assert tx.report.where == "line"
