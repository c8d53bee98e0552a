"""``keras.backend``: config accessors plus the Keras 2 ``K.*`` tensor functions on torch.

Custom losses/metrics written as ``K.mean(K.square(y_pred - y_true), axis=-1)`` run unchanged.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch import ops as _ops
from keras_torch.core.config import (
    backend,
    epsilon,
    floatx,
    image_data_format,
    set_epsilon,
    set_floatx,
    set_image_data_format,
)

__all__ = [
    "abs", "all", "any", "arange", "argmax", "argmin", "backend", "batch_dot", "batch_flatten", "cast",
    "clear_session", "clip", "concatenate", "constant", "cos", "count_params", "dot", "dtype", "epsilon",
    "equal", "exp", "expand_dims", "flatten", "floatx", "gather", "get_value", "greater", "greater_equal",
    "image_data_format", "int_shape", "is_keras_tensor", "is_tensor", "l2_normalize", "less", "less_equal",
    "log", "max", "maximum", "mean", "min", "minimum", "ndim", "not_equal", "ones", "ones_like", "permute_dimensions",
    "pow", "relu", "repeat_elements", "reshape", "round", "set_epsilon", "set_floatx", "set_image_data_format",
    "set_value", "shape", "sigmoid", "sign", "sin", "softmax", "softplus", "sqrt", "square", "squeeze", "stack",
    "std", "sum", "switch", "tanh", "transpose", "variable", "var", "zeros", "zeros_like", "binary_crossentropy",
    "categorical_crossentropy", "sparse_categorical_crossentropy", "stop_gradient", "tile", "one_hot",
    "learning_phase", "set_learning_phase", "random_normal", "random_uniform", "get_uid", "reset_uids",
]

abs = _ops.abs  # noqa: A001
exp, log, sqrt, square, sign, round = _ops.exp, _ops.log, _ops.sqrt, _ops.square, _ops.sign, _ops.round  # noqa: A001
sin, cos, tanh, sigmoid, relu, softplus = _ops.sin, _ops.cos, _ops.tanh, _ops.sigmoid, _ops.relu, _ops.softplus
maximum, minimum, equal, not_equal = _ops.maximum, _ops.minimum, _ops.equal, _ops.not_equal
greater, greater_equal, less, less_equal = _ops.greater, _ops.greater_equal, _ops.less, _ops.less_equal
ones_like, zeros_like, stop_gradient, tile = _ops.ones_like, _ops.zeros_like, _ops.stop_gradient, _ops.tile
expand_dims, squeeze, transpose, stack = _ops.expand_dims, _ops.squeeze, _ops.transpose, _ops.stack
is_tensor = _ops.is_tensor


def _t(x: Any) -> torch.Tensor:
    return _ops.convert_to_tensor(x)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    return _ops.mean(_t(x).float() if not _t(x).is_floating_point() else x, axis=axis, keepdims=keepdims)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    return _ops.sum(x, axis=axis, keepdims=keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    return _ops.max(x, axis=axis, keepdims=keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    return _ops.min(x, axis=axis, keepdims=keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    return _ops.std(x, axis=axis, keepdims=keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    return _ops.var(x, axis=axis, keepdims=keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    return _ops.all(x, axis=axis, keepdims=keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    return _ops.any(x, axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: int = -1) -> torch.Tensor:
    return _ops.argmax(x, axis=axis)


def argmin(x: Any, axis: int = -1) -> torch.Tensor:
    return _ops.argmin(x, axis=axis)


def clip(x: Any, min_value: Any, max_value: Any) -> torch.Tensor:
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return _ops.clip(x, min_value, max_value)


def pow(x: Any, a: Any) -> torch.Tensor:  # noqa: A001
    return _ops.power(x, a)


def cast(x: Any, dtype: Any) -> torch.Tensor:
    return _ops.cast(x, dtype)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> torch.Tensor:
    t = _ops.convert_to_tensor(value, dtype=dtype or floatx())
    return torch.broadcast_to(t, tuple(shape)).clone() if shape is not None else t


def variable(value: Any, dtype: Any = None, name: str | None = None, constraint: Any = None) -> torch.Tensor:
    from keras_torch.core.variables import KerasVariable

    v = KerasVariable(_ops.convert_to_tensor(value, dtype=dtype or floatx()).clone(), requires_grad=False)
    v.__dict__["_keras_name"] = name or "variable"
    return v


def zeros(shape: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:
    return _ops.zeros(shape, dtype=dtype)


def ones(shape: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:
    return _ops.ones(shape, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str = "int32") -> torch.Tensor:
    return _ops.arange(start, stop, step, dtype=dtype)


def shape(x: Any) -> tuple:
    return tuple(x.shape)


def int_shape(x: Any) -> tuple | None:
    """Static shape as a tuple of ints/None (``None`` for non-tensors, as Keras 2)."""
    try:
        return tuple(x.shape)
    except AttributeError:
        return None


def ndim(x: Any) -> int:
    return len(x.shape)


def dtype(x: Any) -> str:
    return _ops.dtype(x)


def count_params(x: Any) -> int:
    return int(np.prod(x.shape))


def get_value(x: Any) -> Any:
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


def set_value(x: Any, value: Any) -> None:
    """Assign ``value`` to a variable in place (e.g. ``K.set_value(model.optimizer.lr, 1e-4)``)."""
    if hasattr(x, "assign"):
        x.assign(value)
        return
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))


def batch_get_value(xs: list[Any]) -> list[Any]:
    return [get_value(x) for x in xs]


def batch_set_value(pairs: list[tuple[Any, Any]]) -> None:
    for x, v in pairs:
        set_value(x, v)


def reshape(x: Any, shape: Any) -> torch.Tensor:
    return _ops.reshape(x, shape)


def flatten(x: Any) -> torch.Tensor:
    return _ops.reshape(x, (-1,))


def batch_flatten(x: Any) -> torch.Tensor:
    t = _t(x)
    return t.reshape(t.shape[0], -1)


def permute_dimensions(x: Any, pattern: Any) -> torch.Tensor:
    return _ops.transpose(x, pattern)


def concatenate(tensors: list[Any], axis: int = -1) -> torch.Tensor:
    return _ops.concatenate(tensors, axis=axis)


def repeat_elements(x: Any, rep: int, axis: int) -> torch.Tensor:
    return _ops.repeat(x, rep, axis=axis)


def gather(reference: Any, indices: Any) -> torch.Tensor:
    return _ops.take(reference, indices, axis=0)


def one_hot(indices: Any, num_classes: int) -> torch.Tensor:
    return _ops.one_hot(indices, num_classes)


def dot(x: Any, y: Any) -> torch.Tensor:
    return _ops.matmul(x, y)


def batch_dot(x: Any, y: Any, axes: Any = None) -> torch.Tensor:
    a, b = _t(x), _t(y)
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 2 if b.ndim > 2 else 1)
    if isinstance(axes, int):
        axes = (axes, axes)
    a_ax, b_ax = axes[0] % a.ndim, axes[1] % b.ndim
    a = torch.movedim(a, a_ax, -1)
    b = torch.movedim(b, b_ax, 1)
    res = torch.matmul(a.reshape(a.shape[0], -1, a.shape[-1]), b.reshape(b.shape[0], b.shape[1], -1))
    return res.reshape(*a.shape[:-1], *b.shape[2:]) if (a.ndim > 2 or b.ndim > 2) else res.reshape(a.shape[0], 1)


def switch(condition: Any, then_expression: Any, else_expression: Any) -> torch.Tensor:
    return _ops.where(condition, then_expression, else_expression)


def softmax(x: Any, axis: int = -1) -> torch.Tensor:
    return _ops.softmax(x, axis=axis)


def l2_normalize(x: Any, axis: int = -1) -> torch.Tensor:
    t = _t(x)
    return t / torch.sqrt(torch.clamp_min(torch.sum(t * t, dim=axis, keepdim=True), 1e-12))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    from keras_torch import losses

    return losses.categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    from keras_torch import losses

    return losses.sparse_categorical_crossentropy(target, output, from_logits=from_logits, axis=axis)


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> torch.Tensor:
    from keras_torch import losses

    return losses.binary_crossentropy(target, output, from_logits=from_logits)


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    return torch.randn(tuple(shape), generator=g) * stddev + mean


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed) if seed is not None else None
    return torch.rand(tuple(shape), generator=g) * (maxval - minval) + minval


_LEARNING_PHASE = {"value": 0}


def learning_phase() -> int:
    return _LEARNING_PHASE["value"]


def set_learning_phase(value: int) -> None:
    _LEARNING_PHASE["value"] = int(value)


def clear_session() -> None:
    """Reset default layer names (``dense``, ``dense_1``...) and free cached memory."""
    import gc

    from keras_torch.core import naming

    naming.reset()
    from keras_torch.losses._common import reset_uids as _reset_metric_uids

    _reset_metric_uids()
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


_UIDS: dict[str, int] = {}


def get_uid(prefix: str = "") -> int:
    _UIDS[prefix] = _UIDS.get(prefix, 0) + 1
    return _UIDS[prefix]


def reset_uids() -> None:
    _UIDS.clear()


def is_keras_tensor(x: Any) -> bool:
    from keras_torch.core.symbolic import KerasTensor

    return isinstance(x, KerasTensor)
