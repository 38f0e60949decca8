"""Fixtures for the real-browser tests: JupyterLab and Voila servers on loopback, driven by Debian's Chromium.

Both servers are started once per test session, from a temporary root folder holding copies of the lesson
notebooks (Lab autosaves executed outputs into the files it opens; the repository's copies stay clean), with
isolated Jupyter config, runtime, IPython, settings and workspace folders. They listen on 127.0.0.1 on a free
port with a fixed token, and are stopped by PID (SIGTERM, then SIGKILL) when the session ends. Every page
aborts requests that are not for the loopback host and records them (``page.outside_requests``): with the package's
Voila template (``--template=cvt``) nothing should try to leave the machine.

Browser: ``$CHROMIUM`` or ``/usr/bin/chromium`` (``apt-get install -y chromium``; never ``playwright install``).
When it is missing the browser tests skip, unless ``REQUIRE_BROWSER=1`` (set by ``.ci/run``), where they fail.

Screenshots (before/after each control change) and the server logs go to ``tests/browser/artifacts/``
(git-ignored; ``BROWSER_ARTIFACTS`` overrides the folder).
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from urllib.parse import urlparse

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("REQUIRE_BROWSER", "") not in ("", "0")
ARTIFACTS = pathlib.Path(os.environ.get("BROWSER_ARTIFACTS", pathlib.Path(__file__).resolve().parent / "artifacts"))
TOKEN = "cvt-browser-test"
CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


def _browser_problem() -> str:
    if not os.path.exists(CHROMIUM):
        return f"{CHROMIUM} is missing (apt-get install -y chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -e '.[test]')"
    return ""


def pytest_collection_modifyitems(config, items):
    """Skip (locally) or fail (REQUIRE_BROWSER=1, as in CI) every browser test when the browser is missing."""
    problem = _browser_problem()
    if not problem:
        return
    here = pathlib.Path(__file__).resolve().parent
    mine = [item for item in items if here in pathlib.Path(str(item.path)).resolve().parents]
    if not mine:
        return
    if REQUIRE_BROWSER:
        # fail loudly rather than skip: a green run without the browser tests would be a false pass
        raise pytest.UsageError(f"REQUIRE_BROWSER=1 but {problem}")
    marker = pytest.mark.skip(reason=f"browser tests skipped: {problem} (set REQUIRE_BROWSER=1 to fail instead)")
    for item in mine:
        item.add_marker(marker)


# --------------------------------------------------------------------------- servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A server subprocess in its own session, stopped by its PID (never by name)."""

    def __init__(self, name, cmd, env, cwd, ready_url, log_path, timeout=120):
        self.name = name
        self.log_path = log_path
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self.log, stderr=subprocess.STDOUT,
                                     start_new_session=True)
        try:
            self._wait_ready(ready_url, timeout)
        except BaseException:
            self.stop()
            raise

    def _wait_ready(self, url, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited early (rc={self.proc.returncode}); see {self.log_path}")
            try:
                urllib.request.urlopen(url, timeout=2).read()
                return
            except urllib.error.HTTPError:
                return  # any HTTP answer means the server is up
            except (urllib.error.URLError, ConnectionError, socket.timeout):
                time.sleep(0.2)
        raise TimeoutError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # jupyter_server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self.log.close()


def isolated_env(base: pathlib.Path) -> dict:
    """Environment with private Jupyter config/runtime/IPython folders and the news toast disabled."""
    env = dict(os.environ)
    for var, sub in [("JUPYTER_CONFIG_DIR", "cfg"), ("JUPYTER_RUNTIME_DIR", "rt"), ("IPYTHONDIR", "ipy"),
                     ("MPLCONFIGDIR", "mpl")]:
        (base / sub).mkdir(parents=True, exist_ok=True)
        env[var] = str(base / sub)
    (base / "cfg" / "labconfig").mkdir(exist_ok=True)
    (base / "cfg" / "labconfig" / "page_config.json").write_text(
        json.dumps({"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


@pytest.fixture(scope="session")
def browser_root():
    """Temporary root: copies of the lessons (notebooks/*.ipynb, solutions/, *.md); data come with `toolkit`."""
    base = pathlib.Path(tempfile.mkdtemp(prefix="cvt-browser-"))
    nbs = base / "notebooks"
    shutil.copytree(NOTEBOOKS, nbs, ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    yield base
    for log in base.glob("*.log"):
        shutil.copy(log, ARTIFACTS / log.name)
    if os.environ.get("BROWSER_KEEP"):
        print(f"\nkept {base}")
    else:
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def lab_url(browser_root):
    port = free_port()
    base = browser_root / "lab"
    cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--allow-root",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
           f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={browser_root / 'notebooks'}",
           "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
           f"--LabApp.user_settings_dir={base / 'settings'}", f"--LabApp.workspaces_dir={base / 'ws'}"]
    # every cell in the DOM (JupyterLab 4 otherwise virtualises cells outside the viewport)
    tracker = base / "settings" / "@jupyterlab" / "notebook-extension"
    tracker.mkdir(parents=True, exist_ok=True)
    (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    env = isolated_env(base)
    # as `make lab`: the bundled Chinese font for the whole page through Lab's custom.css (config dir's custom/)
    from toolkit.widgets._common import write_lab_css

    write_lab_css(base / "cfg" / "custom")
    cmd.append("--LabApp.custom_css=True")
    srv = Server("lab", cmd, env, browser_root,
                 f"http://127.0.0.1:{port}/api/status?token={TOKEN}", browser_root / "lab.log")
    yield f"http://127.0.0.1:{port}"
    srv.stop()


@pytest.fixture(scope="session")
def voila_url(browser_root):
    """One Voila server on the notebooks folder (like `make dashboard`): pages at /voila/render/<nb>."""
    port = free_port()
    base = browser_root / "voila"
    from toolkit.__main__ import dashboard_env

    # the package's Voila template (no CDN links), as the dashboard app uses
    cmd = [sys.executable, "-m", "voila", str(browser_root / "notebooks"), "--no-browser", "--template=cvt",
           "--Voila.ip=127.0.0.1", f"--Voila.port={port}", "--Voila.port_retries=0", f"--token={TOKEN}"]
    # ready without the token: answers 302 to /login and executes nothing
    srv = Server("voila", cmd, dashboard_env(None, isolated_env(base)), browser_root, f"http://127.0.0.1:{port}/",
                 browser_root / "voila.log")
    yield f"http://127.0.0.1:{port}"
    srv.stop()


def lab_api(lab_url, path, method="GET"):
    req = urllib.request.Request(f"{lab_url}{path}?token={TOKEN}", method=method)
    with urllib.request.urlopen(req, timeout=10) as resp:
        body = resp.read()
    return json.loads(body) if body else None


def shutdown_lab_sessions(lab_url):
    """Stop every kernel session of the Lab server (frees CPU and memory between notebooks)."""
    for session in lab_api(lab_url, "/api/sessions") or []:
        try:
            lab_api(lab_url, f"/api/sessions/{session['id']}", method="DELETE")
        except urllib.error.HTTPError:
            pass


# --------------------------------------------------------------------------- browser (pytest-playwright)
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    # Playwright's launch() gives every browser a fresh temporary --user-data-dir.
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1400, "height": 1000}}


@pytest.fixture
def lpage(page):
    """A Playwright page that only reaches loopback, records any other request (``page.outside_requests``) and
    collects uncaught JavaScript errors."""
    page.set_default_timeout(60_000)
    outside = []

    def only_loopback(route):
        if urlparse(route.request.url).hostname in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_loopback)
    page.outside_requests = outside
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
