"""``ModelParallel`` (weights laid out by a ``LayoutMap``) and ``FSDP`` (every weight split).

Both keep each weight split between the processes as its layout says, as a ``DTensor``
(``Shard``/``Replicate`` per mesh axis), together with its gradient and optimizer slots; a layer's
weights are gathered just for its forward and backward (FSDP2, :mod:`.fsdp`). The batch is split
over the batch axis only; processes that differ in the other axes compute the same rows, so a
``"model"`` axis divides the memory of the weights, not the computation. Everything else —
data shares, metric reduction, placeholders, callbacks — is :class:`.base.Distribution`'s.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import torch
from torch import nn

from keras_torch.core import dtensor, pending
from keras_torch.distribution import process_group
from keras_torch.distribution.base import Distribution
from keras_torch.distribution.chunks import CreationChunks, agree_with_chief, move_materialized, rechunk
from keras_torch.distribution.fsdp import ScaledCall, ShardState, UnitMeshes, shard_model
from keras_torch.distribution.layout import LayoutMap, TensorLayout, axis_names_of
from keras_torch.distribution.mesh import DeviceMesh, list_devices
from keras_torch.distribution.strategy import StepFn
from keras_torch.distribution.weight_layout import Split, Weight, model_weights, split_of


class ModelParallel(Distribution):
    """Weights split over a device mesh as a ``LayoutMap`` says (``keras.distribution.ModelParallel``).

    Example (8 processes: 2 model replicas x 4-way split weights)::

        mesh = keras.distribution.DeviceMesh((2, 4), ("batch", "model"))
        layout_map = keras.distribution.LayoutMap(mesh)
        layout_map["dense.*kernel"] = (None, "model")        # column-wise
        layout_map["mha/(query|key|value)/kernel"] = (None, "model", None)
        keras.distribution.set_distribution(
            keras.distribution.ModelParallel(layout_map=layout_map, batch_dim_name="batch"))

    Weights whose path matches no key, and non-trainable weights, are replicated. A layout
    entry naming the batch axis splits that weight over the batch processes too (FSDP style).

    Args:
        layout_map: Weight paths (regular expressions) to layouts; its mesh is the job's.
        batch_dim_name: The mesh axis that splits the batch (default: the first).
        auto_shard_dataset: Accepted for Keras compatibility (data is always read as shares).
        **kwargs: ``device_mesh`` (ignored: the layout map's), ``devices``, ``backend``, ``timeout``.

    Raises:
        ValueError: Without a ``LayoutMap``.
    """

    def __init__(self, *, layout_map: LayoutMap | None = None, batch_dim_name: str | None = None,
                 auto_shard_dataset: bool = True, **kwargs: Any) -> None:
        kwargs.pop("device_mesh", None)
        if layout_map is None:
            raise ValueError("You must specify a layout_map argument.")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(f"Argument `layout_map` must be a `LayoutMap` instance. Received: layout_map={layout_map}")
        mesh = layout_map.device_mesh
        super().__init__(mesh, batch_dim_name or mesh.axis_names[0], auto_shard_dataset, **kwargs)
        self._layout_map = layout_map
        self._meshes: UnitMeshes | None = None  # the FSDP2 unit meshes, made at the first sharding
        self._chunks = CreationChunks(self)  # which chunk of a weight created under this distribution to keep

    # ------------------------------------------------------------------ layouts
    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """The layout of ``variable``: for a split weight, how its stored (torch) tensor is split;
        otherwise the map's entry for its path, else replicated."""
        if dtensor.is_sharded(variable):
            from torch.distributed.tensor import Shard

            axes: list[Any] = [None] * variable.dim()
            for name, p in zip(variable.device_mesh.mesh_dim_names, variable.placements):
                if isinstance(p, Shard):
                    axes[p.dim] = name if axes[p.dim] is None else (*axis_names_of(axes[p.dim]), name)
            return TensorLayout(axes)
        path = variable.__dict__.get("_keras_path") if isinstance(variable, torch.Tensor) else None
        layout = self._layout_map[path or getattr(variable, "path", "")]
        return layout if layout is not None else super().get_variable_layout(variable)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self._layout_map[path]

    def _layout_for(self, weight: Weight) -> TensorLayout | None:
        return self._layout_map[weight.path]

    def creation_keeper(self) -> CreationChunks:
        return self._chunks

    def creation_split(self, weight: Weight) -> Split | None:
        """How ``weight`` (just created, its path the layer's own) would be split; ``None``: kept whole.

        A layout that does not fit the weight is reported when the model is split, not here.
        """
        try:
            return split_of(weight, self._layout_for(weight), self._device_mesh.axis_size)
        except ValueError:
            return None

    def plan(self, model: nn.Module) -> tuple[list[Weight], dict[int, Split | None]]:
        """Every weight of ``model`` and how it is stored (``None``: replicated).

        Only trainable weights are split (non-trainable state such as BatchNorm statistics is
        updated in place by the forward pass and stays whole in every process).
        """
        weights = model_weights(model)
        mesh = self._device_mesh
        splits = {id(w.tensor): split_of(w, self._layout_for(w), mesh.axis_size) if w.trainable else None
                  for w in weights}
        unused = [key for key in self._layout_map if not any(re.fullmatch(key, w.path) for w in weights)]
        if unused and process_group.is_chief():
            warnings.warn(f"ModelParallel: LayoutMap keys {unused} match no weight of model '{model.name}'; those "
                          f"weights stay replicated. Its weight paths: {[w.path for w in weights]}", stacklevel=3)
        return weights, splits

    # ------------------------------------------------------------------ process
    def _batch_group(self) -> Any:
        return self._device_mesh.torch_mesh()[self._batch_dim_name].get_group()

    def connect(self) -> bool:
        joined = super().connect()
        if joined:
            self._sharding.equal_steps = True  # every forward pass is collective
        return joined

    # ------------------------------------------------------------------ model state
    def _shard(self, model: nn.Module) -> None:
        """Split ``model``'s weights (once): rank 0's weights first reach every process."""
        if isinstance(getattr(model, "_distribution_state", None), ShardState):
            return
        if not any(True for _ in model.parameters()):
            return
        state = _optimizer_state(model)
        agree_with_chief(pending.pending_in(model), self._comm)
        self.sync_from_chief(model, with_optimizer=False)
        weights, splits = self.plan(model)
        rechunk(weights, splits, self._chunks)
        if self._meshes is None:
            self._meshes = UnitMeshes(self._device_mesh.torch_mesh())
        model._distribution_state = shard_model(model, weights, splits, self._meshes, self._comm)
        if state is not None:
            _rebuild_optimizer(model, state)

    def split_now(self, model: nn.Module) -> None:
        """Split ``model`` (with weights created split) before an eager call; ``fit`` and co. do it themselves."""
        self.place(model)

    def place(self, model: nn.Module) -> torch.device:
        if pending.pending_in(model):  # shape-only weights do not move: their chunks do when split
            device = self._comm.device
            move_materialized(model, device)
        else:
            device = super().place(model)
        if getattr(model, "built", True):
            self._shard(model)
        return device

    def build_model(self, model: Any, handler: Any) -> None:
        super().build_model(model, handler)
        self._shard(model)

    def sync_model(self, model: nn.Module) -> None:
        if getattr(model, "built", True):
            self._shard(model)

    # ------------------------------------------------------------------ loop
    def wrap_train_step(self, model: Any, step_fn: StepFn) -> StepFn:
        sharding = self._sharding
        scaled = ScaledCall(lambda: sharding.step_weight * sharding.world_size)

        def step(batch: Any) -> Any:
            model._call_wrapper = scaled
            try:
                return step_fn(batch)
            finally:
                model._call_wrapper = None

        return self._guard_placeholders(model, step)


class FSDP(ModelParallel):
    """Fully sharded data parallel: every trainable weight split over all processes (keras_torch).

    The one-line answer to "my model does not fit one device"::

        keras.distribution.set_distribution(keras.distribution.FSDP())

    Each process reads its share of every global batch (as ``DataParallel``) and holds
    ``1/N`` of every trainable weight, of its gradient and of its optimizer slots (each weight
    split on the torch dimension that splits best, FSDP2 per layer). Results equal
    single-process training.

    Args:
        device_mesh: A 1-D mesh (default: all processes on a ``"batch"`` axis).
        devices: The job's devices (default :func:`list_devices`).
        **kwargs: ``backend``, ``timeout``.
    """

    def __init__(self, device_mesh: DeviceMesh | None = None, devices: Any = None, **kwargs: Any) -> None:
        if device_mesh is None:
            listed = list(devices) if devices is not None else list_devices()
            device_mesh = DeviceMesh((len(listed),), ["batch"], listed)
        if len(device_mesh.shape) != 1:
            raise ValueError(f"FSDP takes a 1-D device mesh (all processes on the batch axis); received "
                             f"{device_mesh}. Use ModelParallel with a LayoutMap for more axes.")
        super().__init__(layout_map=LayoutMap(device_mesh), batch_dim_name=device_mesh.axis_names[0], **kwargs)

    def plan(self, model: nn.Module) -> tuple[list[Weight], dict[int, Split | None]]:
        """Every trainable weight split over the batch axis on its torch dimension that splits best
        (one the process count divides, else the largest: a ``(2, 16)`` kernel is split on 16)."""
        weights = model_weights(model)
        return weights, {id(w.tensor): self.creation_split(w) for w in weights}

    def creation_split(self, weight: Weight) -> Split | None:
        """By shape alone: the same at creation as when the model is split."""
        n = self._device_mesh.axis_size(self._batch_dim_name)
        shape = tuple(weight.tensor.shape)
        if not (weight.trainable and shape and n > 1):
            return None
        dim = max(range(len(shape)), key=lambda d: (shape[d] % n == 0, shape[d], -d))
        return Split(dim, (self._batch_dim_name,))

    def __repr__(self) -> str:
        return f"<FSDP world_size={process_group.world_size()}>"


def _optimizer_state(model: nn.Module) -> list[Any] | None:
    """A built optimizer's state (Keras layout), to carry over to the sharded weights."""
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or not getattr(optimizer, "built", False) or not optimizer._trainable_variables:
        return None
    return optimizer.get_weights()


def _rebuild_optimizer(model: nn.Module, state: list[Any]) -> None:
    """An optimizer built before sharding is rebuilt on the sharded weights (its slots split like them)."""
    old = model.optimizer
    fresh = type(old).from_config(old.get_config())
    with torch.no_grad():
        fresh.build(model.trainable_weights)
    fresh.set_weights(state)
    model.optimizer = fresh


def local_state_bytes(model: nn.Module) -> dict[str, int]:
    """Bytes of ``model``'s parameters and optimizer variables held by this process (its shards)."""
    optimizer = getattr(model, "optimizer", None)
    opt_vars = list(getattr(optimizer, "variables", [])) if optimizer is not None else []
    return {"parameters": dtensor.local_bytes(list(model.parameters())),
            "optimizer": dtensor.local_bytes([v for v in opt_vars if isinstance(v, torch.Tensor)])}
