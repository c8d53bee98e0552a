"""The call context: per-thread facts about the layer call tree that is running now.

Layers read it (training flag, export mode); the trainer and ``add_loss`` use its generation
counter to tell one top-level call from the next.

Export mode: while a model is traced for an exporter (``keras_torch.export``), ``export_mode`` is
``"onnx"`` or ``"torch"``. Layers whose eager code would not survive the trace read it and take
their export-friendly path, visibly, in their own ``call``: recurrent cells run scripted loops and
never the data-dependent masked fused kernel, strided TF "same" padding follows the traced input
size, and caches keyed by input shapes are neither read nor written. Code that holds a Python
value the trace would freeze (the length of a Python loop over time) reports it with
:func:`record_traced_constant`, so the exporter can name the layer that would not follow a
dynamic axis.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from typing import Any

EXPORT_MODES = ("onnx", "torch")


class CallContext(threading.local):
    """State of the current (outermost) layer call on this thread.

    Attributes:
        training: The ``training`` flag of the enclosing call (``None`` outside any call).
        depth: How many ``Layer.__call__`` frames are active.
        generation: Incremented at each top-level call; losses added in an older generation are stale.
        add_loss_generation: Generation of the last ``add_loss()`` call (any layer).
        export_mode: ``None``, or the exporter (``"onnx"``/``"torch"``) tracing a model on this thread.
        export_recorder: Receives ``(kind, value)`` from :func:`record_traced_constant` during an export.
        data_device: The ``torch.device`` of the outermost called layer's weights (``None``: no weights). Layers
            that make tensors from host data inside a model (text and lookup layers) put them there.
        eager_add_loss: Set by ``jit_compile`` to a ``torch.compiler.disable``-d ``Layer._record_loss``,
            so ``add_loss`` inside a compiled ``call`` is a graph break (``None``: no compiled model
            has run on this thread; creating it imports TorchDynamo, which is slow).
        donated: ``(layer, tensor)`` while a functional graph calls ``layer`` on ``tensor`` without
            autograd and nothing else will read ``tensor`` (no other value, hook or caller holds it):
            that call may overwrite it (see :func:`may_overwrite`).
    """

    def __init__(self) -> None:
        self.training: bool | None = None
        self.depth = 0
        self.generation = 0
        self.add_loss_generation = -1
        self.export_mode: str | None = None
        self.export_recorder: Callable[[str, Any], None] | None = None
        self.eager_add_loss: Callable[[Any, Any], None] | None = None
        self.data_device: Any = None
        self.donated: tuple[Any, Any] | None = None


CALL_CONTEXT = CallContext()


def may_overwrite(layer: Any, tensor: Any) -> bool:
    """True when ``layer``'s running call may compute its result in ``tensor``'s memory (in place).

    Only a functional graph running without autograd grants it, for an input no one reads again; a
    layer that gets ``True`` for its input may return that tensor modified.
    """
    donated = CALL_CONTEXT.donated
    return donated is not None and donated[0] is layer and donated[1] is tensor


@contextlib.contextmanager
def export_mode(mode: str, recorder: Callable[[str, Any], None] | None = None) -> Iterator[None]:
    """Mark this thread as tracing a model for the exporter ``mode`` (``"onnx"`` or ``"torch"``).

    Args:
        mode: The exporter: ``"onnx"`` (TorchScript tracer) or ``"torch"`` (``torch.export``).
        recorder: Called with ``(kind, value)`` for every :func:`record_traced_constant`.

    Raises:
        ValueError: Unknown ``mode``.
        RuntimeError: An export is already running on this thread.
    """
    if mode not in EXPORT_MODES:
        raise ValueError(f"Unknown export mode {mode!r}; expected one of {EXPORT_MODES}.")
    ctx = CALL_CONTEXT
    if ctx.export_mode is not None:
        raise RuntimeError(f"An export ({ctx.export_mode!r}) is already running in this thread.")
    ctx.export_mode, ctx.export_recorder = mode, recorder
    try:
        yield
    finally:
        ctx.export_mode, ctx.export_recorder = None, None


def record_traced_constant(kind: str, value: Any) -> None:
    """Report a Python value that a trace would freeze into the exported graph (no-op outside exports).

    Args:
        kind: What the value is (``"time_loop"``: the length of a Python loop over time).
        value: The value seen in this run.
    """
    recorder = CALL_CONTEXT.export_recorder
    if recorder is not None:
        recorder(kind, value)
