"""The package's vocabulary: canonical column names and event names, in one low module.

Nothing here imports from ``toolkit``: :mod:`toolkit.data` (which validates logs onto these names),
:mod:`toolkit.customers` and :mod:`toolkit.datasets` (whose teaching company speaks them) all import it, so
the names are defined once and imports point one way.
"""

from __future__ import annotations

__all__ = ["CANONICAL_COLUMNS", "EVENT_COLUMNS", "EVENTS"]

#: Role -> canonical column name. A frame that already uses canonical names maps onto
#: ``Transactions.from_frame(df, **CANONICAL_COLUMNS)`` (restricted to the columns it has).
CANONICAL_COLUMNS = {
    "customer": "customer_id",
    "time": "timestamp",
    "amount": "amount",
    "order": "order_id",
    "category": "category",
    "quantity": "quantity",
    "channel": "channel",
    "discount": "discount",
}

#: Role -> canonical column name of an event log.
EVENT_COLUMNS = {"customer": "customer_id", "time": "timestamp", "event": "event", "channel": "channel",
                 "order": "order_id"}

#: Event types (``events.event`` of the teaching company), in funnel order: also the default tie order of
#: events at the same time (``Events.from_frame``).
EVENTS = (
    "ad_impression",
    "visit",
    "sign_up",
    "trial",
    "purchase",
    "repurchase",
    "referral",
    "complaint",
    "support_contact",
    "winback_offer",
)
