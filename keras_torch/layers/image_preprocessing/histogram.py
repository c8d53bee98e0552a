"""Histogram layers of Keras 3.15: Equalization and ContrastLimitedAdaptiveHistogramEqualization."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.layers._args import check_float, check_size, register_layer
from keras_torch.layers.image_preprocessing.base import BaseImagePreprocessingLayer

__all__ = ["ContrastLimitedAdaptiveHistogramEqualization", "Equalization"]


def _scale(values: torch.Tensor, source: Any, target: Any) -> torch.Tensor:
    scale = (target[1] - target[0]) / (source[1] - source[0])
    return values * scale + (target[0] - source[0] * scale)


@register_layer()
class Equalization(BaseImagePreprocessingLayer):
    """Histogram equalization of each channel (one histogram per channel over the whole batch, as Keras).

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        bins: Number of histogram bins (default 256).
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (only the images change).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.Equalization()
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False

    def __init__(self, value_range: Any = (0, 255), bins: int = 256, data_format: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self.bins = bins
        self._set_value_range(value_range)

    def _equalize_channel(self, channel: torch.Tensor) -> torch.Tensor:
        nbins = self.bins
        channel = _scale(channel, self.value_range, (0, 255))
        indices = (channel.to(torch.float32) * (nbins - 1) / 255.0).to(torch.int32).clamp(0, nbins - 1)
        hist = torch.bincount(indices.reshape(-1).long(), minlength=nbins)
        if int(torch.count_nonzero(hist)) <= 1:
            return _scale(channel, (0, 255), self.value_range)
        cdf = torch.cumsum(hist, 0)
        cdf_min = cdf[torch.nonzero(cdf)[0, 0]]
        denominator = cdf[-1] - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        lookup = torch.round(((cdf - cdf_min) * 255).to(torch.float64) / denominator.to(torch.float64)).clamp(0, 255)
        positions = ((channel / 255.0) * (nbins - 1)).clamp(0, nbins - 1).to(torch.int64)
        equalized = lookup[positions].to(channel.dtype)
        return _scale(equalized, (0, 255), self.value_range)

    def transform_images(self, images: torch.Tensor, transformation: Any, training: bool = True) -> torch.Tensor:
        if not training:
            return images
        images = self._cast(images)
        axis = -3 if self.data_format == "channels_first" else -1
        channels = [self._equalize_channel(c) for c in torch.unbind(images, dim=axis)]
        return self._cast(torch.stack(channels, dim=axis))

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "bins": self.bins, "value_range": self.value_range}


