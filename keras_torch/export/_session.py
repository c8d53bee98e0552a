"""Export mode: what changes while a model is traced for ONNX or ``torch.export``.

``exporting(model, target)`` is a context manager; inside it ``current()`` returns the active
:class:`ExportSession` (``None`` otherwise) so library code can ask ``keras_torch.export.
is_exporting()``. The session

* runs the built-in recurrent cells through scripted loops (ONNX: a dynamic ``Loop`` over time)
  and never takes the data-dependent masked fused-kernel path (``mask.cpu()`` + ``torch.equal``);
* records Python-side values the tracer would freeze (the length of Python time loops, TF "same"
  padding amounts), so a probe run at two input sizes can name the layer whose graph would not
  generalise to a dynamic axis;
* turns "tensor converted to a NumPy array" during tracing into an error naming the layer;
* restores per-layer caches that the trace would otherwise leave holding traced values.

The hooks into layer code are applied here, for the duration of the export only: the RNN cell's
``_sequence`` and ``_ops.run_loop``, and ``same_padding`` as imported by the conv/pooling layers.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Iterator
from typing import Any

import torch

_STATE = threading.local()
_MISSING = object()


class ExportSession:
    def __init__(self, model: Any, target: str) -> None:
        self.model = model
        self.target = target  # "onnx" or "torch"
        self.records: list[tuple[str, str, Any]] = []
        self.recording = False

    def record(self, kind: str, value: Any) -> None:
        if self.recording:
            layer = current_layer()
            self.records.append((layer_label(layer) if layer is not None else "?", kind, value))


def current() -> ExportSession | None:
    return getattr(_STATE, "session", None)


def is_exporting() -> bool:
    """True while a model is being traced for export (ONNX or ``torch.export``)."""
    return current() is not None


def export_target() -> str | None:
    s = current()
    return s.target if s is not None else None


# ------------------------------------------------------------------ layer attribution
def current_layer(tb: Any = None) -> Any:
    """The innermost keras_torch Layer on the Python stack (or in traceback ``tb``)."""
    from keras_torch.layers.base import Layer

    found = None
    if tb is not None:
        while tb is not None:
            obj = tb.tb_frame.f_locals.get("self")
            if isinstance(obj, Layer):
                found = obj
            tb = tb.tb_next
        return found
    frame = sys._getframe(1)
    while frame is not None:
        obj = frame.f_locals.get("self")
        if isinstance(obj, Layer):
            return obj
        frame = frame.f_back
    return None


def layer_label(layer: Any) -> str:
    return f"layer '{getattr(layer, 'name', '?')}' ({type(layer).__name__})"


# ------------------------------------------------------------------ patched library hooks
def _patched_sequence(orig: Any) -> Any:
    def _sequence(self: Any, x: torch.Tensor, states: list, mask: Any, training: bool,
                  return_sequences: bool, zero_output: bool) -> Any:
        session = current()
        if session is None or training:
            return orig(self, x, states, mask, training, return_sequences, zero_output)
        if mask is None and self._fused_kind_for() is not None:
            # torch fused kernel: ONNX LSTM/GRU/RNN op, dynamic over time already
            return orig(self, x, states, mask, training, return_sequences, zero_output)
        if session.target == "onnx":
            from keras_torch.export._recurrent import scripted_sequence

            res = scripted_sequence(self, x, states, mask, return_sequences, zero_output)
            if res is not None:
                return res
        # Python loop (mask-safe, no data-dependent path choice); length fixed by the trace
        from keras_torch.layers.rnn import _ops

        params = self._torch_params(x.dtype)
        xp = self._input_projection(x, params, None)
        return _ops.run_loop(self._loop_step(params, None), xp, list(states), mask, zero_output, return_sequences)

    _sequence.__wrapped__ = orig  # type: ignore[attr-defined]
    return _sequence


def _patched_run_loop(orig: Any) -> Any:
    def run_loop(step: Any, xs: torch.Tensor, states: list, mask: Any, zero_output: bool,
                 return_sequences: bool) -> Any:
        session = current()
        if session is not None and session.recording:
            session.record("time_loop", int(xs.shape[1]))
        return orig(step, xs, states, mask, zero_output, return_sequences)

    run_loop.__wrapped__ = orig  # type: ignore[attr-defined]
    return run_loop


def _patched_same_padding(orig: Any, target: str) -> Any:
    uncached = getattr(orig, "__wrapped__", orig)  # functools.lru_cache can't hash symbolic sizes

    def same_padding(spatial: tuple, kernel: tuple, strides: tuple, dilation: tuple) -> Any:
        if target == "torch":
            if all(isinstance(s, int) for s in spatial):
                return orig(tuple(spatial), tuple(kernel), tuple(strides), tuple(dilation))
            return uncached(tuple(spatial), tuple(kernel), tuple(strides), tuple(dilation))
        # ONNX: the tracer hands shape entries over as tensors; padding amounts must be constants
        # for the ONNX conv/pool ops. They depend on the size only for strides > 1 (recorded).
        sizes = tuple(int(s) for s in spatial)
        pads = orig(sizes, tuple(kernel), tuple(strides), tuple(dilation))
        session = current()
        if session is not None and any(s > 1 for s in strides):
            session.record("same_padding", pads)
        return pads

    same_padding.__wrapped__ = orig  # type: ignore[attr-defined]
    return same_padding


def _same_pads(sizes: Any, kernel: tuple, strides: tuple, dilation: tuple) -> list[tuple[Any, Any]]:
    """TF "same" (left, right) pads computed from (possibly traced) sizes: ONNX ``Pad`` gets them
    as a runtime input, so they follow a dynamic axis."""
    pads: list[tuple[Any, Any]] = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        eff = (k - 1) * d + 1
        if s == 1:
            total: Any = eff - 1
        elif torch.is_tensor(size):
            total = torch.clamp(((size + s - 1) // s - 1) * s + eff - size, min=0)
        else:
            total = max(0, ((size + s - 1) // s - 1) * s + eff - size)
        left = total // 2
        pads.append((left, total - left))
    return pads


def _patched_resolve_same(orig: Any) -> Any:
    def resolve_same(x: torch.Tensor, spatial_axes: slice, kernel: tuple, strides: tuple, dilation: tuple,
                     channels_last: bool) -> Any:
        if all(s == 1 for s in strides):
            return orig(x, spatial_axes, kernel, strides, dilation, channels_last)
        from keras_torch.layers.conv import pad_arg

        pads = _same_pads(x.shape[spatial_axes], kernel, strides, dilation)
        return torch.nn.functional.pad(x, pad_arg(pads, channels_last)), 0

    resolve_same.__wrapped__ = orig  # type: ignore[attr-defined]
    return resolve_same


def _patched_pool_call(orig: Any) -> Any:
    def call(self: Any, inputs: torch.Tensor) -> torch.Tensor:
        if self.padding != "same" or all(s == 1 for s in self.strides):
            return orig(self, inputs)
        from keras_torch.layers import pooling

        F = torch.nn.functional
        cl = self.data_format == "channels_last"
        x = inputs.permute(pooling.to_channels_first(inputs.ndim)) if cl else inputs
        pads = pooling.pad_arg(_same_pads(x.shape[2:], self.pool_size, self.strides, (1,) * self.rank), False)
        if self.mode == "max":  # replicated edges never beat the window's own maximum
            out = pooling._MAX[self.rank](F.pad(x, pads, mode="replicate"), self.pool_size, self.strides, 0)
        else:  # mean over the real cells only: pooled sum / pooled count of real cells
            ones = torch.ones_like(x[:, :1])
            avg = pooling._AVG[self.rank]
            out = avg(F.pad(x, pads), self.pool_size, self.strides, 0) / avg(
                F.pad(ones, pads), self.pool_size, self.strides, 0)
        return out.permute(pooling.to_channels_last(out.ndim)) if cl else out

    call.__wrapped__ = orig  # type: ignore[attr-defined]
    return call


def _install_patches(target: str) -> list[tuple[Any, str, Any]]:
    """Apply the hooks; returns (owner, attribute, original) to restore."""
    from keras_torch.layers import conv, pooling
    from keras_torch.layers.rnn import _ops, cells

    undo: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, make: Any) -> None:
        cur = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if cur is None:
            return
        undo.append((owner, name, cur))
        setattr(owner, name, make(cur))

    patch(cells._Cell, "_sequence", _patched_sequence)
    patch(_ops, "run_loop", _patched_run_loop)
    for mod in (conv, pooling):
        if hasattr(mod, "same_padding"):
            patch(mod, "same_padding", lambda orig: _patched_same_padding(orig, target))
    if target == "onnx":
        patch(conv, "resolve_same", _patched_resolve_same)
        base = getattr(pooling, "BasePooling", None)
        if base is not None:
            patch(base, "call", _patched_pool_call)
    return undo


# ------------------------------------------------------------------ per-layer caches
_CACHED_ATTRS = ("_spec_ok", "states")


def _snapshot(model: Any) -> list[tuple[Any, str, Any]]:
    out = []
    layers = list(model._flatten_layers()) if hasattr(model, "_flatten_layers") else list(model.modules())
    for layer in layers:
        d = layer.__dict__
        for name in _CACHED_ATTRS:
            val = d.get(name, _MISSING)
            out.append((layer, name, list(val) if isinstance(val, list) else val))
        counts = d.get("_counts")
        if isinstance(counts, dict):
            out.append((layer, "_counts", dict(counts)))
    return out


def _restore(snap: list[tuple[Any, str, Any]]) -> None:
    for layer, name, val in snap:
        d = layer.__dict__
        if name == "_counts":
            d[name].clear()
            d[name].update(val)
        elif val is _MISSING:
            d.pop(name, None)
        else:
            d[name] = val


# ------------------------------------------------------------------ ONNX symbolics
_SYMBOLICS_DONE = False


def _register_onnx_symbolics() -> None:
    """ONNX translations for ops torch's TorchScript exporter lacks (registered once)."""
    global _SYMBOLICS_DONE
    if _SYMBOLICS_DONE:
        return
    from torch.onnx import register_custom_op_symbolic

    for rank in (1, 2, 3):
        register_custom_op_symbolic(f"aten::_upsample_nearest_exact{rank}d", _nearest_exact_symbolic, 11)
    sdpa = _sdpa_symbolic()
    if sdpa is not None:
        register_custom_op_symbolic("aten::scaled_dot_product_attention", sdpa, 14)
    _SYMBOLICS_DONE = True


