"""Shared machinery of the probabilistic CLV models: validation, compression, optimisation, standard errors, display.

A model subclass supplies its parameter names, the summary columns it reads, starting values and a
log-likelihood kernel from :mod:`toolkit._kernels.likelihoods` (with an analytic gradient where one exists).
Everything else (fitting on the log scale with L-BFGS-B, the Hessian, AIC/BIC, the summary table, checks that
say what to try when a fit fails) lives here, once.
"""

from __future__ import annotations

import html
import math
import warnings

import numpy as np
import pandas as pd
from scipy import optimize

from ..._kernels._arrays import readonly
from ..._validate import check_int, check_number, check_time_unit
from ...errors import (
    ConvergenceError,
    ConvergenceWarning,
    DataQualityError,
    NotFittedError,
    ParameterError,
    SchemaError,
)
from ...i18n import localize, tr
from .. import _common

__all__ = ["BaseModel", "compress_rows"]

#: Parameters live on the log scale within these bounds (about 3e-7 .. 3e6). A parameter that ends within
#: ``_BOUND_TOL`` of a bound is reported as "at a bound" (the likelihood wants it at 0 or infinity).
_LOG_BOUND = 15.0
_BOUND_TOL = 1e-3
_Z95 = 1.959963984540054
#: A parameter is "barely determined" (not identified in practice) when the standard error of its logarithm
#: exceeds this: its 95% interval then spans more than a factor of exp(2 x 1.96 x 2) ~ 2,500, i.e. the data
#: cannot tell the estimate from one three orders of magnitude larger or smaller. On the log scale this is the
#: relative standard error of the parameter itself (delta method: se(theta) / theta = se(log theta)).
MAX_LOG_SE = 2.0


def compress_rows(columns, weights=None):
    """Collapse identical rows into unique patterns with summed weights.

    Parameters
    ----------
    columns : sequence of 1-d float arrays of equal length
        The columns that define a pattern (for example frequency, recency, T).
    weights : 1-d array or None
        Weight of each row (1 when None).

    Returns
    -------
    patterns : list of float64 arrays, one per column, one entry per unique pattern
    pattern_weights : float64 array
    inverse : int64 array, the pattern of each input row
    """
    cols = [np.asarray(c, dtype=np.float64) for c in columns]
    n = len(cols[0])
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    if n == 0:
        return [c.copy() for c in cols], np.zeros(0), np.zeros(0, dtype=np.int64)
    # hash each column, combine the codes into one integer key, hash the key (no sorting)
    codes = np.zeros(n, dtype=np.int64)
    span = 1
    for c in cols:
        ci, uniques = pd.factorize(c, use_na_sentinel=False)
        size = max(len(uniques), 1)
        if span * size >= 2 ** 62:  # re-factorize the key so far to keep it small
            codes, keys = pd.factorize(codes)
            span = max(len(keys), 1)
        codes = codes * size + ci
        span *= size
    if span <= max(4 * n, 1 << 20):  # dense relabelling in O(n + span), no hashing
        present = np.zeros(span, dtype=np.int64)
        present[codes] = 1
        codes = (np.cumsum(present) - 1)[codes]
    else:
        codes = pd.factorize(codes)[0]
    k = int(codes.max()) + 1
    first = np.empty(k, dtype=np.int64)
    first[codes[::-1]] = np.arange(n - 1, -1, -1)
    pattern_weights = np.bincount(codes, weights=w, minlength=k)
    patterns = [np.ascontiguousarray(c[first]) for c in cols]
    return patterns, pattern_weights, codes.astype(np.int64)


