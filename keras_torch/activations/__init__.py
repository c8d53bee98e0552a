"""Keras activations (``keras.activations``) as torch functions.

softmax/sigmoid attach their input as ``out._keras_logits`` (like Keras's TF backend) so that
crossentropy losses can compute from logits: exact TF-Keras loss values and a fused fast path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core import registry
from keras_torch.core.context import CALL_CONTEXT

_CAT = "activations"


def _reg(*names: str) -> Callable:
    return registry.register(*names, category=_CAT)


@_reg("linear")
def linear(x: torch.Tensor) -> torch.Tensor:
    """Identity.

    Args:
        x: Input tensor.

    Returns:
        ``x`` unchanged.

    Example:

    >>> import torch
    >>> activations.linear(torch.tensor([-1.0, 2.0]))
    tensor([-1.,  2.])
    """
    return x


@_reg("relu")
def relu(
    x: torch.Tensor, negative_slope: float = 0.0, max_value: float | None = None, threshold: float = 0.0
) -> torch.Tensor:
    """Keras relu with optional leak, cap and threshold.

    Args:
        x: Input tensor.
        negative_slope: Slope below ``threshold`` (0: plain ReLU).
        max_value: Upper bound of the output; None means no bound.
        threshold: Inputs at or below it give 0 (or the leaky slope).

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.relu(torch.tensor([-2.0, 1.0, 8.0]), max_value=6.0)
    tensor([0., 1., 6.])
    """
    if negative_slope == 0.0 and max_value is None and threshold == 0.0:
        return torch.relu(x)
    if threshold != 0.0:
        out = torch.where(x > threshold, x, torch.zeros_like(x))
        if negative_slope != 0.0:
            out = out + torch.where(x < threshold, negative_slope * (x - threshold), torch.zeros_like(x))
    elif negative_slope != 0.0:
        out = torch.where(x >= 0, x, negative_slope * x)
    else:
        out = F.relu(x)
    if max_value is not None:
        out = torch.clamp(out, max=max_value)
    return out


@_reg("relu6")
def relu6(x: torch.Tensor) -> torch.Tensor:
    """Rectified linear unit capped at 6: ``min(max(x, 0), 6)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.relu6(torch.tensor([-1.0, 3.0, 8.0]))
    tensor([0., 3., 6.])
    """
    return F.relu6(x)


@_reg("leaky_relu")
def leaky_relu(x: torch.Tensor, negative_slope: float = 0.2) -> torch.Tensor:
    """Leaky rectified linear unit: ``x`` for positive inputs, ``negative_slope * x`` otherwise.

    Args:
        x: Input tensor.
        negative_slope: Slope of the negative part.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.leaky_relu(torch.tensor([-1.0, 2.0]))
    tensor([-0.2000,  2.0000])
    """
    return F.leaky_relu(x, negative_slope)


@_reg("elu")
def elu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Exponential linear unit: ``x`` for positive inputs, ``alpha * (exp(x) - 1)`` otherwise.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.elu(torch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return F.elu(x, alpha)


@_reg("selu")
def selu(x: torch.Tensor) -> torch.Tensor:
    """Scaled exponential linear unit: ``scale * elu(x, alpha)`` with the self-normalizing constants
    ``alpha ~= 1.6733`` and ``scale ~= 1.0507`` (use with ``lecun_normal`` initialization).

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.selu(torch.tensor([-1.0, 1.0]))
    tensor([-1.1113,  1.0507])
    """
    return F.selu(x)


@_reg("gelu")
def gelu(x: torch.Tensor, approximate: bool = False) -> torch.Tensor:
    """Gaussian error linear unit: ``x * P(X <= x)`` for a standard normal ``X``.

    Args:
        x: Input tensor.
        approximate: Use the tanh approximation instead of the exact erf form.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.gelu(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([-0.1587,  0.0000,  0.8413])
    """
    return F.gelu(x, approximate="tanh" if approximate else "none")


@_reg("celu")
def celu(x: torch.Tensor, alpha: float = 1.0) -> torch.Tensor:
    """Continuously differentiable ELU: ``max(x, 0) + min(alpha * (exp(x / alpha) - 1), 0)``.

    Args:
        x: Input tensor.
        alpha: Scale of the negative part.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.celu(torch.tensor([-1.0, 2.0]))
    tensor([-0.6321,  2.0000])
    """
    return F.celu(x, alpha)


@_reg("glu")
def glu(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Gated linear unit: splits ``axis`` into halves ``a`` and ``b`` and returns ``a * sigmoid(b)``.

    Args:
        x: Input tensor; the length of ``axis`` must be even.
        axis: Axis to split.

    Returns:
        Tensor with half the length along ``axis``.

    Example:

    >>> import torch
    >>> activations.glu(torch.tensor([[1.0, 2.0, 0.0, 100.0]]))
    tensor([[0.5000, 2.0000]])
    """
    return F.glu(x, dim=axis)


@_reg("sigmoid")
def sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Logistic sigmoid ``1 / (1 + exp(-x))``.

    The output remembers its input, so a crossentropy loss given it can compute from the logits
    exactly as Keras does.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``(0, 1)``.

    Example:

    >>> import torch
    >>> activations.sigmoid(torch.tensor([0.0, 2.0]))
    tensor([0.5000, 0.8808])
    """
    out = torch.sigmoid(x)
    out._keras_logits = x
    out._keras_logits_kind = "sigmoid"
    return out


@_reg("hard_sigmoid")
def hard_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Keras 3 definition: relu6(x + 3) / 6.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``[0, 1]``.

    Example:

    >>> import torch
    >>> activations.hard_sigmoid(torch.tensor([-4.0, 0.0, 1.5]))
    tensor([0.0000, 0.5000, 0.7500])
    """
    return F.hardsigmoid(x)


@_reg("hard_sigmoid_keras2")
def hard_sigmoid_keras2(x: torch.Tensor) -> torch.Tensor:
    """Keras 2 / tf-keras definition: clip(0.2 x + 0.5, 0, 1) (used for old files)."""
    return torch.clamp(0.2 * x + 0.5, 0.0, 1.0)


@_reg("hard_silu", "hard_swish")
def hard_silu(x: torch.Tensor) -> torch.Tensor:
    """Hard SiLU (hard swish): ``x * relu6(x + 3) / 6``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.hard_silu(torch.tensor([-4.0, 0.0, 1.5]))
    tensor([-0.0000, 0.0000, 1.1250])
    """
    return F.hardswish(x)


@_reg("silu", "swish")
def silu(x: torch.Tensor) -> torch.Tensor:
    """Sigmoid linear unit (swish): ``x * sigmoid(x)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.silu(torch.tensor([0.0, 2.0]))
    tensor([0.0000, 1.7616])
    """
    return F.silu(x)


# Keras exports both spellings of these two as the same function.
swish = silu
hard_swish = hard_silu


@_reg("tanh")
def tanh(x: torch.Tensor) -> torch.Tensor:
    """Hyperbolic tangent.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``(-1, 1)``.

    Example:

    >>> import torch
    >>> activations.tanh(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.7616])
    """
    return torch.tanh(x)


@_reg("hard_tanh")
def hard_tanh(x: torch.Tensor) -> torch.Tensor:
    """Hard tanh: ``x`` clipped to ``[-1, 1]``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.hard_tanh(torch.tensor([-2.0, 0.5, 3.0]))
    tensor([-1.0000,  0.5000,  1.0000])
    """
    return F.hardtanh(x)


@_reg("softplus")
def softplus(x: torch.Tensor) -> torch.Tensor:
    # Keras (TF) softplus has no threshold shortcut; log1p(exp(-|x|)) + max(x, 0) is exact.
    """Softplus ``log(1 + exp(x))``, computed without overflow.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.softplus(torch.tensor([0.0, 2.0]))
    tensor([0.6931, 2.1269])
    """
    return torch.clamp_min(x, 0) + torch.log1p(torch.exp(-torch.abs(x)))


@_reg("softsign")
def softsign(x: torch.Tensor) -> torch.Tensor:
    """Softsign ``x / (1 + |x|)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``(-1, 1)``.

    Example:

    >>> import torch
    >>> activations.softsign(torch.tensor([-1.0, 3.0]))
    tensor([-0.5000,  0.7500])
    """
    return F.softsign(x)


@_reg("soft_shrink")
def soft_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Soft shrinkage: ``x - threshold`` above ``threshold``, ``x + threshold`` below ``-threshold``, 0 between.

    Args:
        x: Input tensor.
        threshold: Half-width of the zero band.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.soft_shrink(torch.tensor([-1.0, 0.2, 0.7]))
    tensor([-0.5000,  0.0000,  0.2000])
    """
    return F.softshrink(x, threshold)


@_reg("hard_shrink")
def hard_shrink(x: torch.Tensor, threshold: float = 0.5) -> torch.Tensor:
    """Hard shrinkage: ``x`` where ``|x| > threshold``, else 0.

    Args:
        x: Input tensor.
        threshold: Half-width of the zero band.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.hard_shrink(torch.tensor([-1.0, 0.2, 0.7]))
    tensor([-1.0000,  0.0000,  0.7000])
    """
    return F.hardshrink(x, threshold)


@_reg("tanh_shrink")
def tanh_shrink(x: torch.Tensor) -> torch.Tensor:
    """Tanh shrinkage ``x - tanh(x)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.tanh_shrink(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.2384])
    """
    return F.tanhshrink(x)


@_reg("squareplus")
def squareplus(x: torch.Tensor, b: float = 4.0) -> torch.Tensor:
    """Squareplus ``(x + sqrt(x ** 2 + b)) / 2``, a smooth ReLU.

    Args:
        x: Input tensor.
        b: Smoothness near 0 (0 gives ReLU).

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.squareplus(torch.tensor([-1.0, 0.0, 1.0]))
    tensor([0.6180, 1.0000, 1.6180])
    """
    return (x + torch.sqrt(x * x + b)) / 2


@_reg("sparse_plus")
def sparse_plus(x: torch.Tensor) -> torch.Tensor:
    """Sparse plus: 0 for ``x <= -1``, ``x`` for ``x >= 1``, ``(x + 1) ** 2 / 4`` between.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.sparse_plus(torch.tensor([-2.0, 0.0, 2.0]))
    tensor([0.0000, 0.2500, 2.0000])
    """
    return torch.where(x <= -1, torch.zeros_like(x), torch.where(x >= 1, x, (x + 1) ** 2 / 4))


@_reg("threshold")
def threshold(x: torch.Tensor, threshold: float = 0.0, default_value: float = 0.0) -> torch.Tensor:
    """Thresholded identity: ``x`` where ``x > threshold``, else ``default_value``.

    Args:
        x: Input tensor.
        threshold: Values at or below it are replaced.
        default_value: Replacement value.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.threshold(torch.tensor([-1.0, 0.5, 2.0]), threshold=1.0)
    tensor([0., 0., 2.])
    """
    return torch.where(x > threshold, x, torch.full_like(x, default_value))


@_reg("mish")
def mish(x: torch.Tensor) -> torch.Tensor:
    """Mish ``x * tanh(softplus(x))``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.mish(torch.tensor([0.0, 1.0]))
    tensor([0.0000, 0.8651])
    """
    return x * torch.tanh(softplus(x))


@_reg("exponential")
def exponential(x: torch.Tensor) -> torch.Tensor:
    """Exponential ``exp(x)``.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.exponential(torch.tensor([0.0, 1.0]))
    tensor([1.0000, 2.7183])
    """
    return torch.exp(x)


@_reg("log_sigmoid")
def log_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """``log(sigmoid(x))``, computed stably.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.log_sigmoid(torch.tensor([0.0, -10.0]))
    tensor([ -0.6931, -10.0000])
    """
    return F.logsigmoid(x)


@_reg("sparse_sigmoid")
def sparse_sigmoid(x: torch.Tensor) -> torch.Tensor:
    """Piecewise-linear sigmoid: 0 below -1, 1 above 1, (x + 1) / 2 between.

    Args:
        x: Input tensor.

    Returns:
        Tensor of the shape of ``x``, values in ``[0, 1]``.

    Example:

    >>> import torch
    >>> activations.sparse_sigmoid(torch.tensor([-2.0, 0.0, 2.0]))
    tensor([0.0000, 0.5000, 1.0000])
    """
    return torch.clamp((x + 1.0) / 2.0, 0.0, 1.0)


@_reg("softmax")
def softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Softmax ``exp(x) / sum(exp(x))`` over ``axis``.

    Over the last axis the output remembers its input, so a crossentropy loss given it can compute
    from the logits exactly as Keras does.

    Args:
        x: Input tensor.
        axis: Axis normalized over.

    Returns:
        Tensor of the shape of ``x``; the values along ``axis`` sum to 1.

    Example:

    >>> import torch
    >>> activations.softmax(torch.tensor([[1.0, 1.0, 2.0]]))
    tensor([[0.2119, 0.2119, 0.5761]])
    """
    out = torch.softmax(x, dim=axis)
    # TensorFlow subtracts the row's max: a row holding +inf or NaN (a diverged model's logits) gives
    # NaN there and 0 at the finite logits, where torch gives NaN for the whole row. `x - x` is 0 at a
    # finite logit and NaN at a non-finite one, and fmax takes the non-NaN operand: `out` (>= 0) in a
    # finite row, `x - x` in a NaN row (isfinite alone costs as much as the softmax). Without autograd
    # in place: a third of the time of `where(out == out, out, x - x)` on a small batch.
    # (ONNX has no fmax: an export traces the where form.)
    delta = x - x
    if CALL_CONTEXT.export_mode is not None:
        out = torch.where(out == out, out, delta)
    else:
        out = torch.fmax(out, delta) if out.requires_grad else torch.fmax(out, delta, out=out)
    if axis == -1 or axis == x.ndim - 1:
        out._keras_logits = x
        out._keras_logits_kind = "softmax"
    return out


