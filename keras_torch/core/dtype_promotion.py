"""Keras 3's dtype names and promotion (``keras.backend.standardize_dtype`` / ``result_type``) on torch dtypes.

Keras promotes along the JAX type lattice, not torch's rules: ``uint8 + int8 -> int16``,
``int64 + float16 -> float16``, Python ``int``/``float`` scalars are *weak* (``int8 + 3`` stays
``int8``, ``int32 + 2.5`` becomes ``floatx()``). 64-bit types are kept (as on Keras's TensorFlow
backend, which the golden fixtures come from). Every op that mixes dtypes resolves its result
dtype here; results are cached per dtype tuple, so the cost is one dict look-up.
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
ALLOWED_DTYPES = (
    "float16", "float32", "float64", "uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64",
    "bfloat16", "bool", "string", "float8_e4m3fn", "float8_e5m2", "complex64", "complex128",
)

_PYTHON_DTYPES = {bool: "bool", int: "int64", float: "float32", str: "string", "int": "int64", complex: "complex128"}
_ALIASES = {"float": "float32", "half": "float16", "double": "float64", "long": "int64"}

_TORCH_DTYPES = {
    "bool": torch.bool, "uint8": torch.uint8, "uint16": torch.uint16, "uint32": torch.uint32,
    "uint64": torch.uint64, "int8": torch.int8, "int16": torch.int16, "int32": torch.int32,
    "int64": torch.int64, "bfloat16": torch.bfloat16, "float16": torch.float16, "float32": torch.float32,
    "float64": torch.float64, "complex64": torch.complex64, "complex128": torch.complex128,
    "float8_e4m3fn": torch.float8_e4m3fn, "float8_e5m2": torch.float8_e5m2,
}
_NAMES_OF_TORCH = {v: k for k, v in _TORCH_DTYPES.items()}


def standardize_dtype(dtype: Any) -> str:
    """Keras name (``"float32"``...) of a dtype given as a name, torch/numpy dtype or Python type.

    Args:
        dtype: A dtype name, a torch or numpy dtype, a Python type, or None.

    Returns:
        The Keras dtype name (None gives ``floatx()``).

    Raises:
        ValueError: for anything that is not a Keras dtype.
    """
    if dtype is None:
        return _config.floatx()
    if isinstance(dtype, torch.dtype):
        name = _NAMES_OF_TORCH.get(dtype)
        if name is None:
            raise ValueError(f"Invalid dtype: {dtype}")
        return name
    dtype = _PYTHON_DTYPES.get(dtype, dtype) if isinstance(dtype, (type, str)) else dtype
    if isinstance(dtype, str):
        name = _ALIASES.get(dtype, dtype)
    elif hasattr(dtype, "compute_dtype"):  # a DTypePolicy
        name = dtype.compute_dtype
    elif hasattr(dtype, "name") and isinstance(dtype.name, str):
        name = dtype.name
    elif isinstance(dtype, type) and issubclass(dtype, np.generic):
        name = np.dtype(dtype).name
    else:
        name = str(dtype)
    if name not in ALLOWED_DTYPES:
        raise ValueError(f"Invalid dtype: {dtype}. Expected one of {sorted(ALLOWED_DTYPES)}")
    return name


def to_torch(dtype: Any) -> torch.dtype:
    """torch dtype for any Keras dtype spelling."""
    if isinstance(dtype, torch.dtype):
        return dtype
    name = standardize_dtype(dtype)
    if name == "string":
        raise ValueError("The 'string' dtype has no torch equivalent; keras_torch tensors hold numbers only.")
    return _TORCH_DTYPES[name]


def _lattice() -> dict[str, list[str]]:
    """Each dtype and the types directly above it (the JAX lattice Keras adopted)."""
    return {
        "bool": ["int"], "uint8": ["int16", "uint16"], "uint16": ["int32", "uint32"], "uint32": ["int64", "uint64"],
        "uint64": ["float"], "int": ["uint8", "int8", "complex64"], "int8": ["int16"], "int16": ["int32"],
        "int32": ["int64"], "int64": ["float"], "float": ["bfloat16", "float16"], "bfloat16": ["float32"],
        "float16": ["float32"], "float32": ["float64", "complex64"], "float64": ["complex128"],
        "complex64": ["complex128"], "complex128": [],
    }


def _upper_bounds() -> dict[str, set[str]]:
    lattice = _lattice()
    bounds = {n: {n} for n in lattice}
    for n in lattice:
        while True:
            grown = set().union(*(lattice[b] for b in bounds[n]))
            if grown <= bounds[n]:
                break
            bounds[n] |= grown
    return bounds


_UPPER_BOUNDS = _upper_bounds()


@functools.lru_cache(maxsize=512)
def _least_upper_bound(*nodes: str) -> str:
    unknown = [n for n in nodes if n not in _UPPER_BOUNDS]
    if unknown:
        raise ValueError(f"dtype={unknown[0]!r} is not a valid dtype for Keras type promotion.")
    common = set.intersection(*(_UPPER_BOUNDS[n] for n in nodes))
    least = (common & set(nodes)) or {c for c in common if common <= _UPPER_BOUNDS[c]}
    if len(least) != 1:
        raise ValueError(
            f"Input dtypes {tuple(nodes)} have no available implicit dtype promotion path. "
            "Try explicitly casting inputs to the desired output type."
        )
    return least.pop()


def _weak(name: str) -> str:
    if name == "bool":
        return name
    if "float" in name:
        return "float"
    if "int" in name:
        return "int"
    return "complex"


def _resolve_weak(name: str) -> str:
    precision = _config.floatx()[-2:]
    kind = "f" if name == "bfloat16" else name[:1]
    if kind == "b":
        return "bool"
    if kind == "i":
        return f"int{precision}"
    if kind == "u":
        return f"uint{precision}"
    return f"float{precision}"


@functools.lru_cache(maxsize=4096)
def _result_type_cached(floatx: str, *args: Any) -> str:
    parsed = []
    for arg in args:
        weak = arg is int or arg is float
        parsed.append((standardize_dtype(arg), weak))
    names = [p[0] for p in parsed]
    weaks = [p[1] for p in parsed]
    if len(names) == 1:
        out, out_weak = names[0], weaks[0]
    elif len(set(names)) == 1 and not all(weaks):
        out, out_weak = names[0], False
    elif all(weaks):
        out, out_weak = _least_upper_bound(*sorted(set(names))), True
    else:
        out = _least_upper_bound(*sorted({_weak(n) if w else n for n, w in parsed}))
        out_weak = out in WEAK_TYPES
    if out != "bool" and out_weak:
        out = _resolve_weak(out)
    return out


def result_type(*dtypes: Any) -> str:
    """The dtype Keras gives to an op mixing ``dtypes`` (``keras.backend.result_type``).

    Args:
        *dtypes: dtype names, torch/numpy dtypes, or the Python types ``int``/``float``/``bool``
            (``int`` and ``float`` are weak: they adapt to the other operand). ``None`` means floatx.

    Returns:
        The Keras dtype name; ``floatx()`` for no arguments.

    Raises:
        ValueError: for float8 operands (never promoted implicitly) or unknown dtypes.
    """
    if not dtypes:
        return _config.floatx()
    key = []
    for d in dtypes:
        if d is None:
            d = _config.floatx()
        elif isinstance(d, torch.dtype):
            d = _NAMES_OF_TORCH.get(d, d)
        if isinstance(d, str) and d in FLOAT8_TYPES:
            raise ValueError(
                f"There is no implicit conversions from float8 dtypes to others. You must cast it internally. "
                f"Received: {dtypes}"
            )
        key.append(d if isinstance(d, (str, type)) else standardize_dtype(d))
    return _result_type_cached(_config.floatx(), *key)


def torch_result_type(*dtypes: Any) -> torch.dtype:
    """:func:`result_type` as a torch dtype."""
    return _TORCH_DTYPES[result_type(*dtypes)]


def is_float_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a (b)float dtype (``keras.backend.is_float_dtype``).

    Args:
        dtype: A dtype name or torch dtype.

    Returns:
        A bool.
    """
    return standardize_dtype(dtype).startswith(("float", "bfloat"))


def is_int_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is a signed or unsigned integer dtype (``keras.backend.is_int_dtype``).

    Args:
        dtype: A dtype name or torch dtype.

    Returns:
        A bool.
    """
    return standardize_dtype(dtype).startswith(("int", "uint"))


def is_float(dtype: Any) -> bool:
    """Whether a dtype is a (non-complex) floating type."""
    return standardize_dtype(dtype) in FLOAT_TYPES


def is_int(dtype: Any) -> bool:
    """Whether a dtype is a signed or unsigned integer type."""
    return standardize_dtype(dtype) in INT_TYPES