class BaseModel:
    """Base class of the BTYD models: maximum likelihood on the log scale, Hessian standard errors, display.

    Parameters
    ----------
    penalizer : float, default 0.0
        Coefficient of an L2 penalty ``penalizer * sum(log(params)**2)`` per customer, added to the negative
        mean log-likelihood. It pulls parameters towards 1 and helps when a fit drifts to a bound (small or
        degenerate data). With a penalty the estimates are no longer maximum likelihood.
    initial_params : dict or None
        Starting values by parameter name; the model's defaults otherwise.
    tol : float, default 1e-10
        Convergence tolerance of L-BFGS-B (``ftol`` and ``gtol`` on the per-customer objective).
    max_iter : int, default 2000
        Iteration limit of the optimiser.

    Attributes (after ``fit``)
    --------------------------
    params_ : pandas.Series        estimates by name
    log_likelihood_ : float        maximised log-likelihood (full, with all constants)
    standard_errors_ : pandas.Series   delta-method standard errors from the Hessian
    confidence_intervals_ : pandas.DataFrame   95% intervals (``lower``, ``upper``), computed on the log scale
    covariance_ : pandas.DataFrame  covariance of the estimates (delta method)
    aic_, bic_ : float
    n_customers_, n_patterns_ : int / float   rows used (sum of weights) and unique patterns fitted
    converged_ : bool
    fit_notes_ : list of str       plain-language notes from the fit (bounds, Hessian, retries)
    identified_ : bool             the data pin down every parameter (see :attr:`identified_`)
    diagnostics : pandas.DataFrame per-parameter identification table (see :attr:`diagnostics`)
    """

    _param_names: tuple = ()
    _columns: tuple = ()
    _has_gradient = False
    _model_name = "model"

    def __init__(self, penalizer=0.0, initial_params=None, tol=1e-10, max_iter=2000):
        self.penalizer = penalizer
        self.initial_params = initial_params
        self.tol = tol
        self.max_iter = max_iter

    # ------------------------------------------------------------------------------------------------------
    # to implement in subclasses
    # ------------------------------------------------------------------------------------------------------
    def _prepare(self, summary):
        """Validate ``summary`` and return the data columns (float64 arrays) the likelihood needs."""
        raise NotImplementedError

    def _loglik(self, params, data, weights, grad):
        """Weighted log-likelihood; fill ``grad`` (natural parameters) when the model has a gradient."""
        raise NotImplementedError

    def _default_initial(self, data, weights):
        return np.ones(len(self._param_names))

    #: True for a model fitted with covariates (``toolkit.clv.models.covariates``)
    _uses_covariates = False

    def _prepare_predict(self, summary, covariates=None):
        """The data columns for a prediction; ``covariates`` only for a model fitted with covariates."""
        if covariates is not None:
            raise ParameterError(f"This {type(self).__name__} was fitted without covariates; do not pass "
                                 "covariates=.", parameter="covariates", value=type(covariates).__name__)
        return self._prepare(summary)

    # ------------------------------------------------------------------------------------------------------
    # the optimiser's scale: model parameters (positive) on the log scale, covariate coefficients as they are
    # ------------------------------------------------------------------------------------------------------
    def _log_mask(self):
        """True for the parameters fitted on the log scale (the model's own), False for covariate coefficients.

        The model's parameters come first in ``_param_names``; a covariate fit appends its coefficients
        (``toolkit.clv.models.covariates``), which are real numbers and are optimised as they are.
        """
        return np.arange(len(self._param_names)) < len(type(self)._param_names)

    def _natural(self, phi):
        """Parameters from the optimiser's vector: exp for the model's own, identity for coefficients."""
        mask = self._log_mask()
        return np.where(mask, np.exp(np.where(mask, phi, 0.0)), phi)

    def _unconstrained(self, params):
        """The optimiser's vector from parameters (inverse of :meth:`_natural`)."""
        mask = self._log_mask()
        params = np.asarray(params, dtype=np.float64)
        return np.where(mask, np.log(np.where(mask, params, 1.0)), params)

    def _bounds(self):
        """Bounds of the optimiser's vector: +-_LOG_BOUND on the log scale, none for coefficients."""
        lo = np.where(self._log_mask(), -_LOG_BOUND, -np.inf)
        return lo, -lo

    # ------------------------------------------------------------------------------------------------------
    # construction from known parameters
    # ------------------------------------------------------------------------------------------------------
    @classmethod
    def from_params(cls, time_unit=None, **params):
        """A model with the given parameters, ready to predict and simulate (no data, no standard errors).

        Examples
        --------
        >>> from toolkit.clv.models import BetaGeo
        >>> float(BetaGeo.from_params(r=0.243, alpha=4.414, a=0.793, b=2.426).params_["a"])
        0.793
        """
        missing = [p for p in cls._param_names if p not in params]
        extra = [p for p in params if p not in cls._param_names]
        if missing or extra:
            raise ParameterError(f"{cls.__name__} needs exactly the parameters {list(cls._param_names)}; "
                                 f"missing {missing}, unexpected {extra}.", parameter="params", value=params)
        if time_unit is not None and time_unit not in ("D", "W", "M"):
            raise SchemaError(f"time_unit must be one of 'D', 'W', 'M' or None, got {time_unit!r}.")
        values = np.array([float(params[p]) for p in cls._param_names])
        if not np.all(np.isfinite(values) & (values > 0)):
            raise ParameterError(f"All parameters of {cls.__name__} must be positive and finite, got {params}.",
                                 parameter="params", value=params)
        model = cls()
        model.params_ = pd.Series(values, index=list(cls._param_names), name="coef")
        nan = pd.Series(np.nan, index=list(cls._param_names))
        model.standard_errors_ = nan.rename("se")
        model.confidence_intervals_ = pd.DataFrame({"lower": nan, "upper": nan})
        model.covariance_ = pd.DataFrame(np.nan, index=nan.index, columns=nan.index)
        model.log_likelihood_ = np.nan
        model.aic_ = np.nan
        model.bic_ = np.nan
        model.n_customers_ = 0
        model.n_patterns_ = 0
        model.converged_ = True
        model.fit_notes_ = ["Parameters were given, not estimated."]
        model.optimizer_result_ = None
        model.parameters_at_bound_ = []
        model.poorly_determined_ = []
        model.time_unit_ = time_unit
        return model

    # ------------------------------------------------------------------------------------------------------
    # fitting
    # ------------------------------------------------------------------------------------------------------
    def fit(self, summary, weights=None):
        """Estimate the parameters by maximum likelihood.

        Parameters
        ----------
        summary : pandas.DataFrame
            One row per customer (or per pattern when ``weights`` is given) with the columns the model reads
            (see the class docstring), as produced by ``toolkit.customer_summary``.
        weights : str, array-like or None
            Number of customers each row stands for: a column name of ``summary`` or an array. Rows with
            identical data are compressed into weighted patterns in any case.

        Returns
        -------
        self

        Raises
        ------
        SchemaError
            A required column is missing.
        DataQualityError
            Values break the model's data rules (negative counts, recency > T, ...).
        ConvergenceError
            The optimiser failed from two starting points; the message lists what to try.
        """
        self._check_settings()
        data = self._prepare(summary)
        w = self._weights(summary, weights, len(data[0]))
        self._check_identifiable(summary, data, w)
        patterns, pattern_w, _ = compress_rows(data, w)
        self._memo = {}
        try:
            return self._fit_patterns(summary, patterns, pattern_w)
        finally:
            del self._memo

    def _check_settings(self):
        """Validate the constructor settings at fit (scikit-learn convention), naming each one."""
        check_number("penalizer", self.penalizer, low=0.0,
                     hint="It is the weight of an L2 penalty; 0 (none) or a small value such as 0.001.")
        check_number("tol", self.tol, low=0.0, inclusive="neither", hint="For example tol=1e-10.")
        check_int("max_iter", self.max_iter, low=1, hint="For example max_iter=2000.")
        if self.initial_params:
            unknown = [k for k in self.initial_params if k not in self._param_names]
            if unknown:
                raise SchemaError(f"initial_params has unknown name(s) {unknown}; {type(self).__name__} has "
                                  f"{list(self._param_names)}.")
            for k, v in self.initial_params.items():
                if k in type(self)._param_names:
                    check_number(f"initial_params[{k!r}]", v, low=0.0, inclusive="neither",
                                 hint="Model parameters are positive.")
                else:  # a covariate coefficient: any real number
                    check_number(f"initial_params[{k!r}]", v, hint="Coefficients are finite numbers.")

    def _check_identifiable(self, summary, data, weights):
        """Hook: raise when the data cannot identify the model at all (before any optimisation)."""

    def _check_unit(self, summary, where):
        """Refuse a summary in another time unit than the one the model was fitted in (see ``time_unit_``)."""
        check_time_unit(self, summary, f"{type(self).__name__}.{where}")

    def _fit_patterns(self, summary, patterns, pattern_w):
        keep = pattern_w > 0
        patterns = [p[keep] for p in patterns]
        pattern_w = pattern_w[keep]
        n_total = float(pattern_w.sum())
        if n_total <= 0:
            raise DataQualityError(f"{type(self).__name__}.fit needs at least one customer with positive weight.",
                                   count=0)
        notes = []
        starts = [self._start(patterns, pattern_w)]
        starts.append(np.zeros(len(self._param_names)))  # all parameters 1
        best = None
        for k, x0 in enumerate(starts):
            res = self._minimize(x0, patterns, pattern_w, n_total)
            if best is None or (np.isfinite(res.fun) and res.fun < best.fun):
                best = res
            if res.success and np.isfinite(res.fun):
                break
            notes.append(f"Start {k + 1} did not converge ({res.message}); retried from another start.")
        res = best
        if not np.isfinite(res.fun):
            raise ConvergenceError(
                f"{type(self).__name__} could not evaluate its likelihood at any starting point "
                f"(objective {res.fun}). Try: initial_params close to published values, a time unit where "
                "T is between about 1 and 1000 (weeks rather than days), or penalizer=0.001.")
        grad_norm = self._grad_norm(res.x, patterns, pattern_w, n_total)
        converged = bool(res.success) or grad_norm < 1e-5
        if not converged:
            raise ConvergenceError(
                f"{type(self).__name__} did not converge: {res.message} (largest gradient per customer "
                f"{grad_norm:.2g} after {res.nit} iterations). Try: max_iter={self.max_iter * 5}, "
                "initial_params near a previous fit, penalizer=0.001, or rescaling time (weeks instead of days).")
        if not res.success:
            notes.append(f"Optimiser stopped with '{res.message}' but the gradient is ~0 ({grad_norm:.1g}); accepted.")
        at_bound = [name for name, v, on_log in zip(self._param_names, res.x, self._log_mask())
                    if on_log and abs(abs(v) - _LOG_BOUND) < _BOUND_TOL]
        if at_bound:
            msg = (f"{type(self).__name__}: parameter(s) {at_bound} ended at the edge of the allowed range "
                   f"(exp(+-{_LOG_BOUND:g})): the data cannot pin them down, and predictions that depend on them "
                   "are unreliable. Try: more customers or a longer calibration period, penalizer=0.001, or a "
                   "simpler model.")
            warnings.warn(msg, ConvergenceWarning, stacklevel=2)
            notes.append(msg)
        H = self._hessian(res.x, patterns, pattern_w, n_total)
        logp = res.x if at_bound else self._newton_polish(res.x, H, patterns, pattern_w, n_total)
        params = self._natural(logp)
        ll = self._eval(logp, patterns, pattern_w)[0]
        self.params_ = pd.Series(params, index=list(self._param_names), name="coef")
        self.log_likelihood_ = float(ll)
        self.n_customers_ = n_total
        self.n_patterns_ = len(pattern_w)
        self.converged_ = converged
        self.parameters_at_bound_ = at_bound
        self.optimizer_result_ = res
        self.time_unit_ = getattr(summary, "attrs", {}).get("time_unit")
        k = len(params)
        self.aic_ = 2 * k - 2 * self.log_likelihood_
        self.bic_ = k * math.log(n_total) - 2 * self.log_likelihood_
        self._set_standard_errors(logp, H, notes)
        self.fit_notes_ = notes
        return self

    def _weights(self, summary, weights, n):
        if weights is None:
            return None
        if isinstance(weights, str):
            if weights not in summary.columns:
                raise SchemaError(f"weights column {weights!r} is not in the summary "
                                  f"(columns: {list(summary.columns)}).")
            w = summary[weights].to_numpy(dtype=np.float64)
        else:
            w = np.asarray(weights, dtype=np.float64)
        if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0):
            raise DataQualityError("weights must be one finite, non-negative number per row.", column="weights",
                                   count=int(np.sum(~np.isfinite(w) | (w < 0))) if w.shape == (n,) else n)
        return w

    def _start(self, patterns, pattern_w):
        x0 = np.zeros(len(self._param_names))
        n_own = len(type(self)._param_names)
        x0[:n_own] = np.log(np.asarray(self._default_initial(patterns, pattern_w), dtype=np.float64))
        if self.initial_params:
            for i, name in enumerate(self._param_names):
                if name in self.initial_params:
                    value = float(self.initial_params[name])
                    x0[i] = math.log(value) if i < n_own else value
        lo, hi = self._bounds()
        return np.clip(x0, lo + 1, hi - 1)

    def _eval(self, logp, patterns, pattern_w):
        """Log-likelihood and its gradient (natural parameters; zeros without one) at ``exp(logp)``.

        During ``fit`` each point is evaluated once: the optimiser's last point is asked for again by the
        convergence check, the Hessian and the Newton polish, and the final log-likelihood is one of them.
        """
        memo = getattr(self, "_memo", None)
        key = logp.tobytes()
        if memo is not None and key in memo:
            return memo[key]
        params = self._natural(logp)
        grad = np.zeros(len(params))
        with np.errstate(all="ignore"):
            ll = float(self._loglik(params, patterns, pattern_w, grad))
        if memo is not None:
            memo[key] = (ll, grad)
        return ll, grad

    def _objective(self, logp, patterns, pattern_w, n_total):
        """Negative mean log-likelihood plus penalty, and its gradient with respect to log params."""
        params = self._natural(logp)
        ll, grad = self._eval(logp, patterns, pattern_w)
        f = -ll / n_total + self.penalizer * float(np.sum(logp ** 2))
        if not np.isfinite(f):
            return np.inf, np.zeros(len(params))
        jac = np.where(self._log_mask(), params, 1.0)  # d theta / d phi
        g = -grad * jac / n_total + 2.0 * self.penalizer * logp
        return f, g

    def _fun(self, logp, patterns, pattern_w, n_total):
        ll = self._eval(logp, patterns, pattern_w)[0]
        f = -ll / n_total + self.penalizer * float(np.sum(logp ** 2))
        return f if np.isfinite(f) else np.inf

    def _fun_grad(self, logp, patterns, pattern_w, n_total):
        if self._has_gradient:
            return self._objective(logp, patterns, pattern_w, n_total)
        f = self._fun(logp, patterns, pattern_w, n_total)
        g = np.empty(len(logp))
        h = 1e-6
        for j in range(len(logp)):
            e = np.zeros(len(logp))
            e[j] = h
            g[j] = (self._fun(logp + e, patterns, pattern_w, n_total)
                    - self._fun(logp - e, patterns, pattern_w, n_total)) / (2 * h)
        if not np.all(np.isfinite(g)):
            g = np.where(np.isfinite(g), g, 0.0)
        return f, g

    def _minimize(self, x0, patterns, pattern_w, n_total):
        bounds = [(lo if np.isfinite(lo) else None, hi if np.isfinite(hi) else None)
                  for lo, hi in zip(*self._bounds())]
        return optimize.minimize(self._fun_grad, x0, args=(patterns, pattern_w, n_total), jac=True,
                                 method="L-BFGS-B", bounds=bounds,
                                 options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": self.tol * 10,
                                          "maxcor": 20})

    def _grad_norm(self, logp, patterns, pattern_w, n_total):
        _, g = self._fun_grad(logp, patterns, pattern_w, n_total)
        inside = (np.abs(np.abs(logp) - _LOG_BOUND) >= _BOUND_TOL) | ~self._log_mask()
        return float(np.max(np.abs(g[inside]))) if inside.any() else 0.0

    def _hessian(self, logp, patterns, pattern_w, n_total):
        """Hessian of the total negative log-likelihood (with penalty) on the log scale, by central differences.

        Of the analytic gradient when there is one (2k evaluations), else of the objective. Central rather than
        forward differences: the Newton polish needs the Hessian to ~1e-10 to bring the estimates to ~1e-12
        (with forward differences two fits of the same data summed in another order differed by 1e-8).
        """
        k = len(logp)
        H = np.empty((k, k))
        if self._has_gradient:
            h = 1e-5
            for j in range(k):
                e = np.zeros(k)
                e[j] = h
                gp = self._objective(logp + e, patterns, pattern_w, n_total)[1]
                gm = self._objective(logp - e, patterns, pattern_w, n_total)[1]
                H[:, j] = (gp - gm) / (2 * h)
        else:
            h = 1e-4
            f0 = self._fun(logp, patterns, pattern_w, n_total)
            for i in range(k):
                for j in range(i, k):
                    ei = np.zeros(k)
                    ej = np.zeros(k)
                    ei[i] = h
                    ej[j] = h
                    if i == j:
                        H[i, i] = (self._fun(logp + ei, patterns, pattern_w, n_total) - 2 * f0
                                   + self._fun(logp - ei, patterns, pattern_w, n_total)) / h ** 2
                    else:
                        H[i, j] = (self._fun(logp + ei + ej, patterns, pattern_w, n_total)
                                   - self._fun(logp + ei - ej, patterns, pattern_w, n_total)
                                   - self._fun(logp - ei + ej, patterns, pattern_w, n_total)
                                   + self._fun(logp - ei - ej, patterns, pattern_w, n_total)) / (4 * h ** 2)
                        H[j, i] = H[i, j]
        H = 0.5 * (H + H.T)
        return H * n_total

    def _newton_polish(self, logp, H, patterns, pattern_w, n_total, max_steps=3):
        """A few Newton steps with the Hessian already computed for the standard errors.

        L-BFGS-B stops when the objective stalls, which leaves parameters accurate to roughly the square root
        of its tolerance along flat directions; from there Newton converges quadratically, so two or three
        steps make the estimates accurate to near machine precision. A step is kept only if it is small
        and does not increase the objective.
        """
        try:
            chol = np.linalg.cholesky(H / n_total)
        except np.linalg.LinAlgError:
            return logp
        f, g = self._fun_grad(logp, patterns, pattern_w, n_total)
        for _ in range(max_steps):
            step = np.linalg.solve(chol.T, np.linalg.solve(chol, g))
            if not np.all(np.isfinite(step)) or np.max(np.abs(step)) > 0.05 or np.max(np.abs(step)) < 1e-13:
                break
            cand = np.clip(logp - step, *self._bounds())
            f_new, g_new = self._fun_grad(cand, patterns, pattern_w, n_total)
            if not f_new <= f + 1e-15 * abs(f):
                break
            logp, f, g = cand, f_new, g_new
        return logp

    def _set_standard_errors(self, logp, H, notes):
        names = list(self._param_names)
        params = self._natural(logp)
        on_log = self._log_mask()
        labels = [f"log_{n}" if lg else n for n, lg in zip(names, on_log)]
        self.hessian_ = pd.DataFrame(H, index=labels, columns=labels)
        unidentified = []
        try:
            np.linalg.cholesky(H)
            cov_log = np.linalg.inv(H)
        except np.linalg.LinAlgError:
            cov_log = np.full_like(H, np.nan)
            # the badly determined directions: eigenvalues below 0.25 (a standard error of more than 2 on the log
            # scale along the eigenvector, the rule for "barely determined" below); the parameters that weigh in
            # them are the ones the data cannot pin down
            vals, vecs = np.linalg.eigh(H)
            flat = vals < 0.25
            weight = np.max(np.abs(vecs[:, flat]), axis=1) if flat.any() else np.zeros(len(names))
            unidentified = [n for n, v in zip(names, weight) if v > 0.3]
            which = f" (along {unidentified})" if unidentified else ""
            msg = (f"{type(self).__name__}: the Hessian at the optimum is not positive definite, so standard "
                   f"errors are NaN. Some parameter combination is not identified by these data{which}; often a "
                   "parameter runs off to 0 or infinity. Try more data or penalizer=0.001.")
            warnings.warn(msg, ConvergenceWarning, stacklevel=3)
            notes.append(msg)
        se_log = np.sqrt(np.diag(cov_log))
        # se of log(theta) > MAX_LOG_SE = 2 means the 95% interval spans a factor of more than e^7.8 ~ 2500
        self.poorly_determined_ = unidentified or [n for n, v in zip(names, se_log)
                                                   if np.isfinite(v) and v > MAX_LOG_SE]
        if self.poorly_determined_ and not unidentified:
            msg = (f"{type(self).__name__}: parameter(s) {self.poorly_determined_} are barely determined by the "
                   "data (95% intervals span more than a factor of 2,500); the likelihood is flat along them. "
                   "Predictions may still be fine, but do not interpret these values. Try: more customers or a "
                   "longer calibration period, penalizer=0.001, or a simpler model.")
            warnings.warn(msg, ConvergenceWarning, stacklevel=3)
            notes.append(msg)
        # delta method: theta = exp(phi) => d theta / d phi = theta (coefficients: phi = theta)
        jac = np.where(on_log, params, 1.0)
        cov = cov_log * np.outer(jac, jac)
        self.covariance_ = pd.DataFrame(cov, index=names, columns=names)
        self.standard_errors_ = pd.Series(jac * se_log, index=names, name="se")
        with np.errstate(over="ignore"):
            # log-scale (asymmetric, positive) intervals for the parameters, symmetric ones for coefficients
            lower = np.where(on_log, params * np.exp(-_Z95 * se_log), params - _Z95 * se_log)
            upper = np.where(on_log, params * np.exp(_Z95 * se_log), params + _Z95 * se_log)
            self.confidence_intervals_ = pd.DataFrame({"lower": lower, "upper": upper}, index=names)

    # ------------------------------------------------------------------------------------------------------
    # display
    # ------------------------------------------------------------------------------------------------------
    def _check_fitted(self):
        if not hasattr(self, "params_"):
            raise NotFittedError(f"This {type(self).__name__} is not fitted yet: call .fit(summary) first, or build "
                                 f"one from known values with {type(self).__name__}.from_params(...).")

    @property
    def summary(self):
        """DataFrame with one row per parameter: ``coef``, ``se``, ``lower 95%``, ``upper 95%``.

        The interval is exp(log(coef) +- 1.96 se_log), computed on the log scale where the optimiser works,
        so it is asymmetric and stays positive. ``se`` is the delta-method standard error of ``coef``.
        Covariate coefficients (``purchase:<column>`` ...) are fitted as they are: coef +- 1.96 se; the
        encoding of the covariates (reference levels) is in ``attrs["covariate_encoding"]``.
        """
        self._check_fitted()
        out = pd.DataFrame({"coef": self.params_, "se": self.standard_errors_,
                            "lower 95%": self.confidence_intervals_["lower"],
                            "upper 95%": self.confidence_intervals_["upper"]})
        out.index.name = "parameter"
        encoding = getattr(self, "covariate_encoding_", None)
        if encoding is not None:  # how the covariates were encoded (reference levels of categorical ones)
            out.attrs["covariate_encoding"] = encoding
        return out

    @property
    def diagnostics(self):
        """Can the data pin down each parameter? One row per parameter.

        Columns: ``coef``, ``se``, ``lower 95%``, ``upper 95%``; ``log_se`` (standard error of log(coef), which
        is also the relative standard error se / coef); ``interval_factor`` (upper / lower: how many times
        larger the top of the 95% interval is than the bottom); ``at_bound`` (the estimate sits at the edge of
        the search range, about 3e-7 or 3e6); ``identified`` (bool) and ``status`` in plain words.

        A parameter is **not identified** when any of these holds:

        - it is at a bound of the search range (the likelihood keeps improving towards 0 or infinity);
        - the Hessian of the log-likelihood at the optimum is not positive definite, so there is no standard
          error (the likelihood is flat or saddle-shaped along some direction; the parameters that weigh in the
          flat directions are named in ``poorly_determined_``);
        - its ``log_se`` exceeds :data:`MAX_LOG_SE` = 2: the 95% interval spans more than a factor of about
          2,500, so the data cannot tell the estimate from one a thousand times larger or smaller.

        A covariate coefficient acts on the log of a scale parameter, so its ``log_se`` is its own standard
        error and ``interval_factor`` is exp(2 x 1.96 se), the spread of the multiplier exp(coef).

        This is the usual Wald/observed-information reading of maximum-likelihood estimates (Cox and Hinkley
        1974, *Theoretical Statistics*, ch. 9); for BG/NBD the drop-out parameters ``a, b`` are the ones that
        fail on short logs where few customers have visibly stopped buying (Fader, Hardie and Lee 2005,
        "Counting your customers the easy way", Marketing Science 24(2), sec. 5). Parameters given with
        :meth:`from_params` were not estimated; their status is ``"given"`` and they count as identified.
        """
        self._check_fitted()
        names = list(self.params_.index)
        coef = self.params_.to_numpy(dtype=np.float64)
        se = self.standard_errors_.reindex(names).to_numpy(dtype=np.float64)
        ci = self.confidence_intervals_.reindex(names)
        given = not hasattr(self, "hessian_")
        own = np.isin(names, type(self)._param_names)  # covariate coefficients act on the log scale already
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            log_se = np.where(own, se / coef, se)
            factor = np.where(own, ci["upper"].to_numpy(dtype=np.float64) / ci["lower"].to_numpy(dtype=np.float64),
                              np.exp(2.0 * _Z95 * se))
        bound = set(getattr(self, "parameters_at_bound_", []))
        loose = set(getattr(self, "poorly_determined_", []))
        ok, status = [], []
        for name, v in zip(names, log_se):
            if given:
                ok.append(True)
                status.append("given")
            elif name in bound:
                ok.append(False)
                status.append("not identified: at the edge of the allowed range")
            elif not np.isfinite(v):
                ok.append(False)
                status.append("not identified: flat likelihood along it (no standard error)" if name in loose
                              else "no standard error: the Hessian is not positive definite")
            elif v > MAX_LOG_SE or name in loose:
                ok.append(False)
                status.append("not identified: its 95% interval spans more than a factor of 2,500")
            else:
                ok.append(True)
                status.append("well determined")
        out = pd.DataFrame({"coef": coef, "se": se, "lower 95%": ci["lower"].to_numpy(),
                            "upper 95%": ci["upper"].to_numpy(), "log_se": log_se, "interval_factor": factor,
                            "at_bound": [n in bound for n in names], "identified": ok, "status": status},
                           index=pd.Index(names, name="parameter"))
        return out

    @property
    def identified_(self) -> bool:
        """True when the fit converged and every parameter is identified (see :attr:`diagnostics`).

        A fit that is not identified can still predict the calibration period well, but anything that
        depends on the loose parameters (for BG/NBD: P(alive), purchases far ahead, long-horizon CLV) is an
        extrapolation the data do not support.
        """
        return bool(getattr(self, "converged_", False)) and bool(self.diagnostics["identified"].all())

    @property
    def identification_problem(self) -> str:
        """Plain-language reason why the fit is not identified ("" when it is)."""
        diag = self.diagnostics
        name = type(self).__name__
        if not getattr(self, "converged_", False):
            return f"the {name} fit did not converge"
        bad = diag[~diag["identified"]]
        if not len(bad):
            return ""
        named = bad[bad["status"].str.startswith("not identified")]
        bad = named if len(named) else bad  # name the loose parameters, not those that only lost their SE
        names = ", ".join(bad.index)
        if bad["at_bound"].any():
            why = "they run to the edge of the allowed range"
        elif not np.isfinite(bad["log_se"]).all():
            why = "the likelihood is flat along them, so they have no standard error"
        else:
            worst = float(bad["interval_factor"].max())
            if np.isfinite(worst):
                size = f"{worst:,.0f}" if worst < 1e6 else f"10^{int(np.log10(worst))}"  # digits, not a long number
                why = f"their 95% interval spans a factor of {size}"
            else:
                why = "their 95% interval is unbounded"
        return f"the data do not pin down the {name} parameter(s) {names} ({why})"

    def _zh_headline(self):
        name = type(self).__name__
        if not hasattr(self, "params_"):
            return tr("clv.model.not_fitted").format(cls=name, model=self._model_name)
        own = [k for k in self.params_.index if k in type(self)._param_names]
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_[own].items())
        if len(own) < len(self.params_):
            ps += tr("clv.model.coefficients").format(n=len(self.params_) - len(own))
        if self.n_customers_:
            return tr("clv.model.fitted").format(cls=name, model=self._model_name, n=f"{self.n_customers_:,.0f}",
                                                 patterns=f"{self.n_patterns_:,}", params=ps,
                                                 ll=f"{self.log_likelihood_:.2f}")
        return tr("clv.model.given").format(cls=name, model=self._model_name, params=ps)

    def _headline(self):
        if _common._zh():
            return self._zh_headline()
        if not hasattr(self, "params_"):
            return f"{type(self).__name__} ({self._model_name}), not fitted"
        ps = ", ".join(f"{k}={v:.4g}" for k, v in self.params_.items())
        if self.n_customers_:
            return (f"{type(self).__name__} ({self._model_name}) fitted on {self.n_customers_:,.0f} customers "
                    f"({self.n_patterns_:,} patterns): {ps}; log-likelihood {self.log_likelihood_:.2f}")
        return f"{type(self).__name__} ({self._model_name}) from given parameters: {ps}"

    def __repr__(self):
        return f"<{self._headline()}>"

    def _repr_html_(self):
        head = f"<p><b>{html.escape(self._headline())}</b></p>"
        if not hasattr(self, "params_"):
            return head
        extra = ""
        zh = _common._zh()
        if self.n_customers_:
            if zh:
                extra = "<p>" + tr("clv.model.footer").format(
                    aic=f"{self.aic_:.1f}", bic=f"{self.bic_:.1f}",
                    converged=tr("clv.yes") if self.converged_ else tr("clv.no")) + "</p>"
            else:
                extra = (f"<p>AIC {self.aic_:.1f} · BIC {self.bic_:.1f} · converged: "
                         f"{'yes' if self.converged_ else 'no'}</p>")
            if self.fit_notes_:
                extra += "<ul>" + "".join(f"<li>{html.escape(localize(n) if zh else n)}</li>"
                                          for n in self.fit_notes_) + "</ul>"
        summary = self.summary
        if zh:
            summary = _common._zh_frame(summary, index={k: _zh_parameter(k) for k in summary.index})
        return head + summary.to_html(float_format=_zh_number if zh else (lambda v: f"{v:.4g}")) + extra


