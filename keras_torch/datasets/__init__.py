"""Datasets (``keras.datasets``) plus a small bundled real dataset for offline demos."""

from __future__ import annotations

import importlib
from typing import Any

_SUBMODULES = ("digits", "mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
               "california_housing")


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        return importlib.import_module(f"keras_torch.datasets.{name}")
    raise AttributeError(f"module 'keras_torch.datasets' has no attribute '{name}'")


def load_digits_28x28(test_fraction: float = 0.2, seed: int = 0) -> tuple:
    """The bundled real UCI digits upscaled to MNIST's 28x28x1 (see :mod:`keras_torch.datasets.digits`)."""
    from keras_torch.datasets.digits import load_data

    return load_data(28, test_fraction=test_fraction, seed=seed)
