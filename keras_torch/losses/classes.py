"""Keras 3 loss classes (same constructor signatures, defaults, names and ``get_config``)."""

from __future__ import annotations

from typing import Any

from keras_torch.core.registry import register
from keras_torch.losses import crossentropy as ce
from keras_torch.losses import regression as rg
from keras_torch.losses.loss import Loss, LossFunctionWrapper

_CAT = "losses"
_SOBS = "sum_over_batch_size"


class _Simple(LossFunctionWrapper):
    """Wrapper whose config is just ``{"name", "reduction"}`` (Keras omits extra kwargs)."""

    def get_config(self) -> dict[str, Any]:
        return Loss.get_config(self)


@register("MeanSquaredError", category=_CAT)
class MeanSquaredError(_Simple):
    """Mean of the squared errors over the last axis: ``mean(square(y_true - y_pred), axis=-1)``.

    Use it in ``model.compile(loss=keras.losses.MeanSquaredError())`` or by its name, ``loss="mean_squared_error"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"mean_squared_error"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    >>> y_pred = np.array([[1.0, 1.0], [1.0, 0.0]])
    >>> keras.losses.MeanSquaredError()(y_true, y_pred)
    tensor(0.5000)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "mean_squared_error", dtype: Any = None):
        super().__init__(rg.mean_squared_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanAbsoluteError", category=_CAT)
class MeanAbsoluteError(_Simple):
    """Mean of the absolute errors over the last axis: ``mean(abs(y_true - y_pred), axis=-1)``.

    Use it in ``model.compile(loss=keras.losses.MeanAbsoluteError())`` or by its name, ``loss="mean_absolute_error"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"mean_absolute_error"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    >>> y_pred = np.array([[1.0, 1.0], [1.0, 0.0]])
    >>> keras.losses.MeanAbsoluteError()(y_true, y_pred)
    tensor(0.5000)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__(rg.mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanAbsolutePercentageError", category=_CAT)
class MeanAbsolutePercentageError(_Simple):
    """Mean absolute percentage error: ``100 * mean(abs((y_true - y_pred) / max(abs(y_true), epsilon)), axis=-1)``.

    Use it in ``model.compile(loss=keras.losses.MeanAbsolutePercentageError())`` or by its name,
    ``loss="mean_absolute_percentage_error"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"mean_absolute_percentage_error"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.MeanAbsolutePercentageError()(np.array([[2.0, 4.0]]), np.array([[1.0, 5.0]]))
    tensor(37.5000)
    """

    def __init__(
        self, reduction: str | None = _SOBS, name: str = "mean_absolute_percentage_error", dtype: Any = None
    ):
        super().__init__(rg.mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanSquaredLogarithmicError", category=_CAT)
class MeanSquaredLogarithmicError(_Simple):
    """Mean squared logarithmic error: ``mean(square(log(y_pred + 1) - log(y_true + 1)), axis=-1)`` (values clipped at
    ``epsilon``).

    Use it in ``model.compile(loss=keras.losses.MeanSquaredLogarithmicError())`` or by its name,
    ``loss="mean_squared_logarithmic_error"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"mean_squared_logarithmic_error"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.MeanSquaredLogarithmicError()(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    tensor(0.2402)
    """

    def __init__(
        self, reduction: str | None = _SOBS, name: str = "mean_squared_logarithmic_error", dtype: Any = None
    ):
        super().__init__(rg.mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


@register("CosineSimilarity", category=_CAT)
class CosineSimilarity(_Simple):
    """Negative cosine similarity: ``-sum(l2_normalize(y_true) * l2_normalize(y_pred), axis)``. Values lie in
    ``[-1, 1]``; -1 means the same direction, so minimizing it brings predictions and targets closer.

    Use it in ``model.compile(loss=keras.losses.CosineSimilarity())`` or by its name, ``loss="cosine_similarity"``.

    Args:
        axis: The axis along which the cosine similarity is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"cosine_similarity"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.CosineSimilarity()(np.array([[0.0, 1.0], [1.0, 1.0]]), np.array([[1.0, 0.0], [1.0, 1.0]]))
    tensor(-0.5000)
    """

    def __init__(self, axis: int = -1, reduction: str | None = _SOBS, name: str = "cosine_similarity", dtype: Any = None):
        super().__init__(rg.cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


@register("Huber", category=_CAT)
class Huber(_Simple):
    """Huber loss: ``0.5 * x**2`` where ``|x| <= delta`` and ``delta * (|x| - 0.5 * delta)`` beyond, with
    ``x = y_true - y_pred``; mean over the last axis. Less sensitive to outliers than the squared error.

    Use it in ``model.compile(loss=keras.losses.Huber())`` or by its name, ``loss="huber"``.

    Args:
        delta: The point where the loss changes from quadratic to linear (default 1.0).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"huber_loss"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.Huber(delta=1.0)(np.array([[0.0, 1.0]]), np.array([[0.5, 3.0]]))
    tensor(0.8125)
    """

    def __init__(self, delta: float = 1.0, reduction: str | None = _SOBS, name: str = "huber_loss", dtype: Any = None):
        super().__init__(rg.huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


@register("LogCosh", category=_CAT)
class LogCosh(_Simple):
    """Logarithm of the hyperbolic cosine of the error, ``mean(log(cosh(y_pred - y_true)), axis=-1)``: about
    ``x**2 / 2`` for small errors and ``|x| - log(2)`` for large ones.

    Use it in ``model.compile(loss=keras.losses.LogCosh())`` or by its name, ``loss="log_cosh"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"log_cosh"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.LogCosh()(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    tensor(0.2169)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "log_cosh", dtype: Any = None):
        super().__init__(rg.log_cosh, name=name, reduction=reduction, dtype=dtype)


@register("Hinge", category=_CAT)
class Hinge(_Simple):
    """Hinge loss: ``mean(maximum(1 - y_true * y_pred, 0), axis=-1)``. Targets should be -1 or 1; binary 0/1 targets are
    converted to -1/1.

    Use it in ``model.compile(loss=keras.losses.Hinge())`` or by its name, ``loss="hinge"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"hinge"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.Hinge()(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor(1.1000)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "hinge", dtype: Any = None):
        super().__init__(rg.hinge, name=name, reduction=reduction, dtype=dtype)


@register("SquaredHinge", category=_CAT)
class SquaredHinge(_Simple):
    """Squared hinge loss: ``mean(square(maximum(1 - y_true * y_pred, 0)), axis=-1)``. Targets should be -1 or 1; binary
    0/1 targets are converted to -1/1.

    Use it in ``model.compile(loss=keras.losses.SquaredHinge())`` or by its name, ``loss="squared_hinge"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"squared_hinge"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.SquaredHinge()(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor(1.4600)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "squared_hinge", dtype: Any = None):
        super().__init__(rg.squared_hinge, name=name, reduction=reduction, dtype=dtype)


@register("CategoricalHinge", category=_CAT)
class CategoricalHinge(_Simple):
    """Categorical hinge loss: ``maximum(neg - pos + 1, 0)`` with ``pos = sum(y_true * y_pred)`` and
    ``neg = max((1 - y_true) * y_pred)``, for one-hot targets.

    Use it in ``model.compile(loss=keras.losses.CategoricalHinge())`` or by its name, ``loss="categorical_hinge"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"categorical_hinge"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.CategoricalHinge()(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor(1.2000)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "categorical_hinge", dtype: Any = None):
        super().__init__(rg.categorical_hinge, name=name, reduction=reduction, dtype=dtype)


@register("KLDivergence", category=_CAT)
class KLDivergence(_Simple):
    """Kullback-Leibler divergence: ``sum(y_true * log(y_true / y_pred), axis=-1)``, both clipped to ``[epsilon, 1]``.

    Use it in ``model.compile(loss=keras.losses.KLDivergence())`` or by its name, ``loss="kl_divergence"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"kl_divergence"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.KLDivergence()(np.array([[0.5, 0.5]]), np.array([[0.9, 0.1]]))
    tensor(0.5108)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "kl_divergence", dtype: Any = None):
        super().__init__(rg.kl_divergence, name=name, reduction=reduction, dtype=dtype)


@register("Poisson", category=_CAT)
class Poisson(_Simple):
    """Poisson loss: ``mean(y_pred - y_true * log(y_pred + epsilon), axis=-1)``, for count data.

    Use it in ``model.compile(loss=keras.losses.Poisson())`` or by its name, ``loss="poisson"``.

    Args:
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"poisson"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.Poisson()(np.array([[1.0, 2.0]]), np.array([[1.0, 1.0]]))
    tensor(1.0000)
    """

    def __init__(self, reduction: str | None = _SOBS, name: str = "poisson", dtype: Any = None):
        super().__init__(rg.poisson, name=name, reduction=reduction, dtype=dtype)


class _WithConfig(LossFunctionWrapper):
    """Wrapper whose config lists the attributes named in ``_config_keys``."""

    _config_keys: tuple[str, ...] = ()

    def get_config(self) -> dict[str, Any]:
        config = Loss.get_config(self)
        config.update({k: getattr(self, k) for k in self._config_keys})
        return config


@register("BinaryCrossentropy", category=_CAT)
class BinaryCrossentropy(_WithConfig):
    """Binary crossentropy between binary targets (0 or 1) and predicted probabilities (or logits), averaged over
    ``axis``. Use it for binary classification and multi-label problems.

    Use it in ``model.compile(loss=keras.losses.BinaryCrossentropy())`` or by its name, ``loss="binary_crossentropy"``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards 0.5
            (e.g. 0.1 turns a 1 into 0.95).
        axis: The axis along which the mean is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"binary_crossentropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> y_true = np.array([[0.0, 1.0], [0.0, 0.0]])
    >>> y_pred = np.array([[0.6, 0.4], [0.4, 0.6]])
    >>> keras.losses.BinaryCrossentropy()(y_true, y_pred)
    tensor(0.8149)
    >>> keras.losses.BinaryCrossentropy(from_logits=True)(y_true, np.array([[-1.0, 2.0], [0.5, -0.5]]))
    tensor(0.4721)
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = _SOBS,
        name: str = "binary_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            ce.binary_crossentropy, name=name, reduction=reduction, dtype=dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


@register("BinaryFocalCrossentropy", category=_CAT)
class BinaryFocalCrossentropy(_WithConfig):
    """Binary focal crossentropy (Lin et al., 2017): the binary crossentropy scaled by ``(1 - p_t) ** gamma`` so that
    well-classified examples count less, which helps with class imbalance.

    Use it in ``model.compile(loss=keras.losses.BinaryFocalCrossentropy())`` or by its name,
    ``loss="binary_focal_crossentropy"``.

    Args:
        apply_class_balancing: Weight positives by ``alpha`` and negatives by ``1 - alpha``.
        alpha: Balancing weight (used with ``apply_class_balancing``; default 0.25).
        gamma: Focusing parameter; 0 gives the plain binary crossentropy (default 2.0).
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards 0.5
            (e.g. 0.1 turns a 1 into 0.95).
        axis: The axis along which the mean is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"binary_focal_crossentropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.BinaryFocalCrossentropy(gamma=2.0)(np.array([[0.0, 1.0]]), np.array([[0.6, 0.4]]))
    tensor(0.3299)
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "apply_class_balancing", "alpha", "gamma")

    def __init__(
        self,
        apply_class_balancing: bool = False,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = _SOBS,
        name: str = "binary_focal_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            ce.binary_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
            apply_class_balancing=apply_class_balancing, alpha=alpha, gamma=gamma,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.apply_class_balancing, self.alpha, self.gamma = apply_class_balancing, alpha, gamma


@register("CategoricalCrossentropy", category=_CAT)
class CategoricalCrossentropy(_WithConfig):
    """Categorical crossentropy between one-hot targets and predicted class probabilities (or logits). For integer class
    targets use :class:`SparseCategoricalCrossentropy`.

    Use it in ``model.compile(loss=keras.losses.CategoricalCrossentropy())`` or by its name,
    ``loss="categorical_crossentropy"``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards ``1 / num_classes``
            (e.g. 0.1 turns a 1 into ``0.9 + 0.1 / num_classes``).
        axis: The axis along which the crossentropy is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"categorical_crossentropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> y_true = np.array([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> y_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> keras.losses.CategoricalCrossentropy()(y_true, y_pred)
    tensor(1.1769)
    """

    _config_keys = ("from_logits", "label_smoothing", "axis")

    def __init__(
        self,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = _SOBS,
        name: str = "categorical_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            ce.categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
            from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis


@register("CategoricalFocalCrossentropy", category=_CAT)
class CategoricalFocalCrossentropy(_WithConfig):
    """Categorical focal crossentropy (Lin et al., 2017): the categorical crossentropy weighted by
    ``alpha * (1 - p) ** gamma`` so that well-classified examples count less.

    Use it in ``model.compile(loss=keras.losses.CategoricalFocalCrossentropy())`` or by its name,
    ``loss="categorical_focal_crossentropy"``.

    Args:
        alpha: Weighting factor (default 0.25).
        gamma: Focusing parameter; 0 gives ``alpha`` times the crossentropy (default 2.0).
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        label_smoothing: Float in ``[0, 1]``; above 0 the targets are smoothed towards ``1 / num_classes``
            (e.g. 0.1 turns a 1 into ``0.9 + 0.1 / num_classes``).
        axis: The axis along which the crossentropy is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"categorical_focal_crossentropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.CategoricalFocalCrossentropy()(np.array([[0.0, 1.0, 0.0]]), np.array([[0.1, 0.8, 0.1]]))
    tensor(0.0022)
    """

    _config_keys = ("from_logits", "label_smoothing", "axis", "alpha", "gamma")

    def __init__(
        self,
        alpha: float = 0.25,
        gamma: float = 2.0,
        from_logits: bool = False,
        label_smoothing: float = 0.0,
        axis: int = -1,
        reduction: str | None = _SOBS,
        name: str = "categorical_focal_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            ce.categorical_focal_crossentropy, name=name, reduction=reduction, dtype=dtype,
            alpha=alpha, gamma=gamma, from_logits=from_logits, label_smoothing=label_smoothing, axis=axis,
        )  # fmt: skip
        self.from_logits, self.label_smoothing, self.axis = from_logits, label_smoothing, axis
        self.alpha, self.gamma = alpha, gamma


@register("SparseCategoricalCrossentropy", category=_CAT)
class SparseCategoricalCrossentropy(_WithConfig):
    """Categorical crossentropy between integer class targets and predicted class probabilities (or logits). Use it when
    the labels are class indices rather than one-hot vectors.

    Use it in ``model.compile(loss=keras.losses.SparseCategoricalCrossentropy())`` or by its name,
    ``loss="sparse_categorical_crossentropy"``.

    Args:
        from_logits: Whether ``y_pred`` holds logits (unnormalized scores) instead of probabilities.
        ignore_class: Optional class index whose samples (e.g. padding or a "void" class in segmentation) get no loss.
        axis: The axis along which the crossentropy is computed (default -1).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"sparse_categorical_crossentropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> y_true = np.array([1, 2])
    >>> y_pred = np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]])
    >>> keras.losses.SparseCategoricalCrossentropy()(y_true, y_pred)
    tensor(1.1769)
    """

    _config_keys = ("from_logits", "ignore_class")
    _integer_labels = True

    def __init__(
        self,
        from_logits: bool = False,
        ignore_class: int | None = None,
        reduction: str | None = _SOBS,
        axis: int = -1,
        name: str = "sparse_categorical_crossentropy",
        dtype: Any = None,
    ):
        super().__init__(
            ce.sparse_categorical_crossentropy, name=name, reduction=reduction, dtype=dtype,
            from_logits=from_logits, ignore_class=ignore_class, axis=axis,
        )  # fmt: skip
        self.from_logits, self.ignore_class = from_logits, ignore_class


@register("Dice", category=_CAT)
class Dice(_WithConfig):
    """Dice loss: ``1 - 2 * sum(y_true * y_pred) / (sum(y_true) + sum(y_pred))``, used for segmentation.

    Use it in ``model.compile(loss=keras.losses.Dice())`` or by its name, ``loss="dice"``.

    Args:
        axis: Axis or axes summed over (default ``None``: all of them, one value for the batch).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"dice"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.Dice()(np.array([[1.0, 0.0, 1.0]]), np.array([[0.8, 0.2, 0.6]]))
    tensor(0.2222)
    """

    _config_keys = ("axis",)

    def __init__(self, reduction: str | None = _SOBS, name: str = "dice", axis: Any = None, dtype: Any = None):
        super().__init__(rg.dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


@register("Tversky", category=_CAT)
class Tversky(_WithConfig):
    """Tversky loss: ``1 - TP / (TP + alpha * FP + beta * FN)``, a generalization of the Dice loss (
    ``alpha = beta = 0.5``) that weighs false positives and false negatives differently.

    Use it in ``model.compile(loss=keras.losses.Tversky())`` or by its name, ``loss="tversky"``.

    Args:
        alpha: Weight of the false positives (default 0.5).
        beta: Weight of the false negatives (default 0.5).
        axis: Axis or axes summed over (default ``None``: all of them).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"tversky"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.Tversky(alpha=0.3, beta=0.7)(np.array([[1.0, 0.0, 1.0]]), np.array([[0.8, 0.2, 0.6]]))
    tensor(0.1860)
    """

    _config_keys = ("alpha", "beta", "axis")

    def __init__(
        self,
        alpha: float = 0.5,
        beta: float = 0.5,
        reduction: str | None = _SOBS,
        name: str = "tversky",
        axis: Any = None,
        dtype: Any = None,
    ):
        super().__init__(rg.tversky, name=name, reduction=reduction, dtype=dtype, alpha=alpha, beta=beta, axis=axis)
        self.alpha, self.beta, self.axis = alpha, beta, axis


@register("CategoricalGeneralizedCrossEntropy", category=_CAT)
class CategoricalGeneralizedCrossEntropy(_WithConfig):
    """Generalized cross entropy (Zhang & Sabuncu, 2018) for integer class targets: ``(1 - p_y ** q) / q``, robust to
    noisy labels; ``q -> 0`` approaches the crossentropy, ``q = 1`` the mean absolute error.

    Use it in ``model.compile(loss=keras.losses.CategoricalGeneralizedCrossEntropy())`` or by its name,
    ``loss="categorical_generalized_cross_entropy"``.

    Args:
        q: Parameter in ``(0, 1]`` (default 0.5).
        reduction: How the per-sample losses are reduced: ``"sum_over_batch_size"`` (default; the sum
            divided by the number of elements), ``"sum"``, ``"mean"``, ``"mean_with_sample_weight"``
            (divided by the sum of the sample weights) or ``"none"``/``None`` (per-sample losses).
        name: Name of the loss instance (default ``"categorical_generalized_cross_entropy"``).
        dtype: Dtype of the computation (default ``keras.config.floatx()``).

    Example:

    >>> keras.losses.CategoricalGeneralizedCrossEntropy(q=0.5)(np.array([1, 2]), np.array([[0.05, 0.95, 0.0], [0.1, 0.8, 0.1]]))
    tensor(0.7091)
    """

    _config_keys = ("q",)

    def __init__(
        self,
        q: float = 0.5,
        reduction: str | None = _SOBS,
        name: str = "categorical_generalized_cross_entropy",
        dtype: Any = None,
    ):
        if not 0 < q < 1:
            raise ValueError("q must be in the interval (0, 1)")
        super().__init__(ce.categorical_generalized_cross_entropy, name=name, reduction=reduction, dtype=dtype, q=q)
        self.q = q
