"""``keras.preprocessing.image`` / ``keras.utils`` image helpers (Pillow when installed)."""

from __future__ import annotations

from typing import Any

import numpy as np


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError("Image loading needs Pillow: `pip install pillow`.") from err
    return Image


def load_img(path: Any, color_mode: str = "rgb", target_size: Any = None, interpolation: str = "nearest",
             keep_aspect_ratio: bool = False) -> Any:
    """Load an image file as a PIL image (``color_mode`` grayscale / rgb / rgba)."""
    image = _pil()
    img = image.open(path)
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]
    if img.mode != mode:
        img = img.convert(mode)
    if target_size is not None:
        size = (target_size[1], target_size[0])
        if img.size != size:
            methods = {"nearest": image.NEAREST, "bilinear": image.BILINEAR, "bicubic": image.BICUBIC}
            img = img.resize(size, methods.get(interpolation, image.NEAREST))
    return img


def img_to_array(img: Any, data_format: str | None = None, dtype: str = "float32") -> np.ndarray:
    """PIL image → ``(h, w, c)`` array (``(c, h, w)`` for channels_first)."""
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 2:
        x = x[..., None]
    if data_format == "channels_first":
        x = x.transpose(2, 0, 1)
    return x


def array_to_img(x: Any, data_format: str | None = None, scale: bool = True, dtype: str = "float32") -> Any:
    image = _pil()
    x = np.asarray(x, dtype=dtype)
    if data_format == "channels_first":
        x = x.transpose(1, 2, 0)
    if scale:
        x = x - x.min()
        if x.max() > 0:
            x = x / x.max() * 255
    x = x.astype("uint8")
    return image.fromarray(x[..., 0] if x.shape[-1] == 1 else x)


def save_img(path: Any, x: Any, data_format: str | None = None, file_format: str | None = None,
             scale: bool = True, **kwargs: Any) -> None:
    array_to_img(x, data_format=data_format, scale=scale).save(path, format=file_format, **kwargs)
