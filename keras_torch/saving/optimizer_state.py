"""Optimizer state in files: slot variables in Keras layout, and the budget a saved state may claim.

keras_torch stores some weights in a torch-native layout (Dense kernels as ``(out, in)``); their
optimizer slots have that layout too. Files hold them in Keras layout, converted by the weight's
:class:`~keras_torch.core.variables.WeightRecord` (found through the layer weight protocol).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core import pending
from keras_torch.core.variables import WeightRecord
from keras_torch.layers.weight_protocol import weight_groups
from keras_torch.saving.h5 import to_numpy


def _layout_records(model: Any) -> dict[int, WeightRecord]:
    """id(torch tensor) -> WeightRecord for every model weight with a layout converter."""
    return {
        id(s.tensor): s.record
        for g in weight_groups(model)
        for s in g.stored
        if s.record is not None and (s.record.to_keras is not None or s.record.to_torch is not None)
    }


def optimizer_keras_values(model: Any, optimizer: Any) -> list[np.ndarray]:
    """Optimizer variables in Keras layout (slots of e.g. Dense kernels as ``(in, out)``)."""
    recs = _layout_records(model)
    owners = list(getattr(optimizer, "_variable_owners", []))
    values = optimizer.get_weights()
    out = []
    for i, v in enumerate(values):
        owner = owners[i] if i < len(owners) else None
        rec = recs.get(id(owner)) if owner is not None else None
        # The optimizer converts slots of variables that carry their own ``to_keras``; this covers
        # tensors that lost it (e.g. parameters replaced by ``load_state_dict(assign=True)``).
        if rec is not None and rec.to_keras is not None and getattr(owner, "to_keras", None) is None \
                and tuple(np.shape(v)) == tuple(owner.shape):
            v = to_numpy(rec.to_keras(torch.as_tensor(np.asarray(v))))
        out.append(np.asarray(v))
    return out


def optimizer_torch_values(model: Any, optimizer: Any, values: list[Any]) -> list[Any]:
    """Inverse of :func:`optimizer_keras_values` (Keras-layout arrays -> the optimizer's own layout)."""
    recs = _layout_records(model)
    owners = list(getattr(optimizer, "_variable_owners", []))
    current = optimizer.variables
    out = []
    for i, v in enumerate(values):  # (a value still in a file stays there unless converted here)
        owner = owners[i] if i < len(owners) else None
        rec = recs.get(id(owner)) if owner is not None else None
        # As in optimizer_keras_values: the optimizer converts slots of variables carrying ``to_torch``.
        if rec is not None and rec.to_torch is not None and getattr(owner, "to_torch", None) is None \
                and i < len(current):
            v = to_numpy(rec.to_torch(torch.as_tensor(np.asarray(v))))
        out.append(v)
    return out


def slot_owner_paths(optimizer: Any) -> list[str | None]:
    """Keras path (``"dense/kernel"``) of the model variable each optimizer variable belongs to, or ``None``."""
    owners = list(getattr(optimizer, "_variable_owners", []))
    owners += [None] * (len(optimizer.variables) - len(owners))
    # weight_protocol records each model tensor's Keras path on the tensor itself.
    return [None if o is None else o.__dict__.get("_keras_path") for o in owners]


def max_variable_elements(model: Any) -> int:
    """Elements of the model's largest variable (bounds what an optimizer variable may hold)."""
    n = 1
    for t in list(model.parameters()) + list(model.buffers()):
        n = max(n, int(t.numel()))
    return n


def build_optimizer(model: Any) -> None:
    """Create the optimizer's variables now (so a file's state can be assigned to them)."""
    opt = getattr(model, "optimizer", None)
    if opt is not None and not getattr(opt, "built", False):
        pending.materialize(model)  # weights created split (ModelParallel/FSDP): the optimizer needs the split model
        with torch.no_grad():
            opt.build(model.trainable_weights)
