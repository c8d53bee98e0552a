"""A small ``tensorflow`` stand-in: what Keras scripts commonly use next to Keras, on torch.

Anything else raises :class:`UnsupportedTensorFlowFeature` naming the symbol, the script line
and the torch-side alternative.
"""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np
import torch

import keras_torch as _kt
from keras_torch import ops as _ops
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.launcher.tf import config, data, math, nn, random  # noqa: F401
from keras_torch.utils.unsupported import unsupported

keras = _kt
__version__ = "2.21.0"
VERSION = __version__

float16, float32, float64, bfloat16 = torch.float16, torch.float32, torch.float64, torch.bfloat16
int8, int16, int32, int64, uint8, bool_ = torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool
bool = torch.bool  # noqa: A001 - tf.bool
string = object
newaxis = None
Tensor = torch.Tensor


class dtypes:  # noqa: N801 - tf.dtypes namespace
    float16, float32, float64, bfloat16 = torch.float16, torch.float32, torch.float64, torch.bfloat16
    int8, int16, int32, int64, uint8, bool = torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool

    @staticmethod
    def as_dtype(x: Any) -> torch.dtype:
        return to_torch_dtype(x)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> torch.Tensor:
    t = _ops.convert_to_tensor(value, dtype=dtype)
    return torch.broadcast_to(t, tuple(shape)).clone() if shape is not None else t


def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None, name: str | None = None) -> torch.Tensor:
    return _ops.convert_to_tensor(value, dtype=dtype or None)


def cast(x: Any, dtype: Any, name: str | None = None) -> torch.Tensor:
    return _ops.cast(x, dtype)


def shape(x: Any) -> torch.Tensor:
    return torch.tensor(tuple(x.shape))


def rank(x: Any) -> int:
    return len(x.shape)


def size(x: Any) -> int:
    return int(np.prod(x.shape))


def zeros(shape: Any, dtype: Any = torch.float32) -> torch.Tensor:
    return torch.zeros(tuple(shape), dtype=to_torch_dtype(dtype))


def ones(shape: Any, dtype: Any = torch.float32) -> torch.Tensor:
    return torch.ones(tuple(shape), dtype=to_torch_dtype(dtype))


def zeros_like(x: Any, dtype: Any = None) -> torch.Tensor:
    return _ops.zeros_like(x, dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> torch.Tensor:
    return _ops.ones_like(x, dtype=dtype)


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None) -> torch.Tensor:  # noqa: A001
    return _ops.arange(start, limit, delta, dtype=dtype)


def reshape(x: Any, shape: Any) -> torch.Tensor:
    return _ops.reshape(x, shape)


def transpose(x: Any, perm: Any = None) -> torch.Tensor:
    return _ops.transpose(x, perm)


def expand_dims(x: Any, axis: int) -> torch.Tensor:
    return _ops.expand_dims(x, axis)


def squeeze(x: Any, axis: Any = None) -> torch.Tensor:
    return _ops.squeeze(x, axis)


def concat(values: list[Any], axis: int) -> torch.Tensor:
    return _ops.concatenate(values, axis=axis)


def stack(values: list[Any], axis: int = 0) -> torch.Tensor:
    return _ops.stack(values, axis=axis)


def matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False) -> torch.Tensor:
    a, b = _ops.convert_to_tensor(a), _ops.convert_to_tensor(b)
    return torch.matmul(a.mT if transpose_a else a, b.mT if transpose_b else b)


def _reduce(fn: Any) -> Any:
    def reducer(x: Any, axis: Any = None, keepdims: bool = False, name: str | None = None) -> torch.Tensor:
        return fn(x, axis=axis, keepdims=keepdims)

    return reducer


reduce_mean = _reduce(_ops.mean)
reduce_sum = _reduce(_ops.sum)
reduce_max = _reduce(_ops.max)
reduce_min = _reduce(_ops.min)
reduce_prod = _reduce(_ops.prod)
reduce_any = _reduce(_ops.any)
reduce_all = _reduce(_ops.all)
square, sqrt, exp, abs, sign = _ops.square, _ops.sqrt, _ops.exp, _ops.abs, _ops.sign  # noqa: A001
add, subtract, multiply, divide = _ops.add, _ops.subtract, _ops.multiply, _ops.divide
maximum, minimum, pow, where = _ops.maximum, _ops.minimum, _ops.power, _ops.where  # noqa: A001
equal, not_equal, greater, less = _ops.equal, _ops.not_equal, _ops.greater, _ops.less
argmax, argmin, one_hot, clip_by_value = _ops.argmax, _ops.argmin, _ops.one_hot, _ops.clip
tile, gather, stop_gradient, einsum = _ops.tile, _ops.take, _ops.stop_gradient, _ops.einsum
tanh, sigmoid = _ops.tanh, _ops.sigmoid


def identity(x: Any) -> Any:
    return x


def executing_eagerly() -> builtins.bool:
    return True


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.{name}")
