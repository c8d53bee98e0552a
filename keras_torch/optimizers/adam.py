"""``Adam`` and ``AdamW`` (decoupled weight decay), Keras 3 formulas."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.optimizers import _utils
from keras_torch.optimizers.base import Optimizer


@registry.register("Adam", "adam", category="optimizers")
class Adam(Optimizer):
    """Adam: adaptive first and second moment estimates.

    ``m += (g - m) * (1 - beta_1)``, ``v += (g**2 - v) * (1 - beta_2)``,
    ``w -= m * lr * sqrt(1 - beta_2**t) / (1 - beta_1**t) / (sqrt(v) + epsilon)``.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_1: Decay rate of the first moment. Defaults to ``0.9``.
        beta_2: Decay rate of the second moment. Defaults to ``0.999``.
        epsilon: "epsilon hat" added to ``sqrt(v)``. Defaults to ``1e-7``.
        amsgrad: Use the running maximum of ``v`` (AMSGrad). Defaults to ``False``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Adam(learning_rate=0.1)
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
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.amsgrad = amsgrad
        # The step count as a device tensor for torch's fused kernel (reused every step).
        self._fused_step: torch.Tensor | None = None

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._momentums, self._velocities = self.add_optimizer_variables(var_list, ["momentum", "velocity"])
        if self.amsgrad:
            self._velocity_hats = self.add_optimizer_variables(var_list, "velocity_hat")

    def _update(self, params, grads, idx, lr):
        m = [self._momentums[i] for i in idx]
        v = [self._velocities[i] for i in idx]
        if _fusable(params, grads, m, v) and self._fused_update(params, grads, m, v, idx, lr):
            return
        local_step = self._local_step(lr)
        beta_1_power = torch.pow(float(self.beta_1), local_step)
        beta_2_power = torch.pow(float(self.beta_2), local_step)
        alpha = lr * torch.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        delta = torch._foreach_sub(grads, m)
        torch._foreach_mul_(delta, 1 - self.beta_1)
        torch._foreach_add_(m, delta)
        delta = torch._foreach_mul(grads, grads)
        torch._foreach_sub_(delta, v)
        torch._foreach_mul_(delta, 1 - self.beta_2)
        torch._foreach_add_(v, delta)
        if self.amsgrad:
            v_hat = [self._velocity_hats[i] for i in idx]
            torch._foreach_maximum_(v_hat, v)
            v = v_hat
        num = torch._foreach_mul(m, alpha)
        den = _utils.sqrt(v)
        torch._foreach_add_(den, float(self.epsilon))
        torch._foreach_div_(num, den)
        torch._foreach_sub_(params, num)

    def _fused_update(self, params, grads, m, v, idx, lr):
        """The same update with torch's fused Adam kernel (one call instead of ~12 ``_foreach``).

        torch's kernel computes ``w -= lr / (1 - b1**t) * m / (sqrt(v) / sqrt(1 - b2**t) + eps')``;
        with ``eps' = epsilon / sqrt(1 - b2**t)`` that is exactly Keras's
        ``w -= lr * sqrt(1 - b2**t) / (1 - b1**t) * m / (sqrt(v) + epsilon)``, and its moment
        updates are Keras's too. On the CPU the step and learning rate are read directly; on an
        accelerator the step comes from the host mirror and the learning rate stays a device
        tensor (the kernel takes a tensor ``lr``), so the update costs no host sync.
        """
        if lr.device.type not in _FUSED_DEVICES:
            return False
        on_cpu = lr.device.type in _HOST_LR_DEVICES
        t = float(self.iterations) + 1.0 if on_cpu else float(self._host_step_count() + 1)
        steps = self._fused_step
        if steps is None or steps.device != lr.device:
            steps = self._fused_step = torch.zeros((), dtype=torch.float32, device=lr.device)
        steps.fill_(t)
        b1, b2 = float(self.beta_1), float(self.beta_2)
        # Keras computes the bias corrections in float32 (``power(cast(beta, float32), t)``); the
        # kernel computes them in float64. Rescale lr and epsilon so the product is Keras's.
        k1 = 1.0 - float(np.float32(b1) ** np.float32(t))
        k2 = 1.0 - float(np.float32(b2) ** np.float32(t))
        d1, d2 = 1.0 - b1**t, 1.0 - b2**t
        if min(k1, k2, d1, d2) <= 0.0:  # (a beta of 0/1 or an astronomically late step) keep Keras's path
            return False
        scale = math.sqrt(k2) / k1 * d1 / math.sqrt(d2)
        lr_f = float(lr) * scale if on_cpu else (lr * scale).float()
        eps = float(self.epsilon) / math.sqrt(d2)
        torch._fused_adam_(
            params,
            grads,
            m,
            v,
            [self._velocity_hats[i] for i in idx] if self.amsgrad else [],
            [steps] * len(params),
            lr=lr_f,
            beta1=b1,
            beta2=b2,
            weight_decay=0.0,
            eps=eps,
            amsgrad=bool(self.amsgrad),
            maximize=False,
        )
        return True

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_1": self.beta_1, "beta_2": self.beta_2, "epsilon": self.epsilon, "amsgrad": self.amsgrad})
        return config


@registry.register("AdamW", "adamw", category="optimizers")
class AdamW(Adam):
    """Adam with decoupled weight decay ``w -= w * weight_decay * lr`` before each update.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        weight_decay: Decoupled weight decay rate. Defaults to ``0.004``.
        beta_1: Defaults to ``0.9``.
        beta_2: Defaults to ``0.999``.
        epsilon: Defaults to ``1e-7``.
        amsgrad: Defaults to ``False``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.AdamW(learning_rate=0.1, weight_decay=0.01)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.899, 2.098], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        weight_decay: float = 0.004,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
        amsgrad: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(
            learning_rate=learning_rate,
            beta_1=beta_1,
            beta_2=beta_2,
            epsilon=epsilon,
            amsgrad=amsgrad,
            weight_decay=weight_decay,
            **kwargs,
        )
        if self.weight_decay is None:
            raise ValueError("Argument `weight_decay` must be a float. Received: weight_decay=None")


_FUSED_DTYPES = (torch.float32, torch.float64)
_FUSED_DEVICES = ("cpu", "cuda")
_HOST_LR_DEVICES = ("cpu",)  # devices where reading lr / iterations to the host costs no sync


def _fusable(params: list[torch.Tensor], grads: list[torch.Tensor], m: list[Any], v: list[Any]) -> bool:
    """The fused kernel walks a parameter, its gradient and its slots element by element in
    memory order: require a dtype it supports and one dense layout shared by the four tensors
    (``is_contiguous`` ignores the strides of size-1 dimensions, which may differ)."""
    for p, g, a, b in zip(params, grads, m, v):
        if p.dtype not in _FUSED_DTYPES or g.dtype != p.dtype or g.is_sparse or a is None:
            return False
        if p.is_contiguous() and g.is_contiguous() and a.is_contiguous() and b.is_contiguous():
            continue
        fmt = _FORMATS.get(p.dim())
        if fmt is None or not all(t.is_contiguous(memory_format=fmt) for t in (p, g, a, b)):
            return False
    return True


_FORMATS = {4: torch.channels_last, 5: torch.channels_last_3d}
