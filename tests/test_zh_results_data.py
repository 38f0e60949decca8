"""Issue #20: the results of the data, dataset, journey and report layers speak the current language.

Under ``zh`` a result's ``repr`` and HTML hold no English word (``tests._zh_words.english_words``; what the reader
types, ``argument=value``, stays as it is); under ``en`` they are what they always were: the text reprs are
compared with the format strings they had before issue #20.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

import toolkit
import toolkit._zh  # noqa: F401  (the Chinese of the results' texts, as toolkit.set_language("zh") loads it)
from tests._zh_words import english_words, strip_html
from toolkit import datasets, journey
from toolkit.i18n import localize, tr, using_language

#: What the reader types into the next call (``exclude_items=['M', 'C2']``) and codes (an encoding, a date format,
#: a time zone, a file name): kept as they are in every language.
_ARGUMENT = re.compile(r"[A-Za-z_]\w*=\[[^\]]*\]|[A-Za-z_]\w*=\S*|UTF-\d+|YYYYMMDD|[A-Z][a-z]+/[A-Z][a-z]+|\S+\.csv")


def _english(*texts) -> dict:
    """The English words of reprs and HTML fragments as a reader sees them (HTML as text, with tooltips)."""
    shown = [strip_html(t) if t.lstrip().startswith("<") else t for t in texts]
    return english_words(_ARGUMENT.sub(" ", t) for t in shown)


def _zh(obj):
    with using_language("zh"):
        return repr(obj), obj._repr_html_()


# ------------------------------------------------------------------------------------------ the data layer
@pytest.fixture(scope="module")
def export():
    """A small export whose column names and values are not English: what is English in its results is ours."""
    day = pd.Timestamp("2024-01-01")
    return pd.DataFrame({
        "客户": ["甲", "甲", "甲", "乙", "乙", None, "丙", "丙", "丙", "丁"],
        "时间": [day, day + pd.Timedelta(days=3), day + pd.Timedelta(days=3), day + pd.Timedelta(days=5),
               day + pd.Timedelta(days=9), day + pd.Timedelta(days=2), day + pd.Timedelta(days=4),
               day + pd.Timedelta(days=6), day + pd.Timedelta(days=8), day + pd.Timedelta(days=7)],
        "金额": [10.0, 12.5, 12.5, 20.0, -5.0, 7.0, 0.0, 30.0, 4.0, 15.0],
        "商品": ["A1", "B2", "B2", "A1", "A1", "A1", "A1", "M", "C2", "B2"],
    })


@pytest.fixture(scope="module")
def tx(export):
    return toolkit.Transactions.from_frame(export, customer="客户", time="时间", amount="金额", item="商品",
                                           on_bad_rows="net", duplicates="drop", zero_amounts="keep")


def _old_cleaning_repr(r):
    """CleaningReport.__repr__ before issue #20."""
    lines = [f"CleaningReport: {r.rows_in:,} rows in = {r.rows_kept:,} kept + {r.rows_dropped:,} dropped",
             f"  money: {r.money_in:,.2f} in = {r.money_kept:,.2f} kept + "
             f"{sum(r.money_dropped.values()) + sum(r.money_moved.values()):,.2f} dropped or netted"]
    for reason, count in r.dropped.items():
        lines.append(f"  dropped {count:,}: {reason} (money {r.money_dropped.get(reason, 0.0):,.2f})")
    for reason, count in r.kept_notes.items():
        extra = f" (money taken off {r.money_moved[reason]:,.2f})" if reason in r.money_moved else ""
        lines.append(f"  kept    {count:,}: {reason}{extra}")
    lines.extend(f"  note: {note}" for note in r.notes)
    return "\n".join(lines)


