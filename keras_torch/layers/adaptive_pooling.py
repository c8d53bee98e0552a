"""Adaptive average / max pooling 1D-3D (Keras 3.15 ``AdaptiveAveragePooling*D`` / ``AdaptiveMaxPooling*D``).

Output bin ``i`` of an axis of length ``L`` pooled to ``O`` covers ``[floor(i*L/O), ceil((i+1)*L/O))``:
the bins of torch's ``adaptive_*_pool`` and of Keras's TensorFlow backend (which pools every
window of the two possible sizes ``ceil(L/O)`` and ``ceil(L/O) + 1`` and gathers the bins).

Eager calls run torch's adaptive kernels. While a model is traced for ONNX (which has no adaptive
pooling op for bins that do not divide the input) each axis is pooled the TensorFlow way: two
stride-1 pools and a gather with indices fixed at export -- the spatial sizes are static anyway,
as Keras requires.
"""

from __future__ import annotations

from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core.config import standardize_data_format
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.layers._args import check_size, register_layer
from keras_torch.layers._padding import to_channels_first, to_channels_last
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = [
    "AdaptiveAveragePooling1D",
    "AdaptiveAveragePooling2D",
    "AdaptiveAveragePooling3D",
    "AdaptiveMaxPooling1D",
    "AdaptiveMaxPooling2D",
    "AdaptiveMaxPooling3D",
]

_ADAPTIVE = {
    ("average", 1): F.adaptive_avg_pool1d, ("average", 2): F.adaptive_avg_pool2d, ("average", 3): F.adaptive_avg_pool3d,
    ("max", 1): F.adaptive_max_pool1d, ("max", 2): F.adaptive_max_pool2d, ("max", 3): F.adaptive_max_pool3d,
}
_POOL = {
    ("average", 1): F.avg_pool1d, ("average", 2): F.avg_pool2d, ("average", 3): F.avg_pool3d,
    ("max", 1): F.max_pool1d, ("max", 2): F.max_pool2d, ("max", 3): F.max_pool3d,
}
_NAMES = {1: "length", 2: "(height, width)", 3: "(depth, height, width)"}


