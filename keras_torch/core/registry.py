"""One registry mapping Keras class/function names to keras_torch objects.

The public API, config deserialization and ``custom_objects`` all resolve names here, so a
name that works in one place works in all of them.

Why top-level rather than ``saving/``: layers, activations, losses... register themselves at
import time, and importing ``saving`` (h5py, zip handling) from every layer file would make
``import keras_torch`` heavier and create import cycles.
"""

from __future__ import annotations

import contextlib
import difflib
import threading
from collections.abc import Callable, Iterator
from typing import Any

# category -> name -> object. Categories: layers, activations, initializers, regularizers,
# constraints, losses, metrics, optimizers, schedules, models, callbacks.
_REGISTRY: dict[str, dict[str, Any]] = {}
# Objects registered by users with register_keras_serializable ("package>Name" and "Name").
_GLOBAL_CUSTOM_OBJECTS: dict[str, Any] = {}
_SCOPE = threading.local()


def register(*names: str, category: str) -> Callable[[Any], Any]:
    """Decorator registering ``obj`` under ``names`` (default: ``obj.__name__``) in ``category``."""

    def deco(obj: Any) -> Any:
        table = _REGISTRY.setdefault(category, {})
        for n in names or (obj.__name__,):
            table[n] = obj
        return obj

    return deco


def names(category: str) -> list[str]:
    """All registered names of a category (sorted)."""
    return sorted(_REGISTRY.get(category, {}))


def registered(category: str) -> dict[str, Any]:
    """A copy of the ``name -> object`` table of a category."""
    return dict(_REGISTRY.get(category, {}))


def closest(name: str, candidates: list[str] | Any, n: int = 3) -> list[str]:
    """Closest valid names to ``name`` (case-insensitive), best first."""
    candidates = list(candidates)
    lowered = {c.lower(): c for c in candidates}
    hits = difflib.get_close_matches(name.lower(), list(lowered), n=n, cutoff=0.6)
    return [lowered[h] for h in hits]


def did_you_mean(name: str, candidates: Any) -> str:
    """``" Did you mean 'x'?"`` or ``""`` when nothing is close."""
    hits = closest(name, candidates, n=1)
    return f" Did you mean '{hits[0]}'?" if hits else ""


def _scoped_custom_objects() -> dict[str, Any]:
    merged = dict(_GLOBAL_CUSTOM_OBJECTS)
    for scope in getattr(_SCOPE, "stack", []):
        merged.update(scope)
    return merged


def get_custom_objects() -> dict[str, Any]:
    """Returns the global, mutable dict of custom objects used by deserialization.

    Adding an entry makes a custom class or function loadable by name everywhere (an alternative to
    ``custom_objects=`` and to :func:`register_keras_serializable`).

    Returns:
        The dict mapping names to classes or functions.

    Example:

    >>> keras.saving.get_custom_objects()["my_relu"] = keras.activations.relu
    >>> keras.activations.get("my_relu") is keras.activations.relu
    True
    >>> del keras.saving.get_custom_objects()["my_relu"]
    """
    return _GLOBAL_CUSTOM_OBJECTS


@contextlib.contextmanager
def custom_object_scope(*scopes: dict[str, Any] | None) -> Iterator[None]:
    """Context manager making custom objects visible to deserialization inside it.

    Within the ``with`` block, loading a model or deserializing a config resolves the given names (custom
    layers, losses, activations...) without passing ``custom_objects`` each time. Also available as
    ``keras.saving.CustomObjectScope`` and ``keras.utils.custom_object_scope``.

    Args:
        *scopes: Dicts mapping names to classes or functions (``None`` entries are skipped).

    Yields:
        Nothing; the objects are visible while the block runs.

    Example:

    >>> class MyDense(keras.layers.Dense):
    ...     pass
    >>> config = keras.layers.serialize(MyDense(2))
    >>> with keras.saving.CustomObjectScope({"MyDense": MyDense}):
    ...     layer = keras.layers.deserialize(config)
    >>> type(layer).__name__
    'MyDense'
    """
    stack = getattr(_SCOPE, "stack", None)
    if stack is None:
        stack = _SCOPE.stack = []
    merged: dict[str, Any] = {}
    for s in scopes:
        merged.update(s or {})
    stack.append(merged)
    try:
        yield
    finally:
        stack.pop()


CustomObjectScope = custom_object_scope


