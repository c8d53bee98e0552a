"""Crossentropy losses, numerically matching Keras 3 on the TensorFlow backend.

Probability path (``from_logits=False``) = TF-Keras: categorical renormalises ``p / sum(p)``, clips
to ``[eps, 1 - eps]`` and takes ``-sum(t * log p)``; sparse clips, takes ``log`` and then a
``log_softmax`` (TF's ``sparse_softmax_cross_entropy_with_logits`` renormalises); binary clips.

Logits shortcut: like TF-Keras's ``_get_logits``, when ``y_pred`` carries ``_keras_logits`` (set by
keras_torch's ``softmax``/``sigmoid`` activations, with ``_keras_logits_kind``) the loss is computed
from those logits with ``log_softmax`` / ``binary_cross_entropy_with_logits`` and no clipping.
"""

from __future__ import annotations

import warnings
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config
from keras_torch.core.registry import register
from keras_torch.losses._common import canonicalize_axis, set_keras_mask, to_tensor

_CAT = "losses"


def get_logits(output: torch.Tensor, from_logits: bool, kind: str, fn_name: str) -> tuple[torch.Tensor, bool]:
    """``(logits, True)`` when ``output`` came from a ``kind`` activation, else ``(output, from_logits)``.

    Mirrors ``keras/src/backend/tensorflow/nn.py::_get_logits`` (including the warning when
    ``from_logits=True`` is passed a probability tensor: the cached logits are still used).
    """
    logits = getattr(output, "_keras_logits", None)
    if logits is None or getattr(output, "_keras_logits_kind", kind) != kind:
        return output, from_logits
    if tuple(logits.shape) != tuple(output.shape):
        return output, from_logits
    if from_logits:
        act = "Softmax" if kind == "softmax" else "Sigmoid"
        warnings.warn(
            f'"`{fn_name}` received `from_logits=True`, but the `output` argument was produced by a '
            f"{act} activation and thus does not represent logits. Was this intended?",
            stacklevel=3,
        )
    return (logits if logits.dtype == output.dtype else logits.to(output.dtype)), True


def _pred(y_pred: Any) -> torch.Tensor:
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    return y_pred


def _shape_hint(target: torch.Tensor, output: torch.Tensor) -> str:
    if target.ndim < output.ndim or (target.ndim == output.ndim and target.shape[-1] == 1 and output.shape[-1] > 1):
        return (
            " If your labels are integer class indices (not one-hot vectors), use "
            "`sparse_categorical_crossentropy` (or `SparseCategoricalCrossentropy`) instead of "
            "`categorical_crossentropy`."
        )
    return ""


def _check_same_shape(target: torch.Tensor, output: torch.Tensor, hint: bool = False) -> None:
    shapes = f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
    extra = _shape_hint(target, output) if hint else ""
    if target.ndim != output.ndim:
        raise ValueError(
            f"Arguments `target` and `output` must have the same rank (ndim). Received: {shapes}.{extra}"
        )
    if tuple(target.shape) != tuple(output.shape):
        raise ValueError(f"Arguments `target` and `output` must have the same shape. Received: {shapes}.{extra}")


