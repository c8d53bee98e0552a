"""``RMSNormalization`` (Keras 3.15): ``x * rsqrt(mean(x**2, axis) + epsilon) * scale``."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.layers._args import check_axis, check_float, register_layer
from keras_torch.layers.base import Layer

__all__ = ["RMSNormalization"]

_HALF = (torch.float16, torch.bfloat16)


@register_layer()
class RMSNormalization(Layer):
    """Root mean square layer normalization (Zhang & Sennrich, 2019).

    Computes in at least float32 (half-precision inputs are upcast, the result cast back), like
    Keras's ``ops.rms_normalization``.

    Args:
        axis: Axis or list of axes to normalize over (default ``-1``). After ``build`` it is the
            sorted list of axes, as in Keras.
        epsilon: Added to the mean square (default ``1e-6``).

    Input shape:
        Any; the normalized axes must be known.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.RMSNormalization()
    >>> layer(np.array([[1.0, 1.0, 1.0]])).shape
    torch.Size([1, 3])
    """

    def __init__(self, axis: int | list[int] = -1, epsilon: float = 1e-6, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.axis = check_axis(self.name, "axis", axis)
        self.epsilon = check_float(self.name, "epsilon", epsilon, min_value=0.0)  # a float: 2**64 overflows torch
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        if isinstance(self.axis, (list, tuple)):
            self.axis = sorted(self.axis)
        else:
            self.axis = [self.axis]
        self._check_axes(shape)
        self.scale = self.add_weight(name="scale", shape=tuple(shape[a] for a in self.axis), initializer="ones")

    def _check_axes(self, shape: tuple) -> None:
        axes = self.axis if isinstance(self.axis, (list, tuple)) else [self.axis]
        for a in axes:
            if a >= len(shape) or a < -len(shape):
                raise ValueError(f"Axis {a} is out of bounds for input shape {shape} (layer '{self.name}'). "
                                 f"Received: axis={self.axis}")

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        x = inputs.float() if inputs.dtype in _HALF else inputs
        dims = [a % x.ndim for a in self.axis]
        rrms = torch.rsqrt(torch.mean(torch.square(x), dim=dims, keepdim=True) + self.epsilon)
        # The scale spans the normalized axes: place them where they sit in the input.
        view = [x.shape[d] if d in dims else 1 for d in range(dims[0], x.ndim)]
        out = x * rrms * self.scale.to(x.dtype).reshape(view)
        return out.to(inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        self._check_axes(tuple(input_shape))
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis, "epsilon": self.epsilon}
