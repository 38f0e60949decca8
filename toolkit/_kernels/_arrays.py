"""Array helpers for kernel inputs, without importing numba (so that ``import toolkit`` stays light)."""

from __future__ import annotations

import numpy as np

__all__ = ["readonly"]


def readonly(array):
    """A read-only view of ``array`` (no copy).

    numba compiles (and caches) one version of a kernel per argument type, and a read-only array is a different
    type from a writable one. pandas hands out read-only views or writable copies depending on the path a column
    took, so inputs that reach the kernels through this function get one type whatever their origin: one
    compilation, one cache entry, and a warm-up that covers what users will call.
    """
    if array is None or not isinstance(array, np.ndarray) or not array.flags.writeable:
        return array
    view = array.view()
    view.flags.writeable = False
    return view
