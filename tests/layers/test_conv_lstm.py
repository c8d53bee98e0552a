"""ConvLSTM1D/2D/3D: every path equals Keras's cell formula written out; states, masks, export.

Numeric parity with real Keras lives in ``tests/test_parity_layers.py`` (``conv_lstm*`` cases). Here the
reference is ``keras/src/layers/rnn/conv_lstm.py``'s ``ConvLSTMCell.call`` transcribed with per-gate
convolutions on the Keras-layout weights, which the layer's fused paths (one input convolution for all
steps, channels-first maps, the ``_steps`` LSTM template, the scripted ONNX loop) must reproduce.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import keras_torch as keras
from keras_torch.export import export_onnx
from keras_torch.layers.rnn import _ops, _steps

CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def _tf_same(x: torch.Tensor, kernel: tuple, strides: tuple, dilation: tuple) -> torch.Tensor:
    """TF "same" padding of channels-first ``x`` (extra cell at the end)."""
    pads = []
    for size, k, s, d in reversed(list(zip(x.shape[2:], kernel, strides, dilation))):
        eff = (k - 1) * d + 1
        total = max(0, (-(-size // s) - 1) * s + eff - size)
        pads += [total // 2, total - total // 2]
    return F.pad(x, pads)


def reference(layer, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor, mask=None):
    """Keras's per-step formula on channels-first tensors: (sequence, h, c)."""
    cell = layer.cell
    kernel, rec_kernel, *bias = [torch.as_tensor(w) for w in cell.get_weights()]
    rank = cell.rank
    perm = (rank + 1, rank) + tuple(range(rank))  # Keras (*k, in, out) -> torch (out, in, *k)
    k_t, r_t = kernel.permute(perm), rec_kernel.permute(perm)
    f = cell.filters
    act = {"tanh": torch.tanh, "relu": torch.relu}[keras.activations.serialize(cell.activation)]
    ract = torch.sigmoid
    outs, out = [], torch.zeros_like(h)
    for t in range(x.shape[1]):
        xt = x[:, t]
        if cell.padding == "same":
            xt = _tf_same(xt, cell.kernel_size, cell.strides, cell.dilation_rate)
        hp = _tf_same(h, cell.kernel_size, (1,) * rank, (1,) * rank)
        gates = []
        for g in range(4):
            xg = CONV[rank](xt, k_t[g * f:(g + 1) * f], bias[0][g * f:(g + 1) * f] if bias else None,
                            cell.strides, 0, cell.dilation_rate)
            gates.append(xg + CONV[rank](hp, r_t[g * f:(g + 1) * f]))
        i, fg, o = ract(gates[0]), ract(gates[1]), ract(gates[3])
        cn = fg * c + i * act(gates[2])
        hn = o * act(cn)
        if mask is None:
            h, c, out = hn, cn, hn
        else:
            m = mask[:, t].view(-1, *([1] * (h.ndim - 1)))
            h, c, out = torch.where(m, hn, h), torch.where(m, cn, c), torch.where(m, hn, out)
        outs.append(out)
    return torch.stack(outs, 1), h, c


def _layer(rank: int, **kwargs):
    keras.utils.set_random_seed(3)
    cls = {1: keras.layers.ConvLSTM1D, 2: keras.layers.ConvLSTM2D, 3: keras.layers.ConvLSTM3D}[rank]
    layer = cls(2, kwargs.pop("kernel_size", 3), return_sequences=True, return_state=True,
                data_format="channels_first", **kwargs)
    return layer


SPATIAL = {1: (7,), 2: (5, 6), 3: (4, 3, 4)}
CONFIGS = {
    "1d_same": (1, {"padding": "same"}),
    "1d_dilation": (1, {"padding": "same", "dilation_rate": 2}),
    "2d_valid_stride": (2, {"strides": 2}),
    "2d_same_even": (2, {"padding": "same", "kernel_size": (2, 3)}),
    "2d_relu_no_bias": (2, {"activation": "relu", "use_bias": False}),
    "3d_same": (3, {"padding": "same", "kernel_size": 2}),
}
MASK = [[1, 1, 0, 1], [0, 1, 1, 1], [1, 1, 1, 0]]


def _inputs(rank: int, seed: int = 0) -> torch.Tensor:
    rng = np.random.default_rng(seed)
    return torch.from_numpy(rng.standard_normal((3, 4, 2) + SPATIAL[rank]).astype("float32"))


def _states(layer, x):
    layer(x)  # builds
    h0 = layer.cell.get_initial_state(x.shape[0])[0]
    gen = torch.Generator().manual_seed(1)
    return torch.randn(h0.shape, generator=gen) * 0.5, torch.randn(h0.shape, generator=gen) * 0.5


