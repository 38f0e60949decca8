"""Customer lifetime value: the course's scenario method (``scenario``) and, later, probabilistic models.

Importing this package is light: NumPy, pandas and the numba kernels only (no matplotlib, ipywidgets,
scikit-learn or dask).
"""

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
    """Compile (or load from the numba cache) the scenario kernels on tiny inputs (``toolkit.warmup`` calls this).

    The parallel kernels (used from 200,000 customers) are not cached; they compile when a large
    :class:`Portfolio` is built, not at the first slider move.
    """
    import numpy as np
    import pandas as pd

    textbook_example()
    clv_components(np.array([100.0, 50.0]), 0.5, np.array([0.8, 0.6]), 0.1, np.array([5.0, np.inf]))
    summary = pd.DataFrame({"revenue": [100.0, 50.0], "tenure_days": [400.0, 800.0], "g": ["a", "b"]})
    Portfolio(summary, group="g").evaluate("a", retention_delta=0.01)
