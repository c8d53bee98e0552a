"""Recurrent layers: parity with real Keras 3 numbers, torch interop, masks, configs, errors."""

import copy
import json
import pickle
from pathlib import Path

import numpy as np
import pytest
import torch

import keras_torch
from keras_torch import layers as L
from keras_torch.core import tree
from keras_torch.layers.rnn import _ops

DATA = Path(__file__).parent / "data"


def load_cases():
    """(expr, x, mask, initial states, keras weights, outputs) per case of rnn_reference_*.npz."""
    cases = []
    for f in sorted(DATA.glob("rnn_reference_*.npz")):
        ref = np.load(f)
        for key in sorted(k for k in ref.files if k.endswith(".meta")):
            name = key[: -len(".meta")]
            meta = json.loads(str(ref[key]))
            data, pos, groups = ref[name + ".data"], 0, {}
            for g in ("x", "init", "w", "y"):
                groups[g] = []
                for shape in meta[g]:
                    n = int(np.prod(shape))
                    groups[g].append(data[pos : pos + n].reshape(shape))
                    pos += n
            x = groups["x"][0]
            mask = ref["mask_" + meta["mask"]][: x.shape[0], : x.shape[1]] if meta["mask"] else None
            cases.append(pytest.param(meta["expr"], x, mask, groups["init"], groups["w"], groups["y"], id=name))
    return cases


CASES = load_cases()


def build_from_expr(expr, x, ws):
    layer = eval(expr, {"L": L})
    layer.build(tuple(x.shape))
    layer.built = True
    layer.set_weights(ws)
    return layer


def call(layer, x, mask, inits):
    kw = {}
    if mask is not None:
        kw["mask"] = torch.from_numpy(mask)
    if inits:
        kw["initial_state"] = [torch.from_numpy(s) for s in inits]
    return layer(torch.from_numpy(x), **kw)


@pytest.mark.parametrize("expr,x,mask,inits,ws,ys", CASES)
def test_matches_keras(expr, x, mask, inits, ws, ys):
    layer = build_from_expr(expr, x, ws)
    flat = tree.flatten(call(layer, x, mask, inits))
    assert len(flat) == len(ys)
    for got, want in zip(flat, ys):
        np.testing.assert_allclose(got.detach().numpy(), want, atol=2e-6, rtol=1e-5)
    shapes = tree.flatten(layer.compute_output_shape(tuple(x.shape)))
    assert [tuple(s) for s in _shape_leaves(layer.compute_output_shape(tuple(x.shape)))] == [w.shape for w in ys]
    assert shapes  # compute_output_shape is defined for every case


def _shape_leaves(s):
    if isinstance(s, (tuple, list)) and s and all(d is None or isinstance(d, int) for d in s):
        return [tuple(s)]
    out = []
    for v in s:
        out.extend(_shape_leaves(v))
    return out


@pytest.mark.parametrize("expr,x,mask,inits,ws,ys", CASES)
def test_weights_round_trip_in_keras_layout(expr, x, mask, inits, ws, ys):
    layer = build_from_expr(expr, x, ws)
    got = layer.get_weights()
    assert [w.shape for w in got] == [w.shape for w in ws]
    for a, b in zip(got, ws):
        np.testing.assert_array_equal(a, b)
    assert layer.count_params() == sum(w.size for w in ws)


@pytest.mark.parametrize("expr,x,mask,inits,ws,ys", CASES)
def test_config_round_trip(expr, x, mask, inits, ws, ys):
    layer = build_from_expr(expr, x, ws)
    cfg = layer.get_config()
    json.dumps(cfg)
    clone = type(layer).from_config(copy.deepcopy(cfg))
    assert clone.get_config() == cfg
    clone.build(tuple(x.shape))
    clone.set_weights(layer.get_weights())
    a, b = tree.flatten(call(layer, x, mask, inits)), tree.flatten(call(clone, x, mask, inits))
    for u, v in zip(a, b):
        torch.testing.assert_close(u, v)


# ---------------------------------------------------------------- torch interop
def test_lstm_state_dict_loads_into_torch_lstm():
    layer = L.LSTM(5, return_sequences=True, return_state=True)
    x = torch.randn(3, 7, 4)
    layer(x)
    sd = layer.state_dict()
    assert list(sd) == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    ref = torch.nn.LSTM(4, 5, batch_first=True)
    ref.load_state_dict(sd)
    y, h, c = layer(x)
    ry, (rh, rc) = ref(x)
    torch.testing.assert_close(y, ry)
    torch.testing.assert_close(h, rh[0])
    torch.testing.assert_close(c, rc[0])
    assert layer.count_params() == 4 * 5 * (4 + 5 + 1) == sum(p.numel() for p in layer.parameters())


