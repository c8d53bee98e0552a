"""Symbolic tensors, nodes and operations: the functional API's graph.

A :class:`KerasTensor` is a shape + dtype placeholder with a history
``(operation, node_index, tensor_index)``. Calling an :class:`Operation` (every ``Layer`` is one)
on KerasTensors records a :class:`Node`; a functional model replays the nodes on real tensors.
Python operators and ``keras_torch.ops`` functions on KerasTensors are recorded as
:class:`FunctionOperation` nodes, so ``x[:, 1:3]`` or ``a + b`` work in model code. Output specs
are inferred by running the operation on zeros (twice, with different sizes for unknown dims),
unless it says better.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from keras_torch.core import budget as _budget
from keras_torch.core import naming, registry, tree
from keras_torch.core.dtypes import dtype_name, to_torch_dtype


class KerasTensor:
    """A symbolic tensor: a shape and a dtype without values.

    Produced by :func:`keras_torch.Input` and by calling layers or ``keras.ops`` functions on other
    KerasTensors; each one remembers the operation that produced it, which is how functional models are
    recorded. Arithmetic operators, indexing and ``keras.ops`` work on it and return new KerasTensors.

    Args:
        shape: Shape tuple; ``None`` marks a size unknown until call time (typically the batch).
        dtype: Dtype name (default ``"float32"``).
        name: Optional name.
        history: Internal: the node that produced the tensor.

    Example:

    >>> x = keras.Input((3,))
    >>> y = keras.layers.Dense(4)(x) * 2
    >>> type(y).__name__, y.shape, y.dtype
    ('KerasTensor', (None, 4), 'float32')
    """

    def __init__(self, shape: tuple, dtype: Any = "float32", name: str | None = None, history: Any = None) -> None:
        self.shape = tuple(None if d is None else int(d) for d in shape)
        self.dtype = dtype_name(dtype)
        self.name = name
        self._keras_history = history  # (layer, node_index, tensor_index)
        if _budget.active() is not None:  # a model rebuilt from a file: its activations must fit too
            _budget.check_activation(self.shape, self.dtype)

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

    # Python operators record Keras 3's operations (``Add``...: core/operations.py, registered when the
    # layers load) so that models using them save to Keras-3-valid configs; before that, plain ops.
    def __add__(self, o):
        return _operator("Add", torch.add, (self, o))

    def __radd__(self, o):
        return _operator("Add", torch.add, (o, self))

    def __sub__(self, o):
        return _operator("Subtract", torch.sub, (self, o))

    def __rsub__(self, o):
        return _operator("Subtract", torch.sub, (o, self))

    def __mul__(self, o):
        return _operator("Multiply", torch.mul, (self, o))

    def __rmul__(self, o):
        return _operator("Multiply", torch.mul, (o, self))

    def __truediv__(self, o):
        return _operator("TrueDivide", torch.true_divide, (self, o))

    def __rtruediv__(self, o):
        return _operator("TrueDivide", torch.true_divide, (o, self))

    def __matmul__(self, o):
        return _operator("Matmul", torch.matmul, (self, o))

    def __pow__(self, o):
        return _operator("Power", torch.pow, (self, o))

    def __neg__(self):
        return _operator("Negative", torch.neg, (self,))

    def __abs__(self):
        return _operator("Absolute", torch.abs, (self,))

    def __getitem__(self, key):
        return _operator("GetItem", lambda a, k: a[k], (self, key))

    def __lt__(self, o):
        return _operator("Less", torch.lt, (self, o))

    def __gt__(self, o):
        return _operator("Greater", torch.gt, (self, o))

    def __le__(self, o):
        return _operator("LessEqual", torch.le, (self, o))

    def __ge__(self, o):
        return _operator("GreaterEqual", torch.ge, (self, o))


def _operator(class_name: str, fn: Callable, args: tuple) -> Any:
    """``class_name``'s registered operation applied to ``args``, else ``fn`` as an unserializable op."""
    cls = registry.lookup("operations", class_name)
    if cls is not None:
        return cls()(*args)
    return apply_op(fn, args, {}, name=naming.to_snake_case(class_name))


class Node:
    """One call of a layer on symbolic inputs: the layer, its call arguments, its outputs."""

    def __init__(self, layer: Any, call_args: tuple, call_kwargs: dict, outputs: Any) -> None:
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


