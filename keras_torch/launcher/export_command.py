"""``keras-torch export MODEL.(h5|keras) OUT.onnx [--opset N] [--fp16] [--static-batch]``."""

from __future__ import annotations


def _describe(path: str) -> str:
    import onnx

    def dims(vi: object) -> str:
        shape = vi.type.tensor_type.shape  # type: ignore[attr-defined]
        return ", ".join(d.dim_param or str(d.dim_value) for d in shape.dim)

    graph = onnx.load(path, load_external_data=False).graph
    ins = "; ".join(f"{i.name}[{dims(i)}]" for i in graph.input)
    outs = "; ".join(f"{o.name}[{dims(o)}]" for o in graph.output)
    return f"inputs: {ins}; outputs: {outs}"


def export_file(model_path: str, out_path: str, opset: int | None = None, fp16: bool = False,
                static_batch: bool = False, verify: bool = True, dtype: str | None = None) -> str:
    """Load a Keras file (``.keras``/``.h5``) and export it to ONNX, checked with onnxruntime."""
    from keras_torch.export.onnx import export_onnx
    from keras_torch.saving import load_model

    model = load_model(model_path, compile=False)
    dtype = dtype or ("float16" if fp16 else None)
    path = export_onnx(model, out_path, opset_version=opset, dtype=dtype, static_batch=static_batch,
                       verify=verify and dtype != "bfloat16")
    print(f"Exported {model_path} -> {path} ({_describe(path)})")
    return path
