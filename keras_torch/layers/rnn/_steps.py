"""The recurrence of each built-in cell, written once.

One time step per cell kind (``lstm``, ``gru_after`` / ``gru_before`` for GRU ``reset_after``
True / False, ``simple``; ``conv_lstm{1,2,3}d`` is the LSTM step whose recurrent projection is a
stride-1 "same" convolution), as a TorchScript-compatible template::

    step(x_t, h, c, w1, w2, b, m) -> (h, c)

``x_t`` is the input projection at step t (``x @ W^T + bias``, shape (B, G*u)), ``h``/``c`` the
states (``c`` is only used by the LSTM; other cells get ``h`` twice), ``w1``/``w2``/``b`` the
recurrent weights in the form :func:`step_weights` gives, and ``m`` the recurrent-dropout masks.
The names ``_act``, ``_ract`` (activations) and ``_rec``/``_rec_lin``/``_rec_n`` (how the previous
state enters: one fused ``addmm``, or through per-gate recurrent-dropout masks) are globals that
:func:`specialize` rebinds, so each variant is a straight-line body without runtime branches.

Every way the library runs a built-in cell comes from, or is tested against, these templates:

* the eager step (``cells._Cell._loop_step``: any activation, masks, recurrent dropout) is
  :func:`specialize`'s function;
* the scripted loops (:func:`scripted_loop`) that run while a model is traced for ONNX (the
  exporter emits a ``Loop`` over the dynamic time axis) compile the same template;
* torch's fused kernels (``_ops.fused``), the relu-LSTM training loops (``_lstm_loop``) and
  their C++ twin (``_lstm_loop.cpp``) are checked against it on the same weights by
  ``tests/layers/test_recurrence_equivalence.py``.

Gate order is torch's (LSTM i, f, g, o; GRU r, z, n). For ``conv_lstm`` the tensors are
channels-first feature maps: ``x_t`` (B, 4F, *spatial), ``h``/``c`` (B, F, *spatial), ``w1`` the
recurrent kernel in torch conv layout (4F, F, *kernel); the gates are slices of the channel axis,
exactly as the dense LSTM slices its feature axis (``conv_lstm`` below means any of the three).
"""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable
from typing import Any, List, Tuple  # noqa: UP035 - TorchScript needs typing

import torch
import torch.nn.functional as F

Tensor = torch.Tensor
KINDS = ("lstm", "gru_after", "gru_before", "simple", "conv_lstm1d", "conv_lstm2d", "conv_lstm3d")
TWO_STATES = ("lstm", "conv_lstm1d", "conv_lstm2d", "conv_lstm3d")  # kinds carrying (h, c); the others h only


def _identity(x: Tensor) -> Tensor:
    return x


def _gated(h: Tensor, weight: Tensor, masks: Tensor) -> Tensor:
    """``concat_g((h * m_g) @ U_g^T)`` with per-gate recurrent dropout ``masks`` (G, B, u)."""
    gates = masks.shape[0]
    hm = h.unsqueeze(0) * masks  # (G, B, u)
    w = weight.view(gates, -1, weight.shape[-1]).transpose(1, 2)  # (G, u, u_out)
    return torch.bmm(hm, w).transpose(0, 1).reshape(h.shape[0], -1)


