"""Discounted customer lifetime value from a transaction model and a spend model, with explicit time units."""

from __future__ import annotations

import numpy as np
import pandas as pd

import warnings

from ..._validate import check_array, check_index_aligned, check_int, check_number, check_time_unit
from ...config import DAYS_PER_UNIT
from ...errors import DataQualityWarning, ParameterError

__all__ = ["customer_lifetime_value", "ModelCLV"]


def _period_in_model_units(model, period):
    if isinstance(period, str):
        unit = getattr(model, "time_unit_", None)
        if unit is None:
            raise ParameterError(f"period={period!r} needs the model's time unit, which is unknown (the summary had no "
                                 "attrs['time_unit']). Pass period as a number of model time units instead, e.g. "
                                 "period=365.2425/12/7 for months when the model was fitted in weeks.",
                                 parameter="period", value=period)
        if period not in DAYS_PER_UNIT or unit not in DAYS_PER_UNIT:
            raise ParameterError(f"period must be one of {list(DAYS_PER_UNIT)} or a number, got {period!r}.",
                                 parameter="period", value=period)
        return DAYS_PER_UNIT[period] / DAYS_PER_UNIT[unit]
    return check_number("period", period, low=0.0, inclusive="neither",
                        hint="It is the length of one period in the model's time unit.")


def _spend_values(spend, summary, covariates=None):
    """Expected spend per purchase of each customer: a GammaGamma model, a Series aligned by index, or a number.

    A Series must hold exactly the summary's customers (any order): a mismatch raises UnitMismatchError naming
    the missing and extra ids, rather than turning their CLV into NaN. Spend must be >= 0 (NaN is refused;
    ``inf`` from a Gamma-Gamma fit with q <= 1 passes through with its own warning).
    """
    if hasattr(spend, "expected_spend"):
        if getattr(spend, "_uses_covariates", False):  # a spend model with covariates: each customer's own
            return spend.expected_spend(summary, covariates=covariates).to_numpy()
        return spend.expected_spend(summary).to_numpy()
    if isinstance(spend, pd.Series):
        spend = check_index_aligned("spend", spend, summary.index)
        values = pd.to_numeric(spend, errors="coerce").to_numpy(dtype=np.float64)
        return check_array("spend", values, low=0.0, hint="It is the expected spend per purchase.")
    values = np.asarray(spend, dtype=np.float64)
    if values.ndim == 1 and values.shape != (len(summary),):
        raise ParameterError(f"spend has {values.shape[0]} values but the summary has {len(summary)} customers; "
                             "pass one value per row of the summary (or a Series indexed by customer_id).",
                             parameter="spend", value=values.shape)
    check_array("spend", values, low=0.0, hint="It is the expected spend per purchase.")
    return np.broadcast_to(values, (len(summary),))


def _check_value_settings(horizon, discount_rate, margin=1.0, max_horizon=None):
    horizon = check_int("horizon", horizon, low=1, hint="It counts periods (e.g. horizon=12 with period='M').")
    if max_horizon is not None and horizon > max_horizon:
        raise ParameterError(f"horizon {horizon} is beyond the {max_horizon} periods prepared; build ModelCLV with "
                             f"max_horizon={int(horizon)} or more.", parameter="horizon", value=horizon)
    check_number("discount_rate", discount_rate, low=0.0, high=1.0,
                 hint="It is the rate per period: pass 0.01 for 1% a month (about 12.7% a year), not 1 or 12.")
    check_number("margin", margin, low=0.0, high=1.0,
                 hint="It is the share of spend that is profit: pass 0.3 for 30%.")
    return horizon


def _warn_infinite(values, where):
    n_inf = int(np.count_nonzero(np.isinf(values)))
    if n_inf:
        warnings.warn(f"{where}: {n_inf} customer(s) have an infinite CLV because their expected spend is infinite "
                      "(a Gamma-Gamma fit with q <= 1; see its warning). Sum CLVs with a cap or without them "
                      "(e.g. clv[np.isfinite(clv)].sum()), and check the amounts for outliers.",
                      DataQualityWarning, stacklevel=3)


