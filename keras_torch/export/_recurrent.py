"""Recurrent layers with a dynamic time axis in ONNX.

The eager RNN code runs a Python loop over time for non-default activations (``LSTM(activation=
"relu")``), GRU ``reset_after=False`` and masks; the TorchScript tracer would unroll it to the
example length. For export, the built-in cells run their recurrence through a
``torch.jit.script``-ed loop instead: the tracer inlines it and the exporter emits an ONNX
``Loop`` whose trip count is the input's time dimension.

The loop functions below are templates: the names ``_step``, ``_act``, ``_ract``, ``_fill``,
``_collect`` and ``_stack`` are globals that each compiled variant rebinds (activation functions,
Keras masking flavour, whether the sequence is kept), so every variant is a straight-line loop
body with no runtime branches. Variants are compiled once per process and cached.

Numerics follow ``keras_torch.layers.rnn.cells`` (``_loop_step``) op for op.
"""

from __future__ import annotations

import types
from typing import Any, Callable, List, Optional, Tuple  # noqa: UP035 - TorchScript needs typing

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


# ------------------------------------------------------------------ placeholders (rebound per variant)
def _act(x: Tensor) -> Tensor:
    return x


def _ract(x: Tensor) -> Tensor:
    return x


def _fill_prev(new: Tensor, prev: Tensor) -> Tensor:
    return prev


def _fill_zero(new: Tensor, prev: Tensor) -> Tensor:
    return torch.zeros_like(new)


def _collect_yes(outs: List[Tensor], out: Tensor) -> None:
    outs.append(out)


def _collect_no(outs: List[Tensor], out: Tensor) -> None:
    pass


def _stack_yes(outs: List[Tensor], last: Tensor) -> Tensor:
    return torch.stack(outs, 1)


def _stack_no(outs: List[Tensor], last: Tensor) -> Tensor:
    return last.unsqueeze(1)


_fill = _fill_prev
_collect = _collect_yes
_stack = _stack_yes


# ------------------------------------------------------------------ cell steps: (x_t, h, c, w1, w2, b) -> (out, h, c)
def _lstm_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    u = h.size(1)
    z = torch.addmm(x_t, h, w1)
    g = _ract(z)
    c = g[:, u:2 * u] * c + g[:, :u] * _act(z[:, 2 * u:3 * u])
    h = g[:, 3 * u:] * _act(c)
    return h, h, c


def _gru_after_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    u = h.size(1)
    hp = F.linear(h, w1, b)
    rz = _ract(x_t[:, :2 * u] + hp[:, :2 * u])
    r = rz[:, :u]
    z = rz[:, u:]
    n = _act(x_t[:, 2 * u:] + r * hp[:, 2 * u:])
    h = z * h + (1 - z) * n
    return h, h, c


def _gru_before_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    u = h.size(1)
    rz = _ract(torch.addmm(x_t[:, :2 * u], h, w1))
    r = rz[:, :u]
    z = rz[:, u:]
    n = _act(torch.addmm(x_t[:, 2 * u:], r * h, w2))
    h = z * h + (1 - z) * n
    return h, h, c


def _simple_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor) -> Tuple[Tensor, Tensor, Tensor]:
    h = _act(torch.addmm(x_t, h, w1))
    return h, h, c


_step = _lstm_step


