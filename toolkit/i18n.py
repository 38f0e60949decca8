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

__all__ = ["LANGUAGES", "set_language", "get_language", "tr", "register", "on_language_change"]

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
    "pattern.midterm_abortion": {"en": "mid-term abortion", "zh": "中途夭折型"},
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
