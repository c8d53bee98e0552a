"""``DataParallel``: every process holds the whole model and trains on a share of each batch.

The strategy joins the process group lazily (:mod:`.process_group`), shards the data pipeline
(:mod:`.sharding`), synchronizes gradients through DDP (:mod:`.ddp`) and sums metric state over
the ranks (:mod:`.metric_reduction`). Weights, buffers and optimizer state are broadcast from
rank 0 when ``fit`` starts; non-trainable state updated in the forward pass (BatchNorm moving
statistics) is re-broadcast at each epoch end.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from keras_torch.distribution import process_group
from keras_torch.distribution.collectives import Collectives
from keras_torch.distribution.ddp import (
    NO_MODEL_CALL,
    UNUSED_HINT,
    DDPCall,
    DDPConfig,
    ddp_for,
    is_unused_parameter_error,
    replica_state,
)
from keras_torch.distribution.mesh import DeviceMesh
from keras_torch.distribution.metric_reduction import MetricReduction
from keras_torch.distribution.sharding import Sharding
from keras_torch.distribution.strategy import StepFn, Strategy
from keras_torch.layers.training_mode import set_training_flags


class DataParallel(Strategy):
    """Data-parallel distribution: every process holds the whole model and a share of each batch.

    One process per device: launch N processes (``keras-torch run --nproc N``, ``torchrun``)
    and each uses ``devices[LOCAL_RANK]`` — by default ``cuda:LOCAL_RANK`` on GPUs (NCCL) or
    the CPU (gloo). In a single process this distribution is a no-op.

    Args:
        device_mesh: Accepted for Keras compatibility (its ``devices`` are used as ``devices``).
        devices: Devices of this host, indexed by ``LOCAL_RANK`` (e.g. ``list_devices()``).
        auto_shard_dataset: Accepted for Keras compatibility (sharding is always on).
        backend: ``"nccl"``/``"gloo"`` (default: by device).
        timeout: Collective timeout in seconds (default ``KERAS_TORCH_DIST_TIMEOUT`` or 600).
        find_unused_parameters: DDP's unused-parameter detection. ``None`` (default): on when
            an output is compiled without a loss, and switched on (with a warning) if a step
            leaves some trainable weight without gradient.
        static_graph, bucket_cap_mb: Passed to ``torch.nn.parallel.DistributedDataParallel``.
    """

    def __init__(
        self,
        device_mesh: DeviceMesh | None = None,
        devices: Any = None,
        auto_shard_dataset: bool = True,
        *,
        backend: str | None = None,
        timeout: float | None = None,
        find_unused_parameters: bool | None = None,
        static_graph: bool = False,
        bucket_cap_mb: float | None = None,
    ) -> None:
        if devices is None and device_mesh is not None:
            devices = device_mesh.devices
        self.devices = [str(d) for d in devices] if devices is not None else None
        self.device_mesh = device_mesh or DeviceMesh(
            (len(self.devices or []) or process_group.world_size(),), ["batch"], self.devices
        )
        self.batch_dim_name = self.device_mesh.axis_names[0]
        self.auto_shard_dataset = auto_shard_dataset
        self.backend = backend
        self.timeout = timeout
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.bucket_cap_mb = bucket_cap_mb
        if self.devices and len(self.devices) > 1 and not (
            process_group.env_is_distributed() or process_group.is_initialized()
        ):
            raise ValueError(
                f"DataParallel(devices={self.devices}) runs one process per device: launch the script with "
                f"`keras-torch run --nproc {len(self.devices)} script.py` (or torchrun --nproc-per-node "
                f"{len(self.devices)})."
            )
        # This process' part of the job, set by connect() once the group exists.
        self._comm: Collectives | None = None
        self._sharding: Sharding | None = None
        self._metrics: MetricReduction | None = None

    def __repr__(self) -> str:
        return f"<DataParallel devices={self.devices} world_size={process_group.world_size()}>"

    # ------------------------------------------------------------------ process
    def connect(self) -> bool:
        """Join the process group (created on first use); False when this process is alone."""
        if self._comm is not None and process_group.is_initialized():
            return True
        process_group.init_process_group(backend=self.backend, timeout=self.timeout, devices=self.devices)
        if not process_group.is_initialized() or process_group.world_size() == 1:
            return False
        self._comm = Collectives(process_group.process_device(self.devices))
        self._sharding = Sharding(self._comm.rank, self._comm.world_size, self._comm.broadcast_int)
        self._metrics = MetricReduction(self._comm)
        return True

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

    def sync_from_chief(self, model: nn.Module, with_optimizer: bool = True) -> None:
        """Broadcast weights, buffers (and the built optimizer's state) from rank 0 so all ranks start equal."""
        tensors = [p.data for p in model.parameters()] + list(model.buffers())
        optimizer = getattr(model, "optimizer", None) if with_optimizer else None
        if optimizer is not None and getattr(optimizer, "built", False):
            tensors += [v.data for v in getattr(optimizer, "variables", []) if isinstance(v, torch.Tensor)]
        self._comm.broadcast(tensors)
        replica_state(model).synced = True

    def sync_model(self, model: nn.Module) -> None:
        if not replica_state(model).synced:
            self.sync_from_chief(model, with_optimizer=False)

    def _sync_non_trainable(self, model: nn.Module) -> None:
        # Trainable weights stay equal through the synchronized updates; state updated in the
        # forward pass from local batches does not, so rank 0's is re-broadcast (as DDP's
        # ``broadcast_buffers`` would per step), exactly, without rounding frozen weights.
        self._comm.broadcast([p.data for p in model.parameters() if not p.requires_grad] + list(model.buffers()))

    def build_model(self, model: Any, handler: Any) -> None:
        """Build an unbuilt model on one sample row (DDP needs its weights before training)."""
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

    # ------------------------------------------------------------------ data
    def distribute_data(self, handler: Any) -> None:
        handler.shard(self._sharding)

    def gather_predictions(self, outputs: Any, handler: Any) -> Any:
        total = handler.split_rows
        if total is None:  # every rank predicted everything
            return outputs
        return self._comm.all_gather_rows(outputs, self._sharding.row_counts(total))

    # ------------------------------------------------------------------ loop
    def begin_fit(self, model: Any, initial_epoch: int) -> int:
        # After on_train_begin: rank 0's weights/optimizer state and start epoch win (so a
        # BackupAndRestore restore on rank 0 reaches every rank).
        self.sync_from_chief(model)
        return self._comm.broadcast_int(initial_epoch)

    def wrap_train_step(self, model: Any, step_fn: StepFn) -> StepFn:
        return self._guard_placeholders(model, _TrainStep(self, model, step_fn))

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

    # ------------------------------------------------------------------ DDP
    def _ddp_config(self) -> DDPConfig:
        return DDPConfig(self.find_unused_parameters, self.static_graph, self.bucket_cap_mb)

    def ddp_for(self, model: nn.Module) -> Any:
        """``model``'s cached DDP wrapper (None when it has no trainable weight)."""
        return ddp_for(model, self._comm.device, self._sharding, self._ddp_config())


class _TrainStep:
    """A train step whose model calls run through DDP; recovers once from unused parameters."""

    def __init__(self, strategy: DataParallel, model: Any, step_fn: StepFn) -> None:
        self._strategy = strategy
        self._model = model
        self._step_fn = step_fn
        self._ddp_call = _ddp_call(strategy.ddp_for(model))

    def _run(self, batch: Any) -> Any:
        ddp_call = self._ddp_call
        if ddp_call is None:  # nothing to synchronize
            return self._step_fn(batch)
        ddp_call.calls = 0
        self._model._call_wrapper = ddp_call
        try:
            logs = self._step_fn(batch)
        finally:
            self._model._call_wrapper = None
        if not ddp_call.calls:
            raise RuntimeError(NO_MODEL_CALL)
        return logs

    def __call__(self, batch: Any) -> Any:
        try:
            return self._run(batch)
        except RuntimeError as e:
            if not is_unused_parameter_error(e):
                raise
            state = replica_state(self._model)
            if state.find_unused or self._strategy.find_unused_parameters is not None:
                raise RuntimeError(str(e) + UNUSED_HINT) from e
            # Some weights got no gradient in the previous step (raised before this step
            # computed anything): switch DDP to unused-parameter detection, re-sync from rank 0
            # and run this step again.
            state.find_unused = True
            self._ddp_call = _ddp_call(self._strategy.ddp_for(self._model))
            self._strategy.sync_from_chief(self._model)
            if self._strategy.is_chief:
                warnings.warn(
                    "keras_torch distributed: some trainable weights receive no gradient; DDP now finds unused "
                    "parameters (pass DataParallel(find_unused_parameters=True) to avoid the unsynchronized "
                    "first step).", stacklevel=2)
            return self._run(batch)


def _ddp_call(ddp: Any) -> DDPCall | None:
    return DDPCall(ddp) if ddp is not None else None
