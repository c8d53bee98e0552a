"""tf-keras 2's LinearModel / WideDeepModel against tf-keras 2.21 (compat/fixtures/breadth_tfk)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import keras_torch as keras

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_tfk" / "breadth_tfk.npz"


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(FIXTURE))


def test_linear_model_on_dict_inputs(ref):
    x = ref["x"]
    model = keras.experimental.LinearModel(units=2)
    np.testing.assert_array_equal(model({"b": x[:, :2], "a": x}).detach().numpy(), ref["lin_y"])
    assert [tuple(w.shape) for w in model.get_weights()] == [ref[f"lin_w{i}"].shape for i in range(3)]
    model.set_weights([ref[f"lin_w{i}"] for i in range(3)])
    np.testing.assert_allclose(model({"b": x[:, :2], "a": x}).detach().numpy(), ref["lin_y2"], atol=1e-6)
    np.testing.assert_allclose(model.bias.detach().numpy(), ref["lin_w2"])
    config = model.get_config()
    for key in ("units", "use_bias", "kernel_regularizer", "bias_regularizer"):
        assert f"('{key}', {config[key]!r})" in str(ref["lin_config"])
    again = keras.experimental.LinearModel.from_config(config)
    assert again.units == 2 and again.get_config() == config
    with pytest.raises(ValueError, match="Missing keys: {'b'}"):
        model({"a": x})


def test_wide_deep_model_with_two_optimizers_matches_tf_keras(ref):
    x8, y8 = ref["x8"], ref["y8"]
    wide = keras.experimental.LinearModel(units=2)
    deep = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="relu"), keras.layers.Dense(2)])
    model = keras.experimental.WideDeepModel(wide, deep, activation="tanh")
    model([x8, x8])
    wide.set_weights([ref[f"wd_lin_w{i}"] for i in range(2)])
    deep.set_weights([ref[f"wd_dnn_w{i}"] for i in range(4)])
    model.compile(optimizer=[keras.optimizers.SGD(0.1), keras.optimizers.Adam(0.01)], loss="mse")
    history = model.fit([x8, x8], y8, batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref["wd_loss"], rtol=1e-5)
    for i, w in enumerate(wide.get_weights()):
        np.testing.assert_allclose(w, ref[f"wd_lin_after{i}"], atol=1e-6)
    for i, w in enumerate(deep.get_weights()):
        np.testing.assert_allclose(w, ref[f"wd_dnn_after{i}"], atol=1e-6)
    again = keras.experimental.WideDeepModel.from_config(model.get_config())
    assert isinstance(again.linear_model, keras.experimental.LinearModel)
