"""One place for the checks of public parameters (horizons, rates, margins, windows, penalizers...).

Every public function that takes a number from a user (or a slider) checks it here, so that messages read
the same everywhere and name the parameter as the caller spelled it::

    horizon must be a finite number >= 0, got -3.

Errors are :class:`toolkit.errors.ParameterError` (a ``ValueError``) unless the caller passes its own
``ValueError`` subclass (for example ``ScenarioError``), so existing ``except`` clauses keep working.
"""

from __future__ import annotations

import math
import numbers

import numpy as np
import pandas as pd

from .errors import ParameterError, UnitMismatchError

__all__ = ["check_number", "check_int", "check_probability", "check_index_aligned", "check_time_unit"]


def _describe(low, high, inclusive):
    lo_inc = inclusive in ("both", "left")
    hi_inc = inclusive in ("both", "right")
    if low is not None and high is not None:
        return f"in {'[' if lo_inc else '('}{low:g}, {high:g}{']' if hi_inc else ')'}"
    if low is not None:
        return f"{'>=' if lo_inc else '>'} {low:g}"
    if high is not None:
        return f"{'<=' if hi_inc else '<'} {high:g}"
    return ""


def check_number(name, value, *, low=None, high=None, inclusive="both", allow_inf=False, hint="",
                 error=ParameterError):
    """Return ``value`` as a float after checking it is a real number in range; raise naming ``name`` otherwise.

    Parameters
    ----------
    name : str
        The parameter's name in the caller's signature (used in the message).
    value : object
        What the user passed. Booleans, strings, None, NaN and (unless ``allow_inf``) infinities are refused.
    low, high : float, optional
        Bounds. ``inclusive`` is one of "both", "left", "right", "neither".
    allow_inf : bool, default False
        Accept +-inf (still subject to the bounds).
    hint : str
        A sentence appended to the message saying how to fix it (e.g. "Pass 0.1 for 10%.").
    error : type, default ParameterError
        Exception class to raise (a ValueError subclass).
    """
    rng = _describe(low, high, inclusive)
    kind = "a number" if allow_inf else "a finite number"
    what = f"{name} must be {kind}{' ' + rng if rng else ''}"

    def fail(shown):
        msg = f"{what}, got {shown}." + (f" {hint}" if hint else "")
        if error is ParameterError:
            raise ParameterError(msg, parameter=name, value=value)
        raise error(msg)

    if isinstance(value, (bool, np.bool_)) or value is None or isinstance(value, str):
        fail(repr(value))
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if not isinstance(value, numbers.Real):
        fail(f"{type(value).__name__} {value!r}"[:80])
    v = float(value)
    if math.isnan(v) or (math.isinf(v) and not allow_inf):
        fail(repr(v))
    lo_inc = inclusive in ("both", "left")
    hi_inc = inclusive in ("both", "right")
    if low is not None and (v < low or (v == low and not lo_inc)):
        fail(f"{v:g}")
    if high is not None and (v > high or (v == high and not hi_inc)):
        fail(f"{v:g}")
    return v


def check_int(name, value, *, low=None, high=None, hint="", error=ParameterError):
    """Return ``value`` as an int after checking it is a finite whole number in [low, high]."""
    v = check_number(name, value, low=low, high=high, hint=hint, error=error)
    if v != math.floor(v):
        msg = f"{name} must be a whole number, got {v:g}." + (f" {hint}" if hint else "")
        if error is ParameterError:
            raise ParameterError(msg, parameter=name, value=value)
        raise error(msg)
    return int(v)


def check_probability(name, value, *, inclusive="both", hint="", error=ParameterError):
    """A rate or probability in [0, 1] (``inclusive`` as in :func:`check_number`)."""
    return check_number(name, value, low=0.0, high=1.0, inclusive=inclusive,
                        hint=hint or "Pass 0.3 for 30%.", error=error)


def check_array(name, values, *, low=None, high=None, inclusive="both", allow_inf=False, hint=""):
    """Array version of :func:`check_number`: every element finite (unless ``allow_inf``) and in range.

    The message quotes up to three offending values."""
    a = np.asarray(values, dtype=np.float64)
    bad = np.isnan(a) | (np.isinf(a) if not allow_inf else False)
    lo_inc = inclusive in ("both", "left")
    hi_inc = inclusive in ("both", "right")
    if low is not None:
        bad |= (a < low) if lo_inc else (a <= low)
    if high is not None:
        bad |= (a > high) if hi_inc else (a >= high)
    if np.any(bad):
        rng = _describe(low, high, inclusive)
        kind = "numbers" if allow_inf else "finite numbers"
        shown = a[bad].ravel()[:3].tolist()
        raise ParameterError(f"{name} must be {kind}{' ' + rng if rng else ''}, got {shown} "
                             f"({int(np.sum(bad))} value(s))." + (f" {hint}" if hint else ""),
                             parameter=name, value=shown)
    return a


