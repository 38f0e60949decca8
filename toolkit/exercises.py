"""Self-checks for the lesson notebooks: ``check(answer, expected)`` says right or wrong, why, and a hint.

Examples
--------
In a notebook::

    current_value = 3058.7
    check("current_value", 3058.7, tol=0.5, hint="Sum the five discounted years.")

``check`` accepts the *name* of a variable (looked up in the caller's namespace, so a student who has
not run the cell yet gets "not defined yet" instead of a NameError) or the value itself. Numbers are
compared with an absolute tolerance ``tol`` (and optional relative ``rtol``); arrays, Series and
DataFrames element-wise; strings ignoring case and surrounding spaces; anything else with ``==``.
The returned :class:`Feedback` displays itself (HTML in Jupyter, text elsewhere) and is truthy when right.
"""

from __future__ import annotations

import html
import inspect
import math
import numbers
from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Feedback", "check"]

_MISSING = object()


@dataclass(frozen=True)
class Feedback:
    """Outcome of :func:`check`.

    Attributes
    ----------
    name : str
        What was checked (the variable name, or ``"answer"``).
    right : bool
        Whether the answer is within tolerance.
    message : str
        One line: right / wrong and the values.
    why : str
        Why it is wrong (difference, tolerance, shape, type; or the explanation of a known mistake);
        empty when right.
    hint : str
        The hint given to :func:`check` (shown only when wrong).
    """

    name: str
    right: bool
    message: str
    why: str = ""
    hint: str = ""

    @property
    def wrong(self) -> bool:
        """``not right``."""
        return not self.right

    def __bool__(self) -> bool:
        return self.right

    def __repr__(self) -> str:
        lines = [("✔ " if self.right else "✘ ") + self.message]
        if not self.right and self.why:
            lines.append("  why: " + self.why)
        if not self.right and self.hint:
            lines.append("  hint: " + self.hint)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour, bg, mark = ("#1b5e20", "#e8f5e9", "✔") if self.right else ("#b71c1c", "#ffebee", "✘")
        parts = [f"<b>{mark} {html.escape(self.message)}</b>"]
        if not self.right and self.why:
            parts.append(f"<br><i>Why:</i> {html.escape(self.why)}")
        if not self.right and self.hint:
            parts.append(f"<br><i>Hint:</i> {html.escape(self.hint)}")
        return (f'<div style="border-left:4px solid {colour};background:{bg};padding:6px 10px;margin:4px 0">'
                + "".join(parts) + "</div>")


def _fmt(x) -> str:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        x = float(x)
        if math.isfinite(x) and x == round(x) and abs(x) < 1e15:
            return f"{x:,.0f}"
        return f"{x:,.6g}" if abs(x) < 1 else f"{x:,.4f}".rstrip("0").rstrip(".")
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _lookup(name, frame):
    """Find ``name`` in the caller's locals, then globals (the notebook namespace)."""
    f = frame
    while f is not None:
        if name in f.f_locals:
            return f.f_locals[name]
        if name in f.f_globals:
            return f.f_globals[name]
        f = f.f_back
    return _MISSING


def _close(a, b, tol, rtol):
    return abs(a - b) <= max(tol, rtol * abs(b))


