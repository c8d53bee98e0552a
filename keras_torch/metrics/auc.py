"""``keras.metrics.AUC``: Riemann-sum ROC / PR / PR-gain area from thresholded counts."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core import budget, config, registry
from keras_torch.losses._common import divide_no_nan, to_tensor
from keras_torch.metrics import confusion_utils as cu
from keras_torch.metrics.metric import Metric

_CURVES = {"roc": "ROC", "pr": "PR", "prgain": "PRGAIN"}
_SUMMATIONS = ("interpolation", "majoring", "minoring")


def _curve(curve: Any) -> str:
    key = getattr(curve, "value", curve)
    if key in ("pr", "PR", "roc", "ROC", "prgain", "PRGAIN"):
        return _CURVES[key.lower()]
    raise ValueError(f'Invalid AUC curve value: "{curve}". Expected values are ["PR", "ROC", "PRGAIN"]')


def _summation(method: Any) -> str:
    key = getattr(method, "value", method)
    if key in ("interpolation", "Interpolation", "majoring", "Majoring", "minoring", "Minoring"):
        return key.lower()
    raise ValueError(
        f'Invalid AUC summation method value: "{method}". Expected values are ["interpolation", "majoring", "minoring"]'
    )


@registry.register("AUC", category="metrics")
class AUC(Metric):
    """Approximate area under the ROC or PR curve (Keras 3 algorithm and defaults).

    Args:
        num_thresholds: Number of thresholds (evenly spaced in [0, 1], default 200).
        curve: ``"ROC"`` (default), ``"PR"`` or ``"PRGAIN"``.
        summation_method: ``"interpolation"`` (default), ``"majoring"`` or ``"minoring"``.
        name: Metric name.
        dtype: State dtype.
        thresholds: Explicit thresholds (overrides ``num_thresholds``).
        multi_label: Treat each label column as a separate binary problem and average.
        num_labels: Number of labels when ``multi_label`` (else inferred on first update).
        label_weights: Per-label weights for the average (or for the pooled counts).
        from_logits: Apply a sigmoid to ``y_pred`` first.

    Example:

    >>> m = keras.metrics.AUC(num_thresholds=3)
    >>> m.update_state([0, 0, 1, 1], [0.0, 0.5, 0.3, 0.9])
    >>> m.result()
    tensor(0.7500)
    >>> m_pr = keras.metrics.AUC(curve="PR", from_logits=True)
    """

    def __init__(
        self,
        num_thresholds: int = 200,
        curve: str = "ROC",
        summation_method: str = "interpolation",
        name: str | None = None,
        dtype: Any = None,
        thresholds: Any = None,
        multi_label: bool = False,
        num_labels: int | None = None,
        label_weights: Any = None,
        from_logits: bool = False,
    ):
        self._direction = "up"
        self._init_from_thresholds = thresholds is not None
        if thresholds is not None:
            self.num_thresholds = len(thresholds) + 2
            thresholds = sorted(thresholds)
            self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(
                np.array([0.0, *thresholds, 1.0])
            )
        else:
            if isinstance(num_thresholds, bool) or not isinstance(num_thresholds, (int, np.integer)) \
                    or num_thresholds <= 1:
                raise ValueError(f"Argument `num_thresholds` must be an integer > 1. Received: num_thresholds={num_thresholds}")
            # A Python float per threshold, then numpy and torch copies: charged before they exist.
            budget.charge(48 * int(num_thresholds), f"AUC(num_thresholds={num_thresholds})")
            self.num_thresholds = int(num_thresholds)
            thresholds = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self._thresholds_distributed_evenly = True
        eps = config.epsilon()
        self._thresholds = np.array([0.0 - eps, *thresholds, 1.0 + eps])
        self._thr = cu.ThresholdCache(self._thresholds)
        self.curve = _curve(curve)
        self.summation_method = _summation(summation_method)
        super().__init__(name=name, dtype=dtype)
        self.multi_label = multi_label
        self.num_labels = num_labels
        self.label_weights = None if label_weights is None else to_tensor(label_weights, dtype=self._dtype)
        self._from_logits = from_logits
        self._built = False
        if self.multi_label:
            if num_labels:
                self._build((None, num_labels))
        else:
            if num_labels:
                raise ValueError("`num_labels` is needed only when `multi_label` is True.")
            self._build(None)

    @property
    def thresholds(self) -> list[float]:
        """All thresholds including the ``-eps`` / ``1 + eps`` end points."""
        return list(self._thresholds)

    def _build(self, shape: Any) -> None:
        if self.multi_label:
            if len(shape) != 2:
                raise ValueError(
                    f"`y_pred` must have rank 2 when `multi_label=True`. Found rank {len(shape)}. "
                    f"Full shape received for `y_pred`: {shape}"
                )
            self._num_labels = shape[1]
            var_shape: tuple[int, ...] = (self.num_thresholds, self._num_labels)
        else:
            var_shape = (self.num_thresholds,)
        self._build_input_shape = shape
        self.true_positives = self.add_variable(shape=var_shape, name="true_positives")
        self.false_positives = self.add_variable(shape=var_shape, name="false_positives")
        self.true_negatives = self.add_variable(shape=var_shape, name="true_negatives")
        self.false_negatives = self.add_variable(shape=var_shape, name="false_negatives")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate thresholded counts for this batch."""
        y_pred = to_tensor(y_pred)
        if not self._built:
            self._build(tuple(y_pred.shape))
        if self._from_logits:
            y_pred = torch.sigmoid(y_pred)
        cu.update_confusion_matrix_variables(
            {
                cu.TP: self.true_positives,
                cu.TN: self.true_negatives,
                cu.FP: self.false_positives,
                cu.FN: self.false_negatives,
            },
            y_true,
            y_pred,
            self._thr,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
            multi_label=self.multi_label,
            label_weights=None if self.multi_label else self.label_weights,
        )

    def _average(self, by_label: torch.Tensor) -> torch.Tensor:
        if self.label_weights is None:
            return by_label.mean()
        lw = self.label_weights.to(by_label.device)
        return divide_no_nan((by_label * lw).sum(), lw.sum())

    def interpolate_pr_auc(self) -> torch.Tensor:
        """Davis & Goadrich interpolated PR-AUC (Keras ``interpolate_pr_auc``)."""
        n = self.num_thresholds
        tp, fp, fn = self.true_positives.value, self.false_positives.value, self.false_negatives.value
        dtp = tp[: n - 1] - tp[1:]
        p = tp + fp
        dp = p[: n - 1] - p[1:]
        prec_slope = divide_no_nan(dtp, torch.clamp(dp, min=0))
        intercept = tp[1:] - prec_slope * p[1:]
        safe_p_ratio = torch.where(
            (p[: n - 1] > 0) & (p[1:] > 0),
            divide_no_nan(p[: n - 1], torch.clamp(p[1:], min=0)),
            torch.ones_like(p[1:]),
        )
        increment = divide_no_nan(
            prec_slope * (dtp + intercept * torch.log(safe_p_ratio)),
            torch.clamp(tp[1:] + fn[1:], min=0),
        )
        if self.multi_label:
            return self._average(increment.sum(0))
        return increment.sum()

    def result(self) -> torch.Tensor:
        """Area under the selected curve (0-d tensor)."""
        if self.curve == "PR" and self.summation_method == "interpolation":
            return self.interpolate_pr_auc()
        n = self.num_thresholds
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        if self.curve == "ROC":
            x, y = divide_no_nan(fp, fp + tn), recall
        elif self.curve == "PR":
            x, y = recall, divide_no_nan(tp, tp + fp)
        else:
            scaling = divide_no_nan(tp + fn, tn + fp)
            recall_gain = 1.0 - scaling * divide_no_nan(fn, tp)
            precision_gain = 1.0 - scaling * divide_no_nan(fp, tp)
            zero, one = torch.zeros_like(tp), torch.ones_like(tp)
            recall_gain = torch.clamp(torch.where(tp == 0, zero, recall_gain), min=0.0)
            x, y = recall_gain, torch.where(tp == 0, one, precision_gain)
        if self.summation_method == "interpolation":
            heights = (y[: n - 1] + y[1:]) / 2.0
        elif self.summation_method == "minoring":
            heights = torch.minimum(y[: n - 1], y[1:])
        else:
            heights = torch.maximum(y[: n - 1], y[1:])
        riemann = (x[: n - 1] - x[1:]) * heights
        if self.multi_label:
            return self._average(riemann.sum(0))
        return riemann.sum()

    def reset_state(self) -> None:
        """Zero the counts (no-op before the first update of an unbuilt multi-label AUC)."""
        if self._built:
            super().reset_state()

    def get_config(self) -> dict[str, Any]:
        lw = self.label_weights
        config = {
            "num_thresholds": self.num_thresholds,
            "curve": self.curve,
            "summation_method": self.summation_method,
            "multi_label": self.multi_label,
            "num_labels": self.num_labels,
            "label_weights": None if lw is None else lw.tolist(),
            "from_logits": self._from_logits,
        }
        if self._init_from_thresholds:
            config["thresholds"] = self.thresholds[1:-1]
        return {**super().get_config(), **config}
