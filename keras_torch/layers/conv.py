"""Convolution layers: Conv1D/2D/3D, their transposes, depthwise and separable convolutions.

Weights are stored in torch layout (``weight`` ``(out, in/groups, *k)``; transposed convs
``(in, out, *k)``) so a ``state_dict`` loads into ``torch.nn.Conv2d`` & co; the Keras layout
(``kernel_size + (in/groups, filters)``) is produced only by ``get_weights``/``kernel``.
Padding follows TensorFlow's "same" rule (extra pixel at the end), as real Keras does.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core.config import standardize_data_format
from keras_torch.layers.base import Layer
from keras_torch.layers.core import register_layer
from keras_torch.layers.input_spec import InputSpec

__all__ = [
    "Conv1D",
    "Conv2D",
    "Conv3D",
    "Convolution1D",
    "Convolution2D",
    "Convolution3D",
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
    "Deconvolution2D",
    "Deconvolution3D",
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]

_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}
_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


# ---------------------------------------------------------------------------- argument helpers
def standardize_tuple(layer: str, value: Any, n: int, arg: str, allow_zero: bool = False) -> tuple[int, ...]:
    """``int`` or iterable of ``n`` ints → tuple of ``n`` ints (``ValueError`` naming the layer)."""
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        out = (int(value),) * n
    else:
        try:
            out = tuple(int(v) for v in value)
        except (TypeError, ValueError):
            out = ()
        if len(out) != n:
            raise ValueError(
                f"Layer '{layer}': the `{arg}` argument must be a tuple of {n} integers. Received {arg}={value!r}"
            )
    if any(v < 0 or (v == 0 and not allow_zero) for v in out):
        req = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"Layer '{layer}': the `{arg}` argument must have values {req}. Received {arg}={value!r}")
    return out


def standardize_padding(layer: str, value: Any, allow_causal: bool = False) -> str:
    allowed = ("valid", "same", "causal") if allow_causal else ("valid", "same")
    padding = str(value).lower() if isinstance(value, str) else value
    if padding not in allowed:
        raise ValueError(f"Layer '{layer}': the `padding` argument must be one of {allowed}. Received: {value!r}")
    return padding


# ---------------------------------------------------------------------------- padding helpers
@functools.lru_cache(maxsize=1024)
def same_padding(
    spatial: tuple[int, ...], kernel: tuple[int, ...], strides: tuple[int, ...], dilation: tuple[int, ...]
) -> tuple[tuple[int, int], ...]:
    """TF "same" (left, right) padding per spatial dim (``backend/torch/nn.py::_compute_padding_length``)."""
    pads = []
    for size, k, s, d in zip(spatial, kernel, strides, dilation):
        eff = (k - 1) * d + 1
        if s == 1:
            total = eff - 1
        else:
            total = max(0, ((size + s - 1) // s - 1) * s + eff - size)
        pads.append((total // 2, total - total // 2))
    return tuple(pads)


def pad_arg(pads: tuple[tuple[int, int], ...], channels_last: bool) -> tuple[int, ...]:
    """``F.pad`` argument padding the spatial dims of a tensor in its own (Keras) layout."""
    flat: list[int] = [0, 0] if channels_last else []
    for left, right in reversed(pads):
        flat.extend((left, right))
    return tuple(flat)


def resolve_same(
    x: torch.Tensor,
    spatial_axes: slice,
    kernel: tuple[int, ...],
    strides: tuple[int, ...],
    dilation: tuple[int, ...],
    channels_last: bool,
) -> tuple[torch.Tensor, tuple[int, ...] | int]:
    """Symmetric "same" padding → (x, per-dim int padding for torch); asymmetric → (zero-padded x, 0)."""
    pads = same_padding(tuple(x.shape[spatial_axes]), kernel, strides, dilation)
    if all(left == right for left, right in pads):
        return x, tuple(left for left, _ in pads)
    return F.pad(x, pad_arg(pads, channels_last)), 0


# Plain tables rather than functools.cache: torch.compile traces dict lookups without warnings.
_TO_CF = {n: (0, n - 1) + tuple(range(1, n - 1)) for n in range(2, 9)}
_TO_CL = {n: (0,) + tuple(range(2, n)) + (1,) for n in range(2, 9)}


def to_channels_first(ndim: int) -> tuple[int, ...]:
    """The permutation NHWC -> NCHW for a rank-``ndim`` tensor."""
    return _TO_CF[ndim]


def to_channels_last(ndim: int) -> tuple[int, ...]:
    """The permutation NCHW -> NHWC for a rank-``ndim`` tensor."""
    return _TO_CL[ndim]


# Layout converters are module-level functions bound with functools.partial so layers pickle.
def _permute(t: torch.Tensor, perm: tuple[int, ...]) -> torch.Tensor:
    return t.permute(perm)


def _conv_to_torch(rank: int) -> functools.partial:
    """Keras ``(*k, in, out)`` → torch ``(out, in, *k)`` (also transposed convs' ``(*k, out, in)``)."""
    return functools.partial(_permute, perm=(rank + 1, rank) + tuple(range(rank)))


def _conv_to_keras(rank: int) -> functools.partial:
    return functools.partial(_permute, perm=tuple(range(2, rank + 2)) + (1, 0))


def _depthwise_keras_to_torch(t: torch.Tensor, rank: int) -> torch.Tensor:
    """``(*k, in, mult)`` → ``(in*mult, 1, *k)``."""
    t = t.reshape(t.shape[:rank] + (1, t.shape[-2] * t.shape[-1]))
    return t.permute((rank + 1, rank) + tuple(range(rank)))


def _depthwise_torch_to_keras(t: torch.Tensor, rank: int, multiplier: int) -> torch.Tensor:
    """``(in*mult, 1, *k)`` → ``(*k, in, mult)`` (a view: the split dim has a uniform stride)."""
    t = t.permute(tuple(range(2, rank + 2)) + (1, 0))
    return t.reshape(t.shape[:rank] + (t.shape[-1] // multiplier, multiplier))


def _depthwise_to_torch(rank: int) -> functools.partial:
    return functools.partial(_depthwise_keras_to_torch, rank=rank)


def _depthwise_to_keras(rank: int, multiplier: int) -> functools.partial:
    return functools.partial(_depthwise_torch_to_keras, rank=rank, multiplier=multiplier)


def _channels_last_memory(t: torch.Tensor) -> None:
    """Store a 4D/5D weight channels_last so convs on channels_last activations need no weight copy."""
    fmt = {4: torch.channels_last, 5: torch.channels_last_3d}.get(t.ndim)
    if fmt is not None:
        t.data = t.data.contiguous(memory_format=fmt)


def _match_dtype(w: torch.Tensor | None, x: torch.Tensor) -> torch.Tensor | None:
    return w if w is None or w.dtype == x.dtype else w.to(x.dtype)


def conv_output_length(size: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    if size is None:
        return None
    if padding == "valid":
        return (size - (k - 1) * d - 1) // s + 1
    return (size - 1) // s + 1


def conv_transpose_output_length(size: int | None, k: int, s: int, d: int, padding: str, op: int | None) -> int | None:
    """``backend_utils._get_output_shape_given_tf_padding``."""
    if size is None:
        return None
    eff = (k - 1) * d + 1
    if padding == "valid":
        op = max(eff, s) - eff if op is None else op
        return (size - 1) * s + eff + op
    if op is None:
        return size * s
    return (size - 1) * s + eff % 2 + op


def conv_transpose_crops(k: int, s: int, d: int, padding: str, op: int | None) -> tuple[int, int]:
    """(left, right) crop of torch's un-padded transposed conv output giving the TF/JAX window.

    Mirrors ``backend_utils.compute_conv_transpose_output_crops_for_torch``; negative = zero-pad.
    """
    eff = (k - 1) * d + 1
    if padding == "valid":
        op = max(eff, s) - eff if op is None else op
        left, right = eff - 1, eff - 1 + op
    else:
        pad_len = s + eff - 2 if op is None else eff + eff % 2 - 2 + op
        left = min(pad_len // 2 + pad_len % 2, eff - 1)
        right = pad_len - left
    return (eff - 1) - left, (eff - 1) - right


# ---------------------------------------------------------------------------- base classes
class _ConvBase(Layer):
    """Shared plumbing: data_format handling, activation, and the torch-op call."""

    rank: int

    def _setup_common(
        self,
        rank: int,
        kernel_size: Any,
        strides: Any,
        padding: str,
        data_format: str | None,
        dilation_rate: Any,
        activation: Any,
        use_bias: bool,
        allow_causal: bool = False,
    ) -> None:
        self.rank = rank
        self.kernel_size = standardize_tuple(self.name, kernel_size, rank, "kernel_size")
        self.strides = standardize_tuple(self.name, strides, rank, "strides")
        self.dilation_rate = standardize_tuple(self.name, dilation_rate, rank, "dilation_rate")
        self.padding = standardize_padding(self.name, padding, allow_causal)
        self.data_format = standardize_data_format(data_format)
        self.activation = activations.get(activation)
        self.use_bias = bool(use_bias)
        self.input_spec = InputSpec(min_ndim=rank + 2)

    @property
    def _channels_last(self) -> bool:
        return self.data_format == "channels_last"

    def _input_channels(self, input_shape: Any) -> int:
        c = input_shape[-1] if self._channels_last else input_shape[1]
        if c is None:
            raise ValueError(
                f"Layer '{self.name}': the channel dimension of the inputs should be defined. "
                f"Received input shape {tuple(input_shape)}"
            )
        self.input_spec = InputSpec(min_ndim=self.rank + 2, axes={-1 if self._channels_last else 1: c})
        return int(c)

    def _spatial(self, shape: Any) -> tuple:
        return tuple(shape[1:-1]) if self._channels_last else tuple(shape[2:])

    def _with_channels(self, shape: Any, spatial: list, channels: int) -> tuple:
        if self._channels_last:
            return (shape[0], *spatial, channels)
        return (shape[0], channels, *spatial)

    def _run_conv(
        self,
        x: torch.Tensor,
        weight: torch.Tensor,
        bias: torch.Tensor | None,
        groups: int,
        padding: str,
        strides: tuple[int, ...] | None = None,
    ) -> torch.Tensor:
        """Convolve a Keras-layout tensor; channels_last goes through a (free) permuted view."""
        cl = self._channels_last
        strides = self.strides if strides is None else strides
        torch_pad: Any = 0
        if padding == "same":
            spatial = slice(1, -1) if cl else slice(2, None)
            x, torch_pad = resolve_same(x, spatial, tuple(weight.shape[2:]), strides, self.dilation_rate, cl)
        elif padding == "causal":
            left = self.dilation_rate[0] * (self.kernel_size[0] - 1)
            x = F.pad(x, (0, 0, left, 0) if cl else (left, 0))
        if cl:
            x = x.permute(to_channels_first(x.ndim))
        out = _CONV[self.rank](
            x, _match_dtype(weight, x), _match_dtype(bias, x), strides, torch_pad, self.dilation_rate, groups
        )
        return out.permute(to_channels_last(out.ndim)) if cl else out

    def _activate(self, x: torch.Tensor) -> torch.Tensor:
        return x if self.activation is activations.linear else self.activation(x)

    def _base_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "kernel_size": self.kernel_size,
            "strides": self.strides,
            "padding": self.padding,
            "data_format": self.data_format,
            "dilation_rate": self.dilation_rate,
            "activation": activations.serialize(self.activation),
            "use_bias": self.use_bias,
        }


class BaseConv(_ConvBase):
    """Rank-generic convolution (the base of Conv1D/2D/3D).

    Args:
        rank: Number of spatial dimensions (1, 2 or 3).
        filters: Number of output channels.
        kernel_size: int or tuple of ``rank`` ints.
        strides: int or tuple; ``strides > 1`` cannot be combined with ``dilation_rate > 1``.
        padding: ``"valid"``, ``"same"`` (TF rule: extra pixel at the end) or, for rank 1, ``"causal"``.
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.
        dilation_rate: int or tuple.
        groups: Number of channel groups (input channels and ``filters`` must be divisible by it).
        activation: Activation applied to the output (default: linear).
        use_bias: Whether to add a bias.
        kernel_initializer / bias_initializer / kernel_regularizer / bias_regularizer /
        kernel_constraint / bias_constraint: as in Keras (acting on the Keras-layout kernel).

    Input shape:
        ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *new_spatial, filters)`` or ``(batch, filters, *new_spatial)``.
    """

    def __init__(
        self,
        rank: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        groups: int = 1,
        activation: Any = None,
        use_bias: bool = True,
        kernel_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        kernel_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        kernel_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._setup_common(
            rank, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias,
            allow_causal=rank == 1,
        )
        self.filters = _positive(self.name, "filters", filters)
        self.groups = _positive(self.name, "groups", groups)
        if self.filters % self.groups:
            raise ValueError(
                f"Layer '{self.name}': the number of filters must be evenly divisible by the number of groups. "
                f"Received: groups={self.groups}, filters={self.filters}."
            )
        if max(self.strides) > 1 and max(self.dilation_rate) > 1:
            raise ValueError(
                f"Layer '{self.name}': `strides > 1` not supported in conjunction with `dilation_rate > 1`. "
                f"Received: strides={self.strides} and dilation_rate={self.dilation_rate}"
            )
        self.kernel_initializer = initializers.get(kernel_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.kernel_regularizer = regularizers.get(kernel_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.kernel_constraint = constraints.get(kernel_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape: Any) -> None:
        in_ch = self._input_channels(input_shape)
        if in_ch % self.groups:
            raise ValueError(
                f"Layer '{self.name}': the number of input channels must be evenly divisible by the number "
                f"of groups. Received groups={self.groups}, but the input has {in_ch} channels "
                f"(full input shape is {tuple(input_shape)})."
            )
        self.compute_output_shape(input_shape)
        self.weight = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (in_ch // self.groups, self.filters),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            attr="weight",
            to_torch=_conv_to_torch(self.rank),
            to_keras=_conv_to_keras(self.rank),
        )
        if self._channels_last:
            _channels_last_memory(self.weight)
        self.bias = self._add_bias(self.filters)
        self.built = True  # also when build() is called directly, as Keras users do

    def _add_bias(self, n: int) -> torch.Tensor | None:
        if not self.use_bias:
            return None
        return self.add_weight(
            name="bias",
            shape=(n,),
            initializer=self.bias_initializer,
            regularizer=self.bias_regularizer,
            constraint=self.bias_constraint,
        )

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``kernel_size + (in/groups, filters)`` (a view)."""
        return _conv_to_keras(self.rank)(self.weight)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._activate(self._run_conv(inputs, self.weight, self.bias, self.groups, self.padding))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        spatial = self._spatial(input_shape)
        pad = "same" if self.padding == "causal" else self.padding
        out = [
            conv_output_length(n, k, s, d, pad)
            for n, k, s, d in zip(spatial, self.kernel_size, self.strides, self.dilation_rate)
        ]
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. Received input shape "
                f"{tuple(input_shape)}, kernel_size={self.kernel_size}, strides={self.strides}, "
                f"dilation_rate={self.dilation_rate}, padding={self.padding!r}."
            )
        return self._with_channels(input_shape, out, self.filters)

    def get_config(self) -> dict[str, Any]:
        cfg = self._base_config()
        return {
            **cfg,
            "filters": self.filters,
            "groups": self.groups,
            "kernel_initializer": initializers.serialize(self.kernel_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "kernel_regularizer": regularizers.serialize(self.kernel_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "kernel_constraint": constraints.serialize(self.kernel_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


def _positive(layer: str, arg: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value <= 0:
        raise ValueError(
            f"Layer '{layer}': invalid value for argument `{arg}`. Expected a strictly positive integer. "
            f"Received {arg}={value!r}."
        )
    return int(value)


def _conv_doc(rank: int) -> str:
    return f"{rank}D convolution (see :class:`BaseConv`); ``state_dict`` matches ``torch.nn.Conv{rank}d``."


@register_layer("Conv1D", "Convolution1D")
class Conv1D(BaseConv):
    __doc__ = _conv_doc(1) + ' ``padding="causal"`` left-pads by ``dilation_rate * (kernel_size - 1)``.'

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


@register_layer("Conv2D", "Convolution2D")
class Conv2D(BaseConv):
    __doc__ = _conv_doc(2)

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


@register_layer("Conv3D", "Convolution3D")
class Conv3D(BaseConv):
    __doc__ = _conv_doc(3)

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1, 1), groups: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


# ---------------------------------------------------------------------------- transposed convs
class BaseConvTranspose(BaseConv):
    """Rank-generic transposed convolution; ``state_dict`` matches ``torch.nn.ConvTranspose{N}d``.

    Keras kernel layout is ``kernel_size + (filters, in)``; torch stores ``(in, filters, *k)``.
    The output window is TF's (``output_padding`` added at the end); where torch's symmetric
    ``padding``/``output_padding`` can't express it, the un-padded result is cropped instead.

    Args:
        rank, filters, kernel_size, strides, padding ("valid"/"same"), data_format, dilation_rate,
        activation, use_bias, initializers/regularizers/constraints: as in :class:`BaseConv`.
        output_padding: int or tuple (each value ``< strides``), or ``None`` to infer.

    Input shape:
        ``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *new_spatial, filters)`` or ``(batch, filters, *new_spatial)``.
    """

    def __init__(self, rank: int, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 **kwargs: Any) -> None:
        groups = kwargs.pop("groups", 1)  # tf-keras configs carry Conv's groups=1 on transposed convs
        if groups != 1:
            raise ValueError(f"Transposed convolutions do not support groups != 1. Received: groups={groups}")
        super().__init__(rank, filters, kernel_size, strides, padding, data_format, dilation_rate, 1, **kwargs)
        if output_padding is None:
            self.output_padding = None
        else:
            self.output_padding = standardize_tuple(self.name, output_padding, rank, "output_padding", True)
            for i, (op, s) in enumerate(zip(self.output_padding, self.strides)):
                if op >= s:
                    raise ValueError(
                        f"Layer '{self.name}': `output_padding` must be strictly less than `strides` for all "
                        f"dimensions. At dimension {i}, `output_padding` is {op} but `strides` is {s}."
                    )
        self._plans: dict[tuple, Any] = {}

    def build(self, input_shape: Any) -> None:
        in_ch = self._input_channels(input_shape)
        self.weight = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (self.filters, in_ch),
            initializer=self.kernel_initializer,
            regularizer=self.kernel_regularizer,
            constraint=self.kernel_constraint,
            attr="weight",
            to_torch=_conv_to_torch(self.rank),
            to_keras=_conv_to_keras(self.rank),
        )
        if self._channels_last:
            _channels_last_memory(self.weight)
        self.bias = self._add_bias(self.filters)
        self.built = True  # also when build() is called directly, as Keras users do

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``kernel_size + (filters, in)`` (a view)."""
        return _conv_to_keras(self.rank)(self.weight)

    def _plan(self) -> tuple[tuple, tuple, list[tuple[int, int]] | None]:
        """(torch padding, torch output_padding, residual crops or None) — input-size independent."""
        key = (self.padding, self.output_padding)
        plan = self._plans.get(key)
        if plan is not None:
            return plan
        ops = self.output_padding or (None,) * self.rank
        crops = [
            conv_transpose_crops(k, s, d, self.padding, op)
            for k, s, d, op in zip(self.kernel_size, self.strides, self.dilation_rate, ops)
        ]
        # torch crops `padding` on both sides then appends `output_padding` (< max(stride, dilation)).
        native = all(
            0 <= r <= left and left - r < max(s, d)
            for (left, r), s, d in zip(crops, self.strides, self.dilation_rate)
        )
        if native:
            plan = (tuple(c[0] for c in crops), tuple(c[0] - c[1] for c in crops), None)
        else:
            plan = ((0,) * self.rank, (0,) * self.rank, crops)
        self._plans[key] = plan
        return plan

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        cl = self._channels_last
        x = inputs.permute(to_channels_first(inputs.ndim)) if cl else inputs
        pad, out_pad, crops = self._plan()
        bias = _match_dtype(self.bias, x)
        out = _CONV_T[self.rank](
            x, _match_dtype(self.weight, x), bias if crops is None else None, self.strides, pad, out_pad, 1,
            self.dilation_rate,
        )
        if crops is not None:
            index = [slice(None), slice(None)]
            index += [slice(max(0, left), (-r if r > 0 else None)) for left, r in crops]
            out = out[tuple(index)]
            if any(left < 0 or r < 0 for left, r in crops):
                flat: list[int] = []
                for left, r in reversed(crops):
                    flat += [max(0, -left), max(0, -r)]
                out = F.pad(out, flat)
            if bias is not None:
                out = out + bias.view((1, -1) + (1,) * self.rank)
        if cl:
            out = out.permute(to_channels_last(out.ndim))
        return self._activate(out)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        ops = self.output_padding or (None,) * self.rank
        out = [
            conv_transpose_output_length(n, k, s, d, self.padding, op)
            for n, k, s, d, op in zip(self._spatial(input_shape), self.kernel_size, self.strides,
                                       self.dilation_rate, ops)
        ]
        return self._with_channels(input_shape, out, self.filters)

    def get_config(self) -> dict[str, Any]:
        cfg = super().get_config()
        cfg.pop("groups")
        cfg["output_padding"] = self.output_padding
        return cfg


@register_layer("Conv1DTranspose", "Convolution1DTranspose")
class Conv1DTranspose(BaseConvTranspose):
    """1D transposed convolution (see :class:`BaseConvTranspose`)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D")
class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution (see :class:`BaseConvTranspose`)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D")
class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution (see :class:`BaseConvTranspose`)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1, 1),
                 **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


# ---------------------------------------------------------------------------- depthwise / separable
class BaseDepthwiseConv(_ConvBase):
    """Depthwise convolution: each input channel convolved with ``depth_multiplier`` filters.

    The Keras 3 weight is ``kernel`` ``kernel_size + (in, depth_multiplier)`` (tf-keras named it
    ``depthwise_kernel``; both attribute names work). Torch stores it as a grouped conv weight
    ``(in*depth_multiplier, 1, *k)`` with ``groups=in``; output channel ``c*depth_multiplier + m``.

    Args:
        rank: 1 or 2.
        depth_multiplier: Output channels per input channel.
        kernel_size, strides, padding ("valid"/"same"), data_format, dilation_rate, activation,
        use_bias: as in :class:`BaseConv`.
        depthwise_initializer / depthwise_regularizer / depthwise_constraint: for the kernel.
        bias_initializer / bias_regularizer / bias_constraint: for the bias ``(in*depth_multiplier,)``.

    Input shape:
        ``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *new_spatial, channels*depth_multiplier)`` (or channels_first equivalent).
    """

    def __init__(
        self,
        rank: int,
        depth_multiplier: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._setup_common(rank, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias)
        self.depth_multiplier = _positive(self.name, "depth_multiplier", depth_multiplier)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape: Any) -> None:
        in_ch = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._in_channels = in_ch
        self.weight = self.add_weight(
            name="kernel",
            shape=self.kernel_size + (in_ch, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            attr="weight",
            to_torch=_depthwise_to_torch(self.rank),
            to_keras=_depthwise_to_keras(self.rank, self.depth_multiplier),
        )
        if self._channels_last:
            _channels_last_memory(self.weight)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(in_ch * self.depth_multiplier,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``kernel_size + (in, depth_multiplier)`` (a view)."""
        return _depthwise_to_keras(self.rank, self.depth_multiplier)(self.weight)

    depthwise_kernel = kernel  # tf-keras name

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return self._activate(self._run_conv(inputs, self.weight, self.bias, self._in_channels, self.padding))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        in_ch = input_shape[-1] if self._channels_last else input_shape[1]
        out = [
            conv_output_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate)
        ]
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. Received input shape "
                f"{tuple(input_shape)}, kernel_size={self.kernel_size}, strides={self.strides}."
            )
        return self._with_channels(input_shape, out, None if in_ch is None else in_ch * self.depth_multiplier)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(),
            "depth_multiplier": self.depth_multiplier,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


@register_layer()
class DepthwiseConv1D(BaseDepthwiseConv):
    """1D depthwise convolution (see :class:`BaseDepthwiseConv`)."""

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = 1, **kwargs: Any) -> None:
        super().__init__(1, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate, **kwargs)


@register_layer()
class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution (see :class:`BaseDepthwiseConv`)."""

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate, **kwargs)


class BaseSeparableConv(_ConvBase):
    """Depthwise convolution followed by a pointwise (1x1) convolution.

    Keras weights: ``depthwise_kernel`` ``kernel_size + (in, depth_multiplier)``,
    ``pointwise_kernel`` ``(1,)*rank + (in*depth_multiplier, filters)``, ``bias`` ``(filters,)``.
    Torch attributes: ``depthwise_weight`` ``(in*mult, 1, *k)``, ``pointwise_weight``
    ``(filters, in*mult, 1...)``, ``bias``.

    Args:
        rank: 1 or 2.
        filters: Output channels.
        depth_multiplier: Depthwise output channels per input channel.
        kernel_size, strides, padding ("valid"/"same"), data_format, dilation_rate, activation,
        use_bias: as in :class:`BaseConv`.
        depthwise_* / pointwise_* / bias_* initializer, regularizer, constraint.

    Input shape:
        ``(batch, *spatial, channels)`` or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *new_spatial, filters)`` or ``(batch, filters, *new_spatial)``.
    """

    def __init__(
        self,
        rank: int,
        depth_multiplier: int,
        filters: int,
        kernel_size: Any,
        strides: Any = 1,
        padding: str = "valid",
        data_format: str | None = None,
        dilation_rate: Any = 1,
        activation: Any = None,
        use_bias: bool = True,
        depthwise_initializer: Any = "glorot_uniform",
        pointwise_initializer: Any = "glorot_uniform",
        bias_initializer: Any = "zeros",
        depthwise_regularizer: Any = None,
        pointwise_regularizer: Any = None,
        bias_regularizer: Any = None,
        activity_regularizer: Any = None,
        depthwise_constraint: Any = None,
        pointwise_constraint: Any = None,
        bias_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(activity_regularizer=activity_regularizer, **kwargs)
        self._setup_common(rank, kernel_size, strides, padding, data_format, dilation_rate, activation, use_bias)
        self.depth_multiplier = _positive(self.name, "depth_multiplier", depth_multiplier)
        self.filters = _positive(self.name, "filters", filters)
        self.depthwise_initializer = initializers.get(depthwise_initializer)
        self.pointwise_initializer = initializers.get(pointwise_initializer)
        self.bias_initializer = initializers.get(bias_initializer)
        self.depthwise_regularizer = regularizers.get(depthwise_regularizer)
        self.pointwise_regularizer = regularizers.get(pointwise_regularizer)
        self.bias_regularizer = regularizers.get(bias_regularizer)
        self.depthwise_constraint = constraints.get(depthwise_constraint)
        self.pointwise_constraint = constraints.get(pointwise_constraint)
        self.bias_constraint = constraints.get(bias_constraint)

    def build(self, input_shape: Any) -> None:
        in_ch = self._input_channels(input_shape)
        self.compute_output_shape(input_shape)
        self._in_channels = in_ch
        self.depthwise_weight = self.add_weight(
            name="depthwise_kernel",
            shape=self.kernel_size + (in_ch, self.depth_multiplier),
            initializer=self.depthwise_initializer,
            regularizer=self.depthwise_regularizer,
            constraint=self.depthwise_constraint,
            attr="depthwise_weight",
            to_torch=_depthwise_to_torch(self.rank),
            to_keras=_depthwise_to_keras(self.rank, self.depth_multiplier),
        )
        self.pointwise_weight = self.add_weight(
            name="pointwise_kernel",
            shape=(1,) * self.rank + (in_ch * self.depth_multiplier, self.filters),
            initializer=self.pointwise_initializer,
            regularizer=self.pointwise_regularizer,
            constraint=self.pointwise_constraint,
            attr="pointwise_weight",
            to_torch=_conv_to_torch(self.rank),
            to_keras=_conv_to_keras(self.rank),
        )
        if self._channels_last:
            _channels_last_memory(self.depthwise_weight)
            _channels_last_memory(self.pointwise_weight)
        if self.use_bias:
            self.bias = self.add_weight(
                name="bias",
                shape=(self.filters,),
                initializer=self.bias_initializer,
                regularizer=self.bias_regularizer,
                constraint=self.bias_constraint,
            )
        else:
            self.bias = None
        self.built = True

    @property
    def depthwise_kernel(self) -> torch.Tensor:
        """Keras-layout depthwise kernel ``kernel_size + (in, depth_multiplier)`` (a view)."""
        return _depthwise_to_keras(self.rank, self.depth_multiplier)(self.depthwise_weight)

    @property
    def pointwise_kernel(self) -> torch.Tensor:
        """Keras-layout pointwise kernel ``(1,)*rank + (in*depth_multiplier, filters)`` (a view)."""
        return _conv_to_keras(self.rank)(self.pointwise_weight)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        cl = self._channels_last
        x = inputs
        torch_pad: Any = 0
        if self.padding == "same":
            spatial = slice(1, -1) if cl else slice(2, None)
            x, torch_pad = resolve_same(x, spatial, self.kernel_size, self.strides, self.dilation_rate, cl)
        if cl:
            x = x.permute(to_channels_first(x.ndim))
        conv = _CONV[self.rank]
        x = conv(x, _match_dtype(self.depthwise_weight, x), None, self.strides, torch_pad, self.dilation_rate,
                 self._in_channels)
        x = conv(x, _match_dtype(self.pointwise_weight, x), _match_dtype(self.bias, x))
        if cl:
            x = x.permute(to_channels_last(x.ndim))
        return self._activate(x)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        out = [
            conv_output_length(n, k, s, d, self.padding)
            for n, k, s, d in zip(self._spatial(input_shape), self.kernel_size, self.strides, self.dilation_rate)
        ]
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. Received input shape "
                f"{tuple(input_shape)}, kernel_size={self.kernel_size}, strides={self.strides}."
            )
        return self._with_channels(input_shape, out, self.filters)

    def get_config(self) -> dict[str, Any]:
        return {
            **self._base_config(),
            "depth_multiplier": self.depth_multiplier,
            "filters": self.filters,
            "depthwise_initializer": initializers.serialize(self.depthwise_initializer),
            "pointwise_initializer": initializers.serialize(self.pointwise_initializer),
            "bias_initializer": initializers.serialize(self.bias_initializer),
            "depthwise_regularizer": regularizers.serialize(self.depthwise_regularizer),
            "pointwise_regularizer": regularizers.serialize(self.pointwise_regularizer),
            "bias_regularizer": regularizers.serialize(self.bias_regularizer),
            "activity_regularizer": regularizers.serialize(self.activity_regularizer),
            "depthwise_constraint": constraints.serialize(self.depthwise_constraint),
            "pointwise_constraint": constraints.serialize(self.pointwise_constraint),
            "bias_constraint": constraints.serialize(self.bias_constraint),
        }


@register_layer("SeparableConv1D", "SeparableConvolution1D")
class SeparableConv1D(BaseSeparableConv):
    """1D separable convolution (see :class:`BaseSeparableConv`)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(1, depth_multiplier, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("SeparableConv2D", "SeparableConvolution2D")
class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution (see :class:`BaseSeparableConv`)."""

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
)
Deconvolution2D, Deconvolution3D = Conv2DTranspose, Conv3DTranspose
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
