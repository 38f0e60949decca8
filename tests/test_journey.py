"""Journey analyses: kernels against slow references (tests/naive.py) on random event logs, plus the
result objects, KPIs, affinity and value links on the teaching company."""

import warnings

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import toolkit
from tests import naive
from toolkit import journey as J
from toolkit.errors import DataQualityError, DataQualityWarning, SchemaError

ORDER = ["c", "a", "d", "b"]  # tie order of the random logs (deliberately not alphabetical)
RANK = {e: k for k, e in enumerate(ORDER)}
DAY = 86_400 * 10**9


@st.composite
def event_logs(draw):
    """Random logs: repeated events, simultaneous timestamps, one-event customers, rows in random order."""
    n = draw(st.integers(1, 14))
    rows = draw(st.lists(st.tuples(st.integers(1, 4), st.integers(0, 5), st.sampled_from(ORDER)),
                         min_size=n, max_size=n))
    perm = draw(st.permutations(range(n)))
    df = pd.DataFrame(rows, columns=["customer_id", "day", "event"]).iloc[list(perm)]
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["day"], unit="D")
    return df[["customer_id", "timestamp", "event"]].reset_index(drop=True)


def build(df):
    return toolkit.Events.from_frame(df, customer="customer_id", time="timestamp", event="event",
                                     event_order=ORDER, duplicates="keep")


STEPS = st.lists(st.sets(st.sampled_from(ORDER), min_size=1, max_size=2), min_size=1, max_size=4)


