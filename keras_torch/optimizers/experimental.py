"""``keras.optimizers.experimental`` (tf.keras 2.9-2.11 scripts): the Keras 3 optimizer classes."""

from __future__ import annotations

from keras_torch.optimizers.adafactor import Adafactor
from keras_torch.optimizers.legacy import *  # noqa: F403
from keras_torch.optimizers.legacy import __all__ as _legacy

__all__ = [*_legacy, "Adafactor"]
