"""dtype names <-> torch dtypes."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

_NAMES = {
    "float16": torch.float16,
    "half": torch.float16,
    "bfloat16": torch.bfloat16,
    "float32": torch.float32,
    "float": torch.float32,
    "float64": torch.float64,
    "double": torch.float64,
    "int8": torch.int8,
    "int16": torch.int16,
    "int32": torch.int32,
    "int64": torch.int64,
    "uint8": torch.uint8,
    "uint16": torch.uint16,
    "uint32": torch.uint32,
    "uint64": torch.uint64,
    "bool": torch.bool,
    "complex64": torch.complex64,
    "complex128": torch.complex128,
}


def to_torch_dtype(dtype: Any) -> torch.dtype:
    """Accept a name, numpy dtype, torch dtype or Keras DTypePolicy config."""
    if isinstance(dtype, torch.dtype):
        return dtype
    if isinstance(dtype, dict):  # Keras 3 DTypePolicy config
        inner = dtype.get("config", {})
        dtype = inner.get("name", "float32") if isinstance(inner, dict) else inner
    if hasattr(dtype, "compute_dtype"):
        dtype = dtype.compute_dtype
    if isinstance(dtype, str):
        name = dtype
        if name.startswith("mixed_"):
            name = name[len("mixed_") :]
        if name in _NAMES:
            return _NAMES[name]
        raise ValueError(f"Unknown dtype: {dtype!r}. Valid names: {sorted(_NAMES)}")
    if dtype is float:
        return torch.float32
    if dtype is int:
        return torch.int64
    if dtype is bool:
        return torch.bool
    if isinstance(dtype, (np.dtype, type)):
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
        if name in _NAMES:
            return _NAMES[name]
    raise ValueError(f"Invalid dtype: {dtype!r}. Expected a dtype name (such as 'float32'), a numpy or torch dtype, "
                     f"or a DTypePolicy.")


def is_string_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` names Keras's ``"string"`` dtype (``str``, numpy str/bytes/object dtypes).

    torch has no string tensors: string data stays in numpy until a text layer turns it into integers.
    """
    if isinstance(dtype, str):
        return dtype in ("string", "str")
    if dtype in (str, bytes, object, np.str_, np.bytes_):  # (the tf stand-in's tf.string is object)
        return True
    return isinstance(dtype, np.dtype) and dtype.kind in "OUS"


def dtype_name(dtype: Any) -> str:
    """Keras string name of a dtype (``"string"`` for string dtypes, which have no torch dtype)."""
    if is_string_dtype(dtype):
        return "string"
    t = to_torch_dtype(dtype)
    return str(t).replace("torch.", "")


def is_float(dtype: Any) -> bool:
    return to_torch_dtype(dtype).is_floating_point