def customer_lifetime_value(purchase_model, summary, spend, *, horizon, period, discount_rate, margin=1.0,
                            covariates=None):
    """Discounted expected value of each customer over the next ``horizon`` periods.

    CLV_i = margin * spend_i * sum_{k=1..horizon} (E[Y_i(k L)] - E[Y_i((k-1) L)]) / (1 + d)^k

    where E[Y_i(t)] is the purchase model's conditional expected number of purchases in the next t model time
    units, L is the period length in model time units and d the discount rate per period. Purchases within
    period k are discounted as if they happened at its end.

    Parameters
    ----------
    purchase_model : fitted BetaGeo, ModifiedBetaGeo, ParetoNBD or BetaGeoBetaBinom
    summary : DataFrame with the columns the purchase model reads (and ``monetary_value`` when ``spend`` is a
        GammaGamma model)
    spend : fitted GammaGamma, Series aligned with ``summary``, array or float
        Expected spend per purchase of each customer.
    horizon : int
        Number of periods.
    period : float or {"D", "W", "M"}
        Length of one period: a number in the model's time unit, or a unit name converted with
        ``toolkit.config.DAYS_PER_UNIT`` ("M" is 365.2425/12 days) from the model's ``time_unit_``. For BG/BB
        a period is a number of transaction opportunities.
    discount_rate : float
        Discount rate per period (0.01 per month is about 12.7% a year).
    margin : float, default 1.0
        Share of spend that is profit.
    covariates : DataFrame, optional
        For models fitted with covariates: each customer's covariates, indexed by customer_id (default: the
        frame given at fit). Passed to the purchase model and to a Gamma-Gamma spend model fitted with
        covariates.

    Returns
    -------
    pandas.Series ``clv`` aligned with ``summary``.

    Raises
    ------
    ParameterError
        horizon, period, discount_rate (in [0, 1] per period) or margin (in [0, 1]) out of range, NaN or inf.
    UnitMismatchError
        The summary's ``attrs["time_unit"]`` is not the model's ``time_unit_``, or a ``spend`` Series does not
        hold exactly the summary's customers (the message names missing and extra ids).
    """
    horizon = _check_value_settings(horizon, discount_rate, margin)
    purchase_model._check_fitted()
    check_time_unit(purchase_model, summary, "customer_lifetime_value")
    length = _period_in_model_units(purchase_model, period)
    spend_values = _spend_values(spend, summary, covariates)
    from .base import compress_rows

    data = purchase_model._prepare_predict(summary, covariates)
    if getattr(purchase_model, "_compress_conditional", True) or purchase_model._uses_covariates:
        patterns, _, inverse = compress_rows(data)
    else:
        patterns, inverse = data, slice(None)
    n_patterns = len(patterns[0])
    total = np.zeros(n_patterns)
    previous = np.zeros(n_patterns)
    for k in range(1, horizon + 1):
        current = purchase_model._cond_exp_arrays(np.full(n_patterns, k * length), patterns)
        total += (current - previous) / (1.0 + discount_rate) ** k
        previous = current
    total = total[inverse]
    with np.errstate(invalid="ignore"):
        values = margin * spend_values * total
    values = np.where(np.isinf(spend_values) & (total == 0.0), 0.0, values)  # no purchases: no value, even at inf
    _warn_infinite(values, "customer_lifetime_value")
    return pd.Series(values, index=summary.index, name="clv")


