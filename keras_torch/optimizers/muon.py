"""``Muon`` (momentum orthogonalized by Newton-Schulz) with an AdamW fallback, Keras 3 formulas."""

from __future__ import annotations

import re
from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.optimizers.base import Optimizer


@registry.register("Muon", "muon", category="optimizers")
class Muon(Optimizer):
    """Muon for 2D weights, AdamW for the others.

    A 2D variable (not an embedding, not matched by ``exclude_layers``) takes the Newton-Schulz
    orthogonalization of its (Nesterov) momentum, scaled by ``sqrt(max(rows, cols)) * rms_rate``;
    other variables take an AdamW step with ``learning_rate * adam_lr_ratio``. Weight decay is
    ``weight_decay`` for Muon variables and ``adam_weight_decay`` for AdamW ones.

    The orthogonalization commutes with transposition and row/column permutations, so a Dense or
    RNN kernel stored transposed (torch layout) gets exactly Keras's update. Which variables are
    "2D" is decided on the stored tensors: GRU's ``(2, 3 * units)`` Keras bias, stored as two
    vectors, takes the AdamW path here.

    Args:
        learning_rate: Float, schedule or callable. Defaults to ``0.001``.
        adam_beta_1: Decay rate of the AdamW first moment. Defaults to ``0.9``.
        adam_beta_2: Decay rate of the AdamW second moment. Defaults to ``0.999``.
        adam_weight_decay: Weight decay of AdamW variables. Defaults to ``0.004``.
        epsilon: AdamW epsilon. Defaults to ``1e-7``.
        weight_decay: Weight decay of Muon variables. Defaults to ``0.004``.
        exclude_layers: Regular expressions; variables whose path matches one use AdamW.
        exclude_embeddings: Variables whose path contains "embedding" use AdamW. Defaults to ``True``.
        muon_a: Coefficient ``a`` of the Newton-Schulz polynomial.
        muon_b: Coefficient ``b`` of the Newton-Schulz polynomial.
        muon_c: Coefficient ``c`` of the Newton-Schulz polynomial.
        adam_lr_ratio: Learning-rate multiplier of AdamW variables. Defaults to ``1``.
        momentum: Muon momentum. Defaults to ``0.95``.
        ns_steps: Newton-Schulz iterations. Defaults to ``5``.
        nesterov: Use Nesterov momentum. Defaults to ``True``.
        rms_rate: Update scale (Moonlight); ``None`` leaves the update unscaled. Defaults to ``0.2``.
        **kwargs: Base optimizer arguments (see :class:`Optimizer`).

    Example:

    >>> optimizer = keras.optimizers.Muon(learning_rate=0.1)
    >>> var = keras.Variable([1.0, 2.0])
    >>> _ = optimizer.apply_gradients([(torch.tensor([0.5, -0.5]), var)])
    >>> var.numpy().round(4)
    array([0.8996, 2.0992], dtype=float32)
    """

    def __init__(
        self,
        learning_rate: Any = 0.001,
        adam_beta_1: float = 0.9,
        adam_beta_2: float = 0.999,
        adam_weight_decay: float = 0.004,
        epsilon: float = 1e-7,
        weight_decay: float = 0.004,
        exclude_layers: list[str] | None = None,
        exclude_embeddings: bool = True,
        muon_a: float = 3.4445,
        muon_b: float = -4.7750,
        muon_c: float = 2.0315,
        adam_lr_ratio: float = 1,
        momentum: float = 0.95,
        ns_steps: int = 5,
        nesterov: bool = True,
        rms_rate: float | None = 0.2,
        **kwargs: Any,
    ) -> None:
        super().__init__(learning_rate=learning_rate, weight_decay=weight_decay, **kwargs)
        self.adam_beta_1 = adam_beta_1
        self.adam_beta_2 = adam_beta_2
        self.epsilon = epsilon
        self.muon_a = muon_a
        self.muon_b = muon_b
        self.muon_c = muon_c
        self.adam_lr_ratio = adam_lr_ratio
        self.momentum = momentum
        self.ns_steps = ns_steps
        self.nesterov = nesterov
        self.exclude_embeddings = exclude_embeddings
        self.exclude_layers = exclude_layers or []
        self.adam_weight_decay = adam_weight_decay
        self.rms_rate = rms_rate

    def _should_use_adamw(self, variable: torch.Tensor) -> bool:
        if variable.dim() != 2:
            return True
        path = str(getattr(variable, "path", None) or getattr(variable, "name", None) or "")
        if self.exclude_embeddings and "embedding" in path.lower():
            return True
        return any(re.search(keyword, path) for keyword in self.exclude_layers)

    def build(self, var_list: list[torch.Tensor]) -> None:
        if self.built:
            return
        super().build(var_list)
        self.momentums: list[torch.Tensor | None] = [None] * len(var_list)
        self.adam_velocities: list[torch.Tensor | None] = [None] * len(var_list)
        for i, var in enumerate(var_list):
            if getattr(var, "overwrite_with_gradient", False):
                continue
            self.momentums[i] = self.add_variable_from_reference(var, "momentum")
            if self._should_use_adamw(var):
                self.adam_velocities[i] = self.add_variable_from_reference(var, "velocity")

    def _update(self, params, grads, idx, lr):
        for var, grad, i in zip(params, grads, idx):
            m, v = self.momentums[i], self.adam_velocities[i]
            if v is not None:
                self._adamw_update_step(grad, var, lr * self.adam_lr_ratio, m, v)
            else:
                self._muon_update_step(grad, var, lr, m)

    def _muon_update_step(self, gradient: torch.Tensor, variable: torch.Tensor, lr: torch.Tensor,
                          m: torch.Tensor) -> None:
        m.add_(gradient + m * (self.momentum - 1))
        g = gradient + self.momentum * m if self.nesterov else m
        update = self.zeropower_via_newtonschulz5(g, self.ns_steps)
        variable.sub_(self.lr_adjust(lr * update))

    def _adamw_update_step(self, gradient: torch.Tensor, variable: torch.Tensor, lr: torch.Tensor, m: torch.Tensor,
                           v: torch.Tensor) -> None:
        local_step = self._local_step(lr)
        beta_1_power = torch.pow(torch.full_like(lr, float(self.adam_beta_1)), local_step)
        beta_2_power = torch.pow(torch.full_like(lr, float(self.adam_beta_2)), local_step)
        alpha = lr * torch.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        m.add_((gradient - m) * (1 - self.adam_beta_1))
        v.add_((torch.square(gradient) - v) * (1 - self.adam_beta_2))
        variable.sub_((m * alpha) / (torch.sqrt(v) + self.epsilon))

    def lr_adjust(self, x: torch.Tensor) -> torch.Tensor:
        """Moonlight's scaling of a 2D update: ``x * sqrt(max(rows, cols)) * rms_rate``."""
        if self.rms_rate is None:
            return x
        return x * torch.sqrt(torch.tensor(float(max(x.shape[0], x.shape[1])), dtype=x.dtype)) * self.rms_rate

    def zeropower_via_newtonschulz5(self, x: torch.Tensor, steps: int) -> torch.Tensor:
        """Approximate ``U V^T`` of ``x = U S V^T`` by ``steps`` quintic Newton-Schulz iterations."""
        if x.dim() < 2:
            raise ValueError(f"Expected gradient or momentum to have at least 2 dimensions. Received: shape={tuple(x.shape)}")
        a, b, c = self.muon_a, self.muon_b, self.muon_c
        tall = x.shape[-2] > x.shape[-1]
        if tall:
            x = x.transpose(-2, -1)
        x = x / (torch.linalg.matrix_norm(x, keepdim=True) + 1e-7)  # spectral norm at most 1
        for _ in range(steps):
            temp_a = x @ x.transpose(-2, -1)
            temp_b = b * temp_a + (c * temp_a) @ temp_a
            x = a * x + temp_b @ x
        return x.transpose(-2, -1) if tall else x

    def _apply_weight_decay(self, params: list[torch.Tensor], lr: torch.Tensor) -> None:
        for variable in params:
            if not self._use_weight_decay(variable):
                continue
            decay = self.adam_weight_decay if self._should_use_adamw(variable) else self.weight_decay
            if decay is not None:
                variable.sub_(variable * float(decay) * lr)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.update({
            "adam_beta_1": self.adam_beta_1,
            "adam_beta_2": self.adam_beta_2,
            "epsilon": self.epsilon,
            "exclude_layers": self.exclude_layers,
            "muon_a": self.muon_a,
            "muon_b": self.muon_b,
            "muon_c": self.muon_c,
            "adam_lr_ratio": self.adam_lr_ratio,
            "momentum": self.momentum,
            "ns_steps": self.ns_steps,
            "nesterov": self.nesterov,
            "exclude_embeddings": self.exclude_embeddings,
            "adam_weight_decay": self.adam_weight_decay,
            "rms_rate": self.rms_rate,
        })
        return config
