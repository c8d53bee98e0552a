"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization, UnitNormalization.

Parameters use torch names (``weight``/``bias``/``running_mean``/``running_var``) so a
``state_dict`` loads into ``nn.BatchNorm*d`` / ``nn.LayerNorm`` / ``nn.GroupNorm``; the Keras
names (``gamma``, ``beta``, ``moving_mean``, ``moving_variance``) are the weight names and
properties.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import constraints, initializers, regularizers
from keras_torch.core import config as _config
from keras_torch.layers._args import check_axis, check_float, register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization", "SyncBatchNormalization", "UnitNormalization"]

_HALF = (torch.float16, torch.bfloat16)


def _as(x: torch.Tensor, *tensors: torch.Tensor | None) -> list[torch.Tensor | None]:
    """``tensors`` in the dtype of ``x``: the fused kernels need one dtype, and half-precision
    inputs are normalised in float32 (Keras), also when the model was cast with ``.half()``."""
    return [t if t is None or t.dtype == x.dtype else t.to(x.dtype) for t in tensors]


def _check_axes(layer: Layer, axes: list[int], input_shape: Any) -> None:
    n = len(input_shape)
    for a in axes:
        if a >= n or a < -n:
            raise ValueError(
                f"Layer '{layer.name}': axis {a} is out of bounds for input shape {tuple(input_shape)}. "
                f"Received: axis={layer.axis}"
            )


def _affine_config(layer: Any) -> dict[str, Any]:
    return {
        "beta_initializer": initializers.serialize(layer.beta_initializer),
        "gamma_initializer": initializers.serialize(layer.gamma_initializer),
        "beta_regularizer": regularizers.serialize(layer.beta_regularizer),
        "gamma_regularizer": regularizers.serialize(layer.gamma_regularizer),
        "beta_constraint": constraints.serialize(layer.beta_constraint),
        "gamma_constraint": constraints.serialize(layer.gamma_constraint),
    }


class _AffineMixin:
    """Shared gamma/beta argument handling."""

    def _init_affine(self, beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                     beta_constraint, gamma_constraint) -> None:
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)

    def _add_affine(self, shape: tuple, scale: bool, center: bool) -> None:
        self.weight = None if not scale else self.add_weight(
            name="gamma", shape=shape, initializer=self.gamma_initializer,
            regularizer=self.gamma_regularizer, constraint=self.gamma_constraint, attr="weight",
        )
        self.bias = None if not center else self.add_weight(
            name="beta", shape=shape, initializer=self.beta_initializer,
            regularizer=self.beta_regularizer, constraint=self.beta_constraint, attr="bias",
        )

    @property
    def gamma(self) -> torch.Tensor | None:
        return self.__dict__.get("_parameters", {}).get("weight")

    @property
    def beta(self) -> torch.Tensor | None:
        return self.__dict__.get("_parameters", {}).get("bias")


