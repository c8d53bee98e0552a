"""Turn whatever users pass to fit/evaluate/predict into batches of device tensors.

Arrays (numpy, torch, lists/dicts of them) are converted to tensors once per call and, per
epoch, shuffled with one gather so every batch is a contiguous slice (no per-batch copies).
Generators, ``keras.utils.Sequence``/``PyDataset``, torch ``Dataset``/``DataLoader`` and
``tf.data`` stand-ins are iterated as they come.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import tree


def to_tensor(x: Any, device: torch.device | None = None) -> Any:
    """numpy/lists → torch (float64 → floatx), leave tensors; move to ``device``."""
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, np.ndarray):
        if x.dtype == np.float64:
            x = x.astype(_config.floatx())
        elif x.dtype.kind in "OUS":
            raise ValueError(f"Unsupported data of dtype {x.dtype}: keras_torch needs numeric arrays.")
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif hasattr(x, "__array__") or isinstance(x, (list, tuple, int, float)):
        return to_tensor(np.asarray(x), device)
    else:
        return x
    if t.dtype == torch.float64:
        t = t.to(getattr(torch, _config.floatx()))
    if device is not None and t.device != device:
        t = t.to(device, non_blocking=True)
    return t


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` → the three parts (Keras helper)."""
    if isinstance(data, list):
        data = tuple(data)
    if not isinstance(data, tuple):
        return data, None, None
    if len(data) == 1:
        return data[0], None, None
    if len(data) == 2:
        return data[0], data[1], None
    if len(data) == 3:
        return data[0], data[1], data[2]
    raise ValueError(f"Data is expected to be in format `x`, `(x,)`, `(x, y)`, or `(x, y, sample_weight)`, found: {data}")


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> tuple:
    if y is None:
        return (x,)
    if sample_weight is None:
        return (x, y)
    return (x, y, sample_weight)


def _num_samples(flat: list[Any]) -> int:
    sizes = {int(t.shape[0]) for t in flat if t is not None and hasattr(t, "shape") and len(t.shape) > 0}
    return sizes.pop() if len(sizes) == 1 else -1


def _is_array_like(x: Any) -> bool:
    if x is None:
        return True
    leaves = tree.flatten(x)
    return all(isinstance(v, (np.ndarray, torch.Tensor)) or (hasattr(v, "__array__") and hasattr(v, "shape"))
               or v is None for v in leaves)