def _zh_number(value) -> str:
    """A number of the Chinese summary: as in English, an unbounded interval end as ∞ (not "inf")."""
    return f"{value:.4g}" if np.isfinite(value) else ("∞" if value > 0 else "-∞")


def _zh_parameter(name) -> str:
    """A parameter for a Chinese reader: the model's own (r, alpha...) as they are, a covariate coefficient
    (``purchase:channel=one_yuan_promo``) as process, column and level labels (购买：渠道=一元促销)."""
    process, sep, rest = str(name).partition(":")
    if not sep:
        return name
    column, eq, level = rest.partition("=")
    text = tr(f"clv.process.{process}", process) + "：" + str(_common._zh_label(column, header=True))
    return text + (f"={_common._zh_label(level)}" if eq else "")


# ----------------------------------------------------------------------------------------------------------
# validation helpers shared by the models
# ----------------------------------------------------------------------------------------------------------
def require_columns(summary, columns, model_name):
    """Required columns as float64 arrays; missing or non-numeric values raise a DataQualityError."""
    arrays = _numeric_columns(summary, columns, model_name)
    for c, values in zip(columns, arrays):
        bad = ~np.isfinite(values)
        if bad.any():
            raise DataQualityError(f"{model_name}: column {c!r} has {int(bad.sum())} missing or non-numeric "
                                   "values.", column=c, count=int(bad.sum()), examples=summary.loc[bad].head())
    return arrays


