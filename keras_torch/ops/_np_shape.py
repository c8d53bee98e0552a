"""Shape and layout of ``keras.ops.numpy``: reshape, transpose, joining, splitting, tiling, flipping,
rolling and padding.

Bad shapes raise Keras's ``ValueError`` (torch would raise ``RuntimeError``), eagerly and when the
op is called on symbolic tensors.
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def _shape_spec(newshape: Any) -> tuple[int, ...]:
    if type(newshape) is tuple and None not in newshape:
        return newshape
    if isinstance(newshape, (int, Tensor)) and not (isinstance(newshape, Tensor) and newshape.ndim):
        return (int(newshape),)
    return tuple(-1 if s is None else int(s) for s in newshape)


def _reshape_rule(x: Any, newshape: Any) -> d.KerasTensor:
    shape = _shape_spec(newshape)
    known_in = None not in d.shape_of(x)
    if known_in:
        reshape.__wrapped__(torch.empty(d.shape_of(x), device="meta"), newshape)  # Keras's size check
    size = math.prod(d.shape_of(x)) if known_in else None
    rest = math.prod(s for s in shape if s != -1)
    out = [(size // rest if size is not None and rest else None) if s == -1 else s for s in shape]
    return d.spec(out, x.dtype)


@d.op(rule=_reshape_rule)
def reshape(x: Any, newshape: Any) -> Tensor:
    """``x`` with a new shape (one entry may be -1 or None: inferred).

    Args:
        x: Input tensor.
        newshape: Target shape.

    Returns:
        Tensor with the same elements.

    Raises:
        ValueError: if the sizes differ.

    Example:

    >>> ops.reshape(ops.arange(6), (2, -1))
    tensor([[0, 1, 2],
            [3, 4, 5]], dtype=torch.int32)
    """
    t = d.tensor(x)
    shape = _shape_spec(newshape)
    try:
        return torch.reshape(t, shape)
    except RuntimeError as e:
        raise ValueError(
            f"The total size of the tensor must be unchanged. Received: input shape={tuple(t.shape)}, "
            f"newshape={newshape}") from e


@d.op
def transpose(x: Any, axes: Any = None) -> Tensor:
    """Permute the axes (default: reverse them).

    Args:
        x: Input tensor.
        axes: Permutation of ``range(x.ndim)``.

    Returns:
        Tensor.

    Raises:
        ValueError: if ``axes`` is not a permutation of the axes.

    Example:

    >>> ops.transpose(ops.zeros((2, 3, 4))).shape
    torch.Size([4, 3, 2])
    """
    t = d.tensor(x)
    if axes is None:
        return t.permute(*reversed(range(t.ndim)))
    axes = [int(a) for a in axes]
    if len(axes) != t.ndim or sorted(a % builtins.max(t.ndim, 1) for a in axes) != list(range(t.ndim)):
        raise ValueError(f"axes don't match tensor: axes={tuple(axes)} for a tensor of rank {t.ndim}.")
    return t.permute(*axes)


@d.op
def swapaxes(x: Any, axis1: int, axis2: int) -> Tensor:
    """Interchange two axes.

    Args:
        x: Input tensor.
        axis1: First axis.
        axis2: Second axis.

    Returns:
        Tensor with the two axes swapped.

    Example:

    >>> ops.swapaxes(ops.zeros((2, 3, 4)), 0, 2).shape
    torch.Size([4, 3, 2])
    """
    return torch.swapaxes(d.tensor(x), axis1, axis2)


@d.op
def moveaxis(x: Any, source: Any, destination: Any) -> Tensor:
    """Move axes ``source`` to positions ``destination`` (ints or sequences).

    Args:
        x: Input tensor.
        source: Original position(s) of the axes to move.
        destination: Destination position(s), one per ``source`` axis.

    Returns:
        Tensor with the axes moved.

    Example:

    >>> ops.moveaxis(ops.zeros((2, 3, 4)), 0, -1).shape
    torch.Size([3, 4, 2])
    """
    src = tuple(source) if isinstance(source, (list, tuple)) else source
    dst = tuple(destination) if isinstance(destination, (list, tuple)) else destination
    return torch.movedim(d.tensor(x), src, dst)


@d.op
def expand_dims(x: Any, axis: Any) -> Tensor:
    """Insert length-1 axes at ``axis`` (an int or a sequence, positions in the output).

    Args:
        x: Input tensor.
        axis: Position (or positions) of the new axes in the output.

    Returns:
        Tensor with ``len(axis)`` more dimensions.

    Raises:
        ValueError: for an axis out of range.

    Example:

    >>> ops.expand_dims(ops.ones((2, 3)), 0).shape
    torch.Size([1, 2, 3])
    """
    t = d.tensor(x)
    axes = list(axis) if isinstance(axis, (list, tuple)) else [axis]
    out_ndim = t.ndim + len(axes)
    positions = sorted(d.canonical_axis(int(a), out_ndim) for a in axes)
    for p in positions:
        t = t.unsqueeze(p)
    return t


@d.op
def squeeze(x: Any, axis: Any = None) -> Tensor:
    """Remove length-1 axes (all, or those in ``axis``).

    Args:
        x: Input tensor.
        axis: Axis or axes to remove (each of length 1); None removes every length-1 axis.

    Returns:
        Tensor with fewer dimensions.

    Raises:
        ValueError: if a given axis is not of length 1.

    Example:

    >>> ops.squeeze(ops.zeros((1, 3, 1))).shape
    torch.Size([3])
    """
    t = d.tensor(x)
    if axis is None:
        return torch.squeeze(t)
    axes = d.axes_tuple(axis, t.ndim)
    for a in axes:
        if t.shape[a] != 1:
            raise ValueError(f"Cannot squeeze axis {a}, because it is not of size 1. Received: x.shape={tuple(t.shape)}")
    return torch.squeeze(t, dim=axes) if axes else t


def _broadcast_to_rule(x: Any, shape: Any) -> d.KerasTensor:
    target = d.shape_tuple(shape)
    d.broadcast_shapes(d.shape_of(x), target)
    return d.spec(target, x.dtype)


@d.op(rule=_broadcast_to_rule)
def broadcast_to(x: Any, shape: Any) -> Tensor:
    """Broadcast ``x`` to ``shape``.

    Args:
        x: Input tensor.
        shape: Target shape, broadcast-compatible with ``x.shape``.

    Returns:
        Tensor of shape ``shape``.

    Raises:
        ValueError: if the shapes are incompatible.

    Example:

    >>> ops.broadcast_to(ops.array([1, 2, 3]), (2, 3))
    tensor([[1, 2, 3],
            [1, 2, 3]], dtype=torch.int32)
    """
    t = d.tensor(x)
    target = d.shape_tuple(shape)
    d.broadcast_shapes(t.shape, target)
    return torch.broadcast_to(t, target)


def _joinable(xs: Any) -> list[Tensor]:
    items = list(xs)
    dev = d.device_of(*items)
    dt = d.result(*items) if items else d.dtypes.to_torch(None)
    return [d.tensor(v, device=dev).to(dt) for v in items]


def _check_concat(ts: list[Tensor], axis: int) -> int:
    if not ts:
        raise ValueError("Need at least one tensor to concatenate.")
    ndim = ts[0].ndim
    ax = d.canonical_axis(axis, ndim)
    for t in ts[1:]:
        if t.ndim != ndim or builtins.any(a != b for i, (a, b) in enumerate(zip(t.shape, ts[0].shape)) if i != ax):
            raise ValueError(
                "`concatenate` requires all inputs to have the same shape except along the concat axis. "
                f"Received: shapes {[tuple(v.shape) for v in ts]}, axis={axis}")
    return ax


@d.op
def concatenate(xs: Any, axis: int = 0) -> Tensor:
    """Join tensors along an existing axis (dtypes promoted as Keras does).

    Args:
        xs: Sequence of tensors with equal shapes except along ``axis``.
        axis: Axis to join along; None flattens every input first.

    Returns:
        The concatenated tensor.

    Raises:
        ValueError: if the shapes differ off the axis.

    Example:

    >>> ops.concatenate([ops.zeros((1, 2)), ops.ones((2, 2))], axis=0).shape
    torch.Size([3, 2])
    """
    ts = _joinable(xs)
    if axis is None:
        return torch.cat([t.reshape(-1) for t in ts])
    return torch.cat(ts, dim=_check_concat(ts, axis))


@d.op
def append(x1: Any, x2: Any, axis: int | None = None) -> Tensor:
    """Append ``x2`` to ``x1`` along ``axis`` (None: both flattened).

    Args:
        x1: First tensor.
        x2: Tensor appended after ``x1``; its shape must match off ``axis``.
        axis: Axis to join along; None flattens both inputs first.

    Returns:
        The joined tensor, in the promoted dtype of both inputs.

    Example:

    >>> ops.append(ops.array([1, 2]), ops.array([[3, 4]]))
    tensor([1, 2, 3, 4], dtype=torch.int32)
    """
    a, b = _joinable([x1, x2])
    if axis is None:
        return torch.cat([a.reshape(-1), b.reshape(-1)])
    return torch.cat([a, b], dim=_check_concat([a, b], axis))


@d.op
def stack(x: Any, axis: int = 0) -> Tensor:
    """Join same-shape tensors along a new axis.

    Args:
        x: Sequence of tensors of the same shape.
        axis: Position of the new axis in the output.

    Returns:
        Tensor with one more dimension than the inputs.

    Raises:
        ValueError: if the shapes differ.

    Example:

    >>> ops.stack([ops.array([1, 2]), ops.array([3, 4])], axis=1)
    tensor([[1, 3],
            [2, 4]], dtype=torch.int32)
    """
    ts = _joinable(x)
    if builtins.any(t.shape != ts[0].shape for t in ts):
        raise ValueError(f"All input tensors must have the same shape. Received: {[tuple(t.shape) for t in ts]}")
    return torch.stack(ts, dim=axis)


@d.op
def hstack(xs: Any) -> Tensor:
    """Stack horizontally (along axis 1; axis 0 for 1-D inputs).

    Args:
        xs: Sequence of tensors.

    Returns:
        The stacked tensor.

    Example:

    >>> ops.hstack([ops.array([1, 2]), ops.array([3])])
    tensor([1, 2, 3], dtype=torch.int32)
    """
    return torch.hstack(_joinable(xs))


@d.op
def vstack(xs: Any) -> Tensor:
    """Stack vertically (along axis 0, 1-D inputs as rows).

    Args:
        xs: Sequence of tensors; 1-D inputs become rows.

    Returns:
        The stacked tensor.

    Example:

    >>> ops.vstack([ops.array([1, 2]), ops.array([3, 4])])
    tensor([[1, 2],
            [3, 4]], dtype=torch.int32)
    """
    return torch.vstack(_joinable(xs))


@d.op
def dstack(xs: Any) -> Tensor:
    """Stack along the third axis (inputs promoted to 3-D).

    Args:
        xs: Sequence of tensors; 1-D and 2-D inputs are first made 3-D.

    Returns:
        Tensor of rank 3 or more.

    Example:

    >>> ops.dstack([ops.array([1, 2]), ops.array([3, 4])])
    tensor([[[1, 3],
             [2, 4]]], dtype=torch.int32)
    """
    return torch.dstack(_joinable(xs))


def _split(t: Tensor, indices_or_sections: Any, axis: int, equal: bool) -> list[Tensor]:
    ax = d.canonical_axis(axis, t.ndim)
    if isinstance(indices_or_sections, (int,)) or (
            isinstance(indices_or_sections, Tensor) and indices_or_sections.ndim == 0):
        n = int(indices_or_sections)
        if equal and t.shape[ax] % n:
            raise ValueError(
                f"array split does not result in an equal division: axis {axis} of length {t.shape[ax]} "
                f"into {n} sections.")
        return list(torch.tensor_split(t, n, dim=ax))
    return list(torch.tensor_split(t, [int(i) for i in indices_or_sections], dim=ax))


@d.op
def split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Split into equal sections (an int) or at indices (a sequence) along ``axis``.

    Args:
        x: Input tensor.
        indices_or_sections: An int (number of equal sections; must divide the axis length) or a
            sequence of split indices.
        axis: Axis to split.

    Returns:
        A list of tensors.

    Raises:
        ValueError: if an int does not divide the axis.

    Example:

    >>> ops.split(ops.arange(6), [2, 5])
    [tensor([0, 1], dtype=torch.int32), tensor([2, 3, 4], dtype=torch.int32), tensor([5], dtype=torch.int32)]
    """
    return _split(d.tensor(x), indices_or_sections, axis, equal=True)


