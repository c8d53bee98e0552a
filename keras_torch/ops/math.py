"""The ``keras.ops`` math family (Keras's ``keras.src.ops.math``): special functions, segment
reductions, top-k, FFTs and short-time Fourier transforms.

Complex values cross the API as ``(real, imag)`` tuples, as in Keras. ``stft``/``istft`` follow
Keras's TensorFlow backend: frames of ``fft_length`` with the window centred in them, reflect
padding when ``center``, and ``istft`` inverts with TensorFlow's overlap-normalized window.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def _floated(x: Any) -> Tensor:
    t = d.tensor(x)
    return t if t.is_floating_point() or t.is_complex() else t.to(d.float_of(t.dtype))


def _half_to_float(fn: Any) -> Any:
    def run(t: Tensor) -> Tensor:
        if t.dtype in (torch.float16, torch.bfloat16):
            return fn(t.float()).to(t.dtype)
        return fn(t)

    return run


@d.op
def erf(x: Any) -> Tensor:
    """Gauss error function.

    Args:
        x: Input tensor (ints are computed as floats).

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.erf(ops.array([0.0, 1.0]))
    tensor([0.0000, 0.8427])
    """
    return torch.erf(_floated(x))


@d.op
def erfc(x: Any) -> Tensor:
    """Complementary error function ``1 - erf(x)``.

    Args:
        x: Input tensor (ints are computed as floats).

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.erfc(ops.array([0.0, 1.0]))
    tensor([1.0000, 0.1573])
    """
    return torch.erfc(_floated(x))


@d.op
def erfinv(x: Any) -> Tensor:
    """Inverse error function.

    Args:
        x: Input tensor with values in ``[-1, 1]``.

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.erfinv(ops.array([0.0, 0.5]))
    tensor([0.0000, 0.4769])
    """
    return _half_to_float(torch.erfinv)(_floated(x))


@d.op
def rsqrt(x: Any) -> Tensor:
    """``1 / sqrt(x)``.

    Args:
        x: Input tensor (ints are computed as floats).

    Returns:
        Tensor of the same shape.

    Example:

    >>> ops.rsqrt(ops.array([1.0, 4.0]))
    tensor([1.0000, 0.5000])
    """
    return torch.rsqrt(_floated(x))


@d.op
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, stably.

    Args:
        x: Input tensor.
        axis: Axis or axes (None: all).
        keepdims: Keep reduced axes with length 1.

    Returns:
        Float tensor.

    Example:

    >>> ops.logsumexp(ops.array([0.0, 0.0]))
    tensor(0.6931)
    """
    t = _floated(x)
    dims = tuple(range(t.ndim)) if axis is None else d.axes_tuple(axis, t.ndim)
    if not dims:
        return t
    return torch.logsumexp(t, dim=dims, keepdim=keepdims)


@d.op
def cdist(x: Any, y: Any) -> Tensor:
    """Euclidean distances between the rows of ``x`` ``(..., M, D)`` and ``y`` ``(..., N, D)``.

    Args:
        x: Tensor of shape ``(..., M, D)``.
        y: Tensor of shape ``(..., N, D)``.

    Returns:
        ``(..., M, N)`` float tensor.

    Raises:
        ValueError: if the feature sizes differ.

    Example:

    >>> ops.cdist(ops.array([[0.0, 0.0]]), ops.array([[3.0, 4.0], [0.0, 1.0]]))
    tensor([[5., 1.]])
    """
    (a, b), dt = d.promote(x, y, extra=(float,))
    if a.shape[-1] != b.shape[-1]:
        raise ValueError(f"The last dimensions of `x` and `y` must match. Received: {tuple(a.shape)} and {tuple(b.shape)}")
    diff = a.unsqueeze(-2) - b.unsqueeze(-3)
    return torch.sqrt(torch.sum(diff * diff, dim=-1))


