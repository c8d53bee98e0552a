"""CIFAR10 small images classification dataset (``keras.datasets.cifar10``)."""

from __future__ import annotations

import os

import numpy as np

from keras_torch.datasets._common import get_file, image_data_format, keras_home, legacy_cache_dir, load_cifar_batch

DIRNAME = "cifar-10-batches-py-target"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_FILES = tuple(f"data_batch_{i}" for i in range(1, 6)) + ("test_batch",)


def _batches_dir() -> str:
    keras3_dir = os.path.join(keras_home(), "datasets", DIRNAME)
    if not os.path.isdir(keras3_dir):
        legacy = legacy_cache_dir("cifar-10-batches-py", _FILES)  # extracted by Keras 2 / tf.keras
        if legacy is not None:
            return legacy
    return os.path.join(get_file(fname=DIRNAME, origin=ORIGIN, extract=True, file_hash=FILE_HASH),
                        "cifar-10-batches-py")


def load_data() -> tuple:
    """Load CIFAR10: ``(x_train, y_train), (x_test, y_test)``.

    ``x_*``: ``uint8`` ``(n, 32, 32, 3)`` (``(n, 3, 32, 32)`` with channels_first), ``y_*``: ``uint8``
    ``(n, 1)`` labels 0-9. Cached in ``~/.keras/datasets/cifar-10-batches-py-target/`` (an existing
    Keras 2 ``~/.keras/datasets/cifar-10-batches-py/`` is reused).

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays (50000 training and 10000 test images).
    """
    path = _batches_dir()
    batches = [load_cifar_batch(os.path.join(path, f"data_batch_{i}")) for i in range(1, 6)]
    num_train_samples = sum(len(b[0]) for b in batches)
    x_train = np.empty((num_train_samples, 3, 32, 32), dtype="uint8")
    y_train = np.empty((num_train_samples,), dtype="uint8")
    start = 0
    for data, labels in batches:
        x_train[start : start + len(data)] = data
        y_train[start : start + len(data)] = labels
        start += len(data)
    x_test, y_test = load_cifar_batch(os.path.join(path, "test_batch"))
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    x_test = x_test.astype(x_train.dtype)
    y_test = y_test.astype(y_train.dtype)
    return (x_train, y_train), (x_test, y_test)
