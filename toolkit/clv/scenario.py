"""Former home of the course CLV method, kept so that ``from toolkit.clv.scenario import ...`` still works.

The method now lives in one module per concern: :mod:`toolkit.clv.course` (historical / current / potential
value), :mod:`toolkit.clv.sensitivity`, :mod:`toolkit.clv.economics` (CLV:CAC, payback, channels),
:mod:`toolkit.clv.promotions`, :mod:`toolkit.clv.portfolio` (a real customer base and the scenario engine)
and, beside the other customer-value concepts, :mod:`toolkit.customer_value` (customer delivered value).
Import from :mod:`toolkit.clv` (or those modules); this module only re-exports their public names.
"""

from __future__ import annotations

from ..customer_value import DeliveredValue, delivered_value
from ..errors import ScenarioError
from .course import (
    TEXTBOOK,
    CLVResult,
    clv_components,
    course_clv,
    default_horizon,
    expected_lifetime,
    textbook_example,
)
from .economics import HEALTHY_CLV_CAC, UnitEconomics, channel_economics, unit_economics
from .portfolio import (
    SEGMENT_STRATEGIES,
    Portfolio,
    PortfolioResult,
    clv_segments,
    customer_values,
    estimate_retention,
    portfolio_scenario,
    spend_gap,
)
from .promotions import PromotionResult, promotion_breakeven
from .sensitivity import FACTORS, SensitivityResult, heatmap, sensitivity

__all__ = [
    "ScenarioError",
    "TEXTBOOK",
    "CLVResult",
    "course_clv",
    "textbook_example",
    "expected_lifetime",
    "default_horizon",
    "clv_components",
    "FACTORS",
    "SensitivityResult",
    "sensitivity",
    "heatmap",
    "UnitEconomics",
    "unit_economics",
    "channel_economics",
    "PromotionResult",
    "promotion_breakeven",
    "customer_values",
    "spend_gap",
    "estimate_retention",
    "Portfolio",
    "PortfolioResult",
    "portfolio_scenario",
    "clv_segments",
    "SEGMENT_STRATEGIES",
    "DeliveredValue",
    "delivered_value",
    "HEALTHY_CLV_CAC",
]
