"""``LossScaleOptimizer``: dynamic loss scaling around another optimizer (Keras 3 semantics)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer

_BASE_DEFAULTS = {
    "weight_decay": None, "clipnorm": None, "global_clipnorm": None, "clipvalue": None, "use_ema": False,
    "ema_momentum": 0.99, "ema_overwrite_frequency": None, "loss_scale_factor": None,
    "gradient_accumulation_steps": None,
}


@registry.register("LossScaleOptimizer", category="optimizers")
class LossScaleOptimizer(Optimizer):
    """Dynamically scale the loss (for float16 training) and unscale the gradients.

    Train with ``loss = optimizer.scale_loss(loss)`` before the backward pass. Each apply checks
    the gradients: if all are finite they are divided by ``dynamic_scale`` and applied by the inner
    optimizer, and after ``dynamic_growth_steps`` consecutive finite steps the scale doubles; a
    non-finite gradient skips the step and halves the scale. ``variables`` are this optimizer's
    (``iteration``, ``learning_rate`` -- both unused, as in Keras --, ``step_counter``,
    ``dynamic_scale``) followed by the inner optimizer's; ``learning_rate`` and ``iterations`` are
    the inner optimizer's.

    Args:
        inner_optimizer: The optimizer applying the unscaled gradients (its ``loss_scale_factor``
            is reset to ``None``).
        initial_scale: Starting loss scale. Defaults to ``2 ** 15``.
        dynamic_growth_steps: Finite steps between doublings. Defaults to ``2000``.
        name: Optimizer name.

    Example:

    >>> optimizer = keras.optimizers.LossScaleOptimizer(keras.optimizers.SGD(learning_rate=0.1))
    >>> var = keras.Variable([1.0, 2.0])
    >>> float(optimizer.scale_loss(torch.tensor(1.0)))  # the loss is multiplied by the dynamic scale
    32768.0
    >>> scaled_grads = torch.tensor([0.5, -0.5]) * 32768  # gradients of the scaled loss
    >>> _ = optimizer.apply_gradients([(scaled_grads, var)])  # unscaled before the inner SGD step
    >>> var.numpy().round(4)
    array([0.95, 2.05], dtype=float32)
    """

    def __init__(self, inner_optimizer: Optimizer, initial_scale: float = 2.0**15, dynamic_growth_steps: int = 2000,
                 name: str | None = None, **kwargs: Any) -> None:
        if not kwargs.pop("dynamic", True):
            raise ValueError("LossScaleOptimizer no longer supports `dynamic=False`. Instead, simply set "
                             "`loss_scale_factor` directly on the `inner_optimizer`.")
        for arg, default in _BASE_DEFAULTS.items():  # older configs carried the base arguments at defaults
            if arg in kwargs and kwargs.pop(arg) != default:
                raise ValueError(f"LossScaleOptimizer does not support `{arg}`. Instead, set `{arg}` on the "
                                 "`inner_optimizer`.")
        if kwargs:
            raise ValueError(f"LossScaleOptimizer does not support arguments: `{'`, `'.join(kwargs)}`.")
        super().__init__(learning_rate=0.0, name=name)
        self.inner_optimizer = inner_optimizer
        self.initial_scale = initial_scale
        self.dynamic_growth_steps = dynamic_growth_steps
        self.inner_optimizer.loss_scale_factor = None  # or the gradients would be unscaled twice

    def build(self, var_list: list[torch.Tensor]) -> None:
        self.step_counter = self.add_variable((), initializer="zeros", dtype="int64", name="step_counter")
        self.dynamic_scale = self.add_variable((), initializer=float(self.initial_scale), dtype="float32",
                                               name="dynamic_scale")
        self.inner_optimizer.build(var_list)
        self.inner_optimizer.built = True
        super().build(var_list)

    # ------------------------------------------------------------------ state = own + inner
    @property
    def variables(self) -> list[torch.Tensor]:
        self._restore_deferred()
        return self._variables[:] + self.inner_optimizer.variables

    weights = variables

    @property
    def variable_names(self) -> list[str]:
        return self._variable_names[:] + self.inner_optimizer.variable_names

    def slots_of(self, variable: torch.Tensor) -> list[torch.Tensor]:
        return super().slots_of(variable) + self.inner_optimizer.slots_of(variable)

    def get_weights(self) -> list[np.ndarray]:
        self._restore_deferred()
        return [self._to_keras(i, v) for i, v in enumerate(self._variables)] + self.inner_optimizer.get_weights()

    def _assign_all(self, arrays: list[Any]) -> None:
        n = len(self._variables)
        super()._assign_all(arrays[:n])
        self.inner_optimizer._assign_all(arrays[n:])

    def _load_arrays(self, arrays: list[np.ndarray]) -> None:
        if len(arrays) == len(self._variables) + len(self.inner_optimizer._variables):
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
        return self.inner_optimizer.learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate: Any) -> None:
        self.inner_optimizer.learning_rate = learning_rate

    lr = learning_rate

    @property
    def iterations(self) -> torch.Tensor:
        return self.inner_optimizer.iterations

    def scale_loss(self, loss: Any) -> Any:
        """``loss * dynamic_scale`` (``initial_scale`` before the optimizer is built)."""
        return loss * (self.dynamic_scale if self.built else self.initial_scale)

    def finalize_variable_values(self, var_list: Sequence[torch.Tensor]) -> None:
        self.inner_optimizer.finalize_variable_values(var_list)

    # ------------------------------------------------------------------ applying gradients
    def step(self, variables: Sequence[torch.Tensor] | None = None) -> None:
        """Apply ``v.grad`` of ``variables`` (default: the built ones) with dynamic loss scaling."""
        variables = list(self._trainable_variables if variables is None else variables)
        self.apply([v.grad for v in variables], variables)

    @torch.no_grad()
    def apply(self, grads: Sequence[Any], trainable_variables: Sequence[torch.Tensor] | None = None) -> None:
        if not self.built:
            self.build(list(trainable_variables))
            self.built = True
        grads = [None if g is None else torch.as_tensor(g) for g in grads]
        present = [g for g in grads if g is not None]
        finite = all(bool(torch.isfinite(g).all()) for g in present)  # one host read per step, as Keras's cond
        if not finite:
            self.step_counter.zero_()
            self.dynamic_scale.mul_(0.5)
            return
        scale = self.dynamic_scale
        variables = list(trainable_variables) if trainable_variables is not None else self._trainable_variables
        unscaled = [g if g is None or getattr(v, "overwrite_with_gradient", False) else g / scale.to(g.device)
                    for g, v in zip(grads, variables)]
        self.inner_optimizer.apply(unscaled, trainable_variables)
        if int(self.step_counter) == self.dynamic_growth_steps - 1:
            self.step_counter.zero_()
            self.dynamic_scale.mul_(2.0)
        else:
            self.step_counter.add_(1)

    # ------------------------------------------------------------------ config
    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "inner_optimizer": registry.serialize_keras_object(self.inner_optimizer, "optimizers"),
            "initial_scale": self.initial_scale,
            "dynamic_growth_steps": self.dynamic_growth_steps,
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict[str, Any] | None = None) -> LossScaleOptimizer:
        config = dict(config)
        inner = registry.deserialize_keras_object(config.pop("inner_optimizer"), "optimizers", custom_objects,
                                                  what="optimizer")
        return cls(inner, **config)
