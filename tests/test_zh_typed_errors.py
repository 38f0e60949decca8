"""Issue #20: every error a user meets is a typed toolkit error, so that it reads in Chinese under zh.

``ToolkitError.__str__`` localizes its message under ``set_language("zh")`` (:mod:`toolkit.errors`); a plain
``ValueError`` / ``RuntimeError`` is shown as raised, in English, in a Chinese notebook. The argument and data checks
raise :class:`~toolkit.errors.ParameterError`, :class:`~toolkit.errors.SchemaError`,
:class:`~toolkit.errors.DataQualityError`, :class:`~toolkit.errors.UnitMismatchError` (all ``ValueError`` s, so
``except ValueError`` keeps working) or :class:`~toolkit.errors.ConvergenceError` (a ``RuntimeError``). A name
that is not there (a KPI, a customer, a report section, a widget setting) raises
:class:`~toolkit.errors.UnknownNameError`, a ``KeyError`` whose ``str()`` is the message (a plain ``KeyError`` shows
its quoted repr, in English). The scan below keeps plain ones from coming back; the triggers check a few real
messages end to end.
"""

from __future__ import annotations

import ast
import pathlib
import warnings

import numpy as np
import pandas as pd
import pytest

import toolkit
from toolkit import errors
from toolkit.i18n import using_language

from ._zh_words import message_words

PKG = pathlib.Path(__file__).resolve().parents[1] / "toolkit"

#: Exceptions a user may meet that must be raised as a typed toolkit error instead.
PLAIN = {"ValueError", "RuntimeError", "KeyError"}

#: Modules allowed to raise them, each with the reason.
ALLOWED = {
    # toolkit.errors imports toolkit.i18n (to localize its messages), so i18n cannot import the typed errors without
    # an import circle; its checks are about the catalogue itself (language codes of register(), set_language()).
    "i18n.py": "imported by toolkit.errors",
}


