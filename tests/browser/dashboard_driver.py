"""Drive the dashboard app (``python -m toolkit dashboard``) in headless Chromium, as a consultant would.

Used by ``tests/browser/test_dashboard.py`` (asserts) and ``tests/benchmarks/bench_dashboard.py`` (prints the
timings): open the page, wait for the Overview, visit every tab, change one control per tab and time how long the
page takes to show the new result. Screenshots go to ``ARTIFACTS/dashboard_<tab>.png``.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from toolkit.__main__ import dashboard_command, dashboard_env

from .conftest import ARTIFACTS, TOKEN, Server, free_port, isolated_env


@dataclass(frozen=True)
class TabCase:
    """One tab: its title, the view's root, the control to change and the element whose text must change."""

    key: str
    title: str
    root: str
    control: str | None = None
    action: str = ""
    readout: str | None = None


TAB_CASES = [
    TabCase("overview", "Overview", ".cvt-app-view-overview .cvt-app-overview"),
    TabCase("rfm", "RFM & tiers", ".cvt-rfm-explorer", ".cvt-rfm-segment-map select", "select:rfm_8",
            ".cvt-rfm-key-numbers"),
    TabCase("cohorts", "Cohorts", ".cvt-cohort-explorer", ".cvt-cohort-period select", "select:quarters",
            ".cvt-cohort-message"),
    TabCase("lifecycle", "Lifecycle", ".cvt-lifecycle-browser", ".cvt-lifecycle-k-det", "key:ArrowRight",
            ".cvt-lifecycle-headline"),
    TabCase("journey", "Journey", ".cvt-journey-explorer", ".cvt-journey-channel select", "select:referral",
            ".cvt-journey-message"),
    TabCase("clv_scenarios", "CLV scenarios", ".cvt-clv-explorer", ".cvt-clv-retention", "key:ArrowRight",
            ".cvt-clv-summary"),
    TabCase("clv_models", "CLV models", ".cvt-model-explorer", ".cvt-model-horizon", "key:ArrowRight",
            ".cvt-model-key-numbers"),
    TabCase("report", "Report", ".cvt-app-view-report", "button.cvt-app-report-build", "click",
            ".cvt-app-report-out"),
]

