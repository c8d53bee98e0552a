"""``keras.utils.image_dataset_from_directory`` / ``text_dataset_from_directory`` /
``timeseries_dataset_from_array`` on keras_torch.

They follow Keras 3 (``keras/src/utils/*dataset_utils.py``): the same arguments, file indexing
(labels inferred from sorted subdirectory names, ``class_names``, seeded global shuffle,
``validation_split`` + ``subset`` taking the last fraction as validation) and element
formats. Instead of a ``tf.data.Dataset`` they return keras_torch's ``tf.data`` stand-in
(:class:`keras_torch.utils.dataset.Dataset`): ``fit``/``evaluate``/``predict`` consume it directly
and it supports ``map``, ``take``, ``unbatch``, ``prefetch``, ``cache``... plus ``.class_names`` and
``.file_paths`` like Keras.

Element formats: images are ``float32`` torch tensors ``(batch, h, w, channels)`` with values in
[0, 255] (``channels_first`` gives ``(batch, channels, h, w)``); labels are ``int32`` ``(batch,)``
(``label_mode="int"``), ``float32`` ``(batch, num_classes)`` one-hot (``"categorical"``) or ``float32``
``(batch, 1)`` (``"binary"``); texts are numpy arrays of Python strings (TensorFlow yields bytes);
timeseries windows are torch tensors of the input dtype.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import torch

ALLOWLIST_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "area", "lanczos3", "lanczos5", "gaussian", "mitchellcubic")

__all__ = ["image_dataset_from_directory", "text_dataset_from_directory", "timeseries_dataset_from_array",
           "index_directory", "get_training_or_validation_split", "check_validation_split_arg"]


def _dataset_cls() -> Any:
    from keras_torch.utils.dataset import Dataset

    return Dataset


# --------------------------------------------------------------------------- indexing (as Keras)


def _iter_valid_files(directory: str, follow_links: bool, formats: tuple[str, ...]) -> Any:
    walk = os.walk(directory, followlinks=follow_links)
    for root, _, files in sorted(walk, key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(formats):
                yield root, fname


def _index_subdirectory(directory: str, class_index: int, follow_links: bool,
                        formats: tuple[str, ...]) -> tuple[list[str], list[int]]:
    dirname = os.path.basename(directory)
    filenames, labels = [], []
    for root, fname in _iter_valid_files(directory, follow_links, formats):
        labels.append(class_index)
        filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname), directory)))
    return filenames, labels


def index_directory(directory: Any, labels: Any, formats: tuple[str, ...], class_names: Any = None,
                    shuffle: bool = True, seed: int | None = None, follow_links: bool = False,
                    verbose: bool = True) -> tuple[list[str], Any, Any]:
    """``(file_paths, labels, class_names)`` for the files of ``directory`` (Keras's indexing rules)."""
    directory = os.fspath(directory)
    if not os.path.isdir(directory):
        raise ValueError(f"Could not find directory {directory}")
    if labels == "inferred":
        subdirs = []
        for subdir in sorted(os.listdir(directory)):
            if os.path.isdir(os.path.join(directory, subdir)) and not subdir.startswith("."):
                subdirs.append(subdir.rstrip("/"))
        if class_names is not None:
            if not set(class_names).issubset(set(subdirs)):
                raise ValueError(
                    "The `class_names` passed did not match the names of the subdirectories of the target "
                    f"directory. Expected: {subdirs} (or a subset of it), but received: class_names={class_names}"
                )
            subdirs = list(class_names)
    else:
        subdirs = [""]
        if class_names is not None:
            if labels is None:
                raise ValueError("When `labels=None` (no labels), argument `class_names` cannot be specified.")
            raise ValueError("When argument `labels` is specified, argument `class_names` cannot be specified "
                             "(the `class_names` will be the sorted list of labels).")
    class_names = subdirs
    filenames: list[str] = []
    labels_list: list[list[int]] = []
    for i, subdir in enumerate(subdirs):
        part_files, part_labels = _index_subdirectory(os.path.join(directory, subdir), i, follow_links, formats)
        filenames += part_files
        labels_list.append(part_labels)

    if labels == "inferred":
        labels = np.zeros((len(filenames),), dtype="int32")
        i = 0
        for part in labels_list:
            labels[i : i + len(part)] = part
            i += len(part)
    elif labels is None:
        class_names = None
    else:
        if len(labels) != len(filenames):
            raise ValueError(
                "Expected the lengths of `labels` to match the number of files in the target directory. "
                f"len(labels) is {len(labels)} while we found {len(filenames)} files in directory {directory}."
            )
        class_names = [str(label) for label in sorted(set(labels))]
    if verbose:
        if labels is None:
            print(f"Found {len(filenames)} files.")
        else:
            print(f"Found {len(filenames)} files belonging to {len(class_names)} classes.")
    file_paths = [os.path.join(directory, fname) for fname in filenames]
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        rng = np.random.RandomState(seed)
        rng.shuffle(file_paths)
        if labels is not None:
            rng = np.random.RandomState(seed)
            rng.shuffle(labels)
    return file_paths, labels, class_names


def get_training_or_validation_split(samples: list, labels: Any, validation_split: float | None,
                                     subset: str | None) -> tuple[list, Any]:
    """The training (first) or validation (last ``validation_split``) part of ``samples``/``labels``."""
    if not validation_split:
        return samples, labels
    num_val_samples = int(validation_split * len(samples))
    if subset == "training":
        print(f"Using {len(samples) - num_val_samples} files for training.")
        samples = samples[:-num_val_samples] if num_val_samples else samples
        if labels is not None and num_val_samples:
            labels = labels[:-num_val_samples]
    elif subset == "validation":
        print(f"Using {num_val_samples} files for validation.")
        samples = samples[-num_val_samples:] if num_val_samples else []
        if labels is not None:
            labels = labels[-num_val_samples:] if num_val_samples else labels[:0]
    else:
        raise ValueError(f'`subset` must be either "training" or "validation", received: {subset}')
    return samples, labels


def check_validation_split_arg(validation_split: Any, subset: Any, shuffle: Any, seed: Any) -> None:
    if validation_split and not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1, received: {validation_split}")
    if (validation_split or subset) and not (validation_split and subset):
        raise ValueError("If `subset` is set, `validation_split` must be set, and inversely.")
    if subset not in ("training", "validation", "both", None):
        raise ValueError(f'`subset` must be either "training", "validation" or "both", received: {subset}')
    if validation_split and shuffle and seed is None:
        raise ValueError(
            "If using `validation_split` and shuffling the data, you must provide a `seed` argument, to make "
            "sure that there is no overlap between the training and validation subset."
        )


def _check_format(format: str) -> None:  # noqa: A002 - Keras argument name
    if format not in ("tf", "grain"):
        raise ValueError(f'`format` should be either "tf" or "grain". Received: format={format}')


def _label_fn(label_mode: str | None, num_classes: int) -> Any:
    if label_mode == "binary":
        return lambda y: torch.tensor([float(y)], dtype=torch.float32)
    if label_mode == "categorical":
        def one_hot(y: Any) -> torch.Tensor:
            v = torch.zeros(num_classes, dtype=torch.float32)
            v[int(y)] = 1.0
            return v
        return one_hot
    return lambda y: torch.tensor(int(y), dtype=torch.int32)


def _paths_dataset(paths: list[str], labels: Any, label_mode: str | None, num_classes: int, load: Any,
                   shuffle: bool, shuffle_buffer_size: int | None, seed: int | None, batch_size: int | None) -> Any:
    dataset_cls = _dataset_cls()
    n = len(paths)
    ds = dataset_cls.range(n)
    if shuffle:
        ds = ds.shuffle(buffer_size=shuffle_buffer_size or 1024, seed=seed)
    if label_mode:
        to_label = _label_fn(label_mode, num_classes)
        ds = ds.map(lambda i: (load(paths[int(i)]), to_label(labels[int(i)])))
    else:
        ds = ds.map(lambda i: load(paths[int(i)]))
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds


def _split_and_build(paths: list[str], labels: Any, class_names: Any, label_mode: Any, validation_split: Any,
                     subset: Any, shuffle: bool, seed: Any, batch_size: Any, load: Any, what: str,
                     allowed: str, directory: Any, with_file_paths: bool) -> Any:
    num_classes = len(class_names) if class_names else 0
    buffer = batch_size * 8 if batch_size is not None else 1024

    def build(p: list[str], lab: Any, shuf: bool) -> Any:
        ds = _paths_dataset(p, lab, label_mode, num_classes, load, shuf, buffer, seed, batch_size)
        ds.class_names = class_names
        if with_file_paths:
            ds.file_paths = p
        return ds

    if subset == "both":
        p_train, l_train = get_training_or_validation_split(paths, labels, validation_split, "training")
        p_val, l_val = get_training_or_validation_split(paths, labels, validation_split, "validation")
        if not p_train:
            raise ValueError(f"No training {what} found in directory {directory}. {allowed}")
        if not p_val:
            raise ValueError(f"No validation {what} found in directory {directory}. {allowed}")
        return [build(p_train, l_train, shuffle), build(p_val, l_val, False)]
    paths, labels = get_training_or_validation_split(paths, labels, validation_split, subset)
    if not paths:
        raise ValueError(f"No {what} found in directory {directory}. {allowed}")
    return build(paths, labels, shuffle)


# --------------------------------------------------------------------------- images


def _pil() -> Any:
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(
            "`image_dataset_from_directory` needs Pillow to read image files: `pip install pillow`."
        ) from err
    return Image


def _bicubic_matrix(in_size: int, out_size: int) -> np.ndarray:
    """TF ``ResizeBicubic(half_pixel_centers=True)``: Keys cubic (a=-0.5), 1/1024 weight table,
    out-of-range taps zeroed and the rest renormalized."""
    a, table = -0.5, 1024
    scale = in_size / out_size
    m = np.zeros((out_size, in_size), dtype="float64")
    for o in range(out_size):
        pos = (o + 0.5) * scale - 0.5
        base = int(np.floor(pos))
        d = int(round((pos - base) * table)) / table
        weights = []
        for dist in (1 + d, d, 1 - d, 2 - d):
            x = abs(dist)
            if x <= 1:
                weights.append(((a + 2) * x - (a + 3)) * x * x + 1)
            else:
                weights.append(((a * x - 5 * a) * x + 8 * a) * x - 4 * a)
        taps = [(base - 1 + k, w) for k, w in enumerate(weights) if 0 <= base - 1 + k < in_size]
        total = sum(w for _, w in taps)
        for i, w in taps:
            m[o, i] += w / total
    return m


def _area_matrix(in_size: int, out_size: int) -> np.ndarray:
    """TF ``ResizeArea``: each output averages the input span it covers (fractional edges)."""
    scale = in_size / out_size
    m = np.zeros((out_size, in_size), dtype="float64")
    for o in range(out_size):
        lo, hi = o * scale, (o + 1) * scale
        for i in range(int(np.floor(lo)), int(np.ceil(hi))):
            m[o, min(i, in_size - 1)] += (min(i + 1, hi) - max(i, lo)) / scale
    return m


def _resize_hw(arr: np.ndarray, size: tuple[int, int], interpolation: str) -> np.ndarray:
    """(h, w, c) float32 → (size[0], size[1], c) with ``tf.image.resize`` semantics (no antialias)."""
    h, w = size
    if arr.shape[0] == h and arr.shape[1] == w:
        return arr.astype("float32", copy=False)
    if interpolation in ("bilinear", "nearest"):
        x = torch.from_numpy(np.ascontiguousarray(arr, dtype="float32")).permute(2, 0, 1)[None]
        mode = "bilinear" if interpolation == "bilinear" else "nearest-exact"
        out = torch.nn.functional.interpolate(x, size=(h, w), mode=mode,
                                              align_corners=False if mode == "bilinear" else None)
        return out[0].permute(1, 2, 0).numpy()
    if interpolation in ("bicubic", "area"):
        make = _bicubic_matrix if interpolation == "bicubic" else _area_matrix
        mh, mw = make(arr.shape[0], h), make(arr.shape[1], w)
        return np.einsum("oh,hwc,pw->opc", mh, arr.astype("float64"), mw).astype("float32")
    # lanczos / gaussian / mitchellcubic: Pillow's closest filters (not bit-exact with TensorFlow).
    image = _pil()
    resample = image.LANCZOS if interpolation.startswith("lanczos") else image.BICUBIC
    chans = [image.fromarray(np.ascontiguousarray(arr[..., c], dtype="float32"), mode="F") for c in range(arr.shape[-1])]
    return np.stack([np.asarray(ch.resize((w, h), resample), dtype="float32") for ch in chans], axis=-1)


def _resize(arr: np.ndarray, image_size: tuple[int, int], interpolation: str, crop: bool, pad: bool) -> np.ndarray:
    """What Keras's TF pipeline does: plain ``tf.image.resize``, ``smart_resize`` (center crop to the
    target aspect ratio, then resize) or ``tf.image.resize_with_pad`` (resize to fit, then zero-pad)."""
    height, width = arr.shape[:2]
    th, tw = image_size
    if crop:
        crop_h = max(min(height, int(float(width * th) / tw)), 1)
        crop_w = max(min(width, int(float(height * tw) / th)), 1)
        h0, w0 = int(float(height - crop_h) / 2), int(float(width - crop_w) / 2)
        return _resize_hw(arr[h0 : h0 + crop_h, w0 : w0 + crop_w], image_size, interpolation)
    if pad:
        ratio = max(width / tw, height / th)
        rh_f, rw_f = height / ratio, width / ratio
        rh, rw = int(np.floor(rh_f)), int(np.floor(rw_f))
        ph, pw = max(0, int(np.floor((th - rh_f) / 2))), max(0, int(np.floor((tw - rw_f) / 2)))
        resized = _resize_hw(arr, (rh, rw), interpolation)
        out = np.zeros((th, tw, arr.shape[2]), dtype="float32")
        out[ph : ph + rh, pw : pw + rw] = resized
        return out
    return _resize_hw(arr, image_size, interpolation)


def _image_loader(image_size: tuple[int, int], color_mode: str, interpolation: str, data_format: str,
                  crop_to_aspect_ratio: bool, pad_to_aspect_ratio: bool) -> Any:
    image = _pil()
    mode = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}[color_mode]

    def load(path: str) -> torch.Tensor:
        with image.open(path) as img:
            img.seek(0)  # animated GIFs: first frame, like Keras
            arr = np.asarray(img.convert(mode), dtype="float32")
        if arr.ndim == 2:
            arr = arr[..., None]
        arr = _resize(arr, image_size, interpolation, crop_to_aspect_ratio, pad_to_aspect_ratio)
        t = torch.from_numpy(np.ascontiguousarray(arr, dtype="float32"))
        return t.permute(2, 0, 1).contiguous() if data_format == "channels_first" else t

    return load


