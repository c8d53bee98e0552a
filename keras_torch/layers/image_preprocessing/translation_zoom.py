"""RandomTranslation and RandomZoom (Keras 3.15's transformations, bounding boxes included)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import register_layer
from keras_torch.layers.image_preprocessing import _sampling
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    _is_real,
    batch_size_of,
    images_of,
    uniform,
)
from keras_torch.random.seed_generator import SeedGenerator
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["RandomTranslation", "RandomZoom"]


def _pair(layer: Any, factor: Any, name: str, low_ok: Any) -> tuple[float, float]:
    """``(lower, upper)`` of a height/width factor: ``f`` means ``[-f, f]``; values pass ``low_ok``."""
    error = (f"The `{name}` argument should be a number (or a list of two numbers) in the range "
             f"{layer._FACTOR_RANGE_TEXT}. Received: {name}={factor} (layer {layer.name})")
    if isinstance(factor, (tuple, list)):
        if len(factor) != 2 or not all(low_ok(v) for v in factor):
            raise ValueError(error)
        lower, upper = sorted(factor)
        return lower, upper
    if isinstance(factor, (int, float)) and not isinstance(factor, bool):
        if not low_ok(factor):
            raise ValueError(error)
        return -abs(factor), abs(factor)
    raise ValueError(error)


def _closed_unit(v: float) -> bool:
    return _is_real(v) and -1.0 <= v <= 1.0


def _half_open_unit(v: float) -> bool:
    return _is_real(v) and -1.0 < v <= 1.0


def transformed_xy(x: Any, y: Any, transform: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Where the projective ``transform`` ``(batch, 8)`` maps the point ``(x, y)``: ``(batch, 1)`` each."""
    a0, a1, a2, b0, b1, b2, c0, c1 = torch.split(transform, 1, dim=-1)
    k = c0 * x + c1 * y + 1
    return (a0 * x + a1 * y + a2) / k, (b0 * x + b1 * y + b2) / k


def shift_boxes(bounding_boxes: dict, w_shift: torch.Tensor, h_shift: torch.Tensor) -> dict:
    """Boxes moved by ``(-w_shift, -h_shift)`` (``(batch, 1)`` shifts broadcast over the boxes)."""
    boxes = bounding_boxes["boxes"]
    x1, y1, x2, y2 = torch.split(boxes, 1, dim=-1)
    w_shift, h_shift = w_shift.to(boxes), h_shift.to(boxes)
    if boxes.ndim == 3:
        w_shift, h_shift = w_shift[..., None], h_shift[..., None]
    out = dict(bounding_boxes)
    out["boxes"] = torch.cat([x1 - w_shift, y1 - h_shift, x2 - w_shift, y2 - h_shift], -1)
    return out


