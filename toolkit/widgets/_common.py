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
