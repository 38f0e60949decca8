"""Raw order-line exports with exact truth (toolkit.datasets.make_order_lines, load_order_lines).

The truth comes from the generator's bookkeeping; these tests recompute it from the frame alone, with plain
pandas and a slow, line-by-line netting, and check the invariants that make it unambiguous.
"""

import hashlib
import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit import datasets as D

ROOT = Path(__file__).resolve().parents[1]
RETAIL = ROOT / "datasets" / "retail"
FORMAT = "%m/%d/%Y %H:%M"
NON_PRODUCT = set(D.NON_PRODUCT_CODES)
MAPPED = ["CustomerID", "InvoiceDate", "InvoiceNo", "Quantity", "UnitPrice", "StockCode"]


# ------------------------------------------------------------------------------------------------------
# independent references
# ------------------------------------------------------------------------------------------------------


def cents(values) -> int:
    """Money as whole pence (each line's amount is a whole number of pence)."""
    return int(np.round(np.asarray(values, dtype=float) * 100).astype(np.int64).sum())


def reference(frame: pd.DataFrame) -> dict:
    """The drop-mode numbers by the cleaning rules, plain pandas on the frame alone."""
    amount = frame["Quantity"] * frame["UnitPrice"]
    missing = frame["CustomerID"].isna()
    dup = frame.duplicated(keep="first")
    kept = frame[~missing & ~dup]
    buy = kept[kept["Quantity"] > 0]
    neg = kept[kept["Quantity"] < 0]
    products = ~buy["StockCode"].isin(NON_PRODUCT)
    times = pd.to_datetime(frame["InvoiceDate"], format=FORMAT)
    out = {
        "rows": len(frame),
        "missing_id_rows": int(missing.sum()),
        "missing_id_money": cents(amount[missing]),
        "duplicate_rows": int(dup.sum()),
        "duplicate_money": cents(amount[dup]),
        "purchase_lines": len(buy),
        "customers": buy["CustomerID"].nunique(),
        "orders": buy["InvoiceNo"].nunique(),
        "revenue_drop": cents(buy["Quantity"] * buy["UnitPrice"]),
        "revenue_drop_products": cents((buy["Quantity"] * buy["UnitPrice"])[products]),
        "cancellation_lines": len(neg),
        "cancellation_invoices": neg["InvoiceNo"].nunique(),
        "first_invoice": times.min(),
        "last_invoice": times.max(),
        "non_product_lines": {c: int((buy["StockCode"] == c).sum()) for c in D.NON_PRODUCT_CODES},
        "non_product_money": {
            c: cents((buy["Quantity"] * buy["UnitPrice"])[buy["StockCode"] == c]) for c in D.NON_PRODUCT_CODES
        },
    }
    return out


def naive_net(frame: pd.DataFrame, products_only: bool = False) -> tuple[int, int]:
    """Matched and unmatched refund pence by the netting rule, one line at a time.

    Rows without a customer id and duplicate copies go first. Each refund, in time order, takes money from
    the same customer's strictly earlier purchases: the same invoice first, then the latest purchases first,
    until it is used up; what is left is unmatched.
    """
    df = frame[frame["CustomerID"].notna() & ~frame.duplicated(keep="first")]
    if products_only:
        df = df[~df["StockCode"].isin(NON_PRODUCT)]
    df = df.assign(
        t=pd.to_datetime(df["InvoiceDate"], format=FORMAT),
        pence=np.round(df["Quantity"] * df["UnitPrice"] * 100).astype(np.int64),
    )
    matched = unmatched = 0
    for _, g in df.groupby("CustomerID", sort=False):
        pool = []  # [time, invoice, remaining pence] of purchases already made
        for t, at in g.groupby("t", sort=True):
            for inv, pence in zip(at["InvoiceNo"], at["pence"]):
                if pence >= 0:
                    continue
                need = -int(pence)
                same = [p for p in pool if p[1] == inv]
                latest = sorted((p for p in pool if p[1] != inv), key=lambda p: p[0], reverse=True)
                for p in same + latest:
                    take = min(need, p[2])
                    p[2] -= take
                    need -= take
                    if need == 0:
                        break
                matched += -int(pence) - need
                unmatched += need
            pool.extend([t, inv, int(pence)] for inv, pence in zip(at["InvoiceNo"], at["pence"]) if pence > 0)
    return matched, unmatched


