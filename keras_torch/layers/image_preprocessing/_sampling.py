"""Resampling for the geometric augmentation layers, with TensorFlow's semantics and torch speed.

``affine_transform`` reproduces TensorFlow's ``ImageProjectiveTransformV3`` (what Keras's
``ops.image.affine_transform`` runs on its TensorFlow backend): output pixel ``(x, y)`` samples the
input at ``((a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k)``, ``k = c0 x + c1 y + 1``, with the
fill modes ``constant`` / ``nearest`` / ``reflect`` / ``wrap``. Bilinear sampling with
``constant``, ``nearest`` or ``reflect`` runs as one ``grid_sample`` (the fill modes coincide with
its ``zeros`` (shifted by the fill value), ``border`` and ``reflection`` paddings; the only
difference is float32 rounding of the normalised sampling grid, about ``1e-7 * size`` pixels).
Nearest interpolation (exact half-away-from-zero rounding) and ``wrap`` use
``keras_torch.ops.image``'s gather implementation.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from keras_torch.ops import _image_sampling
from keras_torch.ops import image as ops_image

_PADDING = {"constant": "zeros", "nearest": "border", "reflect": "reflection"}


def _work_dtype(images: torch.Tensor) -> torch.dtype:
    return torch.float64 if images.dtype == torch.float64 else torch.float32


def _to_nchw(images: torch.Tensor, data_format: str) -> torch.Tensor:
    return images.permute(0, 3, 1, 2) if data_format == "channels_last" else images


def _from_nchw(images: torch.Tensor, data_format: str) -> torch.Tensor:
    return images.permute(0, 2, 3, 1) if data_format == "channels_last" else images


def _affine_grid(t: torch.Tensor, h: int, w: int) -> torch.Tensor:
    """``grid_sample``'s normalised grid for affine pixel maps ``t`` ``(batch, 8)`` (``c0 = c1 = 0``): the
    pixel-space map conjugated by the half-pixel normalisation, as one broadcast sum of a per-column
    ``(batch, 1, W, 2)`` and a per-row ``(batch, H, 1, 2)`` term (``F.affine_grid``'s batched matmul
    is slower on CPU)."""
    n = t.shape[0]
    a0, a1, a2, b0, b1, b2 = (t[:, i].view(n, 1, 1) for i in range(6))
    u = ((2 * torch.arange(w, dtype=t.dtype, device=t.device) + 1) / w - 1).view(1, 1, w)
    v = ((2 * torch.arange(h, dtype=t.dtype, device=t.device) + 1) / h - 1).view(1, h, 1)
    x_off = a0 * ((w - 1) / w) + a1 * ((h - 1) / w) + (2 * a2 + 1) / w - 1
    y_off = b0 * ((w - 1) / h) + b1 * ((h - 1) / h) + (2 * b2 + 1) / h - 1
    columns = torch.stack([a0 * u + x_off, (b0 * (w / h)) * u + y_off], -1)
    rows = torch.stack([(a1 * (h / w)) * v, b1 * v], -1)
    return columns + rows


def _grid_sample(images: torch.Tensor, transforms: torch.Tensor, fill_mode: str, fill_value: float,
                 data_format: str, projective: bool) -> torch.Tensor:
    """Bilinear resampling of a rank-4 batch (see the module docstring)."""
    x = _to_nchw(images, data_format)
    dtype = _work_dtype(images)
    if x.dtype != dtype:
        x = x.to(dtype)
    b, _, h, w = x.shape
    t = transforms.to(device=x.device, dtype=dtype)
    if t.shape[0] == 1 and b > 1:
        t = t.expand(b, -1)
    degenerate = None
    if projective:
        xs = torch.arange(w, dtype=dtype, device=x.device).view(1, 1, w)
        ys = torch.arange(h, dtype=dtype, device=x.device).view(1, h, 1)
        col = [t[:, i].view(-1, 1, 1) for i in range(8)]
        k = col[6] * xs + col[7] * ys + 1.0
        in_x = (col[0] * xs + col[1] * ys + col[2]) / k
        in_y = (col[3] * xs + col[4] * ys + col[5]) / k
        grid = torch.stack([(2.0 * in_x + 1.0) / w - 1.0, (2.0 * in_y + 1.0) / h - 1.0], dim=-1)
        degenerate = k == 0
    else:
        grid = _affine_grid(t, h, w)
    shift = fill_mode == "constant" and fill_value != 0
    src = x - fill_value if shift else x
    out = F.grid_sample(src, grid, mode="bilinear", padding_mode=_PADDING[fill_mode], align_corners=False)
    if shift:
        out = out + fill_value
    if degenerate is not None and bool(degenerate.any()):
        out = torch.where(degenerate[:, None], torch.full_like(out, fill_value), out)
    return _from_nchw(out.to(images.dtype) if images.is_floating_point() else torch.round(out).to(images.dtype),
                      data_format)


def affine_transform(images: torch.Tensor, transforms: torch.Tensor, interpolation: str, fill_mode: str,
                     fill_value: float, data_format: str, projective: bool = False) -> torch.Tensor:
    """Resample a batch (rank 4) or an image (rank 3) with ``(batch, 8)`` / ``(8,)`` projective transforms.

    Args:
        images: Images in ``data_format``.
        transforms: Output-to-input pixel maps ``[a0, a1, a2, b0, b1, b2, c0, c1]``.
        interpolation: ``"bilinear"`` or ``"nearest"``.
        fill_mode: ``"constant"``, ``"nearest"``, ``"reflect"`` or ``"wrap"``.
        fill_value: Value outside the image with ``"constant"``.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        projective: Whether ``c0``/``c1`` may be non-zero (otherwise they are ignored).

    Returns:
        The resampled images, same shape and dtype.
    """
    single = images.ndim == 3
    batch = images[None] if single else images
    t = transforms.reshape(-1, 8)
    if interpolation == "bilinear" and fill_mode in _PADDING:
        out = _grid_sample(batch, t, fill_mode, float(fill_value), data_format, projective)
    else:
        out = ops_image.affine_transform(batch, t, interpolation=interpolation, fill_mode=fill_mode,
                                         fill_value=fill_value, data_format=data_format)
    return out[0] if single else out


def homography(start_points: torch.Tensor, end_points: torch.Tensor) -> torch.Tensor:
    """``(batch, 8)`` projective transforms taking each ``end_points`` quad to ``start_points`` (4 ``(x, y)`` corners)."""
    return _image_sampling.homography(start_points.to(torch.float32), end_points.to(torch.float32))


def perspective_transform(images: torch.Tensor, start_points: torch.Tensor, end_points: torch.Tensor,
                          interpolation: str, fill_value: float, data_format: str) -> torch.Tensor:
    """Warp images so the quad ``start_points`` moves to ``end_points`` (Keras's ``perspective_transform``, constant fill)."""
    transforms = homography(start_points.reshape(-1, 4, 2), end_points.reshape(-1, 4, 2))
    return affine_transform(images, transforms, interpolation, "constant", fill_value, data_format, projective=True)


def _fix_index(index: torch.Tensor, size: int, fill_mode: str) -> torch.Tensor:
    """An in-range index for ``index`` under ``fill_mode``, as Keras's TensorFlow ``map_coordinates``
    computes it (its "reflect" mirrors below 0 about 0 and above ``size`` about ``size - 0.5``);
    "mirror", which fails there, is SciPy's (period ``2 * (size - 1)``)."""
    if fill_mode in ("constant", "nearest"):
        return index.clamp(0, size - 1)
    if fill_mode == "wrap":
        return torch.remainder(index, size)
    if fill_mode == "mirror":
        if size == 1:
            return torch.zeros_like(index)
        s = size - 1
        return torch.abs(torch.remainder(index + s, 2 * s) - s)
    mod = torch.remainder(torch.abs(index), 2 * size)
    return torch.where(mod < size, mod, 2 * size - mod - 1)


def map_coordinates_2d(images: torch.Tensor, ys: torch.Tensor, xs: torch.Tensor, order: int, fill_mode: str,
                       fill_value: float) -> torch.Tensor:
    """Keras's ``ops.image.map_coordinates`` (TensorFlow backend) of every image and channel of an NHWC
    batch at per-image coordinates ``ys``/``xs`` ``(batch, H', W')``.

    Args:
        images: ``(batch, H, W, C)``.
        ys: Row coordinates.
        xs: Column coordinates.
        order: 0 (nearest, half-to-even rounding) or 1 (linear).
        fill_mode: ``"constant"``, ``"nearest"``, ``"wrap"``, ``"mirror"`` or ``"reflect"``.
        fill_value: Value outside the image with ``"constant"``.

    Returns:
        ``(batch, H', W', C)`` samples.
    """
    b, h, w, c = images.shape
    flat = images.reshape(b, h * w, c)
    if order == 0:
        corners = [(torch.round(ys).long(), torch.round(xs).long(), None)]
    else:
        y0, x0 = torch.floor(ys), torch.floor(xs)
        wy, wx = ys - y0, xs - x0
        y0, x0 = y0.long(), x0.long()
        corners = [(y0, x0, (1 - wy) * (1 - wx)), (y0, x0 + 1, (1 - wy) * wx), (y0 + 1, x0, wy * (1 - wx)),
                   (y0 + 1, x0 + 1, wy * wx)]
    out = None
    for yi, xi, weight in corners:
        index = _fix_index(yi, h, fill_mode) * w + _fix_index(xi, w, fill_mode)
        value = torch.gather(flat, 1, index.reshape(b, -1, 1).expand(-1, -1, c)).reshape(*yi.shape, c)
        if fill_mode == "constant":
            inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
            value = torch.where(inside[..., None], value, torch.full_like(value, fill_value))
        term = value if weight is None else weight[..., None] * value
        out = term if out is None else out + term
    return out