def test_torch_lstm_state_dict_loads_into_layer_and_keras_bias_folds_both_biases():
    ref = torch.nn.LSTM(4, 5, batch_first=True)
    layer = L.LSTM(5, return_sequences=True)
    x = torch.randn(2, 6, 4)
    layer.build(tuple(x.shape))
    layer.load_state_dict(ref.state_dict())
    torch.testing.assert_close(layer(x), ref(x)[0])
    kernel, rec, bias = layer.get_weights()
    np.testing.assert_allclose(kernel, ref.weight_ih_l0.detach().numpy().T)
    np.testing.assert_allclose(bias, (ref.bias_ih_l0 + ref.bias_hh_l0).detach().numpy(), rtol=1e-6)
    # set_weights puts everything into the Keras bias again
    fresh = L.LSTM(5, return_sequences=True)
    fresh.build(tuple(x.shape))
    fresh.set_weights(layer.get_weights())
    torch.testing.assert_close(fresh(x), ref(x)[0], atol=1e-6, rtol=1e-5)


def test_gru_state_dict_loads_into_torch_gru():
    layer = L.GRU(5, return_sequences=True)
    x = torch.randn(3, 7, 4)
    layer(x)
    ref = torch.nn.GRU(4, 5, batch_first=True)
    ref.load_state_dict(layer.state_dict())
    torch.testing.assert_close(layer(x), ref(x)[0])
    assert layer.count_params() == 3 * 5 * (4 + 5 + 2)
    kernel, rec, bias = layer.get_weights()
    assert kernel.shape == (4, 15) and rec.shape == (5, 15) and bias.shape == (2, 15)
    # Keras gate order z, r, h; torch r, z, n
    np.testing.assert_array_equal(kernel[:, :5], ref.weight_ih_l0.detach().numpy()[5:10].T)
    np.testing.assert_array_equal(bias[1, 5:10], ref.bias_hh_l0.detach().numpy()[:5])


def test_simple_rnn_state_dict_loads_into_torch_rnn():
    for act, nl in (("tanh", "tanh"), ("relu", "relu")):
        layer = L.SimpleRNN(5, activation=act, return_sequences=True)
        x = torch.randn(3, 7, 4)
        layer(x)
        ref = torch.nn.RNN(4, 5, nonlinearity=nl, batch_first=True)
        ref.load_state_dict(layer.state_dict())
        torch.testing.assert_close(layer(x), ref(x)[0])


@pytest.mark.parametrize(
    "cell,torch_cls,states",
    [(L.LSTMCell, torch.nn.LSTMCell, 2), (L.GRUCell, torch.nn.GRUCell, 1), (L.SimpleRNNCell, torch.nn.RNNCell, 1)],
)
def test_cells_load_into_torch_cells(cell, torch_cls, states):
    c = cell(5)
    x = torch.randn(3, 4)
    init = [torch.randn(3, 5) for _ in range(states)]
    out, new = c(x, init)
    ref = torch_cls(4, 5)
    ref.load_state_dict(c.state_dict())
    r = ref(x, tuple(init) if states == 2 else init[0])
    r = r[0] if states == 2 else r
    torch.testing.assert_close(out, r)
    assert len(new) == states


def test_lstm_weights_live_on_the_cell_and_layer_shares_them():
    layer = L.LSTM(3)
    layer(torch.randn(2, 4, 2))
    assert layer.cell.name == "lstm_cell"
    assert layer.weight_ih_l0 is layer.cell.weight_ih
    assert [w.name for w in layer.weights] == ["kernel", "recurrent_kernel", "bias"]
    assert [type(x).__name__ for x in layer._flatten_layers()] == ["LSTM", "LSTMCell"]
    assert layer.units == 3 and layer.cell.kernel.shape == (2, 12)
    assert "cell" not in dict(layer.named_children())
    layer.trainable = False
    assert not any(p.requires_grad for p in layer.parameters())
    assert layer.count_params() == 4 * 3 * (2 + 3 + 1)


