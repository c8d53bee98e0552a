"""``K.*`` tensor functions of tf-keras 2 (math, shapes, values) on torch tensors."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch import ops as _ops
from keras_torch.core.config import floatx
from keras_torch.core.dtypes import to_torch_dtype

__all__ = [
    "abs",
    "all",
    "any",
    "arange",
    "argmax",
    "argmin",
    "batch_dot",
    "batch_flatten",
    "batch_get_value",
    "batch_set_value",
    "cast",
    "cast_to_floatx",
    "clip",
    "concatenate",
    "constant",
    "cos",
    "count_params",
    "cumprod",
    "cumsum",
    "dot",
    "dtype",
    "elu",
    "equal",
    "exp",
    "expand_dims",
    "flatten",
    "gather",
    "get_value",
    "greater",
    "greater_equal",
    "hard_sigmoid",
    "in_top_k",
    "int_shape",
    "is_sparse",
    "is_tensor",
    "l2_normalize",
    "less",
    "less_equal",
    "log",
    "max",
    "maximum",
    "mean",
    "min",
    "minimum",
    "ndim",
    "not_equal",
    "one_hot",
    "ones",
    "ones_like",
    "permute_dimensions",
    "pow",
    "prod",
    "random_bernoulli",
    "random_binomial",
    "random_normal",
    "random_uniform",
    "relu",
    "repeat",
    "repeat_elements",
    "reshape",
    "reverse",
    "round",
    "set_value",
    "shape",
    "sigmoid",
    "sign",
    "sin",
    "softmax",
    "softplus",
    "softsign",
    "sqrt",
    "square",
    "squeeze",
    "stack",
    "std",
    "sum",
    "switch",
    "tanh",
    "tile",
    "to_dense",
    "transpose",
    "truncated_normal",
    "var",
    "zeros",
    "zeros_like",
]

abs = _ops.abs  # noqa: A001
exp, log, sqrt, square, sign, round = _ops.exp, _ops.log, _ops.sqrt, _ops.square, _ops.sign, _ops.round  # noqa: A001
sin, cos, tanh, sigmoid, relu, softplus = _ops.sin, _ops.cos, _ops.tanh, _ops.sigmoid, _ops.relu, _ops.softplus
maximum, minimum, equal, not_equal = _ops.maximum, _ops.minimum, _ops.equal, _ops.not_equal
greater, greater_equal, less, less_equal = _ops.greater, _ops.greater_equal, _ops.less, _ops.less_equal
ones_like, zeros_like, tile = _ops.ones_like, _ops.zeros_like, _ops.tile
expand_dims, squeeze, transpose, stack = _ops.expand_dims, _ops.squeeze, _ops.transpose, _ops.stack
is_tensor = _ops.is_tensor


def _t(x: Any) -> torch.Tensor:
    return _ops.convert_to_tensor(x)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Mean along ``axis`` (integer inputs average as floats).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The means.
    """
    return _ops.mean(_t(x).float() if not _t(x).is_floating_point() else x, axis=axis, keepdims=keepdims)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Sum along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The sums.
    """
    return _ops.sum(x, axis=axis, keepdims=keepdims)


def max(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Maximum along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The maxima.
    """
    return _ops.max(x, axis=axis, keepdims=keepdims)


