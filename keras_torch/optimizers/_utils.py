"""Multi-tensor helpers shared by the optimizers: gradient clipping and device/dtype grouping.

Every helper works on lists of tensors with ``torch._foreach_*`` kernels and keeps scalars as
0-d device tensors, so nothing here forces a host synchronisation.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from keras_torch.core import dtensor

Tensors = list[torch.Tensor]


def sqrt(tensors: Sequence[torch.Tensor]) -> Tensors:
    """Elementwise square roots of a tensor list.

    Note: torch's float32 ``sqrt`` on CPU is not always correctly rounded (TensorFlow's is), so
    CPU results can differ from Keras by one ulp in ~1/5 of the elements. Computing it in
    float64 would fix that but costs ~15x the time of the whole op, so it is not done; on CUDA
    ``sqrt`` is correctly rounded.
    """
    return torch._foreach_sqrt(list(tensors))


def sqrt_(tensors: Sequence[torch.Tensor]) -> None:
    """In-place :func:`sqrt`."""
    torch._foreach_sqrt_(list(tensors))


def _whole(norms: Tensors) -> Tensors:
    """Norms of sharded gradients are partial per process: reduce them to the whole tensor's norm."""
    return [dtensor.replicated(n) for n in norms] if dtensor.is_sharded(norms[0]) else norms


def clip_by_norm(grads: Sequence[torch.Tensor], clipnorm: float) -> Tensors:
    """Per-tensor ``tf.clip_by_norm``: ``g * clipnorm / max(||g||, clipnorm)``."""
    grads = list(grads)
    norms = _whole(torch._foreach_norm(grads))
    torch._foreach_clamp_min_(norms, float(clipnorm))
    out = torch._foreach_mul(grads, float(clipnorm))
    torch._foreach_div_(out, norms)  # 0-d divisors broadcast per tensor
    return out


def global_norm(grads: Sequence[torch.Tensor]) -> torch.Tensor:
    """``sqrt(sum_i sum(g_i ** 2))`` as a 0-d tensor on the device of the first gradient."""
    norms = _whole(torch._foreach_norm(list(grads)))
    dev = norms[0].device
    stacked = torch.stack([n.to(device=dev, dtype=torch.float32) for n in norms])
    return torch.sqrt(torch.sum(torch.square(stacked)))


def clip_by_global_norm(grads: Sequence[torch.Tensor], clipnorm: float) -> Tensors:
    """Keras ``clip_by_global_norm`` (NaN/inf norms turn every gradient into NaN, like Keras)."""
    use_norm = global_norm(grads)
    c = float(clipnorm)
    scale = c * torch.clamp_max(1.0 / use_norm, 1.0 / c)
    scale = scale + (use_norm - use_norm)
    out = []
    for dev_dtype, members in _by_device_dtype(grads).items():
        s = scale.to(device=dev_dtype[0], dtype=dev_dtype[1])
        scaled = torch._foreach_mul([grads[i] for i in members], s)
        out.extend(zip(members, scaled))
    out.sort(key=lambda x: x[0])
    return [t for _, t in out]


def clip_by_value(grads: Sequence[torch.Tensor], clipvalue: float) -> Tensors:
    """Elementwise clip to ``[-clipvalue, clipvalue]``."""
    out = torch._foreach_clamp_min(list(grads), -float(clipvalue))
    torch._foreach_clamp_max_(out, float(clipvalue))
    return out


def _by_device_dtype(tensors: Sequence[torch.Tensor]) -> dict[tuple[torch.device, torch.dtype, bool], list[int]]:
    # Sharded (DTensor) and plain tensors are grouped apart: one ``_foreach`` call takes one kind.
    groups: dict[tuple[torch.device, torch.dtype, bool], list[int]] = {}
    for i, t in enumerate(tensors):
        groups.setdefault((t.device, t.dtype, dtensor.is_sharded(t)), []).append(i)
    return groups


def group_by_device_dtype(
    params: Sequence[torch.Tensor],
) -> list[list[int]]:
    """Index lists of ``params`` sharing a device, a dtype and shardedness (one list in the common case)."""
    first = params[0]
    dev, dt, sharded = first.device, first.dtype, dtensor.is_sharded(first)
    if all(p.device == dev and p.dtype == dt and dtensor.is_sharded(p) == sharded for p in params):
        return [list(range(len(params)))]
    return list(_by_device_dtype(params).values())
