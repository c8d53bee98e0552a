"""``K.*`` variables and session-level state of tf-keras 2: creating and updating variables, ``eval``,
``clear_session`` and the name counters."""

from __future__ import annotations

import gc
from typing import Any

import numpy as np
import torch

from keras_torch.backend.tensor_ops import get_value, random_normal, random_uniform
from keras_torch.backend.variable import Variable
from keras_torch.core import naming
from keras_torch.core.config import floatx
from keras_torch.core.symbolic import KerasTensor
from keras_torch.core.variables import KerasVariable
from keras_torch.losses._common import reset_uids as _reset_metric_uids


def variable(value: Any, dtype: Any = None, name: str | None = None, constraint: Any = None) -> KerasVariable:
    """A trainable variable holding ``value`` (``dtype`` defaults to ``floatx()``).

    Args:
        value: Initial value (number, array or tensor).
        dtype: dtype; None means ``floatx()``.
        name: Variable name.
        constraint: Not supported (must be None).

    Returns:
        A ``keras.Variable``.

    Raises:
        NotImplementedError: ``constraint`` given (keras_torch applies constraints to layer weights,
            declared with ``add_weight(constraint=...)``).
    """
    if constraint is not None:
        raise NotImplementedError("K.variable(constraint=...) is not supported: declare the weight with "
                                  "layer.add_weight(..., constraint=...) so the optimizer applies it.")
    if isinstance(value, torch.Tensor):
        value = value.detach()
    return Variable(value, dtype=dtype or floatx(), name=name)


def eye(size: int, dtype: Any = None, name: str | None = None) -> KerasVariable:
    """A ``size`` x ``size`` identity-matrix variable.

    Args:
        size: Number of rows and columns.
        dtype: dtype; None means ``floatx()``.
        name: Variable name.

    Returns:
        A variable.
    """
    return variable(torch.eye(int(size)), dtype=dtype, name=name)


def random_normal_variable(shape: Any, mean: float, scale: float, dtype: Any = None, name: str | None = None,
                           seed: Any = None) -> KerasVariable:
    """A variable of normal samples (standard deviation ``scale``).

    Args:
        shape: Shape.
        mean: Mean.
        scale: Standard deviation.
        dtype: dtype; None means ``floatx()``.
        name: Variable name.
        seed: An int for reproducible values, or None.

    Returns:
        A variable.
    """
    return variable(random_normal(shape, mean, scale, dtype=dtype, seed=seed), dtype=dtype, name=name)


def random_uniform_variable(shape: Any, low: float, high: float, dtype: Any = None, name: str | None = None,
                            seed: Any = None) -> KerasVariable:
    """A variable of uniform samples in ``[low, high)``.

    Args:
        shape: Shape.
        low: Lower bound.
        high: Upper bound (exclusive).
        dtype: dtype; None means ``floatx()``.
        name: Variable name.
        seed: An int for reproducible values, or None.

    Returns:
        A variable.
    """
    return variable(random_uniform(shape, low, high, dtype=dtype, seed=seed), dtype=dtype, name=name)


def _as_like(x: torch.Tensor, value: Any) -> torch.Tensor:
    if isinstance(value, torch.Tensor):
        return value.detach().to(device=x.device, dtype=x.dtype)
    return torch.as_tensor(np.asarray(value), dtype=x.dtype, device=x.device)


def update(x: Any, new_x: Any) -> Any:
    """Assign ``new_x`` to the variable ``x``; returns ``x``.

    Args:
        x: Variable.
        new_x: New value, shaped as ``x``.

    Returns:
        ``x``.
    """
    with torch.no_grad():
        x.copy_(_as_like(x, new_x))
    return x


def update_add(x: Any, increment: Any) -> Any:
    """``x += increment`` in place; returns ``x``.

    Args:
        x: Variable.
        increment: Value added, shaped as ``x``.

    Returns:
        ``x``.
    """
    with torch.no_grad():
        x.add_(_as_like(x, increment))
    return x


def update_sub(x: Any, decrement: Any) -> Any:
    """``x -= decrement`` in place; returns ``x``.

    Args:
        x: Variable.
        decrement: Value subtracted, shaped as ``x``.

    Returns:
        ``x``.
    """
    with torch.no_grad():
        x.sub_(_as_like(x, decrement))
    return x


def moving_average_update(x: Any, value: Any, momentum: float) -> Any:
    """``x = x * momentum + value * (1 - momentum)`` in place (tf-keras 2's arithmetic); returns ``x``.

    Args:
        x: Variable updated in place.
        value: New observation, shaped as ``x``.
        momentum: Weight of the old value.

    Returns:
        ``x``.
    """
    with torch.no_grad():
        x.sub_((x - _as_like(x, value)) * (1 - momentum))
    return x


def eval(x: Any) -> np.ndarray:  # noqa: A001 - the tf-keras name
    """The value of a tensor or variable as a numpy array.

    Args:
        x: Tensor or variable.

    Returns:
        A numpy array.
    """
    return get_value(x)


def is_keras_tensor(x: Any) -> bool:
    """Whether ``x`` is a symbolic tensor (from ``keras.Input`` or a layer called on one).

    Args:
        x: Any object.

    Returns:
        A bool.
    """
    return isinstance(x, KerasTensor)


def clear_session() -> None:
    """Reset default layer names (``dense``, ``dense_1``...) and free cached memory."""
    naming.reset()
    _reset_metric_uids()
    gc.collect()
    if torch.cuda.is_available():
        torch.cuda.empty_cache()


def get_uid(prefix: str = "") -> int:
    """1, 2, 3... for successive calls with the same ``prefix`` (restarted by ``clear_session``).

    Args:
        prefix: Counter name.

    Returns:
        The next count for ``prefix``.
    """
    return naming.session_uid(prefix)


def reset_uids() -> None:
    """Restart every :func:`get_uid` counter."""
    naming.reset_uids()
