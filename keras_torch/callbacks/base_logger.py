"""tf-keras 2's ``callbacks.BaseLogger``: epoch averages of the batch logs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from keras_torch.callbacks._utils import tensor_to_python
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


@register("BaseLogger", category="callbacks")
class BaseLogger(Callback):
    """Accumulates the batch logs of an epoch, weighted by batch size, and writes their averages at its end.

    tf-keras 1 added it to every model; in tf-keras 2 and Keras 3 ``fit`` already reports epoch
    averages, so it matters for scripts that pass it explicitly or read its totals. Batch logs
    need a ``"size"`` entry (the batch size) to be weighted -- without one the epoch logs are left
    as ``fit`` computed them; metrics named in ``stateful_metrics`` are reported as their last value.

    Args:
        stateful_metrics: Names of metrics that are not averaged.

    Example:

    >>> logger = keras.callbacks.BaseLogger()
    >>> model.fit(x, y, callbacks=[logger])  # doctest: +SKIP
    """

    def __init__(self, stateful_metrics: Iterable[str] | None = None) -> None:
        super().__init__()
        self.stateful_metrics = set(stateful_metrics or [])
        self.seen = 0
        self.totals: dict[str, Any] = {}

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self.seen = 0
        self.totals = {}

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        logs = dict(logs or {})
        batch_size = logs.get("size", 0)
        self.seen += batch_size * logs.get("num_steps", 1)
        for key, value in logs.items():
            value = tensor_to_python(value)
            if key in self.stateful_metrics:
                self.totals[key] = value
            else:
                self.totals[key] = self.totals.get(key, 0) + value * batch_size

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if logs is None or not self.seen:  # no batch reported its "size": nothing to weight
            return
        for key in (self.params or {}).get("metrics") or list(self.totals):
            if key in self.totals and key not in ("size", "num_steps"):
                logs[key] = self.totals[key] if key in self.stateful_metrics else self.totals[key] / self.seen
