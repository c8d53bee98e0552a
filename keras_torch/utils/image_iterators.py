"""tf-keras 2's image iterators: ``Iterator``, ``NumpyArrayIterator``, ``DirectoryIterator``, ``DataFrameIterator``.

They are ``keras.utils.Sequence`` s of ``(images, labels)`` batches built by an
:class:`~keras_torch.utils.image_data_generator.ImageDataGenerator` (random transform, then
standardize, per image), with tf-keras's index order and seeding: batch ``idx`` of an iterator
with ``seed`` reseeds numpy's global generator with ``seed + batches seen so far`` before drawing,
so a fixed seed reproduces tf-keras's shuffles and transform parameters. Files are read with Pillow.
"""

from __future__ import annotations

import collections
import os
import threading
import warnings
from collections.abc import Iterator as PyIterator
from typing import Any

import numpy as np

from keras_torch.core import config as _config
from keras_torch.utils.image_utils import array_to_img, img_to_array, load_img
from keras_torch.utils.sequence import PyDataset

__all__ = ["DataFrameIterator", "DirectoryIterator", "Iterator", "NumpyArrayIterator"]


class Iterator(PyDataset):
    """Base class of the image iterators: batches of ``batch_size`` indices over ``n`` samples.

    Subclasses implement ``_get_batches_of_transformed_samples(index_array)``. Indexing
    (``it[i]``, what ``fit`` uses) and iteration (``next(it)``, endless) both work.

    Args:
        n: Number of samples.
        batch_size: Samples per batch.
        shuffle: Reshuffle the samples at every epoch.
        seed: Seed of the shuffles and of the random transforms.
    """

    white_list_formats = ("png", "jpg", "jpeg", "bmp", "ppm", "tif", "tiff")

    def __init__(self, n: int, batch_size: int, shuffle: bool, seed: int | None) -> None:
        super().__init__()
        self.n = n
        self.batch_size = batch_size
        self.seed = seed
        self.shuffle = shuffle
        self.batch_index = 0
        self.total_batches_seen = 0
        self.lock = threading.Lock()
        self.index_array: np.ndarray | None = None
        self.index_generator = self._flow_index()

    def _set_index_array(self) -> None:
        self.index_array = np.arange(self.n)
        if self.shuffle:
            self.index_array = np.random.permutation(self.n)

    def __getitem__(self, idx: int) -> Any:
        if idx >= len(self):
            raise ValueError(f"Asked to retrieve element {idx}, but the Sequence has length {len(self)}")
        if self.seed is not None:
            np.random.seed(self.seed + self.total_batches_seen)
        self.total_batches_seen += 1
        if self.index_array is None:
            self._set_index_array()
        return self._get_batches_of_transformed_samples(
            self.index_array[self.batch_size * idx: self.batch_size * (idx + 1)])

    def __len__(self) -> int:
        return (self.n + self.batch_size - 1) // self.batch_size

    def on_epoch_end(self) -> None:
        self._set_index_array()

    def reset(self) -> None:
        self.batch_index = 0

    def _flow_index(self) -> PyIterator[np.ndarray]:
        self.reset()
        while True:
            if self.seed is not None:
                np.random.seed(self.seed + self.total_batches_seen)
            if self.batch_index == 0:
                self._set_index_array()
            current = 0 if self.n == 0 else (self.batch_index * self.batch_size) % self.n
            if self.n > current + self.batch_size:
                self.batch_index += 1
            else:
                self.batch_index = 0
            self.total_batches_seen += 1
            yield self.index_array[current: current + self.batch_size]

    def __iter__(self) -> Iterator:
        return self

    def __next__(self) -> Any:
        return self.next()

    def next(self) -> Any:
        """The next batch (the iteration never ends; it restarts, reshuffled, after each pass)."""
        with self.lock:
            index_array = next(self.index_generator)
        return self._get_batches_of_transformed_samples(index_array)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must implement _get_batches_of_transformed_samples.")


