"""``Wrapper``: the abstract base of layers that wrap another layer (Keras 2 and 3)."""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer


@register_layer()
class Wrapper(Layer):
    """Base class of layers that take another layer and augment it (subclasses implement ``call``).

    ``build`` builds the wrapped layer on the same input shape; the config holds the wrapped
    layer's serialized config under ``"layer"``.

    Args:
        layer: The wrapped layer.
        **kwargs: ``Layer`` arguments (``name``, ``dtype``, ``trainable``...).

    Input shape:
        What the subclass's ``call`` accepts (usually the wrapped layer's input shape).

    Output shape:
        What the subclass's ``call`` returns.

    Example:

    >>> class Doubled(keras.layers.Wrapper):
    ...     def call(self, inputs):
    ...         return 2.0 * self.layer(inputs)
    >>> tuple(Doubled(keras.layers.Dense(3))(np.ones((2, 4), "float32")).shape)
    (2, 3)
    """

    def __init__(self, layer: Layer, **kwargs: Any) -> None:
        if not isinstance(layer, Layer):
            raise ValueError(f"Layer {layer} supplied to Wrapper isn't a supported layer type. Please ensure wrapped "
                             "layer is a valid Keras layer.")
        super().__init__(**kwargs)
        self.layer = layer

    def build(self, input_shape: Any = None) -> None:
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "layer": registry.serialize_keras_object(self.layer, "layers")}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Wrapper:
        config = dict(config)
        layer = registry.deserialize_keras_object(config.pop("layer"), "layers", custom_objects)
        return cls(layer, **config)
