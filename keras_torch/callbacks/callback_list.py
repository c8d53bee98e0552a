"""``keras.callbacks.CallbackList``: calls every callback's hook, like Keras 3."""

from __future__ import annotations

from typing import Any

from keras_torch.callbacks._utils import needs_python_logs, pythonify_logs, sort_logs
from keras_torch.callbacks.callback import Callback
from keras_torch.callbacks.history import History
from keras_torch.callbacks.progbar_logger import ProgbarLogger
from keras_torch.core.registry import register

# batch hook -> the methods of a callback that it may end up running.
_BATCH_HOOKS = {
    "on_batch_begin": ("on_batch_begin",),
    "on_batch_end": ("on_batch_end",),
    "on_train_batch_begin": ("on_train_batch_begin", "on_batch_begin"),
    "on_train_batch_end": ("on_train_batch_end", "on_batch_end"),
    "on_test_batch_begin": ("on_test_batch_begin",),
    "on_test_batch_end": ("on_test_batch_end",),
    "on_predict_batch_begin": ("on_predict_batch_begin",),
    "on_predict_batch_end": ("on_predict_batch_end",),
}


def _flatten(callbacks: Any) -> list[Any]:
    if isinstance(callbacks, (list, tuple)):
        out: list[Any] = []
        for c in callbacks:
            out.extend(_flatten(c))
        return out
    return [callbacks]


@register("CallbackList", category="callbacks")
class CallbackList(Callback):
    """Container abstracting a list of callbacks.

    Args:
        callbacks: List of `Callback` instances.
        add_history: Add a `History` callback unless the list already has one.
        add_progbar: Add a `ProgbarLogger` callback unless the list already has one.
        model: The `Model` these callbacks are used with (``model.history`` is set to the
            `History` callback).
        **params: Passed to each callback's ``set_params`` (``verbose``, ``epochs``, ``steps``).

    Logs are sorted by key and nested dicts flattened before they reach the callbacks, and
    every callback of one call sees the same dict (a callback may add keys, e.g.
    ``ReduceLROnPlateau`` adds ``learning_rate`` that ``History`` then records). Values are
    converted to Python floats for begin/end/epoch hooks always, and for batch hooks only when
    some callback overrides that hook with its own code (Keras converts every time; skipping
    it otherwise keeps the training loop free of per-step device syncs).

    Example:

    >>> history = keras.callbacks.History()
    >>> callbacks = keras.callbacks.CallbackList([history], add_progbar=False)
    >>> len(callbacks.callbacks)
    1
    """

    def __init__(
        self,
        callbacks: Any = None,
        add_history: bool = False,
        add_progbar: bool = False,
        model: Any = None,
        **params: Any,
    ) -> None:
        super().__init__()
        self.callbacks: list[Any] = _flatten(callbacks) if callbacks else []
        self._in_begin_end_block_count = 0
        self._add_default_callbacks(add_history, add_progbar)
        self._configure_log_conversion()
        self.set_model(model)
        self.set_params(params)

    def set_params(self, params: dict[str, Any] | None) -> None:
        self.params = params
        if params:
            for callback in self.callbacks:
                callback.set_params(params)

    def _add_default_callbacks(self, add_history: bool, add_progbar: bool) -> None:
        """Adds `Callback`s that are always present."""
        self._progbar: ProgbarLogger | None = None
        self._history: History | None = None

        for cb in self.callbacks:
            if isinstance(cb, ProgbarLogger):
                self._progbar = cb
            elif isinstance(cb, History):
                self._history = cb

        if self._history is None and add_history:
            self._history = History()
            self.callbacks.append(self._history)

        if self._progbar is None and add_progbar:
            self._progbar = ProgbarLogger()
            self.callbacks.append(self._progbar)

    def _configure_log_conversion(self) -> None:
        self._convert_batch_logs = {
            hook: any(needs_python_logs(getattr(cb, m, None)) for cb in self.callbacks for m in methods)
            for hook, methods in _BATCH_HOOKS.items()
        }

    def append(self, callback: Any) -> None:
        """Add a callback (given the list's model and params)."""
        self.callbacks.append(callback)
        if self.model is not None:
            callback.set_model(self.model)
        if self.params:
            callback.set_params(self.params)
        self._configure_log_conversion()

    def set_model(self, model: Any) -> None:
        if model is None:
            return
        super().set_model(model)
        if self._history:
            model.history = self._history
        for callback in self.callbacks:
            callback.set_model(model)

    def _batch_logs(self, hook: str, logs: Any) -> dict[str, Any]:
        if self._convert_batch_logs[hook]:
            return pythonify_logs(logs)
        return sort_logs(logs)

    def _on_begin(self) -> None:
        self._in_begin_end_block_count += 1

    def _on_end(self) -> None:
        self._in_begin_end_block_count -= 1
        if self._in_begin_end_block_count < 0:
            raise ValueError("`on_xxx_end` called without corresponding `on_xxx_begin`")

    def on_batch_begin(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_batch_begin", logs)
        for callback in self.callbacks:
            callback.on_batch_begin(batch, logs=logs)

    def on_batch_end(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_batch_end", logs)
        for callback in self.callbacks:
            callback.on_batch_end(batch, logs=logs)

    def on_epoch_begin(self, epoch: int, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_begin(epoch, logs)

    def on_epoch_end(self, epoch: int, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_epoch_end(epoch, logs)

    def on_train_batch_begin(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_train_batch_begin", logs)
        for callback in self.callbacks:
            callback.on_train_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_train_batch_end", logs)
        for callback in self.callbacks:
            callback.on_train_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_test_batch_begin", logs)
        for callback in self.callbacks:
            callback.on_test_batch_begin(batch, logs=logs)

    def on_test_batch_end(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_test_batch_end", logs)
        for callback in self.callbacks:
            callback.on_test_batch_end(batch, logs=logs)

    def on_predict_batch_begin(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_predict_batch_begin", logs)
        for callback in self.callbacks:
            callback.on_predict_batch_begin(batch, logs=logs)

    def on_predict_batch_end(self, batch: int, logs: Any = None) -> None:
        logs = self._batch_logs("on_predict_batch_end", logs)
        for callback in self.callbacks:
            callback.on_predict_batch_end(batch, logs=logs)

    def on_train_begin(self, logs: Any = None) -> None:
        self._on_begin()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_begin(logs)

    def on_train_end(self, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_train_end(logs)
        self._on_end()

    def on_test_begin(self, logs: Any = None) -> None:
        self._on_begin()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_begin(logs)

    def on_test_end(self, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_test_end(logs)
        self._on_end()

    def on_predict_begin(self, logs: Any = None) -> None:
        self._on_begin()
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_begin(logs)

    def on_predict_end(self, logs: Any = None) -> None:
        logs = pythonify_logs(logs)
        for callback in self.callbacks:
            callback.on_predict_end(logs)
        self._on_end()