@_reg("log_softmax")
def log_softmax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Log-softmax ``x - log(sum(exp(x)))`` over ``axis``.

    Args:
        x: Input tensor.
        axis: Axis normalized over.

    Returns:
        Tensor of the shape of ``x``.

    Example:

    >>> import torch
    >>> activations.log_softmax(torch.tensor([[1.0, 1.0]]))
    tensor([[-0.6931, -0.6931]])
    """
    return torch.log_softmax(x, dim=axis)


@_reg("sparsemax")
def sparsemax(x: torch.Tensor, axis: int = -1) -> torch.Tensor:
    """Keras 3's sparsemax, verbatim (all its backends): ``tau`` is ``(sum of the cumulative sums
    over the support - 1) / k``, which is not the paper's ``(cumsum_k - 1) / k`` -- kept so models
    give Keras's outputs.

    Args:
        x: Input tensor.
        axis: Axis projected onto the simplex.

    Returns:
        Tensor of the shape of ``x``; the values along ``axis`` are non-negative, many exactly 0, and sum to 1.

    Example:

    >>> import torch
    >>> activations.sparsemax(torch.tensor([[1.0, 2.0, 5.0]]))
    tensor([[0., 0., 1.]])
    """
    z, _ = torch.sort(x, dim=axis, descending=True)
    cum = torch.cumsum(z, dim=axis)
    shape = [1] * x.ndim
    shape[axis] = -1
    r = torch.arange(1, x.shape[axis] + 1, device=x.device, dtype=x.dtype).view(shape)
    support = z - (cum - 1) / r > 0
    k = support.sum(dim=axis, keepdim=True).to(x.dtype)
    tau = (torch.where(support, cum, torch.zeros((), dtype=x.dtype, device=x.device)).sum(dim=axis, keepdim=True) - 1) / k
    return torch.clamp_min(x - tau, 0)


def serialize(activation: Callable | None) -> Any:
    """Name string of a registered activation (``None`` → ``"linear"``).

    Args:
        activation: An activation function (or activation layer), or None.

    Returns:
        The registered name (e.g. "relu"), or a config dict for a layer.

    Example:

    >>> activations.serialize(activations.relu)
    'relu'
    """
    if activation is None:
        return "linear"
    if hasattr(activation, "get_config"):
        return registry.serialize_keras_object(activation, "layers")
    for name, fn in registry.registered(_CAT).items():
        if fn is activation:
            return name
    return registry.get_registered_name(activation)


def deserialize(config: Any, custom_objects: dict | None = None) -> Callable:
    """Inverse of :func:`serialize`; also accepts Keras layer configs (e.g. a LeakyReLU dict).

    Args:
        config: An activation name or a serialized config dict.
        custom_objects: Extra ``{name: function}`` to look names up in.

    Returns:
        The activation function.

    Example:

    >>> activations.deserialize("gelu") is activations.gelu
    True
    """
    if isinstance(config, dict):
        return registry.deserialize_keras_object(config, "layers", custom_objects)
    return get(config, custom_objects)


def get(identifier: Any, custom_objects: dict | None = None) -> Callable:
    """Resolve an activation: ``None``/``"linear"`` → identity, a string, a dict, or a callable.

    Args:
        identifier: None, a name, a config dict or a callable.
        custom_objects: Extra ``{name: function}`` to look names up in.

    Returns:
        The activation function.

    Raises:
        ValueError: if ``identifier`` is none of these or names no known activation.

    Example:

    >>> activations.get("relu") is activations.relu
    True
    """
    if identifier is None:
        return linear
    if isinstance(identifier, str):
        return registry.get(_CAT, identifier, custom_objects, what="activation function")
    if isinstance(identifier, dict):
        return deserialize(identifier, custom_objects)
    if callable(identifier):
        return identifier
    raise ValueError(f"Could not interpret activation function identifier: {identifier!r}")


# In-place forms of activations called with their defaults, for outputs no one else holds: a
# layer's own fresh result (Conv2D(activation="relu")) or an input the graph donated.
_INPLACE: dict[Callable[..., Any], Callable[[torch.Tensor], torch.Tensor]] = {relu: torch.relu_}


def inplace(fn: Callable[..., Any]) -> Callable[[torch.Tensor], torch.Tensor] | None:
    """The in-place form of activation ``fn`` called with its default arguments, or ``None``.

    Args:
        fn: An activation function of this module.

    Returns:
        A function that overwrites its argument with ``fn(argument)`` and returns it, or ``None``.
    """
    return _INPLACE.get(fn)

