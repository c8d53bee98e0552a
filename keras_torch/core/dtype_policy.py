"""Keras dtype policies: the variable dtype and the compute dtype of a layer (``mixed_float16``...)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import config as _config
from keras_torch.core.dtypes import dtype_name, to_torch_dtype


class DTypePolicy:
    """Keras dtype policy: variable dtype + compute dtype (``mixed_float16`` etc.)."""

    def __init__(self, name: str | None = None) -> None:
        name = name or _config.floatx()
        self.name = name
        if name.startswith("mixed_"):
            self.compute_dtype, self.variable_dtype = name[len("mixed_") :], "float32"
        else:
            self.compute_dtype = self.variable_dtype = dtype_name(name)
        self.torch_compute_dtype = to_torch_dtype(self.compute_dtype)
        # Mixed policies keep float32 inputs and weights; torch.autocast (set up by the trainer)
        # runs the ops in the compute dtype, as Keras's mixed precision does.
        self.autocast = self.compute_dtype == self.variable_dtype
        self.is_mixed = not self.autocast

    def serialize(self) -> Any:
        return {"module": "keras", "class_name": "DTypePolicy", "config": {"name": self.name}, "registered_name": None}

    def __repr__(self) -> str:
        return f'<DTypePolicy "{self.name}">'


GLOBAL_POLICY: dict[str, str | None] = {"name": None}


def resolve_policy(dtype: Any) -> DTypePolicy:
    if isinstance(dtype, DTypePolicy):
        return dtype
    if dtype is None:
        return DTypePolicy(GLOBAL_POLICY["name"])
    if isinstance(dtype, dict):
        cfg = dtype.get("config", {})
        return DTypePolicy(cfg.get("name", "float32"))
    if isinstance(dtype, torch.dtype) or not isinstance(dtype, str):
        return DTypePolicy(dtype_name(dtype))
    return DTypePolicy(dtype)


