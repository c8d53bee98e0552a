"""Saving and restoring optimizer state (``variables`` in Keras 3 order, Keras layout).

Slots of a variable that keras_torch stores in a torch-native layout are converted with the
variable's ``to_keras`` / ``to_torch`` callables when present, so files match Keras's.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from keras_torch.core import dtensor


class StateMixin:
    """``get_weights``/``set_weights``/``save_own_variables``/``load_own_variables``/``state_dict``.

    Expects the host class to provide ``_variables``, ``_variable_names``, ``_variable_owners``,
    ``_iterations``, ``_host_iterations``, ``_deferred_state``, ``built``, ``name`` and ``variables``.
    """

    def _to_keras(self, i: int, value: torch.Tensor) -> np.ndarray:
        value = dtensor.full_value(value)  # (a sharded slot is gathered whole)
        owner = self._variable_owners[i]
        fn = getattr(owner, "to_keras", None) if owner is not None else None
        if callable(fn) and tuple(value.shape) == tuple(owner.shape):
            value = fn(value)
        value = value.detach()
        # ``.cpu().numpy()`` of a CPU tensor shares memory: copy so saved state is a snapshot.
        return value.cpu().numpy() if value.device.type != "cpu" else value.clone().numpy()

    def _from_keras(self, i: int, array: Any) -> torch.Tensor:
        owner = self._variable_owners[i]
        value = torch.as_tensor(np.asarray(array))
        fn = getattr(owner, "to_torch", None) if owner is not None else None
        # The inverse of ``_to_keras`` whatever the shapes: a square Dense kernel or a GRU bias (gate
        # blocks reordered) has the same shape in both layouts.
        if callable(fn):
            value = fn(value)
        return value

    def get_weights(self) -> list[np.ndarray]:
        """Numpy copies of :attr:`variables` (Keras layout)."""
        return [self._to_keras(i, v) for i, v in enumerate(self.variables)]

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Assign numpy arrays to :attr:`variables` (same order and shapes as :meth:`get_weights`)."""
        if not self.built:
            raise ValueError(
                "You are calling `set_weights()` on an optimizer that has not yet been built. Please call "
                "`optimizer.build(trainable_variables)` to create the optimizer weights before calling "
                "`set_weights()`."
            )
        self._assign_all(list(weights))

    def _assign_all(self, arrays: list[Any]) -> None:
        with torch.no_grad():
            for i, (variable, array) in enumerate(zip(self._variables, arrays)):
                if self._assign_part(i, variable, array):
                    continue
                value = self._from_keras(i, array)
                if tuple(value.shape) != tuple(variable.shape):
                    raise ValueError(
                        f"Optimizer variable {self._variable_names[i]} has shape {tuple(variable.shape)} not "
                        f"compatible with provided weight shape {tuple(value.shape)}."
                    )
                dtensor.assign(variable, value.to(dtype=variable.dtype))
                if variable is self._iterations:
                    self._host_iterations = int(np.asarray(array).reshape(()))

    def _assign_part(self, i: int, variable: torch.Tensor, array: Any) -> bool:
        """A sharded slot given a value still in a file: read this process' block only."""
        if not getattr(array, "sliceable", False) or variable is self._iterations:
            return False
        owner = self._variable_owners[i]
        fn = getattr(owner, "to_torch", None) if owner is not None else None
        fn = fn if callable(fn) else None
        keras_shape = tuple(array.shape)
        probe = torch.empty(keras_shape, device="meta")
        if tuple((fn(probe) if fn is not None else probe).shape) != tuple(variable.shape):
            return False  # (the whole-value path reports the mismatch)
        return dtensor.assign_part(variable, array.read_part, keras_shape, fn)

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """Write :attr:`variables` into ``store`` under ``"0"``, ``"1"``... (Keras ``.weights.h5``)."""
        for i, value in enumerate(self.get_weights()):
            store[str(i)] = value

    def load_own_variables(self, store: Any) -> None:
        """Inverse of :meth:`save_own_variables`.

        If the optimizer is not built yet, the values are kept and restored when it is built
        (first :meth:`step`); a count mismatch then warns and skips, like Keras.
        """
        # (values still in a file are read one at a time when assigned; a sharded slot reads its part)
        arrays = [store[str(i)] for i in range(len(store.keys()))]
        if not self.built and len(arrays) != len(self._variables):
            self._deferred_state = {str(i): np.asarray(a) for i, a in enumerate(arrays)}
            return
        self._load_arrays(arrays)

    def _load_arrays(self, arrays: list[np.ndarray]) -> None:
        if len(arrays) != len(self._variables):
            msg = (
                f"Skipping variable loading for optimizer '{self.name}', because it has "
                f"{len(self._variables)} variables whereas the saved optimizer has {len(arrays)} variables. "
            )
            if len(self._variables) == 0:
                msg += "This is likely because the optimizer has not been called/built yet."
            warnings.warn(msg, stacklevel=3)
            return
        self._assign_all(arrays)

    def _restore_deferred(self) -> None:
        if self._deferred_state is not None and self.built:
            state, self._deferred_state = self._deferred_state, None
            self._load_arrays([state[str(i)] for i in range(len(state))])

    def state_dict(self) -> dict[str, Any]:
        """torch-style checkpoint: ``{"variables": [numpy arrays], "config": get_config()}``."""
        return {"variables": self.get_weights(), "config": self.get_config()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Inverse of :meth:`state_dict` (deferred until build if needed)."""
        self.load_own_variables({str(i): a for i, a in enumerate(state["variables"])})
