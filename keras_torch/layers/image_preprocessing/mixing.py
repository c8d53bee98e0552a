"""Region and sample mixing of Keras 3.15: RandomErasing, CutMix and MixUp."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import register_layer
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    batch_size_of,
    beta,
    images_of,
    normal,
    shuffle,
    uniform,
)
from keras_torch.random.seed_generator import SeedGenerator

__all__ = ["CutMix", "MixUp", "RandomErasing"]

_DOC = """
    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (images, labels, masks).

    Output shape:
        Same as the input.
"""


class _BoxMasks(BaseImagePreprocessingLayer):
    """Shared by the layers that paint one random rectangle per image."""

    def _crop_bounds(self, n: int, length: int, ratio: torch.Tensor, seed: Any,
                     device: torch.device) -> tuple[torch.Tensor, torch.Tensor]:
        dtype = self._dtype_policy.torch_compute_dtype
        crop = (ratio * length).to(dtype)
        start = uniform((n,), seed, device, dtype=dtype) * (length - crop)
        return start, start + crop

    def _box_masks(self, shape: tuple, corners: tuple) -> torch.Tensor:
        """``(batch, H, W, C)`` (or channels-first) booleans: inside ``[x0, x1) x [y0, y1)``."""
        height, width = self._image_hw(shape)
        x0, x1, y0, y1 = (c[:, None, None, None] for c in corners)
        dtype, dev = self._dtype_policy.torch_compute_dtype, x0.device
        grid_y = torch.arange(height, dtype=dtype, device=dev)
        grid_x = torch.arange(width, dtype=dtype, device=dev)
        if self.data_format == "channels_last":
            grid_y, grid_x = grid_y.view(1, height, 1, 1), grid_x.view(1, 1, width, 1)
        else:
            grid_y, grid_x = grid_y.view(1, 1, height, 1), grid_x.view(1, 1, 1, width)
        masks = (grid_x >= x0) & (grid_x < x1) & (grid_y >= y0) & (grid_y < y1)
        channel_axis = -1 if self.data_format == "channels_last" else -3
        return masks.repeat_interleave(shape[channel_axis], dim=channel_axis)


@register_layer()
class RandomErasing(_BoxMasks):
    """Fills a random rectangle of each image (with a probability drawn from ``factor``).

    Args:
        factor: Probability range (``f`` or ``(lower, upper)`` in ``[0, 1]``), default 1.0.
        scale: Range (within ``[0, 1]``) of the squared side fractions of the rectangle.
        fill_value: Fill value, 3 per-channel values, or None (Gaussian noise times ``value_range[1]``).
        value_range: Range of the input values (default ``(0, 255)``); the fill is clipped to it.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomErasing(factor=1.0, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, scale: Any = (0.02, 0.33), fill_value: Any = None,
                 value_range: Any = (0, 255), seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.scale = self._factor_range(scale, "scale")
        self.fill_value = fill_value
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _fill(self, images: torch.Tensor, seed: Any) -> torch.Tensor:
        dtype = self._dtype_policy.torch_compute_dtype
        error = f"The `fill_value` argument should be a number (or a list of three numbers) (layer {self.name})"
        if self.fill_value is None:
            fill = normal(images.shape, seed, images.device, dtype) * self.value_range[1]
        elif isinstance(self.fill_value, (tuple, list)):
            if len(self.fill_value) != 3:
                raise ValueError(error)
            fill = torch.tensor(self.fill_value, dtype=dtype, device=images.device).expand(images.shape)
        elif isinstance(self.fill_value, (int, float)):
            fill = torch.full(images.shape, float(self.fill_value), dtype=dtype, device=images.device)
        else:
            raise ValueError(error)
        return fill.clamp(self.value_range[0], self.value_range[1])

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        if images.ndim not in (3, 4):
            raise ValueError(f"Layer '{self.name}': expected the input image to be rank 3 or 4. Received "
                             f"inputs.shape={tuple(images.shape)}")
        n, dev = batch_size_of(images), images.device
        height, width = self._image_hw(images.shape)
        seed = self._seed_stream(seed)
        weights = torch.sqrt(uniform((n, 2), seed, dev, self.scale[0], self.scale[1],
                                     self._dtype_policy.torch_compute_dtype))
        x0, x1 = self._crop_bounds(n, width, weights[:, 0], seed, dev)
        y0, y1 = self._crop_bounds(n, height, weights[:, 1], seed, dev)
        masks = self._box_masks(tuple(images.shape), (x0, x1, y0, y1))
        probability = uniform((n,), seed, dev, self.factor[0], self.factor[1])
        threshold = uniform((n,), seed, dev)
        return {"apply_erasing": threshold < probability, "batch_masks": masks, "fill_value": self._fill(images, seed)}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training:
            return images
        dev = images.device
        masks = torch.as_tensor(transformation["batch_masks"], device=dev)
        fill = torch.as_tensor(transformation["fill_value"], device=dev).to(images.dtype)
        erased = torch.where(masks, fill, images)
        apply = torch.as_tensor(transformation["apply_erasing"], device=dev)
        return torch.where(apply[:, None, None, None], erased, images)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "scale": self.scale, "fill_value": self.fill_value,
                "value_range": self.value_range, "seed": self.seed}


