"""Depthwise and separable convolutions: DepthwiseConv1D/2D, SeparableConv1D/2D.

A depthwise kernel is stored as torch's grouped-conv weight ``(in*depth_multiplier, 1, *k)``
(``groups=in``); the Keras layout ``kernel_size + (in, depth_multiplier)`` is a view of it.
"""

from __future__ import annotations

import functools
from typing import Any

import torch

from keras_torch import constraints, initializers, regularizers
from keras_torch.layers._args import check_strictly_positive, register_layer
from keras_torch.layers._padding import resolve_same, to_channels_first, to_channels_last
from keras_torch.layers.conv import (
    CONV_OPS,
    ConvBase,
    channels_last_memory,
    conv_output_length,
    conv_to_keras,
    conv_to_torch,
    match_dtype,
)

__all__ = [
    "DepthwiseConv1D",
    "DepthwiseConv2D",
    "SeparableConv1D",
    "SeparableConv2D",
    "SeparableConvolution1D",
    "SeparableConvolution2D",
]


# Layout converters are module-level functions bound with functools.partial so layers pickle.
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


class BaseDepthwiseConv(ConvBase):
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
        self.depth_multiplier = check_strictly_positive(self.name, "depth_multiplier", depth_multiplier)
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
            channels_last_memory(self.weight)
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
    """1D depthwise convolution layer.

    Convolves each input channel separately with ``depth_multiplier`` filters of its own (no mixing between
    channels), then concatenates the results: output channel ``c * depth_multiplier + m`` is filter ``m``
    applied to channel ``c``. Stored as a grouped torch convolution, ``weight`` of shape
    ``(channels * depth_multiplier, 1, *kernel_size)`` with ``groups=channels``; ``get_weights()`` gives the
    Keras layout ``kernel_size + (channels, depth_multiplier)``.

    Args:
        kernel_size: Int or tuple of one int, the size of the window.
        strides: Int or tuple of one int. ``strides > 1`` cannot be combined with ``dilation_rate > 1``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow rule).
        depth_multiplier: Number of output channels per input channel. Default 1.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of one int. Default 1.
        activation: Activation applied to the output; ``None`` means linear.
        use_bias: Whether to add a bias of shape ``(channels * depth_multiplier,)``.
        depthwise_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        depthwise_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        depthwise_constraint, bias_constraint: Optional constraints.
        **kwargs: Base layer arguments.

    Input shape:
        A 3D tensor ``(batch, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_steps, channels * depth_multiplier)`` (channels_last) or
        ``(batch, channels * depth_multiplier, new_steps)``
        (channels_first).

    Example:

    >>> layer = keras.layers.DepthwiseConv1D(3, depth_multiplier=2)
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 8, 6])
    """

    def __init__(self, kernel_size: Any, strides: Any = 1, padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = 1, **kwargs: Any) -> None:
        super().__init__(1, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate, **kwargs)


@register_layer()
class DepthwiseConv2D(BaseDepthwiseConv):
    """2D depthwise convolution layer.

    Convolves each input channel separately with ``depth_multiplier`` filters of its own (no mixing between
    channels), then concatenates the results: output channel ``c * depth_multiplier + m`` is filter ``m``
    applied to channel ``c``. Stored as a grouped torch convolution, ``weight`` of shape
    ``(channels * depth_multiplier, 1, *kernel_size)`` with ``groups=channels``; ``get_weights()`` gives the
    Keras layout ``kernel_size + (channels, depth_multiplier)``.

    Args:
        kernel_size: Int or tuple of 2 ints, the size of the window.
        strides: Int or tuple of 2 ints. ``strides > 1`` cannot be combined with ``dilation_rate > 1``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow rule).
        depth_multiplier: Number of output channels per input channel. Default 1.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of 2 ints. Default 1.
        activation: Activation applied to the output; ``None`` means linear.
        use_bias: Whether to add a bias of shape ``(channels * depth_multiplier,)``.
        depthwise_initializer: Initializer of the kernel (default ``"glorot_uniform"``).
        bias_initializer: Initializer of the bias (default ``"zeros"``).
        depthwise_regularizer, bias_regularizer, activity_regularizer: Optional regularizers.
        depthwise_constraint, bias_constraint: Optional constraints.
        **kwargs: Base layer arguments.

    Input shape:
        A 4D tensor ``(batch, rows, cols, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, rows, cols)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_rows, new_cols, channels * depth_multiplier)`` (channels_last) or
        ``(batch, channels * depth_multiplier, new_rows, new_cols)``
        (channels_first).

    Example:

    >>> layer = keras.layers.DepthwiseConv2D(3, depth_multiplier=2)
    >>> layer(np.random.rand(4, 28, 28, 3).astype("float32")).shape
    torch.Size([4, 26, 26, 6])
    """

    def __init__(self, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid", depth_multiplier: int = 1,
                 data_format: str | None = None, dilation_rate: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, kernel_size, strides, padding, data_format, dilation_rate, **kwargs)


