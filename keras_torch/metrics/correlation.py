"""Correlation metrics (Keras 3 ``metrics/correlation_metrics.py``)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config, registry
from keras_torch.losses._common import squeeze_or_expand_to_same_rank, to_tensor
from keras_torch.metrics.reduction import MeanMetricWrapper


def _pair(y_true: Any, y_pred: Any) -> tuple[torch.Tensor, torch.Tensor]:
    y_pred = to_tensor(y_pred)
    if not y_pred.is_floating_point():
        y_pred = y_pred.float()
    y_true = to_tensor(y_true, dtype=y_pred.dtype, device=y_pred.device)
    return squeeze_or_expand_to_same_rank(y_true, y_pred)


@registry.register(category="metric_functions")
def pearson_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> torch.Tensor:
    """Per-sample Pearson correlation coefficient between ``y_true`` and ``y_pred`` along ``axis`` (population standard
    deviations).

    Args:
        y_true: Labels.
        y_pred: Predictions, same shape.
        axis: The axis along which the correlation is computed (default -1).

    Returns:
        A tensor of correlations in ``[-1, 1]``, the input shape without ``axis``.

    Example:

    >>> keras.metrics.pearson_correlation(np.array([[0.0, 1.0, 2.0, 3.0]]), np.array([[0.1, 0.9, 2.2, 2.8]]))
    tensor([0.9908])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(dim=axis, keepdim=True)
    p = y_pred - y_pred.mean(dim=axis, keepdim=True)
    t = t / t.std(dim=axis, keepdim=True, correction=0)
    p = p / p.std(dim=axis, keepdim=True, correction=0)
    return (t * p).mean(dim=axis)


@registry.register(category="metric_functions")
def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> torch.Tensor:
    """Per-sample Lin's concordance correlation coefficient between ``y_true`` and ``y_pred`` along ``axis``:
    ``2 * cov / (var_true + var_pred + (mean_true - mean_pred) ** 2)``.

    Args:
        y_true: Labels.
        y_pred: Predictions, same shape.
        axis: The axis along which the coefficient is computed (default -1).

    Returns:
        A tensor of coefficients in ``[-1, 1]``, the input shape without ``axis``.

    Example:

    >>> keras.metrics.concordance_correlation(np.array([[0.0, 1.0, 2.0, 3.0]]), np.array([[0.1, 0.9, 2.2, 2.8]]))
    tensor([0.9895])
    """
    y_true, y_pred = _pair(y_true, y_pred)
    t_mean = y_true.mean(dim=axis, keepdim=True)
    p_mean = y_pred.mean(dim=axis, keepdim=True)
    t_var = (y_true - t_mean).var(dim=axis, keepdim=True, correction=0)
    p_var = (y_pred - p_mean).var(dim=axis, keepdim=True, correction=0)
    covar = (y_true - p_mean) * (y_pred - p_mean)
    norm = t_var + p_var + torch.square(t_mean - p_mean)
    return (2 * covar / (norm + config.epsilon())).mean(dim=axis)


class _Correlation(MeanMetricWrapper):
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype, "axis": self.axis}


@registry.register("PearsonCorrelation", category="metrics")
class PearsonCorrelation(_Correlation):
    """Computes the Pearson correlation between labels and predictions along ``axis``, averaged over the samples seen.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        axis: The axis along which the correlation is computed (default -1).
        name: Name of the metric instance (default ``"pearson_correlation"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.PearsonCorrelation()
    >>> m.update_state(np.array([[0.0, 1.0, 2.0, 3.0]]), np.array([[0.1, 0.9, 2.2, 2.8]]))
    >>> m.result()
    tensor(0.9908)
    """

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


@registry.register("ConcordanceCorrelation", category="metrics")
class ConcordanceCorrelation(_Correlation):
    """Computes Lin's concordance correlation coefficient between labels and predictions along ``axis`` (agreement on
    both correlation and scale), averaged over the samples seen.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        axis: The axis along which the coefficient is computed (default -1).
        name: Name of the metric instance (default ``"concordance_correlation"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.ConcordanceCorrelation()
    >>> m.update_state(np.array([[0.0, 1.0, 2.0, 3.0]]), np.array([[0.1, 0.9, 2.2, 2.8]]))
    >>> m.result()
    tensor(0.9895)
    """

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"
