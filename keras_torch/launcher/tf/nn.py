"""``tf.nn`` stand-in: activations, the ``*_cross_entropy_with_logits`` losses, moments, dropout."""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import ops as _ops
from keras_torch.launcher.tf import _convert as cv
from keras_torch.launcher.tf import math as _math
from keras_torch.utils.unsupported import unsupported

sigmoid, tanh, softplus = _math.sigmoid, _math.tanh, _math.softplus
softmax, log_softmax, l2_normalize, top_k = _math.softmax, _math.log_softmax, _math.l2_normalize, _math.top_k


def relu(features: Any, name: str | None = None) -> torch.Tensor:
    return _ops.relu(cv.tensor(features))


def relu6(features: Any, name: str | None = None) -> torch.Tensor:
    return _ops.relu6(cv.tensor(features))


def elu(features: Any, name: str | None = None) -> torch.Tensor:
    return _ops.elu(cv.tensor(features))


def selu(features: Any, name: str | None = None) -> torch.Tensor:
    return _ops.selu(cv.tensor(features))


def softsign(features: Any, name: str | None = None) -> torch.Tensor:
    return _ops.softsign(cv.tensor(features))


def gelu(features: Any, approximate: bool = False, name: str | None = None) -> torch.Tensor:
    """Exact (erf) by default, as TensorFlow (Keras's ``ops.gelu`` defaults to the tanh form)."""
    return _ops.gelu(cv.tensor(features), approximate=approximate)


def leaky_relu(features: Any, alpha: float = 0.2, name: str | None = None) -> torch.Tensor:
    return _ops.leaky_relu(cv.tensor(features), negative_slope=alpha)


def silu(features: Any, beta: float = 1.0) -> torch.Tensor:
    t = cv.tensor(features)
    return t * torch.sigmoid(beta * t)


swish = silu


def bias_add(value: Any, bias: Any, data_format: str | None = None, name: str | None = None) -> torch.Tensor:
    t, b = cv.tensor(value), cv.tensor(bias)
    if data_format is not None and data_format.startswith("NC"):
        return t + b.reshape(1, -1, *([1] * (t.ndim - 2)))
    return t + b


def sigmoid_cross_entropy_with_logits(labels: Any = None, logits: Any = None, name: str | None = None) -> torch.Tensor:
    """Elementwise ``max(x, 0) - x * z + log(1 + exp(-|x|))`` (no reduction)."""
    x, z = cv.tensor(logits), cv.tensor(labels)
    return F.binary_cross_entropy_with_logits(x, z.to(x.dtype), reduction="none")


def weighted_cross_entropy_with_logits(labels: Any, logits: Any, pos_weight: Any,
                                       name: str | None = None) -> torch.Tensor:
    x, z = cv.tensor(logits), cv.tensor(labels)
    q = cv.like(pos_weight, x)
    log_weight = 1 + (q - 1) * z
    return (1 - z) * x + log_weight * (torch.log1p(torch.exp(-torch.abs(x))) + torch.relu(-x))


def softmax_cross_entropy_with_logits(labels: Any, logits: Any, axis: int = -1, name: str | None = None) -> torch.Tensor:
    """Per-example ``-sum(labels * log_softmax(logits))`` over ``axis``."""
    x, z = cv.tensor(logits), cv.tensor(labels)
    return -(z.to(x.dtype) * torch.log_softmax(x, dim=axis)).sum(dim=axis)


def sparse_softmax_cross_entropy_with_logits(labels: Any = None, logits: Any = None,
                                             name: str | None = None) -> torch.Tensor:
    x, z = cv.tensor(logits), cv.tensor(labels).long()
    return -torch.log_softmax(x, dim=-1).gather(-1, z[..., None])[..., 0]


def l2_loss(t: Any, name: str | None = None) -> torch.Tensor:
    """``sum(t ** 2) / 2``."""
    x = cv.tensor(t)
    return torch.sum(x * x) / 2


def moments(x: Any, axes: Any, shift: Any = None, keepdims: bool = False,
            name: str | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """``(mean, variance)`` over ``axes`` (population variance)."""
    return _ops.moments(cv.tensor(x), cv.axis(axes), keepdims=keepdims)


def batch_normalization(x: Any, mean: Any, variance: Any, offset: Any, scale: Any, variance_epsilon: float,
                        name: str | None = None) -> torch.Tensor:
    t = cv.tensor(x)
    inv = torch.rsqrt(cv.tensor(variance) + variance_epsilon)
    if scale is not None:
        inv = inv * cv.tensor(scale)
    out = (t - cv.tensor(mean)) * inv
    return out + cv.tensor(offset) if offset is not None else out


def dropout(x: Any, rate: Any = None, noise_shape: Any = None, seed: Any = None, name: str | None = None,
            keep_prob: Any = None) -> torch.Tensor:
    """Zero each entry with probability ``rate``, scale the rest by ``1 / (1 - rate)`` (torch's RNG)."""
    t = cv.tensor(x)
    p = float(rate) if rate is not None else 1.0 - float(keep_prob)
    if p == 0.0:
        return t
    shape = cv.shape(noise_shape) if noise_shape is not None else t.shape
    keep = (torch.rand(shape, device=t.device) >= p).to(t.dtype)
    return t * keep / (1.0 - p)


def embedding_lookup(params: Any, ids: Any, max_norm: Any = None, name: str | None = None) -> torch.Tensor:
    if max_norm is not None:
        raise unsupported("tf.nn.embedding_lookup(max_norm=...)")
    return F.embedding(cv.tensor(ids).long(), cv.tensor(params))


def compute_average_loss(per_example_loss: Any, sample_weight: Any = None, global_batch_size: Any = None) -> torch.Tensor:
    """Sum of the (weighted) per-example losses divided by the global batch size (default: the batch)."""
    loss = cv.tensor(per_example_loss)
    if sample_weight is not None:
        loss = loss * cv.tensor(sample_weight)
    n = int(global_batch_size) if global_batch_size is not None else loss.shape[0]
    return torch.sum(loss) / n


def scale_regularization_loss(regularization_loss: Any) -> torch.Tensor:
    """Unchanged: keras_torch runs one replica per process (DDP averages gradients)."""
    return cv.tensor(regularization_loss)


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.nn.{name}")
