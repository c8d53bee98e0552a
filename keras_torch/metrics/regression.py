"""Regression metrics (Keras 3 ``metrics/regression_metrics.py``)."""

from __future__ import annotations

import warnings
from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.losses import regression as rg
from keras_torch.losses._common import squeeze_or_expand_to_same_rank, to_tensor
from keras_torch.metrics.metric import Metric
from keras_torch.metrics.reduction import Mean, MeanMetricWrapper

_CAT = "metrics"


class _LossMetric(MeanMetricWrapper):
    """Mean of a loss function; config is ``{"name", "dtype"}`` like Keras."""

    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("MeanSquaredError", "mse", "MSE", category=_CAT)
class MeanSquaredError(_LossMetric):
    """Computes the mean squared error between ``y_true`` and ``y_pred``, averaged over all samples seen.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["mse"]``) to track it during training
    and evaluation.

    Args:
        name: Name of the metric instance (default ``"mean_squared_error"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.MeanSquaredError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    >>> m.reset_state()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]), sample_weight=np.array([1.0, 0.0]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, name: str = "mean_squared_error", dtype: Any = None):
        super().__init__(fn=rg.mean_squared_error, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("MeanAbsoluteError", "mae", "MAE", category=_CAT)
class MeanAbsoluteError(_LossMetric):
    """Computes the mean absolute error between ``y_true`` and ``y_pred``, averaged over all samples seen.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["mae"]``) to track it during training
    and evaluation.

    Args:
        name: Name of the metric instance (default ``"mean_absolute_error"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.MeanAbsoluteError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> m.result()
    tensor(0.5000)
    >>> m.reset_state()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]), sample_weight=np.array([1.0, 0.0]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__(rg.mean_absolute_error, name, dtype=dtype)
        self._direction = "down"


@registry.register("MeanAbsolutePercentageError", "mape", "MAPE", category=_CAT)
class MeanAbsolutePercentageError(_LossMetric):
    """Computes the mean absolute percentage error, ``100 * mean(|y_true - y_pred| / |y_true|)``.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["mape"]``) to track it during training
    and evaluation.

    Args:
        name: Name of the metric instance (default ``"mean_absolute_percentage_error"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.MeanAbsolutePercentageError()
    >>> m.update_state(np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]]))
    >>> m.result()
    tensor(37.5000)
    """

    def __init__(self, name: str = "mean_absolute_percentage_error", dtype: Any = None):
        super().__init__(rg.mean_absolute_percentage_error, name, dtype=dtype)
        self._direction = "down"


@registry.register("MeanSquaredLogarithmicError", "msle", "MSLE", category=_CAT)
class MeanSquaredLogarithmicError(_LossMetric):
    """Computes the mean squared logarithmic error, ``mean(square(log(y_true + 1) - log(y_pred + 1)))``.

    Pass an instance to ``model.compile(metrics=[...])`` (or its name, ``metrics=["msle"]``) to track it during training
    and evaluation.

    Args:
        name: Name of the metric instance (default ``"mean_squared_logarithmic_error"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.MeanSquaredLogarithmicError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> m.result()
    tensor(0.2402)
    """

    def __init__(self, name: str = "mean_squared_logarithmic_error", dtype: Any = None):
        super().__init__(rg.mean_squared_logarithmic_error, name, dtype=dtype)
        self._direction = "down"


@registry.register("RootMeanSquaredError", category=_CAT)
class RootMeanSquaredError(Mean):
    """Computes the root of the (weighted) mean squared error over all samples seen.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"root_mean_squared_error"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.RootMeanSquaredError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> m.result()
    tensor(0.7071)
    """

    def __init__(self, name: str = "root_mean_squared_error", dtype: Any = None):
        super().__init__(name, dtype=dtype)
        self._direction = "down"

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate squared errors."""
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        y_true = to_tensor(y_true, dtype=self._dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        super().update_state(torch.square(y_pred - y_true), sample_weight=sample_weight)

    def result(self) -> torch.Tensor:
        """``sqrt(total / count)``."""
        return torch.sqrt(super().result())


def cosine_similarity(y_true: Any, y_pred: Any, axis: int = -1) -> torch.Tensor:
    """Cosine similarity along ``axis`` (positive; the loss of the same name is its negative)."""
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
    return torch.sum(rg.l2_normalize(y_true, axis) * rg.l2_normalize(y_pred, axis), dim=axis)


@registry.register("CosineSimilarity", category=_CAT)
class CosineSimilarity(_LossMetric):
    """Computes the mean cosine similarity between labels and predictions (1 for the same direction, -1 for opposite
    ones).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        axis: The axis along which the similarity is computed (default -1).
        name: Name of the metric instance (default ``"cosine_similarity"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.CosineSimilarity(axis=1)
    >>> m.update_state(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]]))
    >>> m.result()
    tensor(0.5000)
    """

    def __init__(self, name: str = "cosine_similarity", dtype: Any = None, axis: int = -1):
        super().__init__(cosine_similarity, name, dtype=dtype, axis=axis)
        self._direction = "up"


@registry.register("LogCoshError", category=_CAT)
class LogCoshError(_LossMetric):
    """Computes the mean logarithm of the hyperbolic cosine of the prediction error, ``log(cosh(y_pred - y_true))``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"logcosh"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.LogCoshError()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[1.0, 1.0], [1.0, 0.0]]))
    >>> m.result()
    tensor(0.2169)
    """

    def __init__(self, name: str = "logcosh", dtype: Any = None):
        super().__init__(rg.log_cosh, name, dtype=dtype)
        self._direction = "down"


@registry.register("R2Score", category=_CAT)
class R2Score(Metric):
    """Computes the coefficient of determination, ``1 - SS_res / SS_tot``, over all samples seen (1 is a perfect fit, 0
    no better than the mean).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        class_aggregation: How per-output scores are combined: ``"uniform_average"`` (default),
            ``"variance_weighted_average"`` or ``None`` (one score per output).
        num_regressors: Number of independent regressors, for the adjusted R2 score (default 0: not adjusted).
        name: Name of the metric instance (default ``"r2_score"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.R2Score()
    >>> m.update_state(np.array([[1.0], [4.0], [3.0]]), np.array([[2.0], [4.0], [4.0]]))
    >>> m.result()
    tensor(0.5714)
    """

    def __init__(
        self,
        class_aggregation: str | None = "uniform_average",
        num_regressors: int = 0,
        name: str = "r2_score",
        dtype: Any = None,
    ):
        super().__init__(name=name, dtype=dtype)
        self._direction = "up"
        valid = (None, "uniform_average", "variance_weighted_average")
        if class_aggregation not in valid:
            raise ValueError(
                "Invalid value for argument `class_aggregation`. Expected one of "
                f"{valid}. Received: class_aggregation={class_aggregation}"
            )
        if num_regressors < 0:
            raise ValueError(
                "Invalid value for argument `num_regressors`. Expected a value >= 0. "
                f"Received: num_regressors={num_regressors}"
            )
        self.class_aggregation = class_aggregation
        self.num_regressors = num_regressors
        self.num_samples = self.add_variable(shape=(), name="num_samples")
        self._built = False

    def _build(self, y_true_shape: tuple, y_pred_shape: tuple) -> None:
        if len(y_pred_shape) != 2 or len(y_true_shape) != 2:
            raise ValueError(
                "R2Score expects 2D inputs with shape (batch_size, output_dim). Received input shapes: "
                f"y_pred.shape={y_pred_shape} and y_true.shape={y_true_shape}."
            )
        n = y_pred_shape[-1]
        self.squared_sum = self.add_variable(shape=(n,), name="squared_sum")
        self.sum = self.add_variable(shape=(n,), name="sum")
        self.total_mse = self.add_variable(shape=(n,), name="residual")
        self.count = self.add_variable(shape=(n,), name="count")
        self._built = True

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Accumulate weighted sums of ``y``, ``y**2`` and squared residuals per output."""
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        y_true = to_tensor(y_true, dtype=self._dtype, device=y_pred.device)
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        if not self._built:
            self._build(tuple(y_true.shape), tuple(y_pred.shape))
        sw = to_tensor(1.0 if sample_weight is None else sample_weight, dtype=self._dtype, device=y_pred.device)
        if sw.ndim == 1:
            sw = sw.unsqueeze(1)
        sw = torch.broadcast_to(sw, y_true.shape)
        weighted = y_true * sw
        self.sum.assign_add(weighted.sum(0))
        self.squared_sum.assign_add((y_true * weighted).sum(0))
        self.total_mse.assign_add(((y_true - y_pred) ** 2 * sw).sum(0))
        self.count.assign_add(sw.sum(0))
        self.num_samples.assign_add(float(y_true.numel()))

    def result(self) -> torch.Tensor:
        """R^2 per output, aggregated by ``class_aggregation``."""
        mean = self.sum.value / self.count.value
        total = self.squared_sum.value - self.sum.value * mean
        raw = 1 - self.total_mse.value / total
        raw = torch.where(torch.isinf(raw), torch.zeros_like(raw), raw)
        if self.class_aggregation == "uniform_average":
            r2 = raw.mean()
        elif self.class_aggregation == "variance_weighted_average":
            r2 = (total * raw).sum() / total.sum()
        else:
            r2 = raw
        if self.num_regressors != 0:
            n_samples = float(self.num_samples.value)  # host read, result() only
            if self.num_regressors > n_samples - 1:
                warnings.warn(
                    "More independent predictors than datapoints in adjusted R2 score. "
                    "Falling back to standard R2 score.",
                    stacklevel=2,
                )
            elif self.num_regressors == n_samples - 1:
                warnings.warn("Division by zero in Adjusted R2 score. Falling back to standard R2 score.", stacklevel=2)
            else:
                r2 = 1.0 - (1.0 - r2) * (n_samples - 1.0) / (n_samples - self.num_regressors - 1.0)
        return r2

    def reset_state(self) -> None:
        """Zero all accumulators."""
        super().reset_state()

    def get_config(self) -> dict[str, Any]:
        extra = {"class_aggregation": self.class_aggregation, "num_regressors": self.num_regressors}
        return {**super().get_config(), **extra}
