"""Keras losses (``keras.losses``) on torch tensors.

Functions return unreduced per-sample losses; classes (:class:`Loss` subclasses) apply sample
weights, masks and the ``reduction``. Every Keras 3 name and alias is registered in the
``"losses"`` registry category.
"""

from __future__ import annotations

import inspect
from typing import Any

from keras_torch.core import registry
from keras_torch.losses._common import to_snake_case
from keras_torch.losses.circle import Circle, circle
from keras_torch.losses.classes import (
    BinaryCrossentropy,
    BinaryFocalCrossentropy,
    CategoricalCrossentropy,
    CategoricalFocalCrossentropy,
    CategoricalGeneralizedCrossEntropy,
    CategoricalHinge,
    CosineSimilarity,
    Dice,
    Hinge,
    Huber,
    KLDivergence,
    LogCosh,
    MeanAbsoluteError,
    MeanAbsolutePercentageError,
    MeanSquaredError,
    MeanSquaredLogarithmicError,
    Poisson,
    SparseCategoricalCrossentropy,
    SquaredHinge,
    Tversky,
)
from keras_torch.losses.crossentropy import (
    binary_crossentropy,
    binary_focal_crossentropy,
    categorical_crossentropy,
    categorical_focal_crossentropy,
    categorical_generalized_cross_entropy,
    sparse_categorical_crossentropy,
)
from keras_torch.losses.ctc import CTC, ctc
from keras_torch.losses.loss import Loss, LossFunctionWrapper
from keras_torch.losses.reduction import Reduction, reduce_weighted_values
from keras_torch.losses.regression import (
    categorical_hinge,
    cosine_similarity,
    dice,
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
    tversky,
)

# Keras 3 exports these aliases as module attributes too (``keras.losses.mse`` ...).
mse = MSE = mean_squared_error
mae = MAE = mean_absolute_error
mape = MAPE = mean_absolute_percentage_error
msle = MSLE = mean_squared_logarithmic_error
kld = KLD = kullback_leibler_divergence = kl_divergence
bce = BCE = binary_crossentropy
logcosh = log_cosh

_CAT = "losses"


def serialize(loss: Any) -> Any:
    """Serializes a loss to a JSON-friendly form.

    Args:
        loss: A :class:`Loss` instance or a built-in loss function.

    Returns:
        For a ``Loss`` instance, Keras 3's dict (``module``, ``class_name``, ``config``, ``registered_name``);
        for a loss function, its registered name.

    Example:

    >>> keras.losses.serialize(keras.losses.MeanSquaredError())["class_name"]
    'MeanSquaredError'
    >>> keras.losses.serialize(keras.losses.mean_squared_error)
    'mean_squared_error'
    """
    return registry.serialize_keras_object(loss, _CAT)


def deserialize(config: Any, custom_objects: dict[str, Any] | None = None) -> Any:
    """Creates a loss from the output of :func:`serialize`.

    Also accepts Keras 2 and Keras 3 config dicts and plain names.

    Args:
        config: A config dict or a loss name.
        custom_objects: Optional dict mapping names to custom loss classes or functions.

    Returns:
        A ``Loss`` instance, or a loss function for a function name.

    Example:

    >>> type(keras.losses.deserialize({"class_name": "Huber", "config": {"delta": 2.0}})).__name__
    'Huber'
    """
    if isinstance(config, dict) and config.get("class_name") == "function":
        config = config.get("config")
    if isinstance(config, str):
        return registry.get(_CAT, config, custom_objects, what="loss function")
    return registry.deserialize_keras_object(config, _CAT, custom_objects, what="loss function")


