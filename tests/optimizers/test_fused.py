"""The fused CPU Adam path against the ``_foreach`` reference path (Keras's formula verbatim).

``Adam._update`` hands float32/float64 CPU tensors with matching strides to torch's fused kernel,
rescaling lr/epsilon so the result is Keras's update; everything else takes the reference path.
"""

from __future__ import annotations

import pytest
import torch

from keras_torch import optimizers
from keras_torch.optimizers import adam as adam_mod


def _trajectory(make_opt, fused: bool, monkeypatch, steps: int = 300, fmt=torch.contiguous_format):
    with monkeypatch.context() as mp:
        if not fused:
            mp.setattr(adam_mod, "_fusable", lambda *a: False)
        calls = []
        real = torch._fused_adam_
        mp.setattr(torch, "_fused_adam_", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
        gen = torch.Generator().manual_seed(0)
        w = torch.nn.Parameter(torch.randn(6, 3, 4, 4, generator=gen).to(memory_format=fmt))
        b = torch.nn.Parameter(torch.randn(6, generator=gen))
        opt = make_opt()
        for step in range(steps):
            scale = 10.0 ** ((step % 7) - 4)  # gradients from 1e-4 to 1e2: exercises epsilon
            w.grad = (torch.randn(w.shape, generator=gen) * scale).to(memory_format=fmt)
            b.grad = torch.randn(b.shape, generator=gen) * scale
            opt.step([w, b])
        return w.detach().clone(), b.detach().clone(), opt, len(calls)


CASES = {
    "adam": lambda: optimizers.Adam(learning_rate=0.01),
    "adam_betas": lambda: optimizers.Adam(learning_rate=0.003, beta_1=0.8, beta_2=0.95, epsilon=1e-4),
    "amsgrad": lambda: optimizers.Adam(amsgrad=True),
    "adamw": lambda: optimizers.AdamW(learning_rate=0.01, weight_decay=0.1),
    "schedule": lambda: optimizers.Adam(optimizers.schedules.ExponentialDecay(0.01, 10, 0.9)),
}


@pytest.mark.slow
@pytest.mark.parametrize("fmt", [torch.contiguous_format, torch.channels_last], ids=["contiguous", "channels_last"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_matches_reference(name, fmt, monkeypatch):
    wf, bf, opt_f, n_fused = _trajectory(CASES[name], True, monkeypatch, fmt=fmt)
    wr, br, opt_r, n_ref = _trajectory(CASES[name], False, monkeypatch, fmt=fmt)
    assert n_fused == 300 and n_ref == 0  # the fast path really ran (and the reference did not)
    torch.testing.assert_close(wf, wr, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(bf, br, rtol=1e-5, atol=1e-6)
    for a, b in zip(opt_f.variables, opt_r.variables):
        torch.testing.assert_close(a, b, rtol=1e-4, atol=1e-7)  # slots, iteration, learning rate
    assert int(opt_f.iterations) == 300


def test_unsupported_inputs_take_the_reference_path(monkeypatch):
    calls = []
    monkeypatch.setattr(torch, "_fused_adam_", lambda *a, **k: calls.append(1))
    opt = optimizers.Adam()
    w = torch.nn.Parameter(torch.randn(4, 3, 2, 2).to(memory_format=torch.channels_last))
    w.grad = torch.randn(4, 3, 2, 2)  # different strides from the parameter
    before = w.detach().clone()
    opt.step([w])
    assert not calls and not torch.equal(before, w.detach())
    h = torch.nn.Parameter(torch.randn(3, dtype=torch.float16))
    h.grad = torch.randn(3, dtype=torch.float16)
    optimizers.Adam().step([h])
    assert not calls


def test_size_one_dimensions_with_odd_strides_still_fuse(monkeypatch):
    """An LSTM input kernel (4u, 1) can carry stride (1, 4u) while its gradient has (1, 1)."""
    calls = []
    real = torch._fused_adam_
    monkeypatch.setattr(torch, "_fused_adam_", lambda *a, **k: (calls.append(1), real(*a, **k))[1])
    w = torch.nn.Parameter(torch.randn(1, 8).t())  # shape (8, 1), stride (1, 8)
    assert w.stride() == (1, 8)
    w.grad = torch.randn(8, 1)
    ref = w.detach().clone().requires_grad_(True)
    ref.grad = w.grad.clone()
    optimizers.Adam(learning_rate=0.1).step([w])
    monkeypatch.setattr(adam_mod, "_fusable", lambda *a: False)
    optimizers.Adam(learning_rate=0.1).step([ref])
    assert calls == [1]
    torch.testing.assert_close(w.detach(), ref.detach(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name", ["adam", "schedule", "amsgrad"])
def test_device_path_matches_reference(name, monkeypatch):
    """The accelerator variant (tensor learning rate, host step count: no sync) run on the CPU."""
    monkeypatch.setattr(adam_mod, "_HOST_LR_DEVICES", ())
    wf, bf, opt_f, n_fused = _trajectory(CASES[name], True, monkeypatch, steps=60)
    monkeypatch.undo()
    wr, br, _, _ = _trajectory(CASES[name], False, monkeypatch, steps=60)
    assert n_fused == 60
    torch.testing.assert_close(wf, wr, rtol=1e-5, atol=1e-6)
    torch.testing.assert_close(bf, br, rtol=1e-5, atol=1e-6)


@pytest.mark.gpu
@pytest.mark.parametrize("name", sorted(CASES))
def test_fused_matches_reference_on_cuda(name, monkeypatch):
    torch.backends.cuda.matmul.allow_tf32 = False
    out = {}
    for fused in (True, False):
        with monkeypatch.context() as mp:
            if not fused:
                mp.setattr(adam_mod, "_fusable", lambda *a: False)
            gen = torch.Generator().manual_seed(0)
            w = torch.nn.Parameter(torch.randn(6, 3, 4, 4, generator=gen).cuda())
            grads = [(torch.randn(w.shape, generator=gen) * 10.0 ** ((k % 7) - 4)).cuda() for k in range(100)]
            opt = CASES[name]()
            torch.cuda.synchronize()
            for step in range(100):
                w.grad = grads[step]
                if step == 50:
                    torch.cuda.set_sync_debug_mode("error")  # the fused CUDA step never syncs
                opt.step([w])
            torch.cuda.set_sync_debug_mode("default")
            out[fused] = w.detach().cpu()
    torch.testing.assert_close(out[True], out[False], rtol=1e-5, atol=1e-6)
