"""What every multi-process distribution shares: the group, the data shares, the loop points.

One process per device. The **batch axis** of the device mesh splits every global batch: the
processes along it read different rows (:mod:`.sharding`), their metric state is summed
(:mod:`.metric_reduction`) and their predictions gathered. Processes that differ only in the
other mesh axes read the same rows. Subclasses decide how the model lives on the processes:
``DataParallel`` replicates it (DDP), ``ModelParallel``/``FSDP`` shard its weights.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import torch
from torch import nn

from keras_torch.core import dtensor
from keras_torch.distribution import active, process_group
from keras_torch.distribution.collectives import Collectives
from keras_torch.distribution.ddp import replica_state
from keras_torch.distribution.layout import TensorLayout
from keras_torch.distribution.mesh import DeviceMesh
from keras_torch.distribution.metric_reduction import MetricReduction
from keras_torch.distribution.sharding import Sharding
from keras_torch.distribution.strategy import StepFn, Strategy
from keras_torch.layers.training_mode import set_training_flags


class Distribution(Strategy):
    """Base of the ``keras.distribution`` distributions (Keras's ``Distribution``).

    Args:
        device_mesh: The processes' devices on named axes.
        batch_dim_name: The mesh axis that splits the batch.
        auto_shard_dataset: Accepted for Keras compatibility (data is always read as shares).
        devices: Devices of this host, indexed by ``LOCAL_RANK`` (default: ``cuda:LOCAL_RANK`` or CPU).
        backend: ``"nccl"``/``"gloo"`` (default: by device).
        timeout: Collective timeout in seconds (default ``KERAS_TORCH_DIST_TIMEOUT`` or 600).
    """

    def __init__(self, device_mesh: DeviceMesh, batch_dim_name: str, auto_shard_dataset: bool = True, *,
                 devices: Any = None, backend: str | None = None, timeout: float | None = None) -> None:
        if batch_dim_name not in device_mesh.axis_names:
            raise ValueError(f"batch_dim_name={batch_dim_name!r} is not an axis of the device mesh: "
                             f"{list(device_mesh.axis_names)}.")
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset
        self.devices = [str(d) for d in devices] if devices is not None else None
        self.backend = backend
        self.timeout = timeout
        # This process' part of the job, set by connect() once the group exists: collectives over
        # all processes and over the batch axis, the data shares, the metric reduction.
        self._comm: Collectives | None = None
        self._batch_comm: Collectives | None = None
        self._sharding: Sharding | None = None
        self._metrics: MetricReduction | None = None

    # ------------------------------------------------------------------ Keras API
    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str:
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    @auto_shard_dataset.setter
    def auto_shard_dataset(self, value: bool) -> None:
        self._auto_shard_dataset = bool(value)

    @property
    def num_processes(self) -> int:
        """Number of processes in the job."""
        return process_group.world_size()

    @property
    def num_model_replicas(self) -> int:
        """Processes along the batch axis (each reads its own share of every batch)."""
        return self._device_mesh.shape[self._device_mesh.axis_names.index(self._batch_dim_name)]

    @contextlib.contextmanager
    def scope(self) -> Iterator[None]:
        """Make this the active distribution within the block."""
        with active.chosen(self):
            yield

    def distribute_dataset(self, dataset: Any) -> Any:
        """``dataset`` unchanged: ``fit``/``evaluate``/``predict`` read each process' share themselves."""
        return dataset

    def get_data_layout(self, data_shape: Any) -> TensorLayout:
        """Inputs are split on their first dimension over the batch axis."""
        axes: list[str | None] = [None] * len(data_shape)
        axes[0] = self._batch_dim_name
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """Replicated (overridden by ``ModelParallel``)."""
        return TensorLayout([None] * len(variable.shape), self._device_mesh)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return None

    def creation_keeper(self) -> Any:
        """What decides which chunk of a new weight this process keeps (``None``: whole weights)."""
        return None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"

    # ------------------------------------------------------------------ process
    def connect(self) -> bool:
        """Join the process group (created on first use); False when this process is alone."""
        if self._comm is not None and process_group.is_initialized():
            return True
        process_group.init_process_group(backend=self.backend, timeout=self.timeout, devices=self.devices)
        if not process_group.is_initialized() or process_group.world_size() == 1:
            return False
        device = process_group.process_device(self.devices)
        self._comm = Collectives(device)
        self._batch_comm = Collectives(device, self._batch_group())
        # The shuffle seed is broadcast to all processes: those off the batch axis read the same rows.
        self._sharding = Sharding(self._batch_comm.rank, self._batch_comm.world_size, self._comm.broadcast_int)
        self._metrics = MetricReduction(self._batch_comm)
        return True

    def _batch_group(self) -> Any:
        """The processes along the batch axis with this one (``None``: all of them)."""
        return None

    @property
    def collectives(self) -> Collectives:
        """Collectives over all processes (once connected)."""
        return self._comm

    @property
    def collective_device(self) -> torch.device:
        """Where this process' tensors go through collectives (once connected): its GPU for NCCL, else host."""
        return self._comm.comm_device

    @property
    def is_chief(self) -> bool:
        return process_group.is_chief()

    # ------------------------------------------------------------------ model state
    def place(self, model: nn.Module) -> torch.device:
        device = self._comm.device
        for p in model.parameters():
            if p.device != device:
                model.to(device)
            break
        return device

    def build_model(self, model: Any, handler: Any) -> None:
        """Build an unbuilt model on one sample row (its weights must exist before training)."""
        if getattr(model, "built", True) and any(True for _ in model.parameters()):
            return
        sample = handler.sample_x()
        if sample is None:
            raise ValueError(
                "Distributed training needs a built model: call the model on a batch (or give it an `Input`) "
                "before `fit()` when the data is a generator."
            )
        with torch.no_grad():
            model(sample, training=False)
        set_training_flags(model, model.training)  # sub-modules created by the build follow the model
        self.place(model)

    def sync_from_chief(self, model: nn.Module, with_optimizer: bool = True) -> None:
        """Broadcast rank 0's weights, buffers (and the built optimizer's state) so all ranks start equal.

        Sharded tensors are left alone: each process holds its own chunk of them.
        """
        tensors = [p.data for p in model.parameters()] + list(model.buffers())
        optimizer = getattr(model, "optimizer", None) if with_optimizer else None
        if optimizer is not None and getattr(optimizer, "built", False):
            tensors += [v.data for v in getattr(optimizer, "variables", []) if isinstance(v, torch.Tensor)]
        # (sharded tensors and the shape-only weights created split keep each process' own chunk)
        self._comm.broadcast([t for t in tensors if not dtensor.is_sharded(t) and not t.is_meta])
        replica_state(model).synced = True

    def sync_model(self, model: nn.Module) -> None:
        if not replica_state(model).synced:
            self.sync_from_chief(model, with_optimizer=False)

    def _sync_non_trainable(self, model: nn.Module) -> None:
        # Trainable weights stay equal through the synchronized updates; state updated in the
        # forward pass from local batches does not, so rank 0's is re-broadcast (as DDP's
        # ``broadcast_buffers`` would per step), exactly, without rounding frozen weights.
        tensors = [p.data for p in model.parameters() if not p.requires_grad] + list(model.buffers())
        self._comm.broadcast([t for t in tensors if not dtensor.is_sharded(t)])

    # ------------------------------------------------------------------ data
    def distribute_data(self, handler: Any) -> None:
        handler.shard(self._sharding)

    def gather_predictions(self, outputs: Any, handler: Any) -> Any:
        total = handler.split_rows
        if total is None:  # every rank predicted everything
            return outputs
        return self._batch_comm.all_gather_rows(outputs, self._sharding.row_counts(total))

    # ------------------------------------------------------------------ loop
    def begin_fit(self, model: Any, initial_epoch: int) -> int:
        # After on_train_begin: rank 0's weights/optimizer state and start epoch win (so a
        # BackupAndRestore restore on rank 0 reaches every rank).
        self.sync_from_chief(model)
        return self._comm.broadcast_int(initial_epoch)

    def wrap_test_step(self, model: Any, step_fn: StepFn) -> StepFn:
        return self._guard_placeholders(model, step_fn)

    def _guard_placeholders(self, model: Any, step_fn: StepFn) -> StepFn:
        sharding, metrics = self._sharding, self._metrics

        def step(batch: Any) -> Any:
            try:
                if sharding.placeholder:
                    return metrics.run_placeholder(model._metric_objects, step_fn, batch)
                return step_fn(batch)
            finally:
                sharding.end_step()

        return step

    def end_epoch(self, model: Any) -> None:
        self._sync_non_trainable(model)

    def stop_requested(self, stop_training: bool) -> bool:
        return self._comm.any(stop_training)

    def end_fit(self, model: Any) -> None:
        self._comm.barrier()  # files written by rank 0 (checkpoints) exist once fit returns anywhere

    def reduce_metrics(self, model: Any, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        return self._metrics.result(model._metric_objects, compute)
