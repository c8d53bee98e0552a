"""``tf.math`` stand-in (the top-level aliases such as ``tf.reduce_mean`` / ``tf.square`` are these).

Elementwise functions and reductions call ``keras_torch.ops`` where Keras has the same op; the
differences from Keras are TensorFlow's: integer reductions keep the integer dtype,
``argmax``/``argmin`` return int64, ``reduce_*`` take ``axis``/``keepdims``.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

import torch

from keras_torch import ops as _ops
from keras_torch.launcher.tf import _convert as cv
from keras_torch.utils.unsupported import unsupported


def _unary(op: Callable, doc: str) -> Callable:
    def fn(x: Any, name: str | None = None) -> torch.Tensor:
        return op(cv.tensor(x))

    fn.__doc__ = doc
    return fn


def _pair(x: Any, y: Any) -> tuple[torch.Tensor, torch.Tensor]:
    """Both as tensors; a Python scalar takes the other operand's dtype (TensorFlow's convention)."""
    if isinstance(x, torch.Tensor) and not isinstance(y, torch.Tensor):
        return x, cv.like(y, x)
    if isinstance(y, torch.Tensor) and not isinstance(x, torch.Tensor):
        return cv.like(x, y), y
    return cv.tensor(x), cv.tensor(y)


def _binary(op: Callable, doc: str) -> Callable:
    def fn(x: Any, y: Any, name: str | None = None) -> torch.Tensor:
        a, b = _pair(x, y)
        return op(a, b)

    fn.__doc__ = doc
    return fn


# ---------------------------------------------------------------------------- elementwise
abs = _unary(_ops.abs, "|x|")  # noqa: A001
negative = _unary(_ops.negative, "-x")
sign = _unary(_ops.sign, "sign(x)")
square = _unary(_ops.square, "x ** 2")
sqrt = _unary(_ops.sqrt, "square root")
rsqrt = _unary(_ops.rsqrt, "1 / sqrt(x)")
reciprocal = _unary(_ops.reciprocal, "1 / x")
exp = _unary(_ops.exp, "e ** x")
expm1 = _unary(_ops.expm1, "e ** x - 1")
log = _unary(_ops.log, "natural logarithm")
log1p = _unary(_ops.log1p, "log(1 + x)")
floor = _unary(_ops.floor, "floor")
ceil = _unary(_ops.ceil, "ceiling")
sin, cos, tan = _unary(_ops.sin, "sine"), _unary(_ops.cos, "cosine"), _unary(_ops.tan, "tangent")
asin, acos, atan = _unary(_ops.arcsin, "arcsine"), _unary(_ops.arccos, "arccosine"), _unary(_ops.arctan, "arctangent")
sinh, cosh, tanh = _unary(_ops.sinh, "sinh"), _unary(_ops.cosh, "cosh"), _unary(_ops.tanh, "tanh")
asinh, acosh, atanh = _unary(_ops.arcsinh, "asinh"), _unary(_ops.arccosh, "acosh"), _unary(_ops.arctanh, "atanh")
sigmoid = _unary(_ops.sigmoid, "logistic sigmoid")
softplus = _unary(_ops.softplus, "log(1 + e ** x)")
erf = _unary(_ops.erf, "error function")
lgamma = _unary(torch.lgamma, "log |Gamma(x)|")
digamma = _unary(torch.digamma, "digamma")
is_nan = _unary(_ops.isnan, "x is NaN")
is_inf = _unary(_ops.isinf, "x is +-inf")
is_finite = _unary(_ops.isfinite, "x is finite")
logical_not = _unary(_ops.logical_not, "not x")


def log_sigmoid(x: Any, name: str | None = None) -> torch.Tensor:
    return _ops.log_sigmoid(cv.tensor(x))


def round(x: Any, name: str | None = None) -> torch.Tensor:  # noqa: A001
    """Half to even, as TensorFlow."""
    return torch.round(cv.tensor(x))


add = _binary(_ops.add, "x + y")
subtract = _binary(_ops.subtract, "x - y")
multiply = _binary(_ops.multiply, "x * y")
maximum = _binary(_ops.maximum, "elementwise max")
minimum = _binary(_ops.minimum, "elementwise min")
pow = _binary(_ops.power, "x ** y")  # noqa: A001
atan2 = _binary(_ops.arctan2, "atan(y / x) with quadrant (arguments y, x)")
equal = _binary(_ops.equal, "x == y")
not_equal = _binary(_ops.not_equal, "x != y")
greater = _binary(_ops.greater, "x > y")
greater_equal = _binary(_ops.greater_equal, "x >= y")
less = _binary(_ops.less, "x < y")
less_equal = _binary(_ops.less_equal, "x <= y")
logical_and = _binary(_ops.logical_and, "x and y")
logical_or = _binary(_ops.logical_or, "x or y")
logical_xor = _binary(_ops.logical_xor, "x xor y")
squared_difference = _binary(lambda a, b: _ops.square(a - b), "(x - y) ** 2")
xlogy = _binary(torch.xlogy, "x * log(y), 0 where x == 0")
floormod = _binary(_ops.mod, "remainder with the sign of y")
mod = floormod


def divide(x: Any, y: Any, name: str | None = None) -> torch.Tensor:
    """``x / y``; integers give float64 as in TensorFlow."""
    a, b = _pair(x, y)
    if not a.is_floating_point() and not b.is_floating_point():
        return a.double() / b.double()
    return a / b


truediv = divide


def floordiv(x: Any, y: Any, name: str | None = None) -> torch.Tensor:
    a, b = _pair(x, y)
    return _ops.floor_divide(a, b)


def divide_no_nan(x: Any, y: Any, name: str | None = None) -> torch.Tensor:
    a, b = _pair(x, y)
    return _ops.divide_no_nan(a, b)


def multiply_no_nan(x: Any, y: Any, name: str | None = None) -> torch.Tensor:
    a, b = _pair(x, y)
    return torch.where(b == 0, torch.zeros_like(a * b), a * b)


def scalar_mul(scalar: Any, x: Any, name: str | None = None) -> torch.Tensor:
    return cv.tensor(x) * scalar


def add_n(inputs: list[Any], name: str | None = None) -> torch.Tensor:
    parts = [cv.tensor(v) for v in inputs]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out


def l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: str | None = None, dim: Any = None) -> torch.Tensor:
    """``x / sqrt(max(sum(x ** 2), epsilon))`` along ``axis`` (all axes by default)."""
    t = cv.tensor(x)
    ax = cv.axis(axis if axis is not None else dim)
    ss = torch.sum(t * t, dim=ax, keepdim=True) if ax is not None else torch.sum(t * t)
    return t * torch.rsqrt(torch.clamp_min(ss, epsilon))


# ---------------------------------------------------------------------------- reductions
def _keep_dtype(out: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    return out.to(t.dtype) if out.dtype != t.dtype else out


def reduce_sum(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    t = cv.tensor(input_tensor)
    return _keep_dtype(_ops.sum(t, axis=cv.axis(axis), keepdims=keepdims), t)


def reduce_mean(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    """Mean; integer tensors give the integer (truncated) mean, as TensorFlow."""
    t = cv.tensor(input_tensor)
    if t.is_floating_point() or t.is_complex():
        return _ops.mean(t, axis=cv.axis(axis), keepdims=keepdims)
    total = reduce_sum(t.long(), axis, keepdims)
    count = t.numel() // builtins.max(1, total.numel())
    return torch.div(total, count, rounding_mode="trunc").to(t.dtype)


def reduce_max(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.max(cv.tensor(input_tensor), axis=cv.axis(axis), keepdims=keepdims)


def reduce_min(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.min(cv.tensor(input_tensor), axis=cv.axis(axis), keepdims=keepdims)


def reduce_prod(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    t = cv.tensor(input_tensor)
    return _keep_dtype(_ops.prod(t, axis=cv.axis(axis), keepdims=keepdims), t)


def reduce_any(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.any(cv.tensor(input_tensor).bool(), axis=cv.axis(axis), keepdims=keepdims)


def reduce_all(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.all(cv.tensor(input_tensor).bool(), axis=cv.axis(axis), keepdims=keepdims)


def reduce_variance(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.var(cv.tensor(input_tensor), axis=cv.axis(axis), keepdims=keepdims)


def reduce_std(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
    return _ops.std(cv.tensor(input_tensor), axis=cv.axis(axis), keepdims=keepdims)


def reduce_logsumexp(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                     name: str | None = None) -> torch.Tensor:
    return _ops.logsumexp(cv.tensor(input_tensor), axis=cv.axis(axis), keepdims=keepdims)


def reduce_euclidean_norm(input_tensor: Any, axis: Any = None, keepdims: bool = False,
                          name: str | None = None) -> torch.Tensor:
    t = cv.tensor(input_tensor)
    return torch.sqrt(reduce_sum(t * t, axis, keepdims))


def count_nonzero(input: Any, axis: Any = None, keepdims: bool = False, dtype: Any = torch.int64,  # noqa: A002
                  name: str | None = None) -> torch.Tensor:
    t = cv.tensor(input) != 0
    return reduce_sum(t.long(), axis, keepdims).to(cv.dtype(dtype))


def argmax(input: Any, axis: Any = None, output_type: Any = torch.int64, name: str | None = None) -> torch.Tensor:  # noqa: A002
    """Index of the largest value along ``axis`` (default 0, as TensorFlow)."""
    return _ops.argmax(cv.tensor(input), axis=int(axis or 0)).to(cv.dtype(output_type))


def argmin(input: Any, axis: Any = None, output_type: Any = torch.int64, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.argmin(cv.tensor(input), axis=int(axis or 0)).to(cv.dtype(output_type))


def _scan(op: Callable, x: Any, axis: int, exclusive: bool, reverse: bool) -> torch.Tensor:
    t = cv.tensor(x)
    ax = int(axis)
    if reverse:
        t = torch.flip(t, (ax,))
    out = op(t, dim=ax)
    if exclusive:
        identity = torch.zeros_like(t.narrow(ax, 0, 1)) if op is torch.cumsum else torch.ones_like(t.narrow(ax, 0, 1))
        out = torch.cat([identity, out.narrow(ax, 0, t.shape[ax] - 1)], dim=ax)
    return torch.flip(out, (ax,)) if reverse else out


def cumsum(x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None) -> torch.Tensor:
    return _keep_dtype(_scan(torch.cumsum, x, axis, exclusive, reverse), cv.tensor(x))


def cumprod(x: Any, axis: int = 0, exclusive: bool = False, reverse: bool = False, name: str | None = None) -> torch.Tensor:
    return _keep_dtype(_scan(torch.cumprod, x, axis, exclusive, reverse), cv.tensor(x))


def top_k(input: Any, k: int = 1, sorted: bool = True, index_type: Any = torch.int32,  # noqa: A002
          name: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(values, indices)`` of the ``k`` largest entries of the last axis."""
    values, indices = _ops.top_k(cv.tensor(input), int(k), sorted=sorted)
    return values, indices.to(cv.dtype(index_type))


