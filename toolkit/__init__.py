"""Customer Value Toolkit: customer value analytics for Jupyter.

Validated transactions -> per-customer arrays built once -> numba kernels -> pandas results.

Importing ``toolkit`` is cheap: matplotlib, ipywidgets, scikit-learn and dask are imported only by the
functions that need them (``toolkit.plotting``, ``toolkit.widgets``, clustering, ``toolkit.scale``).
"""

from __future__ import annotations

from importlib import import_module

from .customers import CustomerArrays, customer_summary
from .data import CleaningReport, Events, Transactions, as_transactions, read_events, read_transactions
from .errors import (
    BinningWarning,
    ConvergenceError,
    ConvergenceWarning,
    DataQualityError,
    DataQualityWarning,
    NotFittedError,
    SchemaError,
    ToolkitError,
    UnknownNameError,
)

__version__ = "0.1.0"

# the Chinese of the sentences lower layers write (toolkit._zh) loads with the first translation that needs it
from .i18n import _loaders as _i18n_loaders  # noqa: E402

_i18n_loaders.append(lambda: import_module("toolkit._zh"))


def set_language(language: str) -> None:
    """Show widgets, figures, reports, messages and notebook tables in ``"en"`` or ``"zh"`` (the course's Chinese).

    Under ``"zh"`` a notebook also shows DataFrames and Series with Chinese headers and category labels
    (:func:`toolkit.formatting.notebook_table_html`); the data themselves keep their column names.
    """
    from . import _zh, formatting  # noqa: F401  (messages' Chinese; the notebook table display)
    from .i18n import set_language as _set_language

    _set_language(language)

# Public names that live in submodules and are loaded on first use (keeps `import toolkit` light).
_LAZY = {
    "warmup": "toolkit._warmup",
    "check_environment": "toolkit._warmup",
    "cache_status": "toolkit._warmup",
    "get_language": "toolkit.i18n",
    "build_report": "toolkit.report",
    **{name: "toolkit.rfm" for name in (
        "rfm_scores", "assign_segments", "check_segment_map", "segment_map", "SEGMENT_MAPS", "value_tiers",
        "value_scorecard", "needs_classes", "count_support_contacts", "segment_summary", "revenue_concentration",
        "cluster_customers",
    )},
    **{name: "toolkit.journey" for name in (
        "JourneyMap", "journey_map", "check_map", "stage_codes", "funnel", "transition_matrix", "top_paths", "flows", "dwell_times",
        "journey_gaps", "nps", "stage_kpis", "journey_board", "affinity", "cross_sell", "journey_value",
    )},
    **{name: "toolkit.cohorts" for name in (
        "retention_matrix", "period_rates", "kaplan_meier", "survival_curves", "logrank_test", "ShiftedBetaGeometric",
    )},
    **{name: "toolkit.lifecycle" for name in (
        "LifecycleClassifier", "lifecycle_features", "lifecycle_accuracy", "snapshot_dates", "stage_migration",
        "stage_flows", "stage_mix", "segment_migration", "early_warning", "suggested_actions", "customer_timeline",
    )},
}
_SUBMODULES = {
    "datasets", "rfm", "cohorts", "lifecycle", "journey", "plotting", "widgets", "clv", "exercises", "config",
    "errors", "i18n", "report", "scale", "customer_value",
}

__all__ = [
    "Transactions",
    "CleaningReport",
    "CustomerArrays",
    "read_transactions",
    "as_transactions",
    "Events",
    "read_events",
    "customer_summary",
    "ToolkitError",
    "SchemaError",
    "DataQualityError",
    "ConvergenceError",
    "NotFittedError",
    "UnknownNameError",
    "DataQualityWarning",
    "BinningWarning",
    "ConvergenceWarning",
    "set_language",
    *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        module = import_module(f"toolkit.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'toolkit' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)
