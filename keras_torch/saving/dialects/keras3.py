"""Layer configs in Keras 3's dialect (keras_torch's own) and the pass every config takes before ``from_config``.

Keras 3 writes constructor keys keras_torch's layers do not take (``quantization_config``,
``lora_rank``...), and the Keras 3 name ``batch_shape`` where keras_torch's layers take Keras 2's
``batch_input_shape``. :func:`normalize_entries` removes/renames those (and the Keras 2 ones of
:data:`.keras2.KERAS2_ONLY_KEYS`) in a whole config tree, so that ``Layer.from_config`` stays a
plain ``cls(**config)``.
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.core import registry
from keras_torch.layers.base import Layer
from keras_torch.saving.dialects.keras2 import KERAS2_ONLY_KEYS
from keras_torch.saving.dialects.nodes import is_entry

# Keys real Keras 3 writes that carry no meaning for keras_torch's constructors.
KERAS3_ONLY_KEYS = frozenset({
    "quantization_config", "lora_rank", "lora_alpha", "synchronized", "module", "registered_name", "build_config",
    "compile_config", "optional", "sparse", "ragged", "gradient_checkpointing",
})
_IGNORED = KERAS3_ONLY_KEYS | KERAS2_ONLY_KEYS
_NOT_LAYERS = ("__keras_tensor__", "__lambda__", "__tensor__", "__numpy__", "function")
# Walks copy leaves and empty containers inline: a call per value made millions of empty lists slow.
_CONTAINERS = (list, dict)


def normalize_layer_config(cls: type, config: dict[str, Any]) -> dict[str, Any]:
    """Map Keras 3 names (``batch_shape``) to Keras 2 ones and drop keys ``cls`` cannot take.

    Args:
        cls: The layer class the config is for.
        config: Its ``get_config()``-style dict, from any Keras version (not modified).

    Returns:
        A new dict ``cls(**result)`` accepts.
    """
    config = dict(config)
    if "batch_shape" in config and "batch_input_shape" not in config:
        config["batch_input_shape"] = config.pop("batch_shape")
    for k in list(config):
        if k in _IGNORED and not _accepts(cls, k):
            config.pop(k)
    return config


def _accepts(cls: type, key: str) -> bool:
    """Whether ``key`` is an explicit constructor argument of ``cls`` or a base it forwards to."""
    for klass in getattr(cls, "__mro__", (cls,)):
        init = klass.__dict__.get("__init__")
        if init is None:
            continue
        try:
            if key in inspect.signature(init).parameters:
                return True
        except (TypeError, ValueError):
            return True
    return False


def _layer_class(entry: dict[str, Any], custom_objects: dict | None) -> type | None:
    """The keras_torch-implemented layer class an entry names (None for models, custom ``from_config`` s...)."""
    module = entry.get("module")
    if isinstance(module, str) and (module == "keras" or module.startswith("keras.")) and not module.startswith(
            ("keras.layers", "keras.src.layers")):
        return None  # initializers, regularizers... and models
    name, registered = entry["class_name"], entry.get("registered_name")
    if name in _NOT_LAYERS:
        return None
    cls = None
    if isinstance(registered, str) and registered != name:
        cls = registry.lookup("layers", registered, custom_objects)
    if cls is None:
        cls = registry.lookup("layers", name, custom_objects)
    if not (isinstance(cls, type) and issubclass(cls, Layer)):
        return None
    # Only configs that reach one of keras_torch's layer ``from_config`` s; a class that reads its
    # config itself gets it as written.
    impl = getattr(cls.from_config, "__func__", None)
    return cls if str(getattr(impl, "__module__", "")).startswith("keras_torch.layers") else None


def normalize_entries(obj: Any, custom_objects: dict | None = None) -> Any:
    """Every layer entry nested in ``obj`` with its config passed through :func:`normalize_layer_config`.

    Args:
        obj: A serialized entry (``{"class_name", "config", ...}``) or any JSON structure holding some.
        custom_objects: Extra ``name -> class`` mappings used to resolve class names.

    Returns:
        A normalised copy (``obj`` is not modified).
    """
    if isinstance(obj, list):
        return [normalize_entries(v, custom_objects) if v and type(v) in _CONTAINERS
                else v.copy() if type(v) in _CONTAINERS else v for v in obj]
    if not isinstance(obj, dict):
        return obj
    out = {k: normalize_entries(v, custom_objects) if v and type(v) in _CONTAINERS
           else v.copy() if type(v) in _CONTAINERS else v for k, v in obj.items()}
    if is_entry(out) and isinstance(out["config"], dict):
        cls = _layer_class(out, custom_objects)
        if cls is not None:
            out["config"] = normalize_layer_config(cls, out["config"])
    return out
