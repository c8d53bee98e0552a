"""tf-keras's ``TFOpLambda`` / ``SlicingOpLambda``: raw TensorFlow ops recorded in functional models.

tf-keras 2 records ``x + 3``, ``tf.nn.relu6(x)``, ``tf.reshape(x, ...)``, ``x[:, 1:]``... in a
functional model as these layers, naming the op by its TensorFlow API path (``"__operators__.add"``,
``"nn.relu6"``, ``"reshape"``). Here the name is looked up in :data:`TF_OPS` (never imported or
evaluated): each entry is a torch implementation with TensorFlow's signature, and, where Keras 3 has
the same operation, how it maps to it (so that ``.keras`` files, which Keras 3 reads, can record it).
An op missing from the table fails when the layer is created, naming the op.
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import registry
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.symbolic import any_symbolic
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer

__all__ = ["TFOpLambda", "SlicingOpLambda", "TF_OPS", "TFOp", "lookup_tf_op"]


@dataclasses.dataclass(frozen=True)
class TFOp:
    """One TensorFlow op of :data:`TF_OPS`.

    Attributes:
        fn: Torch implementation taking TensorFlow's arguments (names included; ``name`` is ignored).
        keras: The Keras 3 operation class computing the same (``"Add"``), or None.
        tensors: TensorFlow arguments that are the Keras operation's call arguments, in order.
        config: TensorFlow argument -> Keras operation constructor argument.
    """

    fn: Callable[..., Any]
    keras: str | None = None
    tensors: tuple[str, ...] = ()
    config: tuple[tuple[str, str], ...] = ()

    def bind(self, args: tuple, kwargs: dict[str, Any]) -> dict[str, Any]:
        """TensorFlow's arguments by name (defaults included)."""
        bound = inspect.signature(self.fn).bind(*args, **kwargs)
        bound.apply_defaults()
        return dict(bound.arguments)


def _t(x: Any, like: Any = None) -> torch.Tensor:
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(like, torch.Tensor) and isinstance(x, (int, float, bool)):
        dtype = like.dtype if (like.is_floating_point() or not isinstance(x, float)) else torch.get_default_dtype()
        return torch.as_tensor(x, dtype=dtype, device=like.device)
    return torch.as_tensor(x)


def _binary(fn: Callable) -> Callable:
    def op(x: Any, y: Any, name: Any = None) -> torch.Tensor:
        return fn(_t(x, y), _t(y, x))

    return op


def _unary(fn: Callable, arg: str = "x") -> Callable:
    def op(value: Any, name: Any = None) -> torch.Tensor:
        return fn(_t(value))

    op.__signature__ = inspect.Signature([inspect.Parameter(arg, inspect.Parameter.POSITIONAL_OR_KEYWORD),
                                          inspect.Parameter("name", inspect.Parameter.POSITIONAL_OR_KEYWORD,
                                                            default=None)])
    return op


def _dims(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    return tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))


def _reduce(fn: Callable) -> Callable:
    def op(input_tensor: Any, axis: Any = None, keepdims: bool = False, name: Any = None) -> torch.Tensor:
        x = _t(input_tensor)
        return fn(x, _dims(axis, x.ndim), bool(keepdims))

    return op


