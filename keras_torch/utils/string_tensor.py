"""``StringTensor``: a ``tf.string`` tensor on the host, for the ``tf.data`` and ``tf.strings`` stand-ins.

A numpy array of dtype ``object`` whose items are Python ``str`` (text) or ``bytes`` (file
contents), so Keras text layers and numpy code take it as it is. Like a TensorFlow string
tensor it has ``.numpy()``, which gives the items as ``bytes`` (TensorFlow's representation).
"""

from __future__ import annotations

from typing import Any

import numpy as np


class StringTensor(np.ndarray):
    """An ``object`` array of ``str``/``bytes`` items, with ``numpy()`` as on a ``tf.string`` tensor."""

    def __new__(cls, values: Any) -> StringTensor:
        src = values if isinstance(values, np.ndarray) else np.array(values, dtype=object)
        out = np.empty(src.shape, dtype=object)
        flat = out.reshape(-1)
        for i, v in enumerate(src.reshape(-1)):
            flat[i] = _item(v)
        return out.view(cls)

    def __array_wrap__(self, array: np.ndarray, context: Any = None, return_scalar: bool = False) -> Any:
        # Comparisons and other numpy functions of strings give plain (bool, int...) arrays.
        if array.dtype != object:
            return array[()] if return_scalar else array.view(np.ndarray)
        return array[()] if return_scalar else array.view(StringTensor)

    def __getitem__(self, index: Any) -> Any:
        item = super().__getitem__(index)
        return item if isinstance(item, np.ndarray) else StringTensor(item)

    def numpy(self) -> Any:
        """The items as ``bytes`` (``str`` items encoded as UTF-8), as TensorFlow gives them."""
        out = np.vectorize(to_bytes, otypes=[object])(np.asarray(self)) if self.size else np.asarray(self)
        return out[()] if out.ndim == 0 else out

    def __repr__(self) -> str:
        return f"<tf.Tensor: shape={self.shape}, dtype=string, numpy={self.numpy()!r}>"

    def __str__(self) -> str:
        return f"tf.Tensor({self.numpy()}, shape={self.shape}, dtype=string)"


def _item(v: Any) -> str | bytes:
    if isinstance(v, (str, bytes)):
        return str(v) if isinstance(v, np.str_) else bytes(v) if isinstance(v, np.bytes_) else v
    raise TypeError(f"A string tensor holds str or bytes items; received {type(v).__name__}: {v!r}")


def to_bytes(v: Any) -> bytes:
    return v.encode("utf-8") if isinstance(v, str) else bytes(v)


def to_text(v: Any) -> str:
    return v.decode("utf-8", errors="surrogateescape") if isinstance(v, (bytes, bytearray)) else str(v)


def is_string_value(x: Any) -> bool:
    """True for a ``str``/``bytes`` item or an array of them (a ``tf.string`` value)."""
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        if x.dtype.kind in "US":
            return True
        return x.dtype == object and x.size > 0 and isinstance(x.reshape(-1)[0], (str, bytes))
    if isinstance(x, (list, tuple)) and x:
        return is_string_value(x[0])
    return False


def as_string_tensor(x: Any) -> StringTensor:
    """``x`` (str, bytes, nested lists of them, or a string array) as a :class:`StringTensor`."""
    return x if isinstance(x, StringTensor) else StringTensor(x)
