"""``keras.callbacks.TensorBoard`` on ``torch.utils.tensorboard.SummaryWriter``.

Same tags and directories as Keras 3: ``<log_dir>/train`` and ``<log_dir>/validation``,
``epoch_<metric>`` per epoch (``val_`` prefix removed in ``validation``), ``epoch_learning_rate``,
``batch_<metric>`` every ``update_freq`` batches, ``evaluation_<metric>_vs_iterations`` after
each evaluation, ``<layer>/<weight>/histogram`` every ``histogram_freq`` epochs.

Not reproduced: the Keras model graph summary (``write_graph``; the TensorFlow-only
``graph_keras_model`` plugin), weight images (``write_images``) and embeddings projector
config (``embeddings_freq``); profiling (``profile_batch``) is rejected as in Keras' torch
backend.
"""

from __future__ import annotations

import os
import time
import warnings
from typing import Any

from keras_torch.callbacks._utils import accepts_lazy_logs, to_float
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.distribution import is_chief


def _summary_writer_class() -> Any:
    try:
        import tensorboard  # noqa: F401
        from torch.utils.tensorboard import SummaryWriter
    except ImportError as e:
        raise ImportError(
            "The TensorBoard callback requires the `tensorboard` package, which is not "
            "installed. Install it with `pip install tensorboard`."
        ) from e
    return SummaryWriter


