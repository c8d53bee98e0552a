"""Every implementation of a built-in recurrent cell equals the one definition in ``layers/rnn/_steps.py``.

On the same weights and inputs: the per-step Keras ``call``, the generic Python loop (``_ops.run_loop``),
torch's fused kernels (``_ops.fused``/``fused_sequence``), the scripted loops of the ONNX export
(``_steps.scripted_loop``), the relu-LSTM training loops (``_lstm_loop``: Python, TorchScript and the
compiled C++ twin when it is built), the layers' eager and training paths, and the exported ONNX
graph run by onnxruntime -- for LSTM, GRU (both reset conventions) and SimpleRNN, with
go_backwards, return_sequences and masks.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.layers.rnn import _cpp, _lstm_loop, _ops, _steps

B, T, F, U = 3, 6, 5, 4

# name -> (layer class, constructor arguments, _steps kind)
CELLS = {
    "lstm_tanh": ("LSTM", {}, "lstm"),
    "lstm_relu": ("LSTM", {"activation": "relu"}, "lstm"),
    "lstm_hard_sigmoid": ("LSTM", {"recurrent_activation": "hard_sigmoid"}, "lstm"),
    "gru_reset_after": ("GRU", {}, "gru_after"),
    "gru_reset_after_no_bias": ("GRU", {"use_bias": False}, "gru_after"),
    "gru_reset_before": ("GRU", {"reset_after": False}, "gru_before"),
    "simple_tanh": ("SimpleRNN", {}, "simple"),
    "simple_relu": ("SimpleRNN", {"activation": "relu"}, "simple"),
}
# (batch, time) validity: right padding (contiguous blocks: the fused masked path) and holes (the loop)
MASKS = {
    "right_padded": [[1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 0, 0], [1, 1, 0, 0, 0, 0]],
    "holes": [[1, 0, 1, 1, 0, 1], [0, 1, 1, 0, 1, 1], [1, 1, 1, 1, 1, 0]],
}


def _layer(name: str, **kwargs):
    cls, args, _ = CELLS[name]
    keras.utils.set_random_seed(7)
    layer = getattr(keras.layers, cls)(U, **args, **kwargs)
    layer.build((None, None, F))
    with torch.no_grad():  # non-zero biases everywhere (Keras initialises them to zeros/ones)
        for w in layer.cell.trainable_weights:
            if w.ndim == 1:
                w.copy_(torch.linspace(-0.5, 0.5, w.numel()))
    return layer


def _inputs(seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).standard_normal((B, T, F)).astype("float32"))


def _states(cell) -> list[torch.Tensor]:
    gen = torch.Generator().manual_seed(3)
    return [torch.randn(B, U, generator=gen) * 0.5 for _ in (range(2) if cell._step_kind() == "lstm" else range(1))]


def reference(cell, x: torch.Tensor, states: list[torch.Tensor], mask: torch.Tensor | None = None,
              zero_output: bool = False) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """The definition, step by step, with Keras masking written out: (sequence (B, T, U), final states)."""
    kind = cell._step_kind()
    params = cell._torch_params(x.dtype)
    xp = cell._input_projection(x, params, None)
    step = _steps.specialize(kind, *cell._step_activations(), False)
    w1, w2, b = _steps.step_weights(kind, params[1], cell._recurrent_bias(params))
    h, c = states[0], states[-1]
    out, outs = torch.zeros_like(h), []
    for t in range(x.shape[1]):
        hn, cn = step(xp[:, t], h, c, w1, w2, b, None)
        if mask is None:
            h, c, out = hn, cn, hn
        else:
            m = mask[:, t:t + 1]
            h, c = torch.where(m, hn, h), torch.where(m, cn, c)
            out = torch.where(m, hn, torch.zeros_like(hn) if zero_output else out)
        outs.append(out)
    return torch.stack(outs, 1), ([h, c] if kind == "lstm" else [h])


def close(a: torch.Tensor, b: torch.Tensor) -> None:
    torch.testing.assert_close(a, b, rtol=1e-5, atol=2e-6)


@pytest.mark.parametrize("name", list(CELLS))
def test_kernels_match_the_definition(name):
    layer = _layer(name)
    cell = layer.cell
    kind = cell._step_kind()
    x, states = _inputs(), _states(cell)
    want_seq, want_states = reference(cell, x, states)
    params = cell._torch_params(x.dtype)
    xp = cell._input_projection(x, params, None)

    with torch.no_grad():
        # the Keras per-step call
        st, outs = list(states), []
        for t in range(T):
            out, st = cell(x[:, t], st)
            outs.append(out)
        close(torch.stack(outs, 1), want_seq)
        for a, b in zip(st, want_states):
            close(a, b)

        # the generic Python loop
        seq, last, st = _ops.run_loop(cell._loop_step(params, None), xp, list(states), None, False, True)
        close(seq, want_seq)
        close(last, want_seq[:, -1])
        for a, b in zip(st, want_states):
            close(a, b)

        # torch's fused kernels, where the cell has one
        fused = cell._fused_kind_for()
        assert (fused is not None) == (name in ("lstm_tanh", "gru_reset_after", "gru_reset_after_no_bias",
                                                "simple_tanh", "simple_relu"))
        if fused is not None:
            seq, st = _ops.fused(fused, x, list(states), params, cell.use_bias)
            close(seq, want_seq)
            for a, b in zip(st, want_states):
                close(a, b)

        # the scripted loops of the ONNX export (TorchScript), unmasked and with an all-valid mask
        w1, w2, b = _steps.step_weights(kind, params[1], cell._recurrent_bias(params))
        c0 = states[-1]
        for masked in (False, True):
            loop = _steps.scripted_loop(kind, *cell._step_activations(), masked, False, True)
            assert isinstance(loop, torch.jit.ScriptFunction)
            m = torch.ones(T, B, 1, dtype=torch.bool)
            seq, last, h, c = loop(xp.transpose(0, 1), m, states[0], c0, w1, w2, b)
            close(seq, want_seq)
            close(h, want_states[0])
            close(c, want_states[-1])


@pytest.mark.parametrize("loop", ["python", "torchscript", "c++"])
def test_relu_lstm_training_loops_match_the_definition(loop):
    """The hand-differentiated relu-LSTM loops (``_lstm_loop``; C++ when it builds)."""
    _lstm_loop._loops()
    if loop == "c++" and _lstm_loop._LOOPS["cpp"] is None:
        pytest.skip(f"compiled relu-LSTM loops unavailable: {_cpp.STATUS}")
    fwd = {"python": _lstm_loop._forward_loop, "torchscript": _lstm_loop._LOOPS["fwd"],
           "c++": (_lstm_loop._LOOPS["cpp"] or (None,))[0]}[loop]
    cell = _layer("lstm_relu").cell
    x, states = _inputs(), _states(cell)
    want_seq, want_states = reference(cell, x, states)
    with torch.no_grad():
        params = cell._torch_params(x.dtype)
        xp = cell._input_projection(x, params, None)
        hs, cs, _, _ = fwd(xp.contiguous(), states[0], states[1], params[1].contiguous())
    close(hs[1:].transpose(0, 1), want_seq)
    close(cs[-1], want_states[1])


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("mask", [None, "right_padded", "holes"])
def test_recurrent_dropout_step_without_dropout_matches(name, mask):
    """The recurrent-dropout variant of the step with all-ones masks is the plain step."""
    layer = _layer(name)
    cell = layer.cell
    kind = cell._step_kind()
    x, states = _inputs(1), _states(cell)
    m = torch.tensor(MASKS[mask], dtype=torch.bool) if mask else None
    want_seq, want_states = reference(cell, x, states, m)
    params = cell._torch_params(x.dtype)
    xp = cell._input_projection(x, params, None)
    ones = torch.ones(B, U) if kind == "simple" else torch.ones(cell._gates, B, U)
    with torch.no_grad():
        seq, _, st = _ops.run_loop(cell._loop_step(params, ones), xp, list(states), m, False, True)
    close(seq, want_seq)
    for a, b in zip(st, want_states):
        close(a, b)


def _run_layer(name, x, mask, training, **kwargs):
    layer = _layer(name, return_sequences=True, return_state=True, **kwargs)
    if training:  # the training paths (relu LSTM: the hand-differentiated loop) need a gradient
        out = layer(x.clone().requires_grad_(True), mask=mask, training=True)
    else:
        with torch.no_grad():
            out = layer(x, mask=mask)
    return layer, [o.detach() for o in out]


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("mask", [None, "right_padded", "holes"])
@pytest.mark.parametrize("go_backwards", [False, True], ids=["forwards", "backwards"])
def test_layer_paths_match_the_definition(name, mask, go_backwards):
    x = _inputs(2)
    m = torch.tensor(MASKS[mask], dtype=torch.bool) if mask else None
    for training in (False, True):
        layer, (seq, *states) = _run_layer(name, x, m, training, go_backwards=go_backwards)
        cell = layer.cell
        xr = x.flip(1) if go_backwards else x
        mr = (m.flip(1) if go_backwards else m) if m is not None else None
        zeros = [torch.zeros(B, U) for _ in states]
        want_seq, want_states = reference(cell, xr, zeros, mr)
        close(seq, want_seq)
        for a, b in zip(states, want_states):
            close(a, b)


@pytest.mark.parametrize("name", list(CELLS))
@pytest.mark.parametrize("case", ["plain", "backwards_last", "masked_holes_zero_output", "masked_right_padded"])
def test_exported_onnx_loop_matches_the_definition(tmp_path, name, case):
    pytest.importorskip("onnxruntime")
    import onnxruntime as ort

    kwargs = {"return_sequences": case != "backwards_last", "go_backwards": case == "backwards_last",
              "zero_output_for_mask": case == "masked_holes_zero_output"}
    layer = _layer(name, **kwargs)
    inputs = keras.Input(shape=(None, F))
    h = keras.layers.Masking(0.0)(inputs) if case.startswith("masked") else inputs
    model = keras.Model(inputs, layer(h))
    path = keras.export.export_onnx(model, tmp_path / f"{name}.onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    for steps, seed in ((T, 3), (T + 3, 4)):  # the traced length and another (a dynamic time axis)
        x = np.random.default_rng(seed).standard_normal((B, steps, F)).astype("float32")
        mask = None
        if case.startswith("masked"):
            valid = np.ones((B, steps), dtype=bool)
            valid[:, :T] = np.asarray(MASKS["holes" if "holes" in case else "right_padded"], dtype=bool)
            valid[:, T:] = valid[:, T - 1:T] if "right_padded" in case else True
            x = x * valid[..., None]
            mask = torch.from_numpy(valid)
        (got,) = session.run(None, {session.get_inputs()[0].name: x})
        xt = torch.from_numpy(x)
        if kwargs["go_backwards"]:
            xt = xt.flip(1)
        zeros = [torch.zeros(B, U) for _ in range(2 if layer.cell._step_kind() == "lstm" else 1)]
        with torch.no_grad():
            want_seq, _ = reference(layer.cell, xt, zeros, mask, zero_output=kwargs["zero_output_for_mask"])
        want = want_seq if kwargs["return_sequences"] else want_seq[:, -1]
        np.testing.assert_allclose(got, want.numpy(), rtol=1e-5, atol=1e-5)
