"""``keras.callbacks.ReduceLROnPlateau`` (Keras 3 semantics)."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import tensor_to_python, to_float
from keras_torch.callbacks.monitor_callback import MonitorCallback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief
from keras_torch.utils.progbar import print_msg


@register("ReduceLROnPlateau", category="callbacks")
class ReduceLROnPlateau(MonitorCallback):
    """Reduce the learning rate when a metric has stopped improving.

    Args:
        monitor: Quantity to be monitored.
        factor: Factor by which the learning rate is reduced: ``new_lr = lr * factor``.
        patience: Number of epochs with no improvement after which the learning rate is reduced.
        verbose: 0 quiet, 1 prints a message on each reduction.
        mode: One of `{"auto", "min", "max"}`.
        min_delta: Threshold for measuring a new optimum (default ``1e-4``).
        cooldown: Number of epochs to wait before resuming normal operation after a reduction.
        min_lr: Lower bound on the learning rate.

    Reads and assigns ``model.optimizer.learning_rate`` (a 0-d tensor or a float). It also
    adds ``learning_rate`` to the epoch logs, so ``History`` records it (as in Keras).

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> reduce_lr = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1, min_lr=1e-4)
    >>> _ = model.fit(x, y, epochs=3, callbacks=[reduce_lr], verbose=0)
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}")

        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0  # Cooldown counter.
        self.wait = 0

    def _reset(self) -> None:
        """Resets wait counter and cooldown counter."""
        self.best = None
        self.cooldown_counter = 0
        self.wait = 0

    def _reduce_optimizer_lr(self, optimizer: Any, epoch: int, name: str = "") -> bool:
        old_lr = to_float(optimizer.learning_rate)
        if old_lr > np.float32(self.min_lr):
            new_lr = old_lr * self.factor
            new_lr = max(new_lr, self.min_lr)
            optimizer.learning_rate = new_lr
            if self.verbose > 0 and is_chief():
                name_str = f" {name}" if name else ""
                print_msg(f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{name_str} learning rate to {new_lr}.")
            return True
        return False

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.monitor_op is None:
            # Delay setup until the model's metrics are all built
            self._set_monitor_op()

        logs = logs or {}
        optimizer = self.model.optimizer
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
        else:
            logs["learning_rate"] = to_float(optimizer.learning_rate)
        current = logs.get(self.monitor)

        if current is None:
            warnings.warn(
                "Learning rate reduction is conditioned on metric "
                f"`{self.monitor}` which is not available. Available metrics "
                f"are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
        else:
            current = tensor_to_python(current)
            if self.in_cooldown():
                self.cooldown_counter -= 1
                self.wait = 0

            if self._is_improvement(current, self.best):
                self.best = current
                self.wait = 0
            elif not self.in_cooldown():
                self.wait += 1
                if self.wait >= self.patience:
                    reduced = False
                    if hasattr(optimizer, "optimizers"):
                        for opt in optimizer.optimizers:
                            if self._reduce_optimizer_lr(opt, epoch, f"{opt.name}"):
                                reduced = True
                    elif self._reduce_optimizer_lr(optimizer, epoch):
                        reduced = True

                    if reduced:
                        self.cooldown_counter = self.cooldown
                        self.wait = 0

    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0
