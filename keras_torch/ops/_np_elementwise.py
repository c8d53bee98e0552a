"""Elementwise ``keras.ops.numpy`` functions: one- and two-argument math, comparisons, bitwise ops.

Result dtypes follow Keras: float-valued functions turn ints and bools into floatx (some into
float64 for int64, as Keras does), two-argument functions promote with
:func:`keras_torch.core.dtype_promotion.result_type` (Python scalars weak). The common case (tensors of one
dtype) goes straight to torch.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops import _docs
from keras_torch.ops._dispatch import Tensor

_FLOATX_INT64 = {"cbrt", "deg2rad", "rad2deg", "i0"}


# ---- one argument
def _unary(name: str, fn: Callable[[Tensor], Tensor], kind: str, doc: str) -> Callable:
    """A one-argument op. ``kind``: "same" keeps the dtype, "float" maps ints/bools to floats,
    "bool" returns booleans."""
    to_float = kind == "float"
    int64_to_f64 = name in _FLOATX_INT64

    def slow(x: Any) -> Tensor:
        t = d.tensor(x)
        if to_float and not (t.is_floating_point() or t.is_complex()):
            dt = torch.float64 if (int64_to_f64 and t.dtype == torch.int64) else d.float_of(t.dtype)
            t = t.to(dt)
        return fn(t)

    def op(x: Any) -> Tensor:
        if type(x) is Tensor and x.is_floating_point():
            return fn(x)
        if isinstance(x, d.KerasTensor):
            return d.symbolic_call(slow, (x,), {}, name=name)
        return slow(x)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{doc}\n\n    Args:\n        x: Input tensor.\n\n    Returns:\n        Output tensor, elementwise.\n"
                  + _docs.example(name))
    return op


def _abs(t: Tensor) -> Tensor:
    return t if t.dtype == torch.bool else torch.abs(t)


def _square(t: Tensor) -> Tensor:
    return torch.square(t.to(torch.int32) if t.dtype == torch.bool else t)


def _keep_int(fn: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    # Rounding an integer is the identity; torch's kernels refuse some integer dtypes.
    return lambda t: fn(t) if (t.is_floating_point() or t.is_complex()) else t


def _cbrt(t: Tensor) -> Tensor:
    return torch.sign(t) * torch.abs(t) ** (1.0 / 3.0)


def _half_safe(fn: Callable[[Tensor], Tensor]) -> Callable[[Tensor], Tensor]:
    # torch has no CPU float16/bfloat16 kernel for a few special functions: compute in float32.
    def run(t: Tensor) -> Tensor:
        if t.dtype in (torch.float16, torch.bfloat16):
            return fn(t.float()).to(t.dtype)
        return fn(t)

    return run


def _real(t: Tensor) -> Tensor:
    return torch.real(t) if t.is_complex() else t


def _imag(t: Tensor) -> Tensor:
    return torch.imag(t) if t.is_complex() else torch.zeros_like(t)


def _conj(t: Tensor) -> Tensor:
    return torch.conj(t).resolve_conj() if t.is_complex() else t


def _isreal(t: Tensor) -> Tensor:
    return torch.imag(t) == 0 if t.is_complex() else torch.ones_like(t, dtype=torch.bool)


def _signbit(t: Tensor) -> Tensor:
    return torch.signbit(t) if t.dtype != torch.bool else torch.zeros_like(t, dtype=torch.bool)


abs = _unary("abs", _abs, "same", "Absolute value.")  # noqa: A001 - Keras names
absolute = _unary("absolute", _abs, "same", "Absolute value.")
fabs = _unary("fabs", torch.abs, "float", "Absolute value as floats.")
negative = _unary("negative", torch.neg, "same", "Numerical negative.")
sign = _unary("sign", torch.sign, "same", "Sign (-1, 0 or 1).")
square = _unary("square", _square, "same", "Square (bools become int32).")
sqrt = _unary("sqrt", torch.sqrt, "float", "Non-negative square root.")
cbrt = _unary("cbrt", _cbrt, "float", "Cube root.")
exp = _unary("exp", torch.exp, "float", "Exponential.")
exp2 = _unary("exp2", torch.exp2, "float", "Base-2 exponential.")
expm1 = _unary("expm1", torch.expm1, "float", "``exp(x) - 1``.")
log = _unary("log", torch.log, "float", "Natural logarithm.")
log10 = _unary("log10", torch.log10, "float", "Base-10 logarithm.")
log1p = _unary("log1p", torch.log1p, "float", "``log(1 + x)``.")
log2 = _unary("log2", torch.log2, "float", "Base-2 logarithm.")
sin = _unary("sin", torch.sin, "float", "Sine.")
cos = _unary("cos", torch.cos, "float", "Cosine.")
tan = _unary("tan", torch.tan, "float", "Tangent.")
arcsin = _unary("arcsin", torch.asin, "float", "Inverse sine.")
arccos = _unary("arccos", torch.acos, "float", "Inverse cosine.")
arctan = _unary("arctan", torch.atan, "float", "Inverse tangent.")
arcsinh = _unary("arcsinh", torch.asinh, "float", "Inverse hyperbolic sine.")
arccosh = _unary("arccosh", torch.acosh, "float", "Inverse hyperbolic cosine.")
arctanh = _unary("arctanh", torch.atanh, "float", "Inverse hyperbolic tangent.")
sinh = _unary("sinh", torch.sinh, "float", "Hyperbolic sine.")
cosh = _unary("cosh", torch.cosh, "float", "Hyperbolic cosine.")
tanh = _unary("tanh", torch.tanh, "float", "Hyperbolic tangent.")
ceil = _unary("ceil", torch.ceil, "float", "Ceiling, as floats.")
floor = _unary("floor", torch.floor, "float", "Floor, as floats.")
trunc = _unary("trunc", _keep_int(torch.trunc), "same", "Round toward zero.")
reciprocal = _unary("reciprocal", torch.reciprocal, "float", "``1 / x``.")
deg2rad = _unary("deg2rad", lambda t: t * (math.pi / 180.0), "float", "Degrees to radians.")
rad2deg = _unary("rad2deg", lambda t: t * (180.0 / math.pi), "float", "Radians to degrees.")
sinc = _unary("sinc", torch.sinc, "float", "Normalized sinc, ``sin(pi x) / (pi x)``.")
i0 = _unary("i0", _half_safe(torch.i0), "float", "Modified Bessel function of the first kind, order 0.")
signbit = _unary("signbit", _signbit, "bool", "Whether the sign bit is set (``x < 0``, also ``-0.0``).")
isfinite = _unary("isfinite", torch.isfinite, "bool", "Whether each element is finite.")
isinf = _unary("isinf", torch.isinf, "bool", "Whether each element is +/-inf.")
isnan = _unary("isnan", torch.isnan, "bool", "Whether each element is NaN.")
isneginf = _unary("isneginf", torch.isneginf, "bool", "Whether each element is -inf.")
isposinf = _unary("isposinf", torch.isposinf, "bool", "Whether each element is +inf.")
isreal = _unary("isreal", _isreal, "bool", "Whether each element has no imaginary part.")
real = _unary("real", _real, "same", "Real part.")
imag = _unary("imag", _imag, "same", "Imaginary part (zeros for real inputs).")
conj = _unary("conj", _conj, "same", "Complex conjugate.")
conjugate = _unary("conjugate", _conj, "same", "Complex conjugate.")
angle = _unary("angle", torch.angle, "float", "Argument of complex numbers (0 or pi for reals).")
logical_not = _unary("logical_not", torch.logical_not, "bool", "Logical NOT.")
bitwise_invert = _unary("bitwise_invert", torch.bitwise_not, "same", "Bitwise NOT of integers and bools.")
bitwise_not = _unary("bitwise_not", torch.bitwise_not, "same", "Bitwise NOT of integers and bools.")
copy = _unary("copy", torch.clone, "same", "A copy of ``x``.")
ravel = _unary("ravel", lambda t: t.reshape(-1), "same", "``x`` flattened to one dimension.")


@d.op
def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds...).

    Args:
        x: Input tensor.
        decimals: Number of decimal places.

    Returns:
        Rounded tensor of the input dtype.

    Example:

    >>> ops.round(ops.array([0.5, 1.5, 2.25]), decimals=1)
    tensor([0.5000, 1.5000, 2.2000])
    """
    t = d.tensor(x)
    if t.is_floating_point():
        return torch.round(t, decimals=decimals)
    if decimals >= 0:
        return t
    factor = 10 ** (-decimals)
    return (torch.round(t.double() / factor) * factor).to(t.dtype)