@st.composite
def long_journeys(draw):
    """One or two customers with long logs: many entries, inside and across conversion windows."""
    n = draw(st.integers(8, 20))
    rows = draw(st.lists(st.tuples(st.integers(1, 2), st.integers(0, 20), st.sampled_from(ORDER)),
                         min_size=n, max_size=n))
    df = pd.DataFrame(rows, columns=["customer_id", "day", "event"])
    df["timestamp"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(df["day"], unit="D")
    return df[["customer_id", "timestamp", "event"]]


@given(event_logs(), STEPS, st.sampled_from(["strict", "loose"]), st.sampled_from([None, 0, 1, 3]))
def test_funnel_matches_reference(df, steps, order, window):
    _check_funnel(df, steps, order, window)


@given(long_journeys(), STEPS, st.sampled_from(["strict", "loose"]), st.sampled_from([0, 1, 2, 4, 8]))
def test_funnel_long_journeys_with_windows_match_reference(df, steps, order, window):
    # the kernel continues an earlier entry's scan instead of rescanning: long logs with windows exercise it
    _check_funnel(df, steps, order, window)


def _check_funnel(df, steps, order, window):
    present = set(df["event"])
    steps = [s & present for s in steps]
    assume(all(steps))  # a step naming an event absent from the log is an error (typo protection)
    ev = build(df)
    ref = naive.journey_funnel(df, [set(s) for s in steps], RANK, order, None if window is None else window * DAY)
    f = J.funnel(ev, [sorted(s) for s in steps], order=order, window=window)
    per = f.per_customer
    assert set(per.index) == set(ref)
    for cid, (depth, times) in ref.items():
        assert per.loc[cid, "depth"] == depth
        assert per.loc[cid, "entry_time"].value == times[0]
        for j in range(1, depth):
            assert per.loc[cid, f"t_{j}"].value == times[j]
    counts = f.table["customers"].to_numpy()
    assert (np.diff(counts) <= 0).all() and counts[0] == len(ref)
    assert (f.table["drop_off"].iloc[1:].to_numpy() == -np.diff(counts)).all()


@given(event_logs(), STEPS, st.sampled_from(["strict", "loose"]), st.sampled_from([None, 2]))
def test_funnel_table_and_times_match_per_customer(df, steps, order, window):
    present = set(df["event"])
    steps = [sorted(s & present) for s in steps]
    assume(all(steps) and len({tuple(s) for s in steps}) == len(steps))  # distinct step names
    f = J.funnel(build(df), steps, order=order, window=window)
    per = f.per_customer
    t = f.table
    assert t["customers"].tolist() == [int((per["depth"] > j).sum()) for j in range(len(steps))]
    for j, name in enumerate(f.steps):
        if j == 0:
            assert len(f.times[name]) == 0 and np.isnan(t.loc[name, "median_time"])
            continue
        reached = per[per["depth"] > j]
        start = reached["entry_time"] if (order == "loose" or j == 1) else reached[f"t_{j - 1}"]
        days = (reached[f"t_{j}"] - start).to_numpy().astype("timedelta64[ns]").astype(np.int64) / DAY
        assert np.array_equal(f.times[name], days)
        if len(days):
            assert t.loc[name, "median_time"] == np.median(days) and t.loc[name, "mean_time"] == days.mean()
            assert t.loc[name, "p25_time"] == np.quantile(days, 0.25)
        else:
            assert np.isnan(t.loc[name, "median_time"])


@given(event_logs())
def test_check_map_and_stage_codes_match_pandas(df):
    ev = build(df)
    m = J.journey_map({"first": ["c", "a"], "second": ["d", "b"]})
    table = J.check_map(ev, m).set_index("event")
    want = df.groupby("event")["customer_id"].nunique()
    assert table.loc[want.index, "customers"].tolist() == want.tolist()
    assert (table.loc[~table["in_log"], "customers"] == 0).all()
    codes, labels = J.stage_codes(ev, m)
    assert labels == ["first", "second"]
    names = np.asarray(ev.event_labels, dtype=object)[ev.event_code]
    assert codes.tolist() == [labels.index(m.touchpoints[e]) for e in names]
    assert J.stage_codes(ev, m)[0] is codes  # computed once per map


@given(event_logs(), st.booleans(), st.sampled_from([None, 0, 2]))
def test_transitions_match_reference(df, collapse, gap):
    ev = build(df)
    t = J.transition_matrix(ev, collapse=collapse, max_gap=gap)
    states = list(ev.event_labels)
    ref = naive.journey_transitions(df, RANK, states, collapse, None if gap is None else gap * DAY)
    pd.testing.assert_frame_equal(t.counts, ref, check_names=False, check_dtype=False)
    # every journey has one start and one exit
    assert t.counts.loc["(start)"].sum() == t.counts["(exit)"].sum()


@given(event_logs(), st.integers(1, 5), st.booleans())
def test_paths_match_reference(df, max_length, collapse):
    ev = build(df)
    got = J.top_paths(ev, n=1000, max_length=max_length, collapse=collapse)
    ref = naive.journey_paths(df, RANK, max_length, collapse)
    assert dict(zip(got["path"], got["customers"])) == ref
    assert got["customers"].is_monotonic_decreasing and got["share"].sum() == pytest.approx(1.0)


@given(event_logs())
def test_input_order_and_flows_are_consistent(df):
    ev, ev2 = build(df), build(df.sample(frac=1, random_state=1))
    assert (ev.event_code == ev2.event_code).all() and (ev.ns == ev2.ns).all()
    fl = J.flows(ev, 3, level="event", max_nodes=12)
    n0 = fl.nodes.loc[fl.nodes["step"] == 0, "customers"].sum()
    assert n0 == ev.n_customers
    for step in range(2):
        assert fl.links.loc[fl.links["step"] == step, "customers"].sum() == \
            fl.nodes.loc[(fl.nodes["step"] == step) & (fl.nodes["state"] != "(exit)"), "customers"].sum()


def test_dwell_times_match_pandas():
    df = pd.DataFrame({"customer_id": [1, 1, 1, 1, 2, 2],
                       "timestamp": pd.to_datetime(["2024-01-01", "2024-01-03", "2024-01-04", "2024-01-10",
                                                    "2024-01-02", "2024-01-02"]),
                       "event": ["a", "a", "b", "a", "b", "c"]})
    ev = build(df)
    d = J.dwell_times(ev, level="event")
    # visits: c1: a(1->4: 3 d), b(4->10: 6 d), a(censored); c2: b(0 d, simultaneous: b ranks after c? no: c first)
    assert d.loc["a", "visits"] == 2 and d.loc["a", "completed"] == 1 and d.loc["a", "median"] == 3
    assert d.loc["b", "visits"] == 2 and d.loc["b", "censored"] == 1 and d.loc["b", "median"] == 6
    assert d.loc["c", "median"] == 0 and d.loc["c", "completed"] == 1  # c precedes b at the same time (tie rule)


@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def tx(company):
    return company.to_transactions()


@pytest.fixture(scope="module")
def ev(company):
    return toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                     channel="channel", order="order_id")