def assert_truth_matches_reference(frame, truth):
    ref = reference(frame)
    for name, value in ref.items():
        got = getattr(truth, name)
        if name.endswith(("_money", "revenue_drop", "revenue_drop_products")):
            if isinstance(value, dict):
                assert {k: round(v * 100) for k, v in got.items()} == value, name
            else:
                assert round(got * 100) == value, name
        else:
            assert got == value, name
    matched, unmatched = naive_net(frame)
    assert round(truth.cancelled_matched * 100) == matched
    assert round(truth.cancelled_unmatched * 100) == unmatched
    assert round(truth.revenue_net * 100) == ref["revenue_drop"] - matched
    # with the non-product lines excluded before netting, the same refunds match
    assert naive_net(frame, products_only=True) == (matched, unmatched)
    assert round(truth.revenue_net_products * 100) == ref["revenue_drop_products"] - matched


def assert_invariants(frame, truth):
    t = pd.to_datetime(frame["InvoiceDate"], format=FORMAT)
    # layout of the export
    assert frame.columns.tolist() == list(D.ORDER_LINE_COLUMNS)
    assert frame["InvoiceNo"].str.fullmatch(r"C?\d{6}").all()
    assert frame["InvoiceDate"].str.fullmatch(r"\d{1,2}/\d{1,2}/\d{4} \d{1,2}:\d{2}").all()
    is_c = frame["InvoiceNo"].str.startswith("C")
    assert ((frame["Quantity"] < 0) == is_c).all() and (frame["Quantity"] != 0).all()
    assert (frame["UnitPrice"] > 0).all()
    assert np.allclose(frame["UnitPrice"] * 100, np.round(frame["UnitPrice"] * 100))
    product = ~frame["StockCode"].isin(NON_PRODUCT)
    assert frame.loc[product, "StockCode"].str.fullmatch(r"\d{5}[A-Z]?").all()
    assert not (is_c & ~product).any()  # fee lines are never cancelled
    ids = frame["CustomerID"].dropna()
    assert (ids == np.round(ids)).all() and ids.between(10000, 99999).all()
    # an invoice has one time, customer and country; numbers follow time; distinct codes within an invoice
    per_inv = frame.assign(t=t, cid=frame["CustomerID"].fillna(-1)).groupby("InvoiceNo")
    assert (per_inv[["t", "cid", "Country"]].nunique() == 1).all().all()
    number = frame["InvoiceNo"].str.lstrip("C").astype(int)
    assert number.is_monotonic_increasing and t.is_monotonic_increasing
    assert frame.drop_duplicates()[["InvoiceNo", "StockCode"]].duplicated().sum() == 0
    # window: from start to the end of observation_end; the shop is closed on Saturdays
    assert t.min() >= truth.start and t.max() < truth.observation_end + pd.Timedelta(days=1)
    assert truth.observation_end == truth.start + pd.DateOffset(months=truth.months) - pd.Timedelta(days=1)
    assert (t.dt.day_of_week != 5).all()
    # duplicates: only positive lines with an id, and full-row equal == equal in the mapped columns
    dup = frame.duplicated()
    assert frame.loc[dup, "CustomerID"].notna().all() and (frame.loc[dup, "Quantity"] > 0).all()
    assert frame.duplicated(subset=MAPPED).sum() == dup.sum()
    # cancellations: the link table covers every negative line with an id
    links = truth.cancellations
    neg_rows = np.flatnonzero(is_c.to_numpy() & frame["CustomerID"].notna().to_numpy())
    assert links["row"].tolist() == neg_rows.tolist()
    assert (links["kind"] == "matched").sum() == truth.cancelled_matched_lines
    assert (links["kind"] == "pre_window").sum() == truth.cancelled_unmatched_lines
    m = links[links["kind"] == "matched"]
    c, o = frame.iloc[m["row"]], frame.iloc[m["cancels_row"]]
    assert m["cancels_row"].is_unique  # each line cancelled at most once
    assert (o["Quantity"].to_numpy() > 0).all() and o["CustomerID"].notna().all()
    assert (c["CustomerID"].to_numpy() == o["CustomerID"].to_numpy()).all()
    assert (c["StockCode"].to_numpy() == o["StockCode"].to_numpy()).all()
    assert (c["UnitPrice"].to_numpy() == o["UnitPrice"].to_numpy()).all()
    assert (-c["Quantity"].to_numpy() <= o["Quantity"].to_numpy()).all()
    assert (t.iloc[m["row"]].to_numpy() > t.iloc[m["cancels_row"]].to_numpy()).all()  # strictly after
    # pre-window cancellations precede each such customer's first purchase in the window
    p = links[links["kind"] == "pre_window"]
    assert (p["cancels_row"] == -1).all()
    buys = frame["Quantity"] > 0
    first_buy = t[buys].groupby(frame.loc[buys, "CustomerID"]).min()
    pre_cust = frame["CustomerID"].iloc[p["row"]]
    first = pre_cust.map(first_buy)
    later = first.isna() | (first.to_numpy() > t.iloc[p["row"]].to_numpy())
    assert later.all()
    assert pre_cust.nunique() == truth.pre_window_customers


