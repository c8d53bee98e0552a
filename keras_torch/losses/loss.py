"""``keras.losses.Loss`` and ``LossFunctionWrapper`` on torch tensors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from keras_torch.core import registry
from keras_torch.losses._common import (
    auto_name,
    dtype_str,
    get_keras_mask,
    resolve_dtype,
    squeeze_or_expand_to_same_rank,
    to_tensor,
)
from keras_torch.losses.reduction import reduce_weighted_values, standardize_reduction

_CAT = "losses"


@registry.register("Loss", category=_CAT)
class Loss:
    """Base class of losses: ``loss(y_true, y_pred, sample_weight=None)`` -> reduced tensor.

    Args:
        name: Loss name (default: snake-case class name, uniquified).
        reduction: ``"sum_over_batch_size"`` (default; sum divided by the number of loss
            elements, even with sample weights), ``"sum"``, ``"mean"`` (same as the default),
            ``"mean_with_sample_weight"`` (divide by ``sum(sample_weight)``), ``"none"``/``None``.
        dtype: Computation dtype (default ``keras_torch.core.config.floatx()``).

    Subclasses implement :meth:`call` returning per-sample losses. A ``_keras_mask`` on
    ``y_pred`` or on the returned values is honoured like in Keras.

    Example:

    >>> class MeanSquared(keras.losses.Loss):
    ...     def call(self, y_true, y_pred):
    ...         return keras.ops.mean((y_true - y_pred) ** 2, axis=-1)
    >>> loss = MeanSquared()
    >>> loss(np.array([[0.0, 1.0]]), np.array([[1.0, 1.0]]))
    tensor(0.5000)
    """

    # Integer labels are kept as integers instead of being cast to ``dtype`` (sparse losses).
    _integer_labels = False

    def __init__(self, name: str | None = None, reduction: str | None = "sum_over_batch_size", dtype: Any = None):
        self.name = name or auto_name(self.__class__.__name__)
        self.reduction = standardize_reduction(reduction)
        self._dtype = resolve_dtype(dtype)

    @property
    def dtype(self) -> str:
        """Computation dtype name."""
        return dtype_str(self._dtype)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> torch.Tensor:
        """Compute the weighted, reduced loss."""
        in_mask = get_keras_mask(y_pred)
        y_pred = to_tensor(y_pred, dtype=self._dtype)
        device = y_pred.device
        y_true = to_tensor(y_true, device=device)
        if not (self._integer_labels and not y_true.is_floating_point()) and y_true.dtype != self._dtype:
            y_true = y_true.to(self._dtype)
        losses = self.call(y_true, y_pred)
        out_mask = get_keras_mask(losses)
        if in_mask is not None and out_mask is not None:
            mask = in_mask.bool() & out_mask.bool()
        else:
            mask = in_mask if in_mask is not None else out_mask
        if mask is not None:
            mask = to_tensor(mask, device=device)
        if sample_weight is not None:
            sample_weight = to_tensor(sample_weight, dtype=self._dtype, device=device)
        return reduce_weighted_values(
            losses, sample_weight=sample_weight, mask=mask, reduction=self.reduction, dtype=self._dtype
        )

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        """Per-sample losses; implemented by subclasses."""
        raise NotImplementedError

    def get_config(self) -> dict[str, Any]:
        """``{"name", "reduction"}`` (+ subclass arguments)."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Loss:
        """Rebuild from :meth:`get_config` output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{self.__class__.__name__} name={self.name}>"


def _serialize_fn(fn: Any) -> Any:
    return registry.serialize_keras_object(fn, _CAT)


def _deserialize_fn(obj: Any) -> Any:
    if callable(obj):
        return obj
    if isinstance(obj, dict) and obj.get("class_name") == "function":  # Keras 3 function config
        obj = obj.get("config")
    return registry.deserialize_keras_object(obj, _CAT, what="loss function")


@registry.register("LossFunctionWrapper", category=_CAT)
class LossFunctionWrapper(Loss):
    """Wrap ``fn(y_true, y_pred, **kwargs)`` as a :class:`Loss` (squeezing ranks like Keras)."""

    def __init__(
        self,
        fn: Callable[..., torch.Tensor],
        reduction: str | None = "sum_over_batch_size",
        name: str | None = None,
        dtype: Any = None,
        **kwargs: Any,
    ):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn = fn
        self._fn_kwargs = kwargs
        if getattr(fn, "_keras_integer_labels", False):
            self._integer_labels = True

    def call(self, y_true: torch.Tensor, y_pred: torch.Tensor) -> torch.Tensor:
        """Squeeze/expand ``y_true`` vs ``y_pred`` then apply ``fn``."""
        y_true, y_pred = squeeze_or_expand_to_same_rank(y_true, y_pred)
        return self.fn(y_true, y_pred, **self._fn_kwargs)

    def get_config(self) -> dict[str, Any]:
        """Base config + serialized ``fn`` + its keyword arguments."""
        config = super().get_config()
        config["fn"] = _serialize_fn(self.fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LossFunctionWrapper:
        """Rebuild, resolving ``fn`` by name."""
        config = dict(config)
        if "fn" in config:
            config["fn"] = _deserialize_fn(config["fn"])
        return cls(**config)

    def __repr__(self) -> str:
        return f"<LossFunctionWrapper({self.fn}, kwargs={self._fn_kwargs})>"
