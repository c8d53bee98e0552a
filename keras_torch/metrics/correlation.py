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
    """Pearson correlation along ``axis`` (population standard deviations)."""
    y_true, y_pred = _pair(y_true, y_pred)
    t = y_true - y_true.mean(dim=axis, keepdim=True)
    p = y_pred - y_pred.mean(dim=axis, keepdim=True)
    t = t / t.std(dim=axis, keepdim=True, correction=0)
    p = p / p.std(dim=axis, keepdim=True, correction=0)
    return (t * p).mean(dim=axis)


@registry.register(category="metric_functions")
def concordance_correlation(y_true: Any, y_pred: Any, axis: int = -1) -> torch.Tensor:
    """Lin's concordance correlation along ``axis``.

    Reproduces Keras 3 exactly, including its covariance term ``(y_true - mean(y_pred)) *
    (y_pred - mean(y_pred))``.
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
    """Mean per-sample Pearson correlation along ``axis``."""

    def __init__(self, name: str = "pearson_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=pearson_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"


@registry.register("ConcordanceCorrelation", category="metrics")
class ConcordanceCorrelation(_Correlation):
    """Mean per-sample concordance correlation along ``axis``."""

    def __init__(self, name: str = "concordance_correlation", dtype: Any = None, axis: int = -1):
        super().__init__(fn=concordance_correlation, name=name, dtype=dtype, axis=axis)
        self.axis = axis
        self._direction = "up"
