"""``keras.saving.serialize_keras_object`` / ``deserialize_keras_object`` for any Keras object, and the
Keras 2 (``keras.legacy.saving``) flavour of them.

Keras 3 configs are ``{"module", "class_name", "config", "registered_name"}``; the module names the
registry category the class is looked up in (``keras.layers`` -> layers...). Configs without a
module (Keras 2 files) are looked up in every category.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch import layers as _layers
from keras_torch import losses as _losses  # noqa: F401 - registers losses
from keras_torch import metrics as _metrics  # noqa: F401 - registers metrics
from keras_torch import optimizers as _optimizers  # noqa: F401 - registers optimizers and schedules
from keras_torch.core import registry
from keras_torch.core.dtype_policy import DTypePolicy, resolve_policy
from keras_torch.saving import serialization

# Registry categories in lookup order, and the Keras 3 module written for each.
_CATEGORIES = ("layers", "losses", "metrics", "optimizers", "schedules", "initializers", "regularizers",
               "constraints", "activations")
_FUNCTION_CATEGORIES = ("activations", "losses", "metrics")
_MODULE_CATEGORY = {"keras.layers": "layers", "keras": "layers", "keras.models": "layers",
                    "keras.src.models.functional": "layers", "keras.losses": "losses", "keras.metrics": "metrics",
                    "keras.optimizers": "optimizers", "keras.optimizers.schedules": "schedules",
                    "keras.initializers": "initializers", "keras.regularizers": "regularizers",
                    "keras.constraints": "constraints", "keras.activations": "activations"}
_POLICY_CLASSES = ("DTypePolicy", "FloatDTypePolicy", "Policy")


def _category_of(obj: Any) -> str | None:
    for category in _CATEGORIES:
        if any(type(obj) is cls for cls in registry.registered(category).values()):
            return category
    return None


def _function_name(fn: Any) -> str:
    for category in _FUNCTION_CATEGORIES:
        for name, registered in registry.registered(category).items():
            if registered is fn:
                return name
    return registry.get_registered_name(fn)


def serialize_keras_object(obj: Any) -> Any:
    """The Keras 3 JSON-able config of ``obj`` (layer, loss, metric, optimizer, initializer, function...).

    Args:
        obj: The object; containers are serialized item by item, numpy arrays and tensors as
            ``{"class_name": "__numpy__" | "__tensor__", "config": {"value", "dtype"}}``.

    Returns:
        A config ``keras.saving.deserialize_keras_object`` turns back into an equal object.

    Raises:
        TypeError: ``obj`` has no ``get_config`` and is not a known function.

    Example:

    >>> config = keras.saving.serialize_keras_object(keras.optimizers.Adam(learning_rate=0.01))
    >>> config["class_name"], config["config"]["learning_rate"]
    ('Adam', 0.009999999776482582)
    """
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, np.ndarray):
        return {"class_name": "__numpy__", "config": {"value": obj.tolist(), "dtype": obj.dtype.name}}
    if isinstance(obj, torch.Tensor):
        array = obj.detach().cpu().numpy()
        return {"class_name": "__tensor__", "config": {"value": array.tolist(), "dtype": array.dtype.name}}
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, (list, tuple)):
        return type(obj)(serialize_keras_object(v) for v in obj)
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, DTypePolicy):
        return obj.serialize()
    if isinstance(obj, _layers.Layer):
        return serialization.serialize_layer(obj)
    category = _category_of(obj)
    if category is not None:
        return registry.serialize_keras_object(obj, category)
    if hasattr(obj, "get_config"):
        custom = getattr(type(obj), "_keras_registered_name", None)
        return {"module": type(obj).__module__, "class_name": type(obj).__name__, "config": obj.get_config(),
                "registered_name": custom}
    if callable(obj):
        custom = getattr(obj, "_keras_registered_name", None)
        return {"module": obj.__module__ if custom else "builtins", "class_name": "function",
                "config": _function_name(obj), "registered_name": custom or "function"}
    raise TypeError(f"Cannot serialize {obj!r}: it has no `get_config()` method.")


def _function(name: str, custom_objects: dict | None) -> Any:
    found = registry.custom_object(name, custom_objects)
    if found is not None:
        return found
    for category in _FUNCTION_CATEGORIES:
        fn = registry.lookup(category, name)
        if fn is not None and not isinstance(fn, type):
            return fn
    known = [n for c in _FUNCTION_CATEGORIES for n in registry.names(c)]
    raise TypeError(f"Could not locate function '{name}'.{registry.did_you_mean(name, known)} Register custom "
                    "functions with `@keras.saving.register_keras_serializable()`.")


def _class(config: dict, custom_objects: dict | None) -> Any:
    name = config.get("registered_name") or config["class_name"]
    found = registry.custom_object(name, custom_objects) or registry.custom_object(config["class_name"],
                                                                                   custom_objects)
    if found is not None:
        return found
    first = _MODULE_CATEGORY.get(config.get("module", ""))
    for category in ((first,) if first else ()) + _CATEGORIES:
        cls = registry.lookup(category, config["class_name"])
        if cls is not None:
            return cls
    raise TypeError(f"Could not locate class '{config['class_name']}'. Make sure custom classes and functions are "
                    "decorated with `@keras.saving.register_keras_serializable()`. If they are already decorated, "
                    "make sure they are all imported so that the decorator is run before trying to load them. "
                    f"Full object config: {config}")


def deserialize_keras_object(config: Any, custom_objects: dict | None = None, safe_mode: bool = True,
                             **kwargs: Any) -> Any:
    """Rebuild the object described by ``config`` (output of :func:`serialize_keras_object`, or a Keras 2 dict).

    Args:
        config: A config dict, a list of them, or a plain value (returned as is).
        custom_objects: ``{name: class_or_function}`` for user objects.
        safe_mode: Refuse to rebuild ``Lambda`` bytecode (see ``keras.config.enable_unsafe_deserialization``).
        **kwargs: Accepted for Keras compatibility (``module_objects``...).

    Returns:
        The object.

    Raises:
        TypeError: A class or function name cannot be found.

    Example:

    >>> config = keras.saving.serialize_keras_object(keras.layers.Dense(3))
    >>> keras.saving.deserialize_keras_object(config).units
    3
    """
    if config is None or isinstance(config, (bool, int, float, str)):
        return config
    if isinstance(config, (list, tuple)):
        return [deserialize_keras_object(v, custom_objects, safe_mode) for v in config]
    if not isinstance(config, dict):
        return config
    if "class_name" not in config or "config" not in config:
        return {k: deserialize_keras_object(v, custom_objects, safe_mode) for k, v in config.items()}
    class_name, inner = config["class_name"], config["config"]
    if class_name == "__numpy__":
        return np.array(inner["value"], dtype=inner["dtype"])
    if class_name == "__tensor__":
        return torch.as_tensor(np.array(inner["value"], dtype=inner["dtype"]))
    if class_name == "__bytes__":
        return inner["value"].encode("utf-8")
    if class_name == "function":
        return _function(config.get("registered_name") if config.get("registered_name") not in (None, "function")
                         else inner, custom_objects)
    if class_name in _POLICY_CLASSES:
        return resolve_policy(config)
    cls = _class(config, custom_objects)
    if isinstance(cls, type) and issubclass(cls, _layers.Layer):
        with serialization.safe_mode_scope(safe_mode):
            return serialization.deserialize_layer(config, custom_objects)
    if not isinstance(cls, type):
        return cls
    return cls.from_config(dict(inner or {}))


def get_registered_object(name: str, custom_objects: dict | None = None,
                          module_objects: dict | None = None) -> Any | None:
    """Looks up an object registered under ``name``.

    Searches the active custom object scopes and the global registrations, then ``custom_objects``, then
    ``module_objects``.

    Args:
        name: The registered name (e.g. ``"MyPackage>MyLayer"``).
        custom_objects: Optional extra dict to search.
        module_objects: Optional dict searched last (e.g. a module's ``globals()``).

    Returns:
        The class or function, or ``None`` if there is none.

    Example:

    >>> keras.saving.get_registered_object("Nope>Missing") is None
    True
    """
    found = registry.custom_object(name, custom_objects)
    if found is not None:
        return found
    return (module_objects or {}).get(name)
