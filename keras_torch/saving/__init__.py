"""Saving and loading Keras files (``keras.saving``)."""

from typing import Any

from keras_torch.core.registry import (
    CustomObjectScope,
    custom_object_scope,
    get_custom_objects,
    get_registered_name,
    register_keras_serializable,
)
from keras_torch.saving.api import load_model, load_weights, save_model, save_weights
from keras_torch.saving.serialization import model_from_config, model_from_json

__all__ = [
    "CustomObjectScope",
    "KerasFileEditor",
    "custom_object_scope",
    "deserialize_keras_object",
    "get_custom_objects",
    "get_registered_name",
    "get_registered_object",
    "load_model",
    "load_weights",
    "model_from_config",
    "model_from_json",
    "register_keras_serializable",
    "save_model",
    "save_weights",
    "serialize_keras_object",
]

# Loaded on first use: they pull in every registry category (losses, metrics, optimizers...), which
# `import keras_torch` does not need.
_LAZY = {"KerasFileEditor": "keras_torch.saving.file_editor",
         "deserialize_keras_object": "keras_torch.saving.keras_objects",
         "get_registered_object": "keras_torch.saving.keras_objects",
         "serialize_keras_object": "keras_torch.saving.keras_objects"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'keras_torch.saving' has no attribute '{name}'")
