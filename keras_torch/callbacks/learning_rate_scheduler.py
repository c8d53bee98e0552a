"""``keras.callbacks.LearningRateScheduler`` (Keras 3 semantics)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import to_float
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.utils.progbar import print_msg


@register("LearningRateScheduler", category="callbacks")
class LearningRateScheduler(Callback):
    """Learning rate scheduler.

    At the beginning of every epoch, calls ``schedule(epoch, lr)`` (or ``schedule(epoch)`` if
    that raises ``TypeError``) with the current learning rate and assigns the returned float
    to ``model.optimizer.learning_rate``. Adds ``learning_rate`` to the epoch-end logs.

    Args:
        schedule: A function taking an epoch index (integer, indexed from 0) and the current
            learning rate (float) and returning a new learning rate (float).
        verbose: 0 quiet, 1 prints a message on every update.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> scheduler = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr if epoch < 1 else lr * 0.5)
    >>> _ = model.fit(x, y, epochs=3, callbacks=[scheduler], verbose=0)
    >>> round(float(model.optimizer.learning_rate), 5)
    0.0025
    """

    def __init__(self, schedule: Callable[..., Any], verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _update_optimizer_lr(self, optimizer: Any, epoch: int) -> Any:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')

        try:  # new API
            learning_rate = to_float(optimizer.learning_rate)
            learning_rate = self.schedule(epoch, learning_rate)
        except TypeError:  # Support for old API for backward compatibility
            learning_rate = self.schedule(epoch)

        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(f"The output of the `schedule` function should be a float. Got: {learning_rate}")

        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                learning_rate = self._update_optimizer_lr(opt, epoch)
                if self.verbose > 0:
                    print_msg(
                        f"\nEpoch {epoch + 1}: LearningRateScheduler setting "
                        f"{opt.name} learning rate to {learning_rate}."
                    )
        else:
            learning_rate = self._update_optimizer_lr(optimizer, epoch)
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: LearningRateScheduler setting learning rate to {learning_rate}.")

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
        else:
            logs["learning_rate"] = to_float(optimizer.learning_rate)