def _old_cleaning_html(r):
    """CleaningReport._repr_html_ before issue #20."""
    import html

    head = (f"<p><b>Cleaning report</b>: {r.rows_in:,} rows in = {r.rows_kept:,} kept + "
            f"{r.rows_dropped:,} dropped; money {r.money_in:,.2f} in = {r.money_kept:,.2f} kept + "
            f"{sum(r.money_dropped.values()) + sum(r.money_moved.values()):,.2f} dropped or netted</p>")
    parts = [head, r.summary.to_html(index=False, float_format=lambda v: f"{v:,.2f}", na_rep="")]
    if r.suspect_items is not None and len(r.suspect_items):
        parts.append("<p>Lines that look like non-product lines (kept; pass <code>exclude_items=</code> to "
                     "drop them):</p>" + r.suspect_items.to_html(float_format=lambda v: f"{v:,.2f}"))
    for reason, ex in r.examples.items():
        parts.append(f"<details><summary>Examples: {html.escape(reason)}</summary>{ex.to_html()}</details>")
    if r.notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in r.notes) + "</ul>")
    return "".join(parts)


def test_the_export_exercises_every_part_of_the_cleaning_report(tx):
    report = tx.report
    assert {"missing customer_id", "duplicate row", "return netted against purchases"} <= set(report.dropped)
    assert {"purchase partly refunded (amount reduced)", "zero amount (kept: counted as a purchase)"} \
        <= set(report.kept_notes)
    assert report.money_moved and report.examples and report.notes
    assert list(report.suspect_items.index) == ["M", "C2"]


def test_cleaning_report_speaks_chinese(tx):
    text, page = _zh(tx.report)
    assert _english(text, page) == {}
    assert text.startswith("清洗报告：输入 10 行 = 保留 ") and "删除 1 行：缺少客户编号（金额 7.00）" in text
    assert "保留 1 行：购买部分退款（金额已减少）（扣除金额 5.00）" in text
    for shown in ("原因", "行数", "金额", "处理方式", "输入行数", "保留行数", "从保留行中扣除", "示例：重复行",
                  "看起来像非商品行的明细"):
        assert shown in strip_html(page), shown


def test_cleaning_report_is_unchanged_in_english(tx):
    assert repr(tx.report) == _old_cleaning_repr(tx.report)
    with using_language("zh"):  # what error messages embed: English whatever the language
        assert tx.report._text("en") == _old_cleaning_repr(tx.report)
    assert tx.report._repr_html_() == _old_cleaning_html(tx.report)
    assert list(tx.report.summary["action"]) == ["", "dropped", "dropped", "dropped", "taken off kept rows",
                                                 "kept", ""]


def test_the_summary_keeps_its_english_values_under_zh(tx):
    """The summary is data (code reads its reasons): only its display changes."""
    with using_language("zh"):
        summary = tx.report.summary
    assert summary.equals(tx.report.summary) and summary["reason"].iloc[0] == "rows in"


def test_transactions_speak_chinese_and_english_is_unchanged(tx):
    text, page = _zh(tx)
    assert _english(text, page) == {}
    assert text.startswith("交易记录：") and "清洗时删除" in text
    first = tx.frame["timestamp"].min()
    assert repr(tx) == (f"Transactions: {len(tx):,} rows, {tx.n_customers:,} customers, "
                        f"{first:%Y-%m-%d} to {tx.observation_end:%Y-%m-%d} (time unit {tx.time_unit!r}); "
                        f"{tx.report.rows_dropped:,} rows dropped in cleaning")


