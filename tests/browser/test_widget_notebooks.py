"""Every widget notebook, in a real browser: JupyterLab runs all its cells and Voila renders it as a dashboard;
then one slider or dropdown is moved and the displayed number must become what the library computes for the
new value (see ``cases.py``). Screenshots before and after go to ``tests/browser/artifacts/``.
"""

from __future__ import annotations

import re
import time

import pytest

from .cases import CASES
from .conftest import ARTIFACTS, NOTEBOOKS, TOKEN, shutdown_lab_sessions

pytestmark = pytest.mark.slow

# Status bar reads e.g. "Python 3 (ipykernel) | Idle | Mode: Command | ...". PITFALL (RECIPES.md A.6.1): the
# toolbar's execution indicator says "idle" while the kernel is still connecting; Run All then runs cell 1 only.
LAB_KERNEL_IDLE_JS = """() => {
  const t = (document.querySelector('#jp-main-statusbar') || {}).innerText || '';
  return /\\|\\s*Idle\\b/.test(t) && !/No Kernel|Initializing|Connecting|Starting|Unknown/.test(t);
}"""
# Run All has finished: no "[*]" prompt is left and the last code cell has an execution count. (A `%load`
# cell is replaced by the file's code and left unrun, so only the last cell must have a number.) Needs the
# notebook windowing mode "none" (set in the isolated settings dir), so that every cell is in the DOM.
LAB_ALL_RUN_JS = """() => {
  const prompts = [...document.querySelectorAll('.jp-NotebookPanel .jp-CodeCell .jp-InputPrompt')]
    .map(p => p.innerText.trim());
  return prompts.length > 0 && !prompts.some(p => p.includes('*')) && /^\\[\\d+\\]:$/.test(prompts[prompts.length - 1]);
}"""
NOTEBOOK_RUN_TIMEOUT_MS = 240_000
VOILA_ATTEMPT_TIMEOUT_MS = 30_000  # a lesson renders in 3-8 s from a warm numba cache; a stalled execution never does


def _present(case):
    if not (NOTEBOOKS / case.notebook).exists():
        return pytest.param(case, id=case.id, marks=pytest.mark.skip(reason=f"{case.notebook} not written yet"))
    return pytest.param(case, id=case.id)


PARAMS = [_present(c) for c in CASES]


def _control_value(page, case):
    """The control's current value as the page shows it: float (slider) or option label (dropdown)."""
    control = page.locator(case.control).first
    if case.action.startswith("select:"):
        return control.evaluate("s => s.options[s.selectedIndex].text")
    # the slider's own value (aria-valuenow is rounded for display: 0.81 reads "0.8")
    return float(control.locator(".noUi-target").evaluate("el => Number(el.noUiSlider.get())"))


def _figure_src(page, case):
    if case.figure is None:
        return None
    img = page.locator(case.figure).first
    img.wait_for(state="attached")
    return img.get_attribute("src")


def _move_control_and_check(page, case, prefix):
    """Move the control once; the readout must change from the library's value for the old setting to the
    library's value for the new one (and the figure, when the case names one, must be redrawn)."""
    from playwright.sync_api import expect

    readout = page.locator(case.readout).first
    control = page.locator(case.control).first
    control.scroll_into_view_if_needed()
    before_value = _control_value(page, case)
    before_text = case.expected(before_value)
    expect(readout).to_contain_text(before_text)
    src0 = _figure_src(page, case)
    page.screenshot(path=str(ARTIFACTS / f"{prefix}_before.png"), full_page=False)

    kind, _, arg = case.action.partition(":")
    if kind == "select":
        control.select_option(label=arg)
    elif kind == "key":
        control.locator(".noUi-handle").focus()
        page.keyboard.press(arg)
    else:  # pragma: no cover - a typo in cases.py
        raise ValueError(f"unknown action {case.action!r}")

    expect(readout).not_to_contain_text(before_text, timeout=30_000)
    after_value = _control_value(page, case)
    assert after_value != before_value, f"{case.control} did not move (still {after_value!r})"
    after_text = case.expected(after_value)
    assert after_text != before_text, "the case must change the displayed number"
    expect(readout).to_contain_text(after_text, timeout=30_000)
    if src0 is not None:
        deadline = time.monotonic() + 30
        while _figure_src(page, case) == src0 and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        assert _figure_src(page, case) != src0, f"{case.figure} was not redrawn"
    readout.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / f"{prefix}_after.png"), full_page=False)
    return before_value, after_value


def _error_outputs(page):
    """Text of error / stderr outputs in the open Lab notebook (warnings and tracebacks must not appear)."""
    sel = ('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"], '
           '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.error"]')
    return [t[:300] for t in page.locator(sel).all_inner_texts()]


@pytest.mark.parametrize("case", PARAMS)
def test_jupyterlab_runs_notebook_and_widget_updates(case, lab_url, lpage):
    page = lpage
    workspace = re.sub(r"\W", "", case.id) + str(int(time.time() * 1000) % 100000)
    try:
        page.goto(f"{lab_url}/lab/workspaces/w{workspace}/tree/{case.notebook}?token={TOKEN}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Cell")
        page.wait_for_function(LAB_KERNEL_IDLE_JS, timeout=90_000)
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_selector(case.root, timeout=NOTEBOOK_RUN_TIMEOUT_MS)
        page.wait_for_function(LAB_ALL_RUN_JS, timeout=NOTEBOOK_RUN_TIMEOUT_MS)
        page.wait_for_function(LAB_KERNEL_IDLE_JS, timeout=NOTEBOOK_RUN_TIMEOUT_MS)
        errors = _error_outputs(page)
        assert not errors, f"{case.notebook} shows errors or warnings in JupyterLab: {errors}"
        _move_control_and_check(page, case, f"lab_{case.id}")
        assert not page.js_errors, f"uncaught JavaScript errors: {page.js_errors}"
    finally:
        shutdown_lab_sessions(lab_url)


@pytest.mark.parametrize("case", PARAMS)
def test_voila_renders_notebook_and_widget_updates(case, voila_url, lpage):
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    page = lpage
    # PITFALL (RECIPES.md A.6.11): Voila sometimes never finishes executing a notebook with Output widgets
    # (only heartbeats arrive). Do not wait for "load"; reload (= a new kernel) when the widget has not appeared.
    for attempt in range(1, 4):
        page.goto(f"{voila_url}/voila/render/{case.notebook}?token={TOKEN}", wait_until="commit")
        try:
            page.wait_for_selector(case.root, timeout=VOILA_ATTEMPT_TIMEOUT_MS)
            break
        except PlaywrightTimeoutError:
            print(f"\nvoila: {case.notebook} did not finish executing (attempt {attempt}), reloading")
    else:
        pytest.fail(f"Voila never finished executing {case.notebook} (3 attempts)")
    body = page.locator("body").inner_text()
    assert "Traceback" not in body and "Warning:" not in body, f"{case.notebook} shows a traceback or warning"
    _move_control_and_check(page, case, f"voila_{case.id}")
    assert not page.js_errors, f"uncaught JavaScript errors: {page.js_errors}"
    assert not page.outside_requests, f"requests leaving the machine (a CDN?): {page.outside_requests}"
