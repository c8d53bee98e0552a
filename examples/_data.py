"""Data for the tutorial examples: the bundled real UCI digits (offline).

Set KERAS_TORCH_TINY=1 to use a small subset (the test suite does), keeping every Keras call
of the tutorial exactly as written.
"""

import os

import numpy as np

from keras_torch.datasets.digits import load_data

_TINY = os.environ.get("KERAS_TORCH_TINY") == "1"


def _take(*arrays, n=160):
    return tuple(a[:n] for a in arrays) if _TINY else arrays


def mlp_data():
    """100 features (10x10 digit images, flattened), one-hot labels."""
    (x, y), (xt, yt) = load_data(10)
    eye = np.eye(10, dtype="float32")
    x_train, y_train = _take(x.reshape(len(x), 100), eye[y])
    return x_train, y_train, xt.reshape(len(xt), 100), eye[yt]


def cnn_data():
    """28x28x1 digit images, one-hot labels."""
    (x, y), (xt, yt) = load_data(28)
    eye = np.eye(10, dtype="float32")
    x_train, y_train = _take(x, eye[y])
    return x_train, y_train, xt, eye[yt]


def sequence_data():
    """Each 10x10 digit read as a sequence of 100 pixels, one feature per step."""
    x_train, y_train, x_test, y_test = mlp_data()
    return x_train[..., None], y_train, x_test[..., None], y_test