def image_dataset_from_directory(
    directory: Any,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: Any = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: Any = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",  # noqa: A002 - Keras argument name
    verbose: bool = True,
    **kwargs: Any,
) -> Any:
    """Dataset of ``(images, labels)`` batches from image files in class subdirectories (Keras semantics).

    ``main_directory/class_a/*.jpg, main_directory/class_b/*.jpg`` gives labels 0 and 1. Supported
    formats: ``.jpeg .jpg .png .bmp .gif`` (read with Pillow). Returns a dataset (or, with
    ``subset="both"``, a ``[train, validation]`` pair) with ``.class_names`` and ``.file_paths``.

    Args:
        directory: Root directory with one subdirectory of images per class.
        labels: "inferred" (from the subdirectory names), a list of integer labels (one per file, in
            sorted path order), or None (no labels).
        label_mode: "int", "categorical" (one-hot), "binary" (exactly two classes) or None.
        class_names: Explicit order of the class subdirectories (with ``labels="inferred"``).
        color_mode: "rgb", "rgba" or "grayscale".
        batch_size: Batch size; None yields single samples.
        image_size: ``(height, width)`` every image is resized to.
        shuffle: Shuffle the files.
        seed: Seed of the shuffle and of the validation split.
        validation_split: Fraction of the files held out for validation.
        subset: "training", "validation" or "both" (with ``validation_split``).
        interpolation: Resize method, e.g. "bilinear", "nearest", "bicubic".
        follow_links: Follow symbolic links to subdirectories.
        crop_to_aspect_ratio: Center-crop to the target aspect ratio before resizing.
        pad_to_aspect_ratio: Pad to the target aspect ratio before resizing.
        data_format: "channels_last" or "channels_first"; None means ``image_data_format()``.
        format: "tf" or "grain" (accepted; the same dataset object either way).
        verbose: Print the number of files and classes found.
        **kwargs: ``smart_resize``, the tf.keras 2 name of ``crop_to_aspect_ratio``.

    Returns:
        A dataset of ``(images, labels)`` batches (images alone without labels), with ``.class_names``
        and ``.file_paths``; with ``subset="both"``, a ``[training, validation]`` pair.

    Raises:
        ValueError: for invalid arguments or a directory without images.
    """
    if "smart_resize" in kwargs:  # tf.keras 2.x name
        crop_to_aspect_ratio = kwargs.pop("smart_resize")
    if kwargs:
        raise TypeError(f"Unknown keywords argument(s): {tuple(kwargs)}")
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                "image files in the target directory. If you wish to infer the labels from the subdirectory "
                'names in the target directory, pass `labels="inferred"`. If you wish to get a dataset that '
                f"only contains images (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    if color_mode not in ("rgb", "rgba", "grayscale"):
        raise ValueError(f'`color_mode` must be one of {{"rgb", "rgba", "grayscale"}}. Received: color_mode={color_mode}')
    if isinstance(image_size, int):
        image_size = (image_size, image_size)
    elif not isinstance(image_size, (list, tuple)) or not len(image_size) == 2:
        raise ValueError(f"Invalid `image_size` value. Expected a tuple of 2 integers. Received: image_size={image_size}")
    image_size = (int(image_size[0]), int(image_size[1]))
    interpolation = interpolation.lower()
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(f"Argument `interpolation` should be one of {_INTERPOLATIONS}. "
                         f"Received: interpolation={interpolation}")
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError("Only one of `pad_to_aspect_ratio`, `crop_to_aspect_ratio` can be set to `True`.")
    _check_format(format)
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    from keras_torch.core.config import standardize_data_format

    data_format = standardize_data_format(data_format)
    load = _image_loader(image_size, color_mode, interpolation, data_format, crop_to_aspect_ratio,
                         pad_to_aspect_ratio)  # fails early without Pillow
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=ALLOWLIST_FORMATS,
                                                 class_names=class_names, shuffle=shuffle, seed=seed,
                                                 follow_links=follow_links, verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")
    return _split_and_build(paths, labels, class_names, label_mode, validation_split, subset, shuffle, seed,
                            batch_size, load, "images", f"Allowed formats: {ALLOWLIST_FORMATS}", directory, True)


