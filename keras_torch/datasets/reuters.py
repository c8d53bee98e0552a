"""Reuters newswire topic classification dataset (``keras.datasets.reuters``)."""

from __future__ import annotations

import json

import numpy as np

from keras_torch.datasets._common import TF_KERAS_DATASETS, get_file, load_npz, remove_long_seq

FILE_HASH = "d6586e694ee56d7a4e65172e12b3e987c03096cb01eab99753921ef915959916"
WORD_INDEX_HASH = "4d44cc38712099c9e383dc6e5f11a921"


def load_data(path: str = "reuters.npz", num_words: int | None = None, skip_top: int = 0,
              maxlen: int | None = None, test_split: float = 0.2, seed: int = 113, start_char: int | None = 1,
              oov_char: int | None = 2, index_from: int = 3) -> tuple:
    """Load the Reuters newswires (46 topics): ``(x_train, y_train), (x_test, y_test)``, exactly as Keras.

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.
        num_words: Keep only the ``num_words`` most frequent words (None keeps all).
        skip_top: Treat the ``skip_top`` most frequent words as out of vocabulary.
        maxlen: Drop the newswires longer than ``maxlen`` words (None keeps all).
        test_split: Fraction of the data used for the test set.
        seed: Seed of the shuffle.
        start_char: Index marking the start of each sequence (None: no marker).
        oov_char: Index replacing the dropped words (None: they are removed).
        index_from: Offset added to the word indices.

    Returns:
        ``((x_train, y_train), (x_test, y_test))``, numpy arrays.
    """
    path = get_file(fname=path, origin=f"{TF_KERAS_DATASETS}reuters.npz", file_hash=FILE_HASH)
    f = load_npz(path)
    xs, labels = f["x"], f["y"]

    rng = np.random.RandomState(seed)
    indices = np.arange(len(xs))
    rng.shuffle(indices)
    xs = xs[indices]
    labels = labels[indices]

    if start_char is not None:
        xs = [[start_char] + [w + index_from for w in x] for x in xs]
    elif index_from:
        xs = [[w + index_from for w in x] for x in xs]

    if maxlen:
        xs, labels = remove_long_seq(maxlen, xs, labels)

    if not num_words:
        num_words = max(max(x) for x in xs)
    if oov_char is not None:
        xs = [[w if skip_top <= w < num_words else oov_char for w in x] for x in xs]
    else:
        xs = [[w for w in x if skip_top <= w < num_words] for x in xs]

    idx = int(len(xs) * (1 - test_split))
    x_train, y_train = np.array(xs[:idx], dtype="object"), np.array(labels[:idx])
    x_test, y_test = np.array(xs[idx:], dtype="object"), np.array(labels[idx:])
    return (x_train, y_train), (x_test, y_test)


def get_word_index(path: str = "reuters_word_index.json") -> dict:
    """The ``{word: index}`` dictionary of the Reuters dataset (actual indices are shifted by 3).

    Args:
        path: File name of the cached copy, under ``~/.keras/datasets/``.

    Returns:
        A dict ``{word: index}``.
    """
    path = get_file(path, origin=f"{TF_KERAS_DATASETS}reuters_word_index.json", file_hash=WORD_INDEX_HASH)
    with open(path) as f:
        return json.load(f)


def get_label_names() -> tuple:
    """The 46 topic names, indexed like the labels.

    Returns:
        A tuple of 46 topic names, indexed by label.
    """
    return ("cocoa", "grain", "veg-oil", "earn", "acq", "wheat", "copper", "housing", "money-supply", "coffee",
            "sugar", "trade", "reserves", "ship", "cotton", "carcass", "crude", "nat-gas", "cpi", "money-fx",
            "interest", "gnp", "meal-feed", "alum", "oilseed", "gold", "tin", "strategic-metal", "livestock",
            "retail", "ipi", "iron-steel", "rubber", "heat", "jobs", "lei", "bop", "zinc", "orange", "pet-chem",
            "dlr", "gas", "silver", "wpi", "hog", "lead")
