"""Journey kernels: funnels, transition counts, paths, flows and stage visits over CSR-sorted event codes.

Input layout (built once by :class:`toolkit.data.Events`): customer ``i`` owns events ``offsets[i]:offsets[i+1]``,
sorted by time with the **tie rule** of ``Events``: simultaneous events are ordered by the tie rank of their
event name (then channel, then order id). "Later" below always means a later *position* in that sequence, so
two simultaneous events are still ordered, deterministically and independently of the input row order.

``state`` arrays hold one small integer per event (an event code, or the stage code of the event under a
journey map); ``-1`` marks events that are not part of the view (unmapped touchpoints): kernels skip them.
``cust_mask`` is a uint8 array (n,) selecting customers, or an empty array for all customers.

Prior validation of input is assumed. Kernels never raise on user input.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit_serial


@njit_serial
def funnel_steps(offsets, ns, code, step_mask, window_ns, strict, cust_mask):
    """Deepest funnel step each customer reaches, its entry event and the time of every step.

    Parameters
    ----------
    offsets : int64 (n + 1,)
    ns : int64 (m,)
        Event times (nanoseconds), sorted within customer.
    code : int32 or int64 (m,)
        Event codes; negative codes never match a step.
    step_mask : uint8 (n_codes, n_steps)
        ``step_mask[c, j] = 1`` when an event of code ``c`` counts as step ``j``.
    window_ns : int64
        Conversion window measured from the entry event (step 0); negative = no window.
    strict : bool
        True: step ``j`` must be an event later in the sequence than step ``j - 1`` (other events may lie
        between). False (loose): step ``j`` is the first matching event later than the entry, in any order
        relative to the other steps; one event may satisfy several steps.
    cust_mask : uint8 (n,) or empty

    Returns
    -------
    depth : int64 (n,)
        Steps reached (0 = never entered, or masked out).
    entry : int64 (n,)
        Position of the entry event of the best attempt (``-1`` when depth is 0). Over all entry events the
        attempt reaching the most steps wins; ties go to the earliest entry. Steps are matched greedily
        (earliest matching event), which reaches the most steps possible for that entry.
    step_ns : int64 (n, n_steps)
        Time of each step of the best attempt; ``-1`` for steps not reached.

    Notes
    -----
    Every entry event is an attempt, but not every attempt needs a scan of its own. Let an attempt from entry
    ``p`` stop scanning at position ``s`` (the first event beyond its window, or the end), and let ``f`` be the
    position of its first matched event (``s`` when nothing matched). A later entry ``p2 < f`` sees the same
    earliest matches (no matching event lies between ``p`` and ``f``) and a window ending no earlier, so its
    attempt is the previous one continued from ``s``. An attempt that stopped at the end of the sequence
    (not at its window) reached the no-window depth, which bounds every later entry's depth (a later entry
    sees a subset of the events), so no later entry can do strictly better.
    """
    n = offsets.shape[0] - 1
    n_steps = step_mask.shape[1]
    n_codes = step_mask.shape[0]
    use_mask = cust_mask.shape[0] > 0
    depth = np.zeros(n, dtype=np.int64)
    entry = np.full(n, -1, dtype=np.int64)
    step_ns = np.full((n, n_steps), -1, dtype=np.int64)
    cur = np.empty(n_steps, dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        lo = offsets[i]
        hi = offsets[i + 1]
        best = 0
        stop = hi  # where the previous attempt stopped scanning
        first = -1  # position of the previous attempt's first match (-1: no previous attempt)
        found = 0  # loose: steps found by the previous attempt
        j = 1  # strict: next step of the previous attempt
        for p in range(lo, hi):
            c = code[p]
            if c < 0 or c >= n_codes or step_mask[c, 0] == 0:
                continue
            t0 = ns[p]
            cur[0] = t0
            if first < 0 or p >= first:  # fresh scan
                for k in range(1, n_steps):
                    cur[k] = -1
                q0 = p + 1
                first = -1
                found = 1
                j = 1
            else:  # same matches as the previous attempt: continue its scan with this entry's window
                q0 = stop
                if (strict and j == 1) or (not strict and found == 1):
                    first = -1  # nothing matched yet: the first match is still to come
            stop = hi
            if strict:
                for q in range(q0, hi):
                    if j >= n_steps:
                        stop = q
                        break
                    if window_ns >= 0 and ns[q] - t0 > window_ns:
                        stop = q
                        break
                    cq = code[q]
                    if cq >= 0 and cq < n_codes and step_mask[cq, j] != 0:
                        cur[j] = ns[q]
                        j += 1
                        if first < 0:
                            first = q
                d = j
            else:
                for q in range(q0, hi):
                    if found >= n_steps:
                        stop = q
                        break
                    if window_ns >= 0 and ns[q] - t0 > window_ns:
                        stop = q
                        break
                    cq = code[q]
                    if cq < 0 or cq >= n_codes:
                        continue
                    for k in range(1, n_steps):
                        if cur[k] < 0 and step_mask[cq, k] != 0:
                            cur[k] = ns[q]
                            found += 1
                            if first < 0:
                                first = q
                d = 1
                while d < n_steps and cur[d] >= 0:
                    d += 1
            if first < 0:
                first = stop
            if d > best:
                best = d
                entry[i] = p
                for k in range(n_steps):
                    step_ns[i, k] = cur[k] if k < d else -1
            if best == n_steps or window_ns < 0 or stop == hi:
                # no later entry can reach more steps: without a window (or when this attempt ran to the end
                # of the sequence) the earlier entry sees a superset of every later entry's events
                break
        depth[i] = best
    return depth, entry, step_ns


@njit_serial
def funnel_durations(depth, step_ns, strict, sel):
    """Customers reaching each step and the time between steps, for the customers selected by ``sel``.

    Parameters
    ----------
    depth, step_ns : from :func:`funnel_steps`
    strict : bool
        Durations since the previous step (True) or since the entry step (False).
    sel : bool or uint8 (n,)
        Customers counted (each at its own depth; customers with ``depth == 0`` add nothing).

    Returns
    -------
    counts : int64 (n_steps,)
        ``counts[j]`` selected customers with ``depth > j``.
    durations : int64 (counts[1:].sum(),)
        Step ``j``'s durations (``j >= 1``) in ``durations[offsets[j]:offsets[j + 1]]``, customers in order.
    offsets : int64 (n_steps + 1,)
        ``offsets[0] = offsets[1] = 0``.
    """
    n = depth.shape[0]
    n_steps = step_ns.shape[1]
    counts = np.zeros(n_steps, dtype=np.int64)
    for i in range(n):
        if sel[i]:
            d = min(depth[i], n_steps)
            for j in range(d):
                counts[j] += 1
    offsets = np.zeros(n_steps + 1, dtype=np.int64)
    for j in range(1, n_steps):
        offsets[j + 1] = offsets[j] + counts[j]
    durations = np.empty(offsets[n_steps], dtype=np.int64)
    pos = offsets[:n_steps].copy()
    for i in range(n):
        if sel[i]:
            d = min(depth[i], n_steps)
            for j in range(1, d):
                ref = step_ns[i, j - 1] if strict else step_ns[i, 0]
                durations[pos[j]] = step_ns[i, j] - ref
                pos[j] += 1
    return counts, durations, offsets


@njit_serial
def transition_counts(offsets, ns, state, n_states, collapse, max_gap_ns, cust_mask):
    """Counts of moves between states, with a start row and an exit column.

    Returns
    -------
    counts : int64 (n_states + 1, n_states + 1)
        ``counts[a, b]`` moves from state ``a`` to state ``b``; row ``n_states`` is the start (first event of a
        journey), column ``n_states`` the exit (last event of a journey). Events with ``state < 0`` are
        skipped. With ``collapse`` consecutive events in the same state are one visit (no self-moves). With
        ``max_gap_ns >= 0`` a gap longer than it between two consecutive (kept) events ends the journey
        (exit) and starts a new one (start).
    """
    n = offsets.shape[0] - 1
    S = n_states
    use_mask = cust_mask.shape[0] > 0
    counts = np.zeros((S + 1, S + 1), dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        prev = -1
        prev_t = 0
        for q in range(offsets[i], offsets[i + 1]):
            s = state[q]
            if s < 0:
                continue
            t = ns[q]
            if prev < 0:
                counts[S, s] += 1
            elif max_gap_ns >= 0 and t - prev_t > max_gap_ns:
                counts[prev, S] += 1
                counts[S, s] += 1
            elif collapse and s == prev:
                prev_t = t
                continue
            else:
                counts[prev, s] += 1
            prev = s
            prev_t = t
        if prev >= 0:
            counts[prev, S] += 1
    return counts


@njit_serial
def path_codes(offsets, state, n_states, collapse, max_len, cust_mask):
    """Each customer's path of states (first ``max_len`` steps) as one exact integer code.

    The code is ``sum_k (s_k + 1) * B**k`` with ``B = n_states + 2``; a path longer than ``max_len`` gets the
    digit ``n_states + 1`` ("…") at position ``max_len``. The caller checks that ``B ** (max_len + 1)`` fits in
    int64.

    Returns
    -------
    code : int64 (n,)
        ``-1`` for masked customers and customers without a kept event.
    length : int64 (n,)
        Full path length (after collapsing repeats).
    """
    n = offsets.shape[0] - 1
    B = n_states + 2
    use_mask = cust_mask.shape[0] > 0
    code = np.full(n, -1, dtype=np.int64)
    length = np.zeros(n, dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        prev = -1
        k = 0
        c = 0
        w = 1
        for q in range(offsets[i], offsets[i + 1]):
            s = state[q]
            if s < 0 or (collapse and s == prev):
                continue
            if k < max_len:
                c += (s + 1) * w
                w *= B
            elif k == max_len:
                c += (n_states + 1) * w
            k += 1
            prev = s
        length[i] = k
        if k > 0:
            code[i] = c
    return code, length


@njit_serial
def path_matrix(offsets, state, n_states, collapse, n_steps, cust_mask):
    """First ``n_steps`` states of every customer's path, padded with ``n_states`` (exit) after its end.

    Returns
    -------
    steps : int32 (n, n_steps)
        ``-1`` on every step of masked customers and customers without a kept event.
    """
    n = offsets.shape[0] - 1
    use_mask = cust_mask.shape[0] > 0
    out = np.full((n, n_steps), -1, dtype=np.int32)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        prev = -1
        k = 0
        for q in range(offsets[i], offsets[i + 1]):
            if k >= n_steps:
                break
            s = state[q]
            if s < 0 or (collapse and s == prev):
                continue
            out[i, k] = s
            k += 1
            prev = s
        if k > 0:
            for j in range(k, n_steps):
                out[i, j] = n_states
    return out


@njit_serial
def stage_visits(offsets, ns, state, end_ns, cust_mask):
    """Visits of consecutive same-state events and their dwell time.

    A visit starts at the first event of a run of equal states; its dwell is the time until the first event of
    the next run (the next visit). The last visit of a customer is censored: its dwell runs to ``end_ns``
    (the end of observation) and is flagged.

    Returns
    -------
    visit_state : int64 (v,)
    visit_customer : int64 (v,)
    dwell_ns : int64 (v,)
    censored : bool (v,)
    """
    n = offsets.shape[0] - 1
    use_mask = cust_mask.shape[0] > 0
    v = 0
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        prev = -1
        for q in range(offsets[i], offsets[i + 1]):
            s = state[q]
            if s >= 0 and s != prev:
                v += 1
                prev = s
    visit_state = np.empty(v, dtype=np.int64)
    visit_customer = np.empty(v, dtype=np.int64)
    dwell = np.empty(v, dtype=np.int64)
    censored = np.zeros(v, dtype=np.bool_)
    k = 0
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        prev = -1
        for q in range(offsets[i], offsets[i + 1]):
            s = state[q]
            if s >= 0 and s != prev:
                if prev >= 0:
                    dwell[k - 1] = ns[q] - dwell[k - 1]
                visit_state[k] = s
                visit_customer[k] = i
                dwell[k] = ns[q]  # start time for now
                k += 1
                prev = s
        if prev >= 0:
            dwell[k - 1] = max(end_ns - dwell[k - 1], 0)
            censored[k - 1] = True
    return visit_state, visit_customer, dwell, censored


@njit_serial
def first_event_index(offsets, state, cust_mask):
    """Position of each customer's first event with ``state >= 0`` (``-1`` if none or masked)."""
    n = offsets.shape[0] - 1
    use_mask = cust_mask.shape[0] > 0
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        for q in range(offsets[i], offsets[i + 1]):
            if state[q] >= 0:
                out[i] = q
                break
    return out


