"""Convolution and pooling ops of ``keras.ops.nn`` with Keras's layouts and padding.

Inputs are channels-last by default (``keras.config.image_data_format()``); kernels use Keras's
layout ``(*spatial, in_channels, out_channels)`` (transposed convolution: ``(*spatial, out, in)``,
depthwise: ``(*spatial, in, multiplier)``). ``"same"`` padding is TensorFlow's: the extra pixel
of an odd total goes after, so strided convolutions match Keras exactly.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}
_MAX_POOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG_POOL = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


def tuple_n(value: Any, n: int, name: str) -> tuple[int, ...]:
    """An int or sequence argument as an ``n``-tuple; ValueError naming the argument otherwise."""
    if isinstance(value, int):
        return (value,) * n
    vals = tuple(int(v) for v in value)
    if len(vals) == 1:
        return vals * n
    if len(vals) != n:
        raise ValueError(f"The `{name}` argument must be an int or a tuple of {n} ints. Received: {name}={value}")
    return vals


def _padding(padding: str, allowed: Sequence[str] = ("valid", "same")) -> str:
    p = str(padding).lower()
    if p not in allowed:
        raise ValueError(f"The `padding` argument must be one of {', '.join(map(repr, allowed))}. Received: padding={padding}")
    return p


def to_channels_first(x: Tensor, data_format: str | None) -> tuple[Tensor, str]:
    """Input moved to torch's channels-first layout, and the resolved data format."""
    fmt = _config.standardize_data_format(data_format)
    if fmt == "channels_last":
        x = torch.movedim(x, -1, 1)
    return x, fmt


def from_channels_first(x: Tensor, fmt: str) -> Tensor:
    """Inverse of :func:`to_channels_first`."""
    return torch.movedim(x, 1, -1) if fmt == "channels_last" else x