def _top_k_rule(x: Any, k: int, sorted: bool = True) -> tuple:  # noqa: A002
    shape = d.shape_of(x)
    if shape[-1] is not None and k > shape[-1]:
        raise ValueError(f"`k` ({k}) must not exceed the last dimension of `x` ({shape[-1]}).")
    out = tuple(shape[:-1]) + (k,)
    return d.spec(out, x.dtype), d.spec(out, "int32")


@d.op(rule=_top_k_rule)
def top_k(x: Any, k: int, sorted: bool = True) -> tuple[Tensor, Tensor]:  # noqa: A002
    """The ``k`` largest entries of the last axis and their indices.

    Args:
        x: Input tensor.
        k: Number of entries.
        sorted: Return them in descending order.

    Returns:
        ``(values, int32 indices)``.

    Raises:
        ValueError: if ``k`` exceeds the last dimension.

    Example:

    >>> values, indices = ops.top_k(ops.array([1, 7, 3, 5]), k=2)
    >>> values, indices
    (tensor([7, 5], dtype=torch.int32), tensor([1, 3], dtype=torch.int32))
    """
    t = d.tensor(x)
    if k > t.shape[-1]:
        raise ValueError(f"`k` ({k}) must not exceed the last dimension of `x` ({t.shape[-1]}).")
    r = torch.topk(t, k, sorted=True)
    return r.values, r.indices.to(torch.int32)


@d.op(rule=lambda targets, predictions, k: d.spec(d.shape_of(targets), "bool"))
def in_top_k(targets: Any, predictions: Any, k: int) -> Tensor:
    """Whether each target class is among the ``k`` highest predictions of its row (ties with the
    k-th value count as inside).

    Args:
        targets: ``(batch,)`` class indices.
        predictions: ``(batch, classes)`` scores.
        k: Number of top entries.

    Returns:
        ``(batch,)`` booleans.

    Example:

    >>> ops.in_top_k(ops.array([1, 0]), ops.array([[0.1, 0.9, 0.0], [0.2, 0.3, 0.5]]), k=2)
    tensor([ True, False])
    """
    p = d.tensor(predictions)
    tgt = d.tensor(targets, device=p.device).to(torch.int64)
    score = torch.gather(p, 1, tgt.clamp(0, p.shape[1] - 1).unsqueeze(1))
    better = torch.sum((p > score).to(torch.int64), dim=1)
    valid = torch.isfinite(score.squeeze(1)) & (tgt >= 0) & (tgt < p.shape[1])
    return (better < k) & valid


@d.op
def logdet(x: Any) -> Tensor:
    """Log-determinant of (batches of) positive definite matrices.

    Args:
        x: Tensor of shape ``(..., n, n)``.

    Returns:
        Tensor of shape ``(...)``.

    Example:

    >>> ops.logdet(ops.array([[2.0, 0.0], [0.0, 3.0]]))
    tensor(1.7918)
    """
    t = _floated(x)
    return torch.logdet(t)


@d.op
def extract_sequences(x: Any, sequence_length: int, sequence_stride: int) -> Tensor:
    """Frames of ``sequence_length`` samples every ``sequence_stride`` samples of the last axis.

    Args:
        x: Tensor of shape ``(..., length)``.
        sequence_length: Samples per frame.
        sequence_stride: Samples between the starts of consecutive frames.

    Returns:
        ``(..., num_sequences, sequence_length)`` tensor.

    Raises:
        ValueError: if ``sequence_length`` exceeds the length of the signal.

    Example:

    >>> ops.extract_sequences(ops.arange(6), 3, 2)
    tensor([[0, 1, 2],
            [2, 3, 4]], dtype=torch.int32)
    """
    t = d.tensor(x)
    if sequence_length > t.shape[-1]:
        raise ValueError(
            f"`sequence_length` ({sequence_length}) must not exceed the last dimension of `x` ({t.shape[-1]}).")
    return t.unfold(-1, int(sequence_length), int(sequence_stride))