def check_index_aligned(name, values, index, *, what="the summary"):
    """Check that the Series ``values`` has exactly the customers of ``index``; return it reindexed.

    Raises :class:`~toolkit.errors.UnitMismatchError` naming up to five missing and extra ids, with the fix.
    Order does not matter; duplicated ids are refused.
    """
    if not isinstance(values, pd.Series):
        return values
    if values.index.has_duplicates:
        dup = values.index[values.index.duplicated()].unique()[:5].tolist()
        raise UnitMismatchError(f"{name} has duplicated customer ids (e.g. {dup}); pass one value per customer.")
    if values.index.equals(index):
        return values
    missing = index.difference(values.index)
    extra = values.index.difference(index)
    if len(missing) or len(extra):
        parts = []
        if len(missing):
            parts.append(f"{len(missing)} customer(s) of {what} have no value in {name} "
                         f"(e.g. {missing[:5].tolist()})")
        if len(extra):
            parts.append(f"{len(extra)} id(s) of {name} are not in {what} (e.g. {extra[:5].tolist()})")
        raise UnitMismatchError(
            f"{name} does not match the customers of {what}: " + "; ".join(parts) + ". Index it by the same "
            f"customer_id (e.g. {name}.reindex(summary.index).fillna(value)), or pass a number or an array in the "
            "summary's row order.")
    return values.reindex(index)


def check_time_unit(model, summary, where):
    """Refuse a summary whose ``attrs['time_unit']`` differs from the unit the model was fitted in.

    Both units must be known for the check to bite (a plain DataFrame without attrs is trusted, as before).
    """
    from .config import DAYS_PER_UNIT

    fitted = getattr(model, "time_unit_", None)
    given = getattr(summary, "attrs", {}).get("time_unit") if summary is not None else None
    if fitted is None or given is None or fitted == given:
        return
    name = type(model).__name__
    factor = DAYS_PER_UNIT.get(fitted, float("nan")) / DAYS_PER_UNIT.get(given, float("nan"))
    raise UnitMismatchError(
        f"{where}: {name} was fitted on a summary in time unit {fitted!r}, but this summary is in {given!r}; "
        f"its recency and T would be read as {fitted!r} and every prediction would be wrong (rates off by a "
        f"factor of {factor:.4g}). Rebuild the summary with toolkit.customer_summary(tx, time_unit={fitted!r}), or "
        f"refit the model on this summary.")


def check_output_path(path, name="path"):
    """Return ``path`` as a Path after checking a file can be written there; raise OutputPathError otherwise.

    ``name`` is how the caller's user names it (an argument such as ``path``, or a flag such as ``-o``).
    """
    import os
    from pathlib import Path

    from .errors import OutputPathError

    target = Path(path)
    folder = target.parent
    if target.is_dir():
        raise OutputPathError(f"{name} {path}: that is a folder; name a file in it, e.g. {target / 'report.html'}")
    if not folder.exists():
        raise OutputPathError(f"{name} {path}: the folder {folder} does not exist. Create it first "
                              f"(mkdir -p {folder}) or name a file in an existing folder.")
    if not folder.is_dir():
        raise OutputPathError(f"{name} {path}: {folder} is a file, not a folder. Name a file in an existing folder.")
    if not os.access(folder, os.W_OK | os.X_OK) or (target.exists() and not os.access(target, os.W_OK)):
        raise OutputPathError(f"{name} {path}: no permission to write there. Name a file in a folder you can "
                              "write to.")
    return target


def check_event_flags(events, n):
    """Churn-event flags as a bool array of length ``n`` (all True when ``events`` is None).

    True/False and 1/0 are flags; 2, -1, 0.5 or NaN are not (``np.asarray(.., bool)`` would call them True), and
    raise a DataQualityError naming how many and examples.
    """
    from .errors import DataQualityError

    if events is None:
        return np.ones(n, dtype=bool)
    raw = np.asarray(events)
    if raw.dtype == bool:
        return raw
    num = pd.to_numeric(pd.Series(raw.ravel()), errors="coerce").to_numpy(dtype=np.float64)
    bad = ~np.isin(num, (0.0, 1.0))
    if bad.any():
        shown = pd.unique(raw.ravel()[bad])[:5].tolist()
        raise DataQualityError(f"events must be True/False (or 1/0) per duration: {int(bad.sum())} value(s) are "
                               f"neither, e.g. {shown}. Mark an observed churn 1 (True) and a right-censored "
                               "customer 0 (False).", column="events", count=int(bad.sum()))
    return num.reshape(raw.shape) == 1.0
