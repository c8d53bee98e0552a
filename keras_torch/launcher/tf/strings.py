"""``tf.strings`` stand-in: string processing on the host, for text standardisation and parsing.

Inputs are ``str``/``bytes`` values, lists of them or string arrays
(:class:`~keras_torch.utils.string_tensor.StringTensor`); string results are ``StringTensor``\\ s
whose items keep the input's kind (``str`` or ``bytes``), numeric results torch tensors. Regular
expressions run with Python's ``re`` in ASCII mode, which agrees with TensorFlow's RE2 on the
patterns text standardisation uses (character classes, alternation, groups; ``\\0`` in a rewrite
is the whole match, as in RE2).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from keras_torch.launcher.tf import _convert as cv
from keras_torch.utils.string_tensor import StringTensor, as_string_tensor, to_bytes, to_text
from keras_torch.utils.unsupported import unsupported

_ASCII_LOWER = {i: i + 32 for i in range(65, 91)}
_ASCII_UPPER = {i + 32: i for i in range(65, 91)}


def _map(fn: Callable[[str], Any], values: Any, otype: Any = object) -> Any:
    """``fn`` on the text of every item; string results keep each item's kind (str or bytes)."""
    arr = np.asarray(as_string_tensor(values))
    out = np.empty(arr.shape, dtype=object)
    flat_in, flat_out = arr.reshape(-1), out.reshape(-1)
    for i, item in enumerate(flat_in):
        result = fn(to_text(item))
        flat_out[i] = to_bytes(result) if isinstance(item, bytes) and isinstance(result, str) else result
    if otype is object:
        return StringTensor(out)
    return torch.as_tensor(out.astype(otype))


def lower(input: Any, encoding: str = "", name: str | None = None) -> StringTensor:  # noqa: A002
    """Lowercase: ASCII letters only, unless ``encoding="utf-8"`` (as TensorFlow)."""
    if encoding:
        return _map(str.lower, input)
    return _map(lambda s: s.translate(_ASCII_LOWER), input)


def upper(input: Any, encoding: str = "", name: str | None = None) -> StringTensor:  # noqa: A002
    if encoding:
        return _map(str.upper, input)
    return _map(lambda s: s.translate(_ASCII_UPPER), input)


def strip(input: Any, name: str | None = None) -> StringTensor:  # noqa: A002
    """Leading and trailing whitespace removed."""
    return _map(lambda s: s.strip(" \t\n\r\v\f"), input)


def _pattern(pattern: Any) -> re.Pattern:
    text = to_text(pattern.item() if isinstance(pattern, np.ndarray) else pattern)
    return re.compile(text, re.ASCII)


def regex_replace(input: Any, pattern: Any, rewrite: Any, replace_global: bool = True,  # noqa: A002
                  name: str | None = None) -> StringTensor:
    """Replace matches of ``pattern`` with ``rewrite`` (``\\1``: a group; ``\\0``: the whole match)."""
    regex = _pattern(pattern)
    repl = re.sub(r"\\0", r"\\g<0>", to_text(rewrite))
    return _map(lambda s: regex.sub(repl, s, count=0 if replace_global else 1), input)


def regex_full_match(input: Any, pattern: Any, name: str | None = None) -> torch.Tensor:  # noqa: A002
    regex = _pattern(pattern)
    return _map(lambda s: regex.fullmatch(s) is not None, input, otype=bool)


def split(input: Any, sep: Any = None, maxsplit: int = -1, name: str | None = None) -> StringTensor:  # noqa: A002
    """Tokens of a scalar string: on runs of whitespace (default) or on each ``sep``.

    A rank-1 input gives a ``RaggedTensor`` in TensorFlow, which keras_torch does not have.
    """
    values = as_string_tensor(input)
    if values.ndim != 0:
        raise unsupported("tf.strings.split of a rank-1 tensor (a RaggedTensor)")
    item = np.asarray(values).reshape(-1)[0]
    text = to_text(item)
    separator = None if sep is None or to_text(sep) == "" else to_text(sep)
    parts = text.split(separator, maxsplit)
    return StringTensor(np.array([to_bytes(p) if isinstance(item, bytes) else p for p in parts] or [], dtype=object))


