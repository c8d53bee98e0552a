"""Boston housing price regression dataset (``keras.datasets.boston_housing``)."""

from __future__ import annotations

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file

FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def load_data(path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113) -> tuple:
    """Load Boston housing: ``(x_train, y_train), (x_test, y_test)``, 13 features, prices in k$.

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.
        test_split: Fraction of the data used for the test set, in ``[0, 1)``.
        seed: Seed of the shuffle before the split.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays.

    Raises:
        ValueError: for a ``test_split`` outside ``[0, 1)``.
    """
    if not (0 <= test_split < 1):
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1).")
    path = get_file(path, origin=f"{TF_KERAS_DATASETS}boston_housing.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x = f["x"]
        y = f["y"]
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x = x[indices]
    y = y[indices]
    split = int(len(x) * (1 - test_split))
    x_train, y_train = np.array(x[:split]), np.array(y[:split])
    x_test, y_test = np.array(x[split:]), np.array(y[split:])
    return (x_train, y_train), (x_test, y_test)
