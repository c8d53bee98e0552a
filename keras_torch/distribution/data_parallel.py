"""``DataParallel``: every process holds the whole model and trains on a share of each batch.

The process group, data shares and metric reduction come from :class:`.base.Distribution`;
gradients are synchronized through DDP (:mod:`.ddp`). Weights, buffers and optimizer state are broadcast from
rank 0 when ``fit`` starts; non-trainable state updated in the forward pass (BatchNorm moving
statistics) is re-broadcast at each epoch end.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from torch import nn

from keras_torch.distribution import process_group
from keras_torch.distribution.base import Distribution
from keras_torch.distribution.ddp import (
    NO_MODEL_CALL,
    UNUSED_HINT,
    DDPCall,
    DDPConfig,
    ddp_for,
    is_unused_parameter_error,
    replica_state,
)
from keras_torch.distribution.mesh import DeviceMesh, list_devices
from keras_torch.distribution.strategy import StepFn


class DataParallel(Distribution):
    """Data-parallel distribution: every process holds the whole model and a share of each batch.

    One process per device: launch N processes (``keras-torch run --nproc N``, ``torchrun``)
    and each uses ``devices[LOCAL_RANK]`` — by default ``cuda:LOCAL_RANK`` on GPUs (NCCL) or
    the CPU (gloo). In a single process this distribution is a no-op.

    Args:
        device_mesh: A 1-D mesh (its axis splits the batch; its ``devices`` are used as ``devices``).
        devices: Devices of this host, indexed by ``LOCAL_RANK`` (e.g. ``list_devices()``).
        auto_shard_dataset: Accepted for Keras compatibility (sharding is always on).
        backend: ``"nccl"``/``"gloo"`` (default: by device).
        timeout: Collective timeout in seconds (default ``KERAS_TORCH_DIST_TIMEOUT`` or 600).
        find_unused_parameters: DDP's unused-parameter detection. ``None`` (default): on when
            an output is compiled without a loss, and switched on (with a warning) if a step
            leaves some trainable weight without gradient.
        static_graph: Passed to ``torch.nn.parallel.DistributedDataParallel``.
        bucket_cap_mb: Passed to ``torch.nn.parallel.DistributedDataParallel``.
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
        if devices is None and device_mesh is not None and device_mesh.devices is not None:
            devices = list(np.asarray(device_mesh.devices).reshape(-1))
        names = [str(d) for d in devices] if devices is not None else None
        if device_mesh is None:
            listed = names or list_devices()
            device_mesh = DeviceMesh((len(listed),), ["batch"], listed)
        mesh = device_mesh
        super().__init__(mesh, mesh.axis_names[0], auto_shard_dataset, devices=names, backend=backend,
                         timeout=timeout)
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

    def __repr__(self) -> str:
        return f"<DataParallel devices={self.devices} world_size={process_group.world_size()}>"

    # ------------------------------------------------------------------ loop
    def wrap_train_step(self, model: Any, step_fn: StepFn) -> StepFn:
        return self._guard_placeholders(model, _TrainStep(self, model, step_fn))

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
