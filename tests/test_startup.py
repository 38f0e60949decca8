"""Time to first answer: a fresh process with a warm cache compiles nothing.

These tests count numba compilations (numba's event API) in fresh subprocesses; they never time anything, so a
fast machine cannot hide a kernel that forgot the cache. The timings themselves are in ``make bench``
(``python -m tests.benchmarks --only startup``).
"""

import json
import os
import pathlib
import shutil
import site
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
COMPANY = ROOT / "datasets" / "company"

# Registers a numba compile listener that records the compiled functions in `_compiled` (module.qualname).
COMPILE_PROBE = """
from numba.core import event as _event
_compiled = []
class _Listener(_event.Listener):
    def on_start(self, ev):
        func = ev.data["dispatcher"].py_func
        _compiled.append(f"{func.__module__}.{func.__qualname__}")
    def on_end(self, ev):
        pass
_event.register("numba:compile", _Listener())
"""
PRINT_COMPILED = ('import json as _json; print("COMPILED=" + _json.dumps(sorted(set('
                  'c for c in _compiled if c.startswith("toolkit")))))')
# Runs `body` in a fresh interpreter and prints the toolkit kernels numba compiled meanwhile, as JSON.
COUNT_COMPILES = COMPILE_PROBE + "{body}\n" + PRINT_COMPILED + "\n"


def _compiled(body, *, env=None):
    out = subprocess.run([sys.executable, "-c", COUNT_COMPILES.replace("{body}", body)], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]
    line = [ln for ln in out.stdout.splitlines() if ln.startswith("COMPILED=")][-1]
    return json.loads(line.removeprefix("COMPILED=")), out


