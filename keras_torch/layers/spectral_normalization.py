"""``SpectralNormalization`` (Keras 3.15): a wrapper dividing the wrapped layer's kernel by its spectral norm.

As in Keras, the wrapper tracks the wrapped layer's kernel (or ``embeddings``) as its own weight,
so the weights are ``[kernel, vector_u, <the wrapped layer's other weights>]`` and the kernel is
one tensor shared by both layers (listed once by ``get_weights``). In training, each call first
runs ``power_iterations`` steps of power iteration from ``vector_u`` and *assigns* the normalized
kernel and the new ``vector_u`` (no gradient flows through the normalization, as in Keras).
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import initializers
from keras_torch.core import registry
from keras_torch.core.variables import WeightRecord
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec
from keras_torch.layers.wrapper import Wrapper

__all__ = ["SpectralNormalization"]

_EPSILON = 1e-7  # keras.config.epsilon(), the floor of ops.normalize's norm


def _l2_normalize(x: torch.Tensor) -> torch.Tensor:
    """Keras ``ops.normalize(x, axis=None)``: ``x * min(rsqrt(sum(x**2)), 1 / epsilon)``."""
    return x * torch.clamp(torch.rsqrt(torch.sum(torch.square(x))), max=1.0 / _EPSILON)


@register_layer()
class SpectralNormalization(Wrapper):
    """Spectral normalization of a layer's weights (Miyato et al., 2018), for GAN discriminators.

    Args:
        layer: The layer to wrap; it must have a ``kernel`` (``Dense``, ``Conv2D``...) or an
            ``embeddings`` weight (``Embedding``).
        power_iterations: Number of power-iteration steps per training call (> 0, default 1).

    Input shape:
        The wrapped layer's input shape.

    Output shape:
        The wrapped layer's output shape; the output is cast to the input dtype (as Keras does).

    Example:

    >>> layer = keras.layers.SpectralNormalization(keras.layers.Dense(4))
    >>> layer(np.ones((2, 3))).shape
    torch.Size([2, 4])
    """

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(layer, **kwargs)
        if isinstance(power_iterations, bool) or not isinstance(power_iterations, int) or power_iterations <= 0:
            raise ValueError("`power_iterations` should be greater than zero. Received: "
                             f"`power_iterations={power_iterations}` (layer '{self.name}')")
        self.power_iterations = power_iterations
        self._kernel_record: WeightRecord | None = None  # the wrapped layer's record of the shared kernel

    def build(self, input_shape: Any) -> None:
        if not self.layer.built:
            self.layer.build(tuple(input_shape))
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        records = {r.name: r for r in self.layer._keras_records}
        rec = records.get("kernel") or records.get("embeddings")
        if rec is None:
            raise ValueError(f"{type(self.layer).__name__} object has no attribute 'kernel' nor 'embeddings' "
                             f"(wrapped by '{self.name}')")
        kernel = getattr(self.layer, rec.attr)
        self._kernel_record = rec
        self.register_parameter(rec.attr, kernel)  # the same tensor: a Keras weight of both layers
        self._keras_records.append(WeightRecord(name=rec.name, attr=rec.attr, trainable=rec.trainable,
                                                to_torch=rec.to_torch, to_keras=rec.to_keras))
        self.kernel_shape = tuple(self._keras_kernel().shape)
        self.vector_u = self.add_weight(
            name="vector_u", shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02), trainable=False, dtype=kernel.dtype,
        )

    def _keras_kernel(self) -> torch.Tensor:
        rec = self._kernel_record
        kernel = getattr(self.layer, rec.attr)
        return rec.to_keras(kernel) if rec.to_keras is not None else kernel

    @property
    def kernel(self) -> torch.Tensor:
        """The shared kernel in Keras layout."""
        return self._keras_kernel()

    def normalized_weights(self) -> tuple[torch.Tensor, torch.Tensor]:
        """``(new vector_u, kernel / sigma)`` in Keras layout, ``sigma`` estimated by power iteration."""
        kernel = self._keras_kernel().detach()
        weights = kernel.reshape(-1, self.kernel_shape[-1])
        vector_u = self.vector_u.detach()
        for _ in range(self.power_iterations):
            vector_v = _l2_normalize(vector_u @ weights.t())
            vector_u = _l2_normalize(vector_v @ weights)
        sigma = (vector_v @ weights) @ vector_u.t()
        return vector_u, (kernel / sigma).reshape(self.kernel_shape)

    def call(self, inputs: torch.Tensor, training: bool = False) -> torch.Tensor:
        if training:
            with torch.no_grad():
                if not bool(torch.all(self._keras_kernel() == 0)):
                    vector_u, kernel = self.normalized_weights()
                    self.vector_u.copy_(vector_u.to(self.vector_u.dtype))
                    rec = self._kernel_record
                    target = getattr(self.layer, rec.attr)
                    target.copy_(rec.to_torch(kernel) if rec.to_torch is not None else kernel)
        output = self.layer(inputs)
        return output.to(inputs.dtype)

    def compute_output_shape(self, input_shape: Any) -> Any:
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": registry.serialize_keras_object(self.layer, "layers"),
                "power_iterations": self.power_iterations}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> SpectralNormalization:
        config = dict(config)
        layer = registry.deserialize_keras_object(config.pop("layer"), "layers", custom_objects)
        return super().from_config({**config, "layer": layer})