def check_rule(ok, summary, message, column):
    bad = ~np.asarray(ok)
    if bad.any():
        raise DataQualityError(f"{message} ({int(bad.sum())} rows).", column=column, count=int(bad.sum()),
                               examples=summary.loc[bad].head())


def _numeric_columns(summary, columns, model_name, keep_int=False):
    """Required columns as float64 arrays, without the per-column finiteness check (done by the caller).

    ``keep_int=True`` passes an int64 column through as it is (no float copy), for kernels compiled for both.
    """
    if not isinstance(summary, pd.DataFrame):
        raise SchemaError(f"{model_name} needs a pandas DataFrame with columns {list(columns)}, "
                          f"got {type(summary).__name__}.")
    missing = [c for c in columns if c not in summary.columns]
    if missing:
        raise SchemaError(f"{model_name} needs the column(s) {missing}; the summary has {list(summary.columns)}. "
                          "Build it with toolkit.customer_summary(tx) or rename your columns.")
    out = []
    for c in columns:
        col = summary[c]
        if keep_int and col.dtype == np.int64:
            out.append(np.ascontiguousarray(col.to_numpy()))
        elif pd.api.types.is_numeric_dtype(col.dtype) and not pd.api.types.is_bool_dtype(col.dtype):
            out.append(np.ascontiguousarray(col.to_numpy(dtype=np.float64, na_value=np.nan)))
        else:
            out.append(np.ascontiguousarray(pd.to_numeric(col, errors="coerce").to_numpy(dtype=np.float64)))
    return [readonly(a) for a in out]  # one array type whether pandas gave a view or a copy (one compilation)


