"""tf-keras 2's ``layers.experimental.RandomFourierFeatures``: random features approximating a shift-invariant kernel."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch import initializers
from keras_torch.layers._args import check_positive_int, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["RandomFourierFeatures"]

_KERNELS = ("gaussian", "laplacian")


@register_layer()
class RandomFourierFeatures(Layer):
    """``cos(x @ (unscaled_kernel / kernel_scale) + bias)``: features whose dot products approximate an RBF kernel.

    The kernel is drawn from a standard normal (``"gaussian"``) or Cauchy (``"laplacian"``)
    distribution and the bias uniformly from ``[0, 2 pi)``; both stay fixed. ``kernel_scale`` (one
    non-negative value, default ``sqrt(input_dim / 2)`` for the Gaussian kernel, else 1) is
    trainable when the layer is.

    Args:
        output_dim: Number of random features.
        kernel_initializer: ``"gaussian"``, ``"laplacian"`` or an initializer.
        scale: Initial kernel scale (positive).
        trainable: Whether ``kernel_scale`` is trained.
        name: Layer name.
        **kwargs: ``Layer`` arguments.

    Input shape:
        ``(batch, input_dim)``.

    Output shape:
        ``(batch, output_dim)``.

    Example:

    >>> layer = keras.layers.experimental.RandomFourierFeatures(output_dim=64)
    >>> tuple(layer(np.ones((2, 8), "float32")).shape)
    (2, 64)
    """

    def __init__(self, output_dim: int, kernel_initializer: Any = "gaussian", scale: float | None = None,
                 trainable: bool = False, name: str | None = None, **kwargs: Any) -> None:
        if isinstance(output_dim, bool) or not isinstance(output_dim, (int, np.integer)) or output_dim <= 0:
            raise ValueError(f"`output_dim` should be a positive integer. Received: {output_dim!r}")
        if isinstance(kernel_initializer, str) and kernel_initializer.lower() not in _KERNELS:
            raise ValueError(f"Unsupported `kernel_initializer`: {kernel_initializer} Expected one of: {_KERNELS}")
        if scale is not None and (isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating))
                                  or not scale > 0.0):  # `not >` refuses NaN too
            raise ValueError(f"When provided, `scale` should be a positive float. Received: {scale!r}")
        super().__init__(trainable=trainable, name=name, **kwargs)
        self.output_dim = check_positive_int(self.name, "output_dim", output_dim)
        self.kernel_initializer = kernel_initializer
        self.scale = scale

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        if len(shape) != 2:
            raise ValueError(f"The rank of the input tensor should be 2. Received input with rank {len(shape)} "
                             f"instead. Full input shape received: {shape}")
        if shape[1] is None:
            raise ValueError("The last dimension of the input tensor should be defined. Found `None`. Full input "
                             f"shape received: {shape}")
        input_dim = int(shape[1])
        self.input_spec = InputSpec(ndim=2, axes={1: input_dim})
        self.unscaled_kernel = self.add_weight(name="unscaled_kernel", shape=(input_dim, self.output_dim),
                                               initializer=self._kernel_initializer((input_dim, self.output_dim)),
                                               trainable=False)
        self.bias = self.add_weight(name="bias", shape=(self.output_dim,), trainable=False,
                                    initializer=initializers.RandomUniform(minval=0.0, maxval=2 * np.pi))
        if self.scale is None:
            gaussian = isinstance(self.kernel_initializer, str) and self.kernel_initializer.lower() == "gaussian"
            self.scale = math.sqrt(input_dim / 2.0) if gaussian else 1.0
        self.kernel_scale = self.add_weight(name="kernel_scale", shape=(1,), trainable=True, constraint="NonNeg",
                                            initializer=initializers.Constant(self.scale))

    def _kernel_initializer(self, shape: tuple[int, int]) -> Any:
        kind = self.kernel_initializer
        if not isinstance(kind, str):
            return kind
        if kind.lower() == "gaussian":
            return initializers.RandomNormal(stddev=1.0)
        probs = np.random.uniform(low=0.0, high=1.0, size=shape)  # Cauchy samples, as tf-keras draws them
        return initializers.Constant(np.tan(np.pi * (probs - 0.5)))

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        kernel = (1.0 / self.kernel_scale) * self.unscaled_kernel
        return torch.cos(torch.matmul(inputs.to(kernel.dtype), kernel) + self.bias)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape)[:-1], self.output_dim)

    def get_config(self) -> dict[str, Any]:
        kind = self.kernel_initializer
        return {**super().get_config(), "output_dim": self.output_dim,
                "kernel_initializer": kind if isinstance(kind, str) else initializers.serialize(kind),
                "scale": self.scale}
