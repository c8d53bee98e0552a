"""Transposed convolutions: Conv1DTranspose/2D/3D (Keras aliases Deconvolution2D/3D).

``state_dict`` matches ``torch.nn.ConvTranspose{N}d``: torch stores ``(in, filters, *k)``, the Keras
kernel is ``kernel_size + (filters, in)``. The output window is TF's; where torch's symmetric
``padding``/``output_padding`` cannot express it, the un-padded result is cropped instead.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.layers._args import register_layer, standardize_tuple
from keras_torch.layers._padding import to_channels_first, to_channels_last
from keras_torch.layers.conv import BaseConv, channels_last_memory, conv_to_keras, conv_to_torch, match_dtype

__all__ = [
    "Conv1DTranspose",
    "Conv2DTranspose",
    "Conv3DTranspose",
    "Convolution1DTranspose",
    "Convolution2DTranspose",
    "Convolution3DTranspose",
    "Deconvolution2D",
    "Deconvolution3D",
]

_CONV_T = {1: F.conv_transpose1d, 2: F.conv_transpose2d, 3: F.conv_transpose3d}


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
            to_torch=conv_to_torch(self.rank),
            to_keras=conv_to_keras(self.rank),
        )
        if self._channels_last:
            channels_last_memory(self.weight)
        self.bias = self._add_bias(self.filters)
        self.built = True  # also when build() is called directly, as Keras users do

    @property
    def kernel(self) -> torch.Tensor:
        """The kernel in Keras layout ``kernel_size + (filters, in)`` (a view)."""
        return conv_to_keras(self.rank)(self.weight)

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
        bias = match_dtype(self.bias, x)
        out = _CONV_T[self.rank](
            x, match_dtype(self.weight, x), bias if crops is None else None, self.strides, pad, out_pad, 1,
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
    """1D transposed convolution layer (sometimes called deconvolution).

    Maps each input position to a ``kernel_size`` window of the output, the gradient of a convolution with
    respect to its input, typically used to upsample. The kernel is stored in torch layout, ``weight`` of
    shape ``(in_channels, filters, *kernel_size)``, so ``state_dict()`` loads into
    ``torch.nn.ConvTranspose1d``; ``get_weights()`` gives the Keras layout
    ``kernel_size + (filters, in_channels)``. Output sizes follow TensorFlow's rule.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of one int, the size of the transposed convolution window.
        strides: Int or tuple of one int, the upsampling factor. Default 1.
        padding: ``"valid"`` or ``"same"`` (output size ``input * strides``). Case-insensitive.
        output_padding: Int or tuple of one int (each smaller than the stride) added at the end of each
            spatial dimension, or ``None`` (default) to infer the output size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of one int, the dilation rate. Default 1.
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
        With ``padding="valid"`` and no ``output_padding``, each new size is
        ``(size - 1) * strides + dilation_rate * (kernel_size - 1) + 1``; with ``"same"`` it is ``size * strides``.

    Example:

    >>> layer = keras.layers.Conv1DTranspose(8, 3, strides=2, padding="same")
    >>> layer(np.random.rand(4, 10, 3).astype("float32")).shape
    torch.Size([4, 20, 8])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = 1, padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = 1,
                 **kwargs: Any) -> None:
        super().__init__(1, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("Conv2DTranspose", "Convolution2DTranspose", "Deconvolution2D", "Deconv2D")
class Conv2DTranspose(BaseConvTranspose):
    """2D transposed convolution layer (sometimes called deconvolution).

    Maps each input position to a ``kernel_size`` window of the output, the gradient of a convolution with
    respect to its input, typically used to upsample. The kernel is stored in torch layout, ``weight`` of
    shape ``(in_channels, filters, *kernel_size)``, so ``state_dict()`` loads into
    ``torch.nn.ConvTranspose2d``; ``get_weights()`` gives the Keras layout
    ``kernel_size + (filters, in_channels)``. Output sizes follow TensorFlow's rule.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 2 ints, the size of the transposed convolution window.
        strides: Int or tuple of 2 ints, the upsampling factor. Default 1.
        padding: ``"valid"`` or ``"same"`` (output size ``input * strides``). Case-insensitive.
        output_padding: Int or tuple of 2 ints (each smaller than the stride) added at the end of each
            spatial dimension, or ``None`` (default) to infer the output size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of 2 ints, the dilation rate. Default 1.
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
        With ``padding="valid"`` and no ``output_padding``, each new size is
        ``(size - 1) * strides + dilation_rate * (kernel_size - 1) + 1``; with ``"same"`` it is ``size * strides``.

    Example:

    >>> layer = keras.layers.Conv2DTranspose(8, 3, strides=2, padding="same")
    >>> layer(np.random.rand(4, 14, 14, 3).astype("float32")).shape
    torch.Size([4, 28, 28, 8])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1),
                 **kwargs: Any) -> None:
        super().__init__(2, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


@register_layer("Conv3DTranspose", "Convolution3DTranspose", "Deconvolution3D", "Deconv3D")
class Conv3DTranspose(BaseConvTranspose):
    """3D transposed convolution layer (sometimes called deconvolution).

    Maps each input position to a ``kernel_size`` window of the output, the gradient of a convolution with
    respect to its input, typically used to upsample. The kernel is stored in torch layout, ``weight`` of
    shape ``(in_channels, filters, *kernel_size)``, so ``state_dict()`` loads into
    ``torch.nn.ConvTranspose3d``; ``get_weights()`` gives the Keras layout
    ``kernel_size + (filters, in_channels)``. Output sizes follow TensorFlow's rule.

    Args:
        filters: Number of output channels.
        kernel_size: Int or tuple of 3 ints, the size of the transposed convolution window.
        strides: Int or tuple of 3 ints, the upsampling factor. Default 1.
        padding: ``"valid"`` or ``"same"`` (output size ``input * strides``). Case-insensitive.
        output_padding: Int or tuple of 3 ints (each smaller than the stride) added at the end of each
            spatial dimension, or ``None`` (default) to infer the output size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        dilation_rate: Int or tuple of 3 ints, the dilation rate. Default 1.
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
        With ``padding="valid"`` and no ``output_padding``, each new size is
        ``(size - 1) * strides + dilation_rate * (kernel_size - 1) + 1``; with ``"same"`` it is ``size * strides``.

    Example:

    >>> layer = keras.layers.Conv3DTranspose(8, 3, strides=2, padding="same")
    >>> layer(np.random.rand(4, 4, 4, 4, 3).astype("float32")).shape
    torch.Size([4, 8, 8, 8, 8])
    """

    def __init__(self, filters: int, kernel_size: Any, strides: Any = (1, 1, 1), padding: str = "valid",
                 output_padding: Any = None, data_format: str | None = None, dilation_rate: Any = (1, 1, 1),
                 **kwargs: Any) -> None:
        super().__init__(3, filters, kernel_size, strides, padding, output_padding, data_format, dilation_rate,
                         **kwargs)


Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose, Conv2DTranspose, Conv3DTranspose,
)
Deconvolution2D, Deconvolution3D = Conv2DTranspose, Conv3DTranspose
