"""One-call torch kernels for the common crossentropy setups (the training loop's hot path).

``fused_for(loss)`` returns ``f(y_true, y_pred) -> tensor | None`` for a
``sum_over_batch_size`` crossentropy without label smoothing, or ``None``. ``f`` returns ``None``
whenever its preconditions do not hold for the given tensors (then the general path runs), so it
only ever computes what the general path computes, in fewer ops: the mean over the batch of
``-sum(t * log_softmax(logits))`` / the integer-label form / ``sigmoid`` crossentropy, from the
logits the softmax/sigmoid activation attached (or the output itself with ``from_logits=True``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.losses import crossentropy as ce

_F32 = torch.float32
_INT = (torch.int64, torch.int32)


_ATTRS = ("_keras_mask", "_keras_logits", "_keras_logits_kind")


def _logits(y_pred: torch.Tensor, from_logits: bool, kind: str) -> torch.Tensor | None:
    if torch.compiler.is_compiling():  # (dynamo cannot read a tensor's __dict__; it traces getattr)
        d = {k: getattr(y_pred, k, None) for k in _ATTRS}
    else:
        d = getattr(y_pred, "__dict__", None)
    if d and d.get("_keras_mask") is not None:
        return None
    logits = d.get("_keras_logits") if d else None
    if logits is None:
        return y_pred if from_logits else None  # probabilities: Keras clips, keep the general path
    if from_logits or d.get("_keras_logits_kind") != kind or logits.shape != y_pred.shape:
        return None  # (from_logits=True on a softmax output warns in the general path)
    return logits if logits.dtype is _F32 else None


def _categorical(from_logits: bool) -> Callable:
    def f(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor | None:
        if y_pred.ndim != 2 or y_pred.dtype is not _F32 or y_true.dtype is not _F32 or y_true.shape != y_pred.shape:
            return None
        if y_pred.shape[1] == 1:
            return None  # the general path warns about one class
        logits = _logits(y_pred, from_logits, "softmax")
        return None if logits is None else F.cross_entropy(logits, y_true)

    return f


def _sparse(from_logits: bool) -> Callable:
    def f(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor | None:
        if y_pred.ndim != 2 or y_pred.dtype is not _F32 or y_true.dtype not in _INT:
            return None
        if y_true.ndim == 2 and y_true.shape[1] == 1:
            y_true = y_true.view(-1)
        if y_true.ndim != 1 or y_true.shape[0] != y_pred.shape[0]:
            return None
        logits = _logits(y_pred, from_logits, "softmax")
        if logits is None:
            return None
        return ce.cross_entropy_checked(logits, y_true if y_true.dtype is torch.int64 else y_true.long())

    return f


def _binary(from_logits: bool) -> Callable:
    def f(y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor | None:
        if y_pred.ndim != 2 or y_pred.dtype is not _F32 or y_true.dtype is not _F32 or y_true.shape != y_pred.shape:
            return None
        logits = _logits(y_pred, from_logits, "sigmoid")
        return None if logits is None else F.binary_cross_entropy_with_logits(logits, y_true)

    return f


_KERNELS = {
    ce.categorical_crossentropy: _categorical,
    ce.sparse_categorical_crossentropy: _sparse,
    ce.binary_crossentropy: _binary,
}


def fused_for(loss: Any) -> Callable | None:
    """The fused form of a resolved ``LossFunctionWrapper``, or ``None``."""
    make = _KERNELS.get(getattr(loss, "fn", None))
    if make is None or loss.reduction != "sum_over_batch_size" or loss._dtype is not _F32:
        return None
    kw = dict(loss._fn_kwargs)
    from_logits = bool(kw.pop("from_logits", False))
    if kw.pop("label_smoothing", 0.0) or kw.pop("axis", -1) not in (-1, 1) or kw.pop("ignore_class", None) is not None:
        return None
    if kw:
        return None
    return make(from_logits)
