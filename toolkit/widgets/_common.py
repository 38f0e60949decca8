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
