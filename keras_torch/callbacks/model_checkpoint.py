"""``keras.callbacks.ModelCheckpoint`` (Keras 3 semantics)."""

from __future__ import annotations

import os
import re
import warnings
from typing import Any

import numpy as np

from keras_torch.callbacks._utils import accepts_lazy_logs, pythonify_logs
from keras_torch.callbacks.monitor_callback import MonitorCallback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief
from keras_torch.saving import sharded
from keras_torch.utils.progbar import print_msg


def _is_array_like(value: Any) -> bool:
    return isinstance(value, np.ndarray) or (hasattr(value, "detach") and hasattr(value, "shape"))


@register("ModelCheckpoint", category="callbacks")
class ModelCheckpoint(MonitorCallback):
    """Callback to save the Keras model or model weights at some frequency.

    Args:
        filepath: Path to save the model file, a template formatted with ``epoch`` (1-based),
            ``batch`` (1-based, when saving every N batches) and the keys of ``logs``: e.g.
            ``"weights.{epoch:02d}-{val_loss:.2f}.keras"``. Must end in ``.keras`` or ``.h5``
            (``.weights.h5`` when ``save_weights_only=True``).
        monitor: The metric name to monitor (for ``save_best_only``).
        verbose: 0 silent, 1 prints a message when saving.
        save_best_only: Only save when the model is considered the "best" so far.
        save_weights_only: Call ``model.save_weights(path)`` instead of ``model.save(path)``.
        mode: One of `{"auto", "min", "max"}`.
        save_freq: ``"epoch"`` or an integer: save every that many batches.
        initial_value_threshold: Initial "best" value of the monitored metric.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> path = "best.keras"
    >>> checkpoint = keras.callbacks.ModelCheckpoint(path, monitor="loss", save_best_only=True)
    >>> _ = model.fit(x, y, epochs=2, callbacks=[checkpoint], verbose=0)
    >>> import os
    >>> os.path.exists(path)
    True
    """

    def __init__(
        self,
        filepath: Any,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: Any = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0

        if self.save_freq != "epoch" and not isinstance(self.save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {self.save_freq}. Expected save_freq are 'epoch' or integer values"
            )

        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`"
                    ", the filepath provided must end in `.weights.h5` "
                    "(Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not any(self.filepath.endswith(ext) for ext in (".keras", ".h5")):
            raise ValueError(
                f"The filepath provided must end in `.keras` (Keras model format). Received: filepath={self.filepath}"
            )

    @accepts_lazy_logs
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(epoch=self._current_epoch, batch=batch, logs=pythonify_logs(logs))

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.monitor_op is None:
            # Delay setup until the model's metrics are all built
            self._set_monitor_op()
        if self.save_freq == "epoch":
            self._save_model(epoch=epoch, batch=None, logs=pythonify_logs(logs))

    def _should_save_on_batch(self, batch: int) -> bool:
        """Handles batch-level saving logic, supports steps_per_execution."""
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            add_batches = batch + 1  # batches are zero-indexed.
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch

        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _should_save_model(self, epoch: int, batch: int | None, logs: dict[str, Any], filepath: str) -> bool:
        """Determines whether the model should be saved (and prints Keras' messages)."""
        logs = logs or {}
        verbose = self.verbose if is_chief() else 0  # distributed: rank 0 prints and saves
        if self.save_best_only:
            current = logs.get(self.monitor)
            if current is None:
                warnings.warn(
                    f"Can save best model only with {self.monitor} available.",
                    stacklevel=2,
                )
                return True
            elif _is_array_like(current) and len(current.shape) > 0:
                warnings.warn(
                    "Can save best model only when `monitor` is "
                    f"a scalar value. Received: {current}. "
                    "Falling back to `save_best_only=False`.",
                    stacklevel=2,
                )
                return True
            else:
                best_str = "None" if self.best is None else f"{self.best:.5f}"
                if self._is_improvement(current, self.best):
                    if verbose > 0:
                        print_msg(
                            f"\nEpoch {epoch + 1}: {self.monitor} "
                            f"improved from {best_str} to {current:.5f}, "
                            f"saving model to {filepath}"
                        )
                    self.best = current
                    return True
                else:
                    if verbose > 0:
                        print_msg(f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best_str}")
                    return False
        else:
            if verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            return True

    def _save_model(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> None:
        """Saves the model (or its weights) to the formatted filepath."""
        filepath = self._get_file_path(epoch, batch, logs)

        try:
            # Distributed: rank 0 saves; a sharded model is saved by every process together.
            if self._should_save_model(epoch, batch, logs, filepath) and (
                    is_chief() or sharded.is_sharded_model(self.model)):
                method = "save_weights" if self.save_weights_only else "save"
                save = getattr(self.model, method, None)
                if not callable(save):
                    raise NotImplementedError(
                        f"ModelCheckpoint(save_weights_only={self.save_weights_only}) needs "
                        f"`model.{method}(filepath, overwrite=True)`, which "
                        f"{type(self.model).__name__} does not provide."
                    )
                # Create host directory if it doesn't exist.
                dirname = os.path.dirname(filepath)
                if dirname and not os.path.exists(dirname):
                    os.makedirs(dirname, exist_ok=True)
                save(filepath, overwrite=True)
                if self.verbose > 0 and is_chief():
                    print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
        except IsADirectoryError:  # h5py 3.x
            raise OSError(
                "Please specify a non-directory filepath for "
                "ModelCheckpoint. Filepath used is an existing "
                f"directory: {filepath}"
            ) from None
        except OSError as e:  # h5py 2.x
            # `e.errno` appears to be `None` so checking the content of `e.args[0]`.
            if "is a directory" in str(e.args[0]).lower():
                raise OSError(
                    "Please specify a non-directory filepath for "
                    "ModelCheckpoint. Filepath used is an existing "
                    f"directory: f{filepath}"
                ) from None
            # Re-throw the error for any other causes.
            raise e

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict[str, Any]) -> str:
        """Returns the file path for checkpoint."""
        try:
            # `filepath` may contain placeholders such as `{epoch:02d}`, `{batch:02d}` and
            # `{mape:.2f}`; a `batch` key in logs wins over the batch index.
            if batch is None or "batch" in logs:
                file_path = self.filepath.format(epoch=epoch + 1, **logs)
            else:
                file_path = self.filepath.format(epoch=epoch + 1, batch=batch + 1, **logs)
        except KeyError as e:
            raise KeyError(f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}') from e
        return file_path

    def _checkpoint_exists(self, filepath: str) -> bool:
        """Returns whether the checkpoint `filepath` refers to exists."""
        return os.path.exists(filepath)

    def _get_most_recently_modified_file_matching_pattern(self, pattern: str) -> str | None:
        """Returns the most recently modified filepath matching pattern (Keras' rules)."""
        dir_name = os.path.dirname(pattern)
        base_name = os.path.basename(pattern)
        base_name_regex = "^" + re.sub(r"{.*}", r".*", base_name) + "$"

        latest_mod_time = 0.0
        file_path_with_latest_mod_time = None
        n_file_with_latest_mod_time = 0
        file_path_with_largest_file_name = None

        if os.path.exists(dir_name):
            for file_name in os.listdir(dir_name):
                # Only consider if `file_name` matches the pattern.
                if re.match(base_name_regex, file_name):
                    file_path = os.path.join(dir_name, file_name)
                    mod_time = os.path.getmtime(file_path)
                    if file_path_with_largest_file_name is None or file_path > file_path_with_largest_file_name:
                        file_path_with_largest_file_name = file_path
                    if mod_time > latest_mod_time:
                        latest_mod_time = mod_time
                        file_path_with_latest_mod_time = file_path
                        # In the case a file with later modified time is found,
                        # reset the counter for the number of files with latest
                        # modified time.
                        n_file_with_latest_mod_time = 1
                    elif mod_time == latest_mod_time:
                        # In the case a file has modified time tied with the
                        # most recent, increment the counter for the number of
                        # files with latest modified time by 1.
                        n_file_with_latest_mod_time += 1

        if n_file_with_latest_mod_time == 1:
            # Return the sole file that has most recent modified time.
            return file_path_with_latest_mod_time
        else:
            # If there are more than one file having latest modified time,
            # return the file path with the largest file name.
            return file_path_with_largest_file_name
