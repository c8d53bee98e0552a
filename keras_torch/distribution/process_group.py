"""The process group: who this process is (from the launcher's environment), joining and leaving.

A launcher (``torchrun``, ``keras-torch run --nproc N``, or anything that sets ``RANK``,
``WORLD_SIZE``, ``MASTER_ADDR``, ``MASTER_PORT`` and ``LOCAL_RANK``) starts one process per
device. The default group is created lazily, when the first ``fit``/``evaluate``/``predict``
runs (or by :func:`initialize`): gloo on CPU, NCCL on CUDA with ``cuda:LOCAL_RANK``, with a
timeout (``KERAS_TORCH_DIST_TIMEOUT`` seconds, default 600) so a dead or stuck rank ends the job
instead of hanging it.
"""

from __future__ import annotations

import atexit
import datetime
import os
import sys
from typing import Any

import torch
import torch.distributed as dist

from keras_torch.core import config as _config

DEFAULT_TIMEOUT_S = 600.0


class _Lifecycle:
    """What this module did to the process group (decides the teardown at exit)."""

    def __init__(self) -> None:
        self.initialized_here = False  # we created the group (and registered the atexit teardown)
        self.failed = False  # the process is ending on an error: leave the group to process exit


_LIFECYCLE = _Lifecycle()


# ---------------------------------------------------------------------- environment
def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except ValueError:
        return default


def env_world_size() -> int:
    """``WORLD_SIZE`` from the environment (1 when unset)."""
    return _env_int("WORLD_SIZE", 1)


def env_rank() -> int:
    """``RANK`` from the environment (0 when unset)."""
    return _env_int("RANK", 0)


def env_local_rank() -> int:
    """``LOCAL_RANK`` from the environment (``RANK`` when unset)."""
    return _env_int("LOCAL_RANK", env_rank())


def env_is_distributed() -> bool:
    """True when a launcher started this process as one of several (``WORLD_SIZE > 1``)."""
    return env_world_size() > 1


def is_initialized() -> bool:
    """True once the default process group exists."""
    return dist.is_available() and dist.is_initialized()


def rank() -> int:
    """This process' rank (the environment's before the group exists; 0 when not distributed)."""
    return dist.get_rank() if is_initialized() else env_rank()


def world_size() -> int:
    """Number of processes (the environment's before the group exists; 1 when not distributed)."""
    return dist.get_world_size() if is_initialized() else env_world_size()


def is_chief() -> bool:
    """True on rank 0 (and in single-process runs): use it to guard your own file writes."""
    return rank() == 0


def process_id() -> int:
    """This process' rank (0 when not distributed); ``keras.distribution.process_id``."""
    return rank()


def num_processes() -> int:
    """Number of processes in the job (1 when not distributed); ``keras.distribution.num_processes``."""
    return world_size()


def mark_failed() -> None:
    """Remember that this process is ending on an error (skip the group shutdown at exit)."""
    _LIFECYCLE.failed = True


# ---------------------------------------------------------------------- set-up
def _timeout(seconds: Any = None) -> datetime.timedelta:
    if seconds is None:
        seconds = os.environ.get("KERAS_TORCH_DIST_TIMEOUT") or DEFAULT_TIMEOUT_S
    return datetime.timedelta(seconds=float(seconds))


def process_device(devices: Any = None) -> torch.device:
    """The device this process trains on: ``devices[LOCAL_RANK]``, ``cuda:LOCAL_RANK`` or CPU.

    It also becomes keras_torch's default device (and the current CUDA device).
    """
    lr = env_local_rank() if env_is_distributed() or is_initialized() else 0
    if devices:
        devs = [torch.device(d) if not isinstance(d, torch.device) else d for d in devices]
        if lr >= len(devs):
            raise ValueError(f"LOCAL_RANK={lr} but the distribution lists only {len(devs)} devices: {devs}.")
        dev = devs[lr]
    else:
        dev = _config.default_device()
        if dev.type == "cuda":
            n = torch.cuda.device_count()
            if lr >= n:
                raise RuntimeError(
                    f"LOCAL_RANK={lr} but only {n} CUDA device(s) are visible: run at most {n} processes per node "
                    "(keras-torch run --nproc N / torchrun --nproc-per-node N), or set KERAS_TORCH_DEVICE=cpu."
                )
            dev = torch.device("cuda", lr)
    if dev.type == "cpu":
        dev = torch.device("cpu")  # "cpu:0" and "cpu" are the same place
    if dev.type == "cuda":
        if dev.index is None:
            dev = torch.device("cuda", torch.cuda.current_device())
        torch.cuda.set_device(dev)
    _config.set_device(dev)
    return dev