@d.op
def nan_to_num(x: Any, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """Replace NaN by ``nan`` and infinities by ``posinf``/``neginf`` (default: the dtype's extremes).

    Args:
        x: Input tensor.
        nan: Value for NaNs.
        posinf: Value for +inf.
        neginf: Value for -inf.

    Returns:
        Tensor of the input dtype.

    Example:

    >>> ops.nan_to_num(ops.array([float("nan"), 1.0]))
    tensor([0., 1.])
    """
    t = d.tensor(x)
    if not (t.is_floating_point() or t.is_complex()):
        return t
    return torch.nan_to_num(t, nan=nan, posinf=posinf, neginf=neginf)


# ---- two arguments
def _binary(name: str, fn: Callable[[Tensor, Tensor], Tensor], kind: str, doc: str,
            scalar_fn: Callable[[Tensor, Any], Tensor] | None = None) -> Callable:
    """A two-argument op. ``kind``: "promote" (Keras result dtype), "float" (result dtype with
    float), "bool" (operands promoted, boolean result), "floatx64" (ints -> floatx, int64 -> float64).
    ``scalar_fn`` (torch functions taking a Python scalar second) gives ``op(tensor, 2.0)`` a fast path
    of its own for "promote" ops: the tensor is cast to the Keras result dtype, the scalar stays weak."""
    fast_float_only = kind in ("float", "floatx64")

    def slow(x1: Any, x2: Any) -> Tensor:
        extra = (float,) if kind == "float" else ()
        dt = d._result(_config.floatx(), d.keras_dtype(x1), d.keras_dtype(x2), *extra)
        if kind == "floatx64" and not (dt.is_floating_point or dt.is_complex):
            dt = torch.float64 if dt == torch.int64 else d.dtypes.to_torch(_config.floatx())
        dev = d.device_of(x1, x2)
        return fn(d.tensor(x1, device=dev).to(dt), d.tensor(x2, device=dev).to(dt))

    def op(x1: Any, x2: Any) -> Tensor:
        if type(x1) is Tensor:
            if type(x2) is Tensor and x1.dtype is x2.dtype and (not fast_float_only or x1.is_floating_point()):
                return fn(x1, x2)
            if scalar_fn is not None and type(x2) in (int, float):
                dt = d.scalar_result(x1.dtype, x2)
                return scalar_fn(x1 if x1.dtype is dt else x1.to(dt), x2)
        if isinstance(x1, d.KerasTensor) or isinstance(x2, d.KerasTensor):
            return d.symbolic_call(slow, (x1, x2), {}, rule=_broadcast_rule(slow), name=name)
        return slow(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{doc}\n\n    Args:\n        x1: First input (tensor or scalar).\n"
                  f"        x2: Second input (tensor or scalar), broadcastable with ``x1``.\n\n"
                  f"    Returns:\n        Output tensor, elementwise.\n" + _docs.example(name))
    return op


def _broadcast_rule(slow: Callable) -> Callable:
    def rule(x1: Any, x2: Any) -> d.KerasTensor:
        shape = d.broadcast_shapes(d.shape_of(x1), d.shape_of(x2))
        probe = slow(_probe(x1), _probe(x2))
        return d.spec(shape, probe.dtype)

    return rule


def _probe(x: Any) -> Any:
    # A one-element stand-in with the same dtype: the result dtype without the shape.
    if isinstance(x, (d.KerasTensor, Tensor, np.ndarray)):
        return torch.empty((), dtype=d.dtypes.to_torch(x.dtype), device="meta")
    return x


def _bool_safe(fn: Callable[[Tensor, Tensor], Tensor]) -> Callable[[Tensor, Tensor], Tensor]:
    # torch's arithmetic refuses bools where Keras accepts them (as 0/1).
    def run(a: Tensor, b: Tensor) -> Tensor:
        if a.dtype == torch.bool:
            return fn(a.to(torch.int32), b.to(torch.int32)).to(torch.bool)
        return fn(a, b)

    return run


def _half_cpu(fn: Callable[[Tensor, Tensor], Tensor]) -> Callable[[Tensor, Tensor], Tensor]:
    def run(a: Tensor, b: Tensor) -> Tensor:
        if a.dtype in (torch.float16, torch.bfloat16):
            return fn(a.float(), b.float()).to(a.dtype)
        return fn(a, b)

    return run


def _heaviside(a: Tensor, b: Tensor) -> Tensor:
    return torch.where(a == 0, b, (a > 0).to(a.dtype))


def _divide_no_nan(a: Tensor, b: Tensor) -> Tensor:
    zero = b == 0
    safe = torch.where(zero, torch.ones_like(b), b)
    return torch.where(zero, torch.zeros((), dtype=a.dtype, device=a.device), a / safe)


def _floor_divide(a: Tensor, b: Tensor) -> Tensor:
    if a.is_floating_point():
        return torch.floor(a / b)
    return torch.div(a, b, rounding_mode="floor")


add = _binary("add", torch.add, "promote", "Elementwise sum.", scalar_fn=torch.add)
subtract = _binary("subtract", _bool_safe(torch.sub), "promote", "Elementwise difference.", scalar_fn=torch.sub)
multiply = _binary("multiply", torch.mul, "promote", "Elementwise product.", scalar_fn=torch.mul)
divide = _binary("divide", torch.true_divide, "float", "True division (ints divide into floats).")
true_divide = _binary("true_divide", torch.true_divide, "float", "True division (ints divide into floats).")
floor_divide = _binary("floor_divide", _floor_divide, "promote", "Division rounded toward -inf.")
power = _binary("power", _bool_safe(torch.pow), "promote", "``x1 ** x2``.")
maximum = _binary("maximum", torch.maximum, "promote", "Elementwise maximum (NaN propagates).")
minimum = _binary("minimum", torch.minimum, "promote", "Elementwise minimum (NaN propagates).")
fmax = _binary("fmax", torch.fmax, "promote", "Elementwise maximum, ignoring NaNs.")
fmin = _binary("fmin", torch.fmin, "promote", "Elementwise minimum, ignoring NaNs.")
arctan2 = _binary("arctan2", torch.atan2, "float", "Angle of the point ``(x2, x1)``.")
hypot = _binary("hypot", torch.hypot, "floatx64", "``sqrt(x1**2 + x2**2)``.")
logaddexp = _binary("logaddexp", torch.logaddexp, "float", "``log(exp(x1) + exp(x2))``, stably.")
logaddexp2 = _binary("logaddexp2", torch.logaddexp2, "float", "``log2(2**x1 + 2**x2)``, stably.")
heaviside = _binary("heaviside", _heaviside, "floatx64", "Heaviside step: 0 below 0, 1 above, ``x2`` at 0.")
nextafter = _binary("nextafter", _half_cpu(torch.nextafter), "float", "Next float after ``x1`` toward ``x2``.")
divide_no_nan = _binary("divide_no_nan", _divide_no_nan, "float", "Division that returns 0 where ``x2 == 0``.")
equal = _binary("equal", torch.eq, "bool", "``x1 == x2``.")
not_equal = _binary("not_equal", torch.ne, "bool", "``x1 != x2``.")
greater = _binary("greater", torch.gt, "bool", "``x1 > x2``.")
greater_equal = _binary("greater_equal", torch.ge, "bool", "``x1 >= x2``.")
less = _binary("less", torch.lt, "bool", "``x1 < x2``.")
less_equal = _binary("less_equal", torch.le, "bool", "``x1 <= x2``.")
logical_and = _binary("logical_and", torch.logical_and, "bool", "Logical AND.")
logical_or = _binary("logical_or", torch.logical_or, "bool", "Logical OR.")
logical_xor = _binary("logical_xor", torch.logical_xor, "bool", "Logical XOR.")
gcd = _binary("gcd", torch.gcd, "promote", "Greatest common divisor of integers.")
lcm = _binary("lcm", torch.lcm, "promote", "Least common multiple of integers.")


def _strong_binary(name: str, fn: Callable[[Tensor, Tensor], Tensor], doc: str) -> Callable:
    # Keras converts both operands of mod/fmod to tensors first: Python scalars are not weak here.
    def slow(x1: Any, x2: Any) -> Tensor:
        dev = d.device_of(x1, x2)
        a, b = d.tensor(x1, device=dev), d.tensor(x2, device=dev)
        dt = d.result_of(a.dtype, b.dtype)
        if dt == torch.bool:
            dt = torch.int32
        return fn(a.to(dt), b.to(dt))

    def op(x1: Any, x2: Any) -> Tensor:
        if type(x1) is Tensor and type(x2) is Tensor and x1.dtype is x2.dtype and x1.dtype != torch.bool:
            return fn(x1, x2)
        if isinstance(x1, d.KerasTensor) or isinstance(x2, d.KerasTensor):
            return d.symbolic_call(slow, (x1, x2), {}, rule=_broadcast_rule(slow), name=name)
        return slow(x1, x2)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{doc}\n\n    Args:\n        x1: Dividend.\n        x2: Divisor.\n\n"
                  f"    Returns:\n        Output tensor, elementwise.\n" + _docs.example(name))
    return op


