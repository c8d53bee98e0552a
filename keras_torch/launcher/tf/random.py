"""``tf.random`` stand-in on torch's random number generators.

Seeding works as in TensorFlow in what it guarantees, not in the values: ``tf.random.set_seed(s)``
seeds Python, numpy and torch (``keras.utils.set_random_seed``), so a script gives the same numbers
on every run; an op-level ``seed=`` draws from a torch generator of its own (seeded from the global
and the op seed), so repeated calls give a reproducible sequence. The numbers differ from
TensorFlow's (different generators); the distributions are the same.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.launcher.tf import _convert as cv
from keras_torch.utils.numerical import set_random_seed
from keras_torch.utils.unsupported import unsupported

_GLOBAL_SEED: list[int | None] = [None]
_OP_GENERATORS: dict[int, torch.Generator] = {}


def set_seed(seed: int) -> None:
    """Seed Python, numpy and torch; op-level seeded sequences restart (as after TensorFlow's ``set_seed``)."""
    _GLOBAL_SEED[0] = int(seed)
    _OP_GENERATORS.clear()
    set_random_seed(int(seed))


def _generator(seed: Any) -> torch.Generator | None:
    if seed is None:
        return None
    key = int(seed)
    gen = _OP_GENERATORS.get(key)
    if gen is None:
        gen = _OP_GENERATORS[key] = torch.Generator()
        gen.manual_seed((_GLOBAL_SEED[0] or 0) * 1_000_003 + key)
    return gen


def normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = torch.float32, seed: Any = None,
           name: str | None = None) -> torch.Tensor:
    dt = cv.dtype(dtype)
    return torch.randn(cv.shape(shape), dtype=dt, generator=_generator(seed)) * stddev + mean


def uniform(shape: Any, minval: Any = 0, maxval: Any = None, dtype: Any = torch.float32, seed: Any = None,
            name: str | None = None) -> torch.Tensor:
    """Floats in ``[minval, maxval)`` (default ``[0, 1)``); integer dtypes need ``maxval``."""
    dt = cv.dtype(dtype)
    gen = _generator(seed)
    if not dt.is_floating_point:
        if maxval is None:
            raise ValueError(f"Must specify maxval for integer dtype {dt}.")
        return torch.randint(int(minval), int(maxval), cv.shape(shape), dtype=dt, generator=gen)
    hi = 1.0 if maxval is None else maxval
    return torch.rand(cv.shape(shape), dtype=dt, generator=gen) * (hi - minval) + minval


def truncated_normal(shape: Any, mean: Any = 0.0, stddev: Any = 1.0, dtype: Any = torch.float32, seed: Any = None,
                     name: str | None = None) -> torch.Tensor:
    """Normal values redrawn until within two standard deviations of the mean."""
    dt = cv.dtype(dtype)
    gen = _generator(seed)
    out = torch.randn(cv.shape(shape), dtype=dt, generator=gen)
    bad = out.abs() > 2
    while bad.any():
        out[bad] = torch.randn(int(bad.sum()), dtype=dt, generator=gen)
        bad = out.abs() > 2
    return out * stddev + mean


def categorical(logits: Any, num_samples: int, dtype: Any = torch.int64, seed: Any = None,
                name: str | None = None) -> torch.Tensor:
    """``num_samples`` class indices per row of ``logits`` (unnormalized log-probabilities)."""
    probs = torch.softmax(cv.tensor(logits).double(), dim=-1)
    return torch.multinomial(probs, int(num_samples), replacement=True, generator=_generator(seed)).to(cv.dtype(dtype))


def shuffle(value: Any, seed: Any = None, name: str | None = None) -> torch.Tensor:
    """``value`` with its first dimension randomly permuted."""
    t = cv.tensor(value)
    return t[torch.randperm(t.shape[0], generator=_generator(seed))]


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.random.{name}")
