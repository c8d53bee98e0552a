"""torch's casts (``.double()``, ``.half()``, ``.bfloat16()``, ``.to(dtype)``) on a Keras model: it keeps running."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers


def _cnn():
    return keras.Sequential([
        keras.Input((8, 8, 3)), layers.Conv2D(4, 3), layers.BatchNormalization(), layers.Dropout(0.1),
        layers.MaxPooling2D(), layers.Flatten(), layers.Dense(6), layers.LayerNormalization(),
        layers.Reshape((3, 2)), layers.GroupNormalization(groups=1), layers.Flatten(),
        layers.Dense(2, activation="softmax"),
    ])


CASTS = {
    "double": (lambda m: m.double(), torch.float64, 1e-6),
    "to_float64": (lambda m: m.to(torch.float64), torch.float64, 1e-6),
    "half": (lambda m: m.half(), torch.float16, 5e-3),
    "bfloat16": (lambda m: m.bfloat16(), torch.bfloat16, 3e-2),
}


@pytest.mark.parametrize("cast", sorted(CASTS))
def test_cast_model_runs_in_the_new_dtype(cast):
    apply, dtype, tol = CASTS[cast]
    model = _cnn()
    x = np.random.rand(4, 8, 8, 3).astype("float32")
    expected = model.predict(x, verbose=0)
    assert apply(model) is model
    out = model(x)  # float32 numpy in: cast to the model's dtype, as Keras casts to the compute dtype
    assert out.dtype == dtype
    assert all(layer.compute_dtype == str(dtype).replace("torch.", "") for layer in model.layers)
    np.testing.assert_allclose(out.float().detach().numpy(), expected, atol=tol, rtol=tol)
    np.testing.assert_allclose(model.predict(x, verbose=0).astype("float32"), expected, atol=tol, rtol=tol)
    model.train()
    model(torch.from_numpy(x)).float().sum().backward()  # BatchNormalization's training path too


def test_double_fits_and_casts_back():
    model = _cnn()
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.double()
    x, y = np.random.rand(8, 8, 8, 3).astype("float32"), np.random.randint(0, 2, 8)
    history = model.fit(x, y, epochs=2, verbose=0)
    assert np.isfinite(history.history["loss"]).all()
    assert all(w.dtype == torch.float64 for w in model.parameters())
    model.float()
    assert model.layers[0].dtype == "float32" and model(x).dtype == torch.float32


def test_recurrent_and_embedding_models_follow_a_cast():
    model = keras.Sequential([keras.Input((5,), dtype="int32"), layers.Embedding(10, 3), layers.LSTM(4),
                              layers.Dense(1)])
    x = np.random.randint(0, 10, (2, 5)).astype("int32")
    expected = model.predict(x, verbose=0)
    model.double()
    out = model.predict(x, verbose=0)
    assert out.dtype == np.float64
    np.testing.assert_allclose(out, expected, atol=1e-6)


def test_moving_to_a_device_keeps_the_policy():
    model = _cnn()
    model.to("cpu")
    assert model.layers[0].dtype == "float32"
    mixed = keras.layers.Dense(2, dtype="mixed_float16")
    mixed.to("cpu")
    assert mixed.dtype_policy.name == "mixed_float16"
