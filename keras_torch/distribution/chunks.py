"""Weights created under ``ModelParallel`` / ``FSDP``: which chunk a process keeps, and back.

While a sharding distribution is active, :mod:`keras_torch.core.pending` asks
:class:`CreationChunks` which chunk of each new weight this process keeps. The decision is
made at creation, from what is known then: ``FSDP`` splits by shape alone (exactly as it will
split the model); ``ModelParallel`` looks the weight's path up in its ``LayoutMap``, but the
path at creation is the layer's own (``"query/kernel"``), without the names of the layers that
will hold it (``"mha/query/kernel"``). When the model is split, each chunk either is the one
the sharded weight needs (no communication) or, when the final layout differs, is re-assembled
whole (one weight at a time, from every process' chunk) and cut again.

Chunks are cut as ``torch.chunk`` (and ``DTensor``'s ``Shard``) cut: chunk ``i`` of ``parts``
along ``dim`` holds ``ceil(size / parts)`` rows (the last ones fewer, or none).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from keras_torch.core import pending as _pending
from keras_torch.core.pending import PendingChunk
from keras_torch.core.variables import KerasVariable, WeightRecord
from keras_torch.distribution import process_group
from keras_torch.distribution.collectives import Collectives
from keras_torch.distribution.weight_layout import Split, Weight


class CreationChunks:
    """The :class:`keras_torch.core.pending.ChunkKeeper` of a ``ModelParallel`` / ``FSDP``.

    Args:
        distribution: The ``ModelParallel`` / ``FSDP`` (its mesh, how it would split a weight at creation,
            its collectives, and ``split_now``).
    """

    def __init__(self, distribution: Any) -> None:
        self._distribution = distribution

    # ------------------------------------------------------------------ at creation
    def creation_split(self, value: torch.Tensor, path: str, record: WeightRecord) -> tuple[int, int, int, Any] | None:
        mesh = self._distribution.device_mesh
        if math.prod(mesh.shape) < 2 or process_group.world_size() < 2:
            return None
        weight = Weight(path, None, record.attr, value, record, True)  # (owner unknown yet)
        split = self._distribution.creation_split(weight)
        if split is None:
            return None
        parts = math.prod(mesh.axis_size(a) for a in split.axes)
        return split.dim, parts, self.index_of(process_group.rank(), split.axes), split.axes

    @property
    def collectives(self) -> Collectives:
        return self._distribution.collectives

    def axis_size(self, axis: str) -> int:
        return self._distribution.device_mesh.axis_size(axis)

    def index_of(self, rank: int, axes: tuple[str, ...]) -> int:
        """The chunk process ``rank`` holds of a weight split over ``axes``: its coordinates on those axes,
        in mesh order, flattened (processes are laid on the mesh in row-major order)."""
        mesh = self._distribution.device_mesh
        coords = np.unravel_index(rank, mesh.shape)
        index = 0
        for name, size, coord in zip(mesh.axis_names, mesh.shape, coords):
            if name in axes:
                index = index * size + int(coord)
        return index

    # ------------------------------------------------------------------ before the split
    def gather(self, tensor: torch.Tensor, chunk: PendingChunk) -> torch.Tensor:
        """The whole value of a pending weight: each chunk is broadcast by the first process holding it
        (a collective: every process asks for the same weights in the same order)."""
        device = self._connect(tensor)
        agree_with_chief([tensor], self._distribution.collectives)
        whole = torch.empty(tuple(tensor.shape), dtype=chunk.local.dtype, device=chunk.local.device)
        holders = self._holders(chunk)
        me = dist.get_rank()
        for i in range(chunk.parts):
            target = _pending.chunk_of(whole, chunk.dim, chunk.parts, i)
            if target.numel() == 0:
                continue
            src = holders[i]
            if me == src:
                buf = chunk.local.to(device=device, memory_format=torch.contiguous_format)
            else:
                buf = torch.empty(tuple(target.shape), dtype=whole.dtype, device=device)
            dist.broadcast(buf, src)  # (the default group: all processes)
            target.copy_(buf)
            del buf
        return whole

    def _holders(self, chunk: PendingChunk) -> dict[int, int]:
        """``chunk index -> the first rank holding it`` (every rank computes the same table)."""
        out: dict[int, int] = {}
        for r in range(dist.get_world_size()):
            out.setdefault(self.index_of(r, chunk.tag), r)
        return out

    def materialize(self, module: torch.nn.Module) -> None:
        """Split ``module`` now (an eager call before any ``fit``/``evaluate``/``predict``); a layer used on
        its own (not a model) gets its weights whole."""
        self._connect(module)
        if hasattr(module, "_distribution_state"):
            self._distribution.split_now(module)
        else:
            make_whole(module, self)

    def _connect(self, what: Any) -> torch.device:
        """Join the process group (the device collectives run on)."""
        if not self._distribution.connect():
            raise RuntimeError(
                f"A weight of shape {tuple(getattr(what, 'shape', ()))} was created split under "
                f"{type(self._distribution).__name__}, but this process is not part of a group of several: "
                "run the script with keras-torch run --nproc N (or torchrun).")
        return self._distribution.collective_device


def agree_with_chief(params: list[KerasVariable], comm: Collectives) -> None:
    """Before the chunks of pending weights are used (gathered, or become sharded weights): make them
    chunks of process 0's values, as for a model created whole (whose weights process 0 broadcasts).
    Every process passes the same weights in the same order.

    Processes seeded alike drew the same values. Where a process drew others (torch seeds each process
    differently unless told otherwise), it draws process 0's value again from process 0's random state
    before that weight (one weight at a time) and keeps its chunk.

    Raises:
        ValueError: In every process, naming the weights still different from process 0's (values that
            were set differently, not drawn).
    """
    if not params:
        return
    differ = _differing(params, comm)
    if not comm.any(bool(differ)):
        return
    flags = torch.zeros(len(params), dtype=torch.int32, device=comm.comm_device)
    flags[differ] = 1
    dist.all_reduce(flags, op=dist.ReduceOp.MAX)
    size = torch.get_rng_state().numel()
    for i in torch.nonzero(flags.cpu()).flatten().tolist():
        chunk = params[i].pending_chunk
        state = chunk.redraw.rng_state if chunk.redraw is not None else torch.zeros(size, dtype=torch.uint8)
        header = torch.tensor([0 if chunk.redraw is None else 1], dtype=torch.int32, device=comm.comm_device)
        chief_state = state.to(comm.comm_device, copy=True)
        dist.broadcast(header, 0)
        dist.broadcast(chief_state, 0)
        if int(header.item()) and i in differ and chunk.redraw is not None:
            whole = chunk.redraw.with_state(chief_state.cpu())
            chunk.keep(whole)
            del whole
    still = _differing(params, comm)
    if comm.any(bool(still)):
        raise ValueError(
            "Weights created under a sharding distribution keep one chunk per process, so every process must "
            "set them alike, but "
            f"{[params[i].path for i in still] or 'some weights'} differ from process 0's. Set the same values "
            "in every process.")


def _differing(params: list[KerasVariable], comm: Collectives) -> list[int]:
    """Which of ``params`` (pending) were cut from other whole values than process 0's (by fingerprint)."""
    mine = torch.tensor([v for p in params for v in p.pending_chunk.fingerprint], dtype=torch.float64)
    chief = mine.to(comm.comm_device, copy=True)
    dist.broadcast(chief, 0)
    same = torch.isclose(mine, chief.cpu(), rtol=1e-9, atol=0.0).reshape(-1, 2).all(dim=1)
    return [i for i, ok in enumerate(same.tolist()) if not ok]


