"""One formatter for the report and the widgets (toolkit.formatting), and what it makes of the report's tables
(#18 points 1 and 2): human headers, one format per column, no True/False/None/nan or internal names in the
HTML, long tables cut to their top rows with the whole table as an embedded CSV download."""

import base64
import csv
import html
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.formatting import (
    column_formatter,
    column_kind,
    format_column,
    format_table,
    format_value,
    label,
)
from toolkit.i18n import get_language, set_language
from toolkit.report import build_report
from toolkit.report.format import MAX_TABLE_ROWS, _table_html

ROOT = Path(__file__).resolve().parents[1]


# ------------------------------------------------------------------------------------------- the formatter
def test_money_has_currency_separators_and_one_decimals_rule_per_column():
    assert format_value(1234.4, "money", currency="CNY") == "1,234 CNY"
    assert format_value(1234.4, "money", currency="£") == "£1,234"
    assert format_value(-5.0, "money", currency="£") == "-£5"
    assert format_value(2661672.13, "money") == "2,661,672"
    # small amounts (unit prices) keep their pence, and every cell of the column the same number of decimals
    assert format_column([2.2, 0.65, 1.0], "money") == ["2.20", "0.65", "1.00"]
    assert format_column([1155286.76, 117185.63, 40.0], "money") == ["1,155,287", "117,186", "40"]
    fmt = column_formatter([10.5, 3.25], "money", currency="GBP")
    assert fmt(10.5) == "10.50 GBP"


def test_shares_counts_scores_and_days():
    assert format_value(0.3891, "share") == "38.9%"
    assert format_column([0.5, 0.123, np.nan], name="revenue_share") == ["50.0%", "12.3%", "–"]
    assert format_column([1388.0, 2.0], "count") == ["1,388", "2"]
    assert format_column([4.644, 5.0, 1.0], name="mean_f_score") == ["4.6", "5.0", "1.0"]
    assert format_column([155, 210, 38], name="since_last_days") == ["155", "210", "38"]
    # durations: whole days once they are large, one decimal below 10
    assert format_column([18.66, 24.34], name="typical_gap_days") == ["19", "24"]
    assert format_column([1.26, 3.3], name="typical_gap_days") == ["1.3", "3.3"]


def test_plain_numbers_have_one_precision_per_column():
    # not "5" beside "4.644"
    assert format_column([5.0, 4.644, 3.2], "number") == ["5.00", "4.64", "3.20"]
    # a column spanning orders of magnitude: three significant digits each, the integer part never rounded away
    assert format_column([0.948, 62.11, 0.0123, 1234.5], "number") == ["0.948", "62.1", "0.0123", "1,234"]


def test_booleans_and_missing_values():
    assert format_column([True, False, None]) == ["✓", "–", "–"]
    for missing in (None, np.nan, pd.NaT, float("inf")):
        assert format_value(missing) == "–"
        assert format_value(missing, "money", currency="CNY") == "–"
    assert format_value(np.bool_(True)) == "✓"


def test_dates_are_dates_and_times_only_when_present():
    days = pd.Series(pd.to_datetime(["2024-01-02", "2024-03-04"]))
    assert format_column(days) == ["2024-01-02", "2024-03-04"]
    stamps = pd.Series(pd.to_datetime(["2024-01-02 00:00", "2024-03-04 13:05"]))
    assert format_column(stamps) == ["2024-01-02 00:00", "2024-03-04 13:05"]
    assert format_value(pd.Period("2024-01", "M")) == "2024-01"


def test_column_kinds_from_the_vocabulary_then_the_values():
    assert column_kind("revenue_share") == "share"
    assert column_kind("since_last_days") == "days"
    assert column_kind("value_at_risk") == "money"
    assert column_kind("p_alive") == "share"
    assert column_kind("clv") == "money"
    assert column_kind("frequency") == "count"
    assert column_kind("customer_id") == "id"
    assert column_kind("something", pd.Series([1, 2, 3])) == "count"
    assert column_kind("something", pd.Series([1.5, 2.25])) == "number"
    assert column_kind("something", pd.Series([True, False])) == "bool"
    assert column_kind("something", pd.Series(["a", "b"])) == "text"


def test_human_headers_in_english_and_chinese():
    assert label("revenue_share") == "Revenue share"
    assert label("since_last_days") == "Days since last purchase"
    assert label("mean_since_last", time_unit="W") == "Mean time since last purchase (weeks)"
    assert label("mean_basket_size") == "Mean basket size"  # unknown names: snake_case to words
    before = get_language()
    try:
        set_language("zh")
        assert label("revenue_share") == "收入占比"
    finally:
        set_language(before)


def test_format_table_per_column_and_per_row():
    table = pd.DataFrame({"customers": [174, 109], "share": [0.087, 0.0545], "revenue": [1155286.76, 117185.63],
                          "mean_r_score": [5.0, 4.644]}, index=pd.Index(["high", "potential"], name="tier"))
    ft = format_table(table, currency="CNY")
    assert ft.headers == ["Customers", "Share", "Revenue (CNY)", "Mean R score"]
    assert ft.index_header == "Value tier"
    assert ft.cells == [["174", "8.7%", "1,155,287", "5.0"], ["109", "5.5%", "117,186", "4.6"]]
    # long-format KPI tables: each row in its own unit
    kpis = pd.DataFrame({"kpi": ["reach rate", "LTV", "new customers"], "value": [1.0, 1840.01, 2000.0],
                         "unit": ["share", "money", "customers"]})
    cells = format_table(kpis, currency="CNY").cells
    assert [row[1] for row in cells] == ["100.0%", "1,840 CNY", "2,000"]
    assert not format_table(kpis).show_index  # a plain 0, 1, 2 index says nothing


