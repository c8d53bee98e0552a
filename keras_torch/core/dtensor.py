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

A weight created under a sharding distribution and not split yet (:mod:`keras_torch.core.pending`:
shape-only, this process keeps its chunk) is read and written the same way: reading it gathers the
chunks, writing it keeps this process' chunk of the whole value.

Without ``torch.distributed.tensor`` imported no tensor can be a ``DTensor``, so these cost one
dictionary look-up in a plain process.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import torch

from keras_torch.core import pending


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
        self.shapes_only = False  # full_value gives shape-only stand-ins (checking a file's shapes)


_GATHERED = _Gathered()


@contextlib.contextmanager
def gathered(values: dict[int, torch.Tensor]) -> Iterator[None]:
    """Within this block :func:`full_value` serves ``values`` (``id(sharded tensor) -> whole value``)."""
    outer, _GATHERED.values = _GATHERED.values, values
    try:
        yield
    finally:
        _GATHERED.values = outer


@contextlib.contextmanager
def shapes_only() -> Iterator[None]:
    """Within this block :func:`full_value` gives a shape-only (``"meta"``) stand-in of a sharded weight
    instead of gathering it: for code that needs the whole shapes only (checking a file against a model)."""
    outer, _GATHERED.shapes_only = _GATHERED.shapes_only, True
    try:
        yield
    finally:
        _GATHERED.shapes_only = outer


def full_value(t: torch.Tensor) -> torch.Tensor:
    """The whole value of ``t`` (``t`` itself unless it is sharded).

    Raises:
        RuntimeError: Inside :func:`gathered`, for a sharded tensor that was not gathered (a
            collective here would wait for processes that are not writing).
    """
    chunk = pending.of(t)
    if chunk is None and not is_sharded(t):
        return t
    if _GATHERED.shapes_only:
        return torch.empty(t.shape, dtype=t.dtype, device="meta")
    if chunk is not None:
        table = _GATHERED.values
        return table[id(t)] if table is not None and id(t) in table else chunk.keeper.gather(t, chunk)
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
    chunk = pending.of(target)
    if chunk is not None:
        chunk.write(value)
        return
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


def local_split(t: torch.Tensor) -> tuple[int, int, int] | None:
    """``(dim, parts, index)``: this process holds chunk ``index`` of ``torch.chunk(whole, parts, dim)`` of
    ``t`` (a sharded weight split on one mesh dimension, or one created split); ``None`` otherwise."""
    chunk = pending.of(t)
    if chunk is not None:
        return chunk.dim, chunk.parts, chunk.index
    if not is_sharded(t):
        return None
    from torch.distributed.tensor import Shard

    shards = [(mesh_dim, p) for mesh_dim, p in enumerate(t.placements) if isinstance(p, Shard)]
    if len(shards) != 1:
        return None
    mesh_dim, placement = shards[0]
    return placement.dim, t.device_mesh.size(mesh_dim), t.device_mesh.get_local_rank(mesh_dim)


def permuted_axis(to_torch: Any, keras_shape: tuple[int, ...], dim: int) -> int | None:
    """The Keras axis that the layout converter ``to_torch`` moves to torch dimension ``dim``, when the
    converter only permutes axes (a transpose): a block of rows of that axis then converts to the same
    block of the stored tensor. ``None`` for any other converter (a reshape, reordered gate blocks)."""
    if to_torch is None:
        return dim if dim < len(keras_shape) else None
    found = None
    for axis, size in enumerate(keras_shape):
        if size < 2:
            continue
        try:
            stored = to_torch(_axis_labels(keras_shape, axis))
        except Exception:  # noqa: BLE001 - a converter made for the whole weight only
            return None
        if sorted(stored.shape) != sorted(keras_shape):
            return None
        hits = [d for d in range(stored.dim())
                if stored.shape[d] == size and torch.equal(stored, _axis_labels(tuple(stored.shape), d))]
        if not hits:
            return None
        if dim in hits:
            found = axis
    return found


def _axis_labels(shape: tuple[int, ...], axis: int) -> torch.Tensor:
    """A view of ``shape`` holding each element's index along ``axis``."""
    view = [1] * len(shape)
    view[axis] = shape[axis]
    return torch.arange(shape[axis], dtype=torch.int32).reshape(view).expand(shape)


def assign_part(target: torch.Tensor, read_part: Any, keras_shape: tuple[int, ...], to_torch: Any) -> bool:
    """Store into ``target`` (sharded, or created split) only its own chunk, read as a block of the
    Keras-layout value: ``read_part(axis, start, stop)`` gives rows ``start:stop`` of ``axis``.

    Returns:
        False, reading nothing, when ``target`` is whole or its chunk is not one block of the Keras
        layout (the caller then reads the whole value).
    """
    split = local_split(target)
    if split is None:
        return False
    dim, parts, index = split
    axis = permuted_axis(to_torch, keras_shape, dim)
    if axis is None:
        return False
    size = keras_shape[axis]
    per = -(-size // parts)
    start = min(index * per, size)
    part = torch.as_tensor(read_part(axis, start, min(start + per, size)))
    part = part.to(dtype=target.dtype, device=home_device(target))
    part = (to_torch(part) if to_torch is not None else part).contiguous()
    chunk = pending.of(target)
    local = chunk.local if chunk is not None else target.to_local()
    if tuple(part.shape) != tuple(local.shape):
        raise RuntimeError(f"Read a block of shape {tuple(part.shape)} for a weight of shape {tuple(target.shape)}, "
                           f"whose chunk here has shape {tuple(local.shape)}.")
    if chunk is not None:
        chunk.write_part(part)
    else:
        with torch.no_grad():
            local.copy_(part)
    return True


def home_device(t: torch.Tensor) -> torch.device:
    """Where ``t``'s values live in this process (a weight created split: its chunk's device)."""
    chunk = pending.of(t)
    return chunk.local.device if chunk is not None else t.device


def local_bytes(tensors: list[torch.Tensor]) -> int:
    """Bytes these tensors occupy in this process (a sharded tensor counts its chunk)."""
    total = 0
    for t in tensors:
        chunk = pending.of(t)
        local = t.to_local() if is_sharded(t) else (chunk.local if chunk is not None else t)
        total += local.numel() * local.element_size()
    return total