@d.op
def array_split(x: Any, indices_or_sections: Any, axis: int = 0) -> list[Tensor]:
    """Split into ``n`` nearly equal sections (or at indices) along ``axis``.

    Args:
        x: Input tensor.
        indices_or_sections: An int ``n`` (``n`` sections, the first ones one element longer when the
            length does not divide evenly) or a sequence of split indices.
        axis: Axis to split.

    Returns:
        A list of tensors.

    Example:

    >>> ops.array_split(ops.arange(5), 2)
    [tensor([0, 1, 2], dtype=torch.int32), tensor([3, 4], dtype=torch.int32)]
    """
    return _split(d.tensor(x), indices_or_sections, axis, equal=False)


@d.op
def hsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along axis 1 (axis 0 for 1-D inputs).

    Args:
        x: Input tensor.
        indices_or_sections: An int (number of equal sections) or a sequence of split indices.

    Returns:
        A list of tensors.

    Example:

    >>> ops.hsplit(ops.array([[1, 2, 3, 4]]), 2)
    [tensor([[1, 2]], dtype=torch.int32), tensor([[3, 4]], dtype=torch.int32)]
    """
    t = d.tensor(x)
    return _split(t, indices_or_sections, 1 if t.ndim > 1 else 0, equal=True)


@d.op
def vsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along axis 0.

    Args:
        x: Input tensor of rank 2 or more.
        indices_or_sections: An int (number of equal sections) or a sequence of split indices.

    Returns:
        A list of tensors.

    Example:

    >>> ops.vsplit(ops.array([[1, 2], [3, 4]]), 2)
    [tensor([[1, 2]], dtype=torch.int32), tensor([[3, 4]], dtype=torch.int32)]
    """
    return _split(d.tensor(x), indices_or_sections, 0, equal=True)


