"""Layer/model (de)serialization to Keras config entries (Keras 3 writer, Keras 1/2/3 reader)."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np

from keras_torch.core import registry
from keras_torch.core.config import in_safe_mode, safe_mode_scope
from keras_torch.core.naming import keras_class
from keras_torch.core.operations import operation_class
from keras_torch.layers.base import Layer
from keras_torch.saving.dialects.keras2 import upgrade_model_config
from keras_torch.saving.dialects.keras3 import normalize_entries
from keras_torch.saving.guards import budget, json_config
from keras_torch.saving.model_kinds import is_functional, is_model_class
from keras_torch.saving.safe_mode import check_config_safety, effective_safe_mode

SafeModeScope = safe_mode_scope

__all__ = ["SafeModeScope", "deserialize_layer", "in_safe_mode", "json_default", "model_from_config", "model_from_json",
           "rebuild_model", "safe_mode_scope", "serialize_layer", "serialize_model"]


def serialize_layer(layer: Any) -> dict[str, Any]:
    """Serializes a layer to its Keras 3 config dict.

    Args:
        layer: A layer (or model) instance.

    Returns:
        A JSON-friendly dict with ``"module"``, ``"class_name"``, ``"config"`` (the layer's
        :meth:`~keras_torch.layers.Layer.get_config`), ``"registered_name"`` and, for a built layer,
        ``"build_config"``; :func:`keras_torch.layers.deserialize` turns it back into a layer.

    Example:

    >>> config = keras.layers.serialize(keras.layers.Dense(3, name="d"))
    >>> config["class_name"], config["config"]["units"]
    ('Dense', 3)
    """
    cls = keras_class(layer)
    custom = getattr(cls, "_keras_registered_name", None)
    class_name = cls.__name__
    if is_functional(layer) and not custom:
        class_name = "Functional"
    module = "keras.layers"
    keras_module = getattr(cls, "keras_module", None)  # Keras 3 operations and the applications' own layers
    if class_name in ("Sequential", "Functional", "Model"):
        module = "keras" if class_name != "Functional" else "keras.src.models.functional"
    elif custom:
        module = cls.__module__
    elif keras_module:
        module, custom = keras_module, class_name
    entry = {
        "module": module,
        "class_name": class_name,
        "config": layer.get_config(),
        "registered_name": custom if custom else (class_name if class_name == "Functional" else None),
    }
    build = layer.get_build_config() if hasattr(layer, "get_build_config") else None
    if build is not None:
        entry["build_config"] = build
    if hasattr(layer, "get_compile_config"):  # models: {} until compiled, as Keras writes it
        entry["compile_config"] = layer.get_compile_config()
    return entry


def serialize_model(model: Any) -> dict[str, Any]:
    """Top-level model config as ``to_json`` / the ``.keras`` archive store it."""
    return serialize_layer(model)


def json_default(obj: Any) -> Any:
    """``json.dumps(default=...)`` for configs: numpy scalars/arrays, tuples, bytes, functions by name."""
    if isinstance(obj, (np.integer,)):
        return int(obj)
    if isinstance(obj, (np.floating,)):
        return float(obj)
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    if isinstance(obj, (set, tuple)):
        return list(obj)
    if isinstance(obj, bytes):
        return obj.decode("utf8")
    if callable(obj):
        return registry.get_registered_name(obj)
    raise TypeError(f"Not JSON serializable: {obj!r}")


# Set while the outermost deserialize_layer() call builds a config tree: the tree was already checked
# and normalised as a whole, so nested calls (models building their layers) skip both.
_BUILDING = threading.local()


def deserialize_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """Build a layer (or model) from a Keras 1, 2 or 3 layer entry.

    The whole config is first checked by :func:`~keras_torch.saving.safe_mode.check_config_safety` in
    safe mode (the default), then normalised for keras_torch's constructors
    (:func:`~keras_torch.saving.dialects.keras3.normalize_entries`).
    """
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Invalid layer config (expected a dict with 'class_name'): {_short(config)}")
    if getattr(_BUILDING, "active", False):
        return _deserialize_layer(config, custom_objects)
    if effective_safe_mode():
        check_config_safety(config, custom_objects)
    config = normalize_entries(config, custom_objects)
    _BUILDING.active = True
    try:
        return _deserialize_layer(config, custom_objects)
    finally:
        _BUILDING.active = False


def deserialize_public_layer(config: Any, custom_objects: dict | None = None) -> Any:
    """``keras.layers.deserialize``: :func:`deserialize_layer`, refusing configs of non-layers as Keras does.

    Args:
        config: A Keras 1, 2 or 3 layer entry (``{"class_name": ..., "config": ...}``).
        custom_objects: Extra classes by name.

    Returns:
        The layer (or model).

    Raises:
        ValueError: The config does not describe a ``keras.layers.Layer``.

    Example:

    >>> layer = keras.layers.deserialize({"class_name": "Dense", "config": {"units": 3}})
    >>> type(layer).__name__, layer.units
    ('Dense', 3)
    """
    obj = deserialize_layer(config, custom_objects)
    if not isinstance(obj, Layer):
        raise ValueError("`keras.layers.deserialize` was passed a `config` object that is not a "
                         f"`keras.layers.Layer`. Received: {_short(config)}")
    return obj


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
    module = config.get("module")
    if isinstance(module, str) and module.startswith(("keras.src.ops.", "keras.ops")):
        cls = operation_class(class_name)  # Keras 3 records ops (x + 3, ops.reshape...) by their class
    if cls is None and registered and registered != class_name:
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
    inner = config.get("config", {})
    if not isinstance(inner, dict):
        raise ValueError(f"Invalid config of layer '{class_name}': expected a JSON object, received {_short(inner)}")
    # The tree is already private (deserialize_layer's normalize_entries copied it): a shallow copy
    # keeps from_config from touching it, and deep copies per nesting level would be quadratic.
    inner = dict(inner)
    try:
        if is_model_class(cls):
            layer = cls.from_config(inner, custom_objects=custom_objects)
        else:
            with registry.custom_object_scope(custom_objects or {}):
                layer = cls.from_config(inner)
        build = config.get("build_config")
        if build and hasattr(layer, "build_from_config") and not layer.built:
            layer.build_from_config(build)
    except (LayerConfigError, LayerConfigTypeError, Warning, KeyboardInterrupt):
        raise  # already names the innermost layer
    except RecursionError:
        raise LayerConfigError(f"Could not rebuild layer '{_layer_name(inner, class_name)}' ({class_name}): its "
                               "config nests too deeply.") from None
    except Exception as e:  # noqa: BLE001 - every failure names the layer whose config caused it
        kind = LayerConfigTypeError if isinstance(e, TypeError) else LayerConfigError
        name = _layer_name(inner, class_name)
        culprit = _culprit(e)
        where = f"'{name}' ({class_name})"
        if culprit is not None and culprit != (name, class_name):  # a sub-layer built by this one
            where = f"'{culprit[0]}' ({culprit[1]}) inside {where}"
        raise kind(f"Could not rebuild layer {where} from its config: "
                   f"{'' if isinstance(e, (ValueError, TypeError)) else type(e).__name__ + ': '}{e}") from e
    return layer


class LayerConfigError(ValueError):
    """A layer (or model) could not be built from its config; the message names it, ``__cause__`` says why."""


class LayerConfigTypeError(TypeError):
    """:class:`LayerConfigError` for a ``TypeError`` (an argument the layer does not take, or of the wrong type)."""


def _layer_name(config: dict, class_name: str) -> str:
    name = config.get("name")
    return name if isinstance(name, str) else class_name


def _culprit(e: BaseException) -> tuple[str, str] | None:
    """``(name, class)`` of the innermost layer at work where ``e`` was raised: a model builds its
    layers after creating them (a Dense whose kernel is refused fails inside its Sequential's
    ``from_config``), an RNN creates its cell."""
    found = None
    tb = e.__traceback__
    while tb is not None:
        obj = tb.tb_frame.f_locals.get("self")
        if isinstance(obj, Layer) and isinstance(getattr(obj, "name", None), str):
            found = obj
        tb = tb.tb_next
    return (found.name, type(found).__name__) if found is not None else None


def model_from_config(config: dict[str, Any], custom_objects: dict | None = None) -> Any:
    """Instantiates a model (or layer) from its config.

    Accepts the entries written by any Keras version: ``{"class_name": ..., "config": ...}`` dicts as
    produced by ``keras.layers.serialize(model)`` or read from a file.

    Args:
        config: The config entry.
        custom_objects: Optional dict mapping names to custom classes or functions.

    Returns:
        A new, untrained model (or layer) instance.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> clone = keras.models.model_from_config(keras.layers.serialize(model))
    >>> clone.output_shape
    (None, 2)
    """
    return deserialize_layer(config, custom_objects)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """Instantiates a model from a JSON string produced by ``model.to_json()`` (Keras or keras_torch).

    The JSON is treated like a file's config: its size bounds what the model may allocate
    (``max(2 GiB, 16 x its length)``, see SECURITY.md), and a config that does not fit the classes
    it names raises a ``ValueError`` (``TypeError`` for a wrong argument) naming the layer.

    Args:
        json_string: The JSON string.
        custom_objects: Optional dict mapping names to custom classes or functions.

    Returns:
        A new, untrained model instance.

    Example:

    >>> model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2)])
    >>> keras.models.model_from_json(model.to_json()).output_shape
    (None, 2)
    """
    config = json_config.parse_json(json_string, "model JSON")
    size = len(json_string) if isinstance(json_string, (str, bytes, bytearray)) else 0
    with budget.allocation_budget(budget.load_budget(size), "model JSON"), json_config.paused_gc():
        return deserialize_layer(config, custom_objects)


def rebuild_model(config: Any, version: str | None, custom_objects: dict | None, safe_mode: bool, filepath: str,
                  file_size: int) -> Any:
    """Model from a config read from ``filepath``: dialect upgrade, safe mode, allocation budget, clear errors.

    Args:
        config: The model entry as parsed from the file.
        version: The ``keras_version`` the file records (``None`` when unknown).
        custom_objects: Extra ``name -> object`` mappings.
        safe_mode: Refuse configs that would run code from the file.
        filepath: The file, for messages.
        file_size: Its size, which bounds what the rebuilt model may allocate.
    """
    if not isinstance(config, dict) or not isinstance(config.get("class_name"), str):
        raise ValueError(f"The model config of '{filepath}' is not a Keras model entry (a JSON object with a "
                         "'class_name'); the file is corrupted or not a Keras file.")
    try:
        with safe_mode_scope(safe_mode), budget.allocation_budget(budget.load_budget(file_size), filepath), \
                json_config.paused_gc():
            return deserialize_layer(upgrade_model_config(config, version), custom_objects)
    except LayerConfigError as e:
        raise LayerConfigError(f"Could not load '{filepath}': {e}") from e.__cause__
    except (ValueError, OSError, MemoryError, Warning):
        raise
    except RecursionError:
        raise ValueError(f"The model config of '{filepath}' nests too deeply to rebuild; the file is corrupted "
                         "or hostile.") from None
    except Exception as e:  # noqa: BLE001 - a config that does not fit the classes it names
        raise ValueError(f"Could not rebuild the model from the config in '{filepath}' "
                         f"({type(e).__name__}: {e}). The file is corrupted, was written by an incompatible "
                         "Keras version, or needs `custom_objects`.") from e
