"""``keras.callbacks.BackupAndRestore``: resume an interrupted ``fit()``.

Storage (differs from Keras' ``latest.weights.h5`` + ``training_metadata.json`` pair): one HDF5
file ``<backup_dir>/latest.backup.h5`` holding the model weights (``model.get_weights()``
order), the optimizer variables (``optimizer.get_weights()``, Keras order: iterations, learning
rate, slots) and the epoch/batch counters, so the three can never disagree. It is written to a
temporary file in the same directory, fsynced, then moved into place with ``os.replace``: a
crash during a save leaves the previous backup intact.

Contract with ``fit()``: ``on_train_begin`` restores the backup (if any) and sets
``model._initial_epoch`` to the number of completed epochs, exactly like Keras 3. ``fit`` must
read it right after ``callbacks.on_train_begin()``::

    initial_epoch = self._initial_epoch or initial_epoch
"""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Any

import h5py
import numpy as np

from keras_torch.callbacks._utils import accepts_lazy_logs
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief
from keras_torch.saving import sharded

_FORMAT = "keras_torch.BackupAndRestore"
_VERSION = 1


def _write_atomic(
    path: str, model_weights: list[np.ndarray], optimizer_weights: list[np.ndarray] | None, epoch: int, batch: int
) -> None:
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".latest.", suffix=".tmp", dir=directory)
    os.close(fd)
    try:
        with h5py.File(tmp, "w") as f:
            f.attrs["format"] = _FORMAT
            f.attrs["version"] = _VERSION
            f.attrs["epoch"] = int(epoch)
            f.attrs["batch"] = int(batch)
            g = f.create_group("model")
            g.attrs["count"] = len(model_weights)
            for i, w in enumerate(model_weights):
                g.create_dataset(str(i), data=np.asarray(w))
            if optimizer_weights is not None:
                g = f.create_group("optimizer")
                g.attrs["count"] = len(optimizer_weights)
                for i, w in enumerate(optimizer_weights):
                    g.create_dataset(str(i), data=np.asarray(w))
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise
    try:  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _read(path: str) -> dict[str, Any]:
    try:
        return _read_unchecked(path)
    except (KeyError, ValueError, TypeError) as e:
        raise OSError(f"Could not read the backup file {path}: {e}") from e


def _read_unchecked(path: str) -> dict[str, Any]:
    with h5py.File(path, "r") as f:
        if f.attrs.get("format") != _FORMAT:
            raise OSError(f"{path} is not a BackupAndRestore backup file.")
        out: dict[str, Any] = {"epoch": int(f.attrs["epoch"]), "batch": int(f.attrs["batch"])}
        g = f["model"]
        out["model"] = [g[str(i)][()] for i in range(int(g.attrs["count"]))]
        if "optimizer" in f:
            g = f["optimizer"]
            out["optimizer"] = [g[str(i)][()] for i in range(int(g.attrs["count"]))]
        else:
            out["optimizer"] = None
    return out


@register("BackupAndRestore", category="callbacks")
class BackupAndRestore(Callback):
    """Callback to back up and restore the training state.

    At the end of each epoch (or every ``save_freq`` batches) the model weights, optimizer
    state and epoch counter are saved in ``backup_dir``. If training is interrupted and
    ``fit()`` is run again with the same ``backup_dir``, the state is restored and training
    resumes at the first unfinished epoch. The backup is deleted when training ends normally
    (unless ``delete_checkpoint=False``).

    Args:
        backup_dir: Directory for the backup (must not be shared by concurrent trainings).
        save_freq: ``"epoch"``, an integer (save every that many batches) or ``False``
            (never save, only restore).
        double_checkpoint: Keep the previous backup as ``latest.backup.h5.bkp`` and fall back
            to it if the latest one cannot be read.
        delete_checkpoint: Delete ``backup_dir`` when training completes.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> backup = keras.callbacks.BackupAndRestore(backup_dir="backup")
    >>> _ = model.fit(x, y, epochs=2, callbacks=[backup], verbose=0)  # an interrupted run resumes from its last epoch
    """

    FILENAME = "latest.backup.h5"

    def __init__(
        self,
        backup_dir: Any,
        save_freq: Any = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0

        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._backup_path = os.path.join(self.backup_dir, self.FILENAME)
        self._prev_backup_path = f"{self._backup_path}.bkp"

        if save_freq is not False and save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                "Invalid value for argument `save_freq`. "
                f"Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        try:
            self._load_model(self._backup_path)
        except OSError:
            if not os.path.exists(self._prev_backup_path):
                raise
            self._load_model(self._prev_backup_path)

    def _load_model(self, path: str) -> None:
        """Restore weights, optimizer state and ``model._initial_epoch`` from ``path``."""
        model = self.model
        if not getattr(model, "built", True):
            raise ValueError(
                "To use the BackupAndRestore callback, "
                "you model must be built before you call `fit()`. "
                f"Model {model} is unbuilt. You can build it "
                "beforehand by calling it on a batch of data."
            )
        if not os.path.exists(path):
            return
        state = _read(path)
        model.set_weights(state["model"])
        optimizer = getattr(model, "optimizer", None)
        if optimizer is not None and state["optimizer"] is not None:
            if not getattr(optimizer, "built", True) and hasattr(optimizer, "build"):
                optimizer.build(model.trainable_variables)
            if hasattr(optimizer, "load_own_variables"):
                optimizer.load_own_variables({str(i): w for i, w in enumerate(state["optimizer"])})
            else:
                optimizer.set_weights(state["optimizer"])
        model._initial_epoch = state["epoch"]

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    @accepts_lazy_logs
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model()

    def _save_model(self) -> None:
        """Atomically write the model weights, optimizer state and counters."""
        model = self.model
        # Distributed: rank 0 writes; fit() broadcasts its restored state. A sharded model is
        # gathered by every process first (each restores its own shards from the file).
        if not is_chief() and not sharded.is_sharded_model(model):
            return
        with sharded.writing(model) as writes:
            if writes:
                self._write_backup(model)

    def _write_backup(self, model: Any) -> None:
        os.makedirs(self.backup_dir, exist_ok=True)
        if self.double_checkpoint and os.path.exists(self._backup_path):
            shutil.copyfile(self._backup_path, self._prev_backup_path + ".tmp")
            os.replace(self._prev_backup_path + ".tmp", self._prev_backup_path)
        optimizer = getattr(model, "optimizer", None)
        opt_weights = None
        if optimizer is not None and hasattr(optimizer, "get_weights"):
            opt_weights = [np.asarray(w) for w in optimizer.get_weights()]
        _write_atomic(
            self._backup_path,
            [np.asarray(w) for w in model.get_weights()],
            opt_weights,
            self._current_epoch,
            self._last_batch_seen,
        )

    def _should_save_on_batch(self, batch: int) -> bool:
        """Handles batch-level saving logic, supports steps_per_execution."""
        if self.save_freq == "epoch" or self.save_freq is False:
            return False
        if batch <= self._last_batch_seen:  # New epoch.
            add_batches = batch + 1  # batches are zero-indexed.
        else:
            add_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += add_batches
        self._last_batch_seen = batch

        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self.delete_checkpoint and is_chief() and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir)
