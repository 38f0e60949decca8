"""Hostile money, quantities and discounts (issue #23, point 2 and the money cases of point 8).

Every case a user met is a test: European amounts misread by ``parse_amounts=True``, percentages taken for
money, text in the quantity and discount columns coerced to 0 or NaN without a word. The rules under test:
the decimal separator is decided per column from the values (or by ``decimal=``); a column that mixes styles,
or that no value settles, raises and names ``decimal=``; percentages are refused; text that is no number is a
bad row of its own column (an error, or a drop counted with its money), never a silent 0 or NaN.
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import toolkit
from toolkit.__main__ import main
from toolkit.data import parse_money
from toolkit.errors import DataQualityError, SchemaError


def frame(values, **extra):
    n = len(values)
    return pd.DataFrame({"cust": [f"c{i % 3}" for i in range(n)],
                         "date": pd.date_range("2024-01-01", periods=n, freq="D").strftime("%Y-%m-%d"),
                         "value": values, **extra})


def build(df, **kw):
    return toolkit.Transactions.from_frame(df, customer="cust", time="date", amount="value", **kw)


def amounts(tx):
    """Amounts of the canonical frame in the order of the raw rows (dates are distinct and increasing)."""
    return tx.frame.sort_values("timestamp")["amount"].tolist()


def assert_balanced(tx):
    r = tx.report
    assert r.balanced and r.money_balanced, repr(r)


# ------------------------------------------------------------------ the cases users met
def test_european_amounts_with_parse_amounts_are_read_as_written():
    # parse_amounts=True used to read '€1.234,50' as 1.2345 and '1 234,50' as 123450
    tx = build(frame(["€1.234,50", "1 234,50", "12,50", "€ 3,99"]), parse_amounts=True)
    assert amounts(tx) == [1234.5, 1234.5, 12.5, 3.99]


def test_european_csv_revenue_is_the_written_revenue(tmp_path):
    # a semicolon CSV from a European shop system: the report showed revenue 26x too high
    path = tmp_path / "export.csv"
    path.write_text("kunde;datum;umsatz\n"
                    "1;2024-01-03;1.234,50 €\n"
                    "1;2024-02-03;89,90 €\n"
                    "2;2024-01-05;2.000,00 €\n"
                    "2;2024-03-05;15,00 €\n", encoding="utf-8")
    tx = toolkit.read_transactions(path, "kunde", "datum", "umsatz", read_kwargs={"sep": ";"}, parse_amounts=True)
    assert tx.frame["amount"].sum() == pytest.approx(1234.50 + 89.90 + 2000.00 + 15.00, abs=1e-9)
    assert tx.report.money_in == pytest.approx(3339.40, abs=1e-9)


def test_percentage_is_not_money():
    df = frame(["12.5%", "10.00", "20.00"])
    with pytest.raises(DataQualityError, match=r"percentage \(not money\) in column 'value': 1 rows") as err:
        build(df, parse_amounts=True)
    assert "Fix: amounts are money, not rates" in str(err.value)
    # without parse_amounts too: a percentage is never read as 12.5
    with pytest.raises(DataQualityError, match=r"percentage \(not money\)"):
        build(df)
    tx = build(df, parse_amounts=True, on_bad_rows="drop")
    assert tx.report.dropped == {"percentage (not money)": 1}
    assert amounts(tx) == [10.0, 20.0]
    assert_balanced(tx)


def test_a_column_of_percentages_is_the_wrong_column():
    with pytest.raises(SchemaError, match=r"holds percentages \(e.g. '12.5%', '3%'.*not money: map `amount=`"):
        build(frame(["12.5%", "3%", "12.5%"]), parse_amounts=True, on_bad_rows="drop")


def test_discount_text_is_read_or_refused_never_zero():
    # '¥5' used to become 0 and '10%' too
    df = frame(["100", "50", "80"], disc=["¥5", "", "0"])
    tx = toolkit.Transactions.from_frame(df, customer="cust", time="date", amount="value", discount="disc",
                                         parse_amounts=True)
    assert tx.frame.sort_values("timestamp")["discount"].tolist() == [5.0, 0.0, 0.0]  # blank: no discount
    with pytest.raises(SchemaError, match=r"1 non-numeric discounts \(e.g. '¥5'\).*parse_amounts=True"):
        toolkit.Transactions.from_frame(df, customer="cust", time="date", amount="value", discount="disc")


def test_percentage_discount_is_refused_with_the_reason():
    df = frame(["100", "50", "80"], disc=["10%", "5", "0"])
    kw = dict(customer="cust", time="date", amount="value", discount="disc")
    with pytest.raises(DataQualityError, match=r"percentage discount in column 'disc': 1 rows") as err:
        toolkit.Transactions.from_frame(df, **kw)
    assert "money off the order, not a rate" in str(err.value)
    tx = toolkit.Transactions.from_frame(df, **kw, on_bad_rows="drop")
    assert tx.report.dropped == {"percentage discount": 1}
    assert tx.report.money_dropped == {"percentage discount": 100.0}  # the row's money is reported, not lost
    assert_balanced(tx)
    with pytest.raises(SchemaError, match=r"holds percentages.*discount column is money off the order"):
        toolkit.Transactions.from_frame(frame(["100", "50"], disc=["10%", "5%"]), **kw, on_bad_rows="drop")


def test_words_in_the_discount_are_bad_rows():
    df = frame(["100", "50", "80"], disc=["abc", "5", "0"])
    kw = dict(customer="cust", time="date", amount="value", discount="disc")
    with pytest.raises(DataQualityError, match=r"unparseable discount in column 'disc': 1 rows \(first at rows \[0\]\)"):
        toolkit.Transactions.from_frame(df, **kw)
    tx = toolkit.Transactions.from_frame(df, **kw, on_bad_rows="net")
    assert tx.report.dropped == {"unparseable discount": 1}
    assert tx.frame["discount"].dtype == np.float64
    assert_balanced(tx)


def test_words_in_the_quantity_are_bad_rows_not_nan():
    # quantity "two" used to become NaN silently
    df = frame(["10", "20", "30"], q=["two", "1", "3"])
    kw = dict(customer="cust", time="date", amount="value", quantity="q")
    with pytest.raises(DataQualityError, match=r"unparseable quantity in column 'q': 1 rows") as err:
        toolkit.Transactions.from_frame(df, **kw)
    assert "Fix: fix the item counts" in str(err.value)
    tx = toolkit.Transactions.from_frame(df, **kw, on_bad_rows="drop")
    assert tx.report.dropped == {"unparseable quantity": 1}
    assert tx.report.money_dropped == {"unparseable quantity": 10.0}
    assert tx.frame.sort_values("timestamp")["quantity"].tolist() == [1.0, 3.0]
    assert_balanced(tx)


def test_quantity_forming_the_amount_is_its_own_reason():
    df = frame(["2.50", "1.00", "4.00"], q=["2", "12%", "€3"])
    kw = dict(customer="cust", time="date", price="value", quantity="q", parse_amounts=True)
    tx = toolkit.Transactions.from_frame(df, **kw, on_bad_rows="drop")
    assert tx.report.dropped == {"unparseable quantity": 2}  # a percentage or a currency is no item count
    assert amounts(tx) == [5.0]
    assert_balanced(tx)


def test_quantity_separators_follow_the_money_column():
    # '1.000' alone could be one or a thousand: the amounts' decimal comma settles it
    df = frame(["1.250,00", "12,50", "3,00"], q=["1.000", "10", "2"])
    tx = toolkit.Transactions.from_frame(df, customer="cust", time="date", amount="value", quantity="q",
                                         parse_amounts=True)
    assert tx.frame.sort_values("timestamp")["quantity"].tolist() == [1000.0, 10.0, 2.0]
    with pytest.raises(SchemaError, match=r"1 non-numeric quantities \(e.g. '1,000'\).*parse_amounts=True"):
        toolkit.Transactions.from_frame(frame(["1", "2"], q=["1,000", "2"]), customer="cust", time="date",
                                        amount="value", quantity="q")


def test_numeric_quantity_keeps_its_dtype():
    tx = toolkit.Transactions.from_frame(frame([1.0, 2.0], q=[1, 2]), customer="cust", time="date",
                                         amount="value", quantity="q")
    assert tx.frame["quantity"].dtype == np.int64


# ------------------------------------------------------------------ the parser, value by value
@pytest.mark.parametrize("text, value", [
    ("CHF 1'234.50", 1234.5),
    ("CHF 1’234.50", 1234.5),
    ("1.234.567,89", 1234567.89),
    ("1,234,567.89", 1234567.89),
    ("-12,50 €", -12.5),
    ("€-12,50", -12.5),
    ("−12.50", -12.5),  # U+2212 minus sign
    ("(3.00)", -3.0),
    ("($3.00)", -3.0),
    ("12,50-", -12.5),
    ("+7.25", 7.25),
    ("1\u00a0234,50", 1234.5),  # no-break space
    ("1\u202f234,50 €", 1234.5),  # narrow no-break space (French)
    ("1 234 567", 1234567.0),
    ("R$ 1.234,56", 1234.56),
    ("₹12,34,567.89", 1234567.89),  # Indian lakh grouping
    ("US$ 99.99", 99.99),
    ("kr. 12,50", 12.5),
    ("12,50 zł", 12.5),
    ("99元", 99.0),
    (".50", 0.5),
    ("1.5e3", 1500.0),
])
def test_formats(text, value):
    parsed = parse_money([text])
    assert parsed.values[0] == value and not parsed.unreadable.any()


@pytest.mark.parametrize("text", ["two", "12 kg", "--3", "(-3)", "(3", "2024-01-05", "1,2,3", "1.234,5.6",
                                  "EUR EUR 3", "12.50 EUR EUR"])
def test_not_money(text):
    parsed = parse_money([text])
    assert parsed.unreadable.all() and np.isnan(parsed.values).all()


def test_blank_and_written_na_are_missing():
    parsed = parse_money(["", "  ", "nan", "N/A", None, "3.50"])
    assert parsed.missing.tolist() == [True] * 5 + [False]
    assert not parsed.unreadable.any()
    df = frame(["", "10", "20"])
    with pytest.raises(DataQualityError, match="missing amount in column 'value': 1 rows"):
        build(df, parse_amounts=True)


def test_usd_1234_takes_the_columns_decimal_point():
    assert parse_money(["USD 1,234", "3.99"]).values.tolist() == [1234.0, 3.99]


def test_ambiguous_values_are_settled_by_the_column():
    # '1,234': a thousand and more, or one and a bit? Two digits after a comma elsewhere mean a decimal comma
    assert parse_money(["1,234", "12,50"]).values.tolist() == [1.234, 12.5]
    assert parse_money(["1,234", "1,234.50"]).values.tolist() == [1234.0, 1234.5]
    assert parse_money(["1.234", "7,5"]).values.tolist() == [1234.0, 7.5]
    assert parse_money(["1 234", "5"]).values.tolist() == [1234.0, 5.0]  # the same either way: no question


def test_a_wholly_ambiguous_column_asks_for_decimal():
    df = frame(["1,234", "5,000", "12"])
    with pytest.raises(SchemaError, match=r"cannot be told from the values.*'1,234', '5,000'.*'1,234' is 1234 "
                                          r"with a decimal point and 1\.234 with a decimal comma.*decimal='\.' or "
                                          r"decimal=','") as err:
        build(df, parse_amounts=True)
    assert "rows [0, 1]" in str(err.value)
    assert amounts(build(df, decimal=",")) == [1.234, 5.0, 12.0]
    assert amounts(build(df, decimal=".")) == [1234.0, 5000.0, 12.0]


def test_a_column_mixing_styles_names_examples_of_each():
    df = frame(["1,234.50", "3.99", "12,50", "7"])
    with pytest.raises(SchemaError, match=r"mixes decimal separators: 2 use a decimal point \(e.g. '1,234.50', "
                                          r"'3.99'; first at rows \[0, 1\]\) and 1 use a decimal comma \(e.g. "
                                          r"'12,50'; first at rows \[2\]\).*decimal='\.' or decimal=','"):
        build(df, parse_amounts=True)
    # naming the style keeps it; values of the other style are bad rows, dropped and counted
    tx = build(df, decimal=".", on_bad_rows="drop")
    assert tx.report.dropped == {"unparseable amount": 1}
    assert amounts(tx) == [1234.5, 3.99, 7.0]
    assert_balanced(tx)


def test_without_the_option_the_message_names_what_fixes_it():
    with pytest.raises(SchemaError, match=r"2 non-numeric amounts \(e.g. '€1.234,50', '12,50'\).*pass "
                                          r"parse_amounts=True.*decimal comma"):
        build(frame(["€1.234,50", "12,50", "3"]))
    with pytest.raises(SchemaError, match=r"parse_amounts=True.*no value tells the decimal separator.*"
                                          r"decimal='\.' or decimal=','"):
        build(frame(["$1,234", "$5,000", "3"]))
    with pytest.raises(SchemaError, match=r"parse_amounts=True.*mixes a decimal point.*decimal comma"):
        build(frame(["$1,234.50", "12,50", "3"]))


def test_words_without_the_option_are_bad_rows_not_a_wrong_hint():
    # parse_amounts=True would not fix 'abc': it is a bad row, reported like any other
    df = frame(["abc", "12", "10"])
    with pytest.raises(DataQualityError, match=r"unparseable amount in column 'value': 1 rows"):
        build(df)
    tx = build(df, on_bad_rows="drop")
    assert tx.report.dropped == {"unparseable amount": 1} and amounts(tx) == [12.0, 10.0]


def test_spreadsheet_numbers_among_text_are_not_evidence():
    # an Excel column of number cells and text cells: 12.5 is a number, not a '12.5' written with a point
    parsed = parse_money(pd.Series([12.5, "1.234,50", 3, None], dtype=object))
    assert parsed.values[:3].tolist() == [12.5, 1234.5, 3.0] and parsed.decimal == ","
    assert parsed.missing.tolist() == [False, False, False, True]


def test_rows_read_from_a_file_are_named_by_line(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_text("c,d,v\n1,2024-01-01,\"1,234.50\"\n1,2024-01-02,\"12,50\"\n2,2024-01-03,3.00\n")
    with pytest.raises(SchemaError, match=r"decimal point \(e.g. '1,234.50', '3.00'; first at lines 2, 4\).*"
                                          r"decimal comma \(e.g. '12,50'; first at line 3\)"):
        toolkit.read_transactions(path, "c", "d", "v", parse_amounts=True)


def test_bad_decimal_option():
    with pytest.raises(ValueError, match="decimal must be None, '.' or ','"):
        build(frame(["1", "2"]), decimal=";")


def test_numbers_stay_on_the_free_path():
    values = pd.Series(np.arange(5) / 4)
    tx = build(frame(values.tolist()), parse_amounts=True, decimal=",")  # numbers need no separator
    assert amounts(tx) == values.tolist()


# ------------------------------------------------------------------ the command line
def test_cli_names_the_flags_and_reads_with_decimal(tmp_path, capsys):
    path = tmp_path / "export.csv"
    rows = ["Kunde,Datum,Betrag"] + [f"{c},2024-0{m}-0{d},\"{v}\"" for c, m, d, v in [
        (1, 1, 3, "1,234"), (1, 2, 4, "2,500"), (2, 1, 5, "5,000"), (2, 3, 6, "1,000"), (3, 2, 7, "3,125")]]
    path.write_text("\n".join(rows) + "\n")
    base = ["report", str(path), "--customer", "Kunde", "--time", "Datum", "--amount", "Betrag",
            "-o", str(tmp_path / "r.html")]
    assert main([*base, "-q"]) == 1
    err = capsys.readouterr().err
    assert "--parse-amounts" in err and "--decimal . or --decimal ," in err and "decimal=" not in err
    assert main([*base, "--parse-amounts", "-q"]) == 1
    err = capsys.readouterr().err
    assert "--decimal . or --decimal ," in err and "first at lines 2, 3" in err
    assert main([*base, "--decimal", ","]) == 0  # the dashboard export wrote euros with a decimal comma
    out = capsys.readouterr().out
    assert "money: 12.86 in = 12.86 kept" in out


# ------------------------------------------------------------------ property: every style reads back to the cent
def _group(units, sep, indian=False):
    digits = str(units)
    if indian and len(digits) > 3:
        head, tail = digits[:-3], digits[-3:]
        pairs = []
        while len(head) > 2:
            pairs.insert(0, head[-2:])
            head = head[:-2]
        return sep.join([head, *pairs, tail])
    return f"{units:,}".replace(",", sep)


STYLES = {  # (thousands separator, decimal separator)
    "us": (",", "."), "eu": (".", ","), "swiss": ("'", "."), "swiss typographic": ("\u2019", "."),
    "french": ("\u202f", ","), "no-break space": ("\u00a0", ","), "space point": (" ", "."),
    "ungrouped point": ("", "."), "ungrouped comma": ("", ","), "indian": ("indian", "."),
}
CURRENCY = ["", "$", "€", "£", "¥", "USD ", "EUR ", "CHF ", "R$ ", " €", " zł", " EUR", " kr"]
NEGATIVE = ["-x", "x-", "(x)"]


def _format(cents, style, currency, negative):
    thousands, point = STYLES[style]
    units, rest = divmod(abs(cents), 100)
    grouped = _group(units, ",", indian=True) if thousands == "indian" else (
        str(units) if not thousands else _group(units, thousands))
    number = f"{grouped}{point}{rest:02d}"
    money = currency + number if not currency.startswith(" ") else number + currency
    if cents < 0:
        money = {"-x": "-" + money, "x-": money + "-", "(x)": f"({money})"}[negative]
    return money


@given(st.lists(st.integers(-10 ** 11, 10 ** 11), min_size=1, max_size=20), st.sampled_from(sorted(STYLES)),
       st.sampled_from(CURRENCY), st.sampled_from(NEGATIVE))
def test_every_style_reads_back_to_the_cent(cents, style, currency, negative):
    texts = [_format(c, style, currency, negative) for c in cents]
    parsed = parse_money(texts)
    assert not parsed.unreadable.any(), texts
    assert parsed.values.tolist() == [c / 100 for c in cents], texts
    assert parsed.decimal == STYLES[style][1]


@given(st.lists(st.floats(-1e9, 1e9, allow_nan=False), min_size=1, max_size=20))
def test_plain_numbers_read_as_pandas_reads_them(values):
    texts = [f"{v:.2f}" for v in values]
    assert parse_money(texts).values.tolist() == [float(t) for t in texts]
