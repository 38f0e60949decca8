"""Issue #17 point 6: the KPI board compares windows of equal length, or gives no verdict and says why.

The case from the field: a retailer export of 12 months and 9 days. The "previous period" window then holds 9
days of data, and the old board compared a full year with those 9 days and marked a target as met. Every
expected value below is computed here from the raw frame with pandas, not read from the board.
"""

import math

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.report import KPI_WINDOWS, build_report, compute_kpis, kpi_board

DAY = pd.Timedelta(days=1)


@pytest.fixture(scope="module")
def short_company():
    """12 months plus 9 days of order lines (2022-12-23 .. 2023-12-31), as in the issue."""
    return toolkit.datasets.make_company(1200, seed=3, start="2022-12-23", end="2023-12-31")


@pytest.fixture(scope="module")
def short_tx(short_company):
    return short_company.to_transactions(time_unit="W")


@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


def _from(company, first_day):
    """The bundled company's log from ``first_day`` on (orders and NPS answers), to the same end."""
    frame = company.transactions[company.transactions["timestamp"] >= first_day]
    tx = toolkit.Transactions.from_frame(frame, **{**company.transaction_kwargs(), "time_unit": "W"})
    nps = company.nps[company.nps["date"] >= first_day]
    return tx, nps


def _window_repurchase(frame, end, days):
    day = frame["timestamp"].dt.normalize()
    sel = (day > end - pd.Timedelta(days=days)) & (day <= end)
    n_days = day[sel].groupby(frame.loc[sel, "customer_id"]).nunique()
    return float((n_days >= 2).mean())


TARGETS = {"repurchase_rate": {"kind": "relative", "value": 0.10},
           "nps": {"kind": "points", "value": 5},
           "active_customers": {"kind": "ratio", "value": 0.5}}


def test_nine_days_of_previous_data_give_no_verdict(short_company, short_tx):
    tx = short_tx
    first = tx.frame["timestamp"].min().normalize()
    end = tx.observation_end
    start = end - pd.Timedelta(days=364)  # first day of the current 365-day window
    has = (start - first).days
    assert has == 9  # the reproduced case: 9 days of data before the current window
    r = build_report(tx, nps=short_company.nps, targets=TARGETS, sections=["kpis"], progress=False)
    board = r.kpi_board
    # the old board compared with those 9 days: the previous-window values exist and are finite
    from toolkit.report import ReportContext

    ctx = ReportContext(transactions=tx, nps=short_company.nps)
    old = compute_kpis(ctx, list(TARGETS), end - pd.Timedelta(days=365))
    assert all(math.isfinite(v) for v in old.values())
    for kpi in TARGETS:
        row = board.loc[kpi]
        assert row["met"] is None and math.isnan(row["gap"]) and math.isnan(row["baseline"]), kpi
        nps_has = (start - short_company.nps["date"].min().normalize()).days
        want_has = nps_has if kpi == "nps" else has
        assert row["status"] == (f"not enough history for a baseline (needs 365 days before "
                                 f"{start:%Y-%m-%d}, has {want_has})"), kpi
        # the actual value is still shown, computed over the full current window
        assert math.isfinite(row["actual"])
    assert board.loc["repurchase_rate", "actual"] == pytest.approx(_window_repurchase(tx.frame, end, 365))
    sec = r["kpis"]
    assert sec.numbers["met"] == 0 and sec.numbers["missed"] == 0
    assert sum("not enough history for a baseline" in n for n in sec.notes) == 3


def test_absolute_and_given_baselines_still_judged_on_a_covered_window(short_tx):
    targets = {"repurchase_rate": 0.2, "revenue": {"kind": "ratio", "value": 1.0, "baseline": 1000.0}}
    board = build_report(short_tx, targets=targets, sections=["kpis"], progress=False).kpi_board
    end = short_tx.observation_end
    want = _window_repurchase(short_tx.frame, end, 365)
    assert board.loc["repurchase_rate", "actual"] == pytest.approx(want)
    assert board.loc["repurchase_rate", "met"] is (want >= 0.2)
    assert board.loc["revenue", "status"] in ("met", "missed") and board.loc["revenue", "baseline_window"] == "given"


