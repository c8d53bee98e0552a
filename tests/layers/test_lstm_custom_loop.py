"""LSTM(activation="relu") training path (``layers/rnn/_lstm_loop.py``) against the generic loop."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.layers.rnn import _cpp, _lstm_loop, cells


@pytest.mark.parametrize("full", [True, False], ids=["sequences", "last"])
def test_gradcheck(full):
    gen = torch.Generator().manual_seed(0)
    args = [torch.randn(s, generator=gen, dtype=torch.float64, requires_grad=True)
            for s in ((3, 6, 8), (3, 2), (3, 2), (8, 2))]
    assert torch.autograd.gradcheck(lambda *a: _lstm_loop._LSTMSequence.apply(*a, full), args)


def test_python_and_scripted_loops_agree():
    gen = torch.Generator().manual_seed(1)
    xp, h0, c0, whh = (torch.randn(s, generator=gen) for s in ((4, 9, 12), (4, 3), (4, 3), (12, 3)))
    fwd, _ = _lstm_loop._loops()
    for a, b in zip(fwd(xp, h0, c0, whh), _lstm_loop._forward_loop(xp, h0, c0, whh)):
        torch.testing.assert_close(a, b)


def _compiled_loops():
    _lstm_loop._loops()
    if _lstm_loop._LOOPS["cpp"] is None:
        pytest.skip(f"compiled relu-LSTM loops unavailable: {_cpp.STATUS}")
    return _lstm_loop._LOOPS["cpp"]


@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
@pytest.mark.parametrize("batch", [1, 5])
def test_compiled_loops_match_scripted(dtype, batch):
    fwd_c, bwd_c = _compiled_loops()
    fwd_s, bwd_s = _lstm_loop._LOOPS["fwd"], _lstm_loop._LOOPS["bwd"]
    gen = torch.Generator().manual_seed(4)
    xp, h0, c0, whh = (torch.randn(s, generator=gen, dtype=dtype) for s in ((batch, 9, 12), (batch, 3), (batch, 3), (12, 3)))
    before = xp.clone()
    for a, b in zip(fwd_c(xp, h0, c0, whh), fwd_s(xp, h0, c0, whh)):
        torch.testing.assert_close(a, b)
    torch.testing.assert_close(xp, before, rtol=0, atol=0)  # the input is never written (batch 1 too)
    hs, cs, rc, gates = fwd_s(xp, h0, c0, whh)
    partner = torch.randn((9, batch, 12), generator=gen, dtype=dtype)  # time-major
    o_dc = torch.randn(rc.shape, generator=gen, dtype=dtype)
    f = gates[:, :, 3:6]  # strided, as in _LSTMSequence.backward
    for full in (True, False):
        d_seq = torch.randn((9, batch, 3) if full else (batch, 3), generator=gen, dtype=dtype)
        d_last = torch.zeros(batch, 3, dtype=dtype) if full else d_seq
        dc = torch.randn(batch, 3, generator=gen, dtype=dtype)
        got = bwd_c(d_seq, d_last, dc.clone(), partner, o_dc, f, whh, full)
        want = bwd_s(d_seq, d_last, dc.clone(), partner, o_dc, f, whh, full)
        for a, b in zip(got, want):  # (float32: rounding differs between one fused pass and 5 ops)
            torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)
    with pytest.raises(RuntimeError, match="partner must be"):  # checked, never read out of bounds
        bwd_c(d_seq, d_last, dc, partner[0], o_dc, f, whh, False)
    with pytest.raises(RuntimeError, match="whh must be"):
        fwd_c(xp, h0, c0, whh.t())


def test_build_can_be_disabled(monkeypatch):
    monkeypatch.setenv("KERAS_TORCH_BUILD_KERNELS", "0")
    assert _cpp.loops() is None and "disabled" in _cpp.STATUS


def _run(layer_kwargs: dict, custom: bool, monkeypatch, return_state: bool = False):
    calls = []
    real = _lstm_loop.lstm_sequence
    with monkeypatch.context() as mp:
        mp.setattr(_lstm_loop, "lstm_sequence", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
        if not custom:
            mp.setattr(cells.LSTMCell, "_custom_sequence", lambda self, *a, **k: None)
        keras.utils.set_random_seed(3)
        layer = keras.layers.LSTM(5, activation="relu", return_state=return_state, **layer_kwargs)
        x = torch.from_numpy(np.random.default_rng(0).standard_normal((4, 7, 3)).astype("float32"))
        out = layer(x, training=True)
        outs = list(out) if isinstance(out, (list, tuple)) else [out]
        loss = sum((o * torch.arange(1, o.numel() + 1).reshape(o.shape)).sum() for o in outs)
        loss.backward()
        grads = [w.grad.clone() for w in layer.trainable_weights]
        return [o.detach() for o in outs], grads, len(calls)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"return_sequences": True}, {"go_backwards": True}, {"dropout": 0.3}, {"unit_forget_bias": False}],
    ids=["last", "sequences", "backwards", "input_dropout", "no_forget_bias"],
)
@pytest.mark.parametrize("return_state", [False, True])
def test_custom_loop_matches_generic_loop(kwargs, return_state, monkeypatch):
    outs, grads, n = _run(kwargs, True, monkeypatch, return_state)
    ref_outs, ref_grads, n_ref = _run(kwargs, False, monkeypatch, return_state)
    assert n == 1 and n_ref == 0
    for a, b in zip(outs, ref_outs):
        torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-6)
    for a, b in zip(grads, ref_grads):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)


def test_not_used_for_inference_masks_or_recurrent_dropout(monkeypatch):
    calls = []
    monkeypatch.setattr(_lstm_loop, "lstm_sequence", lambda *a, **k: calls.append(1))
    x = torch.randn(2, 4, 3)
    with torch.no_grad():  # no gradient needed: the plain loop records nothing anyway
        keras.layers.LSTM(3, activation="relu")(x, training=True)
    keras.layers.LSTM(3, activation="relu")(x, mask=torch.tensor([[1, 1, 0, 1], [1, 1, 1, 1]]).bool())
    keras.layers.LSTM(3, activation="relu", recurrent_dropout=0.5)(x, training=True)
    assert calls == []


def test_not_used_under_autocast(monkeypatch):
    calls = []
    monkeypatch.setattr(_lstm_loop, "lstm_sequence", lambda *a, **k: calls.append(1))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = keras.layers.LSTM(3, activation="relu")(torch.randn(2, 4, 3))
    assert calls == [] and out.shape == (2, 3)


@pytest.mark.gpu
def test_custom_loop_on_cuda_matches_cpu():
    gen = torch.Generator().manual_seed(2)
    args = [torch.randn(s, generator=gen) for s in ((8, 20, 16), (8, 4), (8, 4), (16, 4))]
    outs = []
    for device in ("cpu", "cuda"):
        leaves = [a.detach().to(device).requires_grad_(True) for a in args]  # fresh leaves per device
        seq, last, (h, c) = _lstm_loop.lstm_sequence(*leaves, return_sequences=True)
        (seq.square().sum() + c.sum()).backward()
        outs.append([seq.detach().cpu(), c.detach().cpu()] + [a.grad.cpu() for a in leaves])
    for a, b in zip(*outs):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-5)
