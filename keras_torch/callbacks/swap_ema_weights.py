"""``keras.callbacks.SwapEMAWeights``."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


def _ema_optimizers(optimizer: Any) -> list[Any]:
    """The optimizers keeping moving averages behind ``optimizer`` (through a LossScaleOptimizer)."""
    optimizer = getattr(optimizer, "inner_optimizer", optimizer)
    if hasattr(optimizer, "optimizers"):  # several optimizers, as Keras's MultiOptimizer
        found = [opt for opt in optimizer.optimizers if getattr(opt, "use_ema", False)]
        if not found:
            raise ValueError("SwapEMAWeights must be used when at least one inner optimizer has `use_ema=True` set. "
                             "Received a MultiOptimizer with all inner optimizers having `use_ema=False`.")
        candidates = found
    else:
        candidates = [optimizer]
    for opt in candidates:
        if not hasattr(opt, "_model_variables_moving_average"):
            raise ValueError("SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. "
                             f"Received: use_ema={getattr(opt, 'use_ema', None)}")
    return candidates


@register("SwapEMAWeights", category="callbacks")
class SwapEMAWeights(Callback):
    """Evaluate (and predict) with the optimizer's exponential moving averages of the weights.

    Before evaluation / prediction the model weights and their moving averages (kept by an
    optimizer created with ``use_ema=True``) are swapped, and swapped back afterwards. With
    ``swap_on_epoch=True`` the swap also happens at each epoch end (so checkpoints written by
    callbacks listed after this one hold the averages) and is undone at the next epoch begin; the
    last epoch leaves the averages in place, which ``finalize_variable_values`` then keeps.

    Keras 3.15's ``on_predict_end`` tests its flag the wrong way round and leaves the averages in
    the model after ``predict``; here prediction swaps back like evaluation does.

    Args:
        swap_on_epoch: Also swap at epoch boundaries (default ``False``).

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer=keras.optimizers.SGD(use_ema=True), loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> _ = model.fit(x, y, epochs=2, validation_data=(x, y), callbacks=[keras.callbacks.SwapEMAWeights()], verbose=0)
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    @torch.no_grad()
    def _swap_variables(self) -> None:
        for opt in _ema_optimizers(self.model.optimizer):
            for var, average in zip(opt._trainable_variables, opt._model_variables_moving_average):
                if average is None:
                    continue
                held = var.detach().clone()
                var.copy_(average)
                average.copy_(held)

    @torch.no_grad()
    def _finalize_ema_values(self) -> None:
        for opt in _ema_optimizers(self.model.optimizer):
            for var, average in zip(opt._trainable_variables, opt._model_variables_moving_average):
                if average is not None:
                    average.copy_(var)

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            # fit ends with finalize_variable_values (averages -> weights): the averages must hold
            # the averaged values, which are now in the model
            if self.params and epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True

    def on_test_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_predict_begin(self, logs: dict[str, Any] | None = None) -> None:
        self.on_test_begin(logs)

    def on_predict_end(self, logs: dict[str, Any] | None = None) -> None:
        self.on_test_end(logs)