def validate_frt(summary, model_name, f="frequency", r="recency", t="T"):
    """Read frequency, recency and T and check the BTYD rules; returns three float64 arrays.

    The rules are checked in one vectorised numba pass; only when one is broken are the offending rows
    located (with NumPy) for the error message. Recency is clipped to T only where it exceeds it (by at most
    1e-12 relative); otherwise the column's own array is returned, not a copy.
    """
    from ..._kernels.likelihoods import frt_check

    x, tx, T = _numeric_columns(summary, (f, r, t), model_name)
    bad, over = frt_check(x, tx, T)
    if bad:
        require_columns(summary, (f, r, t), model_name)  # raises on missing / non-numeric values
        check_rule(x >= 0, summary, f"{model_name}: {f} must be >= 0", f)
        check_rule(x == np.round(x), summary,
                   f"{model_name}: {f} counts repeat purchases and must be a whole number", f)
        check_rule(tx >= 0, summary, f"{model_name}: {r} must be >= 0", r)
        check_rule(T > 0, summary, f"{model_name}: {t} (age at the end of calibration) must be > 0", t)
        check_rule(tx <= T * (1 + 1e-12), summary, f"{model_name}: {r} must not exceed {t}", r)
        check_rule((x > 0) | (tx == 0), summary, f"{model_name}: {r} must be 0 when {f} is 0", r)
    return x, (np.minimum(tx, T) if over else tx), T


