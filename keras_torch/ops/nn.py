"""``keras.ops.nn``: activations, normalization, losses, encodings, attention, and (re-exported from
``_nn_conv`` / ``_nn_ctc``) convolution, pooling and CTC -- every public name of Keras 3.15's
``keras.ops.nn``.

Activations on integer inputs compute in floatx. Losses follow Keras's TensorFlow backend
(probabilities clipped to ``[epsilon, 1 - epsilon]``; a softmax/sigmoid output carrying its
logits is evaluated from the logits).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import activations as _act
from keras_torch.core import config as _config
from keras_torch.ops import _dispatch as d
from keras_torch.ops import _docs
from keras_torch.ops._dispatch import Tensor
from keras_torch.ops._nn_conv import (  # noqa: F401 - re-exported
    adaptive_average_pool,
    adaptive_max_pool,
    average_pool,
    conv,
    conv_transpose,
    depth_to_space,
    depthwise_conv,
    fold,
    max_pool,
    separable_conv,
    space_to_depth,
    unfold,
)
from keras_torch.ops._nn_ctc import ctc_decode, ctc_loss  # noqa: F401 - re-exported


def _floated(x: Any) -> Tensor:
    t = d.tensor(x)
    return t if t.is_floating_point() or t.is_complex() else t.to(d.float_of(t.dtype))


def _activation(name: str, fn: Callable[..., Tensor], doc: str, keep_int: bool = False) -> Callable:
    """An elementwise activation; integer inputs compute in floatx unless ``keep_int``."""
    def slow(x: Any, *args: Any, **kwargs: Any) -> Tensor:
        t = d.tensor(x)
        return fn(t if keep_int and t.dtype != torch.bool else _floated(t), *args, **kwargs)

    def op(x: Any, *args: Any, **kwargs: Any) -> Tensor:
        if type(x) is Tensor and x.is_floating_point():
            return fn(x, *args, **kwargs)
        if isinstance(x, d.KerasTensor):
            return d.symbolic_call(slow, (x, *args), kwargs, name=name)
        return slow(x, *args, **kwargs)

    op.__name__ = op.__qualname__ = name
    op.__doc__ = (f"{doc}\n\n    Args:\n        x: Input tensor.\n{_docs.extra_args(name)}\n"
                  f"    Returns:\n        Tensor of the input (float) dtype.\n" + _docs.example(name))
    return op


relu = _activation("relu", torch.relu, "Rectified linear unit, ``max(x, 0)``.", keep_int=True)
relu6 = _activation("relu6", lambda x: torch.clamp(x, 0, 6), "``min(max(x, 0), 6)``.", keep_int=True)
sigmoid = _activation("sigmoid", _act.sigmoid, "Logistic sigmoid.")
softplus = _activation("softplus", F.softplus, "``log(1 + exp(x))``.")
softsign = _activation("softsign", F.softsign, "``x / (1 + |x|)``.")
silu = _activation("silu", F.silu, "Sigmoid linear unit ``x * sigmoid(x)`` (swish).")
swish = _activation("swish", F.silu, "Swish ``x * sigmoid(x)`` (silu).")
log_sigmoid = _activation("log_sigmoid", F.logsigmoid, "``log(sigmoid(x))``, stably.")
hard_sigmoid = _activation("hard_sigmoid", F.hardsigmoid, "Piecewise-linear sigmoid ``relu6(x + 3) / 6``.")
hard_silu = _activation("hard_silu", F.hardswish, "``x * hard_sigmoid(x)``.")
hard_swish = _activation("hard_swish", F.hardswish, "``x * hard_sigmoid(x)``.")
selu = _activation("selu", F.selu, "Scaled exponential linear unit.")
hard_tanh = _activation("hard_tanh", F.hardtanh, "``clip(x, -1, 1)``.")
tanh_shrink = _activation("tanh_shrink", F.tanhshrink, "``x - tanh(x)``.")
sparse_plus = _activation("sparse_plus", _act.sparse_plus, "Sparse plus: 0 below -1, x above 1, ``(x+1)**2/4`` between.")
sparse_sigmoid = _activation("sparse_sigmoid", _act.sparse_sigmoid, "0 below -1, 1 above 1, ``(x+1)/2`` between.")


def _leaky_relu(x: Tensor, negative_slope: float = 0.2) -> Tensor:
    return F.leaky_relu(x, negative_slope)


def _elu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.elu(x, alpha)


def _celu(x: Tensor, alpha: float = 1.0) -> Tensor:
    return F.celu(x, alpha)


def _gelu(x: Tensor, approximate: bool = True) -> Tensor:
    return F.gelu(x, approximate="tanh" if approximate else "none")


def _glu(x: Tensor, axis: int = -1) -> Tensor:
    if x.shape[axis] % 2:
        raise ValueError(f"axis size must be divisible by 2. Received: x.shape={tuple(x.shape)} with axis={axis}")
    return F.glu(x, dim=axis)


def _hard_shrink(x: Tensor, threshold: float = 0.5) -> Tensor:
    return torch.where(torch.abs(x) > threshold, x, torch.zeros_like(x))


def _soft_shrink(x: Tensor, threshold: float = 0.5) -> Tensor:
    return torch.where(x > threshold, x - threshold, torch.where(x < -threshold, x + threshold, torch.zeros_like(x)))


def _squareplus(x: Tensor, b: float = 4) -> Tensor:
    return (x + torch.sqrt(x * x + b)) / 2


def _threshold(x: Tensor, threshold: float, default_value: float) -> Tensor:
    return torch.where(x > threshold, x, torch.full_like(x, default_value))


def _axis_softmax(fn: Callable[..., Tensor]) -> Callable[..., Tensor]:
    def run(x: Tensor, axis: Any = -1) -> Tensor:
        if isinstance(axis, (tuple, list)):
            axes = [a % x.ndim for a in axis]
            moved = torch.movedim(x, axes, list(range(x.ndim - len(axes), x.ndim)))
            flat = moved.reshape(*moved.shape[: x.ndim - len(axes)], -1)
            out = fn(flat, axis=-1).reshape(moved.shape)
            return torch.movedim(out, list(range(x.ndim - len(axes), x.ndim)), axes)
        return fn(x, axis=axis)

    return run


leaky_relu = _activation("leaky_relu", _leaky_relu, "Leaky ReLU: ``x`` if positive else ``negative_slope * x``.")
elu = _activation("elu", _elu, "Exponential linear unit with scale ``alpha`` for negatives.")
celu = _activation("celu", _celu, "Continuously differentiable ELU, ``max(x, 0) + min(alpha*(exp(x/alpha)-1), 0)``.")
gelu = _activation("gelu", _gelu, "Gaussian error linear unit (``approximate=True``: the tanh form).")
glu = _activation("glu", _glu, "Gated linear unit: halves ``a, b`` of ``axis``, ``a * sigmoid(b)``.")
hard_shrink = _activation("hard_shrink", _hard_shrink, "``x`` where ``|x| > threshold``, else 0.")
soft_shrink = _activation("soft_shrink", _soft_shrink, "``x`` shrunk toward 0 by ``threshold``.")
squareplus = _activation("squareplus", _squareplus, "``(x + sqrt(x**2 + b)) / 2``.")
threshold = _activation("threshold", _threshold, "``x`` where ``x > threshold``, else ``default_value``.")
softmax = _activation("softmax", _axis_softmax(_act.softmax), "Softmax over ``axis`` (an int or a tuple).")
log_softmax = _activation("log_softmax", _axis_softmax(lambda x, axis=-1: torch.log_softmax(x, dim=axis)),
                          "Log-softmax over ``axis`` (an int or a tuple).")
sparsemax = _activation("sparsemax", _act.sparsemax, "Sparsemax (Euclidean projection onto the simplex) over ``axis``.")


# ---- normalization
@d.op
def moments(x: Any, axes: Any, keepdims: bool = False, synchronized: bool = False) -> tuple[Tensor, Tensor]:
    """Mean and (population) variance over ``axes``; half precision is computed in float32.

    Args:
        x: Input tensor.
        axes: Axis or axes to reduce.
        keepdims: Keep reduced axes with length 1.
        synchronized: Only meaningful for distributed training; ignored.

    Returns:
        ``(mean, variance)``.

    Example:

    >>> ops.moments(ops.array([1.0, 2.0, 3.0, 4.0]), axes=[0])
    (tensor(2.5000), tensor(1.2500))
    """
    t = _floated(x)
    dims = d.axes_tuple(axes, t.ndim)
    work = t.float() if t.dtype in (torch.float16, torch.bfloat16) else t
    var, mean = torch.var_mean(work, dim=dims, keepdim=keepdims, correction=0)
    return mean.to(t.dtype), var.to(t.dtype)


@d.op
def batch_normalization(x: Any, mean: Any, variance: Any, axis: int, offset: Any = None, scale: Any = None,
                        epsilon: float = 1e-3) -> Tensor:
    """Normalize with given statistics: ``(x - mean) / sqrt(variance + epsilon) * scale + offset``.

    Args:
        x: Input tensor.
        mean: Mean along ``axis`` (1-D, length ``x.shape[axis]``).
        variance: Variance along ``axis``.
        axis: Feature axis.
        offset: Optional beta.
        scale: Optional gamma.
        epsilon: Variance floor.

    Returns:
        Tensor.

    Example:

    >>> x = ops.array([[1.0, 2.0], [3.0, 4.0]])
    >>> ops.batch_normalization(x, mean=ops.array([2.0, 3.0]), variance=ops.array([1.0, 1.0]), axis=-1, epsilon=0.0)
    tensor([[-1., -1.],
            [ 1.,  1.]])
    """
    t = _floated(x)
    ax = d.canonical_axis(axis, t.ndim)
    shape = [1] * t.ndim
    shape[ax] = t.shape[ax]

    def vec(v: Any) -> Tensor | None:
        return None if v is None else d.tensor(v, device=t.device).to(t.dtype).reshape(shape)

    inv = torch.rsqrt(vec(variance) + epsilon)
    if scale is not None:
        inv = inv * vec(scale)
    out = (t - vec(mean)) * inv
    return out + vec(offset) if offset is not None else out


def _norm_axes(t: Tensor, axis: Any) -> list[int]:
    return sorted(a % t.ndim for a in (axis if isinstance(axis, (list, tuple)) else [axis]))


@d.op
def layer_normalization(x: Any, gamma: Any = None, beta: Any = None, axis: Any = -1, epsilon: float | None = None,
                        **kwargs: Any) -> Tensor:
    """Normalize over ``axis`` to zero mean, unit variance, then ``* gamma + beta``; computed in at
    least float32.

    Args:
        x: Input tensor.
        gamma: Optional scale, shaped like the normalized axes.
        beta: Optional offset, shaped like the normalized axes.
        axis: Axis or axes to normalize.
        epsilon: Variance floor (default ``keras.config.epsilon()``).
        **kwargs: ``rms_scaling=True`` (deprecated in Keras) scales by the RMS instead.

    Returns:
        Tensor of the input dtype.

    Example:

    >>> ops.layer_normalization(ops.array([[1.0, 2.0, 3.0]]))
    tensor([[-1.2247,  0.0000,  1.2247]])
    """
    rms_scaling = kwargs.pop("rms_scaling", False)
    if kwargs:
        raise TypeError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
    t = _floated(x)
    eps = _config.epsilon() if epsilon is None else epsilon
    work = t.to(d.result_of(t.dtype, torch.float32))
    axes = _norm_axes(work, axis)
    shape = [work.shape[a] if a in axes else 1 for a in range(work.ndim)]

    def vec(v: Any) -> Tensor | None:
        return None if v is None else d.tensor(v, device=t.device).to(work.dtype).reshape(shape)

    if rms_scaling:
        out = work * torch.rsqrt(torch.var(work, dim=axes, keepdim=True, correction=0) + eps)
        out = out * vec(gamma) if gamma is not None else out
        return out.to(t.dtype)
    var, mean = torch.var_mean(work, dim=axes, keepdim=True, correction=0)
    inv = torch.rsqrt(var + eps)
    if gamma is not None:
        inv = inv * vec(gamma)
    res = -mean * inv
    if beta is not None:
        res = res + vec(beta)
    return (work * inv + res).to(t.dtype)


@d.op
def rms_normalization(x: Any, scale: Any = None, axis: Any = -1, epsilon: float | None = None) -> Tensor:
    """``x / sqrt(mean(x**2, axis) + epsilon) * scale``, computed in at least float32.

    Args:
        x: Input tensor.
        scale: Optional scale shaped like the normalized axes.
        axis: Axis or axes.
        epsilon: Floor (default ``keras.config.epsilon()``).

    Returns:
        Tensor of the input dtype.

    Example:

    >>> ops.rms_normalization(ops.array([[3.0, 4.0]]))
    tensor([[0.8485, 1.1314]])
    """
    t = _floated(x)
    eps = _config.epsilon() if epsilon is None else epsilon
    work = t.to(d.result_of(t.dtype, torch.float32))
    axes = _norm_axes(work, axis)
    out = work * torch.rsqrt(torch.mean(work * work, dim=axes, keepdim=True) + eps)
    if scale is not None:
        s = d.tensor(scale, device=t.device).to(work.dtype)
        if axes != [work.ndim - 1]:
            s = s.reshape([work.shape[a] if a in axes else 1 for a in range(work.ndim)])
        out = out * s
    return out.to(t.dtype)


@d.op
def normalize(x: Any, axis: int = -1, order: int = 2, epsilon: float | None = None) -> Tensor:
    """``x`` divided by its ``order``-norm along ``axis`` (at least ``epsilon``).

    Args:
        x: Input tensor.
        axis: Axis.
        order: Norm order, an int >= 1.
        epsilon: Floor of the norm (default ``keras.config.epsilon()``).

    Returns:
        Tensor.

    Raises:
        ValueError: for an ``order`` that is not an int >= 1.

    Example:

    >>> ops.normalize(ops.array([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"Argument `order` must be an int >= 1. Received: order={order}")
    t = _floated(x)
    if t.ndim == 0:
        t = t.unsqueeze(0)
    eps = _config.epsilon() if epsilon is None else epsilon
    work = t.float() if t.dtype in (torch.float16, torch.bfloat16) else t  # 1 / eps overflows half
    if order == 2:
        inv = torch.rsqrt(torch.sum(work * work, dim=axis, keepdim=True))
        return (work * torch.clamp(inv, max=1.0 / eps)).to(t.dtype)
    norm = torch.linalg.vector_norm(work, ord=order, dim=axis, keepdim=True)
    return (work / torch.clamp(norm, min=eps)).to(t.dtype)


# ---- losses
def _logits_of(output: Tensor, kind: str) -> Tensor | None:
    logits = getattr(output, "_keras_logits", None)
    if logits is None or getattr(output, "_keras_logits_kind", kind) != kind or logits.shape != output.shape:
        return None
    return logits


def _same_shape(target: Tensor, output: Tensor) -> None:
    if target.ndim != output.ndim or target.shape != output.shape:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape. "
            f"Received: target.shape={tuple(target.shape)}, output.shape={tuple(output.shape)}")


@d.op
def binary_crossentropy(target: Any, output: Any, from_logits: bool = False) -> Tensor:
    """Elementwise binary crossentropy.

    Args:
        target: Labels in ``[0, 1]``, shaped like ``output``.
        output: Probabilities (or logits with ``from_logits``).
        from_logits: Whether ``output`` holds logits.

    Returns:
        Tensor shaped like ``output``.

    Raises:
        ValueError: if the shapes differ.

    Example:

    >>> ops.binary_crossentropy(ops.array([1.0, 0.0]), ops.array([0.9, 0.2]))
    tensor([0.1054, 0.2231])
    """
    o = _floated(output)
    t = d.tensor(target, device=o.device).to(o.dtype)
    _same_shape(t, o)
    if not from_logits:
        logits = _logits_of(o, "sigmoid")
        if logits is not None:
            o, from_logits = logits, True
    if from_logits:
        return F.binary_cross_entropy_with_logits(o, t, reduction="none")
    eps = _config.epsilon()
    o = torch.clamp(o, eps, 1.0 - eps)
    return -(t * torch.log(o) + (1 - t) * torch.log(1 - o))


@d.op
def categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Crossentropy between one-hot (or soft) ``target`` and ``output`` along ``axis``.

    Args:
        target: Class probabilities, shaped like ``output``.
        output: Probabilities (renormalized along ``axis``) or logits.
        from_logits: Whether ``output`` holds logits.
        axis: Class axis.

    Returns:
        Tensor without the class axis.

    Raises:
        ValueError: if the shapes differ.

    Example:

    >>> ops.categorical_crossentropy(ops.array([[0.0, 1.0]]), ops.array([[0.2, 0.8]]))
    tensor([0.2231])
    """
    o = _floated(output)
    t = d.tensor(target, device=o.device).to(o.dtype)
    _same_shape(t, o)
    if not from_logits:
        logits = _logits_of(o, "softmax")
        if logits is not None and axis in (-1, o.ndim - 1):
            o, from_logits = logits, True
    if from_logits:
        return -torch.sum(t * torch.log_softmax(o, dim=axis), dim=axis)
    o = o / torch.sum(o, dim=axis, keepdim=True)
    eps = _config.epsilon()
    o = torch.clamp(o, eps, 1.0 - eps)
    return -torch.sum(t * torch.log(o), dim=axis)


@d.op
def sparse_categorical_crossentropy(target: Any, output: Any, from_logits: bool = False, axis: int = -1) -> Tensor:
    """Crossentropy between integer class ``target`` and ``output`` along ``axis``.

    Args:
        target: Integer labels, ``output`` without the class axis (a trailing 1 is allowed).
        output: Probabilities or logits.
        from_logits: Whether ``output`` holds logits.
        axis: Class axis.

    Returns:
        Tensor shaped like ``target``.

    Raises:
        ValueError: if ``target`` does not match ``output`` without the class axis.

    Example:

    >>> ops.sparse_categorical_crossentropy(ops.array([1]), ops.array([[0.2, 0.8]]))
    tensor([0.2231])
    """
    o = _floated(output)
    labels = d.tensor(target, device=o.device).to(torch.int64)
    ax = d.canonical_axis(axis, o.ndim)
    if labels.ndim == o.ndim and labels.shape[ax] == 1:
        labels = labels.squeeze(ax)
    expected = tuple(s for i, s in enumerate(o.shape) if i != ax)
    if tuple(labels.shape) != expected:
        raise ValueError(
            "Arguments `target` and `output` must have the same shape up until the last dimension: "
            f"target.shape={tuple(labels.shape)}, output.shape={tuple(o.shape)}")
    if not from_logits:
        logits = _logits_of(o, "softmax")
        if logits is not None and ax == o.ndim - 1:
            o, from_logits = logits, True
    if from_logits:
        log_p = torch.log_softmax(o, dim=ax)
    else:
        eps = _config.epsilon()
        log_p = torch.log(torch.clamp(o / torch.sum(o, dim=ax, keepdim=True), eps, 1.0 - eps))
    return -torch.gather(log_p, ax, labels.unsqueeze(ax)).squeeze(ax)


# ---- encodings
@d.op
def one_hot(x: Any, num_classes: int, axis: int = -1, dtype: Any = None, sparse: bool = False) -> Tensor:
    """One-hot encoding of integer labels (out-of-range labels encode as all zeros).

    Args:
        x: Integer labels.
        num_classes: Number of classes.
        axis: Position of the new class axis.
        dtype: Result dtype (default floatx).
        sparse: Unsupported (raises).

    Returns:
        Tensor with one more axis.

    Raises:
        ValueError: for ``sparse=True`` or an axis out of range.

    Example:

    >>> ops.one_hot(ops.array([0, 2]), 3)
    tensor([[1., 0., 0.],
            [0., 0., 1.]])
    """
    if sparse:
        raise ValueError("Unsupported value `sparse=True`: keras_torch has no sparse tensors.")
    t = d.tensor(x).to(torch.int64)
    ax = d.canonical_axis(axis, t.ndim + 1)
    classes = torch.arange(int(num_classes), device=t.device)
    out = (t.unsqueeze(-1) == classes).to(d.dtypes.to_torch(dtype or _config.floatx()))
    return torch.movedim(out, -1, ax) if ax != t.ndim else out


@d.op
def multi_hot(inputs: Any, num_classes: int | None = None, axis: int = -1, dtype: Any = None, sparse: bool = False,
              **kwargs: Any) -> Tensor:
    """Multi-hot encoding: 1 for every class present in each row of integer ``inputs``.

    Args:
        inputs: Integer labels, 1-D (one row) or ``(batch, k)``.
        num_classes: Number of classes (``num_tokens`` is accepted too).
        axis: Position of the class axis.
        dtype: Result dtype (default floatx).
        sparse: Unsupported (raises).
        **kwargs: ``num_tokens``, the Keras 2 name of ``num_classes``.

    Returns:
        Tensor.

    Raises:
        ValueError: without a number of classes, or with ``sparse=True``.

    Example:

    >>> ops.multi_hot(ops.array([[0, 2], [1, 1]]), num_classes=3)
    tensor([[1., 0., 1.],
            [0., 1., 0.]])
    """
    if num_classes is None:
        num_classes = kwargs.pop("num_tokens", None)
    if num_classes is None:
        raise ValueError("Argument `num_classes` must be set.")
    if sparse:
        raise ValueError("Unsupported value `sparse=True`: keras_torch has no sparse tensors.")
    t = d.tensor(inputs).to(torch.int64)
    hot = one_hot.__wrapped__(t, num_classes, axis=-1, dtype="int32")
    reduced = torch.amax(hot, dim=-2) if t.ndim > 0 else hot
    out = reduced.to(d.dtypes.to_torch(dtype or _config.floatx()))
    ax = d.canonical_axis(axis, out.ndim)
    return torch.movedim(out, -1, ax) if ax != out.ndim - 1 else out


# ---- attention and metrics
def _large_negative(dt: torch.dtype) -> float:
    return -0.7 * (65500.0 if dt == torch.float16 else 3.38953e38)


def _attention_rule(query: Any, key: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
    for name, v in (("query", query), ("key", key), ("value", value)):
        if len(d.shape_of(v)) != 4:
            raise ValueError(
                f"`dot_product_attention` only supports 4D inputs. Received: {name}.shape={d.shape_of(v)}")
    q, vv = d.shape_of(query), d.shape_of(value)
    return d.spec(tuple(q[:3]) + (vv[3],), d.result(query, key, value))


@d.op(rule=_attention_rule)
def dot_product_attention(query: Any, key: Any, value: Any, bias: Any = None, mask: Any = None,
                          scale: float | None = None, is_causal: bool = False, flash_attention: bool | None = None,
                          attn_logits_soft_cap: float | None = None) -> Tensor:
    """Scaled dot-product attention on ``(batch, seq, heads, head_dim)`` tensors.

    Args:
        query: ``(B, T, N, H)``.
        key: ``(B, S, K, H)``; ``N`` must be a multiple of ``K`` (grouped-query attention).
        value: ``(B, S, K, H_v)``.
        bias: Optional additive bias broadcastable to ``(B, N, T, S)``.
        mask: Optional boolean mask broadcastable to ``(B, N, T, S)`` (True: attend).
        scale: Logit scale (default ``1 / sqrt(H)``).
        is_causal: Apply a lower-triangular (causal) mask.
        flash_attention: Use torch's fused kernel when possible (None: automatic).
        attn_logits_soft_cap: Cap logits as ``cap * tanh(logits / cap)``.

    Returns:
        ``(B, T, N, H_v)`` tensor.

    Raises:
        ValueError: for non-4-D inputs or incompatible head counts.

    Example:

    >>> q = ops.ones((1, 4, 2, 8))
    >>> ops.dot_product_attention(q, q, q, is_causal=True).shape
    torch.Size([1, 4, 2, 8])
    """
    (q, k, v), dt = d.promote(query, key, value)
    _attention_rule(q, k, v)
    heads, kv_heads = q.shape[2], k.shape[2]
    if heads % kv_heads:
        raise ValueError(f"The number of query heads ({heads}) must be a multiple of the key/value heads ({kv_heads}).")
    if kv_heads != heads:
        k = torch.repeat_interleave(k, heads // kv_heads, dim=2)
        v = torch.repeat_interleave(v, heads // kv_heads, dim=2)
    sc = 1.0 / math.sqrt(q.shape[-1]) if scale is None else float(scale)
    qt, kt, vt = q.transpose(1, 2), k.transpose(1, 2), v.transpose(1, 2)
    if attn_logits_soft_cap is None and bias is None and flash_attention is not False:
        attn_mask = None
        if mask is not None:
            m = d.tensor(mask, device=q.device).to(torch.bool)
            if is_causal:
                m = m & torch.ones(q.shape[1], k.shape[1], dtype=torch.bool, device=q.device).tril()
            attn_mask = torch.where(m, 0.0, _large_negative(dt)).to(dt)
        out = F.scaled_dot_product_attention(qt, kt, vt, attn_mask=attn_mask, is_causal=is_causal and mask is None,
                                             scale=sc)
        return out.transpose(1, 2)
    work = d.result_of(dt, torch.float32)
    logits = torch.matmul(qt.to(work), kt.to(work).transpose(-1, -2)) * sc
    if bias is not None:
        logits = logits + d.tensor(bias, device=q.device).to(work)
    if attn_logits_soft_cap is not None:
        logits = attn_logits_soft_cap * torch.tanh(logits / attn_logits_soft_cap)
    keep = None
    if mask is not None:
        keep = d.tensor(mask, device=q.device).to(torch.bool)
    if is_causal:
        causal = torch.ones(q.shape[1], k.shape[1], dtype=torch.bool, device=q.device).tril()
        keep = causal if keep is None else keep & causal
    if keep is not None:
        logits = torch.where(keep, logits, torch.tensor(_large_negative(work), dtype=work, device=q.device))
    probs = torch.softmax(logits, dim=-1).to(dt)
    return torch.matmul(probs, vt).transpose(1, 2)


@d.op(rule=lambda x1, x2, max_val: d.spec((), d.float_of(d.dtypes.to_torch(x1.dtype))))
def psnr(x1: Any, x2: Any, max_val: float) -> Tensor:
    """Peak signal-to-noise ratio ``20 log10(max_val) - 10 log10(mse)`` over all elements.

    Args:
        x1: First signal.
        x2: Second signal, of the shape of ``x1``.
        max_val: Largest possible value of the signal (1.0 for images in ``[0, 1]``).

    Returns:
        Scalar tensor, in decibels.

    Raises:
        ValueError: if the shapes differ.

    Example:

    >>> ops.psnr(ops.array([0.0, 1.0]), ops.array([0.1, 0.9]), max_val=1.0)
    tensor(20.0000)
    """
    a = _floated(x1)
    b = d.tensor(x2, device=a.device).to(a.dtype)
    if a.shape != b.shape:
        raise ValueError(f"Input shapes {tuple(a.shape)} and {tuple(b.shape)} must match for PSNR calculation.")
    mse = torch.mean((a - b) ** 2)
    return 20 * torch.log10(torch.tensor(float(max_val), dtype=a.dtype, device=a.device)) - 10 * torch.log10(mse)


@d.op
def polar(abs_: Any, angle: Any) -> Tensor:
    """Complex numbers ``abs_ * (cos(angle) + i sin(angle))``.

    Args:
        abs_: Magnitudes.
        angle: Angles in radians, broadcastable with ``abs_``.

    Returns:
        Complex tensor.

    Example:

    >>> ops.polar(ops.array([2.0]), ops.array([0.0]))
    tensor([2.+0.j])
    """
    (r, a), _ = d.promote(abs_, angle, extra=(float,))
    return torch.polar(r, a)
