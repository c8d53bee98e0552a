"""Connectionist temporal classification: ``ctc`` and ``CTC`` (Keras 3)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core.registry import register
from keras_torch.losses._common import to_tensor
from keras_torch.losses.loss import Loss, LossFunctionWrapper

_CAT = "losses"


@register("ctc", category=_CAT)
def ctc(y_true: Any, y_pred: Any) -> torch.Tensor:
    """Per-sample CTC loss (negative log-likelihood of the labels under all alignments).

    Args:
        y_true: ``(batch, max_label_length)`` integer labels; ``0`` is the blank and pads the end
            of each label sequence (its length is its number of non-zero entries).
        y_pred: ``(batch, time, classes)`` logits (not softmax-normalized).

    Returns:
        ``(batch,)`` losses (``inf`` where no alignment exists, as TensorFlow returns).

    Example:

    >>> keras.losses.ctc(np.array([[1, 2, 0]]), np.zeros((1, 5, 4), "float32"))
    tensor([3.3761])
    """
    y_pred = to_tensor(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.ndim != 2:
        raise ValueError("Targets `y_true` are expected to be a tensor of shape `(batch_size, max_length)` in "
                         f"integer format. Received: y_true.shape={tuple(y_true.shape)}")
    if y_pred.ndim != 3:
        raise ValueError("Logits `y_pred` are expected to be a tensor of shape `(batch_size, max_length, "
                         f"num_classes)`. Received: y_pred.shape={tuple(y_pred.shape)}")
    out_dtype = y_pred.dtype if y_pred.dtype in (torch.float32, torch.float64) else torch.float32
    logits = y_pred.float()  # as TensorFlow's ctc_loss: float32 whatever the input
    labels = y_true.to(torch.int64)
    batch, steps = logits.shape[0], logits.shape[1]
    label_length = (labels != 0).sum(-1)
    input_length = torch.full((batch,), steps, dtype=torch.int64, device=logits.device)
    log_probs = F.log_softmax(logits, -1).transpose(0, 1)
    loss = F.ctc_loss(log_probs, labels, input_length, label_length, blank=0, reduction="none", zero_infinity=False)
    return loss.to(out_dtype)


@register("CTC", category=_CAT)
class CTC(LossFunctionWrapper):
    """CTC loss: :func:`ctc` reduced over the batch.

    Args:
        reduction: Reduction (default ``"sum_over_batch_size"``).
        name: Loss name (default ``"ctc"``).
        dtype: Computation dtype (default floatx).

    Example:

    >>> y_true = np.array([[1, 2, 0]])
    >>> y_pred = np.zeros((1, 5, 4), "float32")
    >>> keras.losses.CTC()(y_true, y_pred)
    tensor(3.3761)
    """

    def __init__(self, reduction: str | None = "sum_over_batch_size", name: str = "ctc", dtype: Any = None) -> None:
        super().__init__(ctc, name=name, reduction=reduction, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)
