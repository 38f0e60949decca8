"""Bundled data sets (CDNOW, donations) and the synthetic teaching company (toolkit.datasets)."""

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from toolkit import datasets as D
from toolkit.errors import ToolkitError

ROOT = Path(__file__).resolve().parents[1]
CDNOW = ROOT / "datasets" / "cdnow"


# ------------------------------------------------------------------------------------------------------
# CDNOW and donations (published reference data: Fader & Hardie via lifetimes 0.11.3)
# ------------------------------------------------------------------------------------------------------


def test_cdnow_files_match_sha256sums():
    lines = (CDNOW / "SHA256SUMS").read_text().split("\n")
    entries = [line.split() for line in lines if line.strip()]
    assert len(entries) == 5
    for digest, name in entries:
        assert hashlib.sha256((CDNOW / name).read_bytes()).hexdigest() == digest, name


def test_load_cdnow_master():
    df = D.load_cdnow("master")
    assert df.shape == (69659, 4)
    assert df.columns.tolist() == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert pd.api.types.is_string_dtype(df["customer_id"]) and df["customer_id"].str.len().eq(5).all()
    assert df["customer_id"].iloc[0] == "00001"
    assert df["date"].dtype == "datetime64[ns]"
    assert df["number_of_cds"].dtype == "int64" and df["dollar_value"].dtype == "float64"
    assert df["customer_id"].nunique() == 23570
    assert df["date"].min() == pd.Timestamp("1997-01-01") and df["date"].max() == pd.Timestamp("1998-06-30")
    # documented quirks (datasets/README.md)
    assert int((df["dollar_value"] == 0).sum()) == 80
    assert int(df.duplicated().sum()) == 255


def test_load_cdnow_sample():
    df = D.load_cdnow()  # default: sample
    assert df.shape == (6919, 5)
    assert df.columns.tolist() == ["customer_id", "sample_id", "date", "number_of_cds", "dollar_value"]
    assert df["sample_id"].dtype == "int64"
    assert df["sample_id"].min() == 1 and df["sample_id"].max() == 2357
    assert df["sample_id"].nunique() == 2357 == df["customer_id"].nunique()
    assert df.groupby("sample_id")["customer_id"].nunique().eq(1).all()
    assert int((df["dollar_value"] == 0).sum()) == 8
    assert int(df.duplicated().sum()) == 21
    # sample customers are master customers
    master_ids = set(D.load_cdnow("master")["customer_id"])
    assert set(df["customer_id"]) <= master_ids


def test_load_cdnow_rejects_unknown_kind():
    with pytest.raises(ValueError, match="sample"):
        D.load_cdnow("full")


def test_load_cdnow_summary():
    s = D.load_cdnow_summary()
    assert s.shape == (2357, 3)
    assert s.index.name == "customer_id" and s.index.dtype == "int64"
    assert s.columns.tolist() == ["frequency", "recency", "T"]
    assert s.dtypes.tolist() == [np.dtype("int64"), np.dtype("float64"), np.dtype("float64")]
    assert s.attrs == {"time_unit": "W", "observation_end": pd.Timestamp("1997-09-30")}
    # Fader, Hardie & Lee (2005): mean x = 1.042, 1,411 customers with no repeat purchase, T in 27..38.86
    assert s["frequency"].mean() == pytest.approx(1.0424, abs=1e-4)
    assert int((s["frequency"] == 0).sum()) == 1411
    assert s["T"].min() == 27.0 and s["T"].max() == 38.86

    m = D.load_cdnow_summary(with_monetary=True)
    assert m.shape == (2357, 4)
    assert m.columns.tolist() == ["frequency", "recency", "T", "monetary_value"]
    pd.testing.assert_frame_equal(m[["frequency", "recency", "T"]], s)
    assert int((m["frequency"] > 0).sum()) == 946
    assert (m.loc[m["frequency"] == 0, "monetary_value"] == 0).all()


