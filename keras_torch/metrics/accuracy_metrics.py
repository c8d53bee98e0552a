"""Accuracy metrics and their functions (Keras 3 ``metrics/accuracy_metrics.py``)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.losses._common import floatx_dtype, squeeze_or_expand_to_same_rank, to_tensor
from keras_torch.metrics.reduction import MeanMetricWrapper

_CAT = "metrics"
_F32 = torch.float32


def _floatx() -> torch.dtype:
    return floatx_dtype()


def _pred(y_pred: Any) -> torch.Tensor:
    return to_tensor(y_pred)


@registry.register(category="metric_functions")
def accuracy(y_true: Any, y_pred: Any) -> torch.Tensor:
    """1.0 where ``y_true == y_pred`` exactly, else 0.0."""
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return (y_true == y_pred).to(_floatx())


@registry.register(category="metric_functions")
def binary_accuracy(y_true: Any, y_pred: Any, threshold: float = 0.5) -> torch.Tensor:
    """1.0 where ``(y_pred > threshold) == y_true`` (strictly greater, like Keras)."""
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    y_pred = (y_pred > threshold).to(y_true.dtype)
    return (y_true == y_pred).to(_floatx())


def _argmax(x: torch.Tensor) -> torch.Tensor:
    # Ties: first maximal index, like TF. (TF also ranks -0.0 below +0.0; not replicated.)
    return torch.argmax(x, dim=-1)


@registry.register(category="metric_functions")
def categorical_accuracy(y_true: Any, y_pred: Any) -> torch.Tensor:
    """1.0 where ``argmax(y_true) == argmax(y_pred)``."""
    y_pred = _pred(y_pred)
    y_true = _argmax(to_tensor(y_true, device=y_pred.device))
    org_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim:
        y_true = y_true.squeeze(-1)
        reshape = True
    matches = (y_true == _argmax(y_pred)).to(_floatx())
    return matches.reshape(org_shape) if reshape else matches


@registry.register(category="metric_functions")
def sparse_categorical_accuracy(y_true: Any, y_pred: Any) -> torch.Tensor:
    """1.0 where the integer label equals ``argmax(y_pred)``."""
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    if y_true.dtype == torch.bool:
        y_true = y_true.to(_floatx())
    org_shape = y_true.shape
    reshape = False
    if y_true.ndim == y_pred.ndim and y_true.shape[-1] == 1:
        y_true = y_true.squeeze(-1)
        reshape = True
    # Comparing against the integer argmax promotes like Keras's cast of the index to y_true's dtype.
    matches = (y_true == _argmax(y_pred)).to(_floatx())
    if reshape:
        matches = matches.reshape(org_shape)
    if matches.ndim > 1 and matches.shape[-1] == 1:
        matches = matches.squeeze(-1)
    return matches


def in_top_k(targets: torch.Tensor, predictions: torch.Tensor, k: int) -> torch.Tensor:
    """``tf.math.in_top_k``: ties at the k-th value count as in; non-finite rows and bad ids are out."""
    targets = targets.to(torch.int64)
    n = predictions.shape[-1]
    in_range = (targets >= 0) & (targets < n)
    safe = torch.where(in_range, targets, torch.zeros_like(targets))
    target_pred = torch.gather(predictions, -1, safe.unsqueeze(-1))
    more = (predictions > target_pred).sum(-1)
    finite = torch.isfinite(predictions).all(-1)
    return in_range & finite & (more < k)


@registry.register(category="metric_functions")
def top_k_categorical_accuracy(y_true: Any, y_pred: Any, k: int = 5) -> torch.Tensor:
    """1.0 where ``argmax(y_true)`` is among the top ``k`` predictions."""
    y_pred = _pred(y_pred)
    y_true = _argmax(to_tensor(y_true, device=y_pred.device))
    org_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    reshape = y_true.ndim > 1
    if reshape:
        y_true = y_true.reshape(-1)
    matches = in_top_k(y_true, y_pred, k).to(_floatx())
    return matches.reshape(org_shape) if reshape else matches


@registry.register(category="metric_functions")
def sparse_top_k_categorical_accuracy(
    y_true: Any, y_pred: Any, k: int = 5, from_sorted_ids: bool = False
) -> torch.Tensor:
    """1.0 where the integer label is among the top ``k`` predictions (or the first ``k`` sorted ids)."""
    y_pred = _pred(y_pred)
    y_true = to_tensor(y_true, device=y_pred.device)
    y_true = y_true.to(y_pred.dtype) if from_sorted_ids else y_true.to(torch.int32)
    org_shape = y_true.shape
    if y_pred.ndim > 2:
        y_pred = y_pred.reshape(-1, y_pred.shape[-1])
    reshape = y_true.ndim > 1
    if reshape:
        y_true = y_true.reshape(-1)
    if from_sorted_ids:
        matches = torch.any(y_true.unsqueeze(1) == y_pred[:, :k], dim=1)
    else:
        matches = in_top_k(y_true, y_pred, k)
    matches = matches.to(_floatx())
    return matches.reshape(org_shape) if reshape else matches


@registry.register("Accuracy", category=_CAT)
class Accuracy(MeanMetricWrapper):
    """How often predictions equal labels exactly."""

    def __init__(self, name: str = "accuracy", dtype: Any = None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("BinaryAccuracy", category=_CAT)
class BinaryAccuracy(MeanMetricWrapper):
    """How often ``y_pred > threshold`` matches binary labels."""

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


@registry.register("CategoricalAccuracy", category=_CAT)
class CategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches one-hot labels."""

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("SparseCategoricalAccuracy", category=_CAT)
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """How often ``argmax(y_pred)`` matches integer labels."""

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("TopKCategoricalAccuracy", category=_CAT)
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the one-hot target is in the top ``k`` predictions."""

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@registry.register("SparseTopKCategoricalAccuracy", category=_CAT)
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """How often the integer target is in the top ``k`` predictions."""

    def __init__(
        self,
        k: int = 5,
        name: str = "sparse_top_k_categorical_accuracy",
        dtype: Any = None,
        from_sorted_ids: bool = False,
    ):
        super().__init__(
            fn=sparse_top_k_categorical_accuracy, name=name, dtype=dtype, k=k, from_sorted_ids=from_sorted_ids
        )
        self.k = k
        self.from_sorted_ids = from_sorted_ids
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"name": self.name, "dtype": self.dtype, "k": self.k}
        if self.from_sorted_ids:
            config["from_sorted_ids"] = True
        return config
