"""What a train/test step needs besides the model: mixed-precision autocast, loss scaling, batch size."""

from __future__ import annotations

import contextlib
from typing import Any

import torch

from keras_torch.core import tree

_MIXED = {"mixed_float16": torch.float16, "mixed_bfloat16": torch.bfloat16}
_NO_AUTOCAST = contextlib.nullcontext()


def mixed_dtype() -> torch.dtype | None:
    """The compute dtype of the global ``mixed_*`` policy (``None`` without one)."""
    from keras_torch.core.dtype_policy import GLOBAL_POLICY as _GLOBAL_POLICY

    return _MIXED.get(_GLOBAL_POLICY["name"] or "")


def autocast(x: Any) -> Any:
    """``torch.autocast`` on the device of ``x`` under a ``mixed_*`` policy (else a no-op context)."""
    dtype = mixed_dtype()
    if dtype is None:
        return _NO_AUTOCAST
    device = next((t.device for t in tree.flatten(x) if isinstance(t, torch.Tensor)), torch.device("cpu"))
    return torch.autocast(device_type=device.type, dtype=dtype)


class ScalerShim:
    """GradScaler.unscale_ wants an optimizer with param_groups; ours keeps its own state."""

    def __init__(self, params: list[torch.Tensor]) -> None:
        self.param_groups = [{"params": params}]
        self.state: dict = {}


def grad_scaler(model: Any, x: Any) -> torch.amp.GradScaler | None:
    """``model``'s loss scaler under ``mixed_float16`` (created on first use), else ``None``."""
    if mixed_dtype() is not torch.float16:
        return None
    scaler = model._grad_scaler
    if scaler is None:
        device = next((t.device.type for t in tree.flatten(x) if isinstance(t, torch.Tensor)), "cpu")
        scaler = model._grad_scaler = torch.amp.GradScaler(device)
    return scaler


def batch_rows(x: Any) -> int:
    """Rows of a batch (1 for scalars)."""
    if type(x) is torch.Tensor and x.ndim:
        return x.shape[0]
    for t in tree.flatten(x):
        if hasattr(t, "shape") and len(t.shape):
            return int(t.shape[0])
    return 1