def _sdpa_symbolic() -> Any:
    """torch's SDPA translation builds its causal mask / scale in float32; for float16/bfloat16
    inputs run it in float32 between two Casts so the graph type-checks."""
    try:
        from torch.onnx._internal.torchscript_exporter import _type_utils, symbolic_helper, symbolic_opset14
    except ImportError:  # older torch layout
        try:
            from torch.onnx import _type_utils, symbolic_helper, symbolic_opset14  # type: ignore[no-redef]
        except ImportError:
            return None
    base = getattr(symbolic_opset14, "scaled_dot_product_attention", None)
    if base is None:
        return None
    half = (_type_utils.JitScalarType.HALF, _type_utils.JitScalarType.BFLOAT16)

    @symbolic_helper.parse_args("v", "v", "v", "v", "f", "b", "v", "b")
    def sdpa(g: Any, query: Any, key: Any, value: Any, attn_mask: Any = None, dropout_p: float = 0.0,
             is_causal: bool = False, scale: Any = None, enable_gqa: bool = False) -> Any:
        kind = _type_utils.JitScalarType.from_value(query, _type_utils.JitScalarType.UNDEFINED)
        if kind not in half:
            return base(g, query, key, value, attn_mask, dropout_p, is_causal, scale, enable_gqa)

        def up(v: Any) -> Any:
            return g.op("Cast", v, to_i=_type_utils.JitScalarType.FLOAT.onnx_type())

        if attn_mask is not None and not symbolic_helper._is_none(attn_mask) and _type_utils.JitScalarType.from_value(
                attn_mask, _type_utils.JitScalarType.UNDEFINED) in half:
            attn_mask = up(attn_mask)
        out = base(g, up(query), up(key), up(value), attn_mask, dropout_p, is_causal, scale, enable_gqa)
        return g.op("Cast", out, to_i=kind.onnx_type())

    return sdpa


