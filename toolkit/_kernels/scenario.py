"""Kernels of the course CLV method: discounted expected margin for many customers at once.

Prior validation of input is assumed (see :mod:`toolkit.clv.scenario`): all arrays are float64,
C-contiguous, of the same length. The kernels never raise.
"""

from __future__ import annotations

import numpy as np

from ._jit import njit_parallel, njit_serial, prange

__all__ = ["current_value", "current_value_parallel", "scenario_current", "scenario_current_parallel"]


def _factors_impl(q, gq, h):
    """``(A, A_g)`` for ``q = r/(1+d)``, ``gq = (1+g) q`` and horizon ``h`` (see ``current_value``)."""
    if np.isinf(h):
        a = q / (1.0 - q) if q < 1.0 else np.inf
        ag = q / (1.0 - gq) if gq < 1.0 else np.inf
        return a, ag
    nh = int(h) if h > 0.0 else 0
    a = 0.0
    ag = 0.0
    w = 1.0
    wg = 1.0
    for _ in range(nh):
        w *= q
        a += w
        ag += wg * q
        wg *= gq
    return a, ag


_factors = njit_serial(_factors_impl)


def _current_value_impl(revenue, margin, retention, discount, horizon, growth, cost, out_current, out_factor_g, out_factor):
    """Discounted expected margin per customer (course "current value").

    For customer ``i`` with annual revenue ``R``, margin rate ``m``, retention ``r``, discount rate ``d``,
    horizon ``H`` (years, ``inf`` allowed), revenue growth ``g`` per year and maintenance cost ``c`` per
    year, with ``q = r / (1 + d)``::

        factor    A   = sum_{t=1..H} q**t
        factor_g  A_g = sum_{t=1..H} (1 + g)**(t - 1) * q**t
        current       = R * m * A_g - c * A

    A finite horizon is truncated to an integer number of years. An infinite horizon uses the closed
    forms ``A = q / (1 - q)`` and ``A_g = q / (1 - (1 + g) q)`` (``inf`` when the series diverges).

    Parameters
    ----------
    revenue, margin, retention, discount, horizon, growth, cost : ndarray of float64, shape (n,)
        Per-customer inputs, already validated.
    out_current, out_factor_g, out_factor : ndarray of float64, shape (n,)
        Outputs, written in place.

    Notes
    -----
    Geometric-series forms of the retention-adjusted CLV: Gupta & Lehmann (2003), "Customers as
    assets", Journal of Interactive Marketing 17(1), eq. (1)-(3); Berger & Nasr (1998), "Customer
    lifetime value: marketing models and applications", Journal of Interactive Marketing 12(1), case 1.
    """
    n = revenue.shape[0]
    for i in prange(n):
        q = retention[i] / (1.0 + discount[i])
        gq = (1.0 + growth[i]) * q
        a, ag = _factors(q, gq, horizon[i])
        out_factor[i] = a
        out_factor_g[i] = ag
        annual = revenue[i] * margin[i]
        c = cost[i]
        # 0 * inf is NaN: a zero term contributes nothing, even over an infinite horizon.
        out_current[i] = (annual * ag if annual != 0.0 else 0.0) - (c * a if c != 0.0 else 0.0)


#: Serial, disk-cached version (small inputs, sliders on one customer, first use in a lesson).
current_value = njit_serial(_current_value_impl)
#: Parallel version for large customer bases (not cached, see ``toolkit._kernels._jit``).
current_value_parallel = njit_parallel(_current_value_impl)




def _scenario_current_impl(codes, affected, revenue, margin, retention, discount, horizon, growth, cost,
                           d_retention, price_change, d_cost, r_max, out_current):
    """Current value per customer after a scenario applied to some groups (one pass, no temporaries).

    Customers whose group ``codes[i]`` has ``affected[code]`` get retention ``+ d_retention`` (clipped to
    [0, r_max]), revenue ``x (1 + price_change)`` with unchanged unit costs (margin rate ``(m + p) / (1 + p)``)
    and maintenance cost ``+ d_cost``. A negative ``horizon[i]`` means the course default, the expected
    lifetime ``1/(1-r)`` of the (new) retention rounded half up to whole years (at least 1; ``inf`` at r = 1).

    Parameters
    ----------
    codes : ndarray of int64, shape (n,)
        Group code of each customer, in ``[0, len(affected))``.
    affected : ndarray of bool, shape (k,)
    revenue, margin, retention, discount, horizon, growth, cost : ndarray of float64, shape (n,)
    d_retention, price_change, d_cost, r_max : float
    out_current : ndarray of float64, shape (n,)
        Output, written in place.
    """
    n = revenue.shape[0]
    for i in prange(n):
        rev = revenue[i]
        m = margin[i]
        r = retention[i]
        c = cost[i]
        if affected[codes[i]]:
            r = min(max(r + d_retention, 0.0), r_max)
            rev = rev * (1.0 + price_change)
            m = (m + price_change) / (1.0 + price_change)
            c = c + d_cost
        h = horizon[i]
        if h < 0.0:
            h = np.inf if r >= 1.0 else max(np.floor(1.0 / (1.0 - r) + 0.5 + 1e-9), 1.0)
        q = r / (1.0 + discount[i])
        a, ag = _factors(q, (1.0 + growth[i]) * q, h)
        annual = rev * m
        out_current[i] = (annual * ag if annual != 0.0 else 0.0) - (c * a if c != 0.0 else 0.0)


scenario_current = njit_serial(_scenario_current_impl)
scenario_current_parallel = njit_parallel(_scenario_current_impl)
