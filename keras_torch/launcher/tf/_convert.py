"""Value conversions shared by the ``tf`` stand-in modules: TensorFlow's dtype rules on torch."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.utils.string_tensor import StringTensor, as_string_tensor, is_string_value

STRING = np.dtype(object)  # ``tf.string``: string tensors are object arrays (see utils/string_tensor.py)
_INT32 = np.iinfo(np.int32)


def is_string_dtype(dtype: Any) -> bool:
    return dtype is object or dtype == "string" or (isinstance(dtype, np.dtype) and dtype == STRING)


def dtype(value: Any) -> torch.dtype:
    """A TensorFlow dtype argument (name, numpy/torch dtype, Python type) as a torch dtype."""
    if isinstance(value, torch.dtype):
        return value
    return to_torch_dtype(value)


def tensor(value: Any, dtype_: Any = None) -> Any:
    """``tf.convert_to_tensor``: a torch tensor (a :class:`StringTensor` for strings).

    Python numbers and lists follow TensorFlow: floats become float32, ints int32 (int64 when
    they do not fit), bools bool; numpy arrays and tensors keep their dtype unless ``dtype_``.
    """
    if is_string_dtype(dtype_) or isinstance(value, StringTensor) or is_string_value(value):
        return as_string_tensor(value)
    if isinstance(value, torch.Tensor):
        t = value
    elif isinstance(value, (np.ndarray, np.generic)):
        t = torch.tensor(np.asarray(value))  # a copy, as TensorFlow's constants
    else:
        items = value
        if isinstance(value, (list, tuple)) and any(isinstance(v, torch.Tensor) for v in _leaves(value)):
            items = _nested_numpy(value)
        arr = np.asarray(items)
        if arr.dtype == np.float64:
            arr = arr.astype(np.float32)
        elif arr.dtype.kind == "i" and (arr.size == 0 or (arr.min() >= _INT32.min and arr.max() <= _INT32.max)):
            arr = arr.astype(np.int32)
        t = torch.as_tensor(arr)
    if dtype_ is not None:
        t = t.to(dtype(dtype_))
    return t


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _leaves(item)]
    return [value]


def _nested_numpy(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_nested_numpy(v) for v in value]
    return value.detach().cpu().numpy() if isinstance(value, torch.Tensor) else value


def like(value: Any, ref: torch.Tensor) -> torch.Tensor:
    """``value`` as a tensor with ``ref``'s dtype and device when it is a Python scalar."""
    if isinstance(value, torch.Tensor):
        return value
    if isinstance(value, (int, float, bool)):
        return torch.as_tensor(value, dtype=ref.dtype, device=ref.device)
    return tensor(value).to(ref.device)


def shape(value: Any) -> tuple[int, ...]:
    """A shape argument (list/tuple of ints or 0-d tensors, a 1-d tensor, a ``torch.Size``) as ints."""
    if isinstance(value, torch.Tensor):
        return tuple(int(v) for v in value.reshape(-1).tolist())
    if isinstance(value, (int, np.integer)):
        return (int(value),)
    return tuple(int(v) for v in value)


def axis(value: Any) -> Any:
    """An axis argument as an int or a tuple of ints (``None`` stays ``None``)."""
    if value is None:
        return None
    if isinstance(value, torch.Tensor):
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return tuple(int(v) for v in value)
    return int(value)
