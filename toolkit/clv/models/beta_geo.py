"""BG/NBD: beta-geometric / negative binomial distribution model of repeat purchasing.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers" the easy way: an alternative
to the Pareto/NBD model. *Marketing Science* 24(2), 275-284.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._kernels import covariates as _ck
from ..._kernels import likelihoods as _lk
from ..._kernels._arrays import readonly
from .base import PurchaseModel, _numeric_columns, validate_frt
from .covariates import CovariateMixin, dot, kernel_arrays

__all__ = ["BetaGeo"]


def _f8(values):
    return np.ascontiguousarray(values, dtype=np.float64)


class BetaGeo(CovariateMixin, PurchaseModel):
    """BG/NBD model (Fader, Hardie and Lee 2005).

    While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha) (alpha is a rate, in
    the summary's time unit); after each repeat purchase she drops out with probability p ~ Beta(a, b).

    Fitting reads the columns ``frequency`` (repeat purchase days), ``recency`` (time of the last purchase
    since the first) and ``T`` (time from the first purchase to the end of calibration) of
    ``toolkit.customer_summary``; all times are in one unit (the summary's ``time_unit``), which is also the
    unit of ``alpha`` and of every horizon ``t`` you pass to a prediction.

    **Covariates** (Fader and Hardie 2007, "Incorporating time-invariant covariates into the Pareto/NBD and
    BG/NBD models"; CLVTools' parametrisation): ``fit(summary, covariates=frame)`` gives customer i
    alpha_i = alpha exp(-g_p' z_i), a_i = a exp(g_d' z_i) and b_i = b exp(g_d' z_i), r shared; coefficients
    ``purchase:<column>`` and ``dropout:<column>`` in ``params_`` (see :mod:`toolkit.clv.models.covariates`).

    Parameters
    ----------
    penalizer, initial_params, tol, max_iter
        See :class:`toolkit.clv.models.base.BaseModel`.

    Examples
    --------
    >>> model = BetaGeo().fit(summary)                        # doctest: +SKIP
    >>> model.params_                                         # doctest: +SKIP
    r        0.243
    alpha    4.414
    a        0.793
    b        2.426
    >>> model.conditional_expected_purchases(summary, t=39)  # doctest: +SKIP
    """

    _param_names = ("r", "alpha", "a", "b")
    _has_gradient = True
    _model_name = "BG/NBD"
    _modified = False
    _compress_conditional = False  # the kernel caches the hypergeometric part by (frequency, T, t)
    _processes = ("purchase", "dropout")

    def fit(self, summary, weights=None, covariates=None, *, purchase_covariates=None, dropout_covariates=None,
            categorical=None, reference=None):
        """Estimate the parameters by maximum likelihood, optionally with covariates.

        The arguments are those of :meth:`toolkit.clv.models.ParetoNBD.fit`: ``covariates`` a DataFrame indexed
        by customer_id; ``purchase_covariates`` move alpha_i, ``dropout_covariates`` move a_i and b_i (default:
        every column in both); ``categorical`` columns are one-hot encoded against ``reference`` levels.
        """
        return self._covariate_fit(super().fit, summary, covariates,
                                   {"purchase_covariates": purchase_covariates,
                                    "dropout_covariates": dropout_covariates},
                                   categorical, reference, weights=weights)

    def _prepare(self, summary, covariates=None):
        return (*validate_frt(summary, type(self).__name__), *self._design_columns(summary, covariates))

    def _scales(self, params, data):
        """Each row's alpha_i = alpha exp(-g_p' z_i), a_i = a exp(g_d' z_i), b_i = b exp(g_d' z_i)."""
        alpha = params[1] * np.exp(-self._linear(params, data, "purchase"))
        factor = np.exp(self._linear(params, data, "dropout"))
        return alpha, params[2] * factor, params[3] * factor

    def _default_initial(self, data, weights):
        x, tx, T = data[:3]
        # rate of a typical buyer: alpha ~ mean age / mean purchases keeps the start on the data's time scale
        mean_x = max(float(np.average(x, weights=weights)), 0.1)
        mean_T = float(np.average(T, weights=weights))
        return np.array([1.0, mean_T / mean_x, 1.0, 1.0])

    def _loglik(self, params, data, weights, grad):
        if not self._uses_covariates:
            x, tx, T = data
            return _lk.bgnbd_loglik(_f8(params), x, tx, T, weights, self._modified, grad)
        rows, alpha, a, b = self._rows(params, data)
        # chain rule: d alpha_i / d (g_p' z_i) = -alpha_i; a_i and b_i both scale with exp(g_d' z_i)
        ga = weights * rows[:, 2] * alpha
        gd_a = weights * rows[:, 3] * a
        gd_b = weights * rows[:, 4] * b
        grad[0] = dot(weights, rows[:, 1])
        grad[1] = ga.sum() / params[1]
        grad[2] = gd_a.sum() / params[2]
        grad[3] = gd_b.sum() / params[3]
        self._coef_grad(grad, data, "purchase", -ga)
        self._coef_grad(grad, data, "dropout", gd_a + gd_b)
        return dot(weights, rows[:, 0])

    #: per-customer quantities (log r, log alpha_i, log a_i, log b_i), see ``CovariateMixin._hessian``
    _row_spec = ((0, None, 0.0), (1, "purchase", -1.0), (2, "dropout", 1.0), (3, "dropout", 1.0))

    def _rows(self, params, data):
        """Per-customer log L_i and its derivatives (``bgnbd_rows_loglik``), with each row's alpha_i, a_i, b_i."""
        alpha, a, b = self._scales(params, data)
        rows = _ck.bgnbd_rows_loglik(float(params[0]), *kernel_arrays(alpha, a, b, *data[:3]), self._modified,
                                     np.empty((len(alpha), 5)))
        return rows, alpha, a, b

    def _row_log_grads(self, params, data):
        rows, alpha, a, b = self._rows(params, data)
        return [rows[:, 1] * params[0], rows[:, 2] * alpha, rows[:, 3] * a, rows[:, 4] * b]

    # ------------------------------------------------------------------------------------------------------
    # predictions
    # ------------------------------------------------------------------------------------------------------
    def p_alive(self, summary, covariates=None):
        """Probability that each customer is still alive at the end of her observation (her ``T``).

        Returns a Series ``p_alive`` aligned with ``summary``. For BG/NBD a customer with no repeat purchase
        has P(alive) = 1 (drop-out happens only after a purchase); MBG/NBD lifts that. ``covariates``: for a
        model fitted with covariates, each customer's (default: those given at fit, by customer_id).
        """
        if self._uses_covariates or covariates is not None:
            return super().p_alive(summary, covariates=covariates)
        # One pass reads the columns as they are (int64 frequency without a float copy), checks the data rules
        # and computes; only when a rule is broken does the general validation run (to raise with the
        # offending rows and the fix).
        name = type(self).__name__
        self._check_fitted()
        self._check_unit(summary, "p_alive")
        x, tx, T = _numeric_columns(summary, self._columns, name, keep_int=True)  # read-only views
        out = np.empty(len(x))
        if _lk.bgnbd_p_alive(self._params(), x, tx, T, self._modified, out):
            out = self._p_alive_arrays(validate_frt(summary, name))  # a broken rule raises here
        return pd.Series(out, index=summary.index, name="p_alive", copy=False)

    def _p_alive_arrays(self, data):
        if self._uses_covariates:
            params = self._params()
            return _ck.bgnbd_rows_p_alive(float(params[0]), *kernel_arrays(*self._scales(params, data), *data[:3]),
                                          self._modified, np.empty(len(data[0])))
        x, tx, T = map(readonly, data)  # inputs read-only whatever their origin: one compiled version
        out = np.empty(len(x))
        _lk.bgnbd_p_alive(self._params(), x, tx, T, self._modified, out)
        return out

    def _cond_exp_arrays(self, t, data):
        """E[Y(t) | x, t_x, T]: [FHL05a] conditional expectation (BG/NBD) or its MBG/NBD form."""
        if self._uses_covariates:
            params = self._params()
            return _ck.bgnbd_rows_conditional_expected(float(params[0]),
                                                       *kernel_arrays(*self._scales(params, data), t, *data[:3]),
                                                       self._modified, np.empty(len(data[0])))
        x, tx, T = map(readonly, data)
        return _lk.bgnbd_conditional_expected(self._params(), readonly(t), x, tx, T, self._modified, np.empty(len(x)))

    def expected_purchases_new_customer(self, t):
        """E[X(t)]: expected repeat purchases in the first ``t`` time units of a customer just acquired.

        ``t`` is a float (returns a float) or an array (returns an array), in the model's time unit, >= 0.
        """
        self._check_horizon(t)
        self._no_covariates("expected_purchases_new_customer")
        t_arr = np.atleast_1d(np.asarray(t, dtype=np.float64))
        out = _lk.bgnbd_expected_new(self._params(), readonly(_f8(t_arr.ravel())), self._modified, np.empty(t_arr.size))
        return float(out[0]) if np.ndim(t) == 0 else out.reshape(t_arr.shape)

    # ------------------------------------------------------------------------------------------------------
    # simulation
    # ------------------------------------------------------------------------------------------------------
    def simulate(self, T, seed=None):
        """Draw customers from the fitted process.

        Parameters
        ----------
        T : array-like of float
            Observation length of each simulated customer (time from first purchase to the end), model time unit.
        seed : int, numpy.random.Generator or None

        Returns
        -------
        pandas.DataFrame with ``frequency, recency, T`` and the latent ``lambda_``, ``p_`` and ``alive``
        (alive at T).

        Notes
        -----
        Given lambda and p, the number of repeat purchases before drop-out K is geometric (K >= 1 for BG/NBD:
        the customer drops out right after her K-th repeat purchase; K >= 0 for MBG/NBD, which can also drop out
        at time 0). The number of Poisson events in (0, T] is N ~ Poisson(lambda T); she makes x = min(N, K)
        observable repeat purchases, and the time of the x-th is T times the x-th order statistic of N uniforms,
        i.e. T * Beta(x, N - x + 1).
        """
        self._no_covariates("simulate")
        r, alpha, a, b = self._params()
        rng = np.random.default_rng(seed)
        T = np.asarray(T, dtype=np.float64)
        n = T.size
        lam = rng.gamma(r, 1.0 / alpha, size=n)
        p = rng.beta(a, b, size=n)
        N = rng.poisson(lam * T)
        K = rng.geometric(np.clip(p, 1e-300, 1.0))  # support 1, 2, ...
        if self._modified:
            K = K - 1
        x = np.minimum(N, K)
        recency = np.zeros(n)
        pos = x > 0
        recency[pos] = T[pos] * rng.beta(x[pos], N[pos] - x[pos] + 1)
        return pd.DataFrame({"frequency": x.astype(np.int64), "recency": recency, "T": T,
                             "lambda_": lam, "p_": p, "alive": N < K})
