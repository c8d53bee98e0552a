"""``keras.callbacks.History``: per-epoch logs, returned by ``fit()``."""

from __future__ import annotations

from typing import Any

from keras_torch.callbacks._utils import to_python
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


@register("History", category="callbacks")
class History(Callback):
    """Callback that records events into a `History` object.

    Added automatically to every ``fit()``; ``fit()`` returns it and sets ``model.history``.
    ``history`` maps each log key to the list of its per-epoch values (Python floats) and
    ``epoch`` lists the epoch indices seen (since the last ``on_train_begin``).

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> history = model.fit(x, y, epochs=3, verbose=0)
    >>> type(history).__name__, list(history.history), history.epoch
    ('History', ['loss'], [0, 1, 2])
    """

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list[Any]] = {}
        self.epoch: list[int] = []

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.epoch = []

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        self.epoch.append(epoch)
        for k, v in logs.items():
            self.history.setdefault(k, []).append(to_python(v))

        # Set the history attribute on the model after the epoch ends, so the state it points
        # to is the latest one.
        self.model.history = self
