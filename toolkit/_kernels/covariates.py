"""Kernels of the BTYD models with time-invariant covariates: every customer has her own scale parameters.

With covariates z_i (a row of numbers) the models keep their shape parameters shared and move the scale
parameters per customer (CLVTools' parametrisation, Fader and Hardie 2007):

- Pareto/NBD: alpha_i = alpha exp(-gamma_p' z_i), beta_i = beta exp(-gamma_d' z_i) (r, s shared);
- BG/NBD: alpha_i = alpha exp(-gamma_p' z_i), a_i = a exp(gamma_d' z_i), b_i = b exp(gamma_d' z_i) (r shared);
- Gamma-Gamma: gamma_i = gamma exp(gamma_s' z_i) (p, q shared).

The kernels here take the per-customer scale parameters as arrays (the model layer computes them from the
design matrix) and return one row per customer: the log-likelihood and its partial derivatives with respect
to the shared parameters and to that customer's own scale parameters. The model layer sums them with the
pattern weights and applies the chain rule to the coefficients, d alpha_i / d gamma_p = -alpha_i z_i, in
NumPy. Each row depends only on its own inputs, so the result does not depend on the number of threads.
The per-row formulas are those of :mod:`toolkit._kernels.likelihoods` ([FHL05a], [FHL05b], [FHL05c]) with
alpha, beta (a, b; gamma) replaced by the customer's values.

References
----------
.. [FH07] Fader, P. S. and Hardie, B. G. S. (2007). Incorporating time-invariant covariates into the
   Pareto/NBD and BG/NBD models. http://brucehardie.com/notes/019/
.. [SMC87] Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your customers: who are they
   and what will they do next? *Management Science* 33(1), 1-24.
.. [FH13] Fader, P. S. and Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
   http://brucehardie.com/notes/025/
.. [AS64] Abramowitz, M. and Stegun, I. A. (1964). *Handbook of Mathematical Functions*, 6.1.15 and 6.3.5
   (the recurrences of the gamma and digamma functions).
"""

from __future__ import annotations

import math

import numpy as np

from ._jit import njit_parallel, njit_serial, prange
from .likelihoods import (
    _bgnbd_bracket,
    _logaddexp,
    _pnbd_log_part_grad,
    _pnbd_p_alive_row,
    digamma,
)

__all__ = [
    "bgnbd_rows_conditional_expected",
    "bgnbd_rows_loglik",
    "bgnbd_rows_p_alive",
    "gg_rows_loglik",
    "pnbd_rows_conditional_expected",
    "pnbd_rows_loglik",
    "pnbd_rows_p_alive",
]


# ----------------------------------------------------------------------------------------------------------
# gamma-function ratios by frequency, shared by the rows of one evaluation
# ----------------------------------------------------------------------------------------------------------
#: Frequencies below this take the gamma-function ratios from per-evaluation tables or short sums.
_SMALL_X = 64


@njit_serial(error_model="numpy")
def _shape_table(r):
    """lgamma(r+k) - lgamma(r) and digamma(r+k) - digamma(r) for k = 0 .. _SMALL_X - 1 (shared by all rows).

    Built by the recurrences Gamma(r+k+1) = (r+k) Gamma(r+k), psi(r+k+1) = psi(r+k) + 1/(r+k) ([AS64] 6.1.15,
    6.3.5), i.e. the sums of log(r+j) and 1/(r+j) over j < k.
    """
    tab = np.empty((2, _SMALL_X))
    lg = 0.0
    ps = 0.0
    for k in range(_SMALL_X):
        tab[0, k] = lg
        tab[1, k] = ps
        lg += math.log(r + k)
        ps += 1.0 / (r + k)
    return tab


@njit_serial(error_model="numpy")
def _shape_terms(r, xi, tab, lgamma_r, psi_r):
    """lgamma(r+x) - lgamma(r) and digamma(r+x) - digamma(r): from ``tab`` for a small whole x, else directly."""
    if 0.0 <= xi < _SMALL_X and xi == math.floor(xi):
        k = int(xi)
        return tab[0, k], tab[1, k]
    return math.lgamma(r + xi) - lgamma_r, digamma(r + xi) - psi_r


