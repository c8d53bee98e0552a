"""Statistics of ``keras.ops.numpy``: quantiles, NaN-aware reductions, differences and integrals,
histograms, ``bincount`` and ``corrcoef``.

Quantiles accept any set of axes (moved last and flattened for ``torch.quantile``); NaN-aware
reductions replace NaNs before reducing, so their gradients stay finite.
"""

from __future__ import annotations

import builtins
from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor
from keras_torch.ops._np_reduce import arg_reduce, cumulative, extreme, prod, reduced_axes, sum

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
    dims = reduced_axes(t, axis)
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

    Example:

    >>> ops.quantile(ops.array([1.0, 2.0, 3.0, 4.0]), 0.25)
    tensor(1.7500)
    """
    return _quantile(x, q, axis, method, keepdims, nan=False)


@d.op
def nanquantile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`quantile` ignoring NaNs.

    Args:
        x: Input tensor.
        q: Quantile(s) in ``[0, 1]``.
        axis: Axis or axes to reduce; None reduces all axes.
        method: Interpolation: "linear", "lower", "higher", "midpoint" or "nearest".
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The quantiles (a leading axis per ``q`` value when ``q`` is a tensor).

    Example:

    >>> ops.nanquantile(ops.array([1.0, float("nan"), 3.0]), 0.5)
    tensor(2.)
    """
    return _quantile(x, q, axis, method, keepdims, nan=True)


@d.op
def percentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """``q``-th percentiles (``q`` in ``[0, 100]``) along ``axis``; see :func:`quantile`.

    Args:
        x: Input tensor.
        q: Percentile(s) in ``[0, 100]``.
        axis: Axis or axes to reduce; None reduces all axes.
        method: Interpolation: "linear", "lower", "higher", "midpoint" or "nearest".
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The percentiles (a leading axis per ``q`` value when ``q`` is a tensor).

    Example:

    >>> ops.percentile(ops.array([1.0, 2.0, 3.0, 4.0]), 50)
    tensor(2.5000)
    """
    return _quantile(x, d.tensor(q).double() / 100.0, axis, method, keepdims, nan=False)


@d.op
def nanpercentile(x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False) -> Tensor:
    """:func:`percentile` ignoring NaNs.

    Args:
        x: Input tensor.
        q: Percentile(s) in ``[0, 100]``.
        axis: Axis or axes to reduce; None reduces all axes.
        method: Interpolation: "linear", "lower", "higher", "midpoint" or "nearest".
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The percentiles (a leading axis per ``q`` value when ``q`` is a tensor).

    Example:

    >>> ops.nanpercentile(ops.array([1.0, float("nan"), 3.0]), 50)
    tensor(2.)
    """
    return _quantile(x, d.tensor(q).double() / 100.0, axis, method, keepdims, nan=True)


@d.op
def median(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """Median along ``axis`` (mean of the two middle values for even counts).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The medians (ints are computed as floats).

    Example:

    >>> ops.median(ops.array([[1.0, 3.0, 2.0], [4.0, 6.0, 5.0]]), axis=1)
    tensor([2., 5.])
    """
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=False)


@d.op
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`median` ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The medians.

    Example:

    >>> ops.nanmedian(ops.array([1.0, float("nan"), 3.0, 4.0]))
    tensor(3.)
    """
    return _quantile(x, 0.5, axis, "linear", keepdims, nan=True)


# ---- NaN-aware reductions
def _filled(x: Any, value: float) -> Tensor:
    t = d.tensor(x)
    if not t.is_floating_point():
        return t
    return torch.where(torch.isnan(t), torch.tensor(value, dtype=t.dtype, device=t.device), t)


@d.op
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`sum` treating NaNs as zero.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The sums.

    Example:

    >>> ops.nansum(ops.array([1.0, float("nan"), 3.0]))
    tensor(4.)
    """
    return sum.__wrapped__(_filled(x, 0.0), axis=axis, keepdims=keepdims)


@d.op
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`prod` treating NaNs as one.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The products.

    Example:

    >>> ops.nanprod(ops.array([2.0, float("nan"), 3.0]))
    tensor(6.)
    """
    return prod.__wrapped__(_filled(x, 1.0), axis=axis, keepdims=keepdims)


def _nan_count(t: Tensor, dims: tuple, keepdims: bool) -> Tensor:
    return torch.sum((~torch.isnan(t)).to(t.dtype), dim=dims, keepdim=keepdims)


@d.op
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`mean` ignoring NaNs (NaN where every element is NaN).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The means.

    Example:

    >>> ops.nanmean(ops.array([1.0, float("nan"), 3.0]))
    tensor(2.)
    """
    t = d.tensor(x)
    t = t.to(d.float_of(t.dtype))
    dims = reduced_axes(t, axis)
    if not dims:
        return t
    return torch.sum(_filled(t, 0.0), dim=dims, keepdim=keepdims) / _nan_count(t, dims, keepdims)