@register_layer()
class RandomTranslation(BaseImagePreprocessingLayer):
    """Shifts each image by a random fraction of its height and width.

    Args:
        height_factor: ``f`` (shift in ``[-f, f] * height``) or ``(lower, upper)``, within ``[-1, 1]``;
            positive values shift down.
        width_factor: Same for the width; positive values shift right.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: Int seed of the layer's random stream.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, labels, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomTranslation(0.1, 0.1, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_RANGE_TEXT = "[-1.0, 1.0]"

    def __init__(self, height_factor: Any, width_factor: Any, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _pair(self, height_factor, "height_factor", _closed_unit)
        self.width_factor = width_factor
        self.width_lower, self.width_upper = _pair(self, width_factor, "width_factor", _closed_unit)
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        batch_size = batch_size_of(images)
        height, width = self._image_hw(images.shape)
        seed = self._seed_stream(seed)
        dy = uniform((batch_size, 1), seed, images.device, self.height_lower, self.height_upper) * height
        dx = uniform((batch_size, 1), seed, images.device, self.width_lower, self.width_upper) * width
        return {"translations": torch.cat([dx, dy], 1).to(torch.float32), "input_shape": tuple(images.shape)}

    @staticmethod
    def _translation_matrix(translations: torch.Tensor) -> torch.Tensor:
        n = translations.shape[0]
        ones = torch.ones(n, 1, dtype=translations.dtype, device=translations.device)
        zeros = torch.zeros(n, 1, dtype=translations.dtype, device=translations.device)
        return torch.cat([ones, zeros, -translations[:, 0:1], zeros, ones, -translations[:, 1:], zeros, zeros], 1)

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        matrix = self._translation_matrix(torch.as_tensor(transformation["translations"], device=images.device))
        return _sampling.affine_transform(images, matrix, interpolation, self.fill_mode, self.fill_value,
                                          self.data_format)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._image_hw(transformation["input_shape"])
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height, width)
        matrix = self._translation_matrix(torch.as_tensor(transformation["translations"]))
        w_shift, h_shift = transformed_xy(0, 0, matrix)
        boxes = shift_boxes(boxes, w_shift, h_shift)
        boxes = bbox.clip_to_image_size(boxes, height, width, bounding_box_format="xyxy")
        return bbox.convert_format(boxes, "xyxy", self.bounding_box_format, height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}


@register_layer()
class RandomZoom(BaseImagePreprocessingLayer):
    """Zooms each image in or out about its centre by a random factor.

    Args:
        height_factor: ``f`` or ``(lower, upper)`` in ``(-1, 1]``: the vertical scale is drawn from
            ``1 + [lower, upper]``; positive values zoom out, negative values zoom in.
        width_factor: Same for the width; ``None`` (default) keeps the aspect ratio.
        fill_mode: ``"reflect"`` (default), ``"wrap"``, ``"constant"`` or ``"nearest"``.
        interpolation: ``"bilinear"`` (default) or ``"nearest"``.
        seed: Int seed of the layer's random stream.
        fill_value: Value outside the image with ``fill_mode="constant"``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, labels, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomZoom(height_factor=0.2, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _FACTOR_RANGE_TEXT = "(-1.0, 1.0]"

    def __init__(self, height_factor: Any, width_factor: Any = None, fill_mode: str = "reflect",
                 interpolation: str = "bilinear", seed: int | None = None, fill_value: float = 0.0,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height_factor = height_factor
        self.height_lower, self.height_upper = _pair(self, height_factor, "height_factor", _half_open_unit)
        self.width_factor = width_factor
        if width_factor is not None:
            self.width_lower, self.width_upper = _pair(self, width_factor, "width_factor", _half_open_unit)
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        shape = (batch_size_of(images), 1)
        seed = self._seed_stream(seed)
        height_zoom = uniform(shape, seed, images.device, 1.0 + self.height_lower, 1.0 + self.height_upper)
        if self.width_factor is not None:
            width_zoom = uniform(shape, seed, images.device, 1.0 + self.width_lower, 1.0 + self.width_upper)
        else:
            width_zoom = height_zoom
        return {"height_zoom": height_zoom, "width_zoom": width_zoom, "input_shape": tuple(images.shape)}

    @staticmethod
    def _zoom_matrix(zooms: torch.Tensor, height: int, width: int) -> torch.Tensor:
        n = zooms.shape[0]
        zeros = torch.zeros(n, 1, dtype=zooms.dtype, device=zooms.device)
        x_offset = ((float(width) - 1.0) / 2.0) * (1.0 - zooms[:, 0:1])
        y_offset = ((float(height) - 1.0) / 2.0) * (1.0 - zooms[:, 1:])
        return torch.cat([zooms[:, 0:1], zeros, x_offset, zeros, zooms[:, 1:], y_offset, zeros, zeros], 1)

    @staticmethod
    def _zooms(transformation: dict, device: torch.device | None = None) -> torch.Tensor:
        return torch.cat([torch.as_tensor(transformation["width_zoom"], device=device),
                          torch.as_tensor(transformation["height_zoom"], device=device)], 1).to(torch.float32)

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        height, width = self._image_hw(images.shape)
        matrix = self._zoom_matrix(self._zooms(transformation, images.device), height, width)
        return _sampling.affine_transform(images, matrix, interpolation, self.fill_mode, self.fill_value,
                                          self.data_format)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        height, width = self._image_hw(transformation["input_shape"])
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "xyxy", height, width)
        matrix = self._zoom_matrix(self._zooms(transformation), height, width)
        w_start, h_start = transformed_xy(0, 0, matrix)
        w_end, h_end = transformed_xy(width, height, matrix)
        b = boxes["boxes"]
        starts_ends = [v.to(b) for v in (w_start, h_start, w_end, h_end)]
        if b.ndim == 3:
            starts_ends = [v[..., None] for v in starts_ends]
        w_start, h_start, w_end, h_end = starts_ends
        x1, y1, x2, y2 = torch.split(b, 1, dim=-1)
        boxes["boxes"] = torch.cat([
            torch.minimum(torch.maximum(x1, w_start), w_end) - w_start,
            torch.minimum(torch.maximum(y1, h_start), h_end) - h_start,
            torch.minimum(torch.maximum(x2, w_start), w_end) - w_start,
            torch.minimum(torch.maximum(y2, h_start), h_end) - h_start], -1)
        h_t, w_t = (h_end - h_start), (w_end - w_start)
        boxes = bbox.convert_format(boxes, "xyxy", "rel_xyxy", h_t, w_t)
        boxes = bbox.clip_to_image_size(boxes, h_t, w_t, bounding_box_format="rel_xyxy")
        return bbox.convert_format(boxes, "rel_xyxy", self.bounding_box_format, height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height_factor": self.height_factor, "width_factor": self.width_factor,
                "fill_mode": self.fill_mode, "interpolation": self.interpolation, "seed": self.seed,
                "fill_value": self.fill_value, "data_format": self.data_format}