def test_cdnow_summary_is_reproduced_from_the_sample_log():
    """Plain pandas: distinct purchase days, weeks, end 1997-09-30 (the definition the datasheet states)."""
    tx = D.load_cdnow("sample")
    end = pd.Timestamp("1997-09-30")
    tx = tx[tx["date"] <= end]
    days = tx.groupby(["sample_id", "date"], as_index=False)["dollar_value"].sum()
    g = days.groupby("sample_id")
    first, last = g["date"].min(), g["date"].max()
    freq = g.size() - 1
    repeat_spend = days[days["date"] > days["sample_id"].map(first)].groupby("sample_id")["dollar_value"].sum()
    ref = D.load_cdnow_summary(with_monetary=True)
    assert (freq.reindex(ref.index) == ref["frequency"]).all()
    recency = (last - first).dt.days / 7
    T = (end - first).dt.days / 7
    assert np.abs(recency.reindex(ref.index) - ref["recency"]).max() <= 0.005 + 1e-9
    assert np.abs(T.reindex(ref.index) - ref["T"]).max() <= 0.005 + 1e-9
    mv = (repeat_spend.reindex(ref.index).fillna(0) / freq.reindex(ref.index).replace(0, np.nan)).fillna(0)
    assert np.abs(mv - ref["monetary_value"]).max() <= 0.005 + 1e-9


def test_load_donations():
    d = D.load_donations()
    assert d.shape == (22, 4)
    assert d.columns.tolist() == ["frequency", "recency", "periods", "weights"]
    assert (d.dtypes == "int64").all()
    assert int(d["weights"].sum()) == 11104
    assert (d["periods"] == 6).all()
    assert (d["recency"] >= d["frequency"].clip(upper=1) * 1).all()


# ------------------------------------------------------------------------------------------------------
# locating files
# ------------------------------------------------------------------------------------------------------


def test_data_root_is_the_checkout_folder():
    assert D._data_root() == ROOT / "datasets"


def test_data_root_prefers_packaged_folder(monkeypatch, tmp_path):
    (tmp_path / "_datasets").mkdir()
    monkeypatch.setattr(D.importlib.resources, "files", lambda package: tmp_path)
    assert D._data_root() == tmp_path / "_datasets"


def test_missing_data_raises_clear_error(monkeypatch, tmp_path):
    monkeypatch.setattr(D.importlib.resources, "files", lambda package: tmp_path)
    monkeypatch.setattr(D, "__file__", str(tmp_path / "toolkit" / "datasets.py"))
    with pytest.raises(D.DatasetNotFoundError, match="_datasets") as info:
        D.load_donations()
    assert isinstance(info.value, FileNotFoundError) and isinstance(info.value, ToolkitError)


def test_dataset_path_unknown_file():
    with pytest.raises(D.DatasetNotFoundError, match="nope.csv"):
        D.dataset_path("cdnow", "nope.csv")


