"""``Adamax`` (Adam with the infinity norm), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer


@registry.register("Adamax", "adamax", category="optimizers")
class Adamax(Optimizer):
    """Adamax: ``m += (g - m) * (1 - beta_1)``, ``u = max(beta_2 * u, |g|)``,
    ``w -= lr * m / ((1 - beta_1**t) * (u + epsilon))``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_1: Defaults to ``0.9``.
        beta_2: Defaults to ``0.999``.
        epsilon: Defaults to ``1e-7``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Adamax(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.9, 2.1], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._m, self._u = self.add_optimizer_variables(var_list, ["momentum", "norm"])

    def _update(self, params, grads, idx, lr):
        beta_1_power = torch.pow(float(self.beta_1), self._local_step(lr))
        m = [self._m[i] for i in idx]
        u = [self._u[i] for i in idx]
        delta = torch._foreach_sub(grads, m)
        torch._foreach_mul_(delta, 1 - self.beta_1)
        torch._foreach_add_(m, delta)
        torch._foreach_mul_(u, float(self.beta_2))
        torch._foreach_maximum_(u, torch._foreach_abs(grads))
        num = torch._foreach_mul(m, lr)
        den = torch._foreach_add(u, float(self.epsilon))
        torch._foreach_mul_(den, 1 - beta_1_power)
        torch._foreach_div_(num, den)
        torch._foreach_sub_(params, num)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
