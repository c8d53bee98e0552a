"""``tf.image`` stand-in: decoding (Pillow), resizing, dtype conversion and simple augmentations.

Images are ``(height, width, channels)`` or batched ``(batch, height, width, channels)`` torch
tensors, as in TensorFlow; resizing, patches and grayscale conversion are ``keras.ops.image``'s.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import ops as _ops
from keras_torch.launcher.tf import _convert as cv
from keras_torch.launcher.tf.random import _generator
from keras_torch.utils.string_tensor import as_string_tensor, to_bytes
from keras_torch.utils.unsupported import unsupported

_MODES = {1: "L", 3: "RGB", 4: "RGBA"}


class ResizeMethod:  # noqa: D101 - tf.image.ResizeMethod names
    BILINEAR, NEAREST_NEIGHBOR, BICUBIC, AREA = "bilinear", "nearest", "bicubic", "area"
    LANCZOS3, LANCZOS5, GAUSSIAN, MITCHELLCUBIC = "lanczos3", "lanczos5", "gaussian", "mitchellcubic"


# ---------------------------------------------------------------------------- decoding
def _raw(contents: Any) -> bytes:
    values = np.asarray(as_string_tensor(contents))
    if values.ndim != 0:
        raise ValueError(f"Image decoding takes one encoded image (a scalar string); received shape {values.shape}.")
    return to_bytes(values.item())


def _decode(contents: Any, channels: Any, expected: tuple[str, ...] | None, op: str) -> torch.Tensor:
    from PIL import Image

    img = Image.open(io.BytesIO(_raw(contents)))
    if expected is not None and img.format not in expected:
        raise ValueError(f"{op}: the data is {img.format}, not {'/'.join(expected)}.")
    n = int(channels or 0)
    if n == 0:
        mode = img.mode
        target = "L" if mode in ("L", "1", "I;16", "I") else "RGBA" if mode in ("RGBA", "LA", "PA") or (
            mode == "P" and "transparency" in img.info) else "RGB"
        if mode == "LA":
            target = "LA"
    else:
        if n not in _MODES:
            raise ValueError(f"{op}: channels must be 0, 1, 3 or 4; received {channels}.")
        target = _MODES[n]
    arr = np.asarray(img.convert(target), dtype=np.uint8)
    if arr.ndim == 2:
        arr = arr[..., None]
    return torch.from_numpy(arr.copy())


def decode_image(contents: Any, channels: Any = None, dtype: Any = torch.uint8, name: str | None = None,
                 expand_animations: bool = True) -> torch.Tensor:
    """A PNG/JPEG/BMP/GIF image as a uint8 ``(h, w, c)`` tensor (or ``dtype``, scaled as ``convert_image_dtype``)."""
    out = _decode(contents, channels, None, "decode_image")
    return out if cv.dtype(dtype) == torch.uint8 else convert_image_dtype(out, dtype)


def decode_jpeg(contents: Any, channels: int = 0, ratio: int = 1, fancy_upscaling: bool = True,
                try_recover_truncated: bool = False, acceptable_fraction: float = 1, dct_method: str = "",
                name: str | None = None) -> torch.Tensor:
    return _decode(contents, channels, ("JPEG", "MPO"), "decode_jpeg")


def decode_png(contents: Any, channels: int = 0, dtype: Any = torch.uint8, name: str | None = None) -> torch.Tensor:
    return _decode(contents, channels, ("PNG",), "decode_png")


def decode_bmp(contents: Any, channels: int = 0, name: str | None = None) -> torch.Tensor:
    return _decode(contents, channels, ("BMP",), "decode_bmp")


# ---------------------------------------------------------------------------- dtype and size
def convert_image_dtype(image: Any, dtype: Any, saturate: bool = False, name: str | None = None) -> torch.Tensor:
    """Integer images scale to ``[0, 1]`` floats (by the integer type's max) and back; floats just cast."""
    t = cv.tensor(image)
    target = cv.dtype(dtype)
    if t.dtype == target:
        return t
    src_float, dst_float = t.is_floating_point(), target.is_floating_point
    if src_float and dst_float:
        return t.to(target)
    if not src_float and dst_float:
        return (t.to(target) / torch.iinfo(t.dtype).max).to(target)
    if src_float and not dst_float:
        scaled = t * (torch.iinfo(target).max + 0.5)
        if saturate:
            scaled = scaled.clamp(torch.iinfo(target).min, torch.iinfo(target).max)
        return scaled.to(target)
    src_max, dst_max = torch.iinfo(t.dtype).max, torch.iinfo(target).max
    if src_max > dst_max:
        return torch.div(t.long(), (src_max + 1) // (dst_max + 1), rounding_mode="floor").to(target)
    return (t.long() * ((dst_max + 1) // (src_max + 1))).to(target)


def _batched(fn: Callable[[torch.Tensor], torch.Tensor], images: Any) -> torch.Tensor:
    t = cv.tensor(images)
    if t.ndim == 3:
        return fn(t[None])[0]
    return fn(t)


def resize(images: Any, size: Any, method: str = "bilinear", preserve_aspect_ratio: bool = False,
           antialias: bool = False, name: str | None = None) -> torch.Tensor:
    """Resize ``(h, w, c)`` or ``(b, h, w, c)`` images to ``size``; float32 results (``nearest`` keeps the dtype)."""
    h, w = cv.shape(size)
    method = getattr(method, "value", method)
    t = cv.tensor(images)
    if preserve_aspect_ratio:
        in_h, in_w = t.shape[-3], t.shape[-2]
        scale = min(h / in_h, w / in_w)
        h, w = max(1, int(round(in_h * scale))), max(1, int(round(in_w * scale)))
    x = t if method == "nearest" or t.dtype == torch.float64 else t.float()
    return _ops.image.resize(x, (h, w), interpolation=method, antialias=antialias, data_format="channels_last")


# ---------------------------------------------------------------------------- geometry
def flip_left_right(image: Any) -> torch.Tensor:
    return torch.flip(cv.tensor(image), (-2,))


def flip_up_down(image: Any) -> torch.Tensor:
    return torch.flip(cv.tensor(image), (-3,))


def rot90(image: Any, k: int = 1, name: str | None = None) -> torch.Tensor:
    """Rotated ``k`` quarter turns counter-clockwise."""
    return torch.rot90(cv.tensor(image), int(k), dims=(-3, -2))


def crop_to_bounding_box(image: Any, offset_height: int, offset_width: int, target_height: int,
                         target_width: int) -> torch.Tensor:
    t = cv.tensor(image)
    oh, ow = int(offset_height), int(offset_width)
    return t[..., oh : oh + int(target_height), ow : ow + int(target_width), :]


def pad_to_bounding_box(image: Any, offset_height: int, offset_width: int, target_height: int,
                        target_width: int) -> torch.Tensor:
    t = cv.tensor(image)
    h, w = t.shape[-3], t.shape[-2]
    bottom, right = int(target_height) - h - int(offset_height), int(target_width) - w - int(offset_width)
    return F.pad(t, (0, 0, int(offset_width), right, int(offset_height), bottom))


def central_crop(image: Any, central_fraction: float) -> torch.Tensor:
    """The centre ``central_fraction`` of each side (TensorFlow's rounding of the offsets)."""
    t = cv.tensor(image)
    h, w = t.shape[-3], t.shape[-2]
    top = int((h - h * central_fraction) / 2)
    left = int((w - w * central_fraction) / 2)
    return t[..., top : h - top, left : w - left, :]


def resize_with_crop_or_pad(image: Any, target_height: int, target_width: int) -> torch.Tensor:
    t = cv.tensor(image)
    h, w = t.shape[-3], t.shape[-2]
    th, tw = int(target_height), int(target_width)
    top, left = max(0, (h - th) // 2), max(0, (w - tw) // 2)
    t = t[..., top : top + min(h, th), left : left + min(w, tw), :]
    h, w = t.shape[-3], t.shape[-2]
    return pad_to_bounding_box(t, max(0, (th - h) // 2), max(0, (tw - w) // 2), th, tw)


def extract_patches(images: Any, sizes: Any, strides: Any, rates: Any, padding: str) -> torch.Tensor:
    """``(b, rows, cols, kh * kw * c)`` patches, each flattened row-major (height, width, channel)."""
    _, kh, kw, _ = cv.shape(sizes)
    _, sh, sw, _ = cv.shape(strides)
    _, rh, rw, _ = cv.shape(rates)
    return _ops.image.extract_patches(cv.tensor(images), (kh, kw), strides=(sh, sw), dilation_rate=(rh, rw),
                                      padding=padding.lower(), data_format="channels_last")


# ---------------------------------------------------------------------------- colour
def rgb_to_grayscale(images: Any, name: str | None = None) -> torch.Tensor:
    """Luma of RGB images, in their dtype (integer images go through float as in ``convert_image_dtype``)."""
    t = cv.tensor(images)
    gray = _ops.image.rgb_to_grayscale(convert_image_dtype(t, torch.float32), data_format="channels_last")
    return convert_image_dtype(gray, t.dtype)


def grayscale_to_rgb(images: Any, name: str | None = None) -> torch.Tensor:
    t = cv.tensor(images)
    return t.expand(*t.shape[:-1], 3).clone()


def _as_float(t: torch.Tensor) -> tuple[torch.Tensor, torch.dtype]:
    return (t, t.dtype) if t.is_floating_point() else (convert_image_dtype(t, torch.float32), t.dtype)


def adjust_brightness(image: Any, delta: float) -> torch.Tensor:
    x, orig = _as_float(cv.tensor(image))
    return convert_image_dtype(x + delta, orig, saturate=True)


def adjust_contrast(images: Any, contrast_factor: float) -> torch.Tensor:
    """``(x - mean) * factor + mean``, the mean per image and channel."""
    x, orig = _as_float(cv.tensor(images))
    mean = x.mean(dim=(-3, -2), keepdim=True)
    return convert_image_dtype((x - mean) * contrast_factor + mean, orig, saturate=True)


def per_image_standardization(image: Any) -> torch.Tensor:
    """``(x - mean) / max(std, 1 / sqrt(n))`` per image, as float32."""
    x = cv.tensor(image).float()
    n = x.shape[-1] * x.shape[-2] * x.shape[-3]
    mean = x.mean(dim=(-3, -2, -1), keepdim=True)
    std = x.std(dim=(-3, -2, -1), keepdim=True, unbiased=False)
    return (x - mean) / torch.clamp_min(std, 1.0 / float(np.sqrt(n)))


# ---------------------------------------------------------------------------- random augmentations
def _coin(seed: Any, n: int) -> torch.Tensor:
    return torch.rand(n, generator=_generator(seed)) < 0.5


def random_flip_left_right(image: Any, seed: Any = None) -> torch.Tensor:
    t = cv.tensor(image)
    if t.ndim == 3:
        return flip_left_right(t) if bool(_coin(seed, 1)) else t
    return torch.where(_coin(seed, t.shape[0])[:, None, None, None], flip_left_right(t), t)


def random_flip_up_down(image: Any, seed: Any = None) -> torch.Tensor:
    t = cv.tensor(image)
    if t.ndim == 3:
        return flip_up_down(t) if bool(_coin(seed, 1)) else t
    return torch.where(_coin(seed, t.shape[0])[:, None, None, None], flip_up_down(t), t)


def random_brightness(image: Any, max_delta: float, seed: Any = None) -> torch.Tensor:
    delta = (torch.rand((), generator=_generator(seed)) * 2 - 1) * max_delta
    return adjust_brightness(image, float(delta))


def random_contrast(image: Any, lower: float, upper: float, seed: Any = None) -> torch.Tensor:
    factor = torch.rand((), generator=_generator(seed)) * (upper - lower) + lower
    return adjust_contrast(image, float(factor))


def random_crop(value: Any, size: Any, seed: Any = None, name: str | None = None) -> torch.Tensor:
    """A random window of shape ``size`` (one offset per axis)."""
    t = cv.tensor(value)
    dims = cv.shape(size)
    gen = _generator(seed)
    starts = [int(torch.randint(0, s - d + 1, (), generator=gen)) for s, d in zip(t.shape, dims)]
    return t[tuple(slice(a, a + d) for a, d in zip(starts, dims))]


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.image.{name}")
