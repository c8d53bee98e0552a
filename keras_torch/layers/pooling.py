"""Pooling layers: Max/Average pooling 1D-3D and their global variants (plus Keras aliases).

"same" padding follows TensorFlow (extra pixel at the end); average pooling excludes the
padding from the divisor, max pooling never selects it — exactly as real Keras.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core.config import standardize_data_format
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers._args import register_layer, standardize_padding, standardize_tuple
from keras_torch.layers._padding import (
    follows_traced_size,
    pad_arg,
    same_pads,
    static_same_padding,
    to_channels_first,
    to_channels_last,
)
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = [
    "MaxPooling1D",
    "MaxPooling2D",
    "MaxPooling3D",
    "AveragePooling1D",
    "AveragePooling2D",
    "AveragePooling3D",
    "MaxPool1D",
    "MaxPool2D",
    "MaxPool3D",
    "AvgPool1D",
    "AvgPool2D",
    "AvgPool3D",
    "GlobalMaxPooling1D",
    "GlobalMaxPooling2D",
    "GlobalMaxPooling3D",
    "GlobalAveragePooling1D",
    "GlobalAveragePooling2D",
    "GlobalAveragePooling3D",
    "GlobalMaxPool1D",
    "GlobalMaxPool2D",
    "GlobalMaxPool3D",
    "GlobalAvgPool1D",
    "GlobalAvgPool2D",
    "GlobalAvgPool3D",
]

_MAX = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_AVG = {1: F.avg_pool1d, 2: F.avg_pool2d, 3: F.avg_pool3d}


class BasePooling(Layer):
    """Rank-generic max/average pooling.

    Args:
        pool_size: int or tuple of ``rank`` ints, the window size.
        strides: int, tuple or ``None`` (defaults to ``pool_size``).
        padding: ``"valid"`` or ``"same"`` (TF rule; padding is excluded from averages).
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.

    Input shape:
        ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *pooled_spatial, channels)`` (or the channels_first equivalent).
    """

    rank: int = 2
    mode: str = "max"

    def __init__(
        self,
        pool_size: Any,
        strides: Any = None,
        padding: str = "valid",
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.pool_size = standardize_tuple(self.name, pool_size, self.rank, "pool_size")
        self.strides = standardize_tuple(self.name, pool_size if strides is None else strides, self.rank, "strides")
        self.padding = standardize_padding(self.name, padding)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._counts: dict[tuple, torch.Tensor] = {}  # (padded size, device, dtype) -> 1 / real-cell fraction

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        cl = self.data_format == "channels_last"
        x = inputs.permute(to_channels_first(inputs.ndim)) if cl else inputs
        if self.padding == "same" and follows_traced_size(self.strides):
            out = self._pool_same_traced(x)  # ONNX export: pads follow the (dynamic) input size
        else:
            out = self._pool(x)
        return out.permute(to_channels_last(out.ndim)) if cl else out

    def _pool(self, x: torch.Tensor) -> torch.Tensor:
        pad: Any = 0
        pads = None
        if self.padding == "same":
            pads = static_same_padding(tuple(x.shape[2:]), self.pool_size, self.strides, (1,) * self.rank)
            if all(left == right for left, right in pads):
                pad, pads = tuple(left for left, _ in pads), None
        if self.mode == "max":
            if pads is not None:  # replicated edges can never beat the window's own maximum
                x = F.pad(x, pad_arg(pads, False), mode="replicate")
            return _MAX[self.rank](x, self.pool_size, self.strides, pad)
        if pads is None:
            return _AVG[self.rank](x, self.pool_size, self.strides, pad, count_include_pad=False)
        # Asymmetric padding: average over zero padding, then rescale by the count of real cells.
        x = F.pad(x, pad_arg(pads, False))
        return _AVG[self.rank](x, self.pool_size, self.strides, 0) * self._rescale(x, pads)

    def _pool_same_traced(self, x: torch.Tensor) -> torch.Tensor:
        """"same" pooling with pads computed from the traced size (an ONNX ``Pad`` fed at run time)."""
        pads = pad_arg(same_pads(x.shape[2:], self.pool_size, self.strides, (1,) * self.rank), False)
        if self.mode == "max":  # replicated edges never beat the window's own maximum
            return _MAX[self.rank](F.pad(x, pads, mode="replicate"), self.pool_size, self.strides, 0)
        # mean over the real cells only: pooled sum / pooled count of real cells
        ones = torch.ones_like(x[:, :1])
        avg = _AVG[self.rank]
        return avg(F.pad(x, pads), self.pool_size, self.strides, 0) / avg(
            F.pad(ones, pads), self.pool_size, self.strides, 0)

    def _rescale(self, padded: torch.Tensor, pads: tuple) -> torch.Tensor:
        # Not cached while a model is traced for export: the key would hold traced sizes.
        exporting = CALL_CONTEXT.export_mode is not None
        key = (tuple(padded.shape[2:]), padded.device, padded.dtype)
        scale = None if exporting else self._counts.get(key)
        if scale is None:
            valid = torch.ones((1, 1) + tuple(padded.shape[2:]), device=padded.device, dtype=padded.dtype)
            index = (slice(None), slice(None)) + tuple(slice(left, n - right) for (left, right), n in
                                                       zip(pads, padded.shape[2:]))
            mask = torch.zeros_like(valid)
            mask[index] = valid[index]
            frac = _AVG[self.rank](mask, self.pool_size, self.strides, 0)
            scale = 1.0 / frac
            if exporting:
                return scale
            if len(self._counts) > 16:
                self._counts.clear()
            self._counts[key] = scale
        return scale

    def compute_output_shape(self, input_shape: Any) -> tuple:
        cl = self.data_format == "channels_last"
        spatial = input_shape[1:-1] if cl else input_shape[2:]
        out = []
        for n, k, s in zip(spatial, self.pool_size, self.strides):
            if n is None:
                out.append(None)
            elif self.padding == "valid":
                out.append((n - k) // s + 1)
            else:
                out.append((n - 1) // s + 1)
        if any(o is not None and o <= 0 for o in out):
            raise ValueError(
                f"Layer '{self.name}': computed output size would be zero or negative. Received input shape "
                f"{tuple(input_shape)}, pool_size={self.pool_size}, strides={self.strides}."
            )
        if cl:
            return (input_shape[0], *out, input_shape[-1])
        return (input_shape[0], input_shape[1], *out)

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "pool_size": self.pool_size,
            "padding": self.padding,
            "strides": self.strides,
            "data_format": self.data_format,
        }


@register_layer("MaxPooling1D", "MaxPool1D")
class MaxPooling1D(BasePooling):
    """1D maximum pooling.

    Downsamples the input by taking the maximum over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel.

    Args:
        pool_size: Int or tuple of one int, the window size. Default ``2`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of one int or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, new_steps, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.MaxPooling1D(pool_size=2)(np.random.rand(2, 10, 3).astype("float32")).shape
    torch.Size([2, 5, 3])
    """

    rank = 1
    mode = "max"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer("MaxPooling2D", "MaxPool2D")
class MaxPooling2D(BasePooling):
    """2D maximum pooling.

    Downsamples the input by taking the maximum over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel.

    Args:
        pool_size: Int or tuple of 2 ints, the window size. Default ``(2, 2)`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of 2 ints or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, new_rows, new_cols, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.MaxPooling2D(pool_size=2)(np.random.rand(2, 28, 28, 3).astype("float32")).shape
    torch.Size([2, 14, 14, 3])
    """

    rank = 2
    mode = "max"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer("MaxPooling3D", "MaxPool3D")
class MaxPooling3D(BasePooling):
    """3D maximum pooling.

    Downsamples the input by taking the maximum over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel.

    Args:
        pool_size: Int or tuple of 3 ints, the window size. Default ``(2, 2, 2)`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of 3 ints or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, new_dim1, new_dim2, new_dim3, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.MaxPooling3D(pool_size=2)(np.random.rand(2, 8, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 4, 4, 4, 3])
    """

    rank = 3
    mode = "max"

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer("AveragePooling1D", "AvgPool1D")
class AveragePooling1D(BasePooling):
    """1D mean pooling.

    Downsamples the input by taking the mean over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel. Padded positions are left out of the mean, as in Keras.

    Args:
        pool_size: Int or tuple of one int, the window size. Default ``2`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of one int or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, new_steps, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.AveragePooling1D(pool_size=2)(np.random.rand(2, 10, 3).astype("float32")).shape
    torch.Size([2, 5, 3])
    """

    rank = 1
    mode = "average"

    def __init__(self, pool_size: Any = 2, strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer("AveragePooling2D", "AvgPool2D")
class AveragePooling2D(BasePooling):
    """2D mean pooling.

    Downsamples the input by taking the mean over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel. Padded positions are left out of the mean, as in Keras.

    Args:
        pool_size: Int or tuple of 2 ints, the window size. Default ``(2, 2)`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of 2 ints or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, new_rows, new_cols, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.AveragePooling2D(pool_size=2)(np.random.rand(2, 28, 28, 3).astype("float32")).shape
    torch.Size([2, 14, 14, 3])
    """

    rank = 2
    mode = "average"

    def __init__(self, pool_size: Any = (2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


@register_layer("AveragePooling3D", "AvgPool3D")
class AveragePooling3D(BasePooling):
    """3D mean pooling.

    Downsamples the input by taking the mean over a ``pool_size`` window moved by ``strides`` along
    each spatial dimension, channel by channel. Padded positions are left out of the mean, as in Keras.

    Args:
        pool_size: Int or tuple of 3 ints, the window size. Default ``(2, 2, 2)`` (Keras 2's default;
            Keras 3 makes the argument required).
        strides: Int, tuple of 3 ints or ``None`` (default: ``pool_size``).
        padding: ``"valid"`` (no padding) or ``"same"`` (output size ``ceil(input / strides)``, TensorFlow rule).
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, new_dim1, new_dim2, new_dim3, channels)`` (or channels_first), each new size
        ``floor((size - pool_size) / strides) + 1`` with ``"valid"`` and ``ceil(size / strides)`` with ``"same"``.

    Example:

    >>> keras.layers.AveragePooling3D(pool_size=2)(np.random.rand(2, 8, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 4, 4, 4, 3])
    """

    rank = 3
    mode = "average"

    def __init__(self, pool_size: Any = (2, 2, 2), strides: Any = None, padding: str = "valid",
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(pool_size, strides, padding, data_format, **kwargs)


MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D


class BaseGlobalPooling(Layer):
    """Reduces all spatial dimensions with max or mean.

    Args:
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.
        keepdims: Keep the reduced spatial dims with length 1.

    Input shape:
        ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims`` ``(batch, 1, ..., 1, channels)`` (or channels_first).
    """

    rank: int = 2
    mode: str = "max"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.data_format = standardize_data_format(data_format)
        self.keepdims = bool(keepdims)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        first = 1 if self.data_format == "channels_last" else 2
        self._axes = tuple(range(first, first + self.rank))

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.mode == "max":
            return torch.amax(inputs, dim=self._axes, keepdim=self.keepdims)
        return torch.mean(inputs, dim=self._axes, keepdim=self.keepdims)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        cl = self.data_format == "channels_last"
        ch = input_shape[-1] if cl else input_shape[1]
        if not self.keepdims:
            return (input_shape[0], ch)
        ones = (1,) * (len(input_shape) - 2)
        return (input_shape[0], *ones, ch) if cl else (input_shape[0], ch, *ones)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "data_format": self.data_format, "keepdims": self.keepdims}


@register_layer("GlobalMaxPooling1D", "GlobalMaxPool1D")
class GlobalMaxPooling1D(BaseGlobalPooling):
    """Global maximum pooling over the steps dimension.

    Reduces every spatial position of each channel to its maximum.

    Like Keras 3, an input mask is ignored.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, channels)`` (or channels_first
        ``(batch, channels, 1)``).

    Example:

    >>> x = np.random.rand(2, 10, 3).astype("float32")
    >>> keras.layers.GlobalMaxPooling1D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalMaxPooling1D(keepdims=True)(x).shape
    torch.Size([2, 1, 3])
    """

    rank = 1
    mode = "max"


@register_layer("GlobalMaxPooling2D", "GlobalMaxPool2D")
class GlobalMaxPooling2D(BaseGlobalPooling):
    """Global maximum pooling over the rows, cols dimensions.

    Reduces every spatial position of each channel to its maximum.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, 1, channels)`` (or channels_first
        ``(batch, channels, 1, 1)``).

    Example:

    >>> x = np.random.rand(2, 28, 28, 3).astype("float32")
    >>> keras.layers.GlobalMaxPooling2D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalMaxPooling2D(keepdims=True)(x).shape
    torch.Size([2, 1, 1, 3])
    """

    rank = 2
    mode = "max"


@register_layer("GlobalMaxPooling3D", "GlobalMaxPool3D")
class GlobalMaxPooling3D(BaseGlobalPooling):
    """Global maximum pooling over the dim1, dim2, dim3 dimensions.

    Reduces every spatial position of each channel to its maximum.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, 1, 1, channels)`` (or channels_first
        ``(batch, channels, 1, 1, 1)``).

    Example:

    >>> x = np.random.rand(2, 8, 8, 8, 3).astype("float32")
    >>> keras.layers.GlobalMaxPooling3D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalMaxPooling3D(keepdims=True)(x).shape
    torch.Size([2, 1, 1, 1, 3])
    """

    rank = 3
    mode = "max"


@register_layer("GlobalAveragePooling2D", "GlobalAvgPool2D")
class GlobalAveragePooling2D(BaseGlobalPooling):
    """Global mean pooling over the rows, cols dimensions.

    Reduces every spatial position of each channel to its mean.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, 1, channels)`` (or channels_first
        ``(batch, channels, 1, 1)``).

    Example:

    >>> x = np.random.rand(2, 28, 28, 3).astype("float32")
    >>> keras.layers.GlobalAveragePooling2D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalAveragePooling2D(keepdims=True)(x).shape
    torch.Size([2, 1, 1, 3])
    """

    rank = 2
    mode = "average"


@register_layer("GlobalAveragePooling3D", "GlobalAvgPool3D")
class GlobalAveragePooling3D(BaseGlobalPooling):
    """Global mean pooling over the dim1, dim2, dim3 dimensions.

    Reduces every spatial position of each channel to its mean.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, 1, 1, channels)`` (or channels_first
        ``(batch, channels, 1, 1, 1)``).

    Example:

    >>> x = np.random.rand(2, 8, 8, 8, 3).astype("float32")
    >>> keras.layers.GlobalAveragePooling3D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalAveragePooling3D(keepdims=True)(x).shape
    torch.Size([2, 1, 1, 1, 3])
    """

    rank = 3
    mode = "average"


@register_layer("GlobalAveragePooling1D", "GlobalAvgPool1D")
class GlobalAveragePooling1D(BaseGlobalPooling):
    """Global mean pooling over the steps dimension.

    Reduces every spatial position of each channel to its mean.

    A mask ``(batch, steps)`` (e.g. from ``Embedding(mask_zero=True)``) leaves the masked steps out of the mean; like
    Keras 3 the output carries no mask.

    Args:
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        keepdims: Keep the reduced dimensions with length 1 (default ``False``).
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, channels)``; with ``keepdims=True`` ``(batch, 1, channels)`` (or channels_first
        ``(batch, channels, 1)``).

    Example:

    >>> x = np.random.rand(2, 10, 3).astype("float32")
    >>> keras.layers.GlobalAveragePooling1D()(x).shape
    torch.Size([2, 3])
    >>> keras.layers.GlobalAveragePooling1D(keepdims=True)(x).shape
    torch.Size([2, 1, 3])
    """

    rank = 1
    mode = "average"

    def __init__(self, data_format: str | None = None, keepdims: bool = False, **kwargs: Any) -> None:
        super().__init__(data_format, keepdims, **kwargs)
        self.supports_masking = True

    def call(self, inputs: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        axis = self._axes[0]
        if mask is None:
            return torch.mean(inputs, dim=axis, keepdim=self.keepdims)
        m = mask.to(torch.bool).unsqueeze(2 if axis == 1 else 1)
        total = torch.where(m, inputs, torch.zeros((), dtype=inputs.dtype, device=inputs.device))
        count = m.to(inputs.dtype).sum(dim=axis, keepdim=self.keepdims)
        return total.sum(dim=axis, keepdim=self.keepdims) / count

    def compute_mask(self, inputs: Any, mask: Any = None) -> None:
        return None


GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D
GlobalAvgPool1D, GlobalAvgPool2D, GlobalAvgPool3D = (
    GlobalAveragePooling1D, GlobalAveragePooling2D, GlobalAveragePooling3D,
)