@pytest.fixture(scope="module")
def warm_cache(tmp_path_factory):
    """Environment of a fresh install after its warm-up: an empty numba cache folder filled by
    ``python -m toolkit warmup`` alone (what `make lab/test/dashboard` run), so versions compiled by other tests
    cannot hide a path the warm-up misses."""
    cache = tmp_path_factory.mktemp("numba-cache")
    env = dict(os.environ, NUMBA_CACHE_DIR=str(cache))
    out = subprocess.run([sys.executable, "-m", "toolkit", "warmup", "--quiet"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=900)
    assert out.returncode == 0, out.stderr[-3000:]
    assert list(cache.rglob("*.nbi")), "the warm-up wrote nothing into NUMBA_CACHE_DIR"
    return env


@pytest.fixture(scope="module")
def tiny_export(tmp_path_factory):
    """The first 400 lines of the teaching company's order export, as a client would send it."""
    path = tmp_path_factory.mktemp("export") / "orders.csv"
    lines = (COMPANY / "transactions.csv").read_text(encoding="utf-8").splitlines()[:401]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_report_in_a_fresh_process_compiles_nothing(warm_cache, tiny_export, tmp_path):
    body = (f"from toolkit.__main__ import main\n"
            f"code = main(['report', {str(tiny_export)!r}, '--customer', 'customer_id', '--time', 'timestamp',"
            f" '--amount', 'amount', '--order', 'order_id', '-o', {str(tmp_path / 'r.html')!r}, '--quiet'])\n"
            f"assert code == 0, code\n")
    compiled, _ = _compiled(body, env=warm_cache)
    assert compiled == [], f"kernels compiled although the cache is warm (not cached?): {compiled}"


def test_report_with_events_and_nps_compiles_nothing(warm_cache, tmp_path):
    body = (f"from toolkit.__main__ import main\n"
            f"code = main(['report', {str(COMPANY / 'transactions.csv')!r}, '--customer', 'customer_id',"
            f" '--time', 'timestamp', '--amount', 'amount', '--order', 'order_id', '--on-bad-rows', 'net',"
            f" '--events', {str(COMPANY / 'events.csv')!r}, '--nps', {str(COMPANY / 'nps.csv')!r},"
            f" '-o', {str(tmp_path / 'r.html')!r}, '--quiet'])\n"
            f"assert code == 0, code\n")
    compiled, _ = _compiled(body, env=warm_cache)
    assert compiled == [], f"kernels compiled although the cache is warm (not cached?): {compiled}"


def test_quickstart_compiles_nothing(warm_cache):
    """The README's quick start and a BG/NBD fit on CDNOW, the first thing a student runs."""
    body = """
import warnings
warnings.simplefilter("ignore")
import toolkit
from toolkit import datasets, rfm, cohorts
from toolkit.clv.models import BetaGeo, GammaGamma, ParetoNBD
raw = datasets.load_cdnow("sample")
tx = toolkit.Transactions.from_frame(raw, customer="customer_id", time="date", amount="dollar_value",
                                     duplicates="keep", time_unit="W")
summary = toolkit.customer_summary(tx, observation_end="1997-09-30")
rfm.assign_segments(rfm.rfm_scores(summary), "rf_grid")
rfm.value_tiers(tx)
cohorts.retention_matrix(tx, "M")
for model in (BetaGeo(), ParetoNBD()):
    model.fit(summary)
    model.p_alive(summary)
    model.conditional_expected_purchases(summary, t=52)
GammaGamma().fit(summary[summary["frequency"] > 0])
"""
    compiled, _ = _compiled(body, env=warm_cache)
    assert compiled == [], f"kernels compiled although the cache is warm (not cached?): {compiled}"


def test_every_kernel_on_a_user_path_is_cached_after_warmup(warm_cache):
    out = subprocess.run([sys.executable, "-c", "import toolkit._warmup as w, json;"
                          "s = w.cache_status(); print(json.dumps({'missing': s.loc[s.cached_versions == 0,"
                          " 'kernel'].tolist(), 'n': len(s), 'exempt': sorted(w._NOT_ON_USER_PATHS)}))"],
                         cwd=ROOT, env=warm_cache, capture_output=True, text=True, check=True)
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["n"] >= 60  # every kernel module was found
    assert set(info["missing"]) <= set(info["exempt"]), info["missing"]


def test_warm_warmup_is_a_check_not_a_rerun(warm_cache):
    """On a warm cache `toolkit.warmup()` only checks (no kernel is called, so nothing can compile)."""
    compiled, out = _compiled("import toolkit\nprint('SECONDS', toolkit.warmup())", env=warm_cache)
    assert compiled == []
    seconds = float([ln for ln in out.stdout.splitlines() if ln.startswith("SECONDS")][0].split()[1])
    assert seconds >= 0.0


RUN_WITH_PROBE = """
import json, sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
nb.cells.insert(0, nbformat.v4.new_code_cell(sys.argv[3]))
nb.cells.append(nbformat.v4.new_code_cell(sys.argv[4]))
NotebookClient(nb, timeout=40, kernel_name="python3", resources={"metadata": {"path": sys.argv[2]}}).execute()
print("".join(o.get("text", "") for o in nb.cells[-1].outputs))
"""


def _run_lesson_with_probe(path, env):
    """Run All of one lesson in its own nbclient process; returns the toolkit kernels compiled meanwhile.

    A lesson runs in under 10 s. A run that hangs (a kernel message lost: seen about once in 20 runs on this VM,
    in and out of process, never inside toolkit code) hits nbclient's 40 s cell timeout or the 90 s process
    timeout and is run again, up to 3 attempts.
    """
    for attempt in range(3):
        try:
            out = subprocess.run([sys.executable, "-c", RUN_WITH_PROBE, str(path), str(path.parent),
                                  COMPILE_PROBE, PRINT_COMPILED], cwd=ROOT, env=env, capture_output=True,
                                 text=True, timeout=90)
        except subprocess.TimeoutExpired:
            continue
        if out.returncode != 0 and "Timeout" in out.stderr and attempt < 2:
            continue
        assert out.returncode == 0, f"{path.name}: {out.stderr[-3000:]}"
        return json.loads(out.stdout.split("COMPILED=")[-1])
    raise AssertionError(f"{path.name} hung three times")


def test_every_lesson_compiles_nothing_after_warmup(warm_cache):
    """Run All of every lesson in a fresh kernel on the warm-up's cache: no kernel compiles (a compile listener
    is the first cell, the compiled kernels are printed by a last cell). Two lessons at a time (2 cores)."""
    from concurrent.futures import ThreadPoolExecutor

    paths = sorted((ROOT / "notebooks").glob("*.ipynb"))
    with ThreadPoolExecutor(2) as pool:
        found = dict(zip((p.name for p in paths), pool.map(lambda p: _run_lesson_with_probe(p, warm_cache), paths)))
    compiled = {k: v for k, v in found.items() if v}
    assert len(found) >= 9
    assert not compiled, f"lessons compiled kernels after the warm-up (a path it does not take?): {compiled}"


def test_kernels_do_not_ask_numba_for_the_thread_count():
    """``numba.get_num_threads()`` inside a kernel silently disables its disk cache (a dynamic global): the
    thread count must come in as an argument from a plain-Python wrapper."""
    import ast

    offenders = []
    for path in sorted((ROOT / "toolkit").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in ast.walk(tree):
            if not isinstance(func, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in func.decorator_list]
            if not any("njit" in d or "jit(" in d for d in decorators):
                continue
            for node in ast.walk(func):
                if isinstance(node, ast.Call):
                    name = ast.unparse(node.func)
                    if name.endswith(("get_num_threads", "get_thread_id")):
                        offenders.append(f"{path.relative_to(ROOT)}:{node.lineno} {func.name}: {name}()")
    assert not offenders, offenders


def _read_only_runner(folder):
    """A function that runs an argv with ``folder`` read-only for the child, and how it does so.

    Root writes through permission bits, so as root the child gets a private mount namespace in which
    ``folder`` is bind-mounted read-only (util-linux ``unshare``); other users get the write bits removed.
    """
    if os.geteuid() == 0:
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot make a folder read-only for a child")
        probe = subprocess.run(["unshare", "-m", "true"], capture_output=True)
        if probe.returncode != 0:
            pytest.skip(f"unshare -m is not permitted here: {probe.stderr.decode().strip()}")
        mount = f"mount --bind '{folder}' '{folder}' && mount -o remount,bind,ro '{folder}' '{folder}' && exec \"$@\""

        def run(argv, **kwargs):
            return subprocess.run(["unshare", "-m", "sh", "-c", mount, "sh", *argv], **kwargs)

        return run
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    return subprocess.run


@pytest.mark.wheel
def test_read_only_install_caches_in_the_user_folder(tmp_path):
    """A wheel in a site-packages nobody may write to: numba falls back to the user's cache folder, and the
    second process loads from it instead of compiling."""
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build",
                                                            "dist", ".pytest_cache", ".hypothesis", "notebooks",
                                                            ".ipynb_checkpoints", "tests"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(src)], check=True)
    (wheel,) = wheels.glob("customer_value_toolkit-*.whl")
    target = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-compile", "--target",
                    str(target), str(wheel)], check=True)
    home = tmp_path / "home"
    home.mkdir()
    deps = [p for p in site.getsitepackages() if "site-packages" in p]
    env = {"PYTHONPATH": ":".join([str(target), *deps]), "PATH": "/usr/bin:/bin", "HOME": str(home),
           "PYTHONDONTWRITEBYTECODE": "1"}
    body = """
import toolkit
assert toolkit.__file__.startswith({target!r}), toolkit.__file__
raw = toolkit.datasets.load_cdnow("sample")
tx = toolkit.Transactions.from_frame(raw, customer="customer_id", time="date", amount="dollar_value",
                                     duplicates="keep", time_unit="W")
toolkit.customer_summary(tx)
""".replace("{target!r}", repr(str(target)))
    run = _read_only_runner(target)
    try:
        runs = []
        for _ in range(2):
            out = run([sys.executable, "-c", COUNT_COMPILES.replace("{body}", body)], cwd=home, env=env,
                      capture_output=True, text=True, timeout=600)
            assert out.returncode == 0, out.stderr[-3000:]
            runs.append(json.loads(out.stdout.strip().splitlines()[-1].removeprefix("COMPILED=")))
        assert runs[0], "the first run of a new install should compile"
        assert not list(target.rglob("*.nbi")), "numba wrote into the read-only install"
        assert list(home.rglob("*.nbi")), "numba did not fall back to the user's cache folder"
        assert runs[1] == [], f"the second process compiled again: {runs[1]}"
    finally:
        for path in [target, *target.rglob("*")]:  # let pytest clean up
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)


