"""Pixel-value augmentations of Keras 3.15: posterization, solarization, sharpness, Gaussian blur
and AutoContrast."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.layers._args import MAX_DIM, register_layer
from keras_torch.layers.image_preprocessing.base import (
    BaseImagePreprocessingLayer,
    _is_real,
    images_of,
    randint,
    uniform,
)
from keras_torch.layers.image_preprocessing.color import _check_rank, _ColorLayer
from keras_torch.ops import image as ops_image
from keras_torch.random.seed_generator import SeedGenerator

__all__ = ["AutoContrast", "RandomGaussianBlur", "RandomPosterization", "RandomSharpness", "Solarization"]

_DOC = """
    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (only the images change).

    Output shape:
        Same as the input.
"""


@register_layer()
class RandomPosterization(_ColorLayer):
    """Keeps only the top ``b`` bits of each 8-bit value, ``b`` drawn per image.

    Args:
        factor: ``b`` or ``(lower, upper)`` within ``[1, 8]``; as in Keras, ``b`` is drawn from
            ``[lower, upper)`` (a single ``f`` gives ``[1, f)``) unless ``lower == upper``.
        value_range: Range of the input values (default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomPosterization(factor=(1, 4), seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (1, 8)

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
        if self.factor[0] != self.factor[1]:
            bits = randint((n,), self._seed_stream(seed), images.device, self.factor[0], self.factor[1], torch.uint8)
        else:
            bits = torch.full((n,), int(self.factor[0]), dtype=torch.uint8, device=images.device)
        return {"shift_factor": 8 - bits}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        dtype = self._dtype_policy.torch_compute_dtype
        shift = torch.as_tensor(transformation["shift_factor"], device=images.device).to(torch.uint8)
        shift = shift.reshape(-1, 1, 1, 1)
        images = self._transform_value_range(images, self.value_range, (0, 255), dtype).to(torch.uint8)
        images = torch.bitwise_left_shift(torch.bitwise_right_shift(images, shift), shift)
        return self._transform_value_range(images.to(dtype), (0, 255), self.value_range, dtype)


@register_layer()
class Solarization(BaseImagePreprocessingLayer):
    """Adds a random amount to each image, then inverts (``255 - x``) the values at or above a random threshold.

    Args:
        addition_factor: ``f`` (range ``[0, f]``) or ``(lower, upper)`` within ``[0, 1]``; the addition
            is drawn from ``[lower, upper * 255]`` on the 0..255 scale (Keras's rule).
        threshold_factor: Same for the threshold.
        value_range: Range of the input values (default ``(0, 255)``).
        seed: Int seed of the layer's random stream.
        **kwargs: ``data_format`` and base layer arguments.

    Example:

    >>> layer = keras.layers.Solarization(addition_factor=0.1, threshold_factor=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False

    def __init__(self, addition_factor: Any = 0.0, threshold_factor: Any = 0.0, value_range: Any = (0, 255),
                 seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.seed = seed
        self.generator = SeedGenerator(seed)
        self.addition_factor = self._unit_range(addition_factor, "addition_factor")
        self.threshold_factor = self._unit_range(threshold_factor, "threshold_factor")
        self._set_value_range(value_range)

    def _unit_range(self, factor: Any, name: str) -> tuple[float, float]:
        error = ("The `addition_factor` and `threshold_factor` arguments should be a number (or a list of two "
                 f"numbers) in the range [0, 1]. Received: {name}={factor} (layer {self.name})")
        if isinstance(factor, (tuple, list)):
            if len(factor) != 2 or not all(_is_real(v) and 0 <= v <= 1.0 for v in factor):
                raise ValueError(error)
            lower, upper = sorted(factor)
            return lower, upper
        if isinstance(factor, (int, float)) and not isinstance(factor, bool) and 0 <= factor <= 1.0:
            return 0, factor
        raise ValueError(error)

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        shape = (images.shape[0], 1, 1, 1) if images.ndim == 4 else (1, 1, 1)
        seed, dtype = self._seed_stream(seed), self._dtype_policy.torch_compute_dtype
        return {
            "additions": uniform(shape, seed, images.device, self.addition_factor[0], self.addition_factor[1] * 255,
                                 dtype),
            "thresholds": uniform(shape, seed, images.device, self.threshold_factor[0],
                                  self.threshold_factor[1] * 255, dtype),
        }

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training or transformation is None:
            return images
        dtype = images.dtype
        dev = images.device
        images = self._transform_value_range(images, self.value_range, (0, 255), dtype)
        results = (images + torch.as_tensor(transformation["additions"], device=dev).to(dtype)).clamp(0, 255)
        thresholds = torch.as_tensor(transformation["thresholds"], device=dev).to(dtype)
        results = torch.where(results < thresholds, results, 255 - results)
        return self._transform_value_range(results, (0, 255), self.value_range, dtype)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "addition_factor": self.addition_factor,
                "threshold_factor": self.threshold_factor, "seed": self.seed}


@register_layer()
class RandomSharpness(_ColorLayer):
    """Blends each image with a smoothed copy: ``x + (1 - 2 f) (smooth(x) - x)`` for a random ``f``.

    Args:
        factor: ``f`` (range ``[0, f]``) or ``(lower, upper)`` within ``[0, 1]``; 0.5 keeps the
            image, lower blurs, higher sharpens.
        value_range: Range the outputs are clipped to (default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomSharpness(factor=0.5, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

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
        return {"factor": uniform((n,), self._seed_stream(seed), images.device, self.factor[0], self.factor[1])}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training:
            return images
        x = images if self.data_format == "channels_first" else images.permute(0, 3, 1, 2)
        a, b = 1.0 / 13.0, 5.0 / 13.0
        kernel = torch.tensor([[a, a, a], [a, b, a], [a, a, a]], dtype=x.dtype, device=x.device)
        channels = x.shape[1]
        smoothed = F.conv2d(F.pad(x, (1, 1, 1, 1)), kernel.expand(channels, 1, 3, 3), groups=channels)
        sharpness = (torch.as_tensor(transformation["factor"], device=x.device) * 2).to(x.dtype).reshape(-1, 1, 1, 1)
        out = (x + (1.0 - sharpness) * (smoothed - x)).clamp(self.value_range[0], self.value_range[1])
        return out if self.data_format == "channels_first" else out.permute(0, 2, 3, 1)


@register_layer()
class RandomGaussianBlur(_ColorLayer):
    """Blurs each image with a Gaussian kernel (one random sigma pair per batch) with a probability drawn from ``factor``.

    Args:
        factor: Probability range (``f`` or ``(lower, upper)`` in ``[0, 1]``), default 1.0.
        kernel_size: Odd kernel size, or ``(height, width)`` (both odd).
        sigma: ``s`` (range ``[0, s]``) or ``(lower, upper)`` within ``[0, 1]``.
        value_range: Range the outputs are clipped to (default ``(0, 255)``).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Int seed of the layer's random stream.
        **kwargs: Base layer arguments.

    Example:

    >>> layer = keras.layers.RandomGaussianBlur(factor=1.0, kernel_size=3, sigma=1.0, seed=1)
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images, training=True).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _FACTOR_BOUNDS = (0, 1)

    def __init__(self, factor: Any = 1.0, kernel_size: Any = 3, sigma: Any = 1.0, value_range: Any = (0, 255),
                 data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_factor(factor)
        self.kernel_size = self._kernel_size(kernel_size)
        self.sigma = self._factor_range(sigma, "sigma")
        self.value_range = value_range
        self.seed = seed
        self.generator = SeedGenerator(seed)

    def _kernel_size(self, size: Any) -> tuple[int, int]:
        if not all(_is_real(v) and 0 < v <= MAX_DIM for v in (size if isinstance(size, (tuple, list)) else [size])):
            raise ValueError(f"The `kernel_size` argument should be a positive odd number (or a list of two). "
                             f"Received: kernel_size={size!r} (layer {self.name})")
        if isinstance(size, (tuple, list)):
            if len(size) != 2:
                raise ValueError(f"The `kernel_size` argument should be a number (or a list of two numbers) "
                                 f"Received: kernel_size={size} (layer {self.name})")
            if size[0] % 2 == 0 or size[1] % 2 == 0:
                raise ValueError(f"kernel_size must be an odd number. Received: kernel_size={size} (layer {self.name})")
            return int(size[0]), int(size[1])
        if isinstance(size, (int, float)) and not isinstance(size, bool) and size % 2 != 0:
            return int(size), int(size)
        raise ValueError(f"kernel_size must be an odd number. Received: kernel_size={size} (layer {self.name})")

    def get_random_transformation(self, data: Any, training: bool = True, seed: Any = None) -> dict | None:
        if not training:
            return None
        images = images_of(data)
        n = _check_rank(images, self.name)
        seed, dev = self._seed_stream(seed), images.device
        probability = uniform((n,), seed, dev, self.factor[0], self.factor[1])
        threshold = uniform((n,), seed, dev)
        sigma = uniform((2,), seed, dev, self.sigma[0], self.sigma[1], self._dtype_policy.torch_compute_dtype) + 1e-6
        return {"should_apply_blur": threshold < probability, "blur_factor": sigma}

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        images = self._cast(images)
        if not training or transformation is None:
            return images
        sigma = [float(v) for v in torch.as_tensor(transformation["blur_factor"]).reshape(-1)]
        blurred = ops_image.gaussian_blur(images, kernel_size=self.kernel_size, sigma=sigma,
                                          data_format=self.data_format)
        apply = torch.as_tensor(transformation["should_apply_blur"], device=images.device)
        out = torch.where(apply[:, None, None, None], blurred, images)
        return self._cast(out.clamp(self.value_range[0], self.value_range[1]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "kernel_size": self.kernel_size, "sigma": self.sigma}


@register_layer()
class AutoContrast(BaseImagePreprocessingLayer):
    """Stretches each image channel to the full value range (always applied, also at inference).

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        **kwargs: ``data_format`` and base layer arguments.

    Example:

    >>> layer = keras.layers.AutoContrast()
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images).shape
    torch.Size([2, 32, 32, 3])
    """

    __doc__ += _DOC
    _USE_BASE_FACTOR = False
    _ACTIVE_AT_INFERENCE = True

    def __init__(self, value_range: Any = (0, 255), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._set_value_range(value_range)

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        dtype = self._dtype_policy.torch_compute_dtype
        original = images
        x = self._transform_value_range(images, self.value_range, (0, 255), dtype).to(dtype)
        # Keras reduces over axes 1 and 2 (height and width in channels_last).
        low = x.amin(dim=(1, 2), keepdim=True)
        high = x.amax(dim=(1, 2), keepdim=True)
        scale = 255.0 / (high - low)
        results = (x * scale + (-low * scale)).clamp(0.0, 255.0)
        results = self._transform_value_range(results, (0, 255), self.value_range, dtype)
        return torch.where(torch.isnan(results), original.to(results.dtype), results)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range}
