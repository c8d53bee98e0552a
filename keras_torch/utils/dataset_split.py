"""``keras.utils.split_dataset`` and ``audio_dataset_from_directory`` on keras_torch's dataset stand-in."""

from __future__ import annotations

import random
import wave
from typing import Any

import numpy as np
import torch

from keras_torch.utils.dataset import Dataset
from keras_torch.utils.dataset_utils import (
    _label_fn,
    check_validation_split_arg,
    get_training_or_validation_split,
    index_directory,
)


def _split_sizes(left_size: Any, right_size: Any, total: int) -> tuple[int, int]:
    """Keras's ``_rescale_dataset_split_sizes``: fractions or counts -> two positive counts."""
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if size is not None and type(size) not in (int, float):
            raise TypeError(f"Invalid `{name}` Type. Expected: int or float or None, Received: "
                            f"type({name})={type(size)}.")
    if left_size == 0 and right_size == 0:
        raise ValueError("Both `left_size` and `right_size` are zero. At least one of the split sizes must be "
                         "non-zero.")
    for name, size in (("left_size", left_size), ("right_size", right_size)):
        if (type(size) is int and (size <= 0 or size >= total)) or (type(size) is float and not 0 < size < 1):
            raise ValueError(f"`{name}` should be either a positive integer smaller than {total}, or a float within "
                             f"the range `[0, 1]`. Received: {name}={size}")
    if type(left_size) is float and type(right_size) is float and left_size + right_size > 1:
        raise ValueError("The sum of `left_size` and `right_size` is greater than 1. It must be less than or equal "
                         "to 1.")
    left = round(left_size * total) if type(left_size) is float else left_size
    right = round(right_size * total) if type(right_size) is float else right_size
    if left is None:
        left = total - right
    elif right is None:
        right = total - left
    if left + right > total:
        raise ValueError(f"The sum of `left_size` and `right_size` should be smaller than the {total}. Received: "
                         f"left_size + right_size = {left + right}and total_length = {total}")
    for split, side in ((left, "left"), (right, "right")):
        if split == 0:
            raise ValueError(f"With `dataset` of length={total}, `left_size`={left} and `right_size`={right}. "
                             f"Resulting {side} side dataset split will be empty. Adjust any of the aforementioned "
                             "parameters")
    return int(left), int(right)


def _samples(dataset: Any) -> tuple[list[Any], Any]:
    """The samples of ``dataset`` as a list, and how to rebuild arrays from a list of samples."""
    if isinstance(dataset, (np.ndarray, torch.Tensor)):
        return list(dataset), lambda items: np.stack([np.asarray(i) for i in items])
    if isinstance(dataset, (list, tuple)) and dataset and all(
            isinstance(a, (np.ndarray, torch.Tensor)) for a in dataset):
        lengths = {len(a) for a in dataset}
        if len(lengths) != 1:
            raise ValueError(f"All arrays of `dataset` must have the same length. Received lengths: {sorted(lengths)}")
        kind = type(dataset)
        return list(zip(*dataset)), lambda items: kind(np.stack([np.asarray(v) for v in col]) for col in zip(*items))
    if isinstance(dataset, Dataset):
        items = list(dataset)
        return items, lambda items: items
    if isinstance(dataset, (list, tuple)):
        return list(dataset), lambda items: np.asarray(items)
    raise TypeError("The `dataset` argument must be either a dataset, a numpy array or tensor, or a list/tuple of "
                    f"arrays. Received: dataset={dataset} of type {type(dataset)}")


def split_dataset(dataset: Any, left_size: Any = None, right_size: Any = None, shuffle: bool = False,
                  seed: int | None = None, preferred_backend: str | None = None) -> tuple[Dataset, Dataset]:
    """Split the samples of ``dataset`` in two datasets (``left_size`` first, ``right_size`` last).

    Args:
        dataset: An array/tensor, a tuple or list of arrays (samples along axis 0), or a dataset.
        left_size: Count (int) or fraction (float) of samples on the left; the complement if None.
        right_size: Same for the right side.
        shuffle: Shuffle the samples first (Python's ``random`` seeded with ``seed``, as Keras).
        seed: Shuffle seed.
        preferred_backend: Accepted for Keras compatibility.

    Returns:
        ``(left, right)`` unbatched datasets.

    Raises:
        ValueError: Both sizes are None, or they do not fit the number of samples.
    """
    if left_size is None and right_size is None:
        raise ValueError("At least one of the `left_size` or `right_size` must be specified. Received: "
                         "left_size=None and right_size=None")
    samples, rebuild = _samples(dataset)
    if shuffle:
        random.seed(random.randint(0, int(1e6)) if seed is None else seed)
        random.shuffle(samples)
    left, right = _split_sizes(left_size, right_size, len(samples))
    return (Dataset.from_tensor_slices(rebuild(samples[:left])),
            Dataset.from_tensor_slices(rebuild(samples[-right:])))


