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
    """Mean of the squared errors over the last axis: ``mean(square(y_true - y_pred), axis=-1)``.

    The per-sample form of :class:`MeanSquaredError` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.mean_squared_error(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    tensor([0.5000, 0.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.mean(torch.square(y_true - y_pred), dim=-1)


@register("mean_absolute_error", "mae", "MAE", category=_CAT)
def mean_absolute_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Mean of the absolute errors over the last axis: ``mean(abs(y_true - y_pred), axis=-1)``.

    The per-sample form of :class:`MeanAbsoluteError` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.mean_absolute_error(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    tensor([0.5000, 0.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return torch.mean(torch.abs(y_true - y_pred), dim=-1)


@register("mean_absolute_percentage_error", "mape", "MAPE", category=_CAT)
def mean_absolute_percentage_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Mean absolute percentage error: ``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``.

    The per-sample form of :class:`MeanAbsolutePercentageError` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.mean_absolute_percentage_error(np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]]))
    tensor([37.5000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    diff = torch.abs((y_true - y_pred) / torch.clamp(torch.abs(y_true), min=config.epsilon()))
    return 100.0 * torch.mean(diff, dim=-1)


@register("mean_squared_logarithmic_error", "msle", "MSLE", category=_CAT)
def mean_squared_logarithmic_error(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Mean squared logarithmic error: ``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`` (values clipped at
    ``epsilon``).

    The per-sample form of :class:`MeanSquaredLogarithmicError` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.mean_squared_logarithmic_error(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    tensor([0.2402])
    """
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
    """Negative cosine similarity: ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``. Values lie in
    ``[-1, 1]``; -1 means the same direction, so minimizing it brings predictions and targets closer.

    The per-sample form of :class:`CosineSimilarity` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        axis: The axis along which the cosine similarity is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.cosine_similarity(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]]))
    tensor([-0.0000, -1.0000])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    return -torch.sum(l2_normalize(y_true, axis) * l2_normalize(y_pred, axis), dim=axis)


@register("huber", category=_CAT)
def huber(y_true: Any, y_pred: Any, delta: float = 1.0) -> torch.Tensor:
    """Huber loss: ``0.5 * x**2`` where ``|x| <= delta`` and ``delta * (|x| - 0.5 * delta)`` beyond, with
    ``x = y_true - y_pred``; mean over the last axis. Less sensitive to outliers than the squared error.

    The per-sample form of :class:`Huber` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        delta: The point where the loss changes from quadratic to linear (default 1.0).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.huber(np.array([[0.0, 1.0]]), np.array([[0.5, 3.0]]))
    tensor([0.8125])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    error = y_pred - y_true
    abs_error = torch.abs(error)
    delta_t = torch.as_tensor(delta, dtype=y_pred.dtype, device=y_pred.device)
    quad = 0.5 * torch.square(error)
    lin = delta_t * abs_error - 0.5 * torch.square(delta_t)
    return torch.mean(torch.where(abs_error <= delta_t, quad, lin), dim=-1)


