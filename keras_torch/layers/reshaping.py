"""Spatial reshaping layers: ZeroPadding1D/2D/3D, Cropping1D/2D/3D, UpSampling1D/2D/3D."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from keras_torch.core.config import standardize_data_format
from keras_torch.layers._args import register_layer, standardize_tuple
from keras_torch.layers._padding import to_channels_first, to_channels_last
from keras_torch.layers.base import Layer
from keras_torch.layers.input_spec import InputSpec

__all__ = [
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
]


def _pairs(layer: str, value: Any, rank: int, arg: str) -> tuple[tuple[int, int], ...]:
    """``int`` | ``rank`` ints (symmetric) | ``rank`` pairs → ``rank`` (before, after) pairs."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"Layer '{layer}': `{arg}` cannot be negative. Received: {arg}={value}.")
        return ((value, value),) * rank
    if not hasattr(value, "__len__") or len(value) != rank:
        raise ValueError(
            f"Layer '{layer}': `{arg}` should be an int, a tuple of {rank} ints or a tuple of {rank} tuples of "
            f"2 ints. Received: {arg}={value!r}."
        )
    return tuple(standardize_tuple(layer, v, 2, f"entry {i} of {arg}", allow_zero=True) for i, v in enumerate(value))


class _SpatialLayer(Layer):
    """Shared data_format / spatial-axis plumbing."""

    rank: int = 2

    def _init_format(self, data_format: str | None) -> None:
        self.data_format = standardize_data_format(data_format)
        self.input_spec = InputSpec(ndim=self.rank + 2)

    @property
    def _first_spatial(self) -> int:
        return 1 if self.data_format == "channels_last" else 2

    def _map_spatial(self, input_shape: Any, fn: Any) -> tuple:
        shape = list(input_shape)
        for i in range(self.rank):
            axis = self._first_spatial + i
            if shape[axis] is not None:
                shape[axis] = fn(i, shape[axis])
        return tuple(shape)


class _ZeroPadding(_SpatialLayer):
    def __init__(self, padding: Any, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format(data_format)
        if self.rank == 1:
            self.padding: Any = standardize_tuple(self.name, padding, 2, "padding", allow_zero=True)
            pairs: tuple = (self.padding,)
        else:
            self.padding = pairs = _pairs(self.name, padding, self.rank, "padding")
        flat: list[int] = [0, 0] if self.data_format == "channels_last" else []
        for before, after in reversed(pairs):
            flat += [before, after]
        self._pad = tuple(flat)
        self._pairs = pairs

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return F.pad(inputs, self._pad)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._map_spatial(input_shape, lambda i, n: n + sum(self._pairs[i]))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "padding": self.padding, "data_format": self.data_format}


