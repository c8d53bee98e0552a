"""Pieces shared by the ONNX and ``torch.export`` paths: input specs, example inputs, the flat
wrapper module, probe runs that find dynamic output axes, and layer-naming errors."""

from __future__ import annotations

import contextlib
import os
import re
import sys
import tempfile
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import tree
from keras_torch.core.naming import unique_name


class ExportError(RuntimeError):
    """A model (or one of its layers) could not be exported.

    ``original`` holds the exporter's own exception, when there is one.
    """

    def __init__(self, message: str, original: BaseException | None = None) -> None:
        super().__init__(message)
        self.original = original


class Spec:
    """One model input: ``shape`` (``None`` = dynamic), ``dtype`` name and ONNX ``name``."""

    def __init__(self, shape: tuple, dtype: str, name: str) -> None:
        self.shape = tuple(shape)
        self.dtype = dtype
        self.name = name

    @property
    def is_float(self) -> bool:
        return self.dtype.startswith(("float", "bfloat"))

    def __repr__(self) -> str:
        return f"Spec({self.shape}, {self.dtype}, {self.name!r})"


def _dtype_name(d: Any) -> str:
    if d is None:
        return "float32"
    if isinstance(d, torch.dtype):
        return str(d).replace("torch.", "")
    return str(getattr(d, "name", d)).replace("torch.", "")


