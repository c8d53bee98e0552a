"""ONNX export of any keras_torch model (built in code or loaded from a Keras file).

One explicit path: torch's TorchScript-based ONNX exporter (``torch.onnx.export(dynamo=False)``;
it needs no package beyond torch and keeps dynamic axes), run inside an export session
(:mod:`keras_torch.export._session`) that gives recurrent layers an ONNX ``Loop`` over a dynamic
time axis, then a clean-up pass that removes local source paths from the graph and stamps the
producer. ``verify=True`` compares onnxruntime with the model on fresh random inputs, at sizes
other than the ones traced, and raises :class:`ExportError` on mismatch.

Axes: the batch axis and every axis that is ``None`` in the Keras input shape stay dynamic (also
the time axis of RNNs); output axes that change with them are dynamic too. ONNX input and output
names are the Keras input / output names, in the model's order.
"""

from __future__ import annotations

import contextlib
import os
from typing import Any

import numpy as np
import torch

from keras_torch.core import tree
from keras_torch.export import _session
from keras_torch.export._common import (
    VALUE_LEAK_REASON,
    ExportError,
    FlatModel,
    Spec,
    captured_output,
    example,
    explain_failure,
    input_specs,
    model_device,
    output_names,
    probe,
    run_flat,
    structure,
    unique_names,
    value_leaks,
)
from keras_torch.layers.training_mode import switch_training_flags

_HALF = {"float16": torch.float16, "bfloat16": torch.bfloat16}
DEFAULT_OPSET = 17


def _floating_tensors(module: torch.nn.Module) -> list[torch.Tensor]:
    """Every floating parameter and buffer of ``module`` and its sub-modules, once each (the cells of
    SimpleRNN/LSTM/GRU share their tensors with the layer, so they are reached too)."""
    tensors = dict.fromkeys([*module.parameters(), *module.buffers()])
    return [t for t in tensors if t.is_floating_point()]


class _HalfPrecision:
    """Run ``model`` in float16/bfloat16 in place (weights + dtype policies), restored on exit.

    Layers that cannot run in half precision on CPU (normalizations whose kernels want float32
    parameters, 3D average pooling...) are found by a trial run and kept in float32: their inputs
    are cast up and the next half-precision layer casts back, as Keras's mixed precision does.
    """

    def __init__(self, model: Any, dtype: str) -> None:
        self.model = model
        self.dtype = _HALF[dtype]
        self.name = dtype
        self.saved_data: list[tuple[torch.Tensor, torch.Tensor]] = []
        self.saved_policy: list[tuple[Any, Any]] = []
        self.kept_float32: list[str] = []
        self.hooks: list[Any] = []

    def __enter__(self) -> _HalfPrecision:
        from keras_torch.core.dtype_policy import DTypePolicy

        layers = list(self.model._flatten_layers()) if hasattr(self.model, "_flatten_layers") else []
        for t in _floating_tensors(self.model):
            self.saved_data.append((t, t.data))
            t.data = t.data.to(self.dtype)
        for layer in layers:
            pol = layer.dtype_policy
            if str(pol.compute_dtype).startswith(("float", "bfloat")):
                self.saved_policy.append((layer, pol))
                layer.dtype_policy = DTypePolicy(self.name)
        return self

    def keep_float32(self, layer: Any) -> None:
        from keras_torch.core.dtype_policy import DTypePolicy

        for sub in layer._flatten_layers():
            sub.dtype_policy = DTypePolicy("float32")
        for t in _floating_tensors(layer):
            if t.dtype == self.dtype:
                t.data = t.data.float()
        half = self.dtype

        def upcast(module: Any, args: tuple, kwargs: dict) -> tuple:  # nested inputs (lists) too
            def up(x: Any) -> Any:
                return x.float() if isinstance(x, torch.Tensor) and x.dtype == half else x

            return tree.map_structure(up, args), tree.map_structure(up, kwargs)

        self.hooks.append(layer.register_forward_pre_hook(upcast, with_kwargs=True))
        self.kept_float32.append(getattr(layer, "name", type(layer).__name__))

    def fit(self, wrapper: FlatModel, examples: list[torch.Tensor]) -> None:
        """Trial runs: keep in float32 each layer that fails in half precision."""
        model_layer = self.model
        for _ in range(64):
            try:
                run_flat(wrapper, examples)
                return
            except Exception as err:  # noqa: BLE001
                layer = _session.current_layer(err.__traceback__)
                if layer is None or layer is model_layer or getattr(layer, "name", None) in self.kept_float32:
                    return  # let the normal probe report it
                self.keep_float32(layer)

    def __exit__(self, *exc: Any) -> None:
        for h in self.hooks:
            h.remove()
        for t, data in self.saved_data:
            t.data = data
        for layer, pol in self.saved_policy:
            layer.dtype_policy = pol