def join(inputs: list[Any], separator: str = "", name: str | None = None) -> StringTensor:
    """Elementwise concatenation of the string tensors in ``inputs`` (broadcast), with ``separator``."""
    arrays = np.broadcast_arrays(*[np.asarray(as_string_tensor(v)) for v in inputs])
    out = np.empty(arrays[0].shape, dtype=object)
    flat = out.reshape(-1)
    for i, items in enumerate(zip(*[a.reshape(-1) for a in arrays])):
        flat[i] = to_text(separator).join(to_text(v) for v in items)
    return StringTensor(out)


def reduce_join(inputs: Any, axis: Any = None, keepdims: bool = False, separator: str = "",
                name: str | None = None) -> StringTensor:
    arr = np.asarray(as_string_tensor(inputs))
    sep = to_text(separator)
    if axis is None:
        return StringTensor(sep.join(to_text(v) for v in arr.reshape(-1)))
    ax = int(axis) % arr.ndim
    moved = np.moveaxis(arr, ax, -1)
    out = np.empty(moved.shape[:-1], dtype=object)
    flat, rows = out.reshape(-1), moved.reshape(-1, moved.shape[-1])
    for i, row in enumerate(rows):
        flat[i] = sep.join(to_text(v) for v in row)
    return StringTensor(np.expand_dims(out, ax) if keepdims else out)


def length(input: Any, unit: str = "BYTE", name: str | None = None) -> torch.Tensor:  # noqa: A002
    """int32 lengths in bytes (default) or in characters (``unit="UTF8_CHAR"``)."""
    count = len if unit == "UTF8_CHAR" else (lambda s: len(s.encode("utf-8", errors="surrogateescape")))
    return _map(count, input, otype=np.int32)


def substr(input: Any, pos: Any, len: Any, unit: str = "BYTE", name: str | None = None) -> StringTensor:  # noqa: A002
    """``len`` bytes (or characters with ``unit="UTF8_CHAR"``) from ``pos`` (negative: from the end)."""
    start, size = int(pos), int(len)

    def cut(s: str) -> str:
        if unit == "UTF8_CHAR":
            return s[start:][:size]
        raw = s.encode("utf-8", errors="surrogateescape")
        return raw[start:][:size].decode("utf-8", errors="surrogateescape")

    return _map(cut, input)


def to_number(string_tensor: Any, out_type: Any = torch.float32, name: str | None = None) -> torch.Tensor:
    dt = cv.dtype(out_type)
    parse = float if dt.is_floating_point else int
    return _map(lambda s: parse(s.strip()), string_tensor, otype=np.float64 if dt.is_floating_point else np.int64).to(dt)


def as_string(input: Any, precision: int = -1, scientific: bool = False, shortest: bool = False,  # noqa: A002
              width: int = -1, fill: str = "", name: str | None = None) -> StringTensor:
    """Numbers as strings: floats with 6 decimals (or ``precision``), as TensorFlow's ``%f``."""
    t = cv.tensor(input)
    arr = t.numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    if arr.dtype.kind == "f":
        spec = f"{'e' if scientific else 'g' if shortest else 'f'}"
        fmt = f"%{fill}{width if width >= 0 else ''}.{precision if precision >= 0 else 6}{spec}"
    else:
        fmt = f"%{fill}{width if width >= 0 else ''}d"
    out = np.empty(arr.shape, dtype=object)
    flat = out.reshape(-1)
    for i, v in enumerate(arr.reshape(-1)):
        flat[i] = "true" if arr.dtype == bool and v else "false" if arr.dtype == bool else fmt % v
    return StringTensor(out)


def __getattr__(name: str) -> Any:
    raise unsupported(f"tf.strings.{name}")
