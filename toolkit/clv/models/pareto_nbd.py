"""Pareto/NBD: Poisson purchasing with exponential lifetimes, gamma heterogeneity in both.

Schmittlein, D. C., Morrison, D. G. and Colombo, R. (1987). Counting your customers: who are they and what
will they do next? *Management Science* 33(1), 1-24. Likelihood and predictions as derived in Fader, P. S.,
Hardie, B. G. S. and Lee, K. L. (2005), "A note on deriving the Pareto/NBD model and related expressions",
http://brucehardie.com/notes/009/.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..._kernels import covariates as _ck
from ..._kernels import likelihoods as _lk
from ..._kernels._arrays import readonly
from .base import PurchaseModel, validate_frt
from .covariates import CovariateMixin, dot, kernel_arrays

__all__ = ["ParetoNBD"]


def _f8(values):
    return np.ascontiguousarray(values, dtype=np.float64)


class ParetoNBD(CovariateMixin, PurchaseModel):
    """Pareto/NBD model (Schmittlein, Morrison and Colombo 1987).

    While alive, a customer buys as a Poisson process with rate lambda ~ Gamma(r, alpha); her lifetime is
    exponential with rate mu ~ Gamma(s, beta). ``alpha`` and ``beta`` are rates in the summary's time unit.
    Reads ``frequency, recency, T`` like :class:`~toolkit.clv.models.BetaGeo`.

    The likelihood needs the Gauss hypergeometric function 2F1; the kernel evaluates it in the form (the
    alpha >= beta or alpha < beta case of the Fader-Hardie-Lee note) whose argument lies in [0, 1), where its
    series has only positive terms. The gradient is analytic: the series is differentiated term by term with
    respect to the hypergeometric parameters and argument, then chained through A_0.

    **Covariates** (Fader and Hardie 2007, "Incorporating time-invariant covariates into the Pareto/NBD and
    BG/NBD models"; CLVTools' parametrisation): ``fit(summary, covariates=frame)`` gives customer i
    alpha_i = alpha exp(-g_p' z_i) and beta_i = beta exp(-g_d' z_i), r and s shared. Coefficients are in
    ``params_`` as ``purchase:<column>`` (positive: buys more often) and ``dropout:<column>`` (positive: drops
    out sooner); see :mod:`toolkit.clv.models.covariates` for the encoding.

    Examples
    --------
    >>> model = ParetoNBD().fit(summary, covariates=static[["Gender", "Channel"]])   # doctest: +SKIP
    >>> model.params_["purchase:Channel"]                                            # doctest: +SKIP
    """

    _param_names = ("r", "alpha", "s", "beta")
    _has_gradient = True
    _model_name = "Pareto/NBD"
    _processes = ("purchase", "dropout")

    def fit(self, summary, weights=None, covariates=None, *, purchase_covariates=None, dropout_covariates=None,
            categorical=None, reference=None):
        """Estimate the parameters by maximum likelihood (see :meth:`BaseModel.fit`), optionally with covariates.

        Parameters
        ----------
        summary : pandas.DataFrame
            ``frequency, recency, T`` per customer (``toolkit.customer_summary``), indexed by customer_id.
        weights : str, array-like or None
            See :meth:`toolkit.clv.models.base.BaseModel.fit`.
        covariates : pandas.DataFrame, optional
            Time-invariant covariates indexed by customer_id (a row for every customer of ``summary``;
            extra rows are ignored). Numeric columns are used as they are; categorical ones are one-hot encoded.
        purchase_covariates, dropout_covariates : list of str, optional
            Columns of ``covariates`` that move the purchase rate (alpha_i) and the drop-out rate (beta_i).
            Default: all columns in both. Pass ``[]`` to leave a process without covariates.
        categorical : list of str, optional
            Columns to one-hot encode (columns of pandas ``category`` dtype are encoded anyway).
        reference : dict, optional
            Reference level per categorical column; default its most frequent level (ties: first sorted).

        Raises
        ------
        SchemaError
            A named column is not in ``covariates``, or ``covariates`` is not a DataFrame.
        DataQualityError
            Customers of the summary without covariates, missing / non-finite values, a non-numeric column not
            named in ``categorical``, or a constant column (the message names the column and the count).
        """
        return self._covariate_fit(super().fit, summary, covariates,
                                   {"purchase_covariates": purchase_covariates,
                                    "dropout_covariates": dropout_covariates},
                                   categorical, reference, weights=weights)

    def _prepare(self, summary, covariates=None):
        return (*validate_frt(summary, type(self).__name__), *self._design_columns(summary, covariates))

    def _default_initial(self, data, weights):
        x, tx, T = data[:3]
        mean_x = max(float(np.average(x, weights=weights)), 0.1)
        mean_T = float(np.average(T, weights=weights))
        return np.array([1.0, mean_T / mean_x, 1.0, mean_T])

    def _scales(self, params, data):
        """Each row's alpha_i = alpha exp(-g_p' z_i) and beta_i = beta exp(-g_d' z_i)."""
        alpha = params[1] * np.exp(-self._linear(params, data, "purchase"))
        beta = params[3] * np.exp(-self._linear(params, data, "dropout"))
        return alpha, beta

    def _loglik(self, params, data, weights, grad):
        if not self._uses_covariates:
            x, tx, T = data
            return _lk.pnbd_loglik_grad(_f8(params[:4]), x, tx, T, weights, grad)
        rows, alpha, beta = self._rows(params, data)
        # chain rule: d alpha_i / d alpha = alpha_i / alpha, d alpha_i / d (g_p' z_i) = -alpha_i (beta alike)
        ga = weights * rows[:, 2] * alpha
        gb = weights * rows[:, 4] * beta
        grad[0] = dot(weights, rows[:, 1])
        grad[1] = ga.sum() / params[1]
        grad[2] = dot(weights, rows[:, 3])
        grad[3] = gb.sum() / params[3]
        self._coef_grad(grad, data, "purchase", -ga)
        self._coef_grad(grad, data, "dropout", -gb)
        return dot(weights, rows[:, 0])

    #: per-customer quantities (log r, log alpha_i, log s, log beta_i), see ``CovariateMixin._hessian``
    _row_spec = ((0, None, 0.0), (1, "purchase", -1.0), (2, None, 0.0), (3, "dropout", -1.0))

    def _rows(self, params, data):
        """Per-customer log L_i and its derivatives (``pnbd_rows_loglik``), with each row's alpha_i and beta_i."""
        alpha, beta = self._scales(params, data)
        rows = _ck.pnbd_rows_loglik(float(params[0]), float(params[2]), *kernel_arrays(alpha, beta, *data[:3]),
                                    np.empty((len(alpha), 5)))
        return rows, alpha, beta

    def _row_log_grads(self, params, data):
        rows, alpha, beta = self._rows(params, data)
        return [rows[:, 1] * params[0], rows[:, 2] * alpha, rows[:, 3] * params[2], rows[:, 4] * beta]

    _compress_p_alive = False  # the kernels cache the hypergeometric parts by (frequency, time)
    _compress_conditional = False

    def _p_alive_arrays(self, data):
        if self._uses_covariates:
            params = self._params()
            alpha, beta = self._scales(params, data)
            return _ck.pnbd_rows_p_alive(float(params[0]), float(params[2]), *kernel_arrays(alpha, beta, *data[:3]),
                                         np.empty(len(data[0])))
        x, tx, T = map(readonly, data)  # inputs read-only whatever their origin: one compiled version
        return _lk.pnbd_p_alive(self._params(), x, tx, T, np.empty(len(x)))

    def _cond_exp_arrays(self, t, data):
        if self._uses_covariates:
            params = self._params()
            alpha, beta = self._scales(params, data)
            return _ck.pnbd_rows_conditional_expected(float(params[0]), float(params[2]),
                                                      *kernel_arrays(alpha, beta, t, *data[:3]),
                                                      np.empty(len(data[0])))
        x, tx, T = map(readonly, data)
        return _lk.pnbd_conditional_expected(self._params(), readonly(t), x, tx, T, np.empty(len(x)))

    def expected_purchases_new_customer(self, t):
        """E[X(t)] = r beta / (alpha (s - 1)) [1 - (beta / (beta + t))^(s-1)] (the note, Section 4).

        Evaluated with expm1 so that s < 1 and s close to 1 are exact. ``t`` float or array, model time unit.
        """
        self._check_horizon(t)
        self._no_covariates("expected_purchases_new_customer")
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
        self._no_covariates("simulate")
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
