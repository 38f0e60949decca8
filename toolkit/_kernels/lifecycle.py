"""Lifecycle kernels: per-customer features at snapshot days, the stage rules and the pattern rules.

The feature kernel is the expensive pass (one scan of every customer's transactions per snapshot); the rule
kernels only compare cached features with thresholds, so a threshold change re-runs them alone. All kernels are
serial and cached on disk: a parallel feature kernel gained nothing on the 2-core benchmark machine (1.84 s with
1 thread, 1.97 s with 2, 1e6 customers x 12 snapshots) but cost seconds of compilation in every new kernel.

All durations are whole days. Purchases are counted on distinct calendar days, as in ``customer_summary``.
Prior validation of input is assumed (CSR order, days sorted within customer, finite amounts). Kernels never
raise on user input.
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit_serial

# stage codes (index into toolkit.lifecycle.STAGES); -1 = not yet a customer at the snapshot
EXPLORATION, FORMATION, STABILITY, DETERIORATION, LOST = 0, 1, 2, 3, 4
# stage rule codes (index into toolkit.lifecycle.STAGE_RULES)
R_NOT_YET, R_LOST_GAP, R_LOST_RHYTHM, R_LOST_PALIVE, R_DET_LAPSE, R_DET_DROP, R_EXPLORE_AGE, R_EXPLORE_ONE, \
    R_FORMATION, R_STABILITY = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9
# pattern codes (index into toolkit.lifecycle.PATTERNS); 4 = too early to tell, -1 = not a customer
EARLY_ABORTION, MIDTERM_ABORTION, EARLY_EXIT, LONG_TERM, TOO_EARLY = 0, 1, 2, 3, 4
# pattern rule codes (index into toolkit.lifecycle.PATTERN_RULES)
P_NOT_YET, P_EA_ONE, P_EA_TWO, P_MT, P_EE, P_LT_LOST, P_LT_ACTIVE, P_TOO_EARLY = 0, 1, 2, 3, 4, 5, 6, 7


@njit_serial
def poisson_cdf(k, lam):
    """P(X <= k) for X ~ Poisson(lam); k >= 0 integer, lam >= 0."""
    if lam <= 0.0:
        return 1.0
    term = math.exp(-lam)
    total = term
    for j in range(1, k + 1):
        term *= lam / j
        total += term
    return min(total, 1.0)


@njit_serial
def snapshot_features(offsets, day, amount, snaps, window):
    """Features of every customer at every snapshot day.

    Parameters
    ----------
    offsets : int64 (n + 1,)
    day : int64 (m,)
        Day index of each transaction, sorted within customer.
    amount : float64 (m,)
    snaps : int64 (k,)
        Snapshot days (inclusive: purchases on the snapshot day count).
    window : int
        Length of the recent window in days (``(s - window, s]``), >= 1.

    Returns
    -------
    first_day : int64 (n,)
    n_days, tenure, since_last, span, recent_n : int32 (k, n)
        Distinct purchase days up to ``s`` (0: not yet a customer, then the others are -1), ``s - first``,
        ``s - last``, ``last - first``, distinct purchase days in the recent window.
    revenue : float64 (k, n)
        Spend up to ``s``.
    base_rate : float32 (k, n)
        Repeat purchase days per day before the window: days in ``(first, s - window]`` divided by
        ``s - window - first``; NaN when that exposure is shorter than ``window``.
    drop_p : float32 (k, n)
        P(at most ``recent_n`` purchase days in the window) for a Poisson count at ``base_rate * window``;
        NaN without a base rate.
    rate_ratio, spend_ratio : float32 (k, n)
        Recent purchase-day rate (spend rate) over the baseline one; NaN without a positive baseline.
    """
    n = offsets.shape[0] - 1
    k = snaps.shape[0]
    first_day = np.full(n, -1, dtype=np.int64)
    n_days = np.zeros((k, n), dtype=np.int32)
    tenure = np.full((k, n), -1, dtype=np.int32)
    since_last = np.full((k, n), -1, dtype=np.int32)
    span = np.full((k, n), -1, dtype=np.int32)
    recent_n = np.zeros((k, n), dtype=np.int32)
    revenue = np.zeros((k, n), dtype=np.float64)
    base_rate = np.full((k, n), np.nan, dtype=np.float32)
    drop_p = np.full((k, n), np.nan, dtype=np.float32)
    rate_ratio = np.full((k, n), np.nan, dtype=np.float32)
    spend_ratio = np.full((k, n), np.nan, dtype=np.float32)
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        if hi <= lo:
            continue
        f = day[lo]
        first_day[i] = f
        for q in range(k):
            s = snaps[q]
            if f > s:
                continue
            cut = s - window  # recent window is (cut, s]
            nd = 0
            last = -1
            rev = 0.0
            rec = 0
            early = 0
            rec_spend = 0.0
            early_spend = 0.0
            for j in range(lo, hi):
                d = day[j]
                if d > s:
                    break
                a = amount[j]
                rev += a
                if d != last:
                    nd += 1
                    last = d
                    if d > cut:
                        rec += 1
                    elif d > f:
                        early += 1
                if d > cut:
                    rec_spend += a
                elif d > f:
                    early_spend += a
            n_days[q, i] = nd
            tenure[q, i] = s - f
            since_last[q, i] = s - last
            span[q, i] = last - f
            recent_n[q, i] = rec
            revenue[q, i] = rev
            exposure = cut - f
            if exposure >= window:
                br = early / exposure
                base_rate[q, i] = br
                drop_p[q, i] = poisson_cdf(rec, br * window)
                if br > 0.0:
                    rate_ratio[q, i] = (rec / window) / br
                if early_spend > 0.0:
                    spend_ratio[q, i] = (rec_spend / window) / (early_spend / exposure)
    return first_day, n_days, tenure, since_last, span, recent_n, revenue, base_rate, drop_p, rate_ratio, spend_ratio


@njit_serial
def stage_rules(n_days, tenure, since_last, span, drop_p, p_alive, lost_gap, k_lost, k_det, drop_alpha,
                p_alive_min, t_explore, t_stability):
    """Stage and rule code of each (flattened) customer-snapshot; rules are tried in the documented order.

    ``p_alive`` may be empty (no purchase model); ``p_alive_min <= 0`` switches that rule off, as does
    ``drop_alpha <= 0`` for the drop test. Returns ``stage`` int8 (-1 not yet a customer) and ``rule`` int8.
    """
    m = n_days.shape[0]
    stage = np.empty(m, dtype=np.int8)
    rule = np.empty(m, dtype=np.int8)
    has_pa = p_alive.shape[0] == m and p_alive_min > 0.0
    for j in range(m):
        nd = n_days[j]
        if nd <= 0:
            stage[j] = -1
            rule[j] = R_NOT_YET
            continue
        gap = since_last[j]
        ipt = span[j] / (nd - 1) if nd >= 2 else np.nan
        thr = lost_gap
        rhythm = False
        if nd >= 3 and k_lost * ipt > thr:
            thr = k_lost * ipt
            rhythm = True
        if gap > thr:
            stage[j] = LOST
            rule[j] = R_LOST_RHYTHM if rhythm else R_LOST_GAP
        elif has_pa and p_alive[j] < p_alive_min:
            stage[j] = LOST
            rule[j] = R_LOST_PALIVE
        elif nd >= 3 and tenure[j] >= t_explore and gap > k_det * ipt:
            stage[j] = DETERIORATION
            rule[j] = R_DET_LAPSE
        elif drop_p[j] < drop_alpha:  # False for NaN
            stage[j] = DETERIORATION
            rule[j] = R_DET_DROP
        elif tenure[j] < t_explore:
            stage[j] = EXPLORATION
            rule[j] = R_EXPLORE_AGE
        elif nd == 1:
            stage[j] = EXPLORATION
            rule[j] = R_EXPLORE_ONE
        elif tenure[j] < t_stability:
            stage[j] = FORMATION
            rule[j] = R_FORMATION
        else:
            stage[j] = STABILITY
            rule[j] = R_STABILITY
    return stage, rule


@njit_serial
def pattern_rules(stage, n_days, span, t_early, reach, t_stability, loyal):
    """Pattern and rule code of each customer from her stage and history at the observation end.

    Lost customers: one purchase day, or two within ``t_early`` days -> early abortion; last purchase before
    ``reach`` days of age -> mid-term abortion; stable for less than ``loyal`` days (``span - t_stability``)
    -> early exit; else long-term retention. Customers not lost: long-term retention once stable for
    ``loyal`` days, else too early to tell.
    """
    m = stage.shape[0]
    pattern = np.empty(m, dtype=np.int8)
    rule = np.empty(m, dtype=np.int8)
    for j in range(m):
        nd = n_days[j]
        if nd <= 0 or stage[j] < 0:
            pattern[j] = -1
            rule[j] = P_NOT_YET
        elif stage[j] == LOST:
            if nd == 1:
                pattern[j] = EARLY_ABORTION
                rule[j] = P_EA_ONE
            elif nd == 2 and span[j] <= t_early:
                pattern[j] = EARLY_ABORTION
                rule[j] = P_EA_TWO
            elif span[j] < reach:
                pattern[j] = MIDTERM_ABORTION
                rule[j] = P_MT
            elif span[j] - t_stability < loyal:
                pattern[j] = EARLY_EXIT
                rule[j] = P_EE
            else:
                pattern[j] = LONG_TERM
                rule[j] = P_LT_LOST
        elif span[j] - t_stability >= loyal:
            pattern[j] = LONG_TERM
            rule[j] = P_LT_ACTIVE
        else:
            pattern[j] = TOO_EARLY
            rule[j] = P_TOO_EARLY
    return pattern, rule


@njit_serial
def learning_stats(offsets, day, end_day, horizon, bin_days):
    """Inputs of the data-driven thresholds.

    Returns
    -------
    first_gap : int64 (n,)
        Days from the first to the second purchase day; -1 when there is none or the customer's tenure is
        shorter than ``horizon`` (gaps of recent customers are censored).
    curve : float64 (horizon // bin_days,)
        Repeat purchase days per age bin ``[b * bin_days, (b + 1) * bin_days)`` (age 0 excluded), summed over
        the survivors: customers with tenure >= ``horizon`` and a purchase at age >= ``horizon``.
    n_survivors : int
    """
    n = offsets.shape[0] - 1
    n_bins = horizon // bin_days
    first_gap = np.full(n, -1, dtype=np.int64)
    curve = np.zeros(n_bins, dtype=np.float64)
    n_surv = 0
    for i in range(n):
        lo = offsets[i]
        hi = offsets[i + 1]
        if hi <= lo:
            continue
        f = day[lo]
        if end_day - f < horizon:
            continue
        last = f
        for j in range(lo + 1, hi):
            if day[j] > end_day:
                break
            if day[j] != f:
                first_gap[i] = day[j] - f
                break
        survivor = False
        for j in range(lo, hi):
            d = day[j]
            if d > end_day:
                break
            last = d
        if last - f >= horizon:
            survivor = True
        if not survivor:
            continue
        n_surv += 1
        prev = f
        for j in range(lo, hi):
            d = day[j]
            if d > end_day:
                break
            if d == prev:
                continue
            prev = d
            b = (d - f) // bin_days
            if b < n_bins:
                curve[b] += 1.0
    return first_gap, curve, n_surv