# --------------------------------------------------------------------------- text


def text_dataset_from_directory(
    directory: Any,
    labels: Any = "inferred",
    label_mode: str | None = "int",
    class_names: Any = None,
    batch_size: int | None = 32,
    max_length: int | None = None,
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    follow_links: bool = False,
    format: str = "tf",  # noqa: A002 - Keras argument name
    verbose: bool = True,
) -> Any:
    """Dataset of ``(texts, labels)`` batches from ``.txt`` files in class subdirectories (Keras semantics).

    Texts are numpy arrays of ``str`` (UTF-8 decoded; ``max_length`` truncates the raw bytes first,
    like ``tf.strings.substr``).

    Args:
        directory: Root directory with one subdirectory of ``.txt`` files per class.
        labels: "inferred" (from the subdirectory names), a list of integer labels (one per file, in
            sorted path order), or None (no labels).
        label_mode: "int", "categorical" (one-hot), "binary" (exactly two classes) or None.
        class_names: Explicit order of the class subdirectories (with ``labels="inferred"``).
        batch_size: Batch size; None yields single samples.
        max_length: Largest number of bytes kept per text (None keeps all).
        shuffle: Shuffle the files.
        seed: Seed of the shuffle and of the validation split.
        validation_split: Fraction of the files held out for validation.
        subset: "training", "validation" or "both" (with ``validation_split``).
        follow_links: Follow symbolic links to subdirectories.
        format: "tf" or "grain" (accepted; the same dataset object either way).
        verbose: Print the number of files and classes found.

    Returns:
        A dataset of ``(texts, labels)`` batches (texts alone without labels), with ``.class_names``;
        with ``subset="both"``, a ``[training, validation]`` pair.
    """
    if labels not in ("inferred", None):
        if not isinstance(labels, (list, tuple)):
            raise ValueError(
                "`labels` argument should be a list/tuple of integer labels, of the same size as the number of "
                "text files in the target directory. If you wish to infer the labels from the subdirectory names "
                'in the target directory, pass `labels="inferred"`. If you wish to get a dataset that only '
                f"contains text (no labels), pass `labels=None`. Received: labels={labels}"
            )
        if class_names:
            raise ValueError(f'You can only pass `class_names` if `labels="inferred"`. Received: labels={labels}, '
                             f"and class_names={class_names}")
    if label_mode not in {"int", "categorical", "binary", None}:
        raise ValueError('`label_mode` argument must be one of "int", "categorical", "binary", or None. '
                         f"Received: label_mode={label_mode}")
    if labels is None or label_mode is None:
        labels = None
        label_mode = None
    _check_format(format)
    check_validation_split_arg(validation_split, subset, shuffle, seed)
    if seed is None:
        seed = np.random.randint(1e6)
    paths, labels, class_names = index_directory(directory, labels, formats=(".txt",), class_names=class_names,
                                                 shuffle=shuffle, seed=seed, follow_links=follow_links,
                                                 verbose=verbose)
    if label_mode == "binary" and len(class_names) != 2:
        raise ValueError(f'When passing `label_mode="binary"`, there must be exactly 2 class_names. '
                         f"Received: class_names={class_names}")

    def load(path: str) -> str:
        with open(path, "rb") as f:
            data = f.read() if max_length is None else f.read(max_length)
        return data.decode("utf-8", errors="ignore")

    return _split_and_build(paths, labels, class_names, label_mode, validation_split, subset, shuffle, seed,
                            batch_size, load, "text files", "Allowed format: .txt", directory, False)


