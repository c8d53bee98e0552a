"""Collectives over the default process group, batched into few calls.

Many small tensors (weights, metric totals) are flattened per dtype into buffers of at most
64 Mi elements, so a broadcast or all-reduce of a whole model costs a handful of calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
import torch.distributed as dist

from keras_torch.core import tree

_CHUNK_ELEMENTS = 1 << 26


class Collectives:
    """The collectives a data-parallel process runs, on the device its backend communicates from.

    Args:
        device: This process' device.
        group: The processes taking part (default: all of them). ``rank`` and ``world_size``
            are this process' place in it; ``src`` ranks are ranks within it.
    """

    def __init__(self, device: torch.device, group: Any = None) -> None:
        self.group = group
        self.rank: int = dist.get_rank(group)
        self.world_size: int = dist.get_world_size(group)
        self.backend: str = dist.get_backend(group)
        self.device = device
        # gloo communicates from host memory, NCCL from the GPU.
        self.comm_device = device if self.backend == "nccl" else torch.device("cpu")

    def _coalesced(self, tensors: list[torch.Tensor], fn: Callable[[torch.Tensor], Any],
                   out: list[torch.Tensor] | None = None) -> None:
        """Run ``fn(flat)`` on the tensors flattened per dtype, then write back (into ``out``)."""
        out = tensors if out is None else out
        groups: dict[torch.dtype, list[int]] = {}
        for i, t in enumerate(tensors):
            groups.setdefault(t.dtype, []).append(i)
        for idxs in groups.values():
            chunk: list[int] = []
            size = 0
            for i in idxs + [None]:  # type: ignore[list-item]
                if i is not None and (size + tensors[i].numel() <= _CHUNK_ELEMENTS or not chunk):
                    chunk.append(i)
                    size += tensors[i].numel()
                    continue
                if chunk:
                    flat = torch.cat([tensors[j].detach().reshape(-1).to(self.comm_device) for j in chunk])
                    if flat.dtype == torch.bool:
                        flat = flat.to(torch.uint8)  # not every backend reduces bool; copy_ casts back
                    fn(flat)
                    off = 0
                    with torch.no_grad():
                        for j in chunk:
                            n = tensors[j].numel()
                            out[j].copy_(flat[off:off + n].view_as(tensors[j]))
                            off += n
                if i is not None:
                    chunk, size = [i], tensors[i].numel()

    def broadcast(self, tensors: list[torch.Tensor], src: int = 0) -> None:
        """Overwrite ``tensors`` in place with rank ``src``'s values."""
        if tensors:
            root = self._global_rank(src)
            self._coalesced(tensors, lambda f: dist.broadcast(f, root, group=self.group))

    def all_reduce_sum(self, tensors: list[torch.Tensor]) -> list[torch.Tensor]:
        """Elementwise sums over all ranks, as new tensors (the inputs are left alone)."""
        reduced = [torch.empty_like(t) for t in tensors]
        self._coalesced(tensors, lambda f: dist.all_reduce(f, group=self.group), out=reduced)
        return reduced

    def all_reduce_mean_(self, tensors: list[torch.Tensor]) -> None:
        """Replace ``tensors`` in place with their elementwise means over the group."""
        if not tensors:
            return
        n = float(self.world_size)

        def mean(flat: torch.Tensor) -> None:
            dist.all_reduce(flat, group=self.group)
            flat.div_(n)

        self._coalesced(tensors, mean)

    def _global_rank(self, group_rank: int) -> int:
        return group_rank if self.group is None else dist.get_global_rank(self.group, group_rank)

    def broadcast_int(self, value: int, src: int = 0) -> int:
        """Rank ``src``'s ``value`` on every rank."""
        t = torch.tensor([int(value)], dtype=torch.int64, device=self.comm_device)
        dist.broadcast(t, self._global_rank(src), group=self.group)
        return int(t.item())

    def any(self, flag: bool) -> bool:
        """True on every rank if ``flag`` is true on any rank."""
        t = torch.tensor([1 if flag else 0], dtype=torch.int32, device=self.comm_device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX, group=self.group)
        return bool(t.item())

    def barrier(self) -> None:
        """Wait until every rank reaches this point."""
        if self.backend == "nccl":
            dist.barrier(group=self.group, device_ids=[self.device.index])
        else:
            dist.barrier(group=self.group)

    def all_gather_rows(self, result: Any, counts: list[int]) -> Any:
        """Concatenate every rank's leading ``counts[rank]`` rows of each array in ``result``, in rank order."""
        rows = max(max(counts), 1)

        def gather(a: Any) -> Any:
            if not isinstance(a, np.ndarray) or a.ndim == 0:
                return a
            t = torch.from_numpy(np.ascontiguousarray(a)).to(self.comm_device)
            t = t[: counts[self.rank]]
            if t.shape[0] < rows:  # all_gather needs equal shapes: pad, then drop the padding
                t = torch.cat([t, t.new_zeros((rows - t.shape[0],) + tuple(t.shape[1:]))])
            bufs = [torch.empty_like(t) for _ in range(self.world_size)]
            dist.all_gather(bufs, t.contiguous(), group=self.group)
            return torch.cat([b[:c] for b, c in zip(bufs, counts)]).cpu().numpy()

        return tree.map_structure(gather, result)