def categorical_crossentropy_op(
    target: torch.Tensor, output: torch.Tensor, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Backend op: ``-sum(target * log(p), axis)`` (``keras.ops.categorical_crossentropy``)."""
    if target.ndim < 1:
        raise ValueError(
            "Arguments `target` and `output` must be at least rank 1. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    _check_same_shape(target, output, hint=True)
    output, from_logits = get_logits(output, from_logits, "softmax", "categorical_crossentropy")
    if from_logits:
        if output.ndim == 2 and axis in (-1, 1):  # one fused call, same math
            return F.cross_entropy(output, target, reduction="none")
        return -torch.sum(target * F.log_softmax(output, dim=axis), dim=axis)
    eps = config.epsilon()
    output = output / torch.sum(output, dim=axis, keepdim=True)
    output = torch.clamp(output, eps, 1.0 - eps)
    return -torch.sum(target * torch.log(output), dim=axis)


# ``F.cross_entropy`` skips targets equal to its ``ignore_index`` (-100 by default): Keras ignores
# nothing unless ``ignore_class`` is given (handled by masking), so the index is one no label can
# have once NaNs are mapped to -1 below.
NO_IGNORE_INDEX = torch.iinfo(torch.int64).min


def out_of_range_labels(target: torch.Tensor, num_classes: int) -> ValueError:
    """The error for integer labels outside ``[0, num_classes)`` (computed only once they failed)."""
    flat = target.reshape(-1)
    bad = flat[(flat < 0) | (flat >= num_classes)]
    value = int(bad[0]) if bad.numel() else "?"
    return ValueError(f"Received a label value of {value} which is outside the valid range of [0, {num_classes}) "
                      "for a sparse categorical crossentropy (the labels must be class indices of the output).")


def cross_entropy_checked(logits: torch.Tensor, target: torch.Tensor, **kwargs: Any) -> torch.Tensor:
    """``F.cross_entropy`` with no ignored index; out-of-range labels raise a ``ValueError`` naming the value."""
    try:
        return F.cross_entropy(logits, target, ignore_index=NO_IGNORE_INDEX, **kwargs)
    except IndexError:
        raise out_of_range_labels(target, int(logits.shape[1] if logits.ndim > 1 else logits.shape[0])) from None


def sparse_categorical_crossentropy_op(
    target: torch.Tensor, output: torch.Tensor, from_logits: bool = False, axis: int = -1
) -> torch.Tensor:
    """Backend op with integer targets (``keras.ops.sparse_categorical_crossentropy``).

    Uses ``F.cross_entropy`` on logits, or on ``log(clip(p))`` for probabilities (TF does the same
    renormalising softmax), so both paths are single fused kernels. Labels outside
    ``[0, classes)`` (NaN included) raise a ``ValueError``, as TensorFlow's kernel does.
    """
    if axis != -1 and axis != output.ndim - 1:
        raise ValueError(f"Only axis=-1 is currently supported. Received: axis={axis}")
    output, from_logits = get_logits(output, from_logits, "softmax", "sparse_categorical_crossentropy")
    if target.ndim == output.ndim and target.shape[-1] == 1:
        target = target.squeeze(-1)
    if output.ndim < 1:
        raise ValueError(f"Argument `output` must be at least rank 1. Received: output.shape={tuple(output.shape)}")
    if target.ndim != output.ndim - 1:
        raise ValueError(
            "Argument `output` must have rank (ndim) `target.ndim - 1`. Received: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if tuple(target.shape) != tuple(output.shape[:-1]):
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: "
            f"target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}"
        )
    if target.is_floating_point():  # NaN/inf would cast to an arbitrary integer: make them invalid
        target = torch.nan_to_num(target, nan=-1.0, posinf=-1.0, neginf=-1.0)
    if target.dtype != torch.int64:
        target = target.to(torch.int64)
    if not from_logits:
        eps = config.epsilon()
        output = torch.log(torch.clamp(output, eps, 1.0 - eps))
    if output.ndim > 2:
        output = output.movedim(-1, 1)
    return cross_entropy_checked(output, target, reduction="none")


def binary_crossentropy_op(target: torch.Tensor, output: torch.Tensor, from_logits: bool = False) -> torch.Tensor:
    """Backend op: elementwise binary crossentropy (``keras.ops.binary_crossentropy``)."""
    _check_same_shape(target, output)
    output, from_logits = get_logits(output, from_logits, "sigmoid", "binary_crossentropy")
    if from_logits:
        return F.binary_cross_entropy_with_logits(output, target, reduction="none")
    eps = config.epsilon()
    output = torch.clamp(output, eps, 1.0 - eps)
    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output))


def _check_axis(axis: Any) -> None:
    if isinstance(axis, bool):
        raise ValueError(  # noqa: TRY004 - Keras raises ValueError
            f"`axis` must be of type `int`. Received: axis={axis} of type {type(axis)}"
        )


def _warn_one_class(name: str, y_pred: torch.Tensor) -> None:
    if y_pred.ndim and y_pred.shape[-1] == 1:
        warnings.warn(
            f"In loss {name}, expected y_pred.shape to be (batch_size, num_classes) with num_classes > 1. "
            f"Received: y_pred.shape={tuple(y_pred.shape)}. Consider using 'binary_crossentropy' if you "
            "only have 2 classes.",
            SyntaxWarning,
            stacklevel=3,
        )


@register("categorical_crossentropy", category=_CAT)
def categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> torch.Tensor:
    """Categorical crossentropy between one-hot targets and predicted class probabilities (or logits). For integer class
    targets use :class:`SparseCategoricalCrossentropy`.

    The per-sample form of :class:`CategoricalCrossentropy` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards ``1 / num_classes``
            (e.g. 0.1 turns a 1 into ``0.9 + 0.1 / num_classes``).
        axis: The axis along which the crossentropy is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.categorical_crossentropy(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    tensor([0.0513, 2.3026])
    """
    _check_axis(axis)
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    _warn_one_class("categorical_crossentropy", y_pred)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    return categorical_crossentropy_op(y_true, y_pred, from_logits=from_logits, axis=axis)


@register("sparse_categorical_crossentropy", category=_CAT)
def sparse_categorical_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, ignore_class: int | None = None, axis: int = -1
) -> torch.Tensor:
    """Categorical crossentropy between integer class targets and predicted class probabilities (or logits). Use it when
    the labels are class indices rather than one-hot vectors.

    The per-sample form of :class:`SparseCategoricalCrossentropy` (no reduction over the batch).

    Args:
        y_true: Integer class indices, ``(batch, ...)``.
        y_pred: Predicted class scores, ``(batch, ..., num_classes)``.
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        ignore_class: Optional class index whose samples (e.g. padding or a "void" class in segmentation) get no loss.
        axis: The axis along which the crossentropy is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.sparse_categorical_crossentropy(np.array([1, 2]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    tensor([0.0513, 2.3026])
    """
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.ndim == y_pred.ndim and y_true.shape[axis] == 1:
        y_true = y_true.squeeze(axis)
    if y_true.is_floating_point() or y_true.dtype == torch.bool:
        y_true = y_true.to(torch.int64)
    if ignore_class is None:
        return sparse_categorical_crossentropy_op(y_true, y_pred, from_logits=from_logits, axis=axis)
    class_axis = canonicalize_axis(axis, y_pred.ndim)
    res_shape = tuple(d for i, d in enumerate(y_pred.shape) if i != class_axis)
    valid_mask = y_true != ignore_class
    # Keras rebuilds y_pred with ``where`` here, which drops the cached logits: do the same (a view is
    # a new tensor object without attributes). Ignored positions get label 0; their loss is zeroed.
    y_pred = y_pred.view_as(y_pred)
    safe_true = torch.where(valid_mask, y_true, torch.zeros((), dtype=y_true.dtype, device=y_true.device))
    res = sparse_categorical_crossentropy_op(safe_true, y_pred, from_logits=from_logits, axis=axis)
    valid_mask = valid_mask.reshape(res_shape)
    res = torch.where(valid_mask, res, torch.zeros((), dtype=res.dtype, device=res.device))
    return set_keras_mask(res, valid_mask)


# Loss wrappers keep integer labels of this function as integers (no float round trip).
sparse_categorical_crossentropy._keras_integer_labels = True  # type: ignore[attr-defined]


@register("binary_crossentropy", "bce", "BCE", category=_CAT)
def binary_crossentropy(
    y_true: Any, y_pred: Any, from_logits: bool = False, label_smoothing: float = 0.0, axis: int = -1
) -> torch.Tensor:
    """Binary crossentropy between binary targets (0 or 1) and predicted probabilities (or logits), averaged over
    ``axis``. Use it for binary classification and multi-label problems.

    The per-sample form of :class:`BinaryCrossentropy` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards 0.5
            (e.g. 0.1 turns a 1 into 0.95).
        axis: The axis along which the mean is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.binary_crossentropy(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]]))
    tensor([0.9163, 0.7136])
    """
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    return torch.mean(binary_crossentropy_op(y_true, y_pred, from_logits=from_logits), dim=axis)


@register("binary_focal_crossentropy", category=_CAT)
def binary_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    apply_class_balancing: bool = False,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Binary focal crossentropy (Lin et al., 2017): the binary crossentropy scaled by ``(1 - p_t) ** gamma`` so that
    well-classified examples count less, which helps with class imbalance.

    The per-sample form of :class:`BinaryFocalCrossentropy` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        apply_class_balancing: Weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: Balancing weight (used with ``apply_class_balancing``; default 0.25).
        gamma: Focusing parameter; 0 gives the plain binary crossentropy (default 2.0).
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards 0.5
            (e.g. 0.1 turns a 1 into 0.95).
        axis: The axis along which the mean is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.binary_focal_crossentropy(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]), gamma=2.0)
    tensor([0.3299])
    """
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    if label_smoothing:
        y_true = y_true * (1.0 - label_smoothing) + 0.5 * label_smoothing
    if from_logits:
        logits = y_pred
        y_pred = torch.sigmoid(logits)
        _check_same_shape(y_true, y_pred)
        bce = F.binary_cross_entropy_with_logits(logits, y_true, reduction="none")
    else:
        bce = binary_crossentropy_op(y_true, y_pred, from_logits=False)
    p_t = y_true * y_pred + (1 - y_true) * (1 - y_pred)
    focal_bce = torch.pow(1.0 - p_t, gamma) * bce
    if apply_class_balancing:
        focal_bce = (y_true * alpha + (1 - y_true) * (1 - alpha)) * focal_bce
    return torch.mean(focal_bce, dim=axis)


@register("categorical_focal_crossentropy", category=_CAT)
def categorical_focal_crossentropy(
    y_true: Any,
    y_pred: Any,
    alpha: float = 0.25,
    gamma: float = 2.0,
    from_logits: bool = False,
    label_smoothing: float = 0.0,
    axis: int = -1,
) -> torch.Tensor:
    """Categorical focal crossentropy (Lin et al., 2017): the categorical crossentropy weighted by
    ``alpha * (1 - p) ** gamma`` so that well-classified examples count less.

    The per-sample form of :class:`CategoricalFocalCrossentropy` (no reduction over the batch).

    Args:
        y_true: Targets, ``(batch, ...)``.
        y_pred: Predictions, same shape as ``y_true``.
        alpha: Weighting factor (default 0.25).
        gamma: Focusing parameter; 0 gives ``alpha`` times the crossentropy (default 2.0).
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards ``1 / num_classes``
            (e.g. 0.1 turns a 1 into ``0.9 + 0.1 / num_classes``).
        axis: The axis along which the crossentropy is computed (default -1).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.categorical_focal_crossentropy(np.array([[0.0, 1.0, 0.0]]), np.array([[0.1, 0.8, 0.1]]))
    tensor([0.0022])
    """
    _check_axis(axis)
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    _warn_one_class("categorical_focal_crossentropy", y_pred)
    if label_smoothing:
        num_classes = y_true.shape[-1]
        y_true = y_true * (1.0 - label_smoothing) + (label_smoothing / num_classes)
    if from_logits:
        y_pred = torch.softmax(y_pred, dim=axis)
    eps = config.epsilon()
    output = y_pred / torch.sum(y_pred, dim=axis, keepdim=True)
    output = torch.clamp(output, eps, 1.0 - eps)
    cce = -y_true * torch.log(output)
    weighting = torch.pow(1.0 - output, gamma) * alpha
    return torch.sum(weighting * cce, dim=axis)


@register("categorical_generalized_cross_entropy", category=_CAT)
def categorical_generalized_cross_entropy(y_true: Any, y_pred: Any, q: float) -> torch.Tensor:
    """Generalized cross entropy (Zhang & Sabuncu, 2018) for integer class targets: ``(1 - p_y ** q) / q``, robust to
    noisy labels; ``q -> 0`` approaches the crossentropy, ``q = 1`` the mean absolute error.

    The per-sample form of :class:`CategoricalGeneralizedCrossEntropy` (no reduction over the batch).

    Args:
        y_true: Integer class indices, ``(batch, ...)``.
        y_pred: Predicted class scores, ``(batch, ..., num_classes)``.
        q: Parameter in ``(0, 1]`` (default 0.5).

    Returns:
        A tensor of per-sample losses: the shape of ``y_pred`` without its last axis.

    Example:

    >>> keras.losses.categorical_generalized_cross_entropy(np.array([1, 2]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]), q=0.5)
    tensor([0.0506, 1.3675])
    """
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device).to(torch.int64)
    one_hot = F.one_hot(y_true, y_pred.shape[-1]).to(y_pred.dtype)
    p = torch.sum(y_pred * one_hot, dim=-1)
    return (1 - torch.pow(p, q)) / q
