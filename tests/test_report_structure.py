"""Structure of the client report: executive summary first, two-sentence section openings, section outcomes that
say the same in the Report, the HTML and on the terminal, --strict, one NPS per definition, the KPI card counts."""

import html
import re

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import journey
from toolkit.__main__ import main
from toolkit.report import build_report, nps_score
from toolkit.report.base import OUTCOMES

CDNOW_ARGS = ["--customer", "customer_id", "--time", "date", "--amount", "dollar_value", "--duplicates", "keep"]


# ------------------------------------------------------------------------------------------------ fixtures
@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def report(company):
    tx = company.to_transactions(time_unit="W")
    return build_report(tx, events=company.events, nps=company.nps, industry_clv=900.0,
                        settings={"currency": "CNY"}, progress=False)


@pytest.fixture(scope="module")
def html_text(report):
    return report.html()


@pytest.fixture(scope="module")
def cdnow_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("cdnow") / "cdnow.csv"
    toolkit.datasets.load_cdnow("sample").to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def short_csv(company, tmp_path_factory):
    """The company's last three months: too short for the lifecycle and for the CLV model's holdout check."""
    tx = company.transactions
    part = tx[tx["timestamp"] >= "2024-10-01"][["customer_id", "timestamp", "amount"]]
    path = tmp_path_factory.mktemp("short") / "short.csv"
    part.to_csv(path, index=False)
    return path


