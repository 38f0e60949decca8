"""Environment check and the kernel warm-up: compile every kernel once after install, load it afterwards.

Every kernel is cached on disk by numba (``toolkit._kernels._jit``). The first process after an install (or
after an upgrade that changes a kernel's source) compiles them: 30-50 s on a 2-core laptop. :func:`warmup` does
that work up front, behind a progress bar, by running the toolkit's own user paths (a client report, the
lessons' analyses, the model fits) on a small slice of the bundled data, so the cache holds exactly the
versions that users' calls will ask for. Later processes find the cache warm and skip it in milliseconds.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import platform
import sys
import threading
import time
import warnings
from importlib import metadata

import pandas as pd

__all__ = ["warmup", "check_environment", "cache_status"]

# import name -> distribution name, where they differ
_DISTRIBUTIONS = {"sklearn": "scikit-learn"}

#: customers of the teaching company used by the warm-up (small enough to run in ~2 s once compiled)
_SLICE_CUSTOMERS = 300


#: kernels that no public function calls: reference implementations kept for the tests
_NOT_ON_USER_PATHS = {"likelihoods.pnbd_loglik", "likelihoods._pnbd_terms", "likelihoods.hyp2f1"}


def _kernel_dispatchers():
    """Every numba dispatcher defined in ``toolkit._kernels`` that is compiled on its own (not inlined)."""
    from numba.core.dispatcher import Dispatcher

    from . import _kernels

    found = []
    for info in pkgutil.iter_modules(_kernels.__path__):
        module = importlib.import_module(f"toolkit._kernels.{info.name}")
        for value in vars(module).values():
            if (isinstance(value, Dispatcher) and value.py_func.__module__ == module.__name__
                    and value.targetoptions.get("inline", "never") == "never"):
                found.append(value)
    return found


def cache_status() -> pd.DataFrame:
    """Which kernels have a valid entry in numba's disk cache (one row per kernel).

    Columns: ``kernel`` (module.function), ``parallel``, ``on_user_path`` (False for the few reference kernels
    only the tests call), ``cached_versions`` (compiled versions on disk that match the current source; 0 means
    the next call compiles) and ``cache_file``. With caching switched off (``TOOLKIT_NUMBA_CACHE=0``) every
    count is 0.
    """
    rows = []
    for disp in _kernel_dispatchers():
        cache = getattr(disp, "_cache", None)
        cache_file = getattr(cache, "_cache_file", None)
        versions = 0
        path = ""
        try:  # numba's cache internals: any surprise reads as a cold cache (the warm-up runs again)
            path = cache_file._index_path
            if os.path.exists(path):
                versions = len(cache_file._load_index())  # {} when the source changed since
        except Exception:
            versions = 0
        name = f"{disp.py_func.__module__.removeprefix('toolkit._kernels.')}.{disp.__name__}"
        rows.append({"kernel": name, "parallel": bool(disp.targetoptions.get("parallel", False)),
                     "on_user_path": name not in _NOT_ON_USER_PATHS, "cached_versions": versions,
                     "cache_file": path})
    return pd.DataFrame(rows)


def _caching() -> bool:
    """Whether compiled kernels persist: the toolkit's cache switch is on and numba compiles at all."""
    import numba

    from . import config

    return bool(config.NUMBA_CACHE) and not numba.config.DISABLE_JIT


def _cache_is_warm() -> bool:
    status = cache_status()
    used = status[status["on_user_path"]]
    return bool(len(used)) and bool((used["cached_versions"] > 0).all())