def _save_batch(batch_x: np.ndarray, index_array: np.ndarray, data_format: str, directory: str, prefix: str,
                file_format: str, hash_range: float) -> None:
    """Write each augmented image of a batch (``save_to_dir``, for inspecting the transforms)."""
    for i, j in enumerate(index_array):
        img = array_to_img(batch_x[i], data_format, scale=True)
        name = f"{prefix}_{j}_{np.random.randint(hash_range)}.{file_format}"
        img.save(os.path.join(directory, name))


class NumpyArrayIterator(Iterator):
    """Batches of augmented images from a rank-4 array (``ImageDataGenerator.flow``).

    Args:
        x: Images ``(n, h, w, c)`` (channels first with ``data_format``), or ``(images, extra)``
            where ``extra`` (an array or a list of arrays) is passed through with each batch.
        y: Labels, or ``None`` (batches are then the images alone).
        image_data_generator: The generator transforming each image.
        batch_size: Images per batch.
        shuffle: Shuffle the order at every epoch.
        sample_weight: Per-sample weights (batches become ``(x, y, weights)``).
        seed: Seed of the shuffle and of the augmentation.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        save_to_dir: Also write the augmented images to this directory (None: do not save).
        save_prefix: File name prefix of the saved images.
        save_format: Image format of the saved images (e.g. ``"png"``, ``"jpeg"``).
        subset: ``"training"`` or ``"validation"`` part of the generator's ``validation_split``.
        ignore_class_split: Allow the two subsets to hold different classes.
        dtype: dtype of the image batches.
    """

    def __init__(self, x: Any, y: Any, image_data_generator: Any, batch_size: int = 32, shuffle: bool = False,
                 sample_weight: Any = None, seed: int | None = None, data_format: str | None = None,
                 save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
                 subset: str | None = None, ignore_class_split: bool = False, dtype: str | None = None) -> None:
        data_format = data_format or _config.image_data_format()
        self.dtype = dtype or _config.floatx()
        if isinstance(x, (tuple, list)):
            x_misc = [np.asarray(x[1])] if not isinstance(x[1], list) else [np.asarray(xx) for xx in x[1]]
            x = x[0]
            for xx in x_misc:
                if len(x) != len(xx):
                    raise ValueError("All of the arrays in `x` should have the same length. Found a pair with: "
                                     f"len(x[0]) = {len(x)}, len(x[?]) = {len(xx)}")
        else:
            x_misc = []
        if y is not None and len(x) != len(y):
            raise ValueError("`x` (images tensor) and `y` (labels) should have the same length. Found: x.shape = "
                             f"{np.asarray(x).shape}, y.shape = {np.asarray(y).shape}")
        if sample_weight is not None and len(x) != len(sample_weight):
            raise ValueError("`x` (images tensor) and `sample_weight` should have the same length. Found: x.shape = "
                             f"{np.asarray(x).shape}, sample_weight.shape = {np.asarray(sample_weight).shape}")
        if subset is not None:
            if subset not in {"training", "validation"}:
                raise ValueError(f"Invalid subset name: {subset}; expected \"training\" or \"validation\".")
            split_idx = int(len(x) * image_data_generator._validation_split)
            if (y is not None and not ignore_class_split
                    and not np.array_equal(np.unique(y[:split_idx]), np.unique(y[split_idx:]))):
                raise ValueError("Training and validation subsets have different number of classes after the split. "
                                 "If your numpy arrays are sorted by the label, you might want to shuffle them.")
            part = slice(None, split_idx) if subset == "validation" else slice(split_idx, None)
            x = x[part]
            x_misc = [np.asarray(xx[part]) for xx in x_misc]
            if y is not None:
                y = y[part]
        self.x = np.asarray(x, dtype=self.dtype)
        self.x_misc = x_misc
        if self.x.ndim != 4:
            raise ValueError(f"Input data in `NumpyArrayIterator` should have rank 4. You passed an array with shape "
                             f"{self.x.shape}")
        channels_axis = 3 if data_format == "channels_last" else 1
        if self.x.shape[channels_axis] not in {1, 3, 4}:
            warnings.warn(f'NumpyArrayIterator is set to use the data format convention "{data_format}" (channels on '
                          f"axis {channels_axis}), i.e. expected either 1, 3, or 4 channels on axis {channels_axis}. "
                          f"However, it was passed an array with shape {self.x.shape} "
                          f"({self.x.shape[channels_axis]} channels).", stacklevel=2)
        self.y = np.asarray(y) if y is not None else None
        self.sample_weight = np.asarray(sample_weight) if sample_weight is not None else None
        self.image_data_generator = image_data_generator
        self.data_format = data_format
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        super().__init__(self.x.shape[0], batch_size, shuffle, seed)

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        batch_x = np.zeros((len(index_array),) + self.x.shape[1:], dtype=self.dtype)
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            x = self.x[j]
            params = gen.get_random_transform(x.shape)
            x = gen.apply_transform(x.astype(self.dtype), params)
            batch_x[i] = gen.standardize(x)
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 1e4)
        misc = [xx[index_array] for xx in self.x_misc]
        output: tuple = (batch_x if not misc else [batch_x] + misc,)
        if self.y is None:
            return output[0]
        output += (self.y[index_array],)
        if self.sample_weight is not None:
            output += (self.sample_weight[index_array],)
        return output