def _plain_raises(path):
    """(line, name) of every ``raise ValueError(...)`` / ``raise RuntimeError`` / ``raise KeyError(...)`` (called or
    not, any depth)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = exc.id if isinstance(exc, ast.Name) else exc.attr if isinstance(exc, ast.Attribute) else None
        if name in PLAIN:
            yield node.lineno, name


def test_no_plain_value_runtime_or_key_errors_in_the_toolkit():
    offenders = []
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG).as_posix()
        if rel in ALLOWED:
            continue
        offenders += [f"toolkit/{rel}:{line} raise {name}" for line, name in _plain_raises(path)]
    assert not offenders, ("plain errors stay English under zh; raise ParameterError, SchemaError, DataQualityError, "
                           "UnitMismatchError, ConvergenceError or UnknownNameError (toolkit.errors) instead:\n  "
                           + "\n  ".join(offenders))


def test_the_allow_list_is_still_needed():
    stale = [rel for rel in ALLOWED if not list(_plain_raises(PKG / rel))]
    assert not stale, f"no plain raise left in {stale}: remove them from ALLOWED"


def test_the_scan_sees_every_form(tmp_path):
    path = tmp_path / "probe.py"
    path.write_text("def f():\n    raise ValueError('a') from None\n"
                    "def g():\n    raise builtins.RuntimeError\n"
                    "def h():\n    raise errors.ParameterError('ok')\n"
                    "def k():\n    raise KeyError(key)\n", encoding="utf-8")
    assert list(_plain_raises(path)) == [(2, "ValueError"), (4, "RuntimeError"), (8, "KeyError")]


# ---------------------------------------------------------------------------------------------- real triggers

@pytest.fixture(scope="module")
def tx():
    raw = pd.DataFrame({"cust": ["a", "a", "b", "c", "c", "c"],
                        "date": ["2023-01-05", "2023-03-01", "2023-02-10", "2023-01-20", "2023-04-02", "2023-06-30"],
                        "value": [10.0, 12.0, 30.0, 8.0, 9.0, 11.0]})
    return toolkit.Transactions.from_frame(raw, customer="cust", time="date", amount="value")


def _weights_off(tx):
    from toolkit import rfm

    weights = {k: 0.4 for k in rfm.DEFAULT_WEIGHTS}  # sum > 1 (lesson 01's value_scorecard)
    rfm.value_scorecard(toolkit.customer_summary(tx), weights=weights)


def _bad_horizon(tx):
    from toolkit.clv.diagnostics import repeat_pmf
    from toolkit.clv.models import BetaGeo

    repeat_pmf(BetaGeo.from_params(r=0.24, alpha=4.4, a=0.79, b=2.4), [-1.0], 5)


def _bad_segment_map(tx):
    from toolkit import rfm

    rfm.segment_map("no_such_map")


def _bad_journey_map(tx):
    from toolkit import journey

    journey.journey_map("no_such_map")


def _bad_period(tx):
    from toolkit import cohorts

    cohorts.retention_matrix(tx, period="fortnight")


def _bad_option(tx):
    raw = pd.DataFrame({"cust": ["a", "b"], "date": ["2023-01-05", "2023-02-10"], "value": [10.0, 30.0]})
    toolkit.Transactions.from_frame(raw, customer="cust", time="date", amount="value", on_bad_rows="ignore")


def _late_end(tx):
    toolkit.customer_summary(tx, observation_end="2030-01-01")


def _one_group(tx):
    from toolkit.logrank import logrank_test

    logrank_test(np.array([3.0, 5.0, 8.0]), np.array([True, False, True]), groups=["web", "web", "web"])


def _unknown_lifecycle_parameter(tx):
    toolkit.LifecycleClassifier().set_params(no_such_setting=1)


def _explorer_refused(tx):
    from toolkit.widgets.rfm_explorer import RFMExplorerState  # its refusals are translated next to it

    RFMExplorerState(tx, bins=30)


def _bad_company(tx):
    from toolkit import datasets

    datasets.make_company(n_customers=0)


TRIGGERS = [
    (_weights_off, errors.ParameterError, "weights must sum to 1"),
    (_bad_horizon, errors.ParameterError, "Horizons t must be finite"),
    (_bad_segment_map, errors.ParameterError, "unknown segment map"),
    (_bad_journey_map, errors.ParameterError, "unknown journey map"),
    (_bad_period, errors.ParameterError, "period must be one of"),
    (_bad_option, errors.ParameterError, "on_bad_rows must be"),
    (_late_end, errors.ParameterError, "is after the end of the log"),
    (_one_group, errors.DataQualityError, "compares at least two groups"),
    (_unknown_lifecycle_parameter, errors.ParameterError, "Unknown parameter"),
    (_bad_company, errors.ParameterError, "n_customers must be a positive integer"),
    (_explorer_refused, errors.ParameterError, "RFMExplorerState: bins must be an integer"),
]


@pytest.mark.parametrize("trigger,cls,english", TRIGGERS, ids=[t[0].__name__.strip("_") for t in TRIGGERS])
def test_a_refused_argument_reads_in_chinese(tx, trigger, cls, english):
    with pytest.raises(cls, match=english) as caught:
        trigger(tx)
    err = caught.value
    assert isinstance(err, ValueError)  # `except ValueError` written against the old plain errors still works
    assert str(err) == err.message and english in str(err)  # raised (and logged) in English
    with using_language("zh"):
        chinese = str(err)
    assert chinese != err.message
    assert not message_words(chinese), f"English left under zh: {message_words(chinese)} in {chinese!r}"


@pytest.mark.parametrize("cls,message", [
    (errors.UnitMismatchError, "The models were fitted in different time units ('D' vs 'W'); their likelihoods are "
                               "not comparable."),
    (errors.UnitMismatchError, "The models were fitted on different data: 2,357 vs 1,000 customers. Fit both on the "
                               "same summary."),
    (errors.ConvergenceError, "Expected counts sum to 2356.2 for 2357 customers (or are negative); the P(X(t)=x) "
                              "evaluation failed."),
    (errors.ParameterError, "The full model was fitted with penalizer=0.01: its estimates are not maximum likelihood "
                            "and the LR test does not apply. Refit with penalizer=0."),
    (errors.SchemaError, "durations, events and groups must be 1-d and of equal length."),
])
def test_messages_hard_to_trigger_read_in_chinese(cls, message):
    with using_language("zh"):
        chinese = str(cls(message))
    assert chinese != message and not message_words(chinese), chinese


# ---------------------------------------------------------------------------------------------- unknown names

@pytest.fixture(scope="module")
def company():
    from toolkit import datasets

    return datasets.make_company(n_customers=300, seed=1)


def _unknown_kpi(company):
    from toolkit import journey

    journey.stage_kpis(company.to_events(), transactions=company.to_transactions()).value("no_such_kpi")


def _unknown_customer(company):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a small company's caveats about short histories
        clf = toolkit.LifecycleClassifier().fit(company.to_transactions())
    clf.explain(-12345)


def _unknown_section(company):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = toolkit.build_report(company.to_transactions(), sections=["data"], progress=False)
    report["no_such_section"]


UNKNOWN = [
    (_unknown_kpi, "unknown KPI 'no_such_kpi'; KPIs: ["),
    (_unknown_customer, "customer -12345 is not in the log"),
    (_unknown_section, "No section 'no_such_section'; sections: ['data']"),
]


@pytest.mark.parametrize("trigger,english", UNKNOWN, ids=[t[0].__name__.strip("_") for t in UNKNOWN])
def test_an_unknown_name_reads_in_chinese(company, trigger, english):
    with pytest.raises(KeyError) as caught:  # `except KeyError` written against the old plain errors still works
        trigger(company)
    err = caught.value
    assert isinstance(err, errors.UnknownNameError) and isinstance(err, errors.ToolkitError)
    assert str(err) == err.message and str(err).startswith(english)  # the message itself, not KeyError's repr
    with using_language("zh"):
        chinese = str(err)
    assert chinese != err.message
    assert not message_words(chinese), f"English left under zh: {message_words(chinese)} in {chinese!r}"


def test_unknown_name_error_is_exported():
    assert toolkit.UnknownNameError is errors.UnknownNameError and "UnknownNameError" in toolkit.__all__
    assert "UnknownNameError" in errors.__all__
    err = errors.UnknownNameError("unknown KPI 'x'; KPIs: ['CAC']")
    assert str(err) == err.message == "unknown KPI 'x'; KPIs: ['CAC']" and err.args == (err.message,)
