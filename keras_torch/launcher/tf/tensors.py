"""Top-level ``tf.*`` tensor functions: creation, conversion, shapes, indexing and control flow.

Each one returns torch tensors (string values: :class:`~keras_torch.utils.string_tensor.StringTensor`)
and follows TensorFlow's argument names and defaults; where Keras has the same op, it is called
through ``keras_torch.ops``.
"""

from __future__ import annotations

import builtins
import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch import ops as _ops
from keras_torch.core import tree
from keras_torch.launcher.tf import _convert as cv
from keras_torch.utils.string_tensor import StringTensor
from keras_torch.utils.unsupported import unsupported

Tensor = torch.Tensor


# ---------------------------------------------------------------------------- conversion and creation
def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> Any:
    """``tf.constant``: Python values follow TensorFlow's dtypes (float32, int32); ``shape`` broadcasts."""
    t = cv.tensor(value, dtype)
    if shape is None:
        return t
    dims = cv.shape(shape)
    if t.numel() == int(np.prod(dims)):
        return t.reshape(dims)
    return torch.broadcast_to(t, dims).clone()


def convert_to_tensor(value: Any, dtype: Any = None, dtype_hint: Any = None, name: str | None = None) -> Any:
    if dtype is None and dtype_hint is not None and not isinstance(value, (torch.Tensor, np.ndarray)):
        return cv.tensor(value, dtype_hint)
    return cv.tensor(value, dtype)


def cast(x: Any, dtype: Any, name: str | None = None) -> torch.Tensor:
    """``tf.cast``: float to int truncates toward zero, as TensorFlow does."""
    return _ops.cast(cv.tensor(x), cv.dtype(dtype))


def is_tensor(x: Any) -> bool:
    return isinstance(x, (torch.Tensor, StringTensor))


def zeros(shape: Any, dtype: Any = torch.float32, name: str | None = None) -> torch.Tensor:
    return torch.zeros(cv.shape(shape), dtype=cv.dtype(dtype))


def ones(shape: Any, dtype: Any = torch.float32, name: str | None = None) -> torch.Tensor:
    return torch.ones(cv.shape(shape), dtype=cv.dtype(dtype))


