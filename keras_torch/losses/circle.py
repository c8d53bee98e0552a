"""Circle loss for metric learning: ``circle`` and ``Circle`` (Keras 3, Sun et al. 2020)."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core.registry import register
from keras_torch.losses._common import set_keras_mask, to_tensor
from keras_torch.losses.loss import Loss, LossFunctionWrapper

_CAT = "losses"


def build_pos_neg_masks(query_labels: torch.Tensor, key_labels: torch.Tensor,
                        remove_diagonal: bool = True) -> tuple[torch.Tensor, torch.Tensor]:
    """``(positive, negative)`` boolean pair masks: same label / different label (diagonal not positive)."""
    query_labels = query_labels.reshape(-1, 1) if query_labels.ndim == 1 else query_labels
    key_labels = key_labels.reshape(-1, 1) if key_labels.ndim == 1 else key_labels
    positive = query_labels == key_labels.t()
    negative = ~positive
    if remove_diagonal:
        eye = torch.eye(query_labels.numel(), key_labels.numel(), dtype=torch.bool, device=positive.device)
        positive = positive & ~eye
    return positive, negative


@register("circle", category=_CAT)
def circle(y_true: Any, y_pred: Any, ref_labels: Any = None, ref_embeddings: Any = None,
           remove_diagonal: bool = True, gamma: float = 80, margin: float = 0.4) -> torch.Tensor:
    """Per-sample circle loss over the cosine distances between (L2-normalized) embeddings.

    Args:
        y_true: ``(batch,)`` integer labels.
        y_pred: ``(batch, dim)`` embeddings.
        ref_labels: Labels of the reference set (default: ``y_true``).
        ref_embeddings: Embeddings of the reference set (default: ``y_pred``).
        remove_diagonal: Do not pair a sample with itself.
        gamma: Scale factor.
        margin: Relaxation margin.

    Returns:
        ``(batch,)`` losses; a sample with no positive or no negative pair gets 0 and is masked out
        of the mean (``_keras_mask = loss > 0``), as in Keras.

    Example:

    >>> labels = np.array([0, 0, 1, 1])
    >>> embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]], "float32")
    >>> keras.losses.circle(labels, embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)).shape
    torch.Size([4])
    """
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.to(torch.get_default_dtype())
    y_true = to_tensor(y_true, device=y_pred.device).to(torch.int32)
    ref_embeddings = y_pred if ref_embeddings is None else to_tensor(ref_embeddings, y_pred.dtype, y_pred.device)
    ref_labels = y_true if ref_labels is None else to_tensor(ref_labels, device=y_pred.device).to(torch.int32)
    optim_pos, optim_neg = margin, 1 + margin
    delta_pos, delta_neg = margin, 1 - margin
    distances = torch.clamp(1 - y_pred @ ref_embeddings.t(), min=0.0)
    positive, negative = build_pos_neg_masks(y_true, ref_labels, remove_diagonal=remove_diagonal)
    pos_weights = torch.clamp((optim_pos + distances) * positive.to(distances.dtype), min=0.0)
    neg_weights = torch.clamp((optim_neg - distances) * negative.to(distances.dtype), min=0.0)
    pos_wdists = -1 * gamma * pos_weights * (delta_pos - distances)
    neg_wdists = gamma * neg_weights * (delta_neg - distances)
    minus_inf = torch.tensor(float("-inf"), dtype=distances.dtype, device=distances.device)
    p_loss = torch.logsumexp(torch.where(positive, pos_wdists, minus_inf), dim=1)
    n_loss = torch.logsumexp(torch.where(negative, neg_wdists, minus_inf), dim=1)
    loss = F.softplus(p_loss + n_loss)
    return set_keras_mask(loss, loss > 0)


@register("Circle", category=_CAT)
class Circle(LossFunctionWrapper):
    """Circle loss (see :func:`circle`) reduced over the samples with pairs.

    Args:
        gamma: Scale factor (default 80).
        margin: Relaxation margin (default 0.4).
        remove_diagonal: Do not pair a sample with itself (default ``True``).
        reduction: Reduction (default ``"sum_over_batch_size"``).
        name: Loss name (default ``"circle"``).
        dtype: Computation dtype (default floatx).

    Example:

    >>> labels = np.array([0, 0, 1, 1])
    >>> embeddings = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]], "float32")
    >>> round(float(keras.losses.Circle()(labels, embeddings)), 4)  # well-separated classes: ~0
    0.0
    """

    def __init__(self, gamma: float = 80.0, margin: float = 0.4, remove_diagonal: bool = True,
                 reduction: str | None = "sum_over_batch_size", name: str = "circle", dtype: Any = None) -> None:
        super().__init__(circle, name=name, reduction=reduction, dtype=dtype, gamma=gamma, margin=margin,
                         remove_diagonal=remove_diagonal)
        self.gamma = gamma
        self.margin = margin
        self.remove_diagonal = remove_diagonal

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({"gamma": self.gamma, "margin": self.margin, "remove_diagonal": self.remove_diagonal})
        return config
