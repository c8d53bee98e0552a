"""Symbolic tensors for the functional API.

A :class:`KerasTensor` is a shape + dtype placeholder with a history
``(layer, node_index, tensor_index)``. Calling a layer on KerasTensors records a :class:`Node`;
a functional model replays the nodes on real tensors. Python operators and ``keras_torch.ops``
on KerasTensors become small op layers, so ``x[:, 1:3]`` or ``a + b`` work in model code.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.core.dtypes import dtype_name


class KerasTensor:
    """A symbolic tensor: ``shape`` (with ``None`` for unknown dims), ``dtype`` name and history."""

    def __init__(self, shape: tuple, dtype: Any = "float32", name: str | None = None, history: Any = None) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype_name(dtype)
        self.name = name
        self._keras_history = history  # (layer, node_index, tensor_index)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __repr__(self) -> str:
        return f"<KerasTensor shape={self.shape}, dtype={self.dtype}, name={self.name}>"

    def __len__(self) -> int:
        raise TypeError("len() is not defined for symbolic tensors; use `keras.ops.shape(x)[0]`.")

    def __iter__(self):
        if self.shape and self.shape[0] is not None:
            return iter(self[i] for i in range(self.shape[0]))
        raise TypeError("Cannot iterate over a symbolic tensor with an unknown first dimension.")

    def __bool__(self) -> bool:
        raise TypeError("A symbolic KerasTensor cannot be used as a Python bool.")

    # Python operators become op layers (recorded in the graph like any other layer call).
    def _op(self, fn: Any, *args: Any, name: str) -> Any:
        from keras_torch.layers.ops_layer import apply_op

        return apply_op(fn, (self, *args), {}, name=name)

    def __add__(self, o):
        return self._op(torch.add, o, name="add")

    def __radd__(self, o):
        return self._op(lambda a, b: torch.add(b, a), o, name="add")

    def __sub__(self, o):
        return self._op(torch.sub, o, name="subtract")

    def __rsub__(self, o):
        return self._op(lambda a, b: torch.sub(b, a), o, name="subtract")

    def __mul__(self, o):
        return self._op(torch.mul, o, name="multiply")

    def __rmul__(self, o):
        return self._op(lambda a, b: torch.mul(b, a), o, name="multiply")

    def __truediv__(self, o):
        return self._op(torch.true_divide, o, name="divide")

    def __rtruediv__(self, o):
        return self._op(lambda a, b: torch.true_divide(b, a), o, name="divide")

    def __matmul__(self, o):
        return self._op(torch.matmul, o, name="matmul")

    def __pow__(self, o):
        return self._op(torch.pow, o, name="power")

    def __neg__(self):
        return self._op(torch.neg, name="negative")

    def __abs__(self):
        return self._op(torch.abs, name="absolute")

    def __getitem__(self, key):
        return self._op(lambda a, k: a[k], key, name="get_item")

    def __lt__(self, o):
        return self._op(torch.lt, o, name="less")

    def __gt__(self, o):
        return self._op(torch.gt, o, name="greater")

    def __le__(self, o):
        return self._op(torch.le, o, name="less_equal")

    def __ge__(self, o):
        return self._op(torch.ge, o, name="greater_equal")


class Node:
    """One call of a layer on symbolic inputs: the layer, its call arguments, its outputs."""

    def __init__(self, layer: Any, call_args: tuple, call_kwargs: dict, outputs: Any) -> None:
        from keras_torch.core import tree

        self.layer = layer
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.input_tensors = [t for t in tree.flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)]
        self.output_tensors = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
        self.parent_nodes = []
        for t in self.input_tensors:
            if t._keras_history is not None:
                lyr, ni, _ = t._keras_history
                self.parent_nodes.append(lyr._inbound_nodes[ni])

    @property
    def is_input(self) -> bool:
        return not self.input_tensors


def is_symbolic(x: Any) -> bool:
    return isinstance(x, KerasTensor)


def any_symbolic(args: Any) -> bool:
    from keras_torch.core import tree

    return any(isinstance(t, KerasTensor) for t in tree.flatten(args))
