"""The texts a figure shows, and a hook that sees every figure a widget renders.

The widgets turn matplotlib Figures into PNG images (:func:`toolkit.widgets._common.figure_png`, the journey
dashboard's cached drawing). Once rasterised, a figure's words cannot be read back, so the places that rasterise
call :func:`rendered` first: every function added with :func:`add_render_hook` receives the Figure. The language
tests add one that collects :func:`figure_texts` and fail on an English word left in a Chinese figure.
"""

from __future__ import annotations

__all__ = ["add_render_hook", "figure_texts", "remove_render_hook", "rendered"]

_HOOKS: list = []


def add_render_hook(hook) -> None:
    """Call ``hook(figure)`` each time a widget rasterises a figure (until :func:`remove_render_hook`)."""
    if hook not in _HOOKS:
        _HOOKS.append(hook)


def remove_render_hook(hook) -> None:
    """Stop calling ``hook``."""
    if hook in _HOOKS:
        _HOOKS.remove(hook)


def rendered(figure) -> None:
    """Tell the hooks that ``figure`` is about to be rasterised (does nothing without hooks)."""
    for hook in list(_HOOKS):
        hook(figure)


def figure_texts(figure) -> list[str]:
    """Every visible, non-empty text of ``figure``: titles, axis labels, tick labels, legends, annotations, bar
    labels, colour-bar labels. The figure is laid out first (without rendering), so tick labels are the ones
    the picture shows."""
    from matplotlib.text import Text

    figure.draw_without_rendering()
    texts = []
    for artist in figure.findobj(Text):
        text = artist.get_text()
        if text and artist.get_visible() and _shown(artist):
            texts.append(text)
    return texts


def _shown(artist) -> bool:
    """False for a text inside an invisible parent (an axis turned off, a hidden legend)."""
    parent = getattr(artist, "axes", None)
    if parent is not None and not parent.get_visible():
        return False
    return True
