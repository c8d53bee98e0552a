"""Export mode: what changes while a model is traced for ONNX or ``torch.export``.

``exporting(model, target)`` is a context manager that sets the call context's export mode
(``keras_torch.core.context``, ``CALL_CONTEXT.export_mode`` = ``"onnx"`` or ``"torch"``) on this
thread for the duration of the export. Layers read it and choose their export-friendly path in
their own code:

* built-in recurrent cells (``layers/rnn/cells.py``, ``_Cell._sequence``) run their step as a
  scripted loop (ONNX: a dynamic ``Loop`` over time) and never take the data-dependent masked
  fused-kernel path;
* strided TF "same" padding (``layers/_padding.py``, used by conv and pooling) pads by amounts
  computed from the traced size (ONNX ``Pad``), so spatial axes stay dynamic;
* caches keyed by input shapes (``Layer.__call__``'s validated input shape, pooling's count
  tables) and stateful RNN states are neither read nor written, so an export leaves the model as
  it was.

Code that holds a Python value the tracer would freeze (the length of a Python loop over time,
``layers/rnn/_ops.run_loop``) reports it through ``core.context.record_traced_constant``; the
session records it during the probe runs so that two runs at different sizes name the layer whose
graph would not generalise to a dynamic axis.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch.core.context import CALL_CONTEXT, export_mode
from keras_torch.layers.training_mode import switch_training_flags


class ExportSession:
    """One export: the model, the exporter (``"onnx"``/``"torch"``) and what the probe runs recorded.

    Attributes:
        records: ``(layer label, kind, value)`` reported while :attr:`recording`.
        recording: Set by :func:`recording` around a probe run.
    """

    def __init__(self, model: Any, target: str) -> None:
        self.model = model
        self.target = target
        self.records: list[tuple[str, str, Any]] = []
        self.recording = False

    def record(self, kind: str, value: Any) -> None:
        """The call context's recorder: keep ``(layer, kind, value)`` during probe runs."""
        if self.recording:
            layer = current_layer()
            self.records.append((layer_label(layer) if layer is not None else "?", kind, value))


def is_exporting() -> bool:
    """True while a model is being traced for export (ONNX or ``torch.export``) on this thread."""
    return CALL_CONTEXT.export_mode is not None


def export_target() -> str | None:
    """The exporter tracing a model on this thread (``"onnx"``/``"torch"``), or ``None``."""
    return CALL_CONTEXT.export_mode


# ------------------------------------------------------------------ layer attribution
def is_user_layer(obj: Any) -> bool:
    """A keras_torch Layer an error may name: not the cells of the built-in SimpleRNN/LSTM/GRU
    layers (the layer the user knows is the recurrent layer that runs them)."""
    from keras_torch.layers.base import Layer
    from keras_torch.layers.rnn.cells import _Cell
    from keras_torch.layers.rnn.stacked import StackedRNNCells

    return isinstance(obj, Layer) and not isinstance(obj, (_Cell, StackedRNNCells))


def current_layer(tb: Any = None) -> Any:
    """The innermost keras_torch Layer (:func:`is_user_layer`) on the Python stack (or in traceback ``tb``)."""
    usable = is_user_layer
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
    """Trace-time settings for exporting ``model`` with ``target`` (``"onnx"`` or ``"torch"``)."""
    session = ExportSession(model, target)
    if target == "onnx":
        _register_onnx_symbolics()
    restore_flags = switch_training_flags(model, model.training)  # (torch.onnx.export calls train())
    # oneDNN's CPU RNN kernels cost ~0.1 s per call here (primitive setup); the probe runs and the
    # trace only need shapes and graph structure, so use torch's native kernels meanwhile.
    mkldnn = torch._C._get_mkldnn_enabled()
    # The scripted RNN loops run eagerly in the probe runs: the profiling executor's optimisation
    # passes cost seconds there and buy nothing (the tracer inlines the graph anyway).
    optimize = torch._C._get_graph_executor_optimize()
    with export_mode(target, session.record):
        torch._C._set_mkldnn_enabled(False)
        torch._C._set_graph_executor_optimize(False)
        try:
            yield session
        finally:
            torch._C._set_graph_executor_optimize(optimize)
            torch._C._set_mkldnn_enabled(mkldnn)
            restore_flags()


@contextlib.contextmanager
def recording(session: ExportSession) -> Iterator[list]:
    """Record what the model reports during one probe run (the list is filled in place)."""
    session.records = []
    session.recording = True
    try:
        yield session.records
    finally:
        session.recording = False
