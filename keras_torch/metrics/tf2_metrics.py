"""tf-keras 2 metrics that Keras 3 dropped: ``MeanRelativeError`` and ``MeanTensor``.

Both average like tf-keras's ``Reduce`` metrics: every element counts once (weighted), rather than
Keras 3's mean of per-sample means.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.losses._common import divide_no_nan, squeeze_or_expand_to_same_rank, to_tensor
from keras_torch.metrics.metric import Metric

_CAT = "metrics"


def _weighted(values: torch.Tensor, sample_weight: Any, dtype: torch.dtype) -> tuple[torch.Tensor, torch.Tensor]:
    """``(values * w, w)`` with ``w`` broadcast to ``values`` (tf-keras: a weight of lower rank averages the
    trailing axes of ``values`` first when it cannot broadcast)."""
    if sample_weight is None:
        return values, torch.ones_like(values)
    weight = to_tensor(sample_weight, dtype=dtype, device=values.device)
    if weight.ndim == values.ndim - 1:  # tf-keras: per-sample weights get a trailing axis
        weight = weight.unsqueeze(-1)
    values, weight = squeeze_or_expand_to_same_rank(values, weight)
    try:
        weight = torch.broadcast_to(weight, values.shape)
    except RuntimeError:
        values = values.mean(dim=tuple(range(weight.ndim, values.ndim)))
        weight = torch.broadcast_to(weight, values.shape)
    return values * weight, weight


@registry.register("MeanRelativeError", "mean_relative_error", category=_CAT)
class MeanRelativeError(Metric):
    """Mean of ``|y_true - y_pred| / normalizer`` (0 where the normalizer is 0).

    Args:
        normalizer: Values with the shape of the predictions (or broadcastable to it).
        name: Metric name.
        dtype: Result dtype.

    Example:

    >>> m = keras.metrics.MeanRelativeError(normalizer=[1.0, 3.0, 2.0, 3.0])
    >>> m.update_state([1.0, 3.0, 2.0, 3.0], [2.0, 4.0, 6.0, 8.0])
    >>> m.result()
    tensor(1.2500)
    """

    def __init__(self, normalizer: Any, name: str | None = None, dtype: Any = None) -> None:
        super().__init__(name=name or "mean_relative_error", dtype=dtype)
        self.normalizer = to_tensor(np.asarray(normalizer), dtype=self._dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate the relative errors of a batch."""
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        y_true = to_tensor(y_true, dtype=self._dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        normalizer = self.normalizer.to(y_pred.device)
        if normalizer.ndim == y_pred.ndim + 1 and normalizer.shape[-1] == 1:
            normalizer = normalizer.squeeze(-1)
        errors = divide_no_nan(torch.abs(y_true - y_pred), normalizer)
        values, weight = _weighted(errors, sample_weight, self._dtype)
        self.total.assign_add(values.sum())
        self.count.assign_add(weight.sum())

    def result(self) -> torch.Tensor:
        return divide_no_nan(self.total.value, self.count.value)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "normalizer": self.normalizer.cpu().numpy().tolist()}


@registry.register("MeanTensor", "mean_tensor", category=_CAT)
class MeanTensor(Metric):
    """Element-wise weighted mean of same-shaped tensors over the updates (the result has their shape).

    Args:
        name: Metric name.
        dtype: Result dtype.
        shape: The values' shape; taken from the first update when ``None``.

    Example:

    >>> m = keras.metrics.MeanTensor()
    >>> m.update_state([0.0, 1.0, 2.0, 3.0])
    >>> m.update_state([4.0, 5.0, 6.0, 7.0])
    >>> m.result()
    tensor([2., 3., 4., 5.])
    """

    def __init__(self, name: str = "mean_tensor", dtype: Any = None, shape: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self._shape: tuple[int, ...] | None = None
        self.total = None
        self.count = None
        if shape is not None:
            self._build(shape)

    def _build(self, shape: Any) -> None:
        self._shape = tuple(int(d) for d in shape)
        self.total = self.add_variable(shape=self._shape, name="total")
        self.count = self.add_variable(shape=self._shape, name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``values * w`` to the total and ``w`` to the count, element by element."""
        values = to_tensor(values, dtype=self._dtype)
        if self._shape is None:
            self._build(values.shape)
        elif tuple(values.shape) != self._shape:
            raise ValueError("MeanTensor input values must always have the same shape. Expected shape (set during "
                             f"the first call): {self._shape}. Got: {tuple(values.shape)}.")
        weighted, weight = _weighted(values, sample_weight, self._dtype)
        self.total.assign_add(weighted)
        self.count.assign_add(weight)

    def result(self) -> torch.Tensor:
        if self._shape is None:
            raise ValueError("MeanTensor does not have any value yet. Please call the MeanTensor instance or use "
                             "`.update_state(value)` before retrieving the result.")
        return divide_no_nan(self.total.value, self.count.value)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "shape": list(self._shape) if self._shape is not None else None}
