"""Versions, at the bottom so that any module may read them.

``__version__`` is the keras_torch package version (the ONNX exporter stamps it as the producer
version). ``KERAS_API_VERSION`` is the Keras release whose API and file formats keras_torch
emulates: its public-API snapshot, and the ``keras_version`` written into saved files.

What ``keras.__version__`` answers (:func:`public_version`): while keras_torch serves ``import
keras`` / ``tensorflow.keras`` / ``tf_keras`` (``keras-torch run``, ``keras_torch.launcher.install()``)
it is ``KERAS_API_VERSION``, so scripts that branch on the Keras version take the branch for the
API they get, next to the TensorFlow stand-in's ``tf.__version__`` of the same reference setup
(TensorFlow 2.21 with Keras 3.15); otherwise, for ``import keras_torch``, the package version.
"""

from __future__ import annotations

__version__ = "0.1.0"
KERAS_API_VERSION = "3.15.1"


# Whether keras_torch currently answers to ``import keras`` (set by the launcher).
_SERVING = {"as_keras": False}


def serve_as_keras(flag: bool) -> None:
    """Called by the launcher when it starts (``True``) or stops (``False``) serving ``import keras``."""
    _SERVING["as_keras"] = bool(flag)


def public_version() -> str:
    """``keras.__version__``: ``KERAS_API_VERSION`` while serving ``import keras``, else ``__version__``."""
    return KERAS_API_VERSION if _SERVING["as_keras"] else __version__
