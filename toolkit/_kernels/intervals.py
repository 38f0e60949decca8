"""Kernels of the per-customer intervals (``toolkit.clv.intervals``): one quantity under many parameter draws.

The interval of a customer's P(alive) or expected purchases is read off the distribution of that quantity over
parameter vectors drawn from the estimates' sampling distribution. The kernels here never hold the full
(customers x draws) matrix: each thread keeps one buffer of ``n_draws`` values, fills it for a customer, and
writes only the requested quantiles (NumPy's default "linear" definition, Hyndman and Fan 1996 type 7).

BG/NBD and MBG/NBD formulas as in :mod:`toolkit._kernels.likelihoods` ([FHL05a], [BDF07]). The conditional
expectation is P(alive) times a bracket that depends on the customer only through (x, T) for a given horizon
t; the brackets are tabulated once per unique (x, T) pair and draw (:func:`bgnbd_bracket_draws`).

.. [FHL05b] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for
   customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit_parallel, njit_serial, prange
from ._vmath import vexp, vlog
from .likelihoods import _bgnbd_bracket

__all__ = ["bgnbd_bracket_draws", "bgnbd_interval_quantiles", "row_quantiles"]


@njit_serial(error_model="numpy")
def _select(a, left, right, k):
    """Rearrange ``a[left:right+1]`` so that ``a[k]`` is its (k - left)-th smallest value, everything before it
    is <= and everything after it >= (Hoare's FIND / quickselect, median-of-three pivot, insertion sort below
    16 elements; Hoare 1961, "Algorithm 65: Find", *Communications of the ACM* 4(7), 321-322)."""
    while right > left:
        if right - left < 16:
            for i in range(left + 1, right + 1):
                v = a[i]
                j = i - 1
                while j >= left and a[j] > v:
                    a[j + 1] = a[j]
                    j -= 1
                a[j + 1] = v
            return
        mid = (left + right) // 2
        if a[mid] < a[left]:
            a[mid], a[left] = a[left], a[mid]
        if a[right] < a[left]:
            a[right], a[left] = a[left], a[right]
        if a[right] < a[mid]:
            a[right], a[mid] = a[mid], a[right]
        pivot = a[mid]
        i = left
        j = right
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            right = j
        elif k >= i:
            left = i
        else:
            return


@njit_serial(error_model="numpy")
def _sorted_quantiles(buf, n_valid, probs, out_row):
    """Type-7 quantiles of ``buf[:n_valid]`` at ``probs`` into ``out_row``; NaN if empty. ``buf`` is reordered.

    Only the order statistics the quantiles need are found, not the whole sorted order: the lower ones
    (floor((n-1) p)) by quickselect (:func:`_select`), the largest needed first and then each next one within
    the part left of it, so the ranges shrink; the upper neighbour of each is the minimum of the values between
    it and the next selected one (all larger or equal after the partitioning). The values, and so the
    quantiles, are exactly those of a full sort; the work is ~ n + a few short ranges instead of n log n.
    """
    if n_valid == 0:
        for j in range(probs.shape[0]):
            out_row[j] = math.nan
        return
    m = probs.shape[0]
    lows = np.empty(m, dtype=np.int64)
    for j in range(m):
        lows[j] = int(math.floor((n_valid - 1) * probs[j]))
    order = np.sort(lows)
    # distinct lower indices, largest first: select each within [0, previous selected index - 1]
    right = n_valid - 1
    previous = n_valid
    for j in range(m - 1, -1, -1):
        k = order[j]
        if k >= previous:
            continue
        _select(buf, 0, right, k)
        right = k - 1
        previous = k
    for j in range(m):
        h = (n_valid - 1) * probs[j]
        lo = int(math.floor(h))
        v_lo = buf[lo]
        if lo + 1 < n_valid:
            # the next selected index above lo (or the end): values in between are >= buf[lo], <= buf[next]
            nxt = n_valid
            for q in range(m):
                if order[q] > lo and order[q] < nxt:
                    nxt = order[q]
            if lo + 1 < nxt:
                v_hi = buf[lo + 1]
                for q in range(lo + 2, nxt):
                    if buf[q] < v_hi:
                        v_hi = buf[q]
            else:
                v_hi = buf[nxt]
        else:
            v_hi = v_lo
        out_row[j] = v_lo + (h - lo) * (v_hi - v_lo)


@njit_parallel(error_model="numpy")
def row_quantiles(values, probs, out):
    """Quantiles of each row of ``values`` (n, d) at ``probs`` into ``out`` (n, len(probs)), NaNs left out."""
    n, d = values.shape
    for i in prange(n):
        buf = np.empty(d)
        k = 0
        for j in range(d):
            v = values[i, j]
            if v == v:
                buf[k] = v
                k += 1
        _sorted_quantiles(buf, k, probs, out[i])
    return out


@njit_parallel(error_model="numpy")
def bgnbd_bracket_draws(draws, x, T, t, modified, out):
    """out[k, d] = the conditional-expectation bracket of pair (x[k], T[k]) at horizon t under draw d.

    The bracket is (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
    ([FHL05a]; MBG/NBD [BDF07]: b+x+1 and a+b+x), so that E[Y(t) | x, t_x, T] = P(alive) * bracket.
    ``draws`` is (n_draws, 4) with rows (r, alpha, a, b); t > 0.
    """
    shift = 1.0 if modified else 0.0
    n_draws = draws.shape[0]
    for k in prange(x.shape[0]):
        xk = x[k]
        Tk = T[k]
        for d in range(n_draws):
            r = draws[d, 0]
            alpha = draws[d, 1]
            a = draws[d, 2]
            b = draws[d, 3]
            big = alpha + Tk + t
            out[k, d] = _bgnbd_bracket(r + xk, b + xk + shift, a + b + xk - 1.0 + shift, a,
                                       math.log((alpha + Tk) / big), t / big)
    return out


@njit_parallel(error_model="numpy")
def bgnbd_interval_quantiles(draws, x, tx, T, pair, bracket, modified, spend, m, scale, probs, out, n_chunks):
    """Quantiles over draws of P(alive) (``bracket`` empty) or of E[Y(t)] = P(alive) * bracket[pair, draw].

    P(alive | x, t_x, T) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)) ([FHL05a]; [BDF07]:
    a/(b+x) for every x), computed as in :func:`toolkit._kernels.likelihoods.bgnbd_p_alive` (c e / (c e + a),
    no overflow). ``draws`` (n_draws, 4); ``pair`` (n,) int64 rows of ``bracket`` (n_pairs, n_draws);
    ``out`` (n, len(probs)). Draws giving NaN are left out of a customer's quantiles. ``n_chunks`` is the
    thread count (passed in, so that the kernel caches on disk).

    For CLV the value is further multiplied by ``scale[i]`` (margin times a fixed spend; empty: 1) and, when
    ``spend`` (n_draws, 3) holds Gamma-Gamma draws (p, q, gamma), by the expected spend per purchase
    (gamma + x m) p / (p x + q - 1) ([FHL05b]; infinite where p x + q <= 1) with ``m`` the mean spend.
    """
    n = x.shape[0]
    n_draws = draws.shape[0]
    with_bracket = bracket.shape[0] > 0
    with_spend = spend.shape[0] > 0
    with_scale = scale.shape[0] > 0
    r = np.ascontiguousarray(draws[:, 0])
    alpha = np.ascontiguousarray(draws[:, 1])
    a = np.ascontiguousarray(draws[:, 2])
    c0 = np.ascontiguousarray(draws[:, 3]) - (0.0 if modified else 1.0)
    x_min = -1.0 if modified else 0.0
    chunk = (n + n_chunks - 1) // n_chunks
    for c in prange(n_chunks):
        buf = np.empty(n_draws)
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            xi = x[i]
            Ti = T[i]
            ti = min(Ti, tx[i])
            if xi > x_min:
                for d in range(n_draws):
                    q = (alpha[d] + Ti) / (alpha[d] + ti)
                    ce = (c0[d] + xi) * vexp(-(r[d] + xi) * vlog(q))
                    buf[d] = ce / (ce + a[d])
            else:
                for d in range(n_draws):
                    buf[d] = 1.0
            if with_bracket:
                row = pair[i]
                for d in range(n_draws):
                    buf[d] *= bracket[row, d]
            if with_spend:
                mi = m[i] if xi > 0.0 else 0.0
                for d in range(n_draws):
                    p = spend[d, 0]
                    den = p * xi + spend[d, 1] - 1.0
                    buf[d] *= (spend[d, 2] + xi * mi) * p / den if den > 0.0 else math.inf
            if with_scale:
                for d in range(n_draws):
                    buf[d] *= scale[i]
            k = 0
            for d in range(n_draws):
                v = buf[d]
                if v == v:
                    buf[k] = v
                    k += 1
            _sorted_quantiles(buf, k, probs, out[i])
    return out
