"""Sharded weights (torch ``DTensor``) as the rest of keras_torch sees them.

A distribution that shards a model (``keras_torch.distribution.ModelParallel`` / ``FSDP``) stores
its weights and their optimizer slots as ``DTensor``: every process holds its shard only. The
code that reads or writes a weight *as a whole* goes through these helpers and stays unaware of
the layout:

* :func:`full_value` — the whole value of a weight (``get_weights``, files). For a sharded weight
  this is a collective (an all-gather): every process of the mesh must ask, in the same order.
  Inside :func:`gathered` the values gathered beforehand are served instead, so one process can
  write a file alone (``keras_torch.saving.sharded``).
* :func:`assign` — copy a whole value into a weight; a sharded weight keeps its own chunk of it
  (no communication: every process is given the same value).
* :func:`initial_like` — a new tensor with a weight's layout (optimizer slots).

Without ``torch.distributed.tensor`` imported no tensor can be a ``DTensor``, so these cost one
dictionary look-up in a plain process.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import torch


def _dtensor_type() -> Any:
    mod = sys.modules.get("torch.distributed.tensor")
    return getattr(mod, "DTensor", None) if mod is not None else None


def is_sharded(t: Any) -> bool:
    """True for a ``DTensor`` (a weight laid out over a device mesh)."""
    cls = _dtensor_type()
    return cls is not None and isinstance(t, cls)


class _Gathered:
    """Whole values gathered before a file is written, by ``id`` of the sharded tensor."""

    def __init__(self) -> None:
        self.values: dict[int, torch.Tensor] | None = None


_GATHERED = _Gathered()


@contextlib.contextmanager
def gathered(values: dict[int, torch.Tensor]) -> Iterator[None]:
    """Within this block :func:`full_value` serves ``values`` (``id(sharded tensor) -> whole value``)."""
    outer, _GATHERED.values = _GATHERED.values, values
    try:
        yield
    finally:
        _GATHERED.values = outer


def full_value(t: torch.Tensor) -> torch.Tensor:
    """The whole value of ``t`` (``t`` itself unless it is sharded).

    Raises:
        RuntimeError: Inside :func:`gathered`, for a sharded tensor that was not gathered (a
            collective here would wait for processes that are not writing).
    """
    if not is_sharded(t):
        return t
    table = _GATHERED.values
    if table is not None:
        value = table.get(id(t))
        if value is None:
            raise RuntimeError(
                f"A sharded tensor of shape {tuple(t.shape)} was read while saving but was not gathered first: "
                "only the model's weights and its optimizer's variables are gathered for a file."
            )
        return value
    return t.detach().full_tensor()


def replicated(t: torch.Tensor) -> torch.Tensor:
    """A value computed from sharded weights as a plain tensor, the same in every process
    (differentiable; a collective when ``t`` is sharded). Plain tensors pass through."""
    return t.full_tensor() if is_sharded(t) else t


def local_part(value: torch.Tensor, like: Any) -> torch.Tensor:
    """This process' chunk of the whole ``value`` laid out like the sharded tensor ``like``."""
    from torch.distributed.tensor import distribute_tensor

    value = value.to(device=like.to_local().device, dtype=like.dtype)
    # Every process holds the same whole value: each keeps its chunk, nothing is sent.
    return distribute_tensor(value, like.device_mesh, like.placements, src_data_rank=None).to_local()


def assign(target: torch.Tensor, value: torch.Tensor) -> None:
    """Copy the whole ``value`` into ``target`` (a sharded target stores its own chunk)."""
    with torch.no_grad():
        if is_sharded(target):
            target.to_local().copy_(local_part(value, target))
        else:
            target.copy_(value)


def initial_like(reference: Any, fill: float | None, value: torch.Tensor | None = None) -> torch.Tensor:
    """A tensor laid out like the sharded ``reference``: filled with ``fill``, or a chunk of ``value``.

    Args:
        reference: A ``DTensor`` (e.g. a sharded weight).
        fill: Constant to fill with (when ``value`` is ``None``).
        value: The whole initial value, chunked like ``reference``.
    """
    from torch.distributed.tensor import DTensor

    if value is None:
        local = torch.full_like(reference.to_local().detach(), float(fill), requires_grad=False)
    else:
        local = local_part(value, reference)
    return DTensor.from_local(local, reference.device_mesh, reference.placements, run_check=False,
                              shape=reference.shape, stride=reference.stride())


def local_bytes(tensors: list[torch.Tensor]) -> int:
    """Bytes these tensors occupy in this process (a sharded tensor counts its chunk)."""
    total = 0
    for t in tensors:
        local = t.to_local() if is_sharded(t) else t
        total += local.numel() * local.element_size()
    return total
