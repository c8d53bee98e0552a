"""Adaptable layers: how ``adapt`` reads its data, and tf-keras 2's ``PreprocessingLayer`` base class."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import torch

from keras_torch.layers.base import Layer

__all__ = ["PreprocessingLayer", "adapt_batches"]


def adapt_batches(data: Any, steps: int | None = None, batch_size: int | None = None) -> Iterable[Any]:
    """The batches ``adapt`` reads from ``data``.

    Args:
        data: An array/tensor (or an object with ``.numpy()``): one batch, or slices of
            ``batch_size`` rows when that is given; otherwise an iterable of batches (a generator,
            a ``DataLoader``, a tf stand-in dataset), whose ``(x, y)`` items give ``x``.
        steps: Read at most this many batches of an iterable.
        batch_size: Rows per batch when slicing an array.

    Returns:
        An iterable of batches.
    """
    if isinstance(data, (np.ndarray, torch.Tensor)) or not hasattr(data, "__iter__") or hasattr(data, "numpy"):
        if batch_size is None or not hasattr(data, "shape"):
            return [data]
        return [data[i:i + batch_size] for i in range(0, len(data), batch_size)][:steps]
    if hasattr(data, "_keras_iter"):  # the tf stand-in's datasets
        data = data._keras_iter()

    def take() -> Iterable[Any]:
        for i, batch in enumerate(data):
            if steps is not None and i >= steps:
                break
            yield batch[0] if isinstance(batch, tuple) else batch

    return take()


class PreprocessingLayer(Layer):
    """tf-keras 2's base class of layers with state computed from data (``keras.layers.experimental.preprocessing``).

    Subclasses implement :meth:`update_state` (accumulate one batch), :meth:`reset_state` and
    optionally :meth:`finalize_state`; :meth:`adapt` runs them over the data.

    Input shape:
        Defined by the subclass.

    Output shape:
        Defined by the subclass.

    Example:

    >>> layer = keras.layers.Normalization()  # a PreprocessingLayer
    >>> layer.adapt(np.array([[0.0], [2.0]]))
    >>> layer(np.array([[2.0]]))
    tensor([[1.]])
    """

    _is_adapted: bool  # set by adapt(), cleared when a new adapt() starts

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._is_adapted = False

    @property
    def is_adapted(self) -> bool:
        """Whether :meth:`adapt` has run."""
        return self._is_adapted

    def update_state(self, data: Any) -> None:
        """Accumulate statistics from one batch."""
        raise NotImplementedError(f"{type(self).__name__} must implement update_state().")

    def reset_state(self) -> None:
        """Forget the accumulated statistics (``adapt`` calls it first)."""
        raise NotImplementedError(f"{type(self).__name__} must implement reset_state().")

    def finalize_state(self) -> None:
        """Turn the accumulated statistics into the layer's state (after the last batch)."""

    def compile(self, run_eagerly: bool | None = None, steps_per_execution: int | None = None) -> None:
        """Accepted for tf-keras compatibility (``adapt`` always runs eagerly here)."""

    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Fit the layer's state to ``data``: ``reset_state``, ``update_state`` per batch, ``finalize_state``.

        Args:
            data: An array (sliced into batches of ``batch_size``, default 32) or an iterable of batches.
            batch_size: Rows per batch for arrays.
            steps: Batches to read (all by default).
        """
        if self.built:
            self.reset_state()
            self._is_adapted = False
        for batch in adapt_batches(data, steps, 32 if batch_size is None else batch_size):
            if not self.built:
                shape = tuple(getattr(batch, "shape", ()) or ())
                self.build((None,) * len(shape) if shape else None)
                self.built = True
            self.update_state(batch)
        self.finalize_state()
        self._is_adapted = True