def equal_total_pairs(frame) -> tuple[int, int]:
    """(multi-line invoices, those holding two distinct codes with equal Quantity * UnitPrice)."""
    f = frame.drop_duplicates()
    f = f[~f["InvoiceNo"].str.startswith("C")].assign(pence=np.round(f["Quantity"] * f["UnitPrice"] * 100))
    sizes = f.groupby("InvoiceNo").size()
    pairs = f[f.duplicated(["InvoiceNo", "pence"], keep=False)]
    distinct = pairs.groupby(["InvoiceNo", "pence"])["StockCode"].nunique()
    return int((sizes >= 2).sum()), int(distinct[distinct >= 2].index.get_level_values(0).nunique())


# ------------------------------------------------------------------------------------------------------
# generated frames
# ------------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def medium():
    return D.make_order_lines(300, months=12, seed=5)


def test_truth_matches_plain_pandas_and_naive_netting(medium):
    frame, truth = medium
    assert_truth_matches_reference(frame, truth)
    assert_invariants(frame, truth)


def test_dirt_is_present_in_the_stated_amounts(medium):
    frame, truth = medium
    assert truth.customers == 300
    assert 0.15 < truth.missing_id_rows / truth.rows < 0.25
    assert 0.006 < truth.duplicate_rows / truth.rows < 0.014
    assert truth.cancelled_matched_lines > 100 and truth.cancelled_unmatched_lines > 0
    assert truth.pre_window_customers >= 3
    # some duplicates are triplicates; some ids appear only on pre-window cancellations
    assert frame[frame.duplicated(keep=False)].value_counts().max() == 3
    assert frame["CustomerID"].nunique() > truth.customers
    assert truth.non_product_lines["POST"] > 10 and truth.non_product_lines["C2"] > 0
    assert truth.cancellation_lines == truth.cancelled_matched_lines + truth.cancelled_unmatched_lines
    # a naive de-duplication without the stock code would wrongly remove lines
    assert frame.duplicated(subset=[c for c in MAPPED if c != "StockCode"]).sum() > truth.duplicate_rows


def test_multi_line_invoices_hold_equal_total_distinct_lines():
    # with about 3 lines per invoice, chance coincidences are rare (about 4%): the planted pairs show
    frame, truth = D.make_order_lines(300, months=12, seed=5, mean_lines_per_invoice=3.0)
    multi, with_pair = equal_total_pairs(frame)
    assert multi > 500 and with_pair > 0.25 * multi
    assert_truth_matches_reference(frame, truth)


def test_partial_cancellations_and_whole_ones(medium):
    frame, truth = medium
    m = truth.cancellations[truth.cancellations["kind"] == "matched"]
    cancelled = -frame["Quantity"].to_numpy()[m["row"]]
    bought = frame["Quantity"].to_numpy()[m["cancels_row"]]
    assert (cancelled == bought).any() and (cancelled < bought).any()
    # minutes to weeks later
    t = pd.to_datetime(frame["InvoiceDate"], format=FORMAT).to_numpy()
    gap = pd.to_timedelta(t[m["row"]] - t[m["cancels_row"]])
    assert gap.min() < pd.Timedelta(hours=3) and gap.max() > pd.Timedelta(days=7)


@settings(max_examples=20, deadline=None)
@given(
    n_customers=st.integers(1, 40),
    months=st.integers(6, 12),
    seed=st.integers(0, 2**32 - 1),
    lines=st.floats(1.0, 12.0),
)
def test_truth_is_conserved_on_random_exports(n_customers, months, seed, lines):
    frame, truth = D.make_order_lines(n_customers, months=months, seed=seed, mean_lines_per_invoice=lines)
    assert_truth_matches_reference(frame, truth)
    assert_invariants(frame, truth)
    assert truth.customers == n_customers
    # conservation: every raw row is a kept purchase, a cancellation with an id, a copy or a guest row
    assert truth.rows == (truth.purchase_lines + truth.cancellation_lines + truth.duplicate_rows
                          + truth.missing_id_rows)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1))
def test_clean_export_has_no_dirt(seed):
    frame, truth = D.make_order_lines(
        20, months=6, seed=seed, missing_id_share=0.0, duplicate_share=0.0, cancel_share=0.0,
        pre_window_share=0.0,
    )
    assert frame["CustomerID"].notna().all() and not frame.duplicated().any()
    assert (frame["Quantity"] > 0).all()
    assert truth.revenue_net == truth.revenue_drop
    assert truth.cancellations.empty
    assert_truth_matches_reference(frame, truth)


