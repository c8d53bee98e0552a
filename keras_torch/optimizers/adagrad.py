"""``Adagrad`` (epsilon inside the square root), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("Adagrad", "adagrad", category="optimizers")
class Adagrad(Optimizer):
    """Adagrad: per-parameter rates scaled by the accumulated squared gradients.

    ``acc += g**2``; ``w -= lr * g / sqrt(acc + epsilon)``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        initial_accumulator_value: Starting value of the accumulators. Defaults to ``0.1``.
        epsilon: Added inside the square root. Defaults to ``1e-7``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Adagrad(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.9155, 2.0845], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators = self.add_optimizer_variables(
            var_list, "accumulator", initializer=float(self.initial_accumulator_value)
        )

    def _update(self, params, grads, idx, lr):
        acc = [self._accumulators[i] for i in idx]
        torch._foreach_add_(acc, torch._foreach_mul(grads, grads))
        num = torch._foreach_mul(grads, lr)
        den = torch._foreach_add(acc, float(self.epsilon))
        _utils.sqrt_(den)
        torch._foreach_div_(num, den)
        torch._foreach_sub_(params, num)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"initial_accumulator_value": self.initial_accumulator_value, "epsilon": self.epsilon})
        return config