def test_copy_and_pickle_keep_weights_shared():
    layer = L.GRU(3)
    x = torch.randn(2, 4, 2)
    y = layer(x)
    for clone in (copy.deepcopy(layer), pickle.loads(pickle.dumps(layer))):
        assert clone.weight_ih_l0 is clone.cell.weight_ih
        torch.testing.assert_close(clone(x), y)
        with torch.no_grad():
            clone.weight_ih_l0.zero_()
        assert float(clone.cell.weight_ih.detach().abs().sum()) == 0.0


def test_unit_forget_bias_and_default_initializers():
    layer = L.LSTM(3)
    layer.build((None, 4, 2))
    bias = layer.get_weights()[2]
    np.testing.assert_array_equal(bias, [0, 0, 0, 1, 1, 1, 0, 0, 0, 0, 0, 0])
    rk = layer.get_weights()[1]  # orthogonal (3, 12): orthonormal rows
    np.testing.assert_allclose(rk @ rk.T, np.eye(3), atol=1e-5)
    assert L.LSTM(3, unit_forget_bias=False).get_config()["unit_forget_bias"] is False


# ---------------------------------------------------------------- masks / semantics
def test_mask_from_embedding_equals_explicit_mask():
    ids = torch.tensor([[3, 4, 1, 0, 0], [0, 0, 2, 5, 6], [1, 2, 3, 4, 5]])
    emb = L.Embedding(8, 3, mask_zero=True)
    lstm = L.LSTM(4, return_sequences=True)
    e = emb(ids)
    y = lstm(e)
    assert torch.equal(y._keras_mask, ids != 0)
    y2 = lstm(e.detach().clone(), mask=ids != 0)
    torch.testing.assert_close(y, y2)
    # masked steps repeat the previous output (zeros before the first valid step)
    torch.testing.assert_close(y[0, 3], y[0, 2])
    assert float(y[1, :2].detach().abs().sum()) == 0.0


@pytest.mark.parametrize("layer_fn", [
    lambda: L.LSTM(4, return_sequences=True, return_state=True),
    lambda: L.GRU(4, return_sequences=True, return_state=True, go_backwards=True),
    lambda: L.SimpleRNN(4, return_sequences=True, return_state=True, zero_output_for_mask=True),
])
def test_packed_fast_path_equals_loop(layer_fn, monkeypatch):
    layer = layer_fn()
    x = torch.randn(4, 6, 3)
    mask = torch.tensor([[1, 1, 1, 0, 0, 0], [0, 0, 1, 1, 1, 1], [0] * 6, [1] * 6], dtype=torch.bool)
    fast = layer(x, mask=mask)
    monkeypatch.setattr(_ops, "_fused_masked", lambda *a, **k: None)
    slow = layer(x, mask=mask)
    for a, b in zip(fast, slow):
        torch.testing.assert_close(a, b)


def test_gradients_flow_through_fused_packed_and_loop_paths():
    x = torch.randn(3, 5, 2, requires_grad=True)
    mask_block = torch.tensor([[1, 1, 1, 0, 0], [1] * 5, [0, 1, 1, 1, 1]], dtype=torch.bool)
    mask_holes = torch.tensor([[1, 0, 1, 0, 1], [1] * 5, [0, 1, 1, 1, 1]], dtype=torch.bool)
    for layer, mask in ((L.LSTM(3), None), (L.LSTM(3), mask_block), (L.LSTM(3, activation="relu"), mask_holes),
                        (L.GRU(3, reset_after=False), None)):
        layer(x, mask=mask).sum().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in layer.parameters())


def test_dropout_only_in_training():
    layer = L.LSTM(4, dropout=0.5, recurrent_dropout=0.5, return_sequences=True, seed=1)
    x = torch.randn(2, 5, 3)
    a, b = layer(x), layer(x, training=False)
    torch.testing.assert_close(a, b)
    t1, t2 = layer(x, training=True), layer(x, training=True)
    assert not torch.allclose(t1, a) and not torch.allclose(t1, t2)
    gru = L.GRU(4, dropout=0.3, recurrent_dropout=0.3, reset_after=False)
    gru(x, training=True).sum().backward()
    assert gru.cell.weight_hh.grad is not None
    rnn = L.SimpleRNN(4, dropout=0.3)
    assert not torch.allclose(rnn(x, training=True), rnn(x))


