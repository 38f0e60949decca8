"""Stage 2: per-customer CSR arrays, built once from a validated log, and the customer summary.

Only this stage turns frames into arrays: :func:`build_arrays` (in the low module
:mod:`toolkit._customer_arrays`, so that :mod:`toolkit.data` can build the arrays of a new ``Transactions``
while this module reads ``Transactions``: imports point one way). :class:`CustomerArrays` is public so that
power users can write their own kernels over it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._customer_arrays import CustomerArrays, build_arrays
from ._kernels._arrays import readonly
from .config import DAYS_PER_UNIT, TIME_UNITS
from .data import as_transactions
from .errors import ParameterError

__all__ = ["CustomerArrays", "customer_summary", "build_arrays"]


# stand-ins for absent optional columns: read-only like the arrays they stand for (one kernel version for both)
_EMPTY_F = readonly(np.empty(0, dtype=np.float64))
_EMPTY_I32 = readonly(np.empty(0, dtype=np.int32))
_EMPTY_I64 = readonly(np.empty(0, dtype=np.int64))


def customer_summary(data, observation_end=None, time_unit=None, **frame_kwargs):
    """One row per customer: the BTYD quantities (lifetimes semantics) and descriptive RFM measures.

    A single numba pass over the customer arrays. Purchases are counted on distinct calendar days (several
    transactions on one day are one purchase occasion), as in Fader, Hardie & Lee (2005), "Counting your
    customers the easy way: An alternative to the Pareto/NBD model", *Marketing Science* 24(2).

    Parameters
    ----------
    data : Transactions or pandas.DataFrame
        A validated log, or a raw frame plus the column arguments of ``Transactions.from_frame``
        (``customer=..., time=..., amount=...``) in ``frame_kwargs``.
    observation_end : date-like, optional
        Calibration end (inclusive calendar day). Transactions after it are ignored and customers whose
        first purchase is after it are left out. Defaults to the log's observation end; it may not be later.
    time_unit : {"D", "W", "M"}, optional
        Unit of the durations. Defaults to the log's.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``customer_id`` (original ids), columns:

        ==================  =========================================================================
        frequency           repeat purchase days (distinct purchase days − 1)
        recency             first to last purchase day (time unit) — the BTYD "age at last purchase"
        T                   first purchase day to the observation end (time unit)
        monetary_value      mean spend per repeat purchase day (0 when frequency is 0)
        n_orders            distinct orders (order ids when known, else transaction rows)
        n_days              distinct purchase days
        revenue             total spend
        first_purchase      timestamp of the first transaction
        last_purchase       timestamp of the last transaction up to the end
        since_last          last purchase day to the end (time unit): the RFM textbooks' "recency"
        ipt_mean, ipt_cv    mean and coefficient of variation (ddof=1) of the gaps between purchase days
                            (NaN with fewer than 1, resp. 2, gaps)
        breadth             distinct categories bought (only with a category column)
        depth               mean quantity per order (with a quantity column), else rows per order
        discount_share      share of orders with a discount > 0 (only with a discount column)
        tenure_days         first purchase day to the end, in days
        ==================  =========================================================================

        ``attrs`` holds ``time_unit`` and ``observation_end``.

    Notes
    -----
    The marketing textbooks' RFM "recency" (time since the last purchase) is ``since_last`` here;
    ``recency`` always means the BTYD quantity, as in lifetimes.

    Examples
    --------
    >>> import pandas as pd, toolkit
    >>> raw = pd.DataFrame({"c": [1, 1, 1, 2], "d": ["2024-01-01", "2024-01-01", "2024-01-15", "2024-01-10"],
    ...                     "v": [5.0, 5.0, 20.0, 8.0]})
    >>> tx = toolkit.Transactions.from_frame(raw, customer="c", time="d", amount="v", duplicates="keep")
    >>> toolkit.customer_summary(tx)[["frequency", "recency", "T", "monetary_value", "revenue"]]
                 frequency  recency     T  monetary_value  revenue
    customer_id
    1                    1     14.0  14.0            20.0     30.0
    2                    0      0.0   5.0             0.0      8.0
    """
    from ._kernels.summary import summary_columns

    tx = as_transactions(data, **frame_kwargs)
    arr = tx.arrays
    unit = time_unit or tx.time_unit
    if unit not in TIME_UNITS:
        raise ParameterError(f"time_unit must be one of {TIME_UNITS}, got {unit!r}.", parameter="time_unit", value=unit)
    if observation_end is None:
        end = tx.observation_end
    else:
        end = pd.Timestamp(observation_end)
        if pd.isna(end):
            raise ParameterError(f"observation_end must be a date (or None for the log's end), got {observation_end!r}.",
                                 parameter="observation_end", value=observation_end)
        end = end.normalize()
        if end > tx.observation_end:
            raise ParameterError(
                f"observation_end {end:%Y-%m-%d} is after the end of the log ({tx.observation_end:%Y-%m-%d}): "
                "purchases in between were not observed. Pass an earlier date or rebuild the Transactions.",
                parameter="observation_end", value=observation_end)
    end_day = arr.day_of(end)
    (frequency, recency, T, monetary, n_orders, n_days, revenue, first_row, last_row, since_last, ipt_mean, ipt_cv,
     breadth, depth, discount_share, tenure) = summary_columns(
        arr.offsets, arr.day, arr.amount, np.int64(end_day), float(DAYS_PER_UNIT[unit]),
        arr.order_code if arr.order_code is not None else _EMPTY_I64, np.int64(arr.n_order_codes),
        arr.category if arr.category is not None else _EMPTY_I32,
        np.int64(len(arr.category_labels) if arr.category_labels is not None else 0),
        arr.quantity if arr.quantity is not None else _EMPTY_F,
        arr.discount if arr.discount is not None else _EMPTY_F,
    )
    ts = tx.frame["timestamp"].to_numpy()
    out = {
        "frequency": frequency, "recency": recency, "T": T, "monetary_value": monetary, "n_orders": n_orders,
        "n_days": n_days, "revenue": revenue, "first_purchase": ts[first_row], "last_purchase": ts[last_row],
        "since_last": since_last, "ipt_mean": ipt_mean, "ipt_cv": ipt_cv,
    }
    if arr.category is not None:
        out["breadth"] = breadth
    out["depth"] = depth
    if arr.discount is not None:
        out["discount_share"] = discount_share
    out["tenure_days"] = tenure
    index = pd.Index(arr.customer_id, name="customer_id")
    frame = pd.DataFrame(out, index=index, copy=False)
    active = first_row >= 0
    if not active.all():  # customers whose first purchase is after the end are not customers yet
        frame = frame.loc[active]
    frame.attrs["time_unit"] = unit
    frame.attrs["observation_end"] = end
    return frame
