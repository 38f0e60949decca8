"""Customer lifetime value: the course's method and probabilistic models.

One module per concern: :mod:`~toolkit.clv.course` (historical + current + potential value of one customer),
:mod:`~toolkit.clv.sensitivity` (tornado, elasticities, heatmap), :mod:`~toolkit.clv.economics` (CLV:CAC,
payback, channels), :mod:`~toolkit.clv.promotions` (promotion break-even), :mod:`~toolkit.clv.portfolio`
(a real customer base and the portfolio scenario engine); :mod:`~toolkit.clv.models`,
:mod:`~toolkit.clv.evaluation`, :mod:`~toolkit.clv.diagnostics` and :mod:`~toolkit.clv.intervals` for the
probabilistic models. Customer delivered value is a customer-value concept, not a CLV: it lives in
:mod:`toolkit.customer_value`, and ``DeliveredValue`` / ``delivered_value`` are still importable from here.

Importing this package is light: NumPy, pandas and the numba kernels only (no matplotlib, ipywidgets,
scikit-learn or dask).
"""

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
from .diagnostics import likelihood_ratio_test, period_transactions, repeat_pmf
from .economics import HEALTHY_CLV_CAC, UnitEconomics, channel_economics, unit_economics
from .intervals import customer_intervals
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
    "customer_intervals",
    "likelihood_ratio_test",
    "period_transactions",
    "repeat_pmf",
    "FACTORS",
    "HEALTHY_CLV_CAC",
    "SEGMENT_STRATEGIES",
    "TEXTBOOK",
    "CLVResult",
    "DeliveredValue",
    "Portfolio",
    "PortfolioResult",
    "PromotionResult",
    "ScenarioError",
    "SensitivityResult",
    "UnitEconomics",
    "channel_economics",
    "clv_components",
    "clv_segments",
    "course_clv",
    "customer_values",
    "default_horizon",
    "delivered_value",
    "estimate_retention",
    "expected_lifetime",
    "heatmap",
    "portfolio_scenario",
    "promotion_breakeven",
    "sensitivity",
    "spend_gap",
    "textbook_example",
    "unit_economics",
]


def _warmup():
    """Compile (or load from the numba cache) the scenario kernels (``toolkit.warmup`` calls this).

    Runs the public calls twice: as they are (serial kernels) and with the parallel threshold at 0, so the
    parallel kernels that large portfolios (from 200,000 customers) use are compiled and cached as well.
    """
    import numpy as np
    import pandas as pd

    from . import _common

    threshold = _common._PARALLEL_FROM
    try:
        for _common._PARALLEL_FROM in (threshold, 0):
            textbook_example()
            clv_components(np.array([100.0, 50.0]), 0.5, np.array([0.8, 0.6]), 0.1, np.array([5.0, np.inf]))
            summary = pd.DataFrame({"revenue": [100.0, 50.0], "tenure_days": [400.0, 800.0], "g": ["a", "b"]})
            Portfolio(summary, group="g").evaluate("a", retention_delta=0.01)
    finally:
        _common._PARALLEL_FROM = threshold