def _reduce_prod(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    for d in sorted(dims, reverse=True):
        x = torch.prod(x, dim=d, keepdim=keep)
    return x


def _reshape(tensor: Any, shape: Any, name: Any = None) -> torch.Tensor:
    return _t(tensor).reshape(tuple(-1 if d is None else int(d) for d in shape))


def _transpose(a: Any, perm: Any = None, name: Any = "transpose", conjugate: bool = False) -> torch.Tensor:
    x = _t(a)
    return x.permute(*(perm if perm is not None else range(x.ndim - 1, -1, -1)))


def _concat(values: Any, axis: int, name: Any = "concat") -> torch.Tensor:
    return torch.cat([_t(v) for v in values], dim=axis)


def _stack(values: Any, axis: int = 0, name: Any = "stack") -> torch.Tensor:
    return torch.stack([_t(v) for v in values], dim=axis)


def _expand_dims(input: Any, axis: int, name: Any = None) -> torch.Tensor:  # noqa: A002 - TF's argument name
    return torch.unsqueeze(_t(input), axis)


def _squeeze(input: Any, axis: Any = None, name: Any = None, squeeze_dims: Any = None) -> torch.Tensor:  # noqa: A002
    x = _t(input)
    axis = axis if axis is not None else squeeze_dims
    return torch.squeeze(x) if axis is None else torch.squeeze(x, dim=_dims(axis, x.ndim))


def _matmul(a: Any, b: Any, transpose_a: bool = False, transpose_b: bool = False, adjoint_a: bool = False,
            adjoint_b: bool = False, a_is_sparse: bool = False, b_is_sparse: bool = False, output_type: Any = None,
            grad_a: bool = False, grad_b: bool = False, name: Any = None) -> torch.Tensor:
    a, b = _t(a), _t(b)
    if transpose_a or adjoint_a:
        a = a.transpose(-1, -2)
    if transpose_b or adjoint_b:
        b = b.transpose(-1, -2)
    return torch.matmul(a, b)


def _softmax(logits: Any, axis: Any = None, name: Any = None) -> torch.Tensor:
    return torch.softmax(_t(logits), dim=-1 if axis is None else axis)


def _log_softmax(logits: Any, axis: Any = None, name: Any = None) -> torch.Tensor:
    return torch.log_softmax(_t(logits), dim=-1 if axis is None else axis)


def _gelu(features: Any, approximate: bool = False, name: Any = None) -> torch.Tensor:
    return F.gelu(_t(features), approximate="tanh" if approximate else "none")


def _silu(features: Any, beta: float = 1.0, name: Any = None) -> torch.Tensor:
    x = _t(features)
    return x * torch.sigmoid(beta * x)


def _leaky_relu(features: Any, alpha: float = 0.2, name: Any = None) -> torch.Tensor:
    return F.leaky_relu(_t(features), alpha)


def _cast(x: Any, dtype: Any, name: Any = None) -> torch.Tensor:
    return _t(x).to(to_torch_dtype(dtype))


def _clip(t: Any, clip_value_min: Any, clip_value_max: Any, name: Any = None) -> torch.Tensor:
    return torch.clamp(_t(t), min=clip_value_min, max=clip_value_max)


def _l2_normalize(x: Any, axis: Any = None, epsilon: float = 1e-12, name: Any = None, dim: Any = None) -> torch.Tensor:
    x = _t(x)
    dims = _dims(axis if axis is not None else dim, x.ndim)
    square_sum = torch.sum(x * x, dim=dims, keepdim=True)
    return x * torch.rsqrt(torch.clamp(square_sum, min=epsilon))


def _getitem(tensor: Any, slice_spec: Any, var: Any = None) -> torch.Tensor:
    spec = slice_spec if isinstance(slice_spec, (list, tuple)) else [slice_spec]
    return _t(tensor)[tuple(_slice_of(s) for s in spec)]


def _slice_of(s: Any) -> Any:
    """A ``slice_spec`` element as tf-keras writes it -> a Python index (slice, Ellipsis, None, int)."""
    if isinstance(s, dict):
        if s.get("class_name") == "__ellipsis__":
            return Ellipsis
        if s.get("class_name") == "__slice__":
            s = s.get("config", {})
        return slice(s.get("start"), s.get("stop"), s.get("step"))
    return s


_XY = ("x", "y")

TF_OPS: dict[str, TFOp] = {
    # Operators and tf.math (x, y)
    "__operators__.add": TFOp(_binary(torch.add), "Add", _XY),
    "math.add": TFOp(_binary(torch.add), "Add", _XY),
    "math.add_v2": TFOp(_binary(torch.add), "Add", _XY),
    "math.subtract": TFOp(_binary(torch.sub), "Subtract", _XY),
    "math.multiply": TFOp(_binary(torch.mul), "Multiply", _XY),
    "math.truediv": TFOp(_binary(torch.true_divide), "TrueDivide", _XY),
    "math.divide": TFOp(_binary(torch.true_divide), "Divide", _XY),
    "math.floordiv": TFOp(_binary(torch.floor_divide), "FloorDivide", _XY),
    "math.floormod": TFOp(_binary(torch.remainder), "Mod", _XY),
    "math.pow": TFOp(_binary(torch.pow), "Power", _XY),
    "math.maximum": TFOp(_binary(torch.maximum), "Maximum", _XY),
    "math.minimum": TFOp(_binary(torch.minimum), "Minimum", _XY),
    "math.squared_difference": TFOp(_binary(lambda a, b: torch.square(a - b))),
    "math.equal": TFOp(_binary(torch.eq), "Equal", _XY),
    "math.not_equal": TFOp(_binary(torch.ne), "NotEqual", _XY),
    "math.less": TFOp(_binary(torch.lt), "Less", _XY),
    "math.less_equal": TFOp(_binary(torch.le), "LessEqual", _XY),
    "math.greater": TFOp(_binary(torch.gt), "Greater", _XY),
    "math.greater_equal": TFOp(_binary(torch.ge), "GreaterEqual", _XY),
    "math.logical_and": TFOp(_binary(torch.logical_and), "LogicalAnd", _XY),
    "math.logical_or": TFOp(_binary(torch.logical_or), "LogicalOr", _XY),
    # Elementwise (x)
    **{f"math.{n}": TFOp(_unary(fn), k, ("x",)) for n, fn, k in (
        ("abs", torch.abs, "Absolute"), ("negative", torch.neg, "Negative"), ("exp", torch.exp, "Exp"),
        ("log", torch.log, "Log"), ("log1p", torch.log1p, "Log1p"), ("sqrt", torch.sqrt, "Sqrt"),
        ("rsqrt", torch.rsqrt, None), ("square", torch.square, "Square"), ("sin", torch.sin, "Sin"),
        ("cos", torch.cos, "Cos"), ("tanh", torch.tanh, "Tanh"), ("sigmoid", torch.sigmoid, "Sigmoid"),
        ("floor", torch.floor, "Floor"), ("ceil", torch.ceil, "Ceil"), ("round", torch.round, "Round"),
        ("sign", torch.sign, "Sign"), ("reciprocal", torch.reciprocal, "Reciprocal"), ("erf", torch.erf, "Erf"),
        ("logical_not", torch.logical_not, "LogicalNot"),
        ("is_nan", torch.isnan, "Isnan"), ("is_inf", torch.isinf, "Isinf"), ("is_finite", torch.isfinite, "Isfinite"),
    )},
    "__operators__.neg": TFOp(_unary(torch.neg), "Negative", ("x",)),
    "nn.relu": TFOp(_unary(F.relu, "features"), "Relu", ("features",)),
    "nn.relu6": TFOp(_unary(F.relu6, "features"), "Relu6", ("features",)),
    "nn.elu": TFOp(_unary(F.elu, "features"), "Elu", ("features",)),
    "nn.selu": TFOp(_unary(F.selu, "features"), "Selu", ("features",)),
    "nn.sigmoid": TFOp(_unary(torch.sigmoid), "Sigmoid", ("x",)),
    "nn.tanh": TFOp(_unary(torch.tanh), "Tanh", ("x",)),
    "nn.softplus": TFOp(_unary(F.softplus, "features"), "Softplus", ("features",)),
    "math.softplus": TFOp(_unary(F.softplus, "features"), "Softplus", ("features",)),
    "nn.softsign": TFOp(_unary(F.softsign, "features"), "Softsign", ("features",)),
    "nn.silu": TFOp(_silu, "Silu", ("features",)),
    "nn.swish": TFOp(_silu, "Silu", ("features",)),
    "nn.gelu": TFOp(_gelu, "Gelu", ("features",), (("approximate", "approximate"),)),
    "nn.leaky_relu": TFOp(_leaky_relu, "LeakyRelu", ("features",), (("alpha", "negative_slope"),)),
    "nn.softmax": TFOp(_softmax, "Softmax", ("logits",), (("axis", "axis"),)),
    "math.softmax": TFOp(_softmax, "Softmax", ("logits",), (("axis", "axis"),)),
    "nn.log_softmax": TFOp(_log_softmax, "LogSoftmax", ("logits",), (("axis", "axis"),)),
    "math.l2_normalize": TFOp(_l2_normalize),
    "linalg.l2_normalize": TFOp(_l2_normalize),
    "nn.l2_normalize": TFOp(_l2_normalize),
    # Reductions (input_tensor, axis, keepdims)
    **{f"math.reduce_{n}": TFOp(_reduce(fn), k, ("input_tensor",), (("axis", "axis"), ("keepdims", "keepdims")))
       for n, fn, k in (
           ("sum", lambda x, d, k: torch.sum(x, dim=d, keepdim=k), "Sum"),
           ("mean", lambda x, d, k: torch.mean(x, dim=d, keepdim=k), "Mean"),
           ("max", lambda x, d, k: torch.amax(x, dim=d, keepdim=k), "Max"),
           ("min", lambda x, d, k: torch.amin(x, dim=d, keepdim=k), "Min"),
           ("prod", _reduce_prod, "Prod"),
           ("std", lambda x, d, k: torch.std(x, dim=d, keepdim=k, unbiased=False), "Std"),
           ("variance", lambda x, d, k: torch.var(x, dim=d, keepdim=k, unbiased=False), "Var"),
           ("logsumexp", lambda x, d, k: torch.logsumexp(x, dim=d, keepdim=k), None),
           ("any", lambda x, d, k: torch.amax(x.bool(), dim=d, keepdim=k), "Any"),
           ("all", lambda x, d, k: torch.amin(x.bool(), dim=d, keepdim=k), "All"),
       )},
    # Shapes
    "reshape": TFOp(_reshape, "Reshape", ("tensor",), (("shape", "newshape"),)),
    "transpose": TFOp(_transpose, "Transpose", ("a",), (("perm", "axes"),)),
    "compat.v1.transpose": TFOp(_transpose, "Transpose", ("a",), (("perm", "axes"),)),
    "concat": TFOp(_concat, "Concatenate", ("values",), (("axis", "axis"),)),
    "stack": TFOp(_stack, "Stack", ("values",), (("axis", "axis"),)),
    "expand_dims": TFOp(_expand_dims, "ExpandDims", ("input",), (("axis", "axis"),)),
    "squeeze": TFOp(_squeeze, "Squeeze", ("input",), (("axis", "axis"),)),
    "compat.v1.squeeze": TFOp(_squeeze, "Squeeze", ("input",), (("axis", "axis"),)),
    "linalg.matmul": TFOp(_matmul, "Matmul", ("a", "b")),
    "cast": TFOp(_cast, "Cast", ("x",), (("dtype", "dtype"),)),
    "clip_by_value": TFOp(_clip, "Clip", ("t",), (("clip_value_min", "x_min"), ("clip_value_max", "x_max"))),
    "__operators__.getitem": TFOp(_getitem, "GetItem", ("tensor", "slice_spec")),
}


def lookup_tf_op(function: str, layer: str = "") -> TFOp:
    """The :data:`TF_OPS` entry of ``function`` (a TensorFlow API path as tf-keras records it).

    Raises:
        ValueError: The op is not in the table (the message names it and the closest known ops).
    """
    op = TF_OPS.get(function)
    if op is None:
        where = f" (layer '{layer}')" if layer else ""
        raise ValueError(f"TensorFlow op 'tf.{function}'{where} is not supported by keras_torch's TFOpLambda."
                         f"{registry.did_you_mean(function, TF_OPS)} Supported ops: {sorted(TF_OPS)}. Add it to "
                         "keras_torch.layers.tf_op_layer.TF_OPS (a torch function with TensorFlow's signature).")
    return op


@register_layer()
class TFOpLambda(Layer):
    """A TensorFlow op in a tf-keras functional model, computed by its :data:`TF_OPS` entry.

    Args:
        function: The op's TensorFlow API path (``"math.multiply"``, ``"__operators__.add"``...).

    Input shape:
        Whatever the op takes (its first argument, then keyword arguments).

    Output shape:
        The op's result.
    """

    def __init__(self, function: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(function, str):
            raise TypeError(f"TFOpLambda '{self.name}': `function` must be a TensorFlow op name. Received {function!r}")
        self.function = function
        self.op = lookup_tf_op(function, self.name)
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # The op's own arguments, not a layer's (no training flag, mask or input casting).
        if any_symbolic((args, kwargs)):
            return self._record_node(args, kwargs, self._infer_output_spec(*args, **kwargs))
        return self.call(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("name", None)
        return self.op.fn(*args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "function": self.function}


@register_layer()
class SlicingOpLambda(TFOpLambda):
    """``tensor[slice_spec]`` in a tf-keras functional model (``function="__operators__.getitem"``)."""

    def call(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.pop("name", None)
        if "slice_spec" in kwargs:
            spec = kwargs["slice_spec"]
            kwargs["slice_spec"] = [_slice_of(s) for s in spec] if isinstance(spec, (list, tuple)) else _slice_of(spec)
        return self.op.fn(*args, **kwargs)
