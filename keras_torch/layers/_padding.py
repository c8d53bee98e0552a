"""Spatial helpers shared by the convolution, pooling and reshaping layers: TensorFlow's "same"
padding (extra pixel at the end, ``backend/torch/nn.py::_compute_padding_length``) and the
channels_last <-> channels_first permutations.

Export: while a model is traced for ONNX (``CALL_CONTEXT.export_mode == "onnx"``), strided "same"
padding is an explicit ``F.pad`` by amounts computed from the traced input size (an ONNX ``Pad``
fed at run time), because ONNX conv/pool ``pads`` are attributes fixed at export and would pin the
spatial axes to the traced size (:func:`follows_traced_size`).
"""

from __future__ import annotations

import functools
from typing import Any

import torch
import torch.nn.functional as F

from keras_torch.core.context import CALL_CONTEXT

Pads = tuple[tuple[int, int], ...]


def same_pads(sizes: Any, kernel: tuple[int, ...], strides: tuple[int, ...],
              dilation: tuple[int, ...]) -> list[tuple[Any, Any]]:
    """TF "same" (left, right) padding per spatial dim, uncached.

    Args:
        sizes: Spatial sizes: ints, ``torch.export`` symbolic sizes or (ONNX tracer) 0-d tensors.
        kernel: Kernel (pool) size per dim.
        strides: Stride per dim.
        dilation: Dilation per dim.

    Returns:
        ``[(left, right)]``, of the same kind as ``sizes`` where they matter (``strides > 1``).
    """
    pads: list[tuple[Any, Any]] = []
    for size, k, s, d in zip(sizes, kernel, strides, dilation):
        eff = (k - 1) * d + 1
        if s == 1:
            total: Any = eff - 1
        elif torch.is_tensor(size):
            total = torch.clamp(((size + s - 1) // s - 1) * s + eff - size, min=0)
        else:
            total = max(0, ((size + s - 1) // s - 1) * s + eff - size)
        left = total // 2
        pads.append((left, total - left))
    return pads


@functools.lru_cache(maxsize=1024)
def same_padding(spatial: tuple[int, ...], kernel: tuple[int, ...], strides: tuple[int, ...],
                 dilation: tuple[int, ...]) -> Pads:
    """:func:`same_pads` for int sizes, cached (the hot eager path)."""
    return tuple(same_pads(spatial, kernel, strides, dilation))


def static_same_padding(sizes: Any, kernel: tuple[int, ...], strides: tuple[int, ...],
                        dilation: tuple[int, ...]) -> Pads:
    """TF "same" padding as constants where possible: cached for int sizes; without reading the
    size when every stride is 1 (the amounts do not depend on it); computed for symbolic sizes."""
    if all(isinstance(s, int) for s in sizes):
        return same_padding(tuple(sizes), tuple(kernel), tuple(strides), tuple(dilation))
    if all(s == 1 for s in strides):
        return same_padding((1,) * len(strides), tuple(kernel), tuple(strides), tuple(dilation))
    return tuple(same_pads(sizes, kernel, strides, dilation))


def follows_traced_size(strides: tuple[int, ...]) -> bool:
    """Whether strided "same" padding must be an explicit pad computed from the traced size (ONNX export)."""
    return CALL_CONTEXT.export_mode == "onnx" and any(s > 1 for s in strides)


def pad_arg(pads: Any, channels_last: bool) -> tuple[Any, ...]:
    """``F.pad`` argument padding the spatial dims of a tensor in its own (Keras) layout."""
    flat: list[Any] = [0, 0] if channels_last else []
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
    """"same" padding for a torch conv: symmetric → (x, per-dim int padding); asymmetric, or
    following the traced size → (explicitly padded x, 0)."""
    sizes = tuple(x.shape[spatial_axes])
    if follows_traced_size(strides):
        return F.pad(x, pad_arg(same_pads(sizes, kernel, strides, dilation), channels_last)), 0
    pads = static_same_padding(sizes, kernel, strides, dilation)
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
