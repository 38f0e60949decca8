"""The client report in Chinese: build_report(..., lang="zh") and ``python -m toolkit report --lang zh``.

Checked on the two example reports (the teaching company with events and NPS, and the order-line sample):
- no English sentence is left in the visible text: no run of three or more ASCII words outside an allow-list of
  codes, units, model names and the data's own values (item descriptions);
- the embedded font (@font-face, base64) covers every character of the visible text ("no tofu"), checked with
  the font's own cmap;
- the glossary appendix is there; the caller's language is unchanged after building and rendering.
"""

from __future__ import annotations

import base64
import io
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

import toolkit
from toolkit.report import build_report

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "retail" / "order_lines_sample.csv"

# Words that may stand in Chinese text: model and method names, units and codes, the product's name.
ALLOWED = [
    r"Customer Value Toolkit", r"BG/NBD(?:\s*\+\s*Gamma-Gamma)?", r"Gamma-Gamma", r"Pareto/NBD", r"Kaplan-Meier",
    r"Noto Sans SC", r"P\(alive\)", r"RFM", r"CLV", r"NPS", r"KPI", r"CNY", r"GBP", r"CSV", r"HTML", r"PDF",
    r"Gini", r"Pareto", r"BetaGeo", r"GammaGamma",
    r"--[a-z][a-z-]*", r"\b\w+=(?:DAYS|\.\.\.|[\d.]+)",  # command-line options and arguments named in advice
]
_ALLOWED = re.compile("|".join(f"(?:{a})" for a in ALLOWED))
# three or more ASCII words in a row (separated by spaces or light punctuation only)
_WORD = r"[A-Za-z][A-Za-z'’-]*"
_SEP = r"[^A-Za-z\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+"  # anything but letters and CJK (digits, punctuation)
_RUN = re.compile(rf"{_WORD}(?:{_SEP}{_WORD}){{2,}}")
_CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


class _Visible(HTMLParser):
    """Visible text of a page, split by element (style/script skipped; ``lang="en"`` elements set apart)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks, self.english, self._skip, self._en = [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("style", "script"):
            self._skip += 1
        if attrs.get("lang") == "en" and tag not in ("html",):
            self._en += 1
        if tag == "img" and attrs.get("alt"):
            self.chunks.append(attrs["alt"])

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif self._en and tag in ("td", "span", "th", "p"):
            self._en -= 1

    def handle_data(self, data):
        if self._skip or not data.strip():
            return
        (self.english if self._en else self.chunks).append(data.strip())


def visible_text(page: str) -> tuple[list[str], list[str]]:
    parser = _Visible()
    parser.feed(page)
    return parser.chunks, parser.english


def english_runs(chunks, data_values=()):
    """Runs of 3+ ASCII words in the chunks, minus allow-listed names and the data's own values."""
    found = []
    values = sorted({v for v in data_values if v}, key=len, reverse=True)
    for chunk in chunks:
        text = chunk
        for value in values:
            if value in text:
                text = text.replace(value, " ")
        text = _ALLOWED.sub(" ", text)
        found += [m.group(0) for m in _RUN.finditer(text)]
    return found


def embedded_font(page: str):
    from fontTools.ttLib import TTFont

    match = re.search(r'@font-face\{font-family:"([^"]+)";[^}]*src:url\(data:font/(\w+);base64,([A-Za-z0-9+/=]+)\)',
                      page)
    assert match, "no embedded @font-face with a base64 font"
    return match.group(1), TTFont(io.BytesIO(base64.b64decode(match.group(3))))


# ------------------------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def company():
    return toolkit.datasets.load_company()


@pytest.fixture(scope="module")
def company_zh(company):
    toolkit.set_language("en")
    report = build_report(company.to_transactions(time_unit="W"), events=company.events, nps=company.nps,
                          industry_clv=900.0, settings={"currency": "CNY"}, progress=False, lang="zh")
    language_after_build = toolkit.get_language()
    page = report.html()
    return report, page, language_after_build, toolkit.get_language()


@pytest.fixture(scope="module")
def sample_cli(tmp_path_factory):
    """The order-line sample through the command line with --lang zh."""
    out_dir = tmp_path_factory.mktemp("zh_cli")
    out = subprocess.run(
        [sys.executable, "-m", "toolkit", "report", str(SAMPLE), "--customer", "CustomerID", "--time", "InvoiceDate",
         "--order", "InvoiceNo", "--quantity", "Quantity", "--price", "UnitPrice", "--item", "StockCode",
         "--description", "Description", "--on-bad-rows", "net", "--currency", "GBP", "--lang", "zh",
         "-o", str(out_dir / "sample_zh.html")],
        capture_output=True, text=True, cwd=out_dir, timeout=600)
    return out, out_dir / "sample_zh.html"


def _company_values(company):
    """The teaching company's own names (acquisition channels such as "One yuan promo")."""
    values = set()
    for frame in (company.transactions, company.events, company.customers):
        for col in ("channel", "category"):
            if frame is not None and col in frame.columns:
                values |= {str(v) for v in frame[col].dropna().unique()}
    return sorted(values)


