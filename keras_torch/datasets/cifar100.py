"""CIFAR100 small images classification dataset (``keras.datasets.cifar100``)."""

from __future__ import annotations

import os

import numpy as np

from keras_torch.datasets._common import get_file, image_data_format, keras_home, legacy_cache_dir, load_cifar_batch

DIRNAME = "cifar-100-python-target"
ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"


def load_data(label_mode: str = "fine") -> tuple:
    """Load CIFAR100: ``(x_train, y_train), (x_test, y_test)``.

    ``x_*``: ``uint8`` ``(n, 32, 32, 3)``, ``y_*``: ``(n, 1)`` labels. Cached in
    ``~/.keras/datasets/cifar-100-python-target/`` (an existing Keras 2 cache is reused).

    Args:
        label_mode: ``"fine"`` (100 classes) or ``"coarse"`` (20 superclasses).

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays (50000 training and 10000 test images).
    """
    if label_mode not in ["fine", "coarse"]:
        raise ValueError(f'`label_mode` must be one of `"fine"`, `"coarse"`. Received: label_mode={label_mode}.')
    path = None
    if not os.path.isdir(os.path.join(keras_home(), "datasets", DIRNAME)):
        path = legacy_cache_dir("cifar-100-python", ("train", "test"))
    if path is None:
        path = os.path.join(get_file(fname=DIRNAME, origin=ORIGIN, extract=True, file_hash=FILE_HASH),
                            "cifar-100-python")
    x_train, y_train = load_cifar_batch(os.path.join(path, "train"), label_key=f"{label_mode}_labels")
    x_test, y_test = load_cifar_batch(os.path.join(path, "test"), label_key=f"{label_mode}_labels")
    y_train = np.reshape(y_train, (len(y_train), 1))
    y_test = np.reshape(y_test, (len(y_test), 1))
    if image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
