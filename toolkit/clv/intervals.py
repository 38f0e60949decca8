"""Per-customer intervals for P(alive), expected purchases and CLV from the uncertainty of a model's parameters.

A fitted BTYD model gives each customer one number (P(alive), expected purchases, CLV), computed at the
maximum-likelihood estimate. The estimate is uncertain, and so is every customer's number. Here that
uncertainty is propagated by simulation: parameter vectors are drawn from the estimates' sampling distribution,
the quantity is evaluated for every customer under every draw, and each customer's interval is read off the
quantiles of her values (a percentile interval).

Two ways to draw the parameters:

- ``method="normal"`` (default): the asymptotic normal distribution of the maximum-likelihood estimate on the
  log scale on which the models are fitted, log(theta) ~ N(log(theta_hat), H^-1), with H the Hessian of the
  negative log-likelihood at the optimum (``model.hessian_``). This is the simulation approach to
  propagating estimation uncertainty of King, Tomz and Wittenberg (2000), "Making the most of statistical
  analyses", *American Journal of Political Science* 44(2), 347-361; the log scale keeps every draw positive.
- ``method="bootstrap"``: the nonparametric bootstrap over customers (Efron and Tibshirani 1993, *An
  Introduction to the Bootstrap*, ch. 6 and 13): ``n_boot`` samples of the customers drawn with replacement,
  the model refitted on each (warm-started at the estimate), percentile intervals.

These are intervals for the model's prediction E[quantity | the customer's history, theta] as theta varies
with the estimation error; they are not prediction intervals for the number of purchases she will actually
make (that count is Poisson-like around its expectation and far more variable).

Formulas of the quantities: BG/NBD Fader, Hardie and Lee (2005), "Counting your customers the easy way",
*Marketing Science* 24(2), 275-284; MBG/NBD Batislam, Denizel and Filiztekin (2007), *IJRM* 24(3); Pareto/NBD
Schmittlein, Morrison and Colombo (1987), *Management Science* 33(1); Gamma-Gamma spend Fader, Hardie and Lee
(2005), *JMR* 42(4).
"""

from __future__ import annotations

import copy
import warnings

import numpy as np
import pandas as pd

from .._kernels import intervals as _ik
from .._kernels._jit import get_num_threads
from .._validate import check_int, check_number
from ..errors import ConvergenceError, DataQualityError, NotFittedError, ParameterError
from .models.base import compress_rows
from .models.beta_geo import BetaGeo
from .models.value import (
    _check_value_settings,
    _period_in_model_units,
    _spend_values,
    customer_lifetime_value,
)

__all__ = ["customer_intervals"]

_QUANTITIES = ("p_alive", "expected_purchases", "clv")
_METHODS = ("normal", "bootstrap")
#: customers (patterns) per block in the general path: keeps the (block x draws) matrix near 100 MB at 200 draws
_BLOCK = 65_536


def _level_name(level):
    return f"{100.0 * level:g}"