@d.op
def dsplit(x: Any, indices_or_sections: Any) -> list[Tensor]:
    """:func:`split` along axis 2.

    Args:
        x: Input tensor of rank 3 or more.
        indices_or_sections: An int (number of equal sections) or a sequence of split indices.

    Returns:
        A list of tensors.

    Example:

    >>> [t.shape for t in ops.dsplit(ops.zeros((1, 1, 4)), 2)]
    [torch.Size([1, 1, 2]), torch.Size([1, 1, 2])]
    """
    return _split(d.tensor(x), indices_or_sections, 2, equal=True)


@d.op
def tile(x: Any, repeats: Any) -> Tensor:
    """Repeat the whole tensor ``repeats`` times per axis.

    Args:
        x: Input tensor.
        repeats: Repetitions per axis (an int repeats the last axis).

    Returns:
        The tiled tensor.

    Example:

    >>> ops.tile(ops.array([1, 2]), 2)
    tensor([1, 2, 1, 2], dtype=torch.int32)
    """
    reps = (int(repeats),) if isinstance(repeats, int) else tuple(int(r) for r in repeats)
    return torch.tile(d.tensor(x), reps)


def _repeat_rule(x: Any, repeats: Any, axis: int | None = None) -> d.KerasTensor:
    shape = list(d.shape_of(x))
    if axis is None:
        n = None if None in shape else math.prod(shape)
        shape, axis = [n], 0
    ax = d.canonical_axis(axis, len(shape))
    if isinstance(repeats, int):
        shape[ax] = None if shape[ax] is None else shape[ax] * repeats
    else:
        reps = d.shape_tuple(repeats) if not isinstance(repeats, d.KerasTensor) else None
        shape[ax] = None if reps is None else builtins.sum(reps)
    return d.spec(shape, x.dtype)