# ------------------------------------------------------------------ loops over a time-major (T, B, G*u) projection
def _loop(xp: Tensor, mask: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor,
          b: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    outs: List[Tensor] = []
    out = h
    for t in range(xp.size(0)):
        out, h, c = _step(xp[t], h, c, w1, w2, b)
        _collect(outs, out)
    return _stack(outs, out), out, h, c


def _loop_masked(xp: Tensor, mask: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor,
                 b: Tensor) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    # Keras masking: at a masked step the states keep their value and the output repeats the
    # previous output (zeros before the first valid step), or zeros with zero_output_for_mask.
    outs: List[Tensor] = []
    prev = torch.zeros_like(h)
    for t in range(xp.size(0)):
        m = mask[t]
        out, hn, cn = _step(xp[t], h, c, w1, w2, b)
        h = torch.where(m, hn, h)
        c = torch.where(m, cn, c)
        prev = torch.where(m, out, _fill(out, prev))
        _collect(outs, prev)
    return _stack(outs, prev), prev, h, c


_STEPS = {"lstm": _lstm_step, "gru_after": _gru_after_step, "gru_before": _gru_before_step, "simple": _simple_step}
_CACHE: dict[tuple, Any] = {}


def _rebind(fn: Callable, name: str, **bind: Any) -> Callable:
    scope = dict(fn.__globals__)
    scope.update(bind)
    new = types.FunctionType(fn.__code__, scope, fn.__name__, fn.__defaults__, fn.__closure__)
    new.__qualname__ = name
    new.__module__ = fn.__module__
    return new


def _slug(fn: Callable) -> str:
    name = getattr(fn, "__name__", None) or type(fn).__name__
    return "".join(ch if ch.isalnum() else "_" for ch in name)


def compiled_loop(kind: str, act: Callable, ract: Callable, masked: bool, zero_output: bool,
                  keep_sequence: bool) -> Callable | None:
    """The scripted loop for one configuration, or ``None`` if an activation cannot be scripted."""
    key = (kind, act, ract, masked, zero_output, keep_sequence)
    if key in _CACHE:
        return _CACHE[key]
    fn = None
    for a, ra in ((act, ract), (_traced(act), _traced(ract))):
        if a is None or ra is None:
            continue
        tag = f"{kind}_{_slug(a)}_{_slug(ra)}_{int(masked)}{int(zero_output)}{int(keep_sequence)}_{len(_CACHE)}"
        step = _rebind(_STEPS[kind], f"_step_{tag}", _act=a, _ract=ra)
        loop = _rebind(
            _loop_masked if masked else _loop, f"_loop_{tag}", _step=step,
            _fill=_fill_zero if zero_output else _fill_prev,
            _collect=_collect_yes if keep_sequence else _collect_no,
            _stack=_stack_yes if keep_sequence else _stack_no,
        )
        try:
            fn = torch.jit.script(loop)
            break
        except Exception:  # noqa: BLE001 - a custom activation TorchScript can't compile: try it traced
            fn = None
    _CACHE[key] = fn
    return fn


def _traced(fn: Callable) -> Callable | None:
    """``fn`` traced on an example, if it acts elementwise (checked on another shape); else None."""
    import warnings

    try:
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            traced = torch.jit.trace(fn, (torch.randn(3, 4),), check_trace=False)
            probe = torch.randn(2, 5, dtype=torch.float32) * 3
            if not torch.allclose(traced(probe), fn(probe), atol=1e-6, equal_nan=True):
                return None
        return traced
    except Exception:  # noqa: BLE001
        return None


def cell_kind(cell: Any) -> str | None:
    """``lstm``/``gru_after``/``gru_before``/``simple`` for a built-in cell with the stock step, else None."""
    from keras_torch.layers.rnn.cells import GRUCell, LSTMCell, SimpleRNNCell, _Cell

    for base, kind in ((LSTMCell, "lstm"), (GRUCell, "gru"), (SimpleRNNCell, "simple")):
        if isinstance(cell, base):
            cls = type(cell)
            if cls._loop_step is not base._loop_step or cls._input_projection is not _Cell._input_projection:
                return None
            if kind == "gru":
                return "gru_after" if cell.reset_after else "gru_before"
            return kind
    return None


def scripted_sequence(cell: Any, x: Tensor, states: list[Tensor], mask: Tensor | None,
                      return_sequences: bool, zero_output: bool) -> tuple | None:
    """``cell._sequence`` (inference) through a scripted loop; ``None`` if this cell can't use one."""
    from keras_torch.layers.rnn import _ops

    kind = cell_kind(cell)
    if kind is None:
        return None
    act = _ops.raw(cell.activation)
    ract = _ops.raw(cell.recurrent_activation) if kind != "simple" else _ops._identity
    loop = compiled_loop(kind, act, ract, mask is not None, zero_output, return_sequences)
    if loop is None:
        return None
    params = cell._torch_params(x.dtype)
    xp = cell._input_projection(x, params, None).transpose(0, 1)
    whh = params[1]
    u = cell.units
    if kind == "gru_after":
        b_hh = params[3] if cell.use_bias else torch.zeros(whh.shape[0], dtype=whh.dtype, device=whh.device)
        w1, w2, b = whh, whh, b_hh
    elif kind == "gru_before":
        w1, w2, b = whh[: 2 * u].t(), whh[2 * u:].t(), whh
    else:
        w1, w2, b = whh.t(), whh, whh
    h = states[0]
    c = states[1] if kind == "lstm" else states[0]
    m = mask.t().unsqueeze(-1) if mask is not None else xp[:, :1, :1] > 0  # unused when unmasked
    seq, last, h, c = loop(xp, m, h, c, w1, w2, b)
    new_states = [h, c] if kind == "lstm" else [h]
    return (seq if return_sequences else None), last, new_states


__all__ = ["compiled_loop", "scripted_sequence", "cell_kind"]
_ = Optional  # typing names kept importable for TorchScript
