"""Issue 7 benchmark: funnel (4 steps, strict order) + transition matrix (with start/exit) + top-10 paths on 1e6
and 1e7 events, from a built Events, vs a vectorised pandas implementation (tests/naive.py
``pandas_journey_recipe``) on the same canonical frame, in one run (results checked equal); peak memory; and the
journey explorer's redraw time (state update + figure rendered to PNG) on 1e7 events (target: 0.5 s), next to
the same settings computed without the explorer's caches.
"""

from __future__ import annotations

import os
import time

import numpy as np
import pandas as pd

import toolkit
from tests import naive
from tests.benchmarks._harness import fmt_table, median_time, peak_memory
from toolkit import journey as J
from toolkit.datasets import CHANNELS, EVENTS

STEPS = [["visit"], ["sign_up"], ["purchase"], ["repurchase"]]


def synthetic_events(n_events, seed=0):
    """Shuffled raw touchpoint log: ~20 events per customer, the teaching company's event names (weighted),
    timestamps over two years (second resolution, so some are simultaneous), a channel per event."""
    rng = np.random.default_rng(seed)
    n_cust = max(n_events // 20, 1)
    p = np.array([3, 13, 2, 1, 2, 15, 0.5, 0.3, 7, 2], dtype=float)
    ev = rng.choice(np.array(EVENTS, dtype=object), n_events, p=p / p.sum())
    cust = rng.integers(0, n_cust, n_events)
    secs = rng.integers(0, 730 * 86400, n_events)
    ts = np.datetime64("2023-01-01", "s") + secs.astype("timedelta64[s]")
    ch = rng.choice(np.array(CHANNELS, dtype=object), n_events)
    return pd.DataFrame({"customer_id": cust, "timestamp": ts.astype("datetime64[ns]"), "event": ev, "channel": ch})


def build(raw):
    return toolkit.Events.from_frame(raw, customer="customer_id", time="timestamp", event="event", channel="channel",
                                     duplicates="keep")


def ours(ev):
    f = J.funnel(ev, STEPS)
    t = J.transition_matrix(ev)
    p = J.top_paths(ev, 10, max_length=6)
    return f, t, p


def baseline(frame):
    return naive.pandas_journey_recipe(frame, STEPS, max_length=6)


def check_equal(ev, got, ref):
    f, t, p = got
    counts, moves, starts, top = ref
    assert f.table["customers"].tolist() == counts
    c = t.counts
    m = moves.reindex(index=c.index[1:], columns=c.columns, fill_value=0)
    assert (c.iloc[1:].to_numpy() == m.to_numpy()).all()
    assert (c.loc["(start)"].drop("(exit)").to_numpy() == starts.reindex(c.columns[:-1], fill_value=0).to_numpy()).all()
    full = J.top_paths(ev, 10**9, max_length=6)
    lookup = dict(zip(full["path"], full["customers"]))
    assert all(lookup[k] == v for k, v in top.items())
    assert sorted(p["customers"]) == sorted(top.to_numpy())


def bench_core(sizes, repeat):
    rows = []
    for n in sizes:
        raw = synthetic_events(n)
        t_build, ev = median_time(lambda: build(raw), 1)
        frame = ev.frame
        rep = repeat if n < 10**7 else max(1, repeat - 1)
        t_ours, got = median_time(lambda: ours(ev), rep)
        t_pd, ref = median_time(lambda: baseline(frame), rep)
        check_equal(ev, got, ref)
        parts = {}
        for name, fn in (("funnel", lambda: J.funnel(ev, STEPS)), ("transitions", lambda: J.transition_matrix(ev)),
                         ("paths", lambda: J.top_paths(ev, 10, max_length=6))):
            parts[name] = median_time(fn, rep)[0]
        peak = peak_memory(lambda: ours(ev))
        peak_pd = peak_memory(lambda: baseline(frame))
        rows.append({"events": f"{n:.0e}", "customers": f"{ev.n_customers:,}", "ours s": t_ours,
                     "funnel s": parts["funnel"], "transitions s": parts["transitions"], "paths s": parts["paths"],
                     "pandas s": t_pd, "speed-up": t_pd / t_ours, "build s": t_build,
                     "peak ours MB": peak / 2**20, "peak pandas MB": peak_pd / 2**20})
        print(f"  {n:.0e} events done", flush=True)
    return pd.DataFrame(rows)


def bench_widget(n_events):
    """Redraw time of the explorer per control change (state update + figure + PNG, as a user waits for it),
    next to the same settings computed without the explorer's caches: the public funnel and transition calls
    on the same customer mask and a new figure each time, nothing reused."""
    from toolkit.plotting.journey import journey_dashboard
    from toolkit.widgets._common import figure_png
    from toolkit.widgets.journey_explorer import ALL, journey_explorer

    ev = build(synthetic_events(n_events, seed=1))
    ids = ev.customer_id
    tier = pd.Series(np.array(["t1", "t2", "t3", "t4"], dtype=object)[ids % 4], index=ids)
    w = journey_explorer(ev, {"tier": tier})
    channel = J._entry_channel(ev, J._first_positions(ev))  # the explorer's default: channel of the first event
    first = w.state.n_updates
    steps = [("order", "loose"), ("window", 90), ("channel", "referral"), ("segment", "tier"), ("group", "t2"),
             ("map", "purchase_cycle"), ("window", 0), ("channel", "(all)")]
    rows = []
    for name, value in steps:
        start = time.perf_counter()
        w.controls[name].value = value
        redraw = time.perf_counter() - start
        s = w.state
        keep = np.ones(len(ids), dtype=bool)
        if s.segment is not None and s.group not in (None, ALL):
            keep &= (tier == s.group).to_numpy()
        if s.channel not in (None, ALL):
            keep &= channel == s.channel
        sel = None if keep.all() else keep.astype(np.uint8)  # a customer mask, as the explorer passes it
        start = time.perf_counter()
        f = J.funnel(ev, journey_map=s.map_name, order=s.order, window=s.window or None, customers=sel)
        t = J.transition_matrix(ev, "stage", journey_map=s.map_name, customers=sel)
        figure_png(journey_dashboard(f, t), dpi=64)
        uncached = time.perf_counter() - start
        assert f.table.equals(s.funnel.table) and t.counts.equals(s.transitions.counts)
        rows.append({"control change": f"{name} = {value}", "redraw s": redraw, "uncached s": uncached,
                     "customers selected": f"{s.n_selected:,}"})
    assert w.state.n_updates == first + len(steps)
    return pd.DataFrame(rows), ev


def run(quick=False, repeat=3):
    sizes = [10**5] if quick else [10**6, 10**7]
    ours(build(synthetic_events(1000)))  # compile / load kernels
    print(f"numba threads: {__import__('numba').get_num_threads()}; medians of {repeat} runs (2 at 1e7); "
          "'ours s' = funnel + transitions + top paths from built Events")
    core = bench_core(sizes, repeat)
    print("\n(a) funnel + transition matrix + top paths vs pandas\n" + fmt_table(core), flush=True)
    load = os.getloadavg()[0]
    wtab, ev = bench_widget(10**5 if quick else 10**7)
    print(f"\n(b) journey explorer redraw, {ev.n_customers:,} customers / {len(ev):,} events (load average "
          f"{load:.1f} -> {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; 'uncached' = public funnel + "
          "transitions + a new figure for the same settings, checked equal)\n" + fmt_table(wtab))
    return core, wtab


if __name__ == "__main__":
    run()
