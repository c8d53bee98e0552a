"""``keras.datasets.*.load_data`` on tiny files in the real formats, served by a local HTTP server
through ``KERAS_TORCH_DATASETS_MIRROR`` (see conftest.py).

The real file hashes are swapped for the tiny files' hashes (module constants); the results were
also checked identical to real Keras 3 loading the same cache (compat/scripts/README.md).
"""

from __future__ import annotations

import hashlib
import os

import fake_keras_files as fake
import numpy as np
import pytest

from keras_torch import datasets


def _sha(path: str, md5: bool = False) -> str:
    return (hashlib.md5 if md5 else hashlib.sha256)(open(path, "rb").read()).hexdigest()


def _home(tmp_path, *parts: str) -> str:
    return os.path.join(str(tmp_path / "keras_home"), "datasets", *parts)


def test_lazy_submodules():
    for name in ("mnist", "fashion_mnist", "cifar10", "cifar100", "imdb", "reuters", "boston_housing",
                 "california_housing"):
        assert callable(getattr(datasets, name).load_data)


def test_mnist_download_cache_and_hash(server, tmp_path, monkeypatch):
    ref = fake.write_mnist(server.root)
    with pytest.raises(ValueError, match="731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"):
        datasets.mnist.load_data()  # the real Keras hash does not match the tiny file
    assert not os.path.exists(_home(tmp_path, "mnist.npz"))
    monkeypatch.setattr(datasets.mnist, "FILE_HASH", _sha(server.path("mnist.npz")))
    (x_train, y_train), (x_test, y_test) = datasets.mnist.load_data()
    assert x_train.dtype == np.uint8 and x_train.shape == (12, 28, 28) and y_test.shape == (5,)
    np.testing.assert_array_equal(x_train, ref["x_train"])
    np.testing.assert_array_equal(y_test, ref["y_test"])
    assert os.path.isfile(_home(tmp_path, "mnist.npz"))
    n = len(server.requests)
    datasets.mnist.load_data()
    assert len(server.requests) == n  # cache hit


def test_fashion_mnist(server, tmp_path):
    ref = fake.write_fashion_mnist(server.root)
    (x_train, y_train), (x_test, y_test) = datasets.fashion_mnist.load_data()
    np.testing.assert_array_equal(x_train, ref["x_train"])
    np.testing.assert_array_equal(y_train, ref["y_train"])
    np.testing.assert_array_equal(x_test, ref["x_test"])
    assert x_test.dtype == np.uint8 and y_test.shape == (4,)
    assert sorted(os.listdir(_home(tmp_path, "fashion-mnist"))) == sorted(datasets.fashion_mnist.FILES)


def test_cifar10_layout_dtypes_and_channels(server, tmp_path, monkeypatch):
    ref = fake.write_cifar10(server.root)
    monkeypatch.setattr(datasets.cifar10, "FILE_HASH", _sha(server.path("cifar-10-python.tar.gz")))
    (x_train, y_train), (x_test, y_test) = datasets.cifar10.load_data()
    assert x_train.shape == (15, 32, 32, 3) and x_train.dtype == np.uint8
    assert y_train.shape == (15, 1) and y_train.dtype == np.uint8
    assert x_test.shape == (4, 32, 32, 3) and y_test.dtype == np.uint8
    np.testing.assert_array_equal(x_train, ref["x_train"].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_train[:, 0], ref["y_train"])
    np.testing.assert_array_equal(y_test[:, 0], ref["y_test"])
    # Keras 3 cache layout: <name>-target_archive + <name>-target/cifar-10-batches-py/.
    assert os.path.isfile(_home(tmp_path, "cifar-10-batches-py-target_archive"))
    assert os.path.isfile(_home(tmp_path, "cifar-10-batches-py-target", "cifar-10-batches-py", "test_batch"))
    n = len(server.requests)
    datasets.cifar10.load_data()
    assert len(server.requests) == n


def test_cifar10_reuses_keras2_cache(server, tmp_path):
    ref = fake.write_cifar10(server.root, extract_dir=_home(tmp_path))  # ~/.keras/datasets/cifar-10-batches-py/
    (x_train, _), (_, y_test) = datasets.cifar10.load_data()
    np.testing.assert_array_equal(x_train, ref["x_train"].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_test[:, 0], ref["y_test"])
    assert server.requests == []


