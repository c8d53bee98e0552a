"""Tensor creation of ``keras.ops.numpy``: constants, ranges, identity/triangular matrices, windows,
grids, and the diagonal helpers.

Without ``dtype``: ``arange`` takes the Keras result dtype of its arguments (Python ints give
int32), the float-valued creators give floatx, ``*_like`` keep the input dtype.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops import _docs
from keras_torch.ops._dispatch import Tensor
from keras_torch.ops._np_reduce import sum_dtype


def _dt(dtype: Any, default: Any = None) -> torch.dtype:
    return d.dtypes.to_torch(dtype if dtype is not None else (default or _config.floatx()))


def _scalar(v: Any) -> Any:
    return v.item() if isinstance(v, Tensor) and v.numel() == 1 else v


def array(x: Any, dtype: Any = None) -> Tensor:
    """A tensor from ``x`` (``keras.ops.array``); see :func:`convert_to_tensor`.

    Args:
        x: Array-like.
        dtype: Optional dtype.

    Returns:
        Tensor.

    Example:

    >>> ops.array([1.0, 2.0])
    tensor([1., 2.])
    """
    return d.tensor(x, dtype)


def zeros(shape: Any, dtype: Any = None) -> Tensor:
    """Zeros of ``shape`` (default dtype floatx).

    Args:
        shape: Shape of the result.
        dtype: dtype of the result; None means ``keras.config.floatx()``.

    Returns:
        A tensor of zeros.

    Example:

    >>> ops.zeros((2, 3)).shape
    torch.Size([2, 3])
    """
    return torch.zeros(d.shape_tuple(shape), dtype=_dt(dtype))


def ones(shape: Any, dtype: Any = None) -> Tensor:
    """Ones of ``shape`` (default dtype floatx).

    Args:
        shape: Shape of the result.
        dtype: dtype of the result; None means ``keras.config.floatx()``.

    Returns:
        A tensor of ones.

    Example:

    >>> ops.ones((2, 2))
    tensor([[1., 1.],
            [1., 1.]])
    """
    return torch.ones(d.shape_tuple(shape), dtype=_dt(dtype))


def empty(shape: Any, dtype: Any = None) -> Tensor:
    """An uninitialized tensor of ``shape`` (here: zeros; default dtype floatx).

    Args:
        shape: Shape of the result.
        dtype: dtype of the result; None means ``keras.config.floatx()``.

    Returns:
        A tensor of ``shape`` (filled with zeros).

    Example:

    >>> ops.empty((2,))
    tensor([0., 0.])
    """
    return torch.zeros(d.shape_tuple(shape), dtype=_dt(dtype))


def full(shape: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (a scalar or broadcastable tensor).

    Args:
        shape: Output shape.
        fill_value: Value(s).
        dtype: dtype (default floatx).

    Returns:
        Tensor.

    Example:

    >>> ops.full((2, 2), 7)
    tensor([[7., 7.],
            [7., 7.]])
    """
    dt = _dt(dtype)
    if isinstance(fill_value, (int, float, bool)):
        return torch.full(d.shape_tuple(shape), fill_value, dtype=dt)
    return torch.broadcast_to(d.tensor(fill_value).to(dt), d.shape_tuple(shape)).clone()


@d.op
def zeros_like(x: Any, dtype: Any = None) -> Tensor:
    """Zeros with the shape (and default dtype) of ``x``.

    Args:
        x: Tensor whose shape (and dtype, unless ``dtype`` is given) the result takes.
        dtype: dtype of the result.

    Returns:
        A tensor of zeros like ``x``.

    Example:

    >>> ops.zeros_like(ops.array([1, 2]))
    tensor([0, 0], dtype=torch.int32)
    """
    t = d.tensor(x)
    return torch.zeros_like(t, dtype=_dt(dtype, t.dtype))


