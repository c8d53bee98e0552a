"""Reductions and statistics of ``keras.ops.numpy``: sums, extrema, moments, quantiles, NaN-aware
variants, cumulative ops, histograms.

``axis=None`` reduces everything, ``axis=()`` reduces nothing (as in NumPy; torch would reduce
all). Sums and products of small integers accumulate in int32/uint32 like Keras; means,
variances and quantiles of integers are floats.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor

_SUM_DTYPES = {torch.bool: torch.int32, torch.int8: torch.int32, torch.int16: torch.int32,
               torch.uint8: torch.uint32, torch.uint16: torch.uint32}


def reduced_axes(t: Tensor, axis: Any) -> tuple[int, ...]:
    """Reduced axes (all for None)."""
    if type(axis) is int and -t.ndim <= axis < t.ndim:
        return (axis % t.ndim,)
    if axis is None:
        return tuple(range(t.ndim))
    return d.axes_tuple(axis, t.ndim)


def _keep(out: Tensor, t: Tensor, dims: tuple[int, ...], keepdims: bool) -> Tensor:
    if not keepdims:
        return out
    shape = [1 if i in dims else s for i, s in enumerate(t.shape)]
    return out.reshape(shape)


def sum_dtype(dt: torch.dtype) -> torch.dtype:
    """Accumulation dtype Keras gives to sums and products of ``dt``."""
    return _SUM_DTYPES.get(dt, dt)


@d.op
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001 - Keras names
    """Sum over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Tensor; small integer and bool inputs sum into int32 (uint32 for small unsigned).

    Example:

    >>> ops.sum(ops.array([[1, 2], [3, 4]]), axis=0)
    tensor([4, 6], dtype=torch.int32)
    """
    t = d.tensor(x)
    dt = sum_dtype(t.dtype)
    dims = reduced_axes(t, axis)
    if not dims:
        return t.to(dt)
    if dt is t.dtype and t.is_floating_point():  # torch sums integers into int64 unless told
        return torch.sum(t, dim=dims, keepdim=keepdims)
    if dt == torch.uint32:
        return torch.sum(t.to(torch.int64), dim=dims, keepdim=keepdims).to(dt)
    return torch.sum(t, dim=dims, keepdim=keepdims, dtype=dt)


@d.op
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Tensor:
    """Product over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.
        dtype: Result dtype (default: like :func:`sum`).

    Returns:
        Tensor.

    Example:

    >>> ops.prod(ops.array([[1, 2], [3, 4]]), axis=1)
    tensor([ 2, 12], dtype=torch.int32)
    """
    t = d.tensor(x)
    dt = d.dtypes.to_torch(dtype) if dtype is not None else sum_dtype(t.dtype)
    dims = reduced_axes(t, axis)
    compute = torch.int64 if dt == torch.uint32 else dt
    out = t.to(compute)
    for ax in sorted(dims, reverse=True):
        out = torch.prod(out, dim=ax, keepdim=True)
    return _squeeze_dims(out, dims, keepdims).to(dt)


def _squeeze_dims(out: Tensor, dims: tuple[int, ...], keepdims: bool) -> Tensor:
    return out if keepdims or not dims else out.squeeze(dims)


@d.op
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Arithmetic mean over ``axis`` (integers average as floats).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Example:

    >>> ops.mean(ops.array([[1.0, 2.0], [3.0, 4.0]]), axis=0)
    tensor([2., 3.])
    """
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    dims = reduced_axes(t, axis)
    if not dims:
        return t.to(dt)
    if dt in (torch.float16, torch.bfloat16):
        return torch.mean(t.float(), dim=dims, keepdim=keepdims).to(dt)
    return torch.mean(t.to(dt), dim=dims, keepdim=keepdims)


def extreme(x: Any, axis: Any, keepdims: bool, initial: Any, largest: bool) -> Tensor:
    t = d.tensor(x)
    if t.numel() == 0 and initial is None:
        raise ValueError(f"Cannot compute the {'max' if largest else 'min'} of an empty tensor.")
    dims = reduced_axes(t, axis)
    if t.numel() == 0:
        shape = [1 if (i in dims) else s for i, s in enumerate(t.shape)] if keepdims else \
            [s for i, s in enumerate(t.shape) if i not in dims]
        return torch.full(shape, initial, dtype=t.dtype, device=t.device)
    work = t.to(torch.uint8) if t.dtype == torch.bool else t
    if not dims:
        out = work
    else:
        out = (torch.amax if largest else torch.amin)(work, dim=dims, keepdim=keepdims)
    if initial is not None:
        init = torch.tensor(initial, dtype=out.dtype, device=out.device)
        out = torch.maximum(out, init) if largest else torch.minimum(out, init)
    return out.to(t.dtype)


