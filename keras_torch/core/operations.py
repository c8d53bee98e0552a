"""Keras 3 operations as functional-graph nodes, serialized the way Keras 3 writes them.

Keras 3 records ``x + 3.0`` in a functional model as an ``Add`` operation whose config entry is
``{"module": "keras.src.ops.numpy", "class_name": "Add", "config": {"name": "add"}}`` with the
constant in the node's arguments; ``ops.reshape(x, (-1, 4))`` becomes ``Reshape`` with ``newshape``
in its config. :class:`KerasOperation` is that node here: one subclass per Keras operation class,
named like it and registered in the ``operations`` registry category, so that

* KerasTensor operators (``+``, ``*``, ``[...]``...) record nodes that save to Keras-3-valid configs;
* configs written by Keras 3 (MobileNetV3, ConvNeXt, any model using ``keras.ops`` on symbolic
  tensors) rebuild here. An operation missing from :data:`OPERATIONS` fails with an error naming it.

Each entry is ``class name -> (module, config arguments, torch implementation)``; the
implementation takes the call arguments positionally and the config arguments by keyword.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import torch
import torch.nn.functional as F

from keras_torch.core import registry
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.symbolic import Operation, any_symbolic

__all__ = ["KerasOperation", "OPERATIONS", "operation_class"]


class KerasOperation(Operation):
    """A Keras 3 operation node (base class; see :func:`operation_class` for the concrete ones).

    Args:
        name: Node name (default: the snake-cased class name, made unique).
        **config: The operation's constructor arguments (``axis``, ``newshape``...).
    """

    keras_module: ClassVar[str] = "keras.src.ops.numpy"  # written into configs; Keras 3 imports it
    config_args: ClassVar[tuple[str, ...]] = ()
    compute: ClassVar[Callable[..., Any]]

    def __init__(self, name: str | None = None, **config: Any) -> None:
        unknown = set(config) - set(self.config_args)
        if unknown:
            raise TypeError(f"Unrecognized arguments for Keras operation {type(self).__name__}: {sorted(unknown)}. "
                            f"It takes {list(self.config_args)}.")
        super().__init__(name=name)
        self.config = config
        self.built = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic((args, kwargs)):
            return self._record_node(args, kwargs, self._infer_output_spec(*args, **kwargs))
        return self.call(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        return type(self).compute(*args, **kwargs, **self.config)

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, **self.config}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasOperation:
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"


def _tensor(x: Any, like: Any = None) -> torch.Tensor:
    """``x`` as a tensor; a Python number takes the dtype/device of ``like`` (Keras's weak scalar types)."""
    if isinstance(x, torch.Tensor):
        return x
    if isinstance(like, torch.Tensor) and isinstance(x, (int, float, bool)):
        dtype = like.dtype if (like.is_floating_point() or not isinstance(x, float)) else torch.get_default_dtype()
        return torch.as_tensor(x, dtype=dtype, device=like.device)
    return torch.as_tensor(x)


def _binary(fn: Callable) -> Callable:
    def apply(x1: Any, x2: Any) -> torch.Tensor:
        return fn(_tensor(x1, x2), _tensor(x2, x1))

    return apply


def _unary(fn: Callable) -> Callable:
    def apply(x: Any) -> torch.Tensor:
        return fn(_tensor(x))

    return apply


def _dims(axis: Any, ndim: int) -> tuple[int, ...] | None:
    if axis is None:
        return None
    return tuple(a % ndim for a in ((axis,) if isinstance(axis, int) else axis))


def _reduction(fn: Callable) -> Callable:
    def apply(x: Any, axis: Any = None, keepdims: bool = False, **_: Any) -> torch.Tensor:
        x = _tensor(x)
        dims = _dims(axis, x.ndim)
        if dims is None:
            dims = tuple(range(x.ndim))
            out = fn(x, dims, False)
            return out.reshape((1,) * x.ndim) if keepdims else out
        return fn(x, dims, keepdims)

    return apply


def _amax(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    return torch.amax(x, dim=dims, keepdim=keep) if dims else x


def _amin(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    return torch.amin(x, dim=dims, keepdim=keep) if dims else x


def _prod(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    for d in sorted(dims, reverse=True):
        x = torch.prod(x, dim=d, keepdim=keep)
    return x


def _std(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    return torch.std(x, dim=dims, keepdim=keep, unbiased=False)


def _var(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    return torch.var(x, dim=dims, keepdim=keep, unbiased=False)


def _arg(fn: Callable) -> Callable:
    def apply(x: Any, axis: int | None = None, keepdims: bool = False) -> torch.Tensor:
        x = _tensor(x)
        if axis is None:
            out = fn(x.reshape(-1), dim=0)
            return out.reshape((1,) * x.ndim) if keepdims else out
        return fn(x, dim=axis, keepdim=keepdims)

    return apply


def _reshape(x: Any, newshape: Any) -> torch.Tensor:
    shape = (newshape,) if isinstance(newshape, int) else tuple(-1 if d is None else d for d in newshape)
    return _tensor(x).reshape(shape)


def _transpose(x: Any, axes: Any = None) -> torch.Tensor:
    x = _tensor(x)
    return x.permute(*(axes if axes is not None else range(x.ndim - 1, -1, -1)))


def _squeeze(x: Any, axis: Any = None) -> torch.Tensor:
    x = _tensor(x)
    if axis is None:
        return torch.squeeze(x)
    return torch.squeeze(x, dim=_dims(axis, x.ndim))


def _expand_dims(x: Any, axis: Any) -> torch.Tensor:
    x = _tensor(x)
    for a in sorted(a % (x.ndim + len(axis)) for a in axis) if isinstance(axis, (list, tuple)) else [axis]:
        x = torch.unsqueeze(x, a)
    return x


def _get_item(x: Any, key: Any) -> torch.Tensor:
    key = tuple(key) if isinstance(key, list) else key
    return _tensor(x)[key]


def _clip(x: Any, x_min: Any, x_max: Any) -> torch.Tensor:
    return torch.clamp(_tensor(x), min=x_min, max=x_max)


def _where(condition: Any, x1: Any = None, x2: Any = None) -> torch.Tensor:
    cond = _tensor(condition).bool()
    if x1 is None and x2 is None:
        return torch.nonzero(cond, as_tuple=True)
    return torch.where(cond, _tensor(x1, x2), _tensor(x2, x1))


def _softmax(fn: Callable) -> Callable:
    def apply(x: Any, axis: Any = -1) -> torch.Tensor:
        x = _tensor(x)
        dims = _dims(axis, x.ndim) or tuple(range(x.ndim))
        if len(dims) == 1:
            return fn(x, dim=dims[0])
        moved = torch.movedim(x, dims, tuple(range(x.ndim - len(dims), x.ndim)))
        flat = fn(moved.reshape(*moved.shape[: x.ndim - len(dims)], -1), dim=-1).reshape(moved.shape)
        return torch.movedim(flat, tuple(range(x.ndim - len(dims), x.ndim)), dims)

    return apply


def _hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return F.relu6(x + 3.0) / 6.0


def _gelu(x: Any, approximate: bool = True) -> torch.Tensor:
    return F.gelu(_tensor(x), approximate="tanh" if approximate else "none")


def _cast(x: Any, dtype: Any) -> torch.Tensor:
    return _tensor(x).to(to_torch_dtype(dtype))


def _tile(x: Any, repeats: Any) -> torch.Tensor:
    x = _tensor(x)
    repeats = [repeats] if isinstance(repeats, int) else list(repeats)
    return x.tile(repeats)


def _repeat(x: Any, repeats: Any, axis: int | None = None) -> torch.Tensor:
    x = _tensor(x)
    return torch.repeat_interleave(x.reshape(-1) if axis is None else x, torch.as_tensor(repeats), dim=axis or 0)


def _logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    x = _tensor(x)
    dims = _dims(axis, x.ndim) or tuple(range(x.ndim))
    return torch.logsumexp(x, dim=dims, keepdim=keepdims)


def _mean(x: torch.Tensor, dims: tuple, keep: bool) -> torch.Tensor:
    return torch.mean(x if x.is_floating_point() else x.float(), dim=dims, keepdim=keep)


_N, _NN, _CORE, _MATH = "keras.src.ops.numpy", "keras.src.ops.nn", "keras.src.ops.core", "keras.src.ops.math"
_AXIS_KEEP = ("axis", "keepdims")

# class name -> (module, config arguments, implementation)
OPERATIONS: dict[str, tuple[str, tuple[str, ...], Callable]] = {
    # numpy: arithmetic and comparisons (KerasTensor operators record these)
    "Add": (_N, (), _binary(torch.add)),
    "Subtract": (_N, (), _binary(torch.sub)),
    "Multiply": (_N, (), _binary(torch.mul)),
    "Divide": (_N, (), _binary(torch.true_divide)),
    "TrueDivide": (_N, (), _binary(torch.true_divide)),
    "FloorDivide": (_N, (), _binary(torch.floor_divide)),
    "Mod": (_N, (), _binary(torch.remainder)),
    "Power": (_N, (), _binary(torch.pow)),
    "Matmul": (_N, (), _binary(torch.matmul)),
    "Maximum": (_N, (), _binary(torch.maximum)),
    "Minimum": (_N, (), _binary(torch.minimum)),
    "Equal": (_N, (), _binary(torch.eq)),
    "NotEqual": (_N, (), _binary(torch.ne)),
    "Less": (_N, (), _binary(torch.lt)),
    "LessEqual": (_N, (), _binary(torch.le)),
    "Greater": (_N, (), _binary(torch.gt)),
    "GreaterEqual": (_N, (), _binary(torch.ge)),
    "LogicalAnd": (_N, (), _binary(torch.logical_and)),
    "LogicalOr": (_N, (), _binary(torch.logical_or)),
    "LogicalXor": (_N, (), _binary(torch.logical_xor)),
    "Arctan2": (_N, (), _binary(torch.atan2)),
    # numpy: elementwise functions
    **{name: (_N, (), _unary(fn)) for name, fn in {
        "Negative": torch.neg, "Abs": torch.abs, "Absolute": torch.abs, "Sqrt": torch.sqrt, "Square": torch.square,
        "Exp": torch.exp, "Expm1": torch.expm1, "Log": torch.log, "Log1p": torch.log1p, "Log2": torch.log2,
        "Log10": torch.log10, "Sin": torch.sin, "Cos": torch.cos, "Tan": torch.tan, "Tanh": torch.tanh,
        "Sinh": torch.sinh, "Cosh": torch.cosh, "Arcsin": torch.asin, "Arccos": torch.acos, "Arctan": torch.atan,
        "Floor": torch.floor, "Ceil": torch.ceil, "Round": torch.round, "Sign": torch.sign, "Trunc": torch.trunc,
        "Reciprocal": torch.reciprocal, "LogicalNot": torch.logical_not, "Isnan": torch.isnan,
        "Isinf": torch.isinf, "Isfinite": torch.isfinite, "Copy": torch.clone,
    }.items()},
    "Clip": (_N, ("x_min", "x_max"), _clip),
    "Where": (_N, (), _where),
    # numpy: reductions
    "Sum": (_N, _AXIS_KEEP, _reduction(lambda x, d, k: torch.sum(x, dim=d, keepdim=k))),
    "Mean": (_N, _AXIS_KEEP, _reduction(_mean)),
    "Max": (_N, (*_AXIS_KEEP, "initial"), _reduction(_amax)),
    "Amax": (_N, _AXIS_KEEP, _reduction(_amax)),
    "Min": (_N, (*_AXIS_KEEP, "initial"), _reduction(_amin)),
    "Amin": (_N, _AXIS_KEEP, _reduction(_amin)),
    "Prod": (_N, (*_AXIS_KEEP, "dtype"), _reduction(_prod)),
    "Std": (_N, _AXIS_KEEP, _reduction(_std)),
    "Var": (_N, _AXIS_KEEP, _reduction(_var)),
    "Any": (_N, _AXIS_KEEP, _reduction(lambda x, d, k: torch.amax(x.bool(), dim=d, keepdim=k))),
    "All": (_N, _AXIS_KEEP, _reduction(lambda x, d, k: torch.amin(x.bool(), dim=d, keepdim=k))),
    "Argmax": (_N, _AXIS_KEEP, _arg(torch.argmax)),
    "Argmin": (_N, _AXIS_KEEP, _arg(torch.argmin)),
    "Cumsum": (_N, ("axis", "dtype"), lambda x, axis=None, dtype=None: torch.cumsum(
        _tensor(x).reshape(-1) if axis is None else _tensor(x), dim=axis or 0)),
    # numpy: shapes
    "Reshape": (_N, ("newshape",), _reshape),
    "Transpose": (_N, ("axes",), _transpose),
    "ExpandDims": (_N, ("axis",), _expand_dims),
    "Squeeze": (_N, ("axis",), _squeeze),
    "Concatenate": (_N, ("axis",), lambda xs, axis=0: torch.cat([_tensor(x) for x in xs], dim=axis)),
    "Stack": (_N, ("axis",), lambda x, axis=0: torch.stack([_tensor(v) for v in x], dim=axis)),
    "Tile": (_N, ("repeats",), _tile),
    "Repeat": (_N, ("repeats", "axis"), _repeat),
    "Flip": (_N, ("axis",), lambda x, axis=None: torch.flip(
        _tensor(x), dims=_dims(axis, _tensor(x).ndim) or tuple(range(_tensor(x).ndim)))),
    "Moveaxis": (_N, ("source", "destination"), lambda x, source, destination: torch.movedim(
        _tensor(x), source, destination)),
    "Swapaxes": (_N, ("axis1", "axis2"), lambda x, axis1, axis2: torch.swapaxes(_tensor(x), axis1, axis2)),
    "BroadcastTo": (_N, ("shape",), lambda x, shape: torch.broadcast_to(_tensor(x), tuple(shape))),
    "Ravel": (_N, (), _unary(lambda x: x.reshape(-1))),
    "GetItem": (_N, (), _get_item),
    "ZerosLike": (_N, ("dtype",), lambda x, dtype=None: torch.zeros_like(
        _tensor(x), dtype=None if dtype is None else to_torch_dtype(dtype))),
    "OnesLike": (_N, ("dtype",), lambda x, dtype=None: torch.ones_like(
        _tensor(x), dtype=None if dtype is None else to_torch_dtype(dtype))),
    # nn
    "Relu": (_NN, (), _unary(F.relu)),
    "Relu6": (_NN, (), _unary(F.relu6)),
    "Sigmoid": (_NN, (), _unary(torch.sigmoid)),
    "Silu": (_NN, (), _unary(F.silu)),
    "HardSigmoid": (_NN, (), _unary(_hard_sigmoid)),
    "HardSilu": (_NN, (), _unary(lambda x: x * _hard_sigmoid(x))),
    "HardTanh": (_NN, (), _unary(F.hardtanh)),
    "Softplus": (_NN, (), _unary(F.softplus)),
    "Softsign": (_NN, (), _unary(F.softsign)),
    "Selu": (_NN, (), _unary(F.selu)),
    "LogSigmoid": (_NN, (), _unary(F.logsigmoid)),
    "Elu": (_NN, ("alpha",), lambda x, alpha=1.0: F.elu(_tensor(x), alpha=alpha)),
    "Celu": (_NN, ("alpha",), lambda x, alpha=1.0: F.celu(_tensor(x), alpha=alpha)),
    "LeakyRelu": (_NN, ("negative_slope",), lambda x, negative_slope=0.2: F.leaky_relu(_tensor(x), negative_slope)),
    "Gelu": (_NN, ("approximate",), _gelu),
    "Softmax": (_NN, ("axis",), _softmax(torch.softmax)),
    "LogSoftmax": (_NN, ("axis",), _softmax(torch.log_softmax)),
    # core / math
    "Cast": (_CORE, ("dtype",), _cast),
    "ConvertToTensor": (_CORE, ("dtype", "sparse", "ragged"), lambda x, dtype=None, **_: (
        _tensor(x) if dtype is None else _cast(x, dtype))),
    "StopGradient": (_CORE, (), lambda variable: _tensor(variable).detach()),
    "Erf": (_MATH, (), _unary(torch.erf)),
    "Rsqrt": (_MATH, (), _unary(torch.rsqrt)),
    "Logsumexp": (_MATH, _AXIS_KEEP, _logsumexp),
}


def operation_class(class_name: str) -> type[KerasOperation]:
    """The :class:`KerasOperation` subclass of Keras operation ``class_name`` (``"Add"``, ``"Reshape"``...).

    Raises:
        ValueError: ``class_name`` is not an operation keras_torch implements.
    """
    cls = registry.lookup("operations", class_name)
    if cls is None:
        raise ValueError(f"Unknown Keras operation '{class_name}': keras_torch does not implement it in functional "
                         f"models.{registry.did_you_mean(class_name, OPERATIONS)} Implemented: {sorted(OPERATIONS)}")
    return cls


def _define(class_name: str, module: str, config_args: tuple[str, ...], fn: Callable) -> type[KerasOperation]:
    cls = type(class_name, (KerasOperation,), {
        "keras_module": module, "config_args": config_args, "compute": staticmethod(fn),
        "__doc__": f"Keras 3's ``{module}.{class_name}`` operation.", "__module__": __name__,
    })
    return registry.register(class_name, category="operations")(cls)


for _name, (_module, _args, _fn) in OPERATIONS.items():
    _define(_name, _module, _args, _fn)
del _name, _module, _args, _fn