def customer_intervals(model, summary, *, quantity="p_alive", t=None, levels=(0.8, 0.95), method="normal",
                       n_draws=200, n_boot=200, seed=0, spend_model=None, horizon=None, period=None,
                       discount_rate=None, margin=1.0, covariates=None):
    """Point estimate and percentile intervals of a per-customer quantity, for every customer.

    Parameters
    ----------
    model : fitted BetaGeo, ModifiedBetaGeo or ParetoNBD (BetaGeoBetaBinom works too)
        The purchase model. ``method="normal"`` needs a model fitted on data (its Hessian), not one built
        with ``from_params``.
    summary : pandas.DataFrame
        One row per customer with the columns the model reads (``frequency, recency, T``), and
        ``monetary_value`` for ``quantity="clv"`` with a Gamma-Gamma spend model. For the bootstrap it must be
        the summary the model was fitted on.
    quantity : {"p_alive", "expected_purchases", "clv"}, default "p_alive"
        What to give intervals for: P(alive) at the end of observation, expected purchases in the next ``t``
        time units, or discounted CLV (:func:`toolkit.clv.models.customer_lifetime_value`).
    t : float, optional
        Horizon of ``expected_purchases`` in the model's time unit (> 0); required for it.
    levels : sequence of float, default (0.8, 0.95)
        Coverage levels of the intervals, each in (0, 1).
    method : {"normal", "bootstrap"}, default "normal"
        How parameter vectors are drawn (see the module docstring).
    n_draws : int, default 200
        Parameter draws for ``method="normal"``.
    n_boot : int, default 200
        Bootstrap refits for ``method="bootstrap"``.
    seed : int or numpy.random.Generator, default 0
        Same seed, same intervals.
    spend_model : fitted GammaGamma, Series, array or float, optional
        Spend per purchase for ``quantity="clv"`` (required for it). A Gamma-Gamma model's own parameter
        uncertainty is drawn too (from its Hessian, or refitted on each bootstrap sample); any other spend is
        taken as fixed.
    horizon, period, discount_rate, margin
        CLV settings, as in :func:`toolkit.clv.models.customer_lifetime_value` (required for ``"clv"``).
    covariates : DataFrame, optional
        For models fitted with covariates: each customer's covariates indexed by customer_id (default: the
        frame given at fit). Each draw moves the coefficients too, so each customer's interval uses her own
        alpha_i, beta_i (a_i, b_i; gamma_i). Covariate models support ``method="normal"`` only.

    Returns
    -------
    pandas.DataFrame
        Indexed like ``summary``: the point estimate at the fitted parameters (column named after
        ``quantity``), and ``lower_80, upper_80, lower_95, upper_95`` (one pair per level). ``attrs`` records
        ``quantity, method, n_draws`` (draws used), ``n_failed`` (bootstrap refits that failed and were left
        out) and ``levels``.

    Raises
    ------
    ParameterError
        An unknown quantity or method, a level outside (0, 1), a missing ``t`` or CLV setting.
    NotFittedError
        The model is not fitted, or (``method="normal"``) has no Hessian because it was built from values.
    ConvergenceError
        ``method="normal"`` and the Hessian is not positive definite (some parameter is not identified), or
        more than half of the bootstrap refits failed.

    Notes
    -----
    BG/NBD and MBG/NBD P(alive) and expected purchases run in one numba kernel over customers x draws that
    keeps only the quantiles (1 million customers x 200 draws in a few seconds on two cores, see
    ``tests/benchmarks/bench_intervals.py``); the expectation's hypergeometric bracket depends on a customer
    only through (frequency, T) and is tabulated once per unique pair and draw. Other models and CLV evaluate
    the model's own kernels once per draw on the unique (frequency, recency, T) patterns, in blocks.

    Examples
    --------
    >>> from toolkit.datasets import load_cdnow_summary
    >>> from toolkit.clv.models import BetaGeo
    >>> summary = load_cdnow_summary()
    >>> bg = BetaGeo().fit(summary)
    >>> iv = customer_intervals(bg, summary, quantity="expected_purchases", t=52)
    >>> list(iv.columns)
    ['expected_purchases', 'lower_80', 'upper_80', 'lower_95', 'upper_95']
    """
    if quantity not in _QUANTITIES:
        raise ParameterError(f"quantity must be one of {list(_QUANTITIES)}, got {quantity!r}.",
                             parameter="quantity", value=quantity)
    if method not in _METHODS:
        raise ParameterError(f"method must be one of {list(_METHODS)}, got {method!r}.",
                             parameter="method", value=method)
    if not hasattr(model, "params_"):
        raise NotFittedError(f"This {type(model).__name__} is not fitted yet: call .fit(summary) first.")
    levels = _check_levels(levels)
    if quantity == "expected_purchases":
        if t is None:
            raise ParameterError("quantity='expected_purchases' needs the horizon t (in the model's time unit), "
                                 "e.g. t=52 for a year in weeks.", parameter="t", value=t)
        t = check_number("t", t, low=0.0, inclusive="neither", hint="It is a duration in the model's time unit.")
    clv_settings = None
    if quantity == "clv":
        missing = [name for name, v in (("spend_model", spend_model), ("horizon", horizon), ("period", period),
                                        ("discount_rate", discount_rate)) if v is None]
        if missing:
            raise ParameterError(f"quantity='clv' needs {missing} (as customer_lifetime_value does), e.g. "
                                 "spend_model=GammaGamma().fit(repeaters), horizon=12, period='M', "
                                 "discount_rate=0.01.", parameter=missing[0], value=None)
        clv_settings = dict(horizon=horizon, period=period, discount_rate=discount_rate, margin=margin)
    rng = np.random.default_rng(seed)
    spend_is_model = hasattr(spend_model, "expected_spend") and hasattr(spend_model, "params_")
    with_covariates = model._uses_covariates or (quantity == "clv" and getattr(spend_model, "_uses_covariates",
                                                                                False))
    if with_covariates and method == "bootstrap":
        raise ParameterError("method='bootstrap' is not available for models fitted with covariates (a refit "
                             "needs each resampled customer's covariates); use method='normal'.",
                             parameter="method", value=method)
    cov_kw = {} if covariates is None else {"covariates": covariates}

    # point estimates first: they validate the summary (columns, data rules, time unit) with the model's messages
    if quantity == "p_alive":
        point = model.p_alive(summary, **cov_kw)
    elif quantity == "expected_purchases":
        point = model.conditional_expected_purchases(summary, t, **cov_kw)
    else:
        point = customer_lifetime_value(model, summary, spend_model, **clv_settings, **cov_kw)

    n_failed = 0
    spend_draws = None
    if method == "normal":
        n_draws = check_int("n_draws", n_draws, low=2, hint="For example n_draws=200.")
        draws = _normal_draws(model, n_draws, rng)
        if quantity == "clv" and spend_is_model:
            spend_draws = _normal_draws(spend_model, n_draws, rng)
    else:
        n_boot = check_int("n_boot", n_boot, low=2, hint="For example n_boot=200.")
        draws, spend_draws, n_failed = _bootstrap_draws(model, summary, n_boot, rng,
                                                        spend_model if quantity == "clv" and spend_is_model
                                                        else None)

    probs = _probabilities(levels)
    if isinstance(model, BetaGeo) and not with_covariates:
        q = _bgnbd_quantiles(model, summary, quantity, t, draws, probs, spend_model, spend_draws, clv_settings)
    elif quantity != "clv":
        q = _general_quantiles(model, summary, quantity, t, draws, probs, covariates)
    else:
        q = _clv_quantiles(model, summary, spend_model, spend_draws, draws, probs, clv_settings, covariates)

    out = pd.DataFrame({quantity: point.to_numpy()}, index=summary.index)
    for j, level in enumerate(levels):
        name = _level_name(level)
        out[f"lower_{name}"] = q[:, 2 * j]
        out[f"upper_{name}"] = q[:, 2 * j + 1]
    out.attrs.update(quantity=quantity, method=method, n_draws=len(draws), n_failed=int(n_failed),
                     levels=tuple(levels))
    if quantity == "expected_purchases":
        out.attrs["t"] = t
    if "time_unit" in getattr(summary, "attrs", {}):
        out.attrs["time_unit"] = summary.attrs["time_unit"]
    return out