@d.op
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Maximum over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.
        initial: Lower bound included in the maximum (needed for empty inputs).

    Returns:
        Tensor of the input dtype.

    Raises:
        ValueError: for an empty tensor without ``initial``.

    Example:

    >>> ops.max(ops.array([[1, 5], [3, 2]]), axis=1)
    tensor([5, 3], dtype=torch.int32)
    """
    return extreme(x, axis, keepdims, initial, True)


@d.op
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Tensor:  # noqa: A001
    """Minimum over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.
        initial: Upper bound included in the minimum (needed for empty inputs).

    Returns:
        Tensor of the input dtype.

    Raises:
        ValueError: for an empty tensor without ``initial``.

    Example:

    >>> ops.min(ops.array([[1, 5], [3, 2]]), axis=1)
    tensor([1, 2], dtype=torch.int32)
    """
    return extreme(x, axis, keepdims, initial, False)


@d.op
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis`` (as :func:`max` without ``initial``).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The maxima.

    Example:

    >>> ops.amax(ops.array([[1, 5], [3, 2]]), axis=0)
    tensor([3, 5], dtype=torch.int32)
    """
    return extreme(x, axis, keepdims, None, True)


@d.op
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis`` (as :func:`min` without ``initial``).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The minima.

    Example:

    >>> ops.amin(ops.array([[1, 5], [3, 2]]), axis=0)
    tensor([1, 2], dtype=torch.int32)
    """
    return extreme(x, axis, keepdims, None, False)


@d.op
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Range (max - min) over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Tensor of the input dtype.

    Example:

    >>> ops.ptp(ops.array([[1, 5], [3, 2]]), axis=1)
    tensor([4, 1], dtype=torch.int32)
    """
    return extreme(x, axis, keepdims, None, True) - extreme(x, axis, keepdims, None, False)


def _moment(x: Any, axis: Any, keepdims: bool, std: bool) -> Tensor:
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    work = t.to(torch.float32 if dt in (torch.float16, torch.bfloat16) else dt)
    dims = reduced_axes(t, axis)
    if not dims:
        return torch.zeros_like(t, dtype=dt)
    out = torch.var(work, dim=dims, keepdim=keepdims, correction=0)
    return (torch.sqrt(out) if std else out).to(dt)


