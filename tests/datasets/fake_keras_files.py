"""Tiny files in the exact formats of the Keras dataset hosts (pure numpy, no keras import).

Each ``write_*`` function writes the file(s) under ``root`` with the name used on the Keras host and
returns the arrays a loader should produce before any Keras-side processing.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import pickle
import struct
import tarfile

import numpy as np


def _digit_arrays(seed: int, n_train: int, n_test: int) -> dict:
    """MNIST-shaped uint8 images (28x28) and labels 0-9."""
    rng = np.random.RandomState(seed)
    return {
        "x_train": rng.randint(0, 256, (n_train, 28, 28)).astype("uint8"),
        "y_train": rng.randint(0, 10, n_train).astype("uint8"),
        "x_test": rng.randint(0, 256, (n_test, 28, 28)).astype("uint8"),
        "y_test": rng.randint(0, 10, n_test).astype("uint8"),
    }


def write_mnist(root: str, n_train: int = 12, n_test: int = 5) -> dict:
    arrays = _digit_arrays(1, n_train, n_test)
    np.savez_compressed(os.path.join(root, "mnist.npz"), **arrays)
    return arrays


def _idx_labels(labels: np.ndarray) -> bytes:
    return struct.pack(">II", 2049, len(labels)) + labels.astype("uint8").tobytes()


def _idx_images(images: np.ndarray) -> bytes:
    n, h, w = images.shape
    return struct.pack(">IIII", 2051, n, h, w) + images.astype("uint8").tobytes()


def write_fashion_mnist(root: str, n_train: int = 10, n_test: int = 4) -> dict:
    arrays = _digit_arrays(2, n_train, n_test)
    files = {
        "train-labels-idx1-ubyte.gz": _idx_labels(arrays["y_train"]),
        "train-images-idx3-ubyte.gz": _idx_images(arrays["x_train"]),
        "t10k-labels-idx1-ubyte.gz": _idx_labels(arrays["y_test"]),
        "t10k-images-idx3-ubyte.gz": _idx_images(arrays["x_test"]),
    }
    for name, data in files.items():
        with gzip.open(os.path.join(root, name), "wb") as f:
            f.write(data)
    return arrays


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def _cifar_batch(data: np.ndarray, labels: dict) -> bytes:
    d = {b"batch_label": b"testing batch", b"data": data.reshape(len(data), -1)}
    d.update({k.encode(): list(map(int, v)) for k, v in labels.items()})
    d[b"filenames"] = [f"img_{i}.png".encode() for i in range(len(data))]
    return pickle.dumps(d, protocol=4)


def write_cifar10(root: str, per_batch: int = 3, n_test: int = 4, extract_dir: str | None = None) -> dict:
    """``cifar-10-python.tar.gz`` (or, with ``extract_dir``, the extracted Keras 2 cache folder)."""
    rng = np.random.RandomState(3)
    xs = [rng.randint(0, 256, (per_batch, 3, 32, 32)).astype("uint8") for _ in range(5)]
    ys = [rng.randint(0, 10, per_batch) for _ in range(5)]
    x_test = rng.randint(0, 256, (n_test, 3, 32, 32)).astype("uint8")
    y_test = rng.randint(0, 10, n_test)
    members = {f"cifar-10-batches-py/data_batch_{i + 1}": _cifar_batch(xs[i], {"labels": ys[i]}) for i in range(5)}
    members["cifar-10-batches-py/test_batch"] = _cifar_batch(x_test, {"labels": y_test})
    members["cifar-10-batches-py/batches.meta"] = pickle.dumps({b"label_names": [b"airplane"]}, protocol=4)
    _write_members(root, "cifar-10-python.tar.gz", members, extract_dir)
    return {"x_train": np.concatenate(xs), "y_train": np.concatenate(ys), "x_test": x_test, "y_test": y_test}


def write_cifar100(root: str, n_train: int = 6, n_test: int = 3, extract_dir: str | None = None) -> dict:
    rng = np.random.RandomState(4)
    x_train = rng.randint(0, 256, (n_train, 3, 32, 32)).astype("uint8")
    x_test = rng.randint(0, 256, (n_test, 3, 32, 32)).astype("uint8")
    fine_train, fine_test = rng.randint(0, 100, n_train), rng.randint(0, 100, n_test)
    members = {
        "cifar-100-python/train": _cifar_batch(x_train, {"fine_labels": fine_train, "coarse_labels": fine_train // 5}),
        "cifar-100-python/test": _cifar_batch(x_test, {"fine_labels": fine_test, "coarse_labels": fine_test // 5}),
        "cifar-100-python/meta": pickle.dumps({b"fine_label_names": [b"apple"]}, protocol=4),
    }
    _write_members(root, "cifar-100-python.tar.gz", members, extract_dir)
    return {"x_train": x_train, "x_test": x_test, "fine_train": fine_train, "fine_test": fine_test}


def _write_members(root: str, archive: str, members: dict, extract_dir: str | None) -> None:
    if extract_dir is not None:
        for name, data in members.items():
            path = os.path.join(extract_dir, name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        return
    with tarfile.open(os.path.join(root, archive), "w:gz") as tar:
        for name, data in members.items():
            _add_bytes(tar, name, data)


def _ragged(rng: np.random.RandomState, n: int, vocab: int, max_len: int) -> np.ndarray:
    seqs = [list(map(int, rng.randint(1, vocab, rng.randint(2, max_len)))) for _ in range(n)]
    out = np.empty(n, dtype=object)
    for i, s in enumerate(seqs):
        out[i] = s
    return out


def write_imdb(root: str, n_train: int = 20, n_test: int = 10) -> dict:
    rng = np.random.RandomState(5)
    arrays = {
        "x_train": _ragged(rng, n_train, 50, 30), "y_train": rng.randint(0, 2, n_train).astype("int64"),
        "x_test": _ragged(rng, n_test, 50, 30), "y_test": rng.randint(0, 2, n_test).astype("int64"),
    }
    np.savez(os.path.join(root, "imdb.npz"), **arrays)
    with open(os.path.join(root, "imdb_word_index.json"), "w") as f:
        json.dump({"the": 1, "and": 2, "a": 3}, f)
    return arrays


def write_reuters(root: str, n: int = 30) -> dict:
    rng = np.random.RandomState(6)
    arrays = {"x": _ragged(rng, n, 60, 25), "y": rng.randint(0, 46, n).astype("int64")}
    np.savez(os.path.join(root, "reuters.npz"), **arrays)
    with open(os.path.join(root, "reuters_word_index.json"), "w") as f:
        json.dump({"the": 1, "of": 2}, f)
    return arrays


def write_boston_housing(root: str, n: int = 25) -> dict:
    rng = np.random.RandomState(7)
    arrays = {"x": rng.rand(n, 13) * 100, "y": rng.rand(n) * 50}
    np.savez(os.path.join(root, "boston_housing.npz"), **arrays)
    return arrays


def write_california_housing(root: str, n: int = 700) -> dict:
    rng = np.random.RandomState(8)
    arrays = {"x": (rng.rand(n, 8) * 10).astype("float32"), "y": (rng.rand(n) * 5e5).astype("float32")}
    np.savez(os.path.join(root, "california_housing.npz"), **arrays)
    return arrays


WRITERS = {
    "mnist": write_mnist, "fashion_mnist": write_fashion_mnist, "cifar10": write_cifar10,
    "cifar100": write_cifar100, "imdb": write_imdb, "reuters": write_reuters,
    "boston_housing": write_boston_housing, "california_housing": write_california_housing,
}
