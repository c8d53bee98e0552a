"""``MultiOptimizer`` and ``OptimizerMap``: a different optimizer per variable (Keras 3.15)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer
from keras_torch.optimizers.loss_scale_optimizer import LossScaleOptimizer

_CAT = "optimizers"


def _serialize(optimizer: Optimizer) -> dict[str, Any]:
    return registry.serialize_keras_object(optimizer, _CAT)


def _deserialize(config: Any, custom_objects: dict[str, Any] | None) -> Optimizer:
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="optimizer")


@registry.register("OptimizerMap", category=_CAT)
class OptimizerMap(MutableMapping):
    """Maps variable paths (exact keys, else regular expressions matched with ``re.fullmatch``) to optimizers.

    Calling the map with a variable returns the optimizer of ``variable.path`` (``"dense/kernel"``),
    the default optimizer when no key matches.

    Args:
        default_optimizer: Optimizer of the unmatched variables.
        optimizer_map: Initial ``{path or pattern: optimizer}`` entries.

    Example:

    >>> optimizer_map = keras.optimizers.OptimizerMap(keras.optimizers.SGD(), {"encoder/.*": keras.optimizers.Adam()})
    >>> type(optimizer_map["encoder/dense/kernel"]).__name__, type(optimizer_map["head/kernel"]).__name__
    ('Adam', 'SGD')
    """

    def __init__(self, default_optimizer: Optimizer, optimizer_map: dict[str, Optimizer] | None = None) -> None:
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(f"default_optimizer must be a Keras Optimizer instance. Received: {default_optimizer}")
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(f"optimizer_map must be a dictionary. Received: {optimizer_map}")
        self._default_optimizer = default_optimizer
        self._optimizer_map: dict[str, Optimizer] = optimizer_map or {}

    @property
    def default_optimizer(self) -> Optimizer:
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matching = [pattern for pattern in self._optimizer_map if re.fullmatch(pattern, key)]
        if len(matching) > 1:
            raise ValueError(f"Multiple optimizers assigned to variable {key}.")
        return self._optimizer_map[matching[0]] if matching else self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        if key in self._optimizer_map:
            raise ValueError(f"'{key}' already exists in the OptimizerMap with value {self._optimizer_map[key]}. "
                             "Please make sure to not use duplicated keys.")
        if not isinstance(key, str):
            raise ValueError(f"key must be a string. Received: {key}")
        if not isinstance(optimizer, Optimizer):
            raise ValueError(f"optimizer must be a Keras Optimizer instance. Received: {optimizer}")
        if isinstance(optimizer, LossScaleOptimizer):
            raise ValueError("optimizer cannot be LossScaleOptimizer.")
        if isinstance(optimizer, MultiOptimizer):
            raise ValueError("optimizer cannot be MultiOptimizer.")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._optimizer_map)

    def __call__(self, variable: torch.Tensor) -> Optimizer:
        return self[variable.path]

    def get_config(self) -> dict[str, Any]:
        return {"default_optimizer": _serialize(self._default_optimizer),
                "optimizer_map": {k: _serialize(v) for k, v in self._optimizer_map.items()}}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> OptimizerMap:
        default = _deserialize(config["default_optimizer"], custom_objects)
        mapping = {k: _deserialize(v, custom_objects) for k, v in (config.get("optimizer_map") or {}).items()}
        return cls(default, mapping)


@registry.register("MultiOptimizer", category=_CAT)
class MultiOptimizer(Optimizer):
    """Delegates each variable to the optimizer an ``OptimizerMap`` (or a function) chooses for it.

    ``variables`` are this optimizer's (``iteration``, an unused ``learning_rate``) followed by each
    inner optimizer's, in the order the inner optimizers were first met; ``learning_rate`` is not
    defined (set it on the inner optimizers, listed by :attr:`optimizers`).

    Args:
        optimizer_map: An :class:`OptimizerMap`, or a callable ``variable -> optimizer``.
        loss_scale_factor: Overrides the inner optimizers' ``loss_scale_factor``.
        name: Optimizer name.

    Example:

    >>> optimizer = keras.optimizers.MultiOptimizer(
    ...     keras.optimizers.OptimizerMap(keras.optimizers.SGD(0.1), {".*encoder/.*": keras.optimizers.Adam()}))
    >>> model.compile(optimizer=optimizer, loss="mse")  # doctest: +SKIP
    """

    def __init__(self, optimizer_map: OptimizerMap | Callable[[torch.Tensor], Optimizer],
                 loss_scale_factor: float | None = None, name: str | None = None) -> None:
        self._inner_optimizers: list[Optimizer] = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._var_to_optimizer_idx: dict[int, int] = {}
        candidates = list(optimizer_map.values()) if isinstance(optimizer_map, OptimizerMap) else []
        default = getattr(optimizer_map, "default_optimizer", None)
        for opt in candidates + ([default] if default is not None else []):
            if opt not in self._inner_optimizers:
                opt.loss_scale_factor = loss_scale_factor
                self._inner_optimizers.append(opt)

    def _optimizer_of(self, variable: torch.Tensor) -> Optimizer:
        opt = self._optimizer_map(variable)
        if not isinstance(opt, Optimizer):
            raise ValueError(f"Optimizer for variable {getattr(variable, 'path', tuple(variable.shape))} is not an "
                             "Optimizer instance.")
        if isinstance(opt, LossScaleOptimizer):
            raise ValueError("LossScaleOptimizer cannot be used inside an MultiOptimizer.")
        if isinstance(opt, MultiOptimizer):
            raise ValueError("MultiOptimizer cannot be used inside an MultiOptimizer.")
        return opt

    def build(self, var_list: Sequence[torch.Tensor]) -> None:
        if self.built:
            return
        groups: dict[int, list[torch.Tensor]] = {}
        for var in var_list:
            opt = self._optimizer_of(var)
            if opt not in self._inner_optimizers:
                opt.loss_scale_factor = self.loss_scale_factor
                self._inner_optimizers.append(opt)
            idx = self._inner_optimizers.index(opt)
            self._var_to_optimizer_idx[id(var)] = idx
            groups.setdefault(idx, []).append(var)
        for idx, opt in enumerate(self._inner_optimizers):
            if groups.get(idx):
                opt.build(groups[idx])
                opt.built = True
        super().build(var_list)

    @property
    def optimizers(self) -> list[Optimizer]:
        """The inner optimizers."""
        return self._inner_optimizers

    # ------------------------------------------------------------------ state = own + inner
    @property
    def variables(self) -> list[torch.Tensor]:
        self._restore_deferred()
        return self._variables[:] + [v for opt in self._inner_optimizers for v in opt.variables]

    @property
    def variable_names(self) -> list[str]:
        return self._variable_names[:] + [n for opt in self._inner_optimizers for n in opt.variable_names]

    def slots_of(self, variable: torch.Tensor) -> list[torch.Tensor]:
        return super().slots_of(variable) + [v for opt in self._inner_optimizers for v in opt.slots_of(variable)]

    def get_weights(self) -> list[np.ndarray]:
        self._restore_deferred()
        own = [self._to_keras(i, v) for i, v in enumerate(self._variables)]
        return own + [w for opt in self._inner_optimizers for w in opt.get_weights()]

    def _assign_all(self, arrays: list[Any]) -> None:
        start = len(self._variables)
        super()._assign_all(arrays[:start])
        for opt in self._inner_optimizers:
            count = len(opt.variables)
            opt._assign_all(arrays[start:start + count])
            start += count

    def _load_arrays(self, arrays: list[np.ndarray]) -> None:
        if len(arrays) == len(self.variables):
            self._assign_all(arrays)
        else:
            super()._load_arrays(arrays)  # warns and skips: the counts differ

    def load_own_variables(self, store: Any) -> None:
        arrays = [np.asarray(store[str(i)]) for i in range(len(store.keys()))]
        if not self.built:
            self._deferred_state = {str(i): a for i, a in enumerate(arrays)}
            return
        self._load_arrays(arrays)

    # ------------------------------------------------------------------ delegation
    @property
    def learning_rate(self) -> torch.Tensor:
        raise AttributeError("Learning rate cannot be accessed on a MultiOptimizer. Access the learning rate on the "
                             "individual sub-optimizers instead.")

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        raise AttributeError("Learning rate cannot be set on a MultiOptimizer. Set the learning rate on the "
                             "individual sub-optimizers instead.")

    lr = learning_rate

    @property
    def loss_scale_factor(self) -> float | None:
        return self._loss_scale_factor

    @loss_scale_factor.setter
    def loss_scale_factor(self, value: float | None) -> None:
        self._loss_scale_factor = value
        for opt in self._inner_optimizers:
            opt.loss_scale_factor = value

    def _groups(self, variables: Sequence[torch.Tensor]) -> list[list[int]]:
        groups: list[list[int]] = [[] for _ in self._inner_optimizers]
        for k, var in enumerate(variables):
            groups[self._var_to_optimizer_idx[id(var)]].append(k)
        return groups

    def step(self, variables: Sequence[torch.Tensor] | None = None) -> None:
        """Apply ``v.grad`` of ``variables`` (default: the built ones), each with its own optimizer."""
        variables = list(self._trainable_variables if variables is None else variables)
        self._ensure_built(variables)
        for opt, members in zip(self._inner_optimizers, self._groups(variables)):
            subset = [variables[k] for k in members]
            if any(v.grad is not None for v in subset):
                opt.step(subset)
        self._iterations.add_(1)
        self._host_iterations += 1

    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[torch.Tensor] | None = None) -> None:
        if len(grads) == 0:
            return
        if trainable_variables is None:
            if not self.built:
                raise ValueError("When passing `grads` without `variables`, the optimizer must already be built on "
                                 "a list of variables. Call `optimizer.build(trainable_variables)` first.")
            trainable_variables = self._trainable_variables
        variables = list(trainable_variables)
        self._ensure_built(variables)
        if len(grads) != len(self._trainable_variables_indices):
            raise ValueError("Gradients must match trainable variables one-to-one. Received "
                             f"{len(grads)} gradients and {len(self._trainable_variables_indices)} variables.")
        for opt, members in zip(self._inner_optimizers, self._groups(variables)):
            if members:
                opt.apply([grads[k] for k in members], [variables[k] for k in members])
        self._iterations.add_(1)
        self._host_iterations += 1

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        variables = list(var_list)
        for opt, members in zip(self._inner_optimizers, self._groups(variables)):
            if members:
                opt.finalize_variable_values([variables[k] for k in members])

    def get_config(self) -> dict[str, Any]:
        mapping = self._optimizer_map
        serialized = (registry.serialize_keras_object(mapping, _CAT) if isinstance(mapping, OptimizerMap)
                      else registry.get_registered_name(mapping))
        return {"optimizer_map": serialized, "loss_scale_factor": self.loss_scale_factor, "name": self.name}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> MultiOptimizer:
        config = dict(config)
        mapping = config["optimizer_map"]
        if isinstance(mapping, dict):
            config["optimizer_map"] = OptimizerMap.from_config(mapping.get("config", mapping), custom_objects)
        elif isinstance(mapping, str):
            config["optimizer_map"] = registry.get(_CAT, mapping, custom_objects, what="optimizer map function")
        return cls(**config)