def register_keras_serializable(package: str = "Custom", name: str | None = None) -> Callable:
    """Decorator registering a custom class or function for (de)serialization.

    The object is registered as ``"package>name"`` (Keras 3's convention), so a model using it can be saved
    and loaded without ``custom_objects``. A registered class should implement ``get_config``.

    Args:
        package: The package part of the registered name (default ``"Custom"``).
        name: The name part (default: the class or function ``__name__``).

    Returns:
        A decorator that registers its argument and returns it unchanged.

    Example:

    >>> @keras.saving.register_keras_serializable(package="MyPackage")
    ... class Scale(keras.layers.Layer):
    ...     def call(self, inputs):
    ...         return 2 * inputs
    >>> keras.saving.get_registered_name(Scale)
    'MyPackage>Scale'
    """

    def deco(obj: Any) -> Any:
        key = f"{package}>{name or obj.__name__}"
        if key in _GLOBAL_CUSTOM_OBJECTS and _GLOBAL_CUSTOM_OBJECTS[key] is not obj:
            raise ValueError(f"{key} has already been registered to {_GLOBAL_CUSTOM_OBJECTS[key]}")
        _GLOBAL_CUSTOM_OBJECTS[key] = obj
        _GLOBAL_CUSTOM_OBJECTS.setdefault(name or obj.__name__, obj)
        obj._keras_registered_name = key
        return obj

    return deco


def get_registered_name(obj: Any) -> str:
    """Returns the name under which an object is serialized.

    Args:
        obj: A class or function, possibly registered with :func:`register_keras_serializable`.

    Returns:
        The registered ``"package>name"`` string, or the object's ``__name__`` if it is not registered.

    Example:

    >>> keras.saving.get_registered_name(keras.layers.Dense)
    'Dense'
    """
    return getattr(obj, "_keras_registered_name", None) or getattr(obj, "__name__", type(obj).__name__)


def custom_object(name: str, custom_objects: dict[str, Any] | None = None) -> Any | None:
    """``name`` in the user's custom objects (argument, scopes, global; ``"pkg>Name"`` also as ``Name``)."""
    for table in (custom_objects or {}, _scoped_custom_objects()):
        if name in table:
            return table[name]
        if ">" in name and name.split(">", 1)[1] in table:
            return table[name.split(">", 1)[1]]
    return None


def lookup(category: str, name: str, custom_objects: dict[str, Any] | None = None) -> Any | None:
    """Find ``name`` in custom objects (argument, scopes, global) then ``category``; None if absent."""
    found = custom_object(name, custom_objects)
    return found if found is not None else _REGISTRY.get(category, {}).get(name)


def get(category: str, name: str, custom_objects: dict[str, Any] | None = None, what: str | None = None) -> Any:
    """Like :func:`lookup` but raise a ``ValueError`` naming the unknown string and close matches."""
    obj = lookup(category, name, custom_objects)
    if obj is None:
        what = what or category.rstrip("s")
        valid = names(category) + list(_scoped_custom_objects()) + list(custom_objects or {})
        raise ValueError(f"Unknown {what}: '{name}'.{did_you_mean(name, valid)}")
    return obj


# Keras 3 writes the public module of each object next to its class name.
_MODULES = {
    "layers": "keras.layers",
    "activations": "keras.activations",
    "initializers": "keras.initializers",
    "regularizers": "keras.regularizers",
    "constraints": "keras.constraints",
    "losses": "keras.losses",
    "metrics": "keras.metrics",
    "optimizers": "keras.optimizers",
    "schedules": "keras.optimizers.schedules",
    "models": "keras",
    "quantizers": "keras.quantizers",
}


def serialize_keras_object(obj: Any, category: str) -> Any:
    """Keras 3 style ``{"module", "class_name", "config", "registered_name"}`` for ``obj``.

    Plain functions serialize to their registered name (how Keras stores activations/losses).
    """
    if obj is None:
        return None
    if isinstance(obj, (str, int, float, bool)):
        return obj
    if not hasattr(obj, "get_config"):
        return get_registered_name(obj)
    cls = type(obj)
    custom = getattr(cls, "_keras_registered_name", None)
    return {
        "module": _MODULES.get(category, "keras") if custom is None else cls.__module__,
        "class_name": cls.__name__,
        "config": obj.get_config(),
        "registered_name": custom,
    }


def deserialize_keras_object(
    config: Any, category: str, custom_objects: dict[str, Any] | None = None, what: str | None = None
) -> Any:
    """Inverse of :func:`serialize_keras_object`; accepts Keras 2 and Keras 3 dialects.

    Strings resolve through the registry (functions are returned as-is, classes instantiated
    with no arguments); dicts are ``{"class_name": ..., "config": ...}`` with optional
    ``module``/``registered_name`` keys (Keras 3).
    """
    if config is None:
        return None
    if isinstance(config, str):
        obj = get(category, config, custom_objects, what)
        return obj() if isinstance(obj, type) else obj
    if isinstance(config, dict):
        if "class_name" not in config:
            raise ValueError(f"Cannot deserialize {category} from {config!r}: missing 'class_name'.")
        name = config.get("registered_name") or config["class_name"]
        obj = lookup(category, name, custom_objects) or get(category, config["class_name"], custom_objects, what)
        inner = config.get("config") or {}
        if isinstance(obj, type):
            return obj.from_config(dict(inner)) if hasattr(obj, "from_config") else obj(**inner)
        return obj
    return config