def _clean_metadata(path: str, doc: str | None = None, outputs: Any = None) -> None:
    """Producer stamp; drop doc strings (source locations) everywhere, subgraphs included.

    ``outputs``: ``[(shape, {axis: name})]`` per graph output -- static dims get their size and
    dynamic ones their name (shape inference leaves names like ``Loop..._dim_0`` after a Loop).
    """
    import onnx

    from keras_torch.core.version import __version__

    proto = onnx.load(path)
    for out, (shape, dyn) in zip(proto.graph.output, outputs or []):
        tt = out.type.tensor_type
        if len(tt.shape.dim) != len(shape):
            continue
        for i, dim in enumerate(tt.shape.dim):
            if i in dyn:
                dim.dim_param = dyn[i]
            else:
                dim.dim_value = int(shape[i])
    proto.producer_name = "keras_torch"
    proto.producer_version = str(__version__)
    proto.doc_string = doc or ""
    del proto.metadata_props[:]

    def clean_graph(graph: Any) -> None:
        graph.doc_string = ""
        for vi in list(graph.input) + list(graph.output) + list(graph.value_info):
            vi.doc_string = ""
        for node in graph.node:
            node.doc_string = ""
            del node.metadata_props[:]
            for attr in node.attribute:
                attr.doc_string = ""
                if attr.HasField("g"):
                    clean_graph(attr.g)
                for sub in attr.graphs:
                    clean_graph(sub)

    clean_graph(proto.graph)
    for fn in proto.functions:
        fn.doc_string = ""
        for node in fn.node:
            node.doc_string = ""
    onnx.save(proto, path)


def _dynamic_axes(specs: list[Spec], names_out: list[str], dyn_out: list[list[int]], static_batch: bool) -> dict:
    axes: dict[str, dict[int, str]] = {}
    for spec in specs:
        dyn = {i: ("batch" if i == 0 else f"{spec.name}_dim{i}") for i, d in enumerate(spec.shape) if d is None}
        if static_batch:
            dyn.pop(0, None)
        if dyn:
            axes[spec.name] = dyn
    for name, dims in zip(names_out, dyn_out):
        dyn = {i: ("batch" if i == 0 else f"{name}_dim{i}") for i in dims}
        if static_batch:
            dyn.pop(0, None)
        if dyn:
            axes[name] = dyn
    return axes