def test_notes_of_the_cleaning_report_speak_chinese():
    notes = [
        "customer ids read as text or decimals were converted to integers (e.g. '1' -> 1); 2 customer ids written "
        "two ways were read as one customer each (e.g. '7' and '07' -> 7)",
        "refunds netted: 504.15 of purchases cancelled by later refund rows of the same customers",
        "3 dates are far outside the bulk of the log: more than 4.0 years (twice the bulk's span, at least a year) "
        "before or after the bulk 2022-01-01 to 2024-01-01; or after 2025-01-02 (the future)",
        "purchase events merged from transactions ('purchase')",
        "12 purchase events added from 30 orders of the transactions (18 already in the log); example row numbers "
        "refer to the events followed by the merged purchases",
        "customer ids of mixed types were converted to text",
        "date far outside the bulk (outlier)", "unparseable timestamp", "negative amount (return)",
        "time zone Asia/Shanghai of column '时间' dropped: local wall-clock times are used",
        "column '日期' read as YYYYMMDD integers",
        "订单.csv: the header is on line 3; the 2 lines above it (a title block) were skipped",
        "订单.csv: read as UTF-16 text (its byte-order mark says so)",
        "2 customer ids had spaces around them, which were removed (e.g. ' 甲' -> '甲')",
    ]
    with using_language("zh"):
        shown = [localize(n) for n in notes]
    assert _english(*shown) == {}, shown


# ------------------------------------------------------------------------------------------ the teaching company
@pytest.fixture(scope="module")
def company():
    return datasets.load_company()


@pytest.fixture(scope="module")
def company_tx(company):
    return company.to_transactions()


@pytest.fixture(scope="module")
def events(company, company_tx):
    return company.to_events(company_tx)


def test_company_speaks_chinese_and_english_is_unchanged(company):
    text, page = _zh(company)
    assert _english(text, page) == {}
    assert "早期流产型" in text and "客户表" in page and "每位客户一行" in page
    mix = company.truth["pattern"].value_counts(normalize=True).reindex(list(datasets.PATTERNS)).fillna(0.0)
    churned = float(company.truth["churned"].mean())
    assert repr(company) == "\n".join([
        f"Company(n_customers={company.n_customers}, seed={company.seed}, "
        f"window {company.start.date()} .. {company.end.date()})",
        "  " + ", ".join(f"{name}: {len(frame):,} rows" for name, frame in company.tables.items()),
        f"  revenue {company.transactions['amount'].sum():,.0f} yuan, churned by end {churned:.1%}",
        "  patterns: " + ", ".join(f"{p} {s:.0%}" for p, s in mix.items()),
    ])
    assert company._repr_html_() == (f"<p><b>Company</b>: {company.n_customers:,} customers, seed {company.seed}, "
                                     f"{company.start.date()} .. {company.end.date()}</p>"
                                     + company.summary().to_html())


def test_company_summary_descriptions_speak_chinese(company):
    with using_language("zh"):
        shown = [localize(d) for d in company.summary()["description"]]
    assert _english(*shown) == {}


def test_events_speak_chinese_and_english_is_unchanged(events):
    text, page = _zh(events)
    assert _english(text, page) == {}
    assert "从交易记录并入的购买事件" in page and "广告曝光" in page
    first = pd.Timestamp(events.ns.min())
    assert repr(events) == (f"Events: {len(events):,} events of {len(events.event_labels)} types, "
                            f"{events.n_customers:,} customers, {first:%Y-%m-%d} to "
                            f"{events.observation_end:%Y-%m-%d}; {events.report.rows_dropped:,} rows dropped in "
                            "cleaning")
    assert events._repr_html_().startswith(f"<p>{events!r}</p>")


# ------------------------------------------------------------------------------------------ journey
@pytest.fixture(scope="module")
def results(company, company_tx, events):
    five = journey.journey_map("five_processes")
    csat = pd.Series(np.tile([5, 4, 2, 3], 25), name="score")  # a CSAT, so that no KPI is blank
    kpis = journey.stage_kpis(events, five, transactions=company_tx, customers=company.customers,
                              nps_scores=company.nps, csat=csat)
    return {
        "map": five,
        "funnel": journey.funnel(events, ["reach", "acquisition", "conversion", "retention"], journey_map=five),
        "transitions": journey.transition_matrix(events, "stage", journey_map=five),
        "flows": journey.flows(events, 4, journey_map=five),
        "nps": journey.nps(company.nps),
        "kpis": kpis,
        "board": journey.journey_board(events, five, kpis=kpis),
        "value": journey.journey_value(events, company_tx, five, customers=company.customers),
    }


