"""Export mode: what changes while a model is traced for ONNX or ``torch.export``.

``exporting(model, target)`` is a context manager; inside it ``current()`` returns the active
:class:`ExportSession` (``None`` otherwise) so library code can ask ``keras_torch.export.
is_exporting()``. The session

* runs the built-in recurrent cells through scripted loops (ONNX: a dynamic ``Loop`` over time)
  and never takes the data-dependent masked fused-kernel path (``mask.cpu()`` + ``torch.equal``);
* records Python-side values the tracer would freeze (the length of Python time loops, TF "same"
  padding amounts), so a probe run at two input sizes can name the layer whose graph would not
  generalise to a dynamic axis;
* pads strided TF "same" conv/pooling by size-derived amounts (ONNX ``Pad``), so spatial/time
  axes stay dynamic;
* restores per-layer caches that the trace would otherwise leave holding traced values.

The hooks into layer code are applied here, for the duration of the export only (class/module
attributes swapped and restored; other threads fall through to the originals):
``rnn.cells._Cell._sequence`` -> :func:`export_sequence`, ``rnn._ops.run_loop`` (records loop
lengths), ``conv.resolve_same`` -> :func:`dynamic_resolve_same`, ``pooling.BasePooling.call`` ->
:func:`dynamic_same_pool`, and ``same_padding`` as imported by conv/pooling (constant pads for
the ONNX ops, uncached for ``torch.export``'s symbolic sizes). Layer code may instead call these
helpers itself when :func:`is_exporting` / :func:`wants_export_sequence` / :func:`wants_dynamic_same`
say so.
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
    """The innermost keras_torch Layer on the Python stack (or in traceback ``tb``).

    The cells of the built-in SimpleRNN/LSTM/GRU layers are skipped: the layer the user knows is
    the recurrent layer that runs them.
    """
    from keras_torch.layers.base import Layer
    from keras_torch.layers.rnn.cells import _Cell
    from keras_torch.layers.rnn.stacked import StackedRNNCells

    def usable(obj: Any) -> bool:
        return isinstance(obj, Layer) and not isinstance(obj, (_Cell, StackedRNNCells))

    found = None
    if tb is not None:
        while tb is not None:
            obj = tb.tb_frame.f_locals.get("self")
            if usable(obj):
                found = obj
            tb = tb.tb_next
        return found
    frame = sys._getframe(1)
    while frame is not None:
        obj = frame.f_locals.get("self")
        if usable(obj):
            return obj
        frame = frame.f_back
    return None


def layer_label(layer: Any) -> str:
    return f"layer '{getattr(layer, 'name', '?')}' ({type(layer).__name__})"


# ------------------------------------------------------------------ patched library hooks
def wants_export_sequence(cell: Any, mask: Any, training: bool) -> bool:
    """Whether ``cell._sequence`` must take the export path (see :func:`export_sequence`)."""
    # Unmasked standard activations keep torch's fused kernel: ONNX LSTM/GRU/RNN, dynamic over time.
    return current() is not None and not training and (mask is not None or cell._fused_kind_for() is None)


def export_sequence(cell: Any, x: torch.Tensor, states: list, mask: Any, return_sequences: bool,
                    zero_output: bool) -> Any:
    """A built-in cell's ``_sequence`` while exporting (inference, no dropout).

    ONNX: a scripted loop (ONNX ``Loop`` over the dynamic time axis). Otherwise, or if the cell's
    activations don't compile: the Python loop, never the data-dependent masked fused path.
    """
    session = current()
    if session is not None and session.target == "onnx":
        from keras_torch.export._recurrent import scripted_sequence

        res = scripted_sequence(cell, x, states, mask, return_sequences, zero_output)
        if res is not None:
            return res
    from keras_torch.layers.rnn import _ops

    params = cell._torch_params(x.dtype)
    xp = cell._input_projection(x, params, None)
    return _ops.run_loop(cell._loop_step(params, None), xp, list(states), mask, zero_output, return_sequences)


def _patched_sequence(orig: Any) -> Any:
    def _sequence(self: Any, x: torch.Tensor, states: list, mask: Any, training: bool,
                  return_sequences: bool, zero_output: bool) -> Any:
        if wants_export_sequence(self, mask, training):
            return export_sequence(self, x, states, mask, return_sequences, zero_output)
        return orig(self, x, states, mask, training, return_sequences, zero_output)

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
        if current() is None:  # another thread, not exporting
            return orig(spatial, kernel, strides, dilation)
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


def wants_dynamic_same(strides: tuple) -> bool:
    """While exporting to ONNX, strided TF "same" padding must follow the (dynamic) input size."""
    session = current()
    return session is not None and session.target == "onnx" and any(s > 1 for s in strides)


def dynamic_resolve_same(x: torch.Tensor, spatial_axes: slice, kernel: tuple, strides: tuple, dilation: tuple,
                         channels_last: bool) -> tuple[torch.Tensor, int]:
    """``conv.resolve_same`` for export: explicit zero padding by size-derived amounts (ONNX ``Pad``)."""
    from keras_torch.layers.conv import pad_arg

    pads = _same_pads(x.shape[spatial_axes], kernel, strides, dilation)
    return torch.nn.functional.pad(x, pad_arg(pads, channels_last)), 0


def dynamic_same_pool(layer: Any, inputs: torch.Tensor) -> torch.Tensor:
    """``BasePooling.call`` with padding="same" for export: pads follow the (dynamic) input size."""
    from keras_torch.layers import pooling

    F = torch.nn.functional
    cl = layer.data_format == "channels_last"
    x = inputs.permute(pooling.to_channels_first(inputs.ndim)) if cl else inputs
    pads = pooling.pad_arg(_same_pads(x.shape[2:], layer.pool_size, layer.strides, (1,) * layer.rank), False)
    if layer.mode == "max":  # replicated edges never beat the window's own maximum
        out = pooling._MAX[layer.rank](F.pad(x, pads, mode="replicate"), layer.pool_size, layer.strides, 0)
    else:  # mean over the real cells only: pooled sum / pooled count of real cells
        ones = torch.ones_like(x[:, :1])
        avg = pooling._AVG[layer.rank]
        out = avg(F.pad(x, pads), layer.pool_size, layer.strides, 0) / avg(
            F.pad(ones, pads), layer.pool_size, layer.strides, 0)
    return out.permute(pooling.to_channels_last(out.ndim)) if cl else out


def _patched_resolve_same(orig: Any) -> Any:
    def resolve_same(x: torch.Tensor, spatial_axes: slice, kernel: tuple, strides: tuple, dilation: tuple,
                     channels_last: bool) -> Any:
        if wants_dynamic_same(strides):
            return dynamic_resolve_same(x, spatial_axes, kernel, strides, dilation, channels_last)
        return orig(x, spatial_axes, kernel, strides, dilation, channels_last)

    resolve_same.__wrapped__ = orig  # type: ignore[attr-defined]
    return resolve_same


def _patched_pool_call(orig: Any) -> Any:
    def call(self: Any, inputs: torch.Tensor) -> torch.Tensor:
        if self.padding == "same" and wants_dynamic_same(self.strides):
            return dynamic_same_pool(self, inputs)
        return orig(self, inputs)

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
    # The scripted RNN loops run eagerly in the probe runs: the profiling executor's optimisation
    # passes cost seconds there and buy nothing (the tracer inlines the graph anyway).
    optimize = torch._C._get_graph_executor_optimize()
    torch._C._set_graph_executor_optimize(False)
    _STATE.session = session
    try:
        yield session
    finally:
        torch._C._set_graph_executor_optimize(optimize)
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
