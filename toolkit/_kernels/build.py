"""Kernels that build the per-customer CSR layout from validated columns.

Prior validation of input is assumed: codes are in ``[0, n_customers)``, timestamps are int64 nanoseconds,
amounts are finite float64.
"""

from __future__ import annotations

import numpy as np

from ._jit import get_num_threads, njit_parallel, njit_serial, prange

NS_PER_DAY = 86_400_000_000_000


def csr_order(codes, ns, amount, n_customers):
    """Permutation that groups rows by customer code and sorts each group by time.

    A parallel counting sort on ``codes``: each thread counts its own contiguous chunk of rows, gets its own
    slots inside every customer's range (chunk order = row order, so the sort is stable and race-free) and
    scatters into them. Then each customer's rows are sorted by time when not already ordered (insertion
    sort for short groups, merge sort for long ones), customers in parallel. Ties keep input order.

    Parameters
    ----------
    codes : int64 array (m,)
        Customer code of each row, in ``[0, n_customers)``.
    ns : int64 array (m,)
        Timestamp of each row in nanoseconds.
    amount : float64 array (m,)
        Amount of each row (carried along so later passes read contiguous memory).
    n_customers : int
        Number of distinct codes.

    Returns
    -------
    perm : int64 array (m,)
        Row order: ``perm[offsets[i]:offsets[i+1]]`` are customer ``i``'s rows in time order.
    offsets : int64 array (n_customers + 1,)
    ns_sorted : int64 array (m,)
        ``ns[perm]``.
    amount_sorted : float64 array (m,)
        ``amount[perm]``.
    """
    return _csr_order(codes, ns, amount, n_customers, get_num_threads())