@register_layer()
class CutMix(_BoxMasks):
    """Pastes a random rectangle of another image of the batch into each image and mixes the labels by area.

    Args:
        factor: Range (``f`` or ``(lower, upper)`` in ``[0, 1]``) of the Beta distribution's
            ``alpha`` the mixing weights are drawn from.
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.CutMix(seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, seed: int | None = None, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        images = images_of(data)
        if not training or images.ndim == 3:
            return None
        n, dev = images.shape[0], images.device
        height, width = self._image_hw(images.shape)
        seed = self._seed_stream(seed)
        dtype = self._dtype_policy.torch_compute_dtype
        alpha = float(uniform((), seed, dev, self.factor[0], self.factor[1], dtype)) + 1e-6
        ratio = torch.sqrt(1.0 - beta((n,), alpha, alpha, seed, dev).to(dtype))
        x0, x1 = self._crop_bounds(n, width, ratio, seed, dev)
        y0, y1 = self._crop_bounds(n, height, ratio, seed, dev)
        masks = self._box_masks(tuple(images.shape), (x0, x1, y0, y1))
        mix_weight = 1.0 - (x1 - x0) * (y1 - y0) / (width * height)
        return {"permutation_order": shuffle(n, seed, dev).to(torch.int32), "batch_masks": masks,
                "mix_weight": mix_weight[:, None, None, None]}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training or transformation is None:
            return images
        order = torch.as_tensor(transformation["permutation_order"], device=images.device).long()
        masks = torch.as_tensor(transformation["batch_masks"], device=images.device)
        return torch.where(masks, images[order], images)

    def transform_labels(self, labels: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training or transformation is None:
            return labels
        order = torch.as_tensor(transformation["permutation_order"], device=labels.device).long()
        weight = torch.as_tensor(transformation["mix_weight"], device=labels.device).reshape(-1, 1)
        return weight * labels + (1.0 - weight) * labels[order]

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        raise NotImplementedError(f"Layer '{self.name}': CutMix does not transform bounding boxes (as in Keras).")

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return self.transform_images(segmentation_masks, transformation, training=training)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


@register_layer()
class MixUp(BaseImagePreprocessingLayer):
    """Blends each image (and label) with another of the batch, the weight drawn from Beta(alpha, alpha).

    Args:
        alpha: Beta distribution parameter (default 0.2).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: ``bounding_box_format`` and base layer arguments.

    Example:

    >>> layer = keras.layers.MixUp(alpha=0.2, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False

    def __init__(self, alpha: float = 0.2, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.alpha = alpha
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        n, dev = batch_size_of(images), images.device
        seed = self._seed_stream(seed)
        order = shuffle(n, seed, dev)
        return {"mix_weight": beta((n,), self.alpha, self.alpha, seed, dev), "permutation_order": order}

    @staticmethod
    def _mix(x: torch.Tensor, transformation: dict, weight_shape: tuple) -> torch.Tensor:
        order = torch.as_tensor(transformation["permutation_order"], device=x.device).long()
        weight = torch.as_tensor(transformation["mix_weight"], device=x.device).to(x.dtype).reshape(weight_shape)
        return weight * x + (1.0 - weight) * x[order]

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        return self._mix(self._cast(images), transformation, (-1, 1, 1, 1))

    def transform_labels(self, labels: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return labels
        labels = labels if labels.is_floating_point() else labels.to(self._dtype_policy.torch_compute_dtype)
        return self._mix(labels, transformation, (-1, 1))

    def transform_bounding_boxes(self, bounding_boxes: dict, transformation: Any, training: bool = True) -> dict:
        if not training:
            return bounding_boxes
        boxes, labels = bounding_boxes["boxes"], bounding_boxes["labels"]
        order = torch.as_tensor(transformation["permutation_order"], device=boxes.device).long()
        # The boxes of the partner image are appended to each image's boxes (Keras); their labels
        # are appended along the same (box) axis.
        return {"boxes": torch.cat([boxes, boxes[order]], 1), "labels": torch.cat([labels, labels[order]], -1)}

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        if not training:
            return segmentation_masks
        masks = segmentation_masks
        masks = masks if masks.is_floating_point() else masks.to(self._dtype_policy.torch_compute_dtype)
        return self._mix(masks, transformation, (-1, 1, 1, 1))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "alpha": self.alpha, "seed": self.seed}
