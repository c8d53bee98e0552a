"""``keras.ops.image``: every public name of Keras 3.15's ``keras.ops.image`` on torch.

Images are ``(batch, height, width, channels)`` or a single ``(height, width, channels)`` image
(channels-first with ``data_format="channels_first"``). Resizing reproduces TensorFlow's kernels
(half-pixel bilinear/nearest/bicubic, area, antialiased and Lanczos resampling), geometric
transforms reproduce TensorFlow's projective transform with its fill modes.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops import _image_sampling as s
from keras_torch.ops._dispatch import Tensor
from keras_torch.ops._image_layout import (  # noqa: F401 - re-exported
    crop_images,
    extract_patches,
    extract_patches_3d,
    pad_images,
)
from keras_torch.ops._nn_conv import same_pads

RESIZE_INTERPOLATIONS = ("bilinear", "nearest", "lanczos3", "lanczos5", "bicubic", "area")
TRANSFORM_INTERPOLATIONS = ("nearest", "bilinear")
TRANSFORM_FILL_MODES = ("constant", "nearest", "wrap", "reflect")
SCALE_AND_TRANSLATE_METHODS = ("linear", "bilinear", "trilinear", "cubic", "bicubic", "tricubic", "lanczos3", "lanczos5")


def _images(images: Any, name: str = "images") -> Tensor:
    t = d.tensor(images)
    if t.ndim not in (3, 4):
        raise ValueError(
            f"Invalid {name} rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received input with shape: {name}.shape={tuple(t.shape)}")
    return t


def _to_nhwc(t: Tensor, data_format: str | None) -> tuple[Tensor, str, bool]:
    fmt = _config.standardize_data_format(data_format)
    single = t.ndim == 3
    if single:
        t = t.unsqueeze(0)
    if fmt == "channels_first":
        t = t.permute(0, 2, 3, 1)
    return t, fmt, single


def _from_nhwc(t: Tensor, fmt: str, single: bool) -> Tensor:
    if fmt == "channels_first":
        t = t.permute(0, 3, 1, 2)
    return t.squeeze(0) if single else t


def _same_shape(images: Any, *args: Any, **kwargs: Any) -> d.KerasTensor:
    shape = d.shape_of(images)
    if len(shape) not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received input with shape: images.shape={shape}")
    return d.spec(shape, images.dtype)


def _channel_axis(data_format: str | None) -> int:
    return -1 if _config.standardize_data_format(data_format) == "channels_last" else -3


@d.op
def rgb_to_grayscale(images: Any, data_format: str | None = None) -> Tensor:
    """Luma ``0.2989 R + 0.5870 G + 0.1140 B`` (one channel; grayscale inputs pass through).

    Args:
        images: Images of rank 3 or 4 with 3 (or 1) channels.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        Images with one channel.

    Raises:
        ValueError: for a rank other than 3/4 or a channel count other than 1/3.

    Example:

    >>> ops.image.rgb_to_grayscale(ops.ones((2, 2, 3))).shape
    torch.Size([2, 2, 1])
    """
    t = _images(images)
    ax = _channel_axis(data_format)
    if t.shape[ax] not in (1, 3):
        raise ValueError(
            f"Invalid channel size: expected 3 (RGB) or 1 (Grayscale). Received input with shape: images.shape={tuple(t.shape)}")
    if t.shape[ax] == 1:
        return t.clone()
    work = t.to(d.result_of(t.dtype, float))
    weights = torch.tensor([0.2989, 0.5870, 0.1140], dtype=work.dtype, device=t.device)
    out = torch.tensordot(torch.movedim(work, ax, -1), weights, dims=1).unsqueeze(-1)
    return torch.movedim(out, -1, ax).to(t.dtype)


def _float_images(images: Any) -> Tensor:
    t = _images(images)
    if not t.is_floating_point():
        raise ValueError(f"Invalid images dtype: expected float dtype. Received: images.dtype={d.dtypes.standardize_dtype(t.dtype)}")
    return t


@d.op(rule=_same_shape)
def rgb_to_hsv(images: Any, data_format: str | None = None) -> Tensor:
    """RGB in ``[0, 1]`` to HSV (hue in ``[0, 1)``), as ``tf.image.rgb_to_hsv``.

    Args:
        images: Float images of rank 3 or 4 with 3 channels.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        HSV images of the same shape and dtype.

    Raises:
        ValueError: for non-float images or a rank other than 3/4.

    Example:

    >>> ops.image.rgb_to_hsv(ops.array([[[1.0, 0.0, 0.0]]]))
    tensor([[[0., 1., 1.]]])
    """
    t, fmt, single = _to_nhwc(_float_images(images), data_format)
    r, g, b = t[..., 0], t[..., 1], t[..., 2]
    value = torch.amax(t, dim=-1)
    rng = value - torch.amin(t, dim=-1)
    saturation = torch.where(value > 0, rng / torch.where(value > 0, value, torch.ones_like(value)), torch.zeros_like(value))
    norm = 1.0 / (6.0 * torch.where(rng > 0, rng, torch.ones_like(rng)))
    hue = torch.where(r == value, norm * (g - b), torch.where(g == value, norm * (b - r) + 2.0 / 6.0,
                                                               norm * (r - g) + 4.0 / 6.0))
    hue = torch.where(rng > 0, hue, torch.zeros_like(hue))
    hue = torch.where(hue < 0, hue + 1.0, hue)
    return _from_nhwc(torch.stack([hue, saturation, value], dim=-1), fmt, single)


@d.op(rule=_same_shape)
def hsv_to_rgb(images: Any, data_format: str | None = None) -> Tensor:
    """HSV (all in ``[0, 1]``) to RGB, as ``tf.image.hsv_to_rgb``.

    Args:
        images: Float images of rank 3 or 4 with 3 channels (hue, saturation, value).
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        RGB images of the same shape and dtype.

    Raises:
        ValueError: for non-float images or a rank other than 3/4.

    Example:

    >>> ops.image.hsv_to_rgb(ops.array([[[0.0, 1.0, 1.0]]]))
    tensor([[[1., 0., 0.]]])
    """
    t, fmt, single = _to_nhwc(_float_images(images), data_format)
    h, sat, v = t[..., 0], t[..., 1], t[..., 2]
    dh = h * 6.0
    dr = torch.clamp(torch.abs(dh - 3.0) - 1.0, 0.0, 1.0)
    dg = torch.clamp(2.0 - torch.abs(dh - 2.0), 0.0, 1.0)
    db = torch.clamp(2.0 - torch.abs(dh - 4.0), 0.0, 1.0)
    one_minus_s = 1.0 - sat
    rgb = torch.stack([v * (one_minus_s + sat * c) for c in (dr, dg, db)], dim=-1)
    return _from_nhwc(rgb, fmt, single)


def _aspect_crop(t: Tensor, size: tuple[int, int]) -> Tensor:
    h, w = t.shape[1], t.shape[2]
    th, tw = size
    ch = max(min(h, int(w * th / tw)), 1)
    cw = max(min(w, int(h * tw / th)), 1)
    top, left = int((h - ch) / 2), int((w - cw) / 2)
    return t[:, top:top + ch, left:left + cw, :]


def _aspect_pad(t: Tensor, size: tuple[int, int], fill_value: float) -> Tensor:
    h, w = t.shape[1], t.shape[2]
    th, tw = size
    ph = max(h, int(w * th / tw))
    pw = max(w, int(h * tw / th))
    top, left = int((ph - h) / 2), int((pw - w) / 2)
    return F.pad(t, (0, 0, left, left, top, top), value=fill_value)


def _resize_weights(n_in: int, n_out: int, interpolation: str, antialias: bool, device: torch.device) -> Tensor:
    if interpolation == "nearest":
        return s.nearest_weights(n_in, n_out, device)
    if interpolation == "area":
        return s.area_weights(n_in, n_out, device)
    kernel = {"bilinear": "linear", "bicubic": "cubic"}.get(interpolation, interpolation)
    if antialias or kernel in ("lanczos3", "lanczos5"):
        return s.kernel_weights(n_in, n_out, n_out / n_in, 0.0, s.KERNELS[kernel], antialias, device)
    return s.bilinear_weights(n_in, n_out, device) if kernel == "linear" else s.bicubic_weights(n_in, n_out, device)


def _check_resize(size: Any, interpolation: str, crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool,
                  fill_mode: str, shape: tuple) -> tuple[int, int]:
    if interpolation not in RESIZE_INTERPOLATIONS:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one {RESIZE_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}")
    if fill_mode != "constant":
        raise ValueError(f"Invalid value for argument `fill_mode`. Only `'constant'` is supported. Received: fill_mode={fill_mode}")
    if pad_to_aspect_ratio and crop_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` can be `True`.")
    size = tuple(int(v) for v in size)
    if len(size) != 2:
        raise ValueError(f"Argument `size` must be a tuple of two elements (height, width). Received: size={size}")
    if len(shape) not in (3, 4):
        raise ValueError(
            "Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
            f"Received input with shape: images.shape={tuple(shape)}")
    return size


def _resize_rule(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
                 crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
                 fill_value: float = 0.0, data_format: str | None = None) -> Any:
    shape = list(d.shape_of(images))
    size = _check_resize(size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode, tuple(shape))
    hw = [-2, -1] if _config.standardize_data_format(data_format) == "channels_first" else [-3, -2]
    shape[hw[0]], shape[hw[1]] = int(size[0]), int(size[1])
    return d.spec(shape, images.dtype if d.dtypes.is_float(images.dtype) else "float32")


@d.op(rule=_resize_rule)
def resize(images: Any, size: Any, interpolation: str = "bilinear", antialias: bool = False,
           crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False, fill_mode: str = "constant",
           fill_value: float = 0.0, data_format: str | None = None) -> Tensor:
    """Resize images to ``size`` with TensorFlow's resampling.

    Args:
        images: ``(batch, h, w, c)`` or ``(h, w, c)`` (channels-first with ``data_format``).
        size: ``(height, width)``.
        interpolation: "bilinear", "nearest", "bicubic", "area", "lanczos3" or "lanczos5".
        antialias: Widen the kernel when downsampling (bilinear, bicubic, lanczos).
        crop_to_aspect_ratio: Centre-crop to the target aspect ratio first.
        pad_to_aspect_ratio: Centre-pad (with ``fill_value``) to the target aspect ratio first.
        fill_mode: Only "constant".
        fill_value: Padding value for ``pad_to_aspect_ratio``.
        data_format: "channels_last" or "channels_first".

    Returns:
        Resized images (integer images become float32, except with "nearest").

    Raises:
        ValueError: for unknown interpolations, a bad ``size``, both aspect options, or a bad rank.

    Example:

    >>> ops.image.resize(ops.ones((1, 4, 4, 3)), (2, 2)).shape
    torch.Size([1, 2, 2, 3])
    """
    size = _check_resize(size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio, fill_mode, d.shape_of(images))
    t, fmt, single = _to_nhwc(_images(images), data_format)
    if crop_to_aspect_ratio:
        t = _aspect_crop(t, size)
    elif pad_to_aspect_ratio:
        t = _aspect_pad(t, size, fill_value)
    keep_dtype = t.is_floating_point() or interpolation == "nearest"
    work = t if t.is_floating_point() else t.to(torch.float32)
    out = s.apply_axis(work, _resize_weights(t.shape[1], size[0], interpolation, antialias, t.device), 1)
    out = s.apply_axis(out, _resize_weights(t.shape[2], size[1], interpolation, antialias, t.device), 2)
    if keep_dtype and not t.is_floating_point():
        out = torch.round(out).to(t.dtype)
    return _from_nhwc(out, fmt, single)


def _transform_args(interpolation: str, fill_mode: str = "constant") -> None:
    if interpolation not in TRANSFORM_INTERPOLATIONS:
        raise ValueError(
            f"Invalid value for argument `interpolation`. Expected of one {TRANSFORM_INTERPOLATIONS}. "
            f"Received: interpolation={interpolation}")
    if fill_mode not in TRANSFORM_FILL_MODES:
        raise ValueError(
            f"Invalid value for argument `fill_mode`. Expected of one {TRANSFORM_FILL_MODES}. Received: fill_mode={fill_mode}")


def _affine_rule(images: Any, transform: Any, interpolation: str = "bilinear", fill_mode: str = "constant",
                 *args: Any, **kwargs: Any) -> d.KerasTensor:
    _transform_args(interpolation, fill_mode)
    return _same_shape(images)


def _perspective_rule(images: Any, start_points: Any, end_points: Any, interpolation: str = "bilinear",
                      *args: Any, **kwargs: Any) -> d.KerasTensor:
    _transform_args(interpolation)
    return _same_shape(images)


def _elastic_rule(images: Any, alpha: float = 20.0, sigma: float = 5.0, interpolation: str = "bilinear",
                  fill_mode: str = "reflect", *args: Any, **kwargs: Any) -> d.KerasTensor:
    _transform_args(interpolation, fill_mode)
    return _same_shape(images)


@d.op(rule=_affine_rule)
def affine_transform(images: Any, transform: Any, interpolation: str = "bilinear", fill_mode: str = "constant",
                     fill_value: float = 0, data_format: str | None = None) -> Tensor:
    """Apply projective transforms ``[a0, a1, a2, b0, b1, b2, c0, c1]`` (output pixel ``(x, y)``
    samples the input at ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``,
    ``k = c0 x + c1 y + 1``).

    Args:
        images: Images (rank 3 or 4).
        transform: ``(8,)`` or ``(batch, 8)``.
        interpolation: "nearest" or "bilinear".
        fill_mode: "constant", "nearest", "wrap" or "reflect" (TensorFlow's definitions).
        fill_value: Value outside the image with "constant".
        data_format: "channels_last" or "channels_first".

    Returns:
        Transformed images.

    Raises:
        ValueError: for unknown options or bad ranks.

    Example:

    >>> images = ops.ones((1, 4, 4, 1))
    >>> identity = ops.array([[1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]])
    >>> ops.image.affine_transform(images, identity).shape
    torch.Size([1, 4, 4, 1])
    """
    _transform_args(interpolation, fill_mode)
    t, fmt, single = _to_nhwc(_images(images), data_format)
    tr = d.tensor(transform, device=t.device)
    if tr.ndim not in (1, 2):
        raise ValueError(
            "Invalid transform rank: expected rank 1 (single transform) or rank 2 (batch of transforms). "
            f"Received input with shape: transform.shape={tuple(tr.shape)}")
    out = s.projective_transform(t, tr.reshape(-1, 8), interpolation, fill_mode, float(fill_value))
    return _from_nhwc(out, fmt, single)


@d.op(rule=_perspective_rule)
def perspective_transform(images: Any, start_points: Any, end_points: Any, interpolation: str = "bilinear",
                          fill_value: float = 0, data_format: str | None = None) -> Tensor:
    """Warp images so that the quad ``start_points`` moves to ``end_points`` (4 ``(x, y)`` corners each).

    Args:
        images: Images of rank 3 or 4.
        start_points: Corners ``(4, 2)`` (or ``(batch, 4, 2)``) in the input.
        end_points: Where those corners land in the output, same shape as ``start_points``.
        interpolation: "nearest" or "bilinear".
        fill_value: Value of pixels that come from outside the input.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        The warped images.

    Raises:
        ValueError: for bad point shapes, ranks or interpolation.

    Example:

    >>> corners = ops.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0], [3.0, 3.0]])
    >>> ops.image.perspective_transform(ops.ones((1, 4, 4, 1)), corners, corners).shape
    torch.Size([1, 4, 4, 1])
    """
    _transform_args(interpolation)
    t, fmt, single = _to_nhwc(_images(images), data_format)
    sp = d.tensor(start_points, device=t.device).to(torch.float32)
    ep = d.tensor(end_points, device=t.device).to(torch.float32)
    for name, p in (("start_points", sp), ("end_points", ep)):
        if p.ndim not in (2, 3) or tuple(p.shape[-2:]) != (4, 2):
            raise ValueError(f"Invalid {name} shape: expected (4,2) for a single image or (N,4,2) for a batch. "
                             f"Received shape: {tuple(p.shape)}")
    if sp.shape != ep.shape:
        raise ValueError(f"start_points and end_points must have the same shape. Received start_points.shape="
                         f"{tuple(sp.shape)}, end_points.shape={tuple(ep.shape)}")
    transforms = s.homography(sp.reshape(-1, 4, 2), ep.reshape(-1, 4, 2))
    out = s.projective_transform(t, transforms, interpolation, "constant", float(fill_value))
    return _from_nhwc(out, fmt, single)


@d.op
def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0) -> Tensor:
    """Sample ``inputs`` at ``coordinates`` (SciPy's ``ndimage.map_coordinates``, ``order`` 0 or 1).

    Args:
        inputs: Tensor to sample from.
        coordinates: Sequence of ``inputs.ndim`` coordinate tensors (one per axis) of one shape.
        order: Interpolation order: 0 (nearest) or 1 (linear).
        fill_mode: How points outside the input are filled: "constant", "nearest", "wrap", "mirror"
            or "reflect".
        fill_value: Value of "constant" fill.

    Returns:
        Tensor of the shape of the coordinate tensors.

    Example:

    >>> ops.image.map_coordinates(ops.array([[0.0, 1.0], [2.0, 3.0]]), [ops.array([0.5]), ops.array([0.5])], order=1)
    tensor([1.5000])
    """
    return s.map_coordinates(inputs, coordinates, order, fill_mode, fill_value)


def _gaussian_1d(size: int, sigma: float, dtype: torch.dtype, device: torch.device) -> Tensor:
    x = torch.arange(size, dtype=dtype, device=device) - (size - 1) / 2
    k = torch.exp(-0.5 * (x / sigma) ** 2)
    return k / k.sum()


def _depthwise_same(t: Tensor, kernel2d: Tensor) -> Tensor:
    """NHWC depthwise convolution with one 2-D kernel and TensorFlow's "same" zero padding."""
    x = t.permute(0, 3, 1, 2)
    c = x.shape[1]
    kh, kw = kernel2d.shape
    (pt, pb), (pl, pr) = same_pads(x.shape[2:], (kh, kw), (1, 1), (1, 1))
    x = F.pad(x, (pl, pr, pt, pb))
    out = F.conv2d(x, kernel2d.expand(c, 1, kh, kw), groups=c)
    return out.permute(0, 2, 3, 1)


@d.op(rule=_same_shape)
def gaussian_blur(images: Any, kernel_size: Any = (3, 3), sigma: Any = (1.0, 1.0), data_format: str | None = None) -> Tensor:
    """Blur each channel with a Gaussian kernel (zero padding, output size unchanged).

    Args:
        images: Images (rank 3 or 4).
        kernel_size: ``(kh, kw)``.
        sigma: ``(sigma_h, sigma_w)``.
        data_format: "channels_last" or "channels_first".

    Returns:
        Blurred images.

    Example:

    >>> ops.image.gaussian_blur(ops.ones((1, 5, 5, 3))).shape
    torch.Size([1, 5, 5, 3])
    """
    t, fmt, single = _to_nhwc(_images(images), data_format)
    work = t if t.is_floating_point() else t.to(torch.float32)
    ks = (kernel_size, kernel_size) if isinstance(kernel_size, int) else tuple(int(v) for v in kernel_size)
    sg = (sigma, sigma) if isinstance(sigma, (int, float)) else tuple(float(v) for v in sigma)
    # Keras builds outer(g_1, g_0) of shape (k1, k0) and reads it as (k0, k1): kept, so outputs match.
    kernel = torch.outer(_gaussian_1d(ks[1], sg[1], work.dtype, t.device),
                         _gaussian_1d(ks[0], sg[0], work.dtype, t.device)).reshape(ks[0], ks[1])
    return _from_nhwc(_depthwise_same(work, kernel).to(t.dtype), fmt, single)


@d.op(rule=_elastic_rule)
def elastic_transform(images: Any, alpha: float = 20.0, sigma: float = 5.0, interpolation: str = "bilinear",
                      fill_mode: str = "reflect", fill_value: float = 0.0, seed: Any = None,
                      data_format: str | None = None) -> Tensor:
    """Elastic distortion: each pixel moves by Gaussian-smoothed random offsets scaled by ``alpha``.

    Args:
        images: Images (rank 3 or 4).
        alpha: Displacement scale.
        sigma: Smoothing of the displacement field.
        interpolation: "nearest" or "bilinear".
        fill_mode: "constant", "nearest", "wrap" or "reflect".
        fill_value: Value outside the image with "constant".
        seed: Int seed (reproducible) or None.
        data_format: "channels_last" or "channels_first".

    Returns:
        Distorted images of the input dtype.

    Example:

    >>> ops.image.elastic_transform(ops.ones((1, 8, 8, 3)), seed=1).shape
    torch.Size([1, 8, 8, 3])
    """
    _transform_args(interpolation, fill_mode)
    t, fmt, single = _to_nhwc(_images(images), data_format)
    b, h, w, _ = t.shape
    gen = None
    if seed is not None:
        gen = torch.Generator(device=t.device)
        gen.manual_seed(int(seed) & 0xFFFFFFFF)
    work = t.dtype if t.is_floating_point() else torch.float32
    k = (6 * int(sigma)) | 1
    field = torch.randn((2, b, h, w, 1), generator=gen, dtype=work, device=t.device) * sigma
    kernel = torch.outer(_gaussian_1d(k, sigma, work, t.device), _gaussian_1d(k, sigma, work, t.device))
    dx = _depthwise_same(field[0], kernel)[..., 0]
    dy = _depthwise_same(field[1], kernel)[..., 0]
    ys, xs = torch.meshgrid(torch.arange(h, dtype=work, device=t.device), torch.arange(w, dtype=work, device=t.device),
                            indexing="ij")
    order = TRANSFORM_INTERPOLATIONS.index(interpolation)
    out = torch.stack([
        torch.stack([s.map_coordinates(t[i, ..., c], [ys + alpha * dy[i], xs + alpha * dx[i]], order, fill_mode, fill_value)
                     for c in range(t.shape[-1])], dim=-1)
        for i in range(b)])
    return _from_nhwc(out.to(t.dtype), fmt, single)


def _scale_translate_rule(images: Any, output_shape: Any, *args: Any, **kwargs: Any) -> Any:
    return d.spec(tuple(output_shape), images.dtype if d.dtypes.is_float(images.dtype) else "float32")


@d.op(rule=_scale_translate_rule)
def scale_and_translate(images: Any, output_shape: Any, scale: Any, translation: Any, spatial_dims: Any, method: str,
                        antialias: bool = True) -> Tensor:
    """Resample ``spatial_dims`` of ``images`` to ``output_shape``: output coordinate ``o`` samples
    the input at ``(o + 0.5 - translation) / scale - 0.5`` (JAX's ``scale_and_translate``).

    Args:
        images: Input tensor.
        output_shape: Full output shape.
        scale: One scale per spatial dim.
        translation: One translation per spatial dim.
        spatial_dims: Axes to resample.
        method: "linear"/"bilinear"/"trilinear", "cubic"/"bicubic"/"tricubic", "lanczos3" or "lanczos5".
        antialias: Widen the kernel when downsampling.

    Returns:
        Resampled tensor (integer inputs are rounded back to their dtype).

    Raises:
        ValueError: for an unknown method.

    Example:

    >>> out = ops.image.scale_and_translate(ops.ones((1, 4, 4, 1)), (1, 8, 8, 1), scale=ops.array([2.0, 2.0]),
    ...                                     translation=ops.array([0.0, 0.0]), spatial_dims=(1, 2), method="linear")
    >>> out.shape
    torch.Size([1, 8, 8, 1])
    """
    if method not in SCALE_AND_TRANSLATE_METHODS:
        raise ValueError(f"Invalid value for argument `method`. Expected of one {SCALE_AND_TRANSLATE_METHODS}. "
                         f"Received: method={method}")
    kernel = "linear" if method in ("linear", "bilinear", "trilinear") else (
        "cubic" if method in ("cubic", "bicubic", "tricubic") else method)
    t = d.tensor(images)
    sc = d.tensor(scale, device=t.device).reshape(-1)
    tr = d.tensor(translation, device=t.device).reshape(-1)
    out = t if t.is_floating_point() else t.to(torch.float32)
    for i, dim in enumerate(spatial_dims):
        ax = dim % t.ndim
        w = s.kernel_weights(t.shape[ax], int(output_shape[ax]), sc[i], tr[i], s.KERNELS[kernel], antialias, t.device)
        out = s.apply_axis(out, w, ax)
    if not t.is_floating_point():
        out = torch.clamp(torch.round(out), t.min().item(), t.max().item()).to(t.dtype)
    return out


@d.op
def sobel_edges(images: Any, data_format: str | None = None) -> Tensor:
    """Sobel gradients ``(..., channels, 2)`` as ``[dy, dx]`` (reflect padding), as ``tf.image.sobel_edges``.

    Args:
        images: Images of rank 3 or 4.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        Tensor with a last axis of 2: the vertical and horizontal gradients.

    Example:

    >>> ops.image.sobel_edges(ops.ones((1, 4, 4, 3))).shape
    torch.Size([1, 4, 4, 3, 2])
    """
    t = d.tensor(images)
    fmt = _config.standardize_data_format(data_format)
    x = t.permute(0, 2, 3, 1) if fmt == "channels_first" else t
    work = x if x.is_floating_point() else x.to(torch.float32)
    kernels = torch.tensor([[[-1, -2, -1], [0, 0, 0], [1, 2, 1]], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]],
                           dtype=work.dtype, device=t.device)
    nchw = F.pad(work.permute(0, 3, 1, 2), (1, 1, 1, 1), mode="reflect")
    c = nchw.shape[1]
    outs = [F.conv2d(nchw, k.expand(c, 1, 3, 3), groups=c).permute(0, 2, 3, 1) for k in kernels]
    edges = torch.stack(outs, dim=-1)
    return edges.permute(0, 3, 1, 2, 4) if fmt == "channels_first" else edges


