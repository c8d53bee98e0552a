"""What every op shares: tensor conversion with Keras's rules, dtype promotion of operands, and the
one dispatch between eager tensors and symbolic ``KerasTensor`` arguments.

An op is a plain function on tensors. ``@op`` adds the symbolic branch: when an argument is a
KerasTensor the call is recorded in the functional graph, its output spec coming from a shape rule
(``rule=``) or, by default, from running the function on shape-only ``meta`` tensors (no compute).
Hot binary ops (``add``, ``matmul``...) test ``type(x) is Tensor`` inline instead and call torch
directly, so they cost one Python call over torch.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import dtype_promotion as dtypes
from keras_torch.core.symbolic import KerasTensor, apply_op

Tensor = torch.Tensor

_INT32_MIN, _INT32_MAX = -(2**31), 2**31 - 1


# ---- conversion
def tensor(x: Any, dtype: Any = None, device: torch.device | None = None) -> Tensor:
    """``keras.ops.convert_to_tensor`` on torch: Python ints become int32 (int64 when large), Python
    floats floatx, NumPy arrays keep their dtype, lists promote their elements like Keras."""
    if isinstance(x, Tensor):
        if dtype is None:
            return x
        return x.to(dtypes.to_torch(dtype))
    if isinstance(x, KerasTensor):
        raise TypeError(
            f"A symbolic KerasTensor ({x}) cannot be converted to a torch tensor. Use it inside a functional "
            "model, or call the op on real tensors."
        )
    tdt = None if dtype is None else dtypes.to_torch(dtype)
    if isinstance(x, (bool, int, float, complex)):
        if tdt is None:
            tdt = _scalar_dtype(x)
        return torch.tensor(x, dtype=tdt, device=device)
    if isinstance(x, (list, tuple)):
        if builtins.any(isinstance(v, Tensor) for v in x):
            return torch.stack([tensor(v, dtype, device) for v in x])
        arr = np.asarray(x)
        if tdt is None and arr.dtype != object:
            tdt = dtypes.to_torch(dtypes.result_type(*_leaf_types(x))) if arr.size else dtypes.to_torch(None)
        return torch.as_tensor(arr, dtype=tdt, device=device)
    arr = np.asarray(x)
    if arr.dtype.kind in "USO":
        raise TypeError(f"Cannot convert {type(x).__name__} of dtype {arr.dtype} to a tensor.")
    if arr.dtype.name == "bfloat16":
        arr, tdt = arr.astype(np.float32), tdt or torch.bfloat16
    if not arr.flags.writeable:
        arr = arr.copy()
    return torch.as_tensor(arr, dtype=tdt, device=device)


def _scalar_dtype(x: Any) -> torch.dtype:
    if isinstance(x, bool):
        return torch.bool
    if isinstance(x, int):
        return torch.int32 if _INT32_MIN <= x <= _INT32_MAX else torch.int64
    if isinstance(x, float):
        return dtypes.to_torch(_config.floatx())
    return torch.complex64


def _leaf_types(x: Any) -> list:
    out: list = []
    for v in x:
        if isinstance(v, (list, tuple)):
            out.extend(_leaf_types(v))
        elif isinstance(v, (bool, int, float)):
            out.append(type(v))
        else:
            out.append(getattr(v, "dtype", type(v)))
    return out or [float]


def to_numpy(x: Any) -> np.ndarray:
    """NumPy copy of a tensor (detached, on the CPU) or of anything array-like."""
    if isinstance(x, Tensor):
        x = x.detach()
        if x.is_conj():
            x = x.resolve_conj()
        if x.dtype == torch.bfloat16:
            return x.cpu().float().numpy()
        return x.cpu().numpy()
    if isinstance(x, (list, tuple)):
        return np.asarray([to_numpy(v) for v in x])
    return np.asarray(x)


def keras_dtype(x: Any) -> Any:
    """The dtype an operand brings to promotion: a torch dtype, or ``int``/``float`` for weak scalars."""
    if isinstance(x, (Tensor, KerasTensor)):
        return x.dtype
    if x is int or x is float or x is bool:
        return x
    if isinstance(x, bool):
        return bool
    if isinstance(x, (int, float)):
        return type(x)
    if isinstance(x, (np.ndarray, np.generic)):
        return x.dtype
    return tensor(x).dtype


@functools.lru_cache(maxsize=4096)
def _result(floatx: str, *dts: Any) -> torch.dtype:
    return dtypes.torch_result_type(*dts)


def result(*xs: Any) -> torch.dtype:
    """Keras result dtype (as torch dtype) of mixing the operands ``xs`` (tensors, arrays, scalars)."""
    return _result(_config.floatx(), *(keras_dtype(x) for x in xs))


def result_of(*dts: Any) -> torch.dtype:
    """Keras result dtype (as torch dtype) of dtypes (torch dtypes, names, ``int``/``float``)."""
    return _result(_config.floatx(), *dts)


@functools.lru_cache(maxsize=256)
def _scalar_result(floatx: str, dt: torch.dtype, scalar_type: type) -> torch.dtype:
    return dtypes.torch_result_type(dt, scalar_type)


def scalar_result(dt: torch.dtype, scalar: Any) -> torch.dtype:
    """Keras result dtype of a tensor of ``dt`` with a Python scalar (weak unless a bool)."""
    return _scalar_result(_config.floatx(), dt, bool if isinstance(scalar, bool) else type(scalar))


def float_of(dt: torch.dtype) -> torch.dtype:
    """The dtype a float-valued op returns for an input of dtype ``dt`` (ints and bools -> floatx)."""
    if dt.is_floating_point or dt.is_complex:
        return dt
    return _result(_config.floatx(), dt, float)


def device_of(*xs: Any) -> torch.device | None:
    """Device of the first tensor among ``xs`` (``None``: torch's default)."""
    for x in xs:
        if isinstance(x, Tensor):
            return x.device
    return None


def promote(*xs: Any, extra: Sequence[Any] = ()) -> tuple[list[Tensor], torch.dtype]:
    """Tensors of ``xs`` cast to their Keras result dtype (promoted with the ``extra`` dtypes too)."""
    dt = _result(_config.floatx(), *(keras_dtype(x) for x in xs), *extra)
    dev = device_of(*xs)
    return [tensor(x, device=dev).to(dt) for x in xs], dt


def cast(x: Tensor, dt: torch.dtype) -> Tensor:
    """``x`` as ``dt`` (no copy when it already is)."""
    return x if x.dtype == dt else x.to(dt)


# ---- axes and shapes
def canonical_axis(axis: int, ndim: int) -> int:
    """``axis`` in ``[0, ndim)``; Keras's ValueError when out of range."""
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"Axis {axis} is out of bounds for a tensor of rank {ndim}.")
    return axis % ndim if ndim else 0


