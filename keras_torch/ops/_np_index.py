"""Indexing, sorting, searching and set ops of ``keras.ops.numpy``, and ``vectorize``.

Index results are int32, as in Keras. Negative indices count from the end (``take``,
``take_along_axis``). Ops whose output length depends on the values (``nonzero``, ``unique``
without ``size``) have an unknown dimension when called on symbolic tensors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def _wrap(idx: Tensor, n: int) -> Tensor:
    idx = idx.to(torch.int64)
    return torch.where(idx < 0, idx + n, idx)


@d.op
def take(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        indices: Integer indices (negative count from the end), any shape.
        axis: Axis to index.

    Returns:
        Tensor of shape ``x.shape[:axis] + indices.shape + x.shape[axis+1:]``.

    Example:

    >>> ops.take(ops.array([[1, 2], [3, 4]]), ops.array([1, 0]), axis=1)
    tensor([[2, 1],
            [4, 3]], dtype=torch.int32)
    """
    t = d.tensor(x)
    idx = d.tensor(indices, device=t.device)
    if axis is None:
        t, ax = t.reshape(-1), 0
    else:
        ax = d.canonical_axis(int(axis), t.ndim)
    idx = _wrap(idx, t.shape[ax])
    out = torch.index_select(t, ax, idx.reshape(-1))
    return out.reshape(*t.shape[:ax], *idx.shape, *t.shape[ax + 1:])


@d.op
def take_along_axis(x: Any, indices: Any, axis: int | None = None) -> Tensor:
    """Elements of ``x`` at ``indices`` along ``axis``; the other axes broadcast.

    Args:
        x: Input tensor.
        indices: Integer tensor of the same rank as ``x``.
        axis: Axis to index along; None indexes the flattened tensor.

    Returns:
        Tensor of the broadcast shape of ``x`` and ``indices``.

    Raises:
        ValueError: if ``indices`` and ``x`` have different ranks.

    Example:

    >>> x = ops.array([[10, 30, 20]])
    >>> ops.take_along_axis(x, ops.argsort(x, axis=1), axis=1)
    tensor([[10, 20, 30]], dtype=torch.int32)
    """
    t = d.tensor(x)
    idx = d.tensor(indices, device=t.device)
    if axis is None:
        t, ax = t.reshape(-1), 0
    else:
        ax = d.canonical_axis(int(axis), t.ndim)
    if idx.ndim != t.ndim:
        raise ValueError(
            f"`x` and `indices` must have the same number of dimensions, but have {t.ndim} and {idx.ndim}.")
    shape_x = list(t.shape)
    shape_i = list(idx.shape)
    shape_x[ax] = shape_i[ax] = 1
    common = d.broadcast_shapes(shape_x, shape_i)
    t = t.expand(*[t.shape[i] if i == ax else s for i, s in enumerate(common)])
    idx = _wrap(idx, t.shape[ax]).expand(*[idx.shape[i] if i == ax else s for i, s in enumerate(common)])
    return torch.gather(t, ax, idx)


def _sortable(t: Tensor) -> Tensor:
    return t.to(torch.uint8) if t.dtype == torch.bool else t


@d.op
def sort(x: Any, axis: int | None = -1) -> Tensor:
    """Sorted copy along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis to sort along; None sorts the flattened tensor.

    Returns:
        The sorted tensor.

    Example:

    >>> ops.sort(ops.array([3, 1, 2]))
    tensor([1, 2, 3], dtype=torch.int32)
    """
    t = d.tensor(x)
    if axis is None:
        t, axis = t.reshape(-1), 0
    return torch.sort(_sortable(t), dim=axis, stable=True).values.to(t.dtype)


