"""``Lambda``: wraps an arbitrary function as a layer, serialized like Keras 3 (and Keras 2 .h5).

Python lambdas are stored as marshalled bytecode. Loading bytecode can execute arbitrary code,
so :meth:`Lambda.from_config` refuses it unless the caller opts out of safe mode.
"""

from __future__ import annotations

import base64
import builtins
import importlib
import inspect
import marshal
import math
import sys
import types
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import registry, tree
from keras_torch.core.symbolic import KerasTensor, map_shapes
from keras_torch.layers._args import register_layer
from keras_torch.layers._safe_functions import is_safe_function
from keras_torch.layers.base import Layer

__all__ = ["Lambda", "find_function", "func_dump", "func_load"]

_UNSAFE_MESSAGE = (
    "Requested the deserialization of a `Lambda` layer whose `{what}` is a Python lambda stored as "
    "bytecode. Loading it would execute arbitrary code from the file, so it is disallowed by default. "
    "If you trust the source of the file, pass `safe_mode=False` to the loading function (or to "
    "`Lambda.from_config`), or call `keras_torch.core.config.enable_unsafe_deserialization()`."
)


def func_dump(func: Callable) -> tuple[str, Any, Any]:
    """``(base64 marshalled code, defaults, closure values)`` of ``func`` (Keras ``func_dump``)."""
    code = base64.encodebytes(marshal.dumps(func.__code__)).decode("ascii")
    closure = tuple(c.cell_contents for c in func.__closure__) if func.__closure__ else None
    return code, func.__defaults__, closure


def _load_globals() -> dict[str, Any]:
    # A deserialised function is *user* code: it runs against the public API (``keras.ops...``,
    # ``K.mean``), the whole package, not against what this module may import. The package is
    # necessarily loaded when a Lambda runs (it is this module's parent), so the public modules are
    # looked up by name at call time; the library itself never depends on them from here.
    public = {"keras": "keras_torch", "ops": "keras_torch.ops", "K": "keras_torch.backend",
              "backend": "keras_torch.backend"}
    g: dict[str, Any] = {"__builtins__": builtins, "torch": torch, "np": np, "numpy": np, "math": math}
    g.update({alias: importlib.import_module(name) for alias, name in public.items()})
    return g


def func_load(code: Any, defaults: Any = None, closure: Any = None, globs: dict | None = None) -> Callable:
    """Rebuild a function from :func:`func_dump` output (also the Keras 2 ``[code, defaults, closure]`` list)."""
    if isinstance(code, (tuple, list)):
        code, defaults, closure = code
    if isinstance(defaults, list):
        defaults = tuple(defaults)
    cells = tuple(types.CellType(v) for v in closure) if closure is not None else None
    try:
        raw = base64.decodebytes(code.encode("ascii"))
    except (UnicodeEncodeError, ValueError):
        raw = code.encode("raw_unicode_escape")
    try:
        code_obj = marshal.loads(raw)
    except (ValueError, EOFError, TypeError) as e:
        raise ValueError(
            "Could not load the bytecode of a Lambda function. Bytecode is specific to the Python version "
            f"that wrote it (this is Python {sys.version_info.major}.{sys.version_info.minor}); rebuild the "
            "Lambda from source code instead."
        ) from e
    return types.FunctionType(code_obj, globs if globs is not None else _load_globals(), name=code_obj.co_name,
                              argdefs=defaults, closure=cells)


def _in_safe_mode(safe_mode: bool | None) -> bool:
    if safe_mode is not None:
        return bool(safe_mode)
    scoped = _config.in_safe_mode()  # a loader-wide safe_mode_scope (load_model)
    if scoped is not None:
        return scoped
    return not _config.unsafe_deserialization_enabled()


def _is_lambda(fn: Any) -> bool:
    return isinstance(fn, types.LambdaType) and fn.__name__ == "<lambda>"