def axes_tuple(axis: Any, ndim: int) -> tuple[int, ...] | None:
    """``axis`` (None, int or sequence) as a tuple of non-negative axes (None stays None)."""
    if axis is None:
        return None
    if isinstance(axis, (list, tuple)):
        return tuple(canonical_axis(int(a), ndim) for a in axis)
    return (canonical_axis(int(axis), ndim),)


def shape_tuple(shape: Any) -> tuple[int, ...]:
    """A shape argument (int, sequence, tensor) as a tuple of ints."""
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    if isinstance(shape, Tensor):
        return tuple(int(v) for v in shape.reshape(-1).tolist())
    return tuple(int(v) for v in shape)


def broadcast_shapes(shape1: Sequence[Any], shape2: Sequence[Any]) -> tuple:
    """Broadcast two (possibly partially unknown) shapes; Keras's ValueError when they do not."""
    s1, s2 = list(shape1), list(shape2)
    n = builtins.max(len(s1), len(s2))
    a, b = [1] * (n - len(s1)) + s1, [1] * (n - len(s2)) + s2
    out = []
    for d1, d2 in zip(a, b):
        if d1 == 1:
            out.append(d2)
        elif d1 is None:
            out.append(None if d2 == 1 else d2)
        elif d2 == 1 or d2 is None or d2 == d1:
            out.append(d1)
        else:
            raise ValueError(
                f"Cannot broadcast shape, the failure dim has value {d1}, which cannot be broadcasted to {d2}. "
                f"Input shapes are: {list(shape1)} and {list(shape2)}."
            )
    return tuple(out)


