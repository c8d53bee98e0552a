"""``Dataset``: the ``tf.data`` pipeline on the host, over torch tensors and strings.

Elements are what TensorFlow yields: numeric components are torch tensors (numpy arrays keep
their dtype; Python floats become float32 and ints int32, as ``tf.constant``), string components
are :class:`~keras_torch.utils.string_tensor.StringTensor` arrays. A dataset is lazy and
re-iterable; every transformation returns a new one. ``fit``/``evaluate``/``predict`` read it
directly. ``prefetch`` and ``num_parallel_calls`` change nothing (one process, in order);
``cache()`` keeps the elements of the first complete pass in memory (also with a file name).
"""

from __future__ import annotations

import builtins
import glob
import itertools
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.utils.string_tensor import StringTensor, is_string_value
from keras_torch.utils.unsupported import unsupported

AUTOTUNE = -1
INFINITE_CARDINALITY = -1
UNKNOWN_CARDINALITY = -2
_INT32 = np.iinfo(np.int32)


def component(value: Any) -> Any:
    """One component of an element as TensorFlow holds it (torch tensor or StringTensor)."""
    if isinstance(value, (torch.Tensor, StringTensor)):
        return value
    if is_string_value(value):
        return StringTensor(value)
    if isinstance(value, (np.ndarray, np.generic)):
        return torch.from_numpy(np.ascontiguousarray(value)) if np.ndim(value) else torch.as_tensor(value)
    arr = np.asarray(value)
    if arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind == "i" and (arr.size == 0 or (arr.min() >= _INT32.min and arr.max() <= _INT32.max)):
        arr = arr.astype(np.int32)
    return torch.as_tensor(arr)


def _map(fn: Callable[[Any], Any], x: Any) -> Any:
    """``fn`` on each component of an element: tuples and dicts are structure, anything else (a list
    too, as in TensorFlow) is one component."""
    if isinstance(x, tuple):
        return tuple(_map(fn, v) for v in x)
    if isinstance(x, dict):
        return {k: _map(fn, v) for k, v in x.items()}
    return fn(x)


def _flat(x: Any) -> list[Any]:
    """The components of an element (dict values in sorted key order, as ``tf.nest``)."""
    if isinstance(x, tuple):
        return [c for v in x for c in _flat(v)]
    if isinstance(x, dict):
        return [c for k in sorted(x) for c in _flat(x[k])]
    return [x]


def _pack(structure: Any, flat: list[Any]) -> Any:
    it = iter(flat)

    def rebuild(s: Any) -> Any:
        if isinstance(s, tuple):
            return tuple(rebuild(v) for v in s)
        if isinstance(s, dict):
            values = {k: rebuild(s[k]) for k in sorted(s)}
            return {k: values[k] for k in s}
        return next(it)

    return rebuild(structure)


def _elements(value: Any) -> Any:
    return _map(component, value)


def _index(x: Any, i: Any) -> Any:
    return _map(lambda a: a[i], x)


def _stack(items: list[Any]) -> Any:
    first = items[0]
    if isinstance(first, dict):
        return {k: _stack([it[k] for it in items]) for k in first}
    if isinstance(first, tuple):
        return tuple(_stack([it[j] for it in items]) for j in builtins.range(len(first)))
    values = [component(v) for v in items]
    if isinstance(values[0], StringTensor):
        return StringTensor(np.stack([np.asarray(v) for v in values]))
    return torch.stack(values)


def _call(fn: Callable, element: Any) -> Any:
    """TensorFlow passes a tuple element as positional arguments, anything else as one argument."""
    return fn(*element) if isinstance(element, tuple) else fn(element)


def _pad_to(t: Any, shape: tuple[int, ...], value: Any) -> Any:
    if isinstance(t, StringTensor):
        out = np.full(shape, "" if value is None else value, dtype=object)
        out[tuple(slice(0, s) for s in t.shape)] = np.asarray(t)
        return StringTensor(out)
    pads: list[int] = []
    for have, want in zip(reversed(t.shape), reversed(shape)):
        pads += [0, want - have]
    return torch.nn.functional.pad(t, pads, value=0 if value is None else float(value))


