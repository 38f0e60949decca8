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
