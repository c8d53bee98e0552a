"""Thresholded confusion-matrix accumulation (Keras 3 ``metrics/metrics_utils.py``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core import config
from keras_torch.losses._common import squeeze_or_expand_to_same_rank, to_tensor
from keras_torch.metrics.metric import MetricVariable

NEG_INF = -1e10
TP, FP, TN, FN = "tp", "fp", "tn", "fn"


def parse_init_thresholds(thresholds: Any, default_threshold: float = 0.5) -> list[float]:
    """List of thresholds, validated to lie in ``[0, 1]``."""
    if thresholds is not None:
        lst = list(thresholds) if isinstance(thresholds, (list, tuple)) else [thresholds]
        bad = [t for t in lst if t is None or t < 0 or t > 1]
        if bad:
            raise ValueError(f"Threshold values must be in [0, 1]. Received: {bad}")
        return lst
    return [default_threshold]


def is_evenly_distributed_thresholds(thresholds: Any) -> bool:
    """True for ``i / (n - 1)`` grids with at least 3 points (enables the bucketed fast path)."""
    n = len(thresholds)
    if n < 3:
        return False
    even = np.arange(n, dtype=np.float32) / (n - 1)
    return bool(np.allclose(thresholds, even, atol=config.epsilon()))


class ThresholdCache:
    """Threshold values as a tensor, created once per (device, dtype) to avoid host copies."""

    def __init__(self, thresholds: Any):
        self.values = [float(t) for t in thresholds]
        self._cache: dict[tuple[torch.device, torch.dtype], torch.Tensor] = {}

    def get(self, device: torch.device, dtype: torch.dtype) -> torch.Tensor:
        key = (device, dtype)
        t = self._cache.get(key)
        if t is None:
            t = self._cache[key] = torch.tensor(self.values, dtype=torch.float64).to(dtype).to(device)
        return t


def filter_top_k(x: torch.Tensor, k: int) -> torch.Tensor:
    """Keep the top-``k`` entries of the last axis, set the rest to ``NEG_INF`` (stable ties)."""
    idx = torch.sort(x, dim=-1, descending=True, stable=True).indices[..., :k]
    mask = torch.zeros_like(x).scatter_(-1, idx, 1.0)
    return x * mask + NEG_INF * (1 - mask)


def _segment_sum(data: torch.Tensor, ids: torch.Tensor, num: int) -> torch.Tensor:
    # tf.math.unsorted_segment_sum drops negative ids; zero their data and park them at 0.
    neg = ids < 0
    data = torch.where(neg, torch.zeros((), dtype=data.dtype, device=data.device), data)
    ids = torch.where(neg, torch.zeros_like(ids), ids)
    shape = (*data.shape[:-1], num)
    return torch.zeros(shape, dtype=data.dtype, device=data.device).scatter_add_(-1, ids, data)


def _optimized(
    vars_: dict[str, MetricVariable],
    y_true: torch.Tensor,
    y_pred: torch.Tensor,
    num_thresholds: int,
    multi_label: bool,
    sample_weights: torch.Tensor | None,
    label_weights: torch.Tensor | None,
    thresholds_with_epsilon: bool,
) -> None:
    dtype = y_true.dtype
    weights: Any = 1.0
    if sample_weights is not None:
        weights = torch.broadcast_to(sample_weights.to(y_pred.dtype), y_pred.shape)
        if not multi_label:
            weights = weights.reshape(-1)
    if label_weights is not None:
        lw = torch.broadcast_to(label_weights.unsqueeze(0), y_pred.shape)
        weights = weights * (lw if multi_label else lw.reshape(-1))
    if isinstance(weights, torch.Tensor):
        weights = weights.to(dtype)
    y_pred = torch.clamp(y_pred, 0.0, 1.0)
    y_true = y_true.bool().to(dtype)
    if not multi_label:
        y_true, y_pred = y_true.reshape(-1), y_pred.reshape(-1)
    true_labels = y_true * weights
    false_labels = (1.0 - y_true) * weights
    bucket = torch.ceil(y_pred * float(num_thresholds - 1)) - 1
    if thresholds_with_epsilon:
        bucket = torch.relu(bucket)
    bucket = bucket.to(torch.int64)
    if multi_label:  # (N, L) -> per-label rows (L, N)
        true_labels, false_labels, bucket = true_labels.T, false_labels.T, bucket.T
    tp = torch.flip(torch.cumsum(torch.flip(_segment_sum(true_labels, bucket, num_thresholds), [-1]), -1), [-1])
    fp = torch.flip(torch.cumsum(torch.flip(_segment_sum(false_labels, bucket, num_thresholds), [-1]), -1), [-1])
    if multi_label:
        tp, fp = tp.T, fp.T
    if TN in vars_ or FN in vars_:
        total_true = true_labels.sum(-1)
        total_false = false_labels.sum(-1)
    if TP in vars_:
        vars_[TP].assign_add(tp)
    if FP in vars_:
        vars_[FP].assign_add(fp)
    if TN in vars_:
        vars_[TN].assign_add(total_false - fp)
    if FN in vars_:
        vars_[FN].assign_add(total_true - tp)


def update_confusion_matrix_variables(
    variables_to_update: dict[str, MetricVariable],
    y_true: Any,
    y_pred: Any,
    thresholds: ThresholdCache,
    top_k: int | None = None,
    class_id: int | None = None,
    sample_weight: Any = None,
    multi_label: bool = False,
    label_weights: torch.Tensor | None = None,
    thresholds_distributed_evenly: bool = False,
) -> None:
    """Add thresholded TP/FP/TN/FN counts to ``variables_to_update`` (keys ``"tp"``...)."""
    if multi_label and label_weights is not None:
        raise ValueError(
            "`label_weights` for multilabel data should be handled outside of "
            "`update_confusion_matrix_variables` when `multi_label` is True."
        )
    var_dtype = next(iter(variables_to_update.values())).dtype
    y_pred = to_tensor(y_pred)
    device = y_pred.device
    y_pred = y_pred.to(var_dtype)
    y_true = to_tensor(y_true, device=device).to(var_dtype)
    thr_values = thresholds.values
    num_thresholds = len(thr_values)
    y_pred, y_true = squeeze_or_expand_to_same_rank(y_pred, y_true)
    if sample_weight is not None:
        sample_weight = to_tensor(sample_weight, device=device).to(var_dtype).unsqueeze(-1)
        _, sample_weight = squeeze_or_expand_to_same_rank(y_true, sample_weight, expand_rank_1=False)
    if top_k is not None:
        y_pred = filter_top_k(y_pred, top_k)
    if class_id is not None:
        if y_pred.ndim == 1:
            raise ValueError(
                "When class_id is provided, y_pred must be a 2D array with shape (num_samples, num_classes), "
                f"found shape: {tuple(y_pred.shape)}"
            )
        y_true = y_true[..., class_id, None]
        y_pred = y_pred[..., class_id, None]
    if label_weights is not None:
        label_weights = label_weights.to(device=device, dtype=var_dtype)
    if thresholds_distributed_evenly:
        with_eps = thr_values[0] < 0.0 or thr_values[-1] > 1.0
        _optimized(
            variables_to_update, y_true, y_pred, num_thresholds, multi_label, sample_weight, label_weights, with_eps
        )
        return
    thr = thresholds.get(device, var_dtype)
    if multi_label:
        preds = y_pred.unsqueeze(0)  # (1, N, L)
        labels = y_true.bool().unsqueeze(0)
        thr = thr.reshape(-1, *([1] * y_pred.ndim))
    else:
        preds = y_pred.reshape(1, -1)
        labels = y_true.bool().reshape(1, -1)
        thr = thr.reshape(-1, 1)
    pred_is_pos = preds > thr
    weights = None
    if sample_weight is not None:
        weights = torch.broadcast_to(sample_weight, y_pred.shape)
        weights = weights.unsqueeze(0) if multi_label else weights.reshape(1, -1)
    if label_weights is not None and not multi_label:
        lw = torch.broadcast_to(label_weights.unsqueeze(0), y_pred.shape).reshape(1, -1)
        weights = lw if weights is None else weights * lw

    def add(label: torch.Tensor, pred: torch.Tensor, var: MetricVariable) -> None:
        both = label & pred
        if weights is not None:
            res = torch.where(both, weights.to(var.dtype), torch.zeros((), dtype=var.dtype, device=device))
        else:
            res = both.to(var.dtype)
        var.assign_add(res.sum(1))

    if TP in variables_to_update:
        add(labels, pred_is_pos, variables_to_update[TP])
    if FN in variables_to_update:
        add(labels, ~pred_is_pos, variables_to_update[FN])
    if FP in variables_to_update:
        add(~labels, pred_is_pos, variables_to_update[FP])
    if TN in variables_to_update:
        add(~labels, ~pred_is_pos, variables_to_update[TN])


def confusion_matrix(
    labels: torch.Tensor, predictions: torch.Tensor, num_classes: int, weights: torch.Tensor | None, dtype: torch.dtype
) -> torch.Tensor:
    """``num_classes x num_classes`` matrix with ``cm[label, pred] += weight``."""
    labels, predictions = squeeze_or_expand_to_same_rank(labels, predictions)
    idx = labels.to(torch.int64) * num_classes + predictions.to(torch.int64)
    values = torch.ones_like(idx, dtype=dtype) if weights is None else weights.to(dtype)
    flat = torch.zeros(num_classes * num_classes, dtype=dtype, device=idx.device)
    flat.index_add_(0, idx.reshape(-1), values.reshape(-1))
    return flat.reshape(num_classes, num_classes)
