"""Issue #20 point 5: a Chinese lesson with a widget (Voila) and the Chinese report (a file) in Chromium, on a
machine without Chinese system fonts (``fc-list :lang=zh`` is empty here): every character is drawn by the bundled
Noto Sans SC, none is missing.

The check asks Chromium which fonts it really used: every element with Chinese text of its own is marked, and the
DevTools protocol's ``CSS.getPlatformFontsForNode`` lists the fonts that drew its text nodes with their glyph
counts. Chinese characters must all come from the embedded web font (``isCustomFont``, family Noto Sans SC): a
missing glyph would be drawn by a system font (a box) and show up there. A second check measures the widget's
Chinese labels in the embedded family and in a family that does not exist (the tofu width). Screenshots go to
``tests/browser/artifacts/`` (``zh_lesson_*.png``, ``zh_report_*.png``).
"""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, NOTEBOOKS, TOKEN

pytestmark = pytest.mark.slow

LESSON = "zh/00b-customer-value-concepts.ipynb"
WIDGET = ".cvt-dv-calculator"

# Mark every element that has a text node with CJK characters of its own; return what was marked.
MARK_JS = r"""() => {
  const cjk = /[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]/g;
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode, el = node.parentElement;
    if (!el || seen.has(el) || ['STYLE', 'SCRIPT', 'OPTION'].includes(el.tagName)) continue;
    const own = [...el.childNodes].filter(n => n.nodeType === 3).map(n => n.textContent).join('');
    const found = own.match(cjk);
    if (!found) continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not rendered (hidden tab, display:none)
    seen.add(el);
    el.setAttribute('data-cvt-probe', String(out.length));
    out.push({text: own.trim().slice(0, 80), cjk: found.length,
              widget: !!el.closest('.jupyter-widgets, .widget-label, .widget-html'),
              family: getComputedStyle(el).fontFamily});
  }
  return out;
}"""


def _platform_fonts(page):
    """[(probe, fonts)] for every marked element: the fonts Chromium used for its own text nodes."""
    client = page.context.new_cdp_session(page)
    client.send("DOM.enable")
    client.send("CSS.enable")
    root = client.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]["nodeId"]
    ids = client.send("DOM.querySelectorAll", {"nodeId": root, "selector": "[data-cvt-probe]"})["nodeIds"]
    out = []
    for node in ids:
        attrs = client.send("DOM.getAttributes", {"nodeId": node})["attributes"]
        probe = int(dict(zip(attrs[::2], attrs[1::2]))["data-cvt-probe"])
        out.append((probe, client.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]))
    client.detach()
    return out


def _missing_glyphs(page, probes):
    """Elements whose Chinese characters were not all drawn by the embedded font (empty list: none)."""
    problems = []
    for probe, fonts in _platform_fonts(page):
        info = probes[probe]
        embedded = sum(f["glyphCount"] for f in fonts if f.get("isCustomFont") and "Noto Sans SC" in f["familyName"])
        if embedded < info["cjk"]:
            problems.append({**info, "fonts": fonts})
    return problems


def _embedded_family_loaded(page):
    return page.evaluate("""async () => {
        await document.fonts.ready;
        return [...document.fonts].filter(f => f.family.replace(/"/g, '') === 'CVT Noto Sans SC')
                                  .map(f => f.status);
    }""")