def _nearest_exact_symbolic(g: Any, x: Any, output_size: Any, *scales: Any) -> Any:
    # torch "nearest-exact": src = floor((dst + 0.5) * in / out) == ONNX Resize half_pixel +
    # round_prefer_ceil (round((dst + 0.5) / scale - 0.5), ties up).
    from torch.onnx import symbolic_helper as sh

    shape = g.op("Shape", x)
    lead = g.op("Slice", shape, g.op("Constant", value_t=torch.tensor([0])), g.op("Constant", value_t=torch.tensor([2])))
    if sh._is_value(output_size) and not sh._is_constant(output_size):
        size = output_size
        if sh._is_packed_list(size):
            size = g.op("Concat", *[sh._unsqueeze_helper(g, s, [0]) for s in sh._unpack_list(size)], axis_i=0)
        size = g.op("Cast", size, to_i=7)
    else:
        vals = sh._maybe_get_const(output_size, "is")
        size = g.op("Constant", value_t=torch.tensor(list(vals), dtype=torch.int64))
    sizes = g.op("Concat", lead, size, axis_i=0)
    empty = g.op("Constant", value_t=torch.tensor([], dtype=torch.float32))
    return g.op("Resize", x, empty, empty, sizes, coordinate_transformation_mode_s="half_pixel",
                cubic_coeff_a_f=-0.75, mode_s="nearest", nearest_mode_s="round_prefer_ceil")


# ------------------------------------------------------------------ the context manager
@contextlib.contextmanager
def exporting(model: Any, target: str) -> Iterator[ExportSession]:
    if current() is not None:
        raise RuntimeError("An export is already running in this thread.")
    session = ExportSession(model, target)
    snap = _snapshot(model)
    undo = _install_patches(target)
    if target == "onnx":
        _register_onnx_symbolics()
    was_training = getattr(model, "training", False)
    # oneDNN's CPU RNN kernels cost ~0.1 s per call here (primitive setup); the probe runs and the
    # trace only need shapes and graph structure, so use torch's native kernels meanwhile.
    mkldnn = torch._C._get_mkldnn_enabled()
    torch._C._set_mkldnn_enabled(False)
    _STATE.session = session
    try:
        yield session
    finally:
        torch._C._set_mkldnn_enabled(mkldnn)
        _STATE.session = None
        for owner, name, orig in reversed(undo):
            setattr(owner, name, orig)
        _restore(snap)
        if was_training:
            model.train()


@contextlib.contextmanager
def recording(session: ExportSession) -> Iterator[list]:
    session.records = []
    session.recording = True
    try:
        yield session.records
    finally:
        session.recording = False
