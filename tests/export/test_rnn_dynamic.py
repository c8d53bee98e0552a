"""Recurrent layers keep a dynamic time axis in ONNX (Keras 3's exporter refuses it; we must not).

Layers that eager keras_torch runs as a Python time loop (non-default activations, GRU
``reset_after=False``, masks) are exported as an ONNX ``Loop``; the default ones as the ONNX
LSTM/GRU/RNN ops. Every model is checked in onnxruntime at two sequence lengths and two batch
sizes against ``model.predict``.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from keras_torch.export import ExportError, export_onnx

from ._helpers import assert_close, keras, onnx_io, onnx_ops, ort_run, ort_session, predict, seeded


def _ids(batch: int, steps: int, seed: int) -> np.ndarray:
    """Token ids with post-, pre- and mid-sequence padding zeros."""
    x = np.random.default_rng(seed).integers(1, 10, size=(batch, steps)).astype("int32")
    x[0, -2:] = 0
    if batch > 1:
        x[1, :2] = 0
    if batch > 2:
        x[2, steps // 2] = 0
    return x


def _lstm_relu(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.LSTM(5, activation="relu"), k.layers.Dense(2)])


def _lstm_relu_seq_state(k):
    x = k.Input(shape=(None, 3))
    seq, h, c = k.layers.LSTM(4, activation="relu", return_sequences=True, return_state=True, go_backwards=True)(x)
    return k.Model(x, [seq, h, c])


def _gru_reset_before(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.GRU(4, reset_after=False, return_sequences=True)])


def _simple_rnn_relu(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.SimpleRNN(4, activation="relu", return_sequences=True)])


def _masked_lstm(k):
    return k.Sequential([k.Input(shape=(None,), dtype="int32"), k.layers.Embedding(10, 4, mask_zero=True),
                         k.layers.LSTM(3, return_sequences=True), k.layers.LSTM(2)])


def _masked_relu_gru_zero_output(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.Masking(0.0),
                         k.layers.Bidirectional(k.layers.GRU(3, activation="relu", return_sequences=True))])


def _lstm_hard_sigmoid(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.LSTM(4, recurrent_activation="hard_sigmoid")])


def _fused_lstm(k):
    return k.Sequential([k.Input(shape=(None, 3)), k.layers.LSTM(4, return_sequences=True)])


# name: (builder, int inputs?, expected ONNX op for the recurrence)
MODELS = {
    "lstm_relu": (_lstm_relu, False, "Loop"),
    "lstm_relu_seq_state_backwards": (_lstm_relu_seq_state, False, "Loop"),
    "gru_reset_after_false": (_gru_reset_before, False, "Loop"),
    "simple_rnn_relu": (_simple_rnn_relu, False, "RNN"),  # torch's fused rnn_relu -> ONNX RNN(Relu)
    "masked_lstm_stack": (_masked_lstm, True, "Loop"),
    "masked_bidirectional_relu_gru": (_masked_relu_gru_zero_output, False, "Loop"),
    "lstm_hard_sigmoid": (_lstm_hard_sigmoid, False, "Loop"),
    "fused_lstm": (_fused_lstm, False, "LSTM"),
}


def _inputs(int_ids: bool, batch: int, steps: int, seed: int) -> list[np.ndarray]:
    if int_ids:
        return [_ids(batch, steps, seed)]
    x = seeded(batch, steps, 3, seed=seed)
    x[0, -2:] = 0.0  # whole zero steps: Masking() masks them
    return [x]


@pytest.mark.parametrize("name", sorted(MODELS))
def test_rnn_dynamic_time(name, tmp_path):
    build, int_ids, op = MODELS[name]
    model = build(keras)
    path = export_onnx(model, tmp_path / "rnn.onnx")
    assert op in onnx_ops(path), onnx_ops(path)
    ins, outs = onnx_io(path)
    assert ins[0][1][:2] == ["batch", f"{ins[0][0]}_dim1"], ins
    session = ort_session(path)
    for i, (batch, steps) in enumerate([(2, 7), (3, 4), (1, 12), (4, 1)]):
        xs = _inputs(int_ids, batch, steps, seed=i)
        assert_close(ort_run(session, xs), predict(model, xs), atol=2e-5, rtol=1e-4, what=f"{name} B={batch} T={steps}")


def test_relu_lstm_loop_is_not_unrolled(tmp_path):
    """The Loop body holds one step; the graph does not grow with the traced length."""
    import onnx

    sizes = []
    for steps in (None, 40):
        model = keras.Sequential([keras.Input(shape=(steps, 3)), keras.layers.LSTM(5, activation="relu")])
        path = export_onnx(model, tmp_path / f"l{steps}.onnx")
        sizes.append(len(onnx.load(str(path)).graph.node))
    assert sizes[1] <= sizes[0] + 5, sizes


def test_seed_lstm_relu_fixed_length(tmp_path):
    """The tutorial LSTM(64, relu) on (100, 1): exports and matches predict."""
    model = keras.Sequential([keras.Input(shape=(100, 1)), keras.layers.LSTM(64, activation="relu"),
                              keras.layers.Dense(10, activation="softmax")])
    path = export_onnx(model, tmp_path / "seed_lstm.onnx", verify=True)
    x = seeded(3, 100, 1, seed=3)
    assert_close(ort_run(path, [x]), predict(model, [x]), atol=1e-5, rtol=1e-4)
    ins, _ = onnx_io(path)
    assert ins[0][1] == ["batch", 100, 1]


class _MinimalCell(keras.layers.Layer):
    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, shape):
        self.k = self.add_weight(shape=(shape[-1], self.units))
        self.r = self.add_weight(shape=(self.units, self.units))

    def call(self, x, states):
        h = keras.ops.tanh(keras.ops.matmul(x, self.k) + keras.ops.matmul(states[0], self.r))
        return h, [h]


def test_custom_cell_dynamic_time_is_named_error(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.RNN(_MinimalCell(4), name="my_rnn")])
    with pytest.raises(ExportError, match="layer 'my_rnn' \\(RNN\\).*dynamic time axis"):
        export_onnx(model, tmp_path / "c.onnx")
    # a fixed length works (the loop is unrolled), and so does a fixed-length input_signature
    path = export_onnx(model, tmp_path / "c.onnx", input_signature=[(None, 6, 3)], verify=True)
    x = seeded(2, 6, 3)
    assert_close(ort_run(path, [x]), predict(model, [x]))


def _scaled_tanh(x):  # keras.ops: not scriptable, traced instead
    return 1.7159 * keras.ops.tanh(0.6666 * x)


def _numpy_tanh(x):  # leaves the graph: no dynamic time axis possible
    return torch.from_numpy(np.tanh(x.detach().cpu().numpy()))


def test_custom_activation_runs_as_loop(tmp_path):
    model = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.LSTM(3, activation=_scaled_tanh)])
    path = export_onnx(model, tmp_path / "a.onnx")
    assert "Loop" in onnx_ops(path)
    for steps in (4, 9):
        x = seeded(2, steps, 3, seed=steps)
        assert_close(ort_run(path, [x]), predict(model, [x]))
    bad = keras.Sequential([keras.Input(shape=(None, 3)), keras.layers.GRU(3, activation=_numpy_tanh, name="np_gru")])
    with pytest.raises(ExportError, match="layer 'np_gru' \\(GRU\\).*dynamic time axis"):
        export_onnx(bad, tmp_path / "b.onnx")
