"""``Lamb`` (You et al., 2019: layer-wise adaptive moments), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer


@registry.register("Lamb", "lamb", category="optimizers")
class Lamb(Optimizer):
    """Lamb: the Adam direction ``m_hat / (sqrt(v_hat) + epsilon)``, rescaled per variable by the trust
    ratio ``||w|| / ||update||`` (1 when either norm is 0).

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_1: Decay rate of the first moment. Defaults to ``0.9``.
        beta_2: Decay rate of the second moment. Defaults to ``0.999``.
        epsilon: Added to ``sqrt(v_hat)``. Defaults to ``1e-7``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Lamb(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.8419, 2.1581], dtype=float32)
    """

    def __init__(self, learning_rate: Any = 0.001, beta_1: float = 0.9, beta_2: float = 0.999, epsilon: float = 1e-7,
                 **kwargs: Any) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])

    def _update(self, params, grads, idx, lr):
        local_step = self._local_step(lr)
        beta_1_power = torch.pow(torch.full_like(lr, float(self.beta_1)), local_step)
        beta_2_power = torch.pow(torch.full_like(lr, float(self.beta_2)), local_step)
        for var, grad, i in zip(params, grads, idx):
            m, v = self._momentums[i], self._velocities[i]
            m.add_((grad - m) * (1 - self.beta_1))
            v.add_((torch.square(grad) - v) * (1 - self.beta_2))
            m_t_hat = m / (1.0 - beta_1_power)
            v_sqrt = torch.sqrt(v / (1.0 - beta_2_power)) + self.epsilon
            update = m_t_hat / v_sqrt
            w_norm = torch.sqrt(torch.sum(torch.square(var)))
            g_norm = torch.sqrt(torch.sum(torch.square(update)))
            one = torch.ones_like(w_norm)
            ratio = torch.where(w_norm > 0, torch.where(g_norm > 0, w_norm / g_norm, one), one)
            var.sub_(ratio * lr * update)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
