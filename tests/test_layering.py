"""House rules that keep the layout livable (ARCHITECTURE.md)."""

import ast
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PKG = ROOT / "toolkit"


def _modules():
    return sorted(p for p in PKG.rglob("*.py"))


def _imports(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name.split(".")[0], node
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module.split(".")[0], node


def test_import_toolkit_is_light():
    code = ("import sys, toolkit; heavy = [m for m in ('matplotlib', 'ipywidgets', 'sklearn', 'dask', 'distributed')"
            " if m in sys.modules]; print(','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert out.stdout.strip() == "", f"import toolkit pulled in {out.stdout.strip()}"


@pytest.mark.parametrize("lib,allowed", [
    ("matplotlib", "plotting"),
    ("ipywidgets", "widgets"),
    ("dask", "scale"),
    ("distributed", "scale"),
])
def test_heavy_libraries_only_in_their_layer(lib, allowed):
    offenders = []
    for path in _modules():
        rel = path.relative_to(PKG)
        if rel.parts[0] == allowed:
            continue
        for name, node in _imports(path):
            if name == lib:
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, f"{lib} imported outside toolkit/{allowed}/: {offenders}"


def test_sklearn_is_imported_lazily():
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in tree.body:  # module level only
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] == "sklearn" for n in names):
                    offenders.append(f"{path.relative_to(PKG)}:{node.lineno}")
    assert not offenders


def test_numba_decorators_only_in_jit_module():
    offenders = []
    for path in _modules():
        rel = path.relative_to(PKG)
        text = path.read_text(encoding="utf-8")
        if rel.as_posix() == "_kernels/_jit.py":
            continue
        for needle in ("numba.njit", "@njit(", "@jit", "from numba import njit", "fastmath=", "cache="):
            if needle in text:
                offenders.append(f"{rel}: {needle}")
    assert not offenders, f"numba options configured outside _kernels/_jit.py: {offenders}"


def test_kernels_only_in_kernels_package():
    offenders = []
    for path in _modules():
        rel = path.relative_to(PKG)
        if rel.parts[0] == "_kernels":
            continue
        if "njit_serial" in path.read_text() or "njit_parallel" in path.read_text():
            offenders.append(str(rel))
    assert not offenders, f"@njit code outside toolkit/_kernels/: {offenders}"


def test_no_print_in_library():
    offenders = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print":
                offenders.append(f"{path.relative_to(PKG)}:{node.lineno}")
    assert not offenders, f"print() in library code: {offenders}"


def test_fastmath_excludes_nnan_ninf():
    from toolkit import config

    assert "nnan" not in config.FASTMATH_FLAGS and "ninf" not in config.FASTMATH_FLAGS
    assert "fast" not in config.FASTMATH_FLAGS


def test_only_data_module_knows_user_column_names():
    # analyses must not call Transactions.from_frame with user column names themselves
    offenders = []
    for path in _modules():
        rel = path.relative_to(PKG).as_posix()
        if rel in {"data.py", "_warmup.py", "datasets.py"}:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr == "from_frame":
                offenders.append(f"{rel}:{node.lineno}")
    assert not offenders, offenders


def test_warmup_runs():
    import toolkit

    assert toolkit.warmup() >= 0
    env = toolkit.check_environment()
    assert env["ok"].all()
    core = env[env["required"]]
    assert {"numpy", "pandas", "numba"} <= set(core["package"]) and (core["version"] != "missing").all()
    assert set(env.loc[~env["required"], "package"]) == {"jupyterlab", "voila"}


# ------------------------------------------------------------------ import circles

def _module_name(path):
    rel = path.relative_to(ROOT).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking_guard(node):
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _import_nodes(tree):
    """Every import node of a module, at any depth (functions, methods, try blocks), except under TYPE_CHECKING."""
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.If) and _is_type_checking_guard(node):
            stack.extend(node.orelse)
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        stack.extend(ast.iter_child_nodes(node))


def _import_graph():
    """Module -> toolkit modules it imports (at any depth), as the import system runs them.

    ``import a.b.c`` (or ``from a.b import c``) from module ``m`` runs ``a``, ``a.b`` and ``a.b.c``; a package
    that is an ancestor of ``m`` is already being imported when ``m`` runs, so it is not an edge (a submodule
    importing a sibling is fine), but any other package on the way is (``toolkit.x`` importing
    ``toolkit.clv._common`` runs ``toolkit/clv/__init__.py``).
    """
    paths = {_module_name(p): p for p in _modules()}
    known = set(paths)
    graph = {}
    for name, path in paths.items():
        is_pkg = path.name == "__init__.py"
        package = name if is_pkg else name.rpartition(".")[0]
        own_ancestors = {".".join(name.split(".")[:k]) for k in range(1, name.count(".") + 1)}
        targets = set()
        for node in _import_nodes(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            else:
                if node.level:
                    base = package.split(".")
                    base = base[:len(base) - (node.level - 1)]
                    mod = ".".join(base + ([node.module] if node.module else []))
                else:
                    mod = node.module
                subs = [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in known]
                mods = subs if len(subs) == len(node.names) else [mod, *subs]
            for mod in mods:
                if mod.split(".")[0] != "toolkit":
                    continue
                parts = mod.split(".")
                for k in range(1, len(parts) + 1):
                    target = ".".join(parts[:k])
                    explicit = k == len(parts)
                    if target in known and target != name and (explicit or target not in own_ancestors):
                        targets.add(target)
        graph[name] = targets
    return graph


def _cycles(graph):
    """Strongly connected components with more than one module (Tarjan), each with one circle through it."""
    index, low, on_stack, stack, comps = {}, {}, set(), [], []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1 or v in graph[v]:
                comps.append(sorted(comp))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    for v in sorted(graph):
        if v not in index:
            visit(v)
    circles = []
    for comp in comps:  # one shortest circle through the first module of the component, for the message
        start, members = comp[0], set(comp)
        paths, seen, found = [[start]], {start}, None
        while paths and found is None:
            nxt = []
            for path in paths:
                for w in sorted(graph[path[-1]] & members):
                    if w == start:
                        found = path + [start]
                        break
                    if w not in seen:
                        seen.add(w)
                        nxt.append(path + [w])
                if found:
                    break
            paths = nxt
        circles.append(" -> ".join(found) + (f"  (circle among {', '.join(comp)})" if len(comp) > 2 else ""))
    return circles


#: Circles known and owned elsewhere, each with the reason; the test fails if one of them is gone (then delete it
#: here) as well as on any other circle.
_KNOWN_CIRCLES = {}


def test_no_import_circles():
    """No circle among toolkit modules, counting imports inside functions too (they are circles all the same,
    only deferred). Imports under ``if TYPE_CHECKING:`` are left out: they never run."""
    circles = _cycles(_import_graph())
    gone = [c for c in _KNOWN_CIRCLES if c not in circles]
    assert not gone, f"known circles no longer there, delete them from _KNOWN_CIRCLES: {gone}"
    new = [c for c in circles if c not in _KNOWN_CIRCLES]
    assert not new, "import circles between toolkit modules:\n  " + "\n  ".join(new)


def test_circle_check_sees_function_level_imports():
    graph = {"toolkit.a": {"toolkit.b"}, "toolkit.b": {"toolkit.a"}, "toolkit.c": set()}
    assert _cycles(graph) == ["toolkit.a -> toolkit.b -> toolkit.a"]
    tree = ast.parse("def f():\n    from .b import x\nif TYPE_CHECKING:\n    import toolkit.c\n")
    assert [n.module for n in _import_nodes(tree)] == ["b"]
