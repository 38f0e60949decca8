"""Small helpers shared by the widget views."""

from __future__ import annotations

import io


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
    image = ipw.Image(format="png")
    image.add_class(f"cvt-{prefix}-figure")
    table = ipw.HTML()
    table.add_class(f"cvt-{prefix}-table")
    box = ipw.VBox()
    box.add_class(box_class)
    box.n_redraws = 0
    box.figure = None
    return message, image, table, box
