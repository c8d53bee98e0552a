"""Op layers: Python operators / ``keras_torch.ops`` functions applied to symbolic tensors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keras_torch.core import tree
from keras_torch.layers.base import Layer


class OpLayer(Layer):
    """Wraps one tensor function so a functional graph can record and replay it.

    Not serializable to Keras config (real Keras 3 records these as ops too); models using
    them can be saved with ``save_weights`` or rebuilt from code.
    """

    def __init__(self, fn: Callable, const_args: tuple, const_kwargs: dict, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.fn = fn
        self.const_args = const_args
        self.const_kwargs = const_kwargs
        self.built = True

    def call(self, inputs: Any) -> Any:
        flat = tree.flatten(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        it = iter(flat)

        def fill(a: Any) -> Any:
            if a is _SLOT:
                return next(it)
            if isinstance(a, _Listed):
                return a.typ(fill(v) for v in a.items)
            return a

        args = tuple(fill(a) for a in self.const_args)
        kwargs = {k: fill(v) for k, v in self.const_kwargs.items()}
        return self.fn(*args, **kwargs)

    def get_config(self) -> dict[str, Any]:
        raise NotImplementedError(
            f"Layer '{self.name}' applies a raw tensor operation ({getattr(self.fn, '__name__', self.fn)}) "
            "and cannot be serialized to a Keras config; wrap it in a Lambda or a custom layer."
        )


class _Slot:
    """Placeholder for a tensor argument; a singleton, also across copies and pickling."""

    def __repr__(self) -> str:
        return "<tensor>"

    def __copy__(self) -> _Slot:
        return self

    def __deepcopy__(self, memo: dict) -> _Slot:
        return self

    def __reduce__(self) -> str:
        return "_SLOT"


_SLOT = _Slot()


def apply_op(fn: Callable, args: tuple, kwargs: dict, name: str) -> Any:
    """Call ``fn(*args, **kwargs)`` where some top-level args are KerasTensors (or lists of them)."""
    from keras_torch.core.keras_tensor import KerasTensor
    from keras_torch.core.naming import uniquify

    tensors: list[Any] = []

    def slot(a: Any) -> Any:
        if isinstance(a, KerasTensor):
            tensors.append(a)
            return _SLOT
        if isinstance(a, (list, tuple)) and any(isinstance(v, KerasTensor) for v in a):
            inner = [slot(v) for v in a]
            return _Listed(inner, type(a))
        return a

    const_args = tuple(slot(a) for a in args)
    const_kwargs = {k: slot(v) for k, v in kwargs.items()}
    layer = OpLayer(_unlist(fn), const_args, const_kwargs, name=uniquify(name))
    return layer(tensors if len(tensors) != 1 else tensors[0])


class _Listed:
    def __init__(self, items: list, typ: type) -> None:
        self.items, self.typ = items, typ


def _unlist(fn: Callable) -> Callable:
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    wrapped.__name__ = getattr(fn, "__name__", "op")
    return wrapped
