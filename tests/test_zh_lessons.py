"""The Chinese lessons in notebooks/zh/ stay in step with the English ones in notebooks/.

A Chinese lesson is a translation, not a second source of numbers: it has the English lesson's cells in the same
order, the same parameters cell, the same `assert` statements (the numbers the course quotes), and the same code up
to comments and the text of string literals. Its only extra code is `toolkit.set_language("zh")` in the import
cell, and its `%load` lines point one folder up (`%load ../solutions/...`). Every markdown cell is written in
Chinese. nbval runs these notebooks like the English ones; this file checks the pairing without running them.
"""

from __future__ import annotations

import ast
import collections
import json
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
ZH = NOTEBOOKS / "zh"
CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
MAGIC = re.compile(r"^\s*[%!]")
LOAD_ZH = re.compile(r"%load\s+\.\./solutions/(\S+\.py)")
LINK = re.compile(r"\]\(([^)\s]+)\)")


def _read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def _source(cell):
    src = cell["source"]
    return src if isinstance(src, str) else "".join(src)


def _split_magics(source):
    """(Python code with IPython magic / shell lines blanked, the magic lines themselves)."""
    code, magics = [], []
    for line in source.splitlines():
        if MAGIC.match(line):
            magics.append(line.strip().replace("%load ../solutions/", "%load solutions/"))
            code.append("")
        else:
            code.append(line)
    return "\n".join(code), magics


def _parse(source):
    return ast.parse(_split_magics(source)[0])


def _is_set_language(node):
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and node.value.func.attr == "set_language"
            and isinstance(node.value.func.value, ast.Name) and node.value.func.value.id == "toolkit")


def _is_import_toolkit(node):
    return isinstance(node, ast.Import) and [a.name for a in node.names] == ["toolkit"] and not node.names[0].asname


class _BlankStrings(ast.NodeTransformer):
    """Every str constant becomes "" and every f-string the sorted list of its placeholders (a translation may
    reorder them), so that two cells compare equal when they differ only in the text they show."""

    def visit_Constant(self, node):
        return ast.Constant(value="") if isinstance(node.value, str) else node

    def visit_JoinedStr(self, node):
        fields = sorted(ast.dump(self.visit(v)) for v in node.values if isinstance(v, ast.FormattedValue))
        return ast.List(elts=[ast.Constant(value=f) for f in fields], ctx=ast.Load())


def _normalized(source, drop_import_toolkit=False):
    tree = _parse(source)
    body = [n for n in tree.body if not _is_set_language(n)]
    if drop_import_toolkit:
        body = [n for n in body if not _is_import_toolkit(n)]
    tree.body = body
    return ast.dump(_BlankStrings().visit(tree))


def _asserts(nb):
    found = collections.Counter()
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            found.update(ast.unparse(n) for n in ast.walk(_parse(_source(cell))) if isinstance(n, ast.Assert))
    return found


