"""Keras regularizers (``keras.regularizers``): ``reg(weight) -> scalar tensor``."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry

_CAT = "regularizers"


def _check(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not math.isfinite(value) or value < 0:
        raise ValueError(f"Value for argument `{name}` must be a non-negative float. Received: {name}={value!r}")
    return float(value)


@registry.register("Regularizer", "regularizer", category=_CAT)
class Regularizer:
    """Base class of regularizers: penalties on a weight (or a layer output) added to the training loss.

    A regularizer is called on a tensor and returns a scalar penalty. Layers take them as
    ``kernel_regularizer``, ``bias_regularizer``, ``activity_regularizer``...; the penalties appear in
    ``layer.losses`` / ``model.losses`` and ``fit`` adds them to the loss. Subclasses implement
    ``__call__(x)`` and, to be saved with a model, ``get_config()``.

    Example:

    >>> class L1Half(keras.regularizers.Regularizer):
    ...     def __call__(self, x):
    ...         return 0.5 * keras.ops.sum(keras.ops.abs(x))
    >>> float(L1Half()(np.array([1.0, -3.0])))
    2.0
    >>> layer = keras.layers.Dense(2, kernel_regularizer=L1Half())
    """

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        return x.new_zeros(())

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Regularizer:
        return cls(**config)


@registry.register("L1L2", "l1_l2", "l1l2", category=_CAT)
class L1L2(Regularizer):
    """Regularizer adding ``l1 * sum(|x|) + l2 * sum(x ** 2)`` to the loss.

    Args:
        l1: L1 factor (non-negative).
        l2: L2 factor (non-negative).

    Raises:
        ValueError: for a negative or NaN factor.

    Example:

    >>> import torch
    >>> regularizers.L1L2(l1=0.1, l2=0.01)(torch.tensor([1.0, -2.0]))
    tensor(0.3500)
    """

    def __init__(self, l1: float = 0.0, l2: float = 0.0) -> None:
        self.l1, self.l2 = _check("l1", l1), _check("l2", l2)

    def __call__(self, x):
        out = x.new_zeros(())
        if self.l1:
            out = out + self.l1 * torch.sum(torch.abs(x))
        if self.l2:
            out = out + self.l2 * torch.sum(torch.square(x))
        return out

    def get_config(self):
        return {"l1": self.l1, "l2": self.l2}


@registry.register("L1", "l1", category=_CAT)
class L1(Regularizer):
    """Regularizer adding ``l1 * sum(|x|)`` to the loss.

    Args:
        l1: L1 factor (non-negative).
        **kwargs: ``l`` is accepted as an old spelling of ``l1``.

    Raises:
        ValueError: for a negative or NaN factor.

    Example:

    >>> import torch
    >>> regularizers.L1(0.1)(torch.tensor([1.0, -2.0]))
    tensor(0.3000)
    """

    def __init__(self, l1: float = 0.01, **kwargs: Any) -> None:
        self.l1 = _check("l1", kwargs.pop("l", l1))

    def __call__(self, x):
        return self.l1 * torch.sum(torch.abs(x))

    def get_config(self):
        return {"l1": self.l1}


@registry.register("L2", "l2", category=_CAT)
class L2(Regularizer):
    """Regularizer adding ``l2 * sum(x ** 2)`` to the loss.

    Args:
        l2: L2 factor (non-negative).
        **kwargs: ``l`` is accepted as an old spelling of ``l2``.

    Raises:
        ValueError: for a negative or NaN factor.

    Example:

    >>> import torch
    >>> regularizers.L2(0.1)(torch.tensor([1.0, -2.0]))
    tensor(0.5000)
    """

    def __init__(self, l2: float = 0.01, **kwargs: Any) -> None:
        self.l2 = _check("l2", kwargs.pop("l", l2))

    def __call__(self, x):
        return self.l2 * torch.sum(torch.square(x))

    def get_config(self):
        return {"l2": self.l2}


@registry.register("OrthogonalRegularizer", "orthogonal_regularizer", category=_CAT)
class OrthogonalRegularizer(Regularizer):
    """Regularizer pushing the rows (or columns) of a 2-D weight toward orthogonality.

    The rows are L2-normalized; the penalty is ``factor`` times the mean absolute off-diagonal entry of
    their Gram matrix.

    Args:
        factor: Penalty factor (non-negative).
        mode: "rows" or "columns": which vectors should be orthogonal.

    Raises:
        ValueError: for a negative or NaN factor.

    Example:

    >>> import torch
    >>> regularizers.OrthogonalRegularizer(factor=1.0)(torch.eye(3))
    tensor(0.)
    """

    def __init__(self, factor: float = 0.01, mode: str = "rows") -> None:
        self.factor, self.mode = _check("factor", factor), mode

    def __call__(self, x):
        if self.mode == "columns":
            x = x.T
        x = x / torch.clamp_min(torch.linalg.norm(x, dim=1, keepdim=True), 1e-12)
        prod = x @ x.T
        size = prod.shape[0]
        off = prod - torch.eye(size, dtype=x.dtype, device=x.device)
        return self.factor * torch.sum(torch.abs(off)) / (size * (size - 1))

    def get_config(self):
        return {"factor": self.factor, "mode": self.mode}


# Keras's lowercase spellings are the classes themselves.
l1, l2, orthogonal_regularizer = L1, L2, OrthogonalRegularizer


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Keras 2 helper ``regularizers.l1_l2`` (defaults 0.01 each).

    Args:
        l1: L1 factor.
        l2: L2 factor.

    Returns:
        An :class:`L1L2` regularizer.

    Example:

    >>> regularizers.l1_l2().get_config()
    {'l1': 0.01, 'l2': 0.01}
    """
    return L1L2(l1=l1, l2=l2)


def serialize(regularizer: Any) -> Any:
    """Serialize a regularizer to its Keras config.

    Args:
        regularizer: A regularizer instance.

    Returns:
        A dict ``{"module": ..., "class_name": ..., "config": ...}`` as Keras writes it.

    Example:

    >>> regularizers.serialize(regularizers.L2(0.1))["config"]
    {'l2': 0.1}
    """
    return registry.serialize_keras_object(regularizer, _CAT)


def deserialize(config: Any, custom_objects: dict | None = None) -> Regularizer:
    """Rebuild a regularizer from a config dict or a name.

    Args:
        config: A config dict (as :func:`serialize` gives) or a registered name such as "l2".
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The regularizer instance.

    Example:

    >>> regularizers.deserialize("l2").get_config()
    {'l2': 0.01}
    """
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="regularizer")


def get(identifier: Any, custom_objects: dict | None = None) -> Any:
    """Resolve a regularizer identifier.

    Args:
        identifier: None, a name, a config dict or a callable (returned unchanged).
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The regularizer (None for None).

    Raises:
        ValueError: for an identifier of another type.

    Example:

    >>> type(regularizers.get("l1")).__name__
    'L1'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret regularizer identifier: {identifier!r}")