@register_layer()
class BatchNormalization(_AffineMixin, Layer):
    """Normalizes its inputs with batch statistics in training and moving statistics in inference.

    During training (``fit``, ``training=True``, or a torch loop after ``model.train()``) each feature is
    normalized with the mean and variance of the current batch, and the moving statistics are updated as in
    Keras: ``moving = moving * momentum + batch * (1 - momentum)`` with the *biased* batch variance. In
    inference the moving statistics are used. Batch statistics are used only when ``training`` is true **and**
    the layer is trainable: a frozen BatchNormalization (``trainable=False``, as in fine-tuning) always runs in
    inference mode, as in Keras. The output is ``gamma * (x - mean) / sqrt(var + epsilon) + beta``.

    Args:
        axis: The feature axis (``-1`` for channels_last data, ``1`` for channels_first).
        momentum: Momentum of the moving averages (Keras convention: torch's ``momentum`` is ``1 - this``).
            Default 0.99.
        epsilon: Small float added to the variance (default 1e-3; torch's default is 1e-5).
        center: Whether to learn an offset ``beta``. Default ``True``.
        scale: Whether to learn a scale ``gamma``. Default ``True``.
        beta_initializer: Initializer of ``beta`` (default ``"zeros"``).
        gamma_initializer: Initializer of ``gamma`` (default ``"ones"``).
        moving_mean_initializer: Initializer of the moving mean (default ``"zeros"``).
        moving_variance_initializer: Initializer of the moving variance (default ``"ones"``).
        beta_regularizer: Optional regularizer of ``beta``.
        gamma_regularizer: Optional regularizer of ``gamma``.
        beta_constraint: Optional constraint of ``beta``.
        gamma_constraint: Optional constraint of ``gamma``.
        renorm: Only ``False``: batch renormalization is not supported (``True`` raises).
        renorm_clipping: Batch renormalization setting, kept in the config only.
        renorm_momentum: Batch renormalization setting, kept in the config only.
        synchronized: Kept in the config; each process normalizes with its own batch statistics.
        fused: Accepted for compatibility (tf-keras argument).
        trainable: Whether ``gamma``/``beta`` are trained and batch statistics used in training.
        virtual_batch_size: tf-keras only; anything but ``None`` raises.
        adjustment: tf-keras only; anything but ``None`` raises.
        **kwargs: Base layer arguments.

    Input shape:
        Any rank >= 2.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.BatchNormalization()
    >>> x = np.random.normal(5.0, 2.0, (64, 3)).astype("float32")
    >>> y = layer(x, training=True)  # batch statistics; moving statistics updated
    >>> bool(torch.allclose(y.mean(0), torch.zeros(3), atol=1e-4))
    True
    >>> [w.shape for w in layer.get_weights()]  # gamma, beta, moving_mean, moving_variance
    [(3,), (3,), (3,), (3,)]
    """

    _fresh_output = True  # (see Layer._fresh_output)

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: Any = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        fused: Any = None,
        trainable: bool = True,
        virtual_batch_size: Any = None,
        adjustment: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(trainable=trainable, **kwargs)
        if isinstance(axis, (list, tuple)):  # tf-keras configs store [3]
            if len(axis) != 1:
                raise ValueError(f"Layer '{self.name}': BatchNormalization supports a single axis. Received: axis={axis}")
            axis = axis[0]
        self.axis = check_axis(self.name, "axis", axis, allow_list=False)
        if renorm:
            raise ValueError(f"Layer '{self.name}': BatchNormalization(renorm=True) is not supported by keras_torch.")
        if virtual_batch_size is not None or adjustment is not None:
            raise ValueError(
                f"Layer '{self.name}': `virtual_batch_size`/`adjustment` (tf-keras only) are not supported."
            )
        self.momentum = check_float(self.name, "momentum", momentum)
        self.epsilon = check_float(self.name, "epsilon", epsilon, min_value=0.0)
        self.center = bool(center)
        self.scale = bool(scale)
        self.synchronized = bool(synchronized)
        self.renorm, self.renorm_clipping, self.renorm_momentum = False, renorm_clipping, renorm_momentum
        self._init_affine(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                          beta_constraint, gamma_constraint)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        _check_axes(self, [self.axis], input_shape)
        self._axis = self.axis % ndim
        dim = input_shape[self._axis]
        if dim is None:
            raise ValueError(f"Layer '{self.name}': axis {self.axis} of input shape {tuple(input_shape)} must be defined.")
        shape = (dim,)
        self._add_affine(shape, self.scale, self.center)
        self.add_weight(name="moving_mean", shape=shape, initializer=self.moving_mean_initializer,
                        trainable=False, attr="running_mean", buffer=True)
        self.add_weight(name="moving_variance", shape=shape, initializer=self.moving_variance_initializer,
                        trainable=False, attr="running_var", buffer=True)
        # Not a Keras weight: only there so the state_dict matches nn.BatchNorm*d.
        self.register_buffer("num_batches_tracked", torch.tensor(0, dtype=torch.long))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: dim})

    @property
    def moving_mean(self) -> torch.Tensor:
        return self.running_mean

    @property
    def moving_variance(self) -> torch.Tensor:
        return self.running_var

    def _to_nc(self, x: torch.Tensor) -> torch.Tensor:
        return x if self._axis == 1 else x.movedim(self._axis, 1)

    def _from_nc(self, x: torch.Tensor) -> torch.Tensor:
        return x if self._axis == 1 else x.movedim(1, self._axis)

    def call(self, inputs: torch.Tensor, training: bool | None = None, mask: Any = None) -> torch.Tensor:
        if mask is not None and mask.ndim != inputs.ndim - 1:
            raise ValueError(
                f"Layer '{self.name}': the mask provided should be one dimension less than the inputs. "
                f"Received: mask.shape={tuple(mask.shape)}, inputs.shape={tuple(inputs.shape)}"
            )
        in_dtype = inputs.dtype
        x = inputs.float() if in_dtype in _HALF or not inputs.is_floating_point() else inputs
        if not (training and self.trainable):
            out = F.batch_norm(self._to_nc(x), *_as(x, self.running_mean, self.running_var, self.weight, self.bias),
                               False, 0.0, self.epsilon)
            return self._from_nc(out).to(in_dtype) if in_dtype in _HALF else self._from_nc(out)
        if self.num_batches_tracked.device != x.device:
            self.num_batches_tracked = self.num_batches_tracked.to(x.device)
        xc = self._to_nc(x)
        c = xc.shape[1]
        n = xc.numel() // max(c, 1)
        if self.synchronized and _replicas() > 1:
            mean, var = self._synchronized_moments(x, mask)
            out = self._normalize(x, mean, var)
            mean, var = mean.detach(), var.detach()
        elif mask is None and n > 1:
            # Fused kernel for the output; it reports the batch mean and the *unbiased* variance
            # through momentum=1 running buffers, which we turn back into Keras's biased variance.
            mean = torch.zeros(c, dtype=x.dtype, device=x.device)
            var = torch.zeros(c, dtype=x.dtype, device=x.device)
            out = self._from_nc(F.batch_norm(xc, mean, var, *_as(x, self.weight, self.bias), True, 1.0, self.epsilon))
            var = var * ((n - 1) / n)
        else:
            mean, var = self._moments(x, mask)
            out = self._normalize(x, mean, var)
            mean, var = mean.detach(), var.detach()
        with torch.no_grad():
            m = self.momentum
            self.running_mean.copy_(self.running_mean * m + mean.to(self.running_mean.dtype) * (1.0 - m))
            self.running_var.copy_(self.running_var * m + var.to(self.running_var.dtype) * (1.0 - m))
            self.num_batches_tracked.add_(1)
        return out.to(in_dtype) if in_dtype in _HALF else out

    def _moments(self, x: torch.Tensor, mask: Any) -> tuple[torch.Tensor, torch.Tensor]:
        axes = [d for d in range(x.ndim) if d != self._axis]
        if mask is None:
            var, mean = torch.var_mean(x, dim=axes, correction=0)
            return mean, var
        m = mask.unsqueeze(-1).expand_as(x).to(torch.bool)
        w = m.to(x.dtype)
        count = w.sum(dim=axes, keepdim=True) + _config.epsilon()
        mean = torch.where(m, x, 0).sum(dim=axes, keepdim=True) / count
        var = torch.where(m, x - mean, 0).square().sum(dim=axes, keepdim=True) / count
        return mean.flatten(), var.flatten()

    def _synchronized_moments(self, x: torch.Tensor, mask: Any) -> tuple[torch.Tensor, torch.Tensor]:
        # Cross-replica statistics: all-reduce the per-channel count, sum and sum of squares (the
        # autograd-aware collective, so gradients flow through the global moments).
        from torch.distributed.nn.functional import all_reduce

        axes = [d for d in range(x.ndim) if d != self._axis]
        w = (torch.ones_like(x) if mask is None else mask.unsqueeze(-1).expand_as(x).to(x.dtype))
        stats = torch.stack([w.sum(dim=axes), (x * w).sum(dim=axes), (x * x * w).sum(dim=axes)])
        count, total, squares = all_reduce(stats)
        mean = total / count
        return mean, squares / count - mean * mean

    def _normalize(self, x: torch.Tensor, mean: torch.Tensor, var: torch.Tensor) -> torch.Tensor:
        shape = [1] * x.ndim
        shape[self._axis] = -1
        inv = torch.rsqrt(var + self.epsilon)
        if self.weight is not None:
            inv = inv * self.weight
        out = (x - mean.view(shape)) * inv.view(shape)
        return out + self.bias.view(shape) if self.bias is not None else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        _check_axes(self, [self.axis], input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "momentum": self.momentum,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
            "moving_variance_initializer": initializers.serialize(self.moving_variance_initializer),
            **_affine_config(self),
            "synchronized": self.synchronized,
            "renorm": False,
            "renorm_clipping": self.renorm_clipping,
            "renorm_momentum": self.renorm_momentum,
        }


