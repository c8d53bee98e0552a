"""Keras weight constraints (``keras.constraints``): ``c(weight) -> projected weight`` (Keras layout)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry

_CAT = "constraints"


@registry.register("Constraint", "constraint", category=_CAT)
class Constraint:
    """Base class: called on the Keras-layout weight after each optimizer update."""

    def __call__(self, w: torch.Tensor) -> torch.Tensor:
        return w

    def get_config(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Constraint:
        return cls(**config)


def _norm(w: torch.Tensor, axis: Any) -> torch.Tensor:
    return torch.sqrt(torch.sum(torch.square(w), dim=axis, keepdim=True))


@registry.register("MaxNorm", "max_norm", "maxnorm", category=_CAT)
class MaxNorm(Constraint):
    """Constraint capping the L2 norm of the weight slices along ``axis`` at ``max_value``.

    Args:
        max_value: Largest allowed norm.
        axis: Axis (or axes) the norms are computed over, in Keras's weight layout: 0 for a ``Dense``
            kernel ``(in, out)`` constrains each unit's incoming weights; ``[0, 1, 2]`` for a ``Conv2D``
            kernel ``(h, w, in, out)`` constrains each filter.

    Example:

    >>> import torch
    >>> constraints.MaxNorm(max_value=1.0)(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, max_value: float = 2.0, axis: Any = 0) -> None:
        self.max_value, self.axis = max_value, axis

    def __call__(self, w):
        norms = _norm(w, self.axis)
        desired = torch.clamp(norms, 0, self.max_value)
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"max_value": self.max_value, "axis": self.axis}


@registry.register("NonNeg", "non_neg", "nonneg", category=_CAT)
class NonNeg(Constraint):
    """Constraint setting negative weights to zero.

    Example:

    >>> import torch
    >>> constraints.NonNeg()(torch.tensor([-1.0, 2.0]))
    tensor([-0., 2.])
    """

    def __call__(self, w):
        return w * (w >= 0).to(w.dtype)


@registry.register("UnitNorm", "unit_norm", "unitnorm", category=_CAT)
class UnitNorm(Constraint):
    """Constraint scaling the weight slices along ``axis`` to unit L2 norm.

    Args:
        axis: Axis (or axes) the norms are computed over (see :class:`MaxNorm`).

    Example:

    >>> import torch
    >>> constraints.UnitNorm()(torch.tensor([[3.0], [4.0]]))
    tensor([[0.6000],
            [0.8000]])
    """

    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (1e-7 + _norm(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@registry.register("MinMaxNorm", "min_max_norm", category=_CAT)
class MinMaxNorm(Constraint):
    """Constraint keeping the L2 norm of the weight slices along ``axis`` within ``[min_value, max_value]``.

    With ``rate < 1`` the weights move only part of the way: the norm becomes
    ``rate * clip(norm, min_value, max_value) + (1 - rate) * norm``.

    Args:
        min_value: Smallest allowed norm.
        max_value: Largest allowed norm.
        rate: Fraction of the correction applied per call (1: the full projection).
        axis: Axis (or axes) the norms are computed over (see :class:`MaxNorm`).

    Example:

    >>> import torch
    >>> constraints.MinMaxNorm(min_value=1.0, max_value=2.0)(torch.tensor([[6.0], [8.0]]))
    tensor([[1.2000],
            [1.6000]])
    """

    def __init__(self, min_value: float = 0.0, max_value: float = 1.0, rate: float = 1.0, axis: Any = 0) -> None:
        self.min_value, self.max_value, self.rate, self.axis = min_value, max_value, rate, axis

    def __call__(self, w):
        norms = _norm(w, self.axis)
        desired = self.rate * torch.clamp(norms, self.min_value, self.max_value) + (1 - self.rate) * norms
        return w * (desired / (1e-7 + norms))

    def get_config(self):
        return {"min_value": self.min_value, "max_value": self.max_value, "rate": self.rate, "axis": self.axis}


@registry.register("RadialConstraint", "radial_constraint", category=_CAT)
class RadialConstraint(Constraint):
    """tf-keras's constraint giving each square ``Conv2D`` kernel slice one value per ring around the center.

    For a ``(k, k, in, out)`` kernel with ``s = k // 2``, every ``(k, k)`` slice becomes rings of
    constant value taken from its diagonal, exactly as tf-keras computes them: the center (one cell
    for odd ``k``, a 2x2 block for even ``k``) gets ``w[s-1, s-1]``; ring ``d`` out from it gets
    ``w[s+d-1, s+d-1]`` for odd ``k`` and ``w[s+d, s+d]`` for even ``k``.
    """

    def __call__(self, w):
        if w.ndim != 4:
            raise ValueError(f"The weight tensor must have rank 4. Received weight tensor with shape: {tuple(w.shape)}")
        k = w.shape[0]
        start = k // 2
        idx = torch.arange(k, device=w.device)
        if k % 2:
            dist = (idx - start).abs()
            offset = -1
        else:
            dist = torch.clamp(torch.maximum(start - 1 - idx, idx - start), min=0)
            offset = 0
        ring = torch.maximum(dist[:, None], dist[None, :])
        source = torch.where(ring == 0, start - 1, start + ring + offset)
        return w[source, source]


# Keras's lowercase spellings are the classes themselves.
max_norm, min_max_norm, non_neg, unit_norm, radial_constraint = MaxNorm, MinMaxNorm, NonNeg, UnitNorm, RadialConstraint


def serialize(constraint: Any) -> Any:
    """Serialize a constraint to its Keras config.

    Args:
        constraint: A constraint instance.

    Returns:
        A dict ``{"module": ..., "class_name": ..., "config": ...}`` as Keras writes it.

    Example:

    >>> constraints.serialize(constraints.MaxNorm(3.0))["config"]
    {'max_value': 3.0, 'axis': 0}
    """
    return registry.serialize_keras_object(constraint, _CAT)


def deserialize(config: Any, custom_objects: dict | None = None) -> Constraint:
    """Rebuild a constraint from a config dict or a name.

    Args:
        config: A config dict (as :func:`serialize` gives) or a registered name such as "non_neg".
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The constraint instance.

    Example:

    >>> type(constraints.deserialize("non_neg")).__name__
    'NonNeg'
    """
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="constraint")


def get(identifier: Any, custom_objects: dict | None = None) -> Any:
    """Resolve a constraint identifier.

    Args:
        identifier: None, a name, a config dict or a callable (returned unchanged).
        custom_objects: Extra ``{name: class}`` to look names up in.

    Returns:
        The constraint (None for None).

    Raises:
        ValueError: for an identifier of another type.

    Example:

    >>> type(constraints.get("unit_norm")).__name__
    'UnitNorm'
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
