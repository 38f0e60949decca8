"""The README's quickstart is code users paste: it must run and stay within 12 lines."""

import pathlib
import re
import warnings

ROOT = pathlib.Path(__file__).resolve().parents[1]


def _quickstart():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Quickstart", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_quickstart_is_short_and_runs():
    code = _quickstart()
    lines = [line for line in code.splitlines() if line.strip()]
    assert len(lines) <= 12
    namespace = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the tie warning on CDNOW's many one-time buyers is expected
        exec(compile(code, "README quickstart", "exec"), namespace)
    assert len(namespace["summary"]) == 2357
    assert {"r_score", "f_score", "m_score", "segment"} <= set(namespace["segments"].columns)
    assert namespace["tiers"]["tier"].notna().all()
    assert namespace["tx"].report.balanced


def test_two_commands_come_first():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    first_code = text.index("```")
    assert "make lab" in text[first_code:first_code + 400] and "make test" in text[first_code:first_code + 400]
