"""MNIST handwritten digits dataset (``keras.datasets.mnist``)."""

from __future__ import annotations

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file

ORIGIN = f"{TF_KERAS_DATASETS}mnist.npz"
FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(path: str = "mnist.npz") -> tuple:
    """Load MNIST: ``(x_train, y_train), (x_test, y_test)``.

    ``x_*`` are ``uint8`` arrays ``(60000, 28, 28)`` / ``(10000, 28, 28)`` with values 0-255,
    ``y_*`` ``uint8`` labels 0-9. The file is cached as ``~/.keras/datasets/<path>``.

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays.
    """
    path = get_file(fname=path, origin=ORIGIN, file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x_train, y_train = f["x_train"], f["y_train"]
        x_test, y_test = f["x_test"], f["y_test"]
    return (x_train, y_train), (x_test, y_test)
