"""LSTM over time with a non-default cell activation (the tutorial's ``LSTM(activation="relu")``).

torch's fused LSTM kernel only knows ``tanh``. The generic path runs the step in Python under
autograd, which records ~10 nodes per time step. This ``autograd.Function`` runs the same
recurrence with no graph (7 ops per step, activations written into preallocated buffers) and
back-propagates through time by hand (5-6 ops per step; everything that does not depend on the
incoming gradient is computed for all steps at once). Both loops are TorchScript functions
when TorchScript is available (no Python per op), plain Python otherwise. On the CPU the two
loops also exist as compiled C++ (``_lstm_loop.cpp``, built once on first use and cached, see
``_cpp.py``): one gemm plus one fused pass per step, about 1.5-2x faster than the TorchScript loops.

The cell is the LSTM step of ``_steps`` (the one definition) specialised for speed: the forward
loops (Python, TorchScript, C++) are tested against it on the same weights
(``tests/layers/test_recurrence_equivalence.py``), the gradients against the generic path's.

Cell (Keras gate order i, f, c, o; ``z = xp_t + h U^T``)::

    i, f, o = sigmoid(z_i, z_f, z_o);  g = relu(z_c)
    c' = f * c + i * g;                h' = o * relu(c')
"""

from __future__ import annotations

import warnings

import torch

from keras_torch.layers.rnn import _cpp

Tensor = torch.Tensor