def _is_shape(s: Any) -> bool:
    return isinstance(s, (list, tuple)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def input_specs(model: Any, input_signature: Any = None) -> list[Spec]:
    """One :class:`Spec` per flat model input, from ``input_signature`` or the model's Keras inputs."""
    inputs = list(getattr(model, "inputs", None) or [])
    names = list(getattr(model, "input_names", None) or [])
    if input_signature is not None:
        if _is_shape(input_signature) or not isinstance(input_signature, (list, tuple)):
            sigs = [input_signature]
        else:
            sigs = list(input_signature)
        out = []
        for i, s in enumerate(sigs):
            shape = tuple(None if d is None else int(d) for d in getattr(s, "shape", s))
            dtype = getattr(s, "dtype", None)
            if dtype is None and i < len(inputs):
                dtype = inputs[i].dtype
            name = getattr(s, "name", None) or (names[i] if i < len(names) else f"input_{i}")
            out.append(Spec(shape, _dtype_name(dtype), str(name)))
        return out
    if not inputs:
        raise ExportError(
            f"Model '{getattr(model, 'name', type(model).__name__)}' has no known input shape. Build it "
            "(call it on data or give it an Input) or pass `input_signature=[(None, ...)]`."
        )
    if len(names) != len(inputs):
        names = [getattr(t, "name", None) or f"input_{i}" for i, t in enumerate(inputs)]
    for t, n in zip(inputs, names):
        if _dtype_name(t.dtype) == "string":
            _refuse_string_input(model, t, str(n))
    return [Spec(tuple(t.shape), _dtype_name(t.dtype), str(n)) for t, n in zip(inputs, names)]


def _refuse_string_input(model: Any, tensor: Any, name: str) -> None:
    """An exported graph holds tensors only: name the text layers the string input feeds."""
    readers = [f"{type(layer).__name__} '{layer.name}'" for layer in getattr(model, "layers", [])
               for node in getattr(layer, "_inbound_nodes", []) if any(t is tensor for t in node.input_tensors)]
    raise ExportError(
        f"Model input '{name}' has dtype string, and an exported graph holds torch tensors only. The text layers "
        f"reading it ({', '.join(readers) or 'none found'}) run on Python strings: keep them in the data pipeline "
        "and export the model that starts after them (a model whose inputs are their integer outputs).")


def unique_names(names: list[str], prefix: str) -> list[str]:
    """ONNX input/output names: empty ones become ``{prefix}_{i}``, repeats get ``_1``, ``_2``..."""
    used: set[str] = set()
    return [unique_name(n or f"{prefix}_{i}", used) for i, n in enumerate(names)]


def example(spec: Spec, batch: int, other: int, dtype: str | None = None, seed: int = 0,
            device: Any = None) -> torch.Tensor:
    """A random tensor for ``spec``: ``batch`` for axis 0 if dynamic, ``other`` for other dynamic axes."""
    dims = [batch if (d is None and i == 0) else (other if d is None else d) for i, d in enumerate(spec.shape)]
    g = torch.Generator().manual_seed(seed)
    dt = dtype or spec.dtype
    if dt == "bool":
        out = torch.randint(0, 2, dims, generator=g).bool()
    elif not dt.startswith(("float", "bfloat")):
        # token ids / indices: small non-negative values (0 exercises masks, 1 is valid for any vocab >= 2)
        out = torch.randint(0, 2, dims, generator=g).to(getattr(torch, dt))
    else:
        out = torch.rand(dims, generator=g).to(getattr(torch, dt))
    return out if device is None else out.to(device)


def model_device(model: Any) -> torch.device:
    """Where the model's weights live (examples are created there)."""
    for t in model.parameters():
        return t.device
    for t in model.buffers():
        return t.device
    return torch.device("cpu")


class FlatModel(torch.nn.Module):
    """Positional tensors in, flat tuple of tensors out (what exporters want)."""

    def __init__(self, model: Any, structure: Any) -> None:
        super().__init__()
        self.model = model
        self.structure = structure
        self.out_struct: Any = None  # nesting of the last output (dict keys name ONNX outputs)
        self.out_dtype: torch.dtype | None = None  # cast float outputs (half-precision export)

    def forward(self, *flat: torch.Tensor) -> tuple:
        inputs = tree.pack_like(self.structure, list(flat)) if self.structure is not None else flat[0]
        out = self.model(inputs, training=False)
        self.out_struct = tree.map_structure(lambda _: None, out)
        flat_out = tuple(tree.flatten(out))
        if self.out_dtype is not None:
            flat_out = tuple(o.to(self.out_dtype) if o.is_floating_point() and o.dtype != self.out_dtype else o
                             for o in flat_out)
        return flat_out


def structure(model: Any, n: int) -> Any:
    g = getattr(model, "_graph_obj", None)
    if g is not None:
        struct = tree.map_structure(lambda _: 0, g.inputs_struct)
        if n == 1 and not tree.is_nested(struct):
            return None
        if len(tree.flatten(struct)) == n:
            return struct
    return None if n == 1 else [0] * n


def output_names(model: Any, raw_out: Any, n: int) -> list[str]:
    if isinstance(raw_out, dict):
        keys: list[str] = []

        def walk(x: Any, prefix: str) -> None:
            if isinstance(x, dict):
                for k in sorted(x) if all(isinstance(k, str) for k in x) else x:
                    walk(x[k], f"{prefix}{k}" if not prefix else f"{prefix}_{k}")
            elif isinstance(x, (list, tuple)):
                for i, v in enumerate(x):
                    walk(v, f"{prefix}_{i}")
            else:
                keys.append(prefix)

        walk(raw_out, "")
        if len(keys) == n:
            return unique_names(keys, "output")
    names = list(getattr(model, "output_names", None) or [])
    if len(names) != n:
        base = names[0] if len(names) == 1 else "output"
        names = [base] if n == 1 else [f"{base}_{i}" for i in range(n)]
    return unique_names(names, "output")


# ------------------------------------------------------------------ probes
# (batch, size of the other dynamic axes) for the trace (A) and a check run (B). B differs in
# every dynamic axis (and in parity), so a Python value frozen by the trace shows up as a
# difference between the two probe runs.
PROBE_SIZES = [((2, 7), (3, 8)), ((2, 16), (3, 17)), ((2, 32), (3, 33)), ((2, 6), (3, 12)),
               ((2, 16), (3, 24)), ((2, 64), (3, 65)), ((2, 224), (3, 225)), ((2, 12), (3, 36))]


def run_flat(wrapper: FlatModel, examples: list[torch.Tensor]) -> tuple:
    with torch.no_grad():
        return wrapper(*examples)


def probe(model: Any, wrapper: FlatModel, specs: list[Spec], session: Any, float_dtype: str,
          static_batch: int | None) -> tuple[tuple[int, int], list[torch.Tensor], tuple, list]:
    """Run the model eagerly at two sizes; returns (sizes A, examples A, outputs A, dynamic output axes)."""
    from keras_torch.export import _session

    has_other = any(d is None for s in specs for d in s.shape[1:])
    first_err: BaseException | None = None
    candidates = PROBE_SIZES if has_other else PROBE_SIZES[:1]
    for (ba, oa), (bb, ob) in candidates:
        if static_batch is not None:
            ba = bb = static_batch
        dt = [float_dtype if s.is_float else s.dtype for s in specs]
        dev = model_device(model)
        ex_a = [example(s, ba, oa, d, seed=i, device=dev) for i, (s, d) in enumerate(zip(specs, dt))]
        ex_b = [example(s, bb, ob, d, seed=100 + i, device=dev) for i, (s, d) in enumerate(zip(specs, dt))]
        try:
            with _session.recording(session) as rec_a:
                out_a = run_flat(wrapper, ex_a)
            rec_a = list(rec_a)
            with _session.recording(session) as rec_b:
                out_b = run_flat(wrapper, ex_b)
            rec_b = list(rec_b)
        except ExportError:
            raise
        except Exception as err:  # noqa: BLE001 - try the next size; report the first failure
            if first_err is None:
                first_err = err
            continue
        _check_frozen(rec_a, rec_b, session.target)
        dyn = []
        for a, b in zip(out_a, out_b):
            dyn.append([i for i in range(a.ndim) if a.shape[i] != b.shape[i]] if a.ndim == b.ndim else
                       list(range(a.ndim)))
        return (ba, oa), ex_a, out_a, dyn
    assert first_err is not None
    layer = _session.current_layer(first_err.__traceback__)
    where = _session.layer_label(layer) if layer is not None else f"model '{getattr(model, 'name', '?')}'"
    raise ExportError(f"Could not run {where} on example inputs {[tuple(s.shape) for s in specs]} "
                      f"(None axes filled with test sizes): {_first_line(first_err)}", first_err) from None


def _check_frozen(rec_a: list, rec_b: list, target: str) -> None:
    if target != "onnx":
        return
    for (layer, kind, va), (_, _, vb) in zip(rec_a, rec_b):
        if va == vb:
            continue
        if kind == "time_loop":
            raise ExportError(
                f"Could not export {layer} with a dynamic time axis: it runs a Python loop over time "
                "(a custom cell or an activation TorchScript cannot compile), which the exporter unrolls "
                "to a fixed length. Give the time axis a fixed size with `input_signature` (e.g. "
                "[(None, 100, features)]).")
    if len(rec_a) != len(rec_b):
        raise ExportError("The model runs different layers for different input sizes; it cannot be exported "
                          "with dynamic axes. Pass `input_signature` with fixed sizes.")


# ------------------------------------------------------------------ error naming
VALUE_LEAK_REASON = ("it converts a tensor to a Python/NumPy value (e.g. `x.numpy()`, `.item()`, `.tolist()`), "
                     "which leaves the graph: the exported model would hold a constant. Use keras.ops / torch ops.")


@contextlib.contextmanager
def value_leaks(model: Any) -> Iterator[list[str]]:
    """Collect, during a trace of ``model``, the layers that turn a traced tensor into a Python/NumPy value.

    The tracer reports those with a ``TracerWarning``; it is recorded (not raised) and attributed to
    the innermost layer running when it was issued (forward hooks on the model's layers keep that
    stack). The list receives one layer label per such warning (``"?"`` outside any layer).
    Turning the warning into an exception does not work reliably: it is raised inside torch's C++
    ``Tensor.numpy()``/``.item()``, and the tracer loses it when it calls back into Python before
    returning (its variable-naming hook): with torch 2.13 every time in a plain ``torch.nn.Module``
    inside the model, elsewhere depending on what earlier traces in the process left behind.
    """
    from keras_torch.export import _session

    found: list[str] = []
    running: list[Any] = []  # the model's layers being called now, innermost last
    layers = list(model._flatten_layers()) if hasattr(model, "_flatten_layers") else [model]
    with warnings.catch_warnings(record=True) as log:
        warnings.simplefilter("ignore")
        warnings.filterwarnings("always", message=".*(NumPy array|Python number).*", category=torch.jit.TracerWarning)
        # torch's own shape arithmetic warns too (torch.jit ignores those the same way)
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning, module=r"torch\.(?!jit)")

        def attribute() -> None:  # warnings since the last hook came from the innermost running layer
            layer = next((x for x in reversed(running) if _session.is_user_layer(x)), None)
            while len(found) < len(log):
                found.append(_session.layer_label(layer) if layer is not None else "?")

        def enter(layer: Any, args: Any) -> None:
            attribute()
            running.append(layer)

        def leave(layer: Any, args: Any, output: Any) -> None:
            attribute()
            if running and running[-1] is layer:
                running.pop()

        handles = [h for layer in layers for h in (layer.register_forward_pre_hook(enter),
                                                   layer.register_forward_hook(leave))]
        try:
            yield found
        finally:
            attribute()
            for h in handles:
                h.remove()