# --------------------------------------------------------------------------- timeseries


def timeseries_dataset_from_array(
    data: Any,
    targets: Any,
    sequence_length: int,
    sequence_stride: int = 1,
    sampling_rate: int = 1,
    batch_size: int | None = 128,
    shuffle: bool = False,
    seed: int | None = None,
    start_index: int | None = None,
    end_index: int | None = None,
    format: str = "tf",  # noqa: A002 - Keras argument name
) -> Any:
    """Dataset of sliding windows over ``data`` (and the matching ``targets``), as Keras.

    Window ``i`` is ``data[start_index + p_i : ... : sampling_rate]`` (``sequence_length`` steps) with
    ``p_i = i * sequence_stride``; its target is ``targets[start_index + p_i]``.

    Args:
        data: Array-like whose first axis is time.
        targets: Targets aligned with ``data`` (``targets[i]`` for the window starting at ``i``), or None.
        sequence_length: Steps per window.
        sequence_stride: Steps between the starts of consecutive windows.
        sampling_rate: Step between the samples inside a window.
        batch_size: Windows per batch; None yields single windows.
        shuffle: Shuffle the windows.
        seed: Seed of the shuffle.
        start_index: First time step used (default 0).
        end_index: Time step after the last one used (default: the end of ``data``).
        format: "tf" or "grain" (accepted; the same dataset object either way).

    Returns:
        A dataset of ``(windows, targets)`` batches (windows alone when ``targets`` is None); windows are
        ``(batch, sequence_length, ...)``.

    Raises:
        ValueError: for out-of-range indices, rates or strides.
    """
    n_data = len(data)
    if start_index:
        if start_index < 0:
            raise ValueError(f"`start_index` must be 0 or greater. Received: start_index={start_index}")
        if start_index >= n_data:
            raise ValueError(f"`start_index` must be lower than the length of the data. Received: "
                             f"start_index={start_index}, for data of length {n_data}")
    if end_index:
        if start_index and end_index <= start_index:
            raise ValueError(f"`end_index` must be higher than `start_index`. Received: start_index={start_index}, "
                             f"and end_index={end_index} ")
        if end_index >= n_data:
            raise ValueError(f"`end_index` must be lower than the length of the data. Received: "
                             f"end_index={end_index}, for data of length {n_data}")
        if end_index <= 0:
            raise ValueError(f"`end_index` must be higher than 0. Received: end_index={end_index}")
    if sampling_rate <= 0:
        raise ValueError(f"`sampling_rate` must be higher than 0. Received: sampling_rate={sampling_rate}")
    if sampling_rate >= n_data:
        raise ValueError(f"`sampling_rate` must be lower than the length of the data. Received: "
                         f"sampling_rate={sampling_rate}, for data of length {n_data}")
    if sequence_stride <= 0:
        raise ValueError(f"`sequence_stride` must be higher than 0. Received: sequence_stride={sequence_stride}")
    if sequence_stride >= n_data:
        raise ValueError(f"`sequence_stride` must be lower than the length of the data. Received: "
                         f"sequence_stride={sequence_stride}, for data of length {n_data}")
    _check_format(format)
    if start_index is None:
        start_index = 0
    if end_index is None:
        end_index = n_data

    def as_tensor(a: Any) -> torch.Tensor:
        return a if isinstance(a, torch.Tensor) else torch.from_numpy(np.ascontiguousarray(np.asarray(a)))

    series = as_tensor(data)[start_index:end_index]
    target_series = as_tensor(targets)[start_index:end_index] if targets is not None else None

    num_seqs = end_index - start_index - (sequence_length - 1) * sampling_rate
    if targets is not None:
        num_seqs = min(num_seqs, len(targets))
    start_positions = np.arange(0, max(num_seqs, 0), sequence_stride, dtype="int64")
    if shuffle:
        if seed is None:
            seed = np.random.randint(1e6)
        np.random.RandomState(seed).shuffle(start_positions)
    offsets = torch.arange(sequence_length) * sampling_rate

    def window(pos: Any) -> Any:
        p = torch.as_tensor(np.asarray(pos), dtype=torch.int64)
        idx = p[..., None] + offsets
        x = series[idx]
        return x if target_series is None else (x, target_series[p])

    ds = _dataset_cls().from_tensor_slices(start_positions)
    if shuffle:
        ds = ds.shuffle(buffer_size=batch_size * 8 if batch_size is not None else 1024, seed=seed)
    if batch_size is not None:
        ds = ds.batch(batch_size)
    return ds.map(window)
