"""``keras.random`` sampling functions on torch.

Each takes a ``seed``: an int (stateless, reproducible across calls and processes), a
:class:`~keras_torch.random.seed_generator.SeedGenerator` (reproducible sequence), or None (torch's
global generator, seeded by ``keras.utils.set_random_seed``). Samples are drawn on torch's default
device, or on the device of the input tensor.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor
from keras_torch.random.seed_generator import draw_seed, torch_generator


def _dtype(dtype: Any, kind: str | None = None, op: str = "") -> torch.dtype:
    dt = d.dtypes.to_torch(dtype if dtype is not None else _config.floatx())
    if kind == "float" and not dt.is_floating_point:
        raise ValueError(f"`keras.random.{op}` requires a floating point `dtype`. Received: dtype={dtype} ")
    if kind == "int" and (dt.is_floating_point or dt.is_complex or dt == torch.bool):
        raise ValueError(f"`keras.random.{op}` requires an integer `dtype`. Received: dtype={dtype} ")
    return dt


def _device() -> torch.device:
    return torch.get_default_device()


def _sample_dtype(dt: torch.dtype) -> torch.dtype:
    # Half-precision samples are drawn in float32 and rounded (not every CPU kernel has them).
    return torch.float32 if dt in (torch.float16, torch.bfloat16) else dt


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from a normal distribution.

    Args:
        shape: Output shape.
        mean: Mean.
        stddev: Standard deviation.
        dtype: Float dtype (default floatx).
        seed: Int, ``SeedGenerator`` or None.

    Returns:
        Tensor.

    Example:

    >>> x = random.normal((2, 3), mean=1.0, stddev=0.5, seed=42)
    >>> x.shape, x.dtype
    (torch.Size([2, 3]), torch.float32)
    """
    dt, dev = _dtype(dtype), _device()
    size = d.shape_tuple(shape)
    gen = torch_generator(seed, dev)
    if isinstance(mean, (int, float)) and isinstance(stddev, (int, float)):
        out = torch.normal(float(mean), float(stddev), size=size, generator=gen, dtype=_sample_dtype(dt), device=dev)
    else:
        out = torch.randn(size, generator=gen, dtype=_sample_dtype(dt), device=dev) * stddev + mean
    return out.to(dt)


def uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from the uniform distribution on ``[minval, maxval)``.

    Args:
        shape: Output shape.
        minval: Lower bound (inclusive).
        maxval: Upper bound (exclusive).
        dtype: Float dtype (default ``keras.config.floatx()``).
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape``.

    Raises:
        ValueError: for a non-float ``dtype``.

    Example:

    >>> x = random.uniform((1000,), minval=-1.0, maxval=1.0, seed=7)
    >>> bool(x.min() >= -1.0 and x.max() < 1.0)
    True
    """
    dt, dev = _dtype(dtype, "float", "uniform"), _device()
    size = d.shape_tuple(shape)
    gen = torch_generator(seed, dev)
    sample = torch.rand(size or (1,), generator=gen, dtype=_sample_dtype(dt), device=dev)
    out = (maxval - minval) * sample + minval
    return (out if size else out[0]).to(dt)


def randint(shape: Any, minval: int, maxval: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """Random integers in ``[minval, maxval)``.

    Args:
        shape: Output shape.
        minval: Lowest value (inclusive).
        maxval: Upper bound (exclusive).
        dtype: Integer dtype.
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape``.

    Raises:
        ValueError: for a non-integer ``dtype``.

    Example:

    >>> x = random.randint((1000,), 0, 3, seed=1)
    >>> sorted(set(x.tolist()))
    [0, 1, 2]
    """
    dt, dev = _dtype(dtype, "int", "randint"), _device()
    gen = torch_generator(seed, dev)
    return torch.randint(int(minval), int(maxval), d.shape_tuple(shape), generator=gen, dtype=dt, device=dev)


_LOW = 0.5 * (1.0 + math.erf(-2.0 / math.sqrt(2.0)))  # normal CDF at -2


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> Tensor:
    """Samples from a normal distribution truncated to ``mean +/- 2 stddev`` (inverse-CDF sampling:
    every sample is inside the bounds).

    Args:
        shape: Output shape.
        mean: Mean of the distribution before truncation.
        stddev: Standard deviation of the distribution before truncation.
        dtype: Float dtype (default ``keras.config.floatx()``).
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape``.

    Example:

    >>> x = random.truncated_normal((1000,), stddev=1.0, seed=3)
    >>> bool(x.abs().max() <= 2.0)
    True
    """
    dt, dev = _dtype(dtype), _device()
    gen = torch_generator(seed, dev)
    u = torch.rand(d.shape_tuple(shape), generator=gen, dtype=torch.float64, device=dev)
    u = _LOW + (1.0 - 2.0 * _LOW) * u
    z = math.sqrt(2.0) * torch.erfinv(2.0 * u - 1.0)
    return (z.clamp(-2.0, 2.0) * stddev + mean).to(dt)


def _dropout_rule(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> d.KerasTensor:
    return d.spec(d.shape_of(inputs), inputs.dtype)


@d.op(rule=_dropout_rule)
def dropout(inputs: Any, rate: float, noise_shape: Any = None, seed: Any = None) -> Tensor:
    """Zero elements with probability ``rate``, scale the rest by ``1 / (1 - rate)``.

    Args:
        inputs: Tensor.
        rate: Drop probability in ``[0, 1]``.
        noise_shape: Shape of the keep/drop mask, broadcast to ``inputs`` (None dims: the input's).
        seed: Int, ``SeedGenerator`` or None.

    Returns:
        Tensor of the input shape and dtype.

    Raises:
        ValueError: for a rate outside ``[0, 1]``.

    Example:

    >>> x = random.dropout(ops.ones((1000,)), rate=0.5, seed=0)
    >>> sorted(set(x.tolist()))
    [0.0, 2.0]
    """
    x = d.tensor(inputs)
    if not 0.0 <= float(rate) <= 1.0:
        raise ValueError(f"Invalid value received for argument `rate`. Expected a float value between 0 and 1. "
                         f"Received: rate={rate}")
    if rate == 1.0:
        return torch.zeros_like(x)
    if rate == 0.0:
        return x
    if seed is None and noise_shape is None:
        return F.dropout(x, p=float(rate), training=True)
    keep = 1.0 - float(rate)
    shape = x.shape if noise_shape is None else [x.shape[i] if s is None else int(s) for i, s in enumerate(noise_shape)]
    gen = torch_generator(seed, x.device)
    mask = torch.bernoulli(torch.full(tuple(shape), keep, device=x.device), generator=gen).to(torch.bool)
    return torch.where(mask, x / keep, torch.zeros((), dtype=x.dtype, device=x.device))


@d.op
def shuffle(x: Any, axis: int = 0, seed: Any = None) -> Tensor:
    """``x`` with its slices along ``axis`` in a random order (one permutation for the whole axis).

    Args:
        x: Input tensor.
        axis: Axis whose slices are permuted.
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of the shape and dtype of ``x``.

    Example:

    >>> x = random.shuffle(ops.arange(5), seed=1)
    >>> sorted(x.tolist())
    [0, 1, 2, 3, 4]
    """
    t = d.tensor(x)
    ax = d.canonical_axis(axis, t.ndim)
    gen = torch_generator(seed, t.device)
    perm = torch.randperm(t.shape[ax], generator=gen, device=t.device)
    return torch.index_select(t, ax, perm)


def _categorical_rule(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> d.KerasTensor:
    return d.spec((d.shape_of(logits)[0], num_samples), dtype)


@d.op(rule=_categorical_rule)
def categorical(logits: Any, num_samples: int, dtype: Any = "int32", seed: Any = None) -> Tensor:
    """Class indices drawn from the softmax of ``logits`` (with replacement).

    Args:
        logits: ``(batch, classes)`` unnormalized log-probabilities.
        num_samples: Draws per row.
        dtype: Integer dtype of the result.
        seed: Int, ``SeedGenerator`` or None.

    Returns:
        ``(batch, num_samples)`` tensor.

    Raises:
        ValueError: for logits that are not 2-D.

    Example:

    >>> random.categorical(ops.array([[-1e9, 0.0]]), num_samples=3, seed=0)
    tensor([[1, 1, 1]], dtype=torch.int32)
    """
    lg = d.tensor(logits)
    if lg.ndim != 2:
        raise ValueError(f"`logits` should be a 2-D tensor with shape [batch_size, num_classes]. Received: logits={logits}")
    probs = torch.softmax(lg.to(torch.float64 if lg.dtype == torch.float64 else torch.float32), dim=-1)
    gen = torch_generator(seed, lg.device)
    return torch.multinomial(probs, int(num_samples), replacement=True, generator=gen).to(_dtype(dtype, "int"))


@contextlib.contextmanager
def _seeded_global(seed: Any, device: torch.device) -> Iterator[None]:
    """torch's global generator seeded from ``seed`` inside the block, restored after (for the
    samplers of ``torch.distributions``, which take no generator)."""
    drawn = draw_seed(seed)
    if drawn is None:
        yield
        return
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(int(drawn[0] + drawn[1]) & 0xFFFFFFFF)
        yield


def _param(value: Any, shape: tuple, dev: torch.device) -> Tensor:
    return torch.broadcast_to(d.tensor(value, device=dev).to(torch.float64), shape)


def gamma(shape: Any, alpha: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from Gamma(``alpha``, 1).

    Args:
        shape: Output shape.
        alpha: Shape parameter (concentration), a float or a tensor broadcastable to ``shape``.
        dtype: Float dtype (default ``keras.config.floatx()``).
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape`` of positive samples.

    Example:

    >>> x = random.gamma((1000,), alpha=2.0, seed=0)
    >>> bool(x.min() > 0)
    True
    """
    dt, dev = _dtype(dtype), _device()
    size = d.shape_tuple(shape)
    with _seeded_global(seed, dev):
        sample = torch.distributions.Gamma(_param(alpha, size, dev), torch.ones(size, dtype=torch.float64, device=dev)).sample()
    return sample.to(dt)