def _nanvar(x: Any, axis: Any, keepdims: bool) -> Tensor:
    t = d.tensor(x)
    t = t.to(d.float_of(t.dtype))
    dims = reduced_axes(t, axis)
    if not dims:
        return torch.where(torch.isnan(t), t, torch.zeros_like(t))
    mu = nanmean.__wrapped__(t, axis=dims, keepdims=True)
    # NaNs are replaced before squaring, so they get zero (not NaN) gradients.
    centered = torch.where(torch.isnan(t), torch.zeros_like(t), t - mu)
    return torch.sum(centered * centered, dim=dims, keepdim=keepdims) / _nan_count(t, dims, keepdims)


@d.op
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`var` ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The population variances.

    Example:

    >>> ops.nanvar(ops.array([1.0, float("nan"), 3.0]))
    tensor(1.)
    """
    return _nanvar(x, axis, keepdims)


@d.op
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`std` ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The population standard deviations.

    Example:

    >>> ops.nanstd(ops.array([1.0, float("nan"), 3.0]))
    tensor(1.)
    """
    return torch.sqrt(_nanvar(x, axis, keepdims))


def _nan_extreme(x: Any, axis: Any, keepdims: bool, largest: bool) -> Tensor:
    t = d.tensor(x)
    if not t.is_floating_point():
        return extreme(t, axis, keepdims, None, largest)
    nan = torch.isnan(t)
    filled = torch.where(nan, torch.tensor(float("-inf") if largest else float("inf"), dtype=t.dtype,
                                           device=t.device), t)
    out = extreme(filled, axis, keepdims, None, largest)
    dims = reduced_axes(t, axis)
    all_nan = torch.all(nan, dim=dims, keepdim=keepdims) if dims else nan
    return torch.where(all_nan, torch.tensor(float("nan"), dtype=t.dtype, device=t.device), out)


@d.op
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`max` ignoring NaNs (NaN where every element is NaN).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The maxima.

    Example:

    >>> ops.nanmax(ops.array([1.0, float("nan"), 3.0]))
    tensor(3.)
    """
    return _nan_extreme(x, axis, keepdims, True)


@d.op
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """:func:`min` ignoring NaNs (NaN where every element is NaN).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The minima.

    Example:

    >>> ops.nanmin(ops.array([1.0, float("nan"), 3.0]))
    tensor(1.)
    """
    return _nan_extreme(x, axis, keepdims, False)


@d.op
def nanargmax(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """:func:`argmax` ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis to reduce; None reduces the flattened tensor.
        keepdims: Keep the reduced axis with length 1.

    Returns:
        int32 indices.

    Example:

    >>> ops.nanargmax(ops.array([1.0, float("nan"), 3.0]))
    tensor(2, dtype=torch.int32)
    """
    return arg_reduce(_filled(x, float("-inf")), axis, keepdims, True)


@d.op
def nanargmin(x: Any, axis: int | None = None, keepdims: bool = False) -> Tensor:
    """:func:`argmin` ignoring NaNs.

    Args:
        x: Input tensor.
        axis: Axis to reduce; None reduces the flattened tensor.
        keepdims: Keep the reduced axis with length 1.

    Returns:
        int32 indices.

    Example:

    >>> ops.nanargmin(ops.array([1.0, float("nan"), 3.0]))
    tensor(0, dtype=torch.int32)
    """
    return arg_reduce(_filled(x, float("inf")), axis, keepdims, False)


@d.op
def nancumsum(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """:func:`cumsum` treating NaNs as zero.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; None uses the flattened tensor.
        dtype: dtype of the result (default: that of ``x``).

    Returns:
        The cumulative sums.

    Example:

    >>> ops.nancumsum(ops.array([2.0, float("nan"), 3.0]))
    tensor([2., 2., 5.])
    """
    return cumulative(_filled(x, 0.0), axis, dtype, False)


@d.op
def nancumprod(x: Any, axis: int | None = None, dtype: Any = None) -> Tensor:
    """:func:`cumprod` treating NaNs as one.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along; None uses the flattened tensor.
        dtype: dtype of the result (default: that of ``x``).

    Returns:
        The cumulative products.

    Example:

    >>> ops.nancumprod(ops.array([2.0, float("nan"), 3.0]))
    tensor([2., 2., 6.])
    """
    return cumulative(_filled(x, 1.0), axis, dtype, True)


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

    Example:

    >>> ops.diff(ops.array([1, 4, 9, 16]))
    tensor([3, 5, 7], dtype=torch.int32)
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

    Example:

    >>> ops.trapezoid(ops.array([1.0, 2.0, 3.0]))
    tensor(4.)
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

    Example:

    >>> counts, edges = ops.histogram(ops.array([0.0, 0.5, 1.0, 1.0]), bins=2)
    >>> counts
    tensor([1., 3.])
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

    Example:

    >>> ops.bincount(ops.array([0, 1, 1, 3]))
    tensor([1, 2, 0, 1], dtype=torch.int32)
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

    Example:

    >>> ops.corrcoef(ops.array([[1.0, 2.0, 3.0], [3.0, 2.0, 1.0]]))
    tensor([[ 1., -1.],
            [-1.,  1.]])
    """
    t = d.tensor(x)
    dt = d.float_of(t.dtype)
    work = t.to(torch.float32 if dt in (torch.float16, torch.bfloat16) else dt)
    return torch.corrcoef(work).to(dt)
