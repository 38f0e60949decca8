"""Pareto/NBD: Poisson purchasing with exponential lifetimes, gamma heterogeneity in both.

Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your customers: who are they and what
will they do next? *Management Science* 33(1), 1-24. Likelihood and predictions as derived in Fader, P. S.,
Hardie, B. G. S. and Lee, K. L. (2005), "A note on deriving the Pareto/NBD model and related expressions",
http://brucehardie.com/notes/009/.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._kernels import likelihoods as _lk
from ..._kernels._arrays import readonly
from .base import PurchaseModel

__all__ = ["ParetoNBD"]


def _f8(values):
    return np.ascontiguousarray(values, dtype=np.float64)


class ParetoNBD(PurchaseModel):
    """Pareto/NBD model (Schmittlein, Morrison and Colombo 1987).

    While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her lifetime is
    exponential with rate mu ~ Gamma(s, beta). ``alpha`` and ``beta`` are rates in the summary's time unit.
    Reads ``frequency, recency, T`` like :class:`~toolkit.clv.models.BetaGeo`.

    The likelihood needs the Gauss hypergeometric function 2F1; the kernel evaluates it in the form (the
    alpha >= beta or alpha < beta case of the Fader-Hardie-Lee note) whose argument lies in [0, 1), where its
    series has only positive terms. The gradient is analytic: the series is differentiated term by term with
    respect to the hypergeometric parameters and argument, then chained through A_0.
    """

    _param_names = ("r", "alpha", "s", "beta")
    _has_gradient = True
    _model_name = "Pareto/NBD"

    def _default_initial(self, data, weights):
        x, tx, T = data
        mean_x = max(float(np.average(x, weights=weights)), 0.1)
        mean_T = float(np.average(T, weights=weights))
        return np.array([1.0, mean_T / mean_x, 1.0, mean_T])

    def _loglik(self, params, data, weights, grad):
        x, tx, T = data
        return _lk.pnbd_loglik_grad(_f8(params), x, tx, T, weights, grad)

    _compress_p_alive = False  # the kernels cache the hypergeometric parts by (frequency, time)
    _compress_conditional = False

    def _p_alive_arrays(self, data):
        x, tx, T = map(readonly, data)  # inputs read-only whatever their origin: one compiled version
        return _lk.pnbd_p_alive(self._params(), x, tx, T, np.empty(len(x)))

    def _cond_exp_arrays(self, t, data):
        x, tx, T = map(readonly, data)
        return _lk.pnbd_conditional_expected(self._params(), readonly(t), x, tx, T, np.empty(len(x)))

    def expected_purchases_new_customer(self, t):
        """E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s-1)] (the note, Section 4).

        Evaluated with expm1 so that s < 1 and s close to 1 are exact. ``t`` float or array, model time unit.
        """
        self._check_horizon(t)
        r, alpha, s, beta = self._params()
        t_arr = np.asarray(t, dtype=np.float64)
        log_u = np.log(beta / (beta + t_arr))
        if abs(s - 1.0) < 1e-10:
            factor = -log_u
        else:
            factor = -np.expm1((s - 1.0) * log_u) / (s - 1.0)
        out = r * beta / alpha * factor
        return float(out) if np.ndim(t) == 0 else out

    def simulate(self, T, seed=None):
        """Draw customers: lambda ~ Gamma(r, alpha), lifetime ~ Exp(mu), mu ~ Gamma(s, beta).

        Returns ``frequency, recency, T`` and latent ``lambda_, mu_, lifetime_, alive``. With tau = min(lifetime,
        T), x ~ Poisson(lambda tau) and the last purchase is at tau times the largest of x uniforms.
        """
        r, alpha, s, beta = self._params()
        rng = np.random.default_rng(seed)
        T = np.asarray(T, dtype=np.float64)
        n = T.size
        lam = rng.gamma(r, 1.0 / alpha, size=n)
        mu = rng.gamma(s, 1.0 / beta, size=n)
        life = rng.exponential(1.0, size=n) / mu
        tau = np.minimum(life, T)
        x = rng.poisson(lam * tau)
        recency = np.zeros(n)
        pos = x > 0
        recency[pos] = tau[pos] * rng.beta(x[pos], 1.0)
        return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": T,
                             "lambda_": lam, "mu_": mu, "lifetime_": life, "alive": life > T})