@pytest.mark.parametrize("name", ["map", "funnel", "transitions", "flows", "nps", "kpis", "board", "value"])
def test_journey_results_speak_chinese(results, name):
    text, page = _zh(results[name])
    assert _english(text, page) == {}, (name, text)


def test_journey_reprs_are_unchanged_in_english(results):
    five, f, t, fl, n, k, b, v = (results[key] for key in
                                  ("map", "funnel", "transitions", "flows", "nps", "kpis", "board", "value"))
    parts = " → ".join(f"{s} [{', '.join(five.events_of(s))}]" for s in five.stages)
    assert repr(five) == f"JourneyMap 'five_processes': {parts}"
    tab = f.table
    lines = [f"Funnel (strict order, window none): {int(tab['customers'].iloc[0]):,} entered, "
             f"{int(tab['customers'].iloc[-1]):,} completed ({tab['overall_conversion'].iloc[-1]:.1%})"]
    lines += [f"  {s}: {int(r.customers):,} ({r.overall_conversion:.1%})" for s, r in tab.iterrows()]
    lines.append(f"  biggest drop-off before {f.biggest_drop!r}")
    assert repr(f) == "\n".join(lines)
    top = t.summary.head(5)
    assert repr(t) == "\n".join([f"Transitions (stage level, {int(t.counts.to_numpy().sum()):,} moves, "
                                 f"{len(t.counts.columns) - 1} states)"]
                                + [f"  {a} → {b_}: {int(r.moves):,} ({r.share_of_from:.0%})"
                                   for (a, b_), r in top.iterrows()])
    n0 = int(fl.nodes.loc[fl.nodes["step"] == 0, "customers"].sum())
    assert repr(fl) == f"Flows over 4 steps (stage level), {n0:,} customers, {len(fl.links)} links"
    r = n.table.iloc[0]
    assert repr(n) == (f"NPS {r.nps:+.1f} (95% CI {r.lower:+.1f} to {r.upper:+.1f}) from {int(r.responses):,} "
                       f"responses: {r.promoter_share:.0%} promoters, {r.detractor_share:.0%} detractors")
    lines = ["Stage KPIs"]
    for _, row in k.table.iterrows():
        val = row["value"]
        txt = "n/a" if pd.isna(val) else (f"{val:.1%}" if row["unit"] == "share" else f"{val:,.2f}")
        lines.append(f"  {row['stage']:<12} {row['kpi']:<22} {txt}")
    assert repr(k) == "\n".join(lines)
    gaps = "; ".join(f"{g.kind}: {g['where']}" for _, g in b.gaps[b.gaps["rank"] == 1].iterrows())
    assert repr(b) == (f"JourneyBoard 'five_processes': {len(b.grid.columns)} stages x {len(b.grid)} rows; "
                       f"gaps — {gaps}")
    assert repr(v) == (f"JourneyValue: {len(v.per_customer):,} customers; a referred customer is worth "
                       f"{v.referral_worth:,.0f}; a complaint costs {v.complaint_cost:,.0f} of margin (within "
                       "channel)")


def test_journey_html_in_english(results):
    board = strip_html(results["board"]._repr_html_())
    # the board's rows are measures: each row is formatted by its unit (not a count as a share)
    assert "exit rate" in board and "64.8%" in board and "199100.0%" not in board
    value = strip_html(results["value"]._repr_html_())
    assert "Margin" in value and "Gross margin" not in value and "93167.3%" not in value
    assert "biggest drop-off before 'retention'" in strip_html(results["funnel"]._repr_html_())
    assert results["map"]._repr_html_().startswith("<p><b>Journey map five_processes</b></p>")


