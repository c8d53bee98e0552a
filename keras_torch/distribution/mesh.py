"""Devices, and a mesh of them on named axes (``keras.distribution.DeviceMesh``).

keras_torch runs one process per device, so the devices of a job are its processes: a
``DeviceMesh`` of shape ``(2, 4)`` is 8 processes laid out row-major by rank (rank ``r`` sits at
``divmod(r, 4)``), and becomes a ``torch.distributed.device_mesh.DeviceMesh`` with the same axis
names once the process group exists.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.distribution import process_group


def _host_devices(kind: str) -> list[str]:
    if kind in ("gpu", "cuda") or (not kind and torch.cuda.is_available()):
        return [f"cuda:{i}" for i in range(torch.cuda.device_count())]
    if kind == "mps" or (not kind and getattr(torch.backends, "mps", None) is not None
                         and torch.backends.mps.is_available()):
        return ["mps:0"]
    if kind not in ("", "cpu"):
        raise ValueError(f"Unknown device_type {kind!r}: expected 'gpu', 'cuda', 'mps' or 'cpu'.")
    return ["cpu:0"]


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices of the job, as ``"cuda:0"``, ``"cuda:1"``... (or ``"cpu:0"``...).

    In a process launched as one of several (``keras-torch run --nproc N``, ``torchrun``) these
    are the job's devices, one per process, numbered by rank (as Keras lists global devices);
    otherwise this host's devices.

    Args:
        device_type: ``"gpu"``/``"cuda"``, ``"mps"`` or ``"cpu"``; default: the accelerator if any.

    Returns:
        Device names.
    """
    kind = (device_type or "").lower()
    host = _host_devices(kind)
    if process_group.env_is_distributed() or process_group.is_initialized():
        n = process_group.world_size()
        if n > 1:
            prefix = host[0].split(":")[0] if kind else _config.default_device().type
            return [f"{prefix}:{i}" for i in range(n)]
    return host


def get_device_count(device_type: str | None = None) -> int:
    """Number of devices :func:`list_devices` returns (the job's, when it runs several processes).

    Args:
        device_type: ``"gpu"``/``"cuda"``, ``"mps"`` or ``"cpu"``; default: the accelerator if any.

    Returns:
        The number of devices.
    """
    return len(list_devices(device_type))


class DeviceMesh:
    """Devices on named axes (``keras.distribution.DeviceMesh``), e.g. ``(2, 4)`` as ``("batch", "model")``.

    Args:
        shape: Size of each axis; their product is the number of processes of the job.
        axis_names: Name of each axis (``("batch", "model")``).
        devices: The devices (default :func:`list_devices`); as many as the shape holds.

    Raises:
        ValueError: Empty or mismatched ``shape``/``axis_names``, or a device count that is not
            the product of ``shape``.
    """

    def __init__(self, shape: Any, axis_names: Any, devices: Any = None) -> None:
        shape = tuple(int(s) for s in (shape if isinstance(shape, (list, tuple)) else (shape,)))
        axis_names = list(axis_names) if isinstance(axis_names, (list, tuple)) else [axis_names]
        if not shape or not axis_names:
            raise ValueError(f"Shape and axis_names cannot be empty. Received: shape={shape}, axis_names={axis_names}")
        if len(shape) != len(axis_names):
            raise ValueError(f"Shape and axis_names should have same size. Received: shape={shape}, "
                             f"axis_names={axis_names}")
        if len(set(axis_names)) != len(axis_names):
            raise ValueError(f"Mesh axis names must be unique. Received: axis_names={axis_names}")
        if devices is None:
            devices = list_devices()
        devices = np.asarray(devices)
        if math.prod(shape) != devices.size:
            raise ValueError(f"Shape does not match the number of devices. Received: shape={shape}; "
                             f"devices.shape={devices.shape}. keras_torch runs one process per device: launch "
                             f"{math.prod(shape)} processes (keras-torch run --nproc {math.prod(shape)}).")
        self._shape = shape
        self._axis_names = axis_names
        self._devices = devices.reshape(shape)
        self._torch_mesh: Any = None  # the torch DeviceMesh, made once the process group exists

    @property
    def shape(self) -> tuple[int, ...]:
        return self._shape

    @property
    def axis_names(self) -> list[str]:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    def axis_size(self, name: str) -> int:
        """Number of devices along axis ``name``."""
        return self._shape[self._axis_names.index(name)]

    @property
    def backend_mesh(self) -> Any:
        """The ``torch.distributed.device_mesh.DeviceMesh`` (Keras name); needs the process group."""
        return self.torch_mesh()

    def torch_mesh(self) -> Any:
        """This mesh as a torch ``DeviceMesh`` over the job's processes (created on first use, collectively).

        Raises:
            RuntimeError: No process group, or one whose size is not the product of ``shape``.
        """
        if self._torch_mesh is None:
            from torch.distributed.device_mesh import init_device_mesh

            world = process_group.world_size() if process_group.is_initialized() else 1
            if world != math.prod(self._shape):
                raise RuntimeError(f"DeviceMesh shape {self._shape} needs {math.prod(self._shape)} processes, but "
                                   f"this job runs {world}: launch with keras-torch run --nproc "
                                   f"{math.prod(self._shape)} (or torchrun --nproc-per-node ...).")
            kind = process_group.process_device().type
            self._torch_mesh = init_device_mesh(kind, self._shape, mesh_dim_names=tuple(self._axis_names))
        return self._torch_mesh

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self._shape}, axis_names={self._axis_names}>"

    def __str__(self) -> str:
        return self.__repr__()
