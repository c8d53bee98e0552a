"""Helpers shared by the ``keras.datasets`` loaders (same file formats and cache layout as Keras 3)."""

from __future__ import annotations

import io
import os
import pickle
import zipfile
from typing import Any

import numpy as np

from keras_torch.utils.file_utils import get_file, keras_home

TF_KERAS_DATASETS = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

__all__ = ["TF_KERAS_DATASETS", "get_file", "keras_home", "load_npz", "load_cifar_batch", "remove_long_seq",
           "legacy_cache_dir"]

# Only what rebuilding a numpy (object) array needs: a tampered .npz cannot run code.
_ALLOWED_PICKLE_GLOBALS = frozenset({
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
})


class RestrictedUnpickler(pickle.Unpickler):
    """Unpickler allowing only numpy array reconstruction (as Keras's ``npz_utils``)."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED_PICKLE_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(
            f"Refusing to deserialize `{module}.{name}` while loading a Keras dataset. "
            "The file may be corrupted or malicious."
        )


def _load_npy_member(fp: Any) -> np.ndarray:
    try:
        return np.lib.format.read_array(fp, allow_pickle=False)
    except ValueError:
        fp.seek(0)
        version = np.lib.format.read_magic(fp)
        if version[0] == 1:
            np.lib.format.read_array_header_1_0(fp)
        elif version[0] in (2, 3):
            np.lib.format.read_array_header_2_0(fp)
        else:
            raise ValueError(f"Unsupported `.npy` file version: {version}.") from None
        return RestrictedUnpickler(fp).load()


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Safe ``np.load(path, allow_pickle=True)`` for the ragged IMDB / Reuters archives."""
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if member.endswith(".npy"):
                with archive.open(member) as raw:
                    buffer = io.BytesIO(raw.read())
                arrays[member[: -len(".npy")]] = _load_npy_member(buffer)
    return arrays


def load_cifar_batch(fpath: str, label_key: str = "labels") -> tuple[np.ndarray, Any]:
    """Parse one pickled CIFAR batch: ``(data (n, 3, 32, 32) uint8, labels)``."""
    with open(fpath, "rb") as f:
        d = RestrictedUnpickler(f, encoding="bytes").load()
    d = {(k.decode("utf8") if isinstance(k, bytes) else k): v for k, v in d.items()}
    data = d["data"]
    labels = d[label_key]
    return data.reshape(data.shape[0], 3, 32, 32), labels


def remove_long_seq(maxlen: int, seq: list, label: Any) -> tuple[list, list]:
    """Drop sequences of length ``>= maxlen`` (Keras's rule)."""
    new_seq, new_label = [], []
    for x, y in zip(seq, label):
        if len(x) < maxlen:
            new_seq.append(x)
            new_label.append(y)
    return new_seq, new_label


def legacy_cache_dir(dirname: str, required: tuple[str, ...]) -> str | None:
    """A Keras 2 / tf.keras extracted dataset directory (``~/.keras/datasets/<dirname>``), if complete."""
    path = os.path.join(keras_home(), "datasets", dirname)
    if all(os.path.isfile(os.path.join(path, name)) for name in required):
        return path
    return None


def image_data_format() -> str:
    from keras_torch.core import config

    return config.image_data_format()
