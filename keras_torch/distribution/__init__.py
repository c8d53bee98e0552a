"""``keras.distribution`` on ``torch.distributed``: data-parallel training, one process per device.

Quick start — the script does not change::

    keras-torch run --nproc 4 train.py          # 4 processes; CUDA: one GPU each (NCCL), else gloo
    torchrun --nproc-per-node 4 train.py        # same thing with torchrun (train.py imports keras_torch)

Inside such a process ``fit``/``evaluate``/``predict`` are data-parallel automatically (any
launcher that sets ``RANK``, ``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` and ``LOCAL_RANK``
works; ``KERAS_TORCH_DISTRIBUTE=0`` turns the automatic mode off). Explicitly, as in Keras::

    import keras_torch as keras
    keras.distribution.set_distribution(keras.distribution.DataParallel())

Semantics (matching ``tf.distribute`` / Keras 3):

* ``batch_size`` is the **global** batch; each rank trains on its contiguous share of every
  global batch. All ranks draw the same shuffle (seed broadcast from rank 0), so each sample
  is seen exactly once per epoch across ranks. A final partial batch is split the same way
  (a rank with an empty share runs a weight-0 placeholder), and gradients are combined with
  weights ``local_rows / global_rows``: each update equals the single-process update on that
  global batch (for losses that average over samples, the Keras default).
* Weights, buffers and optimizer state are broadcast from rank 0 when ``fit`` starts (after
  ``BackupAndRestore`` restored, so rank 0's backup wins); non-trainable state updated by the
  forward pass (e.g. BatchNorm moving statistics) is re-broadcast from rank 0 at each epoch end.
* Loss and metrics are reduced by summing the metric state variables (totals/counts) over all
  ranks, so every rank gets the same logs and ``History``, equal to single-process training;
  ``EarlyStopping``/``ReduceLROnPlateau`` therefore decide identically everywhere.
* Rank 0 alone prints progress bars and writes files from callbacks (``CSVLogger``,
  ``ModelCheckpoint``, ``BackupAndRestore``, ``TensorBoard``); ``fit`` ends with a barrier so
  those files exist on return. Guard your own ``model.save(...)`` with
  ``if keras.distribution.is_chief():``.
* ``predict`` on arrays splits the samples into contiguous shards and returns **all**
  predictions, in order, on every rank (an all-gather). Generators/datasets are predicted whole
  on every rank. ``evaluate`` returns the global result on every rank.
* Every rank must make the same calls (``fit``/``evaluate``/``predict`` are collective). A rank
  that raises ends the job: its peers fail on the broken connection or, at worst, after the
  collective timeout (``KERAS_TORCH_DIST_TIMEOUT`` seconds, default 600).

Multi-node (torchrun's rendezvous; run the same command on every node)::

    # every node, e.g. 2 nodes x 8 GPUs; HOST = any reachable node (the rendezvous endpoint)
    torchrun --nnodes 2 --nproc-per-node 8 \\
        --rdzv-backend c10d --rdzv-endpoint HOST:29400 --rdzv-id my-job \\
        -m keras_torch run train.py      # or: train.py directly if it imports keras_torch

    # static alternative: --nnodes 2 --node-rank {0,1} --master-addr HOST --master-port 29500

Elastic ranges (``--nnodes 1:4``, ``--max-restarts 3``) restart all workers after a failure;
combine with ``BackupAndRestore`` to resume at the last finished epoch. Set
``NCCL_SOCKET_IFNAME``/``GLOO_SOCKET_IFNAME`` when nodes have several network interfaces.
Without torchrun, call ``initialize(job_addresses="HOST:PORT", num_processes=N, process_id=i)``.

Limitations: one process per device (no single-process multi-GPU); BatchNorm uses per-rank
batch statistics (as Keras without SyncBatchNorm); losses with ``reduction="sum"`` or masked
averaging give per-step gradients that differ slightly from single-process on uneven splits;
a custom ``train_step`` must call the model itself (``self(x)``) once per backward (the DDP
contract; GAN-style steps that only call sub-models are refused with an explanation).

FSDP design note (not implemented): ``ModelParallel``/``LayoutMap`` would map onto
``torch.distributed.fsdp.fully_shard`` (FSDP2) with a 1-D ``DeviceMesh`` (data axis) or 2-D
(``("batch", "model")``, HSDP). Each top-level Keras layer (or a ``LayoutMap`` regex group)
becomes one ``fully_shard`` unit so its parameters become ``DTensor`` shards that are
all-gathered for forward/backward and reduce-scattered after; the model would be sharded in
place (it stays a keras_torch Model). Our optimizers step per tensor, so they work on local
shards unchanged (elementwise updates) except those reading global norms (``clipnorm``,
``global_clipnorm``), which need a DTensor-aware norm. The data path above is reused as is.
Saving would gather with ``torch.distributed.checkpoint.state_dict.get_model_state_dict(...,
full_state_dict=True, cpu_offload=True)`` on rank 0, so ``.keras``/``.h5`` files stay identical.
Weights created lazily (unbuilt subclassed models) must be built before sharding.
"""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.distribution import runtime as _engine

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "ModelParallel",
    "distribution",
    "initialize",
    "is_chief",
    "list_devices",
    "process_id",
    "num_processes",
    "set_distribution",
]