def _replicas() -> int:
    import torch.distributed as dist

    return dist.get_world_size() if dist.is_available() and dist.is_initialized() else 1


@register_layer()
class SyncBatchNormalization(BatchNormalization):
    """tf-keras 2's ``layers.experimental.SyncBatchNormalization``: ``BatchNormalization(synchronized=True)``.

    In training under a multi-process ``torch.distributed`` run (``keras.distribution.DataParallel``)
    the batch statistics are computed over the global batch; on one process it equals
    ``BatchNormalization``.

    Args:
        axis: Channel axis.
        momentum: Moving-average momentum.
        epsilon: Added to the variance.
        center: Learn ``beta``.
        scale: Learn ``gamma``.
        **kwargs: The other ``BatchNormalization`` arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.experimental.SyncBatchNormalization()
    >>> tuple(layer(np.ones((4, 3), "float32"), training=True).shape)
    (4, 3)
    """

    def __init__(self, axis: int = -1, momentum: float = 0.99, epsilon: float = 1e-3, center: bool = True,
                 scale: bool = True, **kwargs: Any) -> None:
        kwargs.pop("synchronized", None)
        super().__init__(axis=axis, momentum=momentum, epsilon=epsilon, center=center, scale=scale,
                         synchronized=True, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        config.pop("synchronized")
        return config


@register_layer()
class LayerNormalization(_AffineMixin, Layer):
    """Normalizes each sample over ``axis`` (default the last axis).

    Args:
        axis: Int or list of ints, the axis or axes to normalize over (default -1, the features).
        epsilon: Small float added to the variance (default 1e-3).
        center: Whether to learn an offset ``beta``. Default ``True``.
        scale: Whether to learn a scale ``gamma``. Default ``True``.
        beta_initializer: Initializer of ``beta`` (default ``"zeros"``).
        gamma_initializer: Initializer of ``gamma`` (default ``"ones"``).
        beta_regularizer: Optional regularizer of ``beta``.
        gamma_regularizer: Optional regularizer of ``gamma``.
        beta_constraint: Optional constraint of ``beta``.
        gamma_constraint: Optional constraint of ``gamma``.
        rms_scaling: Keras 3 (deprecated) flag: ``x * rsqrt(var(x) + epsilon) * gamma``, no centering.
        **kwargs: Base layer arguments.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.LayerNormalization()
    >>> y = layer(np.array([[1.0, 2.0, 3.0]]))
    >>> y.shape, round(float(y.detach().mean()), 5)
    (torch.Size([1, 3]), 0.0)
    """

    def __init__(
        self,
        axis: int | list[int] = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        rms_scaling: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        axis = check_axis(self.name, "axis", axis, error=TypeError)
        self.axis: Any = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.epsilon = check_float(self.name, "epsilon", epsilon, min_value=0.0)
        self.center = bool(center)
        self.scale = bool(scale)
        self.rms_scaling = bool(rms_scaling)
        self._init_affine(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                          beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        ndim = len(input_shape)
        axes = self.axis if isinstance(self.axis, list) else [self.axis]
        _check_axes(self, axes, input_shape)
        self._axes = sorted(a % ndim for a in axes)
        shape = tuple(input_shape[a] for a in self._axes)
        if any(d is None for d in shape):
            raise ValueError(f"Layer '{self.name}': normalized axes {axes} of input {tuple(input_shape)} must be defined.")
        self._add_affine(shape, self.scale or self.rms_scaling, self.center and not self.rms_scaling)
        # F.layer_norm handles the (common) case of trailing contiguous axes.
        self._fused = self._axes == list(range(ndim - len(self._axes), ndim))
        self._shape = shape

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        in_dtype = inputs.dtype
        x = inputs.float() if in_dtype in _HALF else inputs
        if self.rms_scaling:
            var = torch.var(x, dim=self._axes, keepdim=True, correction=0)
            out = x * torch.rsqrt(var + self.epsilon)
            if self.weight is not None:
                out = out * self.weight.view(self._wshape(x))
        elif self._fused:
            out = F.layer_norm(x, self._shape, *_as(x, self.weight, self.bias), eps=self.epsilon)
        else:
            var, mean = torch.var_mean(x, dim=self._axes, keepdim=True, correction=0)
            inv = torch.rsqrt(var + self.epsilon)
            if self.weight is not None:
                inv = inv * self.weight.view(self._wshape(x))
            out = (x - mean) * inv
            if self.bias is not None:
                out = out + self.bias.view(self._wshape(x))
        return out.to(in_dtype) if in_dtype in _HALF else out

    def _wshape(self, x: torch.Tensor) -> list[int]:
        return [x.shape[d] if d in self._axes else 1 for d in range(x.ndim)]

    def compute_output_shape(self, input_shape: Any) -> Any:
        _check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            "rms_scaling": self.rms_scaling,
            **_affine_config(self),
        }


@register_layer()
class GroupNormalization(_AffineMixin, Layer):
    """Group normalization (Wu & He, 2018): normalizes groups of channels per sample.

    The channels are split into ``groups`` groups; each group is normalized with the mean and variance over
    its channels and all spatial positions of the sample, then scaled by ``gamma`` and shifted by ``beta``
    per channel. Independent of the batch size; ``groups=1`` is close to LayerNormalization and
    ``groups=channels`` (or -1) is instance normalization.

    Args:
        groups: Number of groups; must divide the number of channels (default 32; -1: one group per channel).
        axis: The channel axis (default -1).
        epsilon: Small float added to the variance (default 1e-3).
        center: Whether to learn an offset ``beta``. Default ``True``.
        scale: Whether to learn a scale ``gamma``. Default ``True``.
        beta_initializer: Initializer of ``beta`` (default ``"zeros"``).
        gamma_initializer: Initializer of ``gamma`` (default ``"ones"``).
        beta_regularizer: Optional regularizer of ``beta``.
        gamma_regularizer: Optional regularizer of ``gamma``.
        beta_constraint: Optional constraint of ``beta``.
        gamma_constraint: Optional constraint of ``gamma``.
        **kwargs: Base layer arguments.

    Input shape:
        Any rank >= 2 with a known channel axis.

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.GroupNormalization(groups=2)
    >>> layer(np.random.rand(2, 8, 8, 4)).shape
    torch.Size([2, 8, 8, 4])
    """

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if isinstance(groups, bool) or not isinstance(groups, int) or (groups <= 0 and groups != -1):
            raise ValueError(
                "Received an invalid value for argument `groups`, expected a positive integer "
                f"(or `-1` for instance normalization). Received: groups={groups!r} (layer {self.name})"
            )
        self.groups = groups
        self.axis = check_axis(self.name, "axis", axis, allow_list=False)
        self.epsilon = check_float(self.name, "epsilon", epsilon, min_value=0.0)
        self.center = bool(center)
        self.scale = bool(scale)
        self._init_affine(beta_initializer, gamma_initializer, beta_regularizer, gamma_regularizer,
                          beta_constraint, gamma_constraint)
        self.supports_masking = True

    def build(self, input_shape: Any) -> None:
        _check_axes(self, [self.axis], input_shape)
        dim = input_shape[self.axis]
        if dim is None:
            raise ValueError(
                f"Axis {self.axis} of input tensor should have a defined dimension but the layer "
                f"'{self.name}' received an input with shape {tuple(input_shape)}."
            )
        if self.groups == -1:
            self.groups = dim
        if dim < self.groups:
            raise ValueError(f"Layer '{self.name}': number of groups ({self.groups}) cannot be more than the "
                             f"number of channels ({dim}).")
        if dim % self.groups:
            raise ValueError(f"Layer '{self.name}': number of groups ({self.groups}) must divide the number of "
                             f"channels ({dim}).")
        self._axis = self.axis % len(input_shape)
        self._add_affine((dim,), self.scale, self.center)
        self.input_spec = InputSpec(ndim=len(input_shape), axes={self.axis: dim})

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        in_dtype = inputs.dtype
        x = inputs.float() if in_dtype in _HALF else inputs
        xc = x if self._axis == 1 else x.movedim(self._axis, 1)
        out = F.group_norm(xc, self.groups, *_as(xc, self.weight, self.bias), eps=self.epsilon)
        out = out if self._axis == 1 else out.movedim(1, self._axis)
        return out.to(in_dtype) if in_dtype in _HALF else out

    def compute_output_shape(self, input_shape: Any) -> Any:
        _check_axes(self, [self.axis], input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "groups": self.groups,
            "axis": self.axis,
            "epsilon": self.epsilon,
            "center": self.center,
            "scale": self.scale,
            **_affine_config(self),
        }


@register_layer()
class UnitNormalization(Layer):
    """Scales each sample to unit L2 norm over ``axis``: ``x * min(rsqrt(sum(x^2)), 1e12)``.

    Args:
        axis: Int or list of ints.

    Input shape:
        Any.

    Output shape:
        Same as the input.

    Example:

    >>> keras.layers.UnitNormalization()(np.array([[3.0, 4.0]]))
    tensor([[0.6000, 0.8000]])
    """

    def __init__(self, axis: int | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        axis = check_axis(self.name, "axis", axis, error=TypeError)
        self.axis: Any = list(axis) if isinstance(axis, (list, tuple)) else axis
        self.supports_masking = True
        self.built = True

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        dims = self.axis if isinstance(self.axis, list) else [self.axis]
        inv = torch.rsqrt(torch.sum(inputs * inputs, dim=dims, keepdim=True))
        return inputs * torch.clamp(inv, max=1e12)

    def compute_output_shape(self, input_shape: Any) -> Any:
        _check_axes(self, self.axis if isinstance(self.axis, list) else [self.axis], input_shape)
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "axis": self.axis}
