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
    """Mean of squared errors over the last axis."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "mean_squared_error", dtype: Any = None):
        super().__init__(rg.mean_squared_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanAbsoluteError", category=_CAT)
class MeanAbsoluteError(_Simple):
    """Mean of absolute errors over the last axis."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "mean_absolute_error", dtype: Any = None):
        super().__init__(rg.mean_absolute_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanAbsolutePercentageError", category=_CAT)
class MeanAbsolutePercentageError(_Simple):
    """``100 * mean(|y_true - y_pred| / max(|y_true|, eps))``."""

    def __init__(
        self, reduction: str | None = _SOBS, name: str = "mean_absolute_percentage_error", dtype: Any = None
    ):
        super().__init__(rg.mean_absolute_percentage_error, name=name, reduction=reduction, dtype=dtype)


@register("MeanSquaredLogarithmicError", category=_CAT)
class MeanSquaredLogarithmicError(_Simple):
    """Mean squared error of ``log(x + 1)``."""

    def __init__(
        self, reduction: str | None = _SOBS, name: str = "mean_squared_logarithmic_error", dtype: Any = None
    ):
        super().__init__(rg.mean_squared_logarithmic_error, name=name, reduction=reduction, dtype=dtype)


@register("CosineSimilarity", category=_CAT)
class CosineSimilarity(_Simple):
    """Negative cosine similarity along ``axis`` (Keras leaves ``axis`` out of the config)."""

    def __init__(self, axis: int = -1, reduction: str | None = _SOBS, name: str = "cosine_similarity", dtype: Any = None):
        super().__init__(rg.cosine_similarity, name=name, reduction=reduction, dtype=dtype, axis=axis)


@register("Huber", category=_CAT)
class Huber(_Simple):
    """Huber loss with threshold ``delta`` (Keras leaves ``delta`` out of the config)."""

    def __init__(self, delta: float = 1.0, reduction: str | None = _SOBS, name: str = "huber_loss", dtype: Any = None):
        super().__init__(rg.huber, name=name, reduction=reduction, dtype=dtype, delta=delta)


@register("LogCosh", category=_CAT)
class LogCosh(_Simple):
    """Logarithm of the hyperbolic cosine of the error."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "log_cosh", dtype: Any = None):
        super().__init__(rg.log_cosh, name=name, reduction=reduction, dtype=dtype)


@register("Hinge", category=_CAT)
class Hinge(_Simple):
    """Hinge loss; {0, 1} labels are converted to {-1, 1}."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "hinge", dtype: Any = None):
        super().__init__(rg.hinge, name=name, reduction=reduction, dtype=dtype)


@register("SquaredHinge", category=_CAT)
class SquaredHinge(_Simple):
    """Squared hinge loss."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "squared_hinge", dtype: Any = None):
        super().__init__(rg.squared_hinge, name=name, reduction=reduction, dtype=dtype)


@register("CategoricalHinge", category=_CAT)
class CategoricalHinge(_Simple):
    """Categorical hinge loss."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "categorical_hinge", dtype: Any = None):
        super().__init__(rg.categorical_hinge, name=name, reduction=reduction, dtype=dtype)


@register("KLDivergence", category=_CAT)
class KLDivergence(_Simple):
    """Kullback-Leibler divergence."""

    def __init__(self, reduction: str | None = _SOBS, name: str = "kl_divergence", dtype: Any = None):
        super().__init__(rg.kl_divergence, name=name, reduction=reduction, dtype=dtype)


@register("Poisson", category=_CAT)
class Poisson(_Simple):
    """Poisson loss."""

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
    """Binary crossentropy (mean over ``axis``)."""

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
    """Binary focal crossentropy."""

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
    """Categorical crossentropy with one-hot labels."""

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
    """Categorical focal crossentropy."""

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
    """Categorical crossentropy with integer labels (fused ``F.cross_entropy``)."""

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
    """Dice loss over ``axis`` (``None``: all axes)."""

    _config_keys = ("axis",)

    def __init__(self, reduction: str | None = _SOBS, name: str = "dice", axis: Any = None, dtype: Any = None):
        super().__init__(rg.dice, name=name, reduction=reduction, dtype=dtype, axis=axis)
        self.axis = axis


@register("Tversky", category=_CAT)
class Tversky(_WithConfig):
    """Tversky loss (``alpha`` weights false positives, ``beta`` false negatives)."""

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
    """Generalized crossentropy for noisy integer labels, ``q`` in (0, 1)."""

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
