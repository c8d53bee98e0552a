"""``keras.callbacks.Callback``: the base class of every callback (Keras 3 hooks and semantics)."""

from __future__ import annotations

from typing import Any

from torch.nn.parallel import DistributedDataParallel

from keras_torch.callbacks._utils import default
from keras_torch.core.registry import register


@register("Callback", category="callbacks")
class Callback:
    """Base class used to build new callbacks.

    Callbacks can be passed to ``fit()``, ``evaluate()`` and ``predict()`` to hook into the
    stages of training, evaluation and inference. Subclass it and override the ``on_*``
    methods of interest.

    Attributes:
        params: Dict. Training parameters (``verbose``, ``epochs``, ``steps``).
        model: The model being trained (``set_model``).

    ``logs`` holds the metric results. At batch level the values may be 0-d torch tensors
    when no attached callback overrides a batch hook (so training is not synchronized on
    every step); a callback that overrides one always receives Python floats, like Keras.

    Example:

    >>> class Recorder(keras.callbacks.Callback):
    ...     def __init__(self):
    ...         super().__init__()
    ...         self.seen = []
    ...     def on_epoch_end(self, epoch, logs=None):
    ...         self.seen.append((epoch, round(logs["loss"], 1) >= 0))
    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> recorder = Recorder()
    >>> _ = model.fit(np.random.rand(32, 4), np.random.rand(32, 1), epochs=2, callbacks=[recorder], verbose=0)
    >>> recorder.seen
    [(0, True), (1, True)]
    """

    def __init__(self) -> None:
        self.params: dict[str, Any] | None = None
        self._model: Any = None

    def set_params(self, params: dict[str, Any] | None) -> None:
        self.params = params

    def set_model(self, model: Any) -> None:
        self._model = model

    @property
    def model(self) -> Any:
        model = getattr(self, "_model", None)
        # Like Keras' torch backend: hand callbacks the module wrapped by DistributedDataParallel.
        if isinstance(model, DistributedDataParallel):
            return model.module
        return model

    @model.setter
    def model(self, model: Any) -> None:
        self._model = model

    @default
    def on_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """A backwards compatibility alias for `on_train_batch_begin`."""

    @default
    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """A backwards compatibility alias for `on_train_batch_end`."""

    @default
    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the start of an epoch (TRAIN mode only)."""

    @default
    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of an epoch with the epoch's metrics (``val_`` keys included)."""

    @default
    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of a training batch in `fit`."""
        self.on_batch_begin(batch, logs=logs)

    @default
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of a training batch in `fit` with the aggregated metrics so far."""
        self.on_batch_end(batch, logs=logs)

    @default
    def on_test_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of a batch in `evaluate` (and validation in `fit`)."""

    @default
    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of a batch in `evaluate` (and validation in `fit`)."""

    @default
    def on_predict_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of a batch in `predict`."""

    @default
    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of a batch in `predict` (``logs={"outputs": ...}``)."""

    @default
    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of training."""

    @default
    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of training (``logs``: those of the last ``on_epoch_end``)."""

    @default
    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of evaluation or validation."""

    @default
    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of evaluation or validation."""

    @default
    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the beginning of prediction."""

    @default
    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        """Called at the end of prediction."""
