"""Tensor helpers shared by losses and metrics (Keras 3 ``losses/loss.py`` semantics).

Everything here is host-sync free: no ``.item()``, no data-dependent Python branching.
"""

from __future__ import annotations

import collections
import re
from typing import Any

import numpy as np
import torch

from keras_torch.core import config
from keras_torch.core.dtypes import to_torch_dtype

_UIDS: collections.defaultdict[str, int] = collections.defaultdict(int)


def to_snake_case(name: str) -> str:
    """``"MeanSquaredError"`` -> ``"mean_squared_error"`` (Keras ``naming.to_snake_case``)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def auto_name(prefix: str) -> str:
    """Unique snake-case name: ``precision``, ``precision_1``, ... (Keras ``naming.auto_name``)."""
    name = to_snake_case(prefix)
    unique = f"{name}_{_UIDS[name]}" if name in _UIDS else name
    _UIDS[name] += 1
    return unique


def reset_uids() -> None:
    """Forget the auto-name counters (``keras.backend.clear_session`` calls this)."""
    _UIDS.clear()


def resolve_dtype(dtype: Any) -> torch.dtype:
    """``None`` -> floatx; otherwise any dtype spelling (incl. Keras ``"int"``)."""
    if dtype is None:
        return floatx_dtype()
    if dtype == "int":
        return torch.int64
    return to_torch_dtype(dtype)


def floatx_dtype() -> torch.dtype:
    """``config.floatx()`` as a torch dtype (cheap; called on hot paths)."""
    name = config.floatx()
    dt = _FLOATX.get(name)
    if dt is None:
        dt = _FLOATX[name] = to_torch_dtype(name)
    return dt


_FLOATX: dict[str, torch.dtype] = {}


def to_tensor(x: Any, dtype: torch.dtype | None = None, device: torch.device | None = None) -> torch.Tensor:
    """Convert ``x`` to a torch tensor; a no-op (same object) when dtype/device already match.

    Returning the same object matters: it keeps ``_keras_logits``/``_keras_mask`` attributes.
    """
    if isinstance(x, torch.Tensor):
        if dtype is not None and x.dtype != dtype:
            x = x.to(dtype)
        if device is not None and x.device != device:
            x = x.to(device)
        return x
    if hasattr(x, "numpy") and not isinstance(x, np.ndarray):  # tf tensors, jax arrays...
        x = x.numpy()
    arr = np.asarray(x)
    if dtype is None and arr.dtype == np.float64:
        dtype = resolve_dtype(None)
    t = torch.as_tensor(arr)
    return t.to(device=device, dtype=dtype) if (dtype is not None or device is not None) else t


def dtype_str(dtype: torch.dtype) -> str:
    """Keras name of a torch dtype (``torch.float32`` -> ``"float32"``)."""
    return str(dtype).replace("torch.", "")


def squeeze_or_expand_to_same_rank(
    x1: torch.Tensor, x2: torch.Tensor, expand_rank_1: bool = True
) -> tuple[torch.Tensor, torch.Tensor]:
    """Squeeze/expand the last dim if ranks differ by exactly one (Keras rule, verbatim)."""
    r1, r2 = x1.ndim, x2.ndim
    if r1 == r2:
        return x1, x2
    if r1 == r2 + 1 and x1.shape[-1] == 1:
        if r2 == 1 and expand_rank_1:
            x2 = x2.unsqueeze(-1)
        else:
            x1 = x1.squeeze(-1)
    if r2 == r1 + 1 and x2.shape[-1] == 1:
        if r1 == 1 and expand_rank_1:
            x1 = x1.unsqueeze(-1)
        else:
            x2 = x2.squeeze(-1)
    return x1, x2


def divide_no_nan(x: torch.Tensor, y: torch.Tensor | float) -> torch.Tensor:
    """``x / y`` with 0 wherever ``y == 0`` (``tf.math.divide_no_nan``)."""
    if not isinstance(y, torch.Tensor):
        if y == 0:
            return torch.zeros_like(x)
        return x / y
    q = x / y
    if y.device.type == "cpu" and y.numel() == 1 and float(y) != 0:  # a CPU scalar read is free; where is not
        return q
    return torch.where(y == 0, 0.0, q)  # (a Python 0: no extra allocation/fill kernel on accelerators)


def get_keras_mask(x: Any) -> torch.Tensor | None:
    """The ``_keras_mask`` attribute Keras attaches to masked tensors, if any."""
    return getattr(x, "_keras_mask", None)


def set_keras_mask(x: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
    """Attach ``mask`` to ``x`` as ``_keras_mask`` (returns ``x``)."""
    x._keras_mask = mask  # type: ignore[attr-defined]
    return x


def canonicalize_axis(axis: int, ndim: int) -> int:
    """Positive axis index; raises like Keras for out-of-range axes."""
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for an array of dimension {ndim}")
    return axis % ndim
