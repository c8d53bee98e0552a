"""Confusion-matrix metrics: TP/FP/TN/FN counts, Precision, Recall, X-at-Y (Keras 3)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.losses._common import divide_no_nan
from keras_torch.metrics import confusion_utils as cu
from keras_torch.metrics.metric import Metric

_CAT = "metrics"


class _ConfusionMatrixConditionCount(Metric):
    """Weighted count of one confusion-matrix cell per threshold."""

    def __init__(self, confusion_matrix_cond: str, thresholds: Any = None, name: str | None = None, dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self._confusion_matrix_cond = confusion_matrix_cond
        self.init_thresholds = thresholds
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=0.5)
        self._thr = cu.ThresholdCache(self.thresholds)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(self.thresholds)
        self.accumulator = self.add_variable(shape=(len(self.thresholds),), name="accumulator")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate the cell count for this batch."""
        cu.update_confusion_matrix_variables(
            {self._confusion_matrix_cond: self.accumulator},
            y_true,
            y_pred,
            thresholds=self._thr,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            sample_weight=sample_weight,
        )

    def result(self) -> torch.Tensor:
        """Count (scalar with one threshold, else one per threshold)."""
        acc = self.accumulator.value
        return acc[0].clone() if len(self.thresholds) == 1 else acc.clone()

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "thresholds": self.init_thresholds}