def get(identifier: Any) -> Any:
    """Retrieves a loss from an identifier, as ``compile(loss=...)`` does.

    Class names give an instance (``"CategoricalCrossentropy"``), function names the function
    (``"categorical_crossentropy"``); unknown names raise a ``ValueError`` suggesting the closest valid name.

    Args:
        identifier: ``None``, a name, a config dict, a loss function, a ``Loss`` class or a ``Loss`` instance.

    Returns:
        The loss function or ``Loss`` instance (``None`` for ``None``).

    Raises:
        ValueError: For an unknown name or an unusable identifier.

    Example:

    >>> keras.losses.get("mse").__name__
    'mean_squared_error'
    >>> type(keras.losses.get("BinaryCrossentropy")).__name__
    'BinaryCrossentropy'
    """
    if identifier is None:
        return None
    if isinstance(identifier, dict):
        obj = deserialize(identifier)
    elif isinstance(identifier, str):
        obj = registry.get(_CAT, identifier, what="loss function")
    else:
        obj = identifier
    if callable(obj):
        return obj() if inspect.isclass(obj) else obj
    raise ValueError(f"Could not interpret loss identifier: {identifier}")


def _object_name(obj: Any) -> str:
    if hasattr(obj, "name"):
        return obj.name
    if hasattr(obj, "__name__"):
        return to_snake_case(obj.__name__)
    return to_snake_case(type(obj).__name__)


def is_binary_or_sparse_categorical(y_true: Any, y_pred: Any) -> tuple[bool, bool]:
    """Keras ``compile_utils`` shape rule: ``(is_binary, is_sparse_categorical)``."""
    t_shape, p_shape = tuple(y_true.shape), tuple(y_pred.shape)
    t_last = t_shape[-1] if t_shape else None
    p_last = p_shape[-1] if p_shape else None
    is_binary = p_last == 1
    is_sparse = len(t_shape) < len(p_shape) or (t_last == 1 and p_last is not None and p_last > 1)
    return is_binary, is_sparse


def resolve_loss(identifier: Any, y_true: Any, y_pred: Any) -> Loss | None:
    """Build the :class:`Loss` that ``model.compile(loss=identifier)`` uses for one output.

    Implements Keras 3 ``trainers/compile_utils.py::get_loss``: ``"crossentropy"``/``"ce"``
    pick binary / sparse categorical / categorical crossentropy from the shapes of ``y_true`` and
    ``y_pred`` (anything with ``.shape``); functions are wrapped in :class:`LossFunctionWrapper`
    named after the string given (or the function).
    """
    if identifier is None:
        return None
    if str(identifier).lower() not in ("crossentropy", "ce"):
        loss_obj = get(identifier)
    else:
        is_binary, is_sparse = is_binary_or_sparse_categorical(y_true, y_pred)
        if is_binary:
            loss_obj = binary_crossentropy
        elif is_sparse:
            loss_obj = sparse_categorical_crossentropy
        else:
            loss_obj = categorical_crossentropy
    if not isinstance(loss_obj, Loss):
        name = identifier if isinstance(identifier, str) else _object_name(loss_obj)
        loss_obj = LossFunctionWrapper(loss_obj, name=name)
    return loss_obj


__all__ = [
    "Reduction",
    "BinaryCrossentropy",
    "CTC",
    "BinaryFocalCrossentropy",
    "CategoricalCrossentropy",
    "CategoricalFocalCrossentropy",
    "CategoricalGeneralizedCrossEntropy",
    "CategoricalHinge",
    "Circle",
    "CosineSimilarity",
    "Dice",
    "Hinge",
    "Huber",
    "KLDivergence",
    "LogCosh",
    "Loss",
    "LossFunctionWrapper",
    "MeanAbsoluteError",
    "MeanAbsolutePercentageError",
    "MeanSquaredError",
    "MeanSquaredLogarithmicError",
    "Poisson",
    "SparseCategoricalCrossentropy",
    "SquaredHinge",
    "Tversky",
    "binary_crossentropy",
    "binary_focal_crossentropy",
    "categorical_crossentropy",
    "categorical_focal_crossentropy",
    "categorical_generalized_cross_entropy",
    "categorical_hinge",
    "circle",
    "cosine_similarity",
    "ctc",
    "deserialize",
    "dice",
    "get",
    "hinge",
    "huber",
    "is_binary_or_sparse_categorical",
    "kl_divergence",
    "log_cosh",
    "mean_absolute_error",
    "mean_absolute_percentage_error",
    "mean_squared_error",
    "mean_squared_logarithmic_error",
    "poisson",
    "reduce_weighted_values",
    "resolve_loss",
    "serialize",
    "sparse_categorical_crossentropy",
    "squared_hinge",
    "tversky",
]