class _FileBatches:
    """Reading, transforming and labelling batches of image files (DirectoryIterator, DataFrameIterator)."""

    dtype: str
    class_mode: str | None
    classes: Any
    class_indices: dict[str, int]
    image_data_generator: Any

    def _set_processing_attrs(self, image_data_generator: Any, target_size: Any, color_mode: str, data_format: str,
                              save_to_dir: str | None, save_prefix: str, save_format: str, subset: str | None,
                              interpolation: str, keep_aspect_ratio: bool) -> None:
        self.image_data_generator = image_data_generator
        self.target_size = tuple(target_size)
        self.keep_aspect_ratio = keep_aspect_ratio
        if color_mode not in {"rgb", "rgba", "grayscale"}:
            raise ValueError(f'Invalid color mode: {color_mode}; expected "rgb", "rgba", or "grayscale".')
        self.color_mode = color_mode
        self.data_format = data_format
        channels = {"rgba": 4, "rgb": 3, "grayscale": 1}[color_mode]
        self.image_shape = (self.target_size + (channels,) if data_format == "channels_last"
                            else (channels,) + self.target_size)
        self.save_to_dir, self.save_prefix, self.save_format = save_to_dir, save_prefix, save_format
        self.interpolation = interpolation
        if subset is None:
            self.split = None
        elif subset == "validation":
            self.split = (0, image_data_generator._validation_split)
        elif subset == "training":
            self.split = (image_data_generator._validation_split, 1)
        else:
            raise ValueError(f'Invalid subset name: {subset};expected "training" or "validation"')
        self.subset = subset

    @property
    def filepaths(self) -> list[str]:
        raise NotImplementedError

    @property
    def labels(self) -> Any:
        raise NotImplementedError

    @property
    def sample_weight(self) -> Any:
        raise NotImplementedError

    def _get_batches_of_transformed_samples(self, index_array: np.ndarray) -> Any:
        batch_x = np.zeros((len(index_array),) + self.image_shape, dtype=self.dtype)
        paths = self.filepaths
        gen = self.image_data_generator
        for i, j in enumerate(index_array):
            img = load_img(paths[j], color_mode=self.color_mode, target_size=self.target_size,
                           interpolation=self.interpolation, keep_aspect_ratio=self.keep_aspect_ratio)
            x = img_to_array(img, data_format=self.data_format)
            if hasattr(img, "close"):
                img.close()
            if gen:
                x = gen.standardize(gen.apply_transform(x, gen.get_random_transform(x.shape)))
            batch_x[i] = x
        if self.save_to_dir:
            _save_batch(batch_x, index_array, self.data_format, self.save_to_dir, self.save_prefix,
                        self.save_format, 1e7)
        mode = self.class_mode
        if mode == "input":
            batch_y = batch_x.copy()
        elif mode in {"binary", "sparse"}:
            batch_y = np.empty(len(batch_x), dtype=self.dtype)
            for i, k in enumerate(index_array):
                batch_y[i] = self.classes[k]
        elif mode == "categorical":
            batch_y = np.zeros((len(batch_x), len(self.class_indices)), dtype=self.dtype)
            for i, k in enumerate(index_array):
                batch_y[i, self.classes[k]] = 1.0
        elif mode == "multi_output":
            batch_y = [output[index_array] for output in self.labels]
        elif mode == "raw":
            batch_y = self.labels[index_array]
        else:
            return batch_x
        if self.sample_weight is None:
            return batch_x, batch_y
        return batch_x, batch_y, self.sample_weight[index_array]