def export_onnx(
    model: Any,
    filepath: str | os.PathLike,
    input_signature: Any = None,
    opset_version: int | None = None,
    dynamic_axes: bool = True,
    verify: bool = False,
    dtype: str | None = None,
    static_batch: bool | int = False,
    verbose: bool | None = None,
) -> str:
    """Export ``model`` to an ONNX file.

    Args:
        model: A keras_torch model (functional, Sequential or built subclassed model).
        filepath: Destination ``.onnx`` path.
        input_signature: Optional list of input shapes (with ``None``) or objects with
            ``shape``/``dtype``/``name`` (``keras.InputSpec``, ``keras.Input``); defaults to the
            model's Keras inputs.
        opset_version: ONNX opset (default 17).
        dynamic_axes: Keep the batch axis and every ``None`` axis dynamic (``False``: batch 1 and the
            other ``None`` axes fixed at the example size, 7).
        verify: Run onnxruntime on fresh random inputs (other sizes than the traced ones) and raise
            :class:`ExportError` if outputs differ from the model.
        dtype: ``"float16"``/``"bfloat16"`` to export a half-precision model (weights, compute,
            float inputs and outputs); default float32.
        static_batch: Fix the batch axis: ``True`` for batch size 1, or an int.
        verbose: Print the path written and the graph's inputs and outputs (names, shapes with
            the dynamic axes named).

    Returns:
        The path written.
    """
    if dtype in (None, "float32", torch.float32):
        dtype = None
    elif str(dtype).replace("torch.", "") in _HALF:
        dtype = str(dtype).replace("torch.", "")
    else:
        raise ValueError(f"dtype must be None, 'float32', 'float16' or 'bfloat16'; received {dtype!r}.")
    specs = input_specs(model, input_signature)
    for spec, name in zip(specs, unique_names([s.name for s in specs], "input")):
        spec.name = name
    fixed_batch = None if static_batch is False or static_batch is None else (1 if static_batch is True else
                                                                               int(static_batch))
    if not dynamic_axes and fixed_batch is None:
        fixed_batch = 1
    float_dtype = dtype or "float32"
    restore_flags = switch_training_flags(model, False)
    wrapper = FlatModel(model, structure(model, len(specs)))
    wrapper.out_dtype = _HALF.get(dtype or "")
    path = os.fspath(filepath)
    tmp = path + ".tmp"
    half = _HalfPrecision(model, dtype) if dtype else contextlib.nullcontext()
    try:
        with half:
            with _session.exporting(model, "onnx") as session:
                if dtype:
                    half.fit(wrapper, [example(s, 2, 7, float_dtype if s.is_float else s.dtype,
                                               device=model_device(model)) for s in specs])
                (batch, other), examples, sample_out, dyn_out = probe(model, wrapper, specs, session, float_dtype,
                                                                      fixed_batch)
                names_out = output_names(model, wrapper.out_struct, len(sample_out))
                axes = _dynamic_axes(specs, names_out, dyn_out, fixed_batch is not None) if dynamic_axes else {}
                failure: Exception | None = None
                with value_leaks(model) as leaks, captured_output() as printed:
                    try:
                        torch.onnx.export(
                            wrapper, tuple(examples), tmp, dynamo=False, input_names=[s.name for s in specs],
                            output_names=names_out, dynamic_axes=axes or None,
                            opset_version=opset_version or DEFAULT_OPSET, do_constant_folding=True,
                        )
                    except Exception as err:  # noqa: BLE001 - turned into an error naming the layer
                        failure = err
                if leaks:  # (also the likely cause of a failure after it)
                    raise ExportError(f"Could not export {leaks[0]} to ONNX: {VALUE_LEAK_REASON}", failure)
                if failure is not None:
                    raise explain_failure(model, wrapper, failure, "ONNX", "".join(printed)) from None
            _clean_metadata(tmp, outputs=[(tuple(o.shape), axes.get(n, {})) for n, o in zip(names_out, sample_out)])
            if dtype:
                _check_half(tmp, dtype)
            os.replace(tmp, path)
            if verify:  # against the model as it normally runs (export session closed)
                verify_onnx(model, path, specs, dtype=float_dtype, sizes=[(batch, other)])
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
        restore_flags()
    if verbose:
        print(f"Saved ONNX model to {path} ({describe_onnx(path)})")
    return path


def describe_onnx(path: str | os.PathLike) -> str:
    """``inputs: name[batch, 28, 28, 1]; outputs: ...`` for an ONNX file (dynamic axes by name)."""
    import onnx

    def dims(vi: Any) -> str:
        return ", ".join(d.dim_param or str(d.dim_value) for d in vi.type.tensor_type.shape.dim)

    graph = onnx.load(os.fspath(path), load_external_data=False).graph
    ins = "; ".join(f"{i.name}[{dims(i)}]" for i in graph.input)
    outs = "; ".join(f"{o.name}[{dims(o)}]" for o in graph.output)
    return f"inputs: {ins}; outputs: {outs}"


