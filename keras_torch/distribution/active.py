"""Which distribution the user chose (``set_distribution``, ``Distribution.scope()``)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import Any

from keras_torch.core import pending


class Active:
    """The distribution chosen with ``set_distribution`` (or the automatic one)."""

    def __init__(self) -> None:
        self.explicit = False  # set_distribution() was called: ``chosen`` is used as is
        self.chosen: Any = None  # a Distribution, or None (distribution off)
        self.automatic: Any = None  # the DataParallel created for a distributed environment


ACTIVE = Active()


@contextlib.contextmanager
def chosen(value: Any) -> Iterator[None]:
    """``value`` is the chosen distribution within the block; the previous choice comes back after."""
    outer = (ACTIVE.explicit, ACTIVE.chosen, pending.installed())
    ACTIVE.explicit, ACTIVE.chosen = True, value
    pending.install(value.creation_keeper() if value is not None else None)
    try:
        yield
    finally:
        ACTIVE.explicit, ACTIVE.chosen = outer[:2]
        pending.install(outer[2])
