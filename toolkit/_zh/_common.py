"""Helpers the message catalogues share: how a value is kept as code, and the replacement builder."""

from __future__ import annotations

import re

from ..i18n import localize

#: a number as the messages print it, with an optional % (12,560, -0.5, 1e-10, 95%)
NUMBER = re.compile(r"[-+]?[\d,]*\.?\d+(?:e[-+]?\d+)?%?")


def code(value):
    """``value`` as the reader would type it: numbers, quoted or bracketed values as they are, words in backticks."""
    v = (value or "").strip()
    if not v or NUMBER.fullmatch(v) or v[0] in "'\"`[({«":
        return v
    return f"`{v}`"


def name(value):
    """A parameter or column name the English writes bare, in backticks (unless already quoted)."""
    v = (value or "").strip()
    if not v or v[0] in "'\"`":
        return v
    return f"`{v}`"


def zh(value):
    """A sentence of the toolkit (a reason, a fix, a hint) in Chinese where a translation is known; "" for none."""
    return localize(value, "zh") if value else ""


def fill(template, **transforms):
    """Replacement building ``template`` from the match's groups (None -> ""); ``transforms`` maps a group name, or a
    tuple of names, to a function applied to that group first (a name the pattern has no group for is passed over:
    one transform serves patterns with and without that group)."""
    def build(match):
        g = {k: (v or "") for k, v in match.groupdict().items()}
        for key, fn in transforms.items():
            for k in (key if isinstance(key, tuple) else (key,)):
                if k in g:
                    g[k] = fn(g[k])
        return template.format(**g)
    return build
