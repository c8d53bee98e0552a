"""IMDB sentiment classification dataset (``keras.datasets.imdb``)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file, load_npz, remove_long_seq

FILE_HASH = "69664113be75683a8fe16e3ed0ab59fda8886cb3cd7ada244f7d9544e4676b9f"
WORD_INDEX_HASH = "bfafd718b763782e994055a2d397834f"


def load_data(path: str = "imdb.npz", num_words: int | None = None, skip_top: int = 0, maxlen: int | None = None,
              seed: int = 113, start_char: int | None = 1, oov_char: int | None = 2, index_from: int = 3,
              **kwargs: Any) -> tuple:
    """Load the IMDB reviews: ``(x_train, y_train), (x_test, y_test)``, exactly as Keras.

    ``x_*`` are object arrays of word-index lists (most frequent word = 1 + ``index_from``),
    ``y_*`` 0/1 labels. ``num_words`` keeps the most frequent words (others become ``oov_char``),
    ``skip_top`` drops the most frequent ones, ``maxlen`` drops longer reviews, ``seed`` shuffles.

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.
        num_words: Keep only the ``num_words`` most frequent words (None keeps all).
        skip_top: Treat the ``skip_top`` most frequent words as out of vocabulary.
        maxlen: Drop the reviews longer than ``maxlen`` words (None keeps all).
        seed: Seed of the shuffle.
        start_char: Index marking the start of each review (None: no marker).
        oov_char: Index replacing the dropped words (None: they are removed).
        index_from: Offset added to the word indices.
        **kwargs: Accepted for compatibility (Keras 1's ``nb_words``).

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays.
    """
    if "nb_words" in kwargs and num_words is None:  # Keras 1 name
        num_words = kwargs.pop("nb_words")
    path = get_file(fname=path, origin=f"{TF_KERAS_DATASETS}imdb.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    x_train, labels_train = f["x_train"], f["y_train"]
    x_test, labels_test = f["x_test"], f["y_test"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(x_train))
    rng.shuffle(indices)
    x_train = x_train[indices]
    labels_train = labels_train[indices]
    indices = np.arange(len(x_test))
    rng.shuffle(indices)
    x_test = x_test[indices]
    labels_test = labels_test[indices]

    if start_char is not None:
        x_train = [[start_char] + [w + index_from for w in x] for x in x_train]
        x_test = [[start_char] + [w + index_from for w in x] for x in x_test]
    elif index_from:
        x_train = [[w + index_from for w in x] for x in x_train]
        x_test = [[w + index_from for w in x] for x in x_test]
    else:
        x_train = [list(x) for x in x_train]
        x_test = [list(x) for x in x_test]

    if maxlen:
        x_train, labels_train = remove_long_seq(maxlen, x_train, labels_train)
        x_test, labels_test = remove_long_seq(maxlen, x_test, labels_test)
        if not x_train or not x_test:
            raise ValueError(f"After filtering for sequences shorter than maxlen={maxlen}, no sequence was kept. "
                             "Increase maxlen.")

    xs = x_train + x_test
    labels = np.concatenate([labels_train, labels_test])
    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if (skip_top <= w < num_words) else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]

    idx = len(x_train)
    x_train, y_train = np.array(xs[:idx], dtype="object"), labels[:idx]
    x_test, y_test = np.array(xs[idx:], dtype="object"), labels[idx:]
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "imdb_word_index.json") -> dict:
    """The ``{word: index}`` dictionary of the IMDB dataset (indices before ``index_from``).

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.

    Returns:
        A dict ``{word: index}``.
    """
    path = get_file(fname=path, origin=f"{TF_KERAS_DATASETS}imdb_word_index.json", file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)
