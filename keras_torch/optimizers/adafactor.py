"""``Adafactor`` (Shazeer & Stern, 2018), Keras 3 formulas."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers import _layout
from keras_torch.optimizers.base import Optimizer


def _rms(x: torch.Tensor) -> torch.Tensor:
    return torch.sqrt(torch.mean(torch.square(x)))


@registry.register("Adafactor", "adafactor", category="optimizers")
class Adafactor(Optimizer):
    """Adafactor: second moments of matrices kept as row and column factors.

    For a variable of rank >= 2 the squared gradients are averaged into ``r`` (over the last axis)
    and ``c`` (over the second-to-last), with decay ``1 - t ** beta_2_decay``; the second moment
    is ``r / mean(r) x c``. The step is ``max(epsilon_2, rms(w)) * min(lr, 1/sqrt(t))`` times the
    update ``g / sqrt(v)`` clipped to RMS ``clip_threshold``. The axes are Keras's: a weight stored
    in a torch layout is updated through its Keras-layout view, so ``r`` and ``c`` (and the saved
    state) match Keras. Variables of rank < 2 get scalar int32 placeholders for ``r``/``c``, as in
    Keras (they are part of ``optimizer.variables``).

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        beta_2_decay: Decay exponent of the second-moment rate. Defaults to ``-0.8``.
        epsilon_1: Added to the squared gradients. Defaults to ``1e-30``.
        epsilon_2: Floor of the variable RMS in the step size. Defaults to ``1e-3``.
        clip_threshold: Update RMS threshold. Defaults to ``1.0``.
        relative_step: With a float learning rate, cap it at ``1 / sqrt(t)``. Defaults to ``True``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Adafactor(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.8419, 2.1581], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        beta_2_decay: float = -0.8,
        epsilon_1: float = 1e-30,
        epsilon_2: float = 1e-3,
        clip_threshold: float = 1.0,
        relative_step: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, **kwargs)
        self.beta_2_decay = beta_2_decay
        self.epsilon_1 = epsilon_1
        self.epsilon_2 = epsilon_2
        self.clip_threshold = clip_threshold
        self.relative_step = relative_step

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self._r: list[torch.Tensor | None] = []
        self._c: list[torch.Tensor | None] = []
        self._v: list[torch.Tensor | None] = []
        for var in var_list:
            name = getattr(var, "name", None) or "variable"
            overwrite = getattr(var, "overwrite_with_gradient", False)
            shape = _layout.keras_shape(var)
            if len(shape) < 2:  # placeholders, as Keras's backend.Variable(0)
                self._r.append(self.add_variable((), dtype="int32", name=name))
                self._c.append(self.add_variable((), dtype="int32", name=name))
            elif overwrite:
                self._r.append(None)
                self._c.append(None)
            else:
                self._r.append(self.add_variable(shape[:-1], dtype=var.dtype, name=name))
                self._c.append(self.add_variable(shape[:-2] + shape[-1:], dtype=var.dtype, name=name))
            self._v.append(None if overwrite else self.add_variable_from_reference(var, "velocity"))

    def _update(self, params, grads, idx, lr):
        local_step = self._local_step(lr)
        if self._learning_rate is self._lr_var and self.relative_step:
            lr = torch.minimum(lr, 1 / torch.sqrt(local_step))
        rho_t = torch.minimum(lr, 1 / torch.sqrt(local_step))
        beta_2_t = 1 - torch.pow(local_step, float(self.beta_2_decay))
        for var, grad, i in zip(params, grads, idx):
            w = _layout.to_keras(var, var)
            g = _layout.to_keras(var, grad)
            alpha_t = torch.clamp(_rms(w), min=float(self.epsilon_2)) * rho_t
            regulated = torch.square(g) + float(self.epsilon_1)
            v_slot = self._v[i]
            if g.dim() >= 2:
                r, c = self._r[i], self._c[i]
                r.copy_(beta_2_t * r + (1 - beta_2_t) * torch.mean(regulated, dim=-1))
                c.copy_(beta_2_t * c + (1 - beta_2_t) * torch.mean(regulated, dim=-2))
                v = (r / torch.mean(r, dim=-1, keepdim=True)).unsqueeze(-1) * c.unsqueeze(-2)
            else:
                v = beta_2_t * _layout.to_keras(var, v_slot) + (1 - beta_2_t) * regulated
            v_slot.copy_(_layout.to_torch(var, v))
            u = g / torch.sqrt(v)
            u_hat = u / torch.clamp(_rms(u) / float(self.clip_threshold), min=1.0)
            var.sub_(_layout.to_torch(var, alpha_t * u_hat))

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({"beta_2_decay": self.beta_2_decay, "epsilon_1": self.epsilon_1, "epsilon_2": self.epsilon_2,
                       "clip_threshold": self.clip_threshold, "relative_step": self.relative_step})
        return config