def test_journey_tables_read_chinese_in_a_notebook(events, results):
    """What the lessons display as DataFrames: headers by label, sentences and paths translated."""
    from toolkit.formatting import notebook_table_html

    five = results["map"]
    tables = [journey.top_paths(events, 4, level="stage", journey_map=five, max_length=4),
              journey.dwell_times(events, journey_map=five),
              results["kpis"].table[["stage", "kpi", "value", "definition"]],
              results["nps"].table, results["value"].complaint, results["value"].referral,
              results["transitions"].summary.head(5), journey.journey_gaps(results["funnel"])[["kind", "where"]]]
    with using_language("zh"):
        pages = [strip_html(notebook_table_html(t)) for t in tables]
    # the code names under each Chinese header are what the next cell types: leave them out
    names = {str(c) for t in tables for c in [*t.columns, *t.index.names] if c is not None}
    words = {w: t for w, t in _english(*pages).items() if not any(w in n for n in names)}
    assert words == {}


# ------------------------------------------------------------------------------------------ the report
@pytest.fixture(scope="module")
def reports(company, company_tx):
    from toolkit.report import build_report

    def build():
        return build_report(company_tx, events=company.events, nps=company.nps, sections=["data", "journey"],
                            progress=False)

    with using_language("zh"):
        zh = build()
    return {"zh": zh, "en": build()}


def test_report_speaks_chinese(reports):
    report = reports["zh"]
    text, page = _zh(report)
    with using_language("zh"):
        sections = [repr(s) for s in report.sections]
    assert _english(text, page, *sections) == {}
    assert "数据校验 [已完成]：输入行数" in text and "从触达进入的客户" in text
    assert "<th>章节</th><th>状态</th><th>要点</th>" in page
    # the journey section's reading names the stages by their labels ("从 触达 进入的客户中有 ..."), not reach/win_back
    intro = report["journey"].intro
    assert _english(intro) == {} and "触达" in intro


def test_report_reprs_are_unchanged_in_english(reports):
    report = reports["en"]
    lines = [f"Report: {report.title} ({report.subtitle}); {len(report.sections)} sections in {report.seconds:.1f} s"]
    for i, s in enumerate(report.sections, 1):
        head = "; ".join(f"{k} {v}" for k, v in s.headline[:3])
        lines.append(f"  {i}. {s.title} [{s.outcome}]" + (f": {head}" if head else ""))
    assert repr(report) == "\n".join(lines)
    assert "<tr><th></th><th>section</th><th>status</th><th>headline</th></tr>" in report._repr_html_()
    assert "<td>Data validation</td><td>done</td><td>rows in 22,053; rows kept" in report._repr_html_()
    sec = report.sections[0]
    assert repr(sec) == f"<Section 'data' (ok): {'; '.join(f'{k} {v}' for k, v in sec.headline[:5])}>"


def test_report_progress_line_speaks_the_current_language():
    assert tr("report.progress.done").format(n_steps=7) == "Report built: 7 sections."
    assert tr("report.progress.step").format(step=2, n_steps=7, name="RFM") == "Building report: step 2/7, RFM…"
    with using_language("zh"):
        texts = [tr("report.progress.start"), tr("report.progress.done").format(n_steps=7),
                 tr("report.progress.step").format(step=2, n_steps=7, name="数据校验")]
    assert _english(*texts) == {} and texts[1] == "报告已生成：共 7 节。"


def test_report_tables_of_the_journey_and_kpis_speak_chinese():
    """Cells of the report's journey section and KPI board that used to stay English."""
    cells = ["exit rate", "drop-off", "dwell", "exit", "share", "money", "% promoters (9-10) - % detractors (0-6)",
             "KPI board", "given", "as of 2024-12-31", "2024-01-02 to 2024-12-31", "ad_impression", "winback_offer",
             "reach → acquisition → …", "NPS by definition"]
    with using_language("zh"):
        shown = [localize(c) for c in cells]
    assert _english(*shown) == {}, dict(zip(cells, shown))
