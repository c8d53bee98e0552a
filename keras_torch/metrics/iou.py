"""IoU metrics from an accumulated confusion matrix (Keras 3 ``metrics/iou_metrics.py``)."""

from __future__ import annotations

import warnings
from typing import Any

import torch

from keras_torch.core import config, registry
from keras_torch.losses._common import to_tensor
from keras_torch.metrics.confusion_utils import confusion_matrix
from keras_torch.metrics.metric import Metric

_CAT = "metrics"


class _IoUBase(Metric):
    """Accumulates a ``num_classes x num_classes`` confusion matrix (dtype ``int64`` by default)."""

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(name=name, dtype=dtype or "int")
        self._direction = "up"
        self.num_classes = num_classes
        self.ignore_class = ignore_class
        self.sparse_y_true = sparse_y_true
        self.sparse_y_pred = sparse_y_pred
        self.axis = axis
        self.total_cm = self.add_variable(shape=(num_classes, num_classes), name="total_confusion_matrix")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Add this batch's (weighted) confusion matrix; out-of-range / ignored labels are skipped."""
        y_pred = to_tensor(y_pred)
        device = y_pred.device
        y_true = to_tensor(y_true, device=device)
        if not self.sparse_y_true:
            y_true = torch.argmax(y_true, dim=self.axis)
        if not self.sparse_y_pred:
            y_pred = torch.argmax(y_pred, dim=self.axis)
        dt = self._dtype
        y_true = y_true.to(dt).reshape(-1)
        y_pred = y_pred.to(dt).reshape(-1)
        if sample_weight is None:
            sw = torch.ones((), dtype=dt, device=device)
        else:
            sw = to_tensor(sample_weight, device=device)
            if sw.is_floating_point() and not dt.is_floating_point:
                warnings.warn(
                    "You are passing weight as `float`, but dtype is `int`. This may result in an incorrect "
                    "weight due to type casting Consider using integer weights.",
                    stacklevel=2,
                )
            sw = sw.to(dt).reshape(-1) if sw.ndim > 1 else sw.to(dt)
        sw = torch.broadcast_to(sw, y_true.shape)
        n = self.num_classes
        valid = (y_true >= 0) & (y_true < n) & (y_pred >= 0) & (y_pred < n)
        if self.ignore_class is not None:
            valid = valid & (y_true != self.ignore_class)
        zero = torch.zeros((), dtype=dt, device=device)
        y_true = torch.where(valid, y_true, zero)
        y_pred = torch.where(valid, y_pred, zero)
        sw = torch.where(valid, sw, zero)
        self.total_cm.assign_add(confusion_matrix(y_true, y_pred, n, weights=sw, dtype=dt))
        self._on_device(self.total_cm.value.device)

    def _on_device(self, device: torch.device) -> None:
        """Hook: state now lives on ``device`` (IoU prepares its class index there, at update time,
        so that ``result()`` never copies from the host)."""

    def reset_state(self) -> None:
        """Zero the confusion matrix."""
        super().reset_state()


@registry.register("IoU", category=_CAT)
class IoU(_IoUBase):
    """Computes the intersection-over-union for the classes in ``target_class_ids``, averaged over those classes.

    IoU is ``TP / (TP + FP + FN)`` per class, accumulated in a confusion matrix over all updates; common for semantic
    segmentation.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        num_classes: Number of classes.
        target_class_ids: Tuple or list of the class ids whose IoU is averaged.
        ignore_class: Optional class id left out of the confusion matrix (e.g. a "void" class).
        sparse_y_true: Whether labels are class ids (default) or one-hot/probabilities (``argmax`` is taken).
        sparse_y_pred: Whether predictions are class ids (default) or scores (``argmax`` is taken).
        axis: The class axis for non-sparse inputs (default -1).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.IoU(num_classes=2, target_class_ids=[0])
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    >>> m.result()
    tensor(0.3333)
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
            dtype=dtype,
        )
        if max(target_class_ids) >= num_classes:
            raise ValueError(f"Target class id {max(target_class_ids)} is out of range, which is [0, {num_classes}).")
        self.target_class_ids = list(target_class_ids)
        self._target_idx: dict[torch.device, torch.Tensor] = {}

    def _on_device(self, device: torch.device) -> None:
        if device not in self._target_idx:
            self._target_idx[device] = torch.tensor(self.target_class_ids, dtype=torch.int64).to(device)

    def result(self) -> torch.Tensor:
        """``mean(TP / (TP + FP + FN))`` over target classes with a non-empty denominator."""
        cm = self.total_cm.value
        dt = self._dtype
        sum_over_row = cm.sum(0).to(dt)
        sum_over_col = cm.sum(1).to(dt)
        tp = torch.diagonal(cm).to(dt)
        denominator = sum_over_row + sum_over_col - tp
        self._on_device(cm.device)  # (normally done by update_state already)
        idx = self._target_idx[cm.device]
        tp = tp[idx].to(torch.float32)
        denominator = denominator[idx].to(torch.float32)
        valid = denominator > 1e-9
        iou = tp / (denominator + config.epsilon())
        iou = torch.where(valid, iou, torch.zeros_like(iou))
        return iou.sum(self.axis) / (valid.to(torch.float32).sum() + config.epsilon())

    def get_config(self) -> dict[str, Any]:
        extra = {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
        return {**super().get_config(), **extra}


@registry.register("BinaryIoU", category=_CAT)
class BinaryIoU(IoU):
    """Computes the intersection-over-union for binary predictions: a prediction is class 1 when
    ``y_pred >= threshold``; the IoU of the ``target_class_ids`` (0 and/or 1) is averaged.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        target_class_ids: The classes (among 0 and 1) whose IoU is averaged (default both).
        threshold: Decision threshold on the predictions (default 0.5).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.BinaryIoU(target_class_ids=[0, 1], threshold=0.3)
    >>> m.update_state(np.array([0, 1, 0, 1]), np.array([0.1, 0.2, 0.4, 0.7]))
    >>> m.result()
    tensor(0.3333)
    """

    def __init__(self, target_class_ids: Any = (0, 1), threshold: float = 0.5, name: str | None = None, dtype: Any = None):
        super().__init__(num_classes=2, target_class_ids=target_class_ids, name=name, dtype=dtype)
        self.threshold = threshold

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Threshold ``y_pred`` then accumulate."""
        y_pred = to_tensor(y_pred, dtype=torch.float32)
        y_true = to_tensor(y_true, device=y_pred.device).to(self._dtype)
        y_pred = (y_pred >= self.threshold).to(self._dtype)
        super().update_state(y_true, y_pred, sample_weight)

    def get_config(self) -> dict[str, Any]:
        return {"target_class_ids": self.target_class_ids, "threshold": self.threshold, "name": self.name, "dtype": self.dtype}


