"""Use a plain ``torch.nn.Module`` as a Keras layer (like Keras 3's ``TorchModuleWrapper``)."""

from __future__ import annotations

from typing import Any

from torch import nn

from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer


@register_layer()
class TorchModuleWrapper(Layer):
    """Wraps ``module``: its parameters become trainable weights (torch layout, no conversion).

    Args:
        module: Any ``torch.nn.Module``; ``module.train(training)`` is set on every call so
            torch Dropout/BatchNorm follow the Keras ``training`` flag.
        output_shape: Optional fixed output shape (without batch) to skip shape inference.
        name: Optional name of the layer.

    Input shape:
        Whatever ``module`` accepts (tensors are passed as they are, channels_first for torch convs).

    Output shape:
        What ``module`` returns.

    Example:

    >>> layer = keras.layers.TorchModuleWrapper(torch.nn.Linear(3, 2))
    >>> layer(np.ones((4, 3), "float32")).shape
    torch.Size([4, 2])
    >>> [tuple(w.shape) for w in layer.trainable_weights]
    [(2, 3), (2,)]
    """

    def __init__(self, module: nn.Module, name: str | None = None, output_shape: Any = None, **kwargs: Any) -> None:
        super().__init__(name=name, **kwargs)
        self.module = module
        self._fixed_output_shape = output_shape
        self.built = True

    def call(self, inputs: Any, training: bool | None = None) -> Any:
        if self.module.training != bool(training):
            self.module.train(bool(training))
        return self.module(inputs)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"TorchModuleWrapper '{self.name}' wraps arbitrary torch code and has no Keras config; "
            "save it with `save_weights` / `state_dict()`."
        )