# ---- segment reductions
def _segment(data: Any, segment_ids: Any, num_segments: int | None, sorted: bool, reduce: str) -> Tensor:  # noqa: A002
    x = d.tensor(data)
    ids = d.tensor(segment_ids, device=x.device).to(torch.int64)
    n = int(ids.max()) + 1 if num_segments is None else int(num_segments)
    n = max(n, 0)
    keep = (ids >= 0) & (ids < n)
    x, ids = x[keep], ids[keep]
    out_shape = (n, *x.shape[1:])
    index = ids.reshape(-1, *([1] * (x.ndim - 1))).expand_as(x)
    if reduce == "sum":
        return torch.zeros(out_shape, dtype=x.dtype, device=x.device).scatter_add(0, index, x)
    if x.dtype.is_floating_point:
        info = torch.finfo(x.dtype)
    else:
        info = torch.iinfo(x.dtype)
    init = {"amax": info.min, "amin": info.max, "prod": 1}[reduce]
    out = torch.full(out_shape, init, dtype=x.dtype, device=x.device)
    return out.scatter_reduce(0, index, x, reduce=reduce, include_self=False)


def _segment_rule(data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False) -> Any:  # noqa: A002
    return d.spec((num_segments,) + tuple(d.shape_of(data)[1:]), data.dtype)


@d.op(rule=_segment_rule)
def segment_sum(data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False) -> Tensor:  # noqa: A002
    """Sum of the rows of ``data`` per segment id (empty segments: 0; ids outside ``[0, num_segments)`` dropped).

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: ``(data.shape[0],)`` integer ids.
        num_segments: Number of segments (default ``max(segment_ids) + 1``).
        sorted: Whether the ids are sorted (no effect on the result).

    Returns:
        ``(num_segments, *data.shape[1:])`` tensor.

    Example:

    >>> ops.segment_sum(ops.array([1, 5, 2]), ops.array([0, 0, 1]))
    tensor([6, 2], dtype=torch.int32)
    """
    return _segment(data, segment_ids, num_segments, sorted, "sum")


@d.op(rule=_segment_rule)
def segment_max(data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False) -> Tensor:  # noqa: A002
    """Maximum per segment (empty segments: the dtype's lowest value); see :func:`segment_sum`.

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: 1-D integer tensor, one segment id per row of ``data``.
        num_segments: Number of segments; None means ``max(segment_ids) + 1``.
        sorted: Whether ``segment_ids`` is sorted (accepted for API compatibility; the result is the same).

    Returns:
        Tensor of shape ``(num_segments,) + data.shape[1:]``.

    Example:

    >>> ops.segment_max(ops.array([1, 5, 2]), ops.array([0, 0, 1]))
    tensor([5, 2], dtype=torch.int32)
    """
    return _segment(data, segment_ids, num_segments, sorted, "amax")


@d.op(rule=_segment_rule)
def segment_min(data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False) -> Tensor:  # noqa: A002
    """Minimum per segment (empty segments: the dtype's highest value); see :func:`segment_sum`.

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: 1-D integer tensor, one segment id per row of ``data``.
        num_segments: Number of segments; None means ``max(segment_ids) + 1``.
        sorted: Whether ``segment_ids`` is sorted (accepted for API compatibility; the result is the same).

    Returns:
        Tensor of shape ``(num_segments,) + data.shape[1:]``.

    Example:

    >>> ops.segment_min(ops.array([1, 5, 2]), ops.array([0, 0, 1]))
    tensor([1, 2], dtype=torch.int32)
    """
    return _segment(data, segment_ids, num_segments, sorted, "amin")