def _valid_files(directory: str, formats: tuple[str, ...], follow_links: bool) -> PyIterator[tuple[str, str]]:
    for root, _, files in sorted(os.walk(directory, followlinks=follow_links), key=lambda x: x[0]):
        for fname in sorted(files):
            if fname.lower().endswith(".tiff"):
                warnings.warn('Using ".tiff" files with multiple bands will cause distortion. Please verify your '
                              "output.", stacklevel=3)
            if fname.lower().endswith(formats):
                yield root, fname


def _class_files(directory: str, formats: tuple[str, ...], split: Any, class_indices: dict[str, int],
                 follow_links: bool) -> tuple[list[int], list[str]]:
    """Class indices and ``class/file`` paths of the images in one class directory (the ``split`` share)."""
    dirname = os.path.basename(directory)
    files: Any = _valid_files(directory, formats, follow_links)
    if split:
        files = list(files)
        files = files[int(split[0] * len(files)): int(split[1] * len(files))]
    classes, filenames = [], []
    for root, fname in files:
        classes.append(class_indices[dirname])
        filenames.append(os.path.join(dirname, os.path.relpath(os.path.join(root, fname), directory)))
    return classes, filenames


class DirectoryIterator(_FileBatches, Iterator):
    """Batches of augmented images read from ``directory/<class>/*`` (``ImageDataGenerator.flow_from_directory``).

    Args:
        directory: One subdirectory per class (sorted names give the class indices).
        image_data_generator: The generator transforming each image (``None``: none).
        target_size: ``(height, width)`` images are resized to.
        color_mode: ``"rgb"``, ``"rgba"`` or ``"grayscale"``.
        classes: Class subdirectories to use, in index order (default: all, sorted).
        class_mode: ``"categorical"`` (one-hot), ``"binary"``, ``"sparse"``, ``"input"`` or ``None``.
        batch_size: Images per batch.
        shuffle: Shuffle the order at every epoch.
        seed: Seed of the shuffle and of the augmentation.
        data_format: ``"channels_last"`` or ``"channels_first"``.
        save_to_dir: Also write the augmented images to this directory (None: do not save).
        save_prefix: File name prefix of the saved images.
        save_format: Image format of the saved images (e.g. ``"png"``, ``"jpeg"``).
        follow_links: Follow symbolic links to subdirectories.
        subset: ``"training"`` or ``"validation"`` part of the generator's ``validation_split``.
        interpolation: Pillow resampling (``"nearest"``, ``"bilinear"``, ``"bicubic"``, ``"lanczos"``,
            ``"box"``, ``"hamming"``).
        keep_aspect_ratio: Center-crop to the target aspect ratio before resizing.
        dtype: dtype of the image batches.
    """

    allowed_class_modes = {"categorical", "binary", "sparse", "input", None}

    def __init__(self, directory: str, image_data_generator: Any, target_size: Any = (256, 256),
                 color_mode: str = "rgb", classes: list[str] | None = None, class_mode: str | None = "categorical",
                 batch_size: int = 32, shuffle: bool = True, seed: int | None = None, data_format: str | None = None,
                 save_to_dir: str | None = None, save_prefix: str = "", save_format: str = "png",
                 follow_links: bool = False, subset: str | None = None, interpolation: str = "nearest",
                 keep_aspect_ratio: bool = False, dtype: str | None = None) -> None:
        data_format = data_format or _config.image_data_format()
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format, save_to_dir,
                                   save_prefix, save_format, subset, interpolation, keep_aspect_ratio)
        self.directory = directory
        if class_mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {class_mode}; expected one of: {self.allowed_class_modes}")
        self.class_mode = class_mode
        self.dtype = dtype or _config.floatx()
        if not classes:
            classes = [d for d in sorted(os.listdir(directory)) if os.path.isdir(os.path.join(directory, d))]
        self.num_classes = len(classes)
        self.class_indices = dict(zip(classes, range(len(classes))))
        self.filenames: list[str] = []
        labels: list[int] = []
        for subdir in classes:
            found, names = _class_files(os.path.join(directory, subdir), self.white_list_formats, self.split,
                                        self.class_indices, follow_links)
            labels += found
            self.filenames += names
        self.samples = len(self.filenames)
        self.classes = np.asarray(labels, dtype="int32").reshape(self.samples)
        print(f"Found {self.samples} images belonging to {self.num_classes} classes.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        Iterator.__init__(self, self.samples, batch_size, shuffle, seed)

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> np.ndarray:
        return self.classes

    @property
    def sample_weight(self) -> None:
        return None


class DataFrameIterator(_FileBatches, Iterator):
    """Batches of augmented images listed in a pandas DataFrame (``ImageDataGenerator.flow_from_dataframe``).

    Args:
        dataframe: Filenames in ``x_col`` (relative to ``directory``) and labels in ``y_col``.
        directory: Directory the filenames are relative to (``None``: absolute paths).
        image_data_generator: The generator transforming each image.
        x_col / y_col / weight_col: Columns of filenames, labels (a list for ``"multi_output"``)
            and sample weights.
        class_mode: ``"categorical"``, ``"binary"``, ``"sparse"``, ``"input"``,
            ``"multi_output"``, ``"raw"`` or ``None``.
        validate_filenames: Drop rows whose file is missing or not an image.
        Other arguments: as :class:`DirectoryIterator`.
    """

    allowed_class_modes = {"binary", "categorical", "input", "multi_output", "raw", "sparse", None}

    def __init__(self, dataframe: Any, directory: str | None = None, image_data_generator: Any = None,
                 x_col: str = "filename", y_col: Any = "class", weight_col: str | None = None,
                 target_size: Any = (256, 256), color_mode: str = "rgb", classes: list[str] | None = None,
                 class_mode: str | None = "categorical", batch_size: int = 32, shuffle: bool = True,
                 seed: int | None = None, data_format: str = "channels_last", save_to_dir: str | None = None,
                 save_prefix: str = "", save_format: str = "png", subset: str | None = None,
                 interpolation: str = "nearest", keep_aspect_ratio: bool = False, dtype: str = "float32",
                 validate_filenames: bool = True) -> None:
        self._set_processing_attrs(image_data_generator, target_size, color_mode, data_format, save_to_dir,
                                   save_prefix, save_format, subset, interpolation, keep_aspect_ratio)
        df = dataframe.copy()
        self.directory = directory or ""
        self.class_mode = class_mode
        self.dtype = dtype
        self._check_params(df, x_col, y_col, weight_col, classes)
        if validate_filenames:
            df = self._filter_valid_filepaths(df, x_col)
        labelled = class_mode not in ("input", "multi_output", "raw", None)
        if labelled:
            df, classes = self._filter_classes(df, y_col, classes)
            self.class_indices = dict(zip(classes, range(len(classes))))
        if self.split:
            df = df.iloc[int(self.split[0] * len(df)): int(self.split[1] * len(df)), :]
        if labelled:
            self.classes = self._get_classes(df, y_col)
        self.filenames = df[x_col].tolist()
        self._sample_weight = df[weight_col].values if weight_col else None
        if class_mode == "multi_output":
            self._targets = [np.array(df[col].tolist()) for col in y_col]
        if class_mode == "raw":
            self._targets = df[y_col].values
        self.samples = len(self.filenames)
        validated = "validated" if validate_filenames else "non-validated"
        if labelled:
            print(f"Found {self.samples} {validated} image filenames belonging to {len(classes)} classes.")
        else:
            print(f"Found {self.samples} {validated} image filenames.")
        self._filepaths = [os.path.join(self.directory, f) for f in self.filenames]
        Iterator.__init__(self, self.samples, batch_size, shuffle, seed)

    def _check_params(self, df: Any, x_col: str, y_col: Any, weight_col: str | None, classes: Any) -> None:
        mode = self.class_mode
        if mode not in self.allowed_class_modes:
            raise ValueError(f"Invalid class_mode: {mode}; expected one of: {self.allowed_class_modes}")
        if mode == "multi_output" and not isinstance(y_col, list):
            raise TypeError(f'If class_mode="{mode}", y_col must be a list. Received {type(y_col).__name__}.')
        if not all(df[x_col].apply(lambda x: isinstance(x, str))):
            raise TypeError(f"All values in column x_col={x_col} must be strings.")
        if mode in {"binary", "sparse"} and not all(df[y_col].apply(lambda x: isinstance(x, str))):
            raise TypeError(f'If class_mode="{mode}", y_col="{y_col}" column values must be strings.')
        if mode == "binary":
            count = len(set(classes)) if classes else df[y_col].nunique()
            if count != 2:
                found = f"{count} class/es were given." if classes else f"Found {count} classes."
                raise ValueError(f'If class_mode="binary" there must be 2 classes. {found}')
        if mode == "categorical" and not all(df[y_col].apply(lambda x: isinstance(x, (str, list, tuple)))):
            raise TypeError(f'If class_mode="{mode}", y_col="{y_col}" column values must be type string, list or '
                            "tuple.")
        if classes and mode in {"input", "multi_output", "raw", None}:
            warnings.warn(f'`classes` will be ignored given the class_mode="{mode}"', stacklevel=3)
        if weight_col and not issubclass(df[weight_col].dtype.type, np.number):
            raise TypeError(f"Column weight_col={weight_col} must be numeric.")

    def _get_classes(self, df: Any, y_col: str) -> list[Any]:
        return [[self.class_indices[v] for v in label] if isinstance(label, (list, tuple))
                else self.class_indices[label] for label in df[y_col]]

    @staticmethod
    def _filter_classes(df: Any, y_col: str, classes: Any) -> tuple[Any, list[str]]:
        df = df.copy()

        def keep(labels: Any, wanted: list[str]) -> Any:
            if isinstance(labels, (list, tuple)):
                return [c for c in labels if c in wanted] or None
            if isinstance(labels, str):
                return labels if labels in wanted else None
            raise TypeError(f"Expect string, list or tuple but found {type(labels)} in {y_col} column ")

        if classes:
            classes = list(collections.OrderedDict.fromkeys(classes).keys())
            df[y_col] = df[y_col].apply(lambda x: keep(x, classes))
        else:
            found: set[str] = set()
            for v in df[y_col]:
                if isinstance(v, (list, tuple)):
                    found.update(v)
                else:
                    found.add(v)
            classes = sorted(found)
        return df.dropna(subset=[y_col]), classes

    def _filter_valid_filepaths(self, df: Any, x_col: str) -> Any:
        paths = df[x_col].map(lambda fname: os.path.join(self.directory, fname))
        mask = paths.apply(lambda p: p.lower().endswith(self.white_list_formats) and os.path.isfile(p))
        invalid = int((~mask).sum())
        if invalid:
            warnings.warn(f'Found {invalid} invalid image filename(s) in x_col="{x_col}". These filename(s) will be '
                          "ignored.", stacklevel=3)
        return df[mask]

    @property
    def filepaths(self) -> list[str]:
        return self._filepaths

    @property
    def labels(self) -> Any:
        return self._targets if self.class_mode in {"multi_output", "raw"} else self.classes

    @property
    def sample_weight(self) -> Any:
        return self._sample_weight