def _parameters_index(nb):
    """Index of the parameters cell: tagged ``parameters`` (papermill) or opening with ``# Parameters``."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and ("parameters" in cell.get("metadata", {}).get("tags", [])
                                            or _source(cell).lstrip().startswith("# Parameters")):
            return i
    return None


def _parameters_cell(nb, index):
    """The code of cell ``index`` as Python sees it: the comments may speak the lesson's language while every
    name and value is the same."""
    return ast.dump(_parse(_source(nb["cells"][index])))


def _import_cell(nb):
    """Index of the first code cell that imports toolkit (``import toolkit`` or ``from toolkit ...``)."""
    for i, cell in enumerate(nb["cells"]):
        if cell["cell_type"] == "code" and re.search(r"^(import toolkit\b|from toolkit\b)", _source(cell), re.M):
            return i
    return None


ZH_LESSONS = sorted(ZH.glob("*.ipynb"))


def test_every_english_lesson_has_a_chinese_twin():
    english = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    missing = [name for name in english if not (ZH / name).is_file()]
    assert not missing, f"English lessons without a Chinese edition in notebooks/zh/: {missing}"


@pytest.fixture(params=ZH_LESSONS, ids=lambda p: p.name)
def pair(request):
    zh_path = request.param
    en_path = NOTEBOOKS / zh_path.name
    assert en_path.is_file(), f"notebooks/zh/{zh_path.name} has no English lesson notebooks/{zh_path.name}"
    return _read(en_path), _read(zh_path)


def test_same_cells_in_the_same_order(pair):
    en, zh = pair
    assert (zh["nbformat"], zh["nbformat_minor"]) == (en["nbformat"], en["nbformat_minor"])
    assert zh["metadata"] == en["metadata"]
    assert [c["cell_type"] for c in zh["cells"]] == [c["cell_type"] for c in en["cells"]]
    for i, (e, z) in enumerate(zip(en["cells"], zh["cells"])):
        assert z.get("metadata") == e.get("metadata"), f"cell {i}: metadata differs"
        if e["cell_type"] == "code" and not e["outputs"]:
            assert not z["outputs"] and z["execution_count"] is None, f"cell {i}: the English lessons store no outputs"


def test_parameters_cell_is_identical(pair):
    en, zh = pair
    index = _parameters_index(en)
    if index is None:  # a lesson without parameters (00, 00b)
        assert _parameters_index(zh) is None
        return
    assert _parameters_cell(zh, index) == _parameters_cell(en, index)


def test_same_assert_statements(pair):
    """The asserted numbers are the single source of truth: the same statements, each as often, in both editions."""
    en, zh = pair
    en_asserts, zh_asserts = _asserts(en), _asserts(zh)
    assert en_asserts, "the English lesson asserts nothing?"
    assert zh_asserts == en_asserts, {"only English": sorted((en_asserts - zh_asserts).elements()),
                                      "only Chinese": sorted((zh_asserts - en_asserts).elements())}


def test_code_differs_only_in_comments_and_text(pair):
    en, zh = pair
    import_cell = _import_cell(en)
    for i, (e, z) in enumerate(zip(en["cells"], zh["cells"])):
        if e["cell_type"] != "code":
            continue
        e_src, z_src = _source(e), _source(z)
        assert _split_magics(z_src)[1] == _split_magics(e_src)[1], f"cell {i}: magic lines differ"
        extra_import = i == import_cell and not any(_is_import_toolkit(n) for n in _parse(e_src).body)
        assert _normalized(z_src, drop_import_toolkit=extra_import) == _normalized(e_src), (
            f"cell {i}: code differs beyond comments and string text:\n--- en\n{e_src}\n--- zh\n{z_src}")
        assert "%load solutions/" not in z_src, f"cell {i}: a zh lesson loads ../solutions/, not solutions/"


def test_import_cell_switches_to_chinese(pair):
    en, zh = pair
    i = _import_cell(en)
    assert i is not None and _import_cell(zh) == i
    body = _parse(_source(zh["cells"][i])).body
    calls = [k for k, n in enumerate(body) if _is_set_language(n)]
    imports = [k for k, n in enumerate(body) if _is_import_toolkit(n)]
    assert len(calls) == 1, f"cell {i} must call toolkit.set_language(\"zh\") once"
    call = body[calls[0]].value
    assert [ast.literal_eval(a) for a in call.args] == ["zh"] and not call.keywords
    assert imports and imports[0] < calls[0], "toolkit.set_language must follow `import toolkit`"


def test_markdown_is_chinese_and_links_resolve(pair):
    _, zh = pair
    for i, cell in enumerate(zh["cells"]):
        text = _source(cell)
        if cell["cell_type"] == "markdown":
            assert CJK.search(text), f"markdown cell {i} has no Chinese text"
            for target in LINK.findall(text):
                if re.match(r"[a-z]+:", target) or target.startswith("#"):
                    continue
                assert (ZH / target.split("#")[0]).exists(), f"markdown cell {i}: link {target} leads nowhere"
        for name in LOAD_ZH.findall(text):
            assert (NOTEBOOKS / "solutions" / name).is_file(), f"cell {i}: solutions/{name} does not exist"
