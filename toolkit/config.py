"""Configuration: numba flags, defaults and environment overrides.

Environment variables
---------------------
TOOLKIT_NUMBA_CACHE
    ``"1"`` (default) caches every compiled kernel on disk (``__pycache__`` next to the module; numba's
    user cache folder when the install is read-only; ``NUMBA_CACHE_DIR`` when set). ``"0"`` disables caching.
TOOLKIT_FASTMATH
    ``"1"`` (default) enables the fastmath flags below, ``"0"`` disables them.

The fastmath set deliberately leaves out ``nnan`` and ``ninf``: kernels must keep NaN and inf handling
exact (missing spend, log-likelihoods at a boundary).
"""

from __future__ import annotations

import os

__all__ = ["FASTMATH_FLAGS", "NUMBA_CACHE", "TIME_UNITS", "DAYS_PER_UNIT"]


def _env_flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() not in {"0", "false", "no", "off", ""}


FASTMATH_FLAGS = {"nsz", "arcp", "contract", "afn", "reassoc"} if _env_flag("TOOLKIT_FASTMATH", True) else set()
NUMBA_CACHE = _env_flag("TOOLKIT_NUMBA_CACHE", True)

#: Length of one time unit in days. "M" is the mean Gregorian month (365.2425 / 12 days), stated
#: explicitly rather than a hidden 30-day month. Calendar periods (cohorts) use pandas periods instead.
DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 365.2425 / 12.0}
TIME_UNITS = tuple(DAYS_PER_UNIT)