def zeros_like(input: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.zeros_like(cv.tensor(input), dtype=cv.dtype(dtype) if dtype is not None else None)


def ones_like(input: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.ones_like(cv.tensor(input), dtype=cv.dtype(dtype) if dtype is not None else None)


def fill(dims: Any, value: Any, name: str | None = None) -> torch.Tensor:
    v = cv.tensor(value)
    return torch.full(cv.shape(dims), v.item(), dtype=v.dtype)


def eye(num_rows: int, num_columns: int | None = None, batch_shape: Any = None, dtype: Any = torch.float32,
        name: str | None = None) -> torch.Tensor:
    out = _ops.eye(int(num_rows), int(num_columns or num_rows), dtype=cv.dtype(dtype))
    return out.expand(*cv.shape(batch_shape), *out.shape).clone() if batch_shape is not None else out


def range(start: Any, limit: Any = None, delta: Any = 1, dtype: Any = None, name: str = "range") -> torch.Tensor:  # noqa: A001
    """``tf.range``: int32 for int arguments, float32 when one is a float (or ``dtype``)."""
    if limit is None:
        start, limit = 0, start
    values = [cv.tensor(v) if not isinstance(v, torch.Tensor) else v for v in (start, limit, delta)]
    floating = builtins.any(v.is_floating_point() for v in values)
    out_dtype = cv.dtype(dtype) if dtype is not None else (torch.float32 if floating else torch.int32)
    return torch.arange(*(v.item() for v in values), dtype=out_dtype)


def linspace(start: Any, stop: Any, num: int, name: str | None = None, axis: int = 0) -> torch.Tensor:
    return _ops.linspace(cv.tensor(start), cv.tensor(stop), int(num), axis=axis)


# ---------------------------------------------------------------------------- shapes
def shape(input: Any, out_type: Any = torch.int32, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return torch.tensor(tuple(input.shape), dtype=cv.dtype(out_type))


def rank(input: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return torch.tensor(len(cv.tensor(input).shape), dtype=torch.int32)


def size(input: Any, out_type: Any = torch.int32, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return torch.tensor(int(np.prod(cv.tensor(input).shape)), dtype=cv.dtype(out_type))


def reshape(tensor: Any, shape: Any, name: str | None = None) -> Any:
    t = cv.tensor(tensor)
    dims = cv.shape(shape)
    return t.reshape(dims) if isinstance(t, StringTensor) else _ops.reshape(t, dims)


def transpose(a: Any, perm: Any = None, conjugate: bool = False, name: str = "transpose") -> torch.Tensor:
    return _ops.transpose(cv.tensor(a), cv.axis(perm))


def expand_dims(input: Any, axis: int, name: str | None = None) -> Any:  # noqa: A002
    t = cv.tensor(input)
    return StringTensor(np.expand_dims(t, int(axis))) if isinstance(t, StringTensor) else _ops.expand_dims(t, int(axis))


def squeeze(input: Any, axis: Any = None, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.squeeze(cv.tensor(input), cv.axis(axis))


def concat(values: list[Any], axis: int, name: str = "concat") -> Any:
    parts = [cv.tensor(v) for v in values]
    if builtins.any(isinstance(p, StringTensor) for p in parts):
        return StringTensor(np.concatenate(parts, axis=int(axis)))
    return _ops.concatenate(parts, axis=int(axis))


def stack(values: list[Any], axis: int = 0, name: str = "stack") -> Any:
    parts = [cv.tensor(v) for v in values]
    if builtins.any(isinstance(p, StringTensor) for p in parts):
        return StringTensor(np.stack(parts, axis=int(axis)))
    return _ops.stack(parts, axis=int(axis))


def unstack(value: Any, num: int | None = None, axis: int = 0, name: str = "unstack") -> list[torch.Tensor]:
    return _ops.unstack(cv.tensor(value), num=num, axis=int(axis))


def split(value: Any, num_or_size_splits: Any, axis: int = 0, num: int | None = None,
          name: str = "split") -> list[torch.Tensor]:
    t = cv.tensor(value)
    ax = int(axis)
    if isinstance(num_or_size_splits, int):
        if t.shape[ax] % num_or_size_splits:
            raise ValueError(f"Dimension {ax} of size {t.shape[ax]} is not evenly divisible by {num_or_size_splits}.")
        return list(torch.split(t, t.shape[ax] // num_or_size_splits, dim=ax))
    sizes = list(cv.shape(num_or_size_splits))
    if -1 in sizes:
        sizes[sizes.index(-1)] = t.shape[ax] - (sum(sizes) + 1)
    return list(torch.split(t, sizes, dim=ax))


def tile(input: Any, multiples: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.tile(cv.tensor(input), cv.shape(multiples))


def repeat(input: Any, repeats: Any, axis: int | None = None, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.repeat(cv.tensor(input), repeats if isinstance(repeats, int) else cv.tensor(repeats),
                       axis=None if axis is None else int(axis))


def broadcast_to(input: Any, shape: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.broadcast_to(cv.tensor(input), cv.shape(shape))


def pad(tensor: Any, paddings: Any, mode: str = "CONSTANT", constant_values: Any = 0,
        name: str | None = None) -> torch.Tensor:
    t = cv.tensor(tensor)
    pairs = cv.tensor(paddings).tolist()
    mode = mode.upper()
    if mode == "CONSTANT":
        return _ops.pad(t, pairs, mode="constant", constant_values=constant_values)
    if mode == "REFLECT":
        return _reflect_pad(t, pairs, 1)
    if mode == "SYMMETRIC":
        return _reflect_pad(t, pairs, 0)
    raise ValueError(f"Unknown padding mode: {mode}. Expected 'CONSTANT', 'REFLECT' or 'SYMMETRIC'.")


def _reflect_pad(t: torch.Tensor, pairs: list[list[int]], offset: int) -> torch.Tensor:
    # Per axis, gather mirrored indices: REFLECT skips the edge row (offset 1), SYMMETRIC repeats it.
    for ax, (before, after) in enumerate(pairs):
        n = t.shape[ax]
        idx = list(builtins.range(before + offset - 1, offset - 1, -1)) + list(builtins.range(n))
        idx += list(builtins.range(n - 1 - offset, n - 1 - offset - after, -1))
        t = torch.index_select(t, ax, torch.tensor(idx, dtype=torch.long))
    return t


def reverse(tensor: Any, axis: Any, name: str | None = None) -> torch.Tensor:
    return _ops.flip(cv.tensor(tensor), axis=cv.axis(list(cv.shape(axis))))


def roll(input: Any, shift: Any, axis: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    return _ops.roll(cv.tensor(input), cv.axis(shift), axis=cv.axis(axis))


# ---------------------------------------------------------------------------- indexing
def gather(params: Any, indices: Any, validate_indices: Any = None, axis: Any = None, batch_dims: int = 0,
           name: str | None = None) -> Any:
    t = cv.tensor(params)
    idx = cv.tensor(indices)
    ax = int(axis or 0) % builtins.max(1, t.ndim)
    if isinstance(t, StringTensor):
        return StringTensor(np.take(np.asarray(t), idx.numpy(), axis=ax))
    if batch_dims == 0:
        return _ops.take(t, idx, axis=ax)
    b = batch_dims % builtins.max(1, idx.ndim)
    if ax != b:
        raise unsupported(f"tf.gather(axis={axis}, batch_dims={batch_dims})")
    flat_t = t.reshape(-1, *t.shape[b:])
    flat_i = idx.reshape(-1, *idx.shape[b:])
    rows = [_ops.take(p, i, axis=0) for p, i in zip(flat_t, flat_i)]
    return torch.stack(rows).reshape(*idx.shape[:b], *rows[0].shape)


def gather_nd(params: Any, indices: Any, batch_dims: int = 0, name: str | None = None) -> torch.Tensor:
    if batch_dims:
        raise unsupported("tf.gather_nd(batch_dims=...)")
    t, idx = cv.tensor(params), cv.tensor(indices).long()
    return t[tuple(idx[..., k] for k in builtins.range(idx.shape[-1]))]


def scatter_nd(indices: Any, updates: Any, shape: Any, name: str | None = None) -> torch.Tensor:
    """Updates summed into zeros of ``shape`` at ``indices`` (duplicates add up, as in TensorFlow)."""
    return _ops.scatter(cv.tensor(indices), cv.tensor(updates), cv.shape(shape))


def tensor_scatter_nd_update(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> torch.Tensor:
    t = cv.tensor(tensor)
    return _ops.scatter_update(t, cv.tensor(indices), cv.tensor(updates).to(t.dtype))


def tensor_scatter_nd_add(tensor: Any, indices: Any, updates: Any, name: str | None = None) -> torch.Tensor:
    t = cv.tensor(tensor)
    return _ops.scatter_update(t, cv.tensor(indices), cv.tensor(updates).to(t.dtype), reduction="add")


def boolean_mask(tensor: Any, mask: Any, axis: int | None = None, name: str = "boolean_mask") -> Any:
    t, m = cv.tensor(tensor), cv.tensor(mask)
    ax = int(axis or 0)
    if isinstance(t, StringTensor):
        return StringTensor(np.asarray(t)[(slice(None),) * ax + (m.numpy().astype(bool),)])
    return t[(slice(None),) * ax + (m.bool(),)]


def where(condition: Any, x: Any = None, y: Any = None, name: str | None = None) -> torch.Tensor:
    """``tf.where``: with ``x``/``y`` a select; alone, the int64 coordinates of true entries."""
    cond = cv.tensor(condition)
    if x is None and y is None:
        return torch.nonzero(cond.bool()).to(torch.int64)
    a, b = cv.tensor(x), cv.tensor(y)
    return _ops.where(cond.bool(), a, b)


def one_hot(indices: Any, depth: int, on_value: Any = None, off_value: Any = None, axis: int | None = None,
            dtype: Any = None, name: str | None = None) -> torch.Tensor:
    """``tf.one_hot``: float32 unless ``dtype``/``on_value`` say otherwise; out-of-range indices give zeros."""
    idx = cv.tensor(indices).long()
    out_dtype = cv.dtype(dtype) if dtype is not None else (
        cv.tensor(on_value).dtype if on_value is not None else torch.float32)
    valid = (idx >= 0) & (idx < int(depth))
    hot = torch.nn.functional.one_hot(torch.where(valid, idx, 0), int(depth)) * valid[..., None]
    on = 1 if on_value is None else cv.tensor(on_value).item()
    off = 0 if off_value is None else cv.tensor(off_value).item()
    out = torch.where(hot.bool(), torch.tensor(on, dtype=out_dtype), torch.tensor(off, dtype=out_dtype))
    return out if axis in (None, -1) else torch.movedim(out, -1, int(axis))


def sequence_mask(lengths: Any, maxlen: Any = None, dtype: Any = torch.bool, name: str | None = None) -> torch.Tensor:
    lens = cv.tensor(lengths)
    n = int(lens.max()) if maxlen is None else int(maxlen)
    return (torch.arange(n) < lens[..., None]).to(cv.dtype(dtype))


def meshgrid(*args: Any, indexing: str = "xy", name: str | None = None) -> list[torch.Tensor]:
    return _ops.meshgrid(*[cv.tensor(a) for a in args], indexing=indexing)


def unique(x: Any, out_idx: Any = torch.int32, name: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(values, index)``, values in order of first appearance (TensorFlow's order)."""
    t = cv.tensor(x)
    values, first, inverse = np.unique(t.numpy(), return_index=True, return_inverse=True)
    order = np.argsort(first)
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return (torch.as_tensor(values[order]).to(t.dtype),
            torch.as_tensor(rank[inverse.reshape(-1)]).to(cv.dtype(out_idx)))


def argsort(values: Any, axis: int = -1, direction: str = "ASCENDING", stable: bool = False,
            name: str | None = None) -> torch.Tensor:
    t = cv.tensor(values)
    return torch.argsort(t, dim=int(axis), descending=direction == "DESCENDING", stable=True).to(torch.int32)


def sort(values: Any, axis: int = -1, direction: str = "ASCENDING", name: str | None = None) -> torch.Tensor:
    return torch.sort(cv.tensor(values), dim=int(axis), descending=direction == "DESCENDING", stable=True).values


# ---------------------------------------------------------------------------- clipping
def clip_by_value(t: Any, clip_value_min: Any, clip_value_max: Any, name: str | None = None) -> torch.Tensor:
    x = cv.tensor(t)
    return torch.clamp(x, cv.like(clip_value_min, x), cv.like(clip_value_max, x))


def clip_by_norm(t: Any, clip_norm: Any, axes: Any = None, name: str | None = None) -> torch.Tensor:
    """``t * clip_norm / max(l2norm(t), clip_norm)``, the norm over ``axes`` (all by default)."""
    x = cv.tensor(t)
    ax = cv.axis(axes)
    sq = torch.sum(x * x, dim=ax, keepdim=True) if ax is not None else torch.sum(x * x)
    norm = torch.sqrt(sq)
    c = cv.like(clip_norm, x)
    return x * c / torch.maximum(norm, c)


def clip_by_global_norm(t_list: Any, clip_norm: Any, use_norm: Any = None,
                        name: str | None = None) -> tuple[list[Any], torch.Tensor]:
    """``(clipped tensors, global norm)``: all scaled by ``clip_norm / max(global_norm, clip_norm)``."""
    items = [None if t is None else cv.tensor(t) for t in t_list]
    present = [t for t in items if t is not None]
    if use_norm is None:
        use_norm = torch.sqrt(builtins.sum(torch.sum(t.float() * t.float()) for t in present))
    norm = cv.tensor(use_norm)
    c = float(clip_norm)
    scale = c / torch.maximum(norm, torch.tensor(c, dtype=norm.dtype))
    return [None if t is None else t * scale.to(t.dtype) for t in items], norm


# ---------------------------------------------------------------------------- identity, gradients, checks
def identity(input: Any, name: str | None = None) -> Any:  # noqa: A002
    return input


def stop_gradient(input: Any, name: str | None = None) -> Any:  # noqa: A002
    return _ops.stop_gradient(cv.tensor(input))


def ensure_shape(x: Any, shape: Any, name: str | None = None) -> Any:
    """``x`` unchanged after checking it against ``shape`` (``None`` dims match anything)."""
    dims = list(shape) if shape is not None else None
    if dims is not None and (len(dims) != len(x.shape) or builtins.any(
            d is not None and int(d) != s for d, s in zip(dims, x.shape))):
        raise ValueError(f"Shape of tensor {tuple(x.shape)} is not compatible with expected shape {dims}.")
    return x


def get_static_value(tensor: Any, partial: bool = False) -> Any:
    t = cv.tensor(tensor)
    return t.numpy() if isinstance(t, StringTensor) else t.detach().cpu().numpy()


def executing_eagerly() -> bool:
    return True


# ---------------------------------------------------------------------------- control flow (eager Python)
def cond(pred: Any, true_fn: Callable | None = None, false_fn: Callable | None = None, name: str | None = None) -> Any:
    return true_fn() if bool(pred) else false_fn()


def case(pred_fn_pairs: Any, default: Callable | None = None, exclusive: bool = False, strict: bool = False,
         name: str = "case") -> Any:
    for pred, fn in pred_fn_pairs:
        if bool(pred):
            return fn()
    return default()


def while_loop(cond: Callable, body: Callable, loop_vars: Any, shape_invariants: Any = None,
               parallel_iterations: int = 10, back_prop: bool = True, swap_memory: bool = False,
               maximum_iterations: Any = None, name: str | None = None) -> Any:
    single = not isinstance(loop_vars, (list, tuple))
    state = (loop_vars,) if single else tuple(loop_vars)
    steps = 0
    while bool(cond(*state)) and (maximum_iterations is None or steps < int(maximum_iterations)):
        out = body(*state)
        state = (out,) if single else tuple(out)
        steps += 1
    if single:
        return state[0]
    return list(state) if isinstance(loop_vars, list) else state


def map_fn(fn: Callable, elems: Any, dtype: Any = None, parallel_iterations: Any = None, back_prop: bool = True,
           swap_memory: bool = False, infer_shape: bool = True, name: str | None = None,
           fn_output_signature: Any = None) -> Any:
    """``fn`` on each row of ``elems`` (a tensor or a structure of tensors), results stacked."""
    flat = [cv.tensor(e) for e in tree.flatten(elems)]
    n = flat[0].shape[0]
    outs = [fn(tree.pack_like(elems, [e[i] for e in flat]) if tree.is_nested(elems) else flat[0][i])
            for i in builtins.range(n)]
    first = outs[0]
    if tree.is_nested(first):
        columns = [[tree.flatten(o)[j] for o in outs] for j in builtins.range(len(tree.flatten(first)))]
        return tree.pack_like(first, [stack(c) for c in columns])
    return stack(outs)


vectorized_map = map_fn


def numpy_function(func: Callable, inp: list[Any], Tout: Any, stateful: bool = True,  # noqa: N803
                   name: str | None = None) -> Any:
    """``func`` on numpy values, its result converted back (code runs eagerly, so no graph is needed)."""
    args = [i.numpy() if isinstance(i, StringTensor) else _ops.convert_to_numpy(i) if isinstance(i, torch.Tensor)
            else i for i in inp]
    out = func(*args)
    if isinstance(out, (list, tuple)):
        dtypes = Tout if isinstance(Tout, (list, tuple)) else [Tout] * len(out)
        return [cv.tensor(o, d) for o, d in zip(out, dtypes)]
    return cv.tensor(out, Tout)


def py_function(func: Callable, inp: list[Any], Tout: Any, name: str | None = None) -> Any:  # noqa: N803
    out = func(*inp)
    if isinstance(out, (list, tuple)):
        return [cv.tensor(o) for o in out]
    return cv.tensor(out)


# ---------------------------------------------------------------------------- printing, scopes
def print(*inputs: Any, output_stream: Any = sys.stderr, summarize: int = 3, sep: str = " ", end: str = "\n",  # noqa: A001
          name: str | None = None) -> None:
    """``tf.print``: tensors shown as TensorFlow shows them (``[1 2 3]``); written to stderr by default."""
    text = sep.join(_format(v, summarize) for v in inputs) + end
    if isinstance(output_stream, str) and output_stream.startswith("file://"):
        with open(output_stream[len("file://"):], "a", encoding="utf-8") as f:
            f.write(text)
        return
    (output_stream if hasattr(output_stream, "write") else sys.stderr).write(text)


def _format(value: Any, summarize: int) -> str:
    if isinstance(value, StringTensor):
        text = np.vectorize(lambda v: v if isinstance(v, str) else v.decode("utf-8", "replace"),
                            otypes=[object])(np.asarray(value))
        return str(text.item()) if value.ndim == 0 else _format_array(text, summarize, lambda v: f'"{v}"')
    if isinstance(value, torch.Tensor):
        return _format_array(value.detach().cpu().numpy(), summarize, _number)
    return str(value)


def _number(v: Any) -> str:
    if isinstance(v, (bool, np.bool_)):
        return str(int(v))
    return f"{v:g}" if isinstance(v, (float, np.floating)) else str(v)


def _format_array(arr: np.ndarray, summarize: int, item: Callable[[Any], str], depth: int = 0) -> str:
    """TensorFlow's layout: ``[1 2 3]``, rows on new lines, ``...`` beyond ``summarize`` items per end."""
    if np.ndim(arr) == 0:
        return item(arr.item() if isinstance(arr, (np.ndarray, np.generic)) else arr)
    n = arr.shape[0]
    idx = list(builtins.range(n)) if summarize < 0 or n <= 2 * summarize else (
        list(builtins.range(summarize)) + [None] + list(builtins.range(n - summarize, n)))
    parts = ["..." if i is None else _format_array(arr[i], summarize, item, depth + 1) for i in idx]
    sep = " " if arr.ndim == 1 else "\n" * (arr.ndim - 1) + " " * (depth + 1)
    return "[" + sep.join(parts) + "]"


@contextlib.contextmanager
def name_scope(name: str, *args: Any, **kwargs: Any) -> Iterator[str]:
    """``tf.name_scope``: names are for TensorFlow graphs; the block just runs."""
    yield name


@contextlib.contextmanager
def device(device_name: str) -> Iterator[None]:
    """``tf.device``: placement is keras_torch's (``KERAS_TORCH_DEVICE``); the block just runs."""
    yield
