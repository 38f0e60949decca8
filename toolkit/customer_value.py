"""Customer delivered value (Kotler): total customer value - total customer cost.

A customer-value concept of the course's first lessons, not a CLV: what the customer gets (product,
service, personnel, image) against what she gives (money, time, energy, psychological cost). It sits beside
the other customer-value concepts (value tiers, the value scorecard and needs classes in :mod:`toolkit.rfm`);
``toolkit.clv`` still exports both names.

References
----------
.. [1] Kotler, P., & Keller, K. L. Marketing Management, chapter "Creating customer value, satisfaction and
   loyalty" (customer delivered value = total customer value - total customer cost).
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import ScenarioError
from .i18n import get_language, tr

__all__ = ["DeliveredValue", "delivered_value"]


@dataclass(frozen=True)
class DeliveredValue:
    """Customer delivered value: total customer value - total customer cost.

    Attributes
    ----------
    values, costs : dict
        The four value parts (product, service, personnel, image) and four cost parts (money, time,
        energy, psychological).
    total_value, total_cost, delivered, ratio : float
        ``delivered = total_value - total_cost``; ``ratio = total_value / total_cost``.
    """

    values: dict
    costs: dict
    total_value: float
    total_cost: float
    delivered: float
    ratio: float

    @property
    def summary(self) -> pd.DataFrame:
        """One row per part: ``side`` (value / cost), ``part``, ``amount``."""
        rows = [("value", k, v) for k, v in self.values.items()] + [("cost", k, v) for k, v in self.costs.items()]
        return pd.DataFrame(rows, columns=["side", "part", "amount"])

    def __repr__(self) -> str:
        if _zh():
            ratio = f"{self.ratio:.2f}" if np.isfinite(self.ratio) else "∞"
            return tr("value.delivered.repr").format(value=f"{self.total_value:,.1f}", cost=f"{self.total_cost:,.1f}",
                                                     delivered=f"{self.delivered:,.1f}", ratio=ratio)
        return (f"DeliveredValue(total value {self.total_value:,.1f} - total cost {self.total_cost:,.1f} = "
                f"{self.delivered:,.1f}; value/cost {self.ratio:.2f})")

    def _repr_html_(self) -> str:
        summary = self.summary
        if _zh():
            # the labels of the columns and of the values in them (toolkit._zh.results_clv: the glossary's terms)
            summary = pd.DataFrame({tr(f"col.{c}"): [tr(f"val.{c}.{v}") for v in summary[c]] for c in ("side", "part")}
                                   | {tr("col.amount"): summary["amount"]})
        return f"<p>{html.escape(repr(self))}</p>" + summary.to_html(index=False)


def _zh() -> bool:
    """True when results are shown in Chinese; loads their Chinese (:mod:`toolkit._zh`)."""
    if get_language() == "en":
        return False
    from . import _zh as _texts  # noqa: F401

    return True


def delivered_value(*, product=0.0, service=0.0, personnel=0.0, image=0.0, money=0.0, time=0.0, energy=0.0,
                    psychological=0.0) -> DeliveredValue:
    """Customer delivered value (Kotler): total customer value - total customer cost.

    Parameters
    ----------
    product, service, personnel, image : float
        Parts of the total customer value (in money-equivalent units, or scores on a common scale).
    money, time, energy, psychological : float
        Parts of the total customer cost, same units.

    Returns
    -------
    DeliveredValue

    Examples
    --------
    >>> round(delivered_value(product=300, service=60, personnel=20, image=40, money=199, time=10).delivered, 1)
    211.0
    """
    vals = {"product": product, "service": service, "personnel": personnel, "image": image}
    costs = {"money": money, "time": time, "energy": energy, "psychological": psychological}
    for k, v in {**vals, **costs}.items():
        if not np.isfinite(v) or v < 0:
            raise ScenarioError(f"`{k}` must be a finite amount >= 0; got {v!r}.")
    tv, tc = float(sum(vals.values())), float(sum(costs.values()))
    return DeliveredValue(values={k: float(v) for k, v in vals.items()}, costs={k: float(v) for k, v in costs.items()},
                          total_value=tv, total_cost=tc, delivered=tv - tc, ratio=tv / tc if tc > 0 else float("inf"))
