"""``keras.callbacks.LambdaCallback``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


@register("LambdaCallback", category="callbacks")
class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on-the-fly.

    ``on_epoch_begin/on_epoch_end(epoch, logs)``, ``on_train_begin/on_train_end(logs)`` and
    ``on_train_batch_begin/on_train_batch_end(batch, logs)`` are taken as given; any other
    keyword (e.g. ``on_test_end=...``) is set as an attribute, as in Keras.
    """

    def __init__(
        self,
        on_epoch_begin: Callable[..., Any] | None = None,
        on_epoch_end: Callable[..., Any] | None = None,
        on_train_begin: Callable[..., Any] | None = None,
        on_train_end: Callable[..., Any] | None = None,
        on_train_batch_begin: Callable[..., Any] | None = None,
        on_train_batch_end: Callable[..., Any] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__()
        self.__dict__.update(kwargs)
        if on_epoch_begin is not None:
            self.on_epoch_begin = on_epoch_begin  # type: ignore[method-assign]
        if on_epoch_end is not None:
            self.on_epoch_end = on_epoch_end  # type: ignore[method-assign]
        if on_train_begin is not None:
            self.on_train_begin = on_train_begin  # type: ignore[method-assign]
        if on_train_end is not None:
            self.on_train_end = on_train_end  # type: ignore[method-assign]
        if on_train_batch_begin is not None:
            self.on_train_batch_begin = on_train_batch_begin  # type: ignore[method-assign]
        if on_train_batch_end is not None:
            self.on_train_batch_end = on_train_batch_end  # type: ignore[method-assign]
