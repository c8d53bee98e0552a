"""``ScheduleFreeAdamW`` (Defazio et al., 2024), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("ScheduleFreeAdamW", "schedulefreeadamw", category="optimizers")
class ScheduleFreeAdamW(Optimizer):
    """Schedule-free AdamW: no learning-rate schedule needed; the model variable holds ``y``, the
    interpolation ``(1 - beta_1) * z + beta_1 * x`` of the Adam-stepped sequence ``z`` (slot
    ``momentum``, started at the variable's value) and its running average ``x``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.0025``.
        beta_1: Interpolation between ``z`` and ``x``. Defaults to ``0.9``.
        beta_2: Decay rate of the second moment. Defaults to ``0.999``.
        epsilon: Added to the corrected ``sqrt(v)``. Defaults to ``1e-8``.
        warmup_steps: Linear learning-rate warmup length (0: none). Defaults to ``0``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.ScheduleFreeAdamW(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.9, 2.1], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.0025, beta_1: float = 0.9, beta_2: float = 0.999,
                 epsilon: float = 1e-8, warmup_steps: int = 0, **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.warmup_steps = warmup_steps

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        with torch.no_grad():
            for momentum, var in zip(self._momentums, var_list):
                if momentum is not None:
                    momentum.copy_(var)

    def _update(self, params, grads, idx, lr):
        local_step = self._local_step(lr)
        beta_1 = torch.full_like(lr, float(self.beta_1))
        beta_2 = torch.full_like(lr, float(self.beta_2))
        if self.warmup_steps > 0:
            lr = lr * torch.clamp(local_step / float(self.warmup_steps), max=1.0)
        bias_correction_2 = 1 - torch.pow(beta_2, local_step)
        weight = 1.0 / local_step
        for var, grad, i in zip(params, grads, idx):
            z, v = self._momentums[i], self._velocities[i]
            v.add_((torch.square(grad) - v) * (1 - beta_2))
            denom = _utils.sqrt([v / bias_correction_2])[0] + float(self.epsilon)
            z.sub_((lr * grad) / denom)
            # Keras's "momentum_old" is a live reference to the slot (TensorFlow ``variable.value``), so
            # x_old is recovered with the already-updated z; kept so trajectories equal Keras's.
            x_old = (var - (1 - beta_1) * z) / beta_1
            x_new = (1 - weight) * x_old + weight * z
            var.copy_((1 - beta_1) * z + beta_1 * x_new)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon,
                       "warmup_steps": self.warmup_steps})
        return config