def find_function(name: str, module: str | None, custom_objects: dict | None, safe: bool = True) -> Callable | None:
    """The function a Lambda config names by ``name`` (and ``module``); ``None`` if unknown or refused.

    The caller's objects come first (``custom_objects``, scopes, ``register_keras_serializable``).
    Otherwise only modules already imported are looked in (importing a module named by a file is
    itself unsafe) and, in safe mode, only the pure functions of
    :func:`~keras_torch.layers._safe_functions.is_safe_function` are returned: any other function
    (``os.system``, ``K.set_epsilon``...) would be a call gadget for a hostile file.
    """
    custom = registry.custom_object(name, custom_objects) if isinstance(name, str) else None
    if custom is not None:
        return custom
    for category in ("activations", "losses", "metrics", "layers"):
        obj = registry.lookup(category, name)
        if obj is not None and (not safe or is_safe_function(obj)):
            return obj
    if isinstance(module, str) and (module == "keras" or module.startswith("keras.")):
        module = "keras_torch" + module[len("keras"):]
    mod = sys.modules.get(module) if isinstance(module, str) else None
    fn = getattr(mod, name, None) if mod is not None and isinstance(name, str) else None
    if not callable(fn) or (safe and not is_safe_function(fn)):
        return None
    return fn


def _resolve_function(name: str, module: str | None, custom_objects: dict | None, safe: bool = True) -> Callable:
    fn = find_function(name, module, custom_objects, safe)
    if fn is not None:
        return fn
    raise ValueError(
        f"Unknown function '{name}' (module {module!r}) used by a Lambda layer. Pass it in `custom_objects` or "
        "register it with `keras_torch.saving.register_keras_serializable()`"
        + ("; functions outside keras_torch are only resolved by name with `safe_mode=False`." if safe else ".")
    )


