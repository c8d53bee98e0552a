"""ONNX export of any keras_torch model (built in code or loaded from a Keras file).

One explicit path: torch's TorchScript-based ONNX exporter (it needs no extra package and keeps
dynamic axes), then a clean-up pass that removes local source paths from the graph and stamps
the producer. ``verify=True`` compares onnxruntime with the model on random inputs.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from typing import Any

import numpy as np
import torch

from keras_torch.utils import tree


class ExportError(RuntimeError):
    """A model (or one of its layers) could not be exported."""


def _input_specs(model: Any, input_signature: Any) -> list[tuple[tuple, str, str]]:
    """[(shape with None, dtype, name)] for each model input."""
    if input_signature is not None:
        sigs = input_signature if isinstance(input_signature, (list, tuple)) and not _is_shape(input_signature) \
            else [input_signature]
        out = []
        for i, s in enumerate(sigs):
            shape = tuple(getattr(s, "shape", s))
            dtype = str(getattr(s, "dtype", "float32")).replace("torch.", "")
            out.append((shape, dtype, getattr(s, "name", None) or f"input_{i}"))
        return out
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ExportError(
            f"Model '{model.name}' has no known input shape. Build it (call it on data or give it an "
            "Input) or pass `input_signature=[(None, ...)]`."
        )
    names = list(getattr(model, "input_names", [])) or [f"input_{i}" for i in range(len(inputs))]
    return [(tuple(t.shape), t.dtype, n) for t, n in zip(inputs, names)]


def _is_shape(s: Any) -> bool:
    return isinstance(s, (list, tuple)) and all(d is None or isinstance(d, int) for d in s)


def _example(shape: tuple, dtype: str, batch: int, other: int) -> torch.Tensor:
    dims = [batch if (d is None and i == 0) else (other if d is None else d) for i, d in enumerate(shape)]
    if dtype.startswith("int") or dtype.startswith("uint") or dtype == "bool":
        return torch.ones(dims, dtype=getattr(torch, dtype))
    return torch.rand(dims, dtype=getattr(torch, dtype))


class _FlatModel(torch.nn.Module):
    """Positional tensors in, flat tuple of tensors out (what exporters want)."""

    def __init__(self, model: Any, structure: Any) -> None:
        super().__init__()
        self.model = model
        self.structure = structure

    def forward(self, *flat: torch.Tensor) -> tuple:
        inputs = tree.pack_like(self.structure, list(flat)) if self.structure is not None else flat[0]
        out = self.model(inputs, training=False)
        return tuple(tree.flatten(out))


def _structure(model: Any, n: int) -> Any:
    g = getattr(model, "_graph_obj", None)
    if g is not None:
        return tree.map_structure(lambda _: 0, g.inputs_struct)
    return None if n == 1 else [0] * n


def _output_names(model: Any, n: int) -> list[str]:
    names = list(getattr(model, "output_names", []) or [])
    if len(names) != n or len(set(names)) != n:
        base = names[0] if len(names) == 1 else "output"
        names = [base] if n == 1 else [f"{base}_{i}" for i in range(n)] if len(names) != n else \
            [f"{nm}_{i}" for i, nm in enumerate(names)]
    return names


def _clean_metadata(path: str) -> None:
    import onnx

    from keras_torch import __version__

    proto = onnx.load(path)
    proto.producer_name = "keras_torch"
    proto.producer_version = __version__
    proto.doc_string = ""
    proto.graph.doc_string = ""
    for node in proto.graph.node:
        node.doc_string = ""
        for attr in node.attribute:
            if attr.g is not None:
                for sub in attr.g.node:
                    sub.doc_string = ""
    del proto.metadata_props[:]
    onnx.save(proto, path)


def _locate_failure(model: Any, err: Exception) -> str:
    text = str(err)
    for layer in model._flatten_layers() if hasattr(model, "_flatten_layers") else []:
        name = getattr(layer, "name", None)
        if name and (name in text or type(layer).__name__ in text):
            return f"layer '{name}' ({type(layer).__name__})"
    return f"model '{getattr(model, 'name', '?')}'"


def export_onnx(
    model: Any,
    filepath: str | os.PathLike,
    input_signature: Any = None,
    opset_version: int | None = None,
    dynamic_axes: bool = True,
    verify: bool = False,
    dtype: str | None = None,
    static_batch: bool = False,
    verbose: bool | None = None,
) -> str:
    """Export ``model`` to an ONNX file.

    Args:
        model: A keras_torch model (functional, Sequential or built subclassed model).
        filepath: Destination ``.onnx`` path.
        input_signature: Optional list of input shapes (with ``None``) or objects with
            ``shape``/``dtype``/``name``; defaults to the model's Keras inputs.
        opset_version: ONNX opset (default: the exporter's default).
        dynamic_axes: Keep the batch axis (and any ``None`` axis) dynamic.
        verify: Run onnxruntime on random inputs and raise if outputs differ from the model.
        dtype: ``"float16"``/``"bfloat16"`` to export a half-precision model (default float32).
        static_batch: Fix the batch axis to the example batch size.
        verbose: Unused; accepted for the Keras signature.

    Returns:
        The path written.
    """
    import copy

    specs = _input_specs(model, input_signature)
    export_model = model
    float_dtype = "float32"
    if dtype in ("float16", "bfloat16"):
        export_model = copy.deepcopy(model).to(getattr(torch, dtype))
        float_dtype = dtype
    export_model.eval()
    examples = [_example(s, float_dtype if d.startswith("float") else d, 2, 7) for s, d, _ in specs]
    input_names = [n for _, _, n in specs]
    wrapper = _FlatModel(export_model, _structure(model, len(specs)))
    with torch.no_grad():
        sample_out = wrapper(*examples)
    output_names = _output_names(model, len(sample_out))
    axes: dict[str, dict[int, str]] = {}
    if dynamic_axes:
        for (shape, _, name) in specs:
            dyn = {i: ("batch" if i == 0 else f"{name}_dim{i}") for i, d in enumerate(shape) if d is None}
            if static_batch:
                dyn.pop(0, None)
            if dyn:
                axes[name] = dyn
        for name, out in zip(output_names, sample_out):
            if not static_batch and out.ndim:
                axes[name] = {0: "batch"}
    path = os.fspath(filepath)
    tmp = path + ".tmp"
    try:
        with warnings.catch_warnings(), contextlib.redirect_stdout(open(os.devnull, "w")):  # noqa: SIM115
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapper, tuple(examples), tmp, dynamo=False, input_names=input_names,
                output_names=output_names, dynamic_axes=axes or None, opset_version=opset_version or 17,
                do_constant_folding=True,
            )
    except Exception as err:  # noqa: BLE001 - turned into an error naming the layer
        if os.path.exists(tmp):
            os.remove(tmp)
        raise ExportError(f"Could not export {_locate_failure(model, err)} to ONNX: "
                          f"{str(err).splitlines()[0] if str(err) else type(err).__name__}") from err
    _clean_metadata(tmp)
    os.replace(tmp, path)
    if verify:
        verify_onnx(model, path, specs)
    return path


def verify_onnx(model: Any, path: str, specs: Any = None, batch: int = 3, atol: float = 1e-4,
                rtol: float = 1e-4) -> None:
    """Compare onnxruntime outputs with the model on random inputs (raises on mismatch)."""
    try:
        import onnxruntime as ort
    except ImportError as err:
        raise ImportError("verify=True needs onnxruntime: `pip install onnxruntime`.") from err
    specs = specs or _input_specs(model, None)
    examples = [_example(s, d, batch, 5) for s, d, _ in specs]
    session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
    feeds = {i.name: e.numpy() for i, e in zip(session.get_inputs(), examples)}
    got = session.run(None, feeds)
    wrapper = _FlatModel(model, _structure(model, len(specs)))
    model.eval()
    with torch.no_grad():
        want = [o.float().cpu().numpy() for o in wrapper(*examples)]
    for i, (a, b) in enumerate(zip(got, want)):
        if a.shape != b.shape or not np.allclose(a.astype("float32"), b, atol=atol, rtol=rtol):
            diff = np.abs(a.astype("float32") - b).max() if a.shape == b.shape else f"shape {a.shape} vs {b.shape}"
            raise ExportError(f"ONNX output {i} differs from the model (max abs diff {diff}).")


def export_torch(model: Any, filepath: str | os.PathLike, input_signature: Any = None) -> str:
    """Save a ``torch.export`` program (``.pt2``) loadable with plain ``torch.export.load``."""
    specs = _input_specs(model, input_signature)
    examples = tuple(_example(s, d, 2, 7) for s, d, _ in specs)
    wrapper = _FlatModel(model, _structure(model, len(specs)))
    model.eval()
    batch = torch.export.Dim("batch", min=1)
    dyn = tuple({0: batch} if s and s[0] is None else {} for s, _, _ in specs)
    try:
        program = torch.export.export(wrapper, examples, dynamic_shapes=(dyn,))
    except Exception:  # noqa: BLE001 - some layers specialise the batch size; export it static then
        program = torch.export.export(wrapper, examples)
    path = os.fspath(filepath)
    torch.export.save(program, path)
    return path
