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
