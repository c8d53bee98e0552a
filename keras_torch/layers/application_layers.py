"""The private layers of the Keras applications, registered so that their files load without custom objects.

Keras defines these inside ``keras.applications`` modules (ConvNeXt's ``LayerScale`` and
``StochasticDepth``, Inception-ResNet-v2's ``CustomScaleLayer``); their configs appear in every
file of those models written by Keras 3 or tf-keras. ``keras_module`` is the module Keras 3 records
for them, written back into ``.keras`` configs so Keras 3 finds the class.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch import initializers
from keras_torch.layers._args import check_float, check_rate, check_size, register_layer
from keras_torch.layers.base import Layer

__all__ = ["CustomScaleLayer", "LayerScale", "StochasticDepth"]


@register_layer("CustomScaleLayer", "Custom>CustomScaleLayer")
class CustomScaleLayer(Layer):
    """``inputs[0] + inputs[1] * scale``: the scaled residual of Inception-ResNet-v2.

    Args:
        scale: Factor applied to the residual branch.

    Input shape:
        A list of two tensors of the same shape.

    Output shape:
        That shape.
    """

    keras_module = "keras.src.applications.inception_resnet_v2"

    def __init__(self, scale: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = check_float(self.name, "scale", scale)

    def call(self, inputs: list[torch.Tensor]) -> torch.Tensor:
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape[0])

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale}


@register_layer()
class LayerScale(Layer):
    """Per-channel learned scale of ConvNeXt blocks (Touvron et al., 2021): ``x * gamma``.

    Args:
        init_values: Initial value of every scale.
        projection_dim: Number of channels (last axis).

    Input shape:
        Any, with ``projection_dim`` channels last.

    Output shape:
        Same as the input.
    """

    keras_module = "keras.src.applications.convnext"

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init_values = check_float(self.name, "init_values", init_values)
        self.projection_dim = check_size(self.name, "projection_dim", projection_dim)

    def build(self, input_shape: Any) -> None:
        self.gamma = self.add_weight(name="gamma", shape=(self.projection_dim,),
                                     initializer=initializers.Constant(self.init_values), trainable=True)

    def call(self, x: torch.Tensor) -> torch.Tensor:
        return x * self.gamma

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "init_values": self.init_values, "projection_dim": self.projection_dim}


@register_layer()
class StochasticDepth(Layer):
    """Drops whole residual branches per sample while training (Huang et al., 2016); identity at inference.

    Args:
        drop_path_rate: Probability of dropping the branch of a sample.

    Input shape:
        Any; the first axis is the batch.

    Output shape:
        Same as the input.
    """

    keras_module = "keras.src.applications.convnext"

    def __init__(self, drop_path_rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drop_path_rate = check_rate(self.name, drop_path_rate, "drop_path_rate")

    def call(self, x: torch.Tensor, training: bool | None = None) -> torch.Tensor:
        if not training:
            return x
        keep_prob = 1.0 - self.drop_path_rate
        shape = (x.shape[0],) + (1,) * (x.ndim - 1)
        mask = torch.floor(keep_prob + torch.rand(shape, dtype=x.dtype, device=x.device))
        return x / keep_prob * mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}
