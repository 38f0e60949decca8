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

from .i18n import get_language, register, tr

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
            lines.append(f"  {tr('ex.why_label')}: " + self.why)
        if not self.right and self.hint:
            lines.append(f"  {tr('ex.hint_label')}: " + self.hint)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour, bg, mark = ("#1b5e20", "#e8f5e9", "✔") if self.right else ("#b71c1c", "#ffebee", "✘")
        parts = [f"<b>{mark} {html.escape(self.message)}</b>"]
        if not self.right and self.why:
            parts.append(f"<br><i>{html.escape(tr('ex.why_title'))}</i> {html.escape(self.why)}")
        if not self.right and self.hint:
            parts.append(f"<br><i>{html.escape(tr('ex.hint_title'))}</i> {html.escape(self.hint)}")
        return (f'<div style="border-left:4px solid {colour};background:{bg};padding:6px 10px;margin:4px 0">'
                + "".join(parts) + "</div>")


register({
    "ex.answer": {"en": "answer", "zh": "答案"},
    "ex.why_label": {"en": "why", "zh": "原因"},
    "ex.hint_label": {"en": "hint", "zh": "提示"},
    "ex.why_title": {"en": "Why:", "zh": "原因："},
    "ex.hint_title": {"en": "Hint:", "zh": "提示："},
    "ex.expected_got": {"en": "expected {e}, got {v}", "zh": "应为 {e}，实际为 {v}"},
    "ex.number_got_text": {"en": "expected a number, got the text {v}", "zh": "应为数字，实际是文本 {v}"},
    "ex.number_got_type": {"en": "expected a number, got a {t}", "zh": "应为数字，实际是 {t}"},
    "ex.text_got_type": {"en": "expected text, got a {t}", "zh": "应为文本，实际是 {t}"},
    "ex.nan": {"en": "your answer is NaN: a division by zero or a missing value upstream?",
               "zh": "你的答案是 NaN：是否在前面除以了零，或用到了缺失值？"},
    "ex.off_by": {"en": "off by {diff} (tolerance {tol})", "zh": "相差 {diff}（允许误差 {tol}）"},
    "ex.too_large": {"en": "; it is 100x too large: a percentage where a rate was expected?",
                     "zh": "；大了 100 倍：应填比率（小数）却填了百分数？"},
    "ex.too_small": {"en": "; it is 100x too small: a rate where a percentage was expected?",
                     "zh": "；小了 100 倍：应填百分数却填了比率（小数）？"},
    "ex.sign": {"en": "; the sign is wrong", "zh": "；正负号不对"},
    "ex.shape": {"en": "expected shape {e}, got {v}", "zh": "形状应为 {e}，实际为 {v}"},
    "ex.values_differ": {"en": "{k} of {n} values differ", "zh": "{n} 个值中有 {k} 个不同"},
    "ex.values_off": {"en": "{k} of {n} values are off; first at position {i}: expected {e}, got {v}",
                      "zh": "{n} 个值中有 {k} 个不对；第一个在位置 {i}：应为 {e}，实际为 {v}"},
    "ex.undefined": {"en": "`{name}` is not defined yet", "zh": "`{name}` 还没有定义"},
    "ex.undefined_why": {"en": "run the cell where you compute it first (or check the spelling)",
                         "zh": "请先运行计算它的单元格（或检查拼写）"},
    "ex.unanswered": {"en": "{name} is not answered yet", "zh": "`{name}` 还没有作答"},
    "ex.unanswered_why": {"en": "replace the ... with your answer", "zh": "把 ... 换成你的答案"},
    "ex.right": {"en": "{name} = {v} is right", "zh": "{name} = {v}，正确"},
    "ex.wrong": {"en": "{name} = {v} is not right yet", "zh": "{name} = {v}，还不对"},
    "ex.table": {"en": "a table of {rows} rows x {cols} columns", "zh": "{rows} 行 × {cols} 列的表"},
})

