"""``pad_sequences`` (``keras.utils`` / ``keras.preprocessing.sequence``)."""

from __future__ import annotations

from typing import Any

import numpy as np


def pad_sequences(
    sequences: Any,
    maxlen: int | None = None,
    dtype: str = "int32",
    padding: str = "pre",
    truncating: str = "pre",
    value: Any = 0.0,
) -> np.ndarray:
    """Pad/truncate a list of sequences to the same length (Keras semantics, "pre" by default).

    Args:
        sequences: List of sequences (lists or arrays, possibly of vectors).
        maxlen: Output length; None uses the longest sequence.
        dtype: dtype of the result.
        padding: "pre" or "post": where ``value`` is added.
        truncating: "pre" or "post": which end of longer sequences is cut.
        value: Padding value.

    Returns:
        A numpy array ``(len(sequences), maxlen, ...)``.

    Raises:
        ValueError: for an unknown ``padding``/``truncating`` or a string ``value`` with a numeric dtype.
    """
    if not hasattr(sequences, "__len__"):
        raise ValueError("`sequences` must be iterable.")
    if padding not in ("pre", "post"):
        raise ValueError(f'Padding type "{padding}" not understood')
    if truncating not in ("pre", "post"):
        raise ValueError(f'Truncating type "{truncating}" not understood')
    lengths, sample_shape = [], ()
    for s in sequences:
        lengths.append(len(s))
        if len(s) and not sample_shape:
            sample_shape = np.asarray(s).shape[1:]
    maxlen = max(lengths, default=0) if maxlen is None else maxlen
    is_str = np.issubdtype(dtype, np.str_) or np.issubdtype(dtype, np.object_)
    if isinstance(value, str) and dtype is not object and not is_str:
        raise ValueError(f"`dtype` {dtype} is not compatible with `value`'s type: {type(value)}")
    out = np.full((len(sequences), maxlen) + sample_shape, value, dtype=dtype)
    for i, s in enumerate(sequences):
        if not len(s):
            continue
        trunc = s[-maxlen:] if truncating == "pre" else s[:maxlen]
        trunc = np.asarray(trunc, dtype=dtype)
        if padding == "post":
            out[i, : len(trunc)] = trunc
        else:
            out[i, maxlen - len(trunc) :] = trunc
    return out
