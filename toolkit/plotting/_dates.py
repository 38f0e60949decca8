"""Date ticks in the current language: matplotlib's concise date format, with Chinese months (5月) under zh.

matplotlib writes month names in English (``%b``: "May", "Sep") whatever the locale of the figure's text, so a
Chinese figure gets month numbers instead: ``2024``, ``5月``, ``9月`` on the axis and ``2024-5月`` as the offset.
"""

from __future__ import annotations

import os

from ..i18n import get_language

__all__ = ["concise_date_formatter"]

_MONTH = "%#m月" if os.name == "nt" else "%-m月"  # month without a leading zero (Windows spells the flag "#")


def concise_date_formatter(locator):
    """A :class:`matplotlib.dates.ConciseDateFormatter` for ``locator`` in the current language."""
    import matplotlib.dates as mdates

    if get_language() == "en":
        return mdates.ConciseDateFormatter(locator)
    formats = ["%Y", _MONTH, "%-d日" if os.name != "nt" else "%#d日", "%H:%M", "%H:%M", "%S.%f"]
    zero_formats = ["", "%Y", _MONTH, _MONTH + formats[2], "%H:%M", "%H:%M"]
    offset_formats = ["", "%Y", "%Y年" + _MONTH, "%Y年" + _MONTH + formats[2], "%Y年" + _MONTH + formats[2],
                      "%Y-%m-%d %H:%M"]
    return mdates.ConciseDateFormatter(locator, formats=formats, zero_formats=zero_formats,
                                       offset_formats=offset_formats)
