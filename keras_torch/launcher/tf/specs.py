"""``tf.TensorShape`` and ``tf.TensorSpec``: shape/dtype descriptions (``output_signature`` of
``Dataset.from_generator``, ``input_signature`` of ``tf.function``); keras_torch checks nothing
against them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import torch


class TensorShape:
    """A shape whose dimensions may be ``None`` (unknown)."""

    dims: list[int | None] | None  # None: unknown rank

    def __init__(self, dims: Any) -> None:
        if dims is None:
            self.dims = None
        elif isinstance(dims, int):
            self.dims = [dims]
        else:
            self.dims = [None if d is None else int(d) for d in dims]

    @property
    def rank(self) -> int | None:
        return None if self.dims is None else len(self.dims)

    def as_list(self) -> list[int | None]:
        if self.dims is None:
            raise ValueError("as_list() is not defined on an unknown TensorShape.")
        return list(self.dims)

    def is_fully_defined(self) -> bool:
        return self.dims is not None and all(d is not None for d in self.dims)

    def __len__(self) -> int:
        return len(self.as_list())

    def __iter__(self) -> Iterator[int | None]:
        return iter(self.as_list())

    def __getitem__(self, index: Any) -> Any:
        item = self.as_list()[index]
        return TensorShape(item) if isinstance(index, slice) else item

    def __eq__(self, other: Any) -> bool:
        other_dims = other.dims if isinstance(other, TensorShape) else list(other)
        return self.dims == other_dims

    def __hash__(self) -> int:
        return hash(None if self.dims is None else tuple(self.dims))

    def __repr__(self) -> str:
        return f"TensorShape({self.dims})"


class TensorSpec:
    """``tf.TensorSpec(shape, dtype=tf.float32, name=None)``."""

    shape: TensorShape
    dtype: Any
    name: str | None

    def __init__(self, shape: Any, dtype: Any = None, name: str | None = None) -> None:
        self.shape = shape if isinstance(shape, TensorShape) else TensorShape(shape)
        self.dtype = torch.float32 if dtype is None else dtype
        self.name = name

    def __repr__(self) -> str:
        return f"TensorSpec(shape={self.shape.dims}, dtype={self.dtype}, name={self.name!r})"
