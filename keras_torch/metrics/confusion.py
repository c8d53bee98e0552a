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


def _cell_class(cls_name: str, cond: str, doc: str) -> type:
    def __init__(self: Any, thresholds: Any = None, name: str | None = None, dtype: Any = None) -> None:
        _ConfusionMatrixConditionCount.__init__(self, cond, thresholds=thresholds, name=name, dtype=dtype)

    cls = type(cls_name, (_ConfusionMatrixConditionCount,), {"__init__": __init__, "__module__": __name__})
    cls.__doc__ = doc
    return registry.register(cls_name, category=_CAT)(cls)


def _cell_doc(cls_name: str, what: str, example: str) -> str:
    return f"""Counts the {what} (weighted by ``sample_weight``) over all updates.

    A prediction is positive when it is above the threshold; ``y_true`` holds 0/1 labels.

    Args:
        thresholds: Optional float or list of floats in ``[0, 1]`` (default 0.5); with a list, one count
            per threshold is returned.
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.{cls_name}()
    >>> m.update_state([0, 1, 1, 1], [0, 1, 0, 0])
    >>> m.result()
    {example}
    """


_CELLS = {
    "TruePositives": (cu.TP, "true positives (predicted positive, labelled positive)", "tensor(1.)"),
    "FalsePositives": (cu.FP, "false positives (predicted positive, labelled negative)", "tensor(0.)"),
    "TrueNegatives": (cu.TN, "true negatives (predicted negative, labelled negative)", "tensor(1.)"),
    "FalseNegatives": (cu.FN, "false negatives (predicted negative, labelled positive)", "tensor(2.)"),
}
TruePositives, FalsePositives, TrueNegatives, FalseNegatives = (
    _cell_class(name, cond, _cell_doc(name, what, example)) for name, (cond, what, example) in _CELLS.items()
)


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
    """Computes the precision of the predictions, ``TP / (TP + FP)``: the fraction of the predicted positives that are
    positive.

    True and false positives are accumulated (weighted by ``sample_weight``) over all updates.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        thresholds: Optional float or list of floats in ``[0, 1]``: a prediction above a threshold is
            positive. One value per threshold is returned for a list. Default 0.5 (or, with ``top_k``, none).
        top_k: Optional int: only the ``k`` highest predictions of each sample count as positive.
        class_id: Optional class index: compute the metric for this class only (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Precision()
    >>> m.update_state(np.array([0, 1, 1, 1]), np.array([1, 0, 1, 1]))
    >>> m.result()
    tensor(0.6667)
    >>> keras.metrics.Precision(thresholds=[0.3, 0.7])(np.array([0, 1, 1]), np.array([0.5, 0.4, 0.9]))
    tensor([0.6667, 1.0000])
    """

    _second = cu.FP


@registry.register("Recall", category=_CAT)
class Recall(_PrecisionRecall):
    """Computes the recall of the predictions, ``TP / (TP + FN)``: the fraction of the positives that are predicted
    positive.

    True positives and false negatives are accumulated (weighted by ``sample_weight``) over all updates.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        thresholds: Optional float or list of floats in ``[0, 1]``: a prediction above a threshold is
            positive. One value per threshold is returned for a list. Default 0.5 (or, with ``top_k``, none).
        top_k: Optional int: only the ``k`` highest predictions of each sample count as positive.
        class_id: Optional class index: compute the metric for this class only (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Recall()
    >>> m.update_state(np.array([0, 1, 1, 1]), np.array([1, 0, 1, 1]))
    >>> m.result()
    tensor(0.6667)
    """

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
    """Computes the best sensitivity (recall) reachable at a threshold where the specificity is at least
    ``specificity``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        specificity: The minimum specificity, in ``[0, 1]``.
        num_thresholds: Number of thresholds evaluated (default 200).
        class_id: Optional class index to compute the metric for (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SensitivityAtSpecificity(specificity=0.5)
    >>> m.update_state(np.array([0, 0, 0, 1, 1]), np.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> m.result()
    tensor(0.5000)
    """

    _arg, _constrained, _dependent = "specificity", "specificity", "sensitivity"

    def __init__(
        self, specificity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(specificity, num_thresholds, class_id, name, dtype)


@registry.register("SpecificityAtSensitivity", category=_CAT)
class SpecificityAtSensitivity(_AtBase):
    """Computes the best specificity reachable at a threshold where the sensitivity (recall) is at least
    ``sensitivity``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        sensitivity: The minimum sensitivity, in ``[0, 1]``.
        num_thresholds: Number of thresholds evaluated (default 200).
        class_id: Optional class index to compute the metric for (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SpecificityAtSensitivity(sensitivity=0.5)
    >>> m.update_state(np.array([0, 0, 0, 1, 1]), np.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> m.result()
    tensor(0.6667)
    """

    _arg, _constrained, _dependent = "sensitivity", "sensitivity", "specificity"

    def __init__(
        self, sensitivity: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(sensitivity, num_thresholds, class_id, name, dtype)


@registry.register("PrecisionAtRecall", category=_CAT)
class PrecisionAtRecall(_AtBase):
    """Computes the best precision reachable at a threshold where the recall is at least ``recall``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        recall: The minimum recall, in ``[0, 1]``.
        num_thresholds: Number of thresholds evaluated (default 200).
        class_id: Optional class index to compute the metric for (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.PrecisionAtRecall(recall=0.5)
    >>> m.update_state(np.array([0, 0, 0, 1, 1]), np.array([0.0, 0.3, 0.8, 0.3, 0.8]))
    >>> m.result()
    tensor(0.5000)
    """

    _arg, _constrained, _dependent = "recall", "recall", "precision"

    def __init__(
        self, recall: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(recall, num_thresholds, class_id, name, dtype)


@registry.register("RecallAtPrecision", category=_CAT)
class RecallAtPrecision(_AtBase):
    """Computes the best recall reachable at a threshold where the precision is at least ``precision``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        precision: The minimum precision, in ``[0, 1]``.
        num_thresholds: Number of thresholds evaluated (default 200).
        class_id: Optional class index to compute the metric for (one-vs-rest).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.RecallAtPrecision(precision=0.8)
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([0.0, 0.5, 0.3, 0.9]))
    >>> m.result()
    tensor(0.5000)
    """

    _arg, _constrained, _dependent = "precision", "precision", "recall"

    def __init__(
        self, precision: float, num_thresholds: int = 200, class_id: int | None = None, name: str | None = None,
        dtype: Any = None,
    ):  # fmt: skip
        super().__init__(precision, num_thresholds, class_id, name, dtype)
