"""tf-keras 2's ``AbstractRNNCell``: the base class of a custom RNN cell."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core.dtypes import to_torch_dtype
from keras_torch.layers.base import Layer

__all__ = ["AbstractRNNCell"]


class AbstractRNNCell(Layer):
    """Base class for a custom RNN cell to run inside :class:`~keras_torch.layers.RNN`.

    Subclasses implement ``call(inputs, states) -> (output, new_states)`` and the
    :attr:`state_size` / :attr:`output_size` properties; :meth:`get_initial_state` returns zeros
    shaped by ``state_size``.

    Input shape:
        ``inputs`` ``(batch, features)`` and ``states``, a list of tensors shaped by ``state_size``.

    Output shape:
        ``(output, new_states)``: ``output`` ``(batch, output_size)`` and the new states.

    Example:

    >>> class MinimalRNNCell(keras.layers.AbstractRNNCell):
    ...     def __init__(self, units, **kwargs):
    ...         super().__init__(**kwargs)
    ...         self.units = units
    ...     @property
    ...     def state_size(self):
    ...         return self.units
    ...     def build(self, input_shape):
    ...         self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
    ...     def call(self, inputs, states):
    ...         output = inputs @ self.kernel + states[0]
    ...         return output, [output]
    >>> layer = keras.layers.RNN(MinimalRNNCell(4))
    >>> layer(np.ones((2, 5, 3), "float32")).shape
    torch.Size([2, 4])
    """

    def call(self, inputs: torch.Tensor, states: Any) -> tuple[torch.Tensor, Any]:
        """One step: ``(output of size output_size, new states shaped like state_size)``."""
        raise NotImplementedError(f"{type(self).__name__} must implement `call(inputs, states)`.")

    @property
    def state_size(self) -> Any:
        """Size(s) of the state(s): an int, a shape, or a nested structure of them."""
        raise NotImplementedError(f"{type(self).__name__} must define the `state_size` property.")

    @property
    def output_size(self) -> Any:
        """Size of the outputs (an int or a shape)."""
        raise NotImplementedError(f"{type(self).__name__} must define the `output_size` property.")

    def get_initial_state(self, inputs: Any = None, batch_size: int | None = None, dtype: Any = None) -> Any:
        """Zero states for ``batch_size`` (read from ``inputs`` when given): one tensor per entry of
        ``state_size`` entry, or a single tensor when ``state_size`` is an int (tf-keras semantics)."""
        if inputs is not None:
            batch_size = inputs.shape[0]
            dtype = inputs.dtype
        if dtype is not None and not isinstance(dtype, torch.dtype):
            dtype = to_torch_dtype(dtype)
        dtype = dtype or next((w.dtype for w in self.weights), torch.get_default_dtype())

        def zeros(size: Any) -> torch.Tensor:
            dims = (size,) if isinstance(size, int) else tuple(size)
            return torch.zeros((batch_size, *dims), dtype=dtype)

        size = self.state_size
        if isinstance(size, (list, tuple)):
            return [zeros(s) for s in size]
        return zeros(size)
