"""``tf.keras.callbacks.experimental`` (tf-keras 2): ``BackupAndRestore``'s old path and ``UpdateEmbeddingCallback``."""

from __future__ import annotations

import threading
from typing import Any

import torch

from keras_torch.callbacks.backup_and_restore import BackupAndRestore
from keras_torch.callbacks.callback import Callback
from keras_torch.utils.enqueuers import TimedThread

__all__ = ["BackupAndRestore", "UpdateEmbeddingCallback"]


class UpdateEmbeddingCallback(TimedThread, Callback):
    """Every ``interval`` seconds, refresh a ``DynamicEmbedding``'s vocabulary and rows from its frequency table.

    tf-keras updates from the timer thread inside a ``tf.CriticalSection``; here the timer only
    marks an update as due and the update runs on the training thread at the end of the next
    batch, so weights never change under a running step. After each update the optimizer slots of
    the embedding matrix are zeroed (its rows now hold other tokens), as tf-keras resets them.

    Args:
        dynamic_embedding_layer: The ``keras.layers.experimental.DynamicEmbedding`` to update.
        interval: Seconds between updates.

    Example:

    >>> layer = keras.layers.experimental.DynamicEmbedding(3, 2, initial_vocabulary=["a", "b", "c"])
    >>> model = keras.Sequential([layer, keras.layers.Flatten(), keras.layers.Dense(1)])
    >>> model.compile(optimizer="adam", loss="mse")
    >>> callback = keras.callbacks.experimental.UpdateEmbeddingCallback(layer, interval=1)
    >>> with callback:
    ...     history = model.fit(np.array([["a", "q"]]), np.ones((1, 1)), callbacks=[callback], verbose=0)
    """

    def __init__(self, dynamic_embedding_layer: Any, interval: float) -> None:
        TimedThread.__init__(self, interval)
        Callback.__init__(self)
        self._dynamic_embedding_layer = dynamic_embedding_layer
        self._due = threading.Event()  # set by the timer thread, cleared by the update
        self._epoch = 0
        self.updates = 0  # number of updates made

    def on_interval(self) -> None:
        self._due.set()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._due.is_set():
            return
        self._due.clear()
        self._dynamic_embedding_layer.update_embeddings()
        self._reset_optimizer()
        self.updates += 1

    def _reset_optimizer(self) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not optimizer.built:
            return
        matrix = self._dynamic_embedding_layer.embedding_layer.embeddings
        with torch.no_grad():
            for slot in optimizer.slots_of(matrix):
                slot.zero_()
