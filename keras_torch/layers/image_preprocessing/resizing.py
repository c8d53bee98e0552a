"""Resizing and CenterCrop (Keras 3.15: images, segmentation masks and bounding boxes)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.layers._args import check_size, register_layer
from keras_torch.layers.image_preprocessing.base import BaseImagePreprocessingLayer, images_of
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["CenterCrop", "Resizing", "resize_images"]

_INTERPOLATIONS = {"bilinear": "bilinear", "nearest": "nearest-exact", "bicubic": "bicubic", "area": "area"}


def _crop_box(height: int, width: int, target_h: int, target_w: int) -> tuple[int, int, int, int]:
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    return int(float(height - crop_h) / 2), int(float(width - crop_w) / 2), crop_h, crop_w


def resize_images(images: torch.Tensor, size: tuple[int, int], interpolation: str = "bilinear",
                  antialias: bool = False, crop_to_aspect_ratio: bool = False, pad_to_aspect_ratio: bool = False,
                  fill_value: float = 0.0, data_format: str = "channels_last") -> torch.Tensor:
    """Keras 3 torch-backend ``ops.image.resize`` (channels_last or channels_first, rank 3 or 4)."""
    if images.ndim not in (3, 4):
        raise ValueError(f"Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                         f"Received input with shape: images.shape={tuple(images.shape)}")
    squeeze = images.ndim == 3
    x = images.unsqueeze(0) if squeeze else images
    out_dtype = x.dtype
    if x.dtype not in (torch.float32, torch.float64):
        x = x.to(torch.float32)
    if data_format == "channels_last":
        x = x.permute(0, 3, 1, 2)
    target_h, target_w = size
    if crop_to_aspect_ratio:
        h0, w0, ch, cw = _crop_box(x.shape[-2], x.shape[-1], target_h, target_w)
        x = x[:, :, h0:h0 + ch, w0:w0 + cw]
    elif pad_to_aspect_ratio:
        height, width = x.shape[-2], x.shape[-1]
        pad_h = max(height, int(float(width * target_h) / target_w))
        pad_w = max(width, int(float(height * target_w) / target_h))
        hs, ws = int(float(pad_h - height) / 2), int(float(pad_w - width) / 2)
        if hs > 0 or ws > 0:
            x = F.pad(x, (ws, ws, hs, hs), value=fill_value)
    if antialias and interpolation not in ("bilinear", "bicubic"):
        antialias = False
    align = False if interpolation in ("bilinear", "bicubic") else None
    out = F.interpolate(x, size=(target_h, target_w), mode=_INTERPOLATIONS[interpolation], align_corners=align,
                        antialias=antialias)
    if interpolation == "bicubic" and out_dtype == torch.uint8:
        out = out.clamp(0, 255)
    if data_format == "channels_last":
        out = out.permute(0, 2, 3, 1)
    if squeeze:
        out = out.squeeze(0)
    if out.dtype != out_dtype:
        if not out_dtype.is_floating_point:
            out = torch.round(out)
        out = out.to(out_dtype)
    return out


def _check_rank(layer: Any, shape: tuple) -> None:
    if len(shape) not in (3, 4):
        raise ValueError(f"Layer '{layer.name}': `input_shape` must have rank 3 (unbatched) or 4 (batched). "
                         f"Received: {shape}")


def _clip_to_window(boxes: dict, h_end: Any, h_start: Any, w_end: Any, w_start: Any) -> dict:
    """``"xyxy"`` boxes clipped to the window ``[w_start, w_end] x [h_start, h_end]``, moved to its origin."""
    b = boxes["boxes"]
    x1, y1, x2, y2 = torch.split(b, 1, dim=-1)
    out = dict(boxes)
    out["boxes"] = torch.cat([x1.clamp(w_start, w_end) - w_start, y1.clamp(h_start, h_end) - h_start,
                              x2.clamp(w_start, w_end) - w_start, y2.clamp(h_start, h_end) - h_start], -1)
    return out


@register_layer()
class Resizing(BaseImagePreprocessingLayer):
    """Resizes images to ``(height, width)`` (no antialias by default); boxes and masks follow.

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        interpolation: ``"bilinear"`` (half-pixel centres), ``"nearest"`` (nearest-exact),
            ``"bicubic"`` or ``"area"``.
        crop_to_aspect_ratio: Centre-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Pad (with ``fill_value``) to the target aspect ratio before resizing.
        fill_mode: Padding mode (only ``"constant"``).
        fill_value: Padding value.
        antialias: Antialiasing filter when downsampling (bilinear/bicubic).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` or unbatched ``(H, W, C)`` (channels_last), or a dict.

    Output shape:
        ``(batch, height, width, C)``.

    Example:

    >>> layer = keras.layers.Resizing(16, 24, interpolation="bilinear")
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images).shape
    torch.Size([2, 16, 24, 3])
    """

    _USE_BASE_FACTOR = False
    _ACTIVE_AT_INFERENCE = True

    def __init__(self, height: int, width: int, interpolation: str = "bilinear", crop_to_aspect_ratio: bool = False,
                 pad_to_aspect_ratio: bool = False, fill_mode: str = "constant", fill_value: float = 0.0,
                 antialias: bool = False, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = check_size(self.name, "height", height)
        self.width = check_size(self.name, "width", width)
        if not isinstance(interpolation, str) or interpolation not in _INTERPOLATIONS:
            raise ValueError(f"Layer '{self.name}': invalid value for argument `interpolation`. Expected one of "
                             f"{sorted(_INTERPOLATIONS)}. Received: interpolation={interpolation}")
        if fill_mode != "constant":
            raise ValueError(f"Layer '{self.name}': only fill_mode='constant' is supported. Received: {fill_mode}")
        if pad_to_aspect_ratio and crop_to_aspect_ratio:
            raise ValueError(f"Layer '{self.name}': only one of `pad_to_aspect_ratio` & `crop_to_aspect_ratio` "
                             "can be `True`.")
        self.interpolation = interpolation
        self.crop_to_aspect_ratio = bool(crop_to_aspect_ratio)
        self.pad_to_aspect_ratio = bool(pad_to_aspect_ratio)
        self.fill_mode = fill_mode
        self.fill_value = fill_value
        self.antialias = bool(antialias)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> tuple[int, int]:
        return self._image_hw(images_of(data).shape)

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        return resize_images(images, (self.height, self.width), interpolation, self.antialias,
                             self.crop_to_aspect_ratio, self.pad_to_aspect_ratio, self.fill_value, self.data_format)

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        return self._transform_images(images, transformation, self.interpolation)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any = None,
                                     training: bool = True) -> torch.Tensor:
        return self._transform_images(segmentation_masks, transformation, "nearest")

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        in_h, in_w = transformation
        raw = bbox.to_tensor(bounding_boxes["boxes"])
        padding = torch.all(raw == -1, dim=-1) | torch.all(raw == 0, dim=-1)
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "xyxy", in_h, in_w)
        boxes["boxes"] = self._transform_xyxy(boxes["boxes"], float(in_h), float(in_w))
        boxes = bbox.clip_to_image_size(boxes, self.height, self.width)
        boxes["boxes"] = torch.where(padding[..., None].to(boxes["boxes"].device), torch.zeros_like(boxes["boxes"]),
                                     boxes["boxes"])
        return bbox.convert_format(boxes, "xyxy", self.bounding_box_format, self.height, self.width)

    def _transform_xyxy(self, boxes: torch.Tensor, in_h: float, in_w: float) -> torch.Tensor:
        # Scalars in the boxes' dtype: Keras's float32 arithmetic decides the floor divisions.
        def t(v: float) -> torch.Tensor:
            return torch.tensor(v, dtype=boxes.dtype, device=boxes.device)

        x1, y1, x2, y2 = boxes[..., 0], boxes[..., 1], boxes[..., 2], boxes[..., 3]
        h, w, in_h_t, in_w_t = t(self.height), t(self.width), t(in_h), t(in_w)
        if self.pad_to_aspect_ratio:
            ratio = torch.minimum(h / in_h_t, w / in_w_t)
            y_off = torch.div(h - in_h_t * ratio, 2, rounding_mode="floor")
            x_off = torch.div(w - in_w_t * ratio, 2, rounding_mode="floor")
            return torch.stack([x1 * ratio + x_off, y1 * ratio + y_off, x2 * ratio + x_off, y2 * ratio + y_off], -1)
        if self.crop_to_aspect_ratio:
            source, target = in_w_t / in_h_t, w / h
            new_w = torch.where(source > target, h * source, w)
            new_h = torch.where(source > target, h, w / source)
            sx, sy = new_w / in_w_t, new_h / in_h_t
            left = torch.div(new_w - w, 2, rounding_mode="floor")
            top = torch.div(new_h - h, 2, rounding_mode="floor")
            return torch.stack([x1 * sx - left, y1 * sy - top, x2 * sx - left, y2 * sy - top], -1)
        hr, wr = h / in_h_t, w / in_w_t
        return torch.stack([x1 * wr, y1 * hr, x2 * wr, y2 * hr], -1)

    def _image_output_shape(self, shape: tuple) -> tuple:
        _check_rank(self, shape)
        s = list(shape)
        h_axis = len(s) + self._hw_axes[0]
        s[h_axis], s[h_axis + 1] = self.height, self.width
        return tuple(s)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "height": self.height,
            "width": self.width,
            "interpolation": self.interpolation,
            "crop_to_aspect_ratio": self.crop_to_aspect_ratio,
            "pad_to_aspect_ratio": self.pad_to_aspect_ratio,
            "fill_mode": self.fill_mode,
            "fill_value": self.fill_value,
            "antialias": self.antialias,
            "data_format": self.data_format,
        }


@register_layer()
class CenterCrop(BaseImagePreprocessingLayer):
    """Crops the central ``(height, width)`` region; smaller images are aspect-cropped and resized.

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` or unbatched ``(H, W, C)`` (channels_last), or a dict.

    Output shape:
        ``(batch, height, width, C)``.

    Example:

    >>> layer = keras.layers.CenterCrop(24, 20)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images).shape
    torch.Size([2, 24, 20, 3])
    """

    _USE_BASE_FACTOR = False
    _ACTIVE_AT_INFERENCE = True

    def __init__(self, height: int, width: int, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.height = check_size(self.name, "height", height)
        self.width = check_size(self.name, "width", width)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        return {"input_shape": tuple(images_of(data).shape)}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        x = self._cast(images)
        h_axis = x.ndim + self._hw_axes[0]
        h, w = x.shape[h_axis], x.shape[h_axis + 1]
        if h >= self.height and w >= self.width:
            hs, ws = (h - self.height) // 2, (w - self.width) // 2
            return x.narrow(h_axis, hs, self.height).narrow(h_axis + 1, ws, self.width)
        return resize_images(x, (self.height, self.width), "bilinear", False, True, False, 0.0, self.data_format)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        in_h, in_w = self._image_hw(transformation["input_shape"])
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "xyxy", in_h, in_w)
        h_diff, w_diff = in_h - self.height, in_w - self.width
        if h_diff >= 0 and w_diff >= 0:
            h_start, w_start = int(h_diff / 2), int(w_diff / 2)
            boxes = _clip_to_window(boxes, h_start + self.height, h_start, w_start + self.width, w_start)
        else:
            h_start, w_start, crop_h, crop_w = _crop_box(in_h, in_w, self.height, self.width)
            boxes = _clip_to_window(boxes, h_start + crop_h, h_start, w_start + crop_w, w_start)
            boxes = bbox.convert_format(boxes, "xyxy", "rel_xyxy", crop_h, crop_w)
            boxes = bbox.convert_format(boxes, "rel_xyxy", "xyxy", self.height, self.width)
        boxes = bbox.clip_to_image_size(boxes, self.height, self.width, bounding_box_format="xyxy")
        return bbox.convert_format(boxes, "xyxy", self.bounding_box_format, self.height, self.width)

    def _image_output_shape(self, shape: tuple) -> tuple:
        _check_rank(self, shape)
        s = list(shape)
        h_axis = len(s) + self._hw_axes[0]
        s[h_axis], s[h_axis + 1] = self.height, self.width
        return tuple(s)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width, "data_format": self.data_format}
