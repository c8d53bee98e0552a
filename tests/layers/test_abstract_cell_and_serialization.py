"""tf-keras's ``AbstractRNNCell`` inside ``RNN``, and ``keras.layers.serialize`` / ``deserialize``."""

from __future__ import annotations

import pytest
import torch

import keras_torch as keras


class MinimalRNNCell(keras.layers.AbstractRNNCell):
    """The example of the tf-keras ``AbstractRNNCell`` docstring."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units

    @property
    def state_size(self):
        return self.units

    @property
    def output_size(self):
        return self.units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), initializer="uniform", name="kernel")
        self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), initializer="uniform",
                                                name="recurrent_kernel")

    def call(self, inputs, states):
        output = inputs @ self.kernel + states[0] @ self.recurrent_kernel
        return output, output


class TwoStateCell(MinimalRNNCell):
    @property
    def state_size(self):
        return [self.units, (2, self.units)]


def test_abstract_cell_runs_in_rnn():
    x = torch.randn(2, 5, 3)
    layer = keras.layers.RNN(MinimalRNNCell(4), return_sequences=True, return_state=True)
    seq, state = layer(x)
    cell = layer.cell
    h = torch.zeros(2, 4)
    with torch.no_grad():
        for t in range(5):
            h = x[:, t] @ cell.kernel + h @ cell.recurrent_kernel
            torch.testing.assert_close(seq[:, t], h)
    torch.testing.assert_close(state, h)
    assert [w.shape for w in layer.get_weights()] == [(3, 4), (4, 4)]


def test_initial_state_follows_state_size():
    assert tuple(MinimalRNNCell(3).get_initial_state(batch_size=2).shape) == (2, 3)
    states = TwoStateCell(3).get_initial_state(inputs=torch.zeros(4, 6, dtype=torch.float64))
    assert [tuple(s.shape) for s in states] == [(4, 3), (4, 2, 3)]
    assert states[0].dtype == torch.float64


def test_abstract_members_raise():
    cell = keras.layers.AbstractRNNCell()
    with pytest.raises(NotImplementedError, match="state_size"):
        cell.state_size  # noqa: B018
    with pytest.raises(NotImplementedError, match="output_size"):
        cell.output_size  # noqa: B018
    with pytest.raises(NotImplementedError, match="call"):
        cell.call(torch.zeros(1, 2), [torch.zeros(1, 2)])


@pytest.mark.parametrize("make", [
    lambda: keras.layers.Dense(3, activation="relu", name="d"),
    lambda: keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True),
    lambda: keras.layers.SpectralNormalization(keras.layers.Conv2D(2, 3), power_iterations=2),
    lambda: keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]),
])
def test_serialize_deserialize_round_trip(make):
    layer = make()
    config = keras.layers.serialize(layer)
    # As real Keras 3.15: built layers add build_config, models also compile_config ({} uncompiled).
    keys = {"module", "class_name", "config", "registered_name"}
    if layer.built and layer.get_build_config() is not None:
        keys.add("build_config")
    if isinstance(layer, keras.Model):
        keys.add("compile_config")
    assert set(config) == keys
    again = keras.layers.deserialize(config)
    assert type(again) is type(layer)
    assert keras.layers.serialize(again)["config"] == config["config"]


def test_deserialize_rejects_non_layers():
    class NotALayer:
        @classmethod
        def from_config(cls, config):
            return cls()

    with pytest.raises(ValueError, match="not a `keras.layers.Layer`"):
        keras.layers.deserialize({"class_name": "NotALayer", "config": {}}, custom_objects={"NotALayer": NotALayer})