def rechunk(weights: list[Weight], splits: dict[int, Split | None], chunks: CreationChunks) -> None:
    """Make each pending weight hold the chunk its final split needs (the split decided at creation
    can differ: a ``LayoutMap`` key matching the full path only). One weight at a time, in the same
    order everywhere: its chunks are gathered whole and cut again; a weight left replicated is kept
    whole."""
    for w in weights:
        chunk = _pending.of(w.tensor)
        if chunk is None:
            continue
        split = splits.get(id(w.tensor))
        if split is not None and split.dim == chunk.dim and set(split.axes) == set(chunk.tag):
            continue
        whole = chunks.gather(w.tensor, chunk)
        if split is None:  # replicated
            _replace_whole(w.owner, w.attr, w.tensor, whole)
            continue
        parts = math.prod(chunks.axis_size(a) for a in split.axes)
        chunk.dim, chunk.parts, chunk.tag = split.dim, parts, tuple(split.axes)
        chunk.index = chunks.index_of(process_group.rank(), chunk.tag)
        chunk.keep(whole)
        del whole


def _replace_whole(owner: torch.nn.Module, attr: str, tensor: KerasVariable, whole: torch.Tensor) -> None:
    """A whole parameter (same metadata) replaces the shape-only ``tensor`` on ``owner``."""
    whole_param = KerasVariable(whole, requires_grad=tensor.requires_grad)
    whole_param.__dict__.update({k: v for k, v in tensor.__dict__.items() if k != "pending_chunk"})
    _pending.release(tensor)
    torch.nn.Module.__setattr__(owner, attr, whole_param)


def make_whole(module: torch.nn.Module, chunks: CreationChunks) -> None:
    """Gather ``module``'s pending weights whole, one at a time (a layer called on its own: no model to split)."""
    agree_with_chief(_pending.pending_in(module), chunks.collectives)
    for owner in module.modules():
        for attr, p in list(owner.named_parameters(recurse=False)):
            chunk = _pending.of(p)
            if chunk is not None:
                _replace_whole(owner, attr, p, chunks.gather(p, chunk))


def move_materialized(model: torch.nn.Module, device: torch.device) -> None:
    """Move ``model``'s parameters and buffers to ``device``, leaving shape-only ones where they are."""
    with torch.no_grad():
        for module in model.modules():
            for p in module.parameters(recurse=False):
                if not p.is_meta and p.device != device:
                    p.data = p.data.to(device)
            for name, b in module.named_buffers(recurse=False):
                if b.device != device:
                    module.register_buffer(name, b.to(device), persistent=name not in module._non_persistent_buffers_set)


__all__ = ["CreationChunks", "agree_with_chief", "make_whole", "move_materialized", "rechunk"]