class Operation(nn.Module):
    """Base of every graph-recordable computation (Keras's ``Operation``).

    Args:
        name: Unique name; defaults to the snake-cased class name made unique.

    Example:

    >>> isinstance(keras.layers.Dense(2), keras.Operation)
    True
    """

    def __init__(self, name: str | None = None) -> None:
        super().__init__()
        self.name = name or naming.uniquify(naming.to_snake_case(type(self).__name__))
        self._inbound_nodes: list[Node] = []

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any_symbolic((args, kwargs)):
            return self._record_node(args, kwargs, self.compute_output_spec(*args, **kwargs))
        return self.call(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement `call`.")

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        return self.call(*args, **kwargs)

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Symbolic outputs (KerasTensors without history) for symbolic arguments."""
        return self._infer_output_spec(*args, **kwargs)

    def _record_node(self, args: tuple, kwargs: dict, spec: Any) -> Any:
        """Outputs of one symbolic call: KerasTensors shaped like ``spec`` whose history is a new Node."""
        node_index = len(self._inbound_nodes)
        flat = tree.flatten(spec)
        outs = [
            KerasTensor(s.shape, s.dtype, name=f"{self.name}_{node_index}_{i}", history=(self, node_index, i))
            for i, s in enumerate(flat)
        ]
        outputs = tree.pack_like(spec, outs)
        self._inbound_nodes.append(Node(self, tuple(args), dict(kwargs), outputs))
        return outputs

    def _infer_output_spec(self, inputs: Any, *args: Any, **kwargs: Any) -> Any:
        """Run on zero tensors twice (different sizes for unknown dims): dims that change are None."""
        results = []
        device = param_device(self)
        for fill in ((2, 3), (3, 5)):
            def concrete(x: Any, fill: tuple = fill) -> Any:
                if not isinstance(x, KerasTensor):
                    return x
                shape = [fill[0] if (d is None and i == 0) else (fill[1] if d is None else d)
                         for i, d in enumerate(x.shape)]
                return torch.zeros(shape, dtype=to_torch_dtype(x.dtype), device=device)

            a, kw = tree.map_structure(concrete, (inputs, args)), tree.map_structure(concrete, kwargs)
            with torch.no_grad():
                out = self(a[0], *a[1], **kw)
            results.append(out)
            if not any(d is None for k in tree.flatten((inputs, args, kwargs)) if isinstance(k, KerasTensor)
                       for d in k.shape):
                break
        first = tree.flatten(results[0])
        second = tree.flatten(results[-1])
        specs = []
        for t1, t2 in zip(first, second):
            if not isinstance(t1, torch.Tensor):
                specs.append(KerasTensor((), "float32"))
                continue
            shape = tuple(d1 if d1 == d2 else None for d1, d2 in zip(t1.shape, t2.shape))
            if len(results) == 1 and shape:
                shape = (None,) + shape[1:] if _batch_unknown(inputs) else shape
            specs.append(KerasTensor(shape, t1.dtype))
        return tree.pack_like(results[0], specs)

    def __hash__(self) -> int:
        return id(self)

    def __eq__(self, other: object) -> bool:
        return self is other


class FunctionOperation(Operation):
    """One tensor function recorded in a functional graph, its non-tensor arguments kept as constants.

    Not serializable to a Keras config (real Keras 3 records these as ops too); models using them
    can be saved with ``save_weights`` or rebuilt from code.
    """

    def __init__(self, fn: Callable, const_args: tuple, const_kwargs: dict, name: str | None = None) -> None:
        super().__init__(name=name)
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

    def __repr__(self) -> str:
        return f"<FunctionOperation name={self.name}>"


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


class _Listed:
    def __init__(self, items: list, typ: type) -> None:
        self.items, self.typ = items, typ


def apply_op(fn: Callable, args: tuple, kwargs: dict, name: str, output_spec: Any = None) -> Any:
    """Record ``fn(*args, **kwargs)``, where some top-level args are KerasTensors (or lists of them).

    ``output_spec`` (KerasTensors without history, nested like the outputs) skips inferring the
    outputs by running ``fn`` on zeros; ops whose output shape depends on values or whose zeros run
    would fail (a singular ``inv``) pass it.
    """
    tensors: list[Any] = []

    def slot(a: Any) -> Any:
        if isinstance(a, KerasTensor):
            tensors.append(a)
            return _SLOT
        if isinstance(a, (list, tuple)) and any(isinstance(v, KerasTensor) for v in a):
            return _Listed([slot(v) for v in a], type(a))
        return a

    const_args = tuple(slot(a) for a in args)
    const_kwargs = {k: slot(v) for k, v in kwargs.items()}
    op = FunctionOperation(_named(fn), const_args, const_kwargs, name=naming.uniquify(name))
    inputs = tensors if len(tensors) != 1 else tensors[0]
    if output_spec is None:
        return op(inputs)
    return op._record_node((inputs,), {}, output_spec)


def _named(fn: Callable) -> Callable:
    # A plain closure pickles/deep-copies by reference like the lambdas KerasTensor operators pass.
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return fn(*args, **kwargs)

    wrapped.__name__ = getattr(fn, "__name__", "op")
    return wrapped


def any_symbolic(x: Any) -> bool:
    """Whether a nested structure holds a KerasTensor."""
    return any(isinstance(t, KerasTensor) for t in tree.flatten(x))


def param_device(module: nn.Module) -> torch.device:
    """Device of the first parameter (or buffer) of ``module``; CPU when it has none."""
    for p in module.parameters():
        return p.device
    for b in module.buffers():
        return b.device
    return torch.device("cpu")


def _is_shape(s: Any) -> bool:
    return isinstance(s, (tuple, list)) and all(d is None or isinstance(d, (int, np.integer)) for d in s)


def map_shapes(fn: Callable[[tuple], Any], s: Any) -> Any:
    """Apply ``fn`` to every shape in a (possibly nested) structure of shapes."""
    if s is None:
        return None
    if _is_shape(s):
        return fn(tuple(s))
    if isinstance(s, (list, tuple)):
        return type(s)(map_shapes(fn, v) for v in s)
    if isinstance(s, dict):
        return {k: map_shapes(fn, v) for k, v in s.items()}
    return s


def _batch_unknown(inputs: Any) -> bool:
    for t in tree.flatten(inputs):
        if isinstance(t, KerasTensor):
            return t.shape[0] is None if t.shape else False
    return False
