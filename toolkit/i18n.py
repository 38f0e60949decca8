"""Language of widget labels and plot text: English (default) or the course's Chinese.

Examples
--------
>>> import toolkit
>>> toolkit.set_language("zh")
>>> from toolkit.i18n import tr
>>> tr("stage.exploration")
'考察期'
>>> toolkit.set_language("en")

Every user-visible label in ``toolkit.widgets`` and ``toolkit.plotting`` goes through :func:`tr`, keyed by a
dotted name. English is the fallback for a key that has no translation, and ``tr(key, default)`` returns
``default`` (then the key itself) when no language knows the key, so a missing entry never breaks a widget.
Each module may add its own entries with :func:`register`; the shared course vocabulary lives here.
"""

from __future__ import annotations

import re
from contextlib import contextmanager

__all__ = ["LANGUAGES", "Sentence", "get_language", "localize", "on_language_change", "register",
           "register_patterns", "register_text", "set_language", "tr", "using_language"]

#: Supported language codes.
LANGUAGES = ("en", "zh")

_state = {"language": "en"}
#: Callbacks run with the new language code after every set_language (``toolkit.plotting`` switches fonts).
_listeners: list = []

# key -> {language: text}. The course's terms (stages, patterns, value types) are shared by many tools.
_CATALOGUE: dict[str, dict[str, str]] = {
    "stage.exploration": {"en": "exploration", "zh": "考察期"},
    "stage.formation": {"en": "formation", "zh": "形成期"},
    "stage.stability": {"en": "stability", "zh": "稳定期"},
    "stage.deterioration": {"en": "deterioration", "zh": "退化期"},
    "stage.lost": {"en": "lost", "zh": "流失"},
    "pattern.early_abortion": {"en": "early abortion", "zh": "早期流产型"},
    "pattern.midterm_abortion": {"en": "mid-term abortion", "zh": "中期夭折型"},
    "pattern.early_exit": {"en": "early exit", "zh": "提前退出型"},
    "pattern.long_term_retention": {"en": "long-term retention", "zh": "长久保持型"},
    "pattern.too_early": {"en": "too early to tell", "zh": "尚无法判断"},
}


def set_language(language: str) -> None:
    """Switch widget labels and plot text to ``"en"`` or ``"zh"`` (affects widgets and figures built afterwards)."""
    code = str(language).lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    _state["language"] = code
    for callback in list(_listeners):
        callback(code)


def on_language_change(callback) -> None:
    """Call ``callback(code)`` after every :func:`set_language` (used by ``toolkit.plotting`` for the CJK font)."""
    if callback not in _listeners:
        _listeners.append(callback)


def get_language() -> str:
    """The current language code."""
    return _state["language"]


def tr(key: str, default: str | None = None) -> str:
    """Text for ``key`` in the current language, falling back to English, then ``default``, then ``key``."""
    entry = _CATALOGUE.get(key)
    if entry is None:
        return key if default is None else default
    return entry.get(_state["language"]) or entry.get("en") or (key if default is None else default)


def register(entries: dict[str, dict[str, str]]) -> None:
    """Add or extend catalogue entries: ``{"rfm.bins": {"en": "bins", "zh": "分档数"}}``."""
    for key, texts in entries.items():
        unknown = set(texts) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"{key}: unknown language codes {sorted(unknown)}; use {LANGUAGES}")
        _CATALOGUE.setdefault(key, {}).update(texts)


@contextmanager
def using_language(language: str | None):
    """Switch to ``language`` inside a ``with`` block and restore the previous language afterwards (also on error).

    ``None`` keeps the current language. ``build_report(..., lang="zh")`` uses it, so that building a Chinese
    report does not change the language of code that runs later.
    """
    previous = get_language()
    if language is None:
        yield previous
        return
    set_language(language)
    try:
        yield get_language()
    finally:
        if get_language() != previous:
            set_language(previous)


# English text -> {language: text}: sentences produced by lower layers in English (the cleaning report's reasons
# and notes, model warnings) translated where they are shown, keyed by the English text itself.
_TEXTS: dict[str, dict[str, str]] = {}
# language -> [(compiled pattern, replacement)]: the same for sentences with numbers or names in them.
_PATTERNS: dict[str, list] = {}


