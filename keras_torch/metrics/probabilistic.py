"""Loss-valued metrics: crossentropies, KL divergence, Poisson and hinge (Keras 3)."""

from __future__ import annotations

from typing import Any

from keras_torch.core import registry
from keras_torch.losses import crossentropy as ce
from keras_torch.losses import regression as rg
from keras_torch.metrics.reduction import MeanMetricWrapper

_CAT = "metrics"


class _Plain(MeanMetricWrapper):
    def get_config(self) -> dict[str, Any]:
        return {"name": self.name, "dtype": self.dtype}


@registry.register("KLDivergence", category=_CAT)
class KLDivergence(_Plain):
    """Computes the mean Kullback-Leibler divergence, ``y_true * log(y_true / y_pred)`` summed over the last axis.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"kl_divergence"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.KLDivergence()
    >>> m.update_state(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]))
    >>> m.result()
    tensor(0.5108)
    """

    def __init__(self, name: str = "kl_divergence", dtype: Any = None):
        super().__init__(fn=rg.kl_divergence, name=name, dtype=dtype)


@registry.register("Poisson", category=_CAT)
class Poisson(_Plain):
    """Computes the mean Poisson loss, ``y_pred - y_true * log(y_pred)``.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"poisson"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Poisson()
    >>> m.update_state(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]]))
    >>> m.result()
    tensor(1.0000)
    """

    def __init__(self, name: str = "poisson", dtype: Any = None):
        super().__init__(fn=rg.poisson, name=name, dtype=dtype)


@registry.register("Hinge", category=_CAT)
class Hinge(_Plain):
    """Computes the mean hinge loss, ``maximum(1 - y_true * y_pred, 0)``; binary 0/1 labels are converted to -1/1.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"hinge"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.Hinge()
    >>> m.update_state(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    >>> m.result()
    tensor(1.1000)
    """

    def __init__(self, name: str = "hinge", dtype: Any = None):
        super().__init__(fn=rg.hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("SquaredHinge", category=_CAT)
class SquaredHinge(_Plain):
    """Computes the mean squared hinge loss, ``square(maximum(1 - y_true * y_pred, 0))``; binary 0/1 labels are
    converted to -1/1.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"squared_hinge"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SquaredHinge()
    >>> m.update_state(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    >>> m.result()
    tensor(1.4600)
    """

    def __init__(self, name: str = "squared_hinge", dtype: Any = None):
        super().__init__(fn=rg.squared_hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("CategoricalHinge", category=_CAT)
class CategoricalHinge(_Plain):
    """Computes the mean categorical hinge loss between one-hot labels and predictions.

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        name: Name of the metric instance (default ``"categorical_hinge"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.CategoricalHinge()
    >>> m.update_state(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    >>> m.result()
    tensor(1.2000)
    """

    def __init__(self, name: str = "categorical_hinge", dtype: Any = None):
        super().__init__(fn=rg.categorical_hinge, name=name, dtype=dtype)
        self._direction = "down"


@registry.register("BinaryCrossentropy", "bce", "BCE", category=_CAT)
class BinaryCrossentropy(MeanMetricWrapper):
    """Computes the mean binary crossentropy between binary labels and predicted probabilities (or logits).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        from_logits: Whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: Float in ``[0, 1]``, smoothing of the labels towards 0.5.
        name: Name of the metric instance (default ``"binary_crossentropy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.BinaryCrossentropy()
    >>> m.update_state(np.array([[0.0, 1.0], [0.0, 0.0]]), np.array([[0.6, 0.4], [0.4, 0.6]]))
    >>> m.result()
    tensor(0.8149)
    """

    def __init__(
        self, name: str = "binary_crossentropy", dtype: Any = None, from_logits: bool = False, label_smoothing: float = 0
    ):
        super().__init__(
            ce.binary_crossentropy, name, dtype=dtype, from_logits=from_logits, label_smoothing=label_smoothing
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
        }


@registry.register("CategoricalCrossentropy", category=_CAT)
class CategoricalCrossentropy(MeanMetricWrapper):
    """Computes the mean categorical crossentropy between one-hot labels and predicted class probabilities (or logits).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        from_logits: Whether ``y_pred`` holds logits instead of probabilities.
        label_smoothing: Float in ``[0, 1]``, smoothing of the labels towards ``1 / num_classes``.
        axis: The class axis (default -1).
        name: Name of the metric instance (default ``"categorical_crossentropy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.CategoricalCrossentropy()
    >>> m.update_state(np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    >>> m.result()
    tensor(1.1769)
    """

    def __init__(
        self,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        label_smoothing: float = 0,
        axis: int = -1,
    ):
        super().__init__(
            ce.categorical_crossentropy,
            name,
            dtype=dtype,
            from_logits=from_logits,
            label_smoothing=label_smoothing,
            axis=axis,
        )
        self.from_logits = from_logits
        self.label_smoothing = label_smoothing
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "label_smoothing": self.label_smoothing,
            "axis": self.axis,
        }


@registry.register("SparseCategoricalCrossentropy", category=_CAT)
class SparseCategoricalCrossentropy(MeanMetricWrapper):
    """Computes the mean crossentropy between integer class labels and predicted class probabilities (or logits).

    Pass an instance to ``model.compile(metrics=[...])`` to track it during training and evaluation.

    Args:
        from_logits: Whether ``y_pred`` holds logits instead of probabilities.
        ignore_class: Optional class index whose samples are left out.
        axis: The class axis (default -1).
        name: Name of the metric instance (default ``"sparse_categorical_crossentropy"``).
        dtype: Dtype of the metric's state and result (default ``keras.config.floatx()``).

    Example:

    >>> m = keras.metrics.SparseCategoricalCrossentropy()
    >>> m.update_state(np.array([1, 2]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    >>> m.result()
    tensor(1.1769)
    """

    def __init__(
        self,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
        from_logits: bool = False,
        ignore_class: int | None = None,
        axis: int = -1,
    ):
        super().__init__(
            ce.sparse_categorical_crossentropy,
            name=name,
            dtype=dtype,
            from_logits=from_logits,
            ignore_class=ignore_class,
            axis=axis,
        )
        self.from_logits = from_logits
        self.ignore_class = ignore_class
        self.axis = axis
        self._direction = "down"

    def get_config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "dtype": self.dtype,
            "from_logits": self.from_logits,
            "ignore_class": self.ignore_class,
            "axis": self.axis,
        }
