"""``tf.GradientTape`` of the TensorFlow stand-in on torch autograd: gradients equal TensorFlow's
(``compat/fixtures/tf_tape/values.npz``: dense, conv, LSTM/GRU, embedding + batch norm, TensorFlow op mixes,
persistent and nested tapes, gradient penalty, jacobians, optimizer steps), and the tape's rules."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import keras_torch as keras
import keras_torch.launcher.tf as tf
from compat import tape_cases
from compat.tf_cases import flatten_result

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "compat", "fixtures", "tf_tape", "values.npz")


@pytest.fixture(scope="module")
def stored():
    with np.load(FIXTURE) as f:
        return {k: f[k] for k in f.files}


@pytest.mark.parametrize("key", sorted(tape_cases.CASES))
def test_gradients_equal_tensorflow(key, stored):
    fn, tol = tape_cases.CASES[key]
    keras.utils.set_random_seed(0)
    outs = flatten_result(fn(tf, keras))
    assert len(outs) == int(stored[f"{key}__n"])
    for i, got in enumerate(outs):
        want = stored[f"{key}__{i}"]
        assert got.shape == want.shape, f"{key} output {i}: {got.shape} vs TensorFlow {want.shape}"
        if want.dtype.kind == "S":
            np.testing.assert_array_equal(got, want, err_msg=f"{key} output {i}")
        else:
            np.testing.assert_allclose(got, want, rtol=tol, atol=tol, err_msg=f"{key} output {i}")


def test_non_persistent_tape_allows_one_gradient():
    x = tf.Variable(1.0)
    with tf.GradientTape() as tape:
        y = x * x
    tape.gradient(y, x)
    with pytest.raises(RuntimeError, match="non-persistent GradientTape"):
        tape.gradient(y, x)


def test_watch_is_undone_when_the_tape_is_done():
    x = tf.constant([1.0, 2.0])
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = tf.reduce_sum(x ** 2)
        dy = inner.gradient(y, x)
        assert x.requires_grad  # still watched by the outer tape
    outer.gradient(tf.reduce_sum(dy), x)
    assert not x.requires_grad


def test_gradient_after_an_inplace_update_names_the_cause():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    opt = keras.optimizers.SGD(0.1)
    with tf.GradientTape(persistent=True) as tape:
        loss = tf.reduce_sum(model(np.ones((1, 2), "float32")))
    grads = tape.gradient(loss, model.trainable_weights)
    opt.apply_gradients(zip(grads, model.trainable_weights))
    with pytest.raises(RuntimeError, match="updated in place.*before the gradient was taken"):
        tape.gradient(loss, model.layers[0].trainable_weights)


def test_tape_records_under_no_grad():
    w = tf.Variable([1.0, 2.0])
    with torch.no_grad(), tf.GradientTape() as tape:
        y = tf.reduce_sum(w * w)
    assert tape.gradient(y, w).tolist() == [2.0, 4.0]


def test_train_step_with_a_tape_inside_fit():
    class Regressor(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.tracker = keras.metrics.Mean(name="loss")

        def call(self, x):
            return self.dense(x)

        @property
        def metrics(self):
            return [self.tracker]

        def train_step(self, data):
            x, y = data
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(self(x, training=True) - y))
            grads = tape.gradient(loss, self.trainable_weights)
            self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
            self.tracker.update_state(loss)
            return {"loss": self.tracker.result()}

    x = np.random.default_rng(0).normal(size=(64, 3)).astype("float32")
    y = x @ np.array([[1.0], [-2.0], [0.5]], "float32")
    model = Regressor()
    model.compile(optimizer=keras.optimizers.SGD(0.1))
    history = model.fit(x, y, epochs=15, batch_size=16, verbose=0)
    assert history.history["loss"][-1] < 0.01 * history.history["loss"][0]


def test_unknown_tape_method_is_named():
    from keras_torch.utils.unsupported import UnsupportedTensorFlowFeature

    with pytest.raises(UnsupportedTensorFlowFeature, match=r"`tf\.GradientTape\.watched_variables`"):
        tf.GradientTape().watched_variables()


@pytest.mark.slow
def test_tf_function_with_jit_compile_goes_through_torch_compile():
    calls = []

    @tf.function(jit_compile=True)
    def step(x, w):
        calls.append(1)
        with tf.GradientTape() as tape:
            y = tf.reduce_sum(tf.nn.relu(x * w) ** 2)
        return y, tape.gradient(y, w)

    w = tf.Variable([1.0, -2.0, 3.0])
    y, g = step(tf.constant([1.0, 1.0, 2.0]), w)
    assert float(y) == 37.0 and g.tolist() == [2.0, 0.0, 24.0]
    assert step.python_function is not None and calls
