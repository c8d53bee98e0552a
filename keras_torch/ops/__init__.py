"""``keras.ops``: the common Keras 3 ops, mapped to torch.

Every op also accepts symbolic tensors (``keras.Input`` outputs): it is then recorded as a layer
of the functional graph, so ``ops.concatenate([a, b])`` works inside functional model code.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.symbolic import KerasTensor, apply_op


def _has_symbolic(args: tuple, kwargs: dict) -> bool:
    for a in list(args) + list(kwargs.values()):
        if isinstance(a, KerasTensor):
            return True
        if isinstance(a, (list, tuple)) and builtins.any(isinstance(v, KerasTensor) for v in a):
            return True
    return False


def _op(fn: Callable) -> Callable:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _has_symbolic(args, kwargs):
            return apply_op(fn, args, kwargs, name=fn.__name__)
        return fn(*args, **kwargs)

    return wrapper


def _t(x: Any, dtype: Any = None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x if dtype is None else x.to(to_torch_dtype(dtype))
    arr = np.asarray(x)
    if dtype is None and arr.dtype == np.float64:
        arr = arr.astype(_config.floatx())
    t = torch.as_tensor(arr)
    return t if dtype is None else t.to(to_torch_dtype(dtype))


def _pair(a: Any, b: Any) -> tuple[torch.Tensor, torch.Tensor]:
    if isinstance(a, torch.Tensor) and not isinstance(b, torch.Tensor):
        return a, torch.as_tensor(b, dtype=a.dtype if isinstance(b, (int, float)) else None, device=a.device)
    if isinstance(b, torch.Tensor) and not isinstance(a, torch.Tensor):
        return torch.as_tensor(a, dtype=b.dtype if isinstance(a, (int, float)) else None, device=b.device), b
    return _t(a), _t(b)


def _axis(axis: Any) -> Any:
    if axis is None:
        return None
    return tuple(axis) if isinstance(axis, (list, tuple)) else axis


# ---- conversion / creation
def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None) -> torch.Tensor:
    return _t(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    return x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)


@_op
def cast(x: Any, dtype: Any) -> torch.Tensor:
    return _t(x).to(to_torch_dtype(dtype))


def shape(x: Any) -> tuple:
    return tuple(x.shape)


def ndim(x: Any) -> int:
    return len(x.shape)


def dtype(x: Any) -> str:
    return str(x.dtype).replace("torch.", "")


def ones(shape: Any, dtype: Any = None) -> torch.Tensor:
    return torch.ones(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=to_torch_dtype(dtype or _config.floatx()))


def zeros(shape: Any, dtype: Any = None) -> torch.Tensor:
    return torch.zeros(tuple(shape) if not isinstance(shape, int) else (shape,), dtype=to_torch_dtype(dtype or _config.floatx()))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    return torch.full(tuple(shape), fill_value, dtype=to_torch_dtype(dtype or _config.floatx()))


def eye(n: int, m: int | None = None, k: int = 0, dtype: Any = None) -> torch.Tensor:
    out = torch.eye(n, m if m is not None else n, dtype=to_torch_dtype(dtype or _config.floatx()))
    return torch.roll(out, k, dims=1) if k else out


@_op
def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    return torch.ones_like(_t(x), dtype=to_torch_dtype(dtype) if dtype else None)


@_op
def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    return torch.zeros_like(_t(x), dtype=to_torch_dtype(dtype) if dtype else None)


@_op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> torch.Tensor:
    return torch.full_like(_t(x), fill_value, dtype=to_torch_dtype(dtype) if dtype else None)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: Any = None) -> torch.Tensor:
    if stop is None:
        start, stop = 0, start
    out = torch.arange(start, stop, step)
    return out.to(to_torch_dtype(dtype)) if dtype else out


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None) -> torch.Tensor:
    if not endpoint:
        stop = start + (stop - start) * (num - 1) / num
    return torch.linspace(start, stop, num, dtype=to_torch_dtype(dtype or _config.floatx()))


# ---- elementwise math
def _unary(torch_fn: Callable, name: str) -> Callable:
    def fn(x: Any) -> torch.Tensor:
        return torch_fn(_t(x))

    fn.__name__ = name
    return _op(fn)


abs = _unary(torch.abs, "abs")  # noqa: A001 - Keras names
absolute = _unary(torch.abs, "absolute")
exp = _unary(torch.exp, "exp")
expm1 = _unary(torch.expm1, "expm1")
log = _unary(torch.log, "log")
log1p = _unary(torch.log1p, "log1p")
log2 = _unary(torch.log2, "log2")
log10 = _unary(torch.log10, "log10")
sqrt = _unary(torch.sqrt, "sqrt")
rsqrt = _unary(torch.rsqrt, "rsqrt")
square = _unary(torch.square, "square")
negative = _unary(torch.neg, "negative")
sign = _unary(torch.sign, "sign")
floor = _unary(torch.floor, "floor")
ceil = _unary(torch.ceil, "ceil")
round = _unary(torch.round, "round")  # noqa: A001
sin = _unary(torch.sin, "sin")
cos = _unary(torch.cos, "cos")
tan = _unary(torch.tan, "tan")
arcsin = _unary(torch.asin, "arcsin")
arccos = _unary(torch.acos, "arccos")
arctan = _unary(torch.atan, "arctan")
sinh = _unary(torch.sinh, "sinh")
cosh = _unary(torch.cosh, "cosh")
tanh = _unary(torch.tanh, "tanh")
sigmoid = _unary(torch.sigmoid, "sigmoid")
relu = _unary(F.relu, "relu")
relu6 = _unary(F.relu6, "relu6")
softplus = _unary(F.softplus, "softplus")
softsign = _unary(F.softsign, "softsign")
silu = _unary(F.silu, "silu")
swish = silu
selu = _unary(F.selu, "selu")
logical_not = _unary(torch.logical_not, "logical_not")
isnan = _unary(torch.isnan, "isnan")
isinf = _unary(torch.isinf, "isinf")
isfinite = _unary(torch.isfinite, "isfinite")
reciprocal = _unary(torch.reciprocal, "reciprocal")


def _binary(torch_fn: Callable, name: str) -> Callable:
    def fn(x1: Any, x2: Any) -> torch.Tensor:
        a, b = _pair(x1, x2)
        return torch_fn(a, b)

    fn.__name__ = name
    return _op(fn)


add = _binary(torch.add, "add")
subtract = _binary(torch.sub, "subtract")
multiply = _binary(torch.mul, "multiply")
divide = _binary(torch.true_divide, "divide")
true_divide = divide
floor_divide = _binary(torch.floor_divide, "floor_divide")
power = _binary(torch.pow, "power")
maximum = _binary(torch.maximum, "maximum")
minimum = _binary(torch.minimum, "minimum")
mod = _binary(torch.remainder, "mod")
equal = _binary(torch.eq, "equal")
not_equal = _binary(torch.ne, "not_equal")
greater = _binary(torch.gt, "greater")
greater_equal = _binary(torch.ge, "greater_equal")
less = _binary(torch.lt, "less")
less_equal = _binary(torch.le, "less_equal")
logical_and = _binary(torch.logical_and, "logical_and")
logical_or = _binary(torch.logical_or, "logical_or")
arctan2 = _binary(torch.atan2, "arctan2")


@_op
def divide_no_nan(x1: Any, x2: Any) -> torch.Tensor:
    a, b = _pair(x1, x2)
    safe = torch.where(b == 0, torch.ones_like(b), b)
    return torch.where(b == 0, torch.zeros_like(a / safe), a / safe)


@_op
def matmul(x1: Any, x2: Any) -> torch.Tensor:
    return torch.matmul(_t(x1), _t(x2))


@_op
def dot(x1: Any, x2: Any) -> torch.Tensor:
    a, b = _t(x1), _t(x2)
    if a.ndim == 0 or b.ndim == 0:
        return a * b
    return torch.tensordot(a, b, dims=([-1], [-2 if b.ndim > 1 else 0]))


@_op
def einsum(subscripts: str, *operands: Any) -> torch.Tensor:
    return torch.einsum(subscripts, *[_t(o) for o in operands])


@_op
def clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    return torch.clamp(_t(x), x_min, x_max)


@_op
def where(condition: Any, x1: Any = None, x2: Any = None) -> Any:
    c = _t(condition)
    if x1 is None and x2 is None:
        return torch.nonzero(c, as_tuple=True)
    a, b = _pair(x1, x2)
    return torch.where(c.bool(), a, b)


# ---- reductions
def _reduce(torch_fn: Callable, name: str) -> Callable:
    def fn(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
        t = _t(x)
        if axis is None:
            out = torch_fn(t)
            return out.reshape([1] * t.ndim) if keepdims else out
        return torch_fn(t, dim=_axis(axis), keepdim=keepdims)

    fn.__name__ = name
    return _op(fn)


sum = _reduce(torch.sum, "sum")  # noqa: A001
mean = _reduce(torch.mean, "mean")
prod = _reduce(lambda t, dim=None, keepdim=False: torch.prod(t) if dim is None else _prod(t, dim, keepdim), "prod")
all = _reduce(lambda t, dim=None, keepdim=False: torch.all(t.bool()) if dim is None else torch.all(t.bool(), dim=dim, keepdim=keepdim), "all")  # noqa: A001
any = _reduce(lambda t, dim=None, keepdim=False: torch.any(t.bool()) if dim is None else torch.any(t.bool(), dim=dim, keepdim=keepdim), "any")  # noqa: A001
logsumexp = _reduce(lambda t, dim=None, keepdim=False: torch.logsumexp(t.flatten(), 0) if dim is None else torch.logsumexp(t, dim=dim, keepdim=keepdim), "logsumexp")


def _prod(t: torch.Tensor, dim: Any, keepdim: bool) -> torch.Tensor:
    dims = dim if isinstance(dim, tuple) else (dim,)
    for d in sorted((d % t.ndim for d in dims), reverse=True):
        t = torch.prod(t, dim=d, keepdim=keepdim)
    return t


@_op
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:  # noqa: A001
    t = _t(x)
    if axis is None:
        out = torch.max(t)
        return out.reshape([1] * t.ndim) if keepdims else out
    return torch.amax(t, dim=_axis(axis), keepdim=keepdims)


@_op
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> torch.Tensor:  # noqa: A001
    t = _t(x)
    if axis is None:
        out = torch.min(t)
        return out.reshape([1] * t.ndim) if keepdims else out
    return torch.amin(t, dim=_axis(axis), keepdim=keepdims)


@_op
def var(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    t = _t(x)
    return torch.var(t, dim=_axis(axis), keepdim=keepdims, unbiased=False)


@_op
def std(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    t = _t(x)
    return torch.std(t, dim=_axis(axis), keepdim=keepdims, unbiased=False)


@_op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    t = _t(x)
    t = t.to(torch.uint8) if t.dtype == torch.bool else t  # (torch has no bool argmax; Keras casts)
    return torch.argmax(t.flatten() if axis is None else t, dim=0 if axis is None else axis, keepdim=keepdims and axis is not None)


@_op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
    t = _t(x)
    t = t.to(torch.uint8) if t.dtype == torch.bool else t
    return torch.argmin(t.flatten() if axis is None else t, dim=0 if axis is None else axis, keepdim=keepdims and axis is not None)


@_op
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    t = _t(x)
    return torch.cumsum(t.flatten() if axis is None else t, dim=0 if axis is None else axis)


@_op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> torch.Tensor:
    t = _t(x)
    return torch.cumprod(t.flatten() if axis is None else t, dim=0 if axis is None else axis)


# ---- shape manipulation
@_op
def reshape(x: Any, newshape: Any) -> torch.Tensor:
    return torch.reshape(_t(x), tuple(-1 if d is None else d for d in (newshape if isinstance(newshape, (list, tuple)) else (newshape,))))


@_op
def transpose(x: Any, axes: Any = None) -> torch.Tensor:
    t = _t(x)
    return t.permute(*(axes if axes is not None else reversed(range(t.ndim))))


@_op
def expand_dims(x: Any, axis: int) -> torch.Tensor:
    return torch.unsqueeze(_t(x), axis)


@_op
def squeeze(x: Any, axis: Any = None) -> torch.Tensor:
    t = _t(x)
    if axis is None:
        return torch.squeeze(t)
    return torch.squeeze(t, dim=_axis(axis))


@_op
def concatenate(xs: Any, axis: int = 0) -> torch.Tensor:
    return torch.cat([_t(x) for x in xs], dim=axis)


@_op
def stack(x: Any, axis: int = 0) -> torch.Tensor:
    return torch.stack([_t(v) for v in x], dim=axis)


@_op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[torch.Tensor]:
    t = _t(x)
    if isinstance(indices_or_sections, int):
        return list(torch.tensor_split(t, indices_or_sections, dim=axis))
    return list(torch.tensor_split(t, list(indices_or_sections), dim=axis))


@_op
def tile(x: Any, repeats: Any) -> torch.Tensor:
    return torch.tile(_t(x), tuple(repeats) if isinstance(repeats, (list, tuple)) else (repeats,))


@_op
def repeat(x: Any, repeats: Any, axis: int | None = None) -> torch.Tensor:
    return torch.repeat_interleave(_t(x), repeats, dim=axis)


@_op
def flip(x: Any, axis: Any = None) -> torch.Tensor:
    t = _t(x)
    dims = tuple(range(t.ndim)) if axis is None else (axis if isinstance(axis, (list, tuple)) else (axis,))
    return torch.flip(t, dims=dims)


@_op
def take(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    t = _t(x)
    idx = _t(indices).long()
    if axis is None:
        return t.flatten()[idx]
    return torch.index_select(t, axis, idx.flatten()).reshape(*t.shape[:axis], *idx.shape, *t.shape[axis + 1 :])


@_op
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> torch.Tensor:
    return torch.take_along_dim(_t(x), _t(indices).long(), dim=axis)


@_op
def broadcast_to(x: Any, shape: Any) -> torch.Tensor:
    return torch.broadcast_to(_t(x), tuple(shape))


@_op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None) -> torch.Tensor:
    out = F.one_hot(_t(x).long(), num_classes).to(to_torch_dtype(dtype or _config.floatx()))
    if axis != -1:
        out = torch.movedim(out, -1, axis)
    return out


@_op
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> torch.Tensor:
    t = _t(x)
    flat: list[int] = []
    for before, after in reversed([tuple(p) for p in pad_width]):
        flat += [int(before), int(after)]
    return F.pad(t, flat, mode=mode, value=constant_values or 0)


@_op
def sort(x: Any, axis: int = -1) -> torch.Tensor:
    return torch.sort(_t(x), dim=axis).values


@_op
def top_k(x: Any, k: int, sorted: bool = True) -> tuple:  # noqa: A002
    r = torch.topk(_t(x), k, sorted=sorted)
    return r.values, r.indices


@_op
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A002
    return torch.linalg.norm(_t(x), ord=ord, dim=_axis(axis), keepdim=keepdims)


# ---- nn
@_op
def softmax(x: Any, axis: int = -1) -> torch.Tensor:
    from keras_torch import activations

    return activations.softmax(_t(x), axis=axis)


@_op
def log_softmax(x: Any, axis: int = -1) -> torch.Tensor:
    return torch.log_softmax(_t(x), dim=axis)


@_op
def gelu(x: Any, approximate: bool = True) -> torch.Tensor:
    return F.gelu(_t(x), approximate="tanh" if approximate else "none")


@_op
def elu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    return F.elu(_t(x), alpha)


@_op
def leaky_relu(x: Any, negative_slope: float = 0.2) -> torch.Tensor:
    return F.leaky_relu(_t(x), negative_slope)


@_op
def hard_sigmoid(x: Any) -> torch.Tensor:
    return F.hardsigmoid(_t(x))


@_op
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> torch.Tensor:
    t = _t(x)
    n = torch.linalg.norm(t, ord=order, dim=axis, keepdim=True)
    return t / torch.clamp_min(n, epsilon or _config.epsilon())


@_op
def stop_gradient(x: Any) -> torch.Tensor:
    return _t(x).detach()


def slice(inputs: Any, start_indices: Any, shape: Any) -> torch.Tensor:  # noqa: A001
    t = _t(inputs)
    idx = tuple(builtins.slice(int(s), int(s) + int(n)) for s, n in zip(start_indices, shape))
    return t[idx]


def is_tensor(x: Any) -> bool:
    return isinstance(x, torch.Tensor)


def size(x: Any) -> int:
    return int(np.prod(x.shape))
