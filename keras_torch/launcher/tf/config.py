"""``tf.config`` stand-in: device listing maps to torch; memory growth is a no-op."""

from __future__ import annotations

from typing import Any

import torch

from keras_torch.utils.unsupported import unsupported


class PhysicalDevice:
    def __init__(self, name: str, device_type: str) -> None:
        self.name, self.device_type = name, device_type

    def __repr__(self) -> str:
        return f"PhysicalDevice(name='{self.name}', device_type='{self.device_type}')"


def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
    devices = [PhysicalDevice("/physical_device:CPU:0", "CPU")]
    devices += [PhysicalDevice(f"/physical_device:GPU:{i}", "GPU") for i in range(torch.cuda.device_count())]
    if device_type is None:
        return devices
    return [d for d in devices if d.device_type == device_type.upper()]


list_logical_devices = list_physical_devices


def run_functions_eagerly(run_eagerly: bool) -> None:
    """No-op: keras_torch always runs eagerly."""


class experimental:  # noqa: N801 - tf.config.experimental namespace
    @staticmethod
    def set_memory_growth(device: Any, enable: bool) -> None:
        """No-op: torch's caching allocator already grows on demand."""

    @staticmethod
    def list_physical_devices(device_type: str | None = None) -> list[PhysicalDevice]:
        return list_physical_devices(device_type)

    @staticmethod
    def set_visible_devices(devices: Any, device_type: str | None = None) -> None:
        """No-op (use CUDA_VISIBLE_DEVICES)."""


def set_visible_devices(devices: Any, device_type: str | None = None) -> None:
    """No-op (use CUDA_VISIBLE_DEVICES)."""


threading = experimental


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.config.{name}")