def register_text(entries: dict[str, dict[str, str]]) -> None:
    """Translations of whole English texts: ``{"missing customer id": {"zh": "缺少客户编号"}}`` (see :func:`localize`)."""
    for text, texts in entries.items():
        unknown = set(texts) - set(LANGUAGES)
        if unknown:
            raise ValueError(f"{text!r}: unknown language codes {sorted(unknown)}; use {LANGUAGES}")
        _TEXTS.setdefault(text, {}).update(texts)


def register_patterns(language: str, patterns) -> None:
    """Translations of English sentences with variable parts: ``[(regex, replacement), ...]``.

    ``regex`` must match the whole text (``re.fullmatch``); ``replacement`` is a :meth:`re.Match.expand` template
    (``\\g<name>``) or a function of the match. The replacement's groups are localized in turn, so a reason
    inside a sentence is translated too.
    """
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; use {LANGUAGES}")
    bucket = _PATTERNS.setdefault(language, [])
    for regex, replacement in patterns:
        bucket.append((re.compile(regex, re.DOTALL), replacement))


#: Callables run once, before the first translation of a sentence: ``toolkit`` adds the import of its sentence
#: catalogue (:mod:`toolkit._zh`), which this low module cannot import itself.
_loaders: list = []


def _load_catalogues() -> None:
    while _loaders:
        _loaders.pop(0)()


class Sentence(str):
    """A sentence the toolkit writes in English that prints in the current language.

    It is the English text everywhere code looks at it (``==``, ``in``, ``startswith``, slicing, JSON); ``str()``,
    ``print`` and f-strings give its translation (:func:`localize`) under ``set_language("zh")``. Verdicts, reasons
    and labels that results store are kept this way, so ``print(test.verdict)`` reads Chinese in a Chinese lesson.
    """

    __slots__ = ()

    def __str__(self):
        text = str.__str__(self)
        return text if get_language() == "en" else localize(text)


def localize(text, language: str | None = None) -> str:
    """``text`` (an English sentence made by the toolkit) in the current language, when a translation is known.

    Exact texts (:func:`register_text`) first, then patterns (:func:`register_patterns`), then sentence by
    sentence; text without a translation is returned unchanged (English is never lost, only not translated).
    """
    if not isinstance(text, str):
        return text
    code = language or get_language()
    if code == "en" or not text.strip():
        return text
    if _loaders:
        _load_catalogues()
    found = _localize_one(text, code)
    if found is not None:
        return found
    # several lines (a message with a list of reasons and example rows): line by line; indented lines (example
    # rows as the file holds them) stay as they are
    if "\n" in text.strip():
        return "\n".join(_example_line(line, code) if not line.strip() or line.startswith("  ")
                         else localize(line, code) for line in text.split("\n"))
    # several sentences: translate each one that is known, keep the others
    parts = re.split(r"(?<=[.;:])\s+(?=[A-Z0-9(])", text)
    if len(parts) > 1:
        out = [_localize_one(p, code) for p in parts]
        if any(o is not None for o in out):
            return "".join(o if o is not None else p + " " for o, p in zip(out, parts)).strip()
    return text


def _example_line(line, code):
    """An indented line of example rows stays as the file holds it, but for a lone header word of ours (the
    examples' index name, "line") that has an exact translation."""
    entry = _TEXTS.get(line.strip())
    if entry and code in entry:
        return line.replace(line.strip(), entry[code], 1)
    return line


def _localize_one(text, code):
    stripped = text.strip()
    entry = _TEXTS.get(stripped) or _TEXTS.get(stripped.rstrip("."))
    if entry and code in entry:
        return entry[code]
    for pattern, replacement in _PATTERNS.get(code, ()):
        match = pattern.fullmatch(stripped)
        if match is None:
            continue
        if callable(replacement):
            return replacement(match)
        groups = {k: (localize(v, code) if v is not None else "") for k, v in match.groupdict().items()}
        return re.sub(r"\\g<(\w+)>", lambda m, found=groups: found.get(m.group(1), ""), replacement)
    return None
