"""The dashboard app in Chromium, as the consultant opens it (``python -m toolkit dashboard``, Voila, loopback):
load the bundled data, visit every tab, change one control per tab and see the output change; no console
error, no request leaving the machine, no element wider than the viewport, no label or cell cut by "…", and the
report downloads. Screenshots: ``tests/browser/artifacts/dashboard_<tab>.png`` (the folder is printed). Timings
are printed (and tabulated by ``make bench``), never asserted.
"""

from __future__ import annotations

import json
import tempfile
import pathlib

import pytest

from .conftest import ARTIFACTS
from .dashboard_driver import TAB_CASES, DashboardServer, drive

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def dashboard():
    base = pathlib.Path(tempfile.mkdtemp(prefix="cvt-dashboard-"))
    server = DashboardServer(base)
    yield server
    server.stop()


def test_dashboard_app_in_chromium(dashboard, page):
    page.set_default_timeout(120_000)
    run = drive(page, dashboard.url)
    timings = {"first_paint_s": round(run.first_paint, 2), "overview_ready_s": round(run.overview_ready, 2),
               "all_tabs_ready_s": round(run.all_ready, 2),
               "tab_open_s": {k: round(v, 2) for k, v in run.tab_open.items()},
               "control_change_s": {k: round(v, 3) for k, v in run.control_change.items()}}
    (ARTIFACTS / "dashboard_timings.json").write_text(json.dumps(timings, indent=1))
    print(f"\nscreenshots and timings in {ARTIFACTS}: {json.dumps(timings)}")
    assert not run.console_errors, run.console_errors
    assert not run.outside_requests, f"requests leaving the machine (CDN?): {run.outside_requests}"
    for case in TAB_CASES:
        assert case.key in run.tab_open, f"tab {case.title} never showed {case.root}"
        assert not run.overflow[case.key], f"{case.title}: elements wider than the viewport {run.overflow[case.key]}"
        assert not run.ellipsis[case.key], f"{case.title}: text cut by an ellipsis {run.ellipsis[case.key]}"
        if case.control:
            before, after = run.changed[case.key]
            assert after != before, f"{case.title}: {case.readout} did not change after {case.action}"
    assert run.download_bytes > 100_000, "the report download is missing or empty"
    assert len(run.screenshots) == len(TAB_CASES) and all(p.stat().st_size > 10_000 for p in run.screenshots)


def test_dashboard_switches_data_source_in_chromium(dashboard, page):
    from playwright.sync_api import expect

    page.set_default_timeout(120_000)
    page.goto(dashboard.url, wait_until="commit")
    page.wait_for_selector(".cvt-app-overview ol.findings li", state="visible")
    first = page.locator(".cvt-app-overview ol.findings").first.inner_text()
    page.locator(".cvt-app-source select").select_option(index=1)  # CDNOW (the options are in SOURCES order)
    expect(page.locator(".cvt-app-message")).to_contain_text("23,570 customers", timeout=120_000)
    expect(page.locator(".cvt-app-overview ol.findings").first).not_to_have_text(first, timeout=120_000)
    page.locator(".cvt-app-tabs .lm-TabBar-tab", has_text="Journey").first.click()
    expect(page.locator(".cvt-app-view-journey")).to_contain_text("No event log")
    page.screenshot(path=str(ARTIFACTS / "dashboard_cdnow_journey.png"))
