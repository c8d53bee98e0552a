"""Resampling machinery of ``keras.ops.image``: separable resize weights (TensorFlow's legacy
bilinear/bicubic/area kernels and the ``scale_and_translate`` kernels), projective transforms with
TensorFlow's fill modes, and ``map_coordinates`` (SciPy semantics).

Resizing is done as one small weight matrix per spatial axis (``out x in``), contracted with the
image: exact, differentiable, and cheap for image-sized axes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from typing import Any

import torch

from keras_torch.ops import _dispatch as d
from keras_torch.ops._dispatch import Tensor


# ---- 1-D kernels (functions of |x|)
def _triangle(x: Tensor) -> Tensor:
    return torch.clamp(1.0 - x, min=0.0)


def _keys_cubic(x: Tensor) -> Tensor:
    out = ((1.5 * x - 2.5) * x) * x + 1.0
    out = torch.where(x >= 1.0, ((-0.5 * x + 2.5) * x - 4.0) * x + 2.0, out)
    return torch.where(x >= 2.0, torch.zeros_like(x), out)


def _lanczos(radius: float) -> Callable[[Tensor], Tensor]:
    def kernel(x: Tensor) -> Tensor:
        y = radius * torch.sin(math.pi * x) * torch.sin(math.pi * x / radius)
        safe = torch.where(x != 0, math.pi**2 * x * x, torch.ones_like(x))
        out = torch.where(x > 1e-3, y / safe, torch.ones_like(x))
        return torch.where(x > radius, torch.zeros_like(x), out)

    return kernel


KERNELS: dict[str, Callable[[Tensor], Tensor]] = {
    "linear": _triangle, "cubic": _keys_cubic, "lanczos3": _lanczos(3.0), "lanczos5": _lanczos(5.0),
}


def kernel_weights(in_size: int, out_size: int, scale: Any, translation: Any, kernel: Callable[[Tensor], Tensor],
                   antialias: bool, device: torch.device | None = None) -> Tensor:
    """``(out, in)`` weights of ``scale_and_translate`` along one axis (TensorFlow/JAX formula:
    taps outside the input dropped and the rest renormalized; antialiasing widens the kernel).
    ``scale``/``translation`` may be tensors: the weights are differentiable in them."""
    scale = torch.as_tensor(scale, dtype=torch.float64, device=device)
    translation = torch.as_tensor(translation, dtype=torch.float64, device=device)
    inv_scale = 1.0 / scale
    kernel_scale = torch.clamp(inv_scale, min=1.0) if antialias else 1.0
    sample = (torch.arange(out_size, dtype=torch.float64, device=device) + 0.5) * inv_scale - translation * inv_scale - 0.5
    x = torch.abs(sample[:, None] - torch.arange(in_size, dtype=torch.float64, device=device)[None, :]) / kernel_scale
    w = kernel(x)
    total = w.sum(dim=1, keepdim=True)
    w = torch.where(total.abs() > 1000.0 * 1.1920929e-07, w / torch.where(total != 0, total, torch.ones_like(total)),
                    torch.zeros_like(w))
    inside = (sample >= -0.5) & (sample <= in_size - 0.5)
    return torch.where(inside[:, None], w, torch.zeros_like(w))


def bilinear_weights(in_size: int, out_size: int, device: torch.device | None = None) -> Tensor:
    """TensorFlow's half-pixel bilinear resize along one axis."""
    scale = in_size / out_size
    src = (torch.arange(out_size, dtype=torch.float64, device=device) + 0.5) * scale - 0.5
    lo = torch.floor(src)
    frac = src - lo
    w = torch.zeros(out_size, in_size, dtype=torch.float64, device=device)
    rows = torch.arange(out_size, device=device)
    w.index_put_((rows, lo.clamp(0, in_size - 1).long()), 1.0 - frac, accumulate=True)
    w.index_put_((rows, (lo + 1).clamp(0, in_size - 1).long()), frac, accumulate=True)
    return w


