"""``Lion`` (sign of interpolated momentum), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer


@registry.register("Lion", "lion", category="optimizers")
class Lion(Optimizer):
    """Lion: ``w -= lr * sign(beta_1 * m + (1 - beta_1) * g)``; ``m = beta_2 * m + (1 - beta_2) * g``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_1: Interpolation factor of the update direction, in ``(0, 1]``. Defaults to ``0.9``.
        beta_2: Decay rate of the momentum. Defaults to ``0.99``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Lion(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.9, 2.1], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.99, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        if beta_1 <= 0 or beta_1 > 1:
            raise ValueError(
                "Argument `beta_1` must be in the [0, 1] range. Otherwise, the optimizer degenerates to "
                f"SignSGD. Received: beta_1={beta_1}."
            )

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums = self.add_optimizer_variables(var_list, "momentum")

    def _update(self, params, grads, idx, lr):
        # Keras casts the betas first, so ``1 - beta`` is rounded in float32.
        b1 = torch.full((), float(self.beta_1), dtype=lr.dtype, device=lr.device)
        b2 = torch.full((), float(self.beta_2), dtype=lr.dtype, device=lr.device)
        m = [self._momentums[i] for i in idx]
        direction = torch._foreach_mul(m, b1)
        torch._foreach_add_(direction, torch._foreach_mul(grads, 1.0 - b1))
        torch._foreach_sign_(direction)
        torch._foreach_mul_(direction, lr)
        torch._foreach_sub_(params, direction)
        torch._foreach_mul_(m, b2)
        torch._foreach_add_(m, torch._foreach_mul(grads, 1.0 - b2))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2})
        return config