_SCOPE_RE = re.compile(r"scope: ([^\s#]+)")
_OP_RE = re.compile(r"operator '([\w:.]+)'")


def _first_line(err: BaseException) -> str:
    text = str(err).strip()
    text = text.split("Torch IR graph at exception")[0].strip()
    line = text.splitlines()[0] if text else type(err).__name__
    return line[:400]


def _layer_from_scope(wrapper: torch.nn.Module, scope: str) -> Any:
    """Innermost keras_torch Layer named by a TorchScript scope (``Type::attr/Type::attr``)."""
    from keras_torch.layers.base import Layer

    module: Any = wrapper
    found = None
    for part in scope.split("/"):
        attr = part.rsplit("::", 1)[-1] if "::" in part else ""
        if not attr:
            continue
        nxt = None
        for path in attr.split("."):
            nxt = getattr(module if nxt is None else nxt, "_modules", {}).get(path)
            if nxt is None:
                break
        if nxt is None:
            break
        module = nxt
        if isinstance(module, Layer):
            found = module
    return found


@contextlib.contextmanager
def captured_output() -> Iterator[list[str]]:
    """Capture what the exporter prints on fds 1/2 (C++ graph dumps); the text lands in the list."""
    out: list[str] = []
    saved: list[tuple[int, int]] = []
    with tempfile.TemporaryFile(mode="w+b") as tmp:
        try:
            for fd, stream in ((1, sys.stdout), (2, sys.stderr)):
                try:
                    stream.flush()
                    saved.append((fd, os.dup(fd)))
                    os.dup2(tmp.fileno(), fd)
                except (OSError, ValueError, AttributeError):
                    pass
            yield out
        finally:
            for fd, copy in saved:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    (sys.stdout if fd == 1 else sys.stderr).flush()
                os.dup2(copy, fd)
                os.close(copy)
            tmp.seek(0)
            out.append(tmp.read().decode("utf-8", "replace"))


