"""Safe mode: a config from a file may only name functions keras_torch or the caller provides."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from keras_torch.core import config as _config
from keras_torch.core import registry
from keras_torch.layers.lambda_layer import Lambda, find_function


def effective_safe_mode() -> bool:
    """The innermost ``safe_mode_scope`` 's mode, else whether unsafe deserialization was not enabled."""
    mode = _config.in_safe_mode()
    if mode is not None:
        return mode
    return not _config.unsafe_deserialization_enabled()


def _safe_function(name: Any, module: Any, custom_objects: dict | None) -> bool:
    if not isinstance(name, str):
        return True  # not a by-name reference; the layer reports what it cannot use
    return find_function(name, module if isinstance(module, str) else None, custom_objects, safe=True) is not None


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
    imported in the process with attacker-controlled arguments, and a keras_torch function such as
    ``K.set_epsilon`` would change process-wide state. Keras 3 resolves only ``keras.*`` symbols;
    keras_torch resolves the caller's objects (``custom_objects``, registered classes) and the
    allow-listed pure functions of :mod:`keras_torch.layers._safe_functions`.
    """
    stack = [config]
    while stack:
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(v for v in obj if v and isinstance(v, (dict, list)))
            continue
        if not isinstance(obj, dict):
            continue
        stack.extend(v for v in obj.values() if v and isinstance(v, (dict, list)))
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
                    f"function '{where}', which is neither one of the pure math functions safe mode allows (keras.ops, "
                    "keras.activations, the loss/metric functions, K.* math) nor passed in `custom_objects`. "
                    "Resolving other functions from a file is unsafe (they can run code or change process-wide "
                    "state). If you trust the "
                    f"file, pass `custom_objects={{'{fname}': <the function>}}`, or load it with "
                    "`safe_mode=False`."
                )
