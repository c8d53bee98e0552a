"""``ModelParallel``: not available yet (see the FSDP design note in ``keras_torch.distribution``)."""

from __future__ import annotations

from typing import Any


class ModelParallel:
    """Not available yet: see the FSDP design note in ``keras_torch.distribution``'s docstring."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "keras_torch.distribution.ModelParallel is not implemented; use DataParallel (one process per device). "
            "Sharded (FSDP) training is planned, see the keras_torch.distribution module docstring."
        )
