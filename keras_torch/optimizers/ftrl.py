"""``Ftrl`` (Follow The Regularized Leader), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


def _pow(tensors: list[torch.Tensor], power: float) -> list[torch.Tensor]:
    # A correctly rounded sqrt for the default -0.5 power (TF's pow(x, 0.5) rounds the same way).
    return _utils.sqrt(tensors) if power == 0.5 else torch._foreach_pow(tensors, power)


@registry.register("Ftrl", "ftrl", category="optimizers")
class Ftrl(Optimizer):
    """FTRL-Proximal with L1, L2 and L2-shrinkage regularization (Keras 3 update rule).

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        learning_rate_power: ``<= 0``; ``-0.5`` is the usual FTRL rate. Defaults to ``-0.5``.
        initial_accumulator_value: ``>= 0``. Defaults to ``0.1``.
        l1_regularization_strength: ``>= 0``. Defaults to ``0.0``.
        l2_regularization_strength: ``>= 0``. Defaults to ``0.0``.
        l2_shrinkage_regularization_strength: ``>= 0`` magnitude penalty. Defaults to ``0.0``.
        beta: Defaults to ``0.0``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Ftrl(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.381 , 1.0155], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        learning_rate_power: float = -0.5,
        initial_accumulator_value: float = 0.1,
        l1_regularization_strength: float = 0.0,
        l2_regularization_strength: float = 0.0,
        l2_shrinkage_regularization_strength: float = 0.0,
        beta: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        checks = {
            "initial_accumulator_value": (initial_accumulator_value < 0.0, "needs to be positive or zero"),
            "learning_rate_power": (learning_rate_power > 0.0, "needs to be negative or zero"),
            "l1_regularization_strength": (l1_regularization_strength < 0.0, "needs to be positive or zero"),
            "l2_regularization_strength": (l2_regularization_strength < 0.0, "needs to be positive or zero"),
            "l2_shrinkage_regularization_strength": (
                l2_shrinkage_regularization_strength < 0.0,
                "needs to be positive or zero",
            ),
        }
        for arg, (bad, what) in checks.items():
            if bad:
                raise ValueError(f"`{arg}` {what}. Received: {arg}={locals()[arg]}.")
        self.learning_rate_power = learning_rate_power
        self.initial_accumulator_value = initial_accumulator_value
        self.l1_regularization_strength = l1_regularization_strength
        self.l2_regularization_strength = l2_regularization_strength
        self.l2_shrinkage_regularization_strength = l2_shrinkage_regularization_strength
        self.beta = beta

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._accumulators, self._linears = self.add_optimizer_variables(
            var_list, ["accumulator", "linear"], initializer=[float(self.initial_accumulator_value), "zeros"]
        )

    def _update(self, params, grads, idx, lr):
        power = -float(self.learning_rate_power)
        # ``beta / (2 * lr)`` as a true division (``float / tensor`` would be ``reciprocal * float``).
        l2_reg = torch.div(torch.full_like(lr, float(self.beta)), 2.0 * lr) + float(self.l2_regularization_strength)
        l1 = float(self.l1_regularization_strength)
        accum = [self._accumulators[i] for i in idx]
        linear = [self._linears[i] for i in idx]
        grad_to_use = torch._foreach_mul(params, 2 * float(self.l2_shrinkage_regularization_strength))
        grad_to_use = torch._foreach_add(grads, grad_to_use)
        new_accum = torch._foreach_add(accum, torch._foreach_mul(grads, grads))
        new_pow = _pow(new_accum, power)
        sigma = torch._foreach_sub(new_pow, _pow(accum, power))
        torch._foreach_div_(sigma, lr)
        torch._foreach_mul_(sigma, params)
        torch._foreach_add_(linear, torch._foreach_sub(grad_to_use, sigma))
        quadratic = torch._foreach_div(new_pow, lr)
        two_l2 = 2 * l2_reg
        for q in quadratic:  # (_foreach_add_ with a 0-d CUDA tensor synchronized with the host, torch 2.11)
            q.add_(two_l2)
        clipped = torch._foreach_clamp_min(linear, -l1)
        torch._foreach_clamp_max_(clipped, l1)
        torch._foreach_sub_(clipped, linear)
        torch._foreach_div_(clipped, quadratic)
        torch._foreach_copy_(params, clipped)
        torch._foreach_copy_(accum, new_accum)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update(
            {
                "learning_rate_power": self.learning_rate_power,
                "initial_accumulator_value": self.initial_accumulator_value,
                "l1_regularization_strength": self.l1_regularization_strength,
                "l2_regularization_strength": self.l2_regularization_strength,
                "l2_shrinkage_regularization_strength": self.l2_shrinkage_regularization_strength,
                "beta": self.beta,
            }
        )
        return config