def test_presets_map_every_touchpoint(ev):
    for name in J.PRESETS:
        table = J.check_map(ev, name, unmapped="raise")
        assert (table["stage"] != "(unmapped)").all() and table["in_log"].all()
        assert set(table["event"]) == set(toolkit.datasets.EVENTS)


def test_user_map_unmapped_touchpoints_are_reported(ev):
    m = J.journey_map({"look": ["visit", "ad_impression"], "buy": ["purchase", "repurchase"]})
    with pytest.raises(DataQualityError, match="not mapped") as info:
        J.check_map(ev, m, unmapped="raise")
    assert info.value.column == "event" and info.value.count == len(ev) - 3073 - 12924 - 2000 - 15054
    table = J.check_map(ev, m)
    assert set(table.loc[table["stage"] == "(unmapped)", "event"]) == {
        "sign_up", "trial", "referral", "complaint", "support_contact", "winback_offer"}
    with pytest.warns(DataQualityWarning, match="not mapped"):
        t = J.transition_matrix(ev, "stage", journey_map=m)
    assert list(t.counts.columns) == ["look", "buy", "(exit)"]
    with pytest.raises(SchemaError, match="no touchpoint"):
        J.JourneyMap("x", ("a", "b"), {"visit": "a"})
    with pytest.raises(SchemaError, match="two stages"):
        J.journey_map({"a": ["visit"], "b": ["visit"]})


def test_funnel_by_channel_and_segment(ev, company):
    f = J.funnel(ev, ["visit", "purchase", "repurchase"], by="channel", window=365)
    total = f.by.groupby(level="step", sort=False)["customers"].sum()
    assert (total.reindex(f.table.index) == f.table["customers"]).all()
    tier = company.customers.set_index("customer_id")["city_tier"]
    g = J.funnel(ev, journey_map="five_processes", by=tier)
    assert set(g.by.index.get_level_values(0)) == set(tier.unique())
    assert g.biggest_drop in g.table.index
    assert "Funnel" in repr(g) and "<table" in g._repr_html_()
    with pytest.raises(SchemaError, match="Did you mean 'purchase'"):
        J.funnel(ev, ["visit", "purchse"])
    sub = J.funnel(ev, ["visit", "purchase"], customers=[1, 2, 3])
    assert sub.table["customers"].iloc[0] == 3


def test_stage_transitions_and_gaps(ev):
    t = J.transition_matrix(ev, "stage")
    assert np.allclose(t.probabilities.sum(axis=1), 1.0)
    assert (np.diag(t.counts.loc[list(J.PRESETS["five_processes"].stages)].iloc[:, :5]) == 0).all()  # collapsed
    d = J.dwell_times(ev)
    f = J.funnel(ev, journey_map="five_processes", order="loose")
    gaps = J.journey_gaps(f, d, t)
    assert set(gaps["kind"]) == {"drop-off", "dwell", "exit"}
    top = gaps[gaps["rank"] == 1].set_index("kind")["value"]
    assert top["drop-off"] == f.table["drop_off_rate"].max()
    assert top["exit"] == t.exit_rates.max()


