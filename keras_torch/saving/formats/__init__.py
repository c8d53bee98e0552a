"""The Keras file formats: :mod:`.keras_archive` (``.keras``, ``.weights.h5``) and :mod:`.legacy_h5` (``.h5``)."""

from keras_torch.core.version import KERAS_API_VERSION

# The Keras release whose file formats keras_torch writes (root attrs / metadata.json).
KERAS_VERSION = KERAS_API_VERSION
BACKEND = "torch"
