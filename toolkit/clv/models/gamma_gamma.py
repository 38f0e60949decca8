"""Gamma-Gamma model of spend per transaction.

Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). RFM and CLV: using iso-value curves for customer base
analysis. *Journal of Marketing Research* 42(4), 415-430 (building on Colombo and Jiang 1999).
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from ..._kernels import covariates as _ck
from ..._kernels import likelihoods as _lk
from ...errors import DataQualityWarning, ParameterError
from .base import BaseModel, check_rule, require_columns
from .covariates import CovariateMixin, dot, kernel_arrays

__all__ = ["GammaGamma"]


def _f8(values):
    return np.ascontiguousarray(values, dtype=np.float64)


class GammaGamma(CovariateMixin, BaseModel):
    """Gamma-Gamma spend model (Fader, Hardie and Lee 2005, "RFM and CLV").

    Each transaction of a customer is Gamma(p, nu) distributed; across customers nu ~ Gamma(q, gamma). The
    observed mean spend ``monetary_value`` over ``frequency`` repeat transactions is the data.

    Reads ``frequency`` and ``monetary_value`` of ``toolkit.customer_summary``. Customers with
    ``frequency == 0`` carry no spend information and are left out of the fit (their number is in
    ``fit_notes_``); for prediction they get the population mean.

    The model assumes spend and purchase frequency are independent; ``frequency_spend_correlation_`` (Pearson,
    among customers with repeat purchases) is stored after the fit so you can check it (|rho| above ~0.3 is
    a warning sign).

    **Covariates** (Fader and Hardie 2013, "The Gamma-Gamma model of monetary value", with the log-linear
    link of Fader and Hardie 2007): ``fit(summary, covariates=frame)`` gives customer i the scale
    gamma_i = gamma exp(g_s' z_i), p and q shared; her population mean spend gamma_i p / (q - 1) rises with a
    positive ``spend:<column>`` coefficient.
    """

    _param_names = ("p", "q", "gamma")
    _columns = ("frequency", "monetary_value")
    _has_gradient = True
    _model_name = "Gamma-Gamma"
    _processes = ("spend",)
    _n_data = 2

    def _prepare(self, summary, for_fit=True, covariates=None):
        name = type(self).__name__
        design = self._design_columns(summary, covariates)
        x, m = require_columns(summary, self._columns, name)
        check_rule((x >= 0) & (x == np.round(x)), summary, f"{name}: frequency must be a whole number >= 0",
                   "frequency")
        check_rule((x == 0) | (m > 0), summary,
                   f"{name}: monetary_value must be > 0 for customers with repeat purchases (check zero or "
                   "negative amounts, e.g. returns, in the transactions)", "monetary_value")
        if for_fit:
            keep = x > 0
            self._n_dropped = int((~keep).sum())
            self._correlation = float(np.corrcoef(x[keep], m[keep])[0, 1]) if keep.sum() > 2 else np.nan
            return (_f8(x[keep]), _f8(m[keep]), *[_f8(z[keep]) for z in design])
        return (x, m, *design)

    def fit(self, summary, weights=None, covariates=None, *, spend_covariates=None, categorical=None,
            reference=None):
        """Fit on the customers with ``frequency > 0`` (see the class docstring); returns self.

        ``covariates`` (a DataFrame indexed by customer_id), ``spend_covariates`` (its columns that move
        gamma_i; default all), ``categorical`` and ``reference``: as in :meth:`toolkit.clv.models.ParetoNBD.fit`;
        the coefficients are ``spend:<column>`` in ``params_``.
        """
        if weights is not None:
            x_all = require_columns(summary, ("frequency",), type(self).__name__)[0]
            w_all = summary[weights].to_numpy(float) if isinstance(weights, str) else np.asarray(weights, float)
            weights = w_all[x_all > 0]
        self._covariate_fit(super().fit, summary, covariates, {"spend_covariates": spend_covariates}, categorical,
                            reference, weights=weights)
        if self._n_dropped:
            self.fit_notes_.append(f"{self._n_dropped} customers without repeat purchases were left out "
                                   "(no spend information).")
        self.frequency_spend_correlation_ = self._correlation
        q = float(self.params_["q"])
        if q <= 1.0:
            msg = (f"Gamma-Gamma fitted q = {q:.3g} <= 1: spend is so heavy-tailed that the model's mean spend is "
                   "infinite (a few very large baskets? check the amounts for outliers, or cap them). Expected "
                   "spend is infinite, not a number, for customers with p * frequency + q <= 1 and for new "
                   "customers.")
            warnings.warn(msg, DataQualityWarning, stacklevel=2)
            self.fit_notes_.append(msg)
        if np.isfinite(self._correlation) and abs(self._correlation) > 0.3:
            msg = (f"Gamma-Gamma assumes spend is independent of purchase frequency, but their correlation is "
                   f"{self._correlation:.2f}: expected spend may be biased.")
            warnings.warn(msg, DataQualityWarning, stacklevel=2)
            self.fit_notes_.append(msg)
        return self

    def _prepare_predict(self, summary, covariates=None):
        return self._prepare(summary, for_fit=False, covariates=covariates)

    def _default_initial(self, data, weights):
        x, m = data[:2]
        mean_m = float(np.average(m, weights=weights))
        return np.array([1.0, 2.0, mean_m])

    def _loglik(self, params, data, weights, grad):
        if not self._uses_covariates:
            x, m = data
            return _lk.gg_loglik(_f8(params), x, m, weights, grad)
        rows, gamma = self._rows(params, data)
        gg = weights * rows[:, 3] * gamma  # d LL / d (g_s' z_i)
        grad[0] = dot(weights, rows[:, 1])
        grad[1] = dot(weights, rows[:, 2])
        grad[2] = gg.sum() / params[2]
        self._coef_grad(grad, data, "spend", gg)
        return dot(weights, rows[:, 0])

    #: per-customer quantities (log p, log q, log gamma_i), see ``CovariateMixin._hessian``
    _row_spec = ((0, None, 0.0), (1, None, 0.0), (2, "spend", 1.0))

    def _rows(self, params, data):
        """Per-customer log f_i and its derivatives (``gg_rows_loglik``), with each row's gamma_i."""
        gamma = params[2] * np.exp(self._linear(params, data, "spend"))
        rows = _ck.gg_rows_loglik(float(params[0]), float(params[1]), *kernel_arrays(gamma, *data[:2]),
                                  np.empty((len(gamma), 4)))
        return rows, gamma

    def _row_log_grads(self, params, data):
        rows, gamma = self._rows(params, data)
        return [rows[:, 1] * params[0], rows[:, 2] * params[1], rows[:, 3] * gamma]

    def expected_spend(self, summary, covariates=None):
        """Conditional expected spend per transaction of each customer.

        E[M | p, q, gamma, x, m] = (q - 1)/(px + q - 1) * gamma p/(q - 1) + px/(px + q - 1) * m, a weighted
        average of the population mean and her own mean; customers with ``frequency == 0`` get the population
        mean gamma p/(q - 1). Where p x + q <= 1 (a fitted q <= 1, on heavy-tailed spend) the expectation does
        not exist: the value is ``inf`` with a ``DataQualityWarning``, never a negative spend. Series ``expected_spend`` aligned with ``summary``.

        With covariates each customer has her own gamma_i (``covariates``: as in
        :meth:`toolkit.clv.models.ParetoNBD.p_alive`; default the frame given at fit).
        """
        self._check_fitted()
        p, q, g = self.params_.to_numpy()[:3]
        data = self._prepare(summary, for_fit=False, covariates=covariates)
        x, m = data[:2]
        if self._uses_covariates:
            g = g * np.exp(self._linear(self.params_.to_numpy(), data, "spend"))
        m = np.where(x > 0, m, 0.0)
        denominator = p * x + q - 1.0
        # the posterior mean of 1/nu exists only while p x + q > 1; beyond, it is infinite (never negative)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(denominator > 0.0, (g + x * m) * p / denominator, np.inf)
        infinite = int(np.count_nonzero(denominator <= 0.0))
        if infinite:
            warnings.warn(f"Gamma-Gamma: expected spend is infinite for {infinite} customer(s) because "
                          f"p * frequency + q <= 1 (p = {p:.3g}, q = {q:.3g}): the fitted spend distribution has "
                          "no mean for them. Check the amounts for outliers.", DataQualityWarning, stacklevel=2)
        return pd.Series(out, index=summary.index, name="expected_spend")

    def expected_spend_new_customer(self):
        """Population mean spend per transaction gamma p / (q - 1) (infinite when q <= 1)."""
        self._check_fitted()
        self._no_covariates("expected_spend_new_customer")
        p, q, g = self.params_.to_numpy()
        return float(g * p / (q - 1.0)) if q > 1 else float("inf")

    def simulate(self, frequency, seed=None):
        """Draw mean spends for customers with the given ``frequency`` (> 0): nu ~ Gamma(q, gamma), the mean of
        x transactions ~ Gamma(p x, x nu). Returns ``frequency, monetary_value, nu_``."""
        self._check_fitted()
        self._no_covariates("simulate")
        p, q, g = self.params_.to_numpy()
        rng = np.random.default_rng(seed)
        x = np.asarray(frequency, dtype=np.float64)
        if np.any(x <= 0):
            raise ParameterError("simulate needs frequency > 0 for every customer.",
                                 parameter="frequency", value=frequency)
        nu = rng.gamma(q, 1.0 / g, size=x.size)
        mean = rng.gamma(p * x, 1.0 / (x * nu))
        return pd.DataFrame({"frequency": x.astype(np.int64), "monetary_value": mean, "nu_": nu})
