"""STFTSpectrogram / MelSpectrogram: shapes, the export DFT, the filterbank, arguments.

Numeric parity with Keras lives in ``tests/test_parity_layers.py`` (``stft_spectrogram_*`` and
``mel_spectrogram_*`` cases).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.core.context import export_mode
from keras_torch.layers.spectrogram import linear_to_mel_weight_matrix


def test_export_dft_equals_torch_stft():
    layer = keras.layers.MelSpectrogram(fft_length=64, sequence_stride=16, sequence_length=48, window="hamming",
                                        num_mel_bins=8, sampling_rate=8000)
    x = torch.randn(3, 500)
    eager = layer(x)
    with export_mode("onnx"):
        exported = layer(x)
    torch.testing.assert_close(exported, eager, atol=1e-4, rtol=1e-5)


def test_mel_filterbank_is_triangular_htk():
    w = linear_to_mel_weight_matrix(5, 33, 8000, 100.0, 3000.0).numpy()
    assert w.shape == (33, 5)
    assert np.all(w[0] == 0) and np.all(w >= 0) and np.all(w <= 1)
    # each band peaks once, bands are ordered by frequency
    peaks = w.argmax(0)
    assert np.all(np.diff(peaks) > 0)


def test_mel_shapes_one_and_two_dims():
    layer = keras.layers.MelSpectrogram(fft_length=32, sequence_stride=10, num_mel_bins=4)
    assert tuple(layer(torch.randn(2, 95)).shape) == (2, 4, 10) == layer.compute_output_shape((2, 95))
    assert tuple(layer(torch.randn(95)).shape) == (4, 10)
    db = layer(torch.randn(2, 95))
    assert float(db.max() - db.min()) <= 80.0 + 1e-4  # top_db over the whole batch


def test_stft_output_layouts():
    x = torch.randn(2, 40, 3)
    cases = {
        ("channels_last", False): (2, 9, 3 * 5),  # fft_length 8: 5 bins
        ("channels_last", True): (2, 9, 5, 3),
    }
    for (fmt, expand), shape in cases.items():
        layer = keras.layers.STFTSpectrogram(frame_length=8, frame_step=4, expand_dims=expand, data_format=fmt)
        assert tuple(layer(x).shape) == shape == layer.compute_output_shape(x.shape)
    cf = keras.layers.STFTSpectrogram(mode="stft", frame_length=8, frame_step=4, data_format="channels_first")
    assert tuple(cf(x.transpose(1, 2)).shape) == (2, 3 * 10, 9)


def test_stft_kernels_are_the_windowed_dft():
    layer = keras.layers.STFTSpectrogram(mode="real", frame_length=8, window=None, scaling=None)
    layer.build((None, 16, 1))
    assert len(layer.get_weights()) == 1  # mode "real" has no imag_kernel
    kernel = layer.get_weights()[0]
    n, k = np.arange(8)[:, None], np.arange(5)[None, :]
    np.testing.assert_allclose(kernel[:, 0, :], np.cos(-2 * np.pi * n * k / 8), atol=1e-6)
    x = torch.randn(1, 16, 1)
    frames = x[0, :, 0].unfold(0, 8, 4)
    np.testing.assert_allclose(layer(x)[0].detach().numpy(), torch.fft.rfft(frames).real.numpy(), atol=1e-5)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="frame_step"):
        keras.layers.STFTSpectrogram(frame_length=8, frame_step=9)
    with pytest.raises(ValueError, match="fft_length"):
        keras.layers.STFTSpectrogram(frame_length=8, fft_length=4)
    with pytest.raises(ValueError, match="mode"):
        keras.layers.STFTSpectrogram(mode="power")
    with pytest.warns(UserWarning, match="power of two"):
        keras.layers.STFTSpectrogram(frame_length=8, fft_length=12)
    with pytest.raises(TypeError, match="float32"):
        keras.layers.STFTSpectrogram(frame_length=8)(torch.ones(1, 16, 1, dtype=torch.int32))
    with pytest.raises(ValueError, match="hann"):
        keras.layers.MelSpectrogram(window="blackman")
    with pytest.raises(ValueError, match="sequence_length"):
        keras.layers.MelSpectrogram(fft_length=16, sequence_length=32)