def _forward_loop(xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    batch, steps, four_u = xp.shape
    u = four_u // 4
    whh_t = whh.t()
    hs = xp.new_empty([steps + 1, batch, u])
    cs = xp.new_empty([steps + 1, batch, u])
    rc = xp.new_empty([steps, batch, u])  # relu(c), kept for backward
    gates = xp.new_empty([steps, batch, four_u])  # i, f, g, o after their activations
    hs[0] = h0
    cs[0] = c0
    for t in range(steps):
        z = torch.addmm(xp[:, t], hs[t], whh_t)
        s = gates[t]
        torch.sigmoid(z, out=s)
        torch.clamp_min(z[:, 2 * u : 3 * u], 0.0, out=s[:, 2 * u : 3 * u])  # relu
        torch.addcmul(s[:, u : 2 * u] * cs[t], s[:, :u], s[:, 2 * u : 3 * u], out=cs[t + 1])
        torch.clamp_min(cs[t + 1], 0.0, out=rc[t])
        torch.mul(s[:, 3 * u :], rc[t], out=hs[t + 1])
    return hs, cs, rc, gates


def _backward_loop(
    d_hseq: Tensor, d_hlast: Tensor, dc: Tensor, partner: Tensor, o_dc: Tensor, f: Tensor, whh: Tensor, full: bool
) -> tuple[Tensor, Tensor, Tensor]:
    steps, batch, four_u = partner.shape
    u = four_u // 4
    dz_all = torch.empty_like(partner)
    dz4 = dz_all.view(steps, batch, 4, u)
    p4 = partner.view(steps, batch, 4, u)
    dh = d_hlast
    for k in range(steps):
        t = steps - 1 - k
        if full:
            dh = dh + d_hseq[t]
        dc.addcmul_(dh, o_dc[t])
        torch.mul(dc.unsqueeze(1), p4[t, :, :3], out=dz4[t, :, :3])  # i, f, g gates: driven by dc
        torch.mul(dh, p4[t, :, 3], out=dz4[t, :, 3])  # o gate: driven by dh
        dh = torch.mm(dz_all[t], whh)
        dc.mul_(f[t])
    return dz_all, dh, dc


def _script(fn):  # noqa: ANN001, ANN202
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return torch.jit.script(fn)
    except Exception:  # noqa: BLE001 - TorchScript missing or changed: the Python loop is the same math
        return fn


_LOOPS: dict[str, object] = {}
_sigmoid_bw = torch.ops.aten.sigmoid_backward.grad_input  # grad * y * (1 - y)
_threshold_bw = torch.ops.aten.threshold_backward.grad_input  # grad where x > threshold, else 0


def _loops(device_type: str = "cpu") -> tuple:
    """``(forward, backward)`` loops: compiled C++ on the CPU when it builds, else TorchScript."""
    if not _LOOPS:  # scripted / built on first use, not at import
        _LOOPS["fwd"] = _script(_forward_loop)
        _LOOPS["bwd"] = _script(_backward_loop)
        _LOOPS["cpp"] = _cpp.loops()
    if device_type == "cpu" and _LOOPS["cpp"] is not None:
        return _LOOPS["cpp"]
    return _LOOPS["fwd"], _LOOPS["bwd"]


class _LSTMSequence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, full: bool) -> tuple[Tensor, Tensor]:  # noqa: ANN001
        fwd, _ = _loops(xp.device.type)
        hs, cs, rc, gates = fwd(xp, h0, c0, whh)
        ctx.save_for_backward(hs, cs, rc, gates, whh)
        ctx.full = full
        return (hs[1:] if full else hs[-1]), cs[-1]

    @staticmethod
    def backward(ctx, d_h: Tensor, d_c_last: Tensor):  # noqa: ANN001, ANN205
        hs, cs, rc, gates, whh = ctx.saved_tensors
        steps, batch, four_u = gates.shape
        u = four_u // 4
        i, f, g, o = gates.chunk(4, 2)
        # Everything that does not depend on the incoming gradient, for all steps at once (one
        # fused pass per gate): dz = [dc, dc, dc, dh] * partner with partner =
        # [g * i', c_prev * f', i * relu'(z_c), relu(c) * o'] (sigmoid' from the saved outputs).
        partner = torch.empty_like(gates)
        _sigmoid_bw(g, i, grad_input=partner[:, :, :u])
        _sigmoid_bw(cs[:-1], f, grad_input=partner[:, :, u : 2 * u])
        _threshold_bw(i, g, 0.0, grad_input=partner[:, :, 2 * u : 3 * u])
        _sigmoid_bw(rc, o, grad_input=partner[:, :, 3 * u :])
        o_dc = torch.ops.aten.threshold_backward(o, cs[1:], 0.0)  # dh -> dc through h = o * relu(c)
        _, bwd = _loops(gates.device.type)
        if ctx.full:
            d_hseq, d_hlast = d_h.contiguous(), torch.zeros_like(hs[0])
        else:
            d_hseq, d_hlast = d_h, d_h.contiguous()
        dz_all, dh0, dc0 = bwd(d_hseq, d_hlast, d_c_last.clone(), partner, o_dc, f, whh, ctx.full)  # (T, B, 4u)
        d_xp = dz_all.transpose(0, 1)
        if d_xp.is_contiguous():  # the compiled loop stores dz batch-major: d_xp needs no copy
            h_prev = hs[:-1].transpose(0, 1).reshape(batch * steps, u)  # (copies h, 4x smaller than dz)
            d_whh = torch.mm(d_xp.reshape(batch * steps, four_u).t(), h_prev)
        else:
            d_whh = torch.mm(dz_all.reshape(steps * batch, four_u).t(), hs[:-1].reshape(steps * batch, u))
        return d_xp, dh0, dc0, d_whh, None


def autocast_enabled(device_type: str) -> bool:
    try:
        return torch.is_autocast_enabled(device_type)
    except TypeError:  # torch < 2.4
        return torch.is_autocast_enabled() or torch.is_autocast_cpu_enabled()


def lstm_sequence(
    xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, return_sequences: bool
) -> tuple[Tensor | None, Tensor, list[Tensor]]:
    """``(sequence (B, T, u) or None, last output, [h, c])`` for the projected inputs ``xp`` (B, T, 4u)."""
    h, c_last = _LSTMSequence.apply(xp, h0, c0, whh, return_sequences)
    if return_sequences:
        last = h[-1]
        return h.transpose(0, 1), last, [last, c_last]
    return None, h, [h, c_last]