def close(a, b):
    torch.testing.assert_close(a, b, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name", list(CONFIGS))
@pytest.mark.parametrize("masked", [False, True], ids=["unmasked", "masked"])
def test_layer_equals_keras_cell_formula(name, masked):
    rank, kwargs = CONFIGS[name]
    layer = _layer(rank, **kwargs)
    x = _inputs(rank)
    h0, c0 = _states(layer, x)
    m = torch.tensor(MASK, dtype=torch.bool) if masked else None
    want_seq, want_h, want_c = reference(layer, x, h0, c0, m)
    with torch.no_grad():
        seq, h, c = layer(x, initial_state=[h0, c0], mask=m)
    close(seq, want_seq)
    close(h, want_h)
    close(c, want_c)
    with torch.no_grad():  # go_backwards is the same run on the reversed sequence
        back = _layer(rank, go_backwards=True, **kwargs)
        back(x)
        back.set_weights(layer.get_weights())
        seq_b, h_b, _ = back(x, initial_state=[h0, c0], mask=m)
    want_seq_b, want_h_b, _ = reference(layer, x.flip(1), h0, c0, m.flip(1) if m is not None else None)
    close(seq_b, want_seq_b)
    close(h_b, want_h_b)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_cell_step_and_scripted_loop_equal_the_formula(name):
    rank, kwargs = CONFIGS[name]
    layer = _layer(rank, **kwargs)
    x = _inputs(rank, 1)
    h0, c0 = _states(layer, x)
    want_seq, want_h, want_c = reference(layer, x, h0, c0)
    cell = layer.cell
    kind = cell._step_kind()
    with torch.no_grad():
        st, outs = [h0, c0], []
        for t in range(x.shape[1]):  # the Keras per-step API
            out, st = cell(x[:, t], st)
            outs.append(out)
        close(torch.stack(outs, 1), want_seq)
        params = cell._torch_params(x.dtype)
        xp = cell._input_projection(x, params, None)
        w1, w2, b = _steps.step_weights(kind, params[1], None)
        for masked in (False, True):  # the TorchScript loops of the ONNX export
            loop = _steps.scripted_loop(kind, *cell._step_activations(), masked, False, True)
            assert isinstance(loop, torch.jit.ScriptFunction)
            m = _ops.time_major_mask(torch.ones(x.shape[:2], dtype=torch.bool), xp.dim() - 1)
            seq, _, h, c = loop(xp.transpose(0, 1), m, h0, c0, w1, w2, b)
            close(seq, want_seq)
            close(h, want_h)
            close(c, want_c)
        ones = torch.ones((4,) + tuple(h0.shape))  # the recurrent-dropout step with all-ones masks
        seq, _, _ = _ops.run_loop(cell._loop_step(params, ones), xp, [h0, c0], None, False, True)
        close(seq, want_seq)


def test_channels_last_is_the_transposed_channels_first_run():
    cf = _layer(2, padding="same")
    x = _inputs(2, 2)
    cf(x)
    keras.utils.set_random_seed(3)
    cl = keras.layers.ConvLSTM2D(2, 3, padding="same", return_sequences=True, return_state=True)
    xl = x.permute(0, 1, 3, 4, 2)
    cl(xl)
    cl.set_weights(cf.get_weights())
    with torch.no_grad():
        seq_f, h_f, c_f = cf(x)
        seq_l, h_l, c_l = cl(xl)
    close(seq_l, seq_f.permute(0, 1, 3, 4, 2))
    close(h_l, h_f.permute(0, 2, 3, 1))
    close(c_l, c_f.permute(0, 2, 3, 1))


def test_training_dropout_paths_run_and_differentiate():
    layer = keras.layers.ConvLSTM2D(2, 3, padding="same", dropout=0.4, recurrent_dropout=0.4, seed=1)
    x = torch.randn(2, 3, 4, 4, 1)
    out = layer(x, training=True)
    out.sum().backward()
    assert all(w.grad is not None for w in layer.trainable_weights)
    with torch.no_grad():
        torch.testing.assert_close(layer(x), layer(x))  # inference ignores dropout


def test_stateful_keeps_keras_layout_states():
    layer = keras.layers.ConvLSTM2D(2, 3, padding="same", stateful=True)
    x = torch.randn(2, 3, 4, 5, 1)
    layer(x)
    assert [tuple(s.shape) for s in layer.states] == [(2, 4, 5, 2), (2, 4, 5, 2)]
    first = [s.clone() for s in layer.states]
    layer(x)
    assert not torch.equal(first[0], layer.states[0])
    layer.reset_state()
    assert all(float(s.abs().sum()) == 0 for s in layer.states)


def test_shapes_config_and_errors():
    layer = keras.layers.ConvLSTM3D(4, (1, 2, 3), strides=(1, 2, 1), data_format="channels_first", return_state=True)
    assert layer.compute_output_shape((None, 5, 2, 3, 8, 6)) == ((None, 4, 3, 4, 4),) * 3
    assert layer.filters == 4 and layer.kernel_size == (1, 2, 3)
    cfg = keras.layers.ConvLSTM1D(3, 2, padding="same").get_config()
    assert keras.layers.ConvLSTM1D.from_config(cfg).get_config() == cfg
    with pytest.raises(ValueError, match="dilation_rate"):
        keras.layers.ConvLSTM2D(2, 3, strides=2, dilation_rate=2)
    with pytest.raises(ValueError, match="static input shapes"):
        keras.layers.ConvLSTM2D(2, 3)(keras.Input(shape=(4, None, 5, 1)))


def test_onnx_export_keeps_the_time_axis_dynamic(tmp_path):
    import onnxruntime as ort

    model = keras.Sequential([keras.Input(shape=(None, 5, 4, 2)),
                              keras.layers.ConvLSTM2D(3, 2, padding="same", return_sequences=True),
                              keras.layers.ConvLSTM2D(2, 3, go_backwards=True)])
    path = export_onnx(model, tmp_path / "m.onnx")
    session = ort.InferenceSession(str(path))
    name = session.get_inputs()[0].name
    for steps in (3, 7):
        x = np.random.default_rng(steps).standard_normal((2, steps, 5, 4, 2)).astype("float32")
        np.testing.assert_allclose(session.run(None, {name: x})[0], model.predict(x, verbose=0), atol=1e-5, rtol=1e-4)
