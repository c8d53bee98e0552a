"""Sharding a model in place with FSDP2 (``torch.distributed.fsdp.fully_shard``).

Every module that holds split weights (a ``Dense``, an attention projection...) becomes one FSDP2
unit, bottom-up, and the model the root: each split weight becomes a ``DTensor`` stored as its
layout says (``Shard(dim)`` on the axes that split it, ``Replicate()`` on the others). Before a
unit runs, its weights are all-gathered; after its backward, their gradients are reduce-scattered
back to the layout, so parameters, gradients and optimizer state stay split between steps. The
model stays the keras_torch model (FSDP2 hooks its modules; nothing is wrapped).

Weights left replicated (no layout, or not trainable) are ignored by FSDP2 and kept whole in
every process; their gradients are averaged over all processes at the end of each backward
(:class:`GradientSync`).

Gradients are averages over the processes. A process' rows are a share ``w`` of the global batch
(uneven for a partial batch; 0 for a placeholder row), so during a train step the gradient
flowing back from the model's outputs is scaled by ``w * batch_axis_size`` (:class:`ScaledCall`):
the average is then exactly the single-process gradient of the global batch, while penalties on
the weights (equal everywhere) are averaged unscaled.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from keras_torch.core import dtensor, pending, tree
from keras_torch.distribution.collectives import Collectives
from keras_torch.distribution.ddp import ReplicaState
from keras_torch.distribution.weight_layout import Split, Weight, unit_axes

# KerasVariable metadata that travels to the DTensor parameter replacing it.
_CARRIED = ("_keras_name", "_keras_path", "to_keras", "to_torch", "constraint", "overwrite_with_gradient")


class ShardState(ReplicaState):
    """What a sharded model keeps (in ``model._distribution_state``): its plan and gradient sync.

    Args:
        splits: ``id(original parameter) -> Split`` (``None``: replicated), for reports.
        grad_sync: Averages the replicated weights' gradients (``None`` in a lone process).
    """

    def __init__(self, splits: dict[int, Split | None], grad_sync: GradientSync | None) -> None:
        super().__init__(synced=True)
        self.splits = splits
        self.grad_sync = grad_sync


class UnitMeshes:
    """The FSDP2 mesh of each set of splitting axes, made once from the job's mesh.

    A unit whose weights are split over axes ``S`` runs on a mesh of the same processes with
    ``S`` flattened into one "shard" dimension and the other axes into one "replicate" dimension
    (FSDP2's HSDP); without other axes (of size > 1) the mesh is 1-D.

    Args:
        mesh: The job's torch ``DeviceMesh`` (named axes).
    """

    def __init__(self, mesh: Any) -> None:
        self._mesh = mesh
        self._made: dict[tuple[str, ...], Any] = {}

    def for_axes(self, axes: tuple[str, ...]) -> Any:
        key = tuple(a for a in self._mesh.mesh_dim_names if a in axes)
        if key not in self._made:
            self._made[key] = self._make(key)
        return self._made[key]

    def world(self) -> Any:
        """A 1-D mesh of all processes (the root unit's, which holds no split weight)."""
        return self.for_axes(tuple(self._mesh.mesh_dim_names))

    def _make(self, shard: tuple[str, ...]) -> Any:
        from torch.distributed.device_mesh import DeviceMesh

        names = list(self._mesh.mesh_dim_names)
        sizes = dict(zip(names, self._mesh.mesh.shape))
        rep = [a for a in names if a not in shard]
        ranks = self._mesh.mesh.permute([names.index(a) for a in rep + list(shard)])
        n_shard = math.prod(sizes[a] for a in shard)
        n_rep = math.prod(sizes[a] for a in rep)
        kind = self._mesh.device_type
        if n_rep == 1:
            return DeviceMesh(kind, ranks.reshape(n_shard), mesh_dim_names=("_".join(shard),))
        return DeviceMesh(kind, ranks.reshape(n_rep, n_shard),
                          mesh_dim_names=("_".join(rep) or "replicate", "_".join(shard)))


def shard_model(model: nn.Module, weights: list[Weight], splits: dict[int, Split | None], meshes: UnitMeshes,
                comm: Collectives) -> ShardState:
    """Shard ``model`` in place: FSDP2 units for the modules holding split weights, the model as root.

    Args:
        model: A built model whose weights are equal in every process.
        weights: ``model_weights(model)``.
        splits: ``id(tensor) -> Split | None`` for each of ``weights``.
        meshes: The unit meshes.
        comm: Collectives over all processes (for the replicated weights' gradients).
    """
    from torch.distributed.fsdp import fully_shard
    from torch.distributed.tensor import Shard

    axes_of = unit_axes(weights, splits)
    dims = {id(w.tensor): splits[id(w.tensor)].dim for w in weights if splits.get(id(w.tensor)) is not None}
    split_ids = set(dims)
    # (a list: every process must walk the replicated weights in the same order)
    replicated = [p for p in model.parameters() if id(p) not in split_ids]
    carried = {(id(w.owner), w.attr): {k: v for k, v in w.tensor.__dict__.items() if k in _CARRIED}
               for w in weights if id(w.tensor) in split_ids}

    def placement(p: nn.Parameter) -> Any:
        return Shard(dims[id(p)])

    owners = [m for m in _post_order(model) if id(m) in axes_of]
    for owner in owners:
        fully_shard(owner, mesh=meshes.for_axes(axes_of[id(owner)]), shard_placement_fn=placement,
                    ignored_params=set(replicated))
    if owners and model not in owners:
        fully_shard(model, mesh=meshes.world(), ignored_params=set(replicated))
    _fill_from_chunks(owners, weights, split_ids, comm.device)
    for owner in owners:  # the DTensor parameters keep the Keras variable's metadata
        for attr, p in owner.named_parameters(recurse=False):
            meta = carried.get((id(owner), attr))
            if meta:
                p.__dict__.update(meta)
    trainable = [p for p in replicated if p.requires_grad]
    sync = GradientSync(trainable, comm) if trainable and comm.world_size > 1 else None
    return ShardState({k: v for k, v in splits.items()}, sync)


def _fill_from_chunks(owners: list[nn.Module], weights: list[Weight], split_ids: set[int],
                      device: torch.device) -> None:
    """Weights created split (shape-only until now, ``keras_torch.core.pending``) get their local shards
    from this process' chunks: FSDP2 made shape-only shards of them, replaced here through the module's
    ``_apply`` (as ``to_empty`` does), after which FSDP2 re-registers its padded shard storage."""
    from torch.distributed.tensor import DTensor

    chunks = {(id(w.owner), w.attr): w.tensor for w in weights
              if id(w.tensor) in split_ids and pending.of(w.tensor) is not None}
    if not chunks:
        return
    for owner in owners:
        fills = {id(p): chunks[(id(owner), attr)].pending_chunk for attr, p in owner.named_parameters(recurse=False)
                 if (id(owner), attr) in chunks}
        if not fills:
            continue

        def fill(t: torch.Tensor, fills: dict = fills) -> torch.Tensor:
            chunk = fills.get(id(t))
            if chunk is None:
                return t
            kept, needed = (chunk.dim, chunk.parts, chunk.index), dtensor.local_split(t)
            if kept != needed or tuple(chunk.local.shape) != tuple(t.to_local().shape):
                raise RuntimeError(f"The chunk kept of a weight of shape {tuple(t.shape)} is (dim, parts, index) "
                                   f"{kept} of shape {tuple(chunk.local.shape)}, but its shard is {needed} of shape "
                                   f"{tuple(t.to_local().shape)}.")
            return DTensor.from_local(chunk.local.to(device).contiguous(), t.device_mesh, t.placements, run_check=False,
                                      shape=t.shape, stride=t.stride())

        with torch.no_grad():
            owner._apply(fill, recurse=False)
    for original in chunks.values():
        pending.release(original)


def _post_order(model: nn.Module) -> list[nn.Module]:
    """Modules children first (FSDP2 units are made bottom-up)."""
    out: list[nn.Module] = []
    seen: set[int] = set()

    def visit(m: nn.Module) -> None:
        if id(m) in seen:
            return
        seen.add(id(m))
        for child in m.children():
            visit(child)
        out.append(m)

    visit(model)
    return out


class GradientSync:
    """Averages the gradients of replicated weights over all processes at the end of each backward.

    Each weight's post-accumulate hook queues one callback per backward pass; the callback
    averages every gradient present in one coalesced all-reduce per dtype.

    Args:
        params: The replicated trainable parameters.
        comm: Collectives over all processes.
    """

    def __init__(self, params: list[nn.Parameter], comm: Collectives) -> None:
        self._params = params
        self._comm = comm
        self._queued = False  # a callback is queued for the running backward pass
        self._handles = [p.register_post_accumulate_grad_hook(self._on_grad) for p in params]

    def _on_grad(self, _: torch.Tensor) -> None:
        if not self._queued:
            self._queued = True
            torch.autograd.Variable._execution_engine.queue_callback(self._average)

    def _average(self) -> None:
        self._queued = False
        grads = [p.grad for p in self._params if p.grad is not None]
        with torch.no_grad():
            self._comm.all_reduce_mean_(grads)


class _ScaleGrad(torch.autograd.Function):
    """Identity forward; the gradient times ``factor`` backward."""

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor, factor: float) -> torch.Tensor:
        ctx.factor = factor
        return x.view_as(x)

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> tuple[torch.Tensor, None]:
        return grad * ctx.factor, None


class ScaledCall:
    """Installed as ``model._call_wrapper`` during a train step: outputs of grad-enabled calls carry
    the gradient scale ``factor()`` (see the module docstring)."""

    def __init__(self, factor: Callable[[], float]) -> None:
        self._factor = factor

    def __call__(self, call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        out = call(*args, **kwargs)
        factor = self._factor()
        if factor == 1.0 or not torch.is_grad_enabled():
            return out

        def scale(t: Any) -> Any:
            if not isinstance(t, torch.Tensor) or not t.requires_grad:
                return t
            scaled = _ScaleGrad.apply(t, factor)
            mask = getattr(t, "_keras_mask", None)
            if mask is not None:
                scaled._keras_mask = mask
            return scaled

        return tree.map_structure(scale, out)
