"""``keras-torch export MODEL.(h5|keras) OUT.onnx [--opset N] [--fp16] [--static-batch]``."""

from __future__ import annotations


def export_file(model_path: str, out_path: str, opset: int | None = None, fp16: bool = False,
                static_batch: bool = False, verify: bool = True, dtype: str | None = None) -> str:
    """Load a Keras file (``.keras``/``.h5``) and export it to ONNX, checked with onnxruntime."""
    from keras_torch.export.onnx import describe_onnx, export_onnx
    from keras_torch.saving import load_model

    model = load_model(model_path, compile=False)
    dtype = dtype or ("float16" if fp16 else None)
    path = export_onnx(model, out_path, opset_version=opset, dtype=dtype, static_batch=static_batch,
                       verify=verify and dtype != "bfloat16")
    print(f"Exported {model_path} -> {path} ({describe_onnx(path)})")
    return path
