"""Loss and metric results over all ranks.

Metric state variables (totals, counts, confusion matrices) are summed over the ranks whenever
results are read, so logs, ``History`` and callbacks see the same global values on every rank,
equal to single-process training. A placeholder step (a rank whose share of a global batch is
empty runs one dummy row) must not count: its metric updates are rolled back, and a result read
during it uses the state from before it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch

from keras_torch.distribution.collectives import Collectives
from keras_torch.metrics.metric import MetricVariable


def metric_variables(metrics: list[Any]) -> list[MetricVariable]:
    """The state variables of ``metrics`` (each once, in order)."""
    seen: set[int] = set()
    out = []
    for m in metrics:
        for v in getattr(m, "variables", []):
            if isinstance(v, MetricVariable) and id(v) not in seen:
                seen.add(id(v))
                out.append(v)
    return out


class MetricReduction:
    """Global metric results for one process of a data-parallel job.

    Args:
        collectives: The job's collectives.
    """

    def __init__(self, collectives: Collectives) -> None:
        self._comm = collectives
        # State before a placeholder step (by id of the variable): restored after it.
        self._snapshot: dict[int, torch.Tensor] | None = None

    def run_placeholder(self, metrics: Callable[[], list[Any]], step: Callable[[Any], Any], batch: Any) -> Any:
        """``step(batch)`` for a placeholder row: its metric updates are rolled back afterwards.

        ``metrics()`` lists the model's metrics (read again after the step, which may create some).
        """
        variables = metric_variables(metrics())
        self._snapshot = {id(v): v.value.clone() for v in variables}
        try:
            return step(batch)
        finally:
            snap, self._snapshot = self._snapshot, None
            with torch.no_grad():
                for v in metric_variables(metrics()):
                    old = snap.get(id(v))
                    if old is None:
                        v.value.zero_()  # created during the placeholder step
                    else:
                        v.value.copy_(old.to(v.value.device))

    def result(self, metrics: Callable[[], list[Any]], compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """``compute()`` (the local results) evaluated on the state of ``metrics()`` summed over all ranks."""
        variables = metric_variables(metrics())
        if not variables:
            return compute()
        snap = self._snapshot
        local = []
        for v in variables:
            t = v.value
            if snap is not None:  # inside a placeholder step: contribute the state from before it
                old = snap.get(id(v))
                t = torch.zeros_like(t) if old is None else old.to(t.device)
            agg = getattr(v, "aggregation", "sum")
            if agg in ("only_first_replica", "none") and self._comm.rank != 0:
                t = torch.zeros_like(t)
            local.append(t)
        reduced = self._comm.all_reduce_sum(local)
        for v, t in zip(variables, reduced):
            if getattr(v, "aggregation", "sum") == "mean":
                t.div_(self._comm.world_size)
        # Swap the reduced tensors in (not copied: results may alias the state), then back.
        saved = [v._value for v in variables]
        for v, t in zip(variables, reduced):
            v._value = t
        try:
            return compute()
        finally:
            for v, t in zip(variables, saved):
                v._value = t