@d.op
def argsort(x: Any, axis: int | None = -1) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (stable; None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis to sort along; None sorts the flattened tensor.

    Returns:
        int32 indices that sort ``x``.

    Example:

    >>> ops.argsort(ops.array([3, 1, 2]))
    tensor([1, 2, 0], dtype=torch.int32)
    """
    t = d.tensor(x)
    if axis is None:
        t, axis = t.reshape(-1), 0
    return torch.argsort(_sortable(t), dim=axis, stable=True).to(torch.int32)


@d.op(rule=lambda x, kth, axis=-1: d.spec(d.shape_of(x), "int32"))
def argpartition(x: Any, kth: int, axis: int = -1) -> Tensor:
    """Indices that partition ``x`` along ``axis``: the ``kth`` element lands in its sorted place,
    smaller ones before it, larger ones after (here: the stable full argsort).

    Args:
        x: Input tensor.
        kth: Index of the element that must land in its sorted position.
        axis: Axis to partition.

    Returns:
        int32 indices of the same shape as ``x``.

    Example:

    >>> ops.argpartition(ops.array([3, 1, 2]), 1)
    tensor([1, 2, 0], dtype=torch.int32)
    """
    t = d.tensor(x)
    ax = d.canonical_axis(axis, t.ndim)
    if not -t.shape[ax] <= kth < t.shape[ax]:
        raise ValueError(f"kth(={kth}) out of bounds ({t.shape[ax]})")
    return torch.argsort(_sortable(t), dim=ax, stable=True).to(torch.int32)


@d.op
def searchsorted(sorted_sequence: Any, values: Any, side: str = "left") -> Tensor:
    """Insertion indices of ``values`` in the 1-D ``sorted_sequence``.

    Args:
        sorted_sequence: 1-D tensor sorted in increasing order.
        values: Values to insert.
        side: "left" gives the first suitable index, "right" the last.

    Returns:
        int32 indices, same shape as ``values``.

    Raises:
        ValueError: for a non-1-D sequence or an unknown ``side``.

    Example:

    >>> ops.searchsorted(ops.array([1, 3, 5]), ops.array([3, 4]))
    tensor([1, 2], dtype=torch.int32)
    """
    if side not in ("left", "right"):
        raise ValueError(f"`side` must be either 'left' or 'right'. Received: side={side}")
    seq = d.tensor(sorted_sequence)
    if seq.ndim != 1:
        raise ValueError(f"`searchsorted` only supports 1-D sorted sequences. Received: shape={tuple(seq.shape)}")
    vals = d.tensor(values, device=seq.device)
    dt = d.result_of(seq.dtype, vals.dtype)
    return torch.searchsorted(seq.to(dt), vals.to(dt), right=side == "right").to(torch.int32)


@d.op
def digitize(x: Any, bins: Any) -> Tensor:
    """Index of the bin of each element: ``i`` with ``bins[i-1] <= x < bins[i]`` (increasing bins).

    Args:
        x: Input tensor.
        bins: 1-D tensor of increasing bin edges.

    Returns:
        int32 bin indices, same shape as ``x``.

    Raises:
        ValueError: if ``bins`` is not 1-D.

    Example:

    >>> ops.digitize(ops.array([0.5, 1.5, 3.0]), ops.array([1.0, 2.0]))
    tensor([0, 1, 2], dtype=torch.int32)
    """
    b = d.tensor(bins)
    if b.ndim != 1:
        raise ValueError(f"`bins` must be a 1-D array. Received: bins.shape={tuple(b.shape)}")
    t = d.tensor(x, device=b.device)
    dt = d.result_of(t.dtype, b.dtype)
    return torch.bucketize(t.to(dt), b.to(dt), right=True).to(torch.int32)


@d.op
def isin(x1: Any, x2: Any, assume_unique: bool = False, invert: bool = False) -> Tensor:
    """Whether each element of ``x1`` occurs in ``x2``.

    Args:
        x1: Tensor of elements to look up.
        x2: Tensor of reference values (flattened).
        assume_unique: Accepted for NumPy compatibility; the result is the same either way.
        invert: Return the negation (whether each element is absent from ``x2``).

    Returns:
        Boolean tensor of the shape of ``x1``.

    Example:

    >>> ops.isin(ops.array([1, 2, 3]), ops.array([2, 4]))
    tensor([False,  True, False])
    """
    a = d.tensor(x1)
    b = d.tensor(x2, device=a.device)
    dt = d.result_of(a.dtype, b.dtype)
    return torch.isin(a.to(dt), b.to(dt), assume_unique=assume_unique, invert=invert)


@d.op
def select(condlist: Any, choicelist: Any, default: Any = 0) -> Tensor:
    """Elements from ``choicelist`` where the matching ``condlist`` entry first holds, else ``default``.

    Args:
        condlist: List of boolean tensors.
        choicelist: List of tensors, one per condition.
        default: Value where no condition holds.

    Returns:
        Tensor of the broadcast shape of the conditions and choices.

    Raises:
        ValueError: if the lists differ in length or are empty.

    Example:

    >>> x = ops.array([1, 5, 9])
    >>> ops.select([x < 3, x > 7], [x, -x], default=0)
    tensor([ 1,  0, -9], dtype=torch.int32)
    """
    conds, choices = list(condlist), list(choicelist)
    if len(conds) != len(choices) or not conds:
        raise ValueError(
            f"`condlist` and `choicelist` must be non-empty and of the same length. Received: "
            f"{len(conds)} and {len(choices)}")
    dev = d.device_of(*choices, *conds)
    dt = d.result(*choices, default)
    out = d.tensor(default, device=dev).to(dt)
    for c, v in zip(reversed(conds), reversed(choices)):
        out = torch.where(d.tensor(c, device=dev).to(torch.bool), d.tensor(v, device=dev).to(dt), out)
    shape = d.broadcast_shapes(out.shape, torch.broadcast_shapes(*[d.shape_of(c) for c in conds]))
    return out.expand(shape).clone() if tuple(out.shape) != shape else out


def _nonzero_rule(x: Any) -> tuple:
    return tuple(d.spec((None,), "int32") for _ in d.shape_of(x))


@d.op(rule=_nonzero_rule)
def nonzero(x: Any) -> tuple[Tensor, ...]:
    """Indices of the non-zero elements, one int32 tensor per axis.

    Args:
        x: Input tensor.

    Returns:
        A tuple with one int32 tensor of indices per axis of ``x``.

    Example:

    >>> ops.nonzero(ops.array([[0, 1], [2, 0]]))
    (tensor([0, 1], dtype=torch.int32), tensor([1, 0], dtype=torch.int32))
    """
    return tuple(v.to(torch.int32) for v in torch.nonzero(d.tensor(x), as_tuple=True))


def _unique_rule(x: Any, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,  # noqa: A002
                 return_counts: bool = False, axis: int | None = None, size: int | None = None,
                 fill_value: Any = None) -> Any:
    shape = list(d.shape_of(x))
    if axis is None:
        uniq_shape = [size]
    else:
        ax = d.canonical_axis(axis, len(shape))
        shape[ax] = size
        uniq_shape = shape
    out = [d.spec(uniq_shape, x.dtype)]
    n = size
    if return_index:
        out.append(d.spec((n,), "int32"))
    if return_inverse:
        out.append(d.spec(d.shape_of(x) if axis is None else (d.shape_of(x)[axis],), "int32"))
    if return_counts:
        out.append(d.spec((n,), "int32"))
    return out[0] if len(out) == 1 else tuple(out)


@d.op(rule=_unique_rule)
def unique(x: Any, sorted: bool = True, return_index: bool = False, return_inverse: bool = False,  # noqa: A002
           return_counts: bool = False, axis: int | None = None, size: int | None = None,
           fill_value: Any = None) -> Any:
    """Unique elements (sorted), optionally with first indices, inverse indices and counts.

    Args:
        x: Input tensor (flattened when ``axis`` is None).
        sorted: Kept for API compatibility (results are always sorted).
        return_index: Also return the index of each unique value's first occurrence.
        return_inverse: Also return indices that rebuild ``x`` from the unique values.
        return_counts: Also return occurrence counts.
        axis: Unique slices along this axis instead of elements.
        size: Pad (with ``fill_value``, default: the smallest unique value) or truncate the result
            to this length, giving a static shape.
        fill_value: Padding value used with ``size``.

    Returns:
        The unique values, or a tuple with the requested extras (int32).

    Example:

    >>> ops.unique(ops.array([3, 1, 3, 2]))
    tensor([1, 2, 3], dtype=torch.int32)
    """
    t = d.tensor(x)
    work = t.reshape(-1) if axis is None else t
    ax = 0 if axis is None else d.canonical_axis(axis, t.ndim)
    uniq, inverse, counts = torch.unique(work, sorted=True, return_inverse=True, return_counts=True,
                                         dim=None if axis is None else ax)
    n = uniq.shape[ax]
    first = None
    if return_index:
        positions = torch.arange(work.shape[ax], device=t.device)
        first = torch.full((n,), work.shape[ax], dtype=torch.int64, device=t.device)
        first = first.scatter_reduce(0, inverse, positions, reduce="amin")
    if size is not None:
        if size < n:
            uniq = uniq.narrow(ax, 0, size)
            counts = counts[:size]
            first = None if first is None else first[:size]
        elif size > n:
            fill = uniq.narrow(ax, 0, 1) if fill_value is None else torch.full_like(uniq.narrow(ax, 0, 1), fill_value)
            pad_shape = [size - n if i == ax else s for i, s in enumerate(uniq.shape)]
            uniq = torch.cat([uniq, fill.expand(*pad_shape)], dim=ax)
            counts = torch.cat([counts, counts.new_zeros(size - n)])
            if first is not None:
                first = torch.cat([first, first.new_zeros(size - n)])
    out = [uniq]
    if return_index:
        out.append(first.to(torch.int32))
    if return_inverse:
        out.append(inverse.reshape(t.shape if axis is None else inverse.shape).to(torch.int32))
    if return_counts:
        out.append(counts.to(torch.int32))
    return out[0] if len(out) == 1 else tuple(out)


@d.op
def unravel_index(indices: Any, shape: Any) -> tuple[Tensor, ...]:
    """Coordinates in an array of ``shape`` of flat ``indices``, one tensor per dimension.

    Args:
        indices: Integer tensor of flat indices.
        shape: Shape of the array the indices point into.

    Returns:
        A tuple of int tensors, one per dimension of ``shape``.

    Example:

    >>> ops.unravel_index(ops.array([5, 1]), (2, 3))
    (tensor([1, 0], dtype=torch.int32), tensor([2, 1], dtype=torch.int32))
    """
    idx = d.tensor(indices)
    dims = d.shape_tuple(shape)
    out = []
    rem = idx.to(torch.int64)
    for s in reversed(dims):
        out.append(torch.remainder(rem, s))
        rem = torch.div(rem, s, rounding_mode="floor")
    return tuple(v.to(idx.dtype) for v in reversed(out))


@d.op
def view(x: Any, dtype: Any = None) -> Tensor:
    """Reinterpret the bytes of ``x`` as ``dtype`` (the last axis scales with the itemsize ratio).

    Args:
        x: Input tensor.
        dtype: dtype to reinterpret the bytes as; None returns ``x`` unchanged.

    Returns:
        Tensor sharing the bytes of ``x``.

    Raises:
        ValueError: if the last axis does not divide evenly.

    Example:

    >>> ops.view(ops.array([1.0], dtype="float32"), "int32")
    tensor([1065353216], dtype=torch.int32)
    """
    t = d.tensor(x)
    if dtype is None:
        return t
    dt = d.dtypes.to_torch(dtype)
    old, new = t.element_size(), torch.empty((), dtype=dt).element_size()
    if new > old and (t.ndim == 0 or (t.shape[-1] * old) % new):
        raise ValueError(
            f"Cannot view a tensor of shape {tuple(t.shape)} and dtype {t.dtype} as {dtype}: the last axis "
            "does not divide evenly.")
    return t.contiguous().view(dt)


@d.op(rule=lambda x: d.spec((), "int32"))
def size(x: Any) -> Tensor:
    """Number of elements of ``x`` (an int32 scalar tensor).

    Args:
        x: Tensor or array-like.

    Returns:
        An int32 scalar tensor.

    Example:

    >>> ops.size(ops.zeros((2, 3)))
    tensor(6, dtype=torch.int32)
    """
    return torch.tensor(int(math.prod(d.shape_of(x))), dtype=torch.int32)


def ndim(x: Any) -> int:
    """Number of dimensions of ``x``.

    Args:
        x: Tensor or array-like.

    Returns:
        The rank of ``x`` as a Python int.

    Example:

    >>> ops.ndim(ops.zeros((2, 3)))
    2
    """
    return len(d.shape_of(x))


# ---- vectorize
_SIG = re.compile(r"^\s*(\([^()]*\)(\s*,\s*\([^()]*\))*)\s*->\s*(\([^()]*\)(\s*,\s*\([^()]*\))*)\s*$")


def _parse_signature(signature: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    m = _SIG.match(signature)
    if not m:
        raise ValueError(f"Not a valid gufunc signature: {signature!r}")

    def groups(s: str) -> list[tuple[str, ...]]:
        return [tuple(v.strip() for v in g.split(",") if v.strip()) for g in re.findall(r"\(([^()]*)\)", s)]

    return groups(m.group(1)), groups(m.group(3))


def vectorize(pyfunc: Callable, *, excluded: set | None = None, signature: str | None = None) -> Callable:
    """A function mapping ``pyfunc`` over the leading (broadcast) axes of its tensor arguments.

    Args:
        pyfunc: Function on tensors.
        excluded: Positional indices or keyword names passed through unchanged.
        signature: Generalized ufunc signature such as ``"(n,n),(n)->(n)"``: trailing core axes
            each argument hands to ``pyfunc`` whole (default: scalars).

    Returns:
        The vectorized function.

    Example:

    >>> square_sum = ops.vectorize(lambda v: ops.sum(v * v), signature="(n)->()")
    >>> square_sum(ops.array([[1.0, 2.0], [3.0, 4.0]]))
    tensor([ 5., 25.])
    """
    excluded = set(excluded or ())
    core_in = _parse_signature(signature)[0] if signature else None

    def wrapped(*args: Any, **kwargs: Any) -> Any:
        mapped = [i for i in range(len(args)) if i not in excluded]
        tensors = [d.tensor(args[i]) for i in mapped]
        cores = [len(core_in[k]) if core_in else 0 for k in range(len(mapped))]
        loop = torch.broadcast_shapes(*[t.shape[: t.ndim - c] for t, c in zip(tensors, cores)])
        n = int(math.prod(loop))
        flat = [t.expand(*loop, *t.shape[t.ndim - c:]).reshape(n, *t.shape[t.ndim - c:])
                for t, c in zip(tensors, cores)]

        def one(*vals: Any) -> Any:
            full = list(args)
            for i, v in zip(mapped, vals):
                full[i] = v
            return pyfunc(*full, **kwargs)

        out = torch.func.vmap(one)(*flat)
        if isinstance(out, tuple):
            return tuple(o.reshape(*loop, *o.shape[1:]) for o in out)
        return out.reshape(*loop, *out.shape[1:])

    return wrapped