@d.op
def ones_like(x: Any, dtype: Any = None) -> Tensor:
    """Ones with the shape (and default dtype) of ``x``.

    Args:
        x: Tensor whose shape (and dtype, unless ``dtype`` is given) the result takes.
        dtype: dtype of the result.

    Returns:
        A tensor of ones like ``x``.

    Example:

    >>> ops.ones_like(ops.array([1, 2]))
    tensor([1, 1], dtype=torch.int32)
    """
    t = d.tensor(x)
    return torch.ones_like(t, dtype=_dt(dtype, t.dtype))


@d.op
def empty_like(x: Any, dtype: Any = None) -> Tensor:
    """An uninitialized tensor (here: zeros) with the shape (and default dtype) of ``x``.

    Args:
        x: Tensor whose shape (and dtype, unless ``dtype`` is given) the result takes.
        dtype: dtype of the result.

    Returns:
        A tensor like ``x`` (filled with zeros).

    Example:

    >>> ops.empty_like(ops.ones((2,)))
    tensor([0., 0.])
    """
    t = d.tensor(x)
    return torch.zeros_like(t, dtype=_dt(dtype, t.dtype))


@d.op
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Tensor:
    """``fill_value`` with the shape (and default dtype) of ``x``.

    Args:
        x: Tensor whose shape (and dtype, unless ``dtype`` is given) the result takes.
        fill_value: Value of every element.
        dtype: dtype of the result.

    Returns:
        A tensor like ``x`` filled with ``fill_value``.

    Example:

    >>> ops.full_like(ops.zeros((2,)), 3.0)
    tensor([3., 3.])
    """
    t = d.tensor(x)
    dt = _dt(dtype, t.dtype)
    if isinstance(fill_value, (int, float, bool)):
        return torch.full_like(t, fill_value, dtype=dt)
    return torch.broadcast_to(d.tensor(fill_value, device=t.device).to(dt), t.shape).clone()


def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Tensor:
    """Evenly spaced values in ``[start, stop)``.

    Args:
        start: Start (or stop when ``stop`` is None).
        stop: End (exclusive).
        step: Spacing (default 1).
        dtype: dtype (default: Keras result dtype of the arguments, int32 for Python ints).

    Returns:
        1-D tensor.

    Example:

    >>> ops.arange(1, 7, 2)
    tensor([1, 3, 5], dtype=torch.int32)
    """
    if dtype is None:
        dtype = d.dtypes.result_type(*(getattr(v, "dtype", type(v)) for v in (start, stop, step) if v is not None))
    dt = d.dtypes.to_torch(dtype)
    if dt == torch.bool:
        raise TypeError("`arange` does not support the 'bool' dtype.")
    start, stop, step = _scalar(start), _scalar(stop), _scalar(step)
    if stop is None:
        start, stop = 0, start
    step = 1 if step is None else step
    if dt.is_floating_point:
        return torch.arange(start, stop, step, dtype=torch.float64).to(dt)
    return torch.arange(start, stop, step, dtype=torch.int64).to(dt)


def _linspace_base(start: Any, stop: Any, num: int, endpoint: bool, axis: int) -> tuple[Tensor, Tensor]:
    if num < 0:
        raise ValueError(f"`num` must be a non-negative integer. Received: num={num}")
    a = d.tensor(start).to(torch.float64)
    b = d.tensor(stop).to(torch.float64)
    a, b = torch.broadcast_tensors(a, b)
    div = (num - 1) if endpoint else num
    steps = torch.arange(num, dtype=torch.float64)
    step = (b - a) / div if div > 0 else torch.full_like(a, float("nan"))
    shape = [-1] + [1] * a.ndim
    out = a.unsqueeze(0) + steps.reshape(shape) * step.unsqueeze(0) if div > 0 else \
        a.unsqueeze(0).expand(num, *a.shape)
    if endpoint and num > 1:
        out = torch.cat([out[:-1], b.unsqueeze(0)], 0)
    if a.ndim:
        out = torch.movedim(out, 0, axis % (a.ndim + 1))
    return out, step


def _float_default(dtype: Any, *values: Any) -> torch.dtype:
    if dtype is not None:
        return d.dtypes.to_torch(dtype)
    return d.result_of(*(getattr(v, "dtype", type(v)) for v in values), float)


def linspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False, dtype: Any = None,
             axis: int = 0) -> Any:
    """``num`` evenly spaced values from ``start`` to ``stop``.

    Args:
        start: Start value(s).
        stop: End value(s).
        num: Number of samples.
        endpoint: Whether ``stop`` is included.
        retstep: Also return the spacing.
        dtype: dtype (default: floatx, or the promoted dtype of float tensors).
        axis: Axis of the samples when ``start``/``stop`` are arrays.

    Returns:
        Tensor, or ``(tensor, step)`` with ``retstep``.

    Raises:
        ValueError: for a negative ``num``.

    Example:

    >>> ops.linspace(0.0, 1.0, num=5)
    tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])
    """
    dt = _float_default(dtype, start, stop)
    out, step = _linspace_base(start, stop, num, endpoint, axis)
    out = (torch.floor(out) if not dt.is_floating_point else out).to(dt)
    return (out, step.to(dt) if dt.is_floating_point else step) if retstep else out


def logspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: float = 10, dtype: Any = None,
             axis: int = 0) -> Tensor:
    """``base ** linspace(start, stop, num)``.

    Args:
        start: First exponent.
        stop: Last exponent.
        num: Number of samples.
        endpoint: Whether ``stop`` is included.
        base: Base of the power.
        dtype: dtype (default floatx).
        axis: Axis of the samples for array ``start``/``stop``.

    Returns:
        Tensor.

    Example:

    >>> ops.logspace(0.0, 2.0, num=3)
    tensor([  1.,  10., 100.])
    """
    dt = _float_default(dtype, start, stop)
    out, _ = _linspace_base(start, stop, num, endpoint, axis)
    return torch.pow(torch.tensor(float(base), dtype=torch.float64), out).to(dt)


def geomspace(start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0) -> Tensor:
    """``num`` values evenly spaced on a log scale from ``start`` to ``stop`` (same sign, non-zero).

    Args:
        start: First value.
        stop: Last value.
        num: Number of samples.
        endpoint: Whether ``stop`` is included.
        dtype: dtype (default floatx).
        axis: Axis of the samples for array ``start``/``stop``.

    Returns:
        Tensor.

    Raises:
        ValueError: if ``start`` or ``stop`` is zero.

    Example:

    >>> ops.geomspace(1.0, 100.0, num=3)
    tensor([  1.,  10., 100.])
    """
    dt = _float_default(dtype, start, stop)
    a, b = d.tensor(start).to(torch.float64), d.tensor(stop).to(torch.float64)
    if bool((a == 0).any()) or bool((b == 0).any()):
        raise ValueError("Geometric sequence cannot include zero.")
    a, b = torch.broadcast_tensors(a, b)
    sign = torch.sign(a)
    out, _ = _linspace_base(torch.log10(a * sign), torch.log10(b * sign), num, endpoint, 0)
    out = torch.pow(10.0, out) * sign.unsqueeze(0)
    if num > 0:  # exact end points, as NumPy
        out[0] = a
        if endpoint and num > 1:
            out[-1] = b
    if a.ndim:
        out = torch.movedim(out, 0, axis % (a.ndim + 1))
    return out.to(dt)


def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803 - Keras names
    """A 2-D tensor with ones on the ``k``-th diagonal.

    Args:
        N: Rows.
        M: Columns (default ``N``).
        k: Diagonal offset (positive: above the main diagonal).
        dtype: dtype (default floatx).

    Returns:
        Tensor of shape ``(N, M)``.

    Example:

    >>> ops.eye(2, 3)
    tensor([[1., 0., 0.],
            [0., 1., 0.]])
    """
    m = N if M is None else M
    rows = torch.arange(int(N)).unsqueeze(1)
    cols = torch.arange(int(m)).unsqueeze(0)
    return (cols - rows == int(k)).to(_dt(dtype))


