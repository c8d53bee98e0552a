"""Fashion-MNIST dataset (``keras.datasets.fashion_mnist``)."""

from __future__ import annotations

import gzip
import os

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file

FILES = ("train-labels-idx1-ubyte.gz", "train-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz",
         "t10k-images-idx3-ubyte.gz")


def load_data() -> tuple:
    """Load Fashion-MNIST: ``(x_train, y_train), (x_test, y_test)``, ``uint8`` 28x28 images and labels 0-9.

    The four idx files are cached in ``~/.keras/datasets/fashion-mnist/``.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``: ``(60000, 28, 28)`` and ``(10000, 28, 28)`` images.
    """
    dirname = os.path.join("datasets", "fashion-mnist")
    paths = [get_file(fname, origin=TF_KERAS_DATASETS + fname, cache_subdir=dirname) for fname in FILES]
    with gzip.open(paths[0], "rb") as lbpath:
        y_train = np.frombuffer(lbpath.read(), np.uint8, offset=8)
    with gzip.open(paths[1], "rb") as imgpath:
        x_train = np.frombuffer(imgpath.read(), np.uint8, offset=16).reshape(len(y_train), 28, 28)
    with gzip.open(paths[2], "rb") as lbpath:
        y_test = np.frombuffer(lbpath.read(), np.uint8, offset=8)
    with gzip.open(paths[3], "rb") as imgpath:
        x_test = np.frombuffer(imgpath.read(), np.uint8, offset=16).reshape(len(y_test), 28, 28)
    return (x_train, y_train), (x_test, y_test)