def _read_wav(path: str) -> tuple[np.ndarray, int]:
    """``(samples, rate)``: float32 ``(length, channels)`` in [-1, 1) like ``tf.audio.decode_wav``."""
    with wave.open(path, "rb") as f:
        width, channels, rate = f.getsampwidth(), f.getnchannels(), f.getframerate()
        raw = f.readframes(f.getnframes())
    if width == 1:
        data = (np.frombuffer(raw, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
    elif width in (2, 4):
        kind = np.int16 if width == 2 else np.int32
        data = np.frombuffer(raw, dtype=kind).astype(np.float32) / float(2 ** (8 * width - 1))
    else:
        raise ValueError(f"Unsupported WAV sample width ({8 * width} bits) in {path}: expected 8, 16 or 32-bit PCM.")
    return data.reshape(-1, channels), rate


def _fit_length(audio: np.ndarray, length: int) -> np.ndarray:
    if audio.shape[0] >= length:
        return audio[:length]
    return np.pad(audio, ((0, length - audio.shape[0]), (0, 0)))


def audio_dataset_from_directory(
    directory: Any,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: Any = None,
    batch_size: int | None = 32,
    sampling_rate: int | None = None,
    output_sequence_length: int | None = None,
    ragged: bool = False,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    verbose: bool = True,
) -> Any:
    """Dataset of ``(audio, labels)`` batches from ``.wav`` files in class subdirectories (Keras semantics).

    Audio is float32 ``(batch, length, channels)`` in [-1, 1); each batch is zero-padded to its
    longest clip, or every clip cut/padded to ``output_sequence_length``. Labels follow
    ``label_mode`` as in ``image_dataset_from_directory``.

    Args:
        directory: Root directory with one subdirectory of ``.wav`` files per class.
        labels: "inferred" (from the subdirectory names), a list of integer labels (one per file, in
            sorted path order), or None (no labels).
        label_mode: "int", "categorical" (one-hot), "binary" (exactly two classes) or None.
        class_names: Explicit order of the class subdirectories (with ``labels="inferred"``).
        batch_size: Batch size; None yields single samples.
        sampling_rate: Expected sample rate of every file (checked), or None.
        output_sequence_length: Length every clip is cut or zero-padded to; None pads per batch.
        ragged: Not supported (must be False).
        shuffle: Shuffle the files.
        seed: Seed of the shuffle and of the validation split.
        validation_split: Fraction of the files held out for validation.
        subset: "training", "validation" or "both" (with ``validation_split``).
        follow_links: Follow symbolic links to subdirectories.
        verbose: Print the number of files and classes found.

    Returns:
        A dataset of ``(audio, labels)`` batches (``audio`` alone without labels), with
        ``.class_names``; with ``subset="both"``, a ``[training, validation]`` pair.

    Raises:
        ValueError: Invalid arguments, no files, or a file whose rate differs from ``sampling_rate``.
        NotImplementedError: ``ragged=True`` (keras_torch has no ragged tensors).
    """
    if ragged:
        raise NotImplementedError("keras_torch has no ragged tensors: use `output_sequence_length` or the default "
                                  "padding to the longest clip of each batch.")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels, label_mode = None, None
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=(".wav",), class_names=class_names,
                                                 shuffle=shuffle, seed=seed, follow_links=follow_links,
                                                 verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    to_label = _label_fn(label_mode, len(class_names) if class_names else 0)

    def load(path: str) -> np.ndarray:
        audio, rate = _read_wav(path)
        if sampling_rate is not None and rate != sampling_rate:
            raise ValueError(f"{path} is sampled at {rate} Hz but `sampling_rate={sampling_rate}`: keras_torch does "
                             "not resample; convert the files or leave `sampling_rate=None`.")
        return audio if output_sequence_length is None else _fit_length(audio, output_sequence_length)

    def batch_of(indices: Any, split_paths: list[str], split_labels: Any) -> Any:
        clips = [load(split_paths[int(i)]) for i in indices]
        longest = max(c.shape[0] for c in clips)
        audio = torch.as_tensor(np.stack([_fit_length(c, longest) for c in clips]))
        if label_mode is None:
            return audio
        return audio, torch.stack([to_label(split_labels[int(i)]) for i in indices])

    def build(split_paths: list[str], split_labels: Any, shuffled: bool) -> Dataset:
        ds = Dataset.range(len(split_paths))
        if shuffled:
            ds = ds.shuffle(buffer_size=(batch_size or 1) * 8, seed=seed)
        if batch_size is None:
            ds = ds.map(lambda i: _unbatch_one(batch_of([i], split_paths, split_labels)))
        else:
            ds = ds.batch(batch_size).map(lambda idx: batch_of(list(idx), split_paths, split_labels))
        ds.class_names = class_names
        return ds

    if subset == "both":
        splits = [get_training_or_validation_split(paths, labels, validation_split, s)
                  for s in ("training", "validation")]
        if not splits[0][0] or not splits[1][0]:
            raise ValueError(f"No audio files found in directory {directory} for one of the subsets. Allowed format: "
                             ".wav")
        return [build(*splits[0], shuffle), build(*splits[1], False)]
    paths, labels = get_training_or_validation_split(paths, labels, validation_split, subset)
    if not paths:
        raise ValueError(f"No audio files found in directory {directory}. Allowed format: .wav")
    return build(paths, labels, shuffle)


def _unbatch_one(element: Any) -> Any:
    if isinstance(element, tuple):
        return tuple(e[0] for e in element)
    return element[0]
