"""RandomCrop (Keras 3.15) and tf-keras 2's RandomHeight / RandomWidth."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import check_size, register_layer
from keras_torch.layers.image_preprocessing.base import BaseImagePreprocessingLayer, _is_real, images_of, uniform
from keras_torch.ops import image as ops_image
from keras_torch.random.seed_generator import SeedGenerator, make_default_seed
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["RandomCrop", "RandomHeight", "RandomWidth"]


@register_layer()
class RandomCrop(BaseImagePreprocessingLayer):
    """Crops a random ``(height, width)`` window (the same offset for the whole batch) while training.

    Images no larger than the target are centre-cropped to its aspect ratio and resized. As in
    Keras 3.15, inference (``training=False``) returns the images unchanged.

    Args:
        height: Height of the output, in pixels.
        width: Width of the output, in pixels.
        seed: Int seed (default: a random one, recorded in the config).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        name: Layer name.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict.

    Output shape:
        ``(batch, height, width, C)`` while training.

    Example:

    >>> layer = keras.layers.RandomCrop(24, 24, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 24, 24, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, height: int, width: int, seed: int | None = None, data_format: str | None = None,
                 name: str | None = None, **kwargs: Any) -> None:
        super().__init__(name=name, data_format=data_format, **kwargs)
        self.height = check_size(self.name, "height", height)
        self.width = check_size(self.name, "width", width)
        self.seed = seed if seed is not None else make_default_seed()
        self.generator = SeedGenerator(self.seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> tuple:
        images = images_of(data)
        in_h, in_w = self._image_hw(images.shape)
        if training and in_h > self.height and in_w > self.width:
            seed = self._seed_stream(seed)
            h_start = uniform((), seed, images.device, 0, float(in_h - self.height + 1)).to(torch.int32)
            w_start = uniform((), seed, images.device, 0, float(in_w - self.width + 1)).to(torch.int32)
            return h_start, w_start
        crop_h = max(min(in_h, int(float(in_w * self.height) / self.width)), 1)
        crop_w = max(min(in_w, int(float(in_h * self.width) / self.height)), 1)
        return int(float(in_h - crop_h) / 2), int(float(in_w - crop_w) / 2)

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        h_start, w_start = (int(v) for v in transformation)
        h_axis = images.ndim + self._hw_axes[0]
        images = images.narrow(h_axis, h_start, min(self.height, images.shape[h_axis] - h_start))
        images = images.narrow(h_axis + 1, w_start, min(self.width, images.shape[h_axis + 1] - w_start))
        if images.shape[h_axis] != self.height or images.shape[h_axis + 1] != self.width:
            images = self._cast(ops_image.resize(images, (self.height, self.width), data_format=self.data_format))
        return images

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training:
            return bounding_boxes
        h_start, w_start = (float(v) for v in transformation)
        boxes = bbox.convert_format(bounding_boxes["boxes"], self.bounding_box_format, "xyxy", self.height,
                                    self.width)
        # As Keras 3.15: the vertical offset is taken from the first and third coordinates and the
        # horizontal one from the second and fourth.
        boxes = torch.stack([(boxes[..., 0] - h_start).clamp(min=0), (boxes[..., 1] - w_start).clamp(min=0),
                             (boxes[..., 2] - h_start).clamp(min=0), (boxes[..., 3] - w_start).clamp(min=0)], -1)
        boxes = bbox.convert_format(boxes, "xyxy", self.bounding_box_format, self.height, self.width)
        return {"boxes": boxes, "labels": bounding_boxes["labels"]}

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def _image_output_shape(self, shape: tuple) -> tuple:
        s = list(shape)
        h_axis = len(s) + self._hw_axes[0]
        s[h_axis], s[h_axis + 1] = self.height, self.width
        return tuple(s)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "height": self.height, "width": self.width, "seed": self.seed,
                "data_format": self.data_format}


class _RandomSize(BaseImagePreprocessingLayer):
    """tf-keras 2's RandomHeight / RandomWidth: resize one side by a random factor (one per batch)."""

    _USE_BASE_FACTOR = False
    _SIDE = ""  # "height" or "width"

    def __init__(self, factor: Any, interpolation: str = "bilinear", seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.factor = factor
        pair = isinstance(factor, (tuple, list)) and len(factor) == 2
        if not (pair and all(_is_real(v) for v in factor)) and not _is_real(factor):
            raise ValueError(f"`factor` must be a number or a pair of numbers. Received: factor={factor!r} "
                             f"(layer {self.name})")
        lower, upper = (factor[0], factor[1]) if pair else (-factor, factor)
        if upper < lower:
            raise ValueError(f"`factor` argument cannot have an upper bound lesser than the lower bound. "
                             f"Received: factor={factor} (layer {self.name})")
        if lower < -1.0 or upper < -1.0:
            raise ValueError(f"`factor` argument must have values larger than -1. Received: factor={factor} "
                             f"(layer {self.name})")
        self.lower, self.upper = lower, upper
        if interpolation not in ops_image.RESIZE_INTERPOLATIONS:
            raise ValueError(f"Layer '{self.name}': unknown `interpolation` {interpolation!r}; expected one of "
                             f"{ops_image.RESIZE_INTERPOLATIONS}.")
        self.interpolation = interpolation
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        in_h, in_w = self._image_hw(images.shape)
        side = in_h if self._SIDE == "height" else in_w
        factor = uniform((), self._seed_stream(seed), images.device, 1.0 + self.lower, 1.0 + self.upper)
        return {self._SIDE: int(factor * float(side))}

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        if transformation is None:
            return images
        in_h, in_w = self._image_hw(images.shape)
        size = (int(transformation["height"]), in_w) if self._SIDE == "height" else (in_h, int(transformation["width"]))
        return self._cast(ops_image.resize(images, size, interpolation=interpolation, data_format=self.data_format))

    def _image_output_shape(self, shape: tuple) -> tuple:
        s = list(shape)
        axis = len(s) + self._hw_axes[0 if self._SIDE == "height" else 1]
        s[axis] = None
        return tuple(s)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "interpolation": self.interpolation, "seed": self.seed}


@register_layer()
class RandomHeight(_RandomSize):
    """Resizes the height of a batch by a random factor drawn from ``1 + [lower, upper]`` (tf-keras 2).

    Args:
        factor: ``f`` (range ``[-f, f]``) or ``(lower, upper)``, values above -1.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``, ``"area"``, ``"lanczos3"``
            or ``"lanczos5"``.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last).

    Output shape:
        ``(batch, None, W, C)`` (the new height).

    Example:

    >>> layer = keras.layers.RandomHeight(factor=(0.5, 0.5), seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 48, 32, 3])
    """

    _SIDE = "height"


@register_layer()
class RandomWidth(_RandomSize):
    """Resizes the width of a batch by a random factor drawn from ``1 + [lower, upper]`` (tf-keras 2).

    Args:
        factor: ``f`` (range ``[-f, f]``) or ``(lower, upper)``, values above -1.
        interpolation: ``"bilinear"`` (default), ``"nearest"``, ``"bicubic"``, ``"area"``, ``"lanczos3"``
            or ``"lanczos5"``.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last).

    Output shape:
        ``(batch, H, None, C)`` (the new width).

    Example:

    >>> layer = keras.layers.RandomWidth(factor=(1.0, 1.0), seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 64, 3])
    """

    _SIDE = "width"
