"""The Chinese client report in Chromium on a machine without Chinese fonts: the embedded Noto Sans SC subset is
loaded and used (no empty boxes). Screenshots go to ``tests/browser/artifacts/`` (the path is printed).

This machine's Chromium has no system Chinese font (``fc-list :lang=zh`` is empty here); when one is installed
the test still checks that the report's *own* family loaded, which does not depend on the system.
"""

from __future__ import annotations

import subprocess

import pytest

import toolkit
from toolkit.report import build_report
from toolkit.report.fonts import FONT_FAMILY

from .conftest import ARTIFACTS

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def zh_report_file(tmp_path_factory):
    company = toolkit.datasets.load_company()
    report = build_report(company.to_transactions(time_unit="W"), events=company.events, nps=company.nps,
                          industry_clv=900.0, settings={"currency": "CNY"}, progress=False, lang="zh")
    path = tmp_path_factory.mktemp("zh_report") / "report_zh.html"
    report.to_html(path)
    return path


def _system_has_chinese_font() -> bool:
    try:
        out = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return bool(out.strip())


def test_zh_report_uses_the_embedded_font(page, zh_report_file):
    page.set_viewport_size({"width": 1280, "height": 900})
    page.set_default_timeout(60_000)
    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
               else route.abort())
    page.goto(zh_report_file.as_uri())
    page.evaluate("document.fonts.ready.then(() => true)")
    state = page.evaluate(f"""async () => {{
        await document.fonts.load('16px "{FONT_FAMILY}"', '客户');
        const faces = [...document.fonts].filter(f => f.family.replace(/"/g, '') === '{FONT_FAMILY}');
        return {{
            check: document.fonts.check('16px "{FONT_FAMILY}"', '客户'),
            status: faces.map(f => f.status),
            bodyFont: getComputedStyle(document.body).fontFamily,
            h1: document.querySelector('h1').innerText,
        }};
    }}""")
    assert state["status"] == ["loaded"], state
    assert state["check"] is True, state
    assert state["bodyFont"].replace('"', "").startswith(FONT_FAMILY), state
    assert state["h1"] == "客户价值报告"
    # the same text measured in the embedded font and in a font that does not exist: different widths mean the
    # glyphs come from the embedded font (tofu boxes of a missing font all have one width)
    widths = page.evaluate(f"""() => {{
        const c = document.createElement('canvas').getContext('2d');
        c.font = '16px "{FONT_FAMILY}"'; const a = c.measureText('客户价值报告考察期').width;
        c.font = '16px "no-such-font-xyz"'; const b = c.measureText('客户价值报告考察期').width;
        return [a, b];
    }}""")
    assert widths[0] > 0
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    top = ARTIFACTS / "report_zh_top.png"
    page.screenshot(path=str(top), full_page=False)
    page.locator("#sec-glossary").scroll_into_view_if_needed()
    glossary = ARTIFACTS / "report_zh_glossary.png"
    page.screenshot(path=str(glossary), full_page=False)
    full = ARTIFACTS / "report_zh_full.png"
    page.screenshot(path=str(full), full_page=True)
    print(f"\nscreenshots (system Chinese fonts: {_system_has_chinese_font()}): {top}, {glossary}, {full}")
