"""RandomFlip and RandomRotation (Keras 3.15's transformations, bounding boxes included)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import register_layer
from keras_torch.layers.image_preprocessing import _sampling
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    batch_size_of,
    images_of,
    uniform,
)
from keras_torch.random.seed_generator import SeedGenerator
from keras_torch.utils import bounding_boxes as bbox

__all__ = ["RandomFlip", "RandomRotation"]

HORIZONTAL = "horizontal"
VERTICAL = "vertical"
HORIZONTAL_AND_VERTICAL = "horizontal_and_vertical"


@register_layer()
class RandomFlip(BaseImagePreprocessingLayer):
    """Randomly flips images horizontally and/or vertically (each image with probability 1/2).

    Args:
        mode: ``"horizontal"``, ``"vertical"`` or ``"horizontal_and_vertical"`` (both flips together).
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, boxes, labels, masks).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RandomFlip("horizontal", seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, mode: str = HORIZONTAL_AND_VERTICAL, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if mode not in (HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL):
            raise ValueError(f"RandomFlip layer {self.name} received an unknown mode argument {mode!r}; expected "
                             f"one of {(HORIZONTAL, VERTICAL, HORIZONTAL_AND_VERTICAL)}.")
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.mode = mode

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        shape = tuple(images.shape)
        flips_shape = (1, 1, 1) if len(shape) == 3 else (shape[0], 1, 1, 1)
        flips = uniform(flips_shape, self._seed_stream(seed), images.device) <= 0.5
        return {"flips": flips, "input_shape": shape}

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if training and transformation is not None:
            return self._flip(images, transformation["flips"])
        return images

    def _flip(self, images: torch.Tensor, flips: torch.Tensor) -> torch.Tensor:
        h_axis, w_axis = (-2, -1) if self.data_format == "channels_first" else (-3, -2)
        axes = {HORIZONTAL: (w_axis,), VERTICAL: (h_axis,), HORIZONTAL_AND_VERTICAL: (h_axis, w_axis)}[self.mode]
        flips = torch.as_tensor(flips, device=images.device)
        return torch.where(flips, images.flip(axes), images)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        flips = torch.as_tensor(transformation["flips"]).squeeze(-1)
        height, width = self._image_hw(transformation["input_shape"])
        boxes = bbox.convert_format(bounding_boxes, self.bounding_box_format, "rel_xyxy", height, width)
        b = boxes["boxes"]
        flips = flips.to(b.device)
        x1, y1, x2, y2 = torch.split(b, 1, dim=-1)
        if self.mode in (HORIZONTAL, HORIZONTAL_AND_VERTICAL):
            b = torch.where(flips, torch.cat([1 - x2, y1, 1 - x1, y2], -1), b)
            x1, y1, x2, y2 = torch.split(b, 1, dim=-1)
        if self.mode in (VERTICAL, HORIZONTAL_AND_VERTICAL):
            b = torch.where(flips, torch.cat([x1, 1 - y2, x2, 1 - y1], -1), b)
        boxes["boxes"] = b
        # Keras clips the relative boxes with the pixel bounds ("xyxy"); kept, so the labels match.
        boxes = bbox.clip_to_image_size(boxes, height, width, bounding_box_format="xyxy")
        return bbox.convert_format(boxes, "rel_xyxy", self.bounding_box_format, height, width)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "seed": self.seed, "mode": self.mode}


@register_layer()
class RandomRotation(BaseImagePreprocessingLayer):
    """Rotates each image by a random angle about its centre.

    Args:
        factor: Fraction of a full turn: ``f`` (angles in ``[-f * 360, f * 360]`` degrees) or
            ``(lower, upper)``; positive angles rotate counter-clockwise.
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

    >>> layer = keras.layers.RandomRotation(factor=0.1, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    def __init__(self, factor: Any, fill_mode: str = "reflect", interpolation: str = "bilinear",
                 seed: int | None = None, fill_value: float = 0.0, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(factor=factor, data_format=data_format, **kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._check_sampling(fill_mode, interpolation)
        self.fill_mode = fill_mode
        self.interpolation = interpolation
        self.fill_value = fill_value

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        batch_size = batch_size_of(images)
        height, width = self._image_hw(images.shape)
        angle = uniform((batch_size,), self._seed_stream(seed), images.device, self.factor[0] * 360.0,
                        self.factor[1] * 360.0)
        zeros, ones = torch.zeros_like(angle), torch.ones_like(angle)
        matrix = self._compute_affine_matrix(0.5, 0.5, angle, zeros, zeros, ones, zeros, zeros, height, width)
        if images.ndim == 3:
            matrix = matrix[0]
        return {"angle": angle, "rotation_matrix": matrix, "image_height": height, "image_width": width,
                "batch_size": batch_size}

    def _transform_images(self, images: torch.Tensor, transformation: Any, interpolation: str) -> torch.Tensor:
        return _sampling.affine_transform(images, torch.as_tensor(transformation["rotation_matrix"]), interpolation,
                                          self.fill_mode, self.fill_value, self.data_format)

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training or transformation is None:
            return bounding_boxes
        height, width = transformation["image_height"], transformation["image_width"]
        angle = torch.as_tensor(transformation["angle"])
        zeros, ones = torch.zeros_like(angle), torch.ones_like(angle)
        out = dict(bounding_boxes)
        # As Keras: the boxes are rotated as given (read as "xyxy"), then converted from "xyxy".
        out["boxes"] = bbox.affine_transform(bounding_boxes["boxes"], angle, zeros, zeros, ones, zeros, zeros,
                                             height, width)
        out = bbox.clip_to_image_size(out, height, width, bounding_box_format="xyxy")
        return bbox.convert_format(out, "xyxy", self.bounding_box_format, height, width)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "data_format": self.data_format,
                "fill_mode": self.fill_mode, "fill_value": self.fill_value, "interpolation": self.interpolation,
                "seed": self.seed}