def identity(n: int, dtype: Any = None) -> Tensor:
    """The ``n x n`` identity matrix (default dtype floatx).

    Args:
        n: Number of rows and columns.
        dtype: dtype of the result; None means ``keras.config.floatx()``.

    Returns:
        Tensor of shape ``(n, n)``.

    Example:

    >>> ops.identity(2)
    tensor([[1., 0.],
            [0., 1.]])
    """
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Tensor:  # noqa: N803
    """Ones at and below the ``k``-th diagonal, zeros above.

    Args:
        N: Rows.
        M: Columns (default ``N``).
        k: Diagonal offset.
        dtype: dtype (default floatx).

    Returns:
        Tensor of shape ``(N, M)``.

    Example:

    >>> ops.tri(3)
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    m = N if M is None else M
    rows = torch.arange(int(N)).unsqueeze(1)
    cols = torch.arange(int(m)).unsqueeze(0)
    return (cols <= rows + int(k)).to(_dt(dtype))


def _window(name: str, fn: Any) -> Any:
    def window(x: Any) -> Tensor:
        n = int(_scalar(x))
        return fn(n).to(_dt(None))

    window.__name__ = window.__qualname__ = name
    window.__doc__ = (f"The symmetric {name} window of ``x`` points (as NumPy's ``{name}``).\n\n"
                      f"    Args:\n        x: Number of points.\n\n    Returns:\n        1-D floatx tensor.\n"
                      + _docs.example(name))
    return window


bartlett = _window("bartlett", lambda n: torch.signal.windows.bartlett(n, sym=True, dtype=torch.float64))
blackman = _window("blackman", lambda n: torch.signal.windows.blackman(n, sym=True, dtype=torch.float64))
hamming = _window("hamming", lambda n: torch.signal.windows.hamming(n, sym=True, dtype=torch.float64))
hanning = _window("hanning", lambda n: torch.signal.windows.hann(n, sym=True, dtype=torch.float64))


def kaiser(x: Any, beta: float) -> Tensor:
    """The symmetric Kaiser window of ``x`` points with shape parameter ``beta``.

    Args:
        x: Number of points.
        beta: Shape parameter.

    Returns:
        1-D floatx tensor.

    Example:

    >>> ops.kaiser(4, 1.0)
    tensor([0.7898, 0.9754, 0.9754, 0.7898])
    """
    n = int(_scalar(x))
    return torch.signal.windows.kaiser(n, beta=float(beta), sym=True, dtype=torch.float64).to(_dt(None))


@d.op
def meshgrid(*x: Any, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: 1-D tensors.
        indexing: "xy" (Cartesian) or "ij" (matrix).

    Returns:
        List of tensors, one per input.

    Raises:
        ValueError: for an unknown ``indexing``.

    Example:

    >>> xs, ys = ops.meshgrid(ops.array([1, 2]), ops.array([3, 4, 5]))
    >>> xs.shape
    torch.Size([3, 2])
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"Valid values for `indexing` are 'xy' and 'ij'. Received: indexing={indexing}")
    ts = [d.tensor(v) for v in x]
    return list(torch.meshgrid(*ts, indexing=indexing))


@d.op
def vander(x: Any, N: int | None = None, increasing: bool = False) -> Tensor:  # noqa: N803
    """Vandermonde matrix: columns are powers of ``x``.

    Args:
        x: 1-D tensor.
        N: Number of columns (default ``len(x)``).
        increasing: Powers increase left to right.

    Returns:
        2-D tensor of the input dtype.

    Raises:
        ValueError: for a non-1-D ``x`` or negative ``N``.

    Example:

    >>> ops.vander(ops.array([1, 2, 3]), N=3)
    tensor([[1, 1, 1],
            [4, 2, 1],
            [9, 3, 1]])
    """
    t = d.tensor(x)
    if t.ndim != 1:
        raise ValueError(f"Input tensor must be 1-dimensional. Received: x.shape={tuple(t.shape)}")
    if N is not None and N < 0:
        raise ValueError(f"Argument 'N' must be nonnegative. Received: N={N}")
    return torch.linalg.vander(t, N=N).flip(-1) if not increasing else torch.linalg.vander(t, N=N)


@d.op
def diag(x: Any, k: int = 0) -> Tensor:
    """Diagonal of a 2-D tensor, or a 2-D tensor with a 1-D input on its diagonal.

    Args:
        x: 1-D or 2-D tensor.
        k: Diagonal offset.

    Returns:
        Tensor.

    Raises:
        ValueError: for other ranks.

    Example:

    >>> ops.diag(ops.array([[1, 2], [3, 4]]))
    tensor([1, 4], dtype=torch.int32)
    """
    t = d.tensor(x)
    if t.ndim not in (1, 2):
        raise ValueError(f"`x` must be 1-D or 2-D. Received: x.shape={tuple(t.shape)}")
    return torch.diag(t, k)


@d.op
def diagflat(x: Any, k: int = 0) -> Tensor:
    """A 2-D tensor with the flattened ``x`` on its ``k``-th diagonal.

    Args:
        x: Input tensor (flattened first).
        k: Diagonal: 0 is the main one, positive above it, negative below.

    Returns:
        A square 2-D tensor of side ``size(x) + abs(k)``.

    Example:

    >>> ops.diagflat(ops.array([1, 2]))
    tensor([[1, 0],
            [0, 2]], dtype=torch.int32)
    """
    return torch.diagflat(d.tensor(x), k)


@d.op
def diagonal(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """Diagonals over the plane ``(axis1, axis2)``, appended as the last axis.

    Args:
        x: Tensor of rank >= 2.
        offset: Diagonal offset.
        axis1: First axis of the plane.
        axis2: Second axis of the plane.

    Returns:
        Tensor.

    Example:

    >>> ops.diagonal(ops.array([[1, 2], [3, 4]]), offset=1)
    tensor([2], dtype=torch.int32)
    """
    return torch.diagonal(d.tensor(x), offset=offset, dim1=axis1, dim2=axis2)


@d.op
def trace(x: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
    """Sum along diagonals over the plane ``(axis1, axis2)``.

    Args:
        x: Tensor of rank >= 2.
        offset: Diagonal offset.
        axis1: First axis of the plane.
        axis2: Second axis of the plane.

    Returns:
        Tensor (small integers accumulate in int32, as :func:`sum`).

    Example:

    >>> ops.trace(ops.array([[1, 2], [3, 4]]))
    tensor(5, dtype=torch.int32)
    """
    t = d.tensor(x)
    dt = sum_dtype(t.dtype)
    diagonals = torch.diagonal(t, offset=offset, dim1=axis1, dim2=axis2)
    if dt == torch.uint32:
        return torch.sum(diagonals.to(torch.int64), dim=-1).to(dt)
    return torch.sum(diagonals, dim=-1, dtype=dt)


@d.op
def tril(x: Any, k: int = 0) -> Tensor:
    """Lower triangle of the last two axes (zeros above the ``k``-th diagonal).

    Args:
        x: Input tensor of rank 2 or more.
        k: Diagonal above which elements become zero (0: main, positive: above it).

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.tril(ops.ones((3, 3)))
    tensor([[1., 0., 0.],
            [1., 1., 0.],
            [1., 1., 1.]])
    """
    t = d.tensor(x)
    return torch.tril(t, k) if t.dtype != torch.bool else torch.tril(t.to(torch.uint8), k).to(torch.bool)


@d.op
def triu(x: Any, k: int = 0) -> Tensor:
    """Upper triangle of the last two axes (zeros below the ``k``-th diagonal).

    Args:
        x: Input tensor of rank 2 or more.
        k: Diagonal below which elements become zero (0: main, positive: above it).

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.triu(ops.ones((3, 3)), k=1)
    tensor([[0., 1., 1.],
            [0., 0., 1.],
            [0., 0., 0.]])
    """
    t = d.tensor(x)
    return torch.triu(t, k) if t.dtype != torch.bool else torch.triu(t.to(torch.uint8), k).to(torch.bool)
