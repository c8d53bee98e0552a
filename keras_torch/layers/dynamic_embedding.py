"""tf-keras 2's ``layers.experimental.DynamicLookup`` / ``DynamicEmbedding``: vocabularies that follow the data.

Both keep tf-keras's LFU table: ``floor(1.2 * vocabulary_size)`` (key, count) slots updated by
every call with ``learn_vocab=True``. New keys (in sorted order) replace the least frequently seen
ones (ties: the earliest slot), and keys already in the table that the batch contains count one
more. The lookup itself uses ``vocabulary``, which changes only when ``DynamicEmbedding.
update_embeddings`` (or ``keras.callbacks.experimental.UpdateEmbeddingCallback``) copies the most
frequent table keys into it. String vocabularies stay NumPy arrays (torch has no string tensor).
"""

from __future__ import annotations

import math
import os
import random
import string
from typing import Any

import numpy as np
import torch

from keras_torch.core import budget
from keras_torch.initializers.warmstart import warmstart_embedding_matrix
from keras_torch.layers._args import check_int, check_size, register_layer
from keras_torch.layers._strings import is_string_data, to_model_device, to_string_array
from keras_torch.layers.base import Layer
from keras_torch.layers.core import Embedding

__all__ = ["DynamicEmbedding", "DynamicLookup"]

_DTYPES = {"string": "string", "str": "string", "int32": "int32", "int64": "int64"}


def _random_vocabulary(size: int, dtype: str) -> np.ndarray:
    if dtype == "string":
        return np.array(["".join(random.choice(string.ascii_letters) for _ in range(10)) for _ in range(size)],
                        dtype=object)
    return np.random.randint(0, size, size=size).astype(dtype)


def _dtype_name(initial: Any) -> str | None:
    """``"string"``/``"int32"``/``"int64"`` when ``initial`` names a dtype (a string, torch dtype or tf dtype)."""
    if isinstance(initial, torch.dtype):
        name = str(initial).replace("torch.", "")
    elif isinstance(initial, str):
        name = initial
    elif hasattr(initial, "name") and not hasattr(initial, "shape"):  # the tf stand-in's dtypes
        name = str(initial.name)
    else:
        return None
    return _DTYPES.get(name)


def _vocabulary(initial: Any, size: int) -> np.ndarray:
    dtype = _dtype_name(initial)
    if dtype is not None:
        return _random_vocabulary(size, dtype)
    if not isinstance(initial, str) and is_string_data(initial):
        return to_string_array(initial, what="DynamicLookup").reshape(-1)
    if not isinstance(initial, str):
        try:
            values = np.asarray(initial.detach().cpu() if isinstance(initial, torch.Tensor) else
                                initial.numpy() if hasattr(initial, "numpy") else initial).reshape(-1)
        except (ValueError, TypeError):  # ragged or mixed junk: refused below with the valid forms
            values = None
        if values is not None and values.dtype.kind in "iu":
            return values
    raise ValueError("Either specify the initial vocabulary or provide a valid dtype. The dtype argument must be "
                     f"one of the following: 'string', 'int32', 'int64'. Received: {initial!r}")


def _pad(values: np.ndarray, n: int, padding: Any) -> np.ndarray:
    out = np.full(n, padding, dtype=values.dtype)
    out[: min(n, len(values))] = values[:n]
    return out


def _unique(values: np.ndarray) -> np.ndarray:
    """Distinct values in order of first occurrence (``tf.unique``)."""
    _, first = np.unique(values, return_index=True)
    return values[np.sort(first)]


