"""Gradient synchronization: the model's training calls go through ``DistributedDataParallel``.

During a train step ``model(x, training=True)`` runs through a cached DDP wrapper (``model``
stays the keras_torch Model; see ``Trainer._call_wrapper``). A DDP communication hook scales
each rank's gradient by ``local_rows / global_rows`` before the all-reduce SUM, so the update
equals the single-process gradient of the global batch even for uneven shares.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
from torch import nn

from keras_torch.distribution.sharding import Sharding

NO_MODEL_CALL = (
    "keras_torch distributed training: the train step did not call the model itself (`self(x, "
    "training=True)`), so its gradients could not be synchronized across ranks through "
    "DistributedDataParallel. Call the model (not only its sub-layers/sub-models) in `train_step`, "
    "or train each rank alone with keras_torch.distribution.set_distribution(None)."
)

UNUSED_HINT = (
    "\n\nkeras_torch: some trainable weights got no gradient in a distributed step (e.g. an output "
    "without a loss). Enable unused-parameter detection with\n"
    "    keras_torch.distribution.set_distribution(keras_torch.distribution.DataParallel("
    "find_unused_parameters=True))"
)


class ReplicaState:
    """What data parallelism keeps per model (in ``model._distribution_state``).

    The DDP wrapper is dropped by pickle/deepcopy (it holds process-group handles); the flags
    are kept.

    Args:
        synced: The model's weights were broadcast from rank 0 at least once.
        find_unused: A step left weights without gradient: DDP detects unused parameters.
    """

    def __init__(self, synced: bool = False, find_unused: bool = False) -> None:
        self.synced = synced
        self.find_unused = find_unused
        self.key: Any = None  # (parameter ids, device, find_unused, sharding) of the cached wrapper
        self.ddp: Any = None

    def __reduce__(self) -> Any:
        return (ReplicaState, (self.synced, self.find_unused))

    def __deepcopy__(self, memo: Any) -> ReplicaState:
        return ReplicaState(self.synced, self.find_unused)


def replica_state(model: Any) -> ReplicaState:
    """``model``'s :class:`ReplicaState` (created on first use)."""
    state = model._distribution_state
    if state is None:
        state = model._distribution_state = ReplicaState()
    return state


class _CallAdapter(nn.Module):
    """The module DDP wraps: its forward is the model's own ``__call__`` (given per call)."""

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model  # registers the model's parameters with DDP
        self.call: Callable[..., Any] | None = None
        self.last_out: Any = None

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        out = self.call(*args, **kwargs)
        self.last_out = out
        return out


def _copy_masks(src: Any, dst: Any) -> None:
    # DDP may return new tensor objects (unused-parameter mode): keep Keras masks on them.
    from torch.utils._pytree import tree_flatten

    a, _ = tree_flatten(src)
    b, _ = tree_flatten(dst)
    for s, d in zip(a, b):
        mask = getattr(s, "_keras_mask", None)
        if mask is not None and d is not s:
            try:
                d._keras_mask = mask
            except AttributeError:
                pass


def _weighted_allreduce_hook(state, bucket):  # noqa: ANN001, ANN201 - DDP checks the annotations
    """DDP comm hook: sum over ranks of ``grad * local_rows / global_rows``."""
    t = bucket.buffer()
    t.mul_(state.step_weight)  # state: the Sharding of the data being trained on
    fut = dist.all_reduce(t, async_op=True).get_future()
    return fut.then(lambda f: f.value()[0])


def _ddp_params() -> Any:
    from torch.nn.parallel import DistributedDataParallel

    return inspect.signature(DistributedDataParallel.__init__).parameters


def is_unused_parameter_error(e: BaseException) -> bool:
    """True for DDP's "some parameters got no gradient in the previous step" errors."""
    msg = str(e)
    return "finished reduction in the prior iteration" in msg or "did not receive grad" in msg


class DDPConfig:
    """DDP options of a distribution: ``find_unused_parameters`` (None: automatic),
    ``static_graph`` and ``bucket_cap_mb``."""

    def __init__(self, find_unused_parameters: bool | None, static_graph: bool, bucket_cap_mb: float | None) -> None:
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.bucket_cap_mb = bucket_cap_mb


def _find_unused(model: Any, config: DDPConfig) -> bool:
    """DDP's unused-parameter detection: asked for, or needed (an output compiled without a loss)."""
    if config.find_unused_parameters is not None:
        return bool(config.find_unused_parameters)
    return replica_state(model).find_unused or model._has_output_without_loss()


def ddp_for(model: nn.Module, device: torch.device, sharding: Sharding, config: DDPConfig) -> Any:
    """The cached ``DistributedDataParallel`` wrapper of ``model`` (None without trainable weights)."""
    params = [p for p in model.parameters() if p.requires_grad]
    if not params:
        return None
    find_unused = _find_unused(model, config)
    key = (tuple(id(p) for p in params), device, find_unused, sharding)
    state = replica_state(model)
    if state.key == key and state.ddp is not None:
        return state.ddp
    old, state.key, state.ddp = state.ddp, None, None
    if old is not None and hasattr(getattr(old, "reducer", None), "_remove_autograd_hooks"):
        old.reducer._remove_autograd_hooks()  # the replaced wrapper must not see later backwards
    from torch.nn.parallel import DistributedDataParallel

    # Buffers are not synced per forward: non-trainable state is re-broadcast once per epoch.
    buffers = "forward_sync_buffers" if "forward_sync_buffers" in _ddp_params() else "broadcast_buffers"
    kwargs: dict[str, Any] = {
        buffers: False,
        "init_sync": False,  # weights are broadcast by DataParallel.sync_from_chief
        "find_unused_parameters": find_unused,
        "static_graph": bool(config.static_graph),
    }
    if config.bucket_cap_mb is not None:
        kwargs["bucket_cap_mb"] = config.bucket_cap_mb
    if device.type == "cuda":
        kwargs["device_ids"] = [device.index]
        kwargs["output_device"] = device.index
    ddp = DistributedDataParallel(_CallAdapter(model), **kwargs)
    ddp.register_comm_hook(sharding, _weighted_allreduce_hook)
    state.key, state.ddp = key, ddp
    return ddp


class DDPCall:
    """Installed as ``model._call_wrapper`` for a train step: grad-enabled calls of the model go
    through its DDP wrapper (counted: a step that never calls the model cannot be synchronized)."""

    def __init__(self, ddp: Any) -> None:
        self.ddp = ddp
        self.calls = 0

    def __call__(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not torch.is_grad_enabled():
            return call(*args, **kwargs)
        self.calls += 1
        adapter = self.ddp.module
        adapter.call = call
        try:
            out = self.ddp(*args, **kwargs)
        finally:
            adapter.call = None
        last, adapter.last_out = adapter.last_out, None
        if last is not None and out is not last:
            _copy_masks(last, out)
        return out