mod = _strong_binary("mod", torch.remainder, "Remainder with the sign of the divisor (Python's ``%``).")
fmod = _strong_binary("fmod", torch.fmod, "Remainder with the sign of the dividend (C's ``fmod``).")


def _bitwise(name: str, fn: Callable[[Tensor, Tensor], Tensor], shift: bool = False) -> Callable:
    def impl(x: Any, y: Any) -> Tensor:
        dev = d.device_of(x, y)
        t = d.tensor(x, device=dev)
        if shift and isinstance(y, int):
            return fn(t, torch.tensor(y, dtype=t.dtype, device=t.device))
        dt = d.result(t, y)
        return fn(t.to(dt), d.tensor(y, device=dev).to(dt))

    impl.__name__ = impl.__qualname__ = name
    impl.__doc__ = (f"Elementwise ``{name}`` of integers (or bools).\n\n    Args:\n        x: First input.\n"
                    f"        y: Second input.\n\n    Returns:\n        Output tensor.\n" + _docs.example(name))
    return d.op(impl)


bitwise_and = _bitwise("bitwise_and", torch.bitwise_and)
bitwise_or = _bitwise("bitwise_or", torch.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", torch.bitwise_xor)
bitwise_left_shift = _bitwise("bitwise_left_shift", torch.bitwise_left_shift, shift=True)
bitwise_right_shift = _bitwise("bitwise_right_shift", torch.bitwise_right_shift, shift=True)
left_shift = _bitwise("left_shift", torch.bitwise_left_shift, shift=True)
right_shift = _bitwise("right_shift", torch.bitwise_right_shift, shift=True)


@d.op
def ldexp(x1: Any, x2: Any) -> Tensor:
    """``x1 * 2**x2`` with an integer exponent.

    Args:
        x1: Mantissas.
        x2: Integer exponents.

    Returns:
        Float tensor.

    Raises:
        TypeError: if ``x2`` is not of an integer dtype.

    Example:

    >>> ops.ldexp(ops.array([1.0, 3.0]), ops.array([2, 1]))
    tensor([4., 6.])
    """
    dev = d.device_of(x1, x2)
    e = d.tensor(x2, device=dev)
    if e.is_floating_point() or e.is_complex() or e.dtype == torch.bool:
        raise TypeError(f"ldexp exponent must be an integer type. Received: x2 dtype={d.dtypes.standardize_dtype(e.dtype)}")
    dt = d.result(x1, e, float)
    # x1 * 2.0**x2 in floats (torch.ldexp's backward computes 2**x2 in integers: 0 for x2 < 0).
    return d.tensor(x1, device=dev).to(dt) * torch.pow(2.0, e.to(dt))


@d.op
def clip(x: Any, x_min: Any, x_max: Any) -> Tensor:
    """Limit values to ``[x_min, x_max]``.

    Args:
        x: Input tensor.
        x_min: Lower bound (scalar or tensor).
        x_max: Upper bound (scalar or tensor).

    Returns:
        Tensor of the input dtype (bools become int32).

    Example:

    >>> ops.clip(ops.array([-2, 0, 5]), 0, 3)
    tensor([0, 0, 3], dtype=torch.int32)
    """
    t = d.tensor(x)
    if t.dtype == torch.bool:
        t = t.to(torch.int32)
    lo = x_min if isinstance(x_min, (int, float)) else d.tensor(x_min, device=t.device).to(t.dtype)
    hi = x_max if isinstance(x_max, (int, float)) else d.tensor(x_max, device=t.device).to(t.dtype)
    if isinstance(lo, Tensor) or isinstance(hi, Tensor):
        lo = lo if isinstance(lo, Tensor) else torch.tensor(lo, dtype=t.dtype, device=t.device)
        hi = hi if isinstance(hi, Tensor) else torch.tensor(hi, dtype=t.dtype, device=t.device)
    return torch.clamp(t, lo, hi).to(t.dtype)


def _where_rule(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    if x1 is None and x2 is None:
        return tuple(d.spec((None,), "int32") for _ in d.shape_of(condition))
    shape = d.broadcast_shapes(d.broadcast_shapes(d.shape_of(condition), d.shape_of(x1)), d.shape_of(x2))
    return d.spec(shape, d.result(x1, x2))


@d.op(rule=_where_rule)
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    """Elements of ``x1`` where ``condition`` holds, else of ``x2``; with one argument, the
    indices of the true elements (like :func:`nonzero`).

    Args:
        condition: Boolean tensor.
        x1: Values where true.
        x2: Values where false.

    Returns:
        The selected tensor (Keras result dtype of ``x1`` and ``x2``), or a tuple of index tensors.

    Raises:
        ValueError: if only one of ``x1``/``x2`` is given.

    Example:

    >>> x = ops.array([1, -2, 3])
    >>> ops.where(x > 0, x, 0)
    tensor([1, 0, 3], dtype=torch.int32)
    """
    if (x1 is None) != (x2 is None):
        raise ValueError("`x1` and `x2` either both should be `None` or both should have non-None value.")
    c = d.tensor(condition)
    if x1 is None:
        return tuple(v.to(torch.int32) for v in torch.nonzero(c, as_tuple=True))
    dev = c.device
    dt = d.result(x1, x2)
    a, b = d.tensor(x1, device=dev).to(dt), d.tensor(x2, device=dev).to(dt)
    return torch.where(c.to(torch.bool), a, b)


@d.op
def isclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """Whether ``|x1 - x2| <= atol + rtol * |x2|`` elementwise.

    Args:
        x1: First input.
        x2: Second input.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        equal_nan: Whether NaNs compare equal.

    Returns:
        Boolean tensor.

    Example:

    >>> ops.isclose(ops.array([1.0, 2.0]), ops.array([1.0, 2.1]))
    tensor([ True, False])
    """
    (a, b), _ = d.promote(x1, x2)
    return torch.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan)


@d.op(rule=lambda *a, **k: d.spec((), "bool"))
def allclose(x1: Any, x2: Any, rtol: float = 1e-5, atol: float = 1e-8, equal_nan: bool = False) -> Tensor:
    """Whether every element of :func:`isclose` holds.

    Args:
        x1: First input.
        x2: Second input.
        rtol: Relative tolerance.
        atol: Absolute tolerance.
        equal_nan: Whether NaNs compare equal.

    Returns:
        Boolean scalar tensor.

    Example:

    >>> ops.allclose(ops.array([1.0, 2.0]), ops.array([1.0, 2.0 + 1e-9]))
    tensor(True)
    """
    return torch.all(isclose.__wrapped__(x1, x2, rtol=rtol, atol=atol, equal_nan=equal_nan))
