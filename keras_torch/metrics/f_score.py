"""``FBetaScore`` and ``F1Score`` (Keras 3 ``metrics/f_score_metrics.py``)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config, registry
from keras_torch.losses._common import to_tensor
from keras_torch.metrics.metric import Metric


@registry.register("FBetaScore", category="metrics")
class FBetaScore(Metric):
    """F-beta score for multi-class / multi-label 2D inputs.

    Args:
        average: ``None`` (per class), ``"micro"``, ``"macro"`` or ``"weighted"``.
        beta: Weight of recall (a Python float > 0).
        threshold: Predictions ``> threshold`` are positive; ``None`` marks each row's max.
        name: Metric name.
        dtype: State dtype.

    Example:

    >>> m = keras.metrics.FBetaScore(beta=2.0, average="micro", threshold=0.5)
    >>> m.update_state(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32), np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32))
    >>> m.result()
    tensor(0.6667)
    """

    def __init__(
        self,
        average: str | None = None,
        beta: float = 1.0,
        threshold: float | None = None,
        name: str = "fbeta_score",
        dtype: Any = None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if average not in (None, "micro", "macro", "weighted"):
            raise ValueError(
                "Invalid `average` argument value. Expected one of: {None, 'micro', 'macro', 'weighted'}. "
                f"Received: average={average}"
            )
        if not isinstance(beta, float):
            raise ValueError(  # noqa: TRY004 - Keras raises ValueError
                "Invalid `beta` argument value. It should be a Python float. "
                f"Received: beta={beta} of type '{type(beta)}'"
            )
        if beta <= 0.0:
            raise ValueError(f"Invalid `beta` argument value. It should be > 0. Received: beta={beta}")
        if threshold is not None:
            if not isinstance(threshold, float):
                raise ValueError(
                    "Invalid `threshold` argument value. It should be a Python float. "
                    f"Received: threshold={threshold} of type '{type(threshold)}'"
                )
            if threshold > 1.0 or threshold <= 0.0:
                raise ValueError(
                    "Invalid `threshold` argument value. It should verify 0 < threshold <= 1. "
                    f"Received: threshold={threshold}"
                )
        self.average = average
        self.beta = beta
        self.threshold = threshold
        self.axis = None if average == "micro" else 0
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "FBetaScore expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        shape = () if self.average == "micro" else (y_pred_shape[-1],)
        self.true_positives = self.add_variable(shape=shape, name="true_positives")
        self.false_positives = self.add_variable(shape=shape, name="false_positives")
        self.false_negatives = self.add_variable(shape=shape, name="false_negatives")
        self.intermediate_weights = self.add_variable(shape=shape, name="intermediate_weights")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate (weighted) TP, FP, FN and label counts."""
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        y_true = to_tensor(y_true, dtype=self._dtype, device=y_pred.device)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        if self.threshold is None:
            row_max = torch.amax(y_pred, dim=-1, keepdim=True)
            y_pred = (y_pred >= row_max) & (torch.abs(y_pred) > 1e-9)
        else:
            y_pred = y_pred > self.threshold
        y_pred = y_pred.to(self._dtype)
        sw = None if sample_weight is None else to_tensor(sample_weight, dtype=self._dtype, device=y_pred.device)

        def wsum(val: torch.Tensor) -> torch.Tensor:
            if sw is not None:
                val = val * sw.unsqueeze(1)
            return val.sum() if self.axis is None else val.sum(self.axis)

        self.true_positives.assign_add(wsum(y_pred * y_true))
        self.false_positives.assign_add(wsum(y_pred * (1 - y_true)))
        self.false_negatives.assign_add(wsum((1 - y_pred) * y_true))
        self.intermediate_weights.assign_add(wsum(y_true))

    def result(self) -> torch.Tensor:
        """F-beta per class, or averaged according to ``average``."""
        eps = config.epsilon()
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        precision = tp / (tp + fp + eps)
        recall = tp / (tp + fn + eps)
        b2 = self.beta**2
        f = precision * recall / (b2 * precision + recall + eps) * (1 + b2)
        if self.average == "weighted":
            w = self.intermediate_weights.value
            return (f * (w / (w.sum() + eps))).sum()
        if self.average is not None:
            return f.mean()
        return f

    def reset_state(self) -> None:
        """Zero all accumulators."""
        super().reset_state()

    def get_config(self) -> dict[str, Any]:
        extra = {"average": self.average, "beta": self.beta, "threshold": self.threshold}
        return {**super().get_config(), **extra}


@registry.register("F1Score", category="metrics")
class F1Score(FBetaScore):
    """Computes the F1 score, the harmonic mean of precision and recall, for multi-class or multi-label 2D inputs (an
    :class:`FBetaScore` with ``beta=1``).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        average: ``None`` (default: one score per class), ``"micro"`` (global counts), ``"macro"`` (unweighted mean of
            the class scores) or ``"weighted"`` (mean weighted by the class support).
        threshold: Predictions above it count as positive; ``None`` marks the highest prediction of each row.
        name: Name of the metric instance (default ``"f1_score"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.F1Score(average="macro", threshold=0.5)
    >>> m.update_state(np.array([[1, 1, 1], [1, 0, 0], [1, 1, 0]], np.int32), np.array([[0.2, 0.6, 0.7], [0.2, 0.6, 0.6], [0.6, 0.8, 0.0]], np.float32))
    >>> m.result()
    tensor(0.6556)
    """

    def __init__(self, average: str | None = None, threshold: float | None = None, name: str = "f1_score", dtype: Any = None):
        super().__init__(average=average, beta=1.0, threshold=threshold, name=name, dtype=dtype)

    def get_config(self) -> dict[str, Any]:
        config_ = super().get_config()
        del config_["beta"]
        return config_