@register_layer()
class ZeroPadding1D(_ZeroPadding):
    """Pads the time axis with zeros.

    Args:
        padding: int (both sides) or ``(left, right)``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, steps, features)`` or ``(batch, features, steps)``.

    Output shape:
        ``(batch, padded_steps, features)`` or ``(batch, features, padded_steps)``.

    Example:

    >>> keras.layers.ZeroPadding1D(padding=2)(np.ones((2, 5, 3))).shape
    torch.Size([2, 9, 3])
    """

    rank = 1

    def __init__(self, padding: Any = 1, data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


@register_layer()
class ZeroPadding2D(_ZeroPadding):
    """Pads rows and columns with zeros.

    Args:
        padding: int, ``(sym_rows, sym_cols)`` or ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, padded_rows, padded_cols, channels)`` (or channels_first).

    Example:

    >>> keras.layers.ZeroPadding2D(padding=((1, 0), (2, 1)))(np.ones((2, 4, 4, 3))).shape
    torch.Size([2, 5, 7, 3])
    """

    rank = 2

    def __init__(self, padding: Any = (1, 1), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


@register_layer()
class ZeroPadding3D(_ZeroPadding):
    """Pads the three spatial dims with zeros.

    Args:
        padding: int, 3 ints (symmetric), or 3 ``(before, after)`` pairs.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, d1, d2, d3, channels)`` or ``(batch, channels, d1, d2, d3)``.

    Output shape:
        The same rank with padded spatial dims.

    Example:

    >>> keras.layers.ZeroPadding3D(padding=1)(np.ones((2, 3, 3, 3, 1))).shape
    torch.Size([2, 5, 5, 5, 1])
    """

    rank = 3

    def __init__(self, padding: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(padding, data_format, **kwargs)


class _Cropping(_SpatialLayer):
    def _init_cropping(self, pairs: tuple[tuple[int, int], ...]) -> None:
        self._crop_pairs = pairs

    def _check(self, shape: Any) -> None:
        for i, (before, after) in enumerate(self._crop_pairs):
            n = shape[self._first_spatial + i]
            if n is not None and before + after >= n:
                raise ValueError(
                    f"Layer '{self.name}': values in `cropping` should be smaller than the corresponding spatial "
                    f"dimension of the input. Received: input shape={tuple(shape)}, cropping={self.cropping}"
                )

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        self._check(inputs.shape)
        index: list[slice] = [slice(None)] * inputs.ndim
        for i, (before, after) in enumerate(self._crop_pairs):
            index[self._first_spatial + i] = slice(before, inputs.shape[self._first_spatial + i] - after)
        return inputs[tuple(index)]

    def compute_output_shape(self, input_shape: Any) -> tuple:
        self._check(input_shape)
        return self._map_spatial(input_shape, lambda i, n: n - sum(self._crop_pairs[i]))


@register_layer()
class Cropping1D(_Cropping):
    """Crops the time axis.

    Args:
        cropping: int (both sides) or ``(start, end)``.

    Input shape:
        ``(batch, steps, features)``.

    Output shape:
        ``(batch, cropped_steps, features)``.

    Example:

    >>> keras.layers.Cropping1D(cropping=(1, 2))(np.zeros((2, 10, 3))).shape
    torch.Size([2, 7, 3])
    """

    rank = 1

    def __init__(self, cropping: Any = (1, 1), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format("channels_last")
        self.cropping: Any = standardize_tuple(self.name, cropping, 2, "cropping", allow_zero=True)
        self._init_cropping((self.cropping,))

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping}


@register_layer()
class Cropping2D(_Cropping):
    """Crops rows and columns.

    Args:
        cropping: int, ``(sym_rows, sym_cols)`` or ``((top, bottom), (left, right))``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, cropped_rows, cropped_cols, channels)`` (or channels_first).

    Example:

    >>> keras.layers.Cropping2D(cropping=((1, 1), (2, 2)))(np.zeros((2, 8, 8, 3))).shape
    torch.Size([2, 6, 4, 3])
    """

    rank = 2

    def __init__(self, cropping: Any = ((0, 0), (0, 0)), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format(data_format)
        self.cropping = _pairs(self.name, cropping, 2, "cropping")
        self._init_cropping(self.cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


@register_layer()
class Cropping3D(_Cropping):
    """Crops the three spatial dims.

    Args:
        cropping: int, 3 ints (symmetric) or 3 ``(before, after)`` pairs.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, d1, d2, d3, channels)`` or ``(batch, channels, d1, d2, d3)``.

    Output shape:
        The same rank with cropped spatial dims.

    Example:

    >>> keras.layers.Cropping3D(cropping=1)(np.zeros((2, 6, 6, 6, 3))).shape
    torch.Size([2, 4, 4, 4, 3])
    """

    rank = 3

    def __init__(self, cropping: Any = ((1, 1), (1, 1), (1, 1)), data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format(data_format)
        self.cropping = _pairs(self.name, cropping, 3, "cropping")
        self._init_cropping(self.cropping)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "cropping": self.cropping, "data_format": self.data_format}


def _repeat_spatial(x: torch.Tensor, first: int, sizes: tuple[int, ...]) -> torch.Tensor:
    """Nearest-neighbour upsampling by integer factors (``np.repeat`` per axis) with one copy."""
    if all(s == 1 for s in sizes):
        return x
    view, expand, final = list(x.shape[:first]), list(x.shape[:first]), list(x.shape[:first])
    for i, s in enumerate(sizes):
        n = x.shape[first + i]
        view += [n, 1]
        expand += [n, s]
        final.append(n * s)
    rest = list(x.shape[first + len(sizes):])
    return x.reshape(view + rest).expand(expand + rest).reshape(final + rest)


class _UpSampling(_SpatialLayer):
    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        return _repeat_spatial(inputs, self._first_spatial, self.size)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return self._map_spatial(input_shape, lambda i, n: n * self.size[i])


@register_layer()
class UpSampling1D(_UpSampling):
    """Repeats each time step ``size`` times.

    Args:
        size: Positive int, the upsampling factor.

    Input shape:
        ``(batch, steps, features)``.

    Output shape:
        ``(batch, steps * size, features)``.

    Example:

    >>> keras.layers.UpSampling1D(size=2)(np.array([[[1.0], [2.0]]]))
    tensor([[[1.],
             [1.],
             [2.],
             [2.]]])
    """

    rank = 1

    def __init__(self, size: int = 2, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format("channels_last")
        self.size = standardize_tuple(self.name, size, 1, "size")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size[0]}


_INTERPOLATIONS = ("nearest", "bilinear", "bicubic")


@functools.lru_cache(maxsize=64)
def _keys_cubic_matrix(n_in: int, factor: int) -> np.ndarray:
    """``(n_in*factor, n_in)`` resampling matrix of TF's half-pixel bicubic resize (Keys, a=-0.5).

    Mirrors ``resize_bicubic_op.cc``: the fractional offset is quantised to a 1024-entry table,
    taps outside the image get weight 0 and the remaining weights are renormalised.
    """
    a = -0.5

    def near(t: float) -> float:  # |distance| <= 1
        return ((a + 2) * t - (a + 3)) * t * t + 1

    def far(t: float) -> float:  # 1 < |distance| < 2
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a

    out = np.zeros((n_in * factor, n_in), np.float64)
    for o in range(n_in * factor):
        src = (o + 0.5) / factor - 0.5
        i = int(np.floor(src))
        q = int(np.rint((src - i) * 1024))
        t, u = q / 1024, (1024 - q) / 1024
        taps = [(i - 1, far(t + 1)), (i, near(t)), (i + 1, near(u)), (i + 2, far(u + 1))]
        taps = [(j, w) for j, w in taps if 0 <= j < n_in]
        total = sum(w for _, w in taps)
        for j, w in taps:
            out[o, j] += w / total
    return out.astype(np.float32)


@register_layer()
class UpSampling2D(_UpSampling):
    """Upsamples rows and columns by integer factors.

    ``"nearest"`` repeats pixels; ``"bilinear"`` is half-pixel-centre resizing without
    antialiasing (TF ``tf.image.resize`` = torch ``align_corners=False``), as Keras 3 does.
    ``"bicubic"`` reproduces TF's half-pixel Keys cubic (a=-0.5) resize (Keras 3's torch backend
    uses torch's a=-0.75 kernel instead, which differs from TF by up to ~0.1).

    Args:
        size: int or ``(rows_factor, cols_factor)``.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        interpolation: ``"nearest"``, ``"bilinear"`` or ``"bicubic"``.

    Input shape:
        ``(batch, rows, cols, channels)`` or ``(batch, channels, rows, cols)``.

    Output shape:
        ``(batch, rows * size[0], cols * size[1], channels)`` (or channels_first).

    Example:

    >>> keras.layers.UpSampling2D(size=(2, 3))(np.zeros((2, 4, 4, 3))).shape
    torch.Size([2, 8, 12, 3])
    """

    rank = 2

    def __init__(self, size: Any = (2, 2), data_format: str | None = None, interpolation: str = "nearest",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format(data_format)
        self.size = standardize_tuple(self.name, size, 2, "size")
        self.interpolation = str(interpolation).lower()
        if self.interpolation not in _INTERPOLATIONS:
            raise ValueError(
                f"Layer '{self.name}': `interpolation` must be one of {_INTERPOLATIONS}. "
                f"Received: interpolation={interpolation!r}"
            )

    def call(self, inputs: torch.Tensor) -> torch.Tensor:
        if self.interpolation == "nearest":
            return super().call(inputs)
        cl = self.data_format == "channels_last"
        if self.interpolation == "bicubic":
            h, w = (inputs.shape[1], inputs.shape[2]) if cl else (inputs.shape[2], inputs.shape[3])
            mh, mw = (
                torch.as_tensor(_keys_cubic_matrix(n, f), dtype=inputs.dtype, device=inputs.device)
                for n, f in ((h, self.size[0]), (w, self.size[1]))
            )
            return torch.einsum("oh,nhwc,pw->nopc" if cl else "oh,nchw,pw->ncop", mh, inputs, mw)
        x = inputs.permute(to_channels_first(4)) if cl else inputs
        out_size = (x.shape[2] * self.size[0], x.shape[3] * self.size[1])
        out = F.interpolate(x, size=out_size, mode="bilinear", align_corners=False, antialias=False)
        return out.permute(to_channels_last(4)) if cl else out

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "size": self.size,
            "data_format": self.data_format,
            "interpolation": self.interpolation,
        }


@register_layer()
class UpSampling3D(_UpSampling):
    """Repeats each voxel ``size`` times along the three spatial dims.

    Args:
        size: int or 3 ints.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.

    Input shape:
        ``(batch, d1, d2, d3, channels)`` or ``(batch, channels, d1, d2, d3)``.

    Output shape:
        ``(batch, d1*s1, d2*s2, d3*s3, channels)`` (or channels_first).

    Example:

    >>> keras.layers.UpSampling3D(size=2)(np.zeros((1, 2, 2, 2, 3))).shape
    torch.Size([1, 4, 4, 4, 3])
    """

    rank = 3

    def __init__(self, size: Any = (2, 2, 2), data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._init_format(data_format)
        self.size = standardize_tuple(self.name, size, 3, "size")

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "size": self.size, "data_format": self.data_format}
