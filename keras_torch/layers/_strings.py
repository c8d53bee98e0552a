"""String data at the model's edge: the one representation text layers accept and produce.

torch has no string tensor, so keras_torch keeps strings in numpy until a text layer turns them
into integer tensors:

* **Inputs.** ``TextVectorization``, ``StringLookup``, ``Hashing`` and ``HashedCrossing`` accept a
  Python ``str``/``bytes``, (nested) lists and tuples of them, numpy arrays of dtype ``str``,
  ``bytes`` or ``object``, and any object with a ``.numpy()`` method returning one of those (the
  tf stand-in's string constants and the batches of its ``tf.data`` pipelines). Bytes are
  decoded with the layer's ``encoding`` (UTF-8). :func:`to_string_array` turns all of them into
  one numpy ``object`` array of Python ``str``.
* **Outputs.** Lookups produce ``torch.int64`` tensors (``float32`` for TF-IDF), on the device of
  the model they run in (:func:`to_model_device`); the only string outputs
  (``StringLookup(invert=True)``) are numpy ``object`` arrays of ``str``.
* **Symbolic.** ``keras.Input(dtype="string")`` makes a ``"string"`` KerasTensor; functional
  models pass string arrays through to the first text layer, and ``fit``/``predict`` batch numpy
  string arrays like numeric ones.
* **Export.** An exported ONNX / ``torch.export`` graph cannot hold strings: exporting a model
  whose text layers see strings raises an error naming the layer (:func:`refuse_export`); export
  the part of the model after the text layers (a model taking their integer outputs).
* **Callables.** ``standardize`` receives a numpy ``str`` array and returns one of the same
  shape; ``split`` receives a 1-D numpy ``str`` array and returns one list of tokens per element
  (lists, a 2-D array, or a ragged object with ``to_list()``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.symbolic import KerasTensor

__all__ = ["is_string_data", "ragged_rows", "refuse_export", "to_model_device", "to_string_array", "to_unicode_array"]


def _plain(x: Any) -> Any:
    """Unwrap objects with ``.numpy()`` (tf stand-in tensors) and ``__array__`` to numpy / Python values."""
    if isinstance(x, (np.ndarray, str, bytes, list, tuple, torch.Tensor)) or x is None:
        return x
    if hasattr(x, "numpy") and callable(x.numpy):
        return x.numpy()
    if hasattr(x, "__array__"):
        return np.asarray(x)
    return x


def is_string_data(x: Any) -> bool:
    """Whether ``x`` holds strings (a ``str``/``bytes``, a string/object array, a list of strings...)."""
    x = _plain(x)
    if isinstance(x, (str, bytes)):
        return True
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "OUS"
    if isinstance(x, (list, tuple)):
        first = x
        while isinstance(first, (list, tuple)) and first:
            first = first[0]
        return isinstance(first, (str, bytes))
    return False


def _decode(value: Any, encoding: str, what: str) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, (bytes, np.bytes_)):
        return bytes(value).decode(encoding)
    raise TypeError(f"{what} expects strings; found an element of type {type(value).__name__}: {value!r}")


def to_string_array(x: Any, encoding: str = "utf-8", what: str = "This layer") -> np.ndarray:
    """``x`` as a numpy ``object`` array of Python ``str`` (bytes decoded with ``encoding``).

    Args:
        x: A ``str``/``bytes``, (nested) lists/tuples of them, a numpy ``str``/``bytes``/``object``
            array, or an object with ``.numpy()`` returning one of those.
        encoding: Encoding of ``bytes`` values.
        what: Who asks (named in errors, e.g. ``"Layer 'string_lookup'"``).

    Returns:
        An ``object`` array with the shape of ``x``.

    Raises:
        TypeError: ``x`` holds something other than strings, or is ragged.
    """
    x = _plain(x)
    if isinstance(x, KerasTensor):
        raise TypeError(f"{what} received a symbolic tensor where string data was expected.")
    if isinstance(x, torch.Tensor):
        raise TypeError(f"{what} expects string data (str, lists or numpy arrays of str/bytes); torch tensors "
                        f"cannot hold strings. Received a tensor of dtype {x.dtype}.")
    if isinstance(x, (str, bytes)):
        out = np.empty((), dtype=object)
        out[()] = _decode(x, encoding, what)
        return out
    if isinstance(x, (list, tuple)):
        arr = np.array(x, dtype=object)
        if arr.dtype == object and any(isinstance(v, (list, tuple, np.ndarray)) for v in arr.ravel()):
            raise TypeError(f"{what} received ragged nested lists; pad them to one shape (or pass one string "
                            "per example).")
    elif isinstance(x, np.ndarray):
        arr = x
    else:
        raise TypeError(f"{what} expects string data (str, lists or numpy arrays of str/bytes). Received: "
                        f"{type(x).__name__}")
    if arr.dtype.kind == "U":
        return arr.astype(object)
    flat = [_decode(v, encoding, what) for v in arr.ravel()]
    out = np.empty(len(flat), dtype=object)
    out[:] = flat
    return out.reshape(arr.shape)


def to_unicode_array(arr: np.ndarray) -> np.ndarray:
    """An ``object`` string array as a numpy ``str`` array (what ``standardize``/``split`` callables receive)."""
    if arr.size == 0:
        return np.zeros(arr.shape, dtype="<U1")
    return np.array(arr.tolist(), dtype=str).reshape(arr.shape)


def ragged_rows(result: Any, encoding: str = "utf-8", what: str = "split") -> list[list[str]]:
    """The output of a ``split`` callable as one list of ``str`` tokens per example.

    Accepts lists of lists, 2-D arrays, object arrays of arrays, and ragged objects with
    ``to_list()`` (the tf stand-in's ragged tensors).
    """
    if hasattr(result, "to_list") and callable(result.to_list):
        result = result.to_list()
    result = _plain(result)
    rows = []
    for row in result:
        row = _plain(row)
        if isinstance(row, (str, bytes)):
            raise TypeError(f"The `{what}` callable must return one sequence of tokens per input string; "
                            f"received a plain string {row!r}.")
        rows.append([_decode(t, encoding, what) for t in np.asarray(row, dtype=object).ravel()])
    return rows


def to_model_device(t: torch.Tensor) -> torch.Tensor:
    """A tensor made from host data inside a model call, on the device of the model's weights."""
    device = CALL_CONTEXT.data_device
    return t if device is None or device.type == "cpu" else t.to(device, non_blocking=True)


def refuse_export(layer: Any) -> None:
    """Raise if a model is being exported: the string layer ``layer`` cannot be part of the graph."""
    mode = CALL_CONTEXT.export_mode
    if mode is not None:
        raise ValueError(
            f"Layer '{layer.name}' ({type(layer).__name__}) works on Python/numpy data (strings, vocabulary "
            f"tables, string hashes) and cannot be exported to {mode!r}: an exported graph holds torch tensors "
            "only. Export the model that starts after this layer (taking its integer outputs as inputs), and run "
            "this layer in the data pipeline before the exported model.")