def _cell_class(cls_name: str, cond: str) -> type:
    def __init__(self: Any, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        _ConfusionMatrixConditionCount.__init__(self, cond, thresholds=thresholds, name=name, dtype=dtype)

    cls = type(cls_name, (_ConfusionMatrixConditionCount,), {"__init__": __init__, "__module__": __name__})
    cls.__doc__ = f"Weighted number of {cls_name[:-1].lower()} predictions per threshold."
    return registry.register(cls_name, category=_CAT)(cls)


TruePositives = _cell_class("TruePositives", cu.TP)
FalsePositives = _cell_class("FalsePositives", cu.FP)
TrueNegatives = _cell_class("TrueNegatives", cu.TN)
FalseNegatives = _cell_class("FalseNegatives", cu.FN)


class _PrecisionRecall(Metric):
    _second = cu.FP  # FP for precision, FN for recall

    def __init__(
        self,
        thresholds: Any = None,
        top_k: int | None = None,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        self.init_thresholds = thresholds
        self.top_k = top_k
        self.class_id = class_id
        default = 0.5 if top_k is None else cu.NEG_INF
        self.thresholds = cu.parse_init_thresholds(thresholds, default_threshold=default)
        self._thr = cu.ThresholdCache(self.thresholds)
        self._thresholds_distributed_evenly = cu.is_evenly_distributed_thresholds(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        second = "false_positives" if self._second == cu.FP else "false_negatives"
        self._second_var = self.add_variable(shape=(n,), name=second)
        setattr(self, second, self._second_var)

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate TP and FP (precision) or FN (recall)."""
        cu.update_confusion_matrix_variables(
            {cu.TP: self.true_positives, self._second: self._second_var},
            y_true,
            y_pred,
            thresholds=self._thr,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            top_k=self.top_k,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def result(self) -> torch.Tensor:
        """``TP / (TP + FP|FN)`` (0 when undefined)."""
        tp = self.true_positives.value
        res = divide_no_nan(tp, tp + self._second_var.value)
        return res[0] if len(self.thresholds) == 1 else res

    def get_config(self) -> dict[str, Any]:
        extra = {"thresholds": self.init_thresholds, "top_k": self.top_k, "class_id": self.class_id}
        return {**super().get_config(), **extra}


@registry.register("Precision", category=_CAT)
class Precision(_PrecisionRecall):
    """``TP / (TP + FP)`` at each threshold (optionally for ``top_k`` / a single ``class_id``)."""

    _second = cu.FP


@registry.register("Recall", category=_CAT)
class Recall(_PrecisionRecall):
    """``TP / (TP + FN)`` at each threshold (optionally for ``top_k`` / a single ``class_id``)."""

    _second = cu.FN


class SensitivitySpecificityBase(Metric):
    """Shared state of the "X at Y" metrics: TP/FP/TN/FN over an even threshold grid."""

    def __init__(
        self, value: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None, dtype: Any = None
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        if num_thresholds <= 0:
            raise ValueError(f"Argument `num_thresholds` must be an integer > 0. Received: num_thresholds={num_thresholds}")
        self.value = value
        self.class_id = class_id
        if num_thresholds == 1:
            self.thresholds = [0.5]
            self._thresholds_distributed_evenly = False
        else:
            inner = [(i + 1) * 1.0 / (num_thresholds - 1) for i in range(num_thresholds - 2)]
            self.thresholds = [0.0, *inner, 1.0]
            self._thresholds_distributed_evenly = True
        self._thr = cu.ThresholdCache(self.thresholds)
        n = len(self.thresholds)
        self.true_positives = self.add_variable(shape=(n,), name="true_positives")
        self.false_positives = self.add_variable(shape=(n,), name="false_positives")
        self.true_negatives = self.add_variable(shape=(n,), name="true_negatives")
        self.false_negatives = self.add_variable(shape=(n,), name="false_negatives")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate all four confusion cells."""
        cu.update_confusion_matrix_variables(
            {
                cu.TP: self.true_positives,
                cu.TN: self.true_negatives,
                cu.FP: self.false_positives,
                cu.FN: self.false_negatives,
            },
            y_true,
            y_pred,
            thresholds=self._thr,
            thresholds_distributed_evenly=self._thresholds_distributed_evenly,
            class_id=self.class_id,
            sample_weight=sample_weight,
        )

    def _rates(self) -> dict[str, torch.Tensor]:
        tp, fp = self.true_positives.value, self.false_positives.value
        tn, fn = self.true_negatives.value, self.false_negatives.value
        recall = divide_no_nan(tp, tp + fn)
        return {
            "sensitivity": recall,
            "recall": recall,
            "specificity": divide_no_nan(tn, tn + fp),
            "precision": divide_no_nan(tp, tp + fp),
        }

    def _find_max_under_constraint(self, constrained: torch.Tensor, dependent: torch.Tensor) -> torch.Tensor:
        feasible = constrained >= self.value
        zero = torch.zeros((), dtype=dependent.dtype, device=dependent.device)
        return torch.clamp(torch.amax(torch.where(feasible, dependent, zero)), min=0.0)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "class_id": self.class_id}


class _AtBase(SensitivitySpecificityBase):
    _arg = ""  # constructor argument name (the constraint)
    _constrained = ""
    _dependent = ""

    def __init__(
        self,
        value: float,
        num_thresholds: int = 200,
        class_id: int | None = None,
        name: str | None = None,
        dtype: Any = None,
    ):
        if value < 0 or value > 1:
            raise ValueError(f"Argument `{self._arg}` must be in the range [0, 1]. Received: {self._arg}={value}")
        setattr(self, self._arg, value)
        self.num_thresholds = num_thresholds
        super().__init__(value, num_thresholds=num_thresholds, class_id=class_id, name=name, dtype=dtype)

    def result(self) -> torch.Tensor:
        """Best dependent rate among thresholds meeting the constraint."""
        r = self._rates()
        return self._find_max_under_constraint(r[self._constrained], r[self._dependent])

    def get_config(self) -> dict[str, Any]:
        extra = {"num_thresholds": self.num_thresholds, self._arg: getattr(self, self._arg)}
        return {**super().get_config(), **extra}


@registry.register("SensitivityAtSpecificity", category=_CAT)
class SensitivityAtSpecificity(_AtBase):
    """Best sensitivity (recall) where specificity >= ``specificity``."""

    _arg, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(
        self, specificity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


@registry.register("SpecificityAtSensitivity", category=_CAT)
class SpecificityAtSensitivity(_AtBase):
    """Best specificity where sensitivity >= ``sensitivity``."""

    _arg, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(
        self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


@registry.register("PrecisionAtRecall", category=_CAT)
class PrecisionAtRecall(_AtBase):
    """Best precision where recall >= ``recall``."""

    _arg, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(
        self, recall: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(recall, num_thresholds, class_id, name, dtype)


@registry.register("RecallAtPrecision", category=_CAT)
class RecallAtPrecision(_AtBase):
    """Best recall where precision >= ``precision``."""

    _arg, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(
        self, precision: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(precision, num_thresholds, class_id, name, dtype)