def bicubic_weights(in_size: int, out_size: int, device: torch.device | None = None) -> Tensor:
    """TensorFlow's half-pixel bicubic resize (Keys, a = -0.5, its 1024-entry coefficient table;
    out-of-range taps dropped and the rest renormalized)."""
    table = 1024
    scale = in_size / out_size
    src = (torch.arange(out_size, dtype=torch.float64, device=device) + 0.5) * scale - 0.5
    base = torch.floor(src)
    delta = torch.round((src - base) * table) / table  # lrintf: round half to even, like torch.round
    a = -0.5

    def near(t: Tensor) -> Tensor:  # |x| < 1
        return ((a + 2) * t - (a + 3)) * t * t + 1

    def far(t: Tensor) -> Tensor:  # 1 <= |x| < 2
        return ((a * t - 5 * a) * t + 8 * a) * t - 4 * a

    taps = [(-1, far(delta + 1)), (0, near(delta)), (1, near(1 - delta)), (2, far(2 - delta))]
    w = torch.zeros(out_size, in_size, dtype=torch.float64, device=device)
    rows = torch.arange(out_size, device=device)
    for offset, weight in taps:
        idx = base + offset
        valid = (idx >= 0) & (idx <= in_size - 1)
        w.index_put_((rows, idx.clamp(0, in_size - 1).long()), torch.where(valid, weight, torch.zeros_like(weight)),
                     accumulate=True)
    total = w.sum(dim=1, keepdim=True)
    return w / torch.where(total.abs() > 0, total, torch.ones_like(total))


def area_weights(in_size: int, out_size: int, device: torch.device | None = None) -> Tensor:
    """TensorFlow's area resize along one axis: each output averages its box ``[i s, (i+1) s)``."""
    scale = in_size / out_size
    start = torch.arange(out_size, dtype=torch.float64, device=device)[:, None] * scale
    end = start + scale
    j = torch.arange(in_size, dtype=torch.float64, device=device)[None, :]
    overlap = torch.clamp(torch.minimum(end, j + 1) - torch.maximum(start, j), min=0.0)
    return overlap / scale


def nearest_weights(in_size: int, out_size: int, device: torch.device | None = None) -> Tensor:
    """TensorFlow's half-pixel nearest-neighbour resize along one axis."""
    scale = in_size / out_size
    idx = torch.floor((torch.arange(out_size, dtype=torch.float64, device=device) + 0.5) * scale).clamp(max=in_size - 1)
    w = torch.zeros(out_size, in_size, dtype=torch.float64, device=device)
    w[torch.arange(out_size, device=device), idx.long()] = 1.0
    return w


def apply_axis(x: Tensor, weights: Tensor, axis: int) -> Tensor:
    """Contract ``x`` along ``axis`` with ``(out, in)`` ``weights``."""
    moved = torch.movedim(x, axis, -1)
    out = torch.matmul(moved, weights.to(x.dtype).transpose(0, 1))
    return torch.movedim(out, -1, axis)


# ---- projective transforms (TensorFlow's ImageProjectiveTransformV3)
def _map_coordinate(c: Tensor, n: int, fill_mode: str) -> Tensor:
    """TensorFlow's mapping of an out-of-range sampling coordinate for ``fill_mode``."""
    if fill_mode == "constant":
        return c
    if n <= 1:
        return torch.zeros_like(c)
    if fill_mode == "nearest":
        return c.clamp(0, n - 1)
    if fill_mode == "reflect":
        sz2 = 2 * n
        low = torch.where(c < sz2, sz2 * torch.trunc(-c / sz2) + c, c)
        low = torch.where(low < -n, low + sz2, -low - 1)
        high = c - sz2 * torch.trunc(c / sz2)
        high = torch.where(high >= n, sz2 - high - 1, high)
        out = torch.where(c < 0, low, torch.where(c > n - 1, high, c))
    else:  # wrap
        sz = n - 1
        low = c + n * (torch.trunc(-c / sz) + 1)
        high = c - n * torch.trunc(c / sz)
        out = torch.where(c < 0, low, torch.where(c > n - 1, high, c))
    return out.clamp(0, n - 1)


