"""Engine behaviour the Keras examples with custom steps rely on (issue #21), each as Keras does it:
bare batches for ``train_step``, the custom ``metrics`` property in the logs, a layer whose first ``call``
argument is passed by name (the endpoint-layer pattern), functional inputs missing a trailing axis of 1,
``argmax`` of booleans, and ``get_weights`` copies."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import ops
from keras_torch.utils.dataset import Dataset


def test_argmax_and_argmin_of_booleans():
    x = torch.tensor([[False, True, True], [True, False, False]])
    assert ops.argmax(x, axis=1).tolist() == [1, 0]
    assert ops.argmin(x, axis=1).tolist() == [0, 1]
    assert int(ops.argmax(torch.tensor([False, False, True]))) == 2


class _Recorder(keras.Model):
    """A model whose train_step only records what it receives."""

    def __init__(self):
        super().__init__()
        self.dense = keras.layers.Dense(1)
        self.seen: list = []

    def call(self, x):
        return self.dense(x)

    def train_step(self, data):
        self.seen.append(data)
        return {}


@pytest.mark.parametrize("source", ["array", "dataset"])
def test_train_step_receives_the_bare_batch_when_there_are_no_targets(source):
    x = np.arange(24, dtype="float32").reshape(8, 3)
    model = _Recorder()
    model.compile()
    model.fit(x if source == "array" else Dataset.from_tensor_slices(x).batch(4), batch_size=4, verbose=0)
    assert all(isinstance(b, torch.Tensor) and tuple(b.shape) == (4, 3) for b in model.seen)


def test_train_step_receives_a_tuple_for_inputs_and_targets_and_a_one_tuple_for_several_inputs():
    x = np.ones((4, 3), "float32")
    model = _Recorder()
    model.compile()
    model.fit(x, np.zeros((4, 1), "float32"), batch_size=4, verbose=0)
    model.fit([x, x], batch_size=4, verbose=0)
    (first, second) = model.seen
    assert isinstance(first, tuple) and len(first) == 2
    assert isinstance(second, tuple) and len(second) == 1 and isinstance(second[0], list)


def test_custom_metrics_property_gives_the_history_and_evaluate_keys():
    class TwoLosses(keras.Model):
        def __init__(self):
            super().__init__()
            self.dense = keras.layers.Dense(1)
            self.a = keras.metrics.Mean(name="a_loss")
            self.b = keras.metrics.Mean(name="b_loss")

        def call(self, x):
            return self.dense(x)

        @property
        def metrics(self):
            return [self.a, self.b]

        def train_step(self, data):
            out = self(data)
            self.a.update_state(ops.mean(out))
            self.b.update_state(2.0)
            return {"a_loss": self.a.result(), "b_loss": self.b.result()}

        def test_step(self, data):
            self.a.update_state(1.0)
            return {"a_loss": self.a.result(), "extra": 7.0}

    model = TwoLosses()
    model.compile()
    history = model.fit(np.ones((8, 2), "float32"), batch_size=4, epochs=2, verbose=0)
    assert set(history.history) == {"a_loss", "b_loss"}
    assert history.history["b_loss"] == [2.0, 2.0]
    # keys differing from the metrics: the last step's logs, as in Keras
    assert model.evaluate(np.ones((4, 2), "float32"), verbose=0, return_dict=True) == {"a_loss": 1.0, "extra": 7.0}


class _LogisticEndpoint(keras.layers.Layer):
    def __init__(self, name=None):
        super().__init__(name=name)
        self.loss_fn = keras.losses.BinaryCrossentropy(from_logits=True)

    def call(self, targets, logits, sample_weights=None):
        self.add_loss(self.loss_fn(targets, logits, sample_weights))
        return ops.softmax(logits)


def test_endpoint_layer_called_with_its_arguments_by_name():
    layer = _LogisticEndpoint()
    out = layer(targets=np.ones((2, 4), "float32"), logits=np.zeros((2, 4), "float32"))
    assert tuple(out.shape) == (2, 4) and len(layer.losses) == 1
    inputs = keras.Input(shape=(3,), name="inputs")
    targets = keras.Input(shape=(4,), name="targets")
    logits = keras.layers.Dense(4)(inputs)
    predictions = _LogisticEndpoint(name="predictions")(logits=logits, targets=targets)
    model = keras.Model(inputs=[inputs, targets], outputs=predictions)
    model.compile(optimizer="adam")
    data = {"inputs": np.random.random((6, 3)).astype("float32"), "targets": np.random.random((6, 4)).astype("float32")}
    history = model.fit(data, epochs=2, verbose=0)
    assert history.history["loss"][0] > 0


def test_functional_input_missing_or_extra_trailing_axis_of_one():
    inp = keras.Input((6, 6, 1))
    model = keras.Model(inp, keras.layers.Flatten()(keras.layers.Conv2D(2, 3)(inp)))
    x = np.random.random((5, 6, 6)).astype("float32")
    want = model.predict(x[..., None], verbose=0)
    np.testing.assert_allclose(model.predict(x, verbose=0), want)
    np.testing.assert_allclose(model(x).detach().numpy(), want, rtol=1e-6)
    vec = keras.Input((4,))
    dense = keras.Model(vec, keras.layers.Dense(2)(vec))
    y = np.random.random((3, 4, 1)).astype("float32")
    np.testing.assert_allclose(dense.predict(y, verbose=0), dense.predict(y[..., 0], verbose=0))
    seq = keras.Sequential([keras.Input((6, 6, 1)), keras.layers.Conv2D(2, 3)])
    assert tuple(seq(x).shape) == (5, 4, 4, 2)
    with pytest.raises(ValueError, match="incompatible"):
        model.predict(np.zeros((5, 6, 6, 2), "float32"), verbose=0)


def test_get_weights_and_variable_numpy_are_copies():
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2)])
    w0 = model.get_weights()
    k0 = model.weights[0].numpy()
    model.compile(optimizer=keras.optimizers.SGD(0.5), loss="mse")
    model.fit(np.ones((4, 2), "float32"), np.full((4, 2), 3.0, "float32"), epochs=2, verbose=0)
    assert not np.allclose(w0[0], model.get_weights()[0])
    assert not np.allclose(k0, model.weights[0].numpy())
    model.set_weights(w0)
    np.testing.assert_array_equal(model.get_weights()[0], w0[0])
