"""Log-likelihood and prediction kernels of the "buy till you die" models.

NumPy arrays and floats in, floats and arrays out; inputs are assumed validated by the caller
(``toolkit.clv.models``). Kernels never raise on user input: impossible values give NaN or -inf.

Every likelihood is written in log space (``lgamma``, ``log1p``, log-sum-exp) so that customers with many
purchases or long observation windows do not overflow. Gradients are with respect to the natural parameters;
the optimiser applies the chain rule for its log parametrisation.

References
----------
.. [FHL05a] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way:
   an alternative to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
.. [FHL05b] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for
   customer base analysis. *Journal of Marketing Research* 42(4), 415-430.
.. [FHL05c] Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). A note on deriving the Pareto/NBD model
   and related expressions. http://brucehardie.com/notes/009/
.. [FHS10] Fader, P. S., Hardie, B. G. S. and Shang, J. (2010). Customer-base analysis in a discrete-time
   noncontractual setting. *Marketing Science* 29(6), 1086-1108.
.. [BDF07] Batislam, E. P., Denizel, M. and Filiztekin, A. (2007). Empirical validation and comparison of
   models for customer base analysis. *International Journal of Research in Marketing* 24(3), 201-209.
.. [AS64] Abramowitz, M. and Stegun, I. A. (1964). *Handbook of Mathematical Functions*, 6.3.18 (digamma
   asymptotic series) and 15.1.1 (hypergeometric series).
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import get_num_threads, njit_serial, njit_parallel, prange
from ._vmath import _reinterpret, vexp, vlog

__all__ = [
    "digamma",
    "log_hyp2f1",
    "hyp2f1",
    "bgnbd_loglik",
    "bgnbd_p_alive",
    "bgnbd_conditional_expected",
    "bgnbd_expected_new",
    "pnbd_loglik",
    "pnbd_loglik_grad",
    "log_hyp2f1_grad",
    "pnbd_p_alive",
    "pnbd_conditional_expected",
    "bgbb_loglik",
    "bgbb_p_alive",
    "bgbb_conditional_expected",
    "gg_loglik",
    "frt_check",
]

_LN_SCALE = 280.0 * math.log(10.0)
_MAX_TERMS = 2_000_000


# ----------------------------------------------------------------------------------------------------------
# special functions
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def digamma(x):
    """Digamma function for x > 0 (NaN otherwise).

    Recurrence psi(x) = psi(x + 1) - 1/x up to x >= 10, then the asymptotic series [AS64] 6.3.18 to x^-10
    (absolute error below 1e-14).
    """
    if not (x > 0.0) or math.isinf(x):
        return math.log(x) if x == math.inf else math.nan
    res = 0.0
    while x < 10.0:
        res -= 1.0 / x
        x += 1.0
    inv2 = 1.0 / (x * x)
    series = inv2 * (1.0 / 12.0 - inv2 * (1.0 / 120.0 - inv2 * (1.0 / 252.0 - inv2 * (1.0 / 240.0 - inv2 / 132.0))))
    return res + math.log(x) - 0.5 / x - series


@njit_serial(error_model="numpy")
def log_hyp2f1(a, b, c, z):
    """log of the Gauss hypergeometric function 2F1(a, b; c; z) for a, b, c > 0 and 0 <= z < 1.

    This is the domain every BTYD formula needs ([FHL05a] E[X(t)] and E[Y(t)|...], [FHL05c] A_0, [BDF07]). There all
    terms of the series [AS64] 15.1.1 are positive, so summing them has no cancellation; the running sum is
    rescaled (and its log scale carried) so large parameters do not overflow. Summation stops when a
    geometric bound on the remaining tail is below 1e-17 of the sum. Convergence is geometric with ratio z,
    so z very close to 1 needs many terms: the series is cut after two million terms (z > 0.99998), where the
    result is a lower bound. Outside the domain the result is NaN.
    """
    if not (a > 0.0 and b > 0.0 and c > 0.0 and z >= 0.0 and z < 1.0):
        return math.nan
    if z == 0.0:
        return 0.0
    term = 1.0
    total = 1.0
    log_scale = 0.0
    n = 0.0
    for _ in range(_MAX_TERMS):
        ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0))
        term *= ratio * z
        total += term
        n += 1.0
        q = ratio * z if ratio > 1.0 else z
        if q < 1.0 and term * q <= 1e-17 * total * (1.0 - q):
            break
        if total > 1e280:
            total *= 1e-280
            term *= 1e-280
            log_scale += _LN_SCALE
    return math.log(total) + log_scale


@njit_serial(error_model="numpy")
def log_hyp2f1_grad(a, b, c, z):
    """log 2F1(a, b; c; z) and its partial derivatives (d/da, d/db, d/dc, d/dz of the log), same domain.

    Term-by-term differentiation of the positive series: with t_n the n-th term,
    d t_n / d a = t_n sum_{k<n} 1/(a+k) (likewise b, and minus for c) and d t_n / d z = n t_n / z.
    Returns a tuple (log F, dlogF/da, dlogF/db, dlogF/dc, dlogF/dz); NaNs outside the domain.
    """
    nan = math.nan
    if not (a > 0.0 and b > 0.0 and c > 0.0 and z >= 0.0 and z < 1.0):
        return nan, nan, nan, nan, nan
    if z == 0.0:
        return 0.0, 0.0, 0.0, 0.0, a * b / c
    term = 1.0
    total = 1.0
    sa = 0.0
    sb = 0.0
    sc = 0.0
    ga = 0.0
    gb = 0.0
    gc = 0.0
    gz = 0.0
    log_scale = 0.0
    n = 0.0
    for _ in range(_MAX_TERMS):
        ratio = (a + n) * (b + n) / ((c + n) * (n + 1.0))
        sa += 1.0 / (a + n)
        sb += 1.0 / (b + n)
        sc += 1.0 / (c + n)
        term *= ratio * z
        n += 1.0
        total += term
        ga += term * sa
        gb += term * sb
        gc += term * sc
        gz += term * n
        q = ratio * z if ratio > 1.0 else z
        if q < 1.0 and term * q <= 1e-17 * total * (1.0 - q):
            # the derivative sums carry extra factors growing like log(n) and n; run a few more terms for them
            if term * n <= 1e-17 * gz * (1.0 - q) * (1.0 - q):
                break
        if total > 1e280:
            total *= 1e-280
            term *= 1e-280
            ga *= 1e-280
            gb *= 1e-280
            gc *= 1e-280
            gz *= 1e-280
            log_scale += _LN_SCALE
    return math.log(total) + log_scale, ga / total, gb / total, -gc / total, gz / (z * total)


@njit_serial(error_model="numpy")
def hyp2f1(a, b, c, z):
    """2F1(a, b; c; z) on the domain of :func:`log_hyp2f1` (a, b, c > 0, 0 <= z < 1); NaN elsewhere."""
    return math.exp(log_hyp2f1(a, b, c, z))


@njit_serial(error_model="numpy")
def _bgnbd_bracket(A, B, c, a, log_q, z):
    """c/(a-1) * (1 - q^A 2F1(A, B; c; z)), with log_q = log q, for c > -1: the BG/NBD expectations' core.

    For c > 0 the positive series of :func:`log_hyp2f1` applies directly. A fitted BG/NBD can have a + b < 1,
    and then c = a + b - 1 is in (-1, 0] for customers without repeat purchases (and for E[X(t)]); the
    series then has a negative denominator, so c F(c) is taken from F(c + 1) and F(c + 2) by the contiguous
    relation DLMF 15.5.18 (shifted by one in c):
        (c+1) c (z-1) F(c) + (c+1)[c - (2c+1-A-B) z] F(c+1) + (c+1-A)(c+1-B) z F(c+2) = 0,
    which also gives the finite limit at c = 0.
    """
    if c > 0.0:
        return c / (a - 1.0) * -math.expm1(log_hyp2f1(A, B, c, z) + A * log_q)
    f1 = math.exp(log_hyp2f1(A, B, c + 1.0, z))
    f2 = math.exp(log_hyp2f1(A, B, c + 2.0, z))
    c_f = -((c + 1.0) * (c - (2.0 * c + 1.0 - A - B) * z) * f1
            + (c + 1.0 - A) * (c + 1.0 - B) * z * f2) / ((c + 1.0) * (z - 1.0))
    return (c - math.exp(A * log_q) * c_f) / (a - 1.0)


@njit_serial(error_model="numpy")
def _lbeta(a, b):
    return math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)


@njit_serial(error_model="numpy")
def _logaddexp(u, v):
    if u == -math.inf:
        return v
    if v == -math.inf:
        return u
    if u > v:
        return u + math.log1p(math.exp(v - u))
    return v + math.log1p(math.exp(u - v))


# ----------------------------------------------------------------------------------------------------------
# BG/NBD [FHL05a] and MBG/NBD [BDF07]
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def _bgnbd_tables(params, x, modified):
    """Per-frequency terms of :func:`bgnbd_loglik`, tabulated once per evaluation for x = 0 .. max(x).

    Rows: 0 lgamma(r+x) - lgamma(r) + log B(a, bx) - log B(a, b) + lgamma... (the gamma-function part of log A
    plus r log alpha), 1 psi(r+x) - psi(r) + log alpha, 2 psi(a+b) - psi(a+bx), 3 psi(a+b) + psi(bx) - psi(b)
    - psi(a+bx), 4 log a - log(bx - 1) (the second term's constant; -inf when there is none), 5 1/(bx - 1) (0
    when there is none); bx = b + x (BG/NBD) or b + x + 1 (MBG/NBD). An empty table when some x is not a whole
    number >= 0 (outside the model).
    """
    r, alpha, a, b = params[0], params[1], params[2], params[3]
    shift = 1.0 if modified else 0.0
    max_x = 0
    whole = True
    for i in range(x.shape[0]):
        xi = x[i]
        whole &= (xi >= 0.0) & (xi == math.floor(xi))
        max_x = max(max_x, int(xi) if xi >= 0.0 else 0)
    if not whole:
        return np.empty((6, 0))
    lgr = math.lgamma(r)
    lab = math.lgamma(a + b) - math.lgamma(b)
    psi_r = digamma(r)
    psi_ab = digamma(a + b)
    psi_b = digamma(b)
    log_alpha = math.log(alpha)
    log_a = math.log(a)
    tab = np.empty((6, max_x + 1))
    for k in range(max_x + 1):
        xk = float(k)
        bx = b + xk + shift
        psi_abx = digamma(a + bx)
        tab[0, k] = math.lgamma(r + xk) - lgr + lab + math.lgamma(bx) - math.lgamma(a + bx) + r * log_alpha
        tab[1, k] = digamma(r + xk) - psi_r + log_alpha
        tab[2, k] = psi_ab - psi_abx
        tab[3, k] = psi_ab + digamma(bx) - psi_b - psi_abx
        if modified or k > 0:
            tab[4, k] = log_a - math.log(bx - 1.0)
            tab[5, k] = 1.0 / (bx - 1.0)
        else:  # BG/NBD without repeat purchases: only the first term
            tab[4, k] = -math.inf
            tab[5, k] = 0.0
    return tab


@njit_serial(error_model="numpy")
def _bgnbd_gap(r, x, tab, log_aT, log_atx, out):
    """out = -|A4 - A3|, clipped at -700 so that np.exp stays on its fast path (exp(-700) ~ 1e-304 is 0 here)."""
    for i in range(x.shape[0]):
        rx = r + x[i]
        d = tab[4, int(x[i])] - rx * log_atx[i] + rx * log_aT[i]
        out[i] = max(-abs(d), -700.0)
    return out


@njit_serial(error_model="numpy")
def _bgnbd_sum(params, x, w, tab, aT, atx, log_aT, log_atx, e, log1p_e, grad):
    """The weighted sum of :func:`bgnbd_loglik` and its gradient, given the per-row logs and e = exp(-|A4 - A3|)."""
    r, alpha, a = params[0], params[1], params[2]
    inv_a = 1.0 / a
    r_alpha = r / alpha
    total = 0.0
    g0 = 0.0
    g1 = 0.0
    g2 = 0.0
    g3 = 0.0
    for i in range(x.shape[0]):
        k = int(x[i])
        wi = w[i]
        rx = r + x[i]
        A3 = -rx * log_aT[i]
        A4 = tab[4, k] - rx * log_atx[i]
        big = 1.0 / (1.0 + e[i])
        small = e[i] * big
        w4 = big if A4 > A3 else small
        w3 = small if A4 > A3 else big
        total += wi * (tab[0, k] + max(A3, A4) + log1p_e[i])
        g0 += wi * (tab[1, k] - w3 * log_aT[i] - w4 * log_atx[i])
        g1 += wi * (r_alpha - rx * (w3 / aT[i] + w4 / atx[i]))
        g2 += wi * (tab[2, k] + w4 * inv_a)
        g3 += wi * (tab[3, k] - w4 * tab[5, k])
    grad[0] = g0
    grad[1] = g1
    grad[2] = g2
    grad[3] = g3
    return total


def bgnbd_loglik(params, x, tx, T, w, modified, grad):
    """Weighted log-likelihood of BG/NBD ([FHL05a], the likelihood function) or MBG/NBD ([BDF07]), with gradient.

    BG/NBD:  L = B(a, b+x)/B(a, b) * A + [x > 0] B(a+1, b+x-1)/B(a, b) * C
    MBG/NBD: L = B(a, b+x+1)/B(a, b) * A + B(a+1, b+x)/B(a, b) * C       (drop-out also possible at time 0)
    with A = Gamma(r+x) alpha^r / (Gamma(r) (alpha+T)^(r+x)) and C the same with t_x in place of T.

    Written as log L = A1 + max(A3, A4) + log1p(exp(-|A4 - A3|)) with A3 = -(r+x) log(alpha+T) and A4 = c_x -
    (r+x) log(alpha+t_x): the terms that depend on the row only through x are tabulated once
    (:func:`_bgnbd_tables`); the per-row logarithms, the exp and the log1p run in NumPy's SIMD loops, and two
    numba passes do the arithmetic (LLVM has no vector log/exp here, so a single numba loop paid four scalar
    transcendental calls per row and was ~4x slower). The gradient weights of the two terms are 1/(1+e) and
    e/(1+e).

    Parameters
    ----------
    params : float64 (4,)  r, alpha, a, b
    x, tx, T, w : float64 (n,)  frequency, recency, age, weight of each (compressed) row
    modified : bool  False for BG/NBD, True for MBG/NBD
    grad : float64 (4,)  output, d LL / d (r, alpha, a, b)

    Returns
    -------
    float  sum_i w_i log L_i (NaN when some x is not a whole number >= 0)
    """
    tab = _bgnbd_tables(params, x, modified)
    if tab.shape[1] == 0:
        grad[:] = math.nan
        return math.nan
    alpha = float(params[1])
    with np.errstate(all="ignore"):
        aT = alpha + T
        atx = alpha + tx
        log_aT = np.log(aT)
        log_atx = np.log(atx)
        e = _bgnbd_gap(float(params[0]), x, tab, log_aT, log_atx, np.empty(x.shape[0]))
        np.exp(e, out=e)
        log1p_e = np.log1p(e)
    return _bgnbd_sum(params, x, w, tab, aT, atx, log_aT, log_atx, e, log1p_e, grad)


@njit_serial(error_model="numpy")
def _frt_row_ok(xi, ti, Ti):
    """True when one (frequency, recency, T) row breaks none of the BTYD data rules.

    The rules: all finite, frequency a whole number >= 0, recency >= 0, T > 0, recency <= T (1e-12 relative
    slack), recency 0 when frequency is 0. Branch-free comparisons (NaN fails every one of them, an infinite
    value fails a bound), so the loop that calls it vectorises. ``tests/test_models.py`` checks it row by
    row against ``validate_frt``, which raises for the same rows with the offending examples.
    """
    return ((xi >= 0.0) & (xi < math.inf) & (xi == math.floor(xi)) & (ti >= 0.0) & (Ti > 0.0) & (Ti < math.inf)
            & (ti <= Ti * (1.0 + 1e-12)) & ((xi != 0.0) | (ti == 0.0)))


@njit_parallel(error_model="numpy")
def bgnbd_p_alive(params, x, tx, T, modified, out):
    """P(alive | x, t_x, T) for every customer, in one vectorised pass that also checks the data rules.

    [FHL05a]: P(alive) = 1 / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x)); [BDF07] (MBG/NBD):
    a/(b+x) in place of a/(b+x-1), for every x. Computed as ``c e / (c e + a)`` with c = b+x-1 (b+x) and
    e = q^-(r+x), q = (alpha+T)/(alpha+t_x) >= 1: e lies in [0, 1], so nothing overflows and the result
    underflows gracefully (to 0 beyond the float range). ``vlog``/``vexp`` (not libm) keep the loop
    vectorised: one pass reads the three columns and writes ``out``.

    ``x`` may be int64 or float64 (no conversion copy). Returns the number of rows that break a data rule
    (:func:`_frt_row_ok`); their entries in ``out`` are meaningless, and the caller raises.
    """
    r, alpha, a, b = params[0], params[1], params[2], params[3]
    c0 = b if modified else b - 1.0
    x_min = -1.0 if modified else 0.0  # BG/NBD: P(alive) = 1 without a repeat purchase
    bad = 0
    for i in prange(x.shape[0]):
        xi = float(x[i])
        ti = tx[i]
        Ti = T[i]
        bad += 0 if _frt_row_ok(xi, ti, Ti) else 1
        q = (alpha + Ti) / (alpha + (ti if ti < Ti else Ti))
        ce = (c0 + xi) * vexp(-(r + xi) * vlog(q))
        p = ce / (ce + a)
        out[i] = p if xi > x_min else 1.0
    return bad


# ----------------------------------------------------------------------------------------------------------
# per-thread hash tables: the scaffolding shared by the expectation kernels
# ----------------------------------------------------------------------------------------------------------
# A value that depends on a customer only through a few exact keys that repeat (whole x, day-resolution times,
# one horizon) is computed once per thread and key. The rows are cut into ``n_chunks`` contiguous chunks, one
# per thread, and each chunk has its own open-addressing table (nothing shared, no locks); every value depends
# only on its keys, so the result does not depend on the number of threads. A kernel reads:
#
#     chunk, shift = _chunking(n, n_chunks)
#     for c in prange(n_chunks):
#         table = _new_table(shift)                     # rows [keys..., values...]
#         for i in range(c * chunk, min(n, (c + 1) * chunk)):
#             slot, found = _probe(table, (k1, k2), shift)
#             if found == 1:
#                 v = table[slot, 2]
#             else:
#                 v = ...                                # the expensive part
#                 _remember(table, slot, found, (k1, k2), (v,))
@njit_serial(error_model="numpy", inline="always")
def _probe(table, keys, shift):
    """Slot of ``keys`` (a tuple of 2 or 3 floats) in an open-addressing table whose rows start with the keys
    and go on with cached values; a row whose first column is -1 is empty (valid keys are >= 0).

    Returns (slot, found): found = 1 when the row holds the keys, 0 when the slot is empty (store them there),
    -1 when 16 probes met neither (compute without storing). The start slot mixes the keys' bit patterns
    (multiply-xorshift, top ``64 - shift`` bits); linear probing after that. Keys match by exact equality.
    """
    h = 0
    for j in range(len(keys)):
        h = (h ^ _reinterpret(keys[j], np.int64)) * -7046029254386353131  # 0x9E3779B97F4A7C15 as int64
        h ^= h >> 32
    mask = (1 << (64 - shift)) - 1
    slot = (h >> shift) & mask
    for _ in range(16):
        if table[slot, 0] == -1.0:
            return slot, 0
        same = True
        for j in range(len(keys)):
            same &= table[slot, j] == keys[j]
        if same:
            return slot, 1
        slot = (slot + 1) & mask
    return slot, -1


@njit_serial(error_model="numpy")
def _table_bits(n_rows):
    """log2 of the table size for a chunk of ``n_rows``: twice the rows, 64 to 8,192 slots."""
    bits = 6
    while bits < 13 and (1 << bits) < 2 * n_rows:
        bits += 1
    return bits


@njit_serial(error_model="numpy", inline="always")
def _chunking(n, n_chunks):
    """(rows per chunk, probe shift of the chunk's table) for ``n`` rows cut into ``n_chunks`` chunks."""
    chunk = (n + n_chunks - 1) // n_chunks
    return chunk, 64 - _table_bits(chunk)


@njit_serial(error_model="numpy", inline="always")
def _new_table(shift):
    """An empty table for :func:`_probe` with ``shift``: 2^(64 - shift) rows of 4 columns (keys, then values)."""
    return np.full((1 << (64 - shift), 4), -1.0)


@njit_serial(error_model="numpy")
def _remember(table, slot, found, keys, values):
    """Store ``keys`` and then ``values`` (tuples of floats) in row ``slot`` when :func:`_probe` found it empty
    (``found == 0``); a full neighbourhood (``found == -1``) stores nothing."""
    if found == 0:
        for j in range(len(keys)):
            table[slot, j] = keys[j]
        for j in range(len(values)):
            table[slot, len(keys) + j] = values[j]


def bgnbd_conditional_expected(params, t, x, tx, T, modified, out):
    """E[Y(t) | x, t_x, T], expected purchases in (T, T + t].

    BG/NBD ([FHL05a], conditional expectation):
        (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))]
        / (1 + [x > 0] a/(b+x-1) ((alpha+T)/(alpha+t_x))^(r+x))
    MBG/NBD ([BDF07]): b+x -> b+x+1 in the hypergeometric term, (a+b+x)/(a-1) in front, and the
    denominator term a/(b+x) (...)^(r+x) present for every customer.
    ``t`` has one entry per customer.

    The denominator is 1 / P(alive): the vectorised :func:`bgnbd_p_alive` writes P(alive) into ``out``
    first. The bracket depends on the customer only through (x, T, t), which repeat a lot in real data
    (whole x, day-resolution T, one horizon); each thread keeps it in a small hash table (:func:`_probe`,
    exact keys), so a repeated combination costs a lookup and a multiply instead of a series.
    """
    return _bgnbd_conditional_expected(params, t, x, tx, T, modified, out, get_num_threads())


@njit_parallel(error_model="numpy")
def _bgnbd_conditional_expected(params, t, x, tx, T, modified, out, n_chunks):
    """:func:`bgnbd_conditional_expected` with the thread count passed in (so that numba can cache it on disk)."""
    r, alpha, a, b = params[0], params[1], params[2], params[3]
    shift = 1.0 if modified else 0.0
    n = x.shape[0]
    bgnbd_p_alive(params, x, tx, T, modified, out)
    chunk, probe_shift = _chunking(n, n_chunks)
    for c in prange(n_chunks):
        table = _new_table(probe_shift)  # rows [x, T, t, bracket]
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            xi = x[i]
            ti = t[i]
            Ti = T[i]
            if ti <= 0.0:
                out[i] = 0.0
                continue
            slot, found = _probe(table, (xi, Ti, ti), probe_shift)
            if found == 1:
                part = table[slot, 3]
            else:
                big = alpha + Ti + ti
                part = _bgnbd_bracket(r + xi, b + xi + shift, a + b + xi - 1.0 + shift, a,
                                      math.log((alpha + Ti) / big), ti / big)
                _remember(table, slot, found, (xi, Ti, ti), (part,))
            out[i] *= part
    return out


@njit_serial(error_model="numpy")
def bgnbd_expected_new(params, t, modified, out):
    """E[X(t)] for a customer just acquired.

    BG/NBD ([FHL05a], E[X(t)]): (a+b-1)/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b; a+b-1; t/(alpha+t))]
    MBG/NBD ([BDF07]):      b/(a-1) [1 - (alpha/(alpha+t))^r 2F1(r, b+1; a+b; t/(alpha+t))]
    """
    r, alpha, a, b = params[0], params[1], params[2], params[3]
    for i in range(t.shape[0]):
        ti = t[i]
        if ti <= 0.0:
            out[i] = 0.0
            continue
        z = ti / (alpha + ti)
        log_q = math.log(alpha / (alpha + ti))
        if modified:
            out[i] = b / (a - 1.0) * -math.expm1(log_hyp2f1(r, b + 1.0, a + b, z) + r * log_q)
        else:
            out[i] = _bgnbd_bracket(r, b, a + b - 1.0, a, log_q, z)
    return out


# ----------------------------------------------------------------------------------------------------------
# Pareto/NBD [FHL05c]
# ----------------------------------------------------------------------------------------------------------

@njit_serial(error_model="numpy")
def _pnbd_log_hyp(k, b, z, log1mz):
    """log 2F1(k, b; k+1; z) (the Pareto/NBD form, 0 <= z < 1) by whichever positive series converges faster.

    Euler's transformation ([AS64] 15.3.3) with c = k + 1 gives
    2F1(k, b; k+1; z) = (1-z)^(1-b) 2F1(1, k+1-b; k+1; z), whose parameters stay positive here (k+1-b is r+x
    or s+1). The direct series has terms ~ k n^(b-2) z^n / Gamma(b), the transformed one terms ~ n^(-b) z^n,
    so for b > 1 the transformed series is the shorter: when a fit wanders to alpha >> beta (few repeat
    buyers: r -> 0, alpha -> infinity, z -> 1) the direct series needs ~(b + 40)/(1 - z) terms (millions, seconds
    per likelihood evaluation) and the transformed one a few dozen. ``log1mz`` = log(1 - z), passed exactly
    (from log(min(alpha, beta) + t) - log(max(alpha, beta) + t), no cancellation near z = 1).
    """
    if b > 1.0:
        return (1.0 - b) * log1mz + log_hyp2f1(1.0, k + 1.0 - b, k + 1.0, z)
    return log_hyp2f1(k, b, k + 1.0, z)


@njit_serial(error_model="numpy")
def _pnbd_log_hyp_grad(k, b, z, log1mz, inv1mz):
    """:func:`_pnbd_log_hyp` and its partials d/da, d/db, d/dc, d/dz at (a, b, c) = (k, b, k+1), as
    :func:`log_hyp2f1_grad` returns them (``inv1mz`` = 1/(1-z)). With F = (1-z)^(c-a-b) 2F1(c-a, c-b; c; z)
    and G = log 2F1 at (c-a, c-b, c, z): dF/da = -log(1-z) - G_1, dF/db = -log(1-z) - G_2,
    dF/dc = log(1-z) + G_1 + G_2 + G_3, dF/dz = -(c-a-b)/(1-z) + G_z (all in logs)."""
    if b > 1.0:
        lf, g1, g2, g3, gz = log_hyp2f1_grad(1.0, k + 1.0 - b, k + 1.0, z)
        return ((1.0 - b) * log1mz + lf, -log1mz - g1, -log1mz - g2, log1mz + g1 + g2 + g3,
                -(1.0 - b) * inv1mz + gz)
    return log_hyp2f1_grad(k, b, k + 1.0, z)


@njit_serial(error_model="numpy")
def _pnbd_terms(r, alpha, s, beta, xi, txi, Ti):
    """Return (log of the 'alive at T' term, log of the 'died in (t_x, T]' term) of the Pareto/NBD likelihood.

    [FHL05c] Section 3 (likelihood function):
    L = Gamma(r+x) alpha^r beta^s / Gamma(r) * {1 / ((alpha+T)^(r+x) (beta+T)^s) + s/(r+s+x) A_0},
    where for alpha >= beta
        A_0 = 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+t_x)) / (alpha+t_x)^(r+s+x)
            - 2F1(r+s+x, s+1; r+s+x+1; (alpha-beta)/(alpha+T)) / (alpha+T)^(r+s+x)
    and for alpha < beta
        A_0 = 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+t_x)) / (beta+t_x)^(r+s+x)
            - 2F1(r+s+x, r+x; r+s+x+1; (beta-alpha)/(beta+T)) / (beta+T)^(r+s+x).
    The case split keeps the hypergeometric argument in [0, 1), where :func:`log_hyp2f1` sums positive
    terms. A_0 >= 0 is the integral of the drop-out density over (t_x, T]; the difference is taken in log space
    (log1p) and is 0 when t_x = T.
    """
    k = r + s + xi
    if alpha >= beta:
        base = alpha
        low = beta
        b2 = s + 1.0
        diff = alpha - beta
    else:
        base = beta
        low = alpha
        b2 = r + xi
        diff = beta - alpha
    log_A = (_pnbd_log_hyp(k, b2, diff / (base + txi), math.log(low + txi) - math.log(base + txi))
             - k * math.log(base + txi))
    log_B = (_pnbd_log_hyp(k, b2, diff / (base + Ti), math.log(low + Ti) - math.log(base + Ti))
             - k * math.log(base + Ti))
    if log_B >= log_A:
        log_A0 = -math.inf
    else:
        log_A0 = log_A + math.log1p(-math.exp(log_B - log_A))
    log_alive = -(r + xi) * math.log(alpha + Ti) - s * math.log(beta + Ti)
    log_dead = math.log(s / k) + log_A0
    return log_alive, log_dead


@njit_serial(error_model="numpy")
def _pnbd_log_part_grad(r, alpha, s, beta, xi, tt):
    """log of 2F1(...; z(tt)) / (base + tt)^(r+s+x), one of the two parts of A_0, and its gradient."""
    k = r + s + xi
    if alpha >= beta:
        base = alpha + tt
        lf, fa, fb, fc, fz = _pnbd_log_hyp_grad(k, s + 1.0, (alpha - beta) / base,
                                                math.log(beta + tt) - math.log(base), base / (beta + tt))
        lb = math.log(base)
        return (lf - k * lb, fa + fc - lb, fz * (beta + tt) / (base * base) - k / base, fa + fb + fc - lb,
                -fz / base)
    base = beta + tt
    lf, fa, fb, fc, fz = _pnbd_log_hyp_grad(k, r + xi, (beta - alpha) / base,
                                            math.log(alpha + tt) - math.log(base), base / (alpha + tt))
    lb = math.log(base)
    return (lf - k * lb, fa + fb + fc - lb, -fz / base, fa + fc - lb,
            fz * (alpha + tt) / (base * base) - k / base)


@njit_serial(error_model="numpy")
def pnbd_loglik_grad(params, x, tx, T, w, grad):
    """Weighted Pareto/NBD log-likelihood (as :func:`pnbd_loglik`) with its analytic gradient.

    The derivatives of A_0 come from :func:`log_hyp2f1_grad` by the chain rule through the hypergeometric
    parameters (a = r+s+x, b = s+1 or r+x, c = a+1) and argument z ((alpha-beta)/(alpha+t) or
    (beta-alpha)/(beta+t)). ``grad`` receives d LL / d (r, alpha, s, beta).
    """
    r, alpha, s, beta = params[0], params[1], params[2], params[3]
    log_alpha = math.log(alpha)
    log_beta = math.log(beta)
    const = -math.lgamma(r) + r * log_alpha + s * log_beta
    psi_r = digamma(r)
    total = 0.0
    g0 = 0.0
    g1 = 0.0
    g2 = 0.0
    g3 = 0.0
    for i in range(x.shape[0]):
        xi = x[i]
        wi = w[i]
        k = r + s + xi
        # log A (at t_x), log B (at T) and their derivatives w.r.t. r, alpha, s, beta
        lA, dA_r, dA_a, dA_s, dA_b = _pnbd_log_part_grad(r, alpha, s, beta, xi, tx[i])
        lB, dB_r, dB_a, dB_s, dB_b = _pnbd_log_part_grad(r, alpha, s, beta, xi, T[i])
        log_alive = -(r + xi) * math.log(alpha + T[i]) - s * math.log(beta + T[i])
        e = 0.0
        if lB >= lA:
            log_dead = -math.inf
        else:
            e = math.exp(lB - lA)
            log_dead = math.log(s / k) + lA + math.log1p(-e)
        lse = _logaddexp(log_alive, log_dead)
        total += wi * (math.lgamma(r + xi) + const + lse)
        wa = math.exp(log_alive - lse)
        g0 += wi * (digamma(r + xi) - psi_r + log_alpha - wa * math.log(alpha + T[i]))
        g1 += wi * (r / alpha - wa * (r + xi) / (alpha + T[i]))
        g2 += wi * (log_beta - wa * math.log(beta + T[i]))
        g3 += wi * (s / beta - wa * s / (beta + T[i]))
        if log_dead > -math.inf:
            wd = math.exp(log_dead - lse)
            inv = 1.0 / (1.0 - e)
            dA0_r = (dA_r - e * dB_r) * inv
            dA0_a = (dA_a - e * dB_a) * inv
            dA0_s = (dA_s - e * dB_s) * inv
            dA0_b = (dA_b - e * dB_b) * inv
            g0 += wi * wd * (dA0_r - 1.0 / k)
            g1 += wi * wd * dA0_a
            g2 += wi * wd * (dA0_s + 1.0 / s - 1.0 / k)
            g3 += wi * wd * dA0_b
    grad[0] = g0
    grad[1] = g1
    grad[2] = g2
    grad[3] = g3
    return total


@njit_serial(error_model="numpy")
def pnbd_loglik(params, x, tx, T, w):
    """Weighted Pareto/NBD log-likelihood sum_i w_i log L_i, [FHL05c] Section 3; see ``_pnbd_terms``."""
    r, alpha, s, beta = params[0], params[1], params[2], params[3]
    const = -math.lgamma(r) + r * math.log(alpha) + s * math.log(beta)
    total = 0.0
    for i in range(x.shape[0]):
        la, ld = _pnbd_terms(r, alpha, s, beta, x[i], tx[i], T[i])
        total += w[i] * (math.lgamma(r + x[i]) + const + _logaddexp(la, ld))
    return total


@njit_serial(error_model="numpy")
def _pnbd_log_part(r, alpha, s, beta, xi, tt):
    """log of one of the two parts of A_0: 2F1(...; z(tt)) / (base + tt)^(r+s+x) (see ``_pnbd_terms``)."""
    k = r + s + xi
    if alpha >= beta:
        return (_pnbd_log_hyp(k, s + 1.0, (alpha - beta) / (alpha + tt), math.log(beta + tt) - math.log(alpha + tt))
                - k * math.log(alpha + tt))
    return (_pnbd_log_hyp(k, r + xi, (beta - alpha) / (beta + tt), math.log(alpha + tt) - math.log(beta + tt))
            - k * math.log(beta + tt))


@njit_serial(error_model="numpy")
def _pnbd_p_alive_row(r, alpha, s, beta, xi, txi, Ti):
    """P(alive) of one customer from scratch, in log space ([FHL05c] Section 5; see :func:`pnbd_p_alive`).

    P = 1 / (1 + s/(r+s+x) (A - B) / alive term), with A and B the two parts of A_0 (:func:`_pnbd_log_part`)
    and A - B clipped at 0 (A = B when t_x = T). Where the ratio would overflow (P(alive) ~ 0) it is
    carried in logs.
    """
    log_alive = -(r + xi) * math.log(alpha + Ti) - s * math.log(beta + Ti)
    la = _pnbd_log_part(r, alpha, s, beta, xi, txi) - log_alive
    lb = _pnbd_log_part(r, alpha, s, beta, xi, Ti) - log_alive
    if la < 700.0:
        ratio = math.exp(la) - math.exp(lb)
        return 1.0 / (1.0 + s / (r + s + xi) * (ratio if ratio > 0.0 else 0.0))
    if lb >= la:
        return 1.0
    log_ratio = la + math.log1p(-math.exp(lb - la)) + math.log(s / (r + s + xi))
    return math.exp(-_logaddexp(0.0, log_ratio))


@njit_serial(error_model="numpy")
def _exp_or_nan(v):
    """exp(v) when |v| < 345 (so a product of two such values is a normal float), else NaN."""
    return math.exp(v) if -345.0 < v < 345.0 else math.nan


def pnbd_p_alive(params, x, tx, T, out):
    """P(alive | x, t_x, T) = alive term / (alive term + s/(r+s+x) A_0), [FHL05c] Section 5.

    With A and B the two hypergeometric parts of A_0 = A - B (:func:`_pnbd_log_part`) and L the alive term,
    P = 1 / (1 + s/(r+s+x) (A/L - B/L)). A depends on (x, t_x) only and L, B on (x, T) only, and these pairs
    repeat a lot (whole x, day-resolution times: a million CDNOW-like customers have ~5,000 and ~2,500
    distinct pairs). So each thread keeps two small hash tables (open addressing, keyed by exact equality)
    holding exponentials, not logs:
        e_A = exp(log A + c(x)) by (x, t_x),   e_L = exp(-log L - c(x)) and e_B = B/L by (x, T),
    with c(x) = (r+s+x) (log(base) + log(base + max T)) / 2 (base = max(alpha, beta)) centring the exponents,
    so that A/L = e_A e_L. A repeated customer costs two lookups, a multiply and a divide: no log, exp or
    series. A value whose exponent is out of +-345 (very large x) is stored as NaN, and that customer takes
    the log-space path (:func:`_pnbd_p_alive_row`). Every value depends only on its key, so the result does
    not depend on the number of threads.
    """
    return _pnbd_p_alive(params, x, tx, T, out, get_num_threads())


@njit_parallel(error_model="numpy")
def _pnbd_p_alive(params, x, tx, T, out, n_chunks):
    """:func:`pnbd_p_alive` with the thread count passed in (so that numba can cache it on disk)."""
    r, alpha, s, beta = params[0], params[1], params[2], params[3]
    n = x.shape[0]
    if n == 0:
        return out
    t_max = T[0]
    for i in prange(n):
        t_max = max(t_max, T[i])
    base = max(alpha, beta)
    c1 = 0.5 * (math.log(base) + math.log(base + t_max))
    chunk, shift = _chunking(n, n_chunks)
    for c in prange(n_chunks):
        table_a = _new_table(shift)  # rows [x, t_x, e_A, -]
        table_b = _new_table(shift)  # rows [x, T, e_L, e_B]
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            xi = x[i]
            txi = tx[i]
            Ti = T[i]
            ck = (r + s + xi) * c1
            sa, found = _probe(table_a, (xi, txi), shift)
            if found == 1:
                e_a = table_a[sa, 2]
            else:
                e_a = _exp_or_nan(_pnbd_log_part(r, alpha, s, beta, xi, txi) + ck)
                _remember(table_a, sa, found, (xi, txi), (e_a,))
            sb, found = _probe(table_b, (xi, Ti), shift)
            if found == 1:
                e_l = table_b[sb, 2]
                e_b = table_b[sb, 3]
            else:
                minus_log_alive = (r + xi) * math.log(alpha + Ti) + s * math.log(beta + Ti)
                e_l = _exp_or_nan(minus_log_alive - ck)
                e_b = _exp_or_nan(_pnbd_log_part(r, alpha, s, beta, xi, Ti) + minus_log_alive)
                _remember(table_b, sb, found, (xi, Ti), (e_l, e_b))
            ratio = e_a * e_l - e_b
            if ratio == ratio:
                out[i] = 1.0 / (1.0 + s / (r + s + xi) * (ratio if ratio > 0.0 else 0.0))
            else:
                out[i] = _pnbd_p_alive_row(r, alpha, s, beta, xi, txi, Ti)
    return out


def pnbd_conditional_expected(params, t, x, tx, T, out):
    """E[Y(t) | x, t_x, T] = (r+x)(beta+T) / ((alpha+T)(s-1)) [1 - ((beta+T)/(beta+T+t))^(s-1)] P(alive).

    [FHL05c] Section 6. The factor (1 - u^(s-1))/(s-1) is evaluated as -expm1((s-1) log u)/(s-1), which is
    exact for s < 1 too and tends to -log u as s -> 1. Everything but (r+x) P(alive) depends on (T, t) only;
    each thread keeps it in a small hash table (:func:`_probe`), as :func:`pnbd_p_alive` does its parts.
    """
    return _pnbd_conditional_expected(params, t, x, tx, T, out, get_num_threads())


@njit_parallel(error_model="numpy")
def _pnbd_conditional_expected(params, t, x, tx, T, out, n_chunks):
    """:func:`pnbd_conditional_expected` with the thread count passed in (so that numba can cache it on disk)."""
    r, alpha, s, beta = params[0], params[1], params[2], params[3]
    n = x.shape[0]
    _pnbd_p_alive(params, x, tx, T, out, n_chunks)
    chunk, shift = _chunking(n, n_chunks)
    for c in prange(n_chunks):
        table = _new_table(shift)  # rows [T, t, (beta+T)/(alpha+T) * factor, -]
        for i in range(c * chunk, min(n, (c + 1) * chunk)):
            Ti = T[i]
            ti = t[i]
            slot, found = _probe(table, (Ti, ti), shift)
            if found == 1:
                g = table[slot, 2]
            else:
                bT = beta + Ti
                log_u = math.log(bT / (bT + ti))
                if abs(s - 1.0) < 1e-10:
                    factor = -log_u
                else:
                    factor = -math.expm1((s - 1.0) * log_u) / (s - 1.0)
                g = bT / (alpha + Ti) * factor
                _remember(table, slot, found, (Ti, ti), (g,))
            out[i] *= (r + x[i]) * g
    return out


# ----------------------------------------------------------------------------------------------------------
# BG/BB [FHS10]
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def _bgbb_row(alpha, beta, gamma, delta, xi, txi, ni):
    """log L of one row, [FHS10] (likelihood function): the 'alive through n' term plus sum over death times."""
    lab = _lbeta(alpha, beta)
    lgd = _lbeta(gamma, delta)
    ll = _lbeta(alpha + xi, beta + ni - xi) - lab + _lbeta(gamma, delta + ni) - lgd
    n_extra = int(ni - txi + 0.5)
    for j in range(n_extra):
        term = _lbeta(alpha + xi, beta + txi - xi + j) - lab + _lbeta(gamma + 1.0, delta + txi + j) - lgd
        ll = _logaddexp(ll, term)
    return ll


@njit_serial(error_model="numpy")
def bgbb_loglik(params, x, tx, n, w):
    """Weighted BG/BB log-likelihood, [FHS10] (likelihood function)."""
    alpha, beta, gamma, delta = params[0], params[1], params[2], params[3]
    total = 0.0
    for i in range(x.shape[0]):
        total += w[i] * _bgbb_row(alpha, beta, gamma, delta, x[i], tx[i], n[i])
    return total


@njit_serial(error_model="numpy")
def bgbb_p_alive(params, x, tx, n, m, out):
    """P(alive at opportunity n+m | x, t_x, n); m = 1 is the paper's "alive in period n+1", [FHS10] (P(alive))."""
    alpha, beta, gamma, delta = params[0], params[1], params[2], params[3]
    for i in range(x.shape[0]):
        log_num = (_lbeta(alpha + x[i], beta + n[i] - x[i]) - _lbeta(alpha, beta)
                   + _lbeta(gamma, delta + n[i] + m) - _lbeta(gamma, delta))
        out[i] = math.exp(log_num - _bgbb_row(alpha, beta, gamma, delta, x[i], tx[i], n[i]))
    return out


@njit_serial(error_model="numpy")
def bgbb_conditional_expected(params, n_star, x, tx, n, out):
    """E[X(n, n+n*) | x, t_x, n], expected transactions in the next n* opportunities, [FHS10] (conditional expectation).

    B(alpha+x+1, beta+n-x)/B(alpha, beta) * delta/(gamma-1) * Gamma(gamma+delta)/Gamma(1+delta)
    * [Gamma(1+delta+n)/Gamma(gamma+delta+n) - Gamma(1+delta+n+n*)/Gamma(gamma+delta+n+n*)] / L.
    """
    alpha, beta, gamma, delta = params[0], params[1], params[2], params[3]
    for i in range(x.shape[0]):
        ni = n[i]
        ns = n_star[i]
        log_front = (_lbeta(alpha + x[i] + 1.0, beta + ni - x[i]) - _lbeta(alpha, beta)
                     + math.lgamma(gamma + delta) - math.lgamma(1.0 + delta)
                     - _bgbb_row(alpha, beta, gamma, delta, x[i], tx[i], ni))
        g1 = math.lgamma(1.0 + delta + ni) - math.lgamma(gamma + delta + ni)
        g2 = math.lgamma(1.0 + delta + ni + ns) - math.lgamma(gamma + delta + ni + ns)
        # delta/(gamma-1) * (e^g1 - e^g2) = delta/(1-gamma) * e^g1 * expm1(g2-g1), sign-safe for gamma < 1 and > 1
        out[i] = delta / (1.0 - gamma) * math.exp(log_front + g1) * math.expm1(g2 - g1)
    return out


# ----------------------------------------------------------------------------------------------------------
# Gamma-Gamma spend model [FHL05b]
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def gg_loglik(params, x, m, w, grad):
    """Weighted Gamma-Gamma log-likelihood of mean spend m over x > 0 transactions, with gradient.

    Density of the mean z = m given x ([FHL05b], Appendix; Colombo and Jiang 1999):
        f(z | p, q, gamma, x) = Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q x^(px) z^(px-1) / (gamma + x z)^(px+q)
    grad is filled with d LL / d (p, q, gamma).
    """
    p, q, g = params[0], params[1], params[2]
    total = 0.0
    g0 = 0.0
    g1 = 0.0
    g2 = 0.0
    lgq = math.lgamma(q)
    psi_q = digamma(q)
    log_g = math.log(g)
    for i in range(x.shape[0]):
        xi = x[i]
        mi = m[i]
        wi = w[i]
        px = p * xi
        log_x = math.log(xi)
        log_m = math.log(mi)
        log_gxm = math.log(g + xi * mi)
        total += wi * (math.lgamma(px + q) - math.lgamma(px) - lgq + q * log_g + px * log_x
                       + (px - 1.0) * log_m - (px + q) * log_gxm)
        psi_pxq = digamma(px + q)
        g0 += wi * xi * (psi_pxq - digamma(px) + log_x + log_m - log_gxm)
        g1 += wi * (psi_pxq - psi_q + log_g - log_gxm)
        g2 += wi * (q / g - (px + q) / (g + xi * mi))
    grad[0] = g0
    grad[1] = g1
    grad[2] = g2
    return total


@njit_parallel(error_model="numpy")
def frt_check(x, tx, T):
    """One vectorised pass over (frequency, recency, T): (rows that break a BTYD data rule, rows with t_x > T).

    The rules are those of :func:`_frt_row_ok` (the checks of ``toolkit.clv.models.base.validate_frt``, which
    locates the offending rows only when the first count is non-zero). The second count says whether a
    recency needs clipping to T (allowed up to 1e-12 relative, rounding in the summary).
    """
    bad = 0
    over = 0
    for i in prange(x.shape[0]):
        ti = tx[i]
        Ti = T[i]
        bad += 0 if _frt_row_ok(float(x[i]), ti, Ti) else 1
        over += 1 if ti > Ti else 0
    return bad, over