class ModelCLV:
    """A fitted model's CLV prepared for sliders: any horizon, discount rate and margin in milliseconds.

    The expensive part of :func:`customer_lifetime_value` is the purchase model's conditional expectation
    E[Y(k L)] at every period end. It depends on the customer only through her (frequency, recency, T)
    pattern, so it is computed once per unique pattern and period up to ``max_horizon``; a new setting then
    costs one small matrix-vector product and a gather:

        CLV_i(h, d, m) = m * spend_i * sum_{k<=h} w_k(d) * (E[Y_i(k L)] - E[Y_i((k-1) L)]),  w_k(d) = (1+d)^-k

    The result equals :func:`customer_lifetime_value` with the same settings (tested to 1e-12). Its ``values``
    frame (historical, current = model CLV) feeds the course's scenario tools and CLV segmentation
    (:func:`toolkit.clv.customer_values` with ``current=``, :func:`toolkit.clv.clv_segments`).

    Parameters
    ----------
    purchase_model : fitted BetaGeo, ModifiedBetaGeo, ParetoNBD or BetaGeoBetaBinom
    summary : DataFrame
        The columns the purchase model reads (and ``monetary_value`` when ``spend`` is a GammaGamma model).
    spend : fitted GammaGamma, Series aligned with ``summary``, array or float
    period : float or {"D", "W", "M"}
        Length of one period, as in :func:`customer_lifetime_value`.
    max_horizon : int, default 60
        Largest horizon (in periods) a later call may ask for.
    covariates : DataFrame, optional
        Each customer's covariates for models fitted with them, as in :func:`customer_lifetime_value`.

    Examples
    --------
    >>> values = ModelCLV(bg, summary, gg, period="M", max_horizon=36)     # doctest: +SKIP
    >>> values.clv(horizon=12, discount_rate=0.01, margin=0.3)              # doctest: +SKIP
    """

    def __init__(self, purchase_model, summary, spend, *, period, max_horizon=60, covariates=None):
        from .base import compress_rows

        purchase_model._check_fitted()
        check_int("max_horizon", max_horizon, low=1, high=100_000, hint="It counts periods.")
        check_time_unit(purchase_model, summary, "ModelCLV")
        self.model = purchase_model
        self.index = summary.index
        self.max_horizon = int(max_horizon)
        self.period_length = _period_in_model_units(purchase_model, period)
        self.spend = np.ascontiguousarray(_spend_values(spend, summary, covariates), dtype=np.float64)
        patterns, _, self._inverse = compress_rows(purchase_model._prepare_predict(summary, covariates))
        n_patterns = len(patterns[0])
        cumulative = np.zeros((self.max_horizon + 1, n_patterns))
        for k in range(1, self.max_horizon + 1):
            cumulative[k] = purchase_model._cond_exp_arrays(np.full(n_patterns, k * self.period_length), patterns)
        self._increments = np.ascontiguousarray(np.diff(cumulative, axis=0))  # (max_horizon, n_patterns)
        self.n_patterns = n_patterns

    def expected_purchases(self, horizon) -> pd.Series:
        """Expected purchases of each customer in the next ``horizon`` periods (undiscounted)."""
        horizon = _check_value_settings(horizon, 0.0, 1.0, self.max_horizon)
        per_pattern = self._increments[: int(horizon)].sum(axis=0)
        return pd.Series(per_pattern[self._inverse], index=self.index, name="expected_purchases")

    def clv(self, *, horizon, discount_rate, margin=1.0) -> pd.Series:
        """Discounted CLV of each customer (Series ``clv``), as :func:`customer_lifetime_value`."""
        h = _check_value_settings(horizon, discount_rate, margin, self.max_horizon)
        weights = (1.0 + float(discount_rate)) ** -np.arange(1.0, h + 1.0)
        per_pattern = weights @ self._increments[:h]
        total = per_pattern[self._inverse]
        with np.errstate(invalid="ignore"):
            values = float(margin) * self.spend * total
        values = np.where(np.isinf(self.spend) & (total == 0.0), 0.0, values)
        _warn_infinite(values, "ModelCLV.clv")
        return pd.Series(values, index=self.index, name="clv")
