"""``keras.callbacks.ProgbarLogger``: the progress bar printed by ``fit/evaluate/predict``."""

from __future__ import annotations

from typing import Any

from keras_torch.callbacks._utils import accepts_lazy_logs
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.utils.progbar import Progbar, print_msg


@register("ProgbarLogger", category="callbacks")
class ProgbarLogger(Callback):
    """Callback that prints metrics to stdout (Keras 3 output, byte for byte).

    ``verbose`` comes from ``params`` (``"auto"`` means 1): 1 shows a live bar updated at most
    every 0.05 s, 2 prints one line per epoch. ``Epoch i/N`` headers are printed only when
    ``epochs > 1``. Inside ``fit`` the validation pass is silent. Batch logs are stored as
    given and converted to floats only when a line is printed.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> progbar = keras.callbacks.ProgbarLogger()  # fit(verbose=1), the default, adds one by itself
    """

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose: Any = 1
        self.epochs = 1

        self._called_in_fit = False

    def set_params(self, params: dict[str, Any]) -> None:
        verbose = params["verbose"]
        if verbose == "auto":
            verbose = 1
        self.verbose = verbose
        self.epochs = params["epochs"]
        self.target = params["steps"]

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        # When this logger is called inside `fit`, validation is silent.
        self._called_in_fit = True

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    @accepts_lazy_logs
    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        self._update_progbar(batch, logs)

    @accepts_lazy_logs
    def on_test_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    @accepts_lazy_logs
    def on_predict_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        # Don't pass prediction results.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            self.progbar = Progbar(
                target=self.target,
                verbose=self.verbose,
                unit_name="step",
                stateless_metrics=set(),
            )

    def _update_progbar(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        """Updates the progbar."""
        logs = logs or {}
        self._maybe_init_progbar()
        self.seen = batch + 1  # One-indexed.

        if self.verbose == 1:
            self.progbar.update(self.seen, list(logs.items()), finalize=False)  # type: ignore[union-attr]

    def _finalize_progbar(self, logs: dict[str, Any] | None) -> None:
        logs = logs or {}
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target  # type: ignore[union-attr]
        self.progbar.update(self.target, list(logs.items()), finalize=True)  # type: ignore[union-attr]
