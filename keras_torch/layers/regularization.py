"""Regularization layers: SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization. All are the identity at inference time."""

from __future__ import annotations

import math
from typing import Any

import torch

from keras_torch import regularizers
from keras_torch.core.config import standardize_data_format
from keras_torch.layers._args import check_dims, check_rate, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.core import Dropout
from keras_torch.layers.input_spec import InputSpec

__all__ = [
    "SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D", "GaussianNoise", "GaussianDropout",
    "AlphaDropout", "ActivityRegularization",
]


class _SpatialDropout(Dropout):
    """Drops whole feature maps: one Bernoulli draw per (sample, channel), scaled by 1/(1-rate)."""

    _ndim = 3

    def __init__(self, rate: float, data_format: str | None = None, seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("noise_shape", None)
        super().__init__(rate, seed=seed, **kwargs)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self._ndim)

    def call(self, inputs: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        if not training or self.rate == 0:
            return inputs
        if self.data_format == "channels_first":
            shape = tuple(inputs.shape[:2]) + (1,) * (inputs.ndim - 2)
        else:
            shape = (inputs.shape[0],) + (1,) * (inputs.ndim - 2) + (inputs.shape[-1],)
        keep = torch.empty(shape, dtype=inputs.dtype, device=inputs.device).bernoulli_(1 - self.rate)
        return inputs * keep / (1 - self.rate)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("noise_shape", None)
        return {**cfg, "data_format": self.data_format}


@register_layer()
class SpatialDropout1D(_SpatialDropout):
    """Spatial dropout for ``(batch, steps, channels)`` inputs (drops whole channels).

    Args:
        rate: Fraction of channels to drop.
        seed: Accepted for Keras compatibility.

    Input shape:
        ``(batch, steps, channels)``.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.SpatialDropout1D(0.5)
    >>> layer(np.ones((2, 10, 4)), training=True).shape  # whole channels are dropped
    torch.Size([2, 10, 4])
    """

    _ndim = 3

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        kwargs.pop("data_format", None)
        super().__init__(rate, data_format="channels_last", seed=seed, **kwargs)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("data_format", None)
        return cfg


@register_layer()
class SpatialDropout2D(_SpatialDropout):
    """Spatial dropout for images (drops whole feature maps).

    Args:
        rate: Fraction of channels to drop.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Accepted for Keras compatibility.

    Input shape:
        4D ``(batch, rows, cols, channels)`` (channels_last).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.SpatialDropout2D(0.5)
    >>> layer(np.ones((2, 8, 8, 4)), training=True).shape  # whole feature maps are dropped
    torch.Size([2, 8, 8, 4])
    """

    _ndim = 4


@register_layer()
class SpatialDropout3D(_SpatialDropout):
    """Spatial dropout for volumes (drops whole feature maps).

    Args:
        rate: Fraction of channels to drop.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        seed: Accepted for Keras compatibility.

    Input shape:
        5D ``(batch, d1, d2, d3, channels)`` (channels_last).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.SpatialDropout3D(0.5)
    >>> layer(np.ones((2, 4, 4, 4, 3)), training=True).shape
    torch.Size([2, 4, 4, 4, 3])
    """

    _ndim = 5


class _Noise(Layer):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.supports_masking = True
        self.built = True

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape


@register_layer()
class GaussianNoise(_Noise):
    """Adds zero-centred Gaussian noise of standard deviation ``stddev`` during training.

    Args:
        stddev: Noise standard deviation (between 0 and 1, as Keras checks).
        seed: Accepted for Keras compatibility.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.GaussianNoise(0.1)
    >>> layer(np.ones((2, 4)), training=True).shape
    torch.Size([2, 4])
    >>> layer(np.ones((1, 2)))  # inference: identity
    tensor([[1., 1.]])
    """

    def __init__(self, stddev: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.stddev = check_rate(self.name, stddev, "stddev")
        self.seed = seed

    def call(self, inputs: torch.Tensor, training: bool = False) -> torch.Tensor:
        if training and self.stddev > 0:
            return inputs + torch.randn_like(inputs) * self.stddev
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "stddev": self.stddev, "seed": self.seed}


@register_layer()
class GaussianDropout(_Noise):
    """Multiplies inputs by ``N(1, sqrt(rate / (1 - rate)))`` noise during training.

    Args:
        rate: Drop probability (between 0 and 1).
        seed: Accepted for Keras compatibility.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.GaussianDropout(0.2)
    >>> layer(np.ones((2, 4)), training=True).shape
    torch.Size([2, 4])
    >>> layer(np.ones((1, 2)))  # inference: identity
    tensor([[1., 1.]])
    """

    def __init__(self, rate: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(self.name, rate)
        self.seed = seed

    def call(self, inputs: torch.Tensor, training: bool = False) -> torch.Tensor:
        if training and 0 < self.rate < 1:
            stddev = math.sqrt(self.rate / (1.0 - self.rate))
            return inputs * (1.0 + torch.randn_like(inputs) * stddev)
        return inputs

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed}


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@register_layer()
class AlphaDropout(_Noise):
    """Dropout that keeps SELU's self-normalizing mean and variance.

    Dropped units are set to ``-alpha * scale`` and the result is affinely corrected with
    ``a = ((1 - rate) * (1 + rate * alpha_p^2))^-0.5`` and ``b = -a * alpha_p * rate``.

    Args:
        rate: Drop probability.
        noise_shape: Shape of the keep mask (``None`` entries take the input's size).
        seed: Accepted for Keras compatibility.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.AlphaDropout(0.2, seed=1)
    >>> layer(np.ones((2, 4)), training=True).shape
    torch.Size([2, 4])
    >>> layer(np.ones((1, 2)))  # inference: identity
    tensor([[1., 1.]])
    """

    def __init__(self, rate: float, noise_shape: Any = None, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rate = check_rate(self.name, rate)
        self.noise_shape = check_dims(self.name, "noise_shape", noise_shape, allow_none=True, free=True)
        self.seed = seed

    def call(self, inputs: torch.Tensor, training: bool = False) -> torch.Tensor:
        if not (training and self.rate > 0):
            return inputs
        shape = inputs.shape if self.noise_shape is None else [
            inputs.shape[i] if d is None else d for i, d in enumerate(self.noise_shape)]
        alpha_p = -_SELU_ALPHA * _SELU_SCALE
        kept = (torch.rand(tuple(shape), device=inputs.device) >= self.rate).to(inputs.dtype)
        a = ((1 - self.rate) * (1 + self.rate * alpha_p**2)) ** -0.5
        b = -a * alpha_p * self.rate
        return a * (inputs * kept + alpha_p * (1 - kept)) + b

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "rate": self.rate, "seed": self.seed,
                "noise_shape": None if self.noise_shape is None else list(self.noise_shape)}


@register_layer()
class ActivityRegularization(_Noise):
    """Identity layer adding ``l1 * sum(|x|) + l2 * sum(x^2)`` (divided by the batch size) to the losses.

    Args:
        l1: L1 factor.
        l2: L2 factor.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.ActivityRegularization(l2=0.01)
    >>> y = layer(np.ones((2, 3)))
    >>> [round(float(v), 4) for v in layer.losses]
    [0.03]
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0, **kwargs: Any) -> None:
        kwargs.pop("activity_regularizer", None)
        super().__init__(activity_regularizer=regularizers.L1L2(l1=l1, l2=l2), **kwargs)
        self.l1 = float(l1)
        self.l2 = float(l2)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return inputs

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("activity_regularizer", None)
        return {**cfg, "l1": self.l1, "l2": self.l2}

