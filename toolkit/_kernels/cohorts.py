"""Cohort kernels: retention grid, inactivity-defined lifetimes and period status rates.

All kernels take the CSR arrays of :class:`toolkit.customers.CustomerArrays` plus precomputed integer lookups
(calendar period of every day, cohort row and cohort period of every customer). Calendar logic (ISO weeks,
months of unequal length, quarters, leap days) lives in the ``period_of_day`` lookup built with pandas
periods by :mod:`toolkit.cohorts`; the kernels only do integer arithmetic.

Prior validation of input is assumed (CSR order, days sorted within customer, finite amounts). Kernels never
raise on user input.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit_serial


@njit_serial
def retention_grid(offsets, day, amount, order_code, n_order_codes, period_of_day, day_lo, cust_row,
                   cust_period0, n_rows, n_periods):
    """Active customers, orders, revenue and capped (gross) revenue per cohort row and period since acquisition.

    Parameters
    ----------
    offsets : int64 (n + 1,)
        CSR offsets of the customers' transactions.
    day : int64 (m,)
        Calendar day index of each transaction, sorted within customer.
    amount : float64 (m,)
    order_code : int64 (m,) or empty
        Order code of each row; when empty every row is an order.
    n_order_codes : int
        Number of distinct order codes (scratch size).
    period_of_day : int64 (k,)
        Absolute calendar period ordinal of day ``day_lo + j`` at position ``j``.
    day_lo : int
        Day index of ``period_of_day[0]`` (0, or negative when cohort dates precede the first transaction).
    cust_row : int64 (n,)
        Output row of each customer (group * n_cohorts + cohort), ``-1`` to skip the customer.
    cust_period0 : int64 (n,)
        Absolute period ordinal of each customer's cohort period (period 0).
    n_rows, n_periods : int
        Shape of the grid.

    Returns
    -------
    size : int64 (n_rows,)
        Customers per row (the cohort size).
    active : int64 (n_rows, n_periods)
        Customers with at least one transaction in the period.
    orders : int64 (n_rows, n_periods)
        Distinct orders (rows when no order codes).
    revenue : float64 (n_rows, n_periods)
    gross : float64 (n_rows, n_periods)
        Sum over customers of ``min(revenue in period k, revenue in period 0)``: the numerator of gross
        revenue retention (no expansion counted).
    """
    n = offsets.shape[0] - 1
    size = np.zeros(n_rows, dtype=np.int64)
    active = np.zeros((n_rows, n_periods), dtype=np.int64)
    orders = np.zeros((n_rows, n_periods), dtype=np.int64)
    revenue = np.zeros((n_rows, n_periods), dtype=np.float64)
    gross = np.zeros((n_rows, n_periods), dtype=np.float64)
    has_orders = order_code.shape[0] > 0
    seen_cust = np.full(max(n_order_codes, 1), -1, dtype=np.int64)
    seen_k = np.full(max(n_order_codes, 1), -1, dtype=np.int64)
    n_days = period_of_day.shape[0]
    for i in range(n):
        r = cust_row[i]
        if r < 0:
            continue
        size[r] += 1
        p0 = cust_period0[i]
        lo = offsets[i]
        hi = offsets[i + 1]
        # revenue in period 0 (rows are sorted, so period 0 rows come first among rows with k >= 0)
        rev0 = 0.0
        for j in range(lo, hi):
            d = day[j] - day_lo
            if d < 0 or d >= n_days:
                continue
            k = period_of_day[d] - p0
            if k == 0:
                rev0 += amount[j]
            elif k > 0:
                break
        cur_k = -1
        run = 0.0
        for j in range(lo, hi):
            d = day[j] - day_lo
            if d < 0 or d >= n_days:
                continue
            k = period_of_day[d] - p0
            if k < 0 or k >= n_periods:
                continue
            if k != cur_k:
                if cur_k >= 0:
                    gross[r, cur_k] += min(run, rev0)
                cur_k = k
                run = 0.0
                active[r, k] += 1
            run += amount[j]
            revenue[r, k] += amount[j]
            if has_orders:
                c = order_code[j]
                if seen_cust[c] != i or seen_k[c] != k:
                    seen_cust[c] = i
                    seen_k[c] = k
                    orders[r, k] += 1
            else:
                orders[r, k] += 1
        if cur_k >= 0:
            gross[r, cur_k] += min(run, rev0)
    return size, active, orders, revenue, gross


@njit_serial
def lapse_durations(offsets, day, window, end_day, start_day, lapse_clock):
    """Lifetime of each customer's first active spell, with churn defined by ``window`` days without purchase.

    A customer is *active* on day ``t`` when they bought on a day in ``(t - window, t]``. The first spell
    ends (the customer *lapses*) on day ``u + window``, where ``u`` is the first purchase day not followed
    by another purchase within ``window`` days. The lapse is observed when ``u + window <= end_day``.

    Parameters
    ----------
    offsets : int64 (n + 1,)
    day : int64 (m,)
        Sorted within customer.
    window : int
        Inactivity window in days (>= 1).
    end_day : int
        Observation end (inclusive); later transactions are ignored.
    start_day : int64 (n,)
        Day each customer's clock starts (normally the first purchase day).
    lapse_clock : bool
        True: the event time is the lapse day ``u + window`` and a customer still active at the end is
        censored at ``end_day``. False: the event time is the last purchase ``u`` of the spell and a
        censored customer is censored at their last observed purchase.

    Returns
    -------
    duration : float64 (n,)
        Days from ``start_day`` to the event or censoring time (NaN for customers without purchases up
        to ``end_day``).
    event : bool (n,)
        True when the lapse was observed.
    """
    n = offsets.shape[0] - 1
    duration = np.full(n, np.nan, dtype=np.float64)
    event = np.zeros(n, dtype=np.bool_)
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        if hi <= lo or day[lo] > end_day:
            continue
        s = start_day[i]
        u = day[lo]
        lapsed = False
        for j in range(lo + 1, hi):
            nxt = day[j]
            if nxt > end_day:
                break
            if nxt - u > window:
                lapsed = True
                break
            u = nxt
        if not lapsed and u + window <= end_day:
            lapsed = True
        event[i] = lapsed
        if lapse_clock:
            duration[i] = (u + window - s) if lapsed else (end_day - s)
        else:
            duration[i] = u - s
    return duration, event


@njit_serial
def period_status(offsets, day, window, period_start, period_end, cust_row, n_rows):
    """Per cohort row and calendar period: activity, repurchase, churn and reactivation counts.

    Status at the end of period ``p`` (day ``period_end[p]``): *active* when the customer bought within the
    last ``window`` days (a day in ``(period_end[p] - window, period_end[p]]``), *lapsed* otherwise (only
    for customers acquired by then).

    Parameters
    ----------
    offsets, day : CSR arrays (days sorted within customer).
    window : int
        Inactivity window in days.
    period_start, period_end : int64 (P,)
        First and last day of each calendar period (consecutive periods, all fully observed).
    cust_row : int64 (n,)
        Output row of each customer, ``-1`` to skip.
    n_rows : int

    Returns
    -------
    counts : int64 (n_rows, P, 8)
        For each row and period: [0] customers acquired by the end of the period, [1] buyers in the period,
        [2] buyers on two or more distinct days in the period, [3] customers active at the end of the
        previous period (churn base), [4] of those, lapsed at the end of this period (churned), [5] customers
        lapsed at the end of the previous period (win-back base), [6] of those, buying in this period
        (reactivated), [7] buyers in the previous period who also bought in this period.
    """
    n = offsets.shape[0] - 1
    n_p = period_start.shape[0]
    counts = np.zeros((n_rows, n_p, 8), dtype=np.int64)
    never = np.int64(-(1 << 62))
    for i in range(n):
        r = cust_row[i]
        if r < 0:
            continue
        lo = offsets[i]
        hi = offsets[i + 1]
        if hi <= lo or n_p == 0:
            continue
        first = day[lo]
        j = lo
        last = never
        # status at the end of the day before the first period, for customers acquired earlier
        prev_known = False
        prev_active = False
        prev_bought_known = False
        prev_bought = False
        if first < period_start[0]:
            while j < hi and day[j] < period_start[0]:
                last = day[j]
                j += 1
            prev_known = True
            prev_active = last > period_start[0] - 1 - window
        for p in range(n_p):
            ps = period_start[p]
            pe = period_end[p]
            if first > pe:
                continue
            n_days_p = 0
            while j < hi and day[j] <= pe:
                if day[j] >= ps and day[j] != last:
                    n_days_p += 1
                last = day[j]
                j += 1
            active_end = last > pe - window
            bought = n_days_p > 0
            counts[r, p, 0] += 1
            if bought:
                counts[r, p, 1] += 1
            if n_days_p >= 2:
                counts[r, p, 2] += 1
            if prev_known:
                if prev_active:
                    counts[r, p, 3] += 1
                    if not active_end:
                        counts[r, p, 4] += 1
                else:
                    counts[r, p, 5] += 1
                    if bought:
                        counts[r, p, 6] += 1
            if prev_bought_known and prev_bought and bought:
                counts[r, p, 7] += 1
            prev_active = active_end
            prev_bought = bought
            prev_known = True
            prev_bought_known = True
    return counts


@njit_serial
def integer_event_counts(durations, events, max_len):
    """Removed and event counts per integer duration, in one pass (the Kaplan-Meier tallies).

    Parameters
    ----------
    durations : float64 (n,)
        Finite, >= 0.
    events : bool (n,)
    max_len : int
        Largest table length accepted.

    Returns
    -------
    ok : bool
        False when a duration is not a whole number or exceeds ``max_len - 1`` (the caller then sorts).
    total : int64 (k,)
        Customers whose duration equals each integer 0..k-1.
    dead : int64 (k,)
        Of those, with an observed event.
    """
    n = durations.shape[0]
    hi = 0.0
    for i in range(n):
        v = durations[i]
        if v != np.floor(v) or v >= max_len:
            return False, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        if v > hi:
            hi = v
    k = int(hi) + 1 if n > 0 else 0
    total = np.zeros(k, dtype=np.int64)
    dead = np.zeros(k, dtype=np.int64)
    for i in range(n):
        j = int(durations[i])
        total[j] += 1
        if events[i]:
            dead[j] += 1
    return True, total, dead