def _check_half(path: str, dtype: str) -> None:
    """Half-precision graphs must type-check: ONNX ops accept bfloat16 only from some opsets."""
    import onnx

    try:
        onnx.checker.check_model(onnx.load(path), full_check=True)
    except Exception as err:  # noqa: BLE001
        msg = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ExportError(f"The {dtype} ONNX graph is not valid ONNX: {msg[:300]} "
                          f"(ONNX ops gained {dtype} support in later opsets than the exporter emits; "
                          "export float32 or float16).", err) from None


def verify_onnx(model: Any, path: str | os.PathLike, specs: Any = None, sizes: Any = None, dtype: str = "float32",
                atol: float | None = None, rtol: float | None = None) -> None:
    """Compare onnxruntime with ``model`` on random inputs; raise :class:`ExportError` on mismatch.

    ``sizes``: ``[(batch, other)]`` pairs (``other`` fills the non-batch ``None`` axes); by default
    batch 3 / length 5 and batch 1 / length 9, i.e. sizes the export did not trace.
    """
    try:
        import onnxruntime as ort
    except ImportError as err:
        raise ImportError("verify=True needs onnxruntime: `pip install onnxruntime`.") from err
    path = os.fspath(path)
    if specs is None:
        specs = input_specs(model, None)
    elif specs and not isinstance(specs[0], Spec):
        specs = input_specs(model, specs)
    half = dtype in _HALF
    atol = atol if atol is not None else (2e-2 if half else 1e-4)
    rtol = rtol if rtol is not None else (2e-2 if half else 1e-4)
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    onnx_inputs = session.get_inputs()
    plan = [(3, 5), (1, 9)] + list(sizes or [])
    wrapper = FlatModel(model, structure(model, len(specs)))
    restore_flags = switch_training_flags(model, False)
    checked = 0
    try:
        for b, other in plan:
            exs = []
            for i, (s, oi) in enumerate(zip(specs, onnx_inputs)):
                dims = [d if isinstance(d, int) else (b if j == 0 else other) for j, d in enumerate(oi.shape)]
                fixed = Spec(tuple(dims), s.dtype, s.name)
                exs.append(example(fixed, b, other, dtype if s.is_float else s.dtype, seed=7 + i,
                                   device=model_device(model)))
            try:
                want = [o.float().cpu().numpy() for o in run_flat(wrapper, exs)]
            except Exception:  # noqa: BLE001 - the model itself rejects this size; skip it
                continue
            feeds = {i.name: _to_numpy(e) for i, e in zip(onnx_inputs, exs)}
            got = session.run(None, feeds)
            if len(got) != len(want):
                raise ExportError(f"ONNX model has {len(got)} outputs, the model {len(want)}.")
            for k, (a, w) in enumerate(zip(got, want)):
                a = np.asarray(a).astype("float32")
                if a.shape != w.shape:
                    raise ExportError(f"ONNX output {k} ('{session.get_outputs()[k].name}') has shape {a.shape}, "
                                      f"the model {w.shape} (batch {b}, dynamic axes {other}).")
                if not np.allclose(a, w, atol=atol, rtol=rtol, equal_nan=True):
                    diff = float(np.nanmax(np.abs(a - w)))
                    raise ExportError(f"ONNX output {k} ('{session.get_outputs()[k].name}') differs from the model: "
                                      f"max abs diff {diff:.3g} (batch {b}, dynamic axes {other}).")
            checked += 1
    finally:
        restore_flags()
    if not checked:
        raise ExportError("verify: the model could not run on any of the verification input sizes "
                          f"{[p for p in plan]} (batch, other None axes).")


def _to_numpy(t: torch.Tensor) -> np.ndarray:
    if t.dtype == torch.bfloat16:
        raise ExportError("verify=True cannot feed bfloat16 inputs (numpy has no bfloat16).")
    return t.cpu().numpy()


__all__ = ["ExportError", "export_onnx", "verify_onnx", "describe_onnx"]
