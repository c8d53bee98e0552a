"""What kind of model an object is (Sequential, functional, subclassed), without importing ``models``.

``saving`` ranks below ``models``: the model classes are found through the layer registry, where
``keras_torch.models`` registers them. If ``models`` was never imported, no object can be a model.
"""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.core.naming import keras_class


def _builtin(name: str) -> type | None:
    cls = registry.registered("layers").get(name)
    return cls if isinstance(cls, type) else None


def is_model(obj: Any) -> bool:
    """Whether ``obj`` is a ``keras_torch.Model`` (any kind)."""
    model = _builtin("Model")
    return model is not None and isinstance(obj, model)


def is_model_class(cls: Any) -> bool:
    """Whether ``cls`` is ``keras_torch.Model`` or a subclass."""
    model = _builtin("Model")
    return model is not None and isinstance(cls, type) and issubclass(cls, model)


def is_sequential(obj: Any) -> bool:
    """Whether ``obj`` is a ``keras_torch.Sequential`` (or a subclass)."""
    seq = _builtin("Sequential")
    return seq is not None and isinstance(obj, seq)


def is_functional(obj: Any) -> bool:
    """Whether ``obj`` is a model defined by a graph of layer calls (``Model(inputs, outputs)``)."""
    return is_model(obj) and not is_sequential(obj) and obj.inputs is not None


def keras_class_name(obj: Any) -> str:
    """The class name Keras 3 records for ``obj`` (functional models built from ``Model`` are ``Functional``)."""
    name = keras_class(obj).__name__
    if is_functional(obj) and name in ("Model", "Functional"):
        return "Functional"
    return name
