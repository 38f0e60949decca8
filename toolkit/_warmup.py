"""Environment check and kernel warm-up for workshop machines."""

from __future__ import annotations

import importlib
import platform
import time

import numpy as np
import pandas as pd

__all__ = ["warmup", "check_environment"]


def warmup():
    """Compile (or load from the numba cache) every kernel on tiny inputs; returns seconds taken.

    Run it once at the start of a workshop notebook so that the first slider move is instant.
    """
    start = time.perf_counter()
    from .customers import customer_summary
    from .data import Transactions

    raw = pd.DataFrame({
        "c": [1, 1, 2, 2], "t": pd.to_datetime(["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-02"]),
        "a": [1.0, 2.0, 3.0, -1.0], "o": [1, 2, 3, 3], "k": ["x", "y", "x", "x"], "q": [1, 1, 2, 2],
        "d": [0.0, 1.0, 0.0, 0.0],
    })
    tx = Transactions.from_frame(raw, customer="c", time="t", amount="a", order="o", category="k", quantity="q",
                                 discount="d", on_bad_rows="net")
    customer_summary(tx)
    for name in ("rfm", "clv", "clv.models", "cohorts", "lifecycle", "journey"):
        try:
            module = importlib.import_module(f"toolkit.{name}")
        except ImportError:
            continue
        hook = getattr(module, "_warmup", None)
        if hook is not None:
            hook()
    return time.perf_counter() - start


def check_environment():
    """Versions of Python and of the packages the toolkit relies on, as a DataFrame.

    Columns: ``package``, ``version`` ("missing" when absent), ``needed_for`` ("core": the library itself;
    "lab": the workshop front end, installed by ``make lab``), ``ok`` (present, or not needed here because
    it belongs to the lab extras and this is not a lab environment) and ``required`` (core packages).
    """
    rows = [{"package": "python", "version": platform.python_version(), "needed_for": "core"}]
    packages = [(name, "core") for name in ("numpy", "pandas", "numba", "scipy", "matplotlib", "ipywidgets",
                                           "sklearn")] + [("jupyterlab", "lab"), ("voila", "lab")]
    for name, needed_for in packages:
        try:
            module = importlib.import_module(name)
            version = getattr(module, "__version__", "?")
        except ImportError:
            version = "missing"
        rows.append({"package": name, "version": version, "needed_for": needed_for})
    env = pd.DataFrame(rows)
    present = env["version"] != "missing"
    env["required"] = env["needed_for"] == "core"
    env["ok"] = present | ~env["required"]
    return env
