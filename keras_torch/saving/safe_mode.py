"""Safe mode: a config from a file may only name functions keras_torch or the caller provides."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from typing import Any

from keras_torch.core import config as _config
from keras_torch.core import registry
from keras_torch.layers.lambda_layer import Lambda


def effective_safe_mode() -> bool:
    """The innermost ``safe_mode_scope`` 's mode, else whether unsafe deserialization was not enabled."""
    mode = _config.in_safe_mode()
    if mode is not None:
        return mode
    return not _config.unsafe_deserialization_enabled()


# Modules whose functions a Lambda config may name in safe mode (besides registered objects and
# custom_objects): keras_torch's own math. Keras 3 likewise only resolves functions from keras.*.
_SAFE_FUNCTION_MODULES = ("keras_torch.ops", "keras_torch.activations", "keras_torch.backend",
                          "keras_torch.losses", "keras_torch.metrics")
_FUNCTION_CATEGORIES = ("activations", "losses", "metrics", "layers")


def _safe_function(name: Any, module: Any, custom_objects: dict | None) -> bool:
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
