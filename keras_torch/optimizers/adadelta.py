"""``Adadelta``, Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("Adadelta", "adadelta", category="optimizers")
class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and squared updates.

    ``ag = rho * ag + (1 - rho) * g**2``; ``d = -sqrt(ad + eps) * g / sqrt(ag + eps)``;
    ``ad = rho * ad + (1 - rho) * d**2``; ``w += lr * d``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        rho: Decay rate. Defaults to ``0.95``.
        epsilon: Defaults to ``1e-7``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Adadelta(learning_rate=1.0)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.9986, 2.0014], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.001, rho: float = 0.95, epsilon: float = 1e-7, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.epsilon = epsilon

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulated_grads, self._accumulated_delta_vars = self.add_optimizer_variables(
            var_list, ["accumulated_grad", "accumulated_delta_var"]
        )

    def _update(self, params, grads, idx, lr):
        rho, eps = float(self.rho), float(self.epsilon)
        acc_g = [self._accumulated_grads[i] for i in idx]
        acc_d = [self._accumulated_delta_vars[i] for i in idx]
        torch._foreach_mul_(acc_g, rho)
        sq = torch._foreach_mul(grads, grads)
        torch._foreach_mul_(sq, 1 - rho)
        torch._foreach_add_(acc_g, sq)
        delta = torch._foreach_add(acc_d, eps)
        _utils.sqrt_(delta)
        torch._foreach_mul_(delta, grads)
        den = torch._foreach_add(acc_g, eps)
        _utils.sqrt_(den)
        torch._foreach_div_(delta, den)
        torch._foreach_neg_(delta)
        torch._foreach_mul_(acc_d, rho)
        sq = torch._foreach_mul(delta, delta)
        torch._foreach_mul_(sq, 1 - rho)
        torch._foreach_add_(acc_d, sq)
        torch._foreach_mul_(delta, lr)
        torch._foreach_add_(params, delta)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rho": self.rho, "epsilon": self.epsilon})
        return config
