"""Shared pieces of the course CLV modules (private): the error, parameter checks and small helpers.

:mod:`toolkit.clv.course`, :mod:`~toolkit.clv.sensitivity`, :mod:`~toolkit.clv.economics`,
:mod:`~toolkit.clv.promotions` and :mod:`~toolkit.clv.portfolio` import these; nothing here imports them.
"""

from __future__ import annotations

import numpy as np

from ..errors import ScenarioError, SchemaError
from ..i18n import get_language, tr

#: Customers from which the scenario kernels run in parallel (``toolkit.clv._warmup`` lowers it to compile both).
_PARALLEL_FROM = 200_000
_MAX_HORIZON = 1000


def _fmt(x):
    return f"{x:,.1f}"


# ------------------------------------------------------------------------------------------ display language (#20)
def _zh() -> bool:
    """True when results are shown in Chinese (``set_language("zh")``); loads their Chinese (toolkit._zh)."""
    if get_language() == "en":
        return False
    from .. import _zh as _texts  # noqa: F401  (the Chinese of results and messages: toolkit._zh.results_clv)

    return True


from ..i18n import Sentence  # noqa: E402,F401  (verdicts print in the current language; was defined here)



def _zh_label(value, *, header=False, context=None):
    """A column name or category value for a Chinese reader: the label meant for its column or index
    (``val.<context>.<value>``), its ``col.*`` / ``val.*`` catalogue label, or the Chinese of a sentence the toolkit
    wrote, else the value as it is (the user's own names and codes): :func:`toolkit.formatting._zh_value`."""
    from ..formatting import _zh_value

    if not isinstance(value, str):
        return value
    return _zh_value(value, context, header=header) or value


def _zh_cell(value, context=None):
    """A cell for a Chinese reader: yes / no for booleans, labels and sentences for text, numbers as they are."""
    if isinstance(value, (bool, np.bool_)):
        return tr("clv.yes") if value else tr("clv.no")
    return _zh_label(value, context=context) if isinstance(value, str) else value


def _zh_frame(frame, *, columns=None, index=None, index_name=None):
    """A copy of ``frame`` labelled for a Chinese reader (headers, index labels, yes/no, sentences); data unchanged.

    ``columns`` and ``index`` map names to labels where the catalogue's general label does not fit the result.
    """
    import pandas as pd

    out = frame.copy()
    for col in out.columns:
        dtype = out[col].dtype
        if (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_string_dtype(dtype)
                or pd.api.types.is_object_dtype(dtype) or isinstance(dtype, pd.CategoricalDtype)):
            out[col] = pd.Series([_zh_cell(v, col) for v in out[col]], index=out.index, dtype=object)
    columns = columns or {}
    out.columns = [columns.get(c) or _zh_label(c, header=True, context=frame.columns.name) for c in out.columns]
    index = index or {}
    if not isinstance(out.index, pd.RangeIndex):
        out.index = pd.Index([index.get(v) or _zh_label(v, context=frame.index.name) for v in out.index])
    name = index_name or (_zh_label(frame.index.name, header=True) if frame.index.name is not None else None)
    out.index.name = name
    return out


def _f8(x, n, name):
    """Broadcast a scalar or array-like to a fresh-enough C-contiguous writable float64 array of length n."""
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 0:
        return np.full(n, float(a))
    if a.shape != (n,):
        raise SchemaError(f"`{name}` has shape {a.shape}, expected a scalar or ({n},) values, one per customer.")
    return np.require(a, dtype=np.float64, requirements=["C", "W"])


def _check_params(*, retention, discount_rate, horizon, margin=None, annual_revenue=None, where=""):
    """Raise a clear ScenarioError for parameter combinations without a finite, meaningful CLV."""
    r = np.asarray(retention, dtype=np.float64)
    d = np.asarray(discount_rate, dtype=np.float64)
    if np.any(~np.isfinite(r)) or np.any((r < 0.0) | (r > 1.0)):
        bad = r[~np.isfinite(r) | (r < 0) | (r > 1)].ravel()[:3]
        raise ScenarioError(
            f"retention must be a rate in [0, 1) (1 only with a finite horizon){where}; got {bad.tolist()}. "
            "Pass 0.8 for 80%, not 80; churn 20% means retention 0.8."
        )
    if np.any(~np.isfinite(d)) or np.any((d < 0.0) | (d > 1.0)):
        raise ScenarioError(
            f"discount_rate must be a finite yearly rate in [0, 1]{where}; got {np.unique(d[~np.isfinite(d) | (d < 0) | (d > 1)])[:3].tolist()}. "
            "Pass 0.1 for 10% (not 10); a negative rate would make later years worth more than today."
        )
    if horizon is None:
        if np.any(r >= 1.0):
            raise ScenarioError(
                f"retention 1 means an infinite expected lifetime, so the default horizon 1/(1-r) is infinite{where}. "
                "Give a finite `horizon` (years) or a retention below 1."
            )
    else:
        h = np.asarray(horizon, dtype=np.float64)
        if np.any(np.isnan(h)) or np.any(h < 0):
            raise ScenarioError(f"horizon must be a number of years >= 0 or numpy.inf{where}; got {np.asarray(horizon).ravel()[:3].tolist()}.")
        finite = np.isfinite(h)
        if np.any(finite & (h != np.floor(h))):
            raise ScenarioError(f"horizon counts whole years{where}; got {h[finite & (h != np.floor(h))][:3].tolist()}. Round it first.")
        if np.any(finite & (h > _MAX_HORIZON)):
            raise ScenarioError(f"horizon above {_MAX_HORIZON} years{where}: pass numpy.inf for the infinite-horizon limit.")
        inf_h = np.broadcast_to(~finite, np.broadcast(h, r, d).shape)
        rr = np.broadcast_to(r, inf_h.shape)
        dd = np.broadcast_to(d, inf_h.shape)
        bad = inf_h & ((rr >= 1.0) | (rr >= 1.0 + dd))
        if np.any(bad):
            raise ScenarioError(
                f"an infinite horizon with retention {float(rr[bad][0]):g} (discount rate {float(dd[bad][0]):g}) "
                f"describes a customer who never leaves{where}: the value is infinite, or (with d > 0) only a "
                "perpetuity artefact. Use a finite horizon or a retention below 1."
            )
    if margin is not None:
        m = np.asarray(margin, dtype=np.float64)
        if np.any(~np.isfinite(m)) or np.any((m < 0.0) | (m > 1.0)):
            raise ScenarioError(
                f"margin is the gross margin rate in [0, 1]{where}; got {np.unique(m[~np.isfinite(m) | (m < 0) | (m > 1)])[:3].tolist()}. "
                "Pass 0.6 for 60%. A negative margin makes 'current value / annual margin' meaningless: model "
                "loss-making service as `retention_cost` instead."
            )
    if annual_revenue is not None:
        a = np.asarray(annual_revenue, dtype=np.float64)
        if np.any(~np.isfinite(a)) or np.any(a < 0):
            raise ScenarioError(f"annual_revenue must be finite and >= 0{where}.")
