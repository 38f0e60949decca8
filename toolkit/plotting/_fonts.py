"""A CJK font for Chinese plot text, registered with matplotlib only when the language is Chinese.

matplotlib's default font (DejaVu Sans) has no Chinese glyphs: without help, ``set_language("zh")`` would draw
empty boxes and warn "Glyph ... missing from font(s) DejaVu Sans". The toolkit depends on the PyPI package
``pylopdf-fonts-zh-cn``, which ships **Noto Sans SC** (SIL Open Font License 1.1), so a fresh laptop with only
pip has the font. When that package is missing, a system CJK font is used if matplotlib can find one.

:func:`apply_language` is called by ``toolkit.plotting`` on import and by :func:`toolkit.i18n.set_language`
afterwards. For ``"zh"`` it adds the font file to matplotlib's font manager (once) and appends its family to
``rcParams["font.family"]`` as a fallback: Latin text and symbols stay in the default font, and Chinese
characters come from the CJK font (matplotlib >= 3.6 falls back glyph by glyph along the family list). For
``"en"`` the previous ``font.family`` is restored. Figures pick up the fonts when they are created.
"""

from __future__ import annotations

import warnings

__all__ = ["SYSTEM_CJK_FAMILIES", "PNG_RC", "cjk_font_path", "cjk_family", "apply_language"]

#: rcParams for figures rendered to PNG files (the report, the journey dashboard): unhinted glyphs lay out and
#: render a quarter faster, and small digits at screen resolution stay legible (the hinter squeezes them).
PNG_RC = {"text.hinting": "none"}

#: System font families tried (in this order) when the bundled Noto Sans SC package is not installed.
SYSTEM_CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                       "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "Heiti SC", "SimHei")

_state = {"family": None, "saved": None, "warned": False}


def cjk_font_path():
    """Path of the bundled Noto Sans SC font file (``pylopdf-fonts-zh-cn``), or None when it is not installed."""
    try:
        import pylopdf_fonts_zh_cn
    except ImportError:
        return None
    path = pylopdf_fonts_zh_cn.sans_path()
    return path if path.exists() else None


def cjk_family():
    """Register the CJK font with matplotlib (once) and return its family name, or None when there is none."""
    if _state["family"] is not None:
        return _state["family"]
    from matplotlib import font_manager

    path = cjk_font_path()
    if path is not None:
        font_manager.fontManager.addfont(str(path))
        _state["family"] = font_manager.FontProperties(fname=str(path)).get_name()
        _register_weights(path, _state["family"])
        return _state["family"]
    available = {f.name for f in font_manager.fontManager.ttflist}
    for family in SYSTEM_CJK_FAMILIES:
        if family in available:
            _state["family"] = family
            return family
    return None


#: Weights under which the bundled Regular face is also registered (matplotlib's names: 100 thin ... 900 black).
_WEIGHTS = (100, 200, 300, 500, 600, 700, 800, 900)


def _register_weights(path, family):
    """Register the bundled file under every weight as well, so that bold (or light) Chinese text finds an exact
    match: matplotlib then draws it in the bundled font without logging "findfont: Failed to find font weight
    bold for Noto Sans SC, now using 400" (which Jupyter shows in a red stderr box). The package has one weight,
    so CJK glyphs of bold text are drawn in Regular; Latin text keeps its real bold from the default font, which
    comes first in ``font.family``."""
    import dataclasses

    from matplotlib import font_manager

    manager = font_manager.fontManager
    regular = next((f for f in manager.ttflist if f.fname == str(path) and f.name == family), None)
    if regular is None:
        return
    have = {f.weight for f in manager.ttflist if f.fname == str(path)}
    for weight in _WEIGHTS:
        if weight not in have:
            manager.ttflist.append(dataclasses.replace(regular, weight=weight))
    manager._findfont_cached.cache_clear()


def apply_language(language: str) -> None:
    """Make matplotlib able to draw the language's text: add the CJK fallback font for ``"zh"``, undo for others."""
    import matplotlib

    families = list(matplotlib.rcParams["font.family"])
    if language == "zh":
        family = cjk_family()
        if family is None:
            if not _state["warned"]:
                _state["warned"] = True
                warnings.warn("No Chinese font found: plot text in Chinese will show empty boxes. Install the "
                              "toolkit's dependencies again (pip install -e .), which include pylopdf-fonts-zh-cn "
                              "(Noto Sans SC).", RuntimeWarning, stacklevel=3)
            return
        if family not in families:
            _state["saved"] = families
            matplotlib.rcParams["font.family"] = [*families, family]
    elif _state["saved"] is not None:
        matplotlib.rcParams["font.family"] = _state["saved"]
        _state["saved"] = None
