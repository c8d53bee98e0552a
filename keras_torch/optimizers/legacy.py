"""``keras.optimizers.legacy`` / ``.experimental`` (tf.keras 2 scripts): the Keras 3 classes.

Keras 2's legacy classes accepted ``lr=`` and ``decay=``; these classes map ``lr`` to
``learning_rate`` and ignore ``decay`` with a warning, as Keras 3 does.
"""

from __future__ import annotations

from keras_torch.optimizers import (
    SGD,
    Adadelta,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Ftrl,
    Lion,
    Nadam,
    Optimizer,
    RMSprop,
)

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam", "Optimizer", "RMSprop"]
