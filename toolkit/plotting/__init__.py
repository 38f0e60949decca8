"""Plots: one module per analysis, each function ``f(result, ax=None, **style) -> Axes``.

Plot functions take a finished result (a DataFrame or result object from the analyses) and never
recompute analytics. matplotlib is imported here and only here (``toolkit`` itself never imports this
package), so ``import toolkit`` stays light.

Functions of the per-analysis modules (``toolkit.plotting.rfm``, ``toolkit.plotting.clv``, ...) are
available directly from ``toolkit.plotting``; modules other than ``rfm`` are loaded on first use.
"""

from __future__ import annotations

from importlib import import_module

try:
    import matplotlib  # noqa: F401
except ImportError as exc:  # pragma: no cover - matplotlib is a core dependency today
    raise ImportError("toolkit.plotting needs matplotlib: pip install matplotlib") from exc

from .. import i18n as _i18n
from . import _fonts
from .rfm import plot_pareto, plot_rf_heatmap, plot_segments

# Chinese labels need a CJK font: registered now if the language is already "zh", else when it is switched.
_i18n.on_language_change(_fonts.apply_language)
_fonts.apply_language(_i18n.get_language())

#: Per-analysis plot modules searched (in this order) for names not defined above.
_MODULES = ("rfm", "clv", "cohorts", "models", "lifecycle", "journey", "diagnostics")

__all__ = ["plot_rf_heatmap", "plot_segments", "plot_pareto"]


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(name)
    for mod in _MODULES:
        try:
            module = import_module(f"{__name__}.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{mod}":
                continue
            raise
        if name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            globals()[name] = value
            return value
    raise AttributeError(f"module 'toolkit.plotting' has no attribute {name!r}")