def in_top_k(targets: Any, predictions: Any, k: int, name: str | None = None) -> torch.Tensor:
    """Whether each target's prediction is among the ``k`` largest of its row (ties count as in)."""
    return _ops.in_top_k(cv.tensor(targets), cv.tensor(predictions), int(k))


def bincount(arr: Any, weights: Any = None, minlength: Any = None, maxlength: Any = None, dtype: Any = torch.int32,
             name: str | None = None, axis: Any = None, binary_output: bool = False) -> torch.Tensor:
    t = cv.tensor(arr).reshape(-1).long()
    w = cv.tensor(weights).reshape(-1) if weights is not None else None
    out = torch.bincount(t, weights=w, minlength=int(minlength or 0))
    if maxlength is not None:
        out = out[: int(maxlength)]
    return out if w is not None else out.to(cv.dtype(dtype))


def confusion_matrix(labels: Any, predictions: Any, num_classes: Any = None, weights: Any = None,
                     dtype: Any = torch.int32, name: str | None = None) -> torch.Tensor:
    """Rows: true labels; columns: predicted labels."""
    lab, pred = cv.tensor(labels).reshape(-1).long(), cv.tensor(predictions).reshape(-1).long()
    n = int(num_classes) if num_classes is not None else int(builtins.max(int(lab.max()), int(pred.max()))) + 1
    w = cv.tensor(weights).reshape(-1) if weights is not None else torch.ones_like(lab)
    out = torch.zeros(n * n, dtype=w.dtype).index_add_(0, lab * n + pred, w)
    return out.reshape(n, n).to(cv.dtype(dtype))


def softmax(logits: Any, axis: Any = None, name: str | None = None) -> torch.Tensor:
    return _ops.softmax(cv.tensor(logits), axis=-1 if axis is None else int(axis))


def log_softmax(logits: Any, axis: Any = None, name: str | None = None) -> torch.Tensor:
    return _ops.log_softmax(cv.tensor(logits), axis=-1 if axis is None else int(axis))


def segment_sum(data: Any, segment_ids: Any, name: str | None = None) -> torch.Tensor:
    return _ops.segment_sum(cv.tensor(data), cv.tensor(segment_ids), sorted=True)


def unsorted_segment_sum(data: Any, segment_ids: Any, num_segments: Any, name: str | None = None) -> torch.Tensor:
    return _ops.segment_sum(cv.tensor(data), cv.tensor(segment_ids), num_segments=int(num_segments))


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.math.{name}")
