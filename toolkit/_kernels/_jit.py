"""The only place where numba decorators are configured.

Both decorators cache compiled kernels on disk (``TOOLKIT_NUMBA_CACHE``, default on), so a fresh process loads
them instead of compiling: measured on the 2-core development machine, compiling a parallel kernel takes
0.5-2.5 s, loading it from the cache 3-8 ms (the first load in a process ~0.25 s, numba initialising its
target). numba#8085 (cached parallel functions load slower than serial ones) costs milliseconds, compiling
seconds. A kernel must not call ``numba.get_num_threads()`` inside: that compiles to the address of a C function
(a "dynamic global") and numba silently refuses to cache the kernel; pass the thread count in as an argument.
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
    """``numba.njit(parallel=True)`` with the project's fastmath set and disk cache."""
    options = {"fastmath": config.FASTMATH_FLAGS or False, "cache": config.NUMBA_CACHE, "parallel": True, "nogil": True}
    options.update(kwargs)
    if func is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(func)
