"""Colour augmentations of Keras 3.15: brightness, contrast, grayscale, hue, saturation, colour
degeneration, inversion and the RandomColorJitter composition."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config as _config
from keras_torch.layers._args import register_layer
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    _is_real,
    batch_size_of,
    images_of,
    uniform,
)
from keras_torch.ops import image as ops_image
from keras_torch.random.seed_generator import SeedGenerator

__all__ = [
    "RandomBrightness", "RandomColorDegeneration", "RandomColorJitter", "RandomContrast", "RandomGrayscale",
    "RandomHue", "RandomInvert", "RandomSaturation",
]

_COLOR_DOC = """
    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (only the images change).

    Output shape:
        Same as the input.
"""


def _per_image_shape(images: torch.Tensor, name: str) -> tuple[int, ...]:
    if images.ndim == 3:
        return (1, 1, 1)
    if images.ndim == 4:
        return (images.shape[0], 1, 1, 1)
    raise ValueError(f"Layer '{name}': expected the input image to be rank 3 or 4. Received "
                     f"inputs.shape={tuple(images.shape)}")


def _check_rank(images: torch.Tensor, name: str) -> int:
    if images.ndim not in (3, 4):
        raise ValueError(f"Layer '{name}': expected the input image to be rank 3 or 4. Received: "
                         f"inputs.shape={tuple(images.shape)}")
    return batch_size_of(images)


class _ColorLayer(BaseImagePreprocessingLayer):
    """A colour layer: ``factor``, ``value_range`` and ``seed`` in the config; boxes and masks unchanged."""

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "value_range": self.value_range, "seed": self.seed}


@register_layer()
class RandomBrightness(_ColorLayer):
    """Adds a random offset ``delta * (value_range[1] - value_range[0])`` to each image, then clips.

    Args:
        factor: ``f`` (``delta`` in ``[-f, f]``) or ``(lower, upper)``, within ``[-1, 1]``.
        value_range: Range of the input values (default ``(0, 255)``).
        seed: Int seed of the layer's random stream.
        **kwargs: ``data_format`` and base layer arguments.

    Example:

    >>> layer = keras.layers.RandomBrightness(factor=0.2, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(factor=factor, **kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self._set_value_range(value_range)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        shape = _per_image_shape(images, self.name)
        if not training:
            return {"rgb_delta": torch.zeros(shape, device=images.device)}
        delta = uniform(shape, self._seed_stream(seed), images.device, self.factor[0], self.factor[1])
        return {"rgb_delta": delta * (self.value_range[1] - self.value_range[0])}

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        delta = torch.as_tensor(transformation["rgb_delta"], device=images.device).to(images.dtype)
        return (images + delta).clamp(self.value_range[0], self.value_range[1])


@register_layer()
class RandomContrast(_ColorLayer):
    """Scales each image's deviation from its per-channel mean by a random factor, then clips.

    Args:
        factor: ``f`` or ``(lower, upper)`` within ``[0, 1]``; the contrast factor is drawn from
            ``[1 - lower, 1 + upper]`` (Keras's rule: a single ``f`` gives ``[1, 1 + f]``).
        value_range: Range the outputs are clipped to (default ``(0, 255)``).
        seed: Int seed of the layer's random stream.
        **kwargs: ``data_format`` and base layer arguments.

    Example:

    >>> layer = keras.layers.RandomContrast(factor=0.3, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        shape = _per_image_shape(images, self.name)
        if not training:
            return {"contrast_factor": torch.zeros(shape, device=images.device)}
        factor = uniform(shape, self._seed_stream(seed), images.device, 1.0 - self.factor[0], 1.0 + self.factor[1],
                         self._dtype_policy.torch_compute_dtype)
        return {"contrast_factor": factor}

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        h_axis, w_axis = self._hw_axes
        mean = images.mean(dim=h_axis, keepdim=True).mean(dim=w_axis, keepdim=True)
        factor = torch.as_tensor(transformation["contrast_factor"], device=images.device).to(images.dtype)
        out = (images - mean) * factor + mean
        return out.clamp(self.value_range[0], self.value_range[1])


@register_layer()
class RandomGrayscale(BaseImagePreprocessingLayer):
    """Turns each image to grayscale (kept as 3 equal channels) with probability ``factor``.

    Args:
        factor: Probability in ``[0, 1]`` (default 0.5).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomGrayscale(factor=1.0, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC
    _USE_BASE_FACTOR = False

    def __init__(self, factor: float = 0.5, data_format: str | None = None, seed: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        if not _is_real(factor) or factor < 0 or factor > 1:
            raise ValueError(f"`factor` should be between 0 and 1. Received: factor={factor} (layer {self.name})")
        self.factor = factor
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> torch.Tensor:
        images = images_of(data)
        values = uniform((batch_size_of(images),), self._seed_stream(seed), images.device)
        return (values < self.factor)[:, None, None, None]

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        should_apply = transformation if transformation is not None else self.get_random_transformation(images)
        gray = ops_image.rgb_to_grayscale(images, data_format=self.data_format)
        return torch.where(torch.as_tensor(should_apply, device=images.device), gray, images)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor}


def _hsv_channels(images: torch.Tensor, data_format: str) -> list[torch.Tensor]:
    axis = 1 if data_format == "channels_first" else -1
    return list(torch.unbind(images, dim=axis))


def _stack_channels(channels: list[torch.Tensor], data_format: str) -> torch.Tensor:
    return torch.stack(channels, dim=1 if data_format == "channels_first" else -1)


@register_layer()
class RandomHue(_ColorLayer):
    """Rotates the hue of each image by a random amount in ``[-factor/2, factor/2]`` turns (random sign).

    Args:
        factor: ``f`` or ``(lower, upper)`` within ``[0, 1]``.
        value_range: Range of the input values (default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomHue(factor=0.2, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        n = _check_rank(images, self.name)
        seed = self._seed_stream(seed)
        invert = uniform((n,), seed, images.device)
        invert = torch.where(invert > 0.5, -torch.ones_like(invert), torch.ones_like(invert))
        factor = uniform((n,), seed, images.device, self.factor[0], self.factor[1])
        return {"factor": invert * factor * 0.5}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._transform_value_range(self._cast(images), self.value_range, (0, 1))
        adjust = torch.as_tensor(transformation["factor"], device=images.device).to(images.dtype)[:, None, None]
        h, s, v = _hsv_channels(ops_image.rgb_to_hsv(images, data_format=self.data_format), self.data_format)
        h = h + adjust
        h = torch.where(h > 1.0, h - 1.0, h)
        h = torch.where(h < 0.0, h + 1.0, h)
        images = ops_image.hsv_to_rgb(_stack_channels([h, s, v], self.data_format), data_format=self.data_format)
        images = self._transform_value_range(images.clamp(0, 1), (0, 1), self.value_range)
        return self._cast(images)


@register_layer()
class RandomSaturation(_ColorLayer):
    """Scales the HSV saturation of each image by ``f / (1 - f)`` for a random ``f``.

    Args:
        factor: ``f`` (range ``[-f, f]``) or ``(lower, upper)`` within ``[-1, 1]``; 0.5 keeps the
            saturation, 0 makes the image gray and 1 fully saturates it.
        value_range: Range the saturation is clipped to (Keras's rule; default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomSaturation(factor=(0.3, 0.7), seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        n = _check_rank(images, self.name)
        factor = uniform((n,), self._seed_stream(seed), images.device, self.factor[0], self.factor[1])
        return {"factor": factor / (1 - factor + _config.epsilon())}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        adjust = torch.as_tensor(transformation["factor"], device=images.device).to(images.dtype)[:, None, None]
        h, s, v = _hsv_channels(ops_image.rgb_to_hsv(images, data_format=self.data_format), self.data_format)
        s = (s * adjust).clamp(self.value_range[0], self.value_range[1])
        return ops_image.hsv_to_rgb(_stack_channels([h, s, v], self.data_format), data_format=self.data_format)


@register_layer()
class RandomColorDegeneration(_ColorLayer):
    """Blends each image with its grayscale version by a random factor, then clips.

    Args:
        factor: ``f`` (range ``[-f, f]``) or ``(lower, upper)`` within ``[-1, 1]``: the weight of the
            grayscale image.
        value_range: Range of the input values (default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomColorDegeneration(factor=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC

    def __init__(self, factor: Any, value_range: Any = (0, 255), data_format: str | None = None,
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self._set_value_range(value_range)
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict:
        images = images_of(data)
        n = _check_rank(images, self.name)
        factor = uniform((n, 1, 1, 1), self._seed_stream(seed), images.device, self.factor[0], self.factor[1])
        return {"factor": factor}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        factor = torch.as_tensor(transformation["factor"], device=images.device).to(images.dtype)
        gray = ops_image.rgb_to_grayscale(images, data_format=self.data_format)
        images = images + factor * (gray - images)
        return images.clamp(self.value_range[0], self.value_range[1])

    def _image_output_shape(self, shape: tuple) -> tuple:
        if len(shape) not in (3, 4):
            raise ValueError("Invalid images rank: expected rank 3 (single image) or rank 4 (batch of images). "
                             f"Received: input_shape={shape} (layer {self.name})")
        channels = shape[-1 if self.data_format == "channels_last" else -3]
        if channels is not None and channels != 3:
            raise ValueError(f"Input images must have 3 channels, but received images with {channels} channels. "
                             f"(layer {self.name})")
        return shape


@register_layer()
class RandomInvert(_ColorLayer):
    """Inverts each image (``value_range[1] - x``) with a probability drawn from ``factor``.

    Args:
        factor: Probability range (``f`` or ``(lower, upper)`` in ``[0, 1]``), default 1.0.
        value_range: Range of the input values (default ``(0, 255)``).
        seed: Int seed of the layer's random stream.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomInvert(factor=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, value_range: Any = (0, 255), seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        n = _check_rank(images, self.name)
        seed = self._seed_stream(seed)
        probability = uniform((n,), seed, images.device, self.factor[0], self.factor[1])
        threshold = uniform((n,), seed, images.device)
        return {"apply_inversion": threshold < probability}

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        apply = torch.as_tensor(transformation["apply_inversion"], device=images.device)
        return torch.where(apply[:, None, None, None], self.value_range[1] - images, images)


@register_layer()
class RandomColorJitter(BaseImagePreprocessingLayer):
    """Random brightness, contrast, saturation and hue, applied in that order (each when its factor is set).

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        brightness_factor: ``RandomBrightness`` factor, or None.
        contrast_factor: ``RandomContrast`` factor, or None.
        saturation_factor: ``RandomSaturation`` factor, or None.
        hue_factor: ``RandomHue`` factor, or None.
        seed: Int seed of the layer's random stream (shared by the parts).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomColorJitter(brightness_factor=0.2, contrast_factor=0.2, saturation_factor=(0.4, 0.6), seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _COLOR_DOC
    _USE_BASE_FACTOR = False
    _PARTS = ("brightness", "contrast", "saturation", "hue")

    def __init__(self, value_range: Any = (0, 255), brightness_factor: Any = None, contrast_factor: Any = None,
                 saturation_factor: Any = None, hue_factor: Any = None, seed: int | None = None,
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.value_range = value_range
        self.brightness_factor = brightness_factor
        self.contrast_factor = contrast_factor
        self.saturation_factor = saturation_factor
        self.hue_factor = hue_factor
        self.seed = seed
        self.generator = SeedGenerator(seed)
        # Keras builds the parts in the global data format; they follow this layer's here.
        common = {"value_range": value_range, "seed": seed, "data_format": self.data_format}
        self.random_brightness = RandomBrightness(brightness_factor, **common) if brightness_factor is not None \
            else None
        self.random_contrast = RandomContrast(contrast_factor, **common) if contrast_factor is not None else None
        self.random_saturation = RandomSaturation(saturation_factor, **common) if saturation_factor is not None \
            else None
        self.random_hue = RandomHue(hue_factor, **common) if hue_factor is not None else None

    def _parts(self) -> list[tuple[str, BaseImagePreprocessingLayer]]:
        return [(p, getattr(self, f"random_{p}")) for p in self._PARTS if getattr(self, f"random_{p}") is not None]

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        # Keras draws each part's parameters (from this layer's stream) on the images as they are after
        # the previous parts; only the batch size matters, so they are drawn here up front.
        seed = self._seed_stream(seed)
        return {part: layer.get_random_transformation(data, seed=seed) for part, layer in self._parts()}

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        for part, layer in self._parts():
            images = layer.transform_images(images, transformation[part])
        return self._cast(images)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "brightness_factor": self.brightness_factor,
                "contrast_factor": self.contrast_factor, "saturation_factor": self.saturation_factor,
                "hue_factor": self.hue_factor, "seed": self.seed}
