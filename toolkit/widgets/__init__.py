"""Interactive tools: one module per tool, each a state object plus a thin ipywidgets view.

Import the tool modules directly (``from toolkit.widgets.clv_scenario import clv_scenario_widget``,
``from toolkit.widgets.rfm_explorer import rfm_explorer``); this package imports nothing heavy.
``toolkit.widgets.rfm_explorer`` (the module) and ``toolkit.widgets.RFMExplorerState`` also resolve
lazily on first attribute access.
"""

from importlib import import_module

#: Lazy attributes: name -> (module, attribute or None for the module itself).
_LAZY = {
    "rfm_explorer": ("toolkit.widgets.rfm_explorer", None),
    "RFMExplorerState": ("toolkit.widgets.rfm_explorer", "RFMExplorerState"),
    "lifecycle_browser": ("toolkit.widgets.lifecycle_browser", "lifecycle_browser"),
    "LifecycleBrowserState": ("toolkit.widgets.lifecycle_browser", "LifecycleBrowserState"),
}


def __getattr__(name):
    if name in _LAZY:
        module_name, attr = _LAZY[name]
        module = import_module(module_name)
        return module if attr is None else getattr(module, attr)
    raise AttributeError(f"module 'toolkit.widgets' has no attribute {name!r}")
