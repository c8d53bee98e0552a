"""``K.*`` control flow of tf-keras 2 on eager torch: ``rnn``, ``map_fn``/``foldl``/``foldr``, the learning
phase, and the graph helpers ``function``, ``placeholder`` and ``gradients``."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch import ops as _ops
from keras_torch.backend.function import Function
from keras_torch.core import tree as _tree
from keras_torch.core.config import floatx
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers.core import Input

_LEARNING_PHASE = {"value": 0}  # K.set_learning_phase / learning_phase_scope


def learning_phase() -> int:
    """The global learning phase: 0 (test) or 1 (train).

    Returns:
        0 or 1.
    """
    return _LEARNING_PHASE["value"]


def set_learning_phase(value: int) -> None:
    """Set the global learning phase (0 = test, 1 = train).

    Args:
        value: 0 (test) or 1 (train).
    """
    if value not in (0, 1):
        raise ValueError("Expected learning phase to be 0 or 1.")
    _LEARNING_PHASE["value"] = int(value)


@contextlib.contextmanager
def learning_phase_scope(value: int) -> Iterator[None]:
    """Set the learning phase inside the block (restored afterwards).

    Args:
        value: 0 (test) or 1 (train).

    Yields:
        Nothing; the phase is set while the block runs.
    """
    previous = learning_phase()
    set_learning_phase(value)
    try:
        yield
    finally:
        _LEARNING_PHASE["value"] = previous


def in_train_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """``x`` in training, ``alt`` otherwise (callables are called).

    Args:
        x: Value (or zero-argument callable) for the training phase.
        alt: Value (or callable) otherwise.
        training: The phase; ``None`` uses the enclosing layer call's ``training``, then
            :func:`learning_phase`.

    Returns:
        The chosen value (called when callable).
    """
    if training is None:
        training = CALL_CONTEXT.training
    if training is None:
        training = learning_phase()
    if isinstance(training, torch.Tensor) and training.numel() == 1:
        training = bool(training)
    chosen = x if training in (1, True) else alt
    return chosen() if callable(chosen) else chosen


def in_test_phase(x: Any, alt: Any, training: Any = None) -> Any:
    """``x`` at test time, ``alt`` in training (the mirror of :func:`in_train_phase`).

    Args:
        x: Value (or zero-argument callable) for the test phase.
        alt: Value (or callable) for the training phase.
        training: The phase; None uses the enclosing layer call's ``training``, then :func:`learning_phase`.

    Returns:
        The chosen value.
    """
    return in_train_phase(alt, x, training=training)


def _stack_outputs(outputs: list[Any]) -> Any:
    first = outputs[0]
    if isinstance(first, (list, tuple)):
        return type(first)(_stack_outputs([o[i] for o in outputs]) for i in range(len(first)))
    return torch.stack([_ops.convert_to_tensor(o) for o in outputs])


def _slices(elems: Any) -> list[Any]:
    if isinstance(elems, (list, tuple)):
        columns = [_slices(e) for e in elems]
        return [type(elems)(column) for column in zip(*columns)]
    return list(torch.unbind(_ops.convert_to_tensor(elems), dim=0))


def map_fn(fn: Callable[[Any], Any], elems: Any, name: str | None = None, dtype: Any = None) -> Any:
    """``fn`` applied to each slice of ``elems`` along axis 0, results stacked (tuples of tensors allowed).

    Args:
        fn: Function of one slice.
        elems: A tensor, or a tuple/list of tensors sliced together.
        name: Accepted for compatibility.
        dtype: Output dtype (cast), if given.

    Returns:
        The outputs of ``fn`` stacked along a new first axis.
    """
    out = _stack_outputs([fn(e) for e in _slices(elems)])
    return out if dtype is None else _ops.cast(out, dtype)


def foldl(fn: Callable[[Any, Any], Any], elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """Reduce ``elems`` from the first slice: ``acc = fn(acc, x)`` (``initializer`` defaults to ``elems[0]``).

    Args:
        fn: Function ``(accumulator, slice) -> accumulator``.
        elems: A tensor (or a tuple/list of tensors) sliced along axis 0.
        initializer: Starting accumulator; None uses the first slice.
        name: Accepted for compatibility.

    Returns:
        The final accumulator.
    """
    items = _slices(elems)
    acc = initializer
    if acc is None:
        acc, items = items[0], items[1:]
    for item in items:
        acc = fn(acc, item)
    return acc


def foldr(fn: Callable[[Any, Any], Any], elems: Any, initializer: Any = None, name: str | None = None) -> Any:
    """Reduce ``elems`` from the last slice: ``acc = fn(acc, x)`` (``initializer`` defaults to ``elems[-1]``).

    Args:
        fn: Function ``(accumulator, slice) -> accumulator``.
        elems: A tensor (or a tuple/list of tensors) sliced along axis 0.
        initializer: Starting accumulator; None uses the last slice.
        name: Accepted for compatibility.

    Returns:
        The final accumulator.
    """
    items = _slices(elems)[::-1]
    acc = initializer
    if acc is None:
        acc, items = items[0], items[1:]
    for item in items:
        acc = fn(acc, item)
    return acc


def _expand_like(mask_t: torch.Tensor, value: torch.Tensor) -> torch.Tensor:
    while mask_t.ndim < value.ndim:
        mask_t = mask_t.unsqueeze(-1)
    return mask_t


def rnn(step_function: Callable, inputs: Any, initial_states: Any, go_backwards: bool = False, mask: Any = None,
        constants: Any = None, unroll: bool = False, input_length: Any = None, time_major: bool = False,
        zero_output_for_mask: bool = False, return_all_outputs: bool = True) -> tuple[Any, Any, list]:
    """Iterate ``step_function(input_t, states + constants) -> (output_t, new_states)`` over time.

    Args:
        step_function: The per-step function.
        inputs: ``(batch, time, ...)`` tensor (or a nested structure of them); time first with
            ``time_major``.
        initial_states: List of state tensors.
        go_backwards: Iterate from the last step.
        mask: ``(batch, time)`` booleans; a masked step keeps the previous output and states.
        constants: Extra tensors passed to every step.
        unroll: Accepted for compatibility (the loop always runs eagerly).
        input_length: Accepted for compatibility.
        time_major: Whether axis 0 of ``inputs`` (and ``mask``) is time.
        zero_output_for_mask: Give masked steps zero outputs.
        return_all_outputs: Stack every step's output (else only the last, with a time axis of 1).

    Returns:
        ``(last_output, outputs, new_states)``; ``outputs`` is ``(batch, time, ...)`` (time first with
        ``time_major``).
    """
    flat_inputs = [_ops.convert_to_tensor(t) for t in _tree.flatten(inputs)]
    if not time_major:
        flat_inputs = [t.transpose(0, 1) for t in flat_inputs]
    if any(t.ndim < 3 for t in flat_inputs):
        raise ValueError(f"K.rnn inputs must be at least 3D (batch, time, features). Received shapes: "
                         f"{[tuple(t.shape) for t in flat_inputs]}")
    steps = flat_inputs[0].shape[0]
    mask_t = None
    if mask is not None:
        mask_t = _ops.convert_to_tensor(mask).to(torch.bool)
        if mask_t.ndim == 3:
            mask_t = mask_t.squeeze(-1)
        if not time_major:
            mask_t = mask_t.transpose(0, 1)
    order = range(steps - 1, -1, -1) if go_backwards else range(steps)
    states = list(initial_states)
    extra = tuple(constants or ())
    outputs: list[torch.Tensor] = []
    prev_output = None
    for t in order:
        inp = _tree.pack_like(inputs, [x[t] for x in flat_inputs])
        output, new_states = step_function(inp, tuple(states) + extra)
        new_states = list(new_states) if isinstance(new_states, (list, tuple)) else [new_states]
        if mask_t is not None:
            m = mask_t[t]
            prev = torch.zeros_like(output) if prev_output is None else prev_output
            output = torch.where(_expand_like(m, output), output, prev)
            new_states = [torch.where(_expand_like(m, n), n, s) for n, s in zip(new_states, states)]
        prev_output = output
        states = new_states
        outputs = outputs + [output] if return_all_outputs else [output]
    last_output = outputs[-1]
    stacked = torch.stack(outputs)
    if mask_t is not None and zero_output_for_mask:
        last_mask = mask_t[order[-1]]
        last_output = torch.where(_expand_like(last_mask, last_output), last_output, torch.zeros_like(last_output))
        kept = mask_t[list(order)] if return_all_outputs else last_mask.unsqueeze(0)
        stacked = torch.where(_expand_like(kept, stacked), stacked, torch.zeros_like(stacked))
    if not time_major:
        stacked = stacked.transpose(0, 1)
    return last_output, stacked, states


def placeholder(shape: Any = None, ndim: int | None = None, dtype: Any = None, sparse: bool = False,
                name: str | None = None, ragged: bool = False) -> KerasTensor:
    """A symbolic input (``keras.Input``) of the full ``shape`` (batch included, ``None`` for unknown).

    Args:
        shape: Full shape, batch included (None for unknown sizes).
        ndim: Rank, when ``shape`` is not given (all sizes unknown).
        dtype: dtype; None means ``floatx()``.
        sparse: Not supported (must be False).
        name: Name of the input.
        ragged: Not supported (must be False).

    Returns:
        A symbolic tensor.

    Raises:
        ValueError: Neither ``shape`` nor ``ndim`` given, or both ``sparse`` and ``ragged``.
        NotImplementedError: ``sparse`` or ``ragged`` (keras_torch has dense symbolic tensors only).
    """
    if sparse and ragged:
        raise ValueError("Cannot set both sparse and ragged to True when creating a placeholder.")
    if sparse or ragged:
        raise NotImplementedError("keras_torch placeholders are dense: sparse and ragged placeholders are not "
                                  "supported.")
    if not shape:
        if not ndim:
            raise ValueError("K.placeholder needs a `shape` or an `ndim` (keras_torch has no unknown-rank tensors).")
        shape = (None,) * ndim
    return Input(batch_shape=tuple(shape), dtype=dtype or floatx(), name=name)


def function(inputs: Any, outputs: Any, updates: Any = None, name: str | None = None,
             **kwargs: Any) -> Callable[[Any], Any]:
    """A callable evaluating symbolic ``outputs`` from values for ``inputs``, returning numpy arrays.

    As tf-keras in eager mode: a list holding one output gives a one-item list back.

    Args:
        inputs: Symbolic input(s) (``keras.Input`` or ``K.placeholder``).
        outputs: Symbolic output(s) computed from ``inputs``.
        updates: Not supported (must be empty).
        name: Name of the underlying function.
        **kwargs: Not supported (session arguments).

    Returns:
        A function taking input values (a list matching ``inputs``) and returning numpy outputs.

    Raises:
        ValueError: ``updates`` or session keyword arguments (they need TF1 graphs).
    """
    if kwargs:
        raise ValueError(f"Session keyword arguments are not supported during eager execution. You passed: {kwargs}")
    if updates:
        raise ValueError(f"`updates` argument is not supported during eager execution. You passed: {updates}")
    graph = Function(inputs, outputs, name=name)
    wrap = isinstance(outputs, list) and len(outputs) == 1

    def run(model_inputs: Any) -> Any:
        values = _tree.map_structure(_ops.convert_to_tensor, model_inputs)
        with torch.no_grad():
            outs = graph(values)
        if wrap and not isinstance(outs, list):
            outs = [outs]
        return _tree.map_structure(lambda t: t.detach().cpu().numpy() if isinstance(t, torch.Tensor) else t, outs)

    return run


def gradients(loss: Any, variables: Any) -> list[torch.Tensor | None]:
    r"""Gradients of ``loss`` (summed if not scalar) with respect to ``variables`` (``None`` where unconnected).

    keras_torch runs eagerly, so this works when ``loss`` was computed from the variables with
    gradient tracking on (as with weights of a layer, or ``keras.Variable``\ s).

    Args:
        loss: Tensor with autograd history.
        variables: A variable (or tensor) or a list of them.

    Returns:
        One gradient tensor (or None) per variable.

    Raises:
        ValueError: ``loss`` is symbolic (no graph to differentiate yet) or does not track gradients.
    """
    targets = list(variables) if isinstance(variables, (list, tuple)) else [variables]
    if isinstance(loss, KerasTensor):
        raise ValueError("K.gradients cannot differentiate a symbolic KerasTensor: keras_torch runs eagerly. Compute "
                         "the loss from real tensors (e.g. inside `train_step`) and call K.gradients there, or use "
                         "torch.autograd.grad.")
    if not isinstance(loss, torch.Tensor) or not loss.requires_grad:
        raise ValueError("K.gradients needs a loss computed from variables that track gradients (requires_grad=True); "
                         "this loss has no autograd history.")
    total = loss if loss.ndim == 0 else loss.sum()
    return list(torch.autograd.grad(total, targets, retain_graph=True, allow_unused=True))


def stop_gradient(variables: Any) -> Any:
    """``variables`` (a tensor or a list) detached from the autograd graph.

    Args:
        variables: A tensor or a list of tensors.

    Returns:
        The detached tensor(s).
    """
    if isinstance(variables, (list, tuple)):
        return [_ops.stop_gradient(v) for v in variables]
    return _ops.stop_gradient(variables)


def print_tensor(x: Any, message: str = "", summarize: int = 3) -> Any:
    """Print ``message`` and ``x`` (``summarize`` edge items per axis) to stdout; return ``x`` unchanged.

    Args:
        x: Tensor or array.
        message: Text printed before the values.
        summarize: Number of leading and trailing items shown per axis.

    Returns:
        ``x``.
    """
    values = np.asarray(x.detach().cpu().numpy() if isinstance(x, torch.Tensor) else x)
    body = np.array2string(values, threshold=max(summarize * 2, 1), edgeitems=summarize, separator=" ")
    print(f"{message} {body}" if message else body, flush=True)
    return x
