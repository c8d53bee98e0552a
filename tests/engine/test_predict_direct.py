"""``predict_on_batch``'s latency path (``models/direct_predict.py``) against the general call."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers


def _seq():
    return keras.Sequential([keras.Input((6,)), layers.Dense(8, activation="relu"), layers.Dropout(0.5),
                             layers.Dense(3, activation="softmax")])


def _functional():
    inp = keras.Input((6,))
    h = layers.Dense(8, activation="relu")(inp)
    out = layers.Dense(3)(layers.Dropout(0.5)(h))
    return keras.Model(inp, out)


def _nested():
    inner = keras.Sequential([keras.Input((6,)), layers.Dense(4, activation="tanh")])
    return keras.Sequential([keras.Input((6,)), inner, layers.BatchNormalization(), layers.Dense(2)])


@pytest.mark.parametrize("build", [_seq, _functional, _nested], ids=["sequential", "functional", "nested"])
def test_direct_path_equals_general_call(build, monkeypatch):
    keras.utils.set_random_seed(0)
    model = build()
    x = np.random.default_rng(0).standard_normal((5, 6)).astype("float32")
    first = model.predict_on_batch(x)  # general path; records the signature
    assert model._direct_signature[0] == (6,)
    calls = []
    real = type(model).__call__
    monkeypatch.setattr(type(model), "__call__", lambda self, *a, **k: (calls.append(self is model), real(self, *a, **k))[1])
    again = model.predict_on_batch(x)  # direct path: the model's __call__ is skipped
    assert True not in calls  # (a nested model's own __call__ still runs)
    monkeypatch.undo()
    expected = model(torch.from_numpy(x), training=False).detach().cpu().numpy()
    np.testing.assert_array_equal(first, expected)
    np.testing.assert_array_equal(again, expected)
    assert model.predict_on_batch(x[:1]).shape == expected[:1].shape
    assert torch.is_grad_enabled()  # grad mode restored


def test_hooks_moves_and_bad_shapes_leave_the_direct_path():
    model = _seq()
    x = np.ones((2, 6), "float32")
    model.predict_on_batch(x)
    seen = []
    handle = model.register_forward_hook(lambda mod, inp, out: seen.append(out.shape))
    model.predict_on_batch(x)
    assert seen == [torch.Size([2, 3])]  # the model's hook still runs
    handle.remove()
    layer_seen = []
    h2 = model.layers[0].register_forward_hook(lambda mod, inp, out: layer_seen.append(1))
    model.predict_on_batch(x)
    assert layer_seen == [1]  # and so do its layers' hooks
    h2.remove()
    model.to(torch.float64)
    assert model._direct_signature is None  # moved/cast: re-validated by the general path
    model.to(torch.float32)
    model.predict_on_batch(x)
    with pytest.raises(ValueError, match="expected"):
        model.predict_on_batch(np.ones((2, 5), "float32"))


@pytest.mark.gpu
def test_direct_path_on_cuda():
    keras.config.set_device("cuda")
    try:
        model = _seq()
        x = np.random.default_rng(0).standard_normal((5, 6)).astype("float32")
        first = model.predict_on_batch(x)
        assert model._direct_signature[1].type == "cuda"
        np.testing.assert_array_equal(model.predict_on_batch(x), first)
        model.cpu()
        assert model._direct_signature is None
    finally:
        keras.config.set_device(None)
