"""Every exercise solution passes its check: each lesson runs (nbclient) with its `%load solutions/...` cells
replaced by the solution files, followed by the lesson's own check call(s) for that exercise, asserted right.

This is how an instructor runs all solutions in CI. Notebooks without solutions are not executed here (nbval
runs them as they are).

The Chinese lessons (``notebooks/zh``, ``%load ../solutions/...``) run the same solution files: they must pass
there too, and under ``set_language("zh")`` the feedback of every check, and whatever else a solution shows, must
read in Chinese (``tests/_zh_words.py``; the checked variable's name and the code the student types are left out).
"""

from __future__ import annotations

import json
import pathlib
import re

import nbformat
import pytest

from ._zh_words import english_words, strip_html, without_code

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH = NOTEBOOKS / "zh"
# `%load solutions/x.py` in notebooks/, `%load ../solutions/x.py` in notebooks/zh/: group 1 is relative to notebooks/
LOAD = re.compile(r"^\s*#?\s*%load\s+(?:\.\./)?(solutions/\S+\.py)\s*$", re.M)
PLACEHOLDER = re.compile(r"^\s*\w+\s*=\s*\.\.\.\s*(#.*)?$")
FEEDBACK = "_solution_feedback"
MARK = "\0feedback:"


def _lessons_with_solutions():
    out = []
    for folder, prefix in ((NOTEBOOKS, ""), (ZH, "zh-")):
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if any(c.cell_type == "code" and LOAD.search(c.source) for c in nb.cells):
                out.append(pytest.param(path, id=prefix + path.stem.split("-")[0]))
    return out


def _check_code(source: str) -> str:
    """The lesson's check cell without its `answer = ...` placeholders, its check call asserted (and its feedback
    kept in `_solution_feedback`, for the language test)."""
    lines = [ln for ln in source.splitlines() if not PLACEHOLDER.match(ln)]
    start = next(i for i, ln in enumerate(lines) if "check(" in ln)
    lines[start] = "_feedback = " + lines[start].lstrip()
    return ("\n".join(lines) + "\nassert _feedback, repr(_feedback)\n"
            f"globals().setdefault({FEEDBACK!r}, []).append([_feedback.name, repr(_feedback), "
            "_feedback._repr_html_()])\n")


def substitute_solutions(nb):
    """Replace each `%load` cell by its solution plus the preceding check cell(s) of that exercise."""
    n_solutions = 0
    last = -1
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        m = LOAD.search(cell.source)
        if not m:
            continue
        solution = (NOTEBOOKS / m.group(1)).read_text(encoding="utf-8")
        checks = [c.source for c in nb.cells[last + 1:i] if c.cell_type == "code" and "check(" in c.source]
        assert checks, f"no check(...) cell before {m.group(1)}"
        cell.source = solution + "\n" + "\n".join(_check_code(c) for c in checks)
        cell.metadata["solution"] = m.group(1)
        n_solutions += 1
        last = i
    return n_solutions


def _shown(cell) -> list[str]:
    """What a reader sees in a cell's outputs (printed text, HTML as text, else plain text)."""
    texts = []
    for out in cell.outputs:
        if out.output_type == "stream":
            texts.append(out.text)
        elif "data" in out:
            data = out.data
            texts.append(strip_html(data["text/html"]) if "text/html" in data else str(data.get("text/plain", "")))
    return texts


def _chinese_words_left(texts, names=()) -> dict:
    """Latin words left in Chinese output once the checked names and the code the student types are taken out."""
    cleaned = []
    for text in texts:
        for name in names:
            text = text.replace(name, " ")
        cleaned.append(without_code(text, examples=False))
    return english_words(cleaned)


@pytest.mark.slow
@pytest.mark.parametrize("path", _lessons_with_solutions())
def test_solutions_pass_their_checks(path, run_notebook):
    nb = nbformat.read(path, as_version=4)
    n = substitute_solutions(nb)
    assert n >= 1
    zh = path.parent == ZH
    if zh:
        nb.cells.append(nbformat.v4.new_code_cell(
            f"import json as _json\nprint({MARK!r} + _json.dumps({FEEDBACK}, ensure_ascii=False))"))
    run_notebook(nb, timeout=600, cwd=path.parent)
    # notebooks are product: no cell may print a warning or anything else on stderr
    noisy = [(i, "".join(o.get("text", ""))[:300]) for i, cell in enumerate(nb.cells) if cell.cell_type == "code"
             for o in cell.outputs if o.get("output_type") == "stream" and o.get("name") == "stderr"]
    assert not noisy, f"{path.name} writes to stderr: {noisy}"
    for cell in nb.cells:
        if "solution" not in cell.metadata:
            continue
        text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in cell.outputs)
        assert "✘" not in text, f"{cell.metadata['solution']}: {text}"
    if not zh:
        return
    # under set_language("zh"): every check's feedback, and all a solution shows, in Chinese
    dump = "".join(o.get("text", "") for o in nb.cells[-1].outputs)
    feedback = json.loads(dump.split(MARK, 1)[1])
    assert len(feedback) >= n
    names = sorted({name for name, _, _ in feedback}, key=len, reverse=True)
    for name, text, html in feedback:
        assert "正确" in text, text
        assert _chinese_words_left([text, strip_html(html)], [name]) == {}, text
    shown = {cell.metadata["solution"]: _shown(cell) for cell in nb.cells[:-1] if "solution" in cell.metadata}
    english = {rel: words for rel, texts in shown.items() if (words := _chinese_words_left(texts, names))}
    assert english == {}, "\n".join(f"{rel}: {sorted(words)}\n  {next(iter(words.values()))!r}"
                                     for rel, words in english.items())


def test_every_lesson_has_an_exercise_with_a_solution():
    lessons = [p for folder in (NOTEBOOKS, ZH) for p in sorted(folder.glob("0*.ipynb"))
               if p.name != "00-setup-check.ipynb"]
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert any("check(" in c for c in code), f"{path.name} has no exercise checked with check(...)"
        loads = [m.group(1) for c in code for m in LOAD.finditer(c)]
        assert loads, f"{path.name} loads no solution"
        for rel in loads:
            assert (NOTEBOOKS / rel).is_file(), f"{path.name}: {rel} is missing"


def test_substitution_really_checks():
    """A wrong solution must fail: the check call is asserted, not just displayed."""
    code = _check_code('answer = ...  # yours\ncheck("answer", 1.0,\n      hint="x")')
    ns = {"check": __import__("toolkit.exercises", fromlist=["check"]).check, "answer": 2.0}
    with pytest.raises(AssertionError):
        exec(code, ns)
    ns["answer"] = 1.0
    exec(code, ns)