def _run(capsys, args):
    code = main(["report", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def _cli_outcomes(stdout):
    """Section title -> outcome printed on its progress line ("[4/7] Lifecycle ... not enough data (0.2 s)")."""
    found = dict(re.findall(r"^\[\d+/\d+\] (.+?) \.\.\. (.+?) \(\d+\.\d s\)$", stdout, flags=re.MULTILINE))
    assert found, stdout
    return found


def _html_outcomes(text):
    """Section title -> outcome from the table of contents and from each section's header."""
    toc = dict(re.findall(r'<li><a href="#sec-[^"]+">([^<]+)</a> <small class="outcome">\(([^)]+)\)</small></li>', text))
    heads = {}
    for title, outcome in re.findall(r'<h2>\d+\. ([^<]+)</h2>\s*<p class="status outcome-([a-z-]+)">', text):
        heads[html.unescape(title)] = outcome.replace("-", " ")
    return {html.unescape(k): v for k, v in toc.items()}, heads


# ------------------------------------------------------------------------------------------------ summary
def test_executive_summary_is_page_one_with_5_to_7_findings_each_with_a_number(report, html_text):
    findings = report.findings
    assert 5 <= len(findings) <= 7
    for f in findings:
        assert re.search(r"\d", f.text), f.text  # its number
        assert ": " in f.text and f.text.endswith("."), f.text  # finding: recommended action.
        assert report[f.section].outcome in ("done", "done with a caveat")
    assert [f.importance for f in findings] == sorted((f.importance for f in findings), reverse=True)
    assert len({f.key for f in findings}) == len(findings)
    # first in the HTML: before the table of contents and every section, findings in their order
    at = html_text.index('class="exec-summary"')
    assert at < html_text.index("<nav") and at < html_text.index("<section")
    positions = [html_text.index(html.escape(f.text)) for f in findings]
    assert positions == sorted(positions) and positions[-1] < html_text.index("<nav")
    # the KPI board (its figure and the card's counts) is on page one
    summary = html_text[at:html_text.index("<nav")]
    assert 'class="kpi-board"' in summary and "missed 2" in summary
    # the findings quote the sections' own numbers
    keys = {f.key: f for f in findings}
    assert f"{report['rfm'].numbers['top20_revenue_share']:.0%}" in keys["concentration"].text
    assert f"{report['cohorts'].numbers['retention_1']:.0%}" in keys["retention"].text
    assert f"{report['lifecycle'].numbers['early_warning_value']:,.0f} CNY" in keys["early_warning"].text
    assert "2 of 3 KPI targets are missed" in keys["kpi_missed"].text


def test_summary_skips_findings_of_skipped_sections(company):
    tx = company.to_transactions(time_unit="W")
    r = build_report(tx, progress=False)  # no events: the journey is skipped, so no NPS or journey finding
    assert r["journey"].outcome == "skipped"
    assert 5 <= len(r.findings) <= 7
    assert not any(f.section == "journey" for f in r.findings)


def test_each_section_opens_with_what_and_so_what(report):
    for sec in report.sections:
        sentences = re.findall(r".+?\.(?=\s|$)", sec.intro)
        assert len(sentences) == 2, (sec.key, sec.intro)
        assert re.search(r"\d", sentences[1]), (sec.key, sentences[1])  # the "so what" quotes the data
    r1 = report["cohorts"].numbers["retention_1"]
    assert f"Month-1 retention is {r1:.0%}" in report["cohorts"].intro


# ------------------------------------------------------------------------------------------------ outcomes
def test_outcomes_are_the_same_in_the_report_the_html_and_the_terminal_on_cdnow(capsys, cdnow_csv, tmp_path):
    out = tmp_path / "cdnow.html"
    code, stdout, _ = _run(capsys, [str(cdnow_csv), *CDNOW_ARGS, "-o", str(out)])
    assert code == 0
    cli = _cli_outcomes(stdout)
    toc, heads = _html_outcomes(out.read_text(encoding="utf-8"))
    assert cli == toc == heads
    assert set(cli.values()) <= set(OUTCOMES)
    assert cli["Customer journey"] == "skipped"
    # the same run through the API gives the same outcomes
    api = build_report(toolkit.datasets.load_cdnow("sample"), customer="customer_id", time="date",
                       amount="dollar_value", duplicates="keep", progress=False)
    assert {s.title: s.outcome for s in api.sections} == cli
    # what is not plainly done is explained on the terminal, as in the HTML
    for sec in api.sections:
        if sec.outcome != "done":
            assert f"note: section '{sec.title}' {sec.outcome}" in stdout
    # the KPI card: three targets, none judged (no industry mean, no year before, no NPS answers)
    kpis = api["kpis"]
    assert kpis.outcome == "done with a caveat" and cli["KPI board"] == "done with a caveat"
    assert {k: kpis.numbers[k] for k in ("targets", "met", "missed", "no_verdict")} == \
        {"targets": 3, "met": 0, "missed": 0, "no_verdict": 3}
    assert "<dt>no verdict</dt><dd>3</dd>" in out.read_text(encoding="utf-8")


def test_short_log_says_not_enough_data_and_caveats_everywhere(capsys, short_csv, tmp_path):
    out = tmp_path / "short.html"
    args = [str(short_csv), "--customer", "customer_id", "--time", "timestamp", "--amount", "amount", "-o", str(out)]
    code, stdout, _ = _run(capsys, args)
    assert code == 0
    cli = _cli_outcomes(stdout)
    text = out.read_text(encoding="utf-8")
    toc, heads = _html_outcomes(text)
    assert cli == toc == heads
    assert cli["Lifecycle"] == "not enough data"
    assert cli["Customer journey"] == "skipped"
    # the model could not be checked on a holdout: the terminal must not say plain "done" for the CLV
    assert cli["Customer lifetime value"] == "done with a caveat"
    assert "note: section 'Lifecycle' not enough data: The lifecycle needs at least 4 months" in stdout
    assert "not enough data: The lifecycle needs at least 4 months" in html.unescape(text)
    assert "note: section 'Customer lifetime value' done with a caveat: Course CLV skipped" in stdout
    for caveat in ("Course CLV skipped", "Holdout fit-health check skipped", "Model warning"):
        assert caveat in text  # every caveat is in the section's notes


def test_strict_exits_non_zero_after_writing_the_report(capsys, short_csv, tmp_path):
    out = tmp_path / "strict.html"
    args = [str(short_csv), "--customer", "customer_id", "--time", "timestamp", "--amount", "amount", "-o", str(out)]
    code, _, stderr = _run(capsys, [*args, "--strict"])
    assert code != 0 and out.exists()
    assert "strict: section 'Lifecycle' not enough data: The lifecycle needs" in stderr
    assert "strict: section 'Customer journey' skipped: No event log given" in stderr
    assert "Customer lifetime value" not in stderr  # done with a caveat is done
    code, _, stderr = _run(capsys, [*args, "--strict", "-q"])
    assert code != 0 and "strict: 2 section(s) not done" in stderr


def test_strict_passes_when_every_section_is_done(capsys, company, tmp_path):
    ids = set(range(1, 401))
    tx = company.transactions[company.transactions["customer_id"].isin(ids)]
    ev = company.events[company.events["customer_id"].isin(ids)]
    nps = company.nps[company.nps["customer_id"].isin(ids)]
    paths = {name: tmp_path / f"{name}.csv" for name in ("tx", "events", "nps")}
    tx[["customer_id", "timestamp", "amount"]].to_csv(paths["tx"], index=False)
    ev.to_csv(paths["events"], index=False)
    nps.to_csv(paths["nps"], index=False)
    code, stdout, stderr = _run(capsys, [str(paths["tx"]), "--customer", "customer_id", "--time", "timestamp",
                                         "--amount", "amount", "--events", str(paths["events"]), "--nps",
                                         str(paths["nps"]), "-o", str(tmp_path / "ok.html"), "--strict"])
    assert code == 0, stderr
    assert "strict:" not in stderr
    assert set(_cli_outcomes(stdout).values()) <= {"done", "done with a caveat"}


def test_progress_callback_gets_the_section(company):
    calls = []
    tx = company.to_transactions()
    build_report(tx, sections=["data", "journey"], progress=lambda *a: calls.append(a))
    done = [c for c in calls if c[3] == "done"]
    assert [c[5].outcome for c in done] == ["done", "skipped"]
    five = []
    build_report(tx, sections=["data"], progress=lambda step, n, name, state, seconds: five.append(state))
    assert five == ["start", "done"]


# ------------------------------------------------------------------------------------------------ NPS
def test_nps_is_computed_once_per_definition_and_both_are_labelled(report, company, html_text):
    nums = report["journey"].numbers
    scores = company.nps["score"]
    # all answers: the journey's NPS, its stage-KPI NPS and the summary agree
    assert nums["nps"] == pytest.approx(nps_score(scores))
    assert nums["nps"] == pytest.approx(journey.nps(company.nps).score)
    # the KPI window: the KPI board's actual is the very same number as the journey's window NPS
    board = report.kpi_board
    assert board.loc["nps", "actual"] == nums["nps_window"]
    end = pd.Timestamp(board.attrs["end"])
    day = pd.to_datetime(company.nps["date"]).dt.normalize()
    window = (day > end - pd.Timedelta(days=365)) & (day <= end)
    assert nums["nps_window"] == pytest.approx(nps_score(scores[window]))
    assert nums["nps_window_answers"] == window.sum() < len(scores)
    # two populations, two numbers, two labels (the survey score rose: +25.4 over three years, +35.1 last year)
    assert round(nums["nps"], 1) == 25.4 and round(nums["nps_window"], 1) == 35.1
    labels = dict(report["journey"].headline)
    assert labels[f"NPS, all {len(scores):,} answers"] == "+25.4"
    assert labels[f"NPS, last 365 days ({int(window.sum()):,} answers)"] == "+35.1"
    assert "NPS by definition" in report["journey"].tables
    nps_finding = next(f for f in report.findings if f.key == "nps") if any(
        f.key == "nps" for f in report.findings) else None
    if nps_finding is not None:
        assert "+35" in nps_finding.text and "+25" in nps_finding.text


# ------------------------------------------------------------------------------------------------ KPI card
def test_kpi_card_counts_add_up(report, html_text):
    nums = report["kpis"].numbers
    board = report.kpi_board
    assert nums["targets"] == len(board) == nums["met"] + nums["missed"] + nums["no_verdict"]
    assert (nums["met"], nums["missed"], nums["no_verdict"]) == (1, 2, 0)
    assert (board["status"] == "met").sum() == nums["met"]
    assert report["kpis"].outcome == "done"
    for label, value in (("targets", 3), ("met", 1), ("missed", 2), ("no verdict", 0)):
        assert f"<dt>{label}</dt><dd>{value}</dd>" in html_text
    assert np.isfinite(board["gap"]).all()
