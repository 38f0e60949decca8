"""Natural logarithm and exponential that LLVM can vectorise inside a numba loop.

numba compiles ``math.log`` and ``math.exp`` to calls into the C library; a loop that calls them runs one
element at a time (LLVM would need Intel's SVML to vectorise them, and the llvmlite wheels are built without
it). For a kernel that is a single pass over a million customers - P(alive) is ``1 / (1 + c q^(r+x))``, one
log and one exp per customer - those two calls are most of the time, and splitting the pass around NumPy's
SIMD ``np.log``/``np.exp`` costs more in memory traffic (five passes over 8 MB arrays) than it saves.

``vlog`` and ``vexp`` below are branch-free (selects only) and use no table, so a loop calling them
vectorises. Both are accurate to about one unit in the last place over the whole float64 range
(``tests/test_vmath.py`` compares them with ``math.log``/``math.exp`` on random and special values).

Method (textbook argument reduction and series, see [CW80] and [Mul16]):

- ``log(y)``: write ``y = 2^e m`` with ``m`` in ``[sqrt(1/2), sqrt(2))``; then
  ``log(m) = 2 atanh(s) = 2 (s + s^3/3 + s^5/5 + ...)`` with ``s = (m-1)/(m+1)``, ``|s| <= 0.1716``
  ([AS64] 4.1.27); eleven terms (through ``s^21/21``) leave a relative truncation error below 2^-60.
  ``e log 2`` is added in two parts (``LN2_HI`` has trailing zero bits, so ``e * LN2_HI`` is exact).
- ``exp(v)``: ``v = k log 2 + f`` with integer ``k`` and ``|f| <= log(2)/2`` (Cody-Waite reduction with the
  same two-part log 2); ``exp(f)`` by its Taylor series to degree 13 (truncation below 2^-57); ``2^k`` is
  built from its bit pattern in two halves, so that subnormal results and results near overflow are right.

The functions carry their own fastmath set (contraction into fused multiply-adds only): re-association
would undo the two-part reduction. numba compiles them separately and LLVM inlines them into the caller
with these flags intact.

References
----------
.. [CW80] Cody, W. J. and Waite, W. (1980). *Software Manual for the Elementary Functions*. Prentice-Hall.
.. [Mul16] Muller, J.-M. (2016). *Elementary Functions: Algorithms and Implementation*, 3rd ed., ch. 11.
.. [AS64] Abramowitz, M. and Stegun, I. A. (1964). *Handbook of Mathematical Functions*, 4.1.27.
"""

from __future__ import annotations

import math
import struct
from decimal import Decimal, localcontext

import numpy as np
from numba import types
from numba.extending import intrinsic

from ._jit import njit_serial

__all__ = ["vlog", "vexp"]


@intrinsic
def _reinterpret(typingctx, value, to):
    """The IEEE-754 bit pattern of ``value`` read as type ``to`` (``np.int64`` <-> ``np.float64``): a register
    reinterpretation, no conversion."""
    target = getattr(to, "instance_type", None)
    if not isinstance(target, (types.Integer, types.Float)) or target.bitwidth != getattr(value, "bitwidth", 0):
        return None

    def codegen(context, builder, signature, args):
        return builder.bitcast(args[0], context.get_value_type(target))

    return target(value, to), codegen


_FLAGS = {"fastmath": {"contract"}, "error_model": "numpy"}



def _split_ln2():
    """log(2) = LN2_HI + LN2_LO with the 21 low mantissa bits of LN2_HI zero (e * LN2_HI is exact, |e| < 2^21)."""
    with localcontext() as ctx:
        ctx.prec = 50
        ln2 = Decimal(2).ln()
        bits = struct.unpack("<q", struct.pack("<d", float(ln2)))[0] & ~((1 << 21) - 1)
        hi = struct.unpack("<d", struct.pack("<q", bits))[0]
        return hi, float(ln2 - Decimal(hi))


LN2_HI, LN2_LO = _split_ln2()
_INV_LN2 = 1.0 / math.log(2.0)
_SQRT2 = math.sqrt(2.0)
_TINY = 2.2250738585072014e-308  # smallest normal float64
_MANTISSA = (1 << 52) - 1
_ONE_BITS = 1023 << 52


@njit_serial(**_FLAGS)
def vlog(y):
    """Natural logarithm of a float64; NaN for y < 0 or NaN, -inf for 0, inf for inf (as ``math.log``)."""
    sub = y < _TINY
    ys = y * 18014398509481984.0 if sub else y  # 2^54: subnormals become normal
    bits = _reinterpret(ys, np.int64)
    e = ((bits >> 52) & 0x7FF) - (1023 + 54 if sub else 1023)
    m = _reinterpret((bits & _MANTISSA) | _ONE_BITS, np.float64)  # in [1, 2)
    big = m > _SQRT2
    m = m * 0.5 if big else m
    ef = float(e + 1 if big else e)
    f = m - 1.0  # exact
    s = f / (m + 1.0)
    z = s * s
    # 1/3 + z/5 + z^2/7 + ... + z^9/21 by Estrin's scheme: four multiply-add levels instead of Horner's nine
    # dependent ones, so that the out-of-order core overlaps more loop iterations.
    z2 = z * z
    z4 = z2 * z2
    p = ((1.0 / 3.0 + (1.0 / 5.0) * z) + (1.0 / 7.0 + (1.0 / 9.0) * z) * z2
         + ((1.0 / 11.0 + (1.0 / 13.0) * z) + (1.0 / 15.0 + (1.0 / 17.0) * z) * z2) * z4
         + (1.0 / 19.0 + (1.0 / 21.0) * z) * (z4 * z4))
    res = ef * LN2_HI + (ef * LN2_LO + (f - s * (f - 2.0 * z * p)))  # 2 atanh(s), as 2s = f - s f
    res = math.inf if y == math.inf else res
    res = -math.inf if y == 0.0 else res
    return res if y >= 0.0 else math.nan


@njit_serial(**_FLAGS)
def vexp(v):
    """Exponential of a float64: 0 below about -745.13, inf above about 709.78, NaN for NaN (as ``math.exp``)."""
    v = -746.0 if v < -746.0 else v  # exp(-746) rounds to 0, exp(710) overflows: same results, small k
    v = 710.0 if v > 710.0 else v
    kf = math.floor(v * _INV_LN2 + 0.5)
    f = (v - kf * LN2_HI) - kf * LN2_LO
    # exp(f) = 1 + f + f^2 (1/2! + f/3! + ... + f^11/13!), the bracket by Estrin's scheme (see vlog)
    f2 = f * f
    f4 = f2 * f2
    tail = ((1.0 / 2.0 + (1.0 / 6.0) * f) + (1.0 / 24.0 + (1.0 / 120.0) * f) * f2
            + ((1.0 / 720.0 + (1.0 / 5040.0) * f) + (1.0 / 40320.0 + (1.0 / 362880.0) * f) * f2) * f4
            + ((1.0 / 3628800.0 + (1.0 / 39916800.0) * f) + (1.0 / 479001600.0 + (1.0 / 6227020800.0) * f) * f2) * (f4 * f4))
    p = 1.0 + (f + f2 * tail)
    k = int(kf) if v == v else 0  # |k| <= 1077; NaN v has already made p NaN
    k1 = k >> 1
    return p * _reinterpret((k1 + 1023) << 52, np.float64) * _reinterpret((k - k1 + 1023) << 52, np.float64)
