"""``keras.callbacks.TerminateOnNaN``."""

from __future__ import annotations

from typing import Any

import numpy as np

from keras_torch.callbacks._utils import accepts_lazy_logs, tensor_to_python
from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register
from keras_torch.utils.progbar import print_msg


@register("TerminateOnNaN", category="callbacks")
class TerminateOnNaN(Callback):
    """Callback that terminates training when a NaN or Inf loss is encountered.

    Checks ``logs["loss"]`` after every training batch (one device sync per batch). On NaN/Inf
    it prints ``Batch N: Invalid loss, terminating training`` and sets
    ``model.stop_training = True``, or raises ``RuntimeError`` if ``raise_error=True``.

    Args:
        raise_error: Raise instead of stopping gracefully (other callbacks' ``on_train_end``
            and ``on_epoch_end`` are then not run).

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> _ = model.fit(x, y, epochs=2, callbacks=[keras.callbacks.TerminateOnNaN()], verbose=0)
    """

    def __init__(self, raise_error: bool = False) -> None:
        super().__init__()
        self.raise_error = raise_error

    @accepts_lazy_logs
    def on_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        loss = logs.get("loss")
        if loss is not None:
            loss = tensor_to_python(loss)
            if np.isnan(loss) or np.isinf(loss):
                if self.raise_error:
                    raise RuntimeError(
                        f"NaN or Inf loss encountered at batch {batch}. "
                        f"Loss value: {loss}. Terminating training immediately."
                    )
                else:
                    print_msg(f"Batch {batch}: Invalid loss, terminating training")
                    self.model.stop_training = True
