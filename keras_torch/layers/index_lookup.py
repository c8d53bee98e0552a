"""Vocabulary lookups: StringLookup and IntegerLookup (Keras 3's ``IndexLookup``, without TensorFlow).

The vocabulary is a Python list (plus a ``token -> index`` dict) built by :meth:`IndexLookup.adapt`
exactly as Keras builds it (tokens by descending count, ties by descending token; mask and OOV
tokens removed; ``max_tokens`` kept), or set from a list or a file. Indices are laid out as
in Keras: ``[mask (int mode only)] [OOV x num_oov_indices] [tokens...]``; several OOV indices
are chosen by FarmHash (strings) or floor-mod (integers), as TensorFlow does.

Under export, an ``IntegerLookup`` that needs no string hashing runs as torch ops (a comparison
with every vocabulary entry) and is traced into the graph; string lookups refuse to be exported.

State Keras 3 saves with the layer, saved the same way here: the vocabulary as the asset
``vocabulary.txt`` (:meth:`~IndexLookup.save_assets` / :meth:`~IndexLookup.load_assets`) unless it
was passed in the config, and the TF-IDF weights as the variable ``idf_weights``
(:meth:`~IndexLookup.save_own_variables` / :meth:`~IndexLookup.load_own_variables`). String
inputs and outputs follow ``keras_torch.layers._strings``.
"""

from __future__ import annotations

import collections
import os
from typing import Any

import numpy as np
import torch

from keras_torch.core import config as _config
from keras_torch.core.context import CALL_CONTEXT
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import check_int, register_layer
from keras_torch.layers._strings import refuse_export, to_model_device, to_string_array
from keras_torch.layers.base import Layer
from keras_torch.layers.categorical import check_mode, encode_categorical, refuse_sparse
from keras_torch.layers.preprocessing_layer import adapt_batches
from keras_torch.utils import fingerprint

__all__ = ["IndexLookup", "IntegerLookup", "StringLookup"]

MASK_SENTINEL = (1 << 63) - 1  # where masked inputs go in non-int modes: outside every encoding, so dropped


def _listify(x: Any) -> Any:
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    if isinstance(x, np.ndarray):
        x = x.tolist()
    return x


