"""Keras's dtype names and type promotion (``keras.backend.standardize_dtype`` / ``result_type``).

The promotion follows Keras's lattice (which mirrors ``jnp.result_type``) with the settings of
Keras's torch backend: Python ``int`` is ``int32``, and 64-bit results narrow to 32 bits.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config

BOOL_TYPES = ("bool",)
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
WEAK_TYPES = ("int", "float")
COMPLEX_TYPES = ("complex64", "complex128")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = ("float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32",
                  "int64", "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128")
PYTHON_DTYPES = {bool: "bool", int: "int32", float: "float32", str: "string", "int": "int32",
                 complex: "complex64"}
_BIT64_TO_BIT32 = {"int64": "int32", "uint64": "uint32", "float64": "float32", "complex128": "complex64"}


def standardize_dtype(dtype: Any) -> str:
    """Keras's name of ``dtype`` (a name, Python type, numpy or torch dtype); ``None`` means ``floatx()``.

    Args:
        dtype: The dtype to name.

    Returns:
        One of :data:`ALLOWED_DTYPES`.

    Raises:
        ValueError: Not a dtype Keras knows.
    """
    if dtype is None:
        return _config.floatx()
    dtype = PYTHON_DTYPES.get(dtype, dtype)
    if isinstance(dtype, torch.dtype):
        dtype = str(dtype).split(".")[-1]
    elif hasattr(dtype, "name"):
        dtype = dtype.name
    elif hasattr(dtype, "__name__"):
        dtype = dtype.__name__
    elif not isinstance(dtype, str):
        dtype = np.dtype(dtype).name
    if dtype not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}")
    return dtype


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a (b)float dtype."""
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer dtype."""
    return standardize_dtype(dtype).startswith(("int", "uint"))


def _lattice() -> dict[str, list[str]]:
    """Each type mapped to the types immediately above it."""
    (b1,) = BOOL_TYPES
    u1, u2, u4, u8, i1, i2, i4, i8 = INT_TYPES
    bf, f2, f4, f8 = FLOAT_TYPES
    i_, f_ = WEAK_TYPES
    c64, c128 = COMPLEX_TYPES
    return {b1: [i_], u1: [i2, u2], u2: [i4, u4], u4: [i8, u8], u8: [f_], i_: [u1, i1, c64], i1: [i2], i2: [i4],
            i4: [i8], i8: [f_], f_: [bf, f2], bf: [f4], f2: [f4], f4: [f8, c64], f8: [c128], c64: [c128], c128: []}


def _upper_bounds() -> dict[str, set[str]]:
    lattice = _lattice()
    bounds = {node: {node} for node in lattice}
    for node in lattice:
        while True:
            above = set().union(*(lattice[b] for b in bounds[node]))
            if above <= bounds[node]:
                break
            bounds[node] |= above
    return bounds


_UPPER_BOUNDS = _upper_bounds()


@functools.lru_cache(512)
def _least_upper_bound(*nodes: str) -> str:
    unknown = [n for n in nodes if n not in _UPPER_BOUNDS]
    if unknown:
        raise ValueError(f"dtype={unknown[0]!r} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    least = (common & set(nodes)) or {c for c in common if common <= _UPPER_BOUNDS[c]}
    if len(least) != 1:
        raise ValueError(f"Input dtypes {tuple(nodes)} have no available implicit dtype promotion path. Try "
                         "explicitly casting inputs to the desired output type.")
    return least.pop()


def _weak(dtype: str, weak: bool) -> str:
    if not weak or dtype == "bool":
        return dtype
    return "float" if "float" in dtype else "int"


def result_type(*dtypes: Any) -> str:
    """The dtype Keras gives an operation on ``dtypes`` (Python ``int``/``float`` are weakly typed).

    Args:
        *dtypes: Dtypes (names, numpy/torch dtypes, or the Python types ``int``, ``float``, ``bool``).

    Returns:
        The promoted dtype name; ``floatx()`` for no argument.

    Raises:
        ValueError: A float8 dtype, or dtypes without a promotion path.
    """
    if not dtypes:
        return _config.floatx()
    if any(d in FLOAT8_TYPES for d in dtypes if isinstance(d, str)):
        raise ValueError(f"There is no implicit conversions from float8 dtypes to others. You must cast it "
                         f"internally. Received: {dtypes}")
    dtypes = tuple(_config.floatx() if d is None else d for d in dtypes)
    names = [standardize_dtype(d) for d in dtypes]
    weaks = [d is int or d is float for d in dtypes]
    if len(names) == 1 or (len(set(names)) == 1 and not all(weaks)):
        out, out_weak = names[0], len(names) == 1 and weaks[0]
    elif all(weaks):
        out, out_weak = _least_upper_bound(*sorted(set(names))), True
    else:
        out = _least_upper_bound(*sorted({_weak(n, w) for n, w in zip(names, weaks)}))
        out_weak = out in WEAK_TYPES
    if out_weak and out != "bool":
        precision = _config.floatx()[-2:]
        kind = "f" if out == "bfloat16" else out[:1]
        out = {"b": "bool", "i": f"int{precision}", "u": f"uint{precision}"}.get(kind, f"float{precision}")
    return _BIT64_TO_BIT32.get(out, out)