def test_initial_state_single_tensor_and_stacked_nested_or_flat():
    x = torch.randn(2, 5, 3)
    gru = L.GRU(4, return_state=True)
    h0 = torch.randn(2, 4)
    out1, h1 = gru(x, initial_state=h0)
    out2, h2 = gru(x, initial_state=[h0])
    torch.testing.assert_close(out1, out2)
    stacked = L.RNN([L.LSTMCell(4), L.GRUCell(3)], return_state=True)
    states = [torch.randn(2, 4), torch.randn(2, 4), torch.randn(2, 3)]
    a = stacked(x, initial_state=[states[:2], [states[2]]])
    b = stacked(x, initial_state=states)
    for u, v in zip(tree.flatten(a), tree.flatten(b)):
        torch.testing.assert_close(u, v)
    with pytest.raises(ValueError, match="initial state"):
        L.LSTM(4)(x, initial_state=[h0])


def test_generic_rnn_with_custom_cell():
    class MinimalRNNCell(keras_torch.layers.Layer):
        def __init__(self, units, **kwargs):
            super().__init__(**kwargs)
            self.units = units
            self.state_size = units

        def build(self, input_shape):
            self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
            self.recurrent_kernel = self.add_weight(shape=(self.units, self.units), name="recurrent_kernel")

        def call(self, inputs, states):
            out = inputs @ self.kernel + states[0] @ self.recurrent_kernel
            return out, [out]

    layer = L.RNN(MinimalRNNCell(3), return_sequences=True)
    x = torch.randn(2, 4, 2)
    mask = torch.tensor([[1, 1, 0, 1], [0, 1, 1, 1]], dtype=torch.bool)
    y = layer(x, mask=mask)
    k, rk = layer.get_weights()
    h = np.zeros((2, 3), np.float32)
    prev = np.zeros((2, 3), np.float32)
    xs, ms = x.numpy(), mask.numpy()
    for t in range(4):
        new = xs[:, t] @ k + h @ rk
        m = ms[:, t : t + 1]
        h = np.where(m, new, h)
        prev = np.where(m, new, prev)
        np.testing.assert_allclose(y[:, t].detach().numpy(), prev, atol=1e-5)
    stacked = L.RNN([MinimalRNNCell(3), L.LSTMCell(2)])  # mixed: generic per-step loop
    assert stacked(x).shape == (2, 2)


def test_stateful_keeps_states_between_calls_and_resets():
    layer = L.LSTM(3, stateful=True)
    x = torch.randn(2, 4, 2)
    a = layer(x)
    b = layer(x)
    assert not torch.allclose(a, b)
    layer.reset_state()
    torch.testing.assert_close(layer(x), a)
    with pytest.raises(ValueError, match="batch size"):
        layer(torch.randn(3, 4, 2))


def test_keras2_hard_sigmoid_callable_is_accepted():
    from keras_torch.activations import hard_sigmoid_keras2

    layer = L.LSTM(3, recurrent_activation=hard_sigmoid_keras2, return_sequences=True)
    x = torch.randn(2, 4, 2)
    y = layer(x)
    ref = L.LSTM(3, recurrent_activation="hard_sigmoid", return_sequences=True)
    ref.build(tuple(x.shape))
    ref.set_weights(layer.get_weights())
    assert not torch.allclose(ref(x), y)  # Keras 2 and Keras 3 hard_sigmoid differ


def test_regularizers_and_constraints():
    layer = L.GRU(3, kernel_regularizer="l2", bias_regularizer="l1", bias_constraint="non_neg",
                  recurrent_regularizer="l2")
    layer(torch.randn(2, 4, 2))
    k, rk, b = layer.get_weights()
    expected = 0.01 * (k**2).sum() + 0.01 * (rk**2).sum() + 0.01 * np.abs(b).sum()
    np.testing.assert_allclose(float(sum(layer.losses).detach()), expected, rtol=1e-5)
    with torch.no_grad():
        layer.cell.bias_hh.fill_(-1.0)
    for p in layer.parameters():
        if "constraint" in p.__dict__:
            with torch.no_grad():
                p.copy_(p.constraint(p))
    assert (layer.get_weights()[2] >= 0).all()