class IndexLookup(Layer):
    """Maps vocabulary items to integer indices (the base of StringLookup and IntegerLookup).

    Args: see :class:`StringLookup` (``vocabulary_dtype`` is ``"string"`` or ``"int64"``).
    """

    _takes_strings = True

    _tokens: list[Any]  # the learned/set vocabulary, without mask and OOV tokens
    _index: dict[Any, int]  # token -> output index
    _token_counts: collections.Counter  # adapt state: token -> occurrences
    _document_counts: collections.Counter  # adapt state (tf_idf): token -> documents containing it
    _num_documents: int  # adapt state (tf_idf)

    def __init__(self, max_tokens: int | None, num_oov_indices: int, mask_token: Any, oov_token: Any,
                 vocabulary_dtype: str, vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        label = name if isinstance(name, str) else type(self).__name__  # checked before the layer has a name
        check_int(label, "max_tokens", max_tokens, allow_none=True)
        check_int(label, "num_oov_indices", num_oov_indices)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If set, `max_tokens` must be greater than 1. Received: max_tokens={max_tokens}")
        if pad_to_max_tokens and max_tokens is None:
            raise ValueError(f"If pad_to_max_tokens is True, must set `max_tokens`. Received: max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError("`num_oov_indices` must be greater than or equal to 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        check_mode(type(self).__name__, oov_method, ("floormod", "farmhash"), "oov_method")
        if salt is not None:
            if vocabulary_dtype == "int64" and oov_method != "farmhash":
                raise ValueError(f"`salt` can only be used when `oov_method='farmhash'`. Received: "
                                 f"oov_method={oov_method}")
            if isinstance(salt, (tuple, list)) and len(salt) == 2 and all(
                    isinstance(s, int) and not isinstance(s, bool) for s in salt):
                salt = list(salt)
            elif isinstance(salt, int) and not isinstance(salt, bool):
                salt = [salt, salt]
            else:
                raise ValueError("The `salt` argument for `IndexLookup` can only be a tuple of 2 integers, or a "
                                 f"single integer. Received: salt={salt}.")
        if isinstance(output_mode, str):
            output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        check_mode(type(self).__name__, output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if not isinstance(invert, (bool, np.bool_)):  # a truthy junk value would silently invert the lookup
            raise ValueError(f"`invert` must be a bool. Received: invert={invert!r}")
        if invert and output_mode != "int":
            raise ValueError(f"`output_mode` must be `'int'` when `invert` is true. Received: output_mode="
                             f"{output_mode}")
        if sparse and output_mode == "int":
            raise ValueError("`sparse` may only be true if `output_mode` is `'one_hot'`, `'multi_hot'`, `'count'` or "
                             f"`'tf_idf'`. Received: sparse={sparse} and output_mode={output_mode}")
        if idf_weights is not None and output_mode != "tf_idf":
            raise ValueError("`idf_weights` should only be set if `output_mode` is `'tf_idf'`. Received: "
                             f"idf_weights={idf_weights} and output_mode={output_mode}")
        frozen_size = kwargs.pop("vocabulary_size", None)
        has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        kwargs.pop("trainable", None)
        kwargs.pop("dtype", None)
        if kwargs:
            raise ValueError(f"Unrecognized keyword argument(s): {kwargs}")
        super().__init__(name=name)
        refuse_sparse(f"Layer '{self.name}'", sparse)
        for arg, token in (("mask_token", mask_token), ("oov_token", oov_token)):
            if token is not None and not isinstance(token, (str, bytes, int, np.integer)):
                raise ValueError(f"Layer '{self.name}': `{arg}` must be a single token (a string or an integer) "
                                 f"or None. Received: {arg}={token!r}")
        if isinstance(vocabulary, (list, tuple)) and not all(
                isinstance(t, (str, bytes, int, np.generic)) and not isinstance(t, bool) for t in vocabulary):
                raise ValueError(f"Layer '{self.name}': `vocabulary` must be a flat list of tokens or a file path. "
                                 f"Received: vocabulary={vocabulary!r}"[:400])
        self.invert = invert
        self.max_tokens = max_tokens
        self.num_oov_indices = num_oov_indices
        self.mask_token = mask_token
        self.oov_token = oov_token
        self.output_mode = output_mode
        self.sparse = sparse
        self.pad_to_max_tokens = pad_to_max_tokens
        self.vocabulary_dtype = vocabulary_dtype
        self.oov_method = oov_method
        self.salt = salt
        self._frozen_vocab_size = frozen_size
        # A vocabulary given as a file path is saved as an asset, like an adapted one.
        self.input_vocabulary = vocabulary if not isinstance(vocabulary, str) else None
        self.input_idf_weights = idf_weights
        self._has_input_vocabulary = has_input_vocabulary
        self._tokens, self._index = [], {}
        self._token_counts, self._document_counts, self._num_documents = collections.Counter(), \
            collections.Counter(), 0
        self.register_buffer("idf_weights", None, persistent=False)
        if output_mode == "tf_idf":
            if self._has_input_vocabulary and idf_weights is None:
                raise ValueError("When specifying the `vocabulary` argument, in TF-IDF output mode, the "
                                 "`idf_weights` argument must also be provided.")
            if idf_weights is not None:
                self.idf_weights = torch.as_tensor(np.asarray(_listify(idf_weights)),
                                                   dtype=self._float_dtype())
        if vocabulary is not None:
            self.set_vocabulary(vocabulary, idf_weights)
        self.built = True

    # ------------------------------------------------------------------ index layout
    def _float_dtype(self) -> torch.dtype:
        return getattr(torch, _config.floatx())

    def _oov_start_index(self) -> int:
        return 1 if self.mask_token is not None and self.output_mode == "int" else 0

    def _token_start_index(self) -> int:
        return self._oov_start_index() + self.num_oov_indices

    def _is_string(self) -> bool:
        return self.vocabulary_dtype == "string"

    def vocabulary_size(self) -> int:
        """The size of the vocabulary, including the mask and OOV indices."""
        return len(self._tokens) + self._token_start_index()

    def get_vocabulary(self, include_special_tokens: bool = True) -> list[Any]:
        """The vocabulary, indexed as the layer's outputs (``include_special_tokens=False``: tokens only)."""
        specials = ([self.mask_token] if self._oov_start_index() else []) + [self.oov_token] * self.num_oov_indices
        tokens = list(self._tokens)
        return specials + tokens if include_special_tokens else tokens

    # ------------------------------------------------------------------ vocabulary
    def _as_values(self, data: Any) -> np.ndarray:
        """Input/vocabulary values as a numpy array: ``object`` array of str, or int64."""
        if self._is_string():
            return to_string_array(data, getattr(self, "encoding", "utf-8"), f"Layer '{self.name}'")
        if isinstance(data, torch.Tensor):
            return data.detach().cpu().numpy().astype(np.int64)
        if hasattr(data, "numpy") and callable(data.numpy):
            data = data.numpy()
        arr = np.asarray(data)
        if arr.dtype.kind not in "iub":
            raise TypeError(f"Layer '{self.name}' expects integer inputs; received dtype {arr.dtype}.")
        return arr.astype(np.int64)

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (and TF-IDF weights) directly instead of adapting.

        Args:
            vocabulary: A list/tuple/1-D array of terms, or the path of a file with one term per
                line. It may start with the special tokens in index order (mask, OOV...).
            idf_weights: TF-IDF weights, as long as ``vocabulary`` (``output_mode="tf_idf"`` only).
        """
        if self.output_mode == "tf_idf":
            if idf_weights is None:
                raise ValueError("`idf_weights` must be set if output_mode is 'tf_idf'.")
        elif idf_weights is not None:
            raise ValueError(f"`idf_weights` should only be set if output_mode is `'tf_idf'`. Received: "
                             f"output_mode={self.output_mode} and idf_weights={idf_weights}")
        if isinstance(vocabulary, str):
            self._vocabulary_from_file(vocabulary)
            return
        vocab = self._as_values(_listify(vocabulary) if isinstance(vocabulary, torch.Tensor) else vocabulary)
        vocab = vocab.reshape(-1)
        if vocab.size == 0:
            raise ValueError(f"Cannot set an empty vocabulary. Received: vocabulary={vocabulary}")
        oov_start, token_start = self._oov_start_index(), self._token_start_index()
        special = [self.mask_token] * oov_start + [self.oov_token] * self.num_oov_indices
        found_special = len(vocab) >= token_start and list(vocab[:token_start]) == special
        tokens = list(vocab[token_start:] if found_special else vocab)
        tokens = [t if self._is_string() else int(t) for t in tokens]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError("The passed vocabulary has at least one repeated term. Please uniquify your dataset. "
                             f"The repeated terms are: {repeated}")
        advice = ("Note that passed `vocabulary` does not need to include the OOV and mask tokens. Either remove all "
                  "mask and OOV tokens, or include them only at the start of the vocabulary in precisely this order: "
                  f"{special}.")
        if self.mask_token is not None and self.mask_token in tokens:
            raise ValueError(f"Found reserved mask token at unexpected location in `vocabulary`. {advice} Received: "
                             f"mask_token={self.mask_token} at vocabulary index "
                             f"{int(np.flatnonzero(vocab == self.mask_token)[-1])}")
        if self.oov_token is not None and self.invert and self.oov_token in tokens:
            raise ValueError(f"Found reserved OOV token at unexpected location in `vocabulary`. {advice} Received: "
                             f"oov_token={self.oov_token} at vocabulary index "
                             f"{int(np.flatnonzero(vocab == self.oov_token)[-1])}")
        if self.max_tokens is not None and token_start + len(tokens) > self.max_tokens:
            raise ValueError("Attempted to set a vocabulary larger than the maximum vocab size. Received vocabulary "
                             f"size is {token_start + len(tokens)}; `max_tokens` is {self.max_tokens}.")
        self._set_tokens(tokens)
        if self.output_mode == "tf_idf" and idf_weights is not None:
            weights = np.asarray(_listify(idf_weights), dtype=np.float64)
            if len(vocab) != len(weights):
                raise ValueError(f"`idf_weights` must be the same length as vocabulary. len(idf_weights) is "
                                 f"{len(weights)}; len(vocabulary) is {len(vocab)}")
            if weights.ndim != 1:
                raise ValueError(f"TF-IDF data must be a 1-index array. Received: type(idf_weights)="
                                 f"{type(idf_weights)}")
            # Without special tokens in `vocabulary`, their weights are the average of the given ones.
            front = 0 if found_special else token_start
            front_value = 0 if found_special else np.average(weights)
            back = self.max_tokens - front - len(weights) if self.pad_to_max_tokens and self.max_tokens else 0
            weights = np.pad(weights, (front, back), "constant", constant_values=(front_value, 0))
            self.idf_weights = torch.as_tensor(weights, dtype=self._float_dtype())

    def _vocabulary_from_file(self, path: str) -> None:
        if _config.in_safe_mode():
            raise ValueError("Requested the loading of a vocabulary file outside of the model archive. This carries a "
                             "potential risk of loading arbitrary and sensitive files and thus it is disallowed by "
                             "default. If you trust the source of the artifact, you can override this error by "
                             "passing `safe_mode=False` to the loading function, or calling "
                             f"`keras.config.enable_unsafe_deserialization()`. Vocabulary file: '{path}'")
        if not os.path.exists(path):
            raise ValueError(f"Vocabulary file {path} does not exist.")
        if self.output_mode == "tf_idf":
            raise ValueError("output_mode `'tf_idf'` does not support loading a vocabulary from file.")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        tokens = lines if self._is_string() else [int(t) for t in lines]
        repeated = [t for t, c in collections.Counter(tokens).items() if c > 1]
        if repeated:
            raise ValueError(f"The vocabulary file {path} repeats terms: {repeated}")
        self._set_tokens(tokens)

    def _set_tokens(self, tokens: list[Any]) -> None:
        start = self._token_start_index()
        self._tokens = list(tokens)
        self._index = {t: start + i for i, t in enumerate(self._tokens)}
        self._record_vocabulary_size()

    def _record_vocabulary_size(self) -> None:
        if self.output_mode != "int" and not self.pad_to_max_tokens:
            size = self.vocabulary_size()
            if self._frozen_vocab_size is not None and size != self._frozen_vocab_size:
                raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, the "
                                   "vocabulary size cannot be changed after the layer is called. Old vocab size is "
                                   f"{self._frozen_vocab_size}, new vocab size is {size}")
        self._frozen_vocab_size = self.vocabulary_size()

    # ------------------------------------------------------------------ adapt
    def adapt(self, data: Any, steps: int | None = None) -> None:
        """Build the vocabulary from ``data``: an array/list (each row a document), or an iterable of batches.

        Tokens are ordered by descending count, ties by descending token; ``max_tokens`` keeps the
        most frequent. ``output_mode="tf_idf"`` also learns the document frequencies.

        Args:
            data: Strings/integers (a list, numpy array, tensor) or an iterable of such batches
                (a generator, a ``DataLoader``, a tf stand-in dataset).
            steps: Batches to read from an iterable (all by default).
        """
        self.reset_state()
        whole = isinstance(data, (list, tuple, np.ndarray, torch.Tensor)) or hasattr(data, "numpy")
        if whole:
            values = self._as_values(data)
            self.update_state(values[..., None] if values.ndim == 1 else values)
        else:
            for batch in adapt_batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        """Count the tokens of one batch (rank 0-1: one document; higher: one document per row)."""
        if self._has_input_vocabulary:
            raise ValueError(f"Cannot adapt layer '{self.name}' after setting a static vocabulary via `vocabulary` "
                             "argument or `set_vocabulary()` method.")
        values = self._as_values(data)
        if values.ndim < 2:
            values = values.reshape(1, -1)
        self.update_rows([row.ravel().tolist() for row in values])

    def update_rows(self, rows: list[list[Any]]) -> None:
        """Count the tokens of documents given as lists of tokens (ragged rows)."""
        for row in rows:
            self._token_counts.update(row)
        if self.output_mode == "tf_idf":
            for row in rows:
                self._document_counts.update(set(row))
            self._num_documents += len(rows)

    def finalize_state(self) -> None:
        """Turn the counts gathered by :meth:`update_state` into the vocabulary (and IDF weights)."""
        if self._has_input_vocabulary or not self._token_counts:
            self._record_vocabulary_size()
            return
        counts = self._token_counts
        for special in (self.mask_token, self.oov_token):
            if special is not None:
                counts.pop(special, None)
        ranked = sorted(counts.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
        if self.max_tokens:
            ranked = ranked[: self.max_tokens - self._token_start_index()]
        tokens = [t for t, _ in ranked]
        self._tokens = tokens
        self._index = {t: self._token_start_index() + i for i, t in enumerate(tokens)}
        if self.output_mode == "tf_idf":
            docs = np.array([self._document_counts[t] for t in tokens], dtype=np.float64)
            idf = np.log(1 + self._num_documents / (1 + docs)).astype(self._float_dtype_np())
            fill = idf.mean(dtype=idf.dtype) if idf.size else 0.0
            idf = np.concatenate([np.full(self._token_start_index(), fill, dtype=idf.dtype), idf])
            if self.pad_to_max_tokens and self.max_tokens is not None:
                idf = np.pad(idf, (0, self.max_tokens - idf.size))
            self.idf_weights = torch.as_tensor(idf)
        self.reset_state()
        self._record_vocabulary_size()

    def _float_dtype_np(self) -> np.dtype:
        return np.dtype(_config.floatx())

    def reset_state(self) -> None:
        if self._has_input_vocabulary:
            return
        self._token_counts = collections.Counter()
        self._document_counts = collections.Counter()
        self._num_documents = 0

    # ------------------------------------------------------------------ call
    def _ensure_known_vocab_size(self) -> None:
        if self.output_mode != "int" and not self.pad_to_max_tokens and self._frozen_vocab_size is None:
            raise RuntimeError(f"When using `output_mode={self.output_mode}` and `pad_to_max_tokens=False`, you must "
                               "set the layer's vocabulary before calling it. Either pass a `vocabulary` argument to "
                               "the layer, or call `adapt` with some sample data.")

    def _oov_indices(self, values: np.ndarray) -> np.ndarray:
        """The OOV index of each value when there are several OOV indices (floor-mod or hash buckets)."""
        n = self.num_oov_indices
        if not self._is_string() and self.oov_method != "farmhash":
            return np.mod(values, n) + self._oov_start_index()
        texts = values if self._is_string() else np.array([str(v) for v in values.ravel()], dtype=object)
        uniques, inverse = np.unique(texts.ravel(), return_inverse=True)
        if self.salt is None:
            buckets = [fingerprint.fingerprint64(u) % n for u in uniques]
        else:
            buckets = [fingerprint.siphash64(self.salt, u) % n for u in uniques]
        return np.asarray(buckets, dtype=np.int64)[inverse].reshape(values.shape) + self._oov_start_index()

    def lookup(self, values: np.ndarray) -> np.ndarray:
        """Indices (int64) of the tokens in ``values`` (a numpy array of vocabulary-typed values)."""
        flat = values.ravel().tolist()
        default = -1 if self.num_oov_indices != 1 else self._oov_start_index()
        index = self._index
        out = np.fromiter((index.get(v, default) for v in flat), dtype=np.int64, count=len(flat)).reshape(values.shape)
        if self.mask_token is not None:
            out[values == self.mask_token] = 0 if self.output_mode == "int" else MASK_SENTINEL
        if self.num_oov_indices == 0:
            missing = out == -1
            if missing.any():
                raise ValueError("When `num_oov_indices=0` all inputs should be in vocabulary, found OOV values "
                                 f"{values[missing].tolist()}, consider setting `num_oov_indices=1`.")
        elif self.num_oov_indices > 1:
            missing = out == -1
            if missing.any():
                out[missing] = self._oov_indices(values[missing])
        return out

    def invert_lookup(self, indices: np.ndarray) -> np.ndarray:
        """Vocabulary items of integer ``indices`` (OOV and unknown indices give ``oov_token``)."""
        start = self._token_start_index()
        tokens = self._tokens
        flat = indices.ravel().tolist()
        mask = self.mask_token is not None
        values = [self.mask_token if (mask and i == 0) else (tokens[i - start] if start <= i < start + len(tokens)
                                                             else self.oov_token) for i in flat]
        if self._is_string():
            out = np.empty(len(values), dtype=object)
            out[:] = values
            return out.reshape(indices.shape)
        return np.asarray(values, dtype=np.int64).reshape(indices.shape)

    def encode(self, indices: torch.Tensor) -> torch.Tensor:
        """Lookup indices encoded for the output mode (``int``: unchanged)."""
        if self.output_mode == "int":
            return indices
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        mode = "count" if self.output_mode == "tf_idf" else self.output_mode
        out = encode_categorical(indices, mode, depth, torch.int64)
        if self.output_mode == "tf_idf":
            if self.idf_weights is None:
                raise ValueError("When `output_mode` is `'tf_idf'`, `idf_weights` must be provided.")
            out = out.to(self.idf_weights.dtype) * self.idf_weights.to(out.device)
        return out

    def call(self, inputs: Any) -> Any:
        if CALL_CONTEXT.export_mode is not None and self._traceable():
            return self.encode(self._traced_lookup(inputs))
        refuse_export(self)
        out = self._lookup_call(inputs)
        return to_model_device(out) if isinstance(out, torch.Tensor) else out

    def _traceable(self) -> bool:
        """Whether the lookup has a torch-op form an exporter can trace (integer keys, no hashing, no inversion)."""
        return (not self._is_string() and not self.invert and self.num_oov_indices > 0
                and (self.num_oov_indices == 1 or self.oov_method == "floormod"))

    def _traced_lookup(self, x: torch.Tensor) -> torch.Tensor:
        """:meth:`lookup` with torch ops only (a comparison against every vocabulary entry), for export."""
        x = x.long()
        start = self._token_start_index()
        keys = torch.tensor(self._tokens, dtype=torch.int64, device=x.device)
        indices = torch.arange(start, start + len(self._tokens), dtype=torch.int64, device=x.device)
        hits = x.unsqueeze(-1) == keys
        found = (hits.long() * indices).sum(-1)
        if self.num_oov_indices == 1:
            missing = torch.full_like(x, self._oov_start_index())
        else:
            missing = torch.remainder(x, self.num_oov_indices) + self._oov_start_index()
        out = torch.where(hits.any(-1), found, missing)
        if self.mask_token is not None:
            masked = torch.full_like(out, 0 if self.output_mode == "int" else MASK_SENTINEL)
            out = torch.where(x == int(self.mask_token), masked, out)
        return out

    def _lookup_call(self, inputs: Any) -> Any:
        self._ensure_known_vocab_size()
        if self.invert:
            indices = self._as_int_indices(inputs)
            result = self.invert_lookup(indices)
            return result if self._is_string() else torch.from_numpy(result)
        values = self._as_values(inputs)
        scalar = values.ndim == 0
        lookups = torch.from_numpy(self.lookup(values.reshape(1) if scalar else values))
        if self.output_mode == "int":
            return lookups.reshape(()) if scalar else lookups
        return self.encode(lookups)

    def _as_int_indices(self, inputs: Any) -> np.ndarray:
        if isinstance(inputs, torch.Tensor):
            return inputs.detach().cpu().numpy().astype(np.int64)
        arr = np.asarray(_listify(inputs.numpy() if hasattr(inputs, "numpy") else inputs))
        if arr.dtype.kind not in "iubf":  # strings fed to an inverted lookup
            raise TypeError(f"Layer '{self.name}' (invert=True) maps integer indices back to tokens; received "
                            f"inputs of dtype {arr.dtype}.")
        return arr.astype(np.int64)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self.output_mode == "int":
            return input_shape
        depth = self.max_tokens if self.pad_to_max_tokens else self._frozen_vocab_size
        if self.output_mode == "one_hot":
            if len(input_shape) > 1 and input_shape[-1] == 1:
                return input_shape[:-1] + (depth,)
            return input_shape + (depth,)
        return input_shape[:-1] + (depth,)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        if self.output_mode == "int":
            dtype = ("string" if self._is_string() else "int64") if self.invert else "int64"
        else:
            dtype = _config.floatx() if self.output_mode == "tf_idf" else "int64"
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    # ------------------------------------------------------------------ config and saved state
    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "invert": self.invert,
            "max_tokens": self.max_tokens,
            "num_oov_indices": self.num_oov_indices,
            "oov_token": self.oov_token,
            "mask_token": self.mask_token,
            "output_mode": self.output_mode,
            "sparse": self.sparse,
            "pad_to_max_tokens": self.pad_to_max_tokens,
            "vocabulary_dtype": self.vocabulary_dtype,
            "idf_weights": _listify(self.input_idf_weights),
            "vocabulary": _listify(self.input_vocabulary),
            "vocabulary_size": self._frozen_vocab_size,
            "oov_method": self.oov_method,
            "salt": self.salt,
        }

    def get_build_config(self) -> dict[str, Any]:
        return {}

    def build_from_config(self, config: dict[str, Any] | None) -> None:
        self.built = True

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """Keras 3's saved variables: ``idf_weights`` in TF-IDF mode (the layer has no Keras weights)."""
        if self.output_mode == "tf_idf" and self.idf_weights is not None:
            store["idf_weights"] = self.idf_weights.detach().cpu().numpy()

    def load_own_variables(self, store: Any) -> None:
        """Inverse of :meth:`save_own_variables`."""
        if self.output_mode == "tf_idf" and "idf_weights" in store:
            self.idf_weights = torch.as_tensor(np.asarray(store["idf_weights"]), dtype=self._float_dtype())

    def save_assets(self, dir_path: str) -> None:
        """Write the vocabulary (special tokens included) to ``dir_path/vocabulary.txt``, one term per line.

        Nothing is written when the vocabulary was passed in the config (it is saved there).
        """
        if self.input_vocabulary is not None:
            return
        with open(os.path.join(dir_path, "vocabulary.txt"), "w", encoding="utf-8") as f:
            f.write("\n".join(str(w) for w in self.get_vocabulary(include_special_tokens=True)))

    def load_assets(self, dir_path: str) -> None:
        """Read the vocabulary :meth:`save_assets` wrote (Keras 3's ``vocabulary.txt``)."""
        if self.input_vocabulary is not None:
            return
        path = os.path.join(dir_path, "vocabulary.txt")
        if not os.path.exists(path):
            raise ValueError(f"Layer '{self.name}': the saved model has no vocabulary asset (expected "
                             f"'vocabulary.txt' among the assets of this layer).")
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")  # the inverse of the "\n".join save_assets wrote
        # Trailing empty lines are dropped as Keras does, but not an empty-string token the layer's
        # recorded vocabulary size counts (Keras 3 itself fails to load that file).
        while lines and lines[-1] == "" and (self._frozen_vocab_size is None or len(lines) > self._frozen_vocab_size):
            lines.pop()
        values = lines if self._is_string() else [int(v) for v in lines]
        if self.output_mode == "tf_idf":
            self.set_vocabulary(values, idf_weights=self.idf_weights.cpu().numpy())
        else:
            self.set_vocabulary(values)


@register_layer()
class StringLookup(IndexLookup):
    """Maps strings to integer indices from a vocabulary (adapted or given).

    Args:
        max_tokens: Maximum vocabulary size, special tokens included (``None``: no cap).
        num_oov_indices: Number of out-of-vocabulary indices; OOV strings are hashed (FarmHash)
            among them. ``0``: OOV inputs raise.
        mask_token: A token mapped to index 0 in ``"int"`` mode and dropped in the other modes.
        oov_token: The string returned for OOV indices when ``invert=True``.
        vocabulary: A list/array of strings or the path of a vocabulary file.
        idf_weights: TF-IDF weights (``output_mode="tf_idf"`` with a ``vocabulary``).
        invert: Map indices back to strings (numpy ``object`` arrays of ``str``).
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        pad_to_max_tokens: Encoded outputs have ``max_tokens`` columns.
        sparse: Only ``False``.
        encoding: Encoding of ``bytes`` inputs.
        salt: SipHash key for the OOV buckets (an int or two ints).
        name: Optional name of the layer.

    Input shape:
        String data of any shape (see ``keras_torch.layers._strings``).

    Output shape:
        ``"int"``: the input shape (int64); encoded modes: see ``encode_categorical``.

    Example:

    >>> layer = keras.layers.StringLookup(vocabulary=["a", "b", "c"])
    >>> layer(np.array([["a", "c", "z"]]))  # 0 is the out-of-vocabulary index
    tensor([[1, 3, 0]])
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: str | None = None,
                 oov_token: str = "[UNK]", vocabulary: Any = None, idf_weights: Any = None, invert: bool = False,
                 output_mode: str = "int", pad_to_max_tokens: bool = False, sparse: bool = False,
                 encoding: str = "utf-8", name: str | None = None, salt: Any = None, **kwargs: Any) -> None:
        self.encoding = encoding
        kwargs.pop("vocabulary_dtype", None)
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, idf_weights=idf_weights, invert=invert,
                         output_mode=output_mode, pad_to_max_tokens=pad_to_max_tokens, sparse=sparse, name=name,
                         salt=salt, vocabulary_dtype="string", **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        del config["vocabulary_dtype"]
        return {**config, "encoding": self.encoding}


@register_layer()
class IntegerLookup(IndexLookup):
    """Maps integers to contiguous indices from a vocabulary (adapted or given).

    Args:
        max_tokens: Maximum vocabulary size, special tokens included (``None``: no cap).
        num_oov_indices: Number of OOV indices; OOV values go to ``value % num_oov_indices`` (or
            their FarmHash with ``oov_method="farmhash"``). ``0``: OOV inputs raise.
        mask_token: A value mapped to index 0 in ``"int"`` mode and dropped in the other modes.
        oov_token: The value returned for OOV indices when ``invert=True`` (default -1).
        vocabulary: A list/array of integers or the path of a vocabulary file.
        vocabulary_dtype: Only ``"int64"``.
        idf_weights: TF-IDF weights (``output_mode="tf_idf"`` with a ``vocabulary``).
        invert: Map indices back to values.
        output_mode: ``"int"``, ``"one_hot"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        sparse: Only ``False``.
        pad_to_max_tokens: Encoded outputs have ``max_tokens`` columns.
        salt: SipHash key for the OOV buckets (an int or two ints).
        oov_method: ``"floormod"`` (default) or ``"farmhash"``.
        name: Optional name of the layer.

    Input shape:
        Integers of any shape.

    Output shape:
        ``"int"``: the input shape (int64); encoded modes: see ``encode_categorical``.

    Example:

    >>> layer = keras.layers.IntegerLookup(vocabulary=[12, 36, 1138])
    >>> layer(np.array([12, 1138, 42]))  # 0 is the out-of-vocabulary index
    tensor([1, 3, 0])
    """

    def __init__(self, max_tokens: int | None = None, num_oov_indices: int = 1, mask_token: int | None = None,
                 oov_token: int = -1, vocabulary: Any = None, vocabulary_dtype: str = "int64", idf_weights: Any = None,
                 invert: bool = False, output_mode: str = "int", sparse: bool = False, pad_to_max_tokens: bool = False,
                 oov_method: str = "floormod", salt: Any = None, name: str | None = None, **kwargs: Any) -> None:
        label = name if isinstance(name, str) else "IntegerLookup"  # checked before the layer has a name
        check_int(label, "max_tokens", max_tokens, allow_none=True)
        check_int(label, "num_oov_indices", num_oov_indices)
        if max_tokens is not None and max_tokens <= 1:
            raise ValueError(f"If `max_tokens` is set for `IntegerLookup`, it must be greater than 1. Received: "
                             f"max_tokens={max_tokens}")
        if num_oov_indices < 0:
            raise ValueError(f"The value of `num_oov_indices` argument for `IntegerLookup` must >= 0. Received: "
                             f"num_oov_indices={num_oov_indices}")
        if vocabulary_dtype != "int64":
            raise ValueError(f"Only `vocabulary_dtype='int64'` is supported at this time. Received: "
                             f"vocabulary_dtype={vocabulary_dtype}")
        super().__init__(max_tokens=max_tokens, num_oov_indices=num_oov_indices, mask_token=mask_token,
                         oov_token=oov_token, vocabulary=vocabulary, vocabulary_dtype=vocabulary_dtype,
                         idf_weights=idf_weights, invert=invert, output_mode=output_mode, sparse=sparse,
                         pad_to_max_tokens=pad_to_max_tokens, oov_method=oov_method, salt=salt, name=name, **kwargs)

    def get_config(self) -> dict[str, Any]:
        config = super().get_config()
        for key in ("oov_token", "mask_token"):
            if config[key] is not None:
                config[key] = int(config[key])
        if config["vocabulary"] is not None:
            config["vocabulary"] = [int(v) for v in config["vocabulary"]]
        return config
