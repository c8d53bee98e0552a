"""Preprocessing layers that run inside the model: Rescaling, Normalization (Resizing and CenterCrop live
in ``layers.image_preprocessing.resizing`` with the other image layers and are re-exported here)."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.layers._args import check_axis, check_numbers, register_layer
from keras_torch.layers.base import Layer

# tf-keras 2 code reaches its image augmentation layers as `layers.experimental.preprocessing.X`, and
# `layers.experimental` is `layers`, so that path ends in this module.
from keras_torch.layers.image_preprocessing import (  # noqa: F401
    CenterCrop,
    RandomContrast,
    RandomCrop,
    RandomFlip,
    RandomHeight,
    RandomRotation,
    RandomTranslation,
    RandomWidth,
    RandomZoom,
    Resizing,
)

__all__ = ["Rescaling", "Normalization", "Resizing", "CenterCrop"]


@register_layer()
class Rescaling(Layer):
    """Computes ``inputs * scale + offset`` (e.g. ``Rescaling(1/255)``).

    Args:
        scale: Float or per-channel list.
        offset: Float or per-channel list.

    Input shape:
        Any.

    Output shape:
        Same as the input (float).

    Example:

    >>> layer = keras.layers.Rescaling(scale=1 / 127.5, offset=-1.0)
    >>> layer(np.array([0.0, 127.5, 255.0]))
    tensor([-1.,  0.,  1.])
    """

    def __init__(self, scale: Any, offset: Any = 0.0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        for arg, value in (("scale", scale), ("offset", offset)):
            if not isinstance(value, torch.Tensor):
                check_numbers(self.name, arg, value)
        self.scale = scale
        self.offset = offset
        self.supports_masking = True
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        dtype = self._dtype_policy.torch_compute_dtype
        scale = torch.as_tensor(self.scale, dtype=dtype, device=inputs.device)
        offset = torch.as_tensor(self.offset, dtype=dtype, device=inputs.device)
        if scale.ndim > 0 and _config.image_data_format() == "channels_first":
            scale = scale.reshape(tuple(scale.shape) + (1,) * (3 - scale.ndim))
        return inputs.to(dtype) * scale + offset

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return np.asarray(v).tolist() if isinstance(v, (np.ndarray, torch.Tensor)) else v

        return {**super().get_config(), "scale": plain(self.scale), "offset": plain(self.offset)}


@register_layer()
class Normalization(Layer):
    """Feature-wise standardization: ``(x - mean) / max(sqrt(variance), epsilon)``.

    Statistics come from ``mean``/``variance`` arguments or from :meth:`adapt` (population
    variance, as Keras). Adapted statistics are non-trainable weights ``mean``, ``variance``,
    ``count``.

    Args:
        axis: Axis or axes kept (one statistic per index); ``None`` = a single scalar statistic.
        mean: Fixed mean used instead of :meth:`adapt` (give both ``mean`` and ``variance`` or neither), broadcast over
            the kept axes.
        variance: Fixed variance used instead of :meth:`adapt`, broadcast over the kept axes.
        invert: Apply the inverse transform ``mean + x * sqrt(variance)``.

    Input shape:
        Any, with defined sizes along ``axis``.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.Normalization()
    >>> layer.adapt(np.array([[1.0], [3.0]]))
    >>> layer(np.array([[1.0], [2.0], [3.0]]))
    tensor([[-1.],
            [ 0.],
            [ 1.]])
    """

    def __init__(self, axis: Any = -1, mean: Any = None, variance: Any = None, invert: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        axis = check_axis(self.name, "axis", axis, allow_none=True)
        self.axis = () if axis is None else (axis,) if isinstance(axis, int) else tuple(axis)
        self.input_mean = mean if check_numbers(self.name, "mean", mean, allow_none=True) is not None else None
        self.input_variance = variance if check_numbers(self.name, "variance", variance, allow_none=True) is not None \
            else None
        self.invert = bool(invert)
        self.supports_masking = True
        self._build_input_shape = None
        if (mean is not None) != (variance is not None):
            raise ValueError("When setting values directly, both `mean` and `variance` must be set. "
                             f"Received: mean={mean} and variance={variance} (layer {self.name})")
        if mean is not None:
            if np.shape(mean) != np.shape(variance):
                raise ValueError("When setting values directly, `mean` and `variance` must have the same shape. "
                                 f"Received: mean shape {np.shape(mean)} and variance shape {np.shape(variance)}")
            if len(np.shape(mean)) > len(self.axis):
                raise ValueError(f"The rank of `mean` must be less than or equal to the number of axes "
                                 f"({len(self.axis)}). Received: mean shape {np.shape(mean)} for axis {self.axis}")

    def build(self, input_shape: Any) -> None:
        if input_shape is None:
            return
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._build_input_shape = input_shape
        if any(a < -ndim or a >= ndim for a in self.axis):
            raise ValueError(f"Layer '{self.name}': all `axis` values must be in the range [-ndim, ndim). "
                             f"Received inputs with ndim={ndim}, while axis={self.axis}")
        self._keep_axis = tuple(sorted(d % ndim for d in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(f"Layer '{self.name}': all `axis` values to be kept must have a known shape. "
                                 f"Received axis={self.axis}, inputs.shape={input_shape}, unknown axis at index {d}")
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        self._broadcast_shape = [input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)]
        self._mean_and_var_shape = tuple(input_shape[d] for d in self._keep_axis)
        if self.input_mean is None:
            self.add_weight(name="mean", shape=self._mean_and_var_shape, initializer="zeros", trainable=False,
                            attr="adapt_mean", buffer=True)
            self.add_weight(name="variance", shape=self._mean_and_var_shape, initializer="ones", trainable=False,
                            attr="adapt_variance", buffer=True)
            self.add_weight(name="count", shape=(), dtype="int64", initializer="zeros", trainable=False,
                            attr="count", buffer=True)
        else:
            mean = torch.as_tensor(np.asarray(self.input_mean), dtype=torch.float32)
            var = torch.as_tensor(np.asarray(self.input_variance), dtype=torch.float32)
            if mean.ndim > 0:
                expanded = [1] * ndim
                for i in range(1, mean.ndim + 1):
                    expanded[self._keep_axis[-i]] = mean.shape[-i]
                mean, var = mean.reshape(expanded), var.reshape(expanded)
            bshape = [1 if d is None else d for d in self._broadcast_shape]
            self.register_buffer("fixed_mean", mean.expand(bshape).clone(), persistent=False)
            self.register_buffer("fixed_variance", var.expand(bshape).clone(), persistent=False)

    @property
    def mean(self) -> torch.Tensor | None:
        if not self.built or self._build_input_shape is None:
            return None
        if self.input_mean is not None:
            return self.fixed_mean
        return self.adapt_mean.reshape(self._broadcast_shape)

    @property
    def variance(self) -> torch.Tensor | None:
        if not self.built or self._build_input_shape is None:
            return None
        if self.input_mean is not None:
            return self.fixed_variance
        return self.adapt_variance.reshape(self._broadcast_shape)

    def adapt(self, data: Any) -> None:
        """Compute the mean and (population) variance of ``data`` over the non-kept axes.

        Args:
            data: A numpy array, a torch tensor, or an iterable of batches (arrays/tensors or
                ``(x, y)`` tuples), e.g. a ``DataLoader``.
        """
        if isinstance(data, (np.ndarray, torch.Tensor)):
            batches = None
            input_shape = tuple(data.shape)
        elif isinstance(data, Iterable):
            it = iter(data)
            first = next(it, None)
            if first is None:
                raise ValueError("adapt() received an empty iterable (no batches). Expected at least one batch.")
            first = first[0] if isinstance(first, (tuple, list)) else first
            if not hasattr(first, "shape"):
                raise TypeError("adapt() expects an iterable that yields arrays or tensors with a `.shape` "
                                f"attribute. Got an element of type {type(first).__name__}.")
            input_shape = tuple(first.shape)
            batches = _chain(first, it)
        else:
            raise TypeError(f"Unsupported data type: {type(data)}. `adapt` supports numpy arrays, torch tensors "
                            "and iterables of batches.")
        if not self.built or self._build_input_shape is None:
            self._build_shapes = input_shape
            self.build(input_shape)
            self.built = True
        else:
            for d in self._keep_axis:
                if input_shape[d] != self._build_input_shape[d]:
                    raise ValueError(f"The layer '{self.name}' was built with input_shape={self._build_input_shape}, "
                                     f"but adapt() is being called with data with an incompatible shape, "
                                     f"data.shape={input_shape}")
        if self.input_mean is not None:
            raise ValueError(f"Layer '{self.name}' was created with fixed `mean`/`variance`; it cannot be adapted.")
        if isinstance(data, np.ndarray):
            mean = torch.as_tensor(np.mean(data, axis=self._reduce_axis))
            var = torch.as_tensor(np.var(data, axis=self._reduce_axis))
        elif isinstance(data, torch.Tensor):
            x = data.detach().float() if not data.is_floating_point() else data.detach()
            mean = torch.mean(x, dim=self._reduce_axis)
            var = torch.var(x, dim=self._reduce_axis, correction=0)
        else:
            mean = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
            var = torch.zeros(self._mean_and_var_shape, dtype=torch.float64)
            total = 0
            for batch in batches:
                b = torch.as_tensor(np.asarray(batch) if not torch.is_tensor(batch) else batch.detach().cpu())
                b = b.to(torch.float32)
                for d in self._keep_axis:
                    if b.shape[d] != self._build_input_shape[d]:
                        raise ValueError(f"adapt() yielded a batch with incompatible shape. Expected "
                                         f"{self._build_input_shape}, got {tuple(b.shape)}.")
                b_mean = torch.mean(b, dim=self._reduce_axis).double()
                b_var = torch.var(b, dim=self._reduce_axis, correction=0).double()
                count = math.prod(b.shape[d] for d in self._reduce_axis) if self._reduce_axis else 1
                total += count
                w = float(count) / total
                new_mean = mean * (1.0 - w) + b_mean * w
                var = (var + (mean - new_mean) ** 2) * (1.0 - w) + (b_var + (b_mean - new_mean) ** 2) * w
                mean = new_mean
        with torch.no_grad():
            self.adapt_mean.copy_(mean.reshape(self.adapt_mean.shape).to(self.adapt_mean))
            self.adapt_variance.copy_(var.reshape(self.adapt_variance.shape).to(self.adapt_variance))

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.mean is None:
            raise ValueError(f"You must call `.build(input_shape)` on the layer '{self.name}' before using it.")
        x = inputs.to(self._dtype_policy.torch_compute_dtype)
        mean = self.mean.to(device=x.device, dtype=x.dtype)
        std = torch.clamp(torch.sqrt(self.variance.to(device=x.device, dtype=x.dtype)), min=_config.epsilon())
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_build_config(self) -> dict[str, Any] | None:
        if self._build_input_shape is None:
            return None
        return {"input_shape": list(self._build_input_shape)}

    def get_config(self) -> dict[str, Any]:
        def plain(v: Any) -> Any:
            return None if v is None else np.asarray(v).tolist()

        return {**super().get_config(), "axis": list(self.axis), "invert": self.invert,
                "mean": plain(self.input_mean), "variance": plain(self.input_variance)}


def _chain(first: Any, rest: Any) -> Iterable:
    yield first
    for b in rest:
        yield b[0] if isinstance(b, (tuple, list)) else b