@d.op(rule=_segment_rule)
def segment_prod(data: Any, segment_ids: Any, num_segments: int | None = None, sorted: bool = False) -> Tensor:  # noqa: A002
    """Product per segment (empty segments: 1); see :func:`segment_sum`.

    Args:
        data: Tensor whose first axis is segmented.
        segment_ids: 1-D integer tensor, one segment id per row of ``data``.
        num_segments: Number of segments; None means ``max(segment_ids) + 1``.
        sorted: Whether ``segment_ids`` is sorted (accepted for API compatibility; the result is the same).

    Returns:
        Tensor of shape ``(num_segments,) + data.shape[1:]``.

    Example:

    >>> ops.segment_prod(ops.array([1, 5, 2]), ops.array([0, 0, 1]))
    tensor([5, 2], dtype=torch.int32)
    """
    return _segment(data, segment_ids, num_segments, sorted, "prod")


# ---- Fourier transforms
def complex_from_pair(x: Any, name: str = "x") -> Tensor:
    """A complex tensor from a Keras ``(real, imag)`` pair.

    Raises:
        ValueError: if ``x`` is not a pair of tensors of one shape.
    """
    if not isinstance(x, (tuple, list)) or len(x) != 2:
        raise ValueError(f"Input `{name}` should be a tuple of two tensors - real and imaginary. Received: {name}={x}")
    real = d.tensor(x[0])
    imag = d.tensor(x[1], device=real.device)
    if real.shape != imag.shape:
        raise ValueError(
            f"Input `{name}` should be a tuple of two tensors - real and imaginary. Both the real and imaginary parts "
            f"should have the same shape. Received: shapes {tuple(real.shape)} and {tuple(imag.shape)}")
    if not real.is_floating_point() or not imag.is_floating_point():
        raise ValueError(f"At least one tensor in input `{name}` is not of type float. Received: {name}={x}")
    dt = d.result_of(real.dtype, imag.dtype)
    work = torch.float32 if dt in (torch.float16, torch.bfloat16) else dt
    return torch.complex(real.to(work), imag.to(work))


def _pair(c: Tensor) -> tuple[Tensor, Tensor]:
    return c.real.contiguous(), c.imag.contiguous()


@d.op
def fft(x: Any) -> tuple[Tensor, Tensor]:
    """FFT over the last axis of a ``(real, imag)`` pair; returns a ``(real, imag)`` pair.

    Args:
        x: A tuple ``(real, imag)`` of float tensors of one shape.

    Returns:
        The tuple ``(real, imag)`` of the transform.

    Example:

    >>> real, imag = ops.fft((ops.array([1.0, 0.0, 0.0, 0.0]), ops.zeros(4)))
    >>> real
    tensor([1., 1., 1., 1.])
    """
    return _pair(torch.fft.fft(complex_from_pair(x), dim=-1))


@d.op
def fft2(x: Any) -> tuple[Tensor, Tensor]:
    """2-D FFT over the last two axes of a ``(real, imag)`` pair; returns a ``(real, imag)`` pair.

    Args:
        x: A tuple ``(real, imag)`` of float tensors of one shape (rank 2 or more).

    Returns:
        The tuple ``(real, imag)`` of the transform.

    Example:

    >>> real, imag = ops.fft2((ops.ones((2, 2)), ops.zeros((2, 2))))
    >>> real
    tensor([[4., 0.],
            [0., 0.]])
    """
    return _pair(torch.fft.fft2(complex_from_pair(x), dim=(-2, -1)))


@d.op
def ifft2(x: Any) -> tuple[Tensor, Tensor]:
    """Inverse 2-D FFT over the last two axes of a ``(real, imag)`` pair.

    Args:
        x: A tuple ``(real, imag)`` of float tensors of one shape (rank 2 or more).

    Returns:
        The tuple ``(real, imag)`` of the inverse transform.

    Example:

    >>> real, imag = ops.ifft2((ops.ones((2, 2)), ops.zeros((2, 2))))
    >>> real
    tensor([[1., 0.],
            [0., 0.]])
    """
    return _pair(torch.fft.ifft2(complex_from_pair(x), dim=(-2, -1)))


