"""Which rows of the global data this process reads (data parallelism), and with what weight.

``batch_size`` is the *global* batch. Every rank walks the same global batches (the same
shuffle, from a seed broadcast by rank 0) and takes its contiguous share of each one; a final
partial batch is split the same way, and a rank whose share is empty runs a one-row
placeholder whose gradient weight is 0 and whose metric updates are discarded. Every rank
therefore runs the same number of steps.

The data pipeline (``keras_torch.trainers.data_adapter.DataHandler``) asks a :class:`Sharding`
for its plans and reports, batch by batch, the weight of the step about to run; the gradient
hook and the metric reduction read that weight.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

import torch


def split(n: int, parts: int, index: int) -> tuple[int, int]:
    """``[lo, hi)`` of part ``index`` when ``n`` rows are split as evenly as possible."""
    q, r = divmod(n, parts)
    lo = index * q + min(index, r)
    return lo, lo + q + (1 if index < r else 0)


class BatchPlan(NamedTuple):
    """The rows one process reads in one epoch.

    Attributes:
        rows: Row indices into the global data, in reading order (steps are consecutive runs).
        sizes: Rows per step.
        weights: This process' share of each global batch (0.0: a placeholder row).
    """

    rows: torch.Tensor
    sizes: list[int]
    weights: list[float]


class Sharding:
    """This process' share of the global data, and the weight of the step being run.

    Args:
        rank: This process' rank.
        world_size: Number of processes.
        broadcast_int: ``broadcast_int(value)`` returns rank 0's ``value`` on every rank (used
            for the shared shuffle seed).
    """

    def __init__(self, rank: int, world_size: int, broadcast_int: Callable[[int], int] | None = None) -> None:
        self.rank = rank
        self.world_size = world_size
        self._broadcast_int = broadcast_int
        # The step about to run: its share of the global batch (gradients are scaled by it
        # before the all-reduce) and whether it is a placeholder (its metric updates are dropped).
        self.step_weight: float = 1.0 / world_size
        self.placeholder: bool = False
        # Every process must run as many predict steps as the others (a sharded model's forward
        # pass is collective): shorter shares are padded with placeholder steps.
        self.equal_steps: bool = False

    # ------------------------------------------------------------------ per step
    def begin_step(self, weight: float) -> None:
        """The next step reads a share ``weight`` of its global batch (0.0: a placeholder row)."""
        self.step_weight = weight
        self.placeholder = weight == 0.0

    def end_step(self) -> None:
        """The step ran: a placeholder's state no longer applies."""
        self.placeholder = False

    # ------------------------------------------------------------------ plans
    def shared_seed(self) -> int:
        """A random seed drawn on rank 0, the same on every rank (a collective call).

        Every rank draws one (rank 0's is used): the random streams of the processes stay alike, so
        weights created later under a sharding distribution are cut from the same values everywhere.
        """
        seed = int(torch.randint(0, 2**62, (1,)).item())
        return self._broadcast_int(seed) if self._broadcast_int is not None else seed

    def plan(self, num_rows: int, batch_size: int, shuffle: Any, steps: int | None, epoch: int, seed: int) -> BatchPlan:
        """This process' rows of every global batch of an epoch over ``num_rows`` indexable rows.

        Args:
            num_rows: Rows of the global data.
            batch_size: Global batch size.
            shuffle: ``True`` (rows), ``"batch"`` (batch order) or ``False``.
            steps: Steps per epoch (``None``: every batch).
            epoch: The epoch (the shuffle is seeded with ``seed + epoch``).
            seed: A seed shared by all ranks (see :meth:`shared_seed`).
        """
        nb = math.ceil(num_rows / batch_size)
        order = list(range(nb))
        perm = None
        if shuffle:
            g = torch.Generator()
            g.manual_seed(seed + int(epoch))
            if shuffle == "batch":
                order = torch.randperm(nb, generator=g).tolist()
            else:
                perm = torch.randperm(num_rows, generator=g)
        if steps is not None:
            order = order[: int(steps)]
        starts, sizes, weights = [], [], []
        for b in order:
            s = b * batch_size
            bsz = min(batch_size, num_rows - s)
            lo, hi = split(bsz, self.world_size, self.rank)
            if hi > lo:
                starts.append(s + lo)
                sizes.append(hi - lo)
                weights.append((hi - lo) / bsz)
            else:  # empty share: one placeholder row, gradient weight 0, metrics discarded
                starts.append(s)
                sizes.append(1)
                weights.append(0.0)
        if starts:
            st = torch.tensor(starts, dtype=torch.int64)
            sz = torch.tensor(sizes, dtype=torch.int64)
            offsets = torch.cumsum(sz, 0) - sz
            idx = torch.arange(int(sz.sum()), dtype=torch.int64) - torch.repeat_interleave(offsets, sz)
            idx = idx + torch.repeat_interleave(st, sz)
        else:
            idx = torch.zeros(0, dtype=torch.int64)
        if perm is not None:
            idx = perm[idx]
        return BatchPlan(idx, sizes, weights)

    def share(self, batch_rows: int) -> tuple[slice, float]:
        """This process' rows of one global batch of a stream, and its weight (a placeholder row if empty)."""
        lo, hi = split(batch_rows, self.world_size, self.rank)
        weight = (hi - lo) / batch_rows if batch_rows else 0.0
        return (slice(lo, hi) if hi > lo else slice(0, 1)), weight

    def predict_rows(self, total: int) -> tuple[int, int]:
        """``[lo, hi)``: the contiguous rows this process predicts out of ``total``."""
        return split(total, self.world_size, self.rank)

    def predict_spans(self, total: int, batch_size: int) -> list[tuple[int, int]]:
        """This process' predict steps over ``total`` rows: ``[lo, hi)`` ranges of its contiguous share.

        A process without rows predicts one placeholder row; with :attr:`equal_steps`, shorter
        shares are padded with placeholder rows up to the longest. Placeholder rows follow the
        real ones, so the gather (``row_counts``) drops them.
        """
        lo, hi = self.predict_rows(total)
        bs = self.predict_batch_size(batch_size)
        spans = [(s, min(s + bs, hi)) for s in range(lo, hi, bs)] or [(0, 1)]
        if self.equal_steps:
            longest = max(1, math.ceil(max(self.row_counts(total)) / bs))
            spans += [(0, 1)] * (longest - len(spans))
        return spans

    def predict_batch_size(self, batch_size: int) -> int:
        """Rows per predict step (each rank runs its share of every global batch)."""
        return max(1, math.ceil(batch_size / self.world_size))

    def row_counts(self, total: int) -> list[int]:
        """Rows each rank predicts out of ``total``, in rank order."""
        return [hi - lo for lo, hi in (split(total, self.world_size, r) for r in range(self.world_size))]
