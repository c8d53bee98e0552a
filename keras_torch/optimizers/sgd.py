"""``SGD``: gradient descent with optional (Nesterov) momentum, Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer


@registry.register("SGD", "sgd", category="optimizers")
class SGD(Optimizer):
    """Gradient descent (with momentum) optimizer.

    ``momentum == 0``: ``w -= lr * g``. Otherwise ``velocity = momentum * velocity - lr * g`` and
    ``w += velocity`` (Nesterov: ``w += momentum * velocity - lr * g``).

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.01``.
        momentum: Float in ``[0, 1]``. Defaults to ``0.0``.
        nesterov: Whether to apply Nesterov momentum. Defaults to ``False``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.SGD(learning_rate=0.1, momentum=0.9)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.95, 2.05], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.01, momentum: float = 0.0, nesterov: bool = False, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or momentum < 0 or momentum > 1:
            raise ValueError("`momentum` must be a float between [0, 1].")
        self.momentum = float(momentum)
        self.nesterov = nesterov

    def build(self, variables: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(variables)
        self.momentums = []
        if self.momentum != 0:
            self.momentums = self.add_optimizer_variables(variables, "momentum")

    def _update(self, params, grads, idx, lr):
        step = torch._foreach_mul(grads, lr)  # g * lr
        if self.momentum == 0:
            torch._foreach_sub_(params, step)
            return
        m = [self.momentums[i] for i in idx]
        torch._foreach_mul_(m, self.momentum)
        torch._foreach_sub_(m, step)
        if self.nesterov:
            delta = torch._foreach_mul(m, self.momentum)
            torch._foreach_sub_(delta, step)
            torch._foreach_add_(params, delta)
        else:
            torch._foreach_add_(params, m)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"momentum": self.momentum, "nesterov": self.nesterov})
        return config