def test_cifar100_label_modes(server, monkeypatch):
    ref = fake.write_cifar100(server.root)
    monkeypatch.setattr(datasets.cifar100, "FILE_HASH", _sha(server.path("cifar-100-python.tar.gz")))
    (x_train, y_fine), (x_test, y_fine_test) = datasets.cifar100.load_data()
    (_, y_coarse), _ = datasets.cifar100.load_data(label_mode="coarse")
    assert x_train.shape == (6, 32, 32, 3) and y_fine.shape == (6, 1)
    np.testing.assert_array_equal(x_test, ref["x_test"].transpose(0, 2, 3, 1))
    np.testing.assert_array_equal(y_fine[:, 0], ref["fine_train"])
    np.testing.assert_array_equal(y_coarse[:, 0], ref["fine_train"] // 5)
    with pytest.raises(ValueError, match="label_mode"):
        datasets.cifar100.load_data(label_mode="medium")


def test_imdb_semantics_and_word_index(server, monkeypatch):
    ref = fake.write_imdb(server.root)
    monkeypatch.setattr(datasets.imdb, "FILE_HASH", _sha(server.path("imdb.npz")))
    monkeypatch.setattr(datasets.imdb, "WORD_INDEX_HASH", _sha(server.path("imdb_word_index.json"), md5=True))
    (x_train, y_train), (x_test, y_test) = datasets.imdb.load_data()
    assert x_train.dtype == object and len(x_train) == 20 and len(x_test) == 10
    assert y_train.dtype == np.int64
    # Keras's shuffle (RandomState(113)) then start_char=1 and index_from=3.
    order = np.arange(20)
    np.random.RandomState(113).shuffle(order)
    assert x_train[0] == [1] + [w + 3 for w in ref["x_train"][order[0]]]
    assert y_train[0] == ref["y_train"][order[0]]
    (x2, _), (x2t, _) = datasets.imdb.load_data(num_words=20, skip_top=5, maxlen=15, oov_char=2)
    assert all(len(s) < 15 for s in x2) and all(len(s) < 15 for s in x2t)
    assert all((w == 2) or (5 <= w < 20) for s in x2 for w in s)
    (x3, _), _ = datasets.imdb.load_data(start_char=None, index_from=0)
    assert x3[0] == list(ref["x_train"][order[0]])
    assert datasets.imdb.get_word_index() == {"the": 1, "and": 2, "a": 3}


def test_reuters(server, monkeypatch):
    ref = fake.write_reuters(server.root)
    monkeypatch.setattr(datasets.reuters, "FILE_HASH", _sha(server.path("reuters.npz")))
    monkeypatch.setattr(datasets.reuters, "WORD_INDEX_HASH", _sha(server.path("reuters_word_index.json"), md5=True))
    (x_train, y_train), (x_test, y_test) = datasets.reuters.load_data(test_split=0.2)
    assert len(x_train) == 24 and len(x_test) == 6 and x_train.dtype == object
    assert sorted(np.concatenate([y_train, y_test]).tolist()) == sorted(ref["y"].tolist())
    assert datasets.reuters.get_word_index() == {"the": 1, "of": 2}
    assert len(datasets.reuters.get_label_names()) == 46


def test_boston_and_california_housing(server, monkeypatch):
    ref_b = fake.write_boston_housing(server.root)
    ref_c = fake.write_california_housing(server.root)
    monkeypatch.setattr(datasets.boston_housing, "FILE_HASH", _sha(server.path("boston_housing.npz")))
    monkeypatch.setattr(datasets.california_housing, "FILE_HASH", _sha(server.path("california_housing.npz")))
    (x_train, y_train), (x_test, y_test) = datasets.boston_housing.load_data()
    assert x_train.shape == (20, 13) and x_test.shape == (5, 13) and x_train.dtype == np.float64
    order = np.arange(25)
    np.random.RandomState(113).shuffle(order)
    np.testing.assert_array_equal(x_train, ref_b["x"][order][:20])
    np.testing.assert_array_equal(y_test, ref_b["y"][order][20:])
    with pytest.raises(ValueError, match="test_split"):
        datasets.boston_housing.load_data(test_split=1.0)
    (xc, yc), (xct, _) = datasets.california_housing.load_data()
    assert xc.shape == (560, 8) and xct.shape == (140, 8) and xc.dtype == np.float32
    (xs, _), (xst, _) = datasets.california_housing.load_data(version="small")
    assert len(xs) + len(xst) == 600
    assert {tuple(r) for r in np.concatenate([xs, xst])} == {tuple(r) for r in ref_c["x"][:600]}
    with pytest.raises(ValueError, match="version"):
        datasets.california_housing.load_data(version="medium")