def test_baseline_counts_from_exactly_a_full_previous_window(company):
    end = company.end
    prev_start = end - pd.Timedelta(days=2 * 365) + DAY
    tx, nps = _from(company, prev_start)
    assert tx.frame["timestamp"].min().normalize() == prev_start  # a purchase on the first day itself
    board = build_report(tx, nps=nps, targets=TARGETS, sections=["kpis"], progress=False).kpi_board
    row = board.loc["repurchase_rate"]
    assert row["met"] is not None and row["status"] in ("met", "missed")
    # the baseline is the same KPI over the 365 days before the current window, from the raw frame
    assert row["baseline"] == pytest.approx(_window_repurchase(tx.frame, end - pd.Timedelta(days=365), 365))
    assert row["baseline_window"] == f"{prev_start:%Y-%m-%d} to {end - pd.Timedelta(days=365):%Y-%m-%d}"
    assert row["window"] == f"{end - pd.Timedelta(days=364):%Y-%m-%d} to {end:%Y-%m-%d}"
    # one day less of history: no verdict, and the board says how many days it has
    tx2, nps2 = _from(company, prev_start + DAY)
    first2 = tx2.frame["timestamp"].min().normalize()
    board2 = build_report(tx2, nps=nps2, targets=TARGETS, sections=["kpis"], progress=False).kpi_board
    has = (end - pd.Timedelta(days=364) - first2).days
    assert has < 365
    assert board2.loc["repurchase_rate", "met"] is None
    assert board2.loc["repurchase_rate", "status"].endswith(f"has {has})")


def test_current_window_must_be_covered_too(short_tx):
    first = short_tx.frame["timestamp"].min().normalize()
    end = short_tx.observation_end
    r = build_report(short_tx, targets={"repurchase_rate": 0.2, "revenue": 1.0}, sections=["kpis"],
                     settings={"kpi_window_days": 400}, progress=False)
    board = r.kpi_board
    has = (end - first).days + 1
    assert has < 400
    for kpi in ("repurchase_rate", "revenue"):
        assert board.loc[kpi, "met"] is None and math.isnan(board.loc[kpi, "gap"])
        assert board.loc[kpi, "status"] == (f"not enough history for the window (needs 400 days up to "
                                            f"{end:%Y-%m-%d}, has {has})")


def test_retention_rate_needs_two_windows(company, short_tx):
    assert KPI_WINDOWS["retention_rate"] == 2
    # 12 months + 9 days: the retention rate compares the last year with the year before, which is not there
    board = build_report(short_tx, targets={"retention_rate": 0.5}, sections=["kpis"], progress=False).kpi_board
    assert board.loc["retention_rate", "met"] is None
    assert board.loc["retention_rate", "status"].startswith("not enough history for the window (needs 730 days")
    # 31 months: the current value counts (two windows are covered), but a previous baseline needs two more
    # windows before the current one (730 days), which 19 months are not
    full, _ = _from(company, pd.Timestamp("2022-06-01"))
    board = build_report(full, targets={"retention_rate": {"kind": "relative", "value": 0.0}}, sections=["kpis"],
                         progress=False).kpi_board
    row = board.loc["retention_rate"]
    first = full.frame["timestamp"].min().normalize()
    start = full.observation_end - pd.Timedelta(days=364)
    assert 365 < (start - first).days < 730 and math.isfinite(row["actual"])
    assert row["met"] is None and row["status"] == (f"not enough history for a baseline (needs 730 days before "
                                                    f"{start:%Y-%m-%d}, has {(start - first).days})")


def test_board_and_section_state_both_windows(company):
    tx = company.to_transactions(time_unit="W")
    r = build_report(tx, nps=company.nps, industry_clv=900.0, sections=["kpis"], progress=False)
    a = r.kpi_board.attrs
    end = tx.observation_end
    assert a["end"] == f"{end:%Y-%m-%d}" and a["start"] == f"{end - pd.Timedelta(days=364):%Y-%m-%d}"
    assert a["previous_end"] == f"{end - pd.Timedelta(days=365):%Y-%m-%d}"
    assert a["previous_start"] == f"{end - pd.Timedelta(days=729):%Y-%m-%d}"
    assert a["data_start"] == f"{tx.frame['timestamp'].min():%Y-%m-%d}"
    intro = r["kpis"].intro
    for key in ("start", "end", "previous_start", "previous_end", "data_start"):
        assert a[key] in intro
    # the published board of the bundled company keeps its verdicts: three years cover both windows
    assert r.kpi_board["met"].notna().all()
    assert r.kpi_board.loc["clv", "window"] == f"as of {end:%Y-%m-%d}"


def test_plot_marks_rows_without_history(short_company, short_tx):
    pytest.importorskip("matplotlib")
    from toolkit.plotting.report import plot_kpi_board

    board = build_report(short_tx, nps=short_company.nps, targets=TARGETS, sections=["kpis"],
                         progress=False).kpi_board
    ax = plot_kpi_board(board)
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == len(board)
    assert all(t.startswith("no verdict, not enough history") for t in texts)


def test_kpi_board_function_matches_report(short_tx):
    from toolkit.report import ReportContext, parse_targets

    ctx = ReportContext(transactions=short_tx, targets=parse_targets(TARGETS))
    direct = kpi_board(ctx)
    via = build_report(short_tx, targets=TARGETS, sections=["kpis"], progress=False).kpi_board
    pd.testing.assert_frame_equal(direct, via)
    assert np.isnan(direct["gap"]).all()
