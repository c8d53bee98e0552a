"""Saving a sharded model: every process gathers, process 0 writes an ordinary file.

A model sharded by ``keras_torch.distribution.ModelParallel``/``FSDP`` holds each weight (and
each optimizer slot) as a ``DTensor`` shard. Saving it is **collective**: every process calls
``model.save(...)`` / ``save_weights(...)`` (the callbacks do so on their own), the sharded
tensors are all-gathered one at a time in a fixed order, process 0 keeps the whole values on the
host and writes the file with the ordinary writers (atomic, as always), and every process returns
once the file exists. The files are the same ``.keras`` / ``.weights.h5`` / ``.h5`` a single
process writes, loadable anywhere.

Memory: process 0 holds one whole copy of the weights (and of the optimizer state, if saved) in
host memory while writing; every other process holds at most one whole tensor at a time.

Loading needs no help: every process reads from the file only its own block of each weight
(``keras_torch.core.dtensor.assign_part``; the whole weight, one at a time, where the stored layout
is not a transpose of the Keras one), so no process ever holds the whole model. A model whose
weights were created split and not split yet (``keras_torch.core.pending``) is saved the same way:
its chunks are gathered one weight at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

import torch
import torch.distributed as dist

from keras_torch.core import dtensor, pending


def _sharded_tensors(model: Any, include_optimizer: bool) -> list[torch.Tensor]:
    tensors = [t for t in list(model.parameters()) + list(model.buffers())
               if dtensor.is_sharded(t) or pending.of(t) is not None]
    optimizer = getattr(model, "optimizer", None) if include_optimizer else None
    if optimizer is not None and getattr(optimizer, "built", False):
        tensors += [v for v in getattr(optimizer, "variables", []) if dtensor.is_sharded(v)]
    return tensors


def is_sharded_model(model: Any) -> bool:
    """True when ``model`` holds sharded weights, or weights created split and not split yet (saving it
    is then a collective call)."""
    return isinstance(model, torch.nn.Module) and any(dtensor.is_sharded(p) or pending.of(p) is not None
                                                      for p in model.parameters())


@contextlib.contextmanager
def writing(model: Any, include_optimizer: bool = True) -> Iterator[bool]:
    """Around writing a file of ``model``: yields whether this process writes it.

    A model without sharded weights: yields ``True`` and does nothing else. A sharded model: all
    processes gather its sharded tensors (in the same order), process 0 writes (yields ``True``)
    while whole values are served to the writers, and all processes meet after the write.
    """
    if not is_sharded_model(model):
        yield True
        return
    writer = dist.get_rank() == 0
    values: dict[int, torch.Tensor] = {}
    for t in _sharded_tensors(model, include_optimizer):
        whole = dtensor.full_value(t).detach()  # collective, one tensor at a time
        if writer:
            values[id(t)] = whole.cpu()
        del whole
    try:
        with dtensor.gathered(values):
            yield writer
    finally:
        values.clear()
        dist.barrier()  # the file exists in every process once save() returns
