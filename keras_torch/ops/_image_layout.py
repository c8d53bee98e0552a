"""Layout ops of ``keras.ops.image``: padding and cropping images, extracting patches."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor
from keras_torch.ops._nn_conv import conv


def _images(images: Any) -> Tensor:
    t = d.tensor(images)
    if t.ndim not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received: images.shape={tuple(t.shape)}")
    return t


def _check_nonneg(**values: Any) -> None:
    for name, v in values.items():
        if v is not None and v < 0:
            raise ValueError(f"{name} must be >= 0. Received: {name}={v}")


def _exactly_two(names: tuple[str, str, str], values: tuple) -> None:
    if list(values).count(None) != 1:
        raise ValueError(
            f"Must specify exactly two of {', '.join(names)}. Received: "
            + ", ".join(f"{n}={v}" for n, v in zip(names, values)))


def _hw(t: Tensor, fmt: str) -> tuple[int, int]:
    return (t.shape[-3], t.shape[-2]) if fmt == "channels_last" else (t.shape[-2], t.shape[-1])


@d.op
def pad_images(images: Any, top_padding: int | None = None, left_padding: int | None = None,
               bottom_padding: int | None = None, right_padding: int | None = None, target_height: int | None = None,
               target_width: int | None = None, data_format: str | None = None) -> Tensor:
    """Zero-pad images; give exactly two of (top, bottom, target_height) and of (left, right, target_width).

    Args:
        images: Images of rank 3 ``(h, w, c)`` or 4 ``(batch, h, w, c)`` (channels first with
            ``data_format="channels_first"``).
        top_padding: Rows of zeros added at the top.
        left_padding: Columns of zeros added at the left.
        bottom_padding: Rows of zeros added at the bottom.
        right_padding: Columns of zeros added at the right.
        target_height: Height of the result.
        target_width: Width of the result.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        The padded images.

    Raises:
        ValueError: for another combination or negative sizes.

    Example:

    >>> ops.image.pad_images(ops.ones((2, 2, 1)), top_padding=1, left_padding=1, target_height=4, target_width=4).shape
    torch.Size([4, 4, 1])
    """
    t = _images(images)
    fmt = _config.standardize_data_format(data_format)
    _exactly_two(("top_padding", "bottom_padding", "target_height"), (top_padding, bottom_padding, target_height))
    _exactly_two(("left_padding", "right_padding", "target_width"), (left_padding, right_padding, target_width))
    _check_nonneg(top_padding=top_padding, bottom_padding=bottom_padding, target_height=target_height,
                  left_padding=left_padding, right_padding=right_padding, target_width=target_width)
    h, w = _hw(t, fmt)
    top = target_height - bottom_padding - h if top_padding is None else top_padding
    bottom = target_height - top - h if bottom_padding is None else bottom_padding
    left = target_width - right_padding - w if left_padding is None else left_padding
    right = target_width - left - w if right_padding is None else right_padding
    _check_nonneg(top_padding=top, bottom_padding=bottom, left_padding=left, right_padding=right)
    pads = (0, 0, left, right, top, bottom) if fmt == "channels_last" else (left, right, top, bottom)
    return F.pad(t, pads)


@d.op
def crop_images(images: Any, top_cropping: int | None = None, left_cropping: int | None = None,
                bottom_cropping: int | None = None, right_cropping: int | None = None, target_height: int | None = None,
                target_width: int | None = None, data_format: str | None = None) -> Tensor:
    """Crop images; give exactly two of (top, bottom, target_height) and of (left, right, target_width).

    Args:
        images: Images of rank 3 ``(h, w, c)`` or 4 ``(batch, h, w, c)`` (channels first with
            ``data_format="channels_first"``).
        top_cropping: Rows removed at the top.
        left_cropping: Columns removed at the left.
        bottom_cropping: Rows removed at the bottom.
        right_cropping: Columns removed at the right.
        target_height: Height of the result.
        target_width: Width of the result.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        The cropped images.

    Raises:
        ValueError: for another combination, negative sizes or a crop outside the image.

    Example:

    >>> ops.image.crop_images(ops.ones((4, 4, 1)), top_cropping=1, left_cropping=1, target_height=2, target_width=2).shape
    torch.Size([2, 2, 1])
    """
    t = _images(images)
    fmt = _config.standardize_data_format(data_format)
    _exactly_two(("top_cropping", "bottom_cropping", "target_height"), (top_cropping, bottom_cropping, target_height))
    _exactly_two(("left_cropping", "right_cropping", "target_width"), (left_cropping, right_cropping, target_width))
    _check_nonneg(top_cropping=top_cropping, bottom_cropping=bottom_cropping, target_height=target_height,
                  left_cropping=left_cropping, right_cropping=right_cropping, target_width=target_width)
    h, w = _hw(t, fmt)
    top = h - target_height - bottom_cropping if top_cropping is None else top_cropping
    th = h - bottom_cropping - top if target_height is None else target_height
    left = w - target_width - right_cropping if left_cropping is None else left_cropping
    tw = w - right_cropping - left if target_width is None else target_width
    _check_nonneg(top_cropping=top, target_height=th, left_cropping=left, target_width=tw)
    if top + th > h or left + tw > w:
        raise ValueError(f"The crop ({top}+{th}, {left}+{tw}) exceeds the image size ({h}, {w}).")
    if fmt == "channels_last":
        return t[..., top:top + th, left:left + tw, :]
    return t[..., top:top + th, left:left + tw]


def _patches(images: Any, size: Any, strides: Any, dilation_rate: Any, padding: str, data_format: str | None,
             nd: int) -> Tensor:
    t = d.tensor(images)
    fmt = _config.standardize_data_format(data_format)
    sizes = (size,) * nd if isinstance(size, int) else tuple(size)
    if len(sizes) != nd:
        raise TypeError(f"Invalid `size` argument. Expected an int or a tuple of length {nd}. Received: size={size}")
    channels = t.shape[-1] if fmt == "channels_last" else t.shape[-(nd + 1)]
    out_dim = channels
    for v in sizes:
        out_dim *= v
    kernel = torch.eye(out_dim, dtype=t.dtype if t.is_floating_point() else torch.float32, device=t.device)
    kernel = kernel.reshape(*sizes, channels, out_dim)
    single = t.ndim == nd + 1
    if single:
        t = t.unsqueeze(0)
    out = conv.__wrapped__(t, kernel, strides=strides or sizes, padding=padding, data_format=fmt,
                           dilation_rate=dilation_rate)
    return out.squeeze(0) if single else out


@d.op
def extract_patches(images: Any, size: Any, strides: Any = None, dilation_rate: Any = 1, padding: str = "valid",
                    data_format: str | None = None) -> Tensor:
    """Patches of ``size`` as channels: ``(batch, rows, cols, ph * pw * channels)`` (a 3-tuple ``size``
    extracts volume patches like :func:`extract_patches_3d`).

    Args:
        images: Images (rank 3 or 4).
        size: Patch size, int or ``(ph, pw)``.
        strides: Step (default: ``size``).
        dilation_rate: Dilation (requires stride 1).
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first".

    Returns:
        Patches tensor.

    Raises:
        ValueError: for strides > 1 combined with dilation > 1.

    Example:

    >>> ops.image.extract_patches(ops.ones((1, 4, 4, 3)), size=2).shape
    torch.Size([1, 2, 2, 12])
    """
    if not isinstance(size, int) and len(size) == 3:
        return extract_patches_3d.__wrapped__(images, size, strides, dilation_rate, padding, data_format)
    _strides_dilation(strides, dilation_rate)
    return _patches(images, size, strides, dilation_rate, padding, data_format, 2)


def _strides_dilation(strides: Any, dilation_rate: Any) -> None:
    st = [strides] if isinstance(strides, int) else list(strides or [1])
    dil = [dilation_rate] if isinstance(dilation_rate, int) else list(dilation_rate)
    if strides is not None and max(st) > 1 and max(dil) > 1:
        raise ValueError(
            "`strides > 1` not supported in conjunction with `dilation_rate > 1`. "
            f"Received: strides={strides} and dilation_rate={dilation_rate}")


@d.op
def extract_patches_3d(volumes: Any, size: Any, strides: Any = None, dilation_rate: Any = 1, padding: str = "valid",
                       data_format: str | None = None) -> Tensor:
    """Volume patches ``(batch, d', h', w', pd * ph * pw * channels)`` of 5-D (or 4-D single) volumes.

    Args:
        volumes: Tensor of shape ``(batch, d, h, w, c)`` or ``(d, h, w, c)`` (channels first with
            ``data_format="channels_first"``).
        size: Patch size: an int or ``(pd, ph, pw)``.
        strides: Step between patches (default: ``size``, no overlap).
        dilation_rate: Spacing of the patch elements.
        padding: "valid" or "same".
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        The patches, one per output position, flattened into the channel axis.

    Example:

    >>> ops.image.extract_patches_3d(ops.ones((1, 4, 4, 4, 1)), size=2).shape
    torch.Size([1, 2, 2, 2, 8])
    """
    _strides_dilation(strides, dilation_rate)
    return _patches(volumes, size, strides, dilation_rate, padding, data_format, 3)