# ---- symbolic dispatch
def is_symbolic(x: Any) -> bool:
    """Whether ``x`` (or a list/tuple in it) holds a KerasTensor."""
    if isinstance(x, KerasTensor):
        return True
    if isinstance(x, (list, tuple)):
        return builtins.any(is_symbolic(v) for v in x)
    return False


_PLAIN = frozenset({Tensor, int, float, bool, str, type(None)})


def has_symbolic(args: tuple, kwargs: dict) -> bool:
    """Whether any argument is (or contains) a KerasTensor (runs on every op call: plain tensors
    and scalars are skipped by their type first)."""
    for a in args:
        if type(a) not in _PLAIN and (isinstance(a, KerasTensor) or (isinstance(a, (list, tuple)) and is_symbolic(a))):
            return True
    if kwargs:
        for a in kwargs.values():
            if type(a) not in _PLAIN and (
                    isinstance(a, KerasTensor) or (isinstance(a, (list, tuple)) and is_symbolic(a))):
                return True
    return False


def shape_of(x: Any) -> tuple:
    """Static shape of a tensor, KerasTensor, array or scalar."""
    if isinstance(x, (Tensor, KerasTensor)):
        return tuple(x.shape)
    return tuple(np.shape(x))


def spec(shape: Sequence[Any], dtype: Any) -> KerasTensor:
    """A KerasTensor without history: an output spec."""
    return KerasTensor(tuple(shape), dtypes.standardize_dtype(dtype))


_FILLS = ((2, 3), (4, 6))  # sizes for unknown (first, other) dims, two runs
# Errors a shape-only (meta) run may raise where a real run would not; other errors are the op's own.
_META_ERRORS = (RuntimeError, NotImplementedError, TypeError, IndexError)


def _known_dims(x: Any, out: list) -> list:
    """Shapes of the tensor-like arguments (KerasTensors with their unknown dims as None)."""
    if isinstance(x, (Tensor, KerasTensor, np.ndarray)):
        out.append(tuple(x.shape))
    elif isinstance(x, (list, tuple)):
        for v in x:
            _known_dims(v, out)
    elif isinstance(x, dict):
        for v in x.values():
            _known_dims(v, out)
    return out


def _matched_size(shape: tuple, i: int, shapes: list, default: int) -> int:
    """Size for unknown dim ``i``: the known size other arguments have at the same trailing position."""
    r = len(shape) - i
    sizes = [s[-r] for s in shapes if len(s) >= r and s[-r] is not None and s[-r] != 1]
    return builtins.max(sizes) if sizes else default


def _meta_args(args: tuple, kwargs: dict, size: Callable[[KerasTensor, int], int]) -> tuple[tuple, dict]:
    def concrete(x: Any) -> Any:
        if isinstance(x, KerasTensor):
            shape = [size(x, i) if d is None else d for i, d in enumerate(x.shape)]
            return torch.empty(shape, dtype=dtypes.to_torch(x.dtype), device="meta")
        if isinstance(x, Tensor):
            return torch.empty_like(x, device="meta")
        if isinstance(x, np.ndarray) and x.dtype.kind in "biufc":
            return torch.empty(x.shape, dtype=dtypes.to_torch(x.dtype), device="meta")
        if isinstance(x, (list, tuple)) and (is_symbolic(x) or builtins.any(isinstance(v, Tensor) for v in x)):
            return type(x)(concrete(v) for v in x)
        return x

    return tuple(concrete(a) for a in args), {k: concrete(v) for k, v in kwargs.items()}


