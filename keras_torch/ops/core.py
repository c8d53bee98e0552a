"""The ``keras.ops`` core family (Keras's ``keras.src.ops.core``): conversion, casting, slicing and
scattering, and control flow (``cond``, ``switch``, loops, scans, maps, ``custom_gradient``).

Control flow runs as Python on eager tensors. With symbolic arguments the whole construct is
recorded as one graph op over its tensor inputs, so the functions passed in must only use their
arguments (as in Keras). A symbolic ``cond``/``switch`` index evaluates every branch and selects.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from keras_torch.core import tree
from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


def convert_to_tensor(x: Any, dtype: Any = None, sparse: bool | None = None, ragged: bool | None = None) -> Tensor:
    """A torch tensor from ``x`` with Keras's conversion rules (Python ints -> int32, floats ->
    floatx, NumPy arrays keep their dtype).

    Args:
        x: Tensor, array, scalar or nested list.
        dtype: Optional target dtype.
        sparse: ``True`` is unsupported (keras_torch has no sparse tensors).
        ragged: ``True`` is unsupported.

    Returns:
        Tensor.

    Raises:
        ValueError: for ``sparse=True`` or ``ragged=True``.

    Example:

    >>> ops.convert_to_tensor([1, 2], dtype="float32")
    tensor([1., 2.])
    """
    if sparse:
        raise ValueError("`sparse=True` is not supported: keras_torch has no sparse tensors.")
    if ragged:
        raise ValueError("`ragged=True` is not supported: keras_torch has no ragged tensors.")
    return d.tensor(x, dtype)


def convert_to_numpy(x: Any) -> np.ndarray:
    """A NumPy array (detached, on the CPU) from a tensor or array-like.

    Args:
        x: Tensor, variable or array-like.

    Returns:
        A ``numpy.ndarray``.

    Example:

    >>> ops.convert_to_numpy(ops.array([1, 2]))
    array([1, 2], dtype=int32)
    """
    return d.to_numpy(x)


def is_tensor(x: Any) -> bool:
    """Whether ``x`` is a torch tensor.

    Args:
        x: Any object.

    Returns:
        True for a ``torch.Tensor``, else False.

    Example:

    >>> ops.is_tensor(ops.array([1.0])), ops.is_tensor([1.0])
    (True, False)
    """
    return isinstance(x, Tensor)


def shape(x: Any) -> tuple:
    """Static shape as a tuple (None for unknown dims of symbolic tensors).

    Args:
        x: Tensor, symbolic tensor or array-like.

    Returns:
        A tuple of ints (and None).

    Example:

    >>> ops.shape(ops.zeros((2, 3)))
    (2, 3)
    """
    return d.shape_of(x)


def dtype(x: Any) -> str:
    """Keras dtype name of ``x``.

    Args:
        x: Tensor, variable or array-like.

    Returns:
        The dtype name, e.g. "float32".

    Example:

    >>> ops.dtype(ops.array([1, 2]))
    'int32'
    """
    return d.dtypes.standardize_dtype(getattr(x, "dtype", None) if hasattr(x, "dtype") else d.tensor(x).dtype)


@d.op(rule=lambda x, dtype: d.spec(d.shape_of(x), dtype))
def cast(x: Any, dtype: Any) -> Tensor:
    """``x`` converted to ``dtype`` (floats truncate toward zero into integers).

    Args:
        x: Tensor or array-like.
        dtype: Target dtype (a Keras dtype name such as "int32", or a torch dtype).

    Returns:
        Tensor of dtype ``dtype``.

    Example:

    >>> ops.cast(ops.array([1.7, -1.7]), "int32")
    tensor([ 1, -1], dtype=torch.int32)
    """
    return d.tensor(x).to(d.dtypes.to_torch(dtype))


@d.op(rule=lambda x, dtype: d.spec(d.shape_of(x), dtype))
def saturate_cast(x: Any, dtype: Any) -> Tensor:
    """``x`` clipped to the range of ``dtype``, then cast (no wrap-around).

    Args:
        x: Input tensor.
        dtype: Target dtype.

    Returns:
        Tensor of dtype ``dtype``.

    Example:

    >>> ops.saturate_cast(ops.array([-5.0, 300.0]), "uint8")
    tensor([  0, 255], dtype=torch.uint8)
    """
    t = d.tensor(x)
    dt = d.dtypes.to_torch(dtype)
    if dt != torch.bool and not dt.is_complex:
        info = torch.finfo(dt) if dt.is_floating_point else torch.iinfo(dt)
        src = torch.finfo(t.dtype) if t.is_floating_point() else (torch.iinfo(t.dtype) if t.dtype != torch.bool else None)
        if src is not None:
            lo, hi = builtins.max(info.min, src.min), builtins.min(info.max, src.max)
            if t.is_floating_point() and not dt.is_floating_point:
                t = torch.clamp(t.double() if t.dtype != torch.float64 else t, lo, hi)
            else:
                t = torch.clamp(t, lo, hi)
    return t.to(dt)


@d.op
def stop_gradient(variable: Any) -> Tensor:
    """``variable`` without gradient flow.

    Args:
        variable: Tensor or variable.

    Returns:
        Tensor with the same value, detached from the autograd graph.

    Example:

    >>> import torch
    >>> x = torch.tensor([2.0], requires_grad=True)
    >>> ops.stop_gradient(x).requires_grad
    False
    """
    return d.tensor(variable).detach()


@d.op
def unstack(x: Any, num: int | None = None, axis: int = 0) -> list[Tensor]:
    """Split along ``axis`` into a list of tensors without that axis.

    Args:
        x: Input tensor.
        num: Expected length of ``axis`` (checked when given).
        axis: Axis to unstack.

    Returns:
        A list of tensors with ``axis`` removed.

    Raises:
        ValueError: if ``num`` differs from the length of the axis.

    Example:

    >>> ops.unstack(ops.array([[1, 2], [3, 4]]), axis=1)
    [tensor([1, 3], dtype=torch.int32), tensor([2, 4], dtype=torch.int32)]
    """
    t = d.tensor(x)
    if num is not None and num != t.shape[axis]:
        raise ValueError(f"Cannot unstack axis {axis} of length {t.shape[axis]} into num={num} tensors.")
    return list(torch.unbind(t, dim=axis))


def _starts(start_indices: Any) -> list[int]:
    if isinstance(start_indices, Tensor):
        return [int(v) for v in start_indices.reshape(-1).tolist()]
    return [int(v) for v in start_indices]


@d.op
def slice(inputs: Any, start_indices: Any, shape: Any) -> Tensor:  # noqa: A001 - Keras name
    """The block of ``shape`` starting at ``start_indices`` (a -1 size takes the rest of the axis).

    Args:
        inputs: Input tensor.
        start_indices: Start of the block, one index per axis.
        shape: Size of the block per axis.

    Returns:
        Tensor of shape ``shape``.

    Raises:
        ValueError: if the lengths do not match the rank.

    Example:

    >>> ops.slice(ops.arange(10).reshape(2, 5), (0, 1), (2, 2))
    tensor([[1, 2],
            [6, 7]], dtype=torch.int32)
    """
    t = d.tensor(inputs)
    starts, sizes = _starts(start_indices), d.shape_tuple(shape)
    if len(starts) != t.ndim or len(sizes) != t.ndim:
        raise ValueError(
            f"`start_indices` and `shape` must have one entry per dimension ({t.ndim}). "
            f"Received: start_indices={start_indices}, shape={shape}")
    idx = tuple(builtins.slice(s, None if n == -1 else s + n) for s, n in zip(starts, sizes))
    return t[idx]


@d.op
def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Tensor:
    """``inputs`` with the block at ``start_indices`` replaced by ``updates`` (a new tensor).

    Args:
        inputs: Input tensor.
        start_indices: Start of the block, one index per axis.
        updates: Tensor written at ``start_indices``, of the rank of ``inputs``.

    Returns:
        Tensor of the shape of ``inputs``.

    Raises:
        ValueError: if ``start_indices`` or ``updates`` do not match the rank of ``inputs``.

    Example:

    >>> ops.slice_update(ops.zeros((4,)), (1,), ops.ones((2,)))
    tensor([0., 1., 1., 0.])
    """
    t = d.tensor(inputs)
    u = d.tensor(updates, device=t.device).to(t.dtype)
    starts = _starts(start_indices)
    if len(starts) != t.ndim or u.ndim != t.ndim:
        raise ValueError(
            f"`start_indices` and `updates` must match the rank of `inputs` ({t.ndim}). Received: "
            f"start_indices={start_indices}, updates.shape={tuple(u.shape)}")
    out = t.clone()
    out[tuple(builtins.slice(s, s + n) for s, n in zip(starts, u.shape))] = u
    return out


def _scatter_index(indices: Tensor, depth: int) -> tuple[Tensor, ...]:
    idx = indices.to(torch.int64).reshape(-1, depth)
    return tuple(idx[:, i] for i in range(depth))


def _scatter_rule(indices: Any, values: Any, shape: Any) -> Any:
    return d.spec(d.shape_tuple(shape), values.dtype if isinstance(values, d.KerasTensor) else d.result(values))


@d.op(rule=_scatter_rule)
def scatter(indices: Any, values: Any, shape: Any) -> Tensor:
    """A zero tensor of ``shape`` with ``values`` added at ``indices`` (duplicates sum).

    Args:
        indices: ``(..., k)`` integer coordinates of the first ``k`` axes.
        values: ``(..., *shape[k:])`` values.
        shape: Output shape.

    Returns:
        Tensor.

    Example:

    >>> ops.scatter(ops.array([[0], [2]]), ops.array([1.0, 5.0]), (4,))
    tensor([1., 0., 5., 0.])
    """
    v = d.tensor(values)
    idx = d.tensor(indices, device=v.device)
    out = torch.zeros(d.shape_tuple(shape), dtype=v.dtype, device=v.device)
    depth = idx.shape[-1]
    return out.index_put(_scatter_index(idx, depth), v.reshape(-1, *out.shape[depth:]), accumulate=True)


_REDUCTIONS = {"add": "sum", "mul": "prod", "multiply": "prod", "max": "amax", "min": "amin"}


@d.op
def scatter_update(inputs: Any, indices: Any, updates: Any, reduction: str | None = None) -> Tensor:
    """``inputs`` with ``updates`` written (or combined by ``reduction``) at ``indices``.

    Args:
        inputs: Tensor to update (not modified).
        indices: ``(N, k)`` coordinates of the first ``k`` axes.
        updates: ``(N, *inputs.shape[k:])`` values.
        reduction: None (replace), "add", "mul", "max" or "min".

    Returns:
        Updated tensor.

    Raises:
        ValueError: for an unknown reduction.

    Example:

    >>> ops.scatter_update(ops.zeros((3,)), ops.array([[1]]), ops.array([9.0]))
    tensor([0., 9., 0.])
    """
    t = d.tensor(inputs)
    u = d.tensor(updates, device=t.device).to(t.dtype)
    idx = d.tensor(indices, device=t.device)
    depth = idx.shape[-1]
    u = u.reshape(-1, *t.shape[depth:])
    if reduction is None:
        return t.index_put(_scatter_index(idx, depth), u)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"Unknown reduction {reduction!r}. Expected one of None, {sorted(_REDUCTIONS)}.")
    if reduction == "add":
        return t.index_put(_scatter_index(idx, depth), u, accumulate=True)
    flat_idx = torch.zeros(u.shape[0], dtype=torch.int64, device=t.device)
    for i, coord in enumerate(_scatter_index(idx, depth)):
        flat_idx = flat_idx * t.shape[i] + coord
    flat = t.reshape(-1, *t.shape[depth:])
    index = flat_idx.reshape(-1, *([1] * (u.ndim - 1))).expand_as(u)
    return flat.scatter_reduce(0, index, u, reduce=_REDUCTIONS[reduction], include_self=True).reshape(t.shape)


# ---- control flow
def _select(pred: Any, a: Any, b: Any) -> Any:
    if tree.is_nested(a):
        return tree.pack_like(a, [_select(pred, x, y) for x, y in zip(tree.flatten(a), tree.flatten(b))])
    return torch.where(d.tensor(pred).to(torch.bool), a, b)


def _same_structure(outs: list[Any], what: str) -> None:
    specs = [[(tuple(t.shape), t.dtype) for t in tree.flatten(o)] for o in outs]
    if builtins.any(s != specs[0] for s in specs[1:]):
        raise ValueError(f"All {what} must return outputs of the same shape and dtype. Received: {specs}")


def cond(pred: Any, true_fn: Callable[[], Any], false_fn: Callable[[], Any]) -> Any:
    """``true_fn()`` if ``pred`` else ``false_fn()``; a symbolic ``pred`` evaluates both and selects.

    Args:
        pred: Boolean scalar (a Python bool or a scalar tensor).
        true_fn: Function of no arguments called when ``pred`` is true.
        false_fn: Function of no arguments called otherwise; returns the same structure as ``true_fn``.

    Returns:
        The output of the selected function.

    Raises:
        ValueError: if a symbolic ``pred``'s branches return different shapes.

    Example:

    >>> x = ops.array(3.0)
    >>> ops.cond(x > 0, lambda: x * 2, lambda: -x)
    tensor(6.)
    """
    if not isinstance(pred, d.KerasTensor):
        return true_fn() if bool(pred) else false_fn()
    t_out, f_out = true_fn(), false_fn()
    _same_structure([t_out, f_out], "branches of `cond`")
    return d.symbolic_call(_select, (pred, t_out, f_out), {}, name="cond")


def _switch_select(index: Any, *outs: Any) -> Any:
    i = d.tensor(index).to(torch.int64).clamp(0, len(outs) - 1)
    result = outs[-1]
    for k in range(len(outs) - 2, -1, -1):
        result = _select(i == k, outs[k], result)
    return result


def switch(index: Any, branches: list[Callable], *operands: Any) -> Any:
    """``branches[index](*operands)`` (``index`` clamped to the valid range); a symbolic ``index``
    evaluates every branch and selects.

    Args:
        index: Integer scalar selecting the branch.
        branches: List of functions taking ``*operands``.
        *operands: Arguments passed to the selected branch.

    Returns:
        The output of the selected branch.

    Raises:
        ValueError: for an empty ``branches``.

    Example:

    >>> ops.switch(1, [lambda x: x + 1, lambda x: x * 10], ops.array(3))
    tensor(30, dtype=torch.int32)
    """
    if not branches:
        raise ValueError("`branches` cannot be empty.")
    if not isinstance(index, d.KerasTensor):
        i = builtins.min(builtins.max(int(index), 0), len(branches) - 1)
        return branches[i](*operands)
    outs = [b(*operands) for b in branches]
    _same_structure(outs, "branches of `switch`")
    return d.symbolic_call(_switch_select, (index, *outs), {}, name="switch")


def _as_tensors(structure: Any) -> Any:
    """Leaves of a loop state as tensors (as Keras's backends make them); symbolic leaves kept."""
    return tree.map_structure(
        lambda v: v if v is None or isinstance(v, (Tensor, d.KerasTensor)) else d.tensor(v), structure)


def fori_loop(lower: int, upper: int, body_fun: Callable[[Any, Any], Any], init_val: Any) -> Any:
    """``val = body_fun(i, val)`` for ``i`` in ``range(lower, upper)``, starting from ``init_val``.

    Args:
        lower: First loop index.
        upper: Loop end (exclusive).
        body_fun: Function ``(i, val) -> val``.
        init_val: Initial value (a tensor or a structure of tensors).

    Returns:
        The final value.

    Example:

    >>> ops.fori_loop(0, 5, lambda i, total: total + i, ops.array(0))
    tensor(10, dtype=torch.int32)
    """
    def run(init: Any) -> Any:
        val = init
        for i in range(int(lower), int(upper)):
            val = body_fun(i, val)
        return val

    init_val = _as_tensors(init_val)
    if d.is_symbolic(tree.flatten(init_val)):
        return d.symbolic_call(run, (init_val,), {}, name="fori_loop")
    return run(init_val)


def while_loop(cond: Callable[..., Any], body: Callable[..., Any], loop_vars: Any,
               maximum_iterations: int | None = None) -> Any:
    """Repeat ``loop_vars = body(*loop_vars)`` while ``cond(*loop_vars)`` (at most
    ``maximum_iterations`` times).

    Args:
        cond: Predicate on the loop variables.
        body: Update; returns loop variables of the same structure.
        loop_vars: A tensor or a tuple/list of tensors.
        maximum_iterations: Optional bound.

    Returns:
        The final loop variables (same structure as ``loop_vars``).

    Example:

    >>> ops.while_loop(lambda i: i < 10, lambda i: i * 2, ops.array(1))
    tensor(16, dtype=torch.int32)
    """
    packed = isinstance(loop_vars, (tuple, list))

    def run(*vars_: Any) -> Any:
        state = list(vars_)
        n = 0
        while (maximum_iterations is None or n < maximum_iterations) and bool(cond(*state)):
            out = body(*state)
            state = list(out) if isinstance(out, (tuple, list)) else [out]
            n += 1
        return type(loop_vars)(state) if packed else state[0]

    args = tuple(_as_tensors(list(loop_vars))) if packed else (_as_tensors(loop_vars),)
    if builtins.any(d.is_symbolic(a) for a in args):
        rule_out = tuple(d.spec(d.shape_of(a), a.dtype if isinstance(a, d.KerasTensor) else d.tensor(a).dtype)
                         for a in args)
        return d.symbolic_call(run, args, {}, rule=lambda *a: type(loop_vars)(rule_out) if packed else rule_out[0],
                               name="while_loop")
    return run(*args)


def _index_tree(xs: Any, i: int) -> Any:
    return tree.map_structure(lambda v: v[i], xs)


def _stack_tree(items: list[Any]) -> Any:
    if not items:
        return None
    first = items[0]
    if first is None:
        return None
    flat = [tree.flatten(it) for it in items]
    stacked = [torch.stack([f[k] if isinstance(f[k], Tensor) else d.tensor(f[k]) for f in flat])
               for k in range(len(flat[0]))]
    return tree.pack_like(first, stacked)


def scan(f: Callable[[Any, Any], tuple[Any, Any]], init: Any, xs: Any = None, length: int | None = None,
         reverse: bool = False, unroll: int = 1) -> tuple[Any, Any]:
    """Loop ``carry, y = f(carry, x)`` over the leading axis of ``xs``, stacking the ``y``.

    Args:
        f: Step function.
        init: Initial carry (a tensor or structure).
        xs: Sequence(s) scanned over their first axis (None: ``length`` steps with ``x=None``).
        length: Number of steps when ``xs`` is None.
        reverse: Scan from the end.
        unroll: Accepted for API compatibility (Python loops are unrolled).

    Returns:
        ``(final_carry, stacked_ys)``.

    Raises:
        ValueError: without ``xs`` and ``length``, or with a ``length`` that differs from ``xs``.

    Example:

    >>> def step(carry, x):
    ...     return carry + x, carry * x
    >>> ops.scan(step, ops.array(0), ops.array([1, 2, 3]))
    (tensor(6, dtype=torch.int32), tensor([0, 2, 9], dtype=torch.int32))
    """
    def run(init_: Any, xs_: Any) -> tuple[Any, Any]:
        if xs_ is None:
            if length is None:
                raise ValueError("`length` must be specified when `xs` is None.")
            n = int(length)
        else:
            n = int(tree.flatten(xs_)[0].shape[0])
            if length is not None and int(length) != n:
                raise ValueError(f"`length` ({length}) does not match the length of `xs` ({n}).")
        carry, ys = init_, []
        for i in (range(n - 1, -1, -1) if reverse else range(n)):
            carry, y = f(carry, None if xs_ is None else _index_tree(xs_, i))
            ys.append(y)
        if reverse:
            ys.reverse()
        return carry, _stack_tree(ys)

    if xs is None and length is None:
        raise ValueError("`length` must be specified when `xs` is None.")
    init, xs = _as_tensors(init), _as_tensors(xs)
    if d.is_symbolic(tree.flatten(init)) or d.is_symbolic(tree.flatten(xs)):
        return d.symbolic_call(run, (init, xs), {}, name="scan")
    return run(init, xs)


def associative_scan(f: Callable[[Any, Any], Any], elems: Any, reverse: bool = False, axis: int = 0) -> Any:
    """Inclusive prefix scan with an associative ``f`` along ``axis`` (Hillis-Steele: ``f`` is
    called on whole shifted slices, so it must be elementwise over the scanned axis).

    Args:
        f: Associative binary function on tensors (or structures of tensors).
        elems: Tensor or structure of tensors of one length along ``axis``.
        reverse: Scan from the end.
        axis: Scanned axis.

    Returns:
        Structure like ``elems``.

    Example:

    >>> ops.associative_scan(lambda a, b: a + b, ops.array([1, 2, 3, 4]))
    tensor([ 1,  3,  6, 10], dtype=torch.int32)
    """
    def run(elems_: Any) -> Any:
        leaves = [d.tensor(v) for v in tree.flatten(elems_)]
        ax = d.canonical_axis(axis, leaves[0].ndim)
        n = leaves[0].shape[ax]
        if reverse:
            leaves = [torch.flip(v, (ax,)) for v in leaves]
        offset = 1
        while offset < n:
            a = tree.pack_like(elems_, [v.narrow(ax, 0, n - offset) for v in leaves])
            b = tree.pack_like(elems_, [v.narrow(ax, offset, n - offset) for v in leaves])
            combined = tree.flatten(f(a, b))
            leaves = [torch.cat([v.narrow(ax, 0, offset), c], dim=ax) for v, c in zip(leaves, combined)]
            offset *= 2
        if reverse:
            leaves = [torch.flip(v, (ax,)) for v in leaves]
        return tree.pack_like(elems_, leaves)

    if d.is_symbolic(tree.flatten(elems)):
        return d.symbolic_call(run, (elems,), {}, name="associative_scan")
    return run(elems)


def map(f: Callable[[Any], Any], xs: Any) -> Any:  # noqa: A001 - Keras name
    """``f`` applied to each slice of ``xs`` along its first axis, results stacked.

    Args:
        f: Function applied to each slice.
        xs: Tensor (or structure of tensors) mapped over its first axis.

    Returns:
        The outputs of ``f`` stacked along a new first axis.

    Example:

    >>> ops.map(lambda row: ops.sum(row), ops.array([[1, 2], [3, 4]]))
    tensor([3, 7], dtype=torch.int32)
    """
    def run(xs_: Any) -> Any:
        n = int(tree.flatten(xs_)[0].shape[0])
        return _stack_tree([f(_index_tree(xs_, i)) for i in range(n)])

    if d.is_symbolic(tree.flatten(xs)):
        return d.symbolic_call(run, (xs,), {}, name="map")
    return run(xs)


def vectorized_map(function: Callable[[Any], Any], elements: Any) -> Any:
    """``function`` mapped over the first axis of ``elements`` with ``torch.func.vmap`` (a Python
    loop when the function cannot be vectorized).

    Args:
        function: Function applied to each slice.
        elements: Tensor (or structure of tensors) mapped over its first axis.

    Returns:
        The outputs of ``function`` stacked along a new first axis.

    Example:

    >>> ops.vectorized_map(lambda row: row * 2, ops.array([[1, 2], [3, 4]]))
    tensor([[2, 4],
            [6, 8]], dtype=torch.int32)
    """
    def run(elements_: Any) -> Any:
        try:
            return torch.func.vmap(function)(elements_)
        except RuntimeError:
            return map(function, elements_)

    if d.is_symbolic(tree.flatten(elements)):
        return d.symbolic_call(run, (elements,), {}, name="vectorized_map")
    return run(elements)


def _call_grad(grad_fn: Callable, inputs: tuple, upstream: tuple) -> Any:
    # Keras's torch backend calls grad(*inputs, upstream=g); its TF/JAX backends call grad(g).
    params = inspect.signature(grad_fn).parameters.values()
    if builtins.any(p.kind == p.VAR_POSITIONAL for p in params) and builtins.any(
            p.name == "upstream" and p.kind == p.KEYWORD_ONLY for p in params):
        return grad_fn(*inputs, upstream=upstream[0] if len(upstream) == 1 else upstream)
    return grad_fn(*upstream)


def custom_gradient(f: Callable[..., tuple[Any, Callable]]) -> Callable[..., Any]:
    """Decorator giving ``f`` a hand-written gradient: ``f(*args)`` returns ``(output, grad_fn)``,
    and ``grad_fn(upstream)`` returns the gradients of the inputs.

    Args:
        f: Function returning ``(output, grad_fn)``.

    Returns:
        The function with the custom gradient.

    Example:

    >>> @ops.custom_gradient
    ... def clipped_identity(x):
    ...     def grad_fn(upstream):
    ...         return ops.clip(upstream, -1.0, 1.0)
    ...     return x, grad_fn
    >>> import torch
    >>> x = torch.tensor([2.0], requires_grad=True)
    >>> (clipped_identity(x) * 5.0).sum().backward()
    >>> x.grad
    tensor([1.])
    """
    class _Fn(torch.autograd.Function):
        @staticmethod
        def forward(ctx: Any, *args: Any) -> Any:
            with torch.enable_grad():
                out, grad_fn = f(*args)
            ctx.grad_fn, ctx.inputs = grad_fn, args
            return out.detach() if isinstance(out, Tensor) else tree.map_structure(
                lambda v: v.detach() if isinstance(v, Tensor) else v, out)

        @staticmethod
        def backward(ctx: Any, *upstream: Any) -> Any:
            grads = _call_grad(ctx.grad_fn, ctx.inputs, upstream)
            grads = grads if isinstance(grads, (tuple, list)) else (grads,)
            return tuple(grads) + (None,) * (len(ctx.inputs) - len(grads))

    def wrapped(*args: Any) -> Any:
        if builtins.any(isinstance(a, d.KerasTensor) for a in args):
            return d.symbolic_call(lambda *a: _Fn.apply(*a), args, {}, name=getattr(f, "__name__", "custom_gradient"))
        return _Fn.apply(*(d.tensor(a) if not isinstance(a, Tensor) else a for a in args))

    wrapped.__name__ = getattr(f, "__name__", "custom_gradient")
    wrapped.__doc__ = f.__doc__
    return wrapped
