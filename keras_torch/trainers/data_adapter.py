"""Turn whatever users pass to fit/evaluate/predict into batches of device tensors.

Arrays (numpy, torch, lists/dicts of them) are converted to tensors once per call and, per
epoch, shuffled with one gather so every batch is a contiguous slice (no per-batch copies).
Generators, ``keras.utils.Sequence``/``PyDataset``, torch ``Dataset``/``DataLoader`` and
``tf.data`` stand-ins are iterated as they come.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core import tree
from keras_torch.distribution.sharding import Sharding
from keras_torch.utils.dataset_creator import DatasetCreator, InputContext


def to_tensor(x: Any, device: torch.device | None = None, strings: bool = True) -> Any:
    """numpy/lists → torch (float64 → floatx), leave tensors; move to ``device``.

    String arrays stay numpy (the model's text layers turn them into tensors); with
    ``strings=False`` (targets, sample weights) they raise a ``ValueError`` naming the dtype.
    """
    if x is None:
        return None
    if isinstance(x, torch.Tensor):
        t = x
    elif isinstance(x, np.ndarray):
        if x.dtype == np.float64:
            x = x.astype(_config.floatx())
        elif x.dtype.kind in "OUS":
            if not strings:
                raise ValueError(f"Unsupported data of dtype {x.dtype}: keras_torch needs numeric arrays here.")
            return x
        t = torch.from_numpy(np.ascontiguousarray(x))
    elif hasattr(x, "__array__") or isinstance(x, (list, tuple, int, float)):
        return to_tensor(np.asarray(x), device, strings)
    else:
        return x
    if t.dtype == torch.float64:
        t = t.to(getattr(torch, _config.floatx()))
    if device is not None and t.device != device:
        t = t.to(device, non_blocking=True)
    return t


def unpack_x_y_sample_weight(data: Any) -> tuple[Any, Any, Any]:
    """``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` → the three parts (Keras helper).

    Args:
        data: A batch: ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)`` (tuple or list).

    Returns:
        ``(x, y, sample_weight)``, None for the missing parts.

    Raises:
        ValueError: for a tuple of more than three items.
    """
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


def pack_x_y_sample_weight(x: Any, y: Any = None, sample_weight: Any = None) -> Any:
    """``(x, y, sample_weight)`` without the ``None`` parts; ``x`` alone when it is the only part and not a
    list or tuple (Keras: a custom ``train_step`` then receives the batch itself, not a 1-tuple).

    Args:
        x: Inputs.
        y: Targets, or None.
        sample_weight: Sample weights, or None.

    Returns:
        ``x``, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.
    """
    if y is None:
        return (x,) if isinstance(x, (list, tuple)) else x
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


class DataSpec:
    """What a model expects of its data, checked at the edge of the pipeline.

    Args:
        input_dtypes: ``{input name: torch dtype}`` of the model's inputs (in input order), or ``None``
            when the model declares none yet. Integer and bool data for a floating input is cast to
            it, as Keras converts inputs to their ``Input``'s dtype.
        label_classes: Per output (in output order): the number of classes of an output trained with
            integer labels (a sparse categorical crossentropy), else ``None``.
        output_names: The model's output names (to match dict targets).
    """

    def __init__(self, input_dtypes: dict[str, torch.dtype] | None, label_classes: list[int | None],
                 output_names: list[str]) -> None:
        self.input_dtypes = input_dtypes
        self.label_classes = label_classes
        self.output_names = output_names

    def cast_inputs(self, x: Any) -> Any:
        """``x`` with integer/bool tensors of floating inputs cast to the input's dtype (no copy otherwise)."""
        dtypes = self.input_dtypes
        if not dtypes:
            return x
        if isinstance(x, torch.Tensor):
            return _cast(x, next(iter(dtypes.values()))) if len(dtypes) == 1 else x
        if isinstance(x, dict):
            return {k: _cast(v, dtypes[k]) if k in dtypes else v for k, v in x.items()}
        if isinstance(x, (list, tuple)) and len(x) == len(dtypes):
            return type(x)(_cast(v, d) for v, d in zip(x, dtypes.values()))
        return x

    def check_labels(self, y: Any) -> None:
        """``ValueError`` naming the first integer label outside its output's ``[0, classes)`` (NaN included).

        Costs one reduction per labelled output; the loops call it once per array data source and
        on each stream batch while it is still on the host.
        """
        if y is None or not any(self.label_classes):
            return
        names = self.output_names
        if isinstance(y, dict):
            ys = [y.get(n) for n in names]
        elif isinstance(y, (list, tuple)) and len(y) == len(names):
            ys = list(y)
        else:
            ys = [y] if len(names) == 1 else []
        for name, classes, t in zip(names, self.label_classes, ys):
            if classes is not None and isinstance(t, (torch.Tensor, np.ndarray)) and t.ndim and t.shape[0]:
                _check_label_range(t, classes, name)


def _cast(t: Any, dtype: torch.dtype) -> Any:
    if isinstance(t, torch.Tensor) and dtype.is_floating_point and not t.is_floating_point() and not t.is_complex():
        return t.to(dtype)
    return t


def _check_label_range(t: Any, classes: int, output: str) -> None:
    if isinstance(t, np.ndarray):
        t = torch.from_numpy(np.ascontiguousarray(t)) if t.dtype.kind in "biuf" else None
        if t is None:
            return
    if t.is_floating_point():
        finite = torch.isfinite(t)
        if not bool(finite.all()):
            bad = t[~finite].reshape(-1)[0].item()
            raise ValueError(f"Received a label value of {bad} for output '{output}': integer class labels "
                             f"in [0, {classes}) are expected (sparse categorical crossentropy).")
        t = t.trunc()  # labels are cast to integers by truncation, as in Keras
    lo, hi = torch.aminmax(t.reshape(-1))
    lo, hi = int(lo), int(hi)
    if lo < 0 or hi >= classes:
        raise ValueError(f"Received a label value of {lo if lo < 0 else hi} which is outside the valid range of "
                         f"[0, {classes}) for output '{output}' (sparse categorical crossentropy: labels must be "
                         "class indices of the output).")


class DataHandler:
    """Batches for one fit/evaluate/predict call: the one data pipeline of the trainer.

    A distribution strategy may :meth:`shard` it; it then yields this process' share of every
    global batch (see ``keras_torch.distribution.sharding``) and reports each step's weight to
    the :class:`~keras_torch.distribution.sharding.Sharding`.

    Args:
        x, y, sample_weight: The data (arrays, or ``x`` alone as a dataset/generator/Sequence).
        batch_size: Batch size for arrays and map-style torch datasets (default 32).
        steps_per_epoch: Steps per epoch (default: the whole data).
        shuffle: ``True`` (rows), ``"batch"`` (batch order) or ``False``.
        class_weight: Per-class sample weights.
        device: Device the batches are put on.
        for_predict: Batches feed ``predict`` (not split into shares of global batches).
    """

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
    ) -> None:
        self.device = device
        self.for_predict = for_predict
        self.steps_per_epoch = _config.limit_steps(steps_per_epoch)  # keras.config.set_max_steps_per_epoch
        self.shuffle = shuffle
        self.class_weight = class_weight
        self.num_samples: int | None = None
        self._iterable: Any = None  # a stream source (Sequence, generator, DataLoader...)
        self._map_dataset: Any = None  # a map-style torch Dataset (also read through _iterable)
        self._ds_batch_size = 32
        self._array = False
        self._sharding: Sharding | None = None
        self._shard_seed: int | None = None  # shared by all ranks; drawn at the first shuffled epoch
        self._shard_cache: Any = None  # unshuffled arrays: this rank's rows, gathered once
        self._spec: DataSpec | None = None  # what the model expects (configure): casts and label checks

        if isinstance(x, DatasetCreator):
            if steps_per_epoch is None:
                raise ValueError("When using a `keras.utils.experimental.DatasetCreator`, `steps_per_epoch`, "
                                 "`validation_steps` or `steps` argument must be provided in `Model.fit`, "
                                 "`Model.evaluate`, or `Model.predict`.")
            x = x(InputContext())
        if yields_batches(x):
            if batch_size is not None:
                _warn_batch_size_ignored(x, batch_size)
            if y is not None:
                raise ValueError("`y` argument is not supported when using a dataset, generator or Sequence as input.")
            if sample_weight is not None:
                raise ValueError("`sample_weight` is not supported when using a dataset, generator or Sequence.")
            self._iterable = x
            return
        if isinstance(x, torch.utils.data.Dataset):
            self._map_dataset, self._ds_batch_size = x, batch_size or 32
            self._iterable = torch.utils.data.DataLoader(x, batch_size=batch_size or 32, shuffle=bool(shuffle))
            return
        if not _is_array_like(x):
            raise ValueError(f"Unrecognized data type: x={x!r} (of type {type(x)})")
        self._array = True
        self.batch_size = 32 if batch_size is None else int(batch_size)
        if self.batch_size <= 0:
            raise ValueError(f"`batch_size` must be a positive integer. Received: batch_size={batch_size}")
        self.x = tree.map_structure(lambda v: to_tensor(v, device), x)
        self.y = tree.map_structure(lambda v: to_tensor(v, device, strings=False), y) if y is not None else None
        self.sw = to_tensor(sample_weight, device, strings=False) if sample_weight is not None else None
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

    def configure(self, spec: DataSpec | None) -> None:
        """Check and adapt the data to what the model expects, once per data source where possible.

        Arrays are cast (integer/bool inputs to the model's float inputs) and their integer labels
        range-checked here, before the loop; stream batches get the same treatment one at a time
        (labels while they are still on the host, so no device synchronisation).
        """
        self._spec = spec
        if spec is None or not self._array:
            return
        self.x = spec.cast_inputs(self.x)
        spec.check_labels(self.y)

    # ------------------------------------------------------------------ sharding
    def shard(self, sharding: Sharding) -> None:
        """From now on read only this process' share of every global batch.

        Arrays and map-style datasets: the rows ``sharding`` plans for each global batch (the
        same shuffle on every rank); other streams: a contiguous share of each batch they
        yield, unless a ``DistributedSampler`` already shards them. ``predict`` on arrays splits
        the samples into one contiguous range per process; other predict data is read whole.
        """
        self._sharding = sharding

    @property
    def split_rows(self) -> int | None:
        """Rows a sharded ``predict`` splits across the processes (``None``: each reads everything)."""
        if self._sharding is None or not (self.for_predict and self._array):
            return None
        n = self.num_samples
        if self.steps_per_epoch is not None:
            n = min(n, int(self.steps_per_epoch) * self.batch_size)
        return n

    def sample_x(self) -> Any:
        """The inputs of one sample (or the first batch) as tensors, to build a model; ``None``
        for a one-shot generator (reading it would lose the batch)."""
        if self._array:
            return _take(self.x, slice(0, 1))
        from keras_torch.utils.sequence import is_keras_sequence

        src = self._iterable
        if self._map_dataset is not None:
            batch = torch.utils.data.default_collate([self._map_dataset[0]])
        elif is_keras_sequence(src):
            batch = src[0]
        elif hasattr(src, "_keras_iter"):
            batch = next(iter(src._keras_iter()))
        elif isinstance(src, torch.utils.data.DataLoader):
            batch = next(iter(src))
        else:
            return None
        x, _, _ = unpack_x_y_sample_weight(batch)
        return tree.map_structure(lambda v: to_tensor(v, self.device), x)

    # ------------------------------------------------------------------ batches
    def steps(self) -> int | None:
        total = self.split_rows
        if total is not None:
            return len(self._sharding.predict_spans(total, self.batch_size))
        if self.steps_per_epoch is not None:
            return int(self.steps_per_epoch)
        if self._array:
            return math.ceil(self.num_samples / self.batch_size)
        try:
            return len(self._iterable)
        except TypeError:
            return None

    def epoch_iterator(self, epoch: int = 0) -> Iterator[tuple]:
        sharding = self._sharding
        if self._array:
            yield from self._array_batches(epoch)
        elif sharding is None or self.for_predict:  # (streams are predicted whole on every rank)
            yield from self._iter_batches(epoch)
        elif self._map_dataset is not None:
            yield from self._sharded_dataset_batches(epoch)
        else:
            yield from self._sharded_stream_batches(epoch)

    def _array_batches(self, epoch: int) -> Iterator[tuple]:
        """Contiguous slices of the arrays (after one gather per epoch when rows are reordered)."""
        x, y, sw = self.x, self.y, self.sw
        if self._sharding is None:
            rows, spans, weights = self._local_plan()
        elif self.for_predict:
            rows, spans, weights = self._predict_share()
        else:
            x, y, sw, spans, weights = self._shard_rows(epoch)
            rows = None
        if rows is not None:  # one gather per epoch; batches below are then views
            x = tree.map_structure(lambda t: t[rows], x)
            y = tree.map_structure(lambda t: t[rows], y) if y is not None else None
            sw = sw[rows] if sw is not None else None
        sharding = self._sharding
        for k, (lo, hi) in enumerate(spans):
            s = slice(lo, hi)
            bx = x[s] if type(x) is torch.Tensor else tree.map_structure(lambda t, s=s: t[s], x)
            if y is None:
                by = None
            else:
                by = y[s] if type(y) is torch.Tensor else tree.map_structure(lambda t, s=s: t[s], y)
            bsw = sw[s] if sw is not None else None
            if weights is not None:
                sharding.begin_step(weights[k])
            yield pack_x_y_sample_weight(bx, by, bsw)

    def _local_plan(self) -> tuple[Any, list[tuple[int, int]], None]:
        """Unsharded: the epoch's row order (``None``: as stored) and batch spans."""
        n, bs = self.num_samples, self.batch_size
        starts: Any = range(math.ceil(n / bs))
        rows = None
        if self.shuffle == "batch":
            starts = torch.randperm(math.ceil(n / bs)).tolist()
        elif self.shuffle:
            rows = torch.randperm(n, device=tree.flatten(self.x)[0].device)
        if self.steps_per_epoch is not None:
            starts = list(starts)[: max(0, int(self.steps_per_epoch))]
        return rows, [(b * bs, min((b + 1) * bs, n)) for b in starts], None

    def _predict_share(self) -> tuple[None, list[tuple[int, int]], None]:
        """Sharded predict: this process' contiguous rows, in steps of its share of a batch."""
        return None, self._sharding.predict_spans(self.split_rows, self.batch_size), None

    def _shard_rows(self, epoch: int) -> tuple[Any, Any, Any, list[tuple[int, int]], list[float]]:
        """Sharded training/evaluation: this rank's rows of the epoch, gathered, with its step spans."""
        if not self.shuffle and self._shard_cache is not None:
            return self._shard_cache
        plan = self._sharding.plan(self.num_samples, self.batch_size, self.shuffle, self.steps_per_epoch, epoch,
                                   self._seed())
        idx = plan.rows.to(tree.flatten(self.x)[0].device)
        x = tree.map_structure(lambda t: t[idx], self.x)
        y = tree.map_structure(lambda t: t[idx], self.y) if self.y is not None else None
        sw = self.sw[idx] if self.sw is not None else None
        out = (x, y, sw, _spans(plan.sizes), plan.weights)
        if not self.shuffle:
            self._shard_cache = out
        return out

    def _seed(self) -> int:
        if self.shuffle and self._shard_seed is None:
            self._shard_seed = self._sharding.shared_seed()  # a collective: every rank gets here together
        return self._shard_seed or 0

    def _sharded_dataset_batches(self, epoch: int) -> Iterator[tuple]:
        """A map-style dataset: this rank's planned rows, loaded by index."""
        ds = self._map_dataset
        plan = self._sharding.plan(len(ds), self._ds_batch_size, self.shuffle, self.steps_per_epoch, epoch,
                                   self._seed())
        lists = [plan.rows[lo:hi].tolist() for lo, hi in _spans(plan.sizes)]
        loader = torch.utils.data.DataLoader(ds, batch_sampler=lists)
        for batch, w in zip(loader, plan.weights):
            x, y, sw = self._convert(batch)
            self._sharding.begin_step(w)
            yield pack_x_y_sample_weight(x, y, sw)

    def _sharded_stream_batches(self, epoch: int) -> Iterator[tuple]:
        """A stream: this rank's share of each batch (the batches are global)."""
        sharding = self._sharding
        src = self._iterable
        sampler = getattr(src, "sampler", None) if isinstance(src, torch.utils.data.DataLoader) else None
        if isinstance(sampler, torch.utils.data.distributed.DistributedSampler):
            for batch in self._iter_batches(epoch):  # already sharded by the user: local batches
                sharding.begin_step(1.0 / sharding.world_size)
                yield batch
            return
        for batch in self._iter_batches(epoch):
            x, y, sw = unpack_x_y_sample_weight(batch)
            s, w = sharding.share(_rows(x))
            sharding.begin_step(w)
            yield pack_x_y_sample_weight(_take(x, s), _take(y, s) if y is not None else None,
                                         sw[s] if sw is not None else None)

    def _convert(self, batch: Any) -> tuple[Any, Any, Any]:
        """A raw batch as device tensors, checked against the model's spec, with class weights applied."""
        if batch is None or isinstance(batch, (str, bytes)):
            raise ValueError("When passing a Python generator, dataset or Sequence to a Keras model, each batch must "
                             "be a tuple, either (input,) or (inputs, targets) or (inputs, targets, sample_weights). "
                             f"Received: {_short(batch)}")
        x, y, sw = unpack_x_y_sample_weight(batch)
        spec = self._spec
        if spec is not None and y is not None:
            spec.check_labels(y)  # on the host as yielded: tensors already on a device are read there
        x = tree.map_structure(lambda v: to_tensor(v, self.device), x)
        for leaf in tree.flatten(x):
            # string arrays stay numpy for the model's text layers (to_tensor)
            if leaf is not None and not isinstance(leaf, torch.Tensor) and not (
                    isinstance(leaf, np.ndarray) and leaf.dtype.kind in "OUS"):
                raise ValueError(f"Unsupported input data in a batch: {_short(leaf)} (of type {type(leaf).__name__}). "
                                 "Inputs must be numeric arrays, string arrays or tensors (or nested lists/dicts of "
                                 "them).")
        if spec is not None:
            x = spec.cast_inputs(x)
        y = tree.map_structure(lambda v: to_tensor(v, self.device, strings=False), y) if y is not None else None
        sw = to_tensor(sw, self.device, strings=False) if sw is not None else None
        if self.class_weight is not None and y is not None:
            sw = _apply_class_weight(y, sw, self.class_weight)
        return x, y, sw

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
            yield pack_x_y_sample_weight(*self._convert(batch))
        if is_keras_sequence(src) and hasattr(src, "on_epoch_end"):
            src.on_epoch_end()


def _short(obj: Any, limit: int = 100) -> str:
    text = repr(obj)
    return text if len(text) <= limit else text[:limit] + "..."


def _spans(sizes: list[int]) -> list[tuple[int, int]]:
    """Consecutive ``[lo, hi)`` runs of the given sizes."""
    out, off = [], 0
    for size in sizes:
        out.append((off, off + size))
        off += size
    return out


def _rows(x: Any) -> int:
    for t in tree.flatten(x):
        if hasattr(t, "shape") and len(t.shape):
            return int(t.shape[0])
    return 0


def _take(x: Any, sl: slice) -> Any:
    return tree.map_structure(lambda t: t[sl] if isinstance(t, torch.Tensor) and t.ndim else t, x)


def yields_batches(x: Any) -> bool:
    """Whether ``x`` makes its own batches (a DataLoader, dataset, generator or ``Sequence``)."""
    from keras_torch.utils.sequence import is_keras_sequence

    return is_keras_sequence(x) or isinstance(x, torch.utils.data.DataLoader) or _is_iterable_source(x)


def _warn_batch_size_ignored(x: Any, batch_size: Any) -> None:
    loader_batch = getattr(x, "batch_size", None) if isinstance(x, torch.utils.data.DataLoader) else None
    if loader_batch == batch_size:
        return
    made = f"batches of {loader_batch}" if loader_batch is not None else "its own batches"
    where = "DataLoader(batch_size=...)" if isinstance(x, torch.utils.data.DataLoader) else "the data source"
    warnings.warn(f"`batch_size={batch_size}` is ignored: the {type(x).__name__} yields {made}. Set the batch size "
                  f"in {where} instead.", UserWarning, stacklevel=5)


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
    # A table over the classes present (a key of 10**9 allocated 4 GB); other keys match no label, and
    # labels without a key weigh 1, as Keras's ``class_weight.get(label, 1.0)``.
    size = max(int(idx.max().item()) + 1, 1)
    table = torch.ones(size, dtype=torch.float32, device=yt.device)
    for k, v in class_weight.items():
        try:
            key = int(k)
        except (TypeError, ValueError, OverflowError):
            continue
        if key == k and 0 <= key < size:
            table[key] = float(v)
    w = torch.where(idx >= 0, table[idx.clamp(min=0)], table.new_ones(()))
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
