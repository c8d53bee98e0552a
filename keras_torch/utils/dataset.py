"""``Dataset``: the simple ``tf.data`` pipeline on numpy/torch: from_tensor_slices / from_generator, shuffle,
batch, map, repeat, take, prefetch, AUTOTUNE — enough to feed fit/evaluate/predict."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import torch

from keras_torch.core import tree
from keras_torch.utils.unsupported import unsupported

AUTOTUNE = -1


class experimental:  # noqa: N801
    AUTOTUNE = AUTOTUNE


def _index(x: Any, i: Any) -> Any:
    return tree.map_structure(lambda a: a[i], x)


def _stack(items: list[Any]) -> Any:
    first = items[0]
    if isinstance(first, dict):
        return {k: _stack([it[k] for it in items]) for k in first}
    if isinstance(first, (tuple, list)):
        return type(first)(_stack([it[j] for it in items]) for j in range(len(first)))
    if isinstance(first, torch.Tensor):
        return torch.stack(items)
    return np.stack([np.asarray(v) for v in items])


def _slices_source(x: Any) -> Any:
    """``from_tensor_slices``'s input as arrays: tuples and dicts are structure, a list is one tensor (as in tf.data)."""
    if isinstance(x, dict):
        return {k: _slices_source(v) for k, v in x.items()}
    if isinstance(x, tuple):
        items = [_slices_source(v) for v in x]
        return type(x)(*items) if hasattr(x, "_fields") else tuple(items)
    return x if isinstance(x, torch.Tensor) else np.asarray(x)


class Dataset:
    """A lazily evaluated, re-iterable pipeline of elements."""

    def __init__(self, make_iter: Callable[[], Iterator[Any]], length: int | None = None) -> None:
        self._make_iter = make_iter
        self._length = length

    # ---- sources
    @staticmethod
    def from_tensor_slices(tensors: Any, name: str | None = None) -> Dataset:
        arrays = _slices_source(tensors)
        n = len(tree.flatten(arrays)[0])
        return Dataset(lambda: (_index(arrays, i) for i in range(n)), n)

    @staticmethod
    def from_tensors(tensors: Any) -> Dataset:
        return Dataset(lambda: iter([tensors]), 1)

    @staticmethod
    def from_generator(generator: Callable, output_types: Any = None, output_shapes: Any = None,
                       args: Any = None, output_signature: Any = None) -> Dataset:
        return Dataset(lambda: iter(generator(*(args or ()))), None)

    @staticmethod
    def range(*args: int) -> Dataset:  # noqa: A003
        r = range(*args)
        return Dataset(lambda: iter(np.int64(v) for v in r), len(r))

    @staticmethod
    def zip(datasets: Any) -> Dataset:
        lengths = [d._length for d in datasets]
        n = None if any(v is None for v in lengths) else min(lengths)
        return Dataset(lambda: zip(*[iter(d) for d in datasets]), n)

    # ---- transformations
    def map(self, fn: Callable, num_parallel_calls: Any = None, deterministic: Any = None) -> Dataset:
        def apply(el: Any) -> Any:
            return fn(*el) if isinstance(el, tuple) else fn(el)

        return Dataset(lambda: (apply(el) for el in self._make_iter()), self._length)

    def filter(self, predicate: Callable) -> Dataset:
        return Dataset(lambda: (el for el in self._make_iter()
                                if bool(predicate(*el) if isinstance(el, tuple) else predicate(el))), None)

    def shuffle(self, buffer_size: int, seed: int | None = None, reshuffle_each_iteration: bool = True) -> Dataset:
        rng = np.random.default_rng(seed)

        def it() -> Iterator[Any]:
            buf: list[Any] = []
            for el in self._make_iter():
                buf.append(el)
                if len(buf) >= buffer_size:
                    yield buf.pop(int(rng.integers(len(buf))))
            while buf:
                yield buf.pop(int(rng.integers(len(buf))))

        return Dataset(it, self._length)

    def batch(self, batch_size: int, drop_remainder: bool = False, num_parallel_calls: Any = None,
              deterministic: Any = None) -> Dataset:
        def it() -> Iterator[Any]:
            buf: list[Any] = []
            for el in self._make_iter():
                buf.append(el)
                if len(buf) == batch_size:
                    yield _stack(buf)
                    buf = []
            if buf and not drop_remainder:
                yield _stack(buf)

        n = None
        if self._length is not None:
            n = self._length // batch_size if drop_remainder else -(-self._length // batch_size)
        return Dataset(it, n)

    def unbatch(self) -> Dataset:
        def it() -> Iterator[Any]:
            for el in self._make_iter():
                n = len(tree.flatten(el)[0])
                for i in range(n):
                    yield _index(el, i)

        return Dataset(it, None)

    def repeat(self, count: int | None = None) -> Dataset:
        def it() -> Iterator[Any]:
            k = 0
            while count is None or count < 0 or k < count:
                yield from self._make_iter()
                k += 1

        n = None if count is None or count < 0 or self._length is None else self._length * count
        return Dataset(it, n)

    def take(self, count: int) -> Dataset:
        def it() -> Iterator[Any]:
            for i, el in enumerate(self._make_iter()):
                if i >= count:
                    return
                yield el

        n = count if self._length is None else min(count, self._length)
        return Dataset(it, n if count >= 0 else self._length)

    def skip(self, count: int) -> Dataset:
        def it() -> Iterator[Any]:
            for i, el in enumerate(self._make_iter()):
                if i >= count:
                    yield el

        return Dataset(it, None if self._length is None else max(0, self._length - count))

    def prefetch(self, buffer_size: Any = None) -> Dataset:
        return self

    def cache(self, filename: str = "") -> Dataset:
        return self

    def with_options(self, options: Any) -> Dataset:
        return self

    # ---- consumption
    def __iter__(self) -> Iterator[Any]:
        return self._make_iter()

    def _keras_iter(self) -> Iterator[Any]:
        return self._make_iter()

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("The dataset length is unknown.")
        return self._length

    def cardinality(self) -> int:
        return -2 if self._length is None else self._length

    def as_numpy_iterator(self) -> Iterator[Any]:
        return (tree.map_structure(lambda a: a.numpy() if isinstance(a, torch.Tensor) else np.asarray(a), el)
                for el in self._make_iter())

    def __getattr__(self, name: str) -> Any:
        raise unsupported(f"tf.data.Dataset.{name}")
