"""Saving and loading Keras files (``keras.saving``)."""

from keras_torch.core.registry import (
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    register_keras_serializable,
)
from keras_torch.saving.api import load_model, load_weights, save_model, save_weights
from keras_torch.saving.serialization import model_from_config, model_from_json

__all__ = [
    "custom_object_scope",
    "get_custom_objects",
    "get_registered_name",
    "load_model",
    "load_weights",
    "model_from_config",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
]
