"""Tiny models shared by the reliability tests and their subprocess workers."""

from __future__ import annotations

import numpy as np


def mlp(keras, compiled: bool = True):
    L = keras.layers
    model = keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(2, name="b")])
    if compiled:
        model.compile(optimizer="adam", loss="mse")
    return model


def data(n: int = 32, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype("float32")
    y = (x @ rng.normal(size=(4, 2))).astype("float32")
    return x, y


def fill(model, value: float) -> None:
    """Set every weight to ``value`` (lets a reader check a file holds one consistent save)."""
    model.set_weights([np.full(w.shape, value, dtype=w.dtype) for w in model.get_weights()])


def uniform_value(model) -> float | None:
    """The single value all weights hold, or None if they disagree (a torn write)."""
    vals = {float(v) for w in model.get_weights() for v in np.unique(w)}
    return vals.pop() if len(vals) == 1 else None
