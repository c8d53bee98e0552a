"""Keras activations (``keras.activations``) as torch functions.

softmax/sigmoid attach their input as ``out._keras_logits`` (like Keras's TF backend) so that
crossentropy losses can compute from logits: exact TF-Keras loss values and a fused fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import registry

_CAT = "activations"


def _reg(*names: str) -> Callable:
    return registry.register(*names, category=_CAT)


@_reg("linear")
def linear(x: torch.Tensor) -> torch.Tensor:
    """Identity."""
    return x


@_reg("relu")
def relu(
    x: torch.Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> torch.Tensor:
    """Keras relu with optional leak, cap and threshold."""
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if threshold != 0.0:
        out = torch.where(x > threshold, x, torch.zeros_like(x))
        if negative_slope != 0.0:
            out = out + torch.where(x < threshold, negative_slope * (x - threshold), torch.zeros_like(x))
    elif negative_slope != 0.0:
        out = torch.where(x >= 0, x, negative_slope * x)
    else:
        out = F.relu(x)
    if max_value is not None:
        out = torch.clamp(out, max=max_value)
    return out


@_reg("relu6")
def relu6(x: torch.Tensor) -> torch.Tensor:
    return F.relu6(x)


@_reg("leaky_relu")
def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    return F.leaky_relu(x, negative_slope)


@_reg("elu")
def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    return F.elu(x, alpha)


@_reg("selu")
def selu(x: torch.Tensor) -> torch.Tensor:
    return F.selu(x)


@_reg("gelu")
def gelu(x: torch.Tensor, approximate: bool = False) -> torch.Tensor:
    return F.gelu(x, approximate="tanh" if approximate else "none")


@_reg("celu")
def celu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    return F.celu(x, alpha)


@_reg("glu")
def glu(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    return F.glu(x, dim=axis)


@_reg("sigmoid")
def sigmoid(x: torch.Tensor) -> torch.Tensor:
    out = torch.sigmoid(x)
    out._keras_logits = x
    out._keras_logits_kind = "sigmoid"
    return out


@_reg("hard_sigmoid")
def hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Keras 3 definition: relu6(x + 3) / 6."""
    return F.hardsigmoid(x)


@_reg("hard_sigmoid_keras2")
def hard_sigmoid_keras2(x: torch.Tensor) -> torch.Tensor:
    """Keras 2 / tf-keras definition: clip(0.2 x + 0.5, 0, 1) (used for old files)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


@_reg("hard_silu", "hard_swish")
def hard_silu(x: torch.Tensor) -> torch.Tensor:
    return F.hardswish(x)


@_reg("silu", "swish")
def silu(x: torch.Tensor) -> torch.Tensor:
    return F.silu(x)


# Keras exports both spellings of these two as the same function.
swish = silu
hard_swish = hard_silu


@_reg("tanh")
def tanh(x: torch.Tensor) -> torch.Tensor:
    return torch.tanh(x)


@_reg("hard_tanh")
def hard_tanh(x: torch.Tensor) -> torch.Tensor:
    return F.hardtanh(x)


@_reg("softplus")
def softplus(x: torch.Tensor) -> torch.Tensor:
    # Keras (TF) softplus has no threshold shortcut; log1p(exp(-|x|)) + max(x, 0) is exact.
    return torch.clamp_min(x, 0) + torch.log1p(torch.exp(-torch.abs(x)))


@_reg("softsign")
def softsign(x: torch.Tensor) -> torch.Tensor:
    return F.softsign(x)


@_reg("soft_shrink")
def soft_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    return F.softshrink(x, threshold)


@_reg("hard_shrink")
def hard_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    return F.hardshrink(x, threshold)


@_reg("tanh_shrink")
def tanh_shrink(x: torch.Tensor) -> torch.Tensor:
    return F.tanhshrink(x)


@_reg("squareplus")
def squareplus(x: torch.Tensor, b: float = 4.0) -> torch.Tensor:
    return (x + torch.sqrt(x * x + b)) / 2


@_reg("sparse_plus")
def sparse_plus(x: torch.Tensor) -> torch.Tensor:
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4))


@_reg("threshold")
def threshold(x: torch.Tensor, threshold: float = 0.0, default_value: float = 0.0) -> torch.Tensor:
    return torch.where(x > threshold, x, torch.full_like(x, default_value))


@_reg("mish")
def mish(x: torch.Tensor) -> torch.Tensor:
    return x * torch.tanh(softplus(x))


@_reg("exponential")
def exponential(x: torch.Tensor) -> torch.Tensor:
    return torch.exp(x)


@_reg("log_sigmoid")
def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    return F.logsigmoid(x)


@_reg("sparse_sigmoid")
def sparse_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, (x + 1) / 2 between."""
    return torch.clamp((x + 1.0) / 2.0, 0.0, 1.0)


@_reg("softmax")
def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    out = torch.softmax(x, dim=axis)
    # TensorFlow subtracts the row's max: a row holding +inf or NaN (a diverged model's logits) gives
    # NaN there and 0 at the finite logits, where torch gives NaN for the whole row.
    out = torch.where(torch.isnan(out) & torch.isfinite(x), torch.zeros((), dtype=out.dtype, device=out.device), out)
    if axis == -1 or axis == x.ndim - 1:
        out._keras_logits = x
        out._keras_logits_kind = "softmax"
    return out


@_reg("log_softmax")
def log_softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    return torch.log_softmax(x, dim=axis)


@_reg("sparsemax")
def sparsemax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Keras 3's sparsemax, verbatim (all its backends): ``tau`` is ``(sum of the cumulative sums
    over the support - 1) / k``, which is not the paper's ``(cumsum_k - 1) / k`` -- kept so models
    give Keras's outputs."""
    z, _ = torch.sort(x, dim=axis, descending=True)
    cum = torch.cumsum(z, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = torch.arange(1, x.shape[axis] + 1, device=x.device, dtype=x.dtype).view(shape)
    support = z - (cum - 1) / r > 0
    k = support.sum(dim=axis, keepdim=True).to(x.dtype)
    tau = (torch.where(support, cum, torch.zeros((), dtype=x.dtype, device=x.device)).sum(dim=axis, keepdim=True) - 1) / k
    return torch.clamp_min(x - tau, 0)


def serialize(activation: Callable | None) -> Any:
    """Name string of a registered activation (``None`` → ``"linear"``)."""
    if activation is None:
        return "linear"
    if hasattr(activation, "get_config"):
        return registry.serialize_keras_object(activation, "layers")
    for name, fn in registry.registered(_CAT).items():
        if fn is activation:
            return name
    return registry.get_registered_name(activation)


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    """Inverse of :func:`serialize`; also accepts Keras layer configs (e.g. a LeakyReLU dict)."""
    if isinstance(config, dict):
        return registry.deserialize_keras_object(config, "layers", custom_objects)
    return get(config, custom_objects)


def get(identifier: Any, custom_objects: dict | None = None) -> Callable:
    """Resolve an activation: ``None``/``"linear"`` → identity, a string, a dict, or a callable."""
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return registry.get(_CAT, identifier, custom_objects, what="activation function")
    if isinstance(identifier, dict):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")