@pytest.mark.skipif(not (NOTEBOOKS / LESSON).exists(), reason=f"notebooks/{LESSON} not written yet")
def test_zh_lesson_with_a_widget_uses_the_bundled_font(voila_url, lpage):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = lpage
    page.set_viewport_size({"width": 1280, "height": 900})
    for attempt in range(1, 4):  # RECIPES.md A.6.11: a stalled Voila execution is reloaded
        page.goto(f"{voila_url}/voila/render/{LESSON}?token={TOKEN}", wait_until="commit")
        try:
            page.wait_for_selector(WIDGET, timeout=60_000)
            break
        except PlaywrightTimeoutError:
            print(f"\nvoila: {LESSON} did not finish executing (attempt {attempt}), reloading")
    else:
        pytest.fail(f"Voila never finished executing {LESSON}")
    page.wait_for_timeout(1500)  # the widget views settle
    assert "loaded" in _embedded_family_loaded(page)
    # the widget's labels use JupyterLab's font variables, which name the embedded family first
    family = page.locator(f"{WIDGET} .widget-label").first.evaluate("el => getComputedStyle(el).fontFamily")
    assert "CVT Noto Sans SC" in family, family
    probes = page.evaluate(MARK_JS)
    in_widget = [p for p in probes if p["widget"]]
    in_text = [p for p in probes if not p["widget"]]
    assert len(in_widget) >= 5 and len(in_text) >= 5, (len(in_widget), len(in_text))
    problems = _missing_glyphs(page, probes)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "zh_lesson_top.png"), full_page=False)
    page.locator(WIDGET).first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "zh_lesson_widget.png"), full_page=False)
    assert problems == [], f"{len(problems)} of {len(probes)} elements have Chinese drawn by a system font: " \
                           f"{problems[:5]}"
    # tofu width: a missing font draws every character as a box of one width; the labels' text is narrower or
    # wider in the embedded font
    label = "".join(p["text"] for p in in_widget)[:40]
    widths = page.evaluate("""(text) => {
        const c = document.createElement('canvas').getContext('2d');
        c.font = '16px "CVT Noto Sans SC"'; const a = c.measureText(text).width;
        c.font = '16px "no-such-font-xyz"'; const b = c.measureText(text).width;
        return [a, b];
    }""", label)
    assert widths[0] > 0 and abs(widths[0] - widths[1]) > 0.5, (label, widths)
    print(f"\nzh lesson: {len(in_widget)} widget and {len(in_text)} text elements, all drawn by the bundled font; "
          f"screenshots {ARTIFACTS / 'zh_lesson_top.png'}, {ARTIFACTS / 'zh_lesson_widget.png'}")
    assert not page.outside_requests, page.outside_requests


LAB_LESSON = "zh/01-rfm-and-value-tiers.ipynb"


def test_zh_lesson_text_in_jupyterlab_uses_the_bundled_font_before_any_kernel_runs(lab_url, lpage):
    """`make lab` on a machine without Chinese fonts: the lesson's Markdown, code comments and the index are drawn
    by the bundled font as soon as the page opens (Lab's custom.css), not only once a widget has run."""
    page = lpage
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{lab_url}/lab/tree/{LAB_LESSON}?token={TOKEN}")
    page.wait_for_selector(".jp-Notebook .jp-RenderedMarkdown", timeout=60_000)
    page.wait_for_timeout(2000)  # every cell rendered (windowing is off in the test settings)
    # Lab skips laying out cells far below the fold (content-visibility: auto), so their text has no font yet:
    # lay every cell out, as scrolling through the lesson would
    # the answers' <details> are opened too, so that their text is checked as well
    page.evaluate("() => { document.querySelectorAll('.jp-Cell').forEach(c => c.style.contentVisibility = 'visible');"
                  " document.querySelectorAll('details').forEach(d => { d.open = true; }); }")
    page.wait_for_timeout(500)
    assert "loaded" in _embedded_family_loaded(page)
    probes = page.evaluate(MARK_JS)
    assert len(probes) >= 30, len(probes)
    problems = _missing_glyphs(page, probes)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.locator(".jp-Notebook .jp-Cell").first.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "zh_lab_lesson.png"), full_page=False)
    assert problems == [], f"{len(problems)} of {len(probes)} elements have Chinese drawn by a system font: " \
                           f"{problems[:5]}"
    print(f"\nzh lesson in Lab: {len(probes)} elements with Chinese, all drawn by the bundled font; "
          f"screenshot {ARTIFACTS / 'zh_lab_lesson.png'}")
    assert not page.outside_requests, page.outside_requests


@pytest.fixture(scope="module")
def zh_report_file(tmp_path_factory):
    import toolkit
    from toolkit.report import build_report

    company = toolkit.datasets.make_company(400, seed=3)
    report = build_report(company.to_transactions(time_unit="W"), events=company.events, nps=company.nps,
                          industry_clv=900.0, settings={"currency": "CNY"}, progress=False, lang="zh")
    path = tmp_path_factory.mktemp("zh_report_fonts") / "report_zh.html"
    report.to_html(path)
    return path


def test_zh_report_draws_every_character_in_the_embedded_font(page, zh_report_file):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    page.goto(zh_report_file.as_uri())
    assert "loaded" in _embedded_family_loaded(page)
    probes = page.evaluate(MARK_JS)
    assert len(probes) >= 50
    problems = _missing_glyphs(page, probes)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "zh_report_cdp_top.png"), full_page=False)
    assert problems == [], f"{len(problems)} of {len(probes)} elements have Chinese drawn by a system font: " \
                           f"{problems[:5]}"
    print(f"\nzh report: {len(probes)} elements with Chinese, all drawn by the embedded font")