# Elements wider than the viewport (visible ones), and text cut by CSS ellipsis in widget labels and cells.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth;
  const out = [];
  for (const el of document.querySelectorAll('.cvt-app *')) {
    const r = el.getBoundingClientRect();
    if (r.width > 0 && r.height > 0 && r.right > W + 1) {
      out.push((el.className && el.className.baseVal === undefined ? el.className : el.tagName) + ' right=' +
               Math.round(r.right));
    }
  }
  return out.slice(0, 10);
}"""
ELLIPSIS_JS = """() => {
  const out = [];
  for (const el of document.querySelectorAll('.cvt-app *')) {
    if (!el.offsetParent) continue;
    const st = getComputedStyle(el);
    const cut = st.textOverflow === 'ellipsis' && el.scrollWidth > el.clientWidth + 1;
    const text = (el.innerText || '').trim();
    if ((cut || /\\u2026$/.test(text)) && text && el.children.length === 0) out.push(text.slice(0, 80));
  }
  return out.slice(0, 20);
}"""


@dataclass
class Run:
    """What one drive of the app measured and saw."""

    first_paint: float = float("nan")          # s from navigation until the app's first widgets are visible
    overview_ready: float = float("nan")       # s from navigation until the Overview shows its findings
    all_ready: float = float("nan")            # s from navigation until every tab is computed (background)
    tab_open: dict = field(default_factory=dict)       # tab -> s until its view is visible after the click
    control_change: dict = field(default_factory=dict)  # tab -> s until the readout changed
    changed: dict = field(default_factory=dict)          # tab -> (before, after) readout text
    overflow: dict = field(default_factory=dict)         # tab -> elements wider than the viewport
    ellipsis: dict = field(default_factory=dict)         # tab -> texts cut by an ellipsis
    console_errors: list = field(default_factory=list)
    outside_requests: list = field(default_factory=list)
    screenshots: list = field(default_factory=list)
    download_bytes: int = 0


class DashboardServer(Server):
    """``python -m toolkit dashboard`` on a free loopback port with isolated Jupyter folders."""

    def __init__(self, base, lang=None):
        self.port = free_port()
        base.mkdir(parents=True, exist_ok=True)
        env = dashboard_env(lang, isolated_env(base))
        cmd = dashboard_command(self.port, lang, [f"--token={TOKEN}"])
        cmd[0] = sys.executable
        super().__init__("dashboard", cmd, env, base, f"http://127.0.0.1:{self.port}/", base / "dashboard.log")
        self.url = f"http://127.0.0.1:{self.port}/?token={TOKEN}"


def _text(page, selector):
    loc = page.locator(selector).first
    return loc.inner_text() if loc.count() else ""


def _act(page, case):
    control = page.locator(case.control).first
    control.scroll_into_view_if_needed()
    kind, _, arg = case.action.partition(":")
    if kind == "select":
        control.select_option(label=arg)
    elif kind == "key":
        control.locator(".noUi-handle").focus()
        page.keyboard.press(arg)
    else:
        control.click()


def drive(page, url, *, prefix="dashboard", timeout_ms=120_000) -> Run:
    """Open the app at ``url`` and go through every tab; return what was measured (no asserts here)."""
    run = Run()
    page.on("console", lambda m: run.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda exc: run.console_errors.append(str(exc)))

    def route(r):
        host = r.request.url.split("/")[2].split(":")[0] if "://" in r.request.url else "127.0.0.1"
        if host in ("127.0.0.1", "localhost"):
            r.continue_()
        else:
            run.outside_requests.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    t0 = time.perf_counter()
    page.goto(url, wait_until="commit")
    page.wait_for_selector(".cvt-app-source", state="visible", timeout=timeout_ms)
    run.first_paint = time.perf_counter() - t0
    page.wait_for_selector(".cvt-app-overview ol.findings li", state="visible", timeout=timeout_ms)
    run.overview_ready = time.perf_counter() - t0
    page.wait_for_selector(".cvt-app.cvt-app-ready", state="attached", timeout=timeout_ms)
    run.all_ready = time.perf_counter() - t0
    for case in TAB_CASES:
        tab = page.locator(".cvt-app-tabs .lm-TabBar-tab", has_text=case.title).first
        t1 = time.perf_counter()
        tab.click()
        page.wait_for_selector(case.root, state="visible", timeout=timeout_ms)
        run.tab_open[case.key] = time.perf_counter() - t1
        page.wait_for_timeout(300)  # let images decode before measuring widths
        run.overflow[case.key] = page.evaluate(OVERFLOW_JS)
        run.ellipsis[case.key] = page.evaluate(ELLIPSIS_JS)
        if case.control:
            before = _text(page, case.readout)
            t2 = time.perf_counter()
            _act(page, case)
            deadline = time.monotonic() + timeout_ms / 1000
            while _text(page, case.readout) == before and time.monotonic() < deadline:
                page.wait_for_timeout(20)
            run.control_change[case.key] = time.perf_counter() - t2
            run.changed[case.key] = (before, _text(page, case.readout))
            page.wait_for_timeout(700)  # the figure follows the numbers: let it arrive before the screenshot
        if case.key == "report":
            link = page.locator("a.cvt-app-download").first
            link.wait_for(state="visible", timeout=timeout_ms)
            with page.expect_download() as dl:
                link.click()
            path = dl.value.path()
            run.download_bytes = path.stat().st_size if path else 0
        shot = ARTIFACTS / f"{prefix}_{case.key}.png"
        page.screenshot(path=str(shot), full_page=True)
        run.screenshots.append(shot)
    return run