@d.op
def var(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population variance over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Example:

    >>> ops.var(ops.array([1.0, 2.0, 3.0, 4.0]))
    tensor(1.2500)
    """
    return _moment(x, axis, keepdims, False)


@d.op
def std(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Population standard deviation over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Example:

    >>> ops.std(ops.array([1.0, 2.0, 3.0, 4.0]))
    tensor(1.1180)
    """
    return _moment(x, axis, keepdims, True)


def _bool_dims(x: Any, axis: Any, keepdims: bool, fn: Any) -> Tensor:
    t = d.tensor(x)
    dims = reduced_axes(t, axis)
    if not dims:
        return t.to(torch.bool)
    return fn(t.to(torch.bool) if t.dtype != torch.bool else t, dim=dims, keepdim=keepdims)


@d.op
def all(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether all elements along ``axis`` are true (non-zero).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Boolean tensor.

    Example:

    >>> ops.all(ops.array([[True, False], [True, True]]), axis=1)
    tensor([False,  True])
    """
    return _bool_dims(x, axis, keepdims, torch.all)


@d.op
def any(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Whether any element along ``axis`` is true (non-zero).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Boolean tensor.

    Example:

    >>> ops.any(ops.array([[0, 0], [0, 3]]), axis=1)
    tensor([False,  True])
    """
    return _bool_dims(x, axis, keepdims, torch.any)


def arg_reduce(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
    t = d.tensor(x)
    if t.dtype == torch.bool:
        t = t.to(torch.uint8)
    fn = torch.argmax if largest else torch.argmin
    if axis is None:
        out = fn(t.reshape(-1))
        return (out.reshape([1] * t.ndim) if keepdims else out).to(torch.int32)
    return fn(t, dim=d.canonical_axis(int(axis), t.ndim), keepdim=keepdims).to(torch.int32)


@d.op
def argmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) maximum along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis to reduce.
        keepdims: Keep the reduced axis with length 1.

    Returns:
        int32 tensor.

    Example:

    >>> ops.argmax(ops.array([[1, 5], [3, 2]]), axis=1)
    tensor([1, 0], dtype=torch.int32)
    """
    return arg_reduce(x, axis, keepdims, True)


@d.op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) minimum along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis to reduce.
        keepdims: Keep the reduced axis with length 1.

    Returns:
        int32 tensor.

    Example:

    >>> ops.argmin(ops.array([[1, 5], [3, 2]]), axis=1)
    tensor([0, 1], dtype=torch.int32)
    """
    return arg_reduce(x, axis, keepdims, False)


@d.op
def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    """Number of non-zero elements along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).

    Returns:
        int32 tensor.

    Example:

    >>> ops.count_nonzero(ops.array([[0, 1], [2, 3]]), axis=0)
    tensor([1, 2], dtype=torch.int32)
    """
    t = d.tensor(x)
    dims = reduced_axes(t, axis)
    if not dims:
        return (t != 0).to(torch.int32)
    return torch.count_nonzero(t, dim=dims).to(torch.int32)


def cumulative(x: Any, axis: Any, dtype: Any, product: bool) -> Tensor:
    t = d.tensor(x)
    if axis is None:
        t, axis = t.reshape(-1), 0
    dt = d.dtypes.to_torch(dtype) if dtype is not None else (torch.int32 if t.dtype == torch.bool else t.dtype)
    fn = torch.cumprod if product else torch.cumsum
    ax = d.canonical_axis(int(axis), t.ndim)
    if dt in (torch.uint16, torch.uint32, torch.uint64):
        return fn(t.to(torch.int64), dim=ax).to(dt)
    return fn(t, dim=ax, dtype=dt)


@d.op
def cumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative sum along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis.
        dtype: Result dtype (default: the input dtype; int32 for bools).

    Returns:
        Tensor.

    Example:

    >>> ops.cumsum(ops.array([[1, 2], [3, 4]]), axis=0)
    tensor([[1, 2],
            [4, 6]], dtype=torch.int32)
    """
    return cumulative(x, axis, dtype, False)


@d.op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis.
        dtype: Result dtype (default: the input dtype; int32 for bools).

    Returns:
        Tensor.

    Example:

    >>> ops.cumprod(ops.array([1, 2, 3, 4]))
    tensor([ 1,  2,  6, 24], dtype=torch.int32)
    """
    return cumulative(x, axis, dtype, True)


@d.op
def average(x: Any, axis: int | None = None, weights: Any = None) -> Tensor:
    """Weighted average along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis (None: all elements).
        weights: Weights with the shape of ``x``, or 1-D with the length of ``x`` along ``axis``.

    Returns:
        Float tensor.

    Raises:
        ValueError: if 1-D weights do not match the length of the axis.

    Example:

    >>> ops.average(ops.array([1.0, 2.0, 3.0]), weights=ops.array([3.0, 1.0, 0.0]))
    tensor(1.2500)
    """
    t = d.tensor(x)
    if weights is None:
        dt = d.result(t, float)
        return mean.__wrapped__(t.to(dt), axis=axis)
    w = d.tensor(weights, device=t.device)
    dt = d.result(t, w, float)
    t, w = t.to(dt), w.to(dt)
    if w.shape != t.shape:
        if axis is None or w.ndim != 1:
            raise ValueError(
                f"Weights must have the shape of `x` ({tuple(t.shape)}) or be 1-D along `axis`. "
                f"Received: weights.shape={tuple(w.shape)}, axis={axis}")
        ax = d.canonical_axis(int(axis), t.ndim)
        if w.shape[0] != t.shape[ax]:
            raise ValueError(f"Length of weights ({w.shape[0]}) differs from x.shape[{axis}]={t.shape[ax]}.")
        w = w.reshape([-1 if i == ax else 1 for i in range(t.ndim)])
    dims = reduced_axes(t, axis)
    return torch.sum(t * w, dim=dims) / torch.sum(w.expand_as(t), dim=dims)
