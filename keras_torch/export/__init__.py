"""Export (``model.export``): ONNX files and ``torch.export`` programs (``.pt2``).

* :func:`export_onnx` -- ONNX via torch's TorchScript exporter; batch and ``None`` axes dynamic
  (recurrent layers included), Keras input/output names, float32 or half precision.
* :func:`export_torch` -- a ``torch.export`` program loadable with plain ``torch.export.load``.
* :func:`is_exporting` -- True while a model is being traced for export (library code that must
  behave differently under tracing can consult it).
"""

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.export._common import ExportError
from keras_torch.export._session import export_target, is_exporting
from keras_torch.export.onnx import export_onnx, verify_onnx
from keras_torch.export.torch_export import export_torch, verify_torch

__all__ = ["ExportError", "export_onnx", "export_torch", "verify_onnx", "verify_torch", "is_exporting",
           "export_target"]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
