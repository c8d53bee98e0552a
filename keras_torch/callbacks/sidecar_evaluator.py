"""tf-keras 2's ``SidecarEvaluator``: evaluate the checkpoints a training job writes, as they appear.

tf-keras polls TensorFlow checkpoints; keras_torch polls the weights files a training job writes
with ``ModelCheckpoint(os.path.join(checkpoint_dir, "ckpt-{epoch}.weights.h5"),
save_weights_only=True)`` (any file in ``checkpoint_dir`` whose name starts with ``ckpt-<number>``).
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

from keras_torch.callbacks.model_checkpoint import ModelCheckpoint
from keras_torch.core.registry import register

_CHECKPOINT = re.compile(r"^ckpt-(?P<ckpt>\d+)")
_CHECKPOINT_TIMEOUT_SEC = 30


def latest_checkpoint(checkpoint_dir: str) -> tuple[int, str] | None:
    """``(number, path)`` of the ``ckpt-<number>`` file with the largest number in ``checkpoint_dir``, or None.

    Args:
        checkpoint_dir: Directory to look in.

    Returns:
        The newest checkpoint, or ``None`` when there is none (or no directory).
    """
    if not os.path.isdir(checkpoint_dir):
        return None
    found = [(int(m["ckpt"]), os.path.join(checkpoint_dir, name))
             for name in os.listdir(checkpoint_dir) if (m := _CHECKPOINT.match(name))]
    return max(found) if found else None


def checkpoints_iterator(checkpoint_dir: str, min_interval_secs: float = 1.0, timeout: float | None = None,
                         timeout_fn: Callable[[], bool] | None = None) -> Iterator[tuple[int, str]]:
    """Yield each new latest checkpoint of ``checkpoint_dir`` (``tf.train.checkpoints_iterator``'s rules).

    Checkpoints written between two polls are skipped: only the latest one is yielded. After
    ``timeout`` seconds without a new checkpoint ``timeout_fn`` is called; the iteration ends if
    it returns True (or if there is no ``timeout_fn``), else waiting goes on.

    Args:
        checkpoint_dir: Directory to poll.
        min_interval_secs: Seconds between polls.
        timeout: Seconds to wait for a new checkpoint (``None``: forever).
        timeout_fn: Called on timeout; True stops.

    Yields:
        ``(number, path)`` of each new latest checkpoint.
    """
    last = None
    waited_since = time.monotonic()
    while True:
        found = latest_checkpoint(checkpoint_dir)
        if found is not None and found != last:
            last = found
            yield found
            waited_since = time.monotonic()
            continue
        if timeout is not None and time.monotonic() - waited_since > timeout:
            if timeout_fn is None or timeout_fn():
                return
            waited_since = time.monotonic()
        time.sleep(min_interval_secs)


class SidecarEvaluator:
    """Evaluates ``model`` on ``data`` for every new checkpoint a training job writes to ``checkpoint_dir``.

    :meth:`start` blocks: it waits for checkpoints, loads each new latest one into ``model``
    (``model.load_weights``), runs ``model.evaluate(data, steps=steps, callbacks=callbacks)`` and
    stops after evaluating a checkpoint whose number reaches ``max_evaluations``.

    Args:
        model: The model (same architecture as the trained one; compiled with the metrics to report).
        data: Evaluation data (arrays, dataset, generator...).
        checkpoint_dir: Directory the training job writes ``ckpt-<number>...`` weights files to.
        steps: Evaluation steps per checkpoint (``None``: the whole data).
        max_evaluations: Stop after the checkpoint numbered at least this (``None``: never stop).
        callbacks: Callbacks for ``evaluate`` (e.g. :class:`SidecarEvaluatorModelExport`).

    Example:

    >>> # training job
    >>> model.fit(x, y, callbacks=[keras.callbacks.ModelCheckpoint(
    ...     "ckpts/ckpt-{epoch}.weights.h5", save_weights_only=True)])  # doctest: +SKIP
    >>> # evaluator job
    >>> keras.utils.SidecarEvaluator(model, (x_val, y_val), "ckpts", max_evaluations=10).start()  # doctest: +SKIP
    """

    def __init__(self, model: Any, data: Any, checkpoint_dir: str, steps: int | None = None,
                 max_evaluations: int | None = None, callbacks: list[Any] | None = None) -> None:
        self.model = model
        self.data = data
        self.checkpoint_dir = os.fspath(checkpoint_dir)
        self.max_evaluations = max_evaluations
        self.steps = steps
        self.callbacks = callbacks or []
        self.poll_interval_secs = 1.0  # seconds between looks at checkpoint_dir

    def _timeout_fn(self) -> bool:
        logging.info("No checkpoints appear to be found after %s seconds. Please check that the training job writes "
                     "`ckpt-<number>` weights files to %s (keras.callbacks.ModelCheckpoint(save_weights_only=True)).",
                     _CHECKPOINT_TIMEOUT_SEC, self.checkpoint_dir)
        return False

    def start(self) -> None:
        """Evaluate checkpoints until the one numbered ``max_evaluations`` (blocks)."""
        for number, path in checkpoints_iterator(self.checkpoint_dir, self.poll_interval_secs,
                                                 _CHECKPOINT_TIMEOUT_SEC, self._timeout_fn):
            try:
                self.model.load_weights(path)
            except OSError as err:  # a file still being written: the next poll retries
                logging.info("SidecarEvaluator encountered an error when loading the checkpoint at %s. Retrying. "
                             "Error: %s: %s", path, type(err).__name__, err)
                continue
            logging.info("Evaluation starts: Model weights loaded from latest checkpoint file %s", path)
            logs = self.model.evaluate(self.data, steps=self.steps, callbacks=self.callbacks, verbose=2,
                                       return_dict=True)
            logging.info("End of evaluation. Metrics: %s", " ".join(f"{k}={v}" for k, v in logs.items()))
            if self.max_evaluations and self.max_evaluations <= number:
                logging.info("Last checkpoint evaluated. SidecarEvaluator stops.")
                return


@register("SidecarEvaluatorModelExport", category="callbacks")
class SidecarEvaluatorModelExport(ModelCheckpoint):
    """Saves the model evaluated by a :class:`SidecarEvaluator` when its monitored metric improves.

    A ``ModelCheckpoint`` with ``save_best_only=True`` that saves at the end of each evaluation;
    ``{epoch}`` in ``export_filepath`` is the number of the evaluated checkpoint (found as the
    most recent file matching ``checkpoint_filepath``).

    Args:
        export_filepath: Where to save (``.keras``, or ``.weights.h5`` with ``save_weights_only``).
        checkpoint_filepath: Pattern of the training job's checkpoints (``"ckpts/ckpt-{epoch}.weights.h5"``).
        **kwargs: ``ModelCheckpoint`` arguments (``monitor`` is a metric of ``evaluate``: ``"loss"``...).

    Example:

    >>> export = keras.callbacks.SidecarEvaluatorModelExport(
    ...     "best/model-{epoch}.keras", "ckpts/ckpt-{epoch}.weights.h5", monitor="loss")
    >>> keras.utils.SidecarEvaluator(model, data, "ckpts", callbacks=[export]).start()  # doctest: +SKIP
    """

    def __init__(self, export_filepath: str, checkpoint_filepath: str, **kwargs: Any) -> None:
        super().__init__(filepath=export_filepath, save_best_only=True, **kwargs)
        self._checkpoint_filepath = os.fspath(checkpoint_filepath)
        self.export_index = 0

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        recent = self._get_most_recently_modified_file_matching_pattern(self._checkpoint_filepath)
        match = re.match(r".*ckpt-(?P<ckpt>\d+)", recent) if recent is not None else None
        self.export_index = int(match["ckpt"]) - 1 if match else 0

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        self._save_model(epoch=self.export_index, batch=None, logs=dict(logs or {}))