# ------------------------------------------------------------------ how the previous state enters
# ``w`` is the transposed recurrent kernel (in, G*u) except for ``_rec_lin*`` (torch layout).
def _addmm(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:
    return torch.addmm(x, h, w)


def _addmm_dropped(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:  # one mask (B, u)
    return torch.addmm(x, h * m, w)


def _gated_add(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:  # one mask per gate
    return x + _gated(h, w.t(), m)


def _gated_add_rz(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:  # GRU r, z of 3 gate masks
    return x + _gated(h, w.t(), m[:2])


# Stride-1 TensorFlow "same" convolutions of h (B, C, *spatial) by w (out, C / groups, *kernel): an even
# kernel puts the extra padding cell at the end. The pads come from the kernel's shape and the body has
# no branches, so the scripted loops need no constants and export as plain Pad + Conv.
def _same_1d(h: Tensor, w: Tensor, groups: int) -> Tensor:
    k = w.size(2)
    return F.conv1d(F.pad(h, [(k - 1) // 2, k // 2]), w, None, [1], [0], [1], groups)


def _same_2d(h: Tensor, w: Tensor, groups: int) -> Tensor:
    kh, kw = w.size(2), w.size(3)
    return F.conv2d(F.pad(h, [(kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2]), w, None, [1, 1], [0, 0], [1, 1], groups)


def _same_3d(h: Tensor, w: Tensor, groups: int) -> Tensor:
    kd, kh, kw = w.size(2), w.size(3), w.size(4)
    h = F.pad(h, [(kw - 1) // 2, kw // 2, (kh - 1) // 2, kh // 2, (kd - 1) // 2, kd // 2])
    return F.conv3d(h, w, None, [1, 1, 1], [0, 0, 0], [1, 1, 1], groups)


_same = _same_2d  # rebound per rank (conv_lstm1d / 2d / 3d)


def _conv_add(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:
    return x + _same(h, w, 1)


def _conv_gated_add(x: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:
    # per-gate recurrent dropout masks m (G, B, F, *spatial): the G masked copies of h, side by side
    # on the channel axis, make one grouped convolution (group g uses gate g's kernel block)
    gates = m.size(0)
    hm = (h.unsqueeze(0) * m).transpose(0, 1).flatten(1, 2)
    return x + _same(hm, w, gates)


def _linear(h: Tensor, w: Tensor, b: Tensor | None, m: Tensor) -> Tensor:
    return F.linear(h, w, b)


def _gated_linear(h: Tensor, w: Tensor, b: Tensor | None, m: Tensor) -> Tensor:
    out = _gated(h, w, m)
    return out if b is None else out + b


def _addmm_reset(x: Tensor, r: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:
    return torch.addmm(x, r * h, w)


def _linear_reset_dropped(x: Tensor, r: Tensor, h: Tensor, w: Tensor, m: Tensor) -> Tensor:
    return x + F.linear(r * (h * m[2]), w.t())


# ------------------------------------------------------------------ placeholders (rebound per variant)
_act = _identity
_ract = _identity
_rec = _addmm
_rec_lin = _linear
_rec_n = _addmm_reset


# ------------------------------------------------------------------ the steps
def _lstm_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor | None,
               m: Tensor) -> Tuple[Tensor, Tensor]:
    u = h.size(1)
    z = _rec(x_t, h, w1, m)
    g = _ract(z)  # one activation call for the gates (the c block is unused)
    c = g[:, u:2 * u] * c + g[:, :u] * _act(z[:, 2 * u:3 * u])
    h = g[:, 3 * u:] * _act(c)
    return h, c


def _gru_after_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor | None,
                    m: Tensor) -> Tuple[Tensor, Tensor]:
    u = h.size(1)
    hp = _rec_lin(h, w1, b, m)
    rz = _ract(x_t[:, :2 * u] + hp[:, :2 * u])
    z = rz[:, u:]
    n = _act(x_t[:, 2 * u:] + rz[:, :u] * hp[:, 2 * u:])
    h = z * h + (1 - z) * n
    return h, h


def _gru_before_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor | None,
                     m: Tensor) -> Tuple[Tensor, Tensor]:
    u = h.size(1)
    rz = _ract(_rec(x_t[:, :2 * u], h, w1, m))
    z = rz[:, u:]
    n = _act(_rec_n(x_t[:, 2 * u:], rz[:, :u], h, w2, m))
    h = z * h + (1 - z) * n
    return h, h


def _simple_step(x_t: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor, b: Tensor | None,
                 m: Tensor) -> Tuple[Tensor, Tensor]:
    h = _act(_rec(x_t, h, w1, m))
    return h, h


_STEPS = {"lstm": _lstm_step, "gru_after": _gru_after_step, "gru_before": _gru_before_step, "simple": _simple_step,
          "conv_lstm1d": _lstm_step, "conv_lstm2d": _lstm_step, "conv_lstm3d": _lstm_step}
# (kind, recurrent dropout) -> the state hooks of that variant
_HOOKS: dict[tuple[str, bool], dict[str, Callable]] = {
    ("lstm", False): {"_rec": _addmm},
    ("lstm", True): {"_rec": _gated_add},
    ("simple", False): {"_rec": _addmm},
    ("simple", True): {"_rec": _addmm_dropped},
    ("gru_after", False): {"_rec_lin": _linear},
    ("gru_after", True): {"_rec_lin": _gated_linear},
    ("gru_before", False): {"_rec": _addmm, "_rec_n": _addmm_reset},
    ("gru_before", True): {"_rec": _gated_add_rz, "_rec_n": _linear_reset_dropped},
}


def step_weights(kind: str, whh: Tensor, b_hh: Tensor | None) -> tuple[Tensor, Tensor, Tensor | None]:
    """``(w1, w2, b)`` for the step of ``kind`` from the torch-layout recurrent kernel ``whh`` (G*u, u)
    (``conv_lstm``: the conv kernel (4F, F, *kernel), used as is)."""
    if kind == "gru_after" or kind.startswith("conv_lstm"):
        return whh, whh, b_hh
    if kind == "gru_before":
        u = whh.shape[1]
        return whh[: 2 * u].t(), whh[2 * u:].t(), None
    wt = whh.t()
    return wt, wt, None


def _rebind(fn: Callable, name: str, **bind: Any) -> Callable:
    scope = dict(fn.__globals__)
    scope.update(bind)
    new = types.FunctionType(fn.__code__, scope, name, fn.__defaults__, fn.__closure__)
    new.__qualname__ = name
    new.__module__ = fn.__module__
    return new


def _conv_hooks() -> dict[tuple[str, bool], dict[str, Callable]]:
    """The state hooks of ``conv_lstm{1,2,3}d``: the conv hooks with that rank's "same" convolution."""
    hooks = {}
    for rank, same in ((1, _same_1d), (2, _same_2d), (3, _same_3d)):
        for dropout, fn in ((False, _conv_add), (True, _conv_gated_add)):
            hooks[(f"conv_lstm{rank}d", dropout)] = {"_rec": _rebind(fn, f"{fn.__name__}_{rank}d", _same=same)}
    return hooks


_HOOKS.update(_conv_hooks())


def _slug(fn: Callable) -> str:
    name = getattr(fn, "__name__", None) or type(fn).__name__
    return "".join(ch if ch.isalnum() else "_" for ch in name)


_STEP_CACHE: dict[tuple, Callable] = {}


def specialize(kind: str, act: Callable, ract: Callable, dropout: bool) -> Callable:
    """The step of ``kind`` with activations ``act``/``ract`` (plain torch functions) bound.

    Args:
        kind: One of :data:`KINDS`.
        act: Cell/candidate activation.
        ract: Gate activation (ignored by ``simple``).
        dropout: Whether ``m`` carries recurrent-dropout masks (per gate, or one for ``simple``).

    Returns:
        ``step(x_t, h, c, w1, w2, b, m) -> (h, c)``.
    """
    key = (kind, act, ract, dropout)
    step = _STEP_CACHE.get(key)
    if step is None:
        tag = f"{kind}_{_slug(act)}_{_slug(ract)}{'_dropout' if dropout else ''}"
        step = _rebind(_STEPS[kind], f"step_{tag}", _act=act, _ract=ract, **_HOOKS[(kind, dropout)])
        _STEP_CACHE[key] = step
    return step


# ------------------------------------------------------------------ scripted loops over a time-major (T, B, G*u) projection
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


_step = _lstm_step
_fill = _fill_prev
_collect = _collect_yes
_stack = _stack_yes


def _loop(xp: Tensor, mask: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor,
          b: Tensor | None) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    outs: List[Tensor] = []
    for t in range(xp.size(0)):
        h, c = _step(xp[t], h, c, w1, w2, b, h)
        _collect(outs, h)
    return _stack(outs, h), h, h, c


def _loop_masked(xp: Tensor, mask: Tensor, h: Tensor, c: Tensor, w1: Tensor, w2: Tensor,
                 b: Tensor | None) -> Tuple[Tensor, Tensor, Tensor, Tensor]:
    # Keras masking: at a masked step the states keep their value and the output repeats the
    # previous output (zeros before the first valid step), or zeros with zero_output_for_mask.
    outs: List[Tensor] = []
    prev = torch.zeros_like(h)
    for t in range(xp.size(0)):
        m = mask[t]
        hn, cn = _step(xp[t], h, c, w1, w2, b, h)
        h = torch.where(m, hn, h)
        c = torch.where(m, cn, c)
        prev = torch.where(m, hn, _fill(hn, prev))
        _collect(outs, prev)
    return _stack(outs, prev), prev, h, c


_LOOP_CACHE: dict[tuple, Any] = {}


def scripted_loop(kind: str, act: Callable, ract: Callable, masked: bool, zero_output: bool,
                  keep_sequence: bool) -> Callable | None:
    """The TorchScript loop for one configuration, or ``None`` if an activation cannot be scripted.

    Returns:
        ``loop(xp (T, B, G*u), mask (T, B, 1) bool, h, c, w1, w2, b) -> (sequence or last[:, None],
        last output, h, c)``; ``mask`` is unused when not ``masked``. Compiled once per process.
        (``conv_lstm``: ``xp`` (T, B, 4F, *spatial), ``mask`` (T, B, 1, ...) of the same rank.)
    """
    key = (kind, act, ract, masked, zero_output, keep_sequence)
    if key in _LOOP_CACHE:
        return _LOOP_CACHE[key]
    fn = None
    for a, ra in ((act, ract), (_traced(act), _traced(ract))):
        if a is None or ra is None:
            continue
        tag = f"{kind}_{_slug(a)}_{_slug(ra)}_{int(masked)}{int(zero_output)}{int(keep_sequence)}_{len(_LOOP_CACHE)}"
        step = _rebind(_STEPS[kind], f"_step_{tag}", _act=a, _ract=ra, **_HOOKS[(kind, False)])
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
    _LOOP_CACHE[key] = fn
    return fn


def _traced(fn: Callable) -> Callable | None:
    """``fn`` traced on an example, if it acts elementwise (checked on another shape); else None."""
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


__all__ = ["KINDS", "TWO_STATES", "specialize", "step_weights", "scripted_loop"]