class _NullWriter:
    """Writer of non-zero ranks in distributed training: rank 0 alone writes event files."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __getattr__(self, name: str) -> Any:
        return lambda *args, **kwargs: None


def _scalar(value: Any) -> Any:
    try:
        return to_float(value)
    except (TypeError, ValueError):
        return None


@register("TensorBoard", category="callbacks")
class TensorBoard(Callback):
    """Enable visualizations for TensorBoard.

    Args:
        log_dir: The path of the directory where to save the log files.
        histogram_freq: Frequency (in epochs) at which to compute weight histograms (0: never).
        write_graph: Accepted for compatibility (the Keras graph plugin needs TensorFlow).
        write_images: Accepted for compatibility (not written).
        write_steps_per_second: Log the training steps per second (epoch and batch level).
        update_freq: ``"epoch"``, ``"batch"`` or an integer N: also write the batch logs of
            every N-th global training batch (``batch_<metric>``).
        profile_batch: Must be 0 (profiling is not available with the torch backend).
        embeddings_freq: Accepted for compatibility (embeddings are not written).
        embeddings_metadata: Accepted for compatibility (embeddings are not written).

    Raises:
        ImportError: At construction, when the ``tensorboard`` package is not installed.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> tensorboard = keras.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)  # doctest: +SKIP
    >>> model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, callbacks=[tensorboard])  # doctest: +SKIP

    Then run ``tensorboard --logdir ./logs`` to see the curves (needs the ``tensorboard`` package).
    """

    def __init__(
        self,
        log_dir: Any = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: Any = "epoch",
        profile_batch: Any = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: Any = None,
    ) -> None:
        super().__init__()
        self._writer_class = _summary_writer_class()
        self.log_dir = str(log_dir)
        self.histogram_freq = histogram_freq
        self.write_graph = write_graph
        self.write_images = write_images
        self.write_steps_per_second = write_steps_per_second
        self.update_freq = 1 if update_freq == "batch" else update_freq
        self.embeddings_freq = embeddings_freq
        self.embeddings_metadata = embeddings_metadata
        if profile_batch:
            raise ValueError(
                "Profiling is not yet available with the torch backend. Please open a PR "
                "if you'd like to add this feature. Received: "
                f"profile_batch={profile_batch} (must be 0)"
            )
        if embeddings_freq:
            warnings.warn("TensorBoard(embeddings_freq=...) is not supported by keras_torch; ignored.", stacklevel=2)
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0.0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._writers: dict[str, Any] = {}
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")

    def set_model(self, model: Any) -> None:
        """Sets Keras model and writes graph if specified."""
        self._model = model
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self._log_write_dir, "train")
        self._val_dir = os.path.join(self._log_write_dir, "validation")
        self._close_writers()
        self._writers = {}

    @property
    def _train_writer(self) -> Any:
        if "train" not in self._writers:
            self._writers["train"] = (self._writer_class if is_chief() else _NullWriter)(log_dir=self._train_dir)
        return self._writers["train"]

    @property
    def _val_writer(self) -> Any:
        if "val" not in self._writers:
            self._writers["val"] = (self._writer_class if is_chief() else _NullWriter)(log_dir=self._val_dir)
        return self._writers["val"]

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()

    def _batch_recorded(self, step: int) -> bool:
        return self.update_freq != "epoch" and step % self.update_freq == 0

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self._close_writers()
        self._writers = {}

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is not None and hasattr(optimizer, "iterations"):
            if self.update_freq != "epoch" and not self._batch_recorded(self._global_test_batch):
                return
            step = int(to_float(optimizer.iterations))
            for name, value in (logs or {}).items():
                v = _scalar(value)
                if v is not None:
                    self._val_writer.add_scalar(f"evaluation_{name}_vs_iterations", v, global_step=step)

    @accepts_lazy_logs
    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    @accepts_lazy_logs
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._batch_recorded(self._global_train_batch):
            return
        writer = self._train_writer
        step = self._global_train_batch
        if self.write_steps_per_second:
            batch_run_time = time.time() - self._batch_start_time
            if batch_run_time > 0:
                writer.add_scalar("batch_steps_per_second", 1.0 / batch_run_time, global_step=step)
        if isinstance(logs, dict):
            for name, value in logs.items():
                v = _scalar(value)
                if v is not None:
                    writer.add_scalar(f"batch_{name}", v, global_step=step)

    @accepts_lazy_logs
    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._global_test_batch += 1

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.write_steps_per_second:
            self._previous_epoch_iterations = to_float(self.model.optimizer.iterations)
            self._epoch_start_time = time.time()

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Runs metrics and histogram summaries at epoch end."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        for writer in self._writers.values():
            writer.flush()

    def _collect_learning_rate(self, logs: dict[str, Any]) -> dict[str, Any]:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None:
            return logs
        if hasattr(optimizer, "inner_optimizer"):
            optimizer = optimizer.inner_optimizer
        if hasattr(optimizer, "optimizers"):
            for opt in optimizer.optimizers:
                logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
        elif hasattr(optimizer, "learning_rate"):
            logs["learning_rate"] = to_float(optimizer.learning_rate)
        return logs

    def _compute_steps_per_second(self) -> float:
        current_iteration = to_float(self.model.optimizer.iterations)
        time_since_epoch_begin = time.time() - self._epoch_start_time
        return float((current_iteration - self._previous_epoch_iterations) / time_since_epoch_begin)

    def _log_epoch_metrics(self, epoch: int, logs: dict[str, Any] | None) -> None:
        """Writes epoch metrics out as scalar summaries."""
        if not logs:
            return

        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k: v for k, v in logs.items() if k.startswith("val_")}
        train_logs = self._collect_learning_rate(train_logs)
        if self.write_steps_per_second:
            train_logs["steps_per_second"] = self._compute_steps_per_second()

        if train_logs:
            for name, value in train_logs.items():
                v = _scalar(value)
                if v is not None:
                    self._train_writer.add_scalar(f"epoch_{name}", v, global_step=epoch)
        if val_logs:
            for name, value in val_logs.items():
                v = _scalar(value)
                if v is not None:
                    self._val_writer.add_scalar(f"epoch_{name[4:]}", v, global_step=epoch)

    def _weights_to_log(self) -> list[tuple[str, Any]]:
        out: list[tuple[str, Any]] = []
        for layer in getattr(self.model, "layers", []) or []:
            groups = getattr(layer, "keras_weight_groups", None)
            if callable(groups):
                for g in groups():
                    owner = getattr(g.owner, "name", layer.name)
                    out.extend((f"{owner}/{name}", w) for name, w in zip(g.names, g.keras_weights()))
            else:
                for i, w in enumerate(getattr(layer, "weights", []) or []):
                    out.append((f"{getattr(layer, 'name', 'layer')}/weight_{i}", w))
        return out

    def _log_weights(self, epoch: int) -> None:
        """Logs the weights of the model's layers as histograms."""
        writer = self._train_writer
        for name, weight in self._weights_to_log():
            value = weight.detach().float().cpu().numpy() if hasattr(weight, "detach") else weight
            writer.add_histogram(f"{name.replace(':', '_')}/histogram", value, global_step=epoch)
        writer.flush()