def test_long_table_is_cut_with_a_csv_of_the_whole_table():
    full = pd.DataFrame({"value_at_risk": np.arange(50, 0, -1) * 10.0, "stage": ["lost"] * 50},
                        index=pd.Index(range(1000, 1050), name="customer_id"))
    text = _table_html(full, "early warning", currency="CNY")
    assert text.count("<tr>") == MAX_TABLE_ROWS + 1  # header + shown rows
    assert f"Top {MAX_TABLE_ROWS} of 50" in html.unescape(text)
    rows = _download(text, "early-warning.csv")
    assert rows[0] == ["Customer", "Value at risk", "Stage"] and len(rows) == 51
    assert float(rows[-1][1]) == 10.0
    short = _table_html(full.head(MAX_TABLE_ROWS))
    assert "download" not in short and short.count("<tr>") == MAX_TABLE_ROWS + 1


def _download(text, filename):
    match = re.search(rf'<a class="download" download="{re.escape(filename)}" '
                      r'href="data:text/csv;charset=utf-8;base64,([A-Za-z0-9+/=]+)"', text)
    assert match, f"no download link {filename}"
    data = base64.b64decode(match.group(1)).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(data)))


# ------------------------------------------------------------------------------------------- the reports
@pytest.fixture(scope="module")
def company_report():
    company = toolkit.datasets.load_company()
    tx = company.to_transactions(time_unit="W")
    return build_report(tx, events=company.events, nps=company.nps, industry_clv=900.0,
                        settings={"currency": "CNY"}, progress=False)


@pytest.fixture(scope="module")
def company_html(company_report):
    return company_report.html()


@pytest.fixture(scope="module")
def orders_html(tmp_path_factory):
    out = tmp_path_factory.mktemp("orders") / "orders.html"
    subprocess.run([sys.executable, "-m", "toolkit", "report", str(ROOT / "datasets/retail/order_lines_sample.csv"),
                    "--customer", "CustomerID", "--time", "InvoiceDate", "--order", "InvoiceNo", "--quantity",
                    "Quantity", "--price", "UnitPrice", "--item", "StockCode", "--on-bad-rows", "net",
                    "--currency", "GBP", "-o", str(out)], check=True, capture_output=True, cwd=ROOT)
    return out.read_text(encoding="utf-8")


def _tables(text):
    """(headers, cells) of every report table, as the reader sees them."""
    out = []
    for table in re.findall(r'<table class="table">(.*?)</table>', text, re.DOTALL):
        head, _, body = table.partition("</thead>")
        headers = [html.unescape(re.sub(r"<[^>]+>", "", h)) for h in re.findall(r"<th[^>]*>.*?</th>", head, re.DOTALL)]
        cells = [html.unescape(re.sub(r"<[^>]+>", "", c)) for c in re.findall(r"<t[dh][^>]*>.*?</t[dh]>", body, re.DOTALL)]
        out.append((headers, cells))
    return out


def _visible_text(text):
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", " ", text, flags=re.DOTALL)
    text = re.sub(r'(href|src)="data:[^"]*"', "", text)
    return html.unescape(re.sub(r"<[^>]+>", " ", text))


SNAKE = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)+$")
RAW = {"True", "False", "None", "nan", "NaN", "NaT", "<NA>", "inf", "-inf"}


@pytest.mark.parametrize("which", ["company_html", "orders_html"])
def test_report_tables_read_like_a_deliverable(which, request):
    text = request.getfixturevalue(which)
    tables = _tables(text)
    assert len(tables) >= 15
    headers = [h for hs, _ in tables for h in hs]
    cells = [c for _, cs in tables for c in cs]
    assert not [h for h in headers if SNAKE.match(h.strip())], "snake_case headers"
    assert not [c for c in cells if c.strip() in RAW], "raw Python values in cells"
    assert "toolkit." not in _visible_text(text)
    # shares as percentages, money with the currency in its header
    assert any(h.startswith("Revenue share") for h in headers)
    assert any(h.endswith(("(CNY)", "(GBP)")) for h in headers)


def test_company_early_warning_and_clv_ranking_are_cut_with_full_downloads(company_report, company_html):
    warning = company_report["lifecycle"].tables["early warning"]
    assert len(warning) > MAX_TABLE_ROWS
    assert warning["value_at_risk"].is_monotonic_decreasing  # the top rows are the ones that matter
    assert f"Top {MAX_TABLE_ROWS} of {len(warning):,} — download all (CSV)" in company_html
    rows = _download(company_html, "early-warning.csv")
    assert len(rows) - 1 == len(warning)
    assert rows[0][:2] == ["Customer", "Stage"] and rows[1][0] == str(warning.index[0])
    ranked = company_report["clv"].tables["customers ranked by model CLV"]
    assert ranked["model_clv"].dropna().is_monotonic_decreasing
    rows = _download(company_html, "customers-ranked-by-model-clv.csv")
    assert len(rows) - 1 == len(ranked)
    # every table longer than the cut has a download, and no shown table is longer than the cut
    n_long = sum(len(t) > MAX_TABLE_ROWS for s in company_report.sections for t in s.tables.values())
    assert company_html.count('<a class="download"') >= n_long
    for table in re.findall(r'<table class="table">.*?</table>', company_html, re.DOTALL):
        assert table.count("<tr>") <= MAX_TABLE_ROWS + 1


def test_orders_report_customer_ranking_download(orders_html):
    match = re.search(r"Top 20 of ([\d,]+) — download all \(CSV\)", orders_html)
    assert match
    rows = _download(orders_html, "customers-ranked-by-model-clv.csv")
    assert len(rows) - 1 == int(match.group(1).replace(",", ""))
