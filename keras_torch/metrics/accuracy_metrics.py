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
    """Per-sample binary accuracy: 1.0 where ``(y_pred > threshold) == y_true`` (strictly greater, as Keras), averaged
    over the last axis.

    Args:
        y_true: Binary labels, ``(batch, ...)``.
        y_pred: Predicted probabilities, same shape.
        threshold: Decision threshold (default 0.5).

    Returns:
        A float tensor ``(batch, ...)`` without the last axis.

    Example:

    >>> keras.metrics.binary_accuracy(np.array([[1], [1], [0], [0]]), np.array([[0.98], [1.0], [0.0], [0.6]]))
    tensor([[1.],
            [1.],
            [1.],
            [0.]])
    """
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
    """Per-sample categorical accuracy: 1.0 where ``argmax(y_true) == argmax(y_pred)``.

    Args:
        y_true: One-hot labels, ``(batch, ..., num_classes)``.
        y_pred: Predicted scores, same shape.

    Returns:
        A float tensor of 0s and 1s, ``(batch, ...)``.

    Example:

    >>> keras.metrics.categorical_accuracy(np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    tensor([0., 1.])
    """
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
    """Per-sample sparse categorical accuracy: 1.0 where the integer label equals ``argmax(y_pred)``.

    Args:
        y_true: Integer class labels, ``(batch,)`` or ``(batch, 1)``.
        y_pred: Predicted scores, ``(batch, num_classes)``.

    Returns:
        A float tensor of 0s and 1s, one per sample.

    Example:

    >>> keras.metrics.sparse_categorical_accuracy(np.array([[2], [1]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    tensor([0., 1.])
    """
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
    """Per-sample top-k accuracy: 1.0 where the one-hot target class is among the ``k`` highest predictions.

    Args:
        y_true: One-hot labels, ``(batch, num_classes)``.
        y_pred: Predicted scores, same shape.
        k: Number of top predictions considered (default 5).

    Returns:
        A float tensor of 0s and 1s, one per sample.

    Example:

    >>> keras.metrics.top_k_categorical_accuracy(np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]), k=2)
    tensor([1., 1.])
    """
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
    """Per-sample top-k accuracy for integer labels: 1.0 where the label is among the ``k`` highest predictions (or,
    with ``from_sorted_ids``, among the first ``k`` ids).

    Args:
        y_true: Integer class labels, ``(batch,)`` or ``(batch, 1)``.
        y_pred: Predicted scores ``(batch, num_classes)``, or class ids sorted by score with ``from_sorted_ids``.
        k: Number of top predictions considered (default 5).
        from_sorted_ids: Whether ``y_pred`` holds sorted class ids instead of scores.

    Returns:
        A float tensor of 0s and 1s, one per sample.

    Example:

    >>> keras.metrics.sparse_top_k_categorical_accuracy(np.array([2, 1]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]), k=2)
    tensor([1., 1.])
    """
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
    """Computes how often predictions equal labels exactly (for already-decoded class predictions).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Accuracy()
    >>> m.update_state(np.array([[1], [2], [3], [4]]), np.array([[0], [2], [3], [4]]))
    >>> m.result()
    tensor(0.7500)
    """

    def __init__(self, name: str = "accuracy", dtype: Any = None):
        super().__init__(fn=accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("BinaryAccuracy", category=_CAT)
class BinaryAccuracy(MeanMetricWrapper):
    """Computes how often the thresholded predictions match binary labels: a prediction counts as 1 when
    ``y_pred > threshold``.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["binary_accuracy"]``) to track it
    during training and evaluation.

    Args:
        threshold: Decision threshold on the predicted probabilities (default 0.5).
        name: Name of the metric instance (default ``"binary_accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.BinaryAccuracy()
    >>> m.update_state(np.array([[1], [1], [0], [0]]), np.array([[0.98], [1.0], [0.0], [0.6]]))
    >>> m.result()
    tensor(0.7500)
    """

    def __init__(self, name: str = "binary_accuracy", dtype: Any = None, threshold: float = 0.5):
        super().__init__(fn=binary_accuracy, name=name, dtype=dtype, threshold=threshold)
        self.threshold = threshold
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "threshold": self.threshold}


@registry.register("CategoricalAccuracy", category=_CAT)
class CategoricalAccuracy(MeanMetricWrapper):
    """Computes how often ``argmax(y_pred)`` matches the one-hot labels' ``argmax(y_true)``.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["categorical_accuracy"]``) to track it
    during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"categorical_accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.CategoricalAccuracy()
    >>> m.update_state(np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, name: str = "categorical_accuracy", dtype: Any = None):
        super().__init__(fn=categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("SparseCategoricalAccuracy", category=_CAT)
class SparseCategoricalAccuracy(MeanMetricWrapper):
    """Computes how often ``argmax(y_pred)`` matches integer class labels. ``compile(metrics=["accuracy"])`` picks this
    metric for a sparse categorical crossentropy loss.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["sparse_categorical_accuracy"]``) to
    track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"sparse_categorical_accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SparseCategoricalAccuracy()
    >>> m.update_state(np.array([[2], [1]]), np.array([[0.1, 0.6, 0.3], [0.05, 0.95, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, name: str = "sparse_categorical_accuracy", dtype: Any = None):
        super().__init__(fn=sparse_categorical_accuracy, name=name, dtype=dtype)
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("TopKCategoricalAccuracy", category=_CAT)
class TopKCategoricalAccuracy(MeanMetricWrapper):
    """Computes how often the one-hot target class is among the ``k`` highest predictions.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        k: Number of top predictions considered (default 5).
        name: Name of the metric instance (default ``"top_k_categorical_accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.TopKCategoricalAccuracy(k=1)
    >>> m.update_state(np.array([[0, 0, 1], [0, 1, 0]]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, k: int = 5, name: str = "top_k_categorical_accuracy", dtype: Any = None):
        super().__init__(fn=top_k_categorical_accuracy, name=name, dtype=dtype, k=k)
        self.k = k
        self._direction = "up"

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "k": self.k}


@registry.register("SparseTopKCategoricalAccuracy", category=_CAT)
class SparseTopKCategoricalAccuracy(MeanMetricWrapper):
    """Computes how often the integer target class is among the ``k`` highest predictions.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        k: Number of top predictions considered (default 5).
        from_sorted_ids: ``y_pred`` already holds class ids sorted by score (e.g. from a retrieval step) instead of
            scores.
        name: Name of the metric instance (default ``"sparse_top_k_categorical_accuracy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SparseTopKCategoricalAccuracy(k=1)
    >>> m.update_state(np.array([2, 1]), np.array([[0.1, 0.9, 0.8], [0.05, 0.95, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    """

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