def init_process_group(backend: str | None = None, timeout: Any = None, devices: Any = None) -> bool:
    """Create the default process group from the environment if it does not exist yet.

    Args:
        backend: ``"nccl"``/``"gloo"``; default ``KERAS_TORCH_DIST_BACKEND``, else NCCL for
            CUDA and gloo otherwise.
        timeout: Seconds every collective may take (default ``KERAS_TORCH_DIST_TIMEOUT`` or 600).
        devices: Devices of this host indexed by ``LOCAL_RANK`` (see :func:`process_device`).

    Returns:
        True when this process is part of an initialized group.
    """
    if is_initialized():
        return True
    if not env_is_distributed():
        return False
    if not dist.is_available():
        raise RuntimeError("torch.distributed is not available in this PyTorch build.")
    missing = [k for k in ("MASTER_ADDR", "MASTER_PORT") if not os.environ.get(k)]
    if missing:
        raise RuntimeError(
            f"WORLD_SIZE={env_world_size()} but {', '.join(missing)} is not set: launch with `keras-torch run "
            "--nproc N script.py` or `torchrun`, or set MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE and LOCAL_RANK."
        )
    device = process_device(devices)
    backend = backend or os.environ.get("KERAS_TORCH_DIST_BACKEND") or ("nccl" if device.type == "cuda" else "gloo")
    kwargs: dict[str, Any] = {}
    if backend == "nccl" and device.type == "cuda":
        kwargs["device_id"] = device  # eager NCCL init bound to this process' GPU
    dist.init_process_group(backend=backend, timeout=_timeout(timeout), **kwargs)
    if not _LIFECYCLE.initialized_here:
        atexit.register(_shutdown)
    _LIFECYCLE.initialized_here = True
    return True


def initialize(job_addresses: str | None = None, num_processes: int | None = None, process_id: int | None = None,
               backend: str | None = None, timeout: float | None = None) -> bool:
    """Join the process group (Keras signature); a no-op for a single process.

    Under ``torchrun``/``keras-torch run`` call it without arguments (or not at all: ``fit``
    initializes lazily). Otherwise give ``job_addresses`` (``"host:port"`` of rank 0, or a
    comma-separated list whose first entry is used), ``num_processes`` and ``process_id``, or
    set Keras's ``KERAS_DISTRIBUTION_JOB_ADDRESSES`` / ``_NUM_PROCESSES`` / ``_PROCESS_ID``.

    Args:
        job_addresses: ``"host:port"`` of rank 0 (sets ``MASTER_ADDR``/``MASTER_PORT``).
        num_processes: Number of processes (sets ``WORLD_SIZE``).
        process_id: This process' rank (sets ``RANK``, and ``LOCAL_RANK`` when unset).
        backend: ``"nccl"``/``"gloo"`` (default: by device).
        timeout: Collective timeout in seconds.

    Returns:
        True when this process is part of a multi-process group.
    """
    # Keras's variables configure the same thing.
    job_addresses = job_addresses or os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES") or None
    if num_processes is None and os.environ.get("KERAS_DISTRIBUTION_NUM_PROCESSES"):
        num_processes = int(os.environ["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and os.environ.get("KERAS_DISTRIBUTION_PROCESS_ID"):
        process_id = int(os.environ["KERAS_DISTRIBUTION_PROCESS_ID"])
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
    return init_process_group(backend=backend, timeout=timeout)


# ---------------------------------------------------------------------- teardown
def _shutdown() -> None:
    # Tear the group down at a clean exit (avoids NCCL's "not destroyed" warning). After an
    # error a peer may be gone, so leave it to process exit rather than risk blocking.
    if _LIFECYCLE.failed or getattr(sys, "last_value", None) is not None:
        return
    try:
        if is_initialized():
            # All processes meet first: a process tearing its gloo connections down while a peer still
            # finishes the last collective could abort at exit ("terminate called without an active
            # exception", about 1 launch in 10 of tests/distributed/_memory_worker.py). A peer that
            # ended on an error closed its connections: the barrier then fails at once.
            dist.barrier()
            dist.destroy_process_group()
    except Exception:  # noqa: BLE001 - best effort at interpreter exit
        pass
