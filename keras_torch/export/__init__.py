"""Export (``model.export``): ONNX and ``torch.export`` programs."""

from keras_torch.export.onnx import ExportError, export_onnx, export_torch, verify_onnx

__all__ = ["ExportError", "export_onnx", "export_torch", "verify_onnx"]