@register_layer()
class ContrastLimitedAdaptiveHistogramEqualization(BaseImagePreprocessingLayer):
    """CLAHE: per-tile histogram equalization with clipped histograms, bilinearly blended between tiles.

    Always applied (also at inference), as in Keras.

    Args:
        value_range: Range of the input values (default ``(0, 255)``).
        clip_limit: Histogram clip limit relative to a uniform histogram (``<= 0``: no clipping).
        tile_grid_size: ``(rows, cols)`` of tiles.
        data_format: ``"channels_last"`` (default) or ``"channels_first"``.
        **kwargs: Base layer arguments.

    Input shape:
        ``(batch, H, W, C)`` / ``(H, W, C)`` (channels_last), or a dict (only the images change).

    Output shape:
        Same as the input.

    Example:

    >>> layer = keras.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(4, 4))
    >>> images = np.random.uniform(0, 255, (2, 32, 32, 3)).astype("float32")
    >>> layer(images).shape
    torch.Size([2, 32, 32, 3])
    """

    _USE_BASE_FACTOR = False
    _ACTIVE_AT_INFERENCE = True

    def __init__(self, value_range: Any = (0, 255), clip_limit: float = 4.0, tile_grid_size: Any = (8, 8),
                 data_format: str | None = None, **kwargs: Any) -> None:
        super().__init__(data_format=data_format, **kwargs)
        self._set_value_range(value_range)  # checks it
        self.value_range = value_range  # kept as given (Keras's config)
        check_float(self.name, "clip_limit", clip_limit)
        self.clip_limit = clip_limit
        if not isinstance(tile_grid_size, (list, tuple)) or len(tile_grid_size) != 2:
            raise ValueError(f"Layer '{self.name}': `tile_grid_size` must be a pair (rows, cols) of positive "
                             f"integers. Received: tile_grid_size={tile_grid_size!r}")
        for size in tile_grid_size:
            check_size(self.name, "tile_grid_size", size)
        self.tile_grid_size = tile_grid_size

    def transform_images(self, images: torch.Tensor, transformation: Any = None, training: bool = True) -> torch.Tensor:
        if self.data_format == "channels_first":
            images = images.permute(0, 2, 3, 1)
        original_dtype = images.dtype
        x = self._transform_value_range(images, self.value_range, (0, 255), torch.float32).to(torch.float32)
        x = self._transform_value_range(self._clahe(x), (0, 255), self.value_range, torch.float32)
        x = x.to(original_dtype)
        return x.permute(0, 3, 1, 2) if self.data_format == "channels_first" else x

    def _clahe(self, images: torch.Tensor) -> torch.Tensor:
        # Every (image, channel) plane is equalised on its own: planes go first, the batch size is
        # never read (so an exported graph keeps a dynamic batch axis).
        _, height, width, channels = images.shape
        grid_h, grid_w = (int(v) for v in self.tile_grid_size)
        tile_h, tile_w = (height + grid_h - 1) // grid_h, (width + grid_w - 1) // grid_w
        pad_h, pad_w = tile_h * grid_h - height, tile_w * grid_w - width
        planes = images.permute(0, 3, 1, 2).reshape(-1, height, width)
        if pad_h or pad_w:
            planes = _symmetric_pad(planes, pad_h, pad_w)
        pixels = planes.clamp(0, 255).to(torch.int32).long()
        tiles = pixels.reshape(-1, grid_h, tile_h, grid_w, tile_w).permute(0, 1, 3, 2, 4)
        tiles = tiles.reshape(-1, grid_h, grid_w, tile_h * tile_w)
        ones = torch.ones_like(tiles, dtype=torch.float32)
        hists = torch.zeros_like(ones[..., :1]).expand(-1, -1, -1, 256).contiguous().scatter_add(-1, tiles, ones)
        if self.clip_limit > 0:
            limit = float(torch.tensor(self.clip_limit * (tile_h * tile_w) / 256.0, dtype=torch.float32))
            clipped = hists.clamp(0, limit)
            hists = clipped + (hists - clipped).sum(-1, keepdim=True) / 256.0
        cdf = torch.cumsum(hists, -1)
        cdf_min = cdf.amin(-1, keepdim=True)
        denominator = float(tile_h * tile_w) - cdf_min
        denominator = torch.where(denominator == 0, torch.ones_like(denominator), denominator)
        cdf = ((cdf - cdf_min) * 255.0 / denominator).clamp(0, 255)
        cdf = torch.cat([cdf[:, :1], cdf, cdf[:, -1:]], 1)
        cdf = torch.cat([cdf[:, :, :1], cdf, cdf[:, :, -1:]], 2)  # (planes, grid_h + 2, grid_w + 2, 256)
        flat = cdf.reshape(cdf.shape[0], -1)
        stride_x, stride_y = 256, 256 * (grid_w + 2)

        def axis_weights(n: int, tile: int, grid: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
            pos = (torch.arange(n, dtype=torch.float32, device=images.device) - tile / 2.0) / tile + 1.0
            lo = torch.floor(pos)
            return lo.clamp(0, grid + 1).long(), (lo + 1.0).clamp(0, grid + 1).long(), pos - lo

        y0, y1, wy = axis_weights(tile_h * grid_h, tile_h, grid_h)
        x0, x1, wx = axis_weights(tile_w * grid_w, tile_w, grid_w)

        def take(yi: torch.Tensor, xi: torch.Tensor) -> torch.Tensor:
            index = pixels + (yi * stride_y).view(1, -1, 1) + (xi * stride_x).view(1, 1, -1)
            return torch.gather(flat, 1, index.reshape(index.shape[0], -1)).reshape(index.shape)

        wy, wx = wy.view(1, -1, 1), wx.view(1, 1, -1)
        top = take(y0, x0) * (1.0 - wx) + take(y0, x1) * wx
        bottom = take(y1, x0) * (1.0 - wx) + take(y1, x1) * wx
        out = (top * (1.0 - wy) + bottom * wy)[:, :height, :width]
        return out.reshape(-1, channels, height, width).permute(0, 2, 3, 1)

    def transform_segmentation_masks(self, segmentation_masks: torch.Tensor, transformation: Any,
                                     training: bool = True) -> torch.Tensor:
        return segmentation_masks

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "value_range": self.value_range, "clip_limit": self.clip_limit,
                "tile_grid_size": self.tile_grid_size, "data_format": self.data_format}


def _symmetric_pad(x: torch.Tensor, pad_h: int, pad_w: int) -> torch.Tensor:
    """``numpy.pad(mode="symmetric")`` at the bottom/right of ``(n, H, W)`` planes."""
    rows = torch.from_numpy(np.pad(np.arange(x.shape[1]), (0, pad_h), mode="symmetric")).to(x.device)
    cols = torch.from_numpy(np.pad(np.arange(x.shape[2]), (0, pad_w), mode="symmetric")).to(x.device)
    return x.index_select(1, rows).index_select(2, cols)
