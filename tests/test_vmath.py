"""The vectorisable log and exp of toolkit._kernels._vmath against the C library's math.log and math.exp."""

from __future__ import annotations

import math

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit._kernels._vmath import vexp, vlog


@numba.njit(error_model="numpy")
def _map(fn, values):
    out = np.empty_like(values)
    for i in range(values.shape[0]):
        out[i] = fn(values[i])
    return out


def _log_all(y):
    return _map(vlog, y)


def _exp_all(v):
    return _map(vexp, v)


def _ulps(got, ref):
    """Distance in units in the last place of ``ref`` (the spacing of floats around it)."""
    return abs(got - ref) / np.spacing(abs(ref))


positive = st.floats(min_value=5e-324, allow_nan=False, allow_infinity=False)


@settings(max_examples=2000)
@given(st.lists(positive, min_size=1, max_size=20))
def test_vlog_within_one_ulp_of_math_log(ys):
    """Every positive float64, normal or subnormal, including values next to 1 (where log is tiny)."""
    got = _log_all(np.array(ys))
    for y, g in zip(ys, got):
        assert _ulps(g, math.log(y)) <= 1.0, y


@given(st.floats(0.5, 2.0))
def test_vlog_next_to_one(y):
    y = np.nextafter(1.0, y)
    assert _ulps(_log_all(np.array([y]))[0], math.log(y)) <= 1.0


def test_vlog_on_a_million_random_bit_patterns():
    rng = np.random.default_rng(7)
    y = rng.integers(1, 0x7FF0000000000000, 1_000_000).view(np.float64)  # every positive finite float64
    got = _log_all(y)
    ref = np.log(y)
    assert np.max(np.abs(got - ref) / np.spacing(np.abs(ref))) <= 1.0


def test_vlog_special_values():
    got = _log_all(np.array([0.0, -0.0, 1.0, math.inf, -1.0, -math.inf, math.nan, 2.0]))
    assert got[0] == -math.inf and got[1] == -math.inf and got[2] == 0.0 and got[3] == math.inf
    assert np.isnan(got[4:7]).all()
    assert got[7] == math.log(2.0)


@settings(max_examples=2000)
@given(st.lists(st.floats(-745.0, 709.78), min_size=1, max_size=20))
def test_vexp_within_one_ulp_of_math_exp(vs):
    got = _exp_all(np.array(vs))
    for v, g in zip(vs, got):
        ref = math.exp(v)
        if ref >= 2.2250738585072014e-308:
            assert _ulps(g, ref) <= 1.0, v
        else:  # subnormal result: absolute error of at most one subnormal step
            assert abs(g - ref) <= 5e-324, v


def test_vexp_on_a_million_random_arguments():
    v = np.random.default_rng(8).uniform(-708.0, 709.0, 1_000_000)
    got = _exp_all(v)
    ref = np.exp(v)
    assert np.max(np.abs(got - ref) / np.spacing(ref)) <= 1.0


def test_vexp_range_ends_and_special_values():
    v = np.array([0.0, -0.0, 709.78, 709.79, 1e300, math.inf, -745.13, -745.14, -1e300, -math.inf, math.nan])
    got = _exp_all(v)
    assert got[0] == 1.0 and got[1] == 1.0
    assert got[2] == pytest.approx(math.exp(709.78), rel=1e-15)
    assert (got[3:6] == math.inf).all()
    assert got[6] == 5e-324  # math.exp(-745.13): the smallest subnormal
    assert (got[7:10] == 0.0).all()
    assert np.isnan(got[10])


@given(st.floats(-700.0, 700.0))
def test_vexp_inverts_vlog(v):
    assert _log_all(_exp_all(np.array([v])))[0] == pytest.approx(v, rel=1e-15, abs=1e-15)
