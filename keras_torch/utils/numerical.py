"""Array helpers from ``keras.utils``: to_categorical, normalize, set_random_seed."""

from __future__ import annotations

import os
import random
from typing import Any

import numpy as np


def to_categorical(x: Any, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """One-hot encode integer labels (Keras: a trailing axis of size 1 is squeezed).

    Args:
        x: Integer class labels (array-like or tensor).
        num_classes: Number of classes; None uses ``max(x) + 1``.
        dtype: dtype of the result.

    Returns:
        A numpy array of shape ``x.shape + (num_classes,)``.

    Raises:
        ValueError: for labels outside ``[0, num_classes)``.
    """
    x = np.array(x.detach().cpu().numpy() if hasattr(x, "detach") else x, dtype="int64")
    shape = x.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = shape[:-1]
    x = x.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(x)) + 1
    if x.size and (x.min() < 0 or x.max() >= num_classes):
        raise ValueError(f"to_categorical: labels must be in [0, {num_classes}); got range [{x.min()}, {x.max()}].")
    out = np.zeros((x.shape[0], num_classes), dtype=dtype)
    out[np.arange(x.shape[0]), x] = 1
    return out.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int = -1, order: int = 2) -> np.ndarray:
    """Lp-normalise an array along ``axis``.

    Args:
        x: Array-like.
        axis: Axis of the norm.
        order: Order of the norm (2: Euclidean).

    Returns:
        A numpy array of the shape of ``x`` (zero vectors stay zero).
    """
    x = np.asarray(x)
    norm = np.atleast_1d(np.linalg.norm(x, order, axis))
    norm[norm == 0] = 1
    return x / np.expand_dims(norm, axis)


def set_random_seed(seed: int) -> None:
    """Seed Python, NumPy and torch (CPU and CUDA) for reproducible runs.

    Args:
        seed: An int.

    Raises:
        ValueError: for a non-int seed.
    """
    import torch

    if not isinstance(seed, int):
        raise ValueError(f"Expected `seed` argument to be an integer. Received: seed={seed} (of type {type(seed)})")
    os.environ["PYTHONHASHSEED"] = str(seed)
    random.seed(seed)
    np.random.seed(seed % (2**32))
    torch.manual_seed(seed)


def to_ordinal(x: Any, num_classes: int | None = None, dtype: str = "float32") -> np.ndarray:
    """Ordinal encoding of class indices: class ``c`` becomes ``c`` ones followed by zeros.

    Args:
        x: Integer class indices (a trailing axis of size 1 is dropped).
        num_classes: Number of classes (default ``max(x) + 1``); the encoding has ``num_classes - 1`` columns.
        dtype: Output dtype.

    Returns:
        An array of shape ``x.shape + (num_classes - 1,)``.
    """
    y = np.array(x, dtype="int")
    shape = y.shape
    if shape and shape[-1] == 1 and len(shape) > 1:
        shape = tuple(shape[:-1])
    y = y.reshape(-1)
    if not num_classes:
        num_classes = int(np.max(y)) + 1
    ordinal = (np.arange(num_classes - 1)[None, :] < y[:, None]).astype(dtype)
    return ordinal.reshape(shape + (num_classes - 1,))
