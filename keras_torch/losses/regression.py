"""Per-sample loss functions other than crossentropy (Keras 3 ``losses/losses.py`` formulas).

Each returns the unreduced loss (usually the mean over the last axis) as a torch tensor.
"""

from __future__ import annotations

import math
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config
from keras_torch.core.registry import register
from keras_torch.losses._common import squeeze_or_expand_to_same_rank, to_tensor

_CAT = "losses"


def _pair(y_true: Any, y_pred: Any, squeeze: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    if squeeze:
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return y_true, y_pred


@register("mean_squared_error", "mse", "MSE", category=_CAT)
def mean_squared_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(square(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@register("mean_absolute_error", "mae", "MAE", category=_CAT)
def mean_absolute_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(abs(y_true - y_pred), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@register("mean_absolute_percentage_error", "mape", "MAPE", category=_CAT)
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=config.epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


@register("mean_squared_logarithmic_error", "msle", "MSLE", category=_CAT)
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(square(log(max(y_pred, eps) + 1) - log(max(y_true, eps) + 1)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred)
    eps = config.epsilon()
    first_log = torch.log(torch.clamp(y_pred, min=eps) + 1.0)
    second_log = torch.log(torch.clamp(y_true, min=eps) + 1.0)
    return torch.mean(torch.square(first_log - second_log), dim=-1)


def l2_normalize(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """``x * min(rsqrt(sum(x**2)), 1/epsilon)`` (``keras.ops.normalize`` with order 2)."""
    inv_norm = torch.rsqrt(torch.sum(torch.square(x), dim=axis, keepdim=True))
    return x * torch.clamp(inv_norm, max=1.0 / config.epsilon())


@register("cosine_similarity", category=_CAT)
def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> torch.Tensor:
    """``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)`` (a loss: lower is more similar)."""
    y_true, y_pred = _pair(y_true, y_pred)
    return -torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


@register("huber", category=_CAT)
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> torch.Tensor:
    """Quadratic for ``|error| <= delta``, linear beyond; mean over the last axis."""
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    delta_t = torch.as_tensor(delta, dtype=y_pred.dtype, device=y_pred.device)
    quad = 0.5 * torch.square(error)
    lin = delta_t * abs_error - 0.5 * torch.square(delta_t)
    return torch.mean(torch.where(abs_error <= delta_t, quad, lin), dim=-1)


@register("log_cosh", "logcosh", category=_CAT)
def log_cosh(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(x + softplus(-2x) - log(2))`` with ``x = y_pred - y_true``."""
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return torch.mean(x + F.softplus(x * -2.0) - math.log(2.0), dim=-1)


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """Map {0, 1} labels to {-1, 1}; other labels pass through (no host sync)."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@register("hinge", category=_CAT)
def hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``; {0,1} labels become {-1,1}."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


@register("squared_hinge", category=_CAT)
def squared_hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


@register("categorical_hinge", category=_CAT)
def categorical_hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``maximum(max((1 - y_true) * y_pred) - sum(y_true * y_pred) + 1, 0)``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


@register("kl_divergence", "kld", "KLD", "kullback_leibler_divergence", category=_CAT)
def kl_divergence(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``sum(y_true * log(y_true / y_pred), axis=-1)`` with both clipped to ``[eps, 1]``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    eps = config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@register("poisson", category=_CAT)
def poisson(y_true: Any, y_pred: Any) -> torch.Tensor:
    """``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    return torch.mean(y_pred - y_true * torch.log(y_pred + config.epsilon()), dim=-1)


def _sum(x: torch.Tensor, axis: int | tuple[int, ...] | list[int] | None) -> torch.Tensor:
    if axis is None:
        return torch.sum(x)
    return torch.sum(x, dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


@register("dice", category=_CAT)
def dice(y_true: Any, y_pred: Any, axis: int | tuple[int, ...] | None = None) -> torch.Tensor:
    """``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred) + eps)`` over ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    inter = _sum(y_true * y_pred, axis)
    return 1 - 2.0 * inter / (_sum(y_true, axis) + _sum(y_pred, axis) + config.epsilon())


@register("tversky", category=_CAT)
def tversky(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: int | tuple[int, ...] | None = None
) -> torch.Tensor:
    """``1 - TP / (TP + alpha * FP + beta * FN + eps)`` over ``axis``."""
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    inter = _sum(y_true * y_pred, axis)
    fp = _sum((1 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1 - y_true), axis)
    return 1 - inter / (inter + fp * alpha + fn * beta + config.epsilon())