def test_same_seed_same_export_other_seed_other_export():
    a, ta = D.make_order_lines(30, months=6, seed=3)
    b, tb = D.make_order_lines(30, months=6, seed=3)
    pd.testing.assert_frame_equal(a, b, check_exact=True)
    assert ta == tb
    c, tc = D.make_order_lines(30, months=6, seed=4)
    assert not a.equals(c) and ta != tc


def test_csv_round_trip_looks_like_an_export(tmp_path, medium):
    frame, truth = medium
    paths = D.write_order_lines(frame, truth, tmp_path)
    assert [p.name for p in paths] == ["order_lines_sample.csv", "truth.json", "SHA256SUMS"]
    text = paths[0].read_text().splitlines()
    assert text[0] == ",".join(D.ORDER_LINE_COLUMNS)
    cid = [line.split(",")[-2] for line in text[1:]]
    assert all(re.fullmatch(r"\d{5}\.0|", v) for v in cid)
    assert sum(v == "" for v in cid) == truth.missing_id_rows
    back = pd.read_csv(paths[0], dtype={"InvoiceNo": str, "StockCode": str}, keep_default_na=False,
                       na_values={"CustomerID": [""]})
    pd.testing.assert_frame_equal(back, frame, check_dtype=False, check_exact=True)
    assert D.OrderLinesTruth.from_dict(
        {k: v for k, v in json.loads(paths[1].read_text()).items() if k != "generated_by"}) == truth


@pytest.mark.parametrize(
    "kwargs",
    [{"n_customers": 0}, {"n_customers": True}, {"months": 0}, {"months": 61}, {"seed": -1},
     {"mean_lines_per_invoice": 0.5}, {"missing_id_share": 1.0}, {"duplicate_share": -0.1},
     {"cancel_share": float("nan")}],
)
def test_bad_arguments_raise(kwargs):
    with pytest.raises(ValueError, match=next(iter(kwargs))):
        D.make_order_lines(**{"n_customers": 5, **kwargs})


@pytest.mark.slow
def test_benchmark_size_export_matches_reference():
    frame, truth = D.make_order_lines()  # the size of the public export: about half a million lines
    assert 450_000 < truth.rows < 550_000
    ref = reference(frame)
    for name in ("rows", "missing_id_rows", "duplicate_rows", "purchase_lines", "customers", "orders"):
        assert ref[name] == getattr(truth, name), name
    assert ref["revenue_drop"] == round(truth.revenue_drop * 100)
    assert ref["revenue_drop_products"] == round(truth.revenue_drop_products * 100)
    assert_invariants(frame, truth)


# ------------------------------------------------------------------------------------------------------
# the bundled sample
# ------------------------------------------------------------------------------------------------------


def test_sample_files_match_sha256sums():
    entries = [line.split() for line in (RETAIL / "SHA256SUMS").read_text().splitlines() if line.strip()]
    assert sorted(name for _, name in entries) == ["order_lines_sample.csv", "truth.json"]
    for digest, name in entries:
        assert hashlib.sha256((RETAIL / name).read_bytes()).hexdigest() == digest, name


def test_sample_is_the_generator_output_and_its_truth():
    frame, truth = D.load_order_lines()
    meta = json.loads((RETAIL / "truth.json").read_text())
    assert meta["generated_by"] == "toolkit.datasets.make_order_lines(**params)"
    assert truth.params == {**meta["params"]}
    assert {k: truth.params[k] for k in D.ORDER_LINES_SAMPLE_ARGS} == D.ORDER_LINES_SAMPLE_ARGS
    made, made_truth = D.make_order_lines(**truth.params)
    pd.testing.assert_frame_equal(frame, made, check_exact=True)
    assert truth == made_truth and truth.cancellations is None
    assert 3000 <= truth.rows <= 5000 and 6 <= truth.months <= 12
    assert_truth_matches_reference(frame, truth)
    assert_invariants(frame, made_truth)


def test_sample_numbers_in_the_datasheet():
    _, truth = D.load_order_lines()
    sheet = (ROOT / "datasets" / "README.md").read_text()
    for value in (truth.rows, truth.revenue_drop, truth.revenue_net, truth.cancelled_matched,
                  truth.cancelled_unmatched, truth.duplicate_rows, truth.missing_id_rows, truth.orders):
        text = f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        assert text in sheet, text


def test_regeneration_writes_the_bundled_bytes(tmp_path, capsys):
    assert D._main(["--order-lines", str(tmp_path)]) == 0
    assert "wrote 3 files" in capsys.readouterr().out
    for name in ("order_lines_sample.csv", "truth.json", "SHA256SUMS"):
        assert (tmp_path / name).read_bytes() == (RETAIL / name).read_bytes(), name