# ----------------------------------------------------------------------------------------------------------
# settings
# ----------------------------------------------------------------------------------------------------------
def _check_levels(levels):
    values = np.atleast_1d(np.asarray(levels, dtype=object))
    if values.size == 0:
        raise ParameterError("levels must hold at least one coverage level, e.g. levels=(0.8, 0.95).",
                             parameter="levels", value=levels)
    out = [check_number("levels", v, low=0.0, high=1.0, inclusive="neither",
                        hint="Each level is a coverage probability, e.g. 0.8 or 0.95.") for v in values]
    names = [_level_name(v) for v in out]
    if len(set(names)) != len(names):
        raise ParameterError(f"levels must be distinct, got {list(levels)}.", parameter="levels", value=levels)
    return out


def _probabilities(levels):
    """(lower, upper) quantile probabilities of each level, in order: equal tails."""
    probs = []
    for level in levels:
        tail = (1.0 - level) / 2.0
        probs += [tail, 1.0 - tail]
    return np.array(probs, dtype=np.float64)


# ----------------------------------------------------------------------------------------------------------
# parameter draws
# ----------------------------------------------------------------------------------------------------------
def _normal_draws(model, n_draws, rng):
    """n_draws parameter vectors exp(log(theta_hat) + L z), L L' = H^-1 (the Hessian on the log scale)."""
    name = type(model).__name__
    hessian = getattr(model, "hessian_", None)
    if hessian is None:
        raise NotFittedError(f"method='normal' needs the Hessian of a {name} fitted on data; this one was built "
                             "from given parameters (no estimation error to propagate). Fit it, or use "
                             "method='bootstrap' with the data.")
    H = np.asarray(hessian, dtype=np.float64)
    try:
        np.linalg.cholesky(H)  # positive definite, or LinAlgError
        chol = np.linalg.cholesky(np.linalg.inv(H))
    except np.linalg.LinAlgError:
        chol = None
    if chol is None or not np.all(np.isfinite(chol)):
        raise ConvergenceError(f"{name}: the Hessian at the estimate is not positive definite, so the estimates "
                               "have no normal approximation (some parameter is not identified; see "
                               "model.diagnostics). "
                               + ("Use more data, fewer covariates, or penalizer=0.001." if model._uses_covariates
                                  else "Use method='bootstrap', more data, or penalizer=0.001."))
    # the optimiser's scale: logs of the model's parameters, covariate coefficients as they are
    logp = model._unconstrained(model.params_.to_numpy(dtype=np.float64))
    z = rng.standard_normal((n_draws, len(logp)))
    logs = np.clip(logp + z @ chol.T, *model._bounds())
    return np.ascontiguousarray(model._natural(logs))


