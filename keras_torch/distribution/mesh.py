"""Devices: the ones this host has, and a mesh of them on named axes (``keras.distribution``)."""

from __future__ import annotations

from typing import Any

import torch


def list_devices(device_type: str | None = None) -> list[str]:
    """Devices of this host, as ``"cuda:0"``, ``"cuda:1"``... (or ``["cpu:0"]``).

    Args:
        device_type: ``"gpu"``/``"cuda"``, ``"mps"`` or ``"cpu"``; default: the accelerator if any.

    Returns:
        Device names.
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


class DeviceMesh:
    """Devices arranged on named axes (``keras.distribution.DeviceMesh``); 1-D for data parallel.

    Args:
        shape: Size of each axis.
        axis_names: Name of each axis (e.g. ``["batch"]``).
        devices: The devices, if given.
    """

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
