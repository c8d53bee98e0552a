"""Reductions and statistics of ``keras.ops.numpy``: sums, extrema, moments, quantiles, NaN-aware
variants, cumulative ops, histograms.

``axis=None`` reduces everything, ``axis=()`` reduces nothing (as in NumPy; torch would reduce
all). Sums and products of small integers accumulate in int32/uint32 like Keras; means,
variances and quantiles of integers are floats.
"""

from __future__ import annotations

import builtins
from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor

_SUM_DTYPES = {torch.bool: torch.int32, torch.int8: torch.int32, torch.int16: torch.int32,
               torch.uint8: torch.uint32, torch.uint16: torch.uint32}


def _dims(t: Tensor, axis: Any) -> tuple[int, ...]:
    """Reduced axes (all for None)."""
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
    """
    t = d.tensor(x)
    dt = sum_dtype(t.dtype)
    dims = _dims(t, axis)
    if not dims:
        return t.to(dt)
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
    """
    t = d.tensor(x)
    dt = d.dtypes.to_torch(dtype) if dtype is not None else sum_dtype(t.dtype)
    dims = _dims(t, axis)
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
    """
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    dims = _dims(t, axis)
    if not dims:
        return t.to(dt)
    if dt in (torch.float16, torch.bfloat16):
        return torch.mean(t.float(), dim=dims, keepdim=keepdims).to(dt)
    return torch.mean(t.to(dt), dim=dims, keepdim=keepdims)


def _extreme(x: Any, axis: Any, keepdims: bool, initial: Any, largest: bool) -> Tensor:
    t = d.tensor(x)
    if t.numel() == 0 and initial is None:
        raise ValueError(f"Cannot compute the {'max' if largest else 'min'} of an empty tensor.")
    dims = _dims(t, axis)
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
    """
    return _extreme(x, axis, keepdims, initial, True)


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
    """
    return _extreme(x, axis, keepdims, initial, False)


@d.op
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Maximum over ``axis`` (as :func:`max` without ``initial``)."""
    return _extreme(x, axis, keepdims, None, True)


@d.op
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Minimum over ``axis`` (as :func:`min` without ``initial``)."""
    return _extreme(x, axis, keepdims, None, False)


@d.op
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Range (max - min) over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Tensor of the input dtype.
    """
    return _extreme(x, axis, keepdims, None, True) - _extreme(x, axis, keepdims, None, False)


def _moment(x: Any, axis: Any, keepdims: bool, std: bool) -> Tensor:
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    work = t.to(torch.float32 if dt in (torch.float16, torch.bfloat16) else dt)
    dims = _dims(t, axis)
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
    """
    return _moment(x, axis, keepdims, True)


def _bool_dims(x: Any, axis: Any, keepdims: bool, fn: Any) -> Tensor:
    t = d.tensor(x)
    dims = _dims(t, axis)
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
    """
    return _bool_dims(x, axis, keepdims, torch.any)


