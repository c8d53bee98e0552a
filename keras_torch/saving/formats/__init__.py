"""The Keras file formats: :mod:`.keras_archive` (``.keras``, ``.weights.h5``) and :mod:`.legacy_h5` (``.h5``)."""

# The Keras release whose file formats keras_torch writes (root attrs / metadata.json).
KERAS_VERSION = "3.15.1"
BACKEND = "torch"
