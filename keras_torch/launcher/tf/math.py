"""``tf.math`` stand-in."""

from __future__ import annotations

from typing import Any

from keras_torch import ops as _ops
from keras_torch.utils.unsupported import unsupported

log, exp, sqrt, square, abs, sign = _ops.log, _ops.exp, _ops.sqrt, _ops.square, _ops.abs, _ops.sign  # noqa: A001
reduce_mean, reduce_sum, reduce_max, reduce_min = _ops.mean, _ops.sum, _ops.max, _ops.min
maximum, minimum, pow, add, subtract, multiply, divide = (  # noqa: A001
    _ops.maximum, _ops.minimum, _ops.power, _ops.add, _ops.subtract, _ops.multiply, _ops.divide)
divide_no_nan, tanh, sigmoid, log1p, argmax = _ops.divide_no_nan, _ops.tanh, _ops.sigmoid, _ops.log1p, _ops.argmax
equal, greater, less, not_equal, is_nan = _ops.equal, _ops.greater, _ops.less, _ops.not_equal, _ops.isnan


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.math.{name}")