def _fmt(x) -> str:
    if isinstance(x, numbers.Real) and not isinstance(x, bool):
        x = float(x)
        if math.isfinite(x) and x == round(x) and abs(x) < 1e15:
            return f"{x:,.0f}"
        return f"{x:,.6g}" if abs(x) < 1 else f"{x:,.4f}".rstrip("0").rstrip(".")
    if get_language() != "en" and isinstance(x, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        text = _fmt_many(x)
        return text if len(text) <= 80 else text[:79] + "…"
    text = repr(x)
    return text if len(text) <= 80 else text[:77] + "..."


def _fmt_many(x) -> str:
    """A Series, table or list of answers in Chinese: categories by their labels (``early_abortion`` -> 早期流产型),
    not pandas' English repr."""
    from .formatting import value_label

    def one(v):
        return value_label(v) if isinstance(v, str) else _fmt(v.item() if isinstance(v, np.generic) else v)

    if isinstance(x, pd.DataFrame):
        return tr("ex.table").format(rows=len(x), cols=x.shape[1])
    if isinstance(x, pd.Series):
        return "，".join(f"{one(k)}：{one(v)}" for k, v in x.items())
    return "[" + "，".join(one(v) for v in np.asarray(x, dtype=object).ravel()) + "]"


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
        return value is None, "" if value is None else tr("ex.expected_got").format(e="None", v=_fmt(value))
    if isinstance(expected, bool) or isinstance(value, bool):
        ok = bool(value) == bool(expected) and isinstance(value, (bool, np.bool_))
        return ok, "" if ok else tr("ex.expected_got").format(e=expected, v=_fmt(value))
    if isinstance(expected, numbers.Real):
        if isinstance(value, (pd.Series, pd.DataFrame, np.ndarray)) and np.size(value) == 1:
            value = np.asarray(value).ravel()[0]
        if isinstance(value, str):
            try:
                value = float(value.replace(",", ""))
            except ValueError:
                return False, tr("ex.number_got_text").format(v=repr(value))
        if not isinstance(value, numbers.Real):
            return False, tr("ex.number_got_type").format(t=type(value).__name__)
        v, e = float(value), float(expected)
        if math.isnan(e):
            return math.isnan(v), "" if math.isnan(v) else tr("ex.expected_got").format(e="NaN", v=_fmt(v))
        if math.isnan(v):
            return False, tr("ex.nan")
        if math.isinf(e) or math.isinf(v):
            return v == e, "" if v == e else tr("ex.expected_got").format(e=_fmt(e), v=_fmt(v))
        if _close(v, e, tol, rtol):
            return True, ""
        diff = v - e
        why = tr("ex.off_by").format(diff=f"{diff:+,.6g}", tol=f"{max(tol, rtol * abs(e)):,.6g}")
        if e != 0 and _close(v, e * 100, tol * 100, rtol):
            why += tr("ex.too_large")
        elif e != 0 and _close(v * 100, e, tol, rtol):
            why += tr("ex.too_small")
        elif e != 0 and v != 0 and np.sign(v) != np.sign(e):
            why += tr("ex.sign")
        return False, why
    if isinstance(expected, str):
        if not isinstance(value, str):
            return False, tr("ex.text_got_type").format(t=type(value).__name__)
        ok = value.strip().casefold() == expected.strip().casefold()
        return ok, "" if ok else tr("ex.expected_got").format(e=repr(expected), v=repr(value))
    if isinstance(expected, (pd.Series, pd.DataFrame, np.ndarray, list, tuple)):
        try:
            e = np.asarray(expected, dtype=np.float64)
            v = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            e = np.asarray(expected, dtype=object)
            v = np.asarray(value, dtype=object)
            if e.shape != v.shape:
                return False, tr("ex.shape").format(e=e.shape, v=v.shape)
            ok = bool(np.all(e == v))
            return ok, "" if ok else tr("ex.values_differ").format(k=int(np.sum(e != v)), n=e.size)
        if e.shape != v.shape:
            return False, tr("ex.shape").format(e=e.shape, v=v.shape)
        close = np.isclose(v, e, rtol=rtol, atol=tol, equal_nan=True)
        if close.all():
            return True, ""
        i = int(np.flatnonzero(~close.ravel())[0])
        return False, tr("ex.values_off").format(k=int((~close).sum()), n=e.size, i=i, e=_fmt(e.ravel()[i]),
                                                 v=_fmt(v.ravel()[i]))
    try:
        ok = bool(value == expected)
    except (TypeError, ValueError):
        ok = False
    return ok, "" if ok else tr("ex.expected_got").format(e=_fmt(expected), v=_fmt(value))


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
    label = name or tr("ex.answer")
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
            return Feedback(name=name_or_value, right=False, message=tr("ex.undefined").format(name=name_or_value),
                            why=tr("ex.undefined_why"), hint=hint)
    if value is Ellipsis:
        return Feedback(name=label, right=False, message=tr("ex.unanswered").format(name=label),
                        why=tr("ex.unanswered_why"), hint=hint)
    right, why = _compare(value, expected, tol, rtol)
    if right:
        return Feedback(name=label, right=True, message=tr("ex.right").format(name=label, v=_fmt(value)))
    for wrong, explanation in (mistakes or {}).items():
        try:
            if _compare(value, wrong, tol, rtol)[0]:
                why = explanation
                break
        except (TypeError, ValueError):
            continue
    return Feedback(name=label, right=False, message=tr("ex.wrong").format(name=label, v=_fmt(value)), why=why,
                    hint=hint)
