"""The active distribution, and the strategy ``fit``/``evaluate``/``predict`` run under.

Until :func:`set_distribution` is called, a ``DataParallel`` is used automatically when the
environment says this process is one of several (``WORLD_SIZE > 1``, as set by ``torchrun`` or
``keras-torch run --nproc N``), unless ``KERAS_TORCH_DISTRIBUTE=0``.
"""

from __future__ import annotations

import os

from keras_torch.core import pending
from keras_torch.distribution import process_group
from keras_torch.distribution.active import ACTIVE
from keras_torch.distribution.base import Distribution
from keras_torch.distribution.data_parallel import DataParallel
from keras_torch.distribution.strategy import SINGLE_DEVICE, Strategy

_ACTIVE = ACTIVE


def _auto_enabled() -> bool:
    return os.environ.get("KERAS_TORCH_DISTRIBUTE", "1").lower() not in ("0", "false", "no", "off")


def set_distribution(value: Distribution | None) -> None:
    """Set the distribution used by ``fit``/``evaluate``/``predict``.

    ``None`` turns distribution off (each process trains alone even under torchrun). Until this
    is called, a ``DataParallel`` is used automatically when the process was launched as one
    of several.

    Args:
        value: A ``DataParallel``, ``ModelParallel`` or ``FSDP``, or ``None``.
    """
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(f"Invalid `Distribution` instance: {value!r}. Expected DataParallel, ModelParallel, FSDP "
                         "or None.")
    _ACTIVE.explicit = True
    _ACTIVE.chosen = value
    pending.install(value.creation_keeper() if value is not None else None)


def distribution() -> Distribution | None:
    """The active distribution: the one set by ``set_distribution`` / a ``scope()``, else ``DataParallel``
    when the process was launched as one of several (``keras-torch run --nproc N``, ``torchrun``) unless
    ``KERAS_TORCH_DISTRIBUTE=0``.

    Returns:
        The distribution, or ``None`` in a single process unless one was set.
    """
    if _ACTIVE.explicit:
        return _ACTIVE.chosen
    if not _auto_enabled():
        return None
    if not (process_group.env_is_distributed() or (process_group.is_initialized() and process_group.world_size() > 1)):
        return None
    if _ACTIVE.automatic is None:
        _ACTIVE.automatic = DataParallel()
    return _ACTIVE.automatic


def current_strategy() -> Strategy:
    """The strategy of the next ``fit``/``evaluate``/``predict``: the active distribution once this
    process joined a group of several (joining it now if needed), else single-device."""
    d = distribution()
    if d is not None and d.connect():
        return d
    return SINGLE_DEVICE
