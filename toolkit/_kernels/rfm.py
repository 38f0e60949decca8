"""RFM scoring kernels: quantile edges from order statistics and score assignment by sorted edges.

NumPy arrays in and out; prior validation of input is assumed (1-D float64, no NaN in the values
used for edges). Nothing here raises on user input.

Tie rule (the one documented in :func:`toolkit.rfm.rfm_scores`)
---------------------------------------------------------------
For ``n`` values and ``n_bins`` bins, the ``k``-th edge (``k = 1 .. n_bins - 1``) is the order
statistic of rank ``j_k = ceil(k * n / n_bins)`` (1-based), and a value ``x`` gets the score

    score(x) = 1 + #{k : edge_k < x}

so bin ``k`` is the right-closed interval ``(edge_{k-1}, edge_k]``. Equivalently, with ``r`` the
*minimum* rank of ``x`` (pandas ``rank(method="min")``), ``score = 1 + floor(n_bins * (r - 1) / n)``.
Equal values always share a score, and a group of ties that straddles a quantile boundary gets the
*lower* score. With no ties the bins hold ``floor`` or ``ceil`` of ``n / n_bins`` values each.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit_serial

__all__ = ["quantile_edges", "assign_scores", "quantile_scores"]


@njit_serial
def _order_statistic_edges(sorted_values, n_bins):
    """Quantile edges of already sorted values by the rank rule ``j_k = ceil(k n / n_bins)``.

    Parameters
    ----------
    sorted_values : numpy.ndarray of float64, shape (n,)
        Values sorted ascending, no NaN.
    n_bins : int
        Number of bins (>= 1).

    Returns
    -------
    numpy.ndarray of float64, shape (n_bins - 1,)
        Non-decreasing edges; all NaN when ``n == 0``.
    """
    n = sorted_values.shape[0]
    edges = np.empty(n_bins - 1, dtype=np.float64)
    for k in range(1, n_bins):
        if n == 0:
            edges[k - 1] = np.nan
        else:
            j = (k * n + n_bins - 1) // n_bins  # ceil(k n / n_bins), 1-based rank, >= 1 because k >= 1
            edges[k - 1] = sorted_values[j - 1]
    return edges


@njit_serial
def _assign_scores(values, edges, reverse, out, counts):
    """Scores ``1 + #{k : edges[k] < x}`` (right-closed bins), optionally reversed.

    Parameters
    ----------
    values : numpy.ndarray of float64, shape (n,)
    edges : numpy.ndarray of float64, shape (n_bins - 1,)
        Sorted ascending (ties allowed).
    reverse : bool
        When true the score is ``n_bins + 1 - score`` (smaller value = higher score).
    out : numpy.ndarray of int8, shape (n,)
        Filled in place; NaN values get 0 ("not scored").
    counts : numpy.ndarray of int64, shape (n_bins + 1,)
        Filled in place: ``counts[s]`` customers got score ``s`` (``counts[0]``: NaN values).
    """
    n_edges = edges.shape[0]
    n_bins = n_edges + 1
    counts[:] = 0
    for i in range(values.shape[0]):
        x = values[i]
        if x != x:
            out[i] = 0
            counts[0] += 1
            continue
        # number of edges strictly below x (searchsorted side="left"); a branch-free linear count is
        # faster than a binary search for the handful of edges RFM uses
        s = 1
        for k in range(n_edges):
            s += edges[k] < x
        if reverse:
            s = n_bins + 1 - s
        out[i] = s
        counts[s] += 1


def quantile_edges(values, n_bins):
    """Rank-based quantile edges of ``values`` (NaN ignored) by the module's tie rule.

    Parameters
    ----------
    values : numpy.ndarray of float64, shape (n,)
    n_bins : int

    Returns
    -------
    numpy.ndarray of float64, shape (n_bins - 1,)
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    finite = values[~np.isnan(values)] if np.isnan(values).any() else values
    # NumPy's sort is vectorised (several times faster than a compiled quickselect here);
    # the order statistics are then picked by the compiled kernel.
    return _order_statistic_edges(np.sort(finite), int(n_bins))


def assign_scores(values, edges, reverse=False):
    """Scores 1..len(edges)+1 for ``values`` given sorted ``edges`` (0 for NaN).

    Parameters
    ----------
    values : numpy.ndarray of float64, shape (n,)
    edges : numpy.ndarray of float64, shape (n_bins - 1,), sorted ascending
    reverse : bool, default False
        Smaller value = higher score.

    Returns
    -------
    scores : numpy.ndarray of int8, shape (n,)
    counts : numpy.ndarray of int64, shape (n_bins + 1,)
        ``counts[s]`` values got score ``s``; ``counts[0]`` counts NaN values.
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    edges = np.ascontiguousarray(edges, dtype=np.float64)
    out = np.empty(values.shape[0], dtype=np.int8)
    counts = np.empty(edges.shape[0] + 2, dtype=np.int64)
    _assign_scores(values, edges, bool(reverse), out, counts)
    return out, counts


def quantile_scores(values, n_bins, reverse=False):
    """Quantile scores 1..n_bins by the module's tie rule.

    Parameters
    ----------
    values : numpy.ndarray of float64, shape (n,)
    n_bins : int
    reverse : bool, default False
        Score the values in descending order (the smallest values get ``n_bins``). Implemented by
        scoring ``-values``, so ties still share the *lower* score.

    Returns
    -------
    scores : numpy.ndarray of int8, shape (n,)
    counts : numpy.ndarray of int64, shape (n_bins + 1,)
    edges : numpy.ndarray of float64, shape (n_bins - 1,)
        Edges on the scale that was scored (``-values`` when ``reverse``).
    """
    values = np.ascontiguousarray(values, dtype=np.float64)
    if reverse:
        values = -values
    edges = quantile_edges(values, n_bins)
    scores, counts = assign_scores(values, edges, False)
    return scores, counts, edges
