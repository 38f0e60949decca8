"""Discounted customer lifetime value from a transaction model and a spend model, with explicit time units."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...config import DAYS_PER_UNIT

__all__ = ["customer_lifetime_value"]


def _period_in_model_units(model, period):
    if isinstance(period, str):
        unit = getattr(model, "time_unit_", None)
        if unit is None:
            raise ValueError(f"period={period!r} needs the model's time unit, which is unknown (the summary had no "
                             "attrs['time_unit']). Pass period as a number of model time units instead, e.g. "
                             "period=365.2425/12/7 for months when the model was fitted in weeks.")
        if period not in DAYS_PER_UNIT or unit not in DAYS_PER_UNIT:
            raise ValueError(f"period must be one of {list(DAYS_PER_UNIT)} or a number, got {period!r}.")
        return DAYS_PER_UNIT[period] / DAYS_PER_UNIT[unit]
    period = float(period)
    if not period > 0:
        raise ValueError(f"period must be positive, got {period}.")
    return period


def customer_lifetime_value(purchase_model, summary, spend, *, horizon, period, discount_rate, margin=1.0):
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

    Returns
    -------
    pandas.Series ``clv`` aligned with ``summary``.
    """
    horizon = int(horizon)
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 period, got {horizon}.")
    if not discount_rate > -1:
        raise ValueError(f"discount_rate must be > -1, got {discount_rate}.")
    length = _period_in_model_units(purchase_model, period)
    if hasattr(spend, "expected_spend"):
        spend_values = spend.expected_spend(summary).to_numpy()
    elif isinstance(spend, pd.Series):
        spend_values = spend.reindex(summary.index).to_numpy(dtype=np.float64)
    else:
        spend_values = np.broadcast_to(np.asarray(spend, dtype=np.float64), (len(summary),))
    from .base import compress_rows

    purchase_model._check_fitted()
    data = purchase_model._prepare(summary)
    if getattr(purchase_model, "_compress_conditional", True):
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
    return pd.Series(margin * spend_values * total, index=summary.index, name="clv")
