"""Issue #20 point 1: one catalogue, and every entry of it has English and Chinese.

The catalogue is :mod:`toolkit.i18n`: keyed labels (``tr``; registered by every module that shows text) and the
Chinese of whole English texts and sentence patterns (``localize``; for sentences lower layers write). Every module
that registers entries is imported first, so a key added anywhere is checked here.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import string

import pytest

import toolkit
from toolkit import i18n

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def _import_everything():
    for package in ("toolkit", "toolkit.plotting", "toolkit.widgets", "toolkit.report", "toolkit.clv"):
        module = importlib.import_module(package)
        for info in pkgutil.iter_modules(module.__path__):
            if info.name.startswith("__") or info.name in ("__main__",):
                continue
            importlib.import_module(f"{package}.{info.name}")


@pytest.fixture(scope="module")
def catalogue():
    _import_everything()
    return i18n._CATALOGUE


def _fields(text):
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_key_has_english_and_chinese(catalogue):
    assert len(catalogue) > 700
    missing = {key: sorted(set(i18n.LANGUAGES) - {k for k, v in texts.items() if v})
               for key, texts in catalogue.items() if any(not texts.get(code) for code in i18n.LANGUAGES)}
    assert missing == {}


#: Templates whose caller passes more fields than the English uses (the Chinese spells the test's numbers out).
EXTRA_FIELDS = {"widget.cohort.logrank": {"df", "p", "statistic", "verdict"}}


def test_chinese_uses_no_placeholder_the_english_lacks(catalogue):
    """The caller fills the English template's fields; a Chinese one may leave some out (word order, a
    capitalised variant), never ask for another."""
    differ = {}
    for key, texts in catalogue.items():
        try:
            en, zh = _fields(texts["en"]), _fields(texts["zh"])
        except ValueError:  # a literal brace (CSS): not a format string
            continue
        if not zh <= en | EXTRA_FIELDS.get(key, set()):
            differ[key] = (sorted(en), sorted(zh))
    assert differ == {}


def test_chinese_entries_are_chinese(catalogue):
    """A zh text without a Chinese character is a copy of the English, unless it is a code (RFM, CLV...)."""
    latin_only = {key: texts["zh"] for key, texts in catalogue.items()
                  if not CJK.search(texts["zh"]) and re.search(r"[a-z]{3,}", re.sub(r"\{[^}]*\}", "", texts["zh"]))}
    codes = {k: v for k, v in latin_only.items() if v == catalogue[k]["en"] and (
        k.startswith(("val.", "col.")) or v in ("CAC", "CLV", "NPS", "CSAT"))}
    assert {k: v for k, v in latin_only.items() if k not in codes and not _code_like(v)} == {}


def _code_like(text):
    """Texts that are the same in every language: codes, formulas, model and parameter names."""
    words = re.findall(r"[A-Za-z]{3,}", re.sub(r"\{[^}]*\}", "", text))
    return all(w.isupper() or w in {"alpha", "beta", "sBG", "Kaplan", "Meier", "BetaGeo", "GammaGamma",
                                    "ParetoNBD", "log", "rank", "alive"} for w in words)


def test_every_whole_text_has_chinese(catalogue):
    assert i18n._TEXTS and all(texts.get("zh") for texts in i18n._TEXTS.values())


def test_tr_uses_the_catalogue_in_both_languages(catalogue):
    key = "stage.exploration"
    with i18n.using_language("zh"):
        assert i18n.tr(key) == "考察期"
    assert i18n.tr(key) == "exploration"
    assert toolkit.get_language() == "en"
