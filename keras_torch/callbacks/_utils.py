"""Helpers shared by the callbacks: log conversion and override detection.

Keras 3's ``CallbackList`` runs ``pythonify_logs`` on every hook: values become Python floats
and the dict is sorted by key (nested dicts flattened). On torch, ``float(tensor)`` waits for
the device, so doing that on every batch would serialize training. ``CallbackList`` therefore
converts batch logs only when a callback that may read them as numbers is attached (see
:func:`accepts_lazy_logs`); epoch/begin/end logs are always converted, as in Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


def default(method: F) -> F:
    """Mark a base-class hook as "does nothing" (Keras ``python_utils.default``)."""
    method._is_default = True  # type: ignore[attr-defined]
    return method


def is_default(method: Any) -> bool:
    """Whether ``method`` is an un-overridden base hook."""
    return getattr(method, "_is_default", False)


def accepts_lazy_logs(method: F) -> F:
    """Mark a built-in hook that copes with unconverted (tensor) batch logs by itself."""
    method._accepts_lazy_logs = True  # type: ignore[attr-defined]
    return method


def needs_python_logs(method: Any) -> bool:
    """Whether a hook must receive Python-float logs (user code, or unknown code)."""
    return not (is_default(method) or getattr(method, "_accepts_lazy_logs", False))


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "detach") and hasattr(value, "numel") and hasattr(value, "dtype")


def to_numpy(value: Any) -> Any:
    """Host copy of a torch tensor (bfloat16/float16 upcast to float32); other values unchanged."""
    if _is_tensor(value):
        value = value.detach()
        if str(value.dtype) in ("torch.bfloat16", "torch.float8_e4m3fn", "torch.float8_e5m2"):
            value = value.float()
        return value.cpu().numpy()
    return value


def to_python(value: Any) -> Any:
    """Keras ``pythonify_logs`` on one value: ``float(value)`` when possible, else unchanged.

    Python floats are returned untouched (no work); a 1-element tensor costs one device sync;
    a multi-element tensor becomes a numpy array (as Keras' ``convert_to_numpy``).
    """
    if type(value) is float:
        return value
    try:
        if _is_tensor(value):
            if value.numel() == 1:
                return float(value.detach())
            value = to_numpy(value)
        return float(value)
    except Exception:  # noqa: BLE001 - Keras swallows every conversion error
        return value


def tensor_to_python(value: Any) -> Any:
    """:func:`to_python` for torch tensors only; any other value is returned unchanged."""
    if _is_tensor(value):
        return to_python(value)
    return value


def to_float(value: Any) -> float:
    """``float(value)`` for a scalar log value (tensor, numpy scalar or number)."""
    if type(value) is float:
        return value
    if _is_tensor(value):
        return float(value.detach())
    return float(np.asarray(value).reshape(()))


def pythonify_logs(logs: Any) -> dict[str, Any]:
    """Flatten, sort by key and convert values to Python floats where possible (Keras 3)."""
    logs = logs or {}
    result: dict[str, Any] = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(pythonify_logs(value))
        else:
            result[key] = to_python(value)
    return result


def sort_logs(logs: Any) -> dict[str, Any]:
    """Same keys and order as :func:`pythonify_logs`, values left as they are (no sync)."""
    logs = logs or {}
    result: dict[str, Any] = {}
    for key, value in sorted(logs.items()):
        if isinstance(value, dict):
            result.update(sort_logs(value))
        else:
            result[key] = value
    return result
