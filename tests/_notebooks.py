"""Executing a notebook in a real kernel (nbclient), for the widget and lesson tests.

The ``run_notebook`` fixture (``tests/conftest.py``) hands out :func:`run_notebook`: give it code strings (a new
notebook, one code cell each), a notebook file, or a notebook already loaded and edited; it runs every cell in a
fresh ``python3`` kernel and returns a :class:`NotebookRun` with the executed notebook, each cell's printed text
and the widget state the kernel left behind (what a browser would render).
"""

from __future__ import annotations

import pathlib
from dataclasses import dataclass

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"


@dataclass
class NotebookRun:
    """An executed notebook: ``nb`` itself, plus readers for printed text and widget models."""

    nb: object  # nbformat.NotebookNode, executed in place

    def text(self, cell: int) -> str:
        """Everything cell ``cell`` printed (its stream outputs, stdout and stderr, in order)."""
        return "".join(o.get("text", "") for o in self.nb.cells[cell].outputs)

    @property
    def widget_state(self) -> dict:
        """The saved widget state: model id -> {"model_name": ..., "state": {...}, ...}."""
        return self.nb.metadata["widgets"][WIDGET_STATE]["state"]

    @property
    def models(self) -> list[dict]:
        """Every widget model the notebook created, in the order the kernel saved them."""
        return list(self.widget_state.values())

    def states(self, model_name: str) -> list[dict]:
        """The ``state`` dicts of the widget models of one kind (``"FloatSliderModel"``, ``"ImageModel"``, ...)."""
        return [m["state"] for m in self.models if m["model_name"] == model_name]


def run_notebook(cells_or_path, *, timeout: int = 180, cwd: pathlib.Path | str = ROOT) -> NotebookRun:
    """Execute a notebook with nbclient in a fresh ``python3`` kernel started in ``cwd``.

    ``cells_or_path`` is a list of code strings (one code cell each), the path of an ``.ipynb`` file, or an
    ``nbformat`` notebook (edited by the caller, executed in place). ``timeout`` is nbclient's per-cell limit in
    seconds. A cell that raises fails the test with nbclient's ``CellExecutionError`` (the traceback included).
    """
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    if isinstance(cells_or_path, (str, pathlib.Path)):
        nb = nbformat.read(cells_or_path, as_version=4)
    elif isinstance(cells_or_path, nbformat.NotebookNode):
        nb = cells_or_path
    else:
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(source) for source in cells_or_path]
    nb.metadata.setdefault("kernelspec", {"name": "python3", "display_name": "Python 3", "language": "python"})
    nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}}).execute()
    return NotebookRun(nb)