def test_nps_counts_and_interval():
    scores = pd.Series([10, 9, 9, 8, 7, 6, 0, 3, 10, 10])
    r = J.nps(scores)
    row = r.table.loc["all"]
    assert (row["promoters"], row["passives"], row["detractors"]) == (5, 2, 3)
    assert row["nps"] == pytest.approx(20.0) and row["lower"] < 20 < row["upper"]
    wide = J.nps(scores, alpha=0.01).table.loc["all"]
    assert wide["lower"] < row["lower"] and wide["upper"] > row["upper"]
    with pytest.raises(DataQualityError, match="0-10"):
        J.nps([5, 11])
    by = J.nps(pd.DataFrame({"score": scores, "g": list("ab" * 5)}), by="g")
    assert by.table.loc[["a", "b"], "responses"].sum() == 10


def test_stage_kpis_on_company(ev, tx, company):
    k = J.stage_kpis(ev, transactions=tx, customers=company.customers, nps_scores=company.nps)
    orders = tx.frame.groupby("customer_id")["order_id"].nunique()
    assert k.value("repurchase rate") == pytest.approx((orders >= 2).mean())
    assert k.value("CAC") == pytest.approx(company.customers["acquisition_cost"].sum() / len(orders))
    assert k.value("NPS") == pytest.approx(J.nps(company.nps).score)
    bc = k.by_channel
    assert bc["new_customers"].sum() == len(orders)
    cac = company.customers.groupby("channel")["acquisition_cost"].sum() / company.customers.groupby("channel").size()
    pd.testing.assert_series_equal(bc["cac"], cac, check_names=False)
    assert 0 < k.value("churn rate") < 1 and 0 < k.value("win-back rate") < 1
    assert np.isnan(k.value("CSAT"))
    assert J.stage_kpis(ev, csat=pd.Series([5, 4, 2, 1])).value("CSAT") == 0.5
    board = J.journey_board(ev, kpis=k)
    assert board.flags.to_numpy().sum() == 3 and "CAC" in board.grid.index


def test_affinity_matches_pandas(tx):
    rules = J.affinity(tx)
    bought = tx.frame.groupby(["customer_id", "category"]).size().unstack(fill_value=0) > 0
    n = len(bought)
    r = rules.set_index(["antecedent", "consequent"]).loc[("maternity_wear", "strollers_gear")]
    both = (bought["maternity_wear"] & bought["strollers_gear"]).sum()
    assert r["support"] == pytest.approx(both / n)
    assert r["confidence"] == pytest.approx(both / bought["maternity_wear"].sum())
    assert r["lift"] == pytest.approx(r["confidence"] / bought["strollers_gear"].mean())
    orders = J.affinity(tx, basket="order")
    assert orders.attrs["n_baskets"] == tx.frame["order_id"].nunique()
    cs = J.cross_sell(tx, top=2)
    assert cs["rank"].max() <= 2 and (cs["lift"] > 1).all()
    pairs = set(zip(tx.frame["customer_id"], tx.frame["category"]))
    assert not any((c, k) in pairs for c, k in zip(cs["customer_id"], cs["category"]))
    s = cs.groupby("customer_id")["score"].apply(lambda v: v.is_monotonic_decreasing)
    assert s.all()


def test_journey_value_links_money(ev, tx, company):
    v = J.journey_value(ev, tx, customers=company.customers)
    assert v.by_entry_channel["customers"].sum() == ev.n_customers
    assert v.per_customer["revenue"].sum() == pytest.approx(tx.frame["amount"].sum())
    assert v.by_exit_stage["customers"].sum() == ev.n_customers
    assert v.referral_worth == pytest.approx(
        v.per_customer.loc[v.per_customer["entry_channel"] == "referral", "clv"].mean())
    c = v.complaint["value"]
    assert c["lower 95%"] <= v.complaint_cost <= c["upper 95%"]
    assert "referred customer" in repr(v) and "<table" in v._repr_html_()


