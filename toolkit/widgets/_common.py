"""Small helpers shared by the widget views."""

from __future__ import annotations

import io


def figure_png(fig, dpi=80) -> bytes:
    """PNG bytes of a standalone matplotlib Figure (built by ``toolkit.plotting``), for an Image widget."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()