# ----------------------------------------------------------------------------------------------------------
# Pareto/NBD [SMC87], [FHL05c], covariates [FH07]
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def _pnbd_row(r, alpha, s, beta, xi, txi, Ti, lgamma_r, psi_r, tab):
    """log L of one customer and d log L / d (r, alpha, s, beta) at her own alpha and beta.

    L = Gamma(r+x) alpha^r beta^s / Gamma(r) {(alpha+T)^-(r+x) (beta+T)^-s + s/(r+s+x) A_0} ([FHL05c]
    Section 3); A_0 = A - B, the two hypergeometric parts at t_x and T (``_pnbd_log_part_grad``), taken in
    log space. ``lgamma_r`` and ``psi_r`` are log Gamma(r) and digamma(r), ``tab`` the :func:`_shape_table` of r
    (shared by all rows).
    """
    k = r + s + xi
    log_alpha = math.log(alpha)
    log_beta = math.log(beta)
    lA, dA_r, dA_a, dA_s, dA_b = _pnbd_log_part_grad(r, alpha, s, beta, xi, txi)
    lB, dB_r, dB_a, dB_s, dB_b = _pnbd_log_part_grad(r, alpha, s, beta, xi, Ti)
    log_aT = math.log(alpha + Ti)
    log_bT = math.log(beta + Ti)
    log_alive = -(r + xi) * log_aT - s * log_bT
    e = 0.0
    if lB >= lA:
        log_dead = -math.inf
    else:
        e = math.exp(lB - lA)
        log_dead = math.log(s / k) + lA + math.log1p(-e)
    lse = _logaddexp(log_alive, log_dead)
    lg_rx, psi_rx = _shape_terms(r, xi, tab, lgamma_r, psi_r)
    ll = lg_rx + r * log_alpha + s * log_beta + lse
    wa = math.exp(log_alive - lse)
    g0 = psi_rx + log_alpha - wa * log_aT
    g1 = r / alpha - wa * (r + xi) / (alpha + Ti)
    g2 = log_beta - wa * log_bT
    g3 = s / beta - wa * s / (beta + Ti)
    if log_dead > -math.inf:
        wd = math.exp(log_dead - lse)
        inv = 1.0 / (1.0 - e)
        g0 += wd * ((dA_r - e * dB_r) * inv - 1.0 / k)
        g1 += wd * (dA_a - e * dB_a) * inv
        g2 += wd * ((dA_s - e * dB_s) * inv + 1.0 / s - 1.0 / k)
        g3 += wd * (dA_b - e * dB_b) * inv
    return ll, g0, g1, g2, g3


@njit_parallel(error_model="numpy")
def pnbd_rows_loglik(r, s, alpha, beta, x, tx, T, out):
    """Per-customer Pareto/NBD log-likelihood with her own alpha_i, beta_i, and its partial derivatives.

    ``alpha``, ``beta``, ``x``, ``tx``, ``T`` are (n,); ``out`` (n, 5) receives, per row, log L_i and
    d log L_i / d r, d alpha_i, d s, d beta_i. Unweighted: the caller sums with the pattern weights.
    """
    lgamma_r = math.lgamma(r)
    psi_r = digamma(r)
    tab = _shape_table(r)
    for i in prange(x.shape[0]):
        ll, g0, g1, g2, g3 = _pnbd_row(r, alpha[i], s, beta[i], x[i], tx[i], T[i], lgamma_r, psi_r, tab)
        out[i, 0] = ll
        out[i, 1] = g0
        out[i, 2] = g1
        out[i, 3] = g2
        out[i, 4] = g3
    return out


@njit_parallel(error_model="numpy")
def pnbd_rows_p_alive(r, s, alpha, beta, x, tx, T, out):
    """P(alive | x, t_x, T) of each customer at her own alpha_i, beta_i ([FHL05c] Section 5), in log space."""
    for i in prange(x.shape[0]):
        out[i] = _pnbd_p_alive_row(r, alpha[i], s, beta[i], x[i], tx[i], T[i])
    return out