def _refit(model, frame, weights):
    """A new model of the same class and settings fitted with ``weights``, started at ``model``'s estimate."""
    clone = type(model)(penalizer=model.penalizer, initial_params=dict(model.params_.items()), tol=model.tol,
                        max_iter=model.max_iter)
    return clone.fit(frame, weights=weights).params_.to_numpy(dtype=np.float64)


def _bootstrap_draws(model, summary, n_boot, rng, spend_model):
    """Parameters refitted on ``n_boot`` resamples of the customers (and the spend model's, when given).

    Customers with the same columns are interchangeable, so a resample is a multinomial count per unique row
    pattern: the refit uses those counts as weights instead of a copied frame.
    """
    data = model._prepare(summary)
    columns = dict(zip(model._columns, data))
    if spend_model is not None:
        x, m = spend_model._prepare(summary, for_fit=False)
        columns["monetary_value"] = np.where(x > 0, m, 0.0)
    patterns, counts, _ = compress_rows(list(columns.values()))
    frame = pd.DataFrame(dict(zip(columns, patterns)))
    frame.attrs.update(getattr(summary, "attrs", {}))
    n = int(round(counts.sum()))
    share = counts / counts.sum()
    draws, spend_draws = [], []
    failed = 0
    for _ in range(n_boot):
        w = rng.multinomial(n, share).astype(np.float64)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                params = _refit(model, frame, w)
                spend = _refit(spend_model, frame, w) if spend_model is not None else None
        except (ConvergenceError, DataQualityError):
            failed += 1
            continue
        draws.append(params)
        if spend is not None:
            spend_draws.append(spend)
    if len(draws) < max(2, n_boot / 2):
        raise ConvergenceError(f"{type(model).__name__}: {failed} of {n_boot} bootstrap refits failed; the "
                               "model is barely identified on these data. Use more data, or penalizer=0.001.")
    return (np.ascontiguousarray(np.array(draws)),
            np.ascontiguousarray(np.array(spend_draws)) if spend_model is not None else None, failed)


def _with_params(model, values):
    """A shallow copy of ``model`` predicting with the parameter vector ``values``."""
    other = copy.copy(model)
    other.params_ = pd.Series(np.asarray(values, dtype=np.float64), index=model.params_.index, name="coef")
    return other