@register("log_cosh", "logcosh", category=_CAT)
def log_cosh(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Logarithm of the hyperbolic cosine of the error, ``mean(log(cosh(y_pred - y_true)), axis=-1)``: about
    ``x**2 / 2`` for small errors and ``|x| - log(2)`` for large ones.

    The per-sample form of :class:`LogCosh` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.log_cosh(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    tensor([0.2169])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    x = y_pred - y_true
    return torch.mean(x + F.softplus(x * -2.0) - math.log(2.0), dim=-1)


def convert_binary_labels_to_hinge(y_true: torch.Tensor) -> torch.Tensor:
    """Map {0, 1} labels to {-1, 1}; other labels pass through (no host sync)."""
    is_binary = torch.all((y_true == 0) | (y_true == 1))
    return torch.where(is_binary, 2.0 * y_true - 1.0, y_true)


@register("hinge", category=_CAT)
def hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``. Targets should be -1 or 1; binary 0/1 targets are
    converted to -1/1.

    The per-sample form of :class:`Hinge` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.hinge(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor([1.1000])
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.clamp(1.0 - y_true * y_pred, min=0.0), dim=-1)


@register("squared_hinge", category=_CAT)
def squared_hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``. Targets should be -1 or 1; binary
    0/1 targets are converted to -1/1.

    The per-sample form of :class:`SquaredHinge` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.squared_hinge(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor([1.4600])
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    y_true = convert_binary_labels_to_hinge(y_true)
    return torch.mean(torch.square(torch.clamp(1.0 - y_true * y_pred, min=0.0)), dim=-1)


@register("categorical_hinge", category=_CAT)
def categorical_hinge(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` and
    ``neg = max((1 - y_true) * y_pred)``, for one-hot targets.

    The per-sample form of :class:`CategoricalHinge` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.categorical_hinge(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor([1.2000])
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    pos = torch.sum(y_true * y_pred, dim=-1)
    neg = torch.amax((1.0 - y_true) * y_pred, dim=-1)
    return torch.clamp(neg - pos + 1.0, min=0.0)


@register("kl_divergence", "kld", "KLD", "kullback_leibler_divergence", category=_CAT)
def kl_divergence(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[epsilon, 1]``.

    The per-sample form of :class:`KLDivergence` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.kl_divergence(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]))
    tensor([0.5108])
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    eps = config.epsilon()
    y_true = torch.clamp(y_true, eps, 1.0)
    y_pred = torch.clamp(y_pred, eps, 1.0)
    return torch.sum(y_true * torch.log(y_true / y_pred), dim=-1)


@register("poisson", category=_CAT)
def poisson(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``, for count data.

    The per-sample form of :class:`Poisson` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.poisson(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]]))
    tensor([1.0000])
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    return torch.mean(y_pred - y_true * torch.log(y_pred + config.epsilon()), dim=-1)


def _sum(x: torch.Tensor, axis: int | tuple[int, ...] | list[int] | None) -> torch.Tensor:
    if axis is None:
        return torch.sum(x)
    return torch.sum(x, dim=tuple(axis) if isinstance(axis, (list, tuple)) else axis)


@register("dice", category=_CAT)
def dice(y_true: Any, y_pred: Any, axis: int | tuple[int, ...] | None = None) -> torch.Tensor:
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``, used for segmentation.

    The per-sample form of :class:`Dice` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        axis: Axis or axes summed over (default ``None``: all of them, one value for the batch).

    Returns:
        The loss over ``axis``: a scalar with the default ``axis=None``, else a tensor without those axes.

    Example:

    >>> keras.losses.dice(np.array([[1.0, 0.0, 1.0]]), np.array([[0.8, 0.2, 0.6]]))
    tensor(0.2222)
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    inter = _sum(y_true * y_pred, axis)
    return 1 - 2.0 * inter / (_sum(y_true, axis) + _sum(y_pred, axis) + config.epsilon())


@register("tversky", category=_CAT)
def tversky(
    y_true: Any, y_pred: Any, alpha: float = 0.5, beta: float = 0.5, axis: int | tuple[int, ...] | None = None
) -> torch.Tensor:
    """Tversky loss: ``1 - TP / (TP + alpha * FP + beta * FN)``, a generalization of the Dice loss (
    ``alpha = beta = 0.5``) that weighs false positives and false negatives differently.

    The per-sample form of :class:`Tversky` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        alpha: Weight of the false positives (default 0.5).
        beta: Weight of the false negatives (default 0.5).
        axis: Axis or axes summed over (default ``None``: all of them).

    Returns:
        The loss over ``axis``: a scalar with the default ``axis=None``, else a tensor without those axes.

    Example:

    >>> keras.losses.tversky(np.array([[1.0, 0.0, 1.0]]), np.array([[0.8, 0.2, 0.6]]), alpha=0.3, beta=0.7)
    tensor(0.1860)
    """
    y_true, y_pred = _pair(y_true, y_pred, squeeze=False)
    inter = _sum(y_true * y_pred, axis)
    fp = _sum((1 - y_pred) * y_true, axis)
    fn = _sum(y_pred * (1 - y_true), axis)
    return 1 - inter / (inter + fp * alpha + fn * beta + config.epsilon())
