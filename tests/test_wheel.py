"""The bundled datasets load from an installed wheel, not only from the source checkout."""

import json
import pathlib
import shutil
import site
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


@pytest.mark.wheel
def test_wheel_installs_and_loads_datasets(tmp_path):
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "__pycache__", "*.egg-info", "build",
                                                            "dist", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints"))
    wheels = tmp_path / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "-w", str(wheels), str(src)], check=True)
    (wheel,) = wheels.glob("customer_value_toolkit-*.whl")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    target = next((venv / "lib").glob("python*/site-packages"))
    # unpack the wheel into the fresh venv (what pip install does for a pure-Python wheel)
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--target", str(target),
                    str(wheel)], check=True)
    # dependencies come from this environment's site-packages via PYTHONPATH (no .pth processing there, so the
    # editable install of the checkout is not visible); the toolkit itself must come from the wheel
    deps = [p for p in site.getsitepackages() if "site-packages" in p]
    code = (
        "import json, toolkit, toolkit.datasets as d;"
        "raw = d.load_cdnow('sample'); s = d.load_cdnow_summary();"
        "print(json.dumps({'file': toolkit.__file__, 'rows': len(raw), 'summary': len(s),"
        " 'root': str(d._data_root())}))"
    )
    env = {"PYTHONPATH": ":".join(deps), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    out = subprocess.run([str(venv / "bin" / "python"), "-c", code], cwd=tmp_path, env=env, capture_output=True,
                         text=True)
    assert out.returncode == 0, out.stderr
    info = json.loads(out.stdout.strip().splitlines()[-1])
    assert info["file"].startswith(str(target)), info
    assert info["root"].startswith(str(target)) and info["root"].endswith("_datasets"), info
    assert info["rows"] == 6919 and info["summary"] == 2357