def _compare(value, expected, tol, rtol):
    """Return (right, why)."""
    if expected is None:
        return value is None, "" if value is None else f"expected None, got {_fmt(value)}"
    if isinstance(expected, bool) or isinstance(value, bool):
        ok = bool(value) == bool(expected) and isinstance(value, (bool, np.bool_))
        return ok, "" if ok else f"expected {expected}, got {_fmt(value)}"
    if isinstance(expected, numbers.Real):
        if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray)) and np.size(value) == 1:
            value = np.asarray(value).ravel()[0]
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                return False, f"expected a number, got the text {value!r}"
        if not isinstance(value, numbers.Real):
            return False, f"expected a number, got a {type(value).__name__}"
        v, e = float(value), float(expected)
        if math.isnan(e):
            return math.isnan(v), "" if math.isnan(v) else f"expected NaN, got {_fmt(v)}"
        if math.isnan(v):
            return False, "your answer is NaN: a division by zero or a missing value upstream?"
        if math.isinf(e) or math.isinf(v):
            return v == e, "" if v == e else f"expected {_fmt(e)}, got {_fmt(v)}"
        if _close(v, e, tol, rtol):
            return True, ""
        diff = v - e
        why = f"off by {diff:+,.6g} (tolerance {max(tol, rtol * abs(e)):,.6g})"
        if e != 0 and _close(v, e * 100, tol * 100, rtol):
            why += "; it is 100x too large: a percentage where a rate was expected?"
        elif e != 0 and _close(v * 100, e, tol, rtol):
            why += "; it is 100x too small: a rate where a percentage was expected?"
        elif e != 0 and v != 0 and np.sign(v) != np.sign(e):
            why += "; the sign is wrong"
        return False, why
    if isinstance(expected, str):
        if not isinstance(value, str):
            return False, f"expected text, got a {type(value).__name__}"
        ok = value.strip().casefold() == expected.strip().casefold()
        return ok, "" if ok else f"expected {expected!r}, got {value!r}"
    if isinstance(expected, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        try:
            e = np.asarray(expected, dtype=np.float64)
            v = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            e = np.asarray(expected, dtype=object)
            v = np.asarray(value, dtype=object)
            if e.shape != v.shape:
                return False, f"expected shape {e.shape}, got {v.shape}"
            ok = bool(np.all(e == v))
            return ok, "" if ok else f"{int(np.sum(e != v))} of {e.size} values differ"
        if e.shape != v.shape:
            return False, f"expected shape {e.shape}, got {v.shape}"
        close = np.isclose(v, e, rtol=rtol, atol=tol, equal_nan=True)
        if close.all():
            return True, ""
        i = int(np.flatnonzero(~close.ravel())[0])
        return False, (f"{int((~close).sum())} of {e.size} values are off; first at position {i}: "
                       f"expected {_fmt(e.ravel()[i])}, got {_fmt(v.ravel()[i])}")
    try:
        ok = bool(value == expected)
    except (TypeError, ValueError):
        ok = False
    return ok, "" if ok else f"expected {_fmt(expected)}, got {_fmt(value)}"


def check(name_or_value, expected, tol=1e-6, *, rtol=0.0, hint="", mistakes=None, name=None) -> Feedback:
    """Check an exercise answer and explain the result.

    Parameters
    ----------
    name_or_value : str or object
        The name of a variable in the notebook (e.g. ``"current_value"``) or the answer itself. A string
        that names no defined variable is taken as the answer when ``expected`` is text, and otherwise
        reported as "not defined yet".
    expected : object
        The right answer: a number, string, bool, None, array, Series or DataFrame.
    tol : float, default 1e-6
        Absolute tolerance for numbers (use the rounding the course quotes, e.g. ``0.5``).
    rtol : float, default 0
        Relative tolerance, combined with ``tol`` (the larger wins).
    hint : str, optional
        Shown when the answer is wrong.
    mistakes : dict, optional
        Known wrong answers and what they reveal, e.g. ``{4320: "that is the historical value"}``; a
        matching wrong answer gets this explanation as ``why``.
    name : str, optional
        Label in the message when a value (not a name) is passed.

    Returns
    -------
    Feedback
        Truthy when right; displays itself in Jupyter.

    Examples
    --------
    >>> check(3058.7, 3058.70016, tol=0.05)
    ✔ answer = 3,058.7 is right
    >>> bool(check(3840, 3058.7, tol=0.5, mistakes={3840: "that is the infinite-horizon limit"}))
    False
    """
    label = name or "answer"
    value = name_or_value
    if isinstance(name_or_value, str) and name_or_value.isidentifier():
        frame = inspect.currentframe()
        try:
            found = _lookup(name_or_value, frame.f_back)
        finally:
            del frame
        if found is not _MISSING:
            label, value = name_or_value, found
        elif not isinstance(expected, str):
            return Feedback(name=name_or_value, right=False, message=f"`{name_or_value}` is not defined yet",
                            why="run the cell where you compute it first (or check the spelling)", hint=hint)
    if value is Ellipsis:
        return Feedback(name=label, right=False, message=f"{label} is not answered yet",
                        why="replace the ... with your answer", hint=hint)
    right, why = _compare(value, expected, tol, rtol)
    if right:
        return Feedback(name=label, right=True, message=f"{label} = {_fmt(value)} is right")
    for wrong, explanation in (mistakes or {}).items():
        try:
            if _compare(value, wrong, tol, rtol)[0]:
                why = explanation
                break
        except (TypeError, ValueError):
            continue
    return Feedback(name=label, right=False, message=f"{label} = {_fmt(value)} is not right yet", why=why, hint=hint)
