"""``compile(jit_compile=True)``: torch.compile'd forward/loss, same results as eager, eager fallback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers
from keras_torch.trainers import jit as _jit

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')


def _data():
    rng = np.random.default_rng(0)
    return rng.standard_normal((64, 6)).astype("float32"), rng.integers(0, 3, 64)


def _fit(jit_compile: bool):
    keras.utils.set_random_seed(7)
    m = keras.Sequential([layers.Dense(8, activation="relu", input_shape=(6,), kernel_regularizer="l2"),
                          layers.Dense(3, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], jit_compile=jit_compile)
    x, y = _data()
    hist = m.fit(x, y, epochs=2, batch_size=32, shuffle=False, verbose=0).history
    return m, hist, m.evaluate(x, y, batch_size=32, verbose=0), m.predict(x, batch_size=32, verbose=0)


def test_compiled_fit_matches_eager(recwarn):
    eager, compiled = _fit(False), _fit(True)
    assert _jit._state(compiled[0])["failed"] is False, [str(w.message) for w in recwarn]
    assert set(_jit._state(compiled[0])) >= {"train", "infer"}
    np.testing.assert_allclose(compiled[1]["loss"], eager[1]["loss"], rtol=1e-5)
    np.testing.assert_allclose(compiled[2], eager[2], rtol=1e-5)
    np.testing.assert_allclose(compiled[3], eager[3], rtol=1e-5, atol=1e-6)
    for a, b in zip(compiled[0].get_weights(), eager[0].get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    # Recompiling the model drops the compiled functions.
    compiled[0].compile("sgd", "sparse_categorical_crossentropy")
    assert compiled[0]._jit_state is None


def test_compiler_failure_falls_back_to_eager(monkeypatch):
    def broken_compile(fn, **kwargs):
        def run(*args):
            raise torch._dynamo.exc.Unsupported("planted: cannot compile")

        return run

    monkeypatch.setattr(torch, "compile", broken_compile)
    eager = _fit(False)
    with pytest.warns(UserWarning, match="jit_compile=True: torch.compile could not compile .*running it eagerly"):
        fallback = _fit(True)
    np.testing.assert_allclose(fallback[1]["loss"], eager[1]["loss"], rtol=1e-6)
    np.testing.assert_allclose(fallback[3], eager[3], rtol=1e-6)


def test_user_errors_are_not_swallowed(monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda fn, **kw: fn)  # compile as identity: the user error path
    m = keras.Sequential([layers.Dense(3, input_shape=(6,))])
    m.compile("sgd", "mse", jit_compile=True)
    with pytest.raises(ValueError, match="expected shape"):
        m.fit(np.zeros((4, 5), "float32"), np.zeros((4, 3), "float32"), verbose=0)
    assert _jit._state(m)["failed"] is False


def test_no_recompilation_between_steps():
    m, *_ = _fit(True)  # compiled once per function and batch shape
    x, y = _data()
    with torch._dynamo.config.patch(error_on_recompile=True):
        m.fit(x, y, epochs=2, batch_size=32, verbose=0)
        m.evaluate(x, y, batch_size=32, verbose=0)
    assert _jit._state(m)["failed"] is False


def test_add_loss_inside_call_is_kept():
    class Penalized(layers.Layer):
        def call(self, x):
            self.add_loss(0.1 * x.square().mean() + 100.0)
            return x

    x, y = np.ones((64, 6), "float32"), np.zeros((64, 3), "float32")
    hists = []
    for jit in (False, True):
        keras.utils.set_random_seed(1)
        m = keras.Sequential([layers.Dense(4, input_shape=(6,)), Penalized(), layers.Dense(3)])
        m.compile("sgd", "mse", jit_compile=jit)
        hists.append(m.fit(x, y, batch_size=32, epochs=2, verbose=0).history["loss"])
    assert _jit._state(m)["failed"] is False
    np.testing.assert_allclose(hists[1], hists[0], rtol=1e-5)


def test_model_with_compiled_functions_pickles(monkeypatch):
    import pickle

    monkeypatch.setattr(torch, "compile", lambda fn, **kw: fn)  # a local closure, as torch.compile returns
    m = keras.Sequential([layers.Dense(3, input_shape=(6,))])
    m.compile("sgd", "mse", jit_compile=True)
    x = np.ones((8, 6), "float32")
    m.fit(x, np.zeros((8, 3), "float32"), verbose=0)
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_allclose(again.predict(x, verbose=0), m.predict(x, verbose=0))
