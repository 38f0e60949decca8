"""What counts as an untranslated English word in Chinese output (issue #20), shared by the zh scans.

A word of three or more Latin letters fails a scan unless it is in :data:`ALLOWED` (codes and abbreviations of
the course, units, model and proper names; compared case-sensitively, so "clv" or "Customer" never slip through).
Error messages keep what the reader types or looks up as it is -- quoted names and values, ``argument=value``,
``--flags``, identifiers with ``_``, ``.`` or ``()``, CamelCase class names, and example rows (indented lines, as
the file holds them) -- :func:`message_words` leaves those out before looking.
"""

from __future__ import annotations

import html
import re

ALLOWED = frozenset("""
    RFM CLV CAC KPI KPIs NPS CSAT LTV BG NBD CDNOW ISO CNY GBP USD EUR RMB sBG DERL
    BetaGeo GammaGamma ParetoNBD ModifiedBetaGeo BetaGeoBetaBinom ShiftedBetaGeometric Gamma Pareto
    Kaplan Meier Greenwood Hessian log rank alpha beta gamma penalizer NaN Poisson VIP
    Customer Value Toolkit Noto Sans
    AIC BIC DCF MAE RMSE MBG BTYD
    CSV PDF HTML Excel Parquet UTF GBK JupyterLab Voila Voilà
    python numpy pandas numba scipy matplotlib ipywidgets sklearn tqdm jupyterlab voila
""".split())
#: Notations kept as they are in Chinese text (the model's P(alive), as in the course's formulas).
CODES = re.compile(r"P\(alive\)")
WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ÿ]{3,}")  # Latin letters, accented ones too (Voilà)


def strip_html(value: str) -> str:
    """Text of an HTML fragment, with its ``title`` tooltips (what a reader sees or hovers)."""
    value = re.sub(r"<style.*?</style>", " ", value, flags=re.S | re.I)
    tips = re.findall(r"""title=(?:'([^']*)'|"([^"]*)")""", value)
    text = re.sub(r"<[^>]+>", " ", value)
    return html.unescape(text + " " + " ".join(a or b for a, b in tips))


def english_words(texts) -> dict[str, str]:
    """word -> the first text it was found in, for every Latin word not allowed."""
    found = {}
    for text in texts:
        for word in WORD.findall(CODES.sub(" ", text)):
            if word not in ALLOWED:
                found.setdefault(word, text[:160])
    return found


_CODE_PARTS = [
    re.compile(r"'[^'\n]*'|\"[^\"\n]*\"|`[^`\n]*`|«[^»\n]*»|‘[^’\n]*’|“[^”\n]*”"),  # quoted names and values
    re.compile(r"--[A-Za-z][\w-]*(?:[ =]\S+)?"),  # CLI flags
    re.compile(r"[A-Za-z_][\w.\[\]'\"]*\s?=\s?[^\s,;)，。；）]*"),  # argument=value
    re.compile(r"\b[A-Za-z_]\w*(?:[._]\w+)+(?:\(\))?"),  # identifiers with _ or ., calls
    re.compile(r"\b\w+\(\)"),
    re.compile(r"\b[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]*)+\b"),  # CamelCase class names (BadZipFile, ArrowInvalid)
    re.compile(r"\[[^\]\n]*\]|\{[^}\n]*\}"),  # lists of names and dicts as the code prints them
    re.compile(r"\S+\.(?:csv|xlsx|xls|parquet|json|html|pdf|txt|png|tsv)\b"),  # file names
    re.compile(r"%[a-zA-Z]"),  # date formats
    re.compile(r"(?:[A-Za-z]:)?(?:[/\\][\w.-]+)+[/\\]?"),  # paths (a folder the report was written to)
]


def without_code(text: str, *, examples: bool = True) -> str:
    """``text`` with what the reader types or looks up taken out (see the module's docstring); ``examples=True``
    also drops indented lines (example rows of an error message, as the file holds them)."""
    rest = str(text)
    if examples:
        rest = "\n".join(line for line in rest.split("\n") if not line.startswith("  "))
    for pattern in _CODE_PARTS:
        rest = pattern.sub(" ", rest)
    return rest


def message_words(text: str) -> list[str]:
    """The untranslated Latin words of an error or warning message shown under zh (codes left out)."""
    return [w for w in WORD.findall(CODES.sub(" ", without_code(text))) if w not in ALLOWED]


#: (class name, English message) of every error and warning the toolkit created in this test run (tests/conftest.py).
RAISED: set = set()