class BaseSeparableConv(ConvBase):
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
        self.depth_multiplier = check_strictly_positive(self.name, "depth_multiplier", depth_multiplier)
        self.filters = check_strictly_positive(self.name, "filters", filters)
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
            to_torch=conv_to_torch(self.rank),
            to_keras=conv_to_keras(self.rank),
        )
        if self._channels_last:
            channels_last_memory(self.depthwise_weight)
            channels_last_memory(self.pointwise_weight)
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
        return conv_to_keras(self.rank)(self.pointwise_weight)

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        cl = self._channels_last
        x = inputs
        torch_pad: Any = 0
        if self.padding == "same":
            spatial = slice(1, -1) if cl else slice(2, None)
            x, torch_pad = resolve_same(x, spatial, self.kernel_size, self.strides, self.dilation_rate, cl)
        if cl:
            x = x.permute(to_channels_first(x.ndim))
        conv = CONV_OPS[self.rank]
        x = conv(x, match_dtype(self.depthwise_weight, x), None, self.strides, torch_pad, self.dilation_rate,
                 self._in_channels)
        x = conv(x, match_dtype(self.pointwise_weight, x), match_dtype(self.bias, x))
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
    """1D separable convolution layer.

    A depthwise convolution (each input channel convolved separately with ``depth_multiplier`` filters)
    followed by a pointwise (1x1) convolution that mixes the channels into ``filters`` outputs: fewer
    weights than a full convolution. Torch attributes: ``depthwise_weight``
    ``(channels * depth_multiplier, 1, *kernel_size)`` and ``pointwise_weight``
    ``(filters, channels * depth_multiplier, 1...)``; ``get_weights()`` gives Keras's ``depthwise_kernel``,
    ``pointwise_kernel`` and ``bias``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of one int, the depthwise window size.
        strides: Int or tuple of one int. ``strides > 1`` cannot be combined with ``dilation_rate > 1``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow rule), or ``"causal"``.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of one int. Default 1.
        depth_multiplier: Depthwise output channels per input channel. Default 1.
        activation: Activation applied to the output; ``None`` means linear.
        use_bias: Whether to add a bias of shape ``(filters,)``.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers of the two kernels
            (default ``"glorot_uniform"``) and the bias (default ``"zeros"``).
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer: Optional
            regularizers.
        depthwise_constraint, pointwise_constraint, bias_constraint: Optional constraints.
        **kwargs: Base layer arguments.

    Input shape:
        A 3D tensor ``(batch, steps, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, steps)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_steps, filters)`` (channels_last) or ``(batch, filters, new_steps)``
        (channels_first).

    Example:

    >>> layer = keras.layers.SeparableConv1D(16, 3)
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 8, 16])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = 1, depth_multiplier: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(1, depth_multiplier, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("SeparableConv2D", "SeparableConvolution2D")
class SeparableConv2D(BaseSeparableConv):
    """2D separable convolution layer.

    A depthwise convolution (each input channel convolved separately with ``depth_multiplier`` filters)
    followed by a pointwise (1x1) convolution that mixes the channels into ``filters`` outputs: fewer
    weights than a full convolution. Torch attributes: ``depthwise_weight``
    ``(channels * depth_multiplier, 1, *kernel_size)`` and ``pointwise_weight``
    ``(filters, channels * depth_multiplier, 1...)``; ``get_weights()`` gives Keras's ``depthwise_kernel``,
    ``pointwise_kernel`` and ``bias``.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints, the depthwise window size.
        strides: Int or tuple of 2 ints. ``strides > 1`` cannot be combined with ``dilation_rate > 1``.
        padding: ``"valid"`` or ``"same"`` (TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of 2 ints. Default 1.
        depth_multiplier: Depthwise output channels per input channel. Default 1.
        activation: Activation applied to the output; ``None`` means linear.
        use_bias: Whether to add a bias of shape ``(filters,)``.
        depthwise_initializer, pointwise_initializer, bias_initializer: Initializers of the two kernels
            (default ``"glorot_uniform"``) and the bias (default ``"zeros"``).
        depthwise_regularizer, pointwise_regularizer, bias_regularizer, activity_regularizer: Optional
            regularizers.
        depthwise_constraint, pointwise_constraint, bias_constraint: Optional constraints.
        **kwargs: Base layer arguments.

    Input shape:
        A 4D tensor ``(batch, rows, cols, channels)`` with ``data_format="channels_last"``, or
        ``(batch, channels, rows, cols)`` with ``"channels_first"``.

    Output shape:
        ``(batch, new_rows, new_cols, filters)`` (channels_last) or ``(batch, filters, new_rows, new_cols)``
        (channels_first).

    Example:

    >>> layer = keras.layers.SeparableConv2D(16, 3)
    >>> layer(np.random.rand(4, 28, 28, 3).astype("float32")).shape
    torch.Size([4, 26, 26, 16])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 data_format: str | None = None, dilation_rate: Any = (1, 1), depth_multiplier: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(2, depth_multiplier, filters, kernel_size, strides, padding, data_format, dilation_rate,
                         **kwargs)


SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