def _run_meta(fn: Callable, args: tuple, kwargs: dict, size: Callable[[KerasTensor, int], int]) -> tuple[Any, list]:
    meta_args, meta_kwargs = _meta_args(args, kwargs, size)
    out = fn(*meta_args, **meta_kwargs)
    flat = _flatten(out)
    if not builtins.all(isinstance(t, Tensor) for t in flat):
        raise TypeError("non-tensor output")
    return out, flat


def infer_spec(fn: Callable, args: tuple, kwargs: dict) -> Any:
    """Output spec of ``fn`` on symbolic arguments by running it on meta tensors (no compute).

    Unknown dims get two different sizes; output dims that change are unknown. If that fails (an
    unknown dim must equal a known dim of another argument), unknown dims take the size the other
    arguments have at the same trailing position -- Keras merges an unknown dim with a known one --
    and the remaining unknown dims still get two sizes. Returns ``None`` when the op cannot run on
    meta tensors (it reads values): the caller then runs it on zeros.
    """
    unknown = builtins.any(d is None for t in _keras_tensors((args, kwargs)) for d in t.shape)
    shapes = _known_dims((args, kwargs), []) if unknown else []
    error: Exception | None = None
    for matched in (False, True) if unknown else (False,):
        def size(t: KerasTensor, i: int, fill: tuple, matched: bool = matched) -> int:
            default = fill[0] if i == 0 else fill[1]
            return _matched_size(t.shape, i, shapes, default) if matched else default

        try:
            runs = [_run_meta(fn, args, kwargs, functools.partial(size, fill=fill))
                    for fill in _FILLS[: 2 if unknown else 1]]
        except _META_ERRORS:
            continue
        except (ValueError, ArithmeticError) as e:
            if not unknown:
                raise
            error = error or e
            continue
        out, first = runs[0]
        last = runs[-1][1]
        specs = [spec(tuple(d1 if d1 == d2 else None for d1, d2 in zip(t1.shape, t2.shape)), t1.dtype)
                 for t1, t2 in zip(first, last)]
        return _pack(out, iter(specs))
    if error is not None:
        raise error
    return None


def _keras_tensors(x: Any) -> list[KerasTensor]:
    if isinstance(x, KerasTensor):
        return [x]
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _keras_tensors(v)]
    if isinstance(x, dict):
        return [t for v in x.values() for t in _keras_tensors(v)]
    return []


def _flatten(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [t for v in x for t in _flatten(v)]
    return [x]


def _pack(structure: Any, it: Any) -> Any:
    if isinstance(structure, (list, tuple)):
        packed = [_pack(v, it) for v in structure]
        return packed if isinstance(structure, list) else (
            type(structure)(*packed) if hasattr(structure, "_fields") else tuple(packed))
    return next(it)


def symbolic_call(fn: Callable, args: tuple, kwargs: dict, rule: Callable | None = None, name: str | None = None) -> Any:
    """Record ``fn`` on symbolic arguments; outputs shaped by ``rule`` or inferred on meta tensors."""
    out_spec = rule(*args, **kwargs) if rule is not None else infer_spec(fn, args, kwargs)
    return apply_op(fn, args, kwargs, name=name or fn.__name__, output_spec=out_spec)


def op(fn: Callable | None = None, *, rule: Callable | None = None) -> Any:
    """Make ``fn`` accept KerasTensors: such calls are recorded in the functional graph.

    Args:
        fn: The eager implementation (on tensors, arrays, scalars).
        rule: Optional shape rule, called with the symbolic arguments, returning the output spec
            (KerasTensors made with :func:`spec`). Without it the spec is inferred on meta tensors.
    """
    if fn is None:
        return functools.partial(op, rule=rule)

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if has_symbolic(args, kwargs):
            return symbolic_call(fn, args, kwargs, rule)
        return fn(*args, **kwargs)

    wrapper.__wrapped__ = fn
    return wrapper