@njit_parallel(error_model="numpy")
def pnbd_rows_conditional_expected(r, s, alpha, beta, t, x, tx, T, out):
    """E[Y(t) | x, t_x, T] = (r+x)(beta_i+T) / ((alpha_i+T)(s-1)) [1 - ((beta_i+T)/(beta_i+T+t))^(s-1)] P(alive).

    [FHL05c] Section 6 with each customer's alpha_i, beta_i; (1 - u^(s-1))/(s-1) as -expm1((s-1) log u)/(s-1).
    """
    for i in prange(x.shape[0]):
        a_i = alpha[i]
        b_i = beta[i]
        bT = b_i + T[i]
        log_u = math.log(bT / (bT + t[i]))
        if abs(s - 1.0) < 1e-10:
            factor = -log_u
        else:
            factor = -math.expm1((s - 1.0) * log_u) / (s - 1.0)
        alive = _pnbd_p_alive_row(r, a_i, s, b_i, x[i], tx[i], T[i])
        out[i] = (r + x[i]) * bT / (a_i + T[i]) * factor * alive
    return out


# ----------------------------------------------------------------------------------------------------------
# BG/NBD [FHL05a] (MBG/NBD [BDF07] with ``modified``), covariates [FH07]
# ----------------------------------------------------------------------------------------------------------
@njit_serial(error_model="numpy")
def _beta_steps(a, b, n):
    """log B(a, b+n) - log B(a, b), psi(a+b+n) - psi(a+b) and psi(b+n) - psi(b) for n >= 0.

    For a small whole n by the recurrences (B(a, v+1) = B(a, v) v/(a+v), psi(v+1) = psi(v) + 1/v): n steps of a
    product and two reciprocals instead of six log-gamma / digamma calls; the product is moved into the log
    before it could underflow. Otherwise with ``math.lgamma`` and :func:`digamma`.
    """
    if 0.0 <= n < _SMALL_X and n == math.floor(n):
        prod = 1.0
        acc = 0.0
        s_ab = 0.0
        s_b = 0.0
        for k in range(int(n)):
            bk = b + k
            abk = a + bk
            prod *= bk / abk
            s_ab += 1.0 / abk
            s_b += 1.0 / bk
            if prod < 1e-250:
                acc += math.log(prod)
                prod = 1.0
        return acc + math.log(prod), s_ab, s_b
    lb = math.lgamma(b + n) - math.lgamma(b) - math.lgamma(a + b + n) + math.lgamma(a + b)
    return lb, digamma(a + b + n) - digamma(a + b), digamma(b + n) - digamma(b)


@njit_parallel(error_model="numpy")
def bgnbd_rows_loglik(r, alpha, a, b, x, tx, T, modified, out):
    """Per-customer BG/NBD log-likelihood with her own alpha_i, a_i, b_i, and its partial derivatives.

    L = B(a, b+x)/B(a, b) A(T) + [x > 0] B(a+1, b+x-1)/B(a, b) A(t_x), A(t) = Gamma(r+x) alpha^r /
    (Gamma(r) (alpha+t)^(r+x)) ([FHL05a]; MBG/NBD [BDF07]: b+x+1 in place of b+x and the second term for every
    x). ``out`` (n, 5) receives log L_i and d log L_i / d r, d alpha_i, d a_i, d b_i; d/da and d/db follow
    from d log B(u, v)/du = psi(u) - psi(u+v).

    With bx = b+x (b+x+1), B(a, bx)/B(a, b) and the digamma differences are short products and sums over the
    x (x+1) steps from b to bx (:func:`_beta_steps`), B(a+1, bx-1)/B(a, bx) = a/(bx-1), and the r terms come
    from a table by x (:func:`_shape_table`): most customers buy a few times, so a row costs a few logs and
    exps, not ten special functions. The two terms' weights are 1/(1+e) and e/(1+e), e = exp(-|term3-term4|).
    """
    shift = 1.0 if modified else 0.0
    lgamma_r = math.lgamma(r)
    psi_r = digamma(r)
    tab = _shape_table(r)
    for i in prange(x.shape[0]):
        xi = x[i]
        al = alpha[i]
        ai = a[i]
        bi = b[i]
        rx = r + xi
        lg_rx, psi_rx = _shape_terms(r, xi, tab, lgamma_r, psi_r)
        lb, s_ab, s_b = _beta_steps(ai, bi, xi + shift)
        log_al = math.log(al)
        log_aT = math.log(al + T[i])
        log_atx = math.log(al + tx[i])
        term3 = lb - rx * log_aT
        inv_c = 0.0
        w3 = 1.0
        w4 = 0.0
        lse = term3
        if modified or xi > 0.0:
            c = bi + xi + shift - 1.0
            inv_c = 1.0 / c
            term4 = lb + math.log(ai * inv_c) - rx * log_atx
            e = math.exp(-abs(term4 - term3))
            big = 1.0 / (1.0 + e)
            lse = max(term3, term4) + math.log1p(e)
            if term4 > term3:
                w4 = big
                w3 = e * big
            else:
                w3 = big
                w4 = e * big
        out[i, 0] = lg_rx + r * log_al + lse
        out[i, 1] = psi_rx + log_al - w3 * log_aT - w4 * log_atx
        out[i, 2] = r / al - rx * (w3 / (al + T[i]) + w4 / (al + tx[i]))
        out[i, 3] = w4 / ai - s_ab
        out[i, 4] = s_b - s_ab - w4 * inv_c
    return out


