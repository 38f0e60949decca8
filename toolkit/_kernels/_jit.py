"""The only place where numba decorators are configured.

``njit_serial`` caches on disk (workshop laptops must not stall on recompilation);
``njit_parallel`` does not cache by default (cached parallel functions load slowly, numba#8085).
"""

from __future__ import annotations

import numba

from .. import config

__all__ = ["njit_serial", "njit_parallel", "prange", "get_num_threads"]

prange = numba.prange
get_num_threads = numba.get_num_threads


def njit_serial(func=None, **kwargs):
    """``numba.njit`` with the project's fastmath set and disk cache."""
    options = {"fastmath": config.FASTMATH_FLAGS or False, "cache": config.NUMBA_CACHE, "nogil": True}
    options.update(kwargs)
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)


def njit_parallel(func=None, **kwargs):
    """``numba.njit(parallel=True)`` with the project's fastmath set, not cached."""
    options = {"fastmath": config.FASTMATH_FLAGS or False, "cache": False, "parallel": True, "nogil": True}
    options.update(kwargs)
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)