# ---------------------------------------------------------------- wrappers
def test_bidirectional_names_weights_and_state_dict():
    bi = L.Bidirectional(L.LSTM(4, name="enc", return_sequences=True))
    x = torch.randn(2, 5, 3)
    y = bi(x)
    assert y.shape == (2, 5, 8)
    assert bi.forward_layer.name == "forward_enc" and bi.backward_layer.name == "backward_enc"
    assert bi.backward_layer.go_backwards and not bi.forward_layer.go_backwards
    assert len(bi.get_weights()) == 6 and bi.count_params() == 2 * 4 * 4 * (3 + 4 + 1)
    assert list(bi.state_dict())[:2] == ["forward_layer.weight_ih_l0", "forward_layer.weight_hh_l0"]
    ref = torch.nn.LSTM(3, 4, batch_first=True, bidirectional=True)
    fwd = {k: v for k, v in bi.state_dict().items() if k.startswith("forward_layer.")}
    bwd = {k: v for k, v in bi.state_dict().items() if k.startswith("backward_layer.")}
    sd = {k.split(".", 1)[1]: v for k, v in fwd.items()}
    sd.update({k.split(".", 1)[1] + "_reverse": v for k, v in bwd.items()})
    ref.load_state_dict(sd)
    torch.testing.assert_close(y, ref(x)[0])


def test_bidirectional_fused_equals_two_pass(monkeypatch):
    x = torch.randn(3, 6, 2)
    for inner in (L.LSTM(4, return_sequences=True, return_state=True), L.GRU(4, return_state=True)):
        for mode in ("concat", "sum", None):
            bi = L.Bidirectional(inner, merge_mode=mode)
            fused = bi(x)
            monkeypatch.setattr(L.Bidirectional, "_fused", lambda *a, **k: None)
            slow = bi(x)
            monkeypatch.undo()
            for a, b in zip(tree.flatten(fused), tree.flatten(slow)):
                torch.testing.assert_close(a, b)


def test_bidirectional_errors_and_weights_kwarg():
    with pytest.raises(ValueError, match="merge mode"):
        L.Bidirectional(L.LSTM(2), merge_mode="max")
    with pytest.raises(ValueError, match="Layer"):
        L.Bidirectional("lstm")
    with pytest.raises(ValueError, match="go_backwards"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2))
    with pytest.raises(ValueError, match="return_sequences"):
        L.Bidirectional(L.LSTM(2), backward_layer=L.LSTM(2, go_backwards=True, return_sequences=True))
    src = L.Bidirectional(L.GRU(2))
    src.build((None, 3, 2))
    ws = src.get_weights()
    bi = L.Bidirectional(L.GRU(2), weights=ws)
    bi(torch.randn(1, 3, 2))
    for a, b in zip(bi.get_weights(), ws):
        np.testing.assert_array_equal(a, b)


def test_bidirectional_mask_propagation_and_shapes():
    bi = L.Bidirectional(L.LSTM(3, return_sequences=True, return_state=True), merge_mode=None)
    x = torch.randn(2, 4, 2)
    mask = torch.tensor([[1, 1, 0, 0], [1, 1, 1, 1]], dtype=torch.bool)
    outs = bi(x, mask=mask)
    assert len(outs) == 6
    assert torch.equal(outs[0]._keras_mask, mask) and torch.equal(outs[1]._keras_mask, mask)
    assert not hasattr(outs[2], "_keras_mask")
    shapes = bi.compute_output_shape((None, 4, 2))
    assert [tuple(o.shape[1:]) for o in outs] == [tuple(s[1:]) for s in shapes]


def test_time_distributed_dense_and_conv():
    td = L.TimeDistributed(L.Dense(3))
    x = torch.randn(2, 4, 5)
    y = td(x)
    torch.testing.assert_close(y, td.layer(x.reshape(8, 5)).reshape(2, 4, 3))
    assert td.compute_output_shape((None, 4, 5)) == (None, 4, 3)
    assert list(td.state_dict()) == ["layer.weight", "layer.bias"]
    conv = L.TimeDistributed(L.Conv2D(2, 3, padding="same"))
    img = torch.randn(2, 3, 6, 6, 1)
    out = conv(img)
    assert out.shape == (2, 3, 6, 6, 2)
    torch.testing.assert_close(out[:, 1], conv.layer(img[:, 1]))
    assert conv.compute_output_shape((None, 3, 6, 6, 1)) == (None, 3, 6, 6, 2)
    with pytest.raises(ValueError, match="at least 3"):
        L.TimeDistributed(L.Dense(2)).build((None, 3))
    with pytest.raises(ValueError, match="Layer"):
        L.TimeDistributed("dense")


def test_time_distributed_batch_norm_in_training_runs_per_step():
    td = L.TimeDistributed(L.BatchNormalization())
    x = torch.randn(4, 3, 2) * torch.tensor([1.0, 5.0, 10.0]).view(1, 3, 1)
    y = td(x, training=True)
    for t in range(3):  # each step normalised with its own batch statistics
        assert float(y[:, t].detach().mean(0).abs().max()) < 1e-5