def _arg(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
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
    """
    return _arg(x, axis, keepdims, True)


@d.op
def argmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """Index of the (first) minimum along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis to reduce.
        keepdims: Keep the reduced axis with length 1.

    Returns:
        int32 tensor.
    """
    return _arg(x, axis, keepdims, False)


@d.op
def count_nonzero(x: Any, axis: Any = None) -> Tensor:
    """Number of non-zero elements along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce (None: all).

    Returns:
        int32 tensor.
    """
    t = d.tensor(x)
    dims = _dims(t, axis)
    if not dims:
        return (t != 0).to(torch.int32)
    return torch.count_nonzero(t, dim=dims).to(torch.int32)


def _cum(x: Any, axis: Any, dtype: Any, product: bool) -> Tensor:
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
    """
    return _cum(x, axis, dtype, False)


@d.op
def cumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """Cumulative product along ``axis`` (None: of the flattened tensor).

    Args:
        x: Input tensor.
        axis: Axis.
        dtype: Result dtype (default: the input dtype; int32 for bools).

    Returns:
        Tensor.
    """
    return _cum(x, axis, dtype, True)


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
    dims = _dims(t, axis)
    return torch.sum(t * w, dim=dims) / torch.sum(w.expand_as(t), dim=dims)


# ---- quantiles
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(x: Any, q: Any, axis: Any, method: str, keepdims: bool, nan: bool) -> Tensor:
    if method not in _METHODS:
        raise ValueError(f"Invalid value for argument `method`: {method!r}. Expected one of {_METHODS}.")
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    work = t.to(torch.float32 if dt in (torch.float16, torch.bfloat16) else dt)
    qt = d.tensor(q, device=t.device).to(work.dtype)
    if bool(((qt < 0) | (qt > 1)).any()) if qt.device.type != "meta" else False:
        raise ValueError(f"Quantiles must be in the range [0, 1]. Received: q={q}")
    dims = _dims(t, axis)
    rest = [i for i in range(t.ndim) if i not in dims]
    flat = work.permute(*rest, *dims).reshape(*[t.shape[i] for i in rest], -1)
    fn = torch.nanquantile if nan else torch.quantile
    out = fn(flat, qt, dim=-1, interpolation=method)
    if keepdims:
        shape = [1 if i in dims else s for i, s in enumerate(t.shape)]
        out = out.reshape(*qt.shape, *shape)
    return out.to(dt)


@d.op
def quantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """``q``-th quantiles along ``axis``.

    Args:
        x: Input tensor.
        q: Quantile(s) in ``[0, 1]``; extra leading output dims for a sequence.
        axis: Axis or axes (None: all).
        method: "linear", "lower", "higher", "midpoint" or "nearest".
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Raises:
        ValueError: for ``q`` outside ``[0, 1]`` or an unknown method.
    """
    return _quantile(x, q, axis, method, keepdims, nan=False)


@d.op
def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`quantile` ignoring NaNs."""
    return _quantile(x, q, axis, method, keepdims, nan=True)


@d.op
def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """``q``-th percentiles (``q`` in ``[0, 100]``) along ``axis``; see :func:`quantile`."""
    return _quantile(x, d.tensor(q).double() / 100.0, axis, method, keepdims, nan=False)


@d.op
def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`percentile` ignoring NaNs."""
    return _quantile(x, d.tensor(q).double() / 100.0, axis, method, keepdims, nan=True)


@d.op
def median(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Median along ``axis`` (mean of the two middle values for even counts)."""
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=False)


@d.op
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`median` ignoring NaNs."""
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


# ---- NaN-aware reductions
def _filled(x: Any, value: float) -> Tensor:
    t = d.tensor(x)
    if not t.is_floating_point():
        return t
    return torch.where(torch.isnan(t), torch.tensor(value, dtype=t.dtype, device=t.device), t)


@d.op
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`sum` treating NaNs as zero."""
    return sum.__wrapped__(_filled(x, 0.0), axis=axis, keepdims=keepdims)


@d.op
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`prod` treating NaNs as one."""
    return prod.__wrapped__(_filled(x, 1.0), axis=axis, keepdims=keepdims)


def _nan_count(t: Tensor, dims: tuple, keepdims: bool) -> Tensor:
    return torch.sum((~torch.isnan(t)).to(t.dtype), dim=dims, keepdim=keepdims)


@d.op
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`mean` ignoring NaNs (NaN where every element is NaN)."""
    t = d.tensor(x)
    t = t.to(d.float_of(t.dtype))
    dims = _dims(t, axis)
    if not dims:
        return t
    return torch.sum(_filled(t, 0.0), dim=dims, keepdim=keepdims) / _nan_count(t, dims, keepdims)


def _nanvar(x: Any, axis: Any, keepdims: bool) -> Tensor:
    t = d.tensor(x)
    t = t.to(d.float_of(t.dtype))
    dims = _dims(t, axis)
    if not dims:
        return torch.where(torch.isnan(t), t, torch.zeros_like(t))
    mu = nanmean.__wrapped__(t, axis=dims, keepdims=True)
    # NaNs are replaced before squaring, so they get zero (not NaN) gradients.
    centered = torch.where(torch.isnan(t), torch.zeros_like(t), t - mu)
    return torch.sum(centered * centered, dim=dims, keepdim=keepdims) / _nan_count(t, dims, keepdims)


@d.op
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`var` ignoring NaNs."""
    return _nanvar(x, axis, keepdims)


@d.op
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`std` ignoring NaNs."""
    return torch.sqrt(_nanvar(x, axis, keepdims))


def _nan_extreme(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
    t = d.tensor(x)
    if not t.is_floating_point():
        return _extreme(t, axis, keepdims, None, largest)
    nan = torch.isnan(t)
    filled = torch.where(nan, torch.tensor(float("-inf") if largest else float("inf"), dtype=t.dtype,
                                           device=t.device), t)
    out = _extreme(filled, axis, keepdims, None, largest)
    dims = _dims(t, axis)
    all_nan = torch.all(nan, dim=dims, keepdim=keepdims) if dims else nan
    return torch.where(all_nan, torch.tensor(float("nan"), dtype=t.dtype, device=t.device), out)


@d.op
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`max` ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, True)


@d.op
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`min` ignoring NaNs (NaN where every element is NaN)."""
    return _nan_extreme(x, axis, keepdims, False)


@d.op
def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """:func:`argmax` ignoring NaNs."""
    return _arg(_filled(x, float("-inf")), axis, keepdims, True)


@d.op
def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """:func:`argmin` ignoring NaNs."""
    return _arg(_filled(x, float("inf")), axis, keepdims, False)


@d.op
def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """:func:`cumsum` treating NaNs as zero."""
    return _cum(_filled(x, 0.0), axis, dtype, False)


@d.op
def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """:func:`cumprod` treating NaNs as one."""
    return _cum(_filled(x, 1.0), axis, dtype, True)


# ---- differences, integrals, histograms
@d.op
def diff(a: Any, n: int = 1, axis: int = -1) -> Tensor:
    """``n``-th discrete difference along ``axis``.

    Args:
        a: Input tensor.
        n: Number of times to difference.
        axis: Axis.

    Returns:
        Tensor of the input dtype, ``n`` shorter along ``axis``.
    """
    t = d.tensor(a)
    return torch.diff(t, n=n, dim=d.canonical_axis(axis, t.ndim)) if n else t


@d.op
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Tensor:
    """Integral of ``y`` along ``axis`` by the trapezoidal rule.

    Args:
        y: Values.
        x: Sample points (default: spacing ``dx``).
        dx: Spacing when ``x`` is None.
        axis: Axis to integrate.

    Returns:
        Float tensor.
    """
    t = d.tensor(y)
    dt = d.float_of(t.dtype)
    ax = d.canonical_axis(axis, t.ndim)
    if x is None:
        return torch.trapezoid(t.to(dt), dx=dx, dim=ax)
    xs = d.tensor(x, device=t.device)
    dt = d.result_of(dt, xs.dtype)
    return torch.trapezoid(t.to(dt), x=xs.to(dt), dim=ax)


@d.op(rule=lambda x, bins=10, range=None: (d.spec((bins,), x.dtype), d.spec((bins + 1,), x.dtype)))
def histogram(x: Any, bins: int = 10, range: tuple | None = None) -> tuple[Tensor, Tensor]:  # noqa: A002
    """Counts of ``x`` in ``bins`` equal-width bins over ``range`` (default: min to max).

    Args:
        x: 1-D input.
        bins: Number of bins.
        range: ``(low, high)``; values outside are ignored.

    Returns:
        ``(counts, bin_edges)``: counts and the ``bins + 1`` edges, both of the input dtype (as Keras).

    Raises:
        ValueError: for a non-1-D input or non-positive bins.
    """
    t = d.tensor(x)
    if t.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: input.shape={tuple(t.shape)}")
    if not isinstance(bins, int) or bins <= 0:
        raise ValueError(f"Argument `bins` should be a positive integer. Received: bins={bins}")
    lo, hi = (t.min(), t.max()) if range is None else (torch.tensor(float(range[0])), torch.tensor(float(range[1])))
    work = t.to(torch.float64)
    edges = torch.linspace(float(lo), float(hi), bins + 1, dtype=torch.float64, device=t.device)
    inside = (work >= edges[0]) & (work <= edges[-1])
    idx = torch.searchsorted(edges.to(t.dtype).to(torch.float64)[1:-1], work[inside], right=True)
    return torch.bincount(idx, minlength=bins).to(t.dtype), edges.to(t.dtype)


def _bincount_rule(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Any:
    dt = "int32" if weights is None else d.result(x, weights)
    return d.spec(tuple(d.shape_of(x)[:-1]) + (None,), dt)


@d.op(rule=_bincount_rule)
def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Tensor:
    """Occurrences of each non-negative integer (weighted sums with ``weights``); a 2-D input
    counts per row.

    Args:
        x: 1-D or 2-D non-negative integers.
        weights: Weights like ``x``.
        minlength: Minimum number of bins.
        sparse: Unsupported on torch (raises).

    Returns:
        int32 counts, or weight sums in the promoted dtype.

    Raises:
        ValueError: for ``sparse=True`` or negative values.
    """
    if sparse:
        raise ValueError("Unsupported value `sparse=True`: keras_torch has no sparse tensors.")
    t = d.tensor(x).to(torch.int64)
    if bool((t < 0).any()):
        raise ValueError("Input values must be non-negative for `bincount`.")
    dt = torch.int32 if weights is None else d.result(x, weights)
    length = builtins.max(int(t.max()) + 1 if t.numel() else 0, minlength)
    if weights is None:
        if t.ndim == 1:
            return torch.bincount(t, minlength=length).to(dt)
        return torch.stack([torch.bincount(row, minlength=length) for row in t]).to(dt)
    # scatter_add instead of torch.bincount: differentiable in the weights.
    w = d.tensor(weights, device=t.device).to(dt)
    out = torch.zeros(*t.shape[:-1], length, dtype=dt, device=t.device)
    return out.scatter_add(-1, t, w)


@d.op
def corrcoef(x: Any) -> Tensor:
    """Pearson correlation coefficients of the rows of ``x``.

    Args:
        x: 2-D tensor, one variable per row.

    Returns:
        Float tensor of shape ``(rows, rows)``.
    """
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    work = t.to(torch.float32 if dt in (torch.float16, torch.bfloat16) else dt)
    return torch.corrcoef(work).to(dt)
