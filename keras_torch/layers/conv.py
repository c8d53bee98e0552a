"""Convolution layers Conv1D/2D/3D, and the plumbing shared with the transposed, depthwise and
separable convolutions (``conv_transpose``, ``separable_conv``).

Weights are stored in torch layout (``weight`` ``(out, in/groups, *k)``) so a ``state_dict`` loads
into ``torch.nn.Conv2d`` & co; the Keras layout (``kernel_size + (in/groups, filters)``) is
produced only by ``get_weights``/``kernel``. Padding follows TensorFlow's "same" rule (extra
pixel at the end, see ``_padding``), as real Keras does.
"""

from __future__ import annotations

import functools
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch import activations, constraints, initializers, regularizers
from keras_torch.core.config import standardize_data_format
from keras_torch.layers._args import check_strictly_positive, register_layer, standardize_padding, standardize_tuple
from keras_torch.layers._padding import resolve_same, to_channels_first, to_channels_last
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = ["Conv1D", "Conv2D", "Conv3D", "Convolution1D", "Convolution2D", "Convolution3D"]

CONV_OPS = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


# ---------------------------------------------------------------------------- layout helpers
# Layout converters are module-level functions bound with functools.partial so layers pickle.
def _permute(t: torch.Tensor, perm: tuple[int, ...]) -> torch.Tensor:
    return t.permute(perm)


def conv_to_torch(rank: int) -> functools.partial:
    """Keras ``(*k, in, out)`` → torch ``(out, in, *k)`` (also transposed convs' ``(*k, out, in)``)."""
    return functools.partial(_permute, perm=(rank + 1, rank) + tuple(range(rank)))


def conv_to_keras(rank: int) -> functools.partial:
    """Torch ``(out, in, *k)`` → Keras ``(*k, in, out)``."""
    return functools.partial(_permute, perm=tuple(range(2, rank + 2)) + (1, 0))


def channels_last_memory(t: torch.Tensor) -> None:
    """Store a 4D/5D weight channels_last so convs on channels_last activations need no weight copy."""
    fmt = {4: torch.channels_last, 5: torch.channels_last_3d}.get(t.ndim)
    if fmt is not None:
        t.data = t.data.contiguous(memory_format=fmt)


def match_dtype(w: torch.Tensor | None, x: torch.Tensor) -> torch.Tensor | None:
    """``w`` cast to the dtype of ``x`` (mixed precision), ``None`` stays ``None``."""
    return w if w is None or w.dtype == x.dtype else w.to(x.dtype)


def conv_output_length(size: int | None, k: int, s: int, d: int, padding: str) -> int | None:
    """Output length of a convolution over ``size`` (``None`` stays ``None``)."""
    if size is None:
        return None
    if padding == "valid":
        return (size - (k - 1) * d - 1) // s + 1
    return (size - 1) // s + 1


# ---------------------------------------------------------------------------- base classes
class ConvBase(Layer):
    """Shared plumbing: data_format handling, activation, and the torch-op call."""

    _fresh_output = True  # (see Layer._fresh_output)

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
        out = CONV_OPS[self.rank](
            x, match_dtype(weight, x), match_dtype(bias, x), strides, torch_pad, self.dilation_rate, groups
        )
        return out.permute(to_channels_last(out.ndim)) if cl else out

    def _activate(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the activation to this call's own fresh convolution result (in place where it can)."""
        if self.activation is activations.linear:
            return x
        fast = activations.inplace(self.activation)
        return self.activation(x) if fast is None else fast(x)

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


class BaseConv(ConvBase):
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
        self.filters = check_strictly_positive(self.name, "filters", filters)
        self.groups = check_strictly_positive(self.name, "groups", groups)
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
            to_torch=conv_to_torch(self.rank),
            to_keras=conv_to_keras(self.rank),
        )
        if self._channels_last:
            channels_last_memory(self.weight)
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
        return conv_to_keras(self.rank)(self.weight)

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


