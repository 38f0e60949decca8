"""Client report (toolkit.report) and the command line (python -m toolkit report)."""

import base64
import json
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit.errors import DataQualityError, SchemaError
from toolkit.report import (
    COURSE_TARGETS,
    DEFAULT_SECTIONS,
    SECTIONS,
    Section,
    Target,
    build_report,
    nps_score,
    parse_targets,
    read_targets,
)

ROOT = Path(__file__).resolve().parents[1]
INDUSTRY_CLV = 900.0


@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def tx(company):
    return company.to_transactions(time_unit="W")


@pytest.fixture(scope="module")
def report(company, tx):
    return build_report(tx, events=company.events, nps=company.nps, industry_clv=INDUSTRY_CLV,
                        settings={"currency": "CNY"}, progress=False)


@pytest.fixture(scope="module")
def html_text(report):
    return report.html()


@pytest.fixture(scope="module")
def small_csv(company, tmp_path_factory):
    """A client-style export of 300 customers with client column names."""
    tx = company.transactions
    sub = tx[tx["customer_id"] <= 300].rename(columns={"customer_id": "Member ID", "timestamp": "Order Time",
                                                       "amount": "Paid", "order_id": "Order No"})
    path = tmp_path_factory.mktemp("client") / "orders.csv"
    sub[["Member ID", "Order Time", "Order No", "Paid"]].to_csv(path, index=False)
    return path


