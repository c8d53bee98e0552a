"""``Sum``, ``Mean`` and ``MeanMetricWrapper`` (Keras 3 ``metrics/reduction_metrics.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.losses._common import (
    divide_no_nan,
    get_keras_mask,
    squeeze_or_expand_to_same_rank,
    to_tensor,
)
from keras_torch.losses.reduction import apply_mask
from keras_torch.metrics.metric import Metric

_CAT = "metrics"


def _reduce(fn: Callable, x: torch.Tensor, start: int, stop: int) -> torch.Tensor:
    return fn(x, dim=tuple(range(start, stop)))


def reduce_to_samplewise_values(
    values: Any, sample_weight: Any, reduce_fn: Callable, dtype: torch.dtype
) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Weight ``values`` and reduce everything but the batch axis (Keras verbatim)."""
    mask = get_keras_mask(values)
    values = to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, dtype=dtype, device=values.device)
        if mask is not None:
            sample_weight = apply_mask(sample_weight, mask, dtype=dtype, reduction="sum")
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        weight_ndim, values_ndim = sample_weight.ndim, values.ndim
        if values_ndim > weight_ndim:
            values = _reduce(reduce_fn, values, weight_ndim, values_ndim)
        sample_weight = torch.broadcast_to(sample_weight, values.shape)
        values = values * sample_weight
        if weight_ndim > 1:
            sample_weight = _reduce(reduce_fn, sample_weight, 1, weight_ndim)
    if values.ndim > 1:
        values = _reduce(reduce_fn, values, 1, values.ndim)
    return values, sample_weight


@registry.register("Sum", category=_CAT)
class Sum(Metric):
    """Computes the (weighted) sum of the given values over all updates.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"sum"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Sum()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> m.result()
    tensor(16.)
    """

    def __init__(self, name: str = "sum", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``sum(values * sample_weight)``."""
        values, _ = reduce_to_samplewise_values(values, sample_weight, torch.sum, self._dtype)
        self.total.assign_add(values.sum())

    def result(self) -> torch.Tensor:
        """The running total."""
        return self.total.value.clone()


@registry.register("Mean", category=_CAT)
class Mean(Metric):
    """Computes the (weighted) mean of the given values, ``total / count``, over all updates.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"mean"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Mean()
    >>> m.update_state([1.0, 3.0, 5.0, 7.0])
    >>> m.result()
    tensor(4.)
    >>> m.update_state([1.0, 3.0], sample_weight=[1.0, 0.0])
    >>> m.result()
    tensor(3.4000)
    """

    def __init__(self, name: str = "mean", dtype: Any = None):
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(shape=(), name="total")
        self.count = self.add_variable(shape=(), name="count")

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add ``sum(values * w)`` to the total and ``sum(w)`` (or the batch size) to the count."""
        if (
            type(values) is torch.Tensor
            and values.dtype == self._dtype
            and (sample_weight is None or type(sample_weight) in (int, float))
            and getattr(values, "_keras_mask", None) is None
        ):
            self._fast_update(values, sample_weight)
            return
        values, sample_weight = reduce_to_samplewise_values(values, sample_weight, torch.mean, self._dtype)
        self.total.assign_add(values.sum())
        if sample_weight is not None:
            self.count.assign_add(sample_weight.sum())
        else:
            self.count.assign_add(float(values.shape[0]) if values.ndim >= 1 else 1.0)

    def _fast_update(self, values: torch.Tensor, weight: float | int | None) -> None:
        """Same arithmetic as the general path for the training loop's common case (no per-sample
        weights, no mask): fewer ops and no Python-side conversions."""
        values = values.detach()
        total, count = self.total, self.count
        if total.device != values.device:
            total.to(values.device)
            count.to(values.device)
        if values.ndim == 0:
            n = 1.0
        else:
            if values.ndim > 1:
                values = values.mean(dim=tuple(range(1, values.ndim)))
            n = float(values.shape[0])
        summed = values if values.ndim == 0 else values.sum()  # (a 0-d sum would only copy)
        if weight is None:
            total.value.add_(summed)
            count.value.add_(n)
        else:
            total.value.add_(summed * float(weight))
            count.value.add_(n * float(weight))

    def result(self) -> torch.Tensor:
        """``total / count`` (0 when nothing was counted)."""
        return divide_no_nan(self.total.value, self.count.value)


def _loss_types() -> tuple[type, ...]:
    from keras_torch.losses.loss import Loss

    return (Loss,)


def _serialize_fn(fn: Any) -> Any:
    return registry.serialize_keras_object(fn, _CAT)


def _deserialize_fn(obj: Any) -> Any:
    if callable(obj):
        return obj
    if isinstance(obj, dict) and obj.get("class_name") == "function":
        obj = obj.get("config")
    if isinstance(obj, str):
        # Metric functions (binary_accuracy, ...) register themselves in their own modules;
        # loss functions double as metric functions.
        fn = registry.registered("metric_functions").get(obj)
        return fn if fn is not None else registry.get("losses", obj, what="metric function")
    return registry.deserialize_keras_object(obj, _CAT)


@registry.register("MeanMetricWrapper", category=_CAT)
class MeanMetricWrapper(Mean):
    """Mean of ``fn(y_true, y_pred, **kwargs)`` over all samples seen.

    Args:
        fn: Per-sample metric function.
        name: Metric name.
        dtype: State dtype.
        **kwargs: Extra keyword arguments passed to ``fn``.

    Example:

    >>> m = keras.metrics.MeanMetricWrapper(fn=keras.metrics.binary_accuracy, name="acc", threshold=0.5)
    >>> m.update_state(np.array([[1.0], [0.0]]), np.array([[0.7], [0.8]]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any):
        super().__init__(name=name, dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs
        if str(getattr(fn, "__module__", "")).startswith("keras_torch.losses") or isinstance(fn, _loss_types()):
            self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Evaluate ``fn`` and accumulate its weighted mean (honouring a ``_keras_mask`` on ``y_pred``)."""
        mask = get_keras_mask(y_pred)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        if sample_weight is None and mask is None and type(values) is torch.Tensor and values.dtype == self._dtype:
            self._fast_update(values, None)
            return
        if sample_weight is not None or mask is not None:
            device = values.device if isinstance(values, torch.Tensor) else None
            if sample_weight is not None:
                sample_weight = to_tensor(sample_weight, dtype=self._dtype, device=device)
            if mask is not None:
                mask = to_tensor(mask, device=device)
            sample_weight = apply_mask(sample_weight, mask, dtype=self._dtype, reduction="sum")
        super().update_state(values, sample_weight=sample_weight)

    def get_config(self) -> dict[str, Any]:
        """Base config + serialized ``fn`` + its keyword arguments."""
        config = super().get_config()
        config["fn"] = _serialize_fn(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> MeanMetricWrapper:
        """Rebuild, resolving ``fn`` by name."""
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_fn(config["fn"])
        return cls(**config)