def test_datasets_module_imports_no_heavy_libraries():
    code = (
        "import sys, toolkit.datasets as d; d.make_company(50, seed=1); "
        "bad = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'dask') if m in sys.modules]; "
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ------------------------------------------------------------------------------------------------------
# the synthetic company
# ------------------------------------------------------------------------------------------------------

EXPECTED_DTYPES = {
    "customers": {
        "customer_id": "int64",
        "acquisition_date": "datetime64[ns]",
        "channel": "object",
        "acquisition_cost": "float64",
        "city_tier": "object",
        "age_band": "object",
        "child_age_months": "int64",
    },
    "transactions": {
        "customer_id": "int64",
        "timestamp": "datetime64[ns]",
        "order_id": "int64",
        "amount": "float64",
        "category": "object",
        "quantity": "int64",
        "discount": "float64",
        "channel": "object",
    },
    "events": {
        "customer_id": "int64",
        "timestamp": "datetime64[ns]",
        "event": "object",
        "channel": "object",
        "order_id": "Int64",
    },
    "nps": {"customer_id": "int64", "date": "datetime64[ns]", "score": "int64"},
    "truth": {
        "customer_id": "int64",
        "pattern": "object",
        "need_class": "object",
        "bad_experience": "bool",
        "purchase_rate": "float64",
        "mean_item_price": "float64",
        "formation_date": "datetime64[ns]",
        "reached_stability_date": "datetime64[ns]",
        "deterioration_date": "datetime64[ns]",
        "lost_date": "datetime64[ns]",
        "churned": "bool",
        "churn_date": "datetime64[ns]",
        "stage_at_end": "object",
        "pattern_determinable": "bool",
        "pattern_evident": "bool",
    },
    "truth_stages": {"customer_id": "int64", "period": "period[M]", "stage": "object"},
}


@pytest.fixture(scope="module")
def company():
    return D.make_company(5000, seed=7)


@pytest.fixture(scope="module")
def orders(company):
    tx = company.transactions
    return tx.groupby("order_id").agg(
        customer_id=("customer_id", "first"),
        n_customers=("customer_id", "nunique"),
        timestamp=("timestamp", "first"),
        n_times=("timestamp", "nunique"),
        channel=("channel", "first"),
        amount=("amount", "sum"),
        discount=("discount", "sum"),
    )


@pytest.fixture(scope="module")
def joined(company):
    """Per-customer frame: customers + truth + purchase days, first/last purchase."""
    tx = company.transactions
    day = tx["timestamp"].dt.normalize()
    g = day.groupby(tx["customer_id"])
    per = pd.DataFrame({"n_days": g.nunique(), "first_day": g.min(), "last_day": g.max()})
    return company.customers.merge(company.truth, on="customer_id").set_index("customer_id").join(per)


def test_company_columns_and_dtypes(company):
    assert list(company.tables) == list(EXPECTED_DTYPES)
    for name, expected in EXPECTED_DTYPES.items():
        frame = company.tables[name]
        assert list(frame.columns) == list(expected), name
        # text columns are object on pandas 2 and the "str" dtype on pandas 3: both count as text
        got = {c: ("object" if str(t) in ("object", "str") else str(t)) for c, t in frame.dtypes.items()}
        assert got == expected, name
    assert company.n_customers == 5000 and company.seed == 7
    assert company.start == pd.Timestamp("2022-01-01") and company.end == pd.Timestamp("2024-12-31")


def test_company_shapes_and_vocabularies(company):
    cu, tx, ev, tr = company.customers, company.transactions, company.events, company.truth
    assert len(cu) == len(tr) == 5000
    assert cu["customer_id"].tolist() == list(range(1, 5001))
    assert cu["acquisition_date"].is_monotonic_increasing
    assert set(cu["channel"]) == set(D.CHANNELS)
    assert set(tx["category"]) <= set(D.CATEGORIES)
    assert set(tx["channel"]) <= set(D.PLATFORMS)
    assert set(ev["event"]) == set(D.EVENTS)
    assert set(tr["pattern"]) == set(D.PATTERNS)
    assert set(tr["need_class"]) == set(D.NEED_CLASSES)
    assert set(company.truth_stages["stage"]) == set(D.STAGES)
    assert (cu["acquisition_cost"] > 0).all()
    assert (tx["amount"] > 0).all() and (tx["discount"] >= 0).all() and (tx["quantity"] >= 1).all()
    assert company.nps["score"].between(0, 10).all()
    assert "Company(n_customers=5000" in repr(company)
    assert company.summary().loc["customers", "rows"] == 5000
    assert "<table" in company._repr_html_()


def test_referential_integrity(company, orders):
    ids = set(company.customers["customer_id"])
    for name in ("transactions", "events", "nps", "truth", "truth_stages"):
        assert set(company.tables[name]["customer_id"]) <= ids, name
    assert set(company.transactions["customer_id"]) == ids  # everyone buys at least once
    # an order belongs to one customer, one timestamp and one platform
    assert (orders["n_customers"] == 1).all() and (orders["n_times"] == 1).all()
    assert company.transactions.groupby("order_id")["channel"].nunique().eq(1).all()
    # order ids increase with time
    assert orders["timestamp"].is_monotonic_increasing


def test_transactions_within_customer_life_and_window(company, joined):
    tx = company.transactions.merge(company.customers[["customer_id", "acquisition_date"]])
    tr = company.truth.set_index("customer_id")
    assert (tx["timestamp"] >= tx["acquisition_date"]).all()
    assert (joined["first_day"] == joined["acquisition_date"]).all()  # acquisition = first purchase day
    end_of_window = company.end + pd.Timedelta(days=1)
    assert tx["timestamp"].min() >= company.start and tx["timestamp"].max() < end_of_window
    assert company.events["timestamp"].min() >= company.start
    assert company.events["timestamp"].max() < end_of_window
    # no purchase on or after the (latent) day the customer is lost
    lost = tx["customer_id"].map(tr["lost_date"])
    assert (tx["timestamp"] < lost).all()
    nps = company.nps.merge(company.customers[["customer_id", "acquisition_date"]])
    assert (nps["date"] > nps["acquisition_date"]).all() and (nps["date"] <= company.end).all()


def test_purchase_events_match_orders(company, orders):
    ev = company.events
    buy = ev[ev["event"].isin(["purchase", "repurchase"])]
    assert buy["order_id"].notna().all() and ev.loc[~ev.index.isin(buy.index), "order_id"].isna().all()
    assert buy["order_id"].is_unique
    b = buy.set_index("order_id").sort_index()
    o = orders.sort_index()
    assert b.index.astype("int64").tolist() == o.index.tolist()
    assert (b["customer_id"].to_numpy() == o["customer_id"].to_numpy()).all()
    assert (b["timestamp"].to_numpy() == o["timestamp"].to_numpy()).all()
    assert (b["channel"].to_numpy() == o["channel"].to_numpy()).all()
    # exactly one 'purchase' per customer: the first order
    first = buy[buy["event"] == "purchase"]
    assert first["customer_id"].is_unique and len(first) == company.n_customers
    assert (first.set_index("customer_id")["timestamp"] == orders.groupby("customer_id")["timestamp"].min()).all()


def test_determinism():
    a, b = D.make_company(400, seed=3), D.make_company(400, seed=3)
    for name in D.Company.TABLES:
        pd.testing.assert_frame_equal(a.tables[name], b.tables[name], check_exact=True)
    c = D.make_company(400, seed=4)
    assert not a.transactions.equals(c.transactions)
    assert not a.truth["pattern"].equals(c.truth["pattern"])


def test_other_windows_and_sizes():
    c = D.make_company(1, seed=0)
    assert len(c.customers) == 1 and len(c.transactions) >= 1
    c = D.make_company(300, seed=1, start="2023-03-15", end="2023-08-10", seasonality=0.0,
                       channel_mix={"one_yuan_promo": 1.0})
    assert set(c.customers["channel"]) == {"one_yuan_promo"}
    assert c.transactions["timestamp"].max() < pd.Timestamp("2023-08-11")
    periods = c.truth_stages["period"]
    assert periods.min() == pd.Period("2023-03", "M") and periods.max() == pd.Period("2023-08", "M")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"n_customers": 0},
        {"n_customers": 10, "start": "2024-01-01", "end": "2023-01-01"},
        {"n_customers": 10, "channel_mix": {"tv": 1.0}},
        {"n_customers": 10, "channel_mix": {"referral": -1.0}},
        {"n_customers": 10, "seasonality": 5.0},
        {"n_customers": 10, "mean_item_price": 0.0},
        {"n_customers": 2.5},
    ],
)
def test_make_company_rejects_bad_arguments(kwargs):
    with pytest.raises(ValueError):
        D.make_company(**kwargs)


