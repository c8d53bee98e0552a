"""Name -> function table for metric functions (``keras.metrics.binary_accuracy`` ...)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch.losses import crossentropy as ce
from keras_torch.losses import regression as rg
from keras_torch.metrics import accuracy_metrics as acc
from keras_torch.metrics import correlation as corr

FUNCTIONS: dict[str, Callable[..., Any]] = {
    f.__name__: f
    for f in (
        acc.accuracy,
        acc.binary_accuracy,
        acc.categorical_accuracy,
        acc.sparse_categorical_accuracy,
        acc.top_k_categorical_accuracy,
        acc.sparse_top_k_categorical_accuracy,
        ce.binary_crossentropy,
        ce.binary_focal_crossentropy,
        ce.categorical_crossentropy,
        ce.categorical_focal_crossentropy,
        ce.sparse_categorical_crossentropy,
        rg.mean_squared_error,
        rg.mean_absolute_error,
        rg.mean_absolute_percentage_error,
        rg.mean_squared_logarithmic_error,
        rg.huber,
        rg.log_cosh,
        rg.kl_divergence,
        rg.poisson,
        rg.hinge,
        rg.squared_hinge,
        rg.categorical_hinge,
        corr.pearson_correlation,
        corr.concordance_correlation,
    )
}