def _sample_values():
    import pandas as pd

    frame = pd.read_csv(SAMPLE, dtype=str)
    return [str(v) for col in ("Description", "StockCode", "Country") for v in frame[col].dropna().unique()]


# ------------------------------------------------------------------------------------------- tests
def test_language_is_restored(company_zh):
    report, page, after_build, after_html = company_zh
    assert report.language == "zh" and '<html lang="zh">' in page
    assert after_build == "en" and after_html == "en"
    # a Chinese caller keeps Chinese after an English report
    toolkit.set_language("zh")
    try:
        small = build_report(toolkit.datasets.make_company(120, seed=3).to_transactions(),
                             sections=["data"], progress=False, lang="en")
        assert toolkit.get_language() == "zh"
        assert small.language == "en" and "Data validation" in small.html()
        assert toolkit.get_language() == "zh"
    finally:
        toolkit.set_language("en")


def test_company_report_is_chinese(company_zh, company):
    _report, page, *_ = company_zh
    chunks, _ = visible_text(page)
    text = "\n".join(chunks)
    assert "客户价值报告" in text and "术语表" in text and "考察期" in text and "客户让渡价值" in text
    runs = english_runs(chunks, _company_values(company))
    assert not runs, f"{len(runs)} English runs left, e.g. {runs[:15]}"


def test_company_report_embeds_a_font_without_tofu(company_zh):
    _report, page, *_ = company_zh
    family, font = embedded_font(page)
    assert f'font-family:"{family}"' in page.split("</head>")[0].split("@font-face", 1)[1]
    cmap = font.getBestCmap()
    chunks, english = visible_text(page)
    missing = sorted({c for c in "".join(chunks + english) if not c.isspace() and ord(c) not in cmap})
    assert not missing, f"characters without a glyph in the embedded font: {missing}"
    assert len(cmap) < 3000  # a subset, not the whole 30,000-glyph font


def test_glossary_in_both_languages(company_zh):
    _report, page, *_ = company_zh
    glossary = page.split('id="sec-glossary"', 1)[1]
    for term in ("考察期", "形成期", "稳定期", "退化期", "历史价值", "当前价值", "潜在价值", "客户让渡价值",
                 "早期流产型", "中期夭折型", "提前退出型", "长久保持型", "消费频率", "客户终身价值"):
        assert term in glossary, term
    from toolkit.report.sections.glossary import glossary_table

    table = glossary_table("en")
    assert {"exploration", "historical value", "customer delivered value"} <= set(table["term"])
    assert set(glossary_table("zh")["translation"]) == set(table["term"])


def test_cli_lang_zh_order_lines(sample_cli):
    out, path = sample_cli
    assert out.returncode == 0, out.stderr[-3000:]
    assert "findfont" not in out.stderr and "Glyph" not in out.stderr, out.stderr[-2000:]
    page = path.read_text(encoding="utf-8")
    assert '<html lang="zh">' in page
    chunks, english = visible_text(page)
    runs = english_runs(chunks, _sample_values())
    assert not runs, f"{len(runs)} English runs left, e.g. {runs[:15]}"
    _family, font = embedded_font(page)
    cmap = font.getBestCmap()
    missing = sorted({c for c in "".join(chunks + english) if not c.isspace() and ord(c) not in cmap})
    assert not missing, missing


def test_font_is_embedded_only_when_needed():
    from toolkit.report.fonts import FONT_FAMILY, embed_font

    plain = "<html><head></head><body><p>Revenue 1,234 GBP</p></body></html>"
    assert embed_font(plain, "en") == plain  # English without CJK text: system fonts, no bytes added
    assert "@font-face" in embed_font(plain, "zh")
    mixed = embed_font(plain.replace("Revenue", "客户 Revenue"), "en")  # e.g. Chinese item names in the data
    _family, font = embedded_font(mixed)
    assert _family == FONT_FAMILY and ord("客") in font.getBestCmap()


def test_localize_translates_known_sentences_only():
    from toolkit.i18n import localize

    assert localize("no such sentence here", "zh") == "no such sentence here"
    assert localize("missing customer id", "en") == "missing customer id"


def test_subset_font_is_cut_once_and_then_read_from_the_user_cache(tmp_path, monkeypatch):
    from toolkit.report import fonts

    if fonts.subset_font("客户") is None:  # pragma: no cover - the font package is a dependency
        pytest.fail("the bundled Noto Sans SC is missing")
    monkeypatch.setenv("TOOLKIT_FONT_CACHE", str(tmp_path))
    fonts._subset.cache_clear()
    first, fmt = fonts.subset_font("客户价值 cache")
    assert len(list(tmp_path.iterdir())) == 1

    def no_cut(*args):
        raise AssertionError("the font was cut again")

    monkeypatch.setattr(fonts, "_cut", no_cut)
    fonts._subset.cache_clear()  # a new process: only the disk cache is left
    again, _ = fonts.subset_font("客户价值 cache")
    assert again == first
    fonts._subset.cache_clear()
