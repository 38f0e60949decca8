"""Issue #20 point 1, the messages: every error and warning the toolkit raises reads in Chinese under zh.

Messages are raised in English (``pytest.raises(match=...)`` and logs keep them) and translated when shown:
``str(error)`` under ``set_language("zh")`` goes through the catalogue (:mod:`toolkit._zh`). Which messages exist is
learnt from the suite itself: ``tests/conftest.py`` records every message the toolkit creates while the other tests
run, and the scan here runs last (``pytest_collection_modifyitems``). Run alone (or with few other tests), it first
runs the files that raise the most messages in a subprocess, so it never checks an empty list.

What may stay Latin in a Chinese message is what the reader types or looks up -- quoted names and values,
``argument=value``, flags, identifiers, example rows -- and the allow-listed codes (``tests/_zh_words.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import pandas as pd
import pytest

import toolkit
from toolkit import errors
from toolkit.i18n import using_language

from ._zh_words import RAISED, message_words

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
#: Files that raise many different messages: what the scan runs itself when the session recorded few.
ERROR_HEAVY = ["tests/test_hostile.py", "tests/test_hostile_dates_files.py", "tests/test_hostile_ids_events.py",
               "tests/test_hostile_money.py", "tests/test_hostile_models.py", "tests/test_data.py",
               "tests/test_order_lines.py", "tests/test_rfm.py", "tests/test_clv_scenario.py"]
#: A full run records several hundred different messages; fewer means this file ran (nearly) alone.
ENOUGH = 250


@pytest.fixture(scope="module")
def messages(tmp_path_factory):
    recorded = set(RAISED)
    if len(recorded) < ENOUGH:
        out = tmp_path_factory.mktemp("raised") / "raised.json"
        env = {**os.environ, "CVT_RAISED_OUT": str(out)}
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *ERROR_HEAVY],
                       cwd=ROOT, env=env, check=False, capture_output=True)
        recorded |= {tuple(m) for m in json.loads(out.read_text(encoding="utf-8"))}
    return sorted(recorded)


def test_every_message_raised_in_the_suite_reads_in_chinese(messages):
    assert len(messages) >= ENOUGH
    untranslated = []
    from toolkit import _zh  # noqa: F401  (what str(error) loads on first use)
    from toolkit.i18n import localize

    with using_language("zh"):
        for cls, message in messages:
            words = message_words(localize(message))
            if words:
                untranslated.append(f"{cls}: {sorted(set(words))}\n    {message[:300]!r}")
    assert not untranslated, (f"{len(untranslated)} of {len(messages)} messages keep English under zh:\n"
                              + "\n".join(untranslated[:25]))


def test_str_of_an_error_follows_the_language_and_the_english_is_kept():
    raw = pd.DataFrame({"cust": ["a", None, "b"], "date": ["2024-01-01", "2024-01-02", "2024-01-03"],
                        "value": [1.0, 2.0, 3.0]})
    with pytest.raises(errors.DataQualityError, match="missing customer_id") as caught:
        toolkit.Transactions.from_frame(raw, customer="cust", time="date", amount="value")
    err = caught.value
    english = str(err)
    assert "missing customer_id" in english and english == err.message
    with using_language("zh"):
        chinese = str(err)
    assert chinese != english and "缺" in chinese  # 缺少客户编号 or similar
    assert "on_bad_rows='drop'" in chinese  # the argument that fixes it is kept as code
    assert str(err) == english  # back in English once the block ends


def test_warnings_are_shown_in_the_current_language():
    from toolkit.rfm import rfm_scores

    tx = toolkit.Transactions.from_frame(
        pd.DataFrame({"c": ["a", "b", "c", "d"], "t": ["2024-01-01"] * 4, "v": [1.0, 1.0, 1.0, 1.0]}),
        customer="c", time="t", amount="v")
    with warnings.catch_warnings(record=True) as caught, using_language("zh"):
        warnings.simplefilter("always")
        rfm_scores(tx)
        shown = [str(w.message) for w in caught if issubclass(w.category, errors.DataQualityWarning)]
    assert shown
    assert all(not message_words(text) for text in shown), shown


def test_the_message_scan_catches_english_and_spares_code():
    assert message_words("列 'order_date' 有 3 个缺失值，请传入 on_bad_rows='drop' 或 --on-bad-rows drop。") == []
    assert message_words("Column 'x' has 3 missing values") == ["Column", "has", "missing", "values"]
    assert message_words("读取 data.csv 失败（BadZipFile）：\n    cust  date\n  0 abc  2024") == []
