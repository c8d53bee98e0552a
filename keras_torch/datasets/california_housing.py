"""California housing price regression dataset (``keras.datasets.california_housing``)."""

from __future__ import annotations

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file

FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"


def load_data(version: str = "large", path: str = "california_housing.npz", test_split: float = 0.2,
              seed: int = 113) -> tuple:
    """Load California housing: ``(x_train, y_train), (x_test, y_test)``, 8 features, prices in $.

    ``version="small"`` keeps the first 600 samples (a stand-in for ``boston_housing``).

    Args:
        version: "large" (all 20640 samples) or "small" (the first 600).
        path: File name of the cached copy, under ``~/.keras/datasets/``.
        test_split: Fraction of the data used for the test set, in ``[0, 1)``.
        seed: Seed of the shuffle before the split.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays.
    """
    if not (0 <= test_split < 1):
        raise ValueError(f"Invalid `test_split` argument: {test_split}. It must be between 0 and 1 (exclusive of 1).")
    path = get_file(path, origin=f"{TF_KERAS_DATASETS}california_housing.npz", file_hash=FILE_HASH)
    with np.load(path, allow_pickle=False) as f:
        x = f["x"]
        y = f["y"]
    if version == "small":
        x = x[:600]
        y = y[:600]
    elif version != "large":
        raise ValueError(f"Argument `version` must be one of 'small', 'large'. Received: version={version}")
    rng = np.random.RandomState(seed)
    indices = np.arange(len(x))
    rng.shuffle(indices)
    x = x[indices]
    y = y[indices]
    split = int(len(x) * (1 - test_split))
    x_train, y_train = np.array(x[:split]), np.array(y[:split])
    x_test, y_test = np.array(x[split:]), np.array(y[split:])
    return (x_train, y_train), (x_test, y_test)
