"""Messy frames never give an untyped exception or a silently wrong total (issue #23 point 9).

Hypothesis draws frames of the kind real exports are made of: ids of mixed types and padding, dates in several
text styles with blanks, typos and far-off years, amounts as numbers and formatted text with junk, refunds and
copies. Whatever the frame, building Transactions either raises a typed toolkit error or returns a log whose
cleaning report balances in rows and money, and whose results do not depend on the row order or on the dtype the
ids were read as. The named hostile cases live beside this file (tests/test_hostile_*.py).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import toolkit
from toolkit.errors import ToolkitError

IDS = [1, 2, 3, 17850]
DATE_STYLES = ["%Y-%m-%d", "%Y-%m-%d %H:%M", "%d/%m/%Y", "%m/%d/%Y %H:%M"]


@st.composite
def messy_frames(draw):
    n = draw(st.integers(1, 25))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    style = draw(st.sampled_from(DATE_STYLES))
    days = rng.integers(0, 400, n)
    stamps = pd.Timestamp("2023-01-01") + pd.to_timedelta(days, unit="D") + pd.to_timedelta(
        rng.integers(0, 24 * 60, n), unit="m")
    dates = [t.strftime(style) for t in stamps]
    junk_dates = draw(st.lists(st.sampled_from(["", " ", "n/a", "2099-01-01", "0001-01-01", "31/02/2024"]),
                               max_size=3))
    for k, value in enumerate(junk_dates):
        dates[rng.integers(0, n)] = value
    amounts = np.round(rng.choice([-1, 1, 1, 1], n) * rng.lognormal(3, 1, n), 2).astype(object)
    junk_amounts = draw(st.lists(st.sampled_from([None, "abc", float("inf"), 0.0, 1e12, "12.50"]), max_size=3))
    for value in junk_amounts:
        amounts[rng.integers(0, n)] = value
    ids = rng.choice(IDS, n).astype(object)
    for value in draw(st.lists(st.sampled_from([None, " 2", "2.0"]), max_size=2)):
        ids[rng.integers(0, n)] = value
    frame = pd.DataFrame({"cust": ids, "when": dates, "value": amounts})
    copies = draw(st.integers(0, 3))
    return pd.concat([frame, frame.sample(min(copies, n), random_state=1)], ignore_index=True)


def _build(frame, **kwargs):
    return toolkit.Transactions.from_frame(frame, customer="cust", time="when", amount="value", **kwargs)


def _outcome(frame, **kwargs):
    """('error', type) or ('ok', facts that must not depend on row order)."""
    try:
        tx = _build(frame, **kwargs)
    except ToolkitError as exc:
        return "error", type(exc).__name__
    rep = tx.report
    assert rep.balanced, rep
    assert rep.money_balanced, rep
    assert np.isfinite(tx.frame["amount"]).all()
    return "ok", (tx.n_customers, len(tx), round(rep.money_kept, 2), dict(rep.dropped), str(tx.observation_end))


@given(messy_frames(), st.sampled_from(["drop", "net", "raise"]), st.booleans())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_messy_frames_are_typed_errors_or_balanced_logs_independent_of_row_order(frame, mode, parse):
    try:
        first = _outcome(frame, on_bad_rows=mode, parse_amounts=parse)
    except ToolkitError:  # pragma: no cover - _outcome catches these
        raise
    except Exception as exc:  # noqa: BLE001 - the point of the test
        pytest.fail(f"untyped {type(exc).__name__}: {exc}\n{frame}")
    shuffled = frame.sample(frac=1.0, random_state=7)
    assert _outcome(shuffled, on_bad_rows=mode, parse_amounts=parse) == first


@given(st.lists(st.sampled_from(IDS), min_size=1, max_size=20), st.integers(0, 2**32 - 1))
@settings(max_examples=60, deadline=None)
def test_results_do_not_depend_on_the_id_dtype(ids, seed):
    rng = np.random.default_rng(seed)
    n = len(ids)
    base = pd.DataFrame({"when": pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D"),
                         "value": np.round(rng.lognormal(3, 1, n), 2)})
    outcomes = []
    for as_ids in (np.asarray(ids, dtype=np.int64), np.asarray(ids, dtype=np.float64),
                   np.asarray([str(i) for i in ids], dtype=object), np.asarray([f"{i}.0" for i in ids], dtype=object),
                   np.asarray(ids, dtype=np.uint64)):
        tx = _build(base.assign(cust=as_ids), duplicates="keep")
        summary = toolkit.customer_summary(tx)
        outcomes.append((list(tx.customer_ids), summary["revenue"].round(2).tolist(), summary["frequency"].tolist()))
    assert all(o == outcomes[0] for o in outcomes[1:])
