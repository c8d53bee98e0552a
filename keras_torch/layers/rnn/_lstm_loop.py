"""LSTM over time with a non-default cell activation (the tutorial's ``LSTM(activation="relu")``).

torch's fused LSTM kernel only knows ``tanh``. The generic path runs the step in Python under
autograd, which records ~10 nodes per time step. This ``autograd.Function`` runs the same
recurrence with no graph (7 ops per step, activations written into preallocated buffers) and
back-propagates through time by hand (5-6 ops per step; everything that does not depend on the
incoming gradient is computed for all steps at once). Both loops are TorchScript functions
when TorchScript is available (no Python per op), plain Python otherwise. Same math as the
generic path: it is tested against it (values and gradients).

Cell (Keras gate order i, f, c, o; ``z = xp_t + h U^T``)::

    i, f, o = sigmoid(z_i, z_f, z_o);  g = relu(z_c)
    c' = f * c + i * g;                h' = o * relu(c')
"""

from __future__ import annotations

import warnings

import torch

Tensor = torch.Tensor


def _forward_loop(xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor) -> tuple[Tensor, Tensor, Tensor]:
    batch, steps, four_u = xp.shape
    u = four_u // 4
    whh_t = whh.t()
    hs = xp.new_empty([steps + 1, batch, u])
    cs = xp.new_empty([steps + 1, batch, u])
    gates = xp.new_empty([steps, batch, four_u])  # i, f, g, o after their activations
    hs[0] = h0
    cs[0] = c0
    for t in range(steps):
        z = torch.addmm(xp[:, t], hs[t], whh_t)
        s = gates[t]
        torch.sigmoid(z, out=s)
        torch.clamp_min(z[:, 2 * u : 3 * u], 0.0, out=s[:, 2 * u : 3 * u])  # relu
        torch.addcmul(s[:, u : 2 * u] * cs[t], s[:, :u], s[:, 2 * u : 3 * u], out=cs[t + 1])
        torch.mul(s[:, 3 * u :], torch.relu(cs[t + 1]), out=hs[t + 1])
    return hs, cs, gates


def _backward_loop(
    d_hseq: Tensor, d_hlast: Tensor, dc: Tensor, partner: Tensor, o_dc: Tensor, f: Tensor, whh: Tensor, full: bool
) -> tuple[Tensor, Tensor, Tensor]:
    steps = partner.shape[0]
    dz_all = torch.empty_like(partner)
    dh = d_hlast
    for k in range(steps):
        t = steps - 1 - k
        if full:
            dh = dh + d_hseq[t]
        dc.addcmul_(dh, o_dc[t])
        torch.mul(torch.cat([dc, dc, dc, dh], 1), partner[t], out=dz_all[t])
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


def _loops() -> tuple:
    if not _LOOPS:  # scripted on first use, not at import
        _LOOPS["fwd"] = _script(_forward_loop)
        _LOOPS["bwd"] = _script(_backward_loop)
    return _LOOPS["fwd"], _LOOPS["bwd"]


class _LSTMSequence(torch.autograd.Function):
    @staticmethod
    def forward(ctx, xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, full: bool) -> tuple[Tensor, Tensor]:  # noqa: ANN001
        fwd, _ = _loops()
        hs, cs, gates = fwd(xp, h0, c0, whh)
        ctx.save_for_backward(hs, cs, gates, whh)
        ctx.full = full
        return (hs[1:] if full else hs[-1]), cs[-1]

    @staticmethod
    def backward(ctx, d_h: Tensor, d_c_last: Tensor):  # noqa: ANN001, ANN205
        hs, cs, gates = ctx.saved_tensors[:3]
        whh = ctx.saved_tensors[3]
        steps, batch, four_u = gates.shape
        u = four_u // 4
        i, f, g, o = gates.chunk(4, 2)
        c = cs[1:]
        # Everything that does not depend on the incoming gradient, for all steps at once:
        # dz = [dc, dc, dc, dh] * partner, partner = [g, c_prev, i, relu(c)] * activation'.
        o_dc = o * (c > 0)  # dh -> dc through h = o * relu(c)
        partner = torch.cat([g, cs[:-1], i, torch.relu(c)], 2)
        dact = gates * (1 - gates)
        dact[:, :, 2 * u : 3 * u] = (g > 0).to(gates.dtype)
        partner.mul_(dact)
        _, bwd = _loops()
        if ctx.full:
            d_hseq, d_hlast = d_h.contiguous(), torch.zeros_like(hs[0])
        else:
            d_hseq, d_hlast = d_h, d_h.contiguous()
        dz_all, dh0, dc0 = bwd(d_hseq, d_hlast, d_c_last.clone(), partner, o_dc, f, whh, ctx.full)
        d_xp = dz_all.transpose(0, 1)
        d_whh = torch.mm(dz_all.reshape(steps * batch, four_u).t(), hs[:-1].reshape(steps * batch, u))
        return d_xp, dh0, dc0, d_whh, None


def lstm_sequence(
    xp: Tensor, h0: Tensor, c0: Tensor, whh: Tensor, return_sequences: bool
) -> tuple[Tensor | None, Tensor, list[Tensor]]:
    """``(sequence (B, T, u) or None, last output, [h, c])`` for the projected inputs ``xp`` (B, T, 4u)."""
    h, c_last = _LSTMSequence.apply(xp, h0, c0, whh, return_sequences)
    if return_sequences:
        last = h[-1]
        return h.transpose(0, 1), last, [last, c_last]
    return None, h, [h, c_last]
