"""Timing and memory helpers shared by the benchmark modules."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc


def median_time(fn, repeat=3, warm=False):
    """Median wall time of ``fn()`` over ``repeat`` runs (seconds) and the last result.

    Default: ``gc.collect()`` before each run (no collection pause inside a timing; on this 2-vCPU machine it
    also lets the worker threads fall asleep, which costs a few ms on calls that take a few ms).
    ``warm=True``: the protocol of the standard library's ``timeit`` instead: one untimed call, then the runs
    back to back with the garbage collector switched off.
    """
    times = []
    result = None
    if warm:
        fn()
        enabled = gc.isenabled()
        gc.disable()
    try:
        for _ in range(repeat):
            if not warm:
                gc.collect()
            start = time.perf_counter()
            result = fn()
            times.append(time.perf_counter() - start)
    finally:
        if warm and enabled:
            gc.enable()
    return statistics.median(times), result


def peak_memory(fn):
    """Peak bytes allocated (tracemalloc: Python and NumPy allocations) while ``fn()`` runs."""
    gc.collect()
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


def fmt_table(df):
    """Markdown table for the README."""
    cols = list(df.columns)
    lines = ["| " + " | ".join(cols) + " |", "|" + "|".join("---" for _ in cols) + "|"]
    for _, row in df.iterrows():
        lines.append("| " + " | ".join(_fmt(v) for v in row) + " |")
    return "\n".join(lines)


def _fmt(v):
    if isinstance(v, float):
        if v != v:
            return "–"
        return f"{v:,.3f}" if abs(v) < 100 else f"{v:,.0f}"
    return str(v)