# ----------------------------------------------------------------------------------------------------------
# evaluation
# ----------------------------------------------------------------------------------------------------------
def _bgnbd_quantiles(model, summary, quantity, t, draws, probs, spend_model=None, spend_draws=None,
                     settings=None):
    """BG/NBD and MBG/NBD: the fused kernel over unique customer patterns x draws.

    CLV_i = margin spend_i sum_k (E[Y_i(kL)] - E[Y_i((k-1)L)]) / (1+d)^k = margin spend_i P(alive)_i D(x_i, T_i)
    with D = sum_k (B_k - B_(k-1)) / (1+d)^k over the brackets B_k at horizon kL (B_0 = 0).
    """
    columns = list(model._prepare(summary))
    empty = np.empty(0)
    spend = np.empty((0, 3))
    if quantity == "clv":
        horizon = _check_value_settings(settings["horizon"], settings["discount_rate"], settings["margin"])
        length = _period_in_model_units(model, settings["period"])
        margin = float(settings["margin"])
        if spend_draws is not None:
            x_s, m = spend_model._prepare(summary, for_fit=False)
            columns.append(np.where(x_s > 0, m, 0.0))
            columns.append(np.full(len(m), margin))
            spend = np.ascontiguousarray(spend_draws, dtype=np.float64)
        else:
            columns.append(np.zeros(len(columns[0])))
            columns.append(margin * np.asarray(_spend_values(spend_model, summary), dtype=np.float64))
    patterns, _, inverse = compress_rows(columns)
    px, ptx, pT = patterns[:3]
    m_col, scale = (patterns[3], patterns[4]) if quantity == "clv" else (empty, empty)
    modified = bool(model._modified)
    n_draws = len(draws)
    if quantity == "p_alive":
        pair = np.zeros(len(px), dtype=np.int64)
        bracket = np.empty((0, n_draws))
    else:
        (ux, uT), _, pair = compress_rows((px, pT))
        if quantity == "expected_purchases":
            bracket = _ik.bgnbd_bracket_draws(draws, ux, uT, float(t), modified, np.empty((len(ux), n_draws)))
        else:
            bracket = np.zeros((len(ux), n_draws))
            previous = np.zeros((len(ux), n_draws))
            current = np.empty((len(ux), n_draws))
            for k in range(1, horizon + 1):
                _ik.bgnbd_bracket_draws(draws, ux, uT, k * length, modified, current)
                bracket += (current - previous) / (1.0 + float(settings["discount_rate"])) ** k
                previous, current = current, previous
    out = np.empty((len(px), len(probs)))
    with np.errstate(all="ignore"):
        _ik.bgnbd_interval_quantiles(draws, px, ptx, pT, pair, bracket, modified, spend, m_col, scale, probs, out,
                                     get_num_threads())
    return out[inverse]


def _general_quantiles(model, summary, quantity, t, draws, probs, covariates=None):
    """Any purchase model: its own kernels once per draw on blocks of unique patterns (with covariates, the
    patterns include them and each draw gives every customer her own scale parameters)."""
    patterns, _, inverse = compress_rows(model._prepare_predict(summary, covariates))
    models = [_with_params(model, d) for d in draws]
    n = len(patterns[0])
    out = np.empty((n, len(probs)))
    for start in range(0, n, _BLOCK):
        block = [np.ascontiguousarray(p[start:start + _BLOCK]) for p in patterns]
        size = len(block[0])
        values = np.empty((size, len(draws)))
        horizon = np.full(size, float(t)) if quantity == "expected_purchases" else None
        with np.errstate(all="ignore"):
            for d, m in enumerate(models):
                values[:, d] = (m._p_alive_arrays(block) if horizon is None else m._cond_exp_arrays(horizon, block))
        _ik.row_quantiles(values, probs, out[start:start + size])
    return out[inverse]


def _clv_quantiles(model, summary, spend_model, spend_draws, draws, probs, settings, covariates=None):
    """CLV under each draw through :func:`customer_lifetime_value`, in blocks of customers."""
    n = len(summary)
    models = [_with_params(model, d) for d in draws]
    spends = ([_with_params(spend_model, s) for s in spend_draws] if spend_draws is not None
              else [spend_model] * len(draws))
    out = np.empty((n, len(probs)))
    for start in range(0, n, _BLOCK):
        block = summary.iloc[start:start + _BLOCK]
        spend_block = spends
        if isinstance(spend_model, pd.Series):
            spend_block = [spend_model.loc[block.index]] * len(draws)
        elif np.ndim(spend_model) == 1:
            spend_block = [np.asarray(spend_model)[start:start + _BLOCK]] * len(draws)
        values = np.empty((len(block), len(draws)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an infinite spend under some draw is left in (it sorts last)
            for d, (m, s) in enumerate(zip(models, spend_block)):
                values[:, d] = customer_lifetime_value(m, block, s, **settings, covariates=covariates).to_numpy()
        _ik.row_quantiles(values, probs, out[start:start + len(block)])
    return out


def _warmup(summary, models):
    """Compile (or load from the numba cache) the interval kernels: intervals of each fitted purchase model.

    ``models`` are the models :func:`toolkit.clv.models._warmup` fitted on ``summary`` (with and without
    covariates); called by ``toolkit.warmup`` after it.
    """
    for model in models:
        customer_intervals(model, summary, quantity="expected_purchases", t=4, n_draws=10)
