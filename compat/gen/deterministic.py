"""Deterministic values from real Keras 3: activations missing from the layer-case fixtures and
the ``STFT`` initializer (no randomness, so they are compared value by value).

    /opt/kref/bin/python compat/generate_fixtures.py deterministic

Writes ``compat/fixtures/deterministic/values.npz``: ``x`` (the activation input), ``act_<name>``
for each activation in :data:`ACTIVATIONS` (called with :data:`ACT_KWARGS`), and ``stft_<i>``
for each config in :data:`STFT_CONFIGS` (``keras.initializers.STFT(**config)(STFT_SHAPE)``).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

ACTIVATIONS = ["celu", "glu", "hard_shrink", "hard_swish", "hard_tanh", "soft_shrink", "sparse_plus",
               "sparse_sigmoid", "sparsemax", "squareplus", "tanh_shrink", "threshold"]
ACT_KWARGS = {"threshold": {"threshold": 0.5, "default_value": -1.0}}
STFT_SHAPE = (16, 1, 9)
STFT_CONFIGS = [
    {"side": side, "window": window, "scaling": scaling, "periodic": periodic}
    for side in ("real", "imag")
    for window, scaling, periodic in (("hann", "density", False), ("hann", "spectrum", True),
                                      ("hamming", "density", True), (None, None, False))
]


def inputs() -> np.ndarray:
    """(2, 3, 6) values from -3 to 3 (crosses every kink, incl. exactly 0 and +-1)."""
    return np.linspace(-3.0, 3.0, 36, dtype="float32").reshape(2, 3, 6)


def generate(out_dir: pathlib.Path) -> None:
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    import keras

    x = inputs()
    arrays = {"x": x}
    for name in ACTIVATIONS:
        fn = getattr(keras.activations, name)
        arrays[f"act_{name}"] = keras.ops.convert_to_numpy(fn(keras.ops.convert_to_tensor(x), **ACT_KWARGS.get(name, {})))
    for i, config in enumerate(STFT_CONFIGS):
        init = keras.initializers.STFT(**config)
        arrays[f"stft_{i}"] = keras.ops.convert_to_numpy(init(STFT_SHAPE, dtype="float32"))
    np.savez_compressed(out_dir / "values.npz", **arrays)
    print(f"  {len(arrays)} arrays (keras {keras.__version__})")
