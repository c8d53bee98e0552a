"""``tf.data`` stand-in: keras_torch's :class:`~keras_torch.utils.dataset.Dataset` pipeline."""

from __future__ import annotations

from typing import Any

from keras_torch.utils.dataset import AUTOTUNE, Dataset, experimental
from keras_torch.utils.unsupported import unsupported

__all__ = ["AUTOTUNE", "Dataset", "experimental"]


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.data.{name}")
