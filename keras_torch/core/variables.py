"""Keras variables on torch: ``KerasVariable`` (an ``nn.Parameter`` with the Keras variable API) and
``WeightRecord``, the declaration of one Keras-visible weight with its Keras <-> torch layout converter."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn


class KerasVariable(nn.Parameter):
    """An ``nn.Parameter`` that also speaks the Keras variable API (``assign``, ``numpy``, ``path``...).

    ``shape`` and ``dtype`` stay torch's: ``shape`` is a ``torch.Size``, a ``tuple`` (it compares equal to
    Keras's tuple shape), and ``dtype`` a ``torch.dtype`` (``keras.backend.standardize_dtype`` gives Keras's
    ``"float32"``): torch's own code reads them on every parameter, so they cannot be Keras's strings. A
    layer's weight is stored in torch layout (``Dense``: ``(units, input_dim)``); ``get_weights`` shows it in
    Keras layout.
    """

    # Keras variable attributes, read from the instance ``__dict__`` when set there (class defaults otherwise).
    constraint: Any = None  # applied by the optimizers after each update (set by ``add_weight``)
    regularizer: Any = None  # the weight's regularizer (set by ``add_weight``)
    overwrite_with_gradient: bool = False  # optimizers assign the gradient instead of applying it
    aggregation: str = "none"  # Keras's distributed aggregation (set by ``keras.Variable``)
    synchronization: str = "auto"  # Keras's distributed synchronization (set by ``keras.Variable``)
    # This process' chunk while the data is shape-only ("meta"): a weight created under a sharding
    # distribution, before the model is split (a ``core.pending.PendingChunk``).
    pending_chunk: Any = None

    def __new__(cls, data: torch.Tensor | None = None, requires_grad: bool = True):
        return super().__new__(cls, data, requires_grad)

    name = property(lambda self: self.__dict__.get("_keras_name", "variable"))
    path = property(lambda self: self.__dict__.get("_keras_path", self.name))

    @property
    def trainable(self) -> bool:
        return self.requires_grad

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.requires_grad_(bool(value))

    @property
    def value(self) -> torch.Tensor:
        return self

    def numpy(self) -> np.ndarray:  # type: ignore[override]
        """A copy of the value (as Keras/TensorFlow: later updates do not show in it)."""
        return self.detach().cpu().numpy().copy()

    def assign(self, value: Any) -> KerasVariable:
        with torch.no_grad():
            self.copy_(torch.as_tensor(np.asarray(value) if not torch.is_tensor(value) else value))
        return self

    def assign_add(self, value: Any) -> KerasVariable:
        with torch.no_grad():
            self.add_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def assign_sub(self, value: Any) -> KerasVariable:
        with torch.no_grad():
            self.sub_(torch.as_tensor(value, dtype=self.dtype, device=self.device))
        return self

    def __deepcopy__(self, memo: dict) -> KerasVariable:
        result = type(self)(self.data.clone(memory_format=torch.preserve_format), self.requires_grad)
        result.__dict__.update(self.__dict__)
        memo[id(self)] = result
        return result

    def __reduce_ex__(self, proto: int) -> Any:
        return (_rebuild_variable, (self.data, self.requires_grad, dict(self.__dict__)))


def _rebuild_variable(data: torch.Tensor, requires_grad: bool, state: dict) -> KerasVariable:
    v = KerasVariable(data, requires_grad)
    v.__dict__.update(state)
    return v


@dataclass
class WeightRecord:
    """A Keras-visible weight: its Keras name, where torch stores it, and how to convert layouts."""

    name: str
    attr: str
    trainable: bool
    is_buffer: bool = False
    regularizer: Any = None
    to_torch: Callable[[torch.Tensor], torch.Tensor] | None = None
    to_keras: Callable[[torch.Tensor], torch.Tensor] | None = None


