"""``StackedRNNCells``: a list of cells behaving as one cell (the cells of ``RNN([...])``)."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core import registry, tree
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer

Tensor = torch.Tensor


def build_cell(layer: Layer, shape: Any) -> None:
    """Build a sub-layer for ``shape`` the way the base class does on first call."""
    layer._build_shapes = shape
    layer.build(shape)
    layer.built = True


@register_layer()
class StackedRNNCells(Layer):
    """Wraps a list of cells so that they behave as one cell (the stacked cells of ``RNN([...])``).

    Args:
        cells: List of cell instances (each with ``call(inputs, states)`` and ``state_size``).

    Input shape:
        ``inputs`` ``(batch, features)`` and ``states``: one state list per cell.

    Output shape:
        ``(output of the last cell, [states of each cell])``.

    Example:

    >>> cells = keras.layers.StackedRNNCells([keras.layers.GRUCell(8), keras.layers.GRUCell(4)])
    >>> keras.layers.RNN(cells)(np.random.rand(2, 5, 3).astype("float32")).shape
    torch.Size([2, 4])
    """

    def __init__(self, cells: list[Any], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(cells, (list, tuple)) or not cells:
            raise ValueError(f"Layer '{self.name}': `cells` must be a non-empty list of RNN cells. Received: "
                             f"cells={cells!r}")
        for cell in cells:
            if not hasattr(cell, "call"):
                raise ValueError(f"All cells must have a `call` method. Received cell without a `call` method: {cell}")
            if not hasattr(cell, "state_size"):
                raise ValueError(f"All cells must have a `state_size` attribute. Received cell without a "
                                 f"`state_size`: {cell}")
        self.cells = list(cells)

    @property
    def state_size(self) -> list[Any]:
        return [c.state_size for c in self.cells]

    @property
    def output_size(self) -> int:
        last = self.cells[-1]
        if getattr(last, "output_size", None) is not None:
            return last.output_size
        if isinstance(last.state_size, (list, tuple)):
            return last.state_size[0]
        return last.state_size

    def get_initial_state(self, batch_size: int | None = None) -> list[Any]:
        out = []
        for cell in self.cells:
            fn = getattr(cell, "get_initial_state", None)
            if fn is not None:
                out.append(fn(batch_size=batch_size))
            elif isinstance(cell.state_size, int):
                out.append(torch.zeros((batch_size, cell.state_size)))
            else:
                out.append([torch.zeros((batch_size, d)) for d in cell.state_size])
        return out

    def build(self, input_shape: Any) -> None:
        for cell in self.cells:
            if isinstance(cell, Layer) and not cell.built:
                build_cell(cell, tuple(input_shape))
            out_dim = getattr(cell, "output_size", None)
            if out_dim is None:
                out_dim = cell.state_size[0] if isinstance(cell.state_size, (list, tuple)) else cell.state_size
            input_shape = (tree.flatten(input_shape)[0], out_dim)

    def call(self, inputs: Tensor, states: Any, training: bool = False) -> tuple[Tensor, list[Any]]:
        new_states = []
        for cell, st in zip(self.cells, states):
            was_list = tree.is_nested(st)
            st = list(st) if was_list else [st]
            kw = {"training": training} if isinstance(cell, Layer) else {}
            inputs, st = cell(inputs, st, **kw)
            if not tree.is_nested(st):
                st = [st]
            if len(st) == 1 and not was_list:
                st = st[0]
            new_states.append(st)
        return inputs, new_states

    def get_config(self) -> dict[str, Any]:
        cells = [registry.serialize_keras_object(c, "layers") for c in self.cells]
        return {**super().get_config(), "cells": cells}

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> StackedRNNCells:
        config = dict(config)
        cells = [registry.deserialize_keras_object(c, "layers", custom_objects) for c in config.pop("cells")]
        return cls(cells, **config)


__all__ = ["StackedRNNCells"]
