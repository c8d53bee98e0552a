"""Layer/model (de)serialization to Keras config dicts (Keras 3 writer, Keras 2 + 3 reader)."""

from __future__ import annotations

import copy
from typing import Any

import contextlib
import threading
from collections.abc import Iterator

from keras_torch import registry

_SAFE_MODE = threading.local()


def in_safe_mode() -> bool | None:
    """The ``safe_mode`` of the innermost :func:`safe_mode_scope` (``None`` outside any scope)."""
    return getattr(_SAFE_MODE, "value", None)


@contextlib.contextmanager
def safe_mode_scope(safe_mode: bool | None = True) -> Iterator[None]:
    """Make ``safe_mode`` visible to everything deserialized inside (e.g. ``Lambda.from_config``)."""
    previous = getattr(_SAFE_MODE, "value", None)
    _SAFE_MODE.value = None if safe_mode is None else bool(safe_mode)
    try:
        yield
    finally:
        _SAFE_MODE.value = previous


SafeModeScope = safe_mode_scope


def serialize_layer(layer: Any) -> dict[str, Any]:
    """``{"module", "class_name", "config", "registered_name", "build_config"?}`` for a layer."""
    cls = type(layer)
    custom = getattr(cls, "_keras_registered_name", None)
    class_name = cls.__name__
    from keras_torch.models.functional import Functional
    from keras_torch.models.model import Model

    if isinstance(layer, Model) and layer._graph_obj is not None and not custom:
        class_name = "Functional"
    module = "keras.layers"
    if class_name in ("Sequential", "Functional", "Model"):
        module = "keras" if class_name != "Functional" else "keras.src.models.functional"
    elif custom:
        module = cls.__module__
    entry = {
        "module": module,
        "class_name": class_name,
        "config": layer.get_config(),
        "registered_name": custom if custom else (class_name if class_name == "Functional" else None),
    }
    build = layer.get_build_config() if hasattr(layer, "get_build_config") else None
    if build is not None:
        entry["build_config"] = build
    del Functional
    return entry


def serialize_model(model: Any) -> dict[str, Any]:
    """Top-level model config as ``to_json`` / the ``.keras`` archive store it."""
    entry = serialize_layer(model)
    cfg = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if cfg:
        entry["compile_config"] = _jsonable(cfg)
    return entry


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (str, int, float, bool)) or obj is None:
        return obj
    if hasattr(obj, "get_config"):
        return registry.serialize_keras_object(obj, "losses")
    return getattr(obj, "__name__", str(obj))


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """Build a layer (or model) from a Keras 2 or Keras 3 layer entry."""
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Invalid layer config (expected a dict with 'class_name'): {config!r}")
    class_name = config["class_name"]
    registered = config.get("registered_name")
    cls = None
    if registered and registered != class_name:
        cls = registry.lookup("layers", registered, custom_objects)
    if cls is None:
        cls = registry.lookup("layers", class_name, custom_objects)
    if cls is None:
        valid = registry.names("layers")
        raise ValueError(
            f"Unknown layer: '{class_name}'. Please ensure you are using a `keras_torch.utils.custom_object_scope` "
            "and that this object is included in the scope, or pass it via "
            f"`load_model(..., custom_objects={{'{class_name}': {class_name}}})`."
            f"{registry.did_you_mean(class_name, valid)}"
        )
    inner = copy.deepcopy(config.get("config", {}))
    from keras_torch.models.model import Model

    if isinstance(cls, type) and issubclass(cls, Model):
        layer = cls.from_config(inner, custom_objects=custom_objects)
    else:
        with registry.custom_object_scope(custom_objects or {}):
            layer = cls.from_config(inner)
    build = config.get("build_config")
    if build and hasattr(layer, "build_from_config") and not layer.built:
        layer.build_from_config(build)
    return layer


def model_from_config(config: dict[str, Any], custom_objects: dict | None = None) -> Any:
    """Instantiate a model from a config dict (``keras.models.model_from_config``)."""
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """Instantiate a model from a JSON string produced by ``model.to_json()``."""
    import json

    return deserialize_layer(json.loads(json_string), custom_objects)
