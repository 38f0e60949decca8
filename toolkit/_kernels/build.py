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
def net_returns(offsets, ns, amount, order_code):
    """Net refunds (negative amounts) against the same customer's purchases by a rule that ignores row order.

    **The rule.** Within each customer, rows are put in *netting order*: by timestamp; at equal timestamps
    purchases before refunds, then by amount, then by ``order_code`` (so the input order of the rows never
    matters; rows equal in all four are interchangeable). Refunds are settled one at a time in that order. A
    refund takes money from purchases (``amount > 0``, not yet used up) in three tiers, each tier finished
    before the next:

    1. lines of the same order (``order_code`` equal and ``>= 0``), at any time;
    2. purchases on the same calendar day as the refund (any time of that day);
    3. purchases on earlier days.

    Inside a tier, a purchase whose remaining amount equals the refund's remaining amount (within 1e-9
    relative) is taken first, the latest such one in netting order; otherwise purchases are used up latest
    first. A refund never reaches a purchase of a later day (outside its own order), so a refund of something
    bought before the log starts stays unmatched, and refunds settled earlier can only reach purchases that
    later refunds can reach too (the tiers 2-3 sets grow with time): no greedy choice strands a later refund.

    Cost: O(rows) for customers without refunds; O(refunds x rows) per customer with refunds.

    Parameters
    ----------
    offsets : int64 array (n + 1,)
        Customer ``i`` owns rows ``offsets[i]:offsets[i + 1]``, sorted by time (CSR order).
    ns : int64 array (m,)
        Timestamps in nanoseconds (calendar day = ``ns // NS_PER_DAY``).
    amount : float64 array (m,)
    order_code : int64 array (m,)
        Order of each row, ``-1`` when unknown; compared only within a customer. Codes must rank order ids by
        value (not by first appearance) for the result to be independent of row order.

    Returns
    -------
    new_amount : float64 array (m,)
        Purchase amounts after netting (refund rows keep their original value).
    status : int8 array (m,)
        0 untouched, 1 refund fully netted, 2 purchase fully refunded, 3 refund larger than the purchases it
        may reach (the remainder could not be netted), 4 purchase partly refunded.
    unmatched : float64
        Total refund money that found no purchase.
    """
    m = amount.shape[0]
    new_amount = amount.copy()
    status = np.zeros(m, dtype=np.int8)
    unmatched = 0.0
    n = offsets.shape[0] - 1
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        has_refund = False
        for k in range(lo, hi):
            if amount[k] < 0.0:
                has_refund = True
                break
        if not has_refund:
            continue
        idx = _netting_order(ns, amount, order_code, lo, hi)
        g = hi - lo
        # day_lo[a]: first netting position of the calendar day of position a
        day_lo = np.empty(g, dtype=np.int64)
        for a in range(g):
            if a > 0 and ns[idx[a]] // NS_PER_DAY == ns[idx[a - 1]] // NS_PER_DAY:
                day_lo[a] = day_lo[a - 1]
            else:
                day_lo[a] = a
        # positions grouped by order code, each group in netting order (for tier 1)
        by_order = idx[np.argsort(order_code[idx], kind="mergesort")] if _has_orders(order_code, lo, hi) else idx[:0]
        order_sorted = order_code[by_order]
        for a in range(g):
            r = idx[a]
            if amount[r] >= 0.0:
                continue
            remaining = -amount[r]
            if order_code[r] >= 0 and by_order.shape[0] > 0:
                o_lo = np.searchsorted(order_sorted, order_code[r], side="left")
                o_hi = np.searchsorted(order_sorted, order_code[r], side="right")
                remaining = _consume(by_order, o_lo, o_hi, remaining, new_amount, amount)
            first = day_lo[a]  # netting positions [first, last) hold the refund's calendar day
            last = a + 1
            while last < g and day_lo[last] == first:
                last += 1
            if remaining > 0.0:
                remaining = _consume(idx, first, last, remaining, new_amount, amount)
            if remaining > 0.0:
                remaining = _consume(idx, 0, first, remaining, new_amount, amount)
            if remaining > 1e-9 * max(1.0, -amount[r]):
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


@njit_serial
def _has_orders(order_code, lo, hi):
    """Whether any row ``lo:hi`` has an order code."""
    for k in range(lo, hi):
        if order_code[k] >= 0:
            return True
    return False


@njit_serial
def _consume(pos, b_lo, b_hi, remaining, new_amount, amount):
    """Take up to ``remaining`` from the purchases ``pos[b_lo:b_hi]`` (in netting order): an exact match of
    ``remaining`` first (the latest), else latest first; returns what is left."""
    tol = 1e-9 * max(1.0, remaining)
    for b in range(b_hi - 1, b_lo - 1, -1):
        k = pos[b]
        if amount[k] > 0.0 and new_amount[k] > 0.0 and abs(new_amount[k] - remaining) <= tol:
            new_amount[k] = 0.0
            return 0.0
    for b in range(b_hi - 1, b_lo - 1, -1):
        if remaining <= 0.0:
            break
        k = pos[b]
        if amount[k] > 0.0 and new_amount[k] > 0.0:
            take = min(remaining, new_amount[k])
            new_amount[k] -= take
            remaining -= take
    return remaining


@njit_serial(inline="always")
def _before(ns, amount, order_code, j, k):
    """Netting order: time, then purchases before refunds, then amount, then order code."""
    if ns[j] != ns[k]:
        return ns[j] < ns[k]
    rj = amount[j] < 0.0
    rk = amount[k] < 0.0
    if rj != rk:
        return rk
    if amount[j] != amount[k]:
        return amount[j] < amount[k]
    return order_code[j] < order_code[k]


@njit_serial
def _netting_order(ns, amount, order_code, lo, hi):
    """Rows ``lo:hi`` (sorted by time) in netting order: each run of equal timestamps sorted by the tie keys
    (insertion sort for short runs, a merge sort for long ones)."""
    g = hi - lo
    idx = np.arange(lo, hi)
    s = 0
    while s < g:
        e = s + 1
        while e < g and ns[idx[e]] == ns[idx[s]]:
            e += 1
        if e - s > 1:
            if e - s <= 32:
                for a in range(s + 1, e):
                    row = idx[a]
                    b = a - 1
                    while b >= s and _before(ns, amount, order_code, row, idx[b]):
                        idx[b + 1] = idx[b]
                        b -= 1
                    idx[b + 1] = row
            else:
                _merge_sort(idx, s, e, ns, amount, order_code)
        s = e
    return idx


@njit_serial
def _merge_sort(idx, s, e, ns, amount, order_code):
    """Stable bottom-up merge sort of ``idx[s:e]`` by :func:`_before`."""
    n = e - s
    src = idx[s:e].copy()
    dst = np.empty_like(src)
    width = 1
    while width < n:
        for left in range(0, n, 2 * width):
            mid = min(left + width, n)
            right = min(left + 2 * width, n)
            a, b, o = left, mid, left
            while a < mid and b < right:
                if _before(ns, amount, order_code, src[b], src[a]):
                    dst[o] = src[b]
                    b += 1
                else:
                    dst[o] = src[a]
                    a += 1
                o += 1
            while a < mid:
                dst[o] = src[a]
                a += 1
                o += 1
            while b < right:
                dst[o] = src[b]
                b += 1
                o += 1
        src, dst = dst, src
        width *= 2
    idx[s:e] = src


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