@njit_parallel
def _csr_order(codes, ns, amount, n_customers, n_threads):
    """:func:`csr_order` with the thread count passed in (``numba.get_num_threads`` inside a kernel would keep
    numba from caching it on disk: it compiles to the address of a C function, a "dynamic global")."""
    m = codes.shape[0]
    n_chunks = max(1, min(n_threads, m // 65536 + 1))
    chunk = (m + n_chunks - 1) // n_chunks
    counts = np.zeros((n_chunks, n_customers), dtype=np.int64)
    for t in prange(n_chunks):
        lo = t * chunk
        hi = min(m, lo + chunk)
        for j in range(lo, hi):
            counts[t, codes[j]] += 1
    offsets = np.empty(n_customers + 1, dtype=np.int64)
    starts = np.empty((n_chunks, n_customers), dtype=np.int64)
    pos = 0
    for c in range(n_customers):
        offsets[c] = pos
        for t in range(n_chunks):
            starts[t, c] = pos
            pos += counts[t, c]
    offsets[n_customers] = pos
    perm = np.empty(m, dtype=np.int64)
    ns_sorted = np.empty(m, dtype=np.int64)
    amount_sorted = np.empty(m, dtype=np.float64)
    for t in prange(n_chunks):
        lo = t * chunk
        hi = min(m, lo + chunk)
        for j in range(lo, hi):
            c = codes[j]
            k = starts[t, c]
            perm[k] = j
            ns_sorted[k] = ns[j]
            amount_sorted[k] = amount[j]
            starts[t, c] = k + 1
    for i in prange(n_customers):
        _sort_group(perm, ns_sorted, amount_sorted, offsets[i], offsets[i + 1])
    return perm, offsets, ns_sorted, amount_sorted


@njit_serial
def _sort_group(perm, ns_sorted, amount_sorted, lo, hi):
    """Sort rows ``lo:hi`` by time in place (stable), unless they are already ordered."""
    ordered = True
    for k in range(lo + 1, hi):
        if ns_sorted[k] < ns_sorted[k - 1]:
            ordered = False
            break
    if ordered:
        return
    if hi - lo <= 48:
        for k in range(lo + 1, hi):
            row = perm[k]
            key = ns_sorted[k]
            val = amount_sorted[k]
            j = k - 1
            while j >= lo and ns_sorted[j] > key:
                perm[j + 1] = perm[j]
                ns_sorted[j + 1] = ns_sorted[j]
                amount_sorted[j + 1] = amount_sorted[j]
                j -= 1
            perm[j + 1] = row
            ns_sorted[j + 1] = key
            amount_sorted[j + 1] = val
    else:
        idx = np.argsort(ns_sorted[lo:hi], kind="mergesort")
        seg = perm[lo:hi].copy()
        keys = ns_sorted[lo:hi].copy()
        vals = amount_sorted[lo:hi].copy()
        for k in range(hi - lo):
            perm[lo + k] = seg[idx[k]]
            ns_sorted[lo + k] = keys[idx[k]]
            amount_sorted[lo + k] = vals[idx[k]]


@njit_serial
def duplicate_mask(offsets, perm, ns_sorted, amount_sorted, extra):
    """Mark rows that repeat an earlier row of the same customer exactly.

    Two rows are duplicates when timestamp, amount and ``extra`` (a hash of every other mapped column, indexed
    by original row; an empty array when there is none) are all equal. Rows are visited in CSR order, where equal
    timestamps are adjacent; each run of equal timestamps is compared pairwise, so the first occurrence is
    kept and later copies are marked.

    Returns
    -------
    dup : bool array (m,)
        Indexed by CSR position (``dup[k]`` refers to row ``perm[k]``).
    """
    m = perm.shape[0]
    dup = np.zeros(m, dtype=np.bool_)
    has_extra = extra.shape[0] > 0
    n = offsets.shape[0] - 1
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        k = lo
        while k < hi:
            t0 = ns_sorted[k]
            run_end = k + 1
            while run_end < hi and ns_sorted[run_end] == t0:
                run_end += 1
            for a in range(k + 1, run_end):
                for b in range(k, a):
                    if not dup[b] and amount_sorted[a] == amount_sorted[b] and (
                            not has_extra or extra[perm[a]] == extra[perm[b]]):
                        dup[a] = True
                        break
            k = run_end
    return dup


@njit_serial
def net_returns(offsets, amount, order_code):
    """Net refunds (negative amounts) against the same customer's earlier purchases.

    For each refund, in time order: first against purchases of the same order (``order_code`` equal and
    ``>= 0``), latest first; then against the customer's purchases at or before the refund, latest first.

    Returns
    -------
    new_amount : float64 array (m,)
        Purchase amounts after netting (refund rows keep their original value).
    status : int8 array (m,)
        0 untouched, 1 refund fully netted, 2 purchase fully refunded, 3 refund larger than the earlier
        purchases (the remainder could not be netted), 4 purchase partly refunded.
    unmatched : float64
        Total refund money that found no earlier purchase.
    """
    m = amount.shape[0]
    new_amount = amount.copy()
    status = np.zeros(m, dtype=np.int8)
    unmatched = 0.0
    n = offsets.shape[0] - 1
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        for r in range(lo, hi):
            if amount[r] >= 0.0:
                continue
            remaining = -amount[r]
            if order_code[r] >= 0:
                for k in range(hi - 1, lo - 1, -1):
                    if remaining <= 0.0:
                        break
                    if k != r and order_code[k] == order_code[r] and new_amount[k] > 0.0 and amount[k] > 0.0:
                        take = min(remaining, new_amount[k])
                        new_amount[k] -= take
                        remaining -= take
            for k in range(r - 1, lo - 1, -1):
                if remaining <= 0.0:
                    break
                if amount[k] > 0.0 and new_amount[k] > 0.0:
                    take = min(remaining, new_amount[k])
                    new_amount[k] -= take
                    remaining -= take
            if remaining > 1e-9:
                status[r] = 3
                unmatched += remaining
            else:
                status[r] = 1
        for k in range(lo, hi):
            if amount[k] > 0.0 and new_amount[k] < amount[k]:
                if new_amount[k] <= 1e-9 * max(1.0, amount[k]):
                    new_amount[k] = 0.0
                    status[k] = 2
                else:
                    status[k] = 4
    return new_amount, status, unmatched


@njit_parallel
def day_index(ns, origin_ns):
    """Calendar day of each timestamp, counted from ``origin_ns`` (midnight)."""
    m = ns.shape[0]
    out = np.empty(m, dtype=np.int64)
    for j in prange(m):
        out[j] = (ns[j] - origin_ns) // NS_PER_DAY
    return out


@njit_parallel
def dense_int_codes(values, vmin, span):
    """Sorted codes of integer ids through a direct-address table (no hashing).

    For ids in ``[vmin, vmin + span)`` with ``span`` not much larger than the number of rows (the common
    case of sequential customer numbers). Returns codes in ascending id order, as a sorted factorisation does.

    Returns
    -------
    codes : int64 array (m,)
    uniques : int64 array (n,)
        The distinct ids, ascending.
    """
    m = values.shape[0]
    present = np.zeros(span, dtype=np.bool_)
    for j in prange(m):
        present[values[j] - vmin] = True
    lookup = np.empty(span, dtype=np.int64)
    n = 0
    for k in range(span):
        if present[k]:
            lookup[k] = n
            n += 1
    uniques = np.empty(n, dtype=np.int64)
    for k in range(span):
        if present[k]:
            uniques[lookup[k]] = vmin + k
    codes = np.empty(m, dtype=np.int64)
    for j in prange(m):
        codes[j] = lookup[values[j] - vmin]
    return codes, uniques