# ---- ground truth consistency ------------------------------------------------------------------------


def test_stage_dates_are_ordered_and_match_the_pattern(company, joined):
    tr = company.truth
    acq = company.customers["acquisition_date"]
    form, stab = tr["formation_date"], tr["reached_stability_date"]
    det, lost = tr["deterioration_date"], tr["lost_date"]
    ea, mt = tr["pattern"] == "early_abortion", tr["pattern"] == "mid_term_abortion"
    stable = tr["pattern"].isin(["early_exit", "long_term_retention"])
    assert lost.notna().all() and (lost > acq).all()
    assert form[ea].isna().all() and stab[ea].isna().all() and det[ea].isna().all()
    assert form[~ea].notna().all() and det[~ea].notna().all()
    assert stab[mt].isna().all() and stab[stable].notna().all()
    assert (form[~ea] > acq[~ea]).all() and (det[mt] > form[mt]).all() and (lost[~ea] > det[~ea]).all()
    assert (stab[stable] > form[stable]).all() and (det[stable] > stab[stable]).all()
    # early exit leaves stability before the loyal duration L; long-term retention stays at least L
    L = pd.Timedelta(days=company.params["loyal_duration_days"])
    ee, lt = tr["pattern"] == "early_exit", tr["pattern"] == "long_term_retention"
    assert ((det - stab)[ee] < L).all() and ((det - stab)[lt] >= L).all()
    # churned / churn_date / pattern_determinable
    assert (tr["churned"] == (lost <= company.end)).all()
    assert (tr["churn_date"][tr["churned"]] == lost[tr["churned"]]).all()
    assert tr["churn_date"][~tr["churned"]].isna().all()
    assert (tr["stage_at_end"] == "lost").equals(tr["churned"])
    assert tr.loc[~lt, "pattern_determinable"].equals(tr.loc[~lt, "churned"])
    assert (tr.loc[lt, "pattern_determinable"] == (stab[lt] + L <= company.end)).all()
    # both determinable and right-censored customers exist
    assert 0.2 < tr["pattern_determinable"].mean() < 0.95
    # evident = determinable and an order in the stage that names the pattern, from the order table itself
    last = company.transactions.groupby("customer_id")["timestamp"].max().dt.normalize()
    last = pd.Series(last.reindex(tr["customer_id"]).to_numpy(), index=tr.index)
    reached = np.where(mt, last >= form, np.where(stable, last >= stab, True))
    assert tr["pattern_evident"].equals(tr["pattern_determinable"] & reached)
    assert tr.loc[ea, "pattern_evident"].equals(tr.loc[ea, "pattern_determinable"])
    assert 0.8 < tr["pattern_evident"].sum() / tr["pattern_determinable"].sum() < 1.0


