"""Customer lifetime value: the course's scenario method (``scenario``) and, later, probabilistic models.

Importing this package is light: NumPy, pandas and the numba kernels only (no matplotlib, ipywidgets,
scikit-learn or dask).
"""

from .diagnostics import likelihood_ratio_test, period_transactions, repeat_pmf
from .intervals import customer_intervals
from .scenario import (  # noqa: F401
    FACTORS,
    HEALTHY_CLV_CAC,
    SEGMENT_STRATEGIES,
    TEXTBOOK,
    CLVResult,
    DeliveredValue,
    Portfolio,
    PortfolioResult,
    PromotionResult,
    ScenarioError,
    SensitivityResult,
    UnitEconomics,
    channel_economics,
    clv_components,
    clv_segments,
    course_clv,
    customer_values,
    default_horizon,
    delivered_value,
    estimate_retention,
    expected_lifetime,
    heatmap,
    portfolio_scenario,
    promotion_breakeven,
    sensitivity,
    spend_gap,
    textbook_example,
    unit_economics,
)

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

    from . import scenario

    threshold = scenario._PARALLEL_FROM
    try:
        for scenario._PARALLEL_FROM in (threshold, 0):
            textbook_example()
            clv_components(np.array([100.0, 50.0]), 0.5, np.array([0.8, 0.6]), 0.1, np.array([5.0, np.inf]))
            summary = pd.DataFrame({"revenue": [100.0, 50.0], "tenure_days": [400.0, 800.0], "g": ["a", "b"]})
            Portfolio(summary, group="g").evaluate("a", retention_delta=0.01)
    finally:
        scenario._PARALLEL_FROM = threshold