def binomial(shape: Any, counts: Any, probabilities: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from Binomial(``counts``, ``probabilities``).

    Args:
        shape: Output shape.
        counts: Number of trials, a number or a tensor broadcastable to ``shape``.
        probabilities: Success probability of each trial, broadcastable to ``shape``.
        dtype: Float dtype of the counts (default ``keras.config.floatx()``).
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape`` with the numbers of successes.

    Example:

    >>> x = random.binomial((1000,), counts=5, probabilities=0.5, seed=0)
    >>> bool(x.min() >= 0 and x.max() <= 5)
    True
    """
    dt, dev = _dtype(dtype), _device()
    size = d.shape_tuple(shape)
    with _seeded_global(seed, dev):
        sample = torch.distributions.Binomial(total_count=_param(counts, size, dev),
                                              probs=_param(probabilities, size, dev)).sample()
    return sample.to(dt)


def beta(shape: Any, alpha: Any, beta: Any, dtype: Any = None, seed: Any = None) -> Tensor:
    """Samples from Beta(``alpha``, ``beta``).

    Args:
        shape: Output shape.
        alpha: First shape parameter, a float or a tensor broadcastable to ``shape``.
        beta: Second shape parameter, a float or a tensor broadcastable to ``shape``.
        dtype: Float dtype (default ``keras.config.floatx()``).
        seed: An int, a ``keras.random.SeedGenerator`` or None.

    Returns:
        Tensor of ``shape`` with values in ``[0, 1]``.

    Example:

    >>> x = random.beta((1000,), alpha=2.0, beta=5.0, seed=0)
    >>> bool(x.min() >= 0 and x.max() <= 1)
    True
    """
    dt, dev = _dtype(dtype), _device()
    size = d.shape_tuple(shape)
    with _seeded_global(seed, dev):
        sample = torch.distributions.Beta(_param(alpha, size, dev), _param(beta, size, dev)).sample()
    return sample.to(dt)
