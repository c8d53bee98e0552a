"""``predict_on_batch``'s latency path for a built Sequential/functional model (CPU or CUDA).

Skips only the model's own ``Layer.__call__`` bookkeeping, for a float32 input signature that
already went through it once (its shape checks passed, its weights were on that device; moving
or casting the model forgets the signature) and only while no hook is registered. A Sequential
runs its validated layer plan directly; a functional model runs ``call``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core import tree
from keras_torch.core.context import CALL_CONTEXT as _CTX
from keras_torch.layers.base import _global_hooks_active


def remember(model: Any, x: Any, device: torch.device) -> None:
    """After a successful general call on ``x``: let this input signature skip ``__call__``."""
    if device.type not in ("cpu", "cuda") or type(x) is not torch.Tensor or x.dtype != torch.float32:
        return
    if not model._has_library_call():
        return
    policy = model._dtype_policy
    if not policy.autocast or policy.torch_compute_dtype != torch.float32:
        return
    if any(p.device != x.device for p in model.parameters()):
        return
    model._direct_signature = (tuple(x.shape[1:]), None if x.device.type == "cpu" else x.device)


def run(model: Any, x: np.ndarray) -> Any:
    """The outputs of ``model`` on float32 ``x`` as numpy, or ``None`` when the signature is not known."""
    sig = model._direct_signature
    if sig is None or sig[0] != x.shape[1:]:
        return None
    device = sig[1]
    if model._forward_hooks or model._forward_pre_hooks or _global_hooks_active():
        return None
    steps = model._direct_plan(x.shape[1:])
    grad = torch.is_grad_enabled()
    torch._C._set_grad_enabled(False)  # (cheaper than entering torch.no_grad())
    try:
        inp = torch.from_numpy(x) if device is None else torch.from_numpy(x).to(device, non_blocking=True)
        if steps is not None:  # leaf layers only: no nested __call__ reads the call context
            out = inp
            for fn, takes_training in steps:
                out = fn(out, training=False) if takes_training else fn(out)
        else:
            ctx = _CTX
            if ctx.depth == 0:
                ctx.generation += 1
            ctx.depth += 1
            outer = ctx.training
            ctx.training = False
            try:
                out = model.call(inp, training=False)
            finally:
                ctx.depth -= 1
                ctx.training = outer
    finally:
        torch._C._set_grad_enabled(grad)
    if type(out) is torch.Tensor:
        return out.numpy() if device is None else out.cpu().numpy()
    return tree.map_structure(lambda t: t.detach().cpu().numpy(), out)
