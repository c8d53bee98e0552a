"""Sequence kernels shared by the recurrent cells.

Two execution strategies, chosen per call by the cells:

* **fused**: ``torch._VF.lstm/gru/rnn_tanh/rnn_relu`` (cuDNN on GPU, a C++ time loop on CPU) on
  the stored torch-layout parameters. Used for the standard activations. Masks that are one
  contiguous block of valid steps per sample (right- or left-padding, what ``Embedding(mask_zero=
  True)`` gives after ``pad_sequences``) also run fused: the blocks are shifted to the front and
  the Keras masking semantics are restored around the call.
* **loop**: a Python loop over time with the input projection done up front as one big matmul,
  so each step only does ``h @ U``; the step is the cell's (``_steps``). Used for other
  activations, arbitrary masks and recurrent dropout.

Keras masking semantics (``keras/src/backend/*/rnn.py``): at a masked step every state keeps its
previous value and the output repeats the previous step's output (zeros before the first valid
step), or zeros when ``zero_output_for_mask``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import _VF

from keras_torch import activations
from keras_torch.core.context import record_traced_constant

Tensor = torch.Tensor
StepFn = Callable[[Tensor, list], tuple[Tensor, list]]

_TANH = (activations.tanh, torch.tanh, F.tanh)
_SIGMOID = (activations.sigmoid, torch.sigmoid, F.sigmoid)
_RELU = (activations.relu, torch.relu, F.relu)


def is_tanh(fn: Callable) -> bool:
    return any(fn is f for f in _TANH)


def is_sigmoid(fn: Callable) -> bool:
    return any(fn is f for f in _SIGMOID)


def is_relu(fn: Callable) -> bool:
    return any(fn is f for f in _RELU)


def raw(fn: Callable) -> Callable:
    """The plain torch function behind a Keras activation (skips Keras bookkeeping per step)."""
    if is_tanh(fn):
        return torch.tanh
    if is_sigmoid(fn):
        return torch.sigmoid
    if is_relu(fn):
        return torch.relu
    if fn is activations.hard_sigmoid:
        return F.hardsigmoid
    if fn is activations.linear:
        return _identity
    return fn


def _identity(x: Tensor) -> Tensor:
    return x


def dropout_masks(
    ref: Tensor, rate: float, count: int | None, generator: torch.Generator | None = None
) -> Tensor:
    """Keras ``dropout(ones_like(ref), rate)``: kept entries are ``1/(1-rate)``; ``count`` masks stacked."""
    shape = tuple(ref.shape) if count is None else (count, *ref.shape)
    keep = torch.empty(shape, dtype=ref.dtype, device=ref.device).bernoulli_(1.0 - rate, generator=generator)
    return keep / (1.0 - rate)


def gate_projection(x: Tensor, weight: Tensor, bias: Tensor | None, masks: Tensor | None) -> Tensor:
    """``x @ W^T + b`` over all steps; with per-gate input dropout ``masks`` (G, B, in)."""
    if masks is None:
        return F.linear(x, weight, bias)
    gates = masks.shape[0]
    w = weight.chunk(gates, 0)
    out = torch.cat([F.linear(x * masks[g].unsqueeze(1), w[g]) for g in range(gates)], -1)
    return out if bias is None else out + bias


def time_major_mask(mask: Tensor, step_rank: int) -> Tensor:
    """``mask`` (B, T) as (T, B, 1, ...) broadcasting against rank-``step_rank`` step tensors (B, ...)."""
    return mask.t().reshape(mask.shape[1], mask.shape[0], *([1] * (step_rank - 1)))


def run_loop(
    step: StepFn,
    xs: Tensor,
    states: list,
    mask: Tensor | None,
    zero_output: bool,
    return_sequences: bool,
) -> tuple[Tensor | None, Tensor, list]:
    """Run ``step(x_t, states) -> (out, new_states)`` over axis 1 of ``xs`` with Keras masking."""
    steps = xs.shape[1]
    record_traced_constant("time_loop", steps)  # an export's trace unrolls this loop to this length
    if steps == 0:
        raise ValueError("Recurrent layers need at least one timestep; received an input with 0 timesteps.")
    outs: list[Tensor] = []
    prev: Tensor | None = None
    mask_t = time_major_mask(mask, xs.dim() - 1) if mask is not None else None
    # unbind (not xs[:, t]): its backward is one stack instead of a zero-filled copy per step
    for t, x_t in enumerate(xs.unbind(1)):
        out, new = step(x_t, states)
        if mask_t is not None:
            m = mask_t[t]
            states = [torch.where(m, n, s) for n, s in zip(new, states)]
            keep = prev if (prev is not None and not zero_output) else torch.zeros_like(out)
            out = torch.where(m, out, keep)
        else:
            states = new
        prev = out
        if return_sequences:
            outs.append(out)
    return (torch.stack(outs, 1) if return_sequences else None), prev, states


# ------------------------------------------------------------------ fused torch kernels
def _train_flag() -> bool:
    # cuDNN only keeps what backward needs when told it is training.
    return torch.is_grad_enabled()


def fused(kind: str, x: Tensor, states: list[Tensor], params: Sequence[Tensor],
          has_bias: bool) -> tuple[Tensor, list[Tensor]]:
    """One torch fused RNN call over ``x`` (B, T, F). ``kind``: lstm, gru, rnn_tanh or rnn_relu."""
    hx = [s.unsqueeze(0) for s in states]
    h0 = tuple(hx) if kind == "lstm" else hx[0]
    res = getattr(_VF, kind)(x, h0, list(params), has_bias, 1, 0.0, _train_flag(), False, True)
    return res[0], [f[0] for f in res[1:]]


def fused_sequence(
    kind: str,
    x: Tensor,
    states: list[Tensor],
    params: Sequence[Tensor],
    has_bias: bool,
    mask: Tensor | None,
    zero_output: bool,
    return_sequences: bool,
) -> tuple[Tensor | None, Tensor, list[Tensor]] | None:
    """Fused RNN over ``x`` (B, T, F) with Keras semantics; ``None`` if ``mask`` is not contiguous."""
    if mask is None:
        out, finals = fused(kind, x, states, params, has_bias)
        return (out if return_sequences else None), finals[0], finals
    return _fused_masked(kind, x, states, params, has_bias, mask, zero_output, return_sequences)


# Pre-activation pushed onto the LSTM input/forget gates at padding steps: sigmoid saturates to
# exactly 0 / 1 in float32 (and fits float16), so the carry passes through padding bit for bit.
_HOLD = 3.0e4


def _fused_masked(kind, x, states, params, has_bias, mask, zero_output, return_sequences):
    batch, steps = mask.shape
    m = mask.cpu()  # the one host sync: choose the path
    ar_cpu = torch.arange(steps)
    lengths = m.sum(1)
    start = torch.where(m, ar_cpu, steps).amin(1)
    start = torch.where(lengths > 0, start, torch.zeros_like(start))
    block = (ar_cpu >= start[:, None]) & (ar_cpu < (start + lengths)[:, None])
    if not torch.equal(block, m):  # arbitrary masks take the loop
        return None
    if bool(m.all()):
        out, finals = fused(kind, x, states, params, has_bias)
        return (out if return_sequences else None), finals[0], finals
    # Shift each sample's valid block to the front (right padding), run the plain fused kernel
    # over all steps, read the last valid output per sample, then put Keras's fill back. No
    # packed sequences: torch's CPU packed LSTM backward is quadratic in the sequence length.
    dev = mask.device
    ar = torch.arange(steps, device=dev)
    start, lengths = start.to(dev), lengths.to(dev)
    end = start + lengths
    idx = (start[:, None] + ar).clamp(max=steps - 1)
    xv = x.gather(1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))
    if kind == "lstm":
        units = params[1].shape[-1]
        pad = (ar >= lengths[:, None]).to(x.dtype).unsqueeze(-1)
        hold = torch.zeros(4 * units, 1, dtype=x.dtype, device=dev)
        hold[:units] = -_HOLD  # input gate -> 0
        hold[units:2 * units] = _HOLD  # forget gate -> 1
        xv = torch.cat([xv, pad], -1)
        params = [torch.cat([params[0], hold], 1), *params[1:]]
    out, finals = fused(kind, xv, states, params, has_bias)
    units = out.shape[-1]
    last_idx = (lengths - 1).clamp(min=0).view(-1, 1, 1).expand(-1, 1, units)
    empty = (lengths == 0).unsqueeze(-1)
    h_last = out.gather(1, last_idx)[:, 0]
    finals = [h_last, *finals[1:]]
    finals = [torch.where(empty, s0, s) for s, s0 in zip(finals, states)]
    last_valid = h_last.masked_fill(empty, 0.0)
    final_out = last_valid
    if zero_output:
        final_out = last_valid.masked_fill(~mask[:, -1:], 0.0)
    if not return_sequences:
        return None, final_out, finals
    rel = (ar - start[:, None]).clamp(min=0, max=steps - 1)
    seq = out.gather(1, rel.unsqueeze(-1).expand(-1, -1, units))
    if zero_output:
        fill = torch.zeros_like(seq)
    else:
        after = (ar >= end[:, None]).unsqueeze(-1)
        fill = torch.where(after, last_valid.unsqueeze(1), torch.zeros((), dtype=seq.dtype, device=seq.device))
    seq = torch.where(mask.unsqueeze(-1), seq, fill)
    return seq, final_out, finals
