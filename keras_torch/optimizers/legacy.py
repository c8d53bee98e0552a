"""``keras.optimizers.legacy`` / ``.experimental`` (tf.keras 2 scripts): the Keras 3 classes.

Keras 2's legacy classes accepted ``lr=`` and ``decay=``; these classes map ``lr`` to
``learning_rate`` and ignore ``decay`` with a warning, as Keras 3 does.
"""

from __future__ import annotations

from keras_torch.optimizers.adadelta import Adadelta
from keras_torch.optimizers.adagrad import Adagrad
from keras_torch.optimizers.adam import Adam, AdamW
from keras_torch.optimizers.adamax import Adamax
from keras_torch.optimizers.base import Optimizer
from keras_torch.optimizers.ftrl import Ftrl
from keras_torch.optimizers.lion import Lion
from keras_torch.optimizers.nadam import Nadam
from keras_torch.optimizers.rmsprop import RMSprop
from keras_torch.optimizers.sgd import SGD

__all__ = ["SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "Adamax", "Ftrl", "Lion", "Nadam", "Optimizer", "RMSprop"]