@d.op
def rfft(x: Any, fft_length: int | None = None) -> tuple[Tensor, Tensor]:
    """FFT of a real signal over its last axis (``fft_length // 2 + 1`` bins).

    Args:
        x: Real tensor.
        fft_length: FFT size (default: the signal length; zero-padded or cropped).

    Returns:
        ``(real, imag)`` pair.

    Example:

    >>> real, imag = ops.rfft(ops.array([1.0, 1.0, 1.0, 1.0]))
    >>> real
    tensor([4., 0., 0.])
    """
    t = _floated(x)
    return _pair(torch.fft.rfft(t.float() if t.dtype in (torch.float16, torch.bfloat16) else t, n=fft_length, dim=-1))


@d.op
def irfft(x: Any, fft_length: int | None = None) -> Tensor:
    """Inverse of :func:`rfft`: a real signal of ``fft_length`` samples from a ``(real, imag)`` pair.

    Args:
        x: ``(real, imag)`` pair of ``fft_length // 2 + 1`` bins.
        fft_length: Output length (default ``2 * (bins - 1)``).

    Returns:
        Real tensor.

    Example:

    >>> ops.irfft((ops.array([4.0, 0.0, 0.0]), ops.zeros(3)), fft_length=4)
    tensor([1., 1., 1., 1.])
    """
    return torch.fft.irfft(complex_from_pair(x), n=fft_length, dim=-1)


def _stft_window(window: Any, sequence_length: int, fft_length: int, dtype: torch.dtype,
                 device: torch.device) -> Tensor | None:
    if window is None:
        return None
    if isinstance(window, str):
        if window not in ("hann", "hamming"):
            raise ValueError(
                f'If a string is passed to `window`, it must be one of `"hann"`, `"hamming"`. Received: window={window}')
        fn = torch.hann_window if window == "hann" else torch.hamming_window
        win = fn(sequence_length, periodic=True, dtype=dtype, device=device)
    else:
        win = d.tensor(window, device=device).to(dtype)
    if win.ndim != 1 or win.shape[0] != sequence_length:
        raise ValueError(f"The shape of `window` must be equal to [sequence_length]. Received: window shape={tuple(win.shape)}")
    left = (fft_length - sequence_length) // 2
    return torch.nn.functional.pad(win, (left, fft_length - sequence_length - left))


def _check_stft_args(sequence_length: int, fft_length: int) -> None:
    if fft_length < sequence_length:
        raise ValueError(
            "`fft_length` must equal or larger than `sequence_length`. "
            f"Received: sequence_length={sequence_length}, fft_length={fft_length}")


@d.op
def stft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int, window: Any = "hann",
         center: bool = True) -> tuple[Tensor, Tensor]:
    """Short-time Fourier transform over the last axis.

    Args:
        x: Real signal ``(..., samples)``.
        sequence_length: Window length.
        sequence_stride: Hop between frames.
        fft_length: FFT size (>= ``sequence_length``).
        window: "hann", "hamming", a 1-D tensor of ``sequence_length``, or None (rectangular over
            the FFT frame).
        center: Reflect-pad ``fft_length // 2`` samples on both sides first.

    Returns:
        ``(real, imag)`` pair of shape ``(..., frames, fft_length // 2 + 1)``.

    Raises:
        ValueError: for ``fft_length < sequence_length`` or a bad window.

    Example:

    >>> real, imag = ops.stft(ops.arange(16, dtype="float32"), 8, 4, 8)
    >>> real.shape
    torch.Size([5, 5])
    """
    _check_stft_args(sequence_length, fft_length)
    t = _floated(x)
    work = torch.float32 if t.dtype in (torch.float16, torch.bfloat16) else t.dtype
    t = t.to(work)
    win = _stft_window(window, sequence_length, fft_length, work, t.device)
    if center:
        pad = fft_length // 2
        shape = t.shape
        t = torch.nn.functional.pad(t.reshape(-1, 1, shape[-1]), (pad, pad), mode="reflect").reshape(*shape[:-1], -1)
    frames = t.unfold(-1, fft_length, sequence_stride)
    if win is not None:
        frames = frames * win
    return _pair(torch.fft.rfft(frames, n=fft_length, dim=-1))


