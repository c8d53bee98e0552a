"""Activations and the STFT initializer against real Keras 3 values (``compat/gen/deterministic.py``)."""

from __future__ import annotations

import pathlib
import sys

import numpy as np
import pytest
import torch

from keras_torch import activations, initializers

REPO = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
from compat.gen import deterministic as spec  # noqa: E402

VALUES = np.load(REPO / "compat" / "fixtures" / "deterministic" / "values.npz")


@pytest.mark.parametrize("name", spec.ACTIVATIONS)
def test_activation_matches_keras(name):
    fn = activations.get(name)
    out = fn(torch.from_numpy(VALUES["x"]), **spec.ACT_KWARGS.get(name, {}))
    np.testing.assert_allclose(out.numpy(), VALUES[f"act_{name}"], rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("i", range(len(spec.STFT_CONFIGS)), ids=lambda i: str(spec.STFT_CONFIGS[i]))
def test_stft_initializer_matches_keras(i):
    out = initializers.STFT(**spec.STFT_CONFIGS[i])(spec.STFT_SHAPE, dtype="float32")
    np.testing.assert_allclose(out.numpy(), VALUES[f"stft_{i}"], rtol=1e-5, atol=1e-6)
