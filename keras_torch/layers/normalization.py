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
from keras_torch.layers._args import register_layer
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["BatchNormalization", "LayerNormalization", "GroupNormalization", "UnitNormalization"]

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
    """Normalizes with batch statistics in training and moving statistics in inference.

    Moving statistics follow Keras exactly: ``moving = moving * momentum + batch * (1 - momentum)``
    with the *biased* batch variance. Batch statistics are used only when ``training`` is true
    **and** the layer is trainable (a frozen BN always runs in inference mode).

    Args:
        axis: The feature axis (``-1`` for channels_last, ``1`` for channels_first).
        momentum: Momentum of the moving average (Keras convention; torch momentum = 1 - this).
        epsilon: Added to the variance (default 1e-3, torch uses 1e-5).
        center / scale: Whether to learn ``beta`` / ``gamma``.
        beta_initializer / gamma_initializer / moving_mean_initializer /
        moving_variance_initializer / beta_regularizer / gamma_regularizer /
        beta_constraint / gamma_constraint: As in Keras.

    Input shape:
        Any rank >= 2.

    Output shape:
        Same as the input.
    """

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
        self.axis = int(axis)
        if renorm:
            raise ValueError(f"Layer '{self.name}': BatchNormalization(renorm=True) is not supported by keras_torch.")
        if virtual_batch_size is not None or adjustment is not None:
            raise ValueError(
                f"Layer '{self.name}': `virtual_batch_size`/`adjustment` (tf-keras only) are not supported."
            )
        self.momentum = float(momentum)
        self.epsilon = float(epsilon)
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
        if mask is None and n > 1:
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


@register_layer()
class LayerNormalization(_AffineMixin, Layer):
    """Normalizes each sample over ``axis`` (default the last axis).

    Args:
        axis: Int or list of ints to normalize over.
        epsilon: Added to the variance (default 1e-3).
        center / scale: Whether to learn ``beta`` / ``gamma``.
        rms_scaling: Keras 3 (deprecated) flag: ``x * rsqrt(var(x) + eps) * gamma``, no centering.
        beta_initializer / gamma_initializer / beta_regularizer / gamma_regularizer /
        beta_constraint / gamma_constraint: As in Keras.

    Input shape:
        Any.

    Output shape:
        Same as the input.
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
        if isinstance(axis, (list, tuple)):
            self.axis: Any = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Expected an int or a list/tuple of ints for the argument 'axis', but received: {axis!r}")
        self.epsilon = float(epsilon)
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
    """Normalizes over groups of channels (and all spatial positions) per sample.

    Args:
        groups: Number of groups (must divide the channels; ``-1`` = instance normalization).
        axis: The channel axis (default -1).
        epsilon: Added to the variance (default 1e-3).
        center / scale and their initializers/regularizers/constraints: As in Keras.

    Input shape:
        Any rank >= 2 with a defined channel axis.

    Output shape:
        Same as the input.
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
        self.axis = int(axis)
        self.epsilon = float(epsilon)
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
    """

    def __init__(self, axis: int | list[int] = -1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if isinstance(axis, (list, tuple)):
            self.axis: Any = [int(a) for a in axis]
        elif isinstance(axis, int):
            self.axis = axis
        else:
            raise TypeError(f"Invalid value for `axis` argument: expected an int or a list/tuple of ints. "
                            f"Received: axis={axis!r}")
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
