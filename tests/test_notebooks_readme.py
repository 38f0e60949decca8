"""notebooks/README.md lists the lesson sequence: every notebook in its table exists, every notebook on disk is in
the table, each row gives audience, learning goal and run time, and the lessons link the glossary."""

import pathlib
import re

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
#: Lessons that link notebooks/GLOSSARY.md from a markdown cell.
LINKING_LESSONS = ("00-setup-check.ipynb", "00b-customer-value-concepts.ipynb", "01-rfm-and-value-tiers.ipynb",
                   "02-cohort-retention.ipynb", "03-clv-scenarios.ipynb", "04-probabilistic-clv.ipynb",
                   "05-lifecycle-patterns.ipynb", "06-customer-journey.ipynb", "90-client-playbook.ipynb")


def _table_rows():
    rows = []
    for line in (NOTEBOOKS / "README.md").read_text(encoding="utf-8").splitlines():
        m = re.match(r"\|\s*\[([^\]]+\.ipynb)\]\(([^)]+)\)\s*\|(.*)\|\s*$", line)
        if m:
            rows.append((m.group(1), m.group(2), [c.strip() for c in m.group(3).split("|")]))
    return rows


def test_every_listed_notebook_exists_and_every_notebook_is_listed():
    rows = _table_rows()
    listed = [name for name, _, _ in rows]
    assert len(listed) == len(set(listed)), "a notebook is listed twice"
    for name, link, _ in rows:
        assert name == link, f"{name} links to {link}"
    missing = sorted(n for n in listed if not (NOTEBOOKS / n).is_file())
    assert not missing, f"listed in notebooks/README.md but not in notebooks/: {missing}"
    on_disk = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    unlisted = sorted(set(on_disk) - set(listed))
    assert not unlisted, f"in notebooks/ but not in the README table: {unlisted}"
    assert listed == sorted(listed), "the table must follow the teaching order (file names sort that way)"


def test_each_row_has_topic_audience_goal_and_run_time():
    for name, _, cells in _table_rows():
        assert len(cells) == 4 and all(cells), f"{name}: needs topic, audience, learning goal and run time"
        assert re.search(r"\d+\s*(s|min)\b", cells[3]), f"{name}: run time {cells[3]!r} has no duration"


def test_lessons_link_the_glossary():
    glossary = NOTEBOOKS / "GLOSSARY.md"
    text = glossary.read_text(encoding="utf-8")
    for term in ("考察期", "形成期", "稳定期", "退化期", "早期流产型", "中期夭折型", "提前退出型", "长久保持型",
                 "功能价值", "信任价值", "社交价值", "探索价值", "审美价值", "自我实现价值", "客户让渡价值", "RFM"):
        assert term in text, f"GLOSSARY.md lacks {term}"
    lessons = [NOTEBOOKS / n for n in LINKING_LESSONS]
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
        assert "GLOSSARY.md" in md, f"{path.name} does not link the glossary"
