"""``keras-torch export MODEL.(h5|keras) OUT.onnx``."""

from __future__ import annotations


def export_file(model_path: str, out_path: str, opset: int | None = None, fp16: bool = False,
                static_batch: bool = False) -> str:
    from keras_torch.export.onnx import export_onnx
    from keras_torch.saving import load_model

    model = load_model(model_path, compile=False)
    path = export_onnx(model, out_path, opset_version=opset, dtype="float16" if fp16 else None,
                       static_batch=static_batch)
    print(f"Exported {model_path} -> {path}")
    return path
