"""Issue #20 point 1, the lessons as a student sees them: no English in what a Chinese lesson shows.

Each lesson of ``notebooks/zh`` runs in a real kernel (nbclient), as Run All would. Everything it shows is read:
printed text, tables (DataFrames are displayed through :func:`toolkit.formatting.notebook_table_html` under zh),
result objects' HTML or text, and the texts of every figure it draws (titles, axes, ticks, legends, notes: read from
each Figure just before it becomes a PNG, by a hook the test adds in a first cell). A Latin word of three letters
or more fails unless it is code the student types (a column's name under its Chinese header, ``argument=value``,
quoted values: ``tests/_zh_words.without_code``), an allowed code or name (``tests/_zh_words.py``), or part of the
data the lesson reads:
the client's raw export keeps its own headers and product descriptions (words taken from the bundled file itself).
Nothing may be printed on stderr.
"""

from __future__ import annotations

import json
import pathlib
import re

import nbformat
import pandas as pd
import pytest

from ._zh_words import english_words, strip_html, without_code

ROOT = pathlib.Path(__file__).resolve().parents[1]
LESSONS = sorted((ROOT / "notebooks" / "zh").glob("*.ipynb"))
MARK = "\0figure-texts:"
CODE_TAG = re.compile(r"<code[^>]*>.*?</code>", re.DOTALL)

HOOK = """\
import json as _cvt_json
from matplotlib.backend_bases import FigureCanvasBase as _CvtCanvas
from toolkit.plotting._texts import figure_texts as _cvt_figure_texts
_cvt_texts = []
_cvt_print_figure = _CvtCanvas.print_figure
def _cvt_recording_print_figure(self, *args, **kwargs):
    _cvt_texts.extend(_cvt_figure_texts(self.figure))
    return _cvt_print_figure(self, *args, **kwargs)
_CvtCanvas.print_figure = _cvt_recording_print_figure
"""
DUMP = f"print({MARK!r} + _cvt_json.dumps(_cvt_texts, ensure_ascii=False))"


def _data_words() -> frozenset:
    """Latin words of the raw exports the lessons show as they are: the bundled order-line export's headers,
    product descriptions and countries, and the client export's column names the lessons' parameters give."""
    from toolkit.datasets import dataset_path

    raw = pd.read_csv(dataset_path("retail", "order_lines_sample.csv"), dtype=str, keep_default_na=False)
    text = " ".join(raw.columns) + " " + " ".join(raw[["Description", "Country", "StockCode"]].stack())
    # lesson 90 writes an example client export from the teaching company: its category column as the file has it
    # (shown only where the cleaning report quotes example rows as the file holds them)
    from toolkit.datasets import load_company

    company = load_company()
    text += " " + " ".join(company.transactions["category"].astype(str).unique())
    text += " " + " ".join(company.transactions.columns)
    for path in LESSONS:  # COLUMNS = {"customer": "Member ID", ...}: the names of the client's own columns
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code" and "COLUMNS = {" in cell.source:
                text += " " + " ".join(re.findall(r'"[^"]*":\s*"([^"]*)"', cell.source))
    return frozenset(re.findall(r"[A-Za-z]{3,}", text))


def _shown(cell) -> tuple[list[str], list[str]]:
    """(texts a reader sees in the cell's outputs, stderr texts)."""
    texts, errors = [], []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            (errors if out.name == "stderr" else texts).append(out.text)
        elif out.output_type == "error":
            errors.append(f"{out.ename}: {out.evalue}")
        elif "data" in out:
            data = out.data
            if "application/vnd.jupyter.widget-view+json" in data:
                continue  # widgets: tests/test_zh_widgets.py reads their trees
            if "text/html" in data:
                texts.append(strip_html(CODE_TAG.sub(" ", data["text/html"])))
            elif "image/png" not in data and "text/plain" in data:
                texts.append(data["text/plain"])
    # names, arguments and values the student types next (column names under the headers, `arg=value` in hints)
    return [without_code(t, examples=False) for t in texts], errors


@pytest.fixture(scope="module")
def data_words():
    return _data_words()


@pytest.mark.parametrize("path", LESSONS, ids=[p.stem.split("-")[0] for p in LESSONS])
def test_a_chinese_lesson_shows_no_english(path, run_notebook, data_words):
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(0, nbformat.v4.new_code_cell(HOOK))
    nb.cells.append(nbformat.v4.new_code_cell(DUMP))
    run = run_notebook(nb, timeout=300, cwd=path.parent)
    found, stderr, figure_texts = {}, [], []
    for number, cell in enumerate(run.nb.cells[1:-1], start=1):
        if cell.cell_type != "code":
            continue
        texts, errors = _shown(cell)
        stderr += [f"cell {number}: {e[:300]}" for e in errors]
        for word, where in english_words(texts).items():
            if word not in data_words:
                found.setdefault(word, f"cell {number}: {where!r}")
    dump = run.text(len(run.nb.cells) - 1)
    figure_texts = json.loads(dump.split(MARK, 1)[1])
    for word, where in english_words(figure_texts).items():
        if word not in data_words:  # a figure of the client's export may name its own columns
            found.setdefault(word, f"figure: {where!r}")
    assert stderr == []
    assert found == {}, "\n".join(f"{w}: {where}" for w, where in sorted(found.items()))


def test_the_hook_reads_figure_texts_and_the_scan_catches_english(run_notebook):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(HOOK), nbformat.v4.new_code_cell(
        "import matplotlib.pyplot as plt\nimport pandas as pd\nimport toolkit\ntoolkit.set_language('zh')\n"
        "fig, ax = plt.subplots()\nax.set_title('retention curve')\nplt.show()\n"
        "pd.DataFrame({'revenue': [1.0], 'mystery_column': [2.0]}, index=pd.Index(['one_yuan_promo'], name='channel'))"),
        nbformat.v4.new_code_cell(DUMP)]
    run = run_notebook(nb)
    texts, errors = _shown(run.nb.cells[1])
    assert errors == [] and len(texts) == 1
    html = next(o.data["text/html"] for o in run.nb.cells[1].outputs if "data" in o and "text/html" in o.data)
    assert "收入" in html and "一元促销" in html  # the label and the category in Chinese
    assert "<code" in html and ">revenue</code>" in html  # the column's own name beneath, as code
    assert "mystery_column" in html  # unknown columns keep their name
    assert english_words(texts) == {}  # what is left once code is set aside is Chinese
    figure_texts = json.loads(run.text(2).split(MARK, 1)[1])
    assert "retention curve" in figure_texts
    assert set(english_words(figure_texts)) == {"retention", "curve"}
