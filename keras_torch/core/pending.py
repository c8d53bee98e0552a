"""Weights created under a sharding distribution: this process keeps its chunk only.

While ``keras.distribution.ModelParallel`` / ``FSDP`` is active (``set_distribution`` or its
``scope()``), a layer's weight is still initialised whole, as in one process (same random draws,
so results stay equal to single-process training), but right after its creation this process
keeps only the chunk the sharded model will hold (:class:`PendingChunk`) and the parameter's data
becomes a shape-only ``"meta"`` tensor. Symbolic building, ``summary()``, ``count_params`` and
configs need shapes only. The chunks become the sharded ``DTensor`` parameters when the model is
split (its first ``fit``/``evaluate``/``predict``, or an eager call); until then
:mod:`keras_torch.core.dtensor` reads (a collective gather) and writes (the own chunk of a whole
value) them. A process therefore holds its chunks plus, transiently, one whole weight.

The distribution installs a :class:`ChunkKeeper` here (this package cannot import it); with none
installed, :func:`split_new_weight` keeps every weight whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, Protocol

import torch

from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.variables import KerasVariable, WeightRecord


class Redraw:
    """How a weight's initial value was drawn: its initializer call and the random state before it, so a
    process can compute another process' draw (e.g. process 0's, when the random streams differ).

    Args:
        draw: Draws the whole initial value (torch layout) from torch's global generator.
        rng_state: ``torch.get_rng_state()`` just before this process drew it.
    """

    def __init__(self, draw: Callable[[], torch.Tensor], rng_state: torch.Tensor) -> None:
        self.draw = draw
        self.rng_state = rng_state

    def with_state(self, state: torch.Tensor) -> torch.Tensor:
        """The value ``draw`` gives from the random state ``state`` (torch's own state is left as it was)."""
        saved = torch.get_rng_state()
        try:
            torch.set_rng_state(state)
            return self.draw()
        finally:
            torch.set_rng_state(saved)


class PendingChunk:
    """This process' chunk of a weight whose parameter is shape-only until the model is split.

    Args:
        local: Chunk ``index`` of ``torch.chunk(whole, parts, dim)`` (empty when there are fewer chunks).
        dim: The torch dimension it is cut along.
        parts: How many chunks the whole is cut in.
        index: Which of them this process holds.
        keeper: The distribution that made it (gathers it, splits the model).
        tag: What the keeper needs to find the other chunks (e.g. the mesh axes splitting it).
        redraw: How the value was drawn (``None`` once a value was written to the weight).
    """

    def __init__(self, local: torch.Tensor, dim: int, parts: int, index: int, keeper: ChunkKeeper,
                 tag: Any = None, redraw: Redraw | None = None) -> None:
        self.local = local
        self.dim = dim
        self.parts = parts
        self.index = index
        self.keeper = keeper
        self.tag = tag
        self.redraw = redraw
        # (sum, 2-norm) in float64 of the whole value last written, the same in every process that was
        # given the same value: compared across processes before the chunks become the sharded weight
        self.fingerprint: tuple[float, float] = (0.0, 0.0)

    def keep(self, whole: torch.Tensor) -> None:
        """Keep this process' chunk of ``whole`` (every process is given the same whole value)."""
        with torch.no_grad():
            self.local = chunk_of(whole, self.dim, self.parts, self.index).clone(memory_format=torch.contiguous_format)
            self.fingerprint = fingerprint(whole)

    def write_part(self, local: torch.Tensor) -> None:
        """This process' chunk, read alone from a file every process reads (the same values everywhere
        by construction: the fingerprint says so rather than describing a whole value never seen)."""
        self.local = local
        self.fingerprint = FROM_SHARED_SOURCE
        self.redraw = None

    def write(self, whole: torch.Tensor) -> None:
        """A whole value written to the weight (``set_weights``, a file): keep its chunk."""
        self.keep(whole)
        self.redraw = None


class ChunkKeeper(Protocol):
    """What a sharding distribution provides for weights created while it is active."""

    def creation_split(self, value: torch.Tensor, path: str, record: WeightRecord) -> tuple[int, int, int, Any] | None:
        """``(dim, parts, index, tag)``: this process keeps chunk ``index`` of ``torch.chunk(value, parts, dim)``
        of the new trainable weight at ``path`` (``tag``: kept for the keeper); ``None`` keeps it whole."""

    def gather(self, tensor: torch.Tensor, pending: PendingChunk) -> torch.Tensor:
        """The whole value from every process' chunk (a collective)."""

    def materialize(self, module: torch.nn.Module) -> None:
        """Split ``module`` now (its chunks become sharded parameters; a collective)."""


class _Keeper:
    """The installed keeper (``None``: weights are kept whole) and how many chunks are pending."""

    def __init__(self) -> None:
        self.keeper: ChunkKeeper | None = None
        self.count = 0  # weights pending now (0 keeps the eager-call check at one comparison)


_KEEPER = _Keeper()
_FINGERPRINT_SLAB = 1 << 16  # elements converted to float64 at a time
FROM_SHARED_SOURCE = (0.0, -1.0)  # the fingerprint of a chunk read alone from a file (no norm is negative)


def install(keeper: ChunkKeeper | None) -> None:
    """Make ``keeper`` decide for the weights created from now on (``None``: keep them whole)."""
    _KEEPER.keeper = keeper


def installed() -> ChunkKeeper | None:
    """The keeper deciding for new weights, if any."""
    return _KEEPER.keeper


def chunk_of(whole: torch.Tensor, dim: int, parts: int, index: int) -> torch.Tensor:
    """Chunk ``index`` of ``torch.chunk(whole, parts, dim)`` as a view (empty past the last chunk), as
    ``DTensor``'s ``Shard(dim)`` and FSDP2 cut it."""
    size = whole.shape[dim]
    per = -(-size // parts)
    start = min(index * per, size)
    return whole.narrow(dim, start, max(0, min(per, size - start)))


def fingerprint(whole: torch.Tensor) -> tuple[float, float]:
    """``(sum, 2-norm)`` of ``whole`` in float64, slab by slab (no whole-size temporary)."""
    t = whole.detach().reshape(1) if whole.dim() == 0 else whole.detach()
    rows = max(1, _FINGERPRINT_SLAB // max(1, t[0].numel()))
    total = squares = 0.0
    for slab in t.split(rows):
        d = slab.to(torch.float64)
        total += float(d.sum().real) if d.is_complex() else float(d.sum())
        squares += float((d.abs() ** 2).sum())
    return total, math.sqrt(squares)


def rng_state() -> torch.Tensor | None:
    """torch's random state, when a sharding distribution is active (for a :class:`Redraw`), else ``None``."""
    return torch.get_rng_state() if _KEEPER.keeper is not None else None


def split_new_weight(value: torch.Tensor, path: str, trainable: bool, record: WeightRecord,
                     redraw: Redraw | None = None) -> tuple[torch.Tensor, PendingChunk | None]:
    """Called by ``add_weight`` with a new weight's whole (torch-layout) value, before its parameter exists.

    Returns:
        ``(value, None)`` to store it whole, or, when a sharding distribution is active and splits it,
        a shape-only ``"meta"`` stand-in and this process' chunk (give both to :func:`adopt`).
    """
    keeper = _KEEPER.keeper
    # (a layer built inside an eager call is used right away: it stays whole, split with its model later)
    if keeper is None or value.is_meta or not trainable or CALL_CONTEXT.depth > 0:
        return value, None
    split = keeper.creation_split(value, path, record)
    if split is None:
        return value, None
    dim, parts, index, tag = split
    chunk = PendingChunk(value.new_empty(0), dim, parts, index, keeper, tag, redraw)
    chunk.keep(value)
    return torch.empty(value.shape, dtype=value.dtype, device="meta"), chunk


def adopt(tensor: KerasVariable, chunk: PendingChunk | None) -> None:
    """``tensor`` (made from the stand-in :func:`split_new_weight` returned) holds ``chunk`` until split."""
    if chunk is not None:
        tensor.pending_chunk = chunk
        _KEEPER.count += 1


def release(tensor: KerasVariable) -> None:
    """``tensor`` is no longer pending: its chunk became a sharded weight, or its whole value a new
    parameter (``tensor`` itself stays shape-only)."""
    if tensor.pending_chunk is not None:
        tensor.pending_chunk = None
        _KEEPER.count -= 1


def of(tensor: Any) -> PendingChunk | None:
    """The pending chunk of ``tensor`` (``None`` for any other tensor)."""
    if not isinstance(tensor, KerasVariable):
        return None
    return tensor.pending_chunk


def any_created() -> bool:
    """Whether any weight is pending in this process (cheap guard for hot paths)."""
    return _KEEPER.count > 0


def pending_in(module: torch.nn.Module) -> list[KerasVariable]:
    """The pending parameters of ``module`` (recursively)."""
    if not any_created():
        return []
    return [p for p in module.parameters() if isinstance(p, KerasVariable) and p.pending_chunk is not None]


def materialize(module: torch.nn.Module) -> None:
    """Split ``module`` if it holds pending weights (before a call that needs their values)."""
    params = pending_in(module)
    if params:
        params[0].pending_chunk.keeper.materialize(module)


__all__ = ["ChunkKeeper", "PendingChunk", "Redraw", "adopt", "any_created", "chunk_of", "fingerprint", "install", "installed",
           "materialize", "of", "pending_in", "release", "rng_state", "split_new_weight"]