class DataHandler:
    """Batches for one fit/evaluate/predict call."""

    def __init__(
        self,
        x: Any,
        y: Any = None,
        sample_weight: Any = None,
        batch_size: int | None = None,
        steps_per_epoch: int | None = None,
        shuffle: Any = False,
        class_weight: dict | None = None,
        device: torch.device | None = None,
        for_predict: bool = False,
        distribution: Any = None,
    ) -> None:
        self.device = device
        self.for_predict = for_predict
        # A keras_torch.distribution.runtime runtime: this rank reads its share of each global batch.
        self.distribution = distribution
        self.steps_per_epoch = _config.limit_steps(steps_per_epoch)  # keras.config.set_max_steps_per_epoch
        self.shuffle = shuffle
        self.class_weight = class_weight
        self._iterable = None
        self._array = False
        from keras_torch.utils.sequence import is_keras_sequence

        if is_keras_sequence(x) or isinstance(x, torch.utils.data.DataLoader) or _is_iterable_source(x):
            if y is not None:
                raise ValueError("`y` argument is not supported when using a dataset, generator or Sequence as input.")
            if sample_weight is not None:
                raise ValueError("`sample_weight` is not supported when using a dataset, generator or Sequence.")
            self._iterable = x
            self.num_samples = None
            return
        if isinstance(x, torch.utils.data.Dataset):
            self._map_dataset, self._ds_batch_size = x, batch_size or 32
            self._iterable = torch.utils.data.DataLoader(x, batch_size=batch_size or 32, shuffle=bool(shuffle))
            self.num_samples = None
            return
        if not _is_array_like(x):
            raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x)})")
        self._array = True
        self.batch_size = 32 if batch_size is None else int(batch_size)
        if self.batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
        self.x = tree.map_structure(lambda v: to_tensor(v, device), x)
        self.y = tree.map_structure(lambda v: to_tensor(v, device), y) if y is not None else None
        self.sw = to_tensor(sample_weight, device) if sample_weight is not None else None
        flat_x = tree.flatten(self.x)
        n_x = _num_samples(flat_x)
        if n_x < 0:
            raise ValueError(
                "Data cardinality is ambiguous: all input arrays must have the same number of samples. "
                f"Received x sizes: {[int(t.shape[0]) for t in flat_x if hasattr(t, 'shape')]}"
            )
        if self.y is not None:
            flat_y = tree.flatten(self.y)
            n_y = _num_samples(flat_y)
            if n_y != n_x:
                raise ValueError(
                    "Data cardinality is ambiguous. Make sure all arrays contain the same number of samples.\n"
                    f"'x' sizes: {n_x}\n'y' sizes: {[int(t.shape[0]) for t in flat_y]}"
                )
        if self.sw is not None and int(self.sw.shape[0]) != n_x:
            raise ValueError(f"`sample_weight` has {int(self.sw.shape[0])} entries but x has {n_x} samples.")
        if n_x == 0:
            raise ValueError("Expected a non-empty dataset: the input data has 0 samples.")
        self.num_samples = n_x
        if class_weight is not None and self.y is not None:
            self.sw = _apply_class_weight(self.y, self.sw, class_weight)

    def steps(self) -> int | None:
        if self.distribution is not None and self.for_predict and self._array:
            return self.distribution.steps(self)
        if self.steps_per_epoch is not None:
            return int(self.steps_per_epoch)
        if self._array:
            return math.ceil(self.num_samples / self.batch_size)
        try:
            return len(self._iterable)
        except TypeError:
            return None

    def epoch_iterator(self, epoch: int = 0) -> Iterator[tuple]:
        if self.distribution is not None:
            yield from self.distribution.batches(self, epoch)
        elif self._array:
            yield from self._array_batches()
        else:
            yield from self._iter_batches(epoch)

    def _array_batches(self) -> Iterator[tuple]:
        n, bs = self.num_samples, self.batch_size
        x, y, sw = self.x, self.y, self.sw
        starts: Any = range(math.ceil(n / bs))
        if self.shuffle == "batch":
            starts = torch.randperm(math.ceil(n / bs)).tolist()
        elif self.shuffle:
            perm = torch.randperm(n, device=tree.flatten(x)[0].device)
            # One gather per epoch; batches below are then views.
            x = tree.map_structure(lambda t: t[perm], x)
            y = tree.map_structure(lambda t: t[perm], y) if y is not None else None
            sw = sw[perm] if sw is not None else None
        limit = self.steps_per_epoch
        for k, b in enumerate(starts):
            if limit is not None and k >= limit:
                return
            s = slice(b * bs, min((b + 1) * bs, n))
            bx = x[s] if type(x) is torch.Tensor else tree.map_structure(lambda t, s=s: t[s], x)
            if y is None:
                by = None
            else:
                by = y[s] if type(y) is torch.Tensor else tree.map_structure(lambda t, s=s: t[s], y)
            bsw = sw[s] if sw is not None else None
            yield pack_x_y_sample_weight(bx, by, bsw)

    def _iter_batches(self, epoch: int) -> Iterator[tuple]:
        src = self._iterable
        from keras_torch.utils.sequence import is_keras_sequence

        if is_keras_sequence(src):
            # Keras never reorders the batches of a PyDataset; shuffling is the dataset's job.
            it: Any = (src[i] for i in range(len(src)))
        elif hasattr(src, "_keras_iter"):  # tf.data stand-in
            it = src._keras_iter()
        else:
            it = iter(src)
        limit = self.steps_per_epoch
        for k, batch in enumerate(it):
            if limit is not None and k >= limit:
                break
            x, y, sw = unpack_x_y_sample_weight(batch)
            x = tree.map_structure(lambda v: to_tensor(v, self.device), x)
            y = tree.map_structure(lambda v: to_tensor(v, self.device), y) if y is not None else None
            sw = to_tensor(sw, self.device) if sw is not None else None
            if self.class_weight is not None and y is not None:
                sw = _apply_class_weight(y, sw, self.class_weight)
            yield pack_x_y_sample_weight(x, y, sw)
        if is_keras_sequence(src) and hasattr(src, "on_epoch_end"):
            src.on_epoch_end()


def _is_iterable_source(x: Any) -> bool:
    import types

    if isinstance(x, (types.GeneratorType,)) or hasattr(x, "_keras_iter"):
        return True
    return hasattr(x, "__iter__") and hasattr(x, "__next__") and not isinstance(x, (np.ndarray, torch.Tensor))


def _apply_class_weight(y: Any, sw: Any, class_weight: dict) -> torch.Tensor:
    flat = tree.flatten(y)
    if len(flat) != 1:
        raise ValueError("`class_weight` is only supported for models with a single output.")
    yt = flat[0]
    if yt.ndim > 1 and yt.shape[-1] > 1:
        idx = torch.argmax(yt, dim=-1)
    else:
        idx = yt.reshape(yt.shape[0], -1)[:, 0]
        idx = torch.round(idx).long() if idx.is_floating_point() else idx.long()
    size = max(int(max(class_weight)) + 1, int(idx.max().item()) + 1)
    table = torch.ones(size, dtype=torch.float32, device=yt.device)
    for k, v in class_weight.items():
        table[int(k)] = float(v)
    w = table[idx]
    return w if sw is None else sw * w


def train_validation_split(arrays: Any, validation_split: float) -> tuple[Any, Any]:
    """Keras rule: the last ``validation_split`` fraction (before shuffling) is validation."""
    if not 0 < validation_split < 1:
        raise ValueError(f"`validation_split` must be between 0 and 1. Received: {validation_split}")
    flat = [t for t in tree.flatten(arrays) if t is not None]
    if not _is_array_like(arrays):
        raise ValueError("`validation_split` is only supported for tensors or NumPy arrays.")
    n = int(flat[0].shape[0])
    split_at = int(math.floor(n * (1.0 - validation_split)))
    if split_at == 0 or split_at == n:
        raise ValueError(f"Training data contains {n} samples, which is not sufficient to split it "
                         f"into a validation and training set as specified by `validation_split={validation_split}`.")

    def first(t: Any) -> Any:
        return None if t is None else t[:split_at]

    def second(t: Any) -> Any:
        return None if t is None else t[split_at:]

    return tree.map_structure(first, arrays), tree.map_structure(second, arrays)