def test_early_abortion_has_at_most_two_purchase_days(joined):
    ea = joined[joined["pattern"] == "early_abortion"]
    assert ea["n_days"].max() <= 2
    two = ea[ea["n_days"] == 2]
    assert len(two) > 0 and ((two["last_day"] - two["first_day"]).dt.days <= 40).all()


def test_long_term_retention_buys_late_in_life(company, joined):
    lt = joined[(joined["pattern"] == "long_term_retention")]
    life_end = lt["deterioration_date"].clip(upper=company.end)
    old = lt[(life_end - lt["reached_stability_date"]).dt.days >= 180]
    assert len(old) > 100
    late = (life_end[old.index] - old["last_day"]).dt.days <= 120
    assert late.mean() > 0.9
    # and they buy much more than the early-abortion customers
    assert old["n_days"].median() >= 10


def test_truth_stages_follow_the_timeline(company):
    ts = company.truth_stages
    cu = company.customers.set_index("customer_id")
    n_months = (company.end.to_period("M") - cu["acquisition_date"].dt.to_period("M")).apply(lambda x: x.n) + 1
    assert (ts.groupby("customer_id").size() == n_months).all()
    first = ts.groupby("customer_id")["period"].min()
    assert (first == cu["acquisition_date"].dt.to_period("M")).all()
    code = ts["stage"].map({s: i for i, s in enumerate(D.STAGES)})
    assert (code.groupby(ts["customer_id"]).diff().fillna(0) >= 0).all()  # stages never go back
    last = ts.groupby("customer_id").tail(1).set_index("customer_id")["stage"]
    tr = company.truth.set_index("customer_id")
    assert ((last == "lost") | ~tr["churned"]).all() or (last[tr["churned"]] == "lost").mean() > 0.95
    assert (ts.loc[ts["customer_id"].map(tr["pattern"]) == "mid_term_abortion", "stage"] != "stability").all()