class PurchaseModel(BaseModel):
    """Base of the transaction models (BG/NBD, MBG/NBD, Pareto/NBD, BG/BB): shared prediction helpers."""

    _columns = ("frequency", "recency", "T")

    #: Above this many rows, predictions are computed once per unique (frequency, recency, T) pattern.
    _COMPRESS_MIN = 20_000
    #: Compress before conditional expectations (False when the kernel caches repeated inputs itself).
    _compress_conditional = True
    #: Compress P(alive) too (worth it when its kernel is costly, as for Pareto/NBD's hypergeometric terms).
    _compress_p_alive = False

    def _prepare(self, summary):
        return validate_frt(summary, type(self).__name__)

    def _check_identifiable(self, summary, data, weights):
        """No repeat purchase at all: the likelihood keeps rising as the purchase rate goes to 0.

        With every frequency 0 the data say only "nobody came back", which any model with r -> 0 (or
        alpha -> infinity) explains perfectly; the optimiser then wanders to the edge of the parameter range
        (and for Pareto/NBD into the slow corner of its hypergeometric terms). Refuse up front.
        """
        x = np.asarray(data[0], dtype=np.float64)
        w = np.ones(len(x)) if weights is None else np.asarray(weights, dtype=np.float64)
        repeaters = float(np.sum(w[x > 0]))
        if len(x) and repeaters == 0:
            raise DataQualityError(
                f"{type(self).__name__} cannot be identified from these data: none of the {float(w.sum()):,.0f} "
                "customers made a repeat purchase (frequency is 0 for all), so the purchase rate and the drop-out "
                "process cannot be told apart (the likelihood is largest as the purchase rate goes to 0). Use a "
                "longer calibration period, more customers, or a non-parametric view (toolkit.cohorts, "
                "toolkit.clv.estimate_retention).", column="frequency", count=len(x))

    @staticmethod
    def _check_horizon(t, name="t"):
        """Horizons are finite and >= 0 (a scalar or one per customer)."""
        from ..._validate import check_array

        if np.ndim(t) == 0:
            return check_number(name, t, low=0.0, hint="It is a duration in the model's time unit.")
        check_array(name, t, low=0.0, hint="It is a duration in the model's time unit.")
        return t

    def _params(self):
        self._check_fitted()
        return readonly(np.ascontiguousarray(self.params_.to_numpy(), dtype=np.float64))

    def _cond_exp_arrays(self, t, data):
        """Kernel call: expected purchases in the next t (array aligned with the data arrays)."""
        raise NotImplementedError

    def _p_alive_arrays(self, data):
        """Kernel call: P(alive) for the data arrays."""
        raise NotImplementedError

    def conditional_expected_purchases(self, summary, t, covariates=None):
        """Expected number of purchases of each customer in the next ``t`` time units, given her history.

        Parameters
        ----------
        summary : DataFrame with the model's columns (``frequency, recency, T``; BG/BB: ``periods``)
        t : float or array-like (one per customer), in the model's time unit (BG/BB: opportunities)
        covariates : DataFrame, optional
            Only for a model fitted with covariates: each customer's covariates (indexed by customer_id, the
            columns given at fit). Default: the covariates given at fit, looked up by the summary's index.

        Returns
        -------
        pandas.Series ``expected_purchases`` aligned with ``summary``.

        Raises
        ------
        ParameterError
            ``t`` is negative, NaN or infinite.
        UnitMismatchError
            ``summary.attrs["time_unit"]`` differs from the unit the model was fitted in (``time_unit_``).
        """
        self._check_fitted()
        t = self._check_horizon(t)
        self._check_unit(summary, "conditional_expected_purchases")
        data = self._prepare_predict(summary, covariates)
        n = len(data[0])
        if (self._compress_conditional or self._uses_covariates) and np.ndim(t) == 0 and n >= self._COMPRESS_MIN:
            patterns, _, inverse = compress_rows(data)
            out = self._cond_exp_arrays(np.full(len(patterns[0]), float(t)), patterns)[inverse]
        else:
            t_arr = np.ascontiguousarray(np.broadcast_to(np.asarray(t, dtype=np.float64), (n,)))
            out = self._cond_exp_arrays(t_arr, data)
        return self._series(summary, out, "expected_purchases")

    def p_alive(self, summary, covariates=None):
        """Probability that each customer is still alive at the end of her observation.

        Returns a Series ``p_alive`` aligned with ``summary``. ``covariates``: as in
        :meth:`conditional_expected_purchases` (models fitted with covariates only).
        """
        self._check_fitted()
        self._check_unit(summary, "p_alive")
        data = self._prepare_predict(summary, covariates)
        if (self._compress_p_alive or self._uses_covariates) and len(data[0]) >= self._COMPRESS_MIN:
            patterns, _, inverse = compress_rows(data)
            out = self._p_alive_arrays(patterns)[inverse]
        else:
            out = self._p_alive_arrays(data)
        return self._series(summary, out, "p_alive")

    def _series(self, summary, values, name):
        index = summary.index if isinstance(summary, pd.DataFrame) else None
        return pd.Series(values, index=index, name=name)

    def p_alive_history(self, purchase_times, at=None, end=None, n_points=100, covariates=None):
        """P(alive) of one customer over time, from her purchase times.

        Parameters
        ----------
        purchase_times : array-like of float
            Times of her purchases in the model's time unit (any origin; the first one is her birth). Equal
            times count as one purchase day, as in ``customer_summary``.
        at : array-like of float, optional
            Times at which to evaluate (>= first purchase). Default: ``n_points`` equally spaced times from
            the first purchase to ``end``.
        end : float, optional
            End of the default grid; default the last purchase plus the span of her history (at least 1).
        covariates : pandas.Series or one-row DataFrame, optional
            Her covariates (the columns given at fit); required for a model fitted with covariates.

        Returns
        -------
        pandas.DataFrame
            Columns ``time, frequency, recency, T, p_alive``: for each evaluation time, the summary she
            would have had if observation ended there, and the model's P(alive) for it (1 at the moment of
            her first purchase).
        """
        times = np.unique(np.asarray(purchase_times, dtype=np.float64))
        if times.size == 0 or not np.all(np.isfinite(times)):
            raise ParameterError("purchase_times must hold at least one finite time.",
                                 parameter="purchase_times", value=purchase_times)
        first = times[0]
        if at is None:
            if end is None:
                end = times[-1] + max(times[-1] - first, 1.0)
            at = np.linspace(first, float(end), int(n_points))
        at = np.asarray(at, dtype=np.float64)
        if np.any(at < first):
            raise ParameterError("Evaluation times must not be before the first purchase.", parameter="at", value=at)
        k = np.searchsorted(times, at, side="right")  # purchases up to and including each time
        frequency = (k - 1).astype(np.float64)
        recency = times[k - 1] - first
        T = at - first
        frame = pd.DataFrame({"time": at, "frequency": frequency, "recency": recency, "T": T})
        alive = np.ones(len(frame))
        pos = T > 0
        extra = {}
        if self._uses_covariates or covariates is not None:
            if covariates is None:
                raise ParameterError(f"This {type(self).__name__} was fitted with covariates: pass her covariates= "
                                     "(a Series or a one-row DataFrame with the columns given at fit).",
                                     parameter="covariates", value=None)
            row = covariates.iloc[[0]] if isinstance(covariates, pd.DataFrame) else covariates.to_frame().T
            extra["covariates"] = pd.DataFrame(np.repeat(row.to_numpy(), len(frame), axis=0), columns=row.columns,
                                               index=frame.index).astype(row.dtypes.to_dict())
        if pos.any():
            alive[pos] = self.p_alive(frame.loc[pos, ["frequency", "recency", "T"]], **extra).to_numpy()
        frame["p_alive"] = alive
        return frame
