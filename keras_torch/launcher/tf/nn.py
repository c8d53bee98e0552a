"""``tf.nn`` stand-in."""

from __future__ import annotations

from typing import Any

from keras_torch import ops as _ops
from keras_torch.utils.unsupported import unsupported

relu, sigmoid, tanh, softmax, log_softmax = _ops.relu, _ops.sigmoid, _ops.tanh, _ops.softmax, _ops.log_softmax
gelu, elu, selu, softplus, silu = _ops.gelu, _ops.elu, _ops.selu, _ops.softplus, _ops.silu
swish, leaky_relu, l2_normalize = _ops.silu, _ops.leaky_relu, _ops.normalize


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.nn.{name}")