def test_purchase_rate_depends_on_stage(company):
    """Orders per customer-day are highest in stability, lower in exploration and deterioration."""
    tr = company.truth
    acq = company.customers.set_index("customer_id")["acquisition_date"]
    t = tr.set_index("customer_id")
    start = company.start
    tx = company.transactions.drop_duplicates("order_id")
    day = (tx["timestamp"] - start).dt.days.to_numpy()
    cid = tx["customer_id"].to_numpy()

    def days(s):
        return ((s - start).dt.days).to_numpy()

    b0, b4 = days(acq), days(t["lost_date"])
    b3 = days(t["deterioration_date"].fillna(t["lost_date"]))
    b2 = days(t["reached_stability_date"].fillna(t["deterioration_date"]).fillna(t["lost_date"]))
    b1 = days(t["formation_date"].fillna(t["lost_date"]))
    end_day = (company.end - start).days + 1
    keep = ~t["pattern"].eq("early_abortion").to_numpy()
    idx = cid - 1
    rates = {}
    for name, lo, hi in (("exploration", b0 + 1, b1), ("stability", b2, b3), ("deterioration", b3, b4)):
        lo_c, hi_c = np.minimum(lo, end_day), np.minimum(hi, end_day)
        exposure = np.clip(hi_c - lo_c, 0, None)[keep].sum()
        inside = (day >= lo_c[idx]) & (day < hi_c[idx]) & keep[idx]
        rates[name] = inside.sum() / exposure
    assert rates["stability"] > 1.5 * rates["exploration"]
    assert rates["stability"] > 1.5 * rates["deterioration"]


def test_promo_channel_attracts_bargain_hunters(company, orders, joined):
    promo = joined["channel"] == "one_yuan_promo"
    ea = joined["pattern"] == "early_abortion"
    assert ea[promo].mean() > ea[~promo].mean() + 0.2
    o = orders.join(joined[["channel"]].rename(columns={"channel": "acq_channel"}), on="customer_id")
    o_promo = o["acq_channel"] == "one_yuan_promo"
    disc = o["discount"] > 0
    assert disc[o_promo].mean() > disc[~o_promo].mean() + 0.15
    assert o.loc[o_promo, "amount"].mean() < 0.75 * o.loc[~o_promo, "amount"].mean()
    # the first promo order costs 1 yuan
    first = o.sort_values("timestamp").groupby("customer_id").head(1)
    assert (first.loc[first["acq_channel"] == "one_yuan_promo", "amount"] == 1.0).all()


def test_need_classes_show_in_behaviour(company, orders, joined):
    o = orders.join(joined[["need_class"]], on="customer_id")
    disc_share = (o["discount"] > 0).groupby(o["need_class"]).mean()
    assert disc_share["price_sensitive"] > 0.6 > disc_share["demand_oriented"]
    ev = company.events
    sup = ev[ev["event"] == "support_contact"].groupby("customer_id").size()
    per_order = sup.reindex(joined.index, fill_value=0) / orders.groupby("customer_id").size()
    by_need = per_order.groupby(joined["need_class"]).mean()
    assert by_need["service_dependent"] > 5 * by_need["demand_oriented"]


def test_complaints_raise_churn_hazard(company):
    ev = company.events
    lost = company.truth.set_index("customer_id")["lost_date"]

    def lost_within_120_days(e):
        when = e["customer_id"].map(lost)
        return ((when > e["timestamp"]) & (when <= e["timestamp"] + pd.Timedelta(days=120))).mean()

    after_complaint = lost_within_120_days(ev[ev["event"] == "complaint"])
    after_repurchase = lost_within_120_days(ev[ev["event"] == "repurchase"])
    assert after_complaint > 3 * after_repurchase


def test_referrals_come_from_stable_customers(company):
    ev = company.events
    ref = ev[ev["event"] == "referral"].merge(company.truth, on="customer_id")
    assert len(ref) > 0
    assert ref["pattern"].isin(["early_exit", "long_term_retention"]).all()
    assert (ref["timestamp"] >= ref["reached_stability_date"]).all()
    assert (ref["timestamp"] < ref["deterioration_date"] + pd.Timedelta(days=1)).all()


def test_nps_correlates_with_pattern(company):
    nps = company.nps.merge(company.truth[["customer_id", "pattern"]])
    mean = nps.groupby("pattern")["score"].mean()
    assert mean["long_term_retention"] > mean["early_exit"] > mean["early_abortion"] + 1.0


