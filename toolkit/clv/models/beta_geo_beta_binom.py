"""BG/BB: beta-geometric / beta-Bernoulli model for discrete transaction opportunities.

Fader, P. S., Hardie, B. G. S. and Shang, J. (2010). Customer-base analysis in a discrete-time noncontractual
setting. *Marketing Science* 29(6), 1086-1108.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..._kernels import likelihoods as _lk
from ..._kernels._arrays import readonly
from .base import PurchaseModel, check_rule, require_columns
from ...errors import ParameterError

__all__ = ["BetaGeoBetaBinom"]


def _f8(values):
    return np.ascontiguousarray(values, dtype=np.float64)


class BetaGeoBetaBinom(PurchaseModel):
    """BG/BB model (Fader, Hardie and Shang 2010) for customers with discrete transaction opportunities.

    At each opportunity (a yearly donation appeal, a weekly show) a customer still alive first drops out with
    probability theta ~ Beta(gamma, delta), and if she stays, transacts with probability p ~ Beta(alpha, beta).

    Reads ``frequency`` (repeat transactions x), ``recency`` (the opportunity of the last one, t_x, 0 if none)
    and ``periods`` (opportunities observed, n), all whole numbers. Aggregated data can be fitted with
    ``fit(data, weights="weights")``, as in the bundled ``donations.csv``.
    Horizons of predictions are numbers of future opportunities.
    """

    _param_names = ("alpha", "beta", "gamma", "delta")
    _columns = ("frequency", "recency", "periods")
    _has_gradient = False
    _model_name = "BG/BB"

    def _prepare(self, summary):
        name = type(self).__name__
        x, tx, n = require_columns(summary, self._columns, name)
        for col, v in (("frequency", x), ("recency", tx), ("periods", n)):
            check_rule((v >= 0) & (v == np.round(v)), summary, f"{name}: {col} must be a whole number >= 0", col)
        check_rule(n > 0, summary, f"{name}: periods must be > 0", "periods")
        check_rule(tx <= n, summary, f"{name}: recency must not exceed periods", "recency")
        check_rule(x <= tx, summary, f"{name}: frequency must not exceed recency (one transaction per period)",
                   "frequency")
        check_rule((x > 0) | (tx == 0), summary, f"{name}: recency must be 0 when frequency is 0", "recency")
        return x, tx, n

    def _loglik(self, params, data, weights, grad):
        x, tx, n = data
        return _lk.bgbb_loglik(_f8(params), x, tx, n, weights)

    def p_alive(self, summary, future_periods=1):
        """P(alive at opportunity n + ``future_periods``); the paper's P(alive) is ``future_periods=1``."""
        self._check_fitted()
        future_periods = self._check_horizon(future_periods, "future_periods")
        x, tx, n = map(readonly, self._prepare(summary))  # read-only inputs: one compiled version
        out = _lk.bgbb_p_alive(self._params(), x, tx, n, float(future_periods), np.empty(len(x)))
        return self._series(summary, out, "p_alive")

    def _cond_exp_arrays(self, t, data):
        """Expected transactions in the next t opportunities (whole numbers)."""
        x, tx, n = map(readonly, data)
        return _lk.bgbb_conditional_expected(self._params(), readonly(t), x, tx, n, np.empty(len(x)))

    def expected_purchases_new_customer(self, t):
        """E[X(n)] in the first ``t`` opportunities of a new customer:
        alpha/(alpha+beta) delta/(gamma-1) [1 - Gamma(gamma+delta) Gamma(1+delta+n) / (Gamma(gamma+delta+n)
        Gamma(1+delta))], evaluated with expm1 so gamma < 1 is exact."""
        self._check_horizon(t)
        alpha, beta, gamma, delta = self._params()
        t_arr = np.atleast_1d(np.asarray(t, dtype=np.float64))
        lg = np.vectorize(math.lgamma)
        g = lg(gamma + delta) - lg(gamma + delta + t_arr) + lg(1 + delta + t_arr) - math.lgamma(1 + delta)
        out = alpha / (alpha + beta) * delta / (1.0 - gamma) * np.expm1(g)
        return float(out[0]) if np.ndim(t) == 0 else out

    def p_alive_history(self, purchases):
        """P(alive) after each opportunity for one customer, from her 0/1 transaction record.

        Parameters
        ----------
        purchases : array-like of 0/1, one entry per opportunity after the first purchase.

        Returns
        -------
        DataFrame ``periods, frequency, recency, p_alive`` (p_alive = alive at the next opportunity).
        """
        rec = np.asarray(purchases, dtype=np.int64)
        if rec.ndim != 1 or rec.size == 0 or np.any((rec != 0) & (rec != 1)):
            raise ParameterError("purchases must be a non-empty 1-d array of 0/1, one entry per opportunity.",
                                 parameter="purchases", value=purchases)
        n = np.arange(1, rec.size + 1)
        x = np.cumsum(rec)
        last = np.where(rec == 1, n, 0)
        tx = np.maximum.accumulate(last)
        frame = pd.DataFrame({"periods": n, "frequency": x, "recency": tx})
        frame["p_alive"] = self.p_alive(frame).to_numpy()
        return frame

    def simulate(self, periods, seed=None):
        """Draw customers observed for ``periods`` opportunities (int or array of ints).

        Each opportunity: an alive customer drops out with probability theta, else transacts with probability p.
        Returns ``frequency, recency, periods`` and latent ``p_, theta_`` and ``alive`` (alive at opportunity
        n + 1, the event whose probability ``p_alive`` gives).
        """
        alpha, beta, gamma, delta = self._params()
        rng = np.random.default_rng(seed)
        n = np.atleast_1d(np.asarray(periods, dtype=np.int64))
        m = n.size
        p = rng.beta(alpha, beta, size=m)
        theta = rng.beta(gamma, delta, size=m)
        alive = np.ones(m, dtype=bool)
        x = np.zeros(m, dtype=np.int64)
        recency = np.zeros(m, dtype=np.int64)
        for j in range(1, int(n.max(initial=0)) + 1):  # opportunity by opportunity, all customers at once
            observed = j <= n
            alive &= ~(observed & (rng.random(m) < theta))
            buy = alive & observed & (rng.random(m) < p)
            x += buy
            recency[buy] = j
        alive_next = alive & (rng.random(m) >= theta)  # still alive at opportunity n + 1
        return pd.DataFrame({"frequency": x, "recency": recency, "periods": n, "p_": p, "theta_": theta,
                             "alive": alive_next})