@d.op(rule=lambda image1, image2, *a, **k: d.spec(d.shape_of(image1)[:1] if len(d.shape_of(image1)) == 4 else (),
                                                   image1.dtype))
def ssim(image1: Any, image2: Any, max_val: float = 1.0, filter_size: int = 11, filter_sigma: float = 1.5,
         k1: float = 0.01, k2: float = 0.03, data_format: str | None = None) -> Tensor:
    """Structural similarity per image (Gaussian window, "valid" filtering, averaged over channels).

    Args:
        image1: Images of rank 3 or 4.
        image2: Images of the same shape.
        max_val: Dynamic range of the pixel values.
        filter_size: Side of the Gaussian window.
        filter_sigma: Standard deviation of the Gaussian window.
        k1: Stabilizing constant of the luminance term.
        k2: Stabilizing constant of the contrast term.
        data_format: "channels_last" or "channels_first"; None means ``keras.config.image_data_format()``.

    Returns:
        ``(batch,)`` (or a scalar for single images) in the input dtype.

    Example:

    >>> x = ops.ones((1, 16, 16, 1))
    >>> ops.image.ssim(x, x)
    tensor([1.])
    """
    a, fmt, single = _to_nhwc(_images(image1, "image1"), data_format)
    b, _, _ = _to_nhwc(_images(image2, "image2"), data_format)
    dt = d.result_of(a.dtype, float)
    a, b = a.to(dt), b.to(dt)
    g = _gaussian_1d(filter_size, filter_sigma, dt, a.device)
    kernel = torch.outer(g, g).reshape(1, 1, filter_size, filter_size)
    n, h, w, c = a.shape

    def blur(v: Tensor) -> Tensor:
        return F.conv2d(v.permute(0, 3, 1, 2).reshape(n * c, 1, h, w), kernel)

    mu1, mu2 = blur(a), blur(b)
    s1 = blur(a * a) - mu1 * mu1
    s2 = blur(b * b) - mu2 * mu2
    s12 = blur(a * b) - mu1 * mu2
    c1, c2 = (k1 * max_val) ** 2, (k2 * max_val) ** 2
    smap = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 * mu1 + mu2 * mu2 + c1) * (s1 + s2 + c2))
    out = smap.mean(dim=(1, 2, 3)).reshape(n, c).mean(-1)
    return (out.squeeze(0) if single else out).to(d.tensor(image1).dtype)