class Dataset:
    """A lazily evaluated, re-iterable pipeline of elements (``tf.data.Dataset``)."""

    _make_iter: Callable[[], Iterator[Any]]
    _length: int | None  # None: unknown cardinality; INFINITE_CARDINALITY: repeats forever

    def __init__(self, make_iter: Callable[[], Iterator[Any]], length: int | None = None) -> None:
        self._make_iter = make_iter
        self._length = length

    # ------------------------------------------------------------------ sources
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> Dataset:
        """One element per row of ``tensors`` (a tensor/array or a tuple/dict structure of them)."""
        arrays = _elements(tensors)
        n = len(_flat(arrays)[0])
        return Dataset(lambda: (_index(arrays, i) for i in builtins.range(n)), n)

    @staticmethod
    def from_tensors(tensors: Any, name: str | None = None) -> Dataset:
        value = _elements(tensors)
        return Dataset(lambda: iter([value]), 1)

    @staticmethod
    def from_generator(generator: Callable, output_types: Any = None, output_shapes: Any = None,
                       args: Any = None, output_signature: Any = None, name: str | None = None) -> Dataset:
        """Elements of ``generator(*args)``, called again for each pass."""
        return Dataset(lambda: (_elements(el) for el in generator(*(args or ()))), None)

    @staticmethod
    def range(*args: int, dtype: Any = torch.int64, name: str | None = None) -> Dataset:  # noqa: A003
        r = builtins.range(*[int(a) for a in args])
        return Dataset(lambda: (torch.tensor(v, dtype=dtype) for v in r), len(r))

    @staticmethod
    def zip(*args: Any, datasets: Any = None, name: str | None = None) -> Dataset:
        """Elements of several datasets side by side (a tuple, or the structure given); as long as the shortest."""
        structure = datasets if datasets is not None else args[0] if len(args) == 1 else args
        flat = _flat(structure)
        lengths = [d._length for d in flat]
        if any(v is None for v in lengths):
            n = None
        elif all(v == INFINITE_CARDINALITY for v in lengths):
            n = INFINITE_CARDINALITY
        else:
            n = builtins.min(v for v in lengths if v != INFINITE_CARDINALITY)
        return Dataset(lambda: (_pack(structure, list(items)) for items in zip(*[iter(d) for d in flat])), n)

    @staticmethod
    def list_files(file_pattern: Any, shuffle: bool | None = None, seed: int | None = None,
                   name: str | None = None) -> Dataset:
        """The file names matching ``file_pattern`` (a glob or a list of globs); shuffled by default."""
        patterns = [file_pattern] if isinstance(file_pattern, str) else [str(p) for p in np.asarray(file_pattern)]
        files = sorted({f for p in patterns for f in glob.glob(p)})
        if not files:
            raise ValueError(f"No files matched pattern: {', '.join(patterns)}")
        ds = Dataset.from_tensor_slices(np.array(files, dtype=object))
        return ds.shuffle(len(files), seed=seed) if shuffle is None or shuffle else ds

    # ------------------------------------------------------------------ element transformations
    def map(self, map_func: Callable, num_parallel_calls: Any = None, deterministic: Any = None,
            name: str | None = None) -> Dataset:
        return Dataset(lambda: (_call(map_func, el) for el in self._make_iter()), self._length)

    def filter(self, predicate: Callable, name: str | None = None) -> Dataset:
        return Dataset(lambda: (el for el in self._make_iter() if bool(_call(predicate, el))), None)

    def enumerate(self, start: int = 0, name: str | None = None) -> Dataset:
        return Dataset(lambda: ((torch.tensor(i, dtype=torch.int64), el)
                                for i, el in builtins.enumerate(self._make_iter(), int(start))), self._length)

    def flat_map(self, map_func: Callable, name: str | None = None) -> Dataset:
        return Dataset(lambda: (item for el in self._make_iter() for item in _call(map_func, el)), None)

    def interleave(self, map_func: Callable, cycle_length: Any = None, block_length: Any = None,
                   num_parallel_calls: Any = None, deterministic: Any = None, name: str | None = None) -> Dataset:
        """Blocks of ``block_length`` elements taken in turn from ``cycle_length`` open inner datasets.

        Without ``cycle_length`` (TensorFlow: the CPU count) one inner dataset is open at a time.
        """
        cycle = 1 if cycle_length in (None, AUTOTUNE) else int(cycle_length)
        block = 1 if block_length in (None, AUTOTUNE) else int(block_length)

        def it() -> Iterator[Any]:
            sources = self._make_iter()
            open_: list[Iterator[Any] | None] = []
            for el in itertools.islice(sources, cycle):
                open_.append(iter(_call(map_func, el)))
            while any(o is not None for o in open_):
                for slot, inner in builtins.enumerate(open_):
                    if inner is None:
                        continue
                    for _ in builtins.range(block):
                        try:
                            yield next(inner)
                        except StopIteration:
                            nxt = next(sources, None)
                            open_[slot] = None if nxt is None else iter(_call(map_func, nxt))
                            break

        return Dataset(it, None)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True,
                name: str | None = None) -> Dataset:
        """Elements drawn at random from a buffer of ``buffer_size`` (a full shuffle when it holds all)."""
        # Without a seed, one is drawn from numpy's global generator (seeded by tf.random.set_seed).
        base = int(np.random.randint(0, 2**31 - 1)) if seed is None else int(seed)
        rng_state = [np.random.default_rng(base)]

        def it() -> Iterator[Any]:
            rng = rng_state[0] if reshuffle_each_iteration else np.random.default_rng(base)
            buf: list[Any] = []
            for el in self._make_iter():
                buf.append(el)
                if len(buf) >= buffer_size:
                    yield buf.pop(int(rng.integers(len(buf))))
            while buf:
                yield buf.pop(int(rng.integers(len(buf))))

        return Dataset(it, self._length)

    # ------------------------------------------------------------------ batching
    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls: Any = None,
              deterministic: Any = None, name: str | None = None) -> Dataset:
        return self._grouped(int(batch_size), drop_remainder, _stack)

    def padded_batch(self, batch_size: int, padded_shapes: Any = None, padding_values: Any = None,
                     drop_remainder: bool = False, name: str | None = None) -> Dataset:
        """Batches whose components are padded to the longest in the batch (or to ``padded_shapes``)."""

        def pad_stack(items: list[Any]) -> Any:
            first = items[0]
            flat_items = [_flat(it) for it in items]
            shapes = _flat(padded_shapes) if padded_shapes is not None else None
            values = _flat(padding_values) if padding_values is not None else None
            out = []
            for j in builtins.range(len(flat_items[0])):
                column = [fi[j] for fi in flat_items]
                longest = [builtins.max(c.shape[d] for c in column) for d in builtins.range(column[0].ndim)]
                if shapes is not None:
                    want = list(shapes[j])
                    longest = [m if w is None or w == -1 else int(w) for m, w in zip(longest, want)]
                value = None if values is None else (values[0] if len(values) == 1 else values[j])
                if isinstance(value, torch.Tensor):
                    value = value.item()
                out.append(_stack([_pad_to(c, tuple(longest), value) for c in column]))
            return _pack(first, out)

        return self._grouped(int(batch_size), drop_remainder, pad_stack)

    def _grouped(self, size: int, drop_remainder: bool, combine: Callable[[list[Any]], Any]) -> Dataset:
        def it() -> Iterator[Any]:
            buf: list[Any] = []
            for el in self._make_iter():
                buf.append(el)
                if len(buf) == size:
                    yield combine(buf)
                    buf = []
            if buf and not drop_remainder:
                yield combine(buf)

        n = self._length
        if n is not None and n != INFINITE_CARDINALITY:
            n = n // size if drop_remainder else -(-n // size)
        return Dataset(it, n)

    def unbatch(self, name: str | None = None) -> Dataset:
        def it() -> Iterator[Any]:
            for el in self._make_iter():
                n = len(_flat(el)[0])
                for i in builtins.range(n):
                    yield _index(el, i)

        return Dataset(it, None)

    def window(self, size: int, shift: int | None = None, stride: int = 1, drop_remainder: bool = False,
               name: str | None = None) -> Dataset:
        """Windows of ``size`` elements every ``shift``; each window is a dataset (a structure of them
        for structured elements), as in TensorFlow; ``flat_map(lambda w: w.batch(size))`` batches them."""
        size, shift, stride = int(size), int(shift or size), int(stride)

        def it() -> Iterator[Any]:
            items = list(self._make_iter())
            for start in builtins.range(0, len(items), shift):
                window = items[start : start + (size - 1) * stride + 1 : stride]
                if not window or (drop_remainder and len(window) < size):
                    continue
                yield _window_datasets(window)

        return Dataset(it, None)

    # ------------------------------------------------------------------ order and length
    def repeat(self, count: int | None = None, name: str | None = None) -> Dataset:
        forever = count is None or int(count) < 0

        def it() -> Iterator[Any]:
            k = 0
            while forever or k < int(count):
                yield from self._make_iter()
                k += 1

        if forever:
            n = INFINITE_CARDINALITY if self._length != 0 else 0
        else:
            n = None if self._length is None else (
                INFINITE_CARDINALITY if self._length == INFINITE_CARDINALITY else self._length * int(count))
        return Dataset(it, n)

    def take(self, count: int, name: str | None = None) -> Dataset:
        count = int(count)
        if count < 0:
            return self
        n = count if self._length in (None, INFINITE_CARDINALITY) else builtins.min(count, self._length)
        if self._length is None:
            n = None
        return Dataset(lambda: itertools.islice(self._make_iter(), count), n)

    def skip(self, count: int, name: str | None = None) -> Dataset:
        count = int(count)
        n = self._length if self._length in (None, INFINITE_CARDINALITY) else builtins.max(0, self._length - count)
        if count < 0:
            return Dataset(lambda: iter(()), 0)
        return Dataset(lambda: itertools.islice(self._make_iter(), count, None), n)

    def take_while(self, predicate: Callable, name: str | None = None) -> Dataset:
        return Dataset(lambda: itertools.takewhile(lambda el: bool(_call(predicate, el)), self._make_iter()), None)

    def shard(self, num_shards: int, index: int, name: str | None = None) -> Dataset:
        num, idx = int(num_shards), int(index)
        n = None if self._length in (None, INFINITE_CARDINALITY) else len(builtins.range(idx, self._length, num))
        return Dataset(lambda: itertools.islice(self._make_iter(), idx, None, num), n)

    def concatenate(self, dataset: Dataset, name: str | None = None) -> Dataset:
        a, b = self._length, dataset._length
        n = None if a is None or b is None else INFINITE_CARDINALITY if INFINITE_CARDINALITY in (a, b) else a + b
        return Dataset(lambda: itertools.chain(self._make_iter(), dataset._make_iter()), n)

    def cache(self, filename: str = "", name: str | None = None) -> Dataset:
        """The elements of the first complete pass, replayed from memory afterwards."""
        store: list[list[Any]] = []

        def it() -> Iterator[Any]:
            if store:
                yield from store[0]
                return
            seen = []
            for el in self._make_iter():
                seen.append(el)
                yield el
            store.append(seen)

        return Dataset(it, self._length)

    def prefetch(self, buffer_size: Any = None, name: str | None = None) -> Dataset:
        return self

    def with_options(self, options: Any, name: str | None = None) -> Dataset:
        return self

    def apply(self, transformation_func: Callable[[Dataset], Dataset]) -> Dataset:
        return transformation_func(self)

    # ------------------------------------------------------------------ consumption
    def __iter__(self) -> Iterator[Any]:
        return self._make_iter()

    def _keras_iter(self) -> Iterator[Any]:
        return self._make_iter()

    def __len__(self) -> int:
        if self._length == INFINITE_CARDINALITY:
            raise TypeError("The dataset is infinite.")
        if self._length is None:
            raise TypeError("The dataset length is unknown.")
        return self._length

    def cardinality(self) -> torch.Tensor:
        """int64 tensor: the number of elements, ``-1`` (infinite) or ``-2`` (unknown)."""
        return torch.tensor(UNKNOWN_CARDINALITY if self._length is None else self._length, dtype=torch.int64)

    def reduce(self, initial_state: Any, reduce_func: Callable) -> Any:
        state = _elements(initial_state)
        for el in self._make_iter():
            state = reduce_func(state, el)
        return state

    def as_numpy_iterator(self) -> Iterator[Any]:
        """Elements as numpy values (strings as ``bytes``, as TensorFlow)."""
        return (_map(_to_numpy, el) for el in self._make_iter())

    def get_single_element(self, name: str | None = None) -> Any:
        items = list(itertools.islice(self._make_iter(), 2))
        if len(items) != 1:
            raise ValueError(f"Dataset had {'no' if not items else 'more than one'} element(s); expected one.")
        return items[0]

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        raise unsupported(f"tf.data.Dataset.{name}")


def _to_numpy(a: Any) -> Any:
    if isinstance(a, StringTensor):
        return a.numpy()
    if isinstance(a, torch.Tensor):
        out = a.detach().cpu().numpy()
        return out[()] if out.ndim == 0 else out
    return np.asarray(a)


def _window_datasets(window: list[Any]) -> Any:
    first = window[0]
    if isinstance(first, (tuple, dict)):
        flat = [_flat(el) for el in window]
        columns = [Dataset.from_tensor_slices(_stack([f[j] for f in flat])) for j in builtins.range(len(flat[0]))]
        return _pack(first, columns)
    return Dataset.from_tensor_slices(_stack(window))


class Options:
    """``tf.data.Options``: settings keras_torch does not need; any option can be set and read."""

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        value = Options()
        object.__setattr__(self, name, value)
        return value
