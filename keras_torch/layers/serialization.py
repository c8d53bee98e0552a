"""``keras.layers.serialize`` / ``keras.layers.deserialize``."""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.layers.base import Layer

__all__ = ["serialize", "deserialize"]


def serialize(layer: Layer) -> dict[str, Any]:
    """A layer as Keras 3's ``{"module", "class_name", "config", "registered_name"}`` dict.

    Args:
        layer: The layer (or model) to serialize.

    Returns:
        The serialized config, JSON-friendly.
    """
    return registry.serialize_keras_object(layer, "layers")


def deserialize(config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> Layer:
    """The layer described by ``config`` (Keras 3 or Keras 2 dict, as :func:`serialize` writes).

    Args:
        config: ``{"class_name": ..., "config": ...}`` (``module`` / ``registered_name`` optional).
        custom_objects: Extra classes by name.

    Returns:
        A new layer instance.

    Raises:
        ValueError: If ``config`` does not describe a layer.
    """
    obj = registry.deserialize_keras_object(config, "layers", custom_objects, what="layer")
    if not isinstance(obj, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is not a "
                         f"`keras.layers.Layer`. Received: {config}")
    return obj