@njit_parallel(error_model="numpy")
def bgnbd_rows_p_alive(r, alpha, a, b, x, tx, T, modified, out):
    """P(alive | x, t_x, T) = 1 / (1 + [x > 0] a_i/(b_i+x-1) ((alpha_i+T)/(alpha_i+t_x))^(r+x)) per customer.

    [FHL05a]; MBG/NBD [BDF07]: a_i/(b_i+x) for every x. As ``c e / (c e + a)`` with e = q^-(r+x) <= 1.
    """
    for i in prange(x.shape[0]):
        xi = x[i]
        if not (modified or xi > 0.0):
            out[i] = 1.0
            continue
        c = b[i] + xi - (0.0 if modified else 1.0)
        ti = min(T[i], tx[i])
        ce = c * math.exp(-(r + xi) * math.log((alpha[i] + T[i]) / (alpha[i] + ti)))
        out[i] = ce / (ce + a[i])
    return out


@njit_parallel(error_model="numpy")
def bgnbd_rows_conditional_expected(r, alpha, a, b, t, x, tx, T, modified, out):
    """E[Y(t) | x, t_x, T] = P(alive) times the bracket of [FHL05a] (conditional expectation), per customer.

    Bracket: (a+b+x-1)/(a-1) [1 - ((alpha+T)/(alpha+T+t))^(r+x) 2F1(r+x, b+x; a+b+x-1; t/(alpha+T+t))] at the
    customer's alpha_i, a_i, b_i (MBG/NBD [BDF07]: b+x+1, a+b+x).
    """
    shift = 1.0 if modified else 0.0
    bgnbd_rows_p_alive(r, alpha, a, b, x, tx, T, modified, out)
    for i in prange(x.shape[0]):
        ti = t[i]
        if ti <= 0.0:
            out[i] = 0.0
            continue
        xi = x[i]
        big = alpha[i] + T[i] + ti
        out[i] *= _bgnbd_bracket(r + xi, b[i] + xi + shift, a[i] + b[i] + xi - 1.0 + shift, a[i],
                                 math.log((alpha[i] + T[i]) / big), ti / big)
    return out


# ----------------------------------------------------------------------------------------------------------
# Gamma-Gamma [FHL05b], [FH13]
# ----------------------------------------------------------------------------------------------------------
@njit_parallel(error_model="numpy")
def gg_rows_loglik(p, q, gamma, x, m, out):
    """Per-customer Gamma-Gamma log-density of the mean spend m over x > 0 transactions at her own gamma_i.

    f(m | p, q, gamma, x) = Gamma(px+q) / (Gamma(px) Gamma(q)) gamma^q x^(px) m^(px-1) / (gamma + x m)^(px+q)
    ([FHL05b] Appendix, [FH13]). ``out`` (n, 4): log f_i, d/dp, d/dq, d/dgamma_i.
    """
    lgq = math.lgamma(q)
    psi_q = digamma(q)
    for i in prange(x.shape[0]):
        xi = x[i]
        mi = m[i]
        g = gamma[i]
        px = p * xi
        log_x = math.log(xi)
        log_m = math.log(mi)
        log_g = math.log(g)
        log_gxm = math.log(g + xi * mi)
        psi_pxq = digamma(px + q)
        out[i, 0] = (math.lgamma(px + q) - math.lgamma(px) - lgq + q * log_g + px * log_x
                     + (px - 1.0) * log_m - (px + q) * log_gxm)
        out[i, 1] = xi * (psi_pxq - digamma(px) + log_x + log_m - log_gxm)
        out[i, 2] = psi_pxq - psi_q + log_g - log_gxm
        out[i, 3] = q / g - (px + q) / (g + xi * mi)
    return out
