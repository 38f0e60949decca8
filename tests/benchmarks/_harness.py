"""Timing and memory helpers shared by the benchmark modules."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc


def median_time(fn, repeat=3):
    """Median wall time of ``fn()`` over ``repeat`` runs (seconds) and the last result."""
    times = []
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
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
