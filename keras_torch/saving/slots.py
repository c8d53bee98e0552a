"""A top-level layer's weights as Keras 2 files list them: ``trainable_weights + non_trainable_weights``.

Legacy ``.h5`` files store each layer of a model as one group of datasets named
``<layer path>/<weight name>`` in that order, sub-layers' weights included (a ``Bidirectional``
holds its two RNN cells' weights). :func:`legacy_slots` builds that list from the layer's
:meth:`~keras_torch.layers.Layer.keras_weight_groups`; :func:`assign_slots` writes values back
group by group through the same protocol.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np
from torch import nn

from keras_torch.core import dtensor
from keras_torch.core.naming import unique_name
from keras_torch.layers.weight_protocol import WeightGroup, weight_groups
from keras_torch.saving.h5 import LazyArray, to_numpy


@dataclass
class Slot:
    """One Keras-visible weight of a (top-level) layer, in Keras layout."""

    group: WeightGroup  # the owner's weights this one belongs to
    index: int  # position in group.names / group.keras_weights()
    name: str  # hierarchical Keras name, e.g. "bidirectional/forward_lstm/lstm_cell/kernel"
    short: str  # the weight's own name ("kernel")
    trainable: bool
    shape: tuple


def legacy_slots(layer: nn.Module) -> list[Slot]:
    """Weights of ``layer`` in Keras legacy order ``trainable_weights + non_trainable_weights``."""
    slots: list[Slot] = []
    used: set[str] = set()
    for group in weight_groups(layer):
        for i, (shape, short, trainable) in enumerate(zip(_keras_shapes(group), group.names, group.trainable)):
            if not group.listed[i]:  # tied to an earlier group's weight: Keras lists it once
                continue
            full = unique_name(f"{group.path}/{short}", used)
            slots.append(Slot(group, i, full, short, trainable, shape))
    return [s for s in slots if s.trainable] + [s for s in slots if not s.trainable]


def _keras_shapes(group: WeightGroup) -> list[tuple]:
    """The Keras shapes of a group's weights; sharded ones are not gathered for it (unless the layer computes
    its Keras view from them and other tensors)."""
    try:
        with dtensor.shapes_only():
            return [tuple(a.shape) for a in group.keras_weights()]
    except (RuntimeError, NotImplementedError):
        return [tuple(a.shape) for a in group.keras_weights()]


def slot_values(slots: list[Slot]) -> list[np.ndarray]:
    """The current values of ``slots`` (Keras layout), each owner's weights computed once."""
    cache: dict[int, list[Any]] = {}
    out = []
    for s in slots:
        if id(s.group) not in cache:
            cache[id(s.group)] = s.group.keras_weights()
        out.append(to_numpy(cache[id(s.group)][s.index]))
    return out


def assign_slots(slots: list[Slot], values: list[Any], layer_name: str, sources: list[str] | None = None,
                 skip_mismatch: bool = False) -> bool:
    """Assign ``values`` (Keras layout, legacy order) to ``slots``; shape-checked before anything is read.

    Returns False (after a warning) when ``skip_mismatch`` and something did not fit.
    """
    if len(values) != len(slots):
        msg = (f"Layer '{layer_name}' expects {len(slots)} weight(s) ({[s.name for s in slots]}), but the saved "
               f"weights have {len(values)} element(s).")
        if skip_mismatch:
            warnings.warn(f"Skipping loading weights for layer '{layer_name}' due to mismatch in number of "
                          f"weights. {msg}", stacklevel=3)
            return False
        raise ValueError(msg)
    for i, (s, v) in enumerate(zip(slots, values)):
        shape = tuple(v.shape) if isinstance(v, LazyArray) else tuple(np.shape(v))
        if shape != s.shape:
            where = f" (stored as '{sources[i]}')" if sources else ""
            msg = (f"Shape mismatch in layer '{layer_name}' for weight '{s.name}'{where}: the model expects "
                   f"shape {s.shape}, but the file holds shape {shape}.")
            if skip_mismatch:
                warnings.warn(f"Skipping loading weights for layer '{layer_name}' due to mismatch in shape. {msg}",
                              stacklevel=3)
                return False
            raise ValueError(msg)
    # shapes all match: each value is read when assigned (one at a time; a sharded weight reads its block)
    per_group: dict[int, tuple[WeightGroup, dict[int, Any]]] = {}
    for s, v in zip(slots, values):
        per_group.setdefault(id(s.group), (s.group, {}))[1][s.index] = v
    for group, items in per_group.values():
        count = len(group.names)
        current = group.keras_weights() if len(items) < count else None  # (kept values: gathered only if any)
        group.load_keras_weights([items[i] if i in items else to_numpy(current[i]) for i in range(count)])
    return True
