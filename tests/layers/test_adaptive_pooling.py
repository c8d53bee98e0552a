"""Adaptive pooling: the bins, the export decomposition, arguments and errors.

Numeric parity with Keras lives in ``tests/test_parity_layers.py`` (``adaptive_*`` cases).
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F

import keras_torch as keras
from keras_torch.layers.adaptive_pooling import _pool_axis, adaptive_bins


def test_bins_cover_floor_ceil_ranges():
    assert adaptive_bins(10, 4) == [(0, 3), (2, 5), (5, 8), (7, 10)]
    assert adaptive_bins(5, 7) == [(0, 1), (0, 2), (1, 3), (2, 3), (2, 4), (3, 5), (4, 5)]


@pytest.mark.parametrize("mode", ["average", "max"])
def test_export_decomposition_equals_torch_adaptive_kernels(mode):
    gen = torch.Generator().manual_seed(0)
    for length in range(1, 12):
        for size in range(1, 14):
            x = torch.randn(2, 3, length, generator=gen)
            ref = (F.adaptive_avg_pool1d if mode == "average" else F.adaptive_max_pool1d)(x, size)
            torch.testing.assert_close(_pool_axis(x, 0, length, size, mode), ref, atol=1e-6, rtol=1e-6)
    x = torch.randn(2, 3, 5, 7, 6, generator=gen)
    out = x
    for axis, (length, size) in enumerate(zip((5, 7, 6), (3, 4, 4))):
        out = _pool_axis(out, axis, length, size, mode)
    ref = (F.adaptive_avg_pool3d if mode == "average" else F.adaptive_max_pool3d)(x, (3, 4, 4))
    torch.testing.assert_close(out, ref, atol=1e-6, rtol=1e-6)


def test_arguments_and_shapes():
    layer = keras.layers.AdaptiveMaxPooling2D(3)
    assert layer.output_size == (3, 3)
    assert layer.get_config()["data_format"] == "channels_last"
    assert tuple(layer(torch.zeros(2, 7, 5, 4)).shape) == (2, 3, 3, 4)
    cf = keras.layers.AdaptiveAveragePooling1D([4], data_format="channels_first")
    assert tuple(cf(torch.zeros(2, 3, 9)).shape) == (2, 3, 4)
    assert keras.layers.AdaptiveAveragePooling3D((1, 2, 3)).compute_output_shape((None, 4, 4, 4, 2)) == (None, 1, 2, 3, 2)


def test_invalid_output_size():
    with pytest.raises(TypeError, match="output_size"):
        keras.layers.AdaptiveAveragePooling2D((2, 2, 2))
    with pytest.raises(ValueError, match="length 1"):
        keras.layers.AdaptiveMaxPooling1D((2, 3))
    with pytest.raises(TypeError, match="output_size"):
        keras.layers.AdaptiveMaxPooling3D("3")