def _scope_of_op(text: str, op: str) -> str | None:
    """Scope of the first node running ``op`` in a TorchScript graph dump."""
    for line in text.splitlines():
        if f"= {op}(" in line:
            m = _SCOPE_RE.search(line)
            if m:
                return m.group(1)
    return None


def explain_failure(model: Any, wrapper: torch.nn.Module, err: BaseException, what: str,
                    printed: str = "") -> ExportError:
    """An :class:`ExportError` naming the layer that broke the export (not exporter internals)."""
    from keras_torch.export import _session

    chain, e = [], err
    while e is not None and len(chain) < 5:
        chain.append(e)
        e = e.__cause__ or e.__context__
    text = "\n".join(str(c) for c in chain)
    layer = _session.current_layer(err.__traceback__)
    reason = _first_line(err)
    if any(k in text for k in ("NumPy array", "Python number", "numpy()")):
        reason = VALUE_LEAK_REASON
    if layer is None:
        m = _SCOPE_RE.search(text)
        if m:
            layer = _layer_from_scope(wrapper, m.group(1))
    if layer is None:
        m = _OP_RE.search(text)
        if m:
            scope = _scope_of_op(text + "\n" + printed, m.group(1))
            if scope:
                layer = _layer_from_scope(wrapper, scope)
    where = _session.layer_label(layer) if layer is not None else f"model '{getattr(model, 'name', '?')}'"
    return ExportError(f"Could not export {where} to {what}: {reason}", err)
