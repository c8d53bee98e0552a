"""Keras optimizers (``keras.optimizers``) on torch tensors, with Keras 3 formulas and defaults.

The training loop builds the optimizer on the trainable variables and calls :meth:`Optimizer.step`
after each backward pass::

    opt = keras_torch.optimizers.get("adam")
    loss.backward()
    opt.step(trainable_variables)   # reads v.grad, skips None
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.core import registry
from keras_torch.optimizers import experimental, legacy, schedules
from keras_torch.optimizers.adadelta import Adadelta
from keras_torch.optimizers.adafactor import Adafactor
from keras_torch.optimizers.adagrad import Adagrad
from keras_torch.optimizers.adam import Adam, AdamW
from keras_torch.optimizers.adamax import Adamax
from keras_torch.optimizers.base import Optimizer
from keras_torch.optimizers.ftrl import Ftrl
from keras_torch.optimizers.lamb import Lamb
from keras_torch.optimizers.lion import Lion
from keras_torch.optimizers.loss_scale_optimizer import LossScaleOptimizer
from keras_torch.optimizers.multi_optimizer import MultiOptimizer, OptimizerMap
from keras_torch.optimizers.muon import Muon
from keras_torch.optimizers.nadam import Nadam
from keras_torch.optimizers.rmsprop import RMSprop
from keras_torch.optimizers.schedule_free_adamw import ScheduleFreeAdamW
from keras_torch.optimizers.schedules import LearningRateSchedule
from keras_torch.optimizers.sgd import SGD

_CAT = "optimizers"
registry.register("Optimizer", category=_CAT)(Optimizer)


def _resolve(name: str, custom_objects: dict[str, Any] | None = None) -> Any:
    """Optimizer class for ``name``: custom objects first, then built-ins case-insensitively."""
    obj = registry.lookup(_CAT, name, custom_objects)
    if obj is not None:
        return obj
    short = name.split(">", 1)[-1]
    lowered = {k.lower(): v for k, v in registry.registered(_CAT).items()}
    if short.lower() in lowered:
        return lowered[short.lower()]
    return registry.get(_CAT, name, custom_objects, what="optimizer")  # raises "Unknown optimizer ..."


def serialize(optimizer: Optimizer) -> dict[str, Any]:
    """Serializes an optimizer to Keras 3's config dict.

    Args:
        optimizer: An optimizer instance.

    Returns:
        A dict with ``module``, ``class_name``, ``config`` (the optimizer's ``get_config()``) and ``registered_name``.

    Example:

    >>> config = keras.optimizers.serialize(keras.optimizers.Adam(learning_rate=0.01))
    >>> config["class_name"], config["config"]["learning_rate"]
    ('Adam', 0.009999999776482582)
    """
    return registry.serialize_keras_object(optimizer, _CAT)


def deserialize(config: dict[str, Any] | str, custom_objects: dict[str, Any] | None = None) -> Optimizer:
    """Creates an optimizer from its config or name.

    Accepts Keras 3 and Keras 2 (tf-keras) config dicts and optimizer names.

    Args:
        config: A config dict or an optimizer name (``"adam"``).
        custom_objects: Optional dict mapping names to custom optimizer classes.

    Returns:
        A new optimizer instance (without state).

    Example:

    >>> optimizer = keras.optimizers.deserialize({"class_name": "SGD", "config": {"learning_rate": 0.05}})
    >>> type(optimizer).__name__, round(float(optimizer.learning_rate), 4)
    ('SGD', 0.05)
    """
    if isinstance(config, str):
        config = {"class_name": config, "config": {}}
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    name = config.get("registered_name") or config["class_name"]
    cls = registry.lookup(_CAT, name, custom_objects) if config.get("registered_name") else None
    cls = cls or _resolve(config["class_name"], custom_objects)
    inner = dict(config.get("config") or {})
    if not (isinstance(cls, type) and issubclass(cls, Optimizer)) and not hasattr(cls, "from_config"):
        raise ValueError(f"Could not interpret optimizer identifier: {config}")
    if "custom_objects" in inspect.signature(cls.from_config).parameters:
        return cls.from_config(inner, custom_objects=custom_objects)
    return cls.from_config(inner)


def get(identifier: Any) -> Optimizer | None:
    """Retrieves an optimizer from an identifier, as ``compile(optimizer=...)`` does.

    Args:
        identifier: An optimizer name (``"adam"``, ``"sgd"``...), a config dict or an optimizer instance
            (returned as is). Unknown names raise a ``ValueError`` suggesting the closest valid name.

    Returns:
        An optimizer instance (with default arguments for a name).

    Example:

    >>> type(keras.optimizers.get("rmsprop")).__name__
    'RMSprop'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if isinstance(obj, Optimizer):
        return obj
    raise ValueError(f"Could not interpret optimizer identifier: {identifier}")



__all__ = [
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Ftrl",
    "Lamb",
    "LearningRateSchedule",
    "Lion",
    "LossScaleOptimizer",
    "Muon",
    "MultiOptimizer",
    "Nadam",
    "Optimizer",
    "OptimizerMap",
    "RMSprop",
    "ScheduleFreeAdamW",
    "deserialize",
    "experimental",
    "get",
    "legacy",
    "schedules",
    "serialize",
]
