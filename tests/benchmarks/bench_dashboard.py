"""The dashboard app as a consultant meets it (``make dashboard``), timed in headless Chromium by the same driver as
``tests/browser/test_dashboard.py``: first paint, Overview ready, every tab computed, and the time each tab takes to
show the result of one control change (targets of issue 19 in brackets: first paint <= 3 s, bundled data loaded and
the first tab interactive <= 8 s, each control change <= 0.5 s).

Three ways to open the page:
- ``pre-heated, opened later``: ``python -m toolkit dashboard`` (Voila keeps one kernel that has already run the
  app) and the page opened once that kernel has finished (the usual case: start the server, then open the browser);
- ``pre-heated, opened at once``: the page requested the moment the server answers (the pre-heat still running);
- ``fresh kernel``: ``--no-preheat``: a kernel started for the request, the app loaded and computed after it.
Median of ``repeat`` page loads each. Needs Chromium (``$CHROMIUM`` or /usr/bin/chromium) and Playwright.
"""

from __future__ import annotations

import pathlib
import statistics
import tempfile
import time

import pandas as pd

from tests.benchmarks._harness import fmt_table


def _drive_once(server, wait_before=0.0):
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_FLAGS
    from tests.browser.dashboard_driver import drive

    time.sleep(wait_before)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.set_default_timeout(180_000)
        try:
            return drive(page, server.url, prefix="bench_dashboard")
        finally:
            browser.close()


def _server(preheat):
    from tests.browser import dashboard_driver as dd

    base = pathlib.Path(tempfile.mkdtemp(prefix="cvt-bench-dashboard-"))
    if preheat:
        return dd.DashboardServer(base)
    original = dd.dashboard_command
    try:
        dd.dashboard_command = lambda port, lang, extra: original(port, lang, extra, preheat=False)
        return dd.DashboardServer(base)
    finally:
        dd.dashboard_command = original


def run(quick=False):
    from tests.browser.conftest import _browser_problem

    problem = _browser_problem()
    if problem:
        print(f"skipped: {problem}")
        return
    repeat = 1 if quick else 3
    rows = []
    for label, preheat, wait in (("pre-heated, opened later", True, 45.0), ("pre-heated, opened at once", True, 0.0),
                                 ("fresh kernel (--no-preheat)", False, 0.0)):
        runs = []
        for _ in range(repeat):
            server = _server(preheat)
            try:
                runs.append(_drive_once(server, wait))
            finally:
                server.stop()
        med = lambda xs: statistics.median(xs)  # noqa: E731
        changes = [max(r.control_change.values()) for r in runs]
        rows.append({"page": label, "first paint s [<=3]": med([r.first_paint for r in runs]),
                     "overview ready s [<=8]": med([r.overview_ready for r in runs]),
                     "all tabs ready s": med([r.all_ready for r in runs]),
                     "slowest control change s [<=0.5]": med(changes),
                     "runs": len(runs)})
        per_tab = pd.DataFrame([r.control_change for r in runs]).median()
        print(f"{label}: control change by tab (median s): " +
              ", ".join(f"{k} {v:.3f}" for k, v in per_tab.items()), flush=True)
    print(fmt_table(pd.DataFrame(rows)))