def test_time_distributed_passes_mask_through():
    td = L.TimeDistributed(L.Dense(2))
    x = torch.randn(2, 3, 4)
    mask = torch.tensor([[1, 0, 1], [1, 1, 0]], dtype=torch.bool)
    y = td(x, mask=mask)
    assert torch.equal(y._keras_mask, mask)


# ---------------------------------------------------------------- functional / shapes / errors
def test_functional_model_with_initial_state_and_masks():
    inp = keras_torch.Input((5,))
    e = L.Embedding(10, 3, mask_zero=True)(inp)
    seq, h, c = L.LSTM(4, return_sequences=True, return_state=True)(e)
    out = L.LSTM(4)(seq, initial_state=[h, c])
    model = keras_torch.Model(inp, [seq, out])
    assert tuple(seq.shape) == (None, 5, 4) and tuple(h.shape) == (None, 4)
    ids = torch.tensor([[1, 2, 3, 0, 0], [4, 5, 0, 0, 0]])
    a, b = model(ids)
    assert a.shape == (2, 5, 4) and b.shape == (2, 4)


def test_sequential_training_with_relu_lstm():
    model = keras_torch.Sequential([L.Input((6, 2)), L.LSTM(8, activation="relu"), L.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    x = np.random.rand(32, 6, 2).astype("float32")
    y = x.sum(axis=(1, 2))[:, None]
    hist = model.fit(x, y, epochs=3, batch_size=8, verbose=0)
    assert hist.history["loss"][-1] < hist.history["loss"][0]


def test_output_shapes_and_symbolic_build():
    x = keras_torch.Input((None, 3))
    assert tuple(L.GRU(5)(x).shape) == (None, 5)
    out = L.RNN([L.LSTMCell(4), L.GRUCell(2)], return_state=True, return_sequences=True)(x)
    assert [tuple(t.shape) for t in tree.flatten(out)] == [(None, None, 2), (None, 4), (None, 4), (None, 2)]
    assert tuple(L.Bidirectional(L.SimpleRNN(3, return_sequences=True))(x).shape) == (None, None, 6)


def test_invalid_arguments():
    with pytest.raises(ValueError, match="units"):
        L.LSTM(0)
    with pytest.raises(ValueError, match="units"):
        L.GRUCell(-2)
    with pytest.raises(ValueError, match="use_cudnn"):
        L.GRU(2, use_cudnn="yes")
    with pytest.raises(ValueError, match="state_size"):
        L.RNN(L.Dense(2))
    with pytest.raises(ValueError, match="time_major"):
        L.LSTM(2, time_major=True)
    with pytest.raises(ValueError):
        L.LSTM(2)(torch.randn(2, 3))


def test_keras2_config_keys_are_accepted():
    cfg = {"name": "lstm_1", "trainable": True, "batch_input_shape": [None, 5, 3], "dtype": "float32",
           "return_sequences": False, "return_state": False, "go_backwards": False, "stateful": False,
           "unroll": False, "time_major": False, "units": 4, "activation": "tanh",
           "recurrent_activation": "hard_sigmoid", "use_bias": True, "implementation": 2, "dropout": 0.0,
           "recurrent_dropout": 0.0, "unit_forget_bias": True}
    layer = L.LSTM.from_config(cfg)
    assert layer.units == 4 and layer(torch.randn(1, 5, 3)).shape == (1, 4)


@pytest.mark.parametrize("overwrite", [False, True])
def test_module_conversion_keeps_cell_and_layer_tensors_shared(overwrite):
    old = torch.__future__.get_overwrite_module_params_on_conversion()
    torch.__future__.set_overwrite_module_params_on_conversion(overwrite)
    try:
        layer = L.LSTM(3, return_sequences=True)
        x = torch.randn(2, 4, 2)
        y = layer(x)
        layer.double()
        assert layer.cell.weight_ih is layer.weight_ih_l0 and layer.cell.bias_hh is layer.bias_hh_l0
        assert layer.cell.bias_hh.dtype == torch.float64
        torch.testing.assert_close(layer(x.double()).float(), y)
        assert [w.dtype for w in layer.weights] == [torch.float64] * 3
    finally:
        torch.__future__.set_overwrite_module_params_on_conversion(old)