@registry.register("MeanIoU", category=_CAT)
class MeanIoU(IoU):
    """Computes the mean intersection-over-union over all ``num_classes`` classes.

    IoU is ``TP / (TP + FP + FN)`` per class, accumulated in a confusion matrix over all updates.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        num_classes: Number of classes.
        ignore_class: Optional class id left out of the confusion matrix.
        sparse_y_true: Whether labels are class ids (default) or one-hot/probabilities.
        sparse_y_pred: Whether predictions are class ids (default) or scores.
        axis: The class axis for non-sparse inputs (default -1).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.MeanIoU(num_classes=2)
    >>> m.update_state(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1]))
    >>> m.result()
    tensor(0.3333)
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_true: bool = True,
        sparse_y_pred: bool = True,
        axis: int = -1,
    ):
        super().__init__(
            name=name,
            num_classes=num_classes,
            target_class_ids=list(range(num_classes)),
            axis=axis,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=sparse_y_true,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_true": self.sparse_y_true,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@registry.register("OneHotIoU", category=_CAT)
class OneHotIoU(IoU):
    """Computes the intersection-over-union of the ``target_class_ids`` for one-hot labels and (by default) score
    predictions, taking the ``argmax`` of both.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        num_classes: Number of classes.
        target_class_ids: The class ids whose IoU is averaged.
        ignore_class: Optional class id left out.
        sparse_y_pred: Whether predictions are already class ids (default ``False``: scores).
        axis: The class axis (default -1).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.OneHotIoU(num_classes=3, target_class_ids=[0, 2])
    >>> m.update_state(np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]), np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]))
    >>> m.result()
    tensor(0.1667)
    """

    def __init__(
        self,
        num_classes: int,
        target_class_ids: Any,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            target_class_ids=target_class_ids,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
            axis=axis,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "target_class_ids": self.target_class_ids,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }


@registry.register("OneHotMeanIoU", category=_CAT)
class OneHotMeanIoU(MeanIoU):
    """Computes the mean intersection-over-union over all classes for one-hot labels and (by default) score predictions,
    taking the ``argmax`` of both.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        num_classes: Number of classes.
        ignore_class: Optional class id left out.
        sparse_y_pred: Whether predictions are already class ids (default ``False``: scores).
        axis: The class axis (default -1).
        name: Name of the metric instance (default: the snake-cased class name).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.OneHotMeanIoU(num_classes=3)
    >>> m.update_state(np.array([[0, 0, 1], [1, 0, 0], [0, 1, 0], [1, 0, 0]]), np.array([[0.2, 0.3, 0.5], [0.1, 0.2, 0.7], [0.5, 0.3, 0.1], [0.1, 0.4, 0.5]]))
    >>> m.result()
    tensor(0.1111)
    """

    def __init__(
        self,
        num_classes: int,
        name: str | None = None,
        dtype: Any = None,
        ignore_class: int | None = None,
        sparse_y_pred: bool = False,
        axis: int = -1,
    ):
        super().__init__(
            num_classes=num_classes,
            axis=axis,
            name=name,
            dtype=dtype,
            ignore_class=ignore_class,
            sparse_y_true=False,
            sparse_y_pred=sparse_y_pred,
        )

    def get_config(self) -> dict[str, Any]:
        return {
            "num_classes": self.num_classes,
            "name": self.name,
            "dtype": self.dtype,
            "ignore_class": self.ignore_class,
            "sparse_y_pred": self.sparse_y_pred,
            "axis": self.axis,
        }