@register_layer()
class DynamicLookup(Layer):
    """Maps tokens to their index in a vocabulary that is periodically refreshed from an LFU table.

    Tokens of ``vocabulary`` map to their position; other tokens map to ``vocabulary_size``.

    Args:
        vocabulary_size: Size of the vocabulary (the table holds ``floor(1.2 * vocabulary_size)`` keys).
        initial_vocabulary: The initial tokens (list, array or tensor of strings or integers), or a
            dtype (``"string"``, ``"int32"``, ``"int64"``) for a random initial vocabulary.
        eviction_policy: ``"LFU"`` (the only policy).
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: Tokens (integer tensor, or strings as NumPy arrays / lists).
        learn_vocab: Update the frequency table with this batch.

    Input shape:
        Any.

    Output shape:
        Same as the input (int64 indices).

    Example:

    >>> lookup = keras.layers.experimental.DynamicLookup(3, initial_vocabulary=["a", "b", "c"])
    >>> lookup(np.array([["a", "z"]])).tolist()
    [[0, 3]]
    """

    _takes_strings = True

    def __init__(self, vocabulary_size: int, initial_vocabulary: Any, eviction_policy: str = "LFU",
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if eviction_policy != "LFU":
            raise ValueError(f"{eviction_policy} eviction policy is currently unsupported by DynamicLookup layer. It "
                             "currently only supports `LFU`")
        self.vocabulary_size = check_size(self.name, "vocabulary_size", vocabulary_size)
        # the tables below are numpy arrays (outside the torch budget): keys, counts and vocabulary of 8 bytes each
        budget.charge(24 * int(self.vocabulary_size * 1.2), f"the vocabulary tables of layer '{self.name}'")
        self.eviction_policy = eviction_policy
        self.initial_vocabulary = _vocabulary(initial_vocabulary, self.vocabulary_size)
        self._strings = self.initial_vocabulary.dtype == object
        self._padding: Any = "unk" if self._strings else -1
        self.internal_table_size = int(math.floor(self.vocabulary_size * 1.2))
        # The LFU table (keys and their counts, padded with "unk"/-1) and the lookup vocabulary.
        self.vocabulary_table_keys = _pad(self.initial_vocabulary, self.internal_table_size, self._padding)
        counts = np.zeros(len(self.initial_vocabulary), dtype=np.int32)
        self.vocabulary_table_values = _pad(counts, self.internal_table_size, -1)
        self.vocabulary = self.initial_vocabulary.copy()

    def _tokens(self, inputs: Any) -> np.ndarray:
        if self._strings:
            return to_string_array(inputs, what=f"Layer '{self.name}'")
        return np.asarray(inputs.detach().cpu() if isinstance(inputs, torch.Tensor) else inputs)

    def call(self, inputs: Any, learn_vocab: bool = True) -> torch.Tensor:
        tokens = self._tokens(inputs)
        flat = tokens.reshape(-1)
        if learn_vocab:
            self.update_internal_vocabulary(_unique(flat))
        index = {token: i for i, token in reversed(list(enumerate(self.vocabulary.tolist())))}
        out = np.array([index.get(t, self.vocabulary_size) for t in flat.tolist()], dtype=np.int64)
        result = torch.from_numpy(out.reshape(tokens.shape))
        return result.to(inputs.device) if isinstance(inputs, torch.Tensor) else to_model_device(result)

    def update_internal_vocabulary(self, unique: np.ndarray) -> np.ndarray:
        """Count ``unique`` (a batch's distinct tokens) in the LFU table, evicting the rarest keys for new ones.

        Args:
            unique: The distinct tokens of a batch.

        Returns:
            ``unique``.
        """
        keys, values = self.vocabulary_table_keys, self.vocabulary_table_values
        kept = keys != self._padding if not self._strings else np.array([k != "unk" for k in keys], dtype=bool)
        keys, values = keys[kept], values[values != -1]
        known = set(keys.tolist())
        new_keys = np.array(sorted({t for t in unique.tolist() if t not in known}), dtype=keys.dtype)
        remove = max(len(keys) - self.internal_table_size + len(new_keys), 0)
        if remove:
            evicted = np.argsort(values, kind="stable")[:remove]  # least frequent, earliest slot first
            mask = np.ones(len(keys), dtype=bool)
            mask[evicted] = False
            keys, values = keys[mask], values[mask]
        seen = set(unique.tolist())
        values = values + np.array([k in seen for k in keys.tolist()], dtype=np.int32)
        self.vocabulary_table_keys = _pad(np.concatenate([keys, new_keys]), self.internal_table_size, self._padding)
        self.vocabulary_table_values = _pad(np.concatenate([values, np.ones(len(new_keys), np.int32)]),
                                            self.internal_table_size, -1)
        return unique

    def get_top_vocabulary(self, k: int) -> np.ndarray:
        """The ``k`` most frequent table keys (ties: earliest slot first).

        Args:
            k: How many keys.

        Returns:
            The keys, most frequent first.
        """
        order = np.argsort(-self.vocabulary_table_values, kind="stable")[:k]
        return self.vocabulary_table_keys[order]

    def get_vocabulary(self) -> np.ndarray:
        """The lookup vocabulary."""
        return self.vocabulary

    def set_vocabulary(self, vocabulary: Any) -> None:
        """Replace the lookup vocabulary (``DynamicEmbedding.update_embeddings`` calls it).

        Args:
            vocabulary: The new tokens.
        """
        self.vocabulary = _vocabulary(vocabulary, self.vocabulary_size)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return tuple(input_shape)

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "vocabulary_size": self.vocabulary_size,
                "initial_vocabulary": self.initial_vocabulary.tolist(), "eviction_policy": self.eviction_policy}

    def save_assets(self, dir_path: str) -> None:
        """Write the lookup vocabulary to ``dir_path/vocabulary.txt`` (tf-keras's asset)."""
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.vocabulary.tolist()))

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary :meth:`save_assets` wrote."""
        with open(os.path.join(dir_path, "vocabulary.txt"), encoding="utf-8") as f:
            tokens = f.read().split("\n")
        self.set_vocabulary(tokens if self._strings else [int(t) for t in tokens])


@register_layer()
class DynamicEmbedding(Layer):
    """An ``Embedding`` over a :class:`DynamicLookup`: rows follow the most frequent tokens of the data.

    ``update_embeddings()`` replaces the vocabulary with the ``input_dim`` most frequent table keys
    and rebuilds the matrix with :func:`keras.utils.warmstart_embedding_matrix` (rows of kept
    tokens move with them, new tokens get fresh rows). The last ``num_oov_indices`` rows embed
    out-of-vocabulary tokens.

    Args:
        input_dim: Vocabulary size.
        output_dim: Embedding size.
        initial_vocabulary: Initial tokens, or a dtype for a random vocabulary (see :class:`DynamicLookup`).
        eviction_policy: ``"LFU"``.
        input_length: Keras 2 argument of ``Embedding``.
        embedding_initializer: Initializer of the matrix and of new rows.
        num_oov_indices: Rows for out-of-vocabulary tokens.
        **kwargs: ``Layer`` arguments.

    Call arguments:
        inputs: Tokens.
        learn_vocab: Update the frequency table with this batch.

    Input shape:
        Any.

    Output shape:
        The input shape plus ``output_dim``.

    Example:

    >>> layer = keras.layers.experimental.DynamicEmbedding(4, 2, initial_vocabulary=["a", "b", "c", "d"])
    >>> tuple(layer(np.array([["a", "q"]])).shape)
    (1, 2, 2)
    """

    _takes_strings = True

    def __init__(self, input_dim: int, output_dim: int, initial_vocabulary: Any, eviction_policy: str = "LFU",
                 input_length: int | None = None, embedding_initializer: Any = "uniform", num_oov_indices: int = 1,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        check_size(self.name, "input_dim", input_dim)
        check_int(self.name, "num_oov_indices", num_oov_indices, min_value=0)
        self.embedding_layer = Embedding(input_dim + num_oov_indices, output_dim,
                                         embeddings_initializer=embedding_initializer, input_length=input_length,
                                         name="embedding")
        self.dynamic_lookup_layer = DynamicLookup(input_dim, initial_vocabulary, eviction_policy=eviction_policy,
                                                  name="dynamic_lookup")
        self.input_dim = input_dim
        self.embedding_initializer = embedding_initializer
        self.num_oov_indices = num_oov_indices

    def build(self, input_shape: Any = None) -> None:
        self.embedding_layer.build(input_shape)
        self.embedding_layer.built = True

    def call(self, inputs: Any, learn_vocab: bool = True) -> torch.Tensor:
        return self.embedding_layer(self.dynamic_lookup_layer(inputs, learn_vocab=learn_vocab))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        return (*tuple(input_shape), self.embedding_layer.output_dim)

    def get_vocabulary(self) -> np.ndarray:
        """The lookup vocabulary."""
        return self.dynamic_lookup_layer.get_vocabulary()

    def update_embeddings(self, strategy: Any = None) -> None:
        """Adopt the most frequent tokens as the vocabulary and move their embedding rows with them.

        Args:
            strategy: Accepted for tf-keras compatibility (keras_torch keeps one table per process).
        """
        lookup = self.dynamic_lookup_layer
        new_vocabulary = lookup.get_top_vocabulary(lookup.vocabulary_size)
        matrix = warmstart_embedding_matrix(
            base_vocabulary=list(lookup.vocabulary.tolist()),
            new_vocabulary=list(new_vocabulary.tolist()) + ["UNK"] * self.num_oov_indices,
            base_embeddings=self.embedding_layer.get_weights()[0],
            new_embeddings_initializer=self.embedding_initializer)
        lookup.set_vocabulary(new_vocabulary)
        self.embedding_layer.set_weights([np.asarray(matrix.detach().cpu() if isinstance(matrix, torch.Tensor)
                                                     else matrix)])

    def get_config(self) -> dict[str, Any]:
        # tf-keras 2.21 writes the table size (input_dim + num_oov_indices) as input_dim, so its configs
        # rebuild a larger table; this one round-trips.
        return {**super().get_config(), "input_dim": self.input_dim, "output_dim": self.embedding_layer.output_dim,
                "input_length": self.embedding_layer.input_length,
                "eviction_policy": self.dynamic_lookup_layer.eviction_policy,
                "initial_vocabulary": self.dynamic_lookup_layer.initial_vocabulary.tolist(),
                "embedding_initializer": self.embedding_initializer, "num_oov_indices": self.num_oov_indices}