@register_layer("Conv1D", "Convolution1D")
class Conv1D(BaseConv):
    """1D convolution layer (temporal convolution).

    Convolves the input with a learned kernel, adds a bias (``use_bias``) and applies ``activation``.
    The kernel is stored in torch layout, ``weight`` of shape ``(filters, in_channels // groups, *kernel_size)``,
    so ``layer.state_dict()`` loads into ``torch.nn.Conv1d``; ``layer.kernel`` and ``get_weights()``
    give the Keras layout ``kernel_size + (in_channels // groups, filters)``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of one int, the size of the convolution window.
        strides: Int or tuple of one int, the stride of the convolution. ``strides > 1`` cannot be
            combined with ``dilation_rate > 1``. Default 1.
        padding: ``"valid"`` (no padding), ``"causal"`` (left padding by ``dilation_rate * (kernel_size - 1)``, for
            temporal models) or ``"same"`` (pad so that the output has
            ``ceil(input / strides)`` positions; like TensorFlow, an odd total padding puts the extra pixel at
            the end). Case-insensitive.
        data_format: ``"channels_last"`` (inputs ``(batch, steps, channels)``) or ``"channels_first"``
            (inputs ``(batch, channels, steps)``). Defaults to ``keras.config.image_data_format()``.
            Weights are the same in both cases; only the activations are laid out differently.
        dilation_rate: Int or tuple of one int, the dilation rate of an atrous convolution. Default 1.
        groups: Number of groups the input channels are split into; each group is convolved with
            ``filters // groups`` filters. Both the input channels and ``filters`` must be divisible by it.
        activation: Activation applied to the output (name or callable); ``None`` means linear.
        use_bias: Whether the layer adds a bias vector. Default ``True``.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``), applied to the kernel
            in Keras layout so that fan-in/fan-out match real Keras.
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel (its penalty goes to ``layer.losses``).
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer output.
        kernel_constraint: Optional constraint applied to the kernel after each optimizer step.
        bias_constraint: Optional constraint applied to the bias after each optimizer step.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A 3D tensor ``(batch, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_steps, filters)`` (channels_last) or ``(batch, filters, new_steps)``
        (channels_first).

    Example:

    >>> layer = keras.layers.Conv1D(16, 3, activation="relu")
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 8, 16])
    >>> layer.weight.shape, layer.get_weights()[0].shape  # torch layout, Keras layout
    (torch.Size([16, 3, 3]), (3, 3, 16))
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, groups: int = 1, **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


@register_layer("Conv2D", "Convolution2D")
class Conv2D(BaseConv):
    """2D convolution layer (spatial convolution over images).

    Convolves the input with a learned kernel, adds a bias (``use_bias``) and applies ``activation``.
    The kernel is stored in torch layout, ``weight`` of shape ``(filters, in_channels // groups, *kernel_size)``,
    so ``layer.state_dict()`` loads into ``torch.nn.Conv2d``; ``layer.kernel`` and ``get_weights()``
    give the Keras layout ``kernel_size + (in_channels // groups, filters)``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints, the size of the convolution window.
        strides: Int or tuple of 2 ints, the stride of the convolution. ``strides > 1`` cannot be
            combined with ``dilation_rate > 1``. Default 1.
        padding: ``"valid"`` (no padding) or ``"same"`` (pad so that the output has
            ``ceil(input / strides)`` positions; like TensorFlow, an odd total padding puts the extra pixel at
            the end). Case-insensitive.
        data_format: ``"channels_last"`` (inputs ``(batch, rows, cols, channels)``) or ``"channels_first"``
            (inputs ``(batch, channels, rows, cols)``). Defaults to ``keras.config.image_data_format()``.
            Weights are the same in both cases; only the activations are laid out differently.
        dilation_rate: Int or tuple of 2 ints, the dilation rate of an atrous convolution. Default 1.
        groups: Number of groups the input channels are split into; each group is convolved with
            ``filters // groups`` filters. Both the input channels and ``filters`` must be divisible by it.
        activation: Activation applied to the output (name or callable); ``None`` means linear.
        use_bias: Whether the layer adds a bias vector. Default ``True``.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``), applied to the kernel
            in Keras layout so that fan-in/fan-out match real Keras.
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel (its penalty goes to ``layer.losses``).
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer output.
        kernel_constraint: Optional constraint applied to the kernel after each optimizer step.
        bias_constraint: Optional constraint applied to the bias after each optimizer step.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A 4D tensor ``(batch, rows, cols, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, rows, cols)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_rows, new_cols, filters)`` (channels_last) or ``(batch, filters, new_rows, new_cols)``
        (channels_first).

    Example:

    >>> layer = keras.layers.Conv2D(16, 3, activation="relu")
    >>> layer(np.random.rand(4, 28, 28, 3).astype("float32")).shape
    torch.Size([4, 26, 26, 16])
    >>> layer.weight.shape, layer.get_weights()[0].shape  # torch layout, Keras layout
    (torch.Size([16, 3, 3, 3]), (3, 3, 3, 16))
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), groups: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