def min(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Minimum along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The minima.
    """
    return _ops.min(x, axis=axis, keepdims=keepdims)


def std(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population standard deviation along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The standard deviations.
    """
    return _ops.std(x, axis=axis, keepdims=keepdims)


def var(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Population variance along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The variances.
    """
    return _ops.var(x, axis=axis, keepdims=keepdims)


def all(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether all elements along ``axis`` are true (non-zero).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        Boolean tensor.
    """
    return _ops.all(x, axis=axis, keepdims=keepdims)


def any(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:  # noqa: A001
    """Whether any element along ``axis`` is true (non-zero).

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        Boolean tensor.
    """
    return _ops.any(x, axis=axis, keepdims=keepdims)


def argmax(x: Any, axis: int = -1) -> torch.Tensor:
    """Index of the largest value along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis to reduce.

    Returns:
        int32 tensor with ``axis`` removed.
    """
    return _ops.argmax(x, axis=axis)


def argmin(x: Any, axis: int = -1) -> torch.Tensor:
    """Index of the smallest value along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis to reduce.

    Returns:
        int32 tensor with ``axis`` removed.
    """
    return _ops.argmin(x, axis=axis)


def clip(x: Any, min_value: Any, max_value: Any) -> torch.Tensor:
    """Clip values to ``[min_value, max_value]`` (a ``max_value`` below ``min_value`` is raised to it).

    Args:
        x: Input tensor.
        min_value: Lower bound (or None).
        max_value: Upper bound (or None).

    Returns:
        The clipped tensor.
    """
    if max_value is not None and min_value is not None and max_value < min_value:
        max_value = min_value
    return _ops.clip(x, min_value, max_value)


def pow(x: Any, a: Any) -> torch.Tensor:  # noqa: A001
    """``x`` to the power ``a``, elementwise.

    Args:
        x: Input tensor.
        a: Exponent (a number or a tensor).

    Returns:
        Tensor.
    """
    return _ops.power(x, a)


def cast(x: Any, dtype: Any) -> torch.Tensor:
    """Cast a tensor to ``dtype``.

    Args:
        x: Tensor or array-like.
        dtype: Target dtype name (e.g. "float16") or torch dtype.

    Returns:
        Tensor of dtype ``dtype``.
    """
    return _ops.cast(x, dtype)


def constant(value: Any, dtype: Any = None, shape: Any = None, name: str | None = None) -> torch.Tensor:
    """A constant tensor from a value.

    Args:
        value: A number, a (nested) list or an array.
        dtype: dtype of the result; None means ``floatx()``.
        shape: Shape to broadcast ``value`` to, or None.
        name: Accepted for compatibility.

    Returns:
        Tensor.
    """
    t = _ops.convert_to_tensor(value, dtype=dtype or floatx())
    return torch.broadcast_to(t, tuple(shape)).clone() if shape is not None else t


def zeros(shape: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:
    """A tensor of zeros.

    Args:
        shape: Shape.
        dtype: dtype; None means ``floatx()``.
        name: Accepted for compatibility.

    Returns:
        Tensor.
    """
    return _ops.zeros(shape, dtype=dtype)


def ones(shape: Any, dtype: Any = None, name: str | None = None) -> torch.Tensor:
    """A tensor of ones.

    Args:
        shape: Shape.
        dtype: dtype; None means ``floatx()``.
        name: Accepted for compatibility.

    Returns:
        Tensor.
    """
    return _ops.ones(shape, dtype=dtype)


def arange(start: Any, stop: Any = None, step: Any = 1, dtype: str = "int32") -> torch.Tensor:
    """Evenly spaced values in ``[start, stop)`` (``arange(n)`` counts from 0 to ``n - 1``).

    Args:
        start: First value, or the end when ``stop`` is None.
        stop: End (exclusive).
        step: Spacing.
        dtype: dtype of the result.

    Returns:
        1-D tensor.
    """
    return _ops.arange(start, stop, step, dtype=dtype)


def shape(x: Any) -> tuple:
    """The shape of a tensor.

    Args:
        x: Tensor, variable or symbolic tensor.

    Returns:
        A tuple.
    """
    return tuple(x.shape)


def int_shape(x: Any) -> tuple | None:
    """Static shape as a tuple of ints/None (``None`` for non-tensors, as Keras 2).

    Args:
        x: Tensor, variable or symbolic tensor.

    Returns:
        The shape as a tuple, or None when ``x`` has no shape.
    """
    try:
        return tuple(x.shape)
    except AttributeError:
        return None


def ndim(x: Any) -> int:
    """Rank of a tensor.

    Args:
        x: Tensor, variable or symbolic tensor.

    Returns:
        An int.
    """
    return len(x.shape)


def dtype(x: Any) -> str:
    """The dtype name of a tensor or variable.

    Args:
        x: Tensor, variable or array-like.

    Returns:
        The dtype name, e.g. "float32".
    """
    return _ops.dtype(x)


def count_params(x: Any) -> int:
    """Number of elements of a variable or tensor.

    Args:
        x: Variable or tensor.

    Returns:
        An int.
    """
    return int(np.prod(x.shape))


def get_value(x: Any) -> Any:
    """The value of a variable or tensor as a numpy array.

    Args:
        x: Variable, tensor or array-like.

    Returns:
        A numpy array.
    """
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().numpy()
    if hasattr(x, "numpy"):
        return x.numpy()
    return np.asarray(x)


def set_value(x: Any, value: Any) -> None:
    """Assign ``value`` to a variable in place (e.g. ``K.set_value(model.optimizer.lr, 1e-4)``).

    Args:
        x: Variable (or tensor) to update.
        value: New value, shaped as ``x``.
    """
    if hasattr(x, "assign"):
        x.assign(value)
        return
    with torch.no_grad():
        x.copy_(torch.as_tensor(np.asarray(value), dtype=x.dtype))


def batch_get_value(xs: list[Any]) -> list[Any]:
    """The values of several variables or tensors.

    Args:
        xs: List of variables or tensors.

    Returns:
        List of numpy arrays.
    """
    return [get_value(x) for x in xs]


def batch_set_value(pairs: list[tuple[Any, Any]]) -> None:
    """Assign values to several variables in place.

    Args:
        pairs: List of ``(variable, value)`` pairs.
    """
    for x, v in pairs:
        set_value(x, v)


def reshape(x: Any, shape: Any) -> torch.Tensor:
    """Give a tensor a new shape (one entry may be -1).

    Args:
        x: Input tensor.
        shape: Target shape.

    Returns:
        The reshaped tensor.
    """
    return _ops.reshape(x, shape)


def flatten(x: Any) -> torch.Tensor:
    """Flatten a tensor to one dimension.

    Args:
        x: Input tensor.

    Returns:
        1-D tensor.
    """
    return _ops.reshape(x, (-1,))


def batch_flatten(x: Any) -> torch.Tensor:
    """Flatten every axis but the first: ``(batch, ...)`` -> ``(batch, prod(...))``.

    Args:
        x: Tensor of rank 1 or more.

    Returns:
        2-D tensor.
    """
    t = _t(x)
    return t.reshape(t.shape[0], -1)


def permute_dimensions(x: Any, pattern: Any) -> torch.Tensor:
    """Reorder the axes of a tensor.

    Args:
        x: Input tensor.
        pattern: Permutation of ``range(ndim(x))``.

    Returns:
        The transposed tensor.
    """
    return _ops.transpose(x, pattern)


def concatenate(tensors: list[Any], axis: int = -1) -> torch.Tensor:
    """Join tensors along ``axis``.

    Args:
        tensors: List of tensors with equal shapes except along ``axis``.
        axis: Axis to join along.

    Returns:
        The concatenated tensor.
    """
    return _ops.concatenate(tensors, axis=axis)


def repeat_elements(x: Any, rep: int, axis: int) -> torch.Tensor:
    """Repeat each element ``rep`` times along ``axis`` (``[a, b]`` -> ``[a, a, b, b]``).

    Args:
        x: Input tensor.
        rep: Number of repetitions.
        axis: Axis to repeat along.

    Returns:
        Tensor with ``rep`` times the length along ``axis``.
    """
    return _ops.repeat(x, rep, axis=axis)


def gather(reference: Any, indices: Any) -> torch.Tensor:
    """Rows of ``reference`` at ``indices`` (along axis 0).

    Args:
        reference: Input tensor.
        indices: Integer tensor of row indices.

    Returns:
        Tensor of shape ``indices.shape + reference.shape[1:]``.
    """
    return _ops.take(reference, indices, axis=0)


def one_hot(indices: Any, num_classes: int) -> torch.Tensor:
    """One-hot encoding of integer indices.

    Args:
        indices: Integer tensor.
        num_classes: Number of classes (length of the new last axis).

    Returns:
        Float tensor of shape ``indices.shape + (num_classes,)``.
    """
    return _ops.one_hot(indices, num_classes)


def dot(x: Any, y: Any) -> torch.Tensor:
    """Matrix product of two tensors (NumPy ``matmul`` broadcasting).

    Args:
        x: First tensor.
        y: Second tensor.

    Returns:
        The product.
    """
    return _ops.matmul(x, y)


def batch_dot(x: Any, y: Any, axes: Any = None) -> torch.Tensor:
    """Batchwise dot product: for each sample ``i``, the dot of ``x[i]`` and ``y[i]`` over ``axes``.

    Args:
        x: Tensor of rank 2 or more, batch first.
        y: Tensor of rank 2 or more with the same batch size.
        axes: The contracted axis of ``x`` and of ``y`` (an int for both, or a pair); None contracts
            the last axis of ``x`` with the second-to-last of ``y`` (the last for 2-D ``y``).

    Returns:
        Tensor of shape ``x.shape[:-1] + y.shape[2:]`` (after moving the contracted axes), ``(batch, 1)``
        for two 2-D inputs.
    """
    a, b = _t(x), _t(y)
    if axes is None:
        axes = (a.ndim - 1, b.ndim - 2 if b.ndim > 2 else 1)
    if isinstance(axes, int):
        axes = (axes, axes)
    a_ax, b_ax = axes[0] % a.ndim, axes[1] % b.ndim
    a = torch.movedim(a, a_ax, -1)
    b = torch.movedim(b, b_ax, 1)
    res = torch.matmul(a.reshape(a.shape[0], -1, a.shape[-1]), b.reshape(b.shape[0], b.shape[1], -1))
    return res.reshape(*a.shape[:-1], *b.shape[2:]) if (a.ndim > 2 or b.ndim > 2) else res.reshape(a.shape[0], 1)


def switch(condition: Any, then_expression: Any, else_expression: Any) -> torch.Tensor:
    """Select between two values with a condition, elementwise.

    Args:
        condition: Boolean tensor (or scalar).
        then_expression: Values where ``condition`` holds.
        else_expression: Values elsewhere.

    Returns:
        Tensor of the broadcast shape.
    """
    return _ops.where(condition, then_expression, else_expression)


def softmax(x: Any, axis: int = -1) -> torch.Tensor:
    """Softmax along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis normalized over.

    Returns:
        Tensor of the shape of ``x``.
    """
    return _ops.softmax(x, axis=axis)


def l2_normalize(x: Any, axis: int = -1) -> torch.Tensor:
    """``x`` divided by its L2 norm along ``axis`` (the squared norm is at least ``1e-12``).

    Args:
        x: Input tensor.
        axis: Axis (or axes) of the norm.

    Returns:
        Tensor of the shape of ``x``.
    """
    t = _t(x)
    return t / torch.sqrt(torch.clamp_min(torch.sum(t * t, dim=axis, keepdim=True), 1e-12))


def _generator(seed: Any) -> torch.Generator | None:
    return torch.Generator().manual_seed(int(seed)) if seed is not None else None


def random_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    """Normal samples (``dtype`` defaults to ``floatx()``).

    Args:
        shape: Output shape.
        mean: Mean.
        stddev: Standard deviation.
        dtype: dtype; None means ``floatx()``.
        seed: An int for reproducible values, or None.

    Returns:
        Tensor of ``shape``.
    """
    out = torch.randn(tuple(shape), generator=_generator(seed)) * stddev + mean
    return out.to(to_torch_dtype(dtype or floatx()))


def random_uniform(shape: Any, minval: float = 0.0, maxval: float = 1.0, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    """Uniform samples in ``[minval, maxval)`` (``dtype`` defaults to ``floatx()``).

    Args:
        shape: Output shape.
        minval: Lower bound.
        maxval: Upper bound (exclusive).
        dtype: dtype; None means ``floatx()``.
        seed: An int for reproducible values, or None.

    Returns:
        Tensor of ``shape``.
    """
    out = torch.rand(tuple(shape), generator=_generator(seed)) * (maxval - minval) + minval
    return out.to(to_torch_dtype(dtype or floatx()))


def truncated_normal(shape: Any, mean: float = 0.0, stddev: float = 1.0, dtype: Any = None,
                     seed: Any = None) -> torch.Tensor:
    """Normal samples redrawn until within two standard deviations of ``mean`` (as ``tf.random.truncated_normal``).

    Args:
        shape: Output shape.
        mean: Mean.
        stddev: Standard deviation before truncation.
        dtype: dtype; None means ``floatx()``.
        seed: An int for reproducible values, or None.

    Returns:
        Tensor of ``shape``.
    """
    out = torch.empty(tuple(shape))
    torch.nn.init.trunc_normal_(out, mean=0.0, std=1.0, a=-2.0, b=2.0, generator=_generator(seed))
    return (out * stddev + mean).to(to_torch_dtype(dtype or floatx()))


def random_bernoulli(shape: Any, p: float = 0.0, dtype: Any = None, seed: Any = None) -> torch.Tensor:
    """1 with probability ``p``, else 0 (``random_binomial`` is the old name).

    Args:
        shape: Output shape.
        p: Probability of a 1.
        dtype: dtype; None means ``floatx()``.
        seed: An int for reproducible values, or None.

    Returns:
        Tensor of zeros and ones.
    """
    uniform = torch.rand(tuple(shape), generator=_generator(seed))
    return (uniform <= p).to(to_torch_dtype(dtype or floatx()))


random_binomial = random_bernoulli


def cumsum(x: Any, axis: int = 0) -> torch.Tensor:
    """Cumulative sum along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along.

    Returns:
        Tensor of the shape of ``x``.
    """
    return _ops.cumsum(x, axis=axis)


def cumprod(x: Any, axis: int = 0) -> torch.Tensor:
    """Cumulative product along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis to accumulate along.

    Returns:
        Tensor of the shape of ``x``.
    """
    return _ops.cumprod(x, axis=axis)


def prod(x: Any, axis: Any = None, keepdims: bool = False) -> torch.Tensor:
    """Product of the values along ``axis``.

    Args:
        x: Input tensor.
        axis: Axis or axes to reduce; None reduces all axes.
        keepdims: Keep the reduced axes with length 1.

    Returns:
        The products.
    """
    return _ops.prod(x, axis=axis, keepdims=keepdims)


def reverse(x: Any, axes: Any) -> torch.Tensor:
    """``x`` reversed along ``axes`` (an int or a list).

    Args:
        x: Input tensor.
        axes: Axis or list of axes to reverse.

    Returns:
        Tensor of the shape of ``x``.
    """
    return torch.flip(_t(x), dims=[axes] if isinstance(axes, int) else list(axes))


def repeat(x: Any, n: int) -> torch.Tensor:
    """``(batch, dim)`` -> ``(batch, n, dim)``, each row repeated ``n`` times.

    Args:
        x: Tensor ``(batch, dim)``.
        n: Number of repetitions.

    Returns:
        Tensor ``(batch, n, dim)``.

    Raises:
        ValueError: for an input that is not 2-D.
    """
    t = _t(x)
    if t.ndim != 2:
        raise ValueError(f"K.repeat expects a 2D tensor (batch, dim). Received shape: {tuple(t.shape)}")
    return t.unsqueeze(1).expand(t.shape[0], n, t.shape[1]).clone()


def elu(x: Any, alpha: float = 1.0) -> torch.Tensor:
    """``x`` where positive, ``alpha * (exp(x) - 1)`` elsewhere.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Returns:
        Tensor of the shape of ``x``.
    """
    return _ops.elu(x, alpha=alpha)


def softsign(x: Any) -> torch.Tensor:
    """``x / (1 + |x|)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.
    """
    return _ops.softsign(x)


def hard_sigmoid(x: Any) -> torch.Tensor:
    """tf-keras's piecewise-linear sigmoid: ``clip(0.2 * x + 0.5, 0, 1)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``[0, 1]``.
    """
    return torch.clamp(0.2 * _t(x) + 0.5, 0.0, 1.0)


def cast_to_floatx(x: Any) -> Any:
    """Tensors cast to ``floatx()``; anything else becomes a numpy array of ``floatx()`` (as in tf-keras).

    Args:
        x: Tensor, array or number.

    Returns:
        A tensor or a numpy array of dtype ``floatx()``.
    """
    if isinstance(x, torch.Tensor):
        return _ops.cast(x, floatx())
    return np.asarray(x, dtype=floatx())


def in_top_k(predictions: Any, targets: Any, k: int) -> torch.Tensor:
    """Whether each ``targets[i]`` is among the ``k`` largest ``predictions[i]`` (ties count as in).

    Args:
        predictions: ``(batch, classes)`` scores.
        targets: ``(batch,)`` class indices.
        k: How many top entries count.

    Returns:
        A ``(batch,)`` bool tensor (``False`` where the target's score is not finite).
    """
    p = _t(predictions)
    idx = _t(targets).long().view(-1, 1)
    target_score = torch.gather(p, 1, idx)
    above = (p > target_score).sum(dim=1)
    return (above < k) & torch.isfinite(target_score.squeeze(1))


def is_sparse(x: Any) -> bool:
    """Whether ``x`` is a torch sparse tensor.

    Args:
        x: Any object.

    Returns:
        A bool.
    """
    return isinstance(x, torch.Tensor) and x.layout != torch.strided


def to_dense(x: Any) -> Any:
    """A sparse tensor densified; anything else unchanged.

    Args:
        x: Any object.

    Returns:
        The dense tensor, or ``x``.
    """
    return x.to_dense() if is_sparse(x) else x
