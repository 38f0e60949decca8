"""Per-customer summary kernel: one pass over the CSR arrays.

Prior validation of input is assumed (CSR order, day sorted within customer, finite amounts).
"""

from __future__ import annotations

import numpy as np

from ._jit import njit_parallel, njit_serial, prange


@njit_serial
def customer_summary_kernel(offsets, day, amount, end_day, order_code, n_order_codes, category, n_categories,
                            quantity, discount):
    """Summary statistics of every customer's transactions up to ``end_day`` (inclusive).

    Purchases are counted on distinct calendar days, as in Fader, Hardie & Lee (2005, "Counting your
    customers the easy way"): ``frequency`` is the number of distinct purchase days after the first one.

    Parameters
    ----------
    offsets : int64 (n + 1,)
    day : int64 (m,)
        Calendar day index, sorted within customer.
    amount : float64 (m,)
    end_day : int
        Last observed day; later transactions are ignored.
    order_code : int64 (m,)
        Customer-unique order code per row, or ``-1`` everywhere when orders are not known (then each row is
        an order).
    n_order_codes : int
        Number of distinct order codes (size of the scratch array).
    category : int32 (m,)
        Category code per row (``-1`` when missing), or an empty array.
    n_categories : int
    quantity : float64 (m,) or empty
    discount : float64 (m,) or empty

    Returns
    -------
    ints : int64 (n, 6)
        n_days, n_orders, first_row, last_row, breadth, n_discounted_orders (first_row = -1 when the
        customer has no transaction up to ``end_day``).
    floats : float64 (n, 7)
        revenue, repeat_revenue, first_day, last_day, ipt_sum, ipt_sumsq, quantity_sum.
    """
    n = offsets.shape[0] - 1
    ints = np.zeros((n, 6), dtype=np.int64)
    floats = np.zeros((n, 7), dtype=np.float64)
    seen_order = np.full(max(n_order_codes, 1), -1, dtype=np.int64)
    seen_disc = np.full(max(n_order_codes, 1), -1, dtype=np.int64)
    seen_cat = np.full(max(n_categories, 1), -1, dtype=np.int64)
    has_orders = n_order_codes > 0
    has_cat = category.shape[0] > 0
    has_qty = quantity.shape[0] > 0
    has_disc = discount.shape[0] > 0
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        if lo == hi or day[lo] > end_day:
            ints[i, 2] = -1
            ints[i, 3] = -1
            continue
        first = day[lo]
        prev = first
        n_days = 1
        n_orders = 0
        breadth = 0
        n_disc = 0
        revenue = 0.0
        repeat_revenue = 0.0
        ipt_sum = 0.0
        ipt_sumsq = 0.0
        qsum = 0.0
        last_row = lo
        for k in range(lo, hi):
            d = day[k]
            if d > end_day:
                break
            last_row = k
            a = amount[k]
            revenue += a
            if d != prev:
                n_days += 1
                gap = float(d - prev)
                ipt_sum += gap
                ipt_sumsq += gap * gap
                prev = d
            if d != first:
                repeat_revenue += a
            if has_orders:
                oc = order_code[k]
                if seen_order[oc] != i:
                    seen_order[oc] = i
                    n_orders += 1
                if has_disc and discount[k] > 0.0 and seen_disc[oc] != i:
                    seen_disc[oc] = i
                    n_disc += 1
            else:
                n_orders += 1
                if has_disc and discount[k] > 0.0:
                    n_disc += 1
            if has_cat:
                c = category[k]
                if c >= 0 and seen_cat[c] != i:
                    seen_cat[c] = i
                    breadth += 1
            if has_qty:
                q = quantity[k]
                if q == q:
                    qsum += q
        ints[i, 0] = n_days
        ints[i, 1] = n_orders
        ints[i, 2] = lo
        ints[i, 3] = last_row
        ints[i, 4] = breadth
        ints[i, 5] = n_disc
        floats[i, 0] = revenue
        floats[i, 1] = repeat_revenue
        floats[i, 2] = first
        floats[i, 3] = prev
        floats[i, 4] = ipt_sum
        floats[i, 5] = ipt_sumsq
        floats[i, 6] = qsum
    return ints, floats


@njit_parallel
def summary_columns(offsets, day, amount, end_day, scale, order_code, n_order_codes, category, n_categories,
                    quantity, discount):
    """Final per-customer summary columns (see ``toolkit.customer_summary``), one contiguous array each.

    Runs :func:`customer_summary_kernel` and turns its raw sums into the published quantities in parallel,
    so the caller only wraps arrays. Customers with no transaction up to ``end_day`` get ``first_row = -1``.

    Returns
    -------
    tuple of arrays (n,)
        frequency, recency, T, monetary_value, n_orders, n_days, revenue, first_row, last_row, since_last,
        ipt_mean, ipt_cv, breadth, depth, discount_share, tenure_days.
    """
    ints, floats = customer_summary_kernel(offsets, day, amount, end_day, order_code, n_order_codes, category,
                                           n_categories, quantity, discount)
    n = ints.shape[0]
    frequency = np.empty(n, dtype=np.int64)
    recency = np.empty(n, dtype=np.float64)
    T = np.empty(n, dtype=np.float64)
    monetary = np.empty(n, dtype=np.float64)
    n_orders = np.empty(n, dtype=np.int64)
    n_days = np.empty(n, dtype=np.int64)
    revenue = np.empty(n, dtype=np.float64)
    first_row = np.empty(n, dtype=np.int64)
    last_row = np.empty(n, dtype=np.int64)
    since_last = np.empty(n, dtype=np.float64)
    ipt_mean = np.empty(n, dtype=np.float64)
    ipt_cv = np.empty(n, dtype=np.float64)
    breadth = np.empty(n, dtype=np.int64)
    depth = np.empty(n, dtype=np.float64)
    discount_share = np.empty(n, dtype=np.float64)
    tenure = np.empty(n, dtype=np.float64)
    has_qty = quantity.shape[0] > 0
    for i in prange(n):
        nd = ints[i, 0]
        no = ints[i, 1]
        freq = nd - 1
        first = floats[i, 2]
        last = floats[i, 3]
        frequency[i] = freq
        n_days[i] = nd
        n_orders[i] = no
        first_row[i] = ints[i, 2]
        last_row[i] = ints[i, 3]
        breadth[i] = ints[i, 4]
        revenue[i] = floats[i, 0]
        recency[i] = (last - first) / scale
        T[i] = (end_day - first) / scale
        since_last[i] = (end_day - last) / scale
        tenure[i] = end_day - first
        monetary[i] = floats[i, 1] / freq if freq > 0 else 0.0
        if freq >= 1:
            mean = floats[i, 4] / freq
            ipt_mean[i] = mean / scale
            if freq >= 2:
                var = (floats[i, 5] - freq * mean * mean) / (freq - 1)
                ipt_cv[i] = np.sqrt(max(var, 0.0)) / mean
            else:
                ipt_cv[i] = np.nan
        else:
            ipt_mean[i] = np.nan
            ipt_cv[i] = np.nan
        orders = max(no, 1)
        if has_qty:
            depth[i] = floats[i, 6] / orders
        else:
            depth[i] = (ints[i, 3] - ints[i, 2] + 1) / orders
        discount_share[i] = ints[i, 5] / orders
    return (frequency, recency, T, monetary, n_orders, n_days, revenue, first_row, last_row, since_last, ipt_mean,
            ipt_cv, breadth, depth, discount_share, tenure)
