"""A ``tensorflow`` stand-in: the TensorFlow a Keras script uses around Keras, on torch.

``import tensorflow as tf`` under ``keras-torch run`` gives this module. It covers what Keras
examples and tf.keras 2 tutorials use next to Keras: ``tf.GradientTape`` (on torch autograd),
``tf.Variable``, ``tf.function`` (eager), the tensor functions (``tf.*`` creation, shapes,
indexing, control flow), ``tf.math`` (with its top-level aliases), ``tf.nn``, ``tf.random``,
``tf.linalg``, ``tf.strings`` (host strings), ``tf.io``/``tf.image`` (image files) and ``tf.data``.
Tensors are torch tensors; string tensors are :class:`~keras_torch.utils.string_tensor.StringTensor`
arrays. Anything else raises :class:`~keras_torch.utils.unsupported.UnsupportedTensorFlowFeature`
naming the symbol, the script line and the torch-side alternative.
"""

from __future__ import annotations

from typing import Any

import torch

import keras_torch as keras  # noqa: F401 - tf.keras
from keras_torch.launcher.tf import _convert as _cv
from keras_torch.launcher.tf import config, data, image, io, linalg, math, nn, random, strings  # noqa: F401
from keras_torch.launcher.tf._convert import STRING as string
from keras_torch.launcher.tf.gradient_tape import GradientTape, UnconnectedGradients  # noqa: F401
from keras_torch.launcher.tf.linalg import einsum, matmul, norm, tensordot  # noqa: F401
from keras_torch.launcher.tf.math import (  # noqa: F401 - TensorFlow's top-level aliases of tf.math
    abs,
    acos,
    acosh,
    add,
    add_n,
    argmax,
    argmin,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    cos,
    cosh,
    cumsum,
    divide,
    equal,
    exp,
    floor,
    greater,
    greater_equal,
    less,
    less_equal,
    logical_and,
    logical_not,
    logical_or,
    maximum,
    minimum,
    multiply,
    negative,
    not_equal,
    pow,
    reduce_all,
    reduce_any,
    reduce_logsumexp,
    reduce_max,
    reduce_mean,
    reduce_min,
    reduce_prod,
    reduce_sum,
    round,
    scalar_mul,
    sigmoid,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
    truediv,
)
from keras_torch.launcher.tf.specs import TensorShape, TensorSpec  # noqa: F401
from keras_torch.launcher.tf.tensors import (  # noqa: F401  # noqa: F401
    Tensor,
    argsort,
    boolean_mask,
    broadcast_to,
    case,
    cast,
    clip_by_global_norm,
    clip_by_norm,
    clip_by_value,
    concat,
    cond,
    constant,
    convert_to_tensor,
    device,
    ensure_shape,
    executing_eagerly,
    expand_dims,
    eye,
    fill,
    gather,
    gather_nd,
    get_static_value,
    identity,
    is_tensor,
    linspace,
    map_fn,
    meshgrid,
    name_scope,
    numpy_function,
    one_hot,
    ones,
    ones_like,
    pad,
    print,
    py_function,
    range,
    rank,
    repeat,
    reshape,
    reverse,
    roll,
    scatter_nd,
    sequence_mask,
    shape,
    size,
    sort,
    split,
    squeeze,
    stack,
    stop_gradient,
    tensor_scatter_nd_add,
    tensor_scatter_nd_update,
    tile,
    transpose,
    unique,
    unstack,
    vectorized_map,
    where,
    while_loop,
    zeros,
    zeros_like,
)
from keras_torch.launcher.tf.variables import Variable, function  # noqa: F401
from keras_torch.utils.unsupported import unsupported

__version__ = "2.21.0"
VERSION = __version__

float16, float32, float64, bfloat16 = torch.float16, torch.float32, torch.float64, torch.bfloat16
int8, int16, int32, int64, uint8, bool = (  # noqa: A001 - tf.bool
    torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool)
complex64, complex128 = torch.complex64, torch.complex128
newaxis = None


class dtypes:  # noqa: N801 - tf.dtypes namespace
    float16, float32, float64, bfloat16 = torch.float16, torch.float32, torch.float64, torch.bfloat16
    int8, int16, int32, int64, uint8, bool = (  # noqa: A003
        torch.int8, torch.int16, torch.int32, torch.int64, torch.uint8, torch.bool)
    string = string

    @staticmethod
    def as_dtype(type_value: Any) -> Any:
        return as_dtype(type_value)


def as_dtype(type_value: Any) -> Any:
    """A dtype name / numpy / torch dtype as the stand-in's dtype (``tf.string`` for strings)."""
    return string if _cv.is_string_dtype(type_value) else _cv.dtype(type_value)


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.{name}")
