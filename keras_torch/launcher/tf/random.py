"""``tf.random`` stand-in."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.utils.unsupported import unsupported


def set_seed(seed: int) -> None:
    from keras_torch.utils import set_random_seed

    set_random_seed(int(seed))


def normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = torch.float32, seed: Any = None) -> torch.Tensor:
    return torch.randn(tuple(shape), dtype=to_torch_dtype(dtype)) * stddev + mean


def uniform(shape: Any, minval: float = 0.0, maxval: Any = None, dtype: Any = torch.float32, seed: Any = None) -> torch.Tensor:
    maxval = 1.0 if maxval is None else maxval
    dt = to_torch_dtype(dtype)
    if not dt.is_floating_point:
        return torch.randint(int(minval), int(maxval), tuple(shape), dtype=dt)
    return torch.rand(tuple(shape), dtype=dt) * (maxval - minval) + minval


def shuffle(value: Any, seed: Any = None) -> torch.Tensor:
    t = torch.as_tensor(value)
    return t[torch.randperm(t.shape[0])]


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.random.{name}")