def test_seasonality_peaks_in_november(company):
    tx = company.transactions
    monthly = tx.groupby(tx["timestamp"].dt.to_period("M"))["amount"].sum()
    last_year = monthly[monthly.index.year == 2024]
    assert last_year.idxmax().month in (11, 12)
    assert last_year[pd.Period("2024-11", "M")] > 1.15 * last_year.mean()
    assert last_year[pd.Period("2024-02", "M")] < last_year.mean()


def test_company_feeds_transactions(company):
    import toolkit

    tx = toolkit.Transactions.from_frame(company.transactions, **company.transaction_kwargs())
    assert tx.n_customers == company.n_customers
    assert len(tx) == len(company.transactions)
    assert tx.observation_end == company.end
    assert company.to_transactions(time_unit="W").time_unit == "W"


def test_stage_on(company):
    at_end = company.stage_on(company.end)
    truth = company.truth.set_index("customer_id")["stage_at_end"]
    assert at_end.equals(truth.rename("stage"))
    mid = company.stage_on("2023-06-30")
    acquired = company.customers.loc[company.customers["acquisition_date"] <= "2023-06-30", "customer_id"]
    assert mid.index.tolist() == acquired.tolist()
    ts = company.truth_stages
    june = ts[ts["period"] == pd.Period("2023-06", "M")].set_index("customer_id")["stage"]
    assert (june.reindex(mid.index) == mid).mean() > 0.8  # month's dominant stage vs stage on its last day


# ---- the bundled copy ----------------------------------------------------------------------------------


def test_load_company_equals_make_company():
    loaded = D.load_company()
    made = D.make_company(D.COMPANY_N_CUSTOMERS, seed=D.COMPANY_SEED)
    assert (loaded.n_customers, loaded.seed) == (2000, 2024)
    assert (loaded.start, loaded.end) == (made.start, made.end)
    assert loaded.params == made.params
    for name in D.Company.TABLES:
        pd.testing.assert_frame_equal(loaded.tables[name], made.tables[name], check_exact=True, obj=name)


def test_bundled_company_is_small():
    folder = ROOT / "datasets" / "company"
    total = sum(p.stat().st_size for p in folder.iterdir() if p.is_file())
    assert total < 5_000_000


def test_regeneration_script_writes_a_loadable_copy(tmp_path, monkeypatch, capsys):
    assert D._main([str(tmp_path / "company")]) == 0
    assert "wrote 6 files" in capsys.readouterr().out
    names = sorted(p.name for p in (tmp_path / "company").iterdir())
    assert names == ["company.json", "customers.csv", "events.csv", "nps.csv", "transactions.csv", "truth.csv"]
    bundled = D.load_company()
    monkeypatch.setattr(D, "_data_root", lambda: tmp_path)
    regenerated = D.load_company()
    for name in D.Company.TABLES:
        pd.testing.assert_frame_equal(regenerated.tables[name], bundled.tables[name], check_exact=True, obj=name)


def test_journey_before_the_first_order_is_ordered(company):
    later = company.customers.loc[company.customers["acquisition_date"] >= "2022-03-01", "customer_id"]
    ev = company.events[company.events["customer_id"].isin(later)]  # nothing cut off at the window start
    first = ev[ev["event"] == "purchase"].set_index("customer_id")["timestamp"]
    signup = ev[ev["event"] == "sign_up"].set_index("customer_id")["timestamp"]
    assert (signup < first.reindex(signup.index)).all()
    for name in ("ad_impression", "visit", "trial"):
        e = ev[ev["event"] == name]
        if name == "visit":
            e = e[e["channel"].isin(D.CHANNELS)]  # visits before the first order carry the acquisition channel
        after_signup = e["timestamp"] > e["customer_id"].map(signup)
        assert (after_signup == (name == "trial")).all(), name
        assert (e["timestamp"] < e["customer_id"].map(first)).all(), name
    promo = company.customers.loc[company.customers["channel"] == "one_yuan_promo", "customer_id"]
    promo = promo[promo.isin(later)]
    assert set(promo) <= set(ev.loc[ev["event"] == "trial", "customer_id"])
