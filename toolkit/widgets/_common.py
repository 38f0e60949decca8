"""Small helpers shared by the widget views."""

from __future__ import annotations

import io

#: Description style of every labelled control: the label takes the width its text needs, so it is never cut
#: with "…" (ipywidgets' default label is 80px wide, ``overflow: hidden; text-overflow: ellipsis``).
LABEL_STYLE = {"description_width": "initial"}

#: CSS shared by the explorers (an HTML widget holding a <style> element, added to each explorer's box):
#: ``cvt-wrap`` lets a Label or button wrap its text instead of cutting it with "…"; ``cvt-table`` cells wrap.
_CSS = """<style>
.cvt-wrap, .cvt-wrap .widget-label, .cvt-wrap .jupyter-widget-label, .cvt-wrap.widget-label,
.cvt-wrap.jupyter-widget-label {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important; line-height: 1.45 !important; }
.cvt-table td, .cvt-table th { white-space: normal !important; overflow-wrap: anywhere; }
.cvt-explorer-root { max-width: 100%; overflow-x: auto; }
</style>"""


def figure_png(fig, dpi=80) -> bytes:
    """PNG bytes of a standalone matplotlib Figure (built by ``toolkit.plotting``), for an Image widget."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def add_setting_properties(cls, names):
    """Give a widget state class one read-only property per setting, reading ``self.settings[name]``."""
    for name in names:
        setattr(cls, name, property(lambda self, _n=name: self.settings[_n],
                                    doc=f"Current ``{name}`` setting (change it with update)."))


def explorer_outputs(ipw, prefix, box_class):
    """The output side of an explorer: message, figure image, table and the (still empty) outer VBox.

    Each carries the CSS class the browser tests look for (``cvt-<prefix>-message``, ``-figure``, ``-table``;
    the box ``box_class``); the box starts with ``n_redraws = 0`` and no ``figure``.
    """
    message = ipw.HTML()
    message.add_class(f"cvt-{prefix}-message")
    image = ipw.Image(format="png", layout=ipw.Layout(max_width="100%", height="auto"))  # shrinks on narrow pages
    image.add_class(f"cvt-{prefix}-figure")
    table = ipw.HTML()
    table.add_class(f"cvt-{prefix}-table")
    box = ipw.VBox()
    box.add_class(box_class)
    box.n_redraws = 0
    box.figure = None
    return message, image, table, box


class SyncGuard:
    """Marks the moments when a view sets its own controls, so that their observers ignore those changes.

    ``with guard:`` around the programmatic updates; observers return early while ``guard.on``.
    """

    def __init__(self):
        self.on = False

    def __enter__(self):
        self.on = True
        return self

    def __exit__(self, *exc):
        self.on = False
        return False


def wire_controls(controls, prefix, on_change, attach_to=None):
    """Name each control (``_cvt_name``, read by ``on_change``), give it the CSS class
    ``cvt-<prefix>-<name>`` (underscores as hyphens: a stable hook for the browser tests) and observe its value.
    With ``attach_to``, each control is also set as an attribute of that widget.
    """
    for name, ctl in controls.items():
        ctl._cvt_name = name
        ctl.add_class(f"cvt-{prefix}-{name.replace('_', '-')}")
        ctl.observe(on_change, names="value")
        if attach_to is not None:
            setattr(attach_to, name, ctl)


def stylesheet(ipw):
    """The hidden HTML widget carrying the explorers' CSS (``cvt-wrap``, ``cvt-table``); put it in the box."""
    css = ipw.HTML(value=_CSS, layout=ipw.Layout(display="none"))
    css.add_class("cvt-stylesheet")
    return css


def wrapping_label(ipw, value=""):
    """A Label whose text wraps instead of ending in "…" (class ``cvt-wrap``), with the full text as tooltip."""
    lab = ipw.Label(value=value, tooltip=value, layout=ipw.Layout(width="auto", max_width="100%"))
    lab.add_class("cvt-wrap")
    return lab


def auto_button(ipw, description, **kwargs):
    """A Button as wide as its text (the default is 148px, which cuts longer texts with "…"), text as tooltip."""
    return ipw.Button(description=description, tooltip=description, layout=ipw.Layout(width="auto"), **kwargs)


def row(ipw, children):
    """An HBox whose controls wrap onto the next line when the page is narrow (never wider than the page)."""
    return ipw.HBox(list(children), layout=ipw.Layout(flex_flow="row wrap", max_width="100%"))


class FigureAndTables:
    """A figure (PNG) above HTML tables, without the display protocol of an ``Output`` widget.

    An ``Output`` widget only captures what is displayed in the kernel's current request, so a view drawn from a
    background thread (the dashboard app computes its tabs ahead of time) or before the page connects would stay
    empty; setting widget values works from anywhere. ``box`` (a VBox) is what goes in the layout; the image is
    hidden until it has a picture (never a broken-image icon).
    """

    def __init__(self, ipw):
        self.image = ipw.Image(format="png", layout=ipw.Layout(display="none", max_width="100%", height="auto"))
        self.tables = ipw.HTML()
        self.box = ipw.VBox([self.image, self.tables])

    def show(self, png=None, tables=""):
        if png:
            self.image.value = png
            self.image.layout.display = None
        else:
            self.image.layout.display = "none"
        self.tables.value = tables