def _bad_rows_frame(company):
    """300 customers' order lines plus deliberate bad rows of known kinds and counts."""
    tx = company.transactions
    good = tx[tx["customer_id"] <= 300][["customer_id", "timestamp", "order_id", "amount"]].copy()
    good["timestamp"] = good["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    good["customer_id"] = good["customer_id"].astype(str)
    bad = pd.DataFrame({
        "customer_id": ["", None, "7", "8", "9", "10", "11"],
        "timestamp": ["2023-05-01", "2023-05-02", "yesterday", "31/02/2023", "2023-06-01", "2023-06-02", "2023-06-03"],
        "order_id": [900001, 900002, 900003, 900004, 900005, 900006, 900007],
        "amount": [10.0, 11.0, 12.0, 13.0, -5.0, -6.0, -7.0],
    })
    dup = good.iloc[[0, 5, 10, 20]]
    raw = pd.concat([good, bad, dup], ignore_index=True)
    expected = {"missing customer_id": 2, "unparseable timestamp": 2, "duplicate row": 4,
                "negative amount (return)": 3}
    return raw, expected


# -------------------------------------------------------------------------------------------------- report
def test_company_report_has_every_section(report, tx):
    assert report.keys() == list(DEFAULT_SECTIONS)
    status = {s.key: s.status for s in report.sections}
    for key in ("data", "rfm", "cohorts", "clv", "kpis"):
        assert status[key] == "ok", (key, report[key].notes)
    data = report["data"].numbers
    assert data["rows_in"] == tx.report.rows_in == data["rows_kept"] + data["rows_dropped"]
    assert data["customers"] == tx.n_customers
    # the RFM shares are those of the public API
    tiers = toolkit.rfm.value_tiers(tx)
    assert math.isclose(report["rfm"].numbers["high_share"], float((tiers["tier"] == "high").mean()))
    assert report["clv"].numbers["fit_checks"] >= 5
    assert any(label == "fit health" for label, _ in report["clv"].headline)


def test_clv_ranking_has_intervals(report, html_text, tx):
    """Issue #21: the customers ranked by model CLV carry their 80% interval (the rows the page shows), low <= point
    <= high, equal to customer_intervals on those rows, with a note on how to read overlapping intervals."""
    from toolkit.clv import customer_intervals
    from toolkit.clv.models import BetaGeo, GammaGamma
    from toolkit.report.format import MAX_TABLE_ROWS

    ranked = report["clv"].tables["customers ranked by model CLV"]
    assert list(ranked.columns[:3]) == ["model_clv", "model_clv_low_80", "model_clv_high_80"]
    shown = ranked.head(MAX_TABLE_ROWS)
    assert shown[["model_clv_low_80", "model_clv_high_80"]].notna().all().all()
    assert ranked.iloc[MAX_TABLE_ROWS:][["model_clv_low_80", "model_clv_high_80"]].isna().all().all()
    assert (shown["model_clv_low_80"] <= shown["model_clv"]).all()
    assert (shown["model_clv"] <= shown["model_clv_high_80"]).all()
    assert (shown["model_clv_low_80"] < shown["model_clv_high_80"]).all()
    # the same numbers as the public API on the shown customers (the section's settings, seed 0, 200 draws)
    s = report.settings
    fit_on = toolkit.customer_summary(tx)
    fit_on = fit_on[fit_on["T"] > 0]
    bg, gg = BetaGeo().fit(fit_on), GammaGamma().fit(fit_on)
    iv = customer_intervals(bg, fit_on.loc[shown.index], quantity="clv", spend_model=gg, horizon=s.horizon_months,
                            period="M", discount_rate=(1 + s.discount_rate) ** (1 / 12) - 1, margin=s.margin,
                            levels=(0.8,), n_draws=200, seed=0)
    np.testing.assert_allclose(shown["model_clv"], iv["clv"], rtol=1e-9)
    np.testing.assert_allclose(shown["model_clv_low_80"], iv["lower_80"], rtol=1e-9)
    np.testing.assert_allclose(shown["model_clv_high_80"], iv["upper_80"], rtol=1e-9)
    # the page shows the columns as money, and the note says how to read them
    assert "Model CLV 80% low" in html_text and "Model CLV 80% high" in html_text
    note = next(n for n in report["clv"].notes if n.startswith("Customers ranked by model CLV: the 80%"))
    overlap = int((shown["model_clv_high_80"].to_numpy()[1:] >= shown["model_clv_low_80"].to_numpy()[:-1]).sum())
    assert "cannot say which of them is worth more" in note
    assert f"Here {overlap} of the {len(shown) - 1} neighbouring pairs" in note


def test_journey_and_lifecycle_sections(report, company, tx):
    sec = report["journey"]
    assert sec.status == "ok", sec.notes
    scores = company.nps["score"]
    assert math.isclose(sec.numbers["nps"], 100 * ((scores >= 9).mean() - (scores <= 6).mean()))
    assert sec.numbers["entered"] == company.events["customer_id"].nunique()
    life = report["lifecycle"]
    assert life.status == "ok", life.notes
    result = toolkit.lifecycle.LifecycleClassifier().fit(tx).result_
    assert math.isclose(life.numbers["lost"], float((result.stages == "lost").mean()))
    assert life.numbers["early_warning"] == len(toolkit.lifecycle.early_warning(result))
    no_events = build_report(report_tx_small(), sections=["journey"], progress=False)
    assert no_events["journey"].status == "skipped"
    assert any("No event log" in n for n in no_events["journey"].notes)


def report_tx_small():
    raw = pd.DataFrame({"c": [1, 1, 2, 3, 3, 3], "d": ["2024-01-03", "2024-03-10", "2024-01-20", "2024-02-01",
                                                      "2024-03-31", "2024-05-02"], "v": [10.0, 5.0, 7.0, 3.0, 4.0, 6.0]})
    return toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v")


def test_html_is_self_contained(html_text, report, tmp_path):
    assert html_text.startswith("<!DOCTYPE html>")
    links = re.findall(r"""(?:src|href)\s*=\s*["']([^"']*)["']""", html_text, flags=re.I)
    assert links, "expected images and table-of-contents links"
    assert not [u for u in links if re.match(r"\s*(https?:)?//", u, flags=re.I)]
    assert "<link" not in html_text.lower() and "<script" not in html_text.lower()
    # the only url() is the embedded font's data: URL (#18: Chinese text renders without system fonts)
    assert "@import" not in html_text and not re.findall(r"url\((?!data:font/)", html_text)
    images = re.findall(r'<img[^>]*src="([^"]+)"', html_text)
    # every section figure, plus the KPI board's again on page one (the executive summary, #18)
    assert len(images) == sum(len(s.figures) for s in report.sections) + 1 >= 9
    for src in images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    for key in report.keys():
        assert f'id="sec-{key}"' in html_text and f'href="#sec-{key}"' in html_text
    path = report.to_html(tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") == html_text


def _window_repurchase(frame, end, days):
    day = frame["timestamp"].dt.normalize()
    sel = (day > end - pd.Timedelta(days=days)) & (day <= end)
    n_days = day[sel].groupby(frame.loc[sel, "customer_id"]).nunique()
    return float((n_days >= 2).mean())


def _window_nps(nps, end, days):
    d = nps["date"].dt.normalize()
    s = nps.loc[(d > end - pd.Timedelta(days=days)) & (d <= end), "score"]
    return 100.0 * (float((s >= 9).mean()) - float((s <= 6).mean()))


def test_kpi_board_gap_is_actual_minus_target(report, company, tx):
    board = report.kpi_board
    assert list(board.index) == [t.kpi for t in COURSE_TARGETS]
    end = tx.observation_end
    prev = end - pd.Timedelta(days=365)
    # independent pandas computations of the actual values and the previous-year baselines
    frame = tx.frame
    assert math.isclose(board.loc["repurchase_rate", "actual"], _window_repurchase(frame, end, 365))
    assert math.isclose(board.loc["repurchase_rate", "baseline"], _window_repurchase(frame, prev, 365))
    assert math.isclose(board.loc["repurchase_rate", "target"], 1.10 * board.loc["repurchase_rate", "baseline"])
    assert math.isclose(board.loc["nps", "actual"], _window_nps(company.nps, end, 365))
    assert math.isclose(board.loc["nps", "target"], _window_nps(company.nps, prev, 365) + 5)
    assert math.isclose(board.loc["clv", "target"], 1.2 * INDUSTRY_CLV)
    assert math.isclose(board.loc["clv", "actual"], report["clv"].numbers["course_clv_mean"])
    finite = board["target"].notna()
    assert finite.all()
    np.testing.assert_allclose(board["gap"], board["actual"] - board["target"])
    assert (board["met"] == (board["gap"] >= 0)).all()
    assert (board["status"] == np.where(board["gap"] >= 0, "met", "missed")).all()
    assert report["kpis"].numbers["met"] == int((board["gap"] >= 0).sum())
    # the board is in the HTML with its numbers
    html_text = report.html()
    assert f"<th>clv</th><td>{board.loc['clv', 'label']}</td>" in html_text


def test_kpi_board_without_baseline_or_nps_says_why(tx):
    r = build_report(tx, sections=["kpis"], progress=False)  # no industry mean, no NPS answers
    board = r.kpi_board
    assert board.loc["clv", "status"] == "no baseline given" and board.loc["clv", "met"] is None
    assert math.isnan(board.loc["clv", "gap"]) and math.isfinite(board.loc["clv", "actual"])
    assert board.loc["nps", "status"] == "no NPS answers in the window"
    assert math.isfinite(board.loc["repurchase_rate", "gap"])
    assert len(r["kpis"].notes) == 2


def test_custom_targets_absolute_and_points(tx, company):
    targets = {"repurchase_rate": 0.5, "active_customers": {"kind": "relative", "value": -0.5},
               "revenue": {"kind": "ratio", "value": 2.0, "baseline": 1000.0, "label": "revenue doubled"}}
    r = build_report(tx, targets=targets, sections=["kpis"], progress=False)
    board = r.kpi_board
    assert board.loc["repurchase_rate", "target"] == 0.5
    assert board.loc["revenue", "target"] == 2000.0 and board.loc["revenue", "label"] == "revenue doubled"
    frame = tx.frame
    day = frame["timestamp"].dt.normalize()
    end = tx.observation_end
    last = (day > end - pd.Timedelta(days=365)) & (day <= end)
    before = (day > end - pd.Timedelta(days=730)) & (day <= end - pd.Timedelta(days=365))
    assert math.isclose(board.loc["revenue", "actual"], frame.loc[last, "amount"].sum())
    assert board.loc["active_customers", "actual"] == frame.loc[last, "customer_id"].nunique()
    assert math.isclose(board.loc["active_customers", "target"], 0.5 * frame.loc[before, "customer_id"].nunique())
    np.testing.assert_allclose(board["gap"], board["actual"] - board["target"])


def test_parse_targets_and_json(tmp_path):
    assert [t.kpi for t in parse_targets()] == ["clv", "repurchase_rate", "nps"]
    assert parse_targets(industry_clv=800)[0].baseline == 800.0
    path = tmp_path / "t.json"
    path.write_text(json.dumps({"clv": {"kind": "ratio", "value": 1.2, "baseline": 850},
                                "nps": {"kind": "points", "value": 5}}), encoding="utf-8")
    t = read_targets(path)
    assert t == [Target("clv", "ratio", 1.2, 850), Target("nps", "points", 5)]
    assert t[0].target_value(850) == pytest.approx(1020.0) and t[1].target_value(30.0) == 35.0
    with pytest.raises(SchemaError, match="Unknown KPI"):
        parse_targets({"profit": 3})
    with pytest.raises(SchemaError, match="kind"):
        parse_targets([{"kpi": "nps", "kind": "percent", "value": 5}])
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(SchemaError, match="not valid JSON"):
        read_targets(path)


def test_nps_score():
    assert nps_score([10, 9, 8, 7, 6, 0]) == 0.0
    assert nps_score([10, 10, 9, 3]) == pytest.approx(50.0)
    assert math.isnan(nps_score([]))
    with pytest.raises(DataQualityError, match="0 to 10"):
        nps_score([5, 11, 7.5])


def test_bad_rows_are_counted_in_the_html(company, tmp_path):
    raw, expected = _bad_rows_frame(company)
    path = tmp_path / "export.csv"
    raw.to_csv(path, index=False)
    with pytest.raises(DataQualityError):
        toolkit.read_transactions(path, "customer_id", "timestamp", "amount", order="order_id")
    tx = toolkit.read_transactions(path, "customer_id", "timestamp", "amount", order="order_id", on_bad_rows="drop")
    r = build_report(tx, sections=["data"], progress=False)
    assert tx.report.dropped == expected
    n_in, n_drop = len(raw), sum(expected.values())
    nums = r["data"].numbers
    assert (nums["rows_in"], nums["rows_dropped"], nums["rows_kept"]) == (n_in, n_drop, n_in - n_drop)
    text = r.html()
    for label, value in (("rows in", n_in), ("rows kept", n_in - n_drop), ("rows dropped", n_drop)):
        assert f"<dt>{label}</dt><dd>{value:,}</dd>" in text
    for reason, count in expected.items():
        assert re.search(rf"<th>{re.escape(reason)}</th><td class=\"n\">{count}</td><td class=\"n\">[^<]*</td>"
                         r"<td>dropped</td>", text), reason
        assert f"examples: {reason}" in text


def test_section_errors_are_contained_and_bugs_are_not(monkeypatch, tx):
    def data_problem(ctx):
        raise DataQualityError("the client data cannot support this", column="amount", count=3)

    def bug(ctx):
        raise ZeroDivisionError("a bug")

    monkeypatch.setitem(SECTIONS, "problem", data_problem)
    monkeypatch.setitem(SECTIONS, "bug", bug)
    def other_error(ctx):
        raise toolkit.errors.ConvergenceError("the optimiser did not converge")

    monkeypatch.setitem(SECTIONS, "other", other_error)
    r = build_report(tx, sections=["data", "problem", "other"], progress=False)
    # a limit of the data is a skipped section in plain words, not an error with a class name
    assert [s.status for s in r.sections] == ["ok", "skipped", "error"]
    assert "cannot support this" in r["problem"].notes[0] and "DataQualityError" not in r["problem"].notes[0]
    assert r["other"].notes[0].startswith("ConvergenceError: ")
    with pytest.raises(ZeroDivisionError):
        build_report(tx, sections=["data", "bug"], progress=False)
    with pytest.raises(ValueError, match="Unknown report section"):
        build_report(tx, sections=["nope"], progress=False)


def test_progress_callback_and_custom_section(monkeypatch, tx):
    def hello(ctx):
        sec = Section("hello", "Hello")
        sec.add_number("n", "customers", ctx.transactions.n_customers)
        return sec

    monkeypatch.setitem(SECTIONS, "hello", hello)
    calls = []
    r = build_report(tx, sections=["data", "hello"], progress=lambda *a: calls.append(a))
    assert [(c[0], c[1], c[3]) for c in calls] == [(1, 2, "start"), (1, 2, "done"), (2, 2, "start"), (2, 2, "done")]
    assert r["hello"].numbers["n"] == tx.n_customers and "<dd>2,000</dd>" in r.html()


def test_pdf_export(report, tmp_path):
    path = report.to_pdf(tmp_path / "r.pdf")
    data = path.read_bytes()
    assert data[:5] == b"%PDF-"
    n_pages = len(re.findall(rb"/Type\s*/Page\b", data))
    # compact since #18: sections flow on A4 landscape pages (figures two to a row, tables' top rows with every
    # column), no longer a page per figure and per table (46 pages for this report before)
    assert 2 <= n_pages <= 15


def test_report_module_is_light():
    code = "import sys, toolkit.report; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "False"


# -------------------------------------------------------------------------------------------------- CLI
def _cli(*args, cwd):
    return subprocess.run([sys.executable, "-m", "toolkit", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


def test_cli_help():
    out = _cli("--help", cwd=ROOT)
    assert out.returncode == 0 and "report" in out.stdout
    out = _cli("report", "--help", cwd=ROOT)
    assert out.returncode == 0 and "--customer" in out.stdout and "--targets" in out.stdout


def test_cli_writes_report(small_csv, tmp_path):
    targets = tmp_path / "targets.json"
    targets.write_text(json.dumps({"repurchase_rate": {"kind": "relative", "value": 0.1},
                                   "active_customers": 50}), encoding="utf-8")
    out = _cli("report", small_csv, "--customer", "Member ID", "--time", "Order Time", "--amount", "Paid",
               "--order", "Order No", "--time-unit", "W", "--targets", targets, "-o", tmp_path / "r.html",
               "--pdf", tmp_path / "r.pdf", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    for i, key in enumerate(DEFAULT_SECTIONS, 1):
        assert f"[{i}/{len(DEFAULT_SECTIONS)}]" in out.stdout
    assert "CleaningReport" in out.stdout and "wrote" in out.stdout
    text = (tmp_path / "r.html").read_text(encoding="utf-8")
    for key in DEFAULT_SECTIONS:
        assert f'id="sec-{key}"' in text
    assert "active customers: at least 50" in text
    assert (tmp_path / "r.pdf").read_bytes()[:5] == b"%PDF-"


def test_cli_bad_data_fails_cleanly(company, tmp_path):
    raw, expected = _bad_rows_frame(company)
    path = tmp_path / "export.csv"
    raw.to_csv(path, index=False)
    out = _cli("report", path, "--customer", "customer_id", "--time", "timestamp", "--amount", "amount",
               "-o", tmp_path / "r.html", cwd=tmp_path)
    assert out.returncode == 1
    assert "Traceback" not in out.stderr
    assert out.stderr.startswith("error: ")
    for reason in expected:
        assert reason in out.stderr
    assert "--on-bad-rows drop" in out.stderr
    assert not (tmp_path / "r.html").exists()
    out = _cli("report", path, "--customer", "Customer", "--time", "timestamp", "--amount", "amount",
               "-o", tmp_path / "r.html", cwd=tmp_path)
    assert out.returncode == 1 and "Traceback" not in out.stderr and "'Customer' not among the columns" in out.stderr
    out = _cli("report", tmp_path / "missing.csv", "--customer", "a", "--time", "b", "--amount", "c",
               "-o", tmp_path / "r.html", cwd=tmp_path)
    assert out.returncode == 1 and "No such transaction file" in out.stderr
    out = _cli("report", path, "--customer", "customer_id", "--time", "timestamp", cwd=tmp_path)
    assert out.returncode == 2 and "--amount" in out.stderr  # usage error from argparse