@njit_serial
def last_state(offsets, state, cust_mask):
    """State of each customer's last event with ``state >= 0`` (``-1`` if none or masked)."""
    n = offsets.shape[0] - 1
    use_mask = cust_mask.shape[0] > 0
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        for q in range(offsets[i + 1] - 1, offsets[i] - 1, -1):
            if state[q] >= 0:
                out[i] = state[q]
                break
    return out


@njit_serial
def max_state(offsets, state, cust_mask):
    """Highest state each customer reached (``-1`` if none): "the furthest stage" under an ordered map."""
    n = offsets.shape[0] - 1
    use_mask = cust_mask.shape[0] > 0
    out = np.full(n, -1, dtype=np.int64)
    for i in range(n):
        if use_mask and cust_mask[i] == 0:
            continue
        best = -1
        for q in range(offsets[i], offsets[i + 1]):
            if state[q] > best:
                best = state[q]
        out[i] = best
    return out


@njit_serial
def customers_per_code(offsets, code, n_codes):
    """Number of customers with at least one event of each code (negative codes are skipped)."""
    n = offsets.shape[0] - 1
    out = np.zeros(n_codes, dtype=np.int64)
    last = np.full(n_codes, -1, dtype=np.int64)  # last customer counted for each code
    for i in range(n):
        for q in range(offsets[i], offsets[i + 1]):
            c = code[q]
            if c >= 0 and c < n_codes and last[c] != i:
                last[c] = i
                out[c] += 1
    return out
