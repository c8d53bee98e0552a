"""``K.*`` neural-network functions of tf-keras 2 on torch: convolutions, pooling, normalization,
resizing/padding, dropout and the crossentropy / CTC losses.

Arguments follow tf-keras: kernels in TensorFlow layout (``(k..., in, out)``), ``data_format``
defaulting to ``keras.config.image_data_format()``, and TensorFlow's ``"same"`` padding (the extra
pixel, if any, goes after).
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import ops as _ops
from keras_torch.core.config import epsilon, image_data_format
from keras_torch.losses.crossentropy import categorical_crossentropy_op, get_logits, sparse_categorical_crossentropy_op

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_MAX_POOL = {2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {2: F.avg_pool2d, 3: F.avg_pool3d}


def _t(x: Any) -> torch.Tensor:
    return _ops.convert_to_tensor(x)


def _data_format(data_format: str | None) -> str:
    data_format = data_format or image_data_format()
    if data_format not in ("channels_first", "channels_last"):
        raise ValueError(f"Unknown data_format: {data_format}. Expected 'channels_first' or 'channels_last'.")
    return data_format


def _tuple(value: Any, rank: int) -> tuple[int, ...]:
    return (int(value),) * rank if isinstance(value, int) else tuple(int(v) for v in value)


def _channels_first(x: torch.Tensor, data_format: str) -> torch.Tensor:
    return x if data_format == "channels_first" else x.movedim(-1, 1)


def _back(y: torch.Tensor, data_format: str) -> torch.Tensor:
    return y if data_format == "channels_first" else y.movedim(1, -1)


def _same_pads(size: int, kernel: int, stride: int, dilation: int) -> tuple[int, int]:
    effective = (kernel - 1) * dilation + 1
    total = max((math.ceil(size / stride) - 1) * stride + effective - size, 0)
    return total // 2, total - total // 2


def _pad_spatial(x: torch.Tensor, kernel: tuple[int, ...], strides: tuple[int, ...], dilation: tuple[int, ...],
                 padding: str, value: float = 0.0) -> torch.Tensor:
    """Pad a channels-first ``x`` for ``padding`` (``valid``/``same``/``causal``) before a stride-``strides`` op."""
    padding = padding.lower()
    if padding == "valid":
        return x
    rank = len(kernel)
    if padding == "causal":
        if rank != 1:
            raise ValueError("`causal` padding is only supported for 1D convolutions.")
        return F.pad(x, ((kernel[0] - 1) * dilation[0], 0), value=value)
    if padding != "same":
        raise ValueError(f"Unknown padding: {padding}. Expected 'valid', 'same' (or 'causal' for conv1d).")
    pads: list[int] = []
    for i in reversed(range(rank)):
        pads.extend(_same_pads(x.shape[2 + i], kernel[i], strides[i], dilation[i]))
    return F.pad(x, pads, value=value)


def _conv(x: Any, kernel: Any, strides: Any, padding: str, data_format: Any, dilation_rate: Any,
          rank: int) -> torch.Tensor:
    data_format = _data_format(data_format)
    x, kernel = _t(x), _t(kernel)
    strides, dilation = _tuple(strides, rank), _tuple(dilation_rate, rank)
    xc = _pad_spatial(_channels_first(x, data_format), tuple(kernel.shape[:rank]), strides, dilation, padding)
    weight = kernel.permute(rank + 1, rank, *range(rank)).to(xc.dtype)
    return _back(_CONV[rank](xc, weight, stride=strides, dilation=dilation), data_format)


def conv1d(x: Any, kernel: Any, strides: int = 1, padding: str = "valid", data_format: str | None = None,
           dilation_rate: int = 1) -> torch.Tensor:
    """1D convolution; ``kernel`` is ``(width, in, out)``; ``padding`` may also be ``"causal"``.

    Args:
        x: Input ``(batch, steps, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(width, in_channels, filters)``.
        strides: Step of the convolution.
        padding: "valid", "same" or "causal".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the kernel.

    Returns:
        The convolved tensor.
    """
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 1)


def conv2d(x: Any, kernel: Any, strides: Any = (1, 1), padding: str = "valid", data_format: str | None = None,
           dilation_rate: Any = (1, 1)) -> torch.Tensor:
    """2D convolution; ``kernel`` is ``(rows, cols, in, out)``.

    Args:
        x: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(rows, cols, in_channels, filters)``.
        strides: Step along rows and columns.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the kernel.

    Returns:
        The convolved tensor.
    """
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 2)


def conv3d(x: Any, kernel: Any, strides: Any = (1, 1, 1), padding: str = "valid", data_format: str | None = None,
           dilation_rate: Any = (1, 1, 1)) -> torch.Tensor:
    """3D convolution; ``kernel`` is ``(depth, rows, cols, in, out)``.

    Args:
        x: Input ``(batch, depth, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(depth, rows, cols, in_channels, filters)``.
        strides: Step along each spatial axis.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the kernel.

    Returns:
        The convolved tensor.
    """
    return _conv(x, kernel, strides, padding, data_format, dilation_rate, 3)


def conv2d_transpose(x: Any, kernel: Any, output_shape: Any, strides: Any = (1, 1), padding: str = "valid",
                     data_format: str | None = None, dilation_rate: Any = (1, 1)) -> torch.Tensor:
    """Transposed 2D convolution to ``output_shape`` (given in ``data_format`` order; the batch may be None).

    ``kernel`` is ``(rows, cols, out, in)`` as in TensorFlow.

    Args:
        x: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(rows, cols, filters, in_channels)``.
        output_shape: Full output shape, batch included (the batch may be None).
        strides: Step along rows and columns.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the kernel.

    Returns:
        Tensor of ``output_shape``.
    """
    data_format = _data_format(data_format)
    x, kernel = _t(x), _t(kernel)
    strides, dilation = _tuple(strides, 2), _tuple(dilation_rate, 2)
    target = tuple(output_shape[2:4]) if data_format == "channels_first" else tuple(output_shape[1:3])
    xc = _channels_first(x, data_format)
    full = F.conv_transpose2d(xc, kernel.permute(3, 2, 0, 1).to(xc.dtype), stride=strides, dilation=dilation)
    for i, out in enumerate(target):
        size, k = xc.shape[2 + i], kernel.shape[i]
        effective = (k - 1) * dilation[i] + 1
        start = max((size - 1) * strides[i] + effective - out, 0) // 2 if padding.lower() == "same" else 0
        full = full.narrow(2 + i, start, min(out, full.shape[2 + i] - start))
        if full.shape[2 + i] < out:
            pad = [0, 0] * (1 - i) + [0, out - full.shape[2 + i]] + [0, 0] * i
            full = F.pad(full, pad)
    return _back(full, data_format)


def depthwise_conv2d(x: Any, depthwise_kernel: Any, strides: Any = (1, 1), padding: str = "valid",
                     data_format: str | None = None, dilation_rate: Any = (1, 1)) -> torch.Tensor:
    """Depthwise 2D convolution; ``depthwise_kernel`` is ``(rows, cols, in, multiplier)``.

    Args:
        x: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        depthwise_kernel: Kernel ``(rows, cols, in_channels, multiplier)``.
        strides: Step along rows and columns.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the kernel.

    Returns:
        Tensor with ``in_channels * multiplier`` channels.
    """
    data_format = _data_format(data_format)
    x, kernel = _t(x), _t(depthwise_kernel)
    strides, dilation = _tuple(strides, 2), _tuple(dilation_rate, 2)
    rows, cols, channels, multiplier = kernel.shape
    xc = _pad_spatial(_channels_first(x, data_format), (rows, cols), strides, dilation, padding)
    weight = kernel.permute(2, 3, 0, 1).reshape(channels * multiplier, 1, rows, cols).to(xc.dtype)
    return _back(F.conv2d(xc, weight, stride=strides, dilation=dilation, groups=channels), data_format)


def separable_conv2d(x: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = (1, 1),
                     padding: str = "valid", data_format: str | None = None,
                     dilation_rate: Any = (1, 1)) -> torch.Tensor:
    """Depthwise convolution followed by a 1x1 convolution (``pointwise_kernel``: ``(1, 1, in * mult, out)``).

    Args:
        x: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        depthwise_kernel: Kernel ``(rows, cols, in_channels, multiplier)``.
        pointwise_kernel: Kernel ``(1, 1, in_channels * multiplier, filters)``.
        strides: Step of the depthwise convolution.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dilation_rate: Dilation of the depthwise kernel.

    Returns:
        Tensor with ``filters`` channels.
    """
    depthwise = depthwise_conv2d(x, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv2d(depthwise, pointwise_kernel, data_format=data_format)


def _local_conv(inputs: Any, kernel: Any, kernel_size: Any, strides: Any, output_shape: tuple[int, ...],
                data_format: str | None) -> torch.Tensor:
    data_format = _data_format(data_format)
    x, kernel = _t(inputs), _t(kernel)
    rank = len(output_shape)
    kernel_size, strides = _tuple(kernel_size, rank), _tuple(strides, rank)
    patches = []
    for position in itertools.product(*(range(n) for n in output_shape)):
        window = tuple(slice(p * s, p * s + k) for p, s, k in zip(position, strides, kernel_size))
        index = (slice(None),) + (window + (slice(None),) if data_format == "channels_last" else (slice(None),) + window)
        patches.append(x[index].reshape(x.shape[0], -1))
    out = torch.bmm(torch.stack(patches), kernel.to(x.dtype))  # (positions, batch, filters)
    out = out.reshape(*output_shape, x.shape[0], kernel.shape[-1])
    spatial = list(range(rank))
    order = [rank] + spatial + [rank + 1] if data_format == "channels_last" else [rank, rank + 1] + spatial
    return out.permute(*order)


def local_conv1d(inputs: Any, kernel: Any, kernel_size: Any, strides: Any, data_format: str | None = None) -> torch.Tensor:
    """Unshared-weight 1D convolution; ``kernel`` is ``(output_length, kernel_size * in, filters)``.

    Args:
        inputs: Input ``(batch, steps, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(output_length, kernel_size * channels, filters)``.
        kernel_size: Window size (an int or a 1-tuple).
        strides: Window step (an int or a 1-tuple).
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.

    Returns:
        Tensor ``(batch, output_length, filters)`` (channels first as requested).
    """
    return _local_conv(inputs, kernel, kernel_size, strides, (int(_t(kernel).shape[0]),), data_format)


def local_conv2d(inputs: Any, kernel: Any, kernel_size: Any, strides: Any, output_shape: Any,
                 data_format: str | None = None) -> torch.Tensor:
    """Unshared-weight 2D convolution; ``kernel`` is ``(rows * cols, kh * kw * in, filters)``.

    Args:
        inputs: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        kernel: Kernel ``(out_rows * out_cols, kh * kw * channels, filters)``.
        kernel_size: Window size ``(kh, kw)``.
        strides: Window step ``(sh, sw)``.
        output_shape: ``(out_rows, out_cols)``.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.

    Returns:
        Tensor ``(batch, out_rows, out_cols, filters)`` (channels first as requested).
    """
    return _local_conv(inputs, kernel, kernel_size, strides, tuple(int(d) for d in output_shape), data_format)


def _pool(x: Any, pool_size: Any, strides: Any, padding: str, data_format: str | None, pool_mode: str,
          rank: int) -> torch.Tensor:
    data_format = _data_format(data_format)
    x = _t(x)
    pool_size, strides = _tuple(pool_size, rank), _tuple(strides, rank)
    ones = (1,) * rank
    xc = _channels_first(x, data_format)
    if pool_mode == "max":
        padded = _pad_spatial(xc, pool_size, strides, ones, padding, value=-math.inf)
        out = _MAX_POOL[rank](padded, pool_size, strides)
    elif pool_mode == "avg":
        # TensorFlow averages over the real pixels of a window only (padding does not count).
        padded = _pad_spatial(xc, pool_size, strides, ones, padding)
        counts = _pad_spatial(torch.ones_like(xc[:1, :1]), pool_size, strides, ones, padding)
        out = _AVG_POOL[rank](padded, pool_size, strides) / _AVG_POOL[rank](counts, pool_size, strides)
    else:
        raise ValueError(f"Invalid pooling mode: {pool_mode}. Expected 'max' or 'avg'.")
    return _back(out, data_format)


def pool2d(x: Any, pool_size: Any, strides: Any = (1, 1), padding: str = "valid", data_format: str | None = None,
           pool_mode: str = "max") -> torch.Tensor:
    """2D max or average pooling (``pool_mode``: ``"max"`` / ``"avg"``).

    Args:
        x: Input ``(batch, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        pool_size: Window size ``(rows, cols)``.
        strides: Window step.
        padding: "valid" or "same" (padded cells do not count in averages).
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        pool_mode: "max" or "avg".

    Returns:
        The pooled tensor.

    Raises:
        ValueError: for another ``pool_mode``.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 2)


def pool3d(x: Any, pool_size: Any, strides: Any = (1, 1, 1), padding: str = "valid", data_format: str | None = None,
           pool_mode: str = "max") -> torch.Tensor:
    """3D max or average pooling (``pool_mode``: ``"max"`` / ``"avg"``).

    Args:
        x: Input ``(batch, depth, rows, cols, channels)`` (channels first with ``data_format="channels_first"``).
        pool_size: Window size ``(depth, rows, cols)``.
        strides: Window step.
        padding: "valid" or "same" (padded cells do not count in averages).
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        pool_mode: "max" or "avg".

    Returns:
        The pooled tensor.

    Raises:
        ValueError: for another ``pool_mode``.
    """
    return _pool(x, pool_size, strides, padding, data_format, pool_mode, 3)


def bias_add(x: Any, bias: Any, data_format: str | None = None) -> torch.Tensor:
    """Add a per-channel bias (``(channels,)``), or a full bias of shape ``x.shape[1:]`` in ``data_format``.

    Args:
        x: Input tensor, batch first.
        bias: Tensor of shape ``(channels,)`` or ``x.shape[1:]``.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.

    Returns:
        ``x + bias``.

    Raises:
        ValueError: for a bias of another rank.
    """
    data_format = _data_format(data_format)
    x, bias = _t(x), _t(bias)
    if bias.ndim not in (1, x.ndim - 1):
        raise ValueError(f"Unexpected bias dimensions {bias.ndim}, expect to be 1 or {x.ndim - 1} dimensions")
    if data_format == "channels_first":
        if bias.ndim == 1:
            return x + bias.view(1, -1, *([1] * (x.ndim - 2)))
        return x + bias.movedim(-1, 0).unsqueeze(0)
    return x + bias


def _param(p: Any, x: torch.Tensor, axis: int) -> torch.Tensor | None:
    if p is None:
        return None
    p = _t(p).to(x.dtype)
    if x.ndim == 4 and axis in (1, -3, 3, -1):  # TF's fused path: flat per-channel parameters
        p = p.reshape(-1)
        return p.view(1, -1, 1, 1) if axis in (1, -3) else p
    return p


def batch_normalization(x: Any, mean: Any, var: Any, beta: Any, gamma: Any, axis: int = -1,
                        epsilon: float = 1e-3) -> torch.Tensor:
    """``(x - mean) / sqrt(var + epsilon) * gamma + beta`` (``beta``/``gamma`` may be None).

    For 4D inputs the parameters apply along ``axis`` (1 or -1); otherwise they broadcast.

    Args:
        x: Input tensor.
        mean: Mean (per channel for 4-D inputs, else broadcastable to ``x``).
        var: Variance, shaped as ``mean``.
        beta: Offset, shaped as ``mean``, or None.
        gamma: Scale, shaped as ``mean``, or None.
        axis: Channel axis of a 4-D input.
        epsilon: Added to the variance.

    Returns:
        The normalized tensor.
    """
    x = _t(x)
    mean, var, beta, gamma = (_param(p, x, axis) for p in (mean, var, beta, gamma))
    return _normalize(x, mean, var, beta, gamma, epsilon)


def _normalize(x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor, beta: torch.Tensor | None,
               gamma: torch.Tensor | None, epsilon: float) -> torch.Tensor:
    # tf.nn.batch_normalization's arithmetic.
    inv = torch.rsqrt(var + epsilon)
    if gamma is not None:
        inv = inv * gamma
    shift = -mean * inv if beta is None else beta - mean * inv
    return x * inv + shift


def normalize_batch_in_training(x: Any, gamma: Any, beta: Any, reduction_axes: Any,
                                epsilon: float = 1e-3) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Normalize with the batch statistics over ``reduction_axes``; returns ``(normed, mean, variance)``.

    As TensorFlow's fused kernel, a 4D input reduced over all but its channel axis reports the
    unbiased batch variance (the normalization itself uses the biased one).

    Args:
        x: Input tensor.
        gamma: Scale (one value per kept axis position) or None.
        beta: Offset (one value per kept axis position) or None.
        reduction_axes: Axes the statistics are computed over.
        epsilon: Added to the variance.

    Returns:
        ``(normalized, mean, variance)``.
    """
    x = _t(x)
    axes = [a % x.ndim for a in reduction_axes]
    mean = x.mean(dim=axes, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=axes, keepdim=True)
    keep = [d for d in range(x.ndim) if d not in axes]
    shape = [x.shape[d] for d in keep]

    def broadcast(p: Any) -> torch.Tensor | None:
        return None if p is None else _t(p).to(x.dtype).reshape(mean.shape)

    normed = _normalize(x, mean, var, broadcast(beta), broadcast(gamma), epsilon)
    if x.ndim == 4 and sorted(axes) in ([0, 1, 2], [0, 2, 3]):
        # TensorFlow's fused batch-norm kernel reports the unbiased (n / (n - 1)) batch variance.
        count = math.prod(x.shape[a] for a in axes)
        var = var * (count / max(count - 1, 1))
    return normed, mean.reshape(shape), var.reshape(shape)


def resize_images(x: Any, height_factor: int, width_factor: int, data_format: str,
                  interpolation: str = "nearest") -> torch.Tensor:
    """Upsample the rows and columns by integer factors (``interpolation``: ``"nearest"`` or ``"bilinear"``).

    Args:
        x: 4-D images.
        height_factor: Row repetition factor.
        width_factor: Column repetition factor.
        data_format: "channels_last" or "channels_first".
        interpolation: "nearest" or "bilinear".

    Returns:
        The upsampled images.

    Raises:
        ValueError: for another ``interpolation``.
    """
    data_format = _data_format(data_format)
    x = _t(x)
    xc = _channels_first(x, data_format)
    if interpolation == "nearest":
        out = xc.repeat_interleave(height_factor, dim=2).repeat_interleave(width_factor, dim=3)
    elif interpolation == "bilinear":
        size = (xc.shape[2] * height_factor, xc.shape[3] * width_factor)
        out = F.interpolate(xc, size=size, mode="bilinear", align_corners=False)
    else:
        raise ValueError('`interpolation` argument should be one of: "nearest", "bilinear" (keras_torch does not '
                         f'provide TensorFlow\'s other resize kernels). Received: "{interpolation}".')
    return _back(out, data_format)


def resize_volumes(x: Any, depth_factor: int, height_factor: int, width_factor: int, data_format: str) -> torch.Tensor:
    """Repeat the three spatial axes of a 5D tensor by integer factors.

    Args:
        x: 5-D volumes.
        depth_factor: Repetition factor of the depth axis.
        height_factor: Repetition factor of the row axis.
        width_factor: Repetition factor of the column axis.
        data_format: "channels_last" or "channels_first".

    Returns:
        The upsampled volumes.
    """
    data_format = _data_format(data_format)
    first = 2 if data_format == "channels_first" else 1
    out = _t(x)
    for i, factor in enumerate((depth_factor, height_factor, width_factor)):
        out = out.repeat_interleave(factor, dim=first + i)
    return out


def _pad_axes(x: torch.Tensor, pairs: list[tuple[int, int]], first_axis: int) -> torch.Tensor:
    pads: list[int] = []
    for axis in reversed(range(x.ndim)):
        i = axis - first_axis
        pads.extend(pairs[i] if 0 <= i < len(pairs) else (0, 0))
    return F.pad(x, pads)


def temporal_padding(x: Any, padding: Any = (1, 1)) -> torch.Tensor:
    """Zero-pad axis 1 of a 3D tensor by ``(before, after)``.

    Args:
        x: 3-D tensor ``(batch, steps, features)``.
        padding: ``(before, after)`` zeros added along the steps.

    Returns:
        The padded tensor.
    """
    return _pad_axes(_t(x), [tuple(padding)], 1)


def spatial_2d_padding(x: Any, padding: Any = ((1, 1), (1, 1)), data_format: str | None = None) -> torch.Tensor:
    """Zero-pad the rows and columns of a 4D tensor.

    Args:
        x: 4-D tensor.
        padding: ``((top, bottom), (left, right))``.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.

    Returns:
        The padded tensor.
    """
    first = 2 if _data_format(data_format) == "channels_first" else 1
    return _pad_axes(_t(x), [tuple(p) for p in padding], first)


def spatial_3d_padding(x: Any, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None) -> torch.Tensor:
    """Zero-pad the three spatial axes of a 5D tensor.

    Args:
        x: 5-D tensor.
        padding: Three ``(before, after)`` pairs, one per spatial axis.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.

    Returns:
        The padded tensor.
    """
    first = 2 if _data_format(data_format) == "channels_first" else 1
    return _pad_axes(_t(x), [tuple(p) for p in padding], first)


def dropout(x: Any, level: float, noise_shape: Any = None, seed: Any = None) -> torch.Tensor:
    """Zero entries with probability ``level`` and scale the rest by ``1 / (1 - level)``.

    Args:
        x: Input.
        level: Drop probability in ``[0, 1)``.
        noise_shape: Shape of the keep mask (broadcast to ``x``), e.g. to drop whole channels.
        seed: Seed for a reproducible mask.

    Returns:
        Tensor of the shape of ``x``.
    """
    x = _t(x)
    if not 0 <= level < 1:
        raise ValueError(f"`level` must be a number in [0, 1). Received: level={level}")
    generator = torch.Generator().manual_seed(int(seed)) if seed is not None else None
    shape = tuple(x.shape) if noise_shape is None else tuple(int(d) for d in noise_shape)
    keep = (torch.rand(shape, generator=generator) >= level).to(device=x.device, dtype=x.dtype)
    return x / (1 - level) * keep


def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> torch.Tensor:
    """Elementwise binary crossentropy (tf-keras's formula: clip, then ``log(p + epsilon)``).

    Args:
        target: Tensor of 0/1 (or soft) targets.
        output: Probabilities, or logits with ``from_logits``.
        from_logits: Whether ``output`` holds logits.

    Returns:
        Tensor of the shape of ``output``.
    """
    target, output = _t(target), _t(output)
    output, from_logits = get_logits(output, from_logits, "sigmoid", "binary_crossentropy")
    target = target.to(output.dtype)
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output + eps) + (1 - target) * torch.log(1 - output + eps))


def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    """Crossentropy between one-hot ``target`` and ``output`` along ``axis`` (one value per sample).

    Args:
        target: One-hot (or soft) targets, shaped as ``output``.
        output: Probabilities, or logits with ``from_logits``.
        from_logits: Whether ``output`` holds logits.
        axis: Class axis.

    Returns:
        Tensor with ``axis`` removed.
    """
    output = _t(output)
    return categorical_crossentropy_op(_t(target).to(output.dtype), output, from_logits=from_logits, axis=axis)


def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False,
                                    axis: int = -1) -> torch.Tensor:
    """Crossentropy between integer ``target`` and ``output`` (one value per sample).

    Args:
        target: Integer class indices.
        output: Probabilities, or logits with ``from_logits``, with a class axis.
        from_logits: Whether ``output`` holds logits.
        axis: Class axis of ``output``.

    Returns:
        Tensor of the shape of ``target``.
    """
    return sparse_categorical_crossentropy_op(_t(target), _t(output), from_logits=from_logits, axis=axis)


def binary_focal_crossentropy(target: Any, output: Any, apply_class_balancing: bool = False, alpha: float = 0.25,
                              gamma: float = 2.0, from_logits: bool = False) -> torch.Tensor:
    """Elementwise focal binary crossentropy: ``(1 - p_t) ** gamma * bce`` (optionally class-balanced by ``alpha``).

    Args:
        target: Tensor of 0/1 (or soft) targets.
        output: Probabilities, or logits with ``from_logits``.
        apply_class_balancing: Weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: Balancing weight of the positive class.
        gamma: Focusing exponent; 0 gives plain binary crossentropy.
        from_logits: Whether ``output`` holds logits.

    Returns:
        Tensor of the shape of ``output``.
    """
    target, output = _t(target), _t(output)
    target = target.to(output.dtype)
    probs = torch.sigmoid(output) if from_logits else output
    p_t = target * probs + (1 - target) * (1 - probs)
    focal = torch.pow(1.0 - p_t, gamma) * binary_crossentropy(target, output, from_logits=from_logits)
    if apply_class_balancing:
        focal = (target * alpha + (1 - target) * (1 - alpha)) * focal
    return focal


def categorical_focal_crossentropy(target: Any, output: Any, alpha: float = 0.25, gamma: float = 2.0,
                                   from_logits: bool = False, axis: int = -1) -> torch.Tensor:
    """Focal categorical crossentropy: ``sum(alpha * (1 - p) ** gamma * -target * log(p), axis)``.

    Args:
        target: One-hot (or soft) targets, shaped as ``output``.
        output: Probabilities, or logits with ``from_logits``.
        alpha: Weight of the loss.
        gamma: Focusing exponent; 0 gives (``alpha`` times) categorical crossentropy.
        from_logits: Whether ``output`` holds logits.
        axis: Class axis.

    Returns:
        Tensor with ``axis`` removed.
    """
    target, output = _t(target), _t(output)
    output, from_logits = get_logits(output, from_logits, "softmax", "categorical_focal_crossentropy")
    if from_logits:
        output = torch.softmax(output, dim=axis)
    output = output / output.sum(dim=axis, keepdim=True)
    eps = epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    cce = -target.to(output.dtype) * torch.log(output)
    return (alpha * torch.pow(1.0 - output, gamma) * cce).sum(dim=axis)


def ctc_label_dense_to_sparse(labels: Any, label_lengths: Any) -> torch.Tensor:
    """A sparse COO tensor of ``labels[b, :label_lengths[b]]`` (shape of ``labels``).

    Args:
        labels: Dense ``(batch, max_length)`` labels.
        label_lengths: ``(batch,)`` number of valid labels per row.

    Returns:
        A sparse COO tensor of the shape of ``labels``.
    """
    labels = _t(labels)
    lengths = _t(label_lengths).reshape(-1).long()
    keep = torch.arange(labels.shape[1], device=labels.device)[None, :] < lengths[:, None].to(labels.device)
    indices = keep.nonzero().t()
    return torch.sparse_coo_tensor(indices, labels[keep], tuple(labels.shape))


def ctc_batch_cost(y_true: Any, y_pred: Any, input_length: Any, label_length: Any) -> torch.Tensor:
    """CTC loss per sample, ``(batch, 1)``.

    Args:
        y_true: ``(batch, max_label_length)`` labels (padding beyond ``label_length`` is ignored).
        y_pred: ``(batch, time, classes)`` softmax outputs; the last class is the blank.
        input_length: ``(batch, 1)`` valid time steps of each sample.
        label_length: ``(batch, 1)`` label lengths.

    Returns:
        Tensor ``(batch, 1)`` of negative log-likelihoods.
    """
    y_pred = _t(y_pred)
    # tf-keras feeds log(p + epsilon) to a CTC loss that applies its own softmax.
    log_probs = torch.log_softmax(torch.log(y_pred + epsilon()), dim=-1).transpose(0, 1)
    loss = F.ctc_loss(log_probs, _t(y_true).long(), _t(input_length).reshape(-1).long(),
                      _t(label_length).reshape(-1).long(), blank=y_pred.shape[-1] - 1, reduction="none",
                      zero_infinity=False)
    return loss.unsqueeze(1).to(y_pred.dtype)


def ctc_decode(y_pred: Any, input_length: Any, greedy: bool = True, beam_width: int = 100,
               top_paths: int = 1) -> tuple[list[torch.Tensor], torch.Tensor]:
    """Greedy CTC decoding of softmax outputs (last class = blank).

    Args:
        y_pred: ``(batch, time, classes)`` softmax outputs.
        input_length: ``(batch,)`` valid time steps.
        greedy: Must be ``True``: beam search is not implemented.
        beam_width: Beam search width (beam search only).
        top_paths: Paths returned by beam search (beam search only).

    Returns:
        ``([decoded], log_prob)``: ``decoded`` is ``(batch, time)`` with ``-1`` after the labels;
        ``log_prob`` is ``(batch, 1)``, minus the summed best log-probabilities (as TensorFlow).

    Raises:
        NotImplementedError: ``greedy=False``.
    """
    if not greedy:
        raise NotImplementedError("K.ctc_decode(greedy=False) (beam search) is not implemented by keras_torch; "
                                  "decode with greedy=True.")
    y_pred = _t(y_pred)
    log_p = torch.log(y_pred + epsilon())
    lengths = _t(input_length).reshape(-1).long().tolist()
    best, best_index = log_p.max(dim=-1)
    blank = y_pred.shape[-1] - 1
    decoded = torch.full(best_index.shape, -1, dtype=torch.int64, device=y_pred.device)
    scores = []
    for b, length in enumerate(lengths):
        path = best_index[b, :length]
        keep = torch.ones_like(path, dtype=torch.bool)
        keep[1:] = path[1:] != path[:-1]
        labels = path[keep & (path != blank)]
        decoded[b, : labels.numel()] = labels
        scores.append(-best[b, :length].sum())
    return [decoded], torch.stack(scores).unsqueeze(1)