@d.op(rule=_repeat_rule)
def repeat(x: Any, repeats: Any, axis: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times (an int or one count per element) along ``axis``
    (None: of the flattened tensor).

    Args:
        x: Input tensor.
        repeats: Number of repetitions: an int, or one count per element along ``axis``.
        axis: Axis to repeat along; None repeats the elements of the flattened tensor.

    Returns:
        The repeated tensor.

    Example:

    >>> ops.repeat(ops.array([1, 2]), 2)
    tensor([1, 1, 2, 2], dtype=torch.int32)
    """
    t = d.tensor(x)
    if axis is None:
        t, axis = t.reshape(-1), 0
    reps = repeats if isinstance(repeats, int) else d.tensor(repeats, device=t.device).to(torch.int64)
    return torch.repeat_interleave(t, reps, dim=axis)


@d.op
def flip(x: Any, axis: Any = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (None: all axes).

    Args:
        x: Input tensor.
        axis: Axis or axes to reverse; None reverses all axes.

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.flip(ops.array([[1, 2], [3, 4]]), axis=1)
    tensor([[2, 1],
            [4, 3]], dtype=torch.int32)
    """
    t = d.tensor(x)
    dims = tuple(range(t.ndim)) if axis is None else d.axes_tuple(axis, t.ndim)
    return torch.flip(t, dims=dims)


@d.op
def fliplr(x: Any) -> Tensor:
    """Reverse along axis 1.

    Args:
        x: Input tensor of rank 2 or more.

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.fliplr(ops.array([[1, 2], [3, 4]]))
    tensor([[2, 1],
            [4, 3]], dtype=torch.int32)
    """
    return torch.flip(d.tensor(x), dims=(1,))


@d.op
def flipud(x: Any) -> Tensor:
    """Reverse along axis 0.

    Args:
        x: Input tensor of rank 1 or more.

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.flipud(ops.array([[1, 2], [3, 4]]))
    tensor([[3, 4],
            [1, 2]], dtype=torch.int32)
    """
    return torch.flip(d.tensor(x), dims=(0,))


@d.op
def rot90(array: Any, k: int = 1, axes: tuple = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane ``axes`` (from the first toward the second).

    Args:
        array: Input tensor of rank 2 or more.
        k: Number of quarter turns.
        axes: The two axes of the rotation plane.

    Returns:
        The rotated tensor.

    Raises:
        ValueError: for fewer than 2 dims or invalid axes.

    Example:

    >>> ops.rot90(ops.array([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [1, 3]], dtype=torch.int32)
    """
    t = d.tensor(array)
    if t.ndim < 2:
        raise ValueError(f"Input array must have at least 2 dimensions. Received: array.ndim={t.ndim}")
    if len(axes) != 2 or axes[0] % t.ndim == axes[1] % t.ndim:
        raise ValueError(f"Invalid axes: {axes}. Axes must be a tuple of two different dimensions.")
    return torch.rot90(t, k=k, dims=[a % t.ndim for a in axes])


@d.op
def roll(x: Any, shift: Any, axis: Any = None) -> Tensor:
    """Roll elements along ``axis`` (None: the flattened tensor, then reshaped).

    Args:
        x: Input tensor.
        shift: Number of places to shift (an int, or one per axis in ``axis``); elements shifted past the
            end come back at the start.
        axis: Axis or axes to roll; None rolls the flattened tensor and restores the shape.

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.roll(ops.array([1, 2, 3, 4]), 1)
    tensor([4, 1, 2, 3], dtype=torch.int32)
    """
    t = d.tensor(x)
    shifts = tuple(int(s) for s in shift) if isinstance(shift, (list, tuple)) else int(shift)
    if axis is None:
        return torch.roll(t.reshape(-1), shifts, 0).reshape(t.shape)
    dims = tuple(axis) if isinstance(axis, (list, tuple)) else axis
    return torch.roll(t, shifts, dims)


# ---- padding
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean", "median")


def _pad_widths(pad_width: Any, ndim: int) -> list[tuple[int, int]]:
    if isinstance(pad_width, Tensor):
        pad_width = pad_width.tolist()
    if isinstance(pad_width, int):
        return [(pad_width, pad_width)] * ndim
    pw = list(pad_width)
    if pw and isinstance(pw[0], int):
        pair = (int(pw[0]), int(pw[-1]))
        return [pair] * ndim
    pairs = [(int(p[0]), int(p[-1])) for p in pw]
    if len(pairs) == 1:
        return pairs * ndim
    if len(pairs) != ndim:
        raise ValueError(
            f"`pad_width` must have the same length as `x.shape`. Received: pad_width={pad_width} "
            f"(of length {len(pairs)}) and x.shape={ndim}-D")
    return pairs


def _pad_index(n: int, before: int, after: int, mode: str, device: torch.device) -> Tensor:
    """Source index of every output position along one axis for the index-based pad modes."""
    pos = torch.arange(-before, n + after, device=device)
    if mode == "edge":
        return pos.clamp(0, n - 1)
    if mode == "wrap":
        return pos % n
    if mode == "reflect":
        if n == 1:
            return torch.zeros_like(pos)
        period = 2 * (n - 1)
        r = pos % period
        return torch.where(r < n, r, period - r)
    period = 2 * n  # symmetric: the edge is repeated
    r = pos % period
    return torch.where(r < n, r, period - 1 - r)


@d.op
def pad(x: Any, pad_width: Any, mode: str = "constant", constant_values: Any = None) -> Tensor:
    """Pad a tensor (NumPy's ``pad``).

    Args:
        x: Input tensor.
        pad_width: ``((before_1, after_1), ...)``, one pair (for all axes) or an int.
        mode: "constant", "edge", "reflect", "symmetric", "wrap", "maximum", "minimum", "mean" or "median".
        constant_values: Fill value of "constant" mode (default 0).

    Returns:
        Padded tensor.

    Raises:
        ValueError: for an unknown mode, ``constant_values`` with another mode, or bad ``pad_width``.

    Example:

    >>> ops.pad(ops.array([1, 2]), (1, 2), mode="edge")
    tensor([1, 1, 2, 2, 2], dtype=torch.int32)
    """
    if mode not in _PAD_MODES:
        raise ValueError(f"Value of argument `mode` expected to be one of {_PAD_MODES}. Received: mode={mode!r}")
    if constant_values is not None and mode != "constant":
        raise ValueError(f"Argument `constant_values` can only be provided when `mode == 'constant'`. Received: mode={mode}")
    t = d.tensor(x)
    pairs = _pad_widths(pad_width, t.ndim)
    if mode == "constant":
        flat: list[int] = []
        for before, after in reversed(pairs):
            flat += [before, after]
        value = 0 if constant_values is None else constant_values
        if isinstance(value, Tensor):
            value = value.item()
        if t.dtype == torch.bool:
            return F.pad(t.to(torch.uint8), flat, value=int(value)).to(torch.bool)
        return F.pad(t, flat, value=value)
    out = t
    for ax, (before, after) in enumerate(pairs):
        if not before and not after:
            continue
        n = out.shape[ax]
        if mode in ("edge", "reflect", "symmetric", "wrap"):
            out = torch.index_select(out, ax, _pad_index(n, before, after, mode, out.device))
            continue
        stat = _pad_stat(out, ax, mode)
        out = torch.cat([stat.expand(*[before if i == ax else s for i, s in enumerate(out.shape)]), out,
                         stat.expand(*[after if i == ax else s for i, s in enumerate(out.shape)])], dim=ax)
    return out


def _pad_stat(t: Tensor, ax: int, mode: str) -> Tensor:
    if mode == "maximum":
        return torch.amax(t, dim=ax, keepdim=True)
    if mode == "minimum":
        return torch.amin(t, dim=ax, keepdim=True)
    work = t if t.is_floating_point() else t.double()
    if mode == "mean":
        out = torch.mean(work, dim=ax, keepdim=True)
    else:
        out = torch.quantile(work, 0.5, dim=ax, keepdim=True)
    return out if t.is_floating_point() else torch.round(out).to(t.dtype)


@d.op
def get_item(x: Any, key: Any) -> Any:
    """``x[key]`` (ints, slices, ``None``, ``Ellipsis``, boolean or integer index tensors).

    Args:
        x: Input tensor.
        key: Index: an int, a slice, ``None``, ``Ellipsis``, a boolean or integer tensor (or list), or a
            tuple of these.

    Returns:
        The selected element(s).

    Example:

    >>> ops.get_item(ops.array([[1, 2], [3, 4]]), (slice(None), 1))
    tensor([2, 4], dtype=torch.int32)
    """
    t = d.tensor(x)
    if isinstance(key, (list,)) or (not isinstance(key, (int, builtins.slice, tuple, type(None), type(Ellipsis), Tensor))):
        key = d.tensor(key, device=t.device)
    return t[key]