# --------------------------------------------------------------------------------------------------------------
# the steps: the public API on small bundled data, so the compiled versions are those users' calls need
# --------------------------------------------------------------------------------------------------------------
def _step_data(state):
    from . import datasets
    from .data import Events, Transactions

    company = datasets.load_company()
    keep = company.customers["customer_id"].iloc[:_SLICE_CUSTOMERS]
    raw = company.transactions[company.transactions["customer_id"].isin(keep)]
    state["tx"] = Transactions.from_frame(raw, customer="customer_id", time="timestamp", amount="amount",
                                          order="order_id", category="category", quantity="quantity",
                                          discount="discount", channel="channel", on_bad_rows="net")
    events = company.events[company.events["customer_id"].isin(keep)]
    state["events"] = events
    state["ev"] = Events.from_frame(events, customer="customer_id", time="timestamp", event="event", channel="channel",
                                    order="order_id")
    state["nps"] = company.nps[company.nps["customer_id"].isin(keep)]
    state["customers"] = company.customers[company.customers["customer_id"].isin(keep)]
    cdnow = datasets.load_cdnow("sample")
    state["cdnow"] = Transactions.from_frame(cdnow, customer="customer_id", time="date", amount="dollar_value",
                                             duplicates="keep", time_unit="W")
    # a refund of a whole order and a refund without its order: what "net" matches, with and without order ids
    first = raw.iloc[:1]
    refunds = pd.concat([first.assign(amount=-first["amount"]),
                         first.assign(amount=-1.0, order_id=-1, timestamp=raw["timestamp"].max())])
    with_refunds = pd.concat([raw, refunds], ignore_index=True)
    for order in ("order_id", None):
        for on_bad_rows in ("net", "drop"):
            Transactions.from_frame(with_refunds, customer="customer_id", time="timestamp", amount="amount",
                                    order=order, on_bad_rows=on_bad_rows)
    Transactions.from_frame(raw, customer="customer_id", time="timestamp", amount="amount", order="order_id")


def _step_report(state):
    from .report import build_report

    def sections(i, n, name, phase, seconds):  # the report's own steps, shown on the bar
        if phase == "start" and state.get("bar") is not None:
            state["bar"].set_postfix_str(f"client report: {name} ({i}/{n})", refresh=True)

    build_report(state["tx"], events=state["events"], nps=state["nps"], progress=sections)
    build_report(state["cdnow"], progress=sections)


def _step_rfm(state):
    from . import rfm
    from .customers import customer_summary

    for tx, end in ((state["cdnow"], "1997-09-30"), (state["tx"], None)):
        summary = customer_summary(tx, observation_end=end)
        scores = rfm.rfm_scores(summary)
        rfm.assign_segments(scores, "rf_grid")
        rfm.value_tiers(tx)


def _step_cohorts(state):
    from . import cohorts

    for tx in (state["cdnow"], state["tx"]):
        for period in ("M", "W"):
            cohorts.retention_matrix(tx, period)
        cohorts.period_rates(tx, "M")
        cohorts.survival_curves(tx)
    cohorts.survival_curves(state["tx"], by="channel")


def _step_lifecycle(state):
    from . import lifecycle

    lifecycle.lifecycle_features(state["tx"])


def _step_journey(state):
    from . import journey

    ev = state["ev"]
    journey.funnel(ev, journey_map="five_processes")
    journey.funnel(ev, steps=["sign_up", "purchase"], order="loose", by="channel")
    journey.transition_matrix(ev)
    journey.transition_matrix(ev, level="stage", journey_map="five_processes")
    journey.top_paths(ev)
    journey.journey_board(ev)
    journey.flows(ev, journey_map="five_processes")
    journey.journey_value(ev, state["tx"], customers=state["customers"])


def _step_scenario(state):
    from . import clv

    clv._warmup()


def _step_models(state):
    from .clv import intervals, models
    from .customers import customer_summary

    summary = customer_summary(state["cdnow"], observation_end="1997-09-30")
    intervals._warmup(summary, models._warmup(summary))


#: (what the progress bar says, the step)
_STEPS = [
    ("validation and customer arrays", _step_data),
    ("client report sections", _step_report),
    ("RFM scores and value tiers", _step_rfm),
    ("cohorts and survival", _step_cohorts),
    ("lifecycle features", _step_lifecycle),
    ("journey funnels and paths", _step_journey),
    ("CLV scenarios", _step_scenario),
    ("CLV models", _step_models),
]