@register_layer("Conv3D", "Convolution3D")
class Conv3D(BaseConv):
    """3D convolution layer (spatial convolution over volumes).

    Convolves the input with a learned kernel, adds a bias (``use_bias``) and applies ``activation``.
    The kernel is stored in torch layout, ``weight`` of shape ``(filters, in_channels // groups, *kernel_size)``,
    so ``layer.state_dict()`` loads into ``torch.nn.Conv3d``; ``layer.kernel`` and ``get_weights()``
    give the Keras layout ``kernel_size + (in_channels // groups, filters)``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 3 ints, the size of the convolution window.
        strides: Int or tuple of 3 ints, the stride of the convolution. ``strides > 1`` cannot be
            combined with ``dilation_rate > 1``. Default 1.
        padding: ``"valid"`` (no padding) or ``"same"`` (pad so that the output has
            ``ceil(input / strides)`` positions; like TensorFlow, an odd total padding puts the extra pixel at
            the end). Case-insensitive.
        data_format: ``"channels_last"`` (inputs ``(batch, dim1, dim2, dim3, channels)``) or ``"channels_first"``
            (inputs ``(batch, channels, dim1, dim2, dim3)``). Defaults to ``keras.config.image_data_format()``.
            Weights are the same in both cases; only the activations are laid out differently.
        dilation_rate: Int or tuple of 3 ints, the dilation rate of an atrous convolution. Default 1.
        groups: Number of groups the input channels are split into; each group is convolved with
            ``filters // groups`` filters. Both the input channels and ``filters`` must be divisible by it.
        activation: Activation applied to the output (name or callable); ``None`` means linear.
        use_bias: Whether the layer adds a bias vector. Default ``True``.
        kernel_initializer: Initializer of the kernel (default ``"glorot_uniform"``), applied to the kernel
            in Keras layout so that fan-in/fan-out match real Keras.
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        kernel_regularizer: Optional regularizer of the kernel (its penalty goes to ``layer.losses``).
        bias_regularizer: Optional regularizer of the bias.
        activity_regularizer: Optional regularizer of the layer output.
        kernel_constraint: Optional constraint applied to the kernel after each optimizer step.
        bias_constraint: Optional constraint applied to the bias after each optimizer step.
        **kwargs: Base layer arguments (``name``, ``dtype``, ``trainable``, ...).

    Input shape:
        A 5D tensor ``(batch, dim1, dim2, dim3, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, dim1, dim2, dim3)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_dim1, new_dim2, new_dim3, filters)`` (channels_last) or
        ``(batch, filters, new_dim1, new_dim2, new_dim3)``
        (channels_first).

    Example:

    >>> layer = keras.layers.Conv3D(16, 3, activation="relu")
    >>> layer(np.random.rand(4, 8, 8, 8, 3).astype("float32")).shape
    torch.Size([4, 6, 6, 6, 16])
    >>> layer.weight.shape, layer.get_weights()[0].shape  # torch layout, Keras layout
    (torch.Size([16, 3, 3, 3, 3]), (3, 3, 3, 3, 16))
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1, 1), groups: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, strides, padding, data_format, dilation_rate, groups, **kwargs)


Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
