"""The client report where it is read: opened in Chromium at 1280 px, nothing is wider than the window
(issue #18, points 3 and 6).

Two reports, as a client gets them: the teaching company with events and NPS, and the order-line sample. Each is
built per language (English; Chinese once ``build_report`` takes ``lang=``), written to an HTML file and opened
from disk. The page must not scroll sideways and no element's right edge may pass the viewport, including
elements inside a horizontally scrolling box (a client deliverable fits; scrolling is not fitting). The report
must not fetch anything (it is self-contained). A full-page screenshot and an A4 print (PDF, as a browser's
"print" makes it) of each go to ``tests/browser/artifacts/`` (the test prints the paths).
"""

from __future__ import annotations

import inspect

import pytest

import toolkit
from toolkit.report import build_report

from .conftest import ARTIFACTS

pytestmark = pytest.mark.slow

WIDTH = 1280
LANGS = ["en", "zh"]
TAKES_LANG = "lang" in inspect.signature(build_report).parameters

# every element whose right edge passes the viewport (rounded px), with a hint of what it is
OVERFLOW_JS = """(width) => {
  const out = [];
  for (const el of document.querySelectorAll('body, body *')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5) {
      const id = el.id ? '#' + el.id : '';
      const cls = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ').join('.') : '';
      out.push(`${el.tagName.toLowerCase()}${id}${cls} right=${Math.round(r.right)} `
               + JSON.stringify((el.innerText || el.getAttribute('alt') || '').slice(0, 60)));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth,
          overflowing: out};
}"""


def _company(lang):
    company = toolkit.datasets.load_company()
    tx = company.to_transactions(time_unit="W")
    return build_report(tx, events=company.events, nps=company.nps, industry_clv=900.0,
                        settings={"currency": "CNY"}, progress=False, **({"lang": lang} if TAKES_LANG else {}))


def _order_lines(lang):
    from toolkit.datasets import dataset_path

    tx = toolkit.read_transactions(dataset_path("retail", "order_lines_sample.csv"), "CustomerID", "InvoiceDate",
                                   order="InvoiceNo", quantity="Quantity", price="UnitPrice", item="StockCode",
                                   on_bad_rows="net")
    return build_report(tx, settings={"currency": "GBP"}, progress=False, **({"lang": lang} if TAKES_LANG else {}))


BUILDERS = {"company": _company, "order_lines": _order_lines}


def _params():
    out = []
    for name in BUILDERS:
        for lang in LANGS:
            marks = []
            if lang != "en" and not TAKES_LANG:
                marks.append(pytest.mark.skip(reason="build_report(lang=...) not available yet"))
            out.append(pytest.param(name, lang, id=f"{name}-{lang}", marks=marks))
    return out


@pytest.fixture(scope="module")
def report_files(tmp_path_factory):
    """Built lazily, once per (report, language): {(name, lang): path of the HTML file}."""
    folder = tmp_path_factory.mktemp("reports")
    cache = {}

    def get(name, lang):
        if (name, lang) not in cache:
            cache[name, lang] = BUILDERS[name](lang).to_html(folder / f"{name}_{lang}.html")
        return cache[name, lang]

    return get


@pytest.mark.parametrize("name, lang", _params())
def test_report_fits_1280px(page, report_files, name, lang):
    path = report_files(name, lang)
    fetched = []

    def refuse(route):  # the report is one self-contained file: it must not fetch anything
        fetched.append(route.request.url)
        route.abort()

    page.route("http*://**/*", refuse)
    page.set_viewport_size({"width": WIDTH, "height": 900})
    page.goto(path.resolve().as_uri())
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready.then(() => true)")

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / f"report_{name}_{lang}_{WIDTH}px.png"
    page.screenshot(path=str(shot), full_page=True)
    pdf = ARTIFACTS / f"report_{name}_{lang}_A4.pdf"
    page.emulate_media(media="print")
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True, print_background=True)
    page.emulate_media(media="screen")
    print(f"\n{name} [{lang}]: screenshot {shot}\n{name} [{lang}]: A4 print {pdf}")

    result = page.evaluate(OVERFLOW_JS, WIDTH)
    assert not fetched, f"the report fetched {fetched}"
    assert result["clientWidth"] <= WIDTH
    assert result["scrollWidth"] <= WIDTH, (
        f"the page scrolls sideways ({result['scrollWidth']} px); too wide:\n" + "\n".join(result["overflowing"][:20]))
    assert not result["overflowing"], (f"{len(result['overflowing'])} elements pass the right edge at {WIDTH} px:\n"
                                       + "\n".join(result["overflowing"][:20]))