SLOW_COLD_WARMUP = """
import time, toolkit, toolkit._warmup as w
w._cache_is_warm = lambda: False           # as on the first run after an install
w._STEPS = [(label, lambda state: time.sleep(1.6)) for label, _ in w._STEPS[:3]]  # slow steps, no compiling
toolkit.warmup()
"""


def test_cold_warmup_shows_a_progress_bar_in_a_notebook(run_notebook):
    """In Jupyter (and Voila) the first-run warm-up shows an ipywidgets progress bar, not a silent cell."""
    run = run_notebook([SLOW_COLD_WARMUP], timeout=120)
    outputs = run.nb.cells[0].outputs
    views = [o for o in outputs if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert views, f"no widget displayed: {outputs}"
    labels = " ".join(str(s.get("value", "")) for s in run.states("HTMLModel"))
    labels = labels.replace("\u2007", " ")  # tqdm's figure spaces
    assert "Preparing fast kernels" in labels and "3/3" in labels, labels


def test_cold_warmup_on_the_terminal_redraws_while_a_step_runs():
    """On a terminal the bar is redrawn every second while a step runs, so a long compilation never looks like a
    hang. Counted, not timed: two steps of 2.5 s draw the bar 6 times without the ticker (start, a label and an
    update per step, close) and 4 more times with it."""
    code = SLOW_COLD_WARMUP.replace("time.sleep(1.6)", "time.sleep(2.5)").replace("[:3]", "[:2]")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    text = out.stderr.decode()
    assert "Preparing fast kernels" in text and "2/2" in text, text[-500:]
    redraws = text.count("\r")
    assert redraws >= 6 + 3, f"{redraws} redraws: {text!r}"


@pytest.mark.parametrize("switch", ["TOOLKIT_NUMBA_CACHE=0", "NUMBA_DISABLE_JIT=1"])
def test_warmup_does_nothing_when_nothing_would_persist(switch):
    """Caching off, or the JIT off (debugging): the warm-up must not run the steps on every start."""
    key, value = switch.split("=")
    code = ("import toolkit, toolkit._warmup as w\n"
            "def boom(state): raise AssertionError('a step ran')\n"
            "w._STEPS = [(label, boom) for label, _ in w._STEPS]\n"
            "toolkit.warmup()\nprint('OK')")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ, **{key: value}),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stderr[-2000:]
