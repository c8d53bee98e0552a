"""Errors for TensorFlow features keras_torch does not provide: name the symbol, the user's line
and the torch-side alternative (never an AttributeError from deep inside)."""

from __future__ import annotations

import os
import traceback

_ALTERNATIVES = {
    "Session": "TF1 sessions have no torch equivalent; run code eagerly",
    "saved_model": "save with `model.save('x.keras')` or export with `model.export('x.onnx', format='onnx')`",
    "lite": "export ONNX with `keras-torch export model.h5 model.onnx`",
    "distribute": "use `keras-torch run --nproc N script.py` (torch.distributed DDP)",
    "sparse": "use dense torch tensors or torch.sparse",
    "RaggedTensor": "pad sequences with `keras.utils.pad_sequences` (or split one string at a time)",
}


class UnsupportedTensorFlowFeature(AttributeError, NotImplementedError):
    """A TensorFlow API keras_torch cannot map onto torch."""


def _user_frame() -> str:
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    for frame in reversed(traceback.extract_stack()[:-2]):
        if not os.path.abspath(frame.filename).startswith(here) and "importlib" not in frame.filename:
            return f'File "{frame.filename}", line {frame.lineno}: {frame.line}'
    return "<unknown location>"


def unsupported(symbol: str) -> UnsupportedTensorFlowFeature:
    leaf = symbol.split(".")[-1]
    alt = next((v for k, v in _ALTERNATIVES.items() if k in symbol.split(".")), None)
    hint = f" Torch-side alternative: {alt}." if alt else " Use the equivalent torch function directly."
    return UnsupportedTensorFlowFeature(
        f"`{symbol}` is not supported by keras_torch's TensorFlow stand-in (used at {_user_frame()}).{hint}"
        + ("" if leaf == symbol else "")
    )
