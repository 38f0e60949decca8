"""The per-customer CSR arrays of a validated log (:class:`CustomerArrays`) and the one function that builds them.

Part of stage 2 (:mod:`toolkit.customers`, which exports both names), kept in its own low module so that
:mod:`toolkit.data` can build the arrays of a new ``Transactions`` without importing :mod:`toolkit.customers`,
which in turn reads ``Transactions`` (imports point one way: customers -> data -> this module).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from ._kernels._arrays import readonly
from .config import DAYS_PER_UNIT

__all__ = ["CustomerArrays", "build_arrays"]


@dataclass(frozen=True, eq=False)
class CustomerArrays:
    """Transactions grouped by customer in compressed-sparse-row form.

    Customer ``i`` (original id ``customer_id[i]``) owns transactions ``offsets[i]:offsets[i + 1]``, sorted by
    time. Row ``j`` of every per-transaction array is row ``j`` of ``Transactions.frame``.

    Attributes
    ----------
    customer_id : ndarray (n,)
        Original ids, sorted ascending (int64, or object for text ids).
    offsets : int64 ndarray (n + 1,)
    day : int64 ndarray (m,)
        Calendar day of each transaction, counted from :attr:`origin`.
    amount : float64 ndarray (m,)
    order_code : int64 ndarray (m,) or None
        Code of the order id (globally factorised) when orders are known.
    category, channel : int32 ndarray (m,) or None
        Codes into :attr:`category_labels` / :attr:`channel_labels`; ``-1`` where missing.
    quantity, discount : float64 ndarray (m,) or None
    origin : pandas.Timestamp
        Midnight of the first day in the log (day 0).
    end_day : int
        Observation end as a day index (inclusive).
    time_unit : {"D", "W", "M"}
    """

    customer_id: np.ndarray
    offsets: np.ndarray
    day: np.ndarray
    amount: np.ndarray
    origin: pd.Timestamp
    end_day: int
    time_unit: str
    order_code: np.ndarray | None = None
    n_order_codes: int = 0
    category: np.ndarray | None = None
    category_labels: np.ndarray | None = None
    channel: np.ndarray | None = None
    channel_labels: np.ndarray | None = None
    quantity: np.ndarray | None = None
    discount: np.ndarray | None = None

    def __post_init__(self):
        # read-only: the arrays are shared by every analysis of the log, and kernels then see one array type
        # (one compiled version each, see toolkit._kernels._arrays.readonly)
        for name in ("customer_id", "offsets", "day", "amount", "order_code", "category", "channel", "quantity",
                     "discount"):
            value = getattr(self, name)
            if isinstance(value, np.ndarray) and value.dtype != object:
                object.__setattr__(self, name, readonly(value))

    @property
    def n_customers(self) -> int:
        return len(self.customer_id)

    @property
    def n_transactions(self) -> int:
        return len(self.day)

    @cached_property
    def t(self) -> np.ndarray:
        """Transaction times in :attr:`time_unit` since :attr:`origin` (day resolution), float64."""
        return self.day / DAYS_PER_UNIT[self.time_unit]

    def day_of(self, when) -> int:
        """Day index of a date (its calendar day)."""
        return int((pd.Timestamp(when).normalize() - self.origin).days)

    def date_of(self, day) -> pd.Timestamp:
        """Calendar date of a day index."""
        return self.origin + pd.Timedelta(days=int(day))

    def __repr__(self) -> str:
        return (f"CustomerArrays({self.n_customers:,} customers, {self.n_transactions:,} transactions, "
                f"origin {self.origin:%Y-%m-%d}, end day {self.end_day}, unit {self.time_unit!r})")


def _codes(values):
    codes, labels = pd.factorize(values, sort=True)
    return codes.astype(np.int32), np.asarray(labels)


def build_arrays(frame, offsets, customer_ids, observation_end, time_unit):
    """Build :class:`CustomerArrays` from a canonical frame already in CSR order.

    Parameters
    ----------
    frame : pandas.DataFrame
        Canonical frame sorted by customer then time.
    offsets : int64 ndarray (n + 1,)
        Row offsets of each customer in ``frame``; every customer has at least one row.
    customer_ids : array-like (n,)
        Original ids, in the order of ``offsets``.
    observation_end : pandas.Timestamp
    time_unit : str
    """
    from ._kernels.build import day_index

    uniques = customer_ids
    ns = frame["timestamp"].to_numpy(dtype="datetime64[ns]").view("int64")
    origin = pd.Timestamp(frame["timestamp"].min()).normalize()
    day = day_index(ns, np.int64(origin.value))
    kwargs = {}
    if "order_id" in frame:
        kwargs["order_code"] = pd.factorize(frame["order_id"])[0].astype(np.int64)
        kwargs["n_order_codes"] = int(kwargs["order_code"].max()) + 1 if len(frame) else 0
    if "category" in frame:
        kwargs["category"], kwargs["category_labels"] = _codes(frame["category"])
    if "channel" in frame:
        kwargs["channel"], kwargs["channel_labels"] = _codes(frame["channel"])
    if "quantity" in frame:
        kwargs["quantity"] = frame["quantity"].to_numpy(dtype="float64", na_value=np.nan)
    if "discount" in frame:
        kwargs["discount"] = frame["discount"].to_numpy(dtype="float64")
    cid = np.asarray(uniques)
    if cid.dtype.kind == "i":  # uint64 ids (some >= 2**63) stay uint64: exact, never wrapped negative
        cid = cid.astype(np.int64)
    return CustomerArrays(
        customer_id=cid,
        offsets=offsets,
        day=day,
        amount=frame["amount"].to_numpy(dtype="float64"),
        origin=origin,
        end_day=int((observation_end - origin).days),
        time_unit=time_unit,
        **kwargs,
    )