def list_devices(device_type: str | None = None) -> list[str]:
    """Devices of this host, as ``"cuda:0"``, ``"cuda:1"``... (or ``["cpu:0"]``).

    Args:
        device_type: ``"gpu"``/``"cuda"``, ``"mps"`` or ``"cpu"``; default: the accelerator if any.
    """
    kind = (device_type or "").lower()
    if kind in ("gpu", "cuda") or (not kind and torch.cuda.is_available()):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if kind == "mps" or (not kind and getattr(torch.backends, "mps", None) is not None
                         and torch.backends.mps.is_available()):
        return ["mps:0"]
    if kind not in ("", "cpu"):
        raise ValueError(f"Unknown device_type {device_type!r}: expected 'gpu', 'cuda', 'mps' or 'cpu'.")
    return ["cpu:0"]


def initialize(job_addresses: str | None = None, num_processes: int | None = None, process_id: int | None = None,
               backend: str | None = None, timeout: float | None = None) -> bool:
    """Join the process group (Keras signature); a no-op for a single process.

    Under ``torchrun``/``keras-torch run`` call it without arguments (or not at all: ``fit``
    initializes lazily). Otherwise give ``job_addresses`` (``"host:port"`` of rank 0, or a
    comma-separated list whose first entry is used), ``num_processes`` and ``process_id``.
    Returns True when this process is part of a multi-process group.
    """
    import os

    if job_addresses:
        first = str(job_addresses).split(",")[0].strip()
        host, _, port = first.rpartition(":")
        os.environ["MASTER_ADDR"] = host or first
        os.environ["MASTER_PORT"] = port or os.environ.get("MASTER_PORT", "29500")
    if num_processes is not None:
        os.environ["WORLD_SIZE"] = str(int(num_processes))
    if process_id is not None:
        os.environ["RANK"] = str(int(process_id))
        if "LOCAL_RANK" not in os.environ:
            n = torch.cuda.device_count()
            os.environ["LOCAL_RANK"] = str(int(process_id) % n if n else 0)
    return _engine.initialize(backend=backend, timeout=timeout)


def process_id() -> int:
    """This process' rank (0 when not distributed)."""
    return _engine.rank()


def num_processes() -> int:
    """Number of processes in the job (1 when not distributed)."""
    return _engine.world_size()


def is_chief() -> bool:
    """True on rank 0 (and in single-process runs): use it to guard your own file writes."""
    return _engine.is_chief()


class DeviceMesh:
    """Devices arranged on named axes (``keras.distribution.DeviceMesh``); 1-D for data parallel."""

    def __init__(self, shape: Any, axis_names: Any, devices: Any = None) -> None:
        shape = tuple(int(s) for s in (shape if isinstance(shape, (list, tuple)) else (shape,)))
        axis_names = list(axis_names) if isinstance(axis_names, (list, tuple)) else [axis_names]
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names cannot be mismatched. Received: {shape} and {axis_names}")
        self.shape = shape
        self.axis_names = axis_names
        self.devices = list(devices) if devices is not None else None

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class DataParallel:
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
        self.device_mesh = device_mesh or DeviceMesh((len(self.devices or []) or _engine.world_size(),), ["batch"],
                                                     self.devices)
        self.batch_dim_name = self.device_mesh.axis_names[0]
        self.auto_shard_dataset = auto_shard_dataset
        self.backend = backend
        self.timeout = timeout
        self.find_unused_parameters = find_unused_parameters
        self.static_graph = static_graph
        self.bucket_cap_mb = bucket_cap_mb
        if self.devices and len(self.devices) > 1 and not (_engine.env_is_distributed() or _engine.is_initialized()):
            raise ValueError(
                f"DataParallel(devices={self.devices}) runs one process per device: launch the script with "
                f"`keras-torch run --nproc {len(self.devices)} script.py` (or torchrun --nproc-per-node "
                f"{len(self.devices)})."
            )

    def __repr__(self) -> str:
        return f"<DataParallel devices={self.devices} world_size={_engine.world_size()}>"


class ModelParallel:
    """Not available yet: see the FSDP design note in ``keras_torch.distribution``'s docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "keras_torch.distribution.ModelParallel is not implemented; use DataParallel (one process per device). "
            "Sharded (FSDP) training is planned, see the keras_torch.distribution module docstring."
        )


def set_distribution(value: DataParallel | None) -> None:
    """Set the distribution used by ``fit``/``evaluate``/``predict``.

    ``None`` turns distribution off (each process trains alone even under torchrun). Until this
    is called, a ``DataParallel`` is used automatically when the process was launched as one
    of several.
    """
    if value is not None and not isinstance(value, DataParallel):
        raise ValueError(f"Invalid `Distribution` instance: {value!r}. keras_torch supports DataParallel.")
    _engine._STATE.distribution = value
    _engine._STATE.runtime = None
    _engine._STATE.runtime_owner = None


def distribution() -> DataParallel | None:
    """The active distribution (``None`` in a single process unless one was set)."""
    return _engine.current_distribution()
