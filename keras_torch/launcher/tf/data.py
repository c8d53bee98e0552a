"""``tf.data`` stand-in: keras_torch's :class:`~keras_torch.utils.dataset.Dataset` pipeline."""

from __future__ import annotations

from typing import Any

from keras_torch.utils.dataset import (
    AUTOTUNE,
    INFINITE_CARDINALITY,
    UNKNOWN_CARDINALITY,
    Dataset,
    Options,
)
from keras_torch.utils.string_tensor import StringTensor, to_text
from keras_torch.utils.unsupported import unsupported

__all__ = ["AUTOTUNE", "INFINITE_CARDINALITY", "UNKNOWN_CARDINALITY", "Dataset", "Options", "TextLineDataset",
           "experimental"]


class _Namespace(type):
    def __getattr__(cls, name: str) -> Any:
        raise unsupported(f"tf.data.{cls.__name__}.{name}")


class experimental(metaclass=_Namespace):  # noqa: N801 - tf.data.experimental
    AUTOTUNE = AUTOTUNE
    INFINITE_CARDINALITY = INFINITE_CARDINALITY
    UNKNOWN_CARDINALITY = UNKNOWN_CARDINALITY

    @staticmethod
    def cardinality(dataset: Dataset) -> Any:
        return dataset.cardinality()


def TextLineDataset(filenames: Any, compression_type: Any = None, buffer_size: Any = None,  # noqa: N802
                    num_parallel_reads: Any = None, name: str | None = None) -> Dataset:
    """The lines of the text files (without line endings), one string element per line."""
    paths = [filenames] if isinstance(filenames, str) else [to_text(p) for p in StringTensor(filenames).reshape(-1)]

    def lines() -> Any:
        for path in paths:
            with open(path, encoding="utf-8", newline="") as f:
                for line in f:
                    yield StringTensor(line.rstrip("\r\n"))

    return Dataset(lines, None)


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.data.{name}")
