import os

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, settings

from . import _notebooks

matplotlib.use("Agg")

settings.register_profile(
    "default", max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
settings.register_profile("ci", max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# a long hunt for edge cases before a release: HYPOTHESIS_PROFILE=stress pytest tests/test_lifecycle.py ...
settings.register_profile("stress", max_examples=1000, deadline=None, suppress_health_check=list(HealthCheck))
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture
def rng():
    return np.random.default_rng(20261123)


@pytest.fixture
def small_raw():
    return pd.DataFrame(
        {
            "cust": ["a", "a", "b", "a", "c"],
            "date": ["2024-01-01", "2024-01-05", "2024-01-02", "2024-01-05", "2024-01-03"],
            "value": [10.0, 5.0, 7.5, 3.0, 2.0],
        }
    )


@pytest.fixture
def run_notebook():
    """Execute a notebook (code strings, a file or a loaded notebook) with nbclient: see ``tests/_notebooks.py``."""
    return _notebooks.run_notebook


# ------------------------------------------------------------------ issue #20: every message raised, for the zh scan
# Each error and warning message the toolkit creates during the run is recorded (English, as raised);
# tests/test_zh_errors.py runs last and checks that every one of them reads in Chinese under set_language("zh").
_TOOLKIT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "toolkit") + os.sep
_ERRORS = os.path.join(_TOOLKIT, "errors.py")


def _raised_by_the_toolkit() -> bool:
    """Whether the message being created comes from the toolkit's code (not from a test's own fake error)."""
    import sys

    frame = sys._getframe(2)
    while frame is not None and frame.f_code.co_filename in (_ERRORS, __file__):
        frame = frame.f_back
    return frame is not None and frame.f_code.co_filename.startswith(_TOOLKIT)


def _record_messages():
    from toolkit import errors

    from ._zh_words import RAISED

    for cls in (errors.ToolkitError, errors.DataQualityWarning, errors.ConvergenceWarning):
        if getattr(cls.__init__, "_records", False):
            continue
        original = cls.__init__

        def __init__(self, *args, _original=original, _cls=cls, **kwargs):
            if args and isinstance(args[0], str) and _raised_by_the_toolkit():
                RAISED.add((_cls.__name__, args[0]))
            _original(self, *args, **kwargs)

        __init__._records = True
        cls.__init__ = __init__


_record_messages()


def pytest_collection_modifyitems(session, config, items):
    """The zh message scan reads what the other tests raised: it runs after them."""
    last = [item for item in items if item.nodeid.startswith("tests/test_zh_errors.py")]
    if last:
        items[:] = [item for item in items if item not in last] + last


def pytest_sessionfinish(session, exitstatus):
    out = os.environ.get("CVT_RAISED_OUT")
    if out:
        import json

        from ._zh_words import RAISED

        with open(out, "w", encoding="utf-8") as f:
            json.dump(sorted(RAISED), f, ensure_ascii=False, indent=0)
