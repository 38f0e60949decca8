"""The report's own font: the bundled Noto Sans SC, cut to the characters the report uses, inside the HTML file.

A Chinese report opened on a machine without Chinese fonts would show empty boxes ("tofu") for every character.
:func:`font_face_css` therefore embeds the Noto Sans SC of the package ``pylopdf-fonts-zh-cn`` (a dependency of
the toolkit, also used for the figures: :mod:`toolkit.plotting._fonts`) as an ``@font-face`` rule with a base64
``data:`` URL. The full font is about 8 MB; ``fontTools.subset`` (a matplotlib dependency) keeps only the glyphs of
the characters in the document, which makes a typical report's font 100-300 kB (WOFF2 when ``brotli`` is
installed, else the subset OpenType file). The package has one weight (Regular): bold text (headings) uses the
browser's synthetic bold (``font-synthesis: weight``), so no glyph is missing in bold either.

The font is embedded when the report is in Chinese or when its text has CJK characters (an English report of
data with Chinese item names, for example); otherwise the report keeps the system fonts and no bytes are added.
"""

from __future__ import annotations

import base64
import functools
import io
import re

__all__ = ["FONT_FAMILY", "embed_font", "font_face_css", "needs_cjk_font", "subset_font"]

#: CSS family name of the embedded font (its own name, so a system "Noto Sans SC" is never taken for it).
FONT_FAMILY = "CVT Noto Sans SC"

_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef\u3000-\u303f]")
# characters always kept in the subset (digits, Latin, punctuation), so a number or name never falls back
_BASE = "".join(chr(c) for c in range(0x20, 0x7F)) + "–—−×≥≤±·…“”‘’°%‰→←↑↓✓"


def needs_cjk_font(text: str, language: str = "en") -> bool:
    """True for a Chinese report, or when ``text`` contains CJK characters."""
    return language == "zh" or bool(_CJK.search(text))


def _brotli_available() -> bool:
    try:
        import brotli  # noqa: F401
    except ImportError:
        try:
            import brotlicffi  # noqa: F401
        except ImportError:
            return False
    return True


def _cache_dir():
    """User cache folder of subset fonts (``$XDG_CACHE_HOME`` or ``~/.cache``; ``TOOLKIT_FONT_CACHE`` overrides)."""
    import os
    from pathlib import Path

    root = os.environ.get("TOOLKIT_FONT_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "customer-value-toolkit" / "fonts"


def _cached_path(path: str, chars: str, flavor: str | None):
    import hashlib
    import os

    import fontTools

    stat = os.stat(path)
    key = hashlib.sha256("\0".join([path, str(stat.st_size), str(stat.st_mtime_ns), fontTools.version, str(flavor),
                                     chars]).encode("utf-8")).hexdigest()
    return _cache_dir() / f"{key}.{flavor or 'otf'}"


def is_cut(text: str) -> bool:
    """True when the subset for ``text`` is in the user's font cache (no cut needed), or there is no font to cut."""
    from ..plotting._fonts import cjk_font_path

    path = cjk_font_path()
    if path is None:
        return True
    chars = "".join(sorted(set(text) | set(_BASE)))
    return _cached_path(str(path), chars, "woff2" if _brotli_available() else None).exists()


@functools.lru_cache(maxsize=8)
def _subset(path: str, chars: str, flavor: str | None) -> bytes:
    """The subset font, from the user cache when an earlier process cut the same characters (cutting takes about a
    second: every English report with the glossary's Chinese terms cuts the same set), else cut and stored."""
    import os

    cached = _cached_path(path, chars, flavor)
    try:
        return cached.read_bytes()
    except OSError:
        pass
    data = _cut(path, chars, flavor)
    try:  # a read-only home only costs the next process the cut
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        tmp.replace(cached)
    except OSError:
        pass
    return data


def _cut(path: str, chars: str, flavor: str | None) -> bytes:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    options = subset.Options()
    options.flavor = flavor
    options.layout_features = ["*"]  # keep kerning and the CJK punctuation forms
    options.name_IDs = ["*"]  # keep the licence text (SIL OFL) with the font
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True  # smaller after compression
    font = TTFont(path, lazy=False)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted({ord(c) for c in chars}))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = flavor
    font.save(buffer)
    return buffer.getvalue()


def subset_font(text: str) -> tuple[bytes, str] | None:
    """The bundled Noto Sans SC cut to the characters of ``text`` (plus ASCII): ``(bytes, format)``.

    ``format`` is ``"woff2"`` (with brotli) or ``"opentype"``. None when the font package is not installed.
    """
    from ..plotting._fonts import cjk_font_path

    path = cjk_font_path()
    if path is None:
        return None
    chars = "".join(sorted(set(text) | set(_BASE)))
    flavor = "woff2" if _brotli_available() else None
    return _subset(str(path), chars, flavor), ("woff2" if flavor else "opentype")


def font_face_css(text: str) -> str:
    """A ``<style>`` block: ``@font-face`` of the embedded subset font, and the rule that uses it first.

    Empty when the font package is not installed (the report then falls back on the system's CJK fonts).
    """
    found = subset_font(text)
    if found is None:
        return ""
    data, fmt = found
    mime = "font/woff2" if fmt == "woff2" else "font/otf"
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<style id="embedded-font">@font-face{{font-family:"{FONT_FAMILY}";font-style:normal;font-weight:400;'
            f'font-display:block;src:url(data:{mime};base64,{encoded}) format("{fmt}")}}\n'
            f'body,table,th,td,figcaption,h1,h2,h3{{font-family:"{FONT_FAMILY}",system-ui,"Noto Sans",'
            f'"Noto Sans CJK SC","Microsoft YaHei",sans-serif;font-synthesis:weight}}</style>\n')


def embed_font(document: str, language: str = "en") -> str:
    """``document`` (a whole HTML page) with the embedded font before ``</head>``, when it needs one."""
    if not needs_cjk_font(document, language):
        return document
    # the characters of the page, without the base64 images (ASCII anyway) and markup
    visible = re.sub(r"data:[^\"')]+", "", document)
    css = font_face_css(visible)
    if not css:
        return document
    return document.replace("</head>", css + "</head>", 1)