def _read(images: Tensor, yi: Tensor, xi: Tensor, fill: float) -> Tensor:
    """``images[b, yi, xi, :]`` (NHWC) with ``fill`` where the pixel is outside."""
    _, h, w, _ = images.shape
    inside = (yi >= 0) & (yi < h) & (xi >= 0) & (xi < w)
    flat = images.reshape(images.shape[0], h * w, images.shape[-1])
    index = (yi.clamp(0, h - 1) * w + xi.clamp(0, w - 1)).long()
    got = torch.gather(flat, 1, index.reshape(index.shape[0], -1, 1).expand(-1, -1, flat.shape[-1]))
    got = got.reshape(*index.shape, flat.shape[-1])
    return torch.where(inside[..., None], got, torch.full_like(got, fill))


def _round_away(v: Tensor) -> Tensor:
    """``std::round``: halves away from zero (torch.round rounds them to even)."""
    return torch.sign(v) * torch.floor(torch.abs(v) + 0.5)


def projective_transform(images: Tensor, transforms: Tensor, interpolation: str, fill_mode: str,
                         fill_value: float) -> Tensor:
    """Sample NHWC ``images`` at ``T(x, y)`` for every output pixel; ``transforms`` ``(N, 8)`` maps
    output to input coordinates as ``(a0 x + a1 y + a2) / k, (b0 x + b1 y + b2) / k``,
    ``k = c0 x + c1 y + 1``."""
    b, h, w, _ = images.shape
    t = transforms.to(torch.float32 if images.dtype != torch.float64 else torch.float64)
    if t.shape[0] == 1 and b > 1:
        t = t.expand(b, -1)
    ys, xs = torch.meshgrid(torch.arange(h, dtype=t.dtype, device=images.device),
                            torch.arange(w, dtype=t.dtype, device=images.device), indexing="ij")
    ys, xs = ys[None], xs[None]
    col = [t[:, i, None, None] for i in range(8)]
    k = col[6] * xs + col[7] * ys + 1.0
    safe_k = torch.where(k == 0, torch.ones_like(k), k)
    in_x = _map_coordinate((col[0] * xs + col[1] * ys + col[2]) / safe_k, w, fill_mode)
    in_y = _map_coordinate((col[3] * xs + col[4] * ys + col[5]) / safe_k, h, fill_mode)
    work = images.to(t.dtype)
    if interpolation == "nearest":
        out = _read(work, _round_away(in_y), _round_away(in_x), fill_value)
    else:
        y0, x0 = torch.floor(in_y), torch.floor(in_x)
        wy, wx = (in_y - y0)[..., None], (in_x - x0)[..., None]
        top = (1 - wx) * _read(work, y0, x0, fill_value) + wx * _read(work, y0, x0 + 1, fill_value)
        bottom = (1 - wx) * _read(work, y0 + 1, x0, fill_value) + wx * _read(work, y0 + 1, x0 + 1, fill_value)
        out = (1 - wy) * top + wy * bottom
    out = torch.where((k == 0)[..., None], torch.full_like(out, fill_value), out)
    return out.to(images.dtype) if images.is_floating_point() else torch.round(out).to(images.dtype)


def homography(start_points: Tensor, end_points: Tensor) -> Tensor:
    """``(N, 8)`` projective transforms mapping each ``end_points`` quad onto ``start_points``."""
    rows = []
    targets = []
    for i in range(4):
        sx, sy = start_points[:, i, 0], start_points[:, i, 1]
        ex, ey = end_points[:, i, 0], end_points[:, i, 1]
        one, zero = torch.ones_like(ex), torch.zeros_like(ex)
        rows.append(torch.stack([ex, ey, one, zero, zero, zero, -sx * ex, -sx * ey], -1))
        rows.append(torch.stack([zero, zero, zero, ex, ey, one, -sy * ex, -sy * ey], -1))
        targets += [sx, sy]
    a = torch.stack(rows, 1)
    b = torch.stack(targets, -1).unsqueeze(-1)
    return torch.linalg.solve(a, b).reshape(-1, 8)


