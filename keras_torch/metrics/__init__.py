"""Keras metrics (``keras.metrics``): stateful torch metrics, metric functions and resolution.

Class names, their snake-case forms and Keras aliases (``"mse"``, ``"acc"``...) are registered in
the ``"metrics"`` registry category. :func:`resolve_metric` turns a ``compile(metrics=[...])``
entry into a :class:`Metric` following Keras 3 ``compile_utils.get_metric``.
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.core import registry
from keras_torch.losses import is_binary_or_sparse_categorical
from keras_torch.losses._common import to_snake_case
from keras_torch.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    sparse_categorical_crossentropy,
)
from keras_torch.losses.regression import (
    categorical_hinge,
    hinge,
    huber,
    kl_divergence,
    log_cosh,
    mean_absolute_error,
    mean_absolute_percentage_error,
    mean_squared_error,
    mean_squared_logarithmic_error,
    poisson,
    squared_hinge,
)
from keras_torch.metrics import experimental as experimental
from keras_torch.metrics.accuracy_metrics import (
    Accuracy,
    BinaryAccuracy,
    CategoricalAccuracy,
    SparseCategoricalAccuracy,
    SparseTopKCategoricalAccuracy,
    TopKCategoricalAccuracy,
    accuracy,
    binary_accuracy,
    categorical_accuracy,
    sparse_categorical_accuracy,
    sparse_top_k_categorical_accuracy,
    top_k_categorical_accuracy,
)
from keras_torch.metrics.auc import AUC
from keras_torch.metrics.confusion import (
    FalseNegatives,
    FalsePositives,
    Precision,
    PrecisionAtRecall,
    Recall,
    RecallAtPrecision,
    SensitivityAtSpecificity,
    SpecificityAtSensitivity,
    TrueNegatives,
    TruePositives,
)
from keras_torch.metrics.correlation import (
    ConcordanceCorrelation,
    PearsonCorrelation,
    concordance_correlation,
    pearson_correlation,
)
from keras_torch.metrics.f_score import F1Score, FBetaScore
from keras_torch.metrics.iou import BinaryIoU, IoU, MeanIoU, OneHotIoU, OneHotMeanIoU
from keras_torch.metrics.metric import Metric, MetricVariable
from keras_torch.metrics.probabilistic import (
    BinaryCrossentropy,
    CategoricalCrossentropy,
    CategoricalHinge,
    Hinge,
    KLDivergence,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
)
from keras_torch.metrics.reduction import Mean, MeanMetricWrapper, Sum
from keras_torch.metrics.regression import (
    CosineSimilarity,
    LogCoshError,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    R2Score,
    RootMeanSquaredError,
)
from keras_torch.metrics.tf2_metrics import MeanRelativeError, MeanTensor

_CAT = "metrics"

ALL_CLASSES = (
    Metric, Mean, Sum, MeanMetricWrapper, MeanSquaredError, RootMeanSquaredError, MeanAbsoluteError,
    MeanAbsolutePercentageError, MeanSquaredLogarithmicError, CosineSimilarity, LogCoshError, R2Score, AUC,
    FalseNegatives, FalsePositives, Precision, PrecisionAtRecall, Recall, RecallAtPrecision,
    SensitivityAtSpecificity, SpecificityAtSensitivity, TrueNegatives, TruePositives, Hinge, SquaredHinge,
    CategoricalHinge, KLDivergence, Poisson, BinaryCrossentropy, CategoricalCrossentropy,
    SparseCategoricalCrossentropy, Accuracy, BinaryAccuracy, CategoricalAccuracy, SparseCategoricalAccuracy,
    TopKCategoricalAccuracy, SparseTopKCategoricalAccuracy, F1Score, FBetaScore, IoU, BinaryIoU, MeanIoU,
    OneHotIoU, OneHotMeanIoU, PearsonCorrelation, ConcordanceCorrelation,
)  # fmt: skip

# Keras 3 ``metrics.ALL_OBJECTS_DICT``: class names and their snake-case spellings; plus "acc".
for _cls in ALL_CLASSES:
    registry.register(_cls.__name__, to_snake_case(_cls.__name__), category=_CAT)(_cls)
registry.register("acc", category=_CAT)(Accuracy)
# tf.keras 2 spellings that Keras 3 dropped from ``metrics.get`` (kept so old configs load).
registry.register("kld", "KLD", "kullback_leibler_divergence", category=_CAT)(KLDivergence)
registry.register("logcosh", category=_CAT)(LogCoshError)

# Keras legacy function aliases exported by ``keras.metrics``.
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
logcosh = log_cosh


def serialize(metric: Any) -> Any:
    """Serializes a metric to a JSON-friendly form.

    Args:
        metric: A :class:`Metric` instance or a metric function.

    Returns:
        Keras 3's config dict for a ``Metric`` instance; the registered name for a function.

    Example:

    >>> keras.metrics.serialize(keras.metrics.AUC())["class_name"]
    'AUC'
    """
    return registry.serialize_keras_object(metric, _CAT)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Creates a metric from the output of :func:`serialize`; a name gives an instance of the named class.

    Args:
        config: A config dict or a metric name.
        custom_objects: Optional dict mapping names to custom metric classes or functions.

    Returns:
        A ``Metric`` instance (or a metric function).

    Example:

    >>> type(keras.metrics.deserialize("AUC")).__name__
    'AUC'
    """
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="metric")