@register_layer()
class Lambda(Layer):
    """Wraps ``function(inputs, **arguments)`` as a layer.

    Args:
        function: The function; may accept ``mask`` and/or ``training`` keyword arguments.
        output_shape: Output shape without the batch dim (tuple), or ``fn(input_shape)``;
            inferred by running the function when omitted.
        mask: Output mask: a constant, or ``fn(inputs, mask)``.
        arguments: Extra keyword arguments for ``function``.

    Input shape:
        Whatever ``function`` accepts.

    Output shape:
        Given by ``output_shape`` or inferred.

    Example:

    >>> layer = keras.layers.Lambda(lambda x: x ** 2)
    >>> layer(np.array([[1.0, 2.0]]))
    tensor([[1., 4.]])
    """

    _takes_strings = True

    def __init__(self, function: Callable, output_shape: Any = None, mask: Any = None, arguments: dict | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise ValueError(f"Layer '{self.name}': `function` must be callable. Received: {function!r}")
        self.function = function
        self.arguments = dict(arguments or {})
        self.mask = mask
        self.supports_masking = mask is not None
        self._output_shape = tuple(output_shape) if isinstance(output_shape, list) else output_shape
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_training_arg = "training" in params
        self._fn_expects_mask_arg = "mask" in params
        self.built = True

    def call(self, inputs: Any, mask: Any = None, training: bool | None = None) -> Any:
        kwargs = dict(self.arguments)
        if self._fn_expects_mask_arg:
            kwargs["mask"] = mask
        if self._fn_expects_training_arg:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        flat = tree.flatten(input_shape) if not _is_flat_shape(input_shape) else list(input_shape)
        batch = flat[0] if flat else None
        return map_shapes(lambda s: (batch,) + tuple(s), self._output_shape)

    def compute_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        if self._output_shape is None:
            try:
                return self._infer_output_spec(inputs, *args, **kwargs)
            except Exception as e:
                raise NotImplementedError(
                    f"Could not infer the output shape of Lambda layer '{self.name}' ({e}). Please specify the "
                    "`output_shape` argument."
                ) from e
        shapes = self.compute_output_shape(tree.map_structure(lambda x: tuple(x.shape), inputs))
        return map_shapes(lambda s: KerasTensor(s, self.compute_dtype), shapes)

    # ------------------------------------------------------------------ config
    @staticmethod
    def _serialize_function(fn: Callable) -> Any:
        if _is_lambda(fn):
            code, defaults, closure = func_dump(fn)
            return {"class_name": "__lambda__", "config": {"code": code, "defaults": defaults, "closure": closure}}
        if hasattr(fn, "get_config"):
            return registry.serialize_keras_object(fn, "layers")
        name = registry.get_registered_name(fn)
        return {"module": getattr(fn, "__module__", None), "class_name": "function", "config": name,
                "registered_name": name}

    def get_config(self) -> dict[str, Any]:
        cfg: dict[str, Any] = {"function": self._serialize_function(self.function)}
        if self._output_shape is not None:
            cfg["output_shape"] = (self._serialize_function(self._output_shape) if callable(self._output_shape)
                                   else list(self._output_shape))
        if self.mask is not None:
            cfg["mask"] = self._serialize_function(self.mask) if callable(self.mask) else self.mask
        cfg["arguments"] = dict(self.arguments)
        return {**super().get_config(), **cfg}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None,
                    safe_mode: bool | None = None) -> Lambda:
        """Rebuild a Lambda; bytecode is refused unless ``safe_mode=False`` or unsafe deserialization is enabled."""
        config = dict(config)
        safe = _in_safe_mode(safe_mode)
        config["function"] = cls._load_fn(config.get("function"), config.pop("function_type", None),
                                          config.pop("module", None), "function", safe, custom_objects)
        out_type = config.pop("output_shape_type", None)
        out_module = config.pop("output_shape_module", None)
        out = config.get("output_shape")
        if out is not None:
            if out_type == "raw" or (out_type is None and _is_shape_like(out)):
                config["output_shape"] = tuple(out) if isinstance(out, list) and _is_flat_shape(out) else out
            else:
                config["output_shape"] = cls._load_fn(out, out_type, out_module, "output_shape", safe, custom_objects)
        mask = config.get("mask")
        if isinstance(mask, (dict, list)) and not _is_shape_like(mask):
            config["mask"] = cls._load_fn(mask, config.pop("mask_type", None), config.pop("mask_module", None),
                                          "mask", safe, custom_objects)
        config.pop("mask_type", None)
        config.pop("mask_module", None)
        return cls(**config)

    @staticmethod
    def _load_fn(spec: Any, kind: str | None, module: str | None, what: str, safe: bool,
                 custom_objects: dict | None) -> Callable:
        if isinstance(spec, dict) and spec.get("class_name") == "__lambda__":
            if safe:
                raise ValueError(_UNSAFE_MESSAGE.format(what=what))
            inner = spec.get("config", {})
            if "value" in inner:  # serialize_keras_object() form
                return func_load(inner["value"])
            return func_load(inner["code"], defaults=inner.get("defaults"), closure=inner.get("closure"))
        if isinstance(spec, dict) and spec.get("class_name") == "function":
            return _resolve_function(spec.get("registered_name") or spec["config"], spec.get("module"), custom_objects,
                                     safe)
        if isinstance(spec, dict):
            return registry.deserialize_keras_object(spec, "layers", custom_objects)
        if kind == "lambda" or isinstance(spec, (list, tuple)):  # Keras 2: [code, defaults, closure]
            if safe:
                raise ValueError(_UNSAFE_MESSAGE.format(what=what))
            return func_load(spec)
        if isinstance(spec, str):
            return _resolve_function(spec, module, custom_objects, safe)
        if callable(spec):
            return spec
        raise ValueError(f"Cannot deserialize the `{what}` of a Lambda layer from {spec!r}.")


def _is_flat_shape(s: Any) -> bool:
    return isinstance(s, (list, tuple)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def _is_shape_like(s: Any) -> bool:
    if _is_flat_shape(s):
        return True
    return isinstance(s, (list, tuple)) and len(s) > 0 and all(_is_flat_shape(x) for x in s)
