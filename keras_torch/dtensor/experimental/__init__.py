"""``keras.dtensor.experimental``: the optimizers (``LayoutMap`` is a documented omission)."""

from typing import Any

from keras_torch.core import omissions as _omissions
from keras_torch.dtensor.experimental import optimizers as optimizers

__all__ = ["optimizers"]


def __getattr__(name: str) -> Any:
    raise _omissions.missing_attribute(__name__, name)