def same_pads(sizes: Sequence[int], kernel: Sequence[int], strides: Sequence[int],
              dilation: Sequence[int]) -> list[tuple[int, int]]:
    """TensorFlow's "same" padding (before, after) per spatial dim."""
    pads = []
    for n, k, s, r in zip(sizes, kernel, strides, dilation):
        eff = (k - 1) * r + 1
        total = max((math.ceil(n / s) - 1) * s + eff - n, 0)
        pads.append((total // 2, total - total // 2))
    return pads


def _pad_spatial(x: Tensor, pads: list[tuple[int, int]], value: float = 0.0) -> Tensor:
    flat: list[int] = []
    for before, after in reversed(pads):
        flat += [before, after]
    return F.pad(x, flat, value=value) if any(flat) else x


def _float_inputs(*xs: Any) -> tuple[list[Tensor], torch.dtype]:
    dev = d.device_of(*xs)
    ts = [d.tensor(x, device=dev) for x in xs]
    dt = d.result_of(*(t.dtype for t in ts))
    if not dt.is_floating_point:
        dt = d.float_of(dt)
    return [t.to(dt) for t in ts], dt


def _check_rank(x: Tensor, kernel: Tensor, name: str) -> int:
    nd = x.ndim - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"`{name}` supports 3-D, 4-D and 5-D inputs (1 to 3 spatial dims). Received: inputs.ndim={x.ndim}")
    if kernel.ndim != x.ndim:
        raise ValueError(
            f"The kernel rank must equal the input rank in `{name}`. Received: inputs.shape={tuple(x.shape)}, "
            f"kernel.shape={tuple(kernel.shape)}")
    return nd


def _conv(x: Tensor, weight: Tensor, nd: int, strides: Any, padding: str, dilation_rate: Any, groups: int) -> Tensor:
    st = tuple_n(strides, nd, "strides")
    dil = tuple_n(dilation_rate, nd, "dilation_rate")
    if padding == "same":
        x = _pad_spatial(x, same_pads(x.shape[2:], weight.shape[2:], st, dil))
    return _CONV[nd](x, weight, stride=st, dilation=dil, groups=groups)


@d.op
def conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", data_format: str | None = None,
         dilation_rate: Any = 1) -> Tensor:
    """N-D convolution (1 to 3 spatial dims), grouped when the input has a multiple of the
    kernel's input channels.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        kernel: ``(*kernel_size, in_channels / groups, filters)``.
        strides: Int or one per spatial dim.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first" (default: the global setting).
        dilation_rate: Int or one per spatial dim.

    Returns:
        Output tensor in ``data_format``.

    Raises:
        ValueError: for bad ranks, padding or channel counts.

    Example:

    >>> ops.conv(ops.ones((1, 5, 5, 3)), ops.ones((3, 3, 3, 8))).shape
    torch.Size([1, 3, 3, 8])
    """
    (x, k), _ = _float_inputs(inputs, kernel)
    nd = _check_rank(x, k, "conv")
    pad = _padding(padding)
    x, fmt = to_channels_first(x, data_format)
    in_ch, k_in = x.shape[1], k.shape[-2]
    if k_in == 0 or in_ch % k_in:
        raise ValueError(
            f"The number of input channels ({in_ch}) must be a multiple of the kernel's input channels ({k_in}).")
    weight = torch.movedim(k, (-1, -2), (0, 1))
    return from_channels_first(_conv(x, weight, nd, strides, pad, dilation_rate, in_ch // k_in), fmt)


@d.op
def depthwise_conv(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", data_format: str | None = None,
                   dilation_rate: Any = 1) -> Tensor:
    """Depthwise convolution: each input channel convolved with its own ``multiplier`` filters.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        kernel: ``(*kernel_size, channels, multiplier)``.
        strides: Int or one per spatial dim.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".
        dilation_rate: Int or one per spatial dim.

    Returns:
        Output with ``channels * multiplier`` channels.

    Example:

    >>> ops.depthwise_conv(ops.ones((1, 5, 5, 3)), ops.ones((3, 3, 3, 2))).shape
    torch.Size([1, 3, 3, 6])
    """
    (x, k), _ = _float_inputs(inputs, kernel)
    nd = _check_rank(x, k, "depthwise_conv")
    pad = _padding(padding)
    x, fmt = to_channels_first(x, data_format)
    ch, mult = k.shape[-2], k.shape[-1]
    weight = torch.movedim(k, (-2, -1), (0, 1)).reshape(ch * mult, 1, *k.shape[:-2])
    return from_channels_first(_conv(x, weight, nd, strides, pad, dilation_rate, ch), fmt)


@d.op
def separable_conv(inputs: Any, depthwise_kernel: Any, pointwise_kernel: Any, strides: Any = 1,
                   padding: str = "valid", data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """Depthwise convolution followed by a 1x1 (pointwise) convolution.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        depthwise_kernel: ``(*kernel_size, channels, multiplier)``.
        pointwise_kernel: ``(1, ..., 1, channels * multiplier, filters)``.
        strides: Strides of the depthwise step.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".
        dilation_rate: Dilation of the depthwise step.

    Returns:
        Output tensor.

    Example:

    >>> ops.separable_conv(ops.ones((1, 5, 5, 3)), ops.ones((3, 3, 3, 1)), ops.ones((1, 1, 3, 8))).shape
    torch.Size([1, 3, 3, 8])
    """
    out = depthwise_conv.__wrapped__(inputs, depthwise_kernel, strides, padding, data_format, dilation_rate)
    return conv.__wrapped__(out, pointwise_kernel, 1, "valid", data_format, 1)


def _transpose_length(n: int, k: int, s: int, r: int, padding: str, output_padding: int | None) -> int:
    eff = (k - 1) * r + 1
    if padding == "valid":
        return (n - 1) * s + eff + (max(eff, s) - eff if output_padding is None else output_padding)
    if output_padding is None:
        return n * s
    return (n - 1) * s + eff % 2 + output_padding


@d.op
def conv_transpose(inputs: Any, kernel: Any, strides: Any = 1, padding: str = "valid", output_padding: Any = None,
                   data_format: str | None = None, dilation_rate: Any = 1) -> Tensor:
    """Transposed convolution (the gradient of ``conv``), output sized as TensorFlow/Keras do.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        kernel: ``(*kernel_size, filters, in_channels)``.
        strides: Int or one per spatial dim.
        padding: "valid" or "same".
        output_padding: Extra size per spatial dim (default: inferred).
        data_format: "channels_last" or "channels_first".
        dilation_rate: Int or one per spatial dim.

    Returns:
        Output tensor.

    Example:

    >>> ops.conv_transpose(ops.ones((1, 4, 4, 8)), ops.ones((3, 3, 2, 8)), strides=2, padding="same").shape
    torch.Size([1, 8, 8, 2])
    """
    (x, k), _ = _float_inputs(inputs, kernel)
    nd = _check_rank(x, k, "conv_transpose")
    pad = _padding(padding)
    x, fmt = to_channels_first(x, data_format)
    st = tuple_n(strides, nd, "strides")
    dil = tuple_n(dilation_rate, nd, "dilation_rate")
    ks = tuple(k.shape[:-2])
    outp = [None] * nd if output_padding is None else list(tuple_n(output_padding, nd, "output_padding"))
    weight = torch.movedim(k, (-1, -2), (0, 1))  # (in, out, *k): torch's transposed-conv layout
    full = _CONV_T[nd](x, weight, stride=st, dilation=dil)
    slices = [slice(None), slice(None)]
    pads = []
    for i in range(nd):
        n, size = x.shape[2 + i], full.shape[2 + i]
        length = _transpose_length(n, ks[i], st[i], dil[i], pad, outp[i])
        eff = (ks[i] - 1) * dil[i] + 1
        total = max((n - 1) * st[i] + eff - length, 0) if pad == "same" else 0
        before = total // 2
        stop = min(before + length, size)
        slices.append(slice(before, stop))
        pads.append((0, before + length - stop))
    out = _pad_spatial(full[tuple(slices)], pads)
    return from_channels_first(out, fmt)


def _pool(inputs: Any, pool_size: Any, strides: Any, padding: str, data_format: str | None, kind: str) -> Tensor:
    x = d.tensor(inputs)
    if not x.is_floating_point():
        x = x.to(d.float_of(x.dtype))
    nd = x.ndim - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"Pooling supports 3-D, 4-D and 5-D inputs. Received: inputs.ndim={x.ndim}")
    pad = _padding(padding)
    x, fmt = to_channels_first(x, data_format)
    ps = tuple_n(pool_size, nd, "pool_size")
    st = ps if strides is None else tuple_n(strides, nd, "strides")
    if pad == "same":
        pads = same_pads(x.shape[2:], ps, st, (1,) * nd)
        if kind == "max":
            out = _MAX_POOL[nd](_pad_spatial(x, pads, float("-inf")), ps, st)
        else:
            # Mean over the zero-padded window, rescaled by the fraction of real cells in it.
            ones = torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device)
            out = _AVG_POOL[nd](_pad_spatial(x, pads), ps, st) / _AVG_POOL[nd](_pad_spatial(ones, pads), ps, st)
    else:
        out = (_MAX_POOL if kind == "max" else _AVG_POOL)[nd](x, ps, st)
    return from_channels_first(out, fmt)


@d.op
def max_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
             data_format: str | None = None) -> Tensor:
    """Max pooling over windows of ``pool_size`` (1 to 3 spatial dims).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        pool_size: Window size, int or one per spatial dim.
        strides: Step (default: ``pool_size``).
        padding: "valid" or "same" (padding never wins the max).
        data_format: "channels_last" or "channels_first".

    Returns:
        Pooled tensor.

    Example:

    >>> ops.max_pool(ops.ones((1, 4, 4, 3)), pool_size=2, strides=1, padding="same").shape
    torch.Size([1, 4, 4, 3])
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "max")


@d.op
def average_pool(inputs: Any, pool_size: Any, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None) -> Tensor:
    """Average pooling over windows of ``pool_size``; with "same" padding, padded cells are not counted.

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        pool_size: Window size, int or one per spatial dim.
        strides: Step (default: ``pool_size``).
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    Returns:
        Pooled tensor.

    Example:

    >>> ops.average_pool(ops.ones((1, 4, 4, 3)), pool_size=2).shape
    torch.Size([1, 2, 2, 3])
    """
    return _pool(inputs, pool_size, strides, padding, data_format, "avg")


def _adaptive(inputs: Any, output_size: Any, data_format: str | None, kind: str) -> Tensor:
    x = d.tensor(inputs)
    if not x.is_floating_point():
        x = x.to(d.float_of(x.dtype))
    nd = x.ndim - 2
    if nd not in (1, 2, 3):
        raise ValueError(f"Adaptive pooling supports 3-D, 4-D and 5-D inputs. Received: inputs.ndim={x.ndim}")
    x, fmt = to_channels_first(x, data_format)
    size = tuple_n(output_size, nd, "output_size")
    fn = getattr(F, f"adaptive_{kind}_pool{nd}d")
    return from_channels_first(fn(x, size), fmt)


@d.op
def adaptive_average_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Tensor:
    """Average pooling to a fixed ``output_size`` (torch's adaptive pooling bins).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        output_size: Int or one per spatial dim.
        data_format: "channels_last" or "channels_first".

    Returns:
        Pooled tensor.

    Example:

    >>> ops.adaptive_average_pool(ops.ones((1, 4, 4, 3)), output_size=(2, 2)).shape
    torch.Size([1, 2, 2, 3])
    """
    return _adaptive(inputs, output_size, data_format, "avg")


@d.op
def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Tensor:
    """Max pooling to a fixed ``output_size`` (torch's adaptive pooling bins).

    Args:
        inputs: ``(batch, *spatial, channels)`` (or channels-first).
        output_size: Int or one per spatial dim.
        data_format: "channels_last" or "channels_first".

    Returns:
        Pooled tensor.

    Example:

    >>> ops.adaptive_max_pool(ops.ones((1, 4, 4, 3)), output_size=(2, 2)).shape
    torch.Size([1, 2, 2, 3])
    """
    return _adaptive(inputs, output_size, data_format, "max")


def _block_data_format(data_format: str) -> str:
    fmt = str(data_format).lower()
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(f"`data_format` must be 'channels_last' or 'channels_first'. Received: {data_format}")
    return fmt


@d.op
def depth_to_space(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Move channel blocks into ``block_size x block_size`` spatial blocks (TensorFlow's DCR order).

    Args:
        x: 4-D tensor, channels a multiple of ``block_size ** 2``.
        block_size: Side of the spatial blocks.
        data_format: "channels_last" (NHWC) or "channels_first" (NCHW).

    Returns:
        Tensor with ``block_size`` times the height and width and ``block_size ** 2`` times fewer channels.

    Raises:
        ValueError: for non-4-D inputs or channels not divisible by ``block_size**2``.

    Example:

    >>> ops.depth_to_space(ops.ones((1, 2, 2, 8)), 2).shape
    torch.Size([1, 4, 4, 2])
    """
    t = d.tensor(x)
    fmt = _block_data_format(data_format)
    if t.ndim != 4:
        raise ValueError(f"`depth_to_space` expects a 4-D input. Received: x.shape={tuple(t.shape)}")
    if fmt == "channels_first":
        t = t.permute(0, 2, 3, 1)
    b, h, w, c = t.shape
    bs = int(block_size)
    if c % (bs * bs):
        raise ValueError(f"Channels ({c}) must be divisible by block_size**2 ({bs * bs}).")
    out = t.reshape(b, h, w, bs, bs, c // (bs * bs)).permute(0, 1, 3, 2, 4, 5).reshape(b, h * bs, w * bs, -1)
    return out.permute(0, 3, 1, 2) if fmt == "channels_first" else out


@d.op
def space_to_depth(x: Any, block_size: int, data_format: str = "channels_last") -> Tensor:
    """Move ``block_size x block_size`` spatial blocks into channels (inverse of :func:`depth_to_space`).

    Args:
        x: 4-D tensor whose height and width are multiples of ``block_size``.
        block_size: Side of the spatial blocks.
        data_format: "channels_last" (NHWC) or "channels_first" (NCHW).

    Returns:
        Tensor with ``block_size`` times smaller height and width and ``block_size ** 2`` times more channels.

    Raises:
        ValueError: for non-4-D inputs or spatial sizes not divisible by ``block_size``.

    Example:

    >>> ops.space_to_depth(ops.ones((1, 4, 4, 2)), 2).shape
    torch.Size([1, 2, 2, 8])
    """
    t = d.tensor(x)
    fmt = _block_data_format(data_format)
    if t.ndim != 4:
        raise ValueError(f"`space_to_depth` expects a 4-D input. Received: x.shape={tuple(t.shape)}")
    if fmt == "channels_first":
        t = t.permute(0, 2, 3, 1)
    b, h, w, c = t.shape
    bs = int(block_size)
    if h % bs or w % bs:
        raise ValueError(f"Height ({h}) and width ({w}) must be divisible by block_size ({bs}).")
    out = t.reshape(b, h // bs, bs, w // bs, bs, c).permute(0, 1, 3, 2, 4, 5).reshape(b, h // bs, w // bs, -1)
    return out.permute(0, 3, 1, 2) if fmt == "channels_first" else out


@d.op
def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sliding local blocks of a channels-first batch ``(N, C, H, W)`` as columns ``(N, C*kh*kw, L)``
    (torch's ``unfold``).

    Args:
        x: Tensor of shape ``(N, C, H, W)``.
        kernel_size: Block size: an int or ``(kh, kw)``.
        dilation: Spacing between block elements (int or pair).
        padding: Zero padding on both sides (int or pair).
        stride: Step between blocks (int or pair).

    Returns:
        Tensor of shape ``(N, C * kh * kw, L)``, ``L`` the number of blocks.

    Raises:
        ValueError: for non-4-D inputs.

    Example:

    >>> ops.unfold(ops.ones((1, 2, 4, 4)), kernel_size=2, stride=2).shape
    torch.Size([1, 8, 4])
    """
    t = d.tensor(x)
    if t.ndim != 4:
        raise ValueError(f"`unfold` expects a 4-D input (N, C, H, W). Received: x.shape={tuple(t.shape)}")
    return F.unfold(t, kernel_size, dilation=dilation, padding=padding, stride=stride)


@d.op
def fold(x: Any, output_size: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Tensor:
    """Sum columns ``(N, C*kh*kw, L)`` back into a ``(N, C, *output_size)`` image (inverse of
    :func:`unfold`, overlaps added).

    Args:
        x: Tensor of shape ``(N, C * kh * kw, L)``.
        output_size: ``(H, W)`` of the image.
        kernel_size: Block size: an int or ``(kh, kw)``.
        dilation: Spacing between block elements (int or pair).
        padding: Zero padding on both sides (int or pair).
        stride: Step between blocks (int or pair).

    Returns:
        Tensor of shape ``(N, C, H, W)``.

    Raises:
        ValueError: for non-3-D inputs.

    Example:

    >>> ops.fold(ops.ones((1, 8, 4)), output_size=(4, 4), kernel_size=2, stride=2).shape
    torch.Size([1, 2, 4, 4])
    """
    t = d.tensor(x)
    if t.ndim != 3:
        raise ValueError(f"`fold` expects a 3-D input (N, C*kh*kw, L). Received: x.shape={tuple(t.shape)}")
    return F.fold(t, output_size, kernel_size, dilation=dilation, padding=padding, stride=stride)