def test_dashboard_updates_match_a_fresh_drawing(ev, company):
    matplotlib.use("Agg")
    import io

    from PIL import Image

    from toolkit.plotting.journey import PNG_RC, JourneyDashboard, journey_dashboard

    def pixels(png):
        return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))

    ch = company.customers.set_index("customer_id")["channel"]
    promo = ch.index[ch == "one_yuan_promo"]
    three = J.journey_map({"look": ["visit", "ad_impression"], "try": ["sign_up", "trial"],
                           "buy": ["purchase", "repurchase"]})
    settings = [("five_processes", "strict", None, None), ("five_processes", "loose", 30, promo),
                ("five_processes", "strict", None, promo), ("purchase_cycle", "strict", 1, None),
                (three, "loose", None, None), ("five_processes", "strict", None, None)]
    dash = JourneyDashboard()
    with pytest.raises(ValueError, match="Nothing drawn"):
        dash.png()
    drops = set()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # the three-stage map leaves touchpoints out
        for jm, order, window, ids in settings:
            f = J.funnel(ev, journey_map=jm, order=order, window=window, customers=ids)
            t = J.transition_matrix(ev, "stage", journey_map=jm, customers=ids)
            fig = dash.update(f, t)
            buf = io.BytesIO()
            with matplotlib.rc_context(PNG_RC):
                journey_dashboard(f, t).savefig(buf, format="png", dpi=64)
            diff = np.abs(pixels(dash.png(dpi=64)).astype(int) - pixels(buf.getvalue()).astype(int)).max(axis=-1)
            # the same picture; only where a y tick meets its axis line is antialiasing blended in another order
            assert np.count_nonzero(diff) <= 30 and diff.max() <= 64
            assert dash.figure is fig and dash.update(f, t) is fig and dash.png(dpi=64) is dash.png(dpi=64)
            drops.add(f.biggest_drop)
    assert len(drops) >= 3  # the hatched bar moved between updates
    assert dash.n_built == 3  # built first, then again only when the number of stages changed (5 -> 3 -> 5)


def test_plots_return_axes(ev, tx, company):
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from toolkit.plotting import journey as P

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        k = J.stage_kpis(ev, transactions=tx, customers=company.customers, nps_scores=company.nps)
        axes = [P.plot_funnel(J.funnel(ev, journey_map="five_processes")),
                P.plot_transition_heatmap(J.transition_matrix(ev, "stage")),
                P.plot_sankey(J.flows(ev, 4, level="event", max_nodes=12)),
                P.plot_journey_board(J.journey_board(ev, kpis=k)),
                P.plot_nps(k.nps)]
    for ax in axes:
        assert ax.get_title()
    assert axes[0].get_xlabel() == "customers (count)"
    flow = J.flows(ev, 4, level="event", max_nodes=5)
    assert flow.nodes.groupby("step").size().max() <= 6  # 4 states + (other) + (exit)
    from toolkit.plotting import plot_funnel  # lazy resolution through toolkit.plotting

    assert plot_funnel is P.plot_funnel
    plt.close("all")


def test_mixed_id_types_between_events_and_transactions_is_a_clear_error():
    """Numbers in one table and text in the other would match no customer: say so instead of failing inside."""
    import toolkit
    from toolkit import datasets, journey
    from toolkit.errors import SchemaError

    company = datasets.load_company()
    # text ids that are not numbers ("C1001"); digit strings such as "1001" are read as integers (one id rule)
    tx = toolkit.Transactions.from_frame(company.transactions.assign(customer_id="C" + company.transactions[
        "customer_id"].astype(str)), **company.transaction_kwargs())
    ev = toolkit.Events.from_frame(company.events, customer="customer_id", time="timestamp", event="event",
                                   channel="channel")
    with pytest.raises(SchemaError, match="numbers in the events .* text in the transactions"):
        journey.stage_kpis(ev, journey.PRESETS["five_processes"], transactions=tx)
    with pytest.raises(SchemaError, match="same id type"):
        journey.journey_value(ev, tx)
