"""``keras.Variable``: build a Keras variable (a :class:`KerasVariable`, i.e. a torch ``Parameter``).

Every weight keras_torch creates is a ``KerasVariable``; ``isinstance(w, keras.Variable)`` is true
for all of them, and ``keras.Variable(...)`` takes Keras 3's constructor arguments.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch import initializers
from keras_torch.backend.scopes import current_path
from keras_torch.core import config as _config
from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.core.variables import KerasVariable

_AGGREGATIONS = (None, "none", "mean", "sum", "only_first_replica")
_SYNCHRONIZATIONS = (None, "none", "on_write", "on_read", "auto")


class _AnyKerasVariable(type(KerasVariable)):
    # isinstance(layer.kernel, keras.Variable) must hold for weights created by layers too.
    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, KerasVariable)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return isinstance(subclass, type) and issubclass(subclass, KerasVariable)


class Variable(KerasVariable, metaclass=_AnyKerasVariable):
    r"""A Keras variable: ``keras.Variable(initializer, shape=None, dtype=None, trainable=True, ...)``.

    Args:
        initializer: Initial value (array, tensor, number) or an initializer (name, instance or
            ``f(shape, dtype)``), which then needs ``shape``.
        shape: Shape, required with an initializer.
        dtype: dtype name (default ``keras.config.floatx()``, as in Keras).
        trainable: Whether optimizers update it (``requires_grad``).
        autocast: Accepted for Keras compatibility (layers cast inputs, not variables).
        aggregation: One of ``"none"``, ``"mean"``, ``"sum"``, ``"only_first_replica"``.
        synchronization: One of ``"none"``, ``"on_write"``, ``"on_read"``, ``"auto"``.
        name: Variable name; its ``path`` is prefixed by the enclosing ``keras.name_scope``\ s.

    Returns:
        A :class:`KerasVariable` on ``keras.config.default_device()``.

    Example:

    >>> v = keras.Variable(np.ones((2, 2), "float32"), name="v")
    >>> tuple(v.shape), v.trainable
    ((2, 2), True)
    >>> _ = v.assign(v * 3)
    >>> v.numpy()
    array([[3., 3.],
           [3., 3.]], dtype=float32)
    """

    def __new__(cls, initializer: Any, shape: Any = None, dtype: Any = None, trainable: bool = True,
                autocast: bool = True, aggregation: str = "none", synchronization: str = "auto",
                name: str | None = None) -> KerasVariable:
        if aggregation not in _AGGREGATIONS:
            raise ValueError(f"Invalid value for argument `aggregation`. Expected one of {_AGGREGATIONS}. "
                             f"Received: aggregation={aggregation}")
        if synchronization not in _SYNCHRONIZATIONS:
            raise ValueError(f"Invalid value for argument `synchronization`. Expected one of {_SYNCHRONIZATIONS}. "
                             f"Received: synchronization={synchronization}")
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(f"Argument `name` must be a string and cannot contain character `/`. Received: "
                             f"name={name}")
        if isinstance(initializer, str) or isinstance(initializer, initializers.Initializer) or (
            callable(initializer) and not isinstance(initializer, (torch.Tensor, np.ndarray))
        ):
            if shape is None:
                raise ValueError("When creating a Variable from an initializer, the `shape` argument should be "
                                 f"specified. Received: initializer={initializer} and shape={shape}")
            torch_dtype = to_torch_dtype(dtype or _config.floatx())
            value = initializers.get(initializer)(tuple(shape), dtype=torch_dtype)
        else:
            value = _initial_value(initializer)
            if shape is not None and tuple(value.shape) != tuple(shape):
                raise ValueError(f"Initial value has shape {tuple(value.shape)}, but `shape` is {tuple(shape)}.")
            torch_dtype = to_torch_dtype(dtype) if dtype is not None else value.dtype
        data = value.to(device=_config.default_device(), dtype=torch_dtype).clone()
        trainable = bool(trainable) and (data.is_floating_point() or data.is_complex())
        variable = KerasVariable(data, requires_grad=trainable)
        variable.__dict__["_keras_name"] = name or "variable"
        scope = current_path()
        variable.__dict__["_keras_path"] = f"{scope}/{variable.name}" if scope else variable.name
        variable.__dict__["aggregation"] = "none" if aggregation is None else aggregation
        variable.__dict__["synchronization"] = "none" if synchronization is None else synchronization
        return variable


def _initial_value(value: Any) -> torch.Tensor:
    """A tensor of ``value``; Python numbers and lists get Keras's dtypes (float32, int32), arrays keep theirs."""
    if isinstance(value, torch.Tensor):
        return value.detach()
    if isinstance(value, np.ndarray) or isinstance(value, np.generic):
        return torch.as_tensor(np.asarray(value))
    array = np.asarray(value)
    narrow = {np.dtype("float64"): np.float32, np.dtype("int64"): np.int32}
    return torch.as_tensor(array.astype(narrow.get(array.dtype, array.dtype)))
