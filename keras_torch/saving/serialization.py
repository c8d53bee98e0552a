"""Layer/model (de)serialization to Keras config dicts (Keras 3 writer, Keras 2 + 3 reader)."""

from __future__ import annotations

import contextlib
import copy
import threading
from collections.abc import Iterator
from typing import Any

from keras_torch.core import registry

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


def _effective_safe_mode() -> bool:
    mode = in_safe_mode()
    if mode is not None:
        return mode
    from keras_torch.core import config as _config

    return not _config.unsafe_deserialization_enabled()


# Modules whose functions a Lambda config may name in safe mode (besides registered objects and
# custom_objects): keras_torch's own math. Keras 3 likewise only resolves functions from keras.*.
_SAFE_FUNCTION_MODULES = ("keras_torch.ops", "keras_torch.activations", "keras_torch.backend",
                          "keras_torch.losses", "keras_torch.metrics")
_FUNCTION_CATEGORIES = ("activations", "losses", "metrics", "layers")


def _safe_function(name: Any, module: Any, custom_objects: dict | None) -> bool:
    import sys

    if not isinstance(name, str):
        return True  # not a by-name reference; the layer reports what it cannot use
    for category in _FUNCTION_CATEGORIES:
        if registry.lookup(category, name, custom_objects) is not None:
            return True
    if not isinstance(module, str):
        return False
    if module == "keras" or module.startswith("keras."):
        module = "keras_torch" + module[len("keras"):]
    mod = sys.modules.get(module)
    modname = getattr(mod, "__name__", "")
    if not any(modname == m or modname.startswith(m + ".") for m in _SAFE_FUNCTION_MODULES):
        return False
    fn = getattr(mod, name, None)
    return callable(fn) and str(getattr(fn, "__module__", "")).startswith("keras_torch")


def _function_refs(cfg: dict) -> Iterator[tuple[str, Any, Any]]:
    """``(what, name, module)`` for every by-name function reference of a Lambda config."""
    for what, type_key, module_key in (("function", "function_type", "module"),
                                       ("output_shape", "output_shape_type", "output_shape_module"),
                                       ("mask", "mask_type", "mask_module")):
        spec = cfg.get(what)
        kind = cfg.get(type_key)
        if isinstance(spec, dict) and spec.get("class_name") == "function":
            yield what, spec.get("registered_name") or spec.get("config"), spec.get("module")
        elif isinstance(spec, str) and kind in (None, "function"):
            yield what, spec, cfg.get(module_key)


def check_config_safety(config: Any, custom_objects: dict | None = None) -> None:
    """Refuse, in safe mode, configs whose Lambda layers name functions outside keras_torch/custom objects.

    A Lambda config can name its function by ``module`` + name; resolving an arbitrary module
    attribute (``os.system``, ``builtins.exec``...) would let a file call any function already
    imported in the process with attacker-controlled arguments. Keras 3 resolves only
    ``keras.*`` symbols; keras_torch resolves registered objects, ``custom_objects`` and
    keras_torch's math modules (:data:`_SAFE_FUNCTION_MODULES`).
    """
    from keras_torch.layers.lambda_layer import Lambda

    stack = [config]
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(obj)
            continue
        if not isinstance(obj, dict):
            continue
        stack.extend(v for v in obj.values() if isinstance(v, (dict, list)))
        name = obj.get("class_name")
        inner = obj.get("config")
        if not isinstance(name, str) or not isinstance(inner, dict):
            continue
        cls = registry.lookup("layers", obj.get("registered_name") or name, custom_objects) \
            or registry.lookup("layers", name, custom_objects)
        if not (isinstance(cls, type) and issubclass(cls, Lambda)):
            continue
        for what, fname, module in _function_refs(inner):
            if not _safe_function(fname, module, custom_objects):
                where = f"{module}.{fname}" if module else str(fname)
                raise ValueError(
                    f"Refusing to deserialize the `{what}` of Lambda layer '{inner.get('name', '?')}': it names the "
                    f"function '{where}', which is neither registered with keras_torch nor passed in "
                    "`custom_objects`. Resolving arbitrary functions from a file is unsafe. If you trust the "
                    f"file, pass `custom_objects={{'{fname}': <the function>}}`, or load it with "
                    "`safe_mode=False`."
                )


_CHECKING = threading.local()


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """Build a layer (or model) from a Keras 2 or Keras 3 layer entry.

    In safe mode (the default), the whole config is first checked by :func:`check_config_safety`.
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Invalid layer config (expected a dict with 'class_name'): {_short(config)}")
    if not getattr(_CHECKING, "active", False) and _effective_safe_mode():
        check_config_safety(config, custom_objects)
        _CHECKING.active = True
        try:
            return _deserialize_layer(config, custom_objects)
        finally:
            _CHECKING.active = False
    return _deserialize_layer(config, custom_objects)


def _short(obj: Any, limit: int = 300) -> str:
    text = repr(obj)
    return text if len(text) <= limit else text[:limit] + "..."


def _deserialize_layer(config: dict, custom_objects: dict | None) -> Any:
    class_name = config["class_name"]
    registered = config.get("registered_name")
    if not isinstance(class_name, str) or not isinstance(registered, (str, type(None))):
        raise ValueError(f"Invalid layer config: 'class_name' and 'registered_name' must be strings. "
                         f"Received: {_short(config)}")
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
    from keras_torch.saving.guards import parse_json

    return deserialize_layer(parse_json(json_string, "model JSON"), custom_objects)
