"""Models with the layers added for issue #16 survive ``.keras`` and legacy ``.h5`` round trips.

Same predictions, same weights (Keras order and layout), same configs after reloading.
"""

from __future__ import annotations

import numpy as np
import pytest

import keras_torch as keras

L = keras.layers


def _seq(shape, *layers):
    return keras.Sequential([keras.Input(shape), *layers])


def _gqa():
    q, v = keras.Input((4, 6)), keras.Input((5, 6))
    return keras.Model([q, v], L.GroupQueryAttention(3, 4, 2, use_gate=True)(q, v))


MODELS = {
    "adaptive_pooling": lambda: _seq((7, 9, 2), L.AdaptiveAveragePooling2D((3, 4)), L.AdaptiveMaxPooling2D(2)),
    "rms_normalization": lambda: _seq((4, 5), L.Dense(3), L.RMSNormalization()),
    "spectral_normalization": lambda: _seq((5, 5, 2), L.SpectralNormalization(L.Conv2D(3, 3), power_iterations=2)),
    "grouped_query_attention": _gqa,
    "conv_lstm": lambda: _seq((3, 5, 5, 2), L.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
                              L.ConvLSTM2D(2, 2, data_format="channels_last")),
    "conv_lstm_1d_3d": lambda: _seq((3, 4, 4, 4, 1), L.ConvLSTM3D(2, 2, return_sequences=True), L.Reshape((3, 54)),
                                    L.Reshape((3, 27, 2)), L.ConvLSTM1D(1, 3)),
    "spectrograms": lambda: _seq((64, 1), L.STFTSpectrogram(frame_length=16, frame_step=8, mode="psd")),
    "mel_spectrogram": lambda: _seq((300,), L.MelSpectrogram(fft_length=64, sequence_stride=32, num_mel_bins=6)),
    "locally_connected": lambda: _seq((6, 5, 2), L.LocallyConnected2D(3, 2, implementation=2, padding="same"),
                                      L.Reshape((30, 3)), L.LocallyConnected1D(2, 3, implementation=3, strides=2),
                                      L.ThresholdedReLU(0.2)),
}


def _inputs(model, rng):
    return [rng.standard_normal((2, *t.shape[1:])).astype("float32") for t in model.inputs]


@pytest.mark.parametrize("fmt", ["keras", "h5"])
@pytest.mark.parametrize("name", list(MODELS))
def test_round_trip(name, fmt, tmp_path):
    keras.utils.set_random_seed(0)
    model = MODELS[name]()
    rng = np.random.default_rng(0)
    model.set_weights([rng.standard_normal(w.shape).astype("float32") * 0.5 for w in model.get_weights()])
    xs = _inputs(model, rng)
    x = xs[0] if len(xs) == 1 else xs
    want = model.predict(x, verbose=0)
    path = tmp_path / f"m.{fmt}"
    model.save(path)
    again = keras.saving.load_model(path, compile=False)
    np.testing.assert_allclose(again.predict(x, verbose=0), want, atol=1e-6, rtol=1e-6)
    for a, b in zip(again.get_weights(), model.get_weights()):
        np.testing.assert_array_equal(a, b)
    assert [type(layer).__name__ for layer in again.layers] == [type(layer).__name__ for layer in model.layers]
