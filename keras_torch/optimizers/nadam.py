"""``Nadam`` (Adam with Nesterov momentum and the 0.96 momentum schedule), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("Nadam", "nadam", category="optimizers")
class Nadam(Optimizer):
    """Nadam: Adam with Nesterov momentum (Dozat, 2015) as implemented by Keras 3.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_1: Defaults to ``0.9``.
        beta_2: Defaults to ``0.999``.
        epsilon: Defaults to ``1e-7``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Nadam(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.8937, 2.1063], dtype=float32)
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
        dtype = var_list[0].dtype if var_list else None
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        # Keras tracks this product of momentum factors last, under the name "variable".
        self._u_product = self.add_variable((), initializer="ones", dtype=dtype, name="variable")

    def _prepare_step(self, learning_rate: torch.Tensor) -> None:
        u = self._u_product
        factor = 1.0 - 0.5 * torch.pow(0.96, self._local_step(u))
        u.copy_(u * float(self.beta_1) * factor)

    def _update(self, params, grads, idx, lr):
        local_step = self._local_step(lr)
        next_step = self._local_step(lr, 2)
        beta_1 = torch.full((), float(self.beta_1), dtype=lr.dtype, device=lr.device)
        beta_2 = torch.full((), float(self.beta_2), dtype=lr.dtype, device=lr.device)
        u_t = beta_1 * (1.0 - 0.5 * torch.pow(0.96, local_step))
        u_t_1 = beta_1 * (1.0 - 0.5 * torch.pow(0.96, next_step))
        u_product_t = self._u_product.to(device=lr.device, dtype=lr.dtype)
        u_product_t_1 = u_product_t * u_t_1
        beta_2_power = torch.pow(beta_2, local_step)
        m = [self._momentums[i] for i in idx]
        v = [self._velocities[i] for i in idx]
        delta = torch._foreach_sub(grads, m)
        torch._foreach_mul_(delta, 1 - beta_1)
        torch._foreach_add_(m, delta)
        delta = torch._foreach_mul(grads, grads)
        torch._foreach_sub_(delta, v)
        torch._foreach_mul_(delta, 1 - beta_2)
        torch._foreach_add_(v, delta)
        m_hat = torch._foreach_mul(m, u_t_1)
        torch._foreach_div_(m_hat, 1 - u_product_t_1)
        g_part = torch._foreach_mul(grads, 1 - u_t)
        torch._foreach_div_(g_part, 1 - u_product_t)
        torch._foreach_add_(m_hat, g_part)
        v_hat = torch._foreach_div(v, 1 - beta_2_power)
        torch._foreach_mul_(m_hat, lr)
        den = _utils.sqrt(v_hat)
        torch._foreach_add_(den, float(self.epsilon))
        torch._foreach_div_(m_hat, den)
        torch._foreach_sub_(params, m_hat)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon})
        return config
