"""``keras.preprocessing.sequence`` (tf-keras 2): ``pad_sequences``, ``TimeseriesGenerator``, ``skipgrams`` and
``make_sampling_table``, with tf-keras's exact behaviour."""

from __future__ import annotations

import random
from typing import Any

import numpy as np

from keras_torch.utils.sequence import PyDataset
from keras_torch.utils.sequence_utils import pad_sequences

__all__ = ["TimeseriesGenerator", "make_sampling_table", "pad_sequences", "skipgrams"]


def make_sampling_table(size: int, sampling_factor: float = 1e-5) -> np.ndarray:
    """Probability of keeping the word of each frequency rank (Zipf's law estimate, as word2vec).

    Args:
        size: Vocabulary size.
        sampling_factor: word2vec's sampling factor.

    Returns:
        ``(size,)`` probabilities; entry ``i`` is for the ``i``-th most frequent word.
    """
    gamma = 0.577
    rank = np.arange(size)
    rank[0] = 1
    inv_fq = rank * (np.log(rank) + gamma) + 0.5 - 1.0 / (12.0 * rank)
    f = sampling_factor * inv_fq
    return np.minimum(1.0, f / np.sqrt(f))


def skipgrams(sequence: list[int], vocabulary_size: int, window_size: int = 4, negative_samples: float = 1.0,
              shuffle: bool = True, categorical: bool = False, sampling_table: Any = None,
              seed: int | None = None) -> tuple[list[list[int]], list[Any]]:
    """Word pairs for skip-gram training: neighbours within ``window_size`` (label 1) plus random negatives (0).

    Args:
        sequence: Word indices (0 is skipped).
        vocabulary_size: Largest word index + 1.
        window_size: Neighbourhood half-width.
        negative_samples: Negative pairs per positive pair.
        shuffle: Shuffle the pairs (with Python's ``random`` seeded with ``seed``).
        categorical: Labels as ``[0, 1]`` / ``[1, 0]`` instead of 1 / 0.
        sampling_table: Keep-probabilities per word index (see :func:`make_sampling_table`).
        seed: Shuffle seed.

    Returns:
        ``(couples, labels)``.
    """
    couples: list[list[int]] = []
    labels: list[Any] = []
    for i, wi in enumerate(sequence):
        if not wi:
            continue
        if sampling_table is not None and sampling_table[wi] < random.random():
            continue
        for j in range(max(0, i - window_size), min(len(sequence), i + window_size + 1)):
            if j != i and sequence[j]:
                couples.append([wi, sequence[j]])
                labels.append([0, 1] if categorical else 1)
    if negative_samples > 0:
        count = int(len(labels) * negative_samples)
        words = [c[0] for c in couples]
        random.shuffle(words)
        couples += [[words[i % len(words)], random.randint(1, int(vocabulary_size - 1))] for i in range(count)]
        labels += [[1, 0] if categorical else 0] * count
    if shuffle:
        if seed is None:
            seed = random.randint(0, int(10e6))
        random.seed(seed)
        random.shuffle(couples)
        random.seed(seed)
        random.shuffle(labels)
    return couples, labels


class TimeseriesGenerator(PyDataset):
    """Batches of ``(windows, targets)`` from a time series, as a ``keras.utils.Sequence``.

    Window ``k`` ends just before row ``r_k`` and holds ``data[r_k - length : r_k : sampling_rate]``;
    its target is ``targets[r_k]``.

    Args:
        data: Indexable series (axis 0 is time).
        targets: Targets, as long as ``data``.
        length: Window length in time steps (before sampling).
        sampling_rate: Keep every ``sampling_rate``-th step of a window.
        stride: Steps between successive windows.
        start_index: First row considered (windows start at ``start_index + length``).
        end_index: Last row considered (default: the last row).
        shuffle: Draw the window ends at random (numpy's global generator).
        reverse: Reverse each window in time.
        batch_size: Windows per batch.
    """

    def __init__(self, data: Any, targets: Any, length: int, sampling_rate: int = 1, stride: int = 1,
                 start_index: int = 0, end_index: int | None = None, shuffle: bool = False, reverse: bool = False,
                 batch_size: int = 128) -> None:
        super().__init__()
        if len(data) != len(targets):
            raise ValueError(f"Data and targets have to be of same length. Data length is {len(data)} while target "
                             f"length is {len(targets)}")
        self.data, self.targets, self.length = data, targets, length
        self.sampling_rate, self.stride = sampling_rate, stride
        self.start_index = start_index + length
        self.end_index = len(data) - 1 if end_index is None else end_index
        self.shuffle, self.reverse, self.batch_size = shuffle, reverse, batch_size
        if self.start_index > self.end_index:
            raise ValueError(f"`start_index+length={self.start_index} > end_index={self.end_index}` is disallowed, as "
                             "no part of the sequence would be left to be used as current step.")

    def __len__(self) -> int:
        return (self.end_index - self.start_index + self.batch_size * self.stride) // (self.batch_size * self.stride)

    def __getitem__(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        if self.shuffle:
            rows = np.random.randint(self.start_index, self.end_index + 1, size=self.batch_size)
        else:
            i = self.start_index + self.batch_size * self.stride * index
            rows = np.arange(i, min(i + self.batch_size * self.stride, self.end_index + 1), self.stride)
        samples = np.array([self.data[row - self.length : row : self.sampling_rate] for row in rows])
        targets = np.array([self.targets[row] for row in rows])
        return (samples[:, ::-1, ...], targets) if self.reverse else (samples, targets)

    def get_config(self) -> dict[str, Any]:
        """The generator's arguments (``data``/``targets`` as lists, as tf-keras)."""
        data = self.data.tolist() if isinstance(self.data, np.ndarray) else self.data
        targets = self.targets.tolist() if isinstance(self.targets, np.ndarray) else self.targets
        return {"data": data, "targets": targets, "length": self.length, "sampling_rate": self.sampling_rate,
                "stride": self.stride, "start_index": self.start_index, "end_index": self.end_index,
                "shuffle": self.shuffle, "reverse": self.reverse, "batch_size": self.batch_size}
