"""``RMSprop`` (plain momentum, optional centering; epsilon inside the square root), Keras 3."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("RMSprop", "rmsprop", category="optimizers")
class RMSprop(Optimizer):
    """RMSprop: divide the gradient by a running root mean square of recent gradients.

    ``v = rho * v + (1 - rho) * g**2``; ``inc = lr * g / sqrt(v + epsilon)`` (centered:
    ``sqrt(v - mg**2 + epsilon)`` with ``mg = rho * mg + (1 - rho) * g``); with momentum
    ``mom = momentum * mom + inc`` and ``w -= mom``, else ``w -= inc``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        rho: Discounting factor of the old gradients. Defaults to ``0.9``.
        momentum: Momentum (``0.0`` disables it). Defaults to ``0.0``.
        epsilon: Added inside the square root. Defaults to ``1e-7``.
        centered: Normalise by the estimated variance. Defaults to ``False``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.RMSprop(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.6838, 2.3162], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        rho: float = 0.9,
        momentum: float = 0.0,
        epsilon: float = 1e-7,
        centered: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.rho = rho
        self.momentum = momentum
        self.epsilon = epsilon
        self.centered = centered

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._velocities = self.add_optimizer_variables(var_list, "velocity")
        self._momentums = []
        if self.momentum > 0:
            self._momentums = self.add_optimizer_variables(var_list, "momentum")
        self._average_gradients = []
        if self.centered:
            self._average_gradients = self.add_optimizer_variables(var_list, "average_gradient")

    def _update(self, params, grads, idx, lr):
        rho = float(self.rho)
        velocity = [self._velocities[i] for i in idx]
        torch._foreach_mul_(velocity, rho)
        sq = torch._foreach_mul(grads, grads)
        torch._foreach_mul_(sq, 1 - rho)
        torch._foreach_add_(velocity, sq)
        if self.centered:
            avg = [self._average_gradients[i] for i in idx]
            torch._foreach_mul_(avg, rho)
            torch._foreach_add_(avg, torch._foreach_mul(grads, 1 - rho))
            denominator = torch._foreach_sub(velocity, torch._foreach_mul(avg, avg))
            torch._foreach_add_(denominator, float(self.epsilon))
        else:
            denominator = torch._foreach_add(velocity, float(self.epsilon))
        increment = torch._foreach_mul(grads, lr)
        torch._foreach_div_(increment, _utils.sqrt(denominator))
        if self.momentum > 0:
            mom = [self._momentums[i] for i in idx]
            torch._foreach_mul_(mom, float(self.momentum))
            torch._foreach_add_(mom, increment)
            torch._foreach_sub_(params, mom)
        else:
            torch._foreach_sub_(params, increment)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"rho": self.rho, "momentum": self.momentum, "epsilon": self.epsilon, "centered": self.centered})
        return config
