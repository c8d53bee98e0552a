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
    def __call__(self, w):
        return w * (w >= 0).to(w.dtype)


@registry.register("UnitNorm", "unit_norm", "unitnorm", category=_CAT)
class UnitNorm(Constraint):
    def __init__(self, axis: Any = 0) -> None:
        self.axis = axis

    def __call__(self, w):
        return w / (1e-7 + _norm(w, self.axis))

    def get_config(self):
        return {"axis": self.axis}


@registry.register("MinMaxNorm", "min_max_norm", category=_CAT)
class MinMaxNorm(Constraint):
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
    return registry.serialize_keras_object(constraint, _CAT)


def deserialize(config: Any, custom_objects: dict | None = None) -> Constraint:
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="constraint")


def get(identifier: Any, custom_objects: dict | None = None) -> Any:
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret constraint identifier: {identifier!r}")
