"""``keras.callbacks.EarlyStopping`` (Keras 3 semantics)."""

from __future__ import annotations

import warnings
from typing import Any

from keras_torch.callbacks._utils import tensor_to_python
from keras_torch.callbacks.monitor_callback import MonitorCallback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief
from keras_torch.utils.progbar import print_msg


@register("EarlyStopping", category="callbacks")
class EarlyStopping(MonitorCallback):
    """Stop training when a monitored metric has stopped improving.

    Args:
        monitor: Quantity to be monitored. Defaults to `"val_loss"`.
        min_delta: Minimum change in the monitored quantity to qualify as an improvement.
        patience: Number of epochs with no improvement after which training will be stopped.
        verbose: Verbosity mode, 0 or 1 (prints ``Epoch N: early stopping`` at the end).
        mode: One of `{"auto", "min", "max"}`.
        baseline: Baseline value for the monitored quantity: training stops if the model
            doesn't improve over it within ``patience`` epochs.
        restore_best_weights: Restore the weights of the best epoch at the end of training
            (only when there was at least one monitored epoch).
        start_from_epoch: Number of epochs to wait before starting to monitor improvement.

    Sets ``model.stop_training = True``; the training loop stops after the current epoch.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> # stop when the loss has not improved by at least min_delta for `patience` epochs
    >>> stop = keras.callbacks.EarlyStopping(monitor="loss", min_delta=1.0, patience=1, restore_best_weights=True)
    >>> history = model.fit(x, y, epochs=100, callbacks=[stop], verbose=0)
    >>> len(history.history["loss"])
    2
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: Any = None
        self.start_from_epoch = start_from_epoch
        self.best_epoch = 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # Allow instances to be re-used
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.monitor_op is None:
            # Delay setup until the model's metrics are all built
            self._set_monitor_op()

        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            # If no monitor value exists or still in initial warm-up stage.
            return
        if self.restore_best_weights and self.best_weights is None:
            # If best weights were never set, then the current weights are the best.
            self.best_weights = self.model.get_weights()
            self.best_epoch = epoch

        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            # Only restart wait if we beat both the baseline and our previous best.
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return

        if self.wait >= self.patience and epoch > 0:
            # Patience has been exceeded: stop training
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0 and is_chief():
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0 and is_chief():
                print_msg(f"Restoring model weights from the end of the best epoch: {self.best_epoch + 1}.")
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict[str, Any] | None) -> Any:
        logs = logs or {}
        monitor_value = logs.get(self.monitor)
        if monitor_value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` "
                "which is not available. "
                f"Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
            return None
        return tensor_to_python(monitor_value)
