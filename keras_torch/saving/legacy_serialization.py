"""Keras 2's object (de)serialization (``keras.legacy.saving`` / ``keras.utils.legacy``).

Keras 2 configs are ``{"class_name", "config"}`` without a module; functions are their name.
"""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.saving import keras_objects


def serialize_keras_object(instance: Any) -> Any:
    """``{"class_name": ..., "config": ...}`` for an object with ``get_config``, the name for a function.

    Args:
        instance: The object (``None`` gives ``None``).

    Returns:
        The Keras 2 config.

    Raises:
        ValueError: ``instance`` has neither ``get_config`` nor a name.
    """
    if instance is None:
        return None
    if hasattr(instance, "get_config"):
        name = getattr(type(instance), "_keras_registered_name", None) or type(instance).__name__
        return {"class_name": name, "config": instance.get_config()}
    if hasattr(instance, "__name__"):
        return keras_objects.serialize_keras_object(instance)["config"] if callable(instance) else instance.__name__
    raise ValueError(f"Cannot serialize {instance}: it has no `get_config()` and no name.")


def deserialize_keras_object(identifier: Any, module_objects: dict | None = None, custom_objects: dict | None = None,
                             printable_module_name: str = "object") -> Any:
    """Rebuild an object from a Keras 2 config, or look up a function/class by name.

    Names resolve in the custom objects (argument, scopes, registrations) and ``module_objects``
    only, as in Keras 2.

    Args:
        identifier: ``{"class_name", "config"}``, a name, or ``None``.
        module_objects: ``{name: object}`` to look names up in.
        custom_objects: ``{name: object}`` for user objects.
        printable_module_name: What to call the object in the error message.

    Returns:
        The object (a config is instantiated with ``from_config``; a name is returned as found).

    Raises:
        ValueError: The name is unknown.
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        name, config = identifier["class_name"], identifier.get("config", {})
    elif isinstance(identifier, str):
        name, config = identifier, None
    else:
        raise ValueError(f"Could not interpret serialized {printable_module_name}: {identifier}")
    found = keras_objects.get_registered_object(name, custom_objects, module_objects)
    if found is None:
        known = list(module_objects or {}) + list(custom_objects or {})
        raise ValueError(f"Unknown {printable_module_name}: '{name}'.{registry.did_you_mean(name, known)} Please "
                         "ensure you are using a `keras.utils.custom_object_scope` and that this object is included "
                         "in the scope.")
    if config is None or not isinstance(found, type):
        return found
    return found.from_config(config)
