"""Sample weighting, masking and reduction of per-sample losses (Keras 3 ``losses/loss.py``)."""

from __future__ import annotations

import torch

from keras_torch.losses._common import divide_no_nan, squeeze_or_expand_to_same_rank

REDUCTIONS = ("sum_over_batch_size", "sum", None, "none", "mean", "mean_with_sample_weight")


class Reduction:
    """tf-keras 2's names for the loss reductions (``tf.keras.losses.Reduction.SUM``...).

    ``AUTO`` means ``SUM_OVER_BATCH_SIZE`` (what tf-keras does outside ``tf.distribute``).

    Example:

    >>> keras.losses.Reduction.SUM
    'sum'
    >>> keras.losses.MeanSquaredError(reduction=keras.losses.Reduction.SUM)(np.array([[1.0], [2.0]]), np.zeros((2, 1)))
    tensor(5.)
    """

    AUTO = "auto"
    NONE = "none"
    SUM = "sum"
    SUM_OVER_BATCH_SIZE = "sum_over_batch_size"

    @classmethod
    def all(cls) -> tuple[str, ...]:
        """Every reduction name."""
        return (cls.AUTO, cls.NONE, cls.SUM, cls.SUM_OVER_BATCH_SIZE)

    @classmethod
    def validate(cls, key: str) -> None:
        """Raise ``ValueError`` unless ``key`` is one of :meth:`all`."""
        if key not in cls.all():
            raise ValueError(f'Invalid Reduction Key: {key}. Expected keys are "{cls.all()}"')


def standardize_reduction(reduction: str | None) -> str | None:
    """Validate ``reduction`` (Keras 3's values in :data:`REDUCTIONS`, plus tf-keras's ``"auto"``)."""
    if reduction == Reduction.AUTO:
        return "sum_over_batch_size"
    if reduction not in REDUCTIONS:
        allowed = {r for r in REDUCTIONS}
        raise ValueError(
            f"Invalid value for argument `reduction`. Expected one of {allowed}. Received: reduction={reduction}"
        )
    return reduction


def apply_mask(
    sample_weight: torch.Tensor | None, mask: torch.Tensor | None, dtype: torch.dtype, reduction: str | None
) -> torch.Tensor | None:
    """Merge a Keras mask into the sample weights.

    For ``"mean"``/``"sum_over_batch_size"`` valid entries get weight ``total / valid`` so that the
    later division by the element count yields the mean over valid entries only.
    """
    if mask is None:
        return sample_weight
    if reduction in ("mean", "sum_over_batch_size"):
        total = float(mask.numel())
        valid = mask.to(dtype).sum()
        mask_weight = divide_no_nan(torch.full((), total, dtype=dtype, device=mask.device), valid)
        float_mask = torch.where(mask.bool(), mask_weight, torch.zeros((), dtype=dtype, device=mask.device))
    else:
        float_mask = mask.to(dtype)
    if sample_weight is not None:
        sample_weight = sample_weight.to(dtype)
        float_mask, sample_weight = squeeze_or_expand_to_same_rank(float_mask, sample_weight)
        return sample_weight * float_mask
    return float_mask


def reduce_values(
    values: torch.Tensor, sample_weight: torch.Tensor | None = None, reduction: str | None = "sum_over_batch_size"
) -> torch.Tensor:
    """Sum, or sum divided by the element count (or by ``sum(sample_weight)``)."""
    if reduction is None or reduction == "none" or values.ndim == 0 or tuple(values.shape) == (0,):
        return values
    if reduction == "sum":
        return values.sum()
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        return divide_no_nan(values.sum(), sample_weight.to(values.dtype).sum())
    if values.numel() == 0:
        return values.sum()  # 0, like divide_no_nan(0, 0)
    return values.mean()  # sum / number of elements


def reduce_weighted_values(
    values: torch.Tensor,
    sample_weight: torch.Tensor | None = None,
    mask: torch.Tensor | None = None,
    reduction: str | None = "sum_over_batch_size",
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Weight ``values`` by ``sample_weight`` (and ``mask``) then reduce them (Keras verbatim).

    ``sample_weight`` is broadcast after :func:`squeeze_or_expand_to_same_rank`; note that
    ``"sum_over_batch_size"`` divides by the number of loss elements even when weights are given.
    """
    reduction = standardize_reduction(reduction)
    if dtype is not None and values.dtype != dtype:
        values = values.to(dtype)
    if sample_weight is not None and sample_weight.dtype != values.dtype:
        sample_weight = sample_weight.to(values.dtype)
    sample_weight = apply_mask(sample_weight, mask, values.dtype, reduction)
    if sample_weight is not None:
        values, sample_weight = squeeze_or_expand_to_same_rank(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)