# ---- map_coordinates (SciPy's ndimage semantics)
def _mirror(index: Tensor, size: int) -> Tensor:
    s = size - 1
    if s == 0:
        return torch.zeros_like(index)
    return torch.abs((index + s) % (2 * s) - s)


def _reflect(index: Tensor, size: int) -> Tensor:
    return torch.div(_mirror(2 * index + 1, 2 * size + 1) - 1, 2, rounding_mode="floor")


_FIXERS: dict[str, Callable[[Tensor, int], Tensor]] = {
    "constant": lambda i, n: i.clamp(0, n - 1),
    "nearest": lambda i, n: i.clamp(0, n - 1),
    "wrap": lambda i, n: torch.remainder(i, n),
    "mirror": _mirror,
    "reflect": _reflect,
}


def map_coordinates(inputs: Any, coordinates: Any, order: int, fill_mode: str = "constant",
                    fill_value: float = 0.0) -> Tensor:
    """Sample ``inputs`` at ``coordinates`` (one array of coordinates per input dimension) with
    nearest (``order=0``) or linear (``order=1``) interpolation.

    Args:
        inputs: N-D tensor.
        coordinates: ``(N, ...)`` coordinates.
        order: 0 or 1.
        fill_mode: "constant", "nearest", "wrap", "mirror" or "reflect".
        fill_value: Value outside the input with "constant".

    Returns:
        Tensor shaped like ``coordinates[0]``, of the input dtype.

    Raises:
        ValueError: for mismatched coordinates or an unknown fill mode.
        NotImplementedError: for ``order > 1``.
    """
    x = d.tensor(inputs)
    coords = d.tensor(coordinates, device=x.device) if not isinstance(coordinates, (list, tuple)) else \
        torch.stack([d.tensor(c, device=x.device) for c in coordinates])
    if coords.ndim < 2:
        raise ValueError(f"Invalid coordinates rank: expected at least rank 2. Received input with shape: {tuple(coords.shape)}")
    if coords.shape[0] != x.ndim:
        raise ValueError(
            "First dim of `coordinates` must be the same as the rank of `inputs`. Received inputs with shape: "
            f"{tuple(x.shape)} and coordinate leading dim of {coords.shape[0]}")
    if fill_mode not in _FIXERS:
        raise ValueError(f"Invalid value for argument `fill_mode`. Expected one of {set(_FIXERS)}. Received: fill_mode={fill_mode}")
    if order not in (0, 1):
        raise NotImplementedError("map_coordinates currently requires order<=1")
    work = d.result_of(x.dtype, coords.dtype, float) if not x.is_floating_point() else x.dtype
    nodes_per_dim = []
    for c, size in zip(coords, x.shape):
        c = c.to(work) if c.is_floating_point() else c
        if order == 0:
            nodes = [(torch.round(c).long() if c.is_floating_point() else c.long(), None)]
        else:
            lo = torch.floor(c)
            frac = c - lo
            nodes = [(lo.long(), 1 - frac), (lo.long() + 1, frac)]
        nodes_per_dim.append([(_FIXERS[fill_mode](i, size), (i >= 0) & (i < size), w) for i, w in nodes])
    out = None
    for combo in itertools.product(*nodes_per_dim):
        idx = tuple(n[0] for n in combo)
        value = x[idx].to(work)
        if fill_mode == "constant":
            valid = combo[0][1]
            for n in combo[1:]:
                valid = valid & n[1]
            value = torch.where(valid, value, torch.full_like(value, fill_value))
        weight = None
        for n in combo:
            if n[2] is not None:
                weight = n[2] if weight is None else weight * n[2]
        term = value if weight is None else weight * value
        out = term if out is None else out + term
    if not x.is_floating_point():
        out = torch.round(out)
    return out.to(x.dtype)