def adaptive_bins(length: int, size: int) -> list[tuple[int, int]]:
    """``(start, end)`` of the ``size`` bins pooling an axis of ``length`` (torch / Keras bins)."""
    return [((i * length) // size, -((-(i + 1) * length) // size)) for i in range(size)]


def _pool_axis(x: torch.Tensor, axis: int, length: int, size: int, mode: str) -> torch.Tensor:
    """Pool spatial ``axis`` (0-based, static ``length``) of channels-first ``x`` to ``size`` bins:
    stride-1 pools of the two window sizes, then a gather (Keras TF ``_compute_static_gather_indices``)."""
    rank = x.ndim - 2
    bins = adaptive_bins(length, size)
    small = -(-length // size)
    pool = _POOL[(mode, rank)]
    window = [1] * rank
    window[axis] = small
    pooled = [pool(x, tuple(window), 1)]
    index = []
    for start, end in bins:
        index.append(start if end - start == small else start + length - small + 1)
    if any(end - start != small for start, end in bins):
        window[axis] = small + 1
        pooled.append(pool(x, tuple(window), 1))
    both = torch.cat(pooled, 2 + axis) if len(pooled) > 1 else pooled[0]
    return torch.index_select(both, 2 + axis, torch.tensor(index, device=x.device))


class BaseAdaptivePooling(Layer):
    """Rank-generic adaptive pooling.

    Args:
        output_size: int or tuple of ``rank`` ints, the output spatial size.
        data_format: ``"channels_last"`` (default from ``keras.config``) or ``"channels_first"``.

    Input shape:
        ``(batch, *spatial, channels)`` (channels_last) or ``(batch, channels, *spatial)``.

    Output shape:
        ``(batch, *output_size, channels)`` (or ``(batch, channels, *output_size)``).
    """

    rank: int = 2
    mode: str = "average"

    def __init__(self, output_size: Any, data_format: str | None = None, **kwargs: Any) -> None:
        if isinstance(output_size, int) and not isinstance(output_size, bool):
            size = (output_size,) * self.rank
        elif isinstance(output_size, (tuple, list)) and len(output_size) == self.rank:
            size = tuple(output_size)
        elif isinstance(output_size, (tuple, list)) and self.rank == 1:  # Keras: ValueError for 1D only
            raise ValueError(f"For 1D input, `output_size` tuple must have length 1. Received: {output_size}")
        else:
            raise TypeError(
                f"`output_size` must be an integer or {_NAMES[self.rank]} tuple of {self.rank} integer(s) "
                f"({type(self).__name__}). Received: {output_size} of type {type(output_size)}"
            )
        super().__init__(**kwargs)
        self.output_size = tuple(check_size(self.name, "output_size", s) for s in size)
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)
        self._spatial: tuple[int | None, ...] | None = None  # static spatial sizes seen at build (export)

    def build(self, input_shape: Any) -> None:
        shape = tuple(input_shape)
        self._spatial = shape[1:-1] if self.data_format == "channels_last" else shape[2:]

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        cl = self.data_format == "channels_last"
        x = inputs.permute(to_channels_first(inputs.ndim)) if cl else inputs
        if CALL_CONTEXT.export_mode is not None:
            if self._spatial is None or None in self._spatial:
                raise ValueError(
                    f"Layer '{self.name}' ({type(self).__name__}): exporting adaptive pooling needs static spatial "
                    f"sizes, as in Keras; the layer was built with spatial sizes {self._spatial}."
                )
            for axis, (length, size) in enumerate(zip(self._spatial, self.output_size)):
                x = _pool_axis(x, axis, length, size, self.mode)
            out = x
        else:
            out = _ADAPTIVE[(self.mode, self.rank)](x, self.output_size)
        return out.permute(to_channels_last(out.ndim)) if cl else out

    def compute_output_shape(self, input_shape: Any) -> tuple:
        if self.data_format == "channels_last":
            return (input_shape[0], *self.output_size, input_shape[-1])
        return (input_shape[0], input_shape[1], *self.output_size)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "output_size": self.output_size, "data_format": self.data_format}


@register_layer()
class AdaptiveAveragePooling1D(BaseAdaptivePooling):
    """Adaptive 1D average pooling (``torch.nn.AdaptiveAvgPool1d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    average over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of one int, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, output_size, channels)`` (or ``(batch, channels, output_size)``).

    Example:

    >>> keras.layers.AdaptiveAveragePooling1D(5)(np.random.rand(2, 10, 3).astype("float32")).shape
    torch.Size([2, 5, 3])
    """
    rank, mode = 1, "average"


@register_layer()
class AdaptiveAveragePooling2D(BaseAdaptivePooling):
    """Adaptive 2D average pooling (``torch.nn.AdaptiveAvgPool2d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    average over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of 2 ints, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, out_rows, out_cols, channels)`` (or ``(batch, channels, out_rows, out_cols)``).

    Example:

    >>> keras.layers.AdaptiveAveragePooling2D((7, 7))(np.random.rand(2, 28, 28, 3).astype("float32")).shape
    torch.Size([2, 7, 7, 3])
    """
    rank, mode = 2, "average"


@register_layer()
class AdaptiveAveragePooling3D(BaseAdaptivePooling):
    """Adaptive 3D average pooling (``torch.nn.AdaptiveAvgPool3d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    average over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of 3 ints, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, out1, out2, out3, channels)`` (or ``(batch, channels, out1, out2, out3)``).

    Example:

    >>> keras.layers.AdaptiveAveragePooling3D((2, 2, 2))(np.random.rand(2, 8, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 2, 2, 2, 3])
    """
    rank, mode = 3, "average"


@register_layer()
class AdaptiveMaxPooling1D(BaseAdaptivePooling):
    """Adaptive 1D maximum pooling (``torch.nn.AdaptiveMaxPool1d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    maximum over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of one int, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, steps, channels)`` (channels_last) or ``(batch, channels, steps)``.

    Output shape:
        ``(batch, output_size, channels)`` (or ``(batch, channels, output_size)``).

    Example:

    >>> keras.layers.AdaptiveMaxPooling1D(5)(np.random.rand(2, 10, 3).astype("float32")).shape
    torch.Size([2, 5, 3])
    """
    rank, mode = 1, "max"


@register_layer()
class AdaptiveMaxPooling2D(BaseAdaptivePooling):
    """Adaptive 2D maximum pooling (``torch.nn.AdaptiveMaxPool2d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    maximum over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of 2 ints, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, rows, cols, channels)`` (channels_last) or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, out_rows, out_cols, channels)`` (or ``(batch, channels, out_rows, out_cols)``).

    Example:

    >>> keras.layers.AdaptiveMaxPooling2D((7, 7))(np.random.rand(2, 28, 28, 3).astype("float32")).shape
    torch.Size([2, 7, 7, 3])
    """
    rank, mode = 2, "max"


@register_layer()
class AdaptiveMaxPooling3D(BaseAdaptivePooling):
    """Adaptive 3D maximum pooling (``torch.nn.AdaptiveMaxPool3d``).

    Pools the input to a fixed ``output_size`` whatever its spatial size: output cell ``i`` takes the
    maximum over input positions ``floor(i * size / out)`` to ``ceil((i + 1) * size / out)``.

    Args:
        output_size: Int or tuple of 3 ints, the output spatial size.
        data_format: ``"channels_last"`` (default, from ``keras.config.image_data_format()``) or
            ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, dim1, dim2, dim3, channels)`` (channels_last) or ``(batch, channels, dim1, dim2, dim3)``.

    Output shape:
        ``(batch, out1, out2, out3, channels)`` (or ``(batch, channels, out1, out2, out3)``).

    Example:

    >>> keras.layers.AdaptiveMaxPooling3D((2, 2, 2))(np.random.rand(2, 8, 8, 8, 3).astype("float32")).shape
    torch.Size([2, 2, 2, 2, 3])
    """
    rank, mode = 3, "max"
