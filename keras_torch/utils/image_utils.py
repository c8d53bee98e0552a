"""``keras.preprocessing.image`` / ``keras.utils`` image helpers (Pillow), with tf-keras's conversions."""

from __future__ import annotations

import io
import pathlib
import warnings
from typing import Any

import numpy as np

from keras_torch.core import config as _config


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError("Image loading needs Pillow: `pip install pillow`.") from err
    return Image


def _resampling(image: Any) -> dict[str, Any]:
    return {"nearest": image.NEAREST, "bilinear": image.BILINEAR, "bicubic": image.BICUBIC,
            "hamming": image.HAMMING, "box": image.BOX, "lanczos": image.LANCZOS}


def load_img(path: Any, grayscale: bool = False, color_mode: str = "rgb", target_size: Any = None,
             interpolation: str = "nearest", keep_aspect_ratio: bool = False) -> Any:
    """Load an image file as a PIL image.

    Args:
        path: A path (``str``, ``bytes``, ``pathlib.Path``) or an ``io.BytesIO``.
        grayscale: Deprecated ``color_mode="grayscale"``.
        color_mode: ``"grayscale"`` (8/16/32-bit modes are kept), ``"rgb"`` or ``"rgba"``.
        target_size: ``(height, width)`` to resize to (``None``: keep the size).
        interpolation: Pillow resampling: ``"nearest"``, ``"bilinear"``, ``"bicubic"``, ``"hamming"``,
            ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: Center-crop to the target aspect ratio before resizing.

    Returns:
        A PIL image.
    """
    if grayscale:
        warnings.warn('grayscale is deprecated. Please use color_mode = "grayscale"', stacklevel=2)
        color_mode = "grayscale"
    image = _pil()
    if isinstance(path, io.BytesIO):
        img = image.open(path)
    elif isinstance(path, (pathlib.Path, bytes, str)):
        with open(str(path.resolve()) if isinstance(path, pathlib.Path) else path, "rb") as f:
            img = image.open(io.BytesIO(f.read()))
    else:
        raise TypeError(f"path should be path-like or io.BytesIO, not {type(path)}")
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif color_mode in ("rgba", "rgb"):
        mode = color_mode.upper()
        if img.mode != mode:
            img = img.convert(mode)
    else:
        raise ValueError('color_mode must be "grayscale", "rgb", or "rgba"')
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            methods = _resampling(image)
            if interpolation not in methods:
                raise ValueError(f"Invalid interpolation method {interpolation} specified. Supported methods are "
                                 f"{', '.join(methods)}")
            box = None
            if keep_aspect_ratio:
                width, height = img.size
                crop_h = min(height, (width * size[1]) // size[0])
                crop_w = min(width, (height * size[0]) // size[1])
                top, left = (height - crop_h) // 2, (width - crop_w) // 2
                box = [left, top, left + crop_w, top + crop_h]
            img = img.resize(size, methods[interpolation], box=box)
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: str | None = None) -> np.ndarray:
    """PIL image → ``(h, w, c)`` array (``(c, h, w)`` for channels_first).

    Args:
        img: A PIL image (or anything numpy can convert).
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        dtype: dtype of the array; None means ``floatx()``.

    Returns:
        A rank-3 numpy array.

    Raises:
        ValueError: for an unknown data format or an image of another rank.
    """
    data_format = data_format or _config.image_data_format()
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Unknown data_format: {data_format}")
    x = np.asarray(img, dtype=dtype or _config.floatx())
    if x.ndim == 3:
        return x.transpose(2, 0, 1) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[..., None]
    raise ValueError(f"Unsupported image shape: {x.shape}")


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: str | None = None) -> Any:
    """A rank-3 array → PIL image (RGBA, RGB, L, or I for 1 channel above 255); ``scale`` maps it to 0-255.

    Args:
        x: Rank-3 image array.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        scale: Rescale the values to 0-255 (min to 0, max to 255).
        dtype: dtype the array is read as; None means ``floatx()``.

    Returns:
        A ``PIL.Image.Image``.

    Raises:
        ValueError: for another rank, data format or channel count.
    """
    image = _pil()
    data_format = data_format or _config.image_data_format()
    x = np.asarray(x, dtype=dtype or _config.floatx())
    if x.ndim != 3:
        raise ValueError(f"Expected image array to have rank 3 (single image). Got array with shape: {x.shape}")
    if data_format not in {"channels_first", "channels_last"}:
        raise ValueError(f"Invalid data_format: {data_format}")
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - np.min(x)
        x_max = np.max(x)
        if x_max != 0:
            x /= x_max
        x *= 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image.fromarray(x.astype("uint8"), "RGBA" if channels == 4 else "RGB")
    if channels == 1:
        if np.max(x) > 255:
            return image.fromarray(x[:, :, 0].astype("int32"), "I")
        return image.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(f"Unsupported channel number: {channels}")


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    """Save a rank-3 array as an image file (see :func:`array_to_img`).

    Args:
        path: File path (or file object).
        x: Rank-3 image array.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        file_format: Image format (e.g. "png", "jpeg"); None guesses it from ``path``. RGBA images
            saved as JPEG are converted to RGB with a warning.
        scale: Rescale the values to 0-255.
        **kwargs: Passed to ``PIL.Image.Image.save``.
    """
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and (file_format == "jpg" or file_format == "jpeg"):
        warnings.warn("The JPG format does not support RGBA images, converting to RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format, **kwargs)