def get(identifier: Any) -> Any:
    """Retrieves a metric from an identifier: ``None``, a name, a config dict, a class, an instance or a function.

    Args:
        identifier: The identifier. Unknown names raise a ``ValueError`` suggesting the closest valid name.

    Returns:
        A ``Metric`` instance or a metric function (``None`` for ``None``).

    Example:

    >>> type(keras.metrics.get("Precision")).__name__
    'Precision'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = registry.get(_CAT, identifier, what="metric")
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")


def _object_name(obj: Any) -> str:
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def resolve_metric(identifier: Any, y_true: Any, y_pred: Any, loss: Any = None) -> Metric:
    """Build the :class:`Metric` that ``compile(metrics=[identifier])`` tracks for one output.

    Keras 3 ``compile_utils.get_metric`` rules: ``"accuracy"``/``"acc"`` (any case) become
    ``BinaryAccuracy`` when ``y_pred.shape[-1] == 1``, ``SparseCategoricalAccuracy`` when
    ``y_true`` has lower rank than ``y_pred`` or ``y_true.shape[-1] == 1 < y_pred.shape[-1]``,
    else ``CategoricalAccuracy``; ``"crossentropy"``/``"ce"`` (a tf.keras 2 spelling that Keras 3
    rejects) pick the matching crossentropy metric the same way. The metric keeps the name the
    user typed; functions are wrapped in :class:`MeanMetricWrapper` named after the function.

    Args:
        identifier: String, function, class, :class:`Metric` instance or config dict.
        y_true: Labels (or anything with ``.shape``) of one output.
        y_pred: Predictions (or anything with ``.shape``) of the same output.
        loss: Accepted for API symmetry; Keras 3 ignores the loss here.

    Returns:
        A :class:`Metric`.
    """
    del loss
    if identifier is None:
        raise ValueError("Expected metric, received `None`")
    key = str(identifier).lower() if isinstance(identifier, str) else None
    if key in ("accuracy", "acc", "crossentropy", "ce"):
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if key in ("accuracy", "acc"):
            cls = BinaryAccuracy if is_binary else SparseCategoricalAccuracy if is_sparse else CategoricalAccuracy
        else:
            cls = BinaryCrossentropy if is_binary else SparseCategoricalCrossentropy if is_sparse else CategoricalCrossentropy
        metric_obj: Any = cls(name=str(identifier))
    else:
        metric_obj = get(identifier)
    name = identifier if isinstance(identifier, str) else _object_name(metric_obj)
    if not isinstance(metric_obj, Metric):
        metric_obj = MeanMetricWrapper(metric_obj)
    metric_obj.name = name
    return metric_obj


__all__ = [
    "MeanRelativeError",
    "MeanTensor",
    "AUC",
    "Accuracy",
    "BinaryAccuracy",
    "BinaryCrossentropy",
    "BinaryIoU",
    "CategoricalAccuracy",
    "CategoricalCrossentropy",
    "CategoricalHinge",
    "ConcordanceCorrelation",
    "CosineSimilarity",
    "F1Score",
    "FBetaScore",
    "FalseNegatives",
    "FalsePositives",
    "Hinge",
    "IoU",
    "KLDivergence",
    "LogCoshError",
    "Mean",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanIoU",
    "MeanMetricWrapper",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Metric",
    "MetricVariable",
    "OneHotIoU",
    "OneHotMeanIoU",
    "PearsonCorrelation",
    "Poisson",
    "Precision",
    "PrecisionAtRecall",
    "R2Score",
    "Recall",
    "RecallAtPrecision",
    "RootMeanSquaredError",
    "SensitivityAtSpecificity",
    "SparseCategoricalAccuracy",
    "SparseCategoricalCrossentropy",
    "SparseTopKCategoricalAccuracy",
    "SpecificityAtSensitivity",
    "SquaredHinge",
    "Sum",
    "TopKCategoricalAccuracy",
    "TrueNegatives",
    "TruePositives",
    "accuracy",
    "binary_accuracy",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_accuracy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_hinge",
    "deserialize",
    "get",
    "hinge",
    "huber",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "pearson_correlation",
    "concordance_correlation",
    "poisson",
    "resolve_metric",
    "serialize",
    "sparse_categorical_accuracy",
    "sparse_categorical_crossentropy",
    "sparse_top_k_categorical_accuracy",
    "squared_hinge",
    "top_k_categorical_accuracy",
]
