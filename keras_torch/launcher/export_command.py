"""``keras-torch export MODEL.(h5|keras) OUT.onnx [--opset N] [--fp16] [--static-batch]``."""

from __future__ import annotations

import importlib.util

ONNX_INSTALL_HINT = "pip install onnx onnxruntime"


def onnx_missing() -> list[str]:
    """The packages ONNX export (and its onnxruntime check) needs that are not installed."""
    return [name for name in ("onnx", "onnxruntime") if importlib.util.find_spec(name) is None]


def export_file(model_path: str, out_path: str, opset: int | None = None, fp16: bool = False,
                static_batch: bool = False, verify: bool = True, dtype: str | None = None) -> str:
    """Load a Keras file (``.keras``/``.h5``) and export it to ONNX, checked with onnxruntime.

    Nothing is written unless the export (and its check) succeeds; an existing ``out_path`` is
    replaced only then.

    Raises:
        ImportError: ``onnx`` or ``onnxruntime`` is not installed.
        FileNotFoundError: ``model_path`` does not exist, or the folder of ``out_path`` does not.
    """
    from keras_torch.export.onnx import describe_onnx, export_onnx
    from keras_torch.saving import load_model
    from keras_torch.saving.files import atomic_write

    missing = onnx_missing()
    if missing:
        raise ImportError(f"ONNX export needs {' and '.join(missing)}, which is not installed: {ONNX_INSTALL_HINT}")
    model = load_model(model_path, compile=False)
    dtype = dtype or ("float16" if fp16 else None)
    atomic_write(out_path, lambda tmp: export_onnx(model, tmp, opset_version=opset, dtype=dtype,
                                                   static_batch=static_batch, verify=verify and dtype != "bfloat16"))
    print(f"Exported {model_path} -> {out_path} ({describe_onnx(out_path)})")
    return out_path