def _progress_bar(progress, total):
    """A tqdm bar (a widget in Jupyter and Voilà, text on stderr elsewhere) and a thread that redraws it every
    second, so the elapsed time moves while a long compilation runs; or (None, None)."""
    if not progress:
        return None, None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc="Preparing fast kernels (once after install, ~40 s)", unit="step",
               bar_format="{desc}: {n_fmt}/{total_fmt} [{elapsed}]{postfix}", file=sys.stderr)
    stop = threading.Event()

    def tick():
        while not stop.wait(1.0):
            bar.refresh()

    threading.Thread(target=tick, name="toolkit-warmup-progress", daemon=True).start()
    return bar, stop


def _warm_font(progress):
    """Cut the bundled Chinese font once for the widgets and lessons (``@font-face`` in the browser; about 20 s on
    a fresh machine, then read from the user's font cache), so that the first Chinese lesson does not wait for it."""
    try:
        from .report.fonts import font_face_css, is_cut
        from .widgets._common import chinese_text
    except ImportError:  # the font package or a lab dependency is missing: nothing to prepare
        return
    text = chinese_text()
    if is_cut(text):
        return
    if progress:
        sys.stderr.write("Preparing the Chinese font for the browser (once, ~20 s) ...\n")
        sys.stderr.flush()
    font_face_css(text)


def warmup(progress="auto", force=False) -> float:
    """Make sure every kernel is compiled and in numba's disk cache; returns the seconds it took.

    On a warm cache (every kernel has a cached version for the current source) this only checks, in well
    under a second, and the kernels load from disk when first called. On a cold cache (first run after an
    install or an upgrade) it runs the toolkit's user paths on a slice of the bundled data, which compiles and
    caches every kernel (30-50 s on a 2-core laptop), with a progress bar saying what is being prepared.

    Parameters
    ----------
    progress : "auto", bool, default "auto"
        Show a progress bar while compiling ("auto": only when there is something to compile).
    force : bool, default False
        Run every step even when the cache is warm (loads every kernel; compiles what is missing).

    Notes
    -----
    The cache lives in ``__pycache__`` next to the kernels, or, when the installation is read-only, in the
    user's cache folder (numba's fallback); ``NUMBA_CACHE_DIR`` overrides both.
    """
    start = time.perf_counter()
    _warm_font(progress)
    if not force and (not _caching() or _cache_is_warm()):
        return time.perf_counter() - start  # nothing to fill (caching or the JIT switched off), or nothing missing
    bar, stop = _progress_bar(progress, len(_STEPS))
    state = {"bar": bar}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # tiny inputs: binning, convergence and data-quality notes
            for label, step in _STEPS:
                if bar is not None:
                    bar.set_postfix_str(label, refresh=True)
                step(state)
                if bar is not None:
                    bar.update(1)
    finally:
        if bar is not None:
            stop.set()
            bar.close()
    return time.perf_counter() - start


def check_environment():
    """Versions of Python and of the packages the toolkit relies on, as a DataFrame.

    Columns: ``package``, ``version`` ("missing" when absent), ``needed_for`` ("core": the library itself;
    "lab": the workshop front end, installed by ``make lab``), ``ok`` (present, or not needed here because
    it belongs to the lab extras and this is not a lab environment) and ``required`` (core packages).
    """
    rows = [{"package": "python", "version": platform.python_version(), "needed_for": "core"}]
    packages = [(name, "core") for name in ("numpy", "pandas", "numba", "scipy", "matplotlib", "ipywidgets",
                                           "sklearn", "tqdm")] + [("jupyterlab", "lab"), ("voila", "lab")]
    for name, needed_for in packages:
        # read the installed version from the package metadata: importing jupyterlab, voila and scikit-learn
        # only to ask their version took ~2.5 s of a fresh kernel
        try:
            version = metadata.version(_DISTRIBUTIONS.get(name, name))
        except metadata.PackageNotFoundError:
            version = "missing"
        rows.append({"package": name, "version": version, "needed_for": needed_for})
    env = pd.DataFrame(rows)
    present = env["version"] != "missing"
    env["required"] = env["needed_for"] == "core"
    env["ok"] = present | ~env["required"]
    return env