def _overlap_add(frames: Tensor, step: int) -> Tensor:
    *batch, n, length = frames.shape
    total = length + step * (n - 1)
    out = torch.nn.functional.fold(frames.reshape(-1, n, length).transpose(1, 2), (1, total), (1, length),
                                   stride=(1, step))
    return out.reshape(*batch, total)


@d.op
def istft(x: Any, sequence_length: int, sequence_stride: int, fft_length: int, length: int | None = None,
          window: Any = "hann", center: bool = True) -> Tensor:
    """Inverse of :func:`stft` (TensorFlow's ``inverse_stft`` with its normalized window).

    Args:
        x: ``(real, imag)`` pair of shape ``(..., frames, fft_length // 2 + 1)``.
        sequence_length: Window length.
        sequence_stride: Hop between frames.
        fft_length: FFT size.
        length: Output length (default: everything the frames cover, minus centring padding).
        window: As for :func:`stft`.
        center: Whether the forward transform was centred.

    Returns:
        Real signal.

    Example:

    >>> real, imag = ops.stft(ops.arange(16, dtype="float32"), 8, 4, 8)
    >>> ops.istft((real, imag), 8, 4, 8, length=16).shape
    torch.Size([16])
    """
    _check_stft_args(sequence_length, fft_length)
    spec = complex_from_pair(x)
    frames = torch.fft.irfft(spec, n=fft_length, dim=-1)
    win = _stft_window(window, sequence_length, fft_length, frames.dtype, frames.device)
    if win is not None:
        overlaps = -(-fft_length // sequence_stride)
        denom = torch.nn.functional.pad(win * win, (0, overlaps * sequence_stride - fft_length))
        denom = denom.reshape(overlaps, sequence_stride).sum(0, keepdim=True).tile(overlaps, 1).reshape(-1)
        frames = frames * (win / denom[:fft_length])
    out = _overlap_add(frames, sequence_stride)
    start = fft_length // 2 if center else 0
    if length is not None:
        return out[..., start:start + length]
    end = out.shape[-1] - fft_length // 2 if center else out.shape[-1]
    return out[..., start:end]


@d.op
def view_as_real(x: Any) -> Tensor:
    """A complex tensor as real ``(..., 2)`` (real and imaginary parts last).

    Args:
        x: Complex tensor.

    Returns:
        Float tensor of shape ``x.shape + (2,)``.

    Example:

    >>> ops.view_as_real(ops.view_as_complex(ops.array([[1.0, 2.0]])))
    tensor([[1., 2.]])
    """
    t = d.tensor(x)
    if not t.is_complex():
        raise ValueError(f"`view_as_real` expects a complex tensor. Received: dtype={t.dtype}")
    return torch.view_as_real(t).clone()


@d.op
def view_as_complex(x: Any) -> Tensor:
    """A real ``(..., 2)`` tensor as complex.

    Args:
        x: Float tensor whose last axis has length 2 (real and imaginary parts).

    Returns:
        Complex tensor of shape ``x.shape[:-1]``.

    Raises:
        ValueError: if the last axis is not of length 2.

    Example:

    >>> ops.view_as_complex(ops.array([[1.0, 2.0]]))
    tensor([1.+2.j])
    """
    t = d.tensor(x)
    if t.ndim == 0 or t.shape[-1] != 2:
        raise ValueError(f"Last dimension of input must be size 2 (real and imaginary). Received shape: {tuple(t.shape)}")
    return torch.complex(t[..., 0].float() if t.dtype != torch.float64 else t[..., 0],
                         t[..., 1].float() if t.dtype != torch.float64 else t[..., 1])
