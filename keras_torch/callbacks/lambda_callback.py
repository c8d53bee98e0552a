"""``keras.callbacks.LambdaCallback``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch.callbacks.callback import Callback
from keras_torch.core.registry import register


@register("LambdaCallback", category="callbacks")
class LambdaCallback(Callback):
    """Callback for creating simple, custom callbacks on the fly.

    Each argument is a function called at the matching point of training, with the arguments Keras passes
    to the corresponding :class:`Callback` method.

    Args:
        on_epoch_begin: ``fn(epoch, logs)`` called at the beginning of every epoch.
        on_epoch_end: ``fn(epoch, logs)`` called at the end of every epoch.
        on_train_begin: ``fn(logs)`` called at the beginning of training.
        on_train_end: ``fn(logs)`` called at the end of training.
        on_train_batch_begin: ``fn(batch, logs)`` called before every training batch.
        on_train_batch_end: ``fn(batch, logs)`` called after every training batch.
        **kwargs: Any other hook, e.g. ``on_test_end=fn``, is set as an attribute, as in Keras.

    Example:

    >>> model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(1)])
    >>> model.compile(optimizer="sgd", loss="mse")
    >>> x, y = np.random.rand(32, 4), np.random.rand(32, 1)
    >>> losses = []
    >>> log_loss = keras.callbacks.LambdaCallback(on_epoch_end=lambda epoch, logs: losses.append(logs["loss"]))
    >>> _ = model.fit(x, y, epochs=3, callbacks=[log_loss], verbose=0)
    >>> len(losses)
    3
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
