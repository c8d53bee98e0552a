"""TextVectorization: strings -> token indices (or multi-hot / count / TF-IDF vectors), as Keras 3 does.

Each example goes through the same steps as in Keras (with TensorFlow's string ops reproduced):
standardize (ASCII lowercasing like ``tf.strings.lower``, punctuation stripped with Keras's
regex, or a callable), split (ASCII whitespace like ``tf.strings.split``, unicode characters, or
a callable), n-grams (``tf.strings.ngrams`` order: all 1-grams, then all 2-grams...), then a
:class:`~keras_torch.layers.index_lookup.StringLookup` with mask token ``""``. Inputs and
callables follow ``keras_torch.layers._strings``; ``ragged=True`` returns a
jagged ``torch.nested`` tensor (torch's ragged tensor) of int64 rows.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import torch

from keras_torch.core import registry
from keras_torch.core.dtypes import is_string_dtype
from keras_torch.core.symbolic import KerasTensor
from keras_torch.layers._args import check_int, register_layer
from keras_torch.layers._strings import ragged_rows, refuse_export, to_model_device, to_string_array, to_unicode_array
from keras_torch.layers.base import Layer
from keras_torch.layers.categorical import check_mode, refuse_sparse
from keras_torch.layers.index_lookup import MASK_SENTINEL, StringLookup, _listify
from keras_torch.layers.preprocessing_layer import adapt_batches

__all__ = ["TextVectorization"]

_STANDARDIZE = ("lower_and_strip_punctuation", "lower", "strip_punctuation")
_SPLIT = ("whitespace", "character")
_PUNCTUATION = re.compile(r'[!"#$%&()\*\+,-\./:;<=>?@\[\\\]^_`{|}~\']')  # Keras's DEFAULT_STRIP_REGEX
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_ASCII_SPACE = re.compile(r"[ \t\n\v\f\r]+")  # tf.strings.split splits on ASCII whitespace only


def _callable_or_name(value: Any, allowed: tuple[str, ...], arg: str) -> Any:
    """``value`` as Keras accepts it: ``None``, one of ``allowed``, a callable, or a serialized/registered function."""
    if value is None or callable(value) or value in allowed:
        return value
    name = None
    if isinstance(value, dict) and value.get("class_name") == "function":
        registered = value.get("registered_name")
        name = value.get("config") if registered in (None, "function") else registered
    elif isinstance(value, str):
        name = value
    found = registry.custom_object(name) if isinstance(name, str) else None
    if callable(found):
        return found
    if isinstance(value, dict):
        raise ValueError(f"Could not locate the `{arg}` function '{name}'. Register it with "
                         "`@keras.saving.register_keras_serializable()` or pass it in `custom_objects`.")
    raise ValueError(f"Invalid value for argument `{arg}`. Expected one of {list(allowed)}, None or a callable. "
                     f"Received: {arg}={value!r}{registry.did_you_mean(str(value), allowed)}")


def _serialize_callable(fn: Any) -> Any:
    """Keras 3's config entry for a function argument (its registered name under ``"function"``)."""
    if not callable(fn):
        return fn
    return {"module": "builtins", "class_name": "function", "config": registry.get_registered_name(fn),
            "registered_name": "function"}


# Widest n-gram accepted (Keras has no bound; real configs use 1..5).
MAX_NGRAM = 1024


def _ngrams(tokens: list[str], widths: tuple[int, ...]) -> list[str]:
    out: list[str] = []
    for w in widths:
        out.extend(" ".join(tokens[i:i + w]) for i in range(len(tokens) - w + 1))
    return out


@register_layer()
class TextVectorization(Layer):
    """Maps text to sequences of token indices or to multi-hot / count / TF-IDF vectors.

    Args:
        max_tokens: Maximum vocabulary size (including the mask ``""`` and OOV ``"[UNK]"`` tokens).
        standardize: ``"lower_and_strip_punctuation"`` (default), ``"lower"``,
            ``"strip_punctuation"``, ``None`` or a callable on a numpy ``str`` array.
        split: ``"whitespace"`` (default), ``"character"``, ``None`` or a callable (one list of
            tokens per string).
        ngrams: ``None``, an int ``n`` (1- to n-grams) or a tuple of widths.
        output_mode: ``"int"``, ``"multi_hot"``, ``"count"`` or ``"tf_idf"``.
        output_sequence_length: ``"int"`` mode: pad/truncate each sequence to this length.
        pad_to_max_tokens: Encoded outputs have ``max_tokens`` columns.
        vocabulary: A list of strings or the path of a vocabulary file (instead of ``adapt``).
        idf_weights: TF-IDF weights for a given ``vocabulary``.
        sparse: Only ``False``.
        ragged: ``"int"`` mode: return a ``torch.nested`` tensor of unpadded rows.
        encoding: Encoding of ``bytes`` inputs.
        name: Optional name of the layer.

    Input shape:
        ``(batch,)`` or ``(batch, 1)`` strings.

    Output shape:
        ``"int"``: ``(batch, output_sequence_length)`` (or the longest sequence); others:
        ``(batch, vocabulary_size)``.

    Example:

    >>> layer = keras.layers.TextVectorization(max_tokens=10, output_sequence_length=4)
    >>> layer.adapt(["the cat sat", "the dog ran"])
    >>> layer(["the cat ran"]).shape
    torch.Size([1, 4])
    """

    _takes_strings = True

    def __init__(self, max_tokens: int | None = None, standardize: Any = "lower_and_strip_punctuation",
                 split: Any = "whitespace", ngrams: Any = None, output_mode: str = "int",
                 output_sequence_length: int | None = None, pad_to_max_tokens: bool = False, vocabulary: Any = None,
                 idf_weights: Any = None, sparse: bool = False, ragged: bool = False, encoding: str = "utf-8",
                 name: str | None = None, **kwargs: Any) -> None:
        standardize = _callable_or_name(standardize, _STANDARDIZE, "standardize")
        split = _callable_or_name(split, _SPLIT, "split")
        if isinstance(output_mode, str):
            output_mode = {"binary": "multi_hot", "tf-idf": "tf_idf"}.get(output_mode, output_mode)
        check_mode("TextVectorization", output_mode, ("int", "one_hot", "multi_hot", "count", "tf_idf"))
        if isinstance(ngrams, list):
            ngrams = tuple(ngrams)
        if not (ngrams is None or isinstance(ngrams, int)
                or (isinstance(ngrams, tuple) and all(isinstance(i, int) for i in ngrams))):
            raise ValueError(f"`ngrams` must be None, an integer, or a tuple of integers. Received: ngrams={ngrams}")
        for width in (ngrams,) if isinstance(ngrams, int) else ngrams or ():
            # n-grams wider than any text are empty; a bound keeps a hostile config from allocating 1..n
            check_int(name if isinstance(name, str) else "TextVectorization", "ngrams", width, min_value=1,
                      max_value=MAX_NGRAM)
        if output_mode == "int" and not (isinstance(output_sequence_length, int) or output_sequence_length is None):
            raise ValueError("`output_sequence_length` must be either None or an integer when `output_mode` is 'int'. "
                             f"Received: output_sequence_length={output_sequence_length}")
        if output_mode == "int" and output_sequence_length is not None:
            check_int(name if isinstance(name, str) else "TextVectorization", "output_sequence_length",
                      output_sequence_length, min_value=0)
        if output_mode != "int" and output_sequence_length is not None:
            raise ValueError("`output_sequence_length` must not be set if `output_mode` is not 'int'. Received "
                             f"output_sequence_length={output_sequence_length}.")
        if not isinstance(ragged, bool):
            raise ValueError(f"`ragged` must be a bool. Received: ragged={ragged!r}")
        if ragged and output_mode != "int":
            raise ValueError(f"`ragged` must not be true if `output_mode` is `'int'`. Received: ragged={ragged} and "
                             f"output_mode={output_mode}")
        self._max_tokens = max_tokens
        self._standardize = standardize
        self._split = split
        self._ngrams_arg = ngrams
        self._ngrams = tuple(range(1, ngrams + 1)) if isinstance(ngrams, int) else ngrams
        self._output_mode = output_mode
        self._output_sequence_length = output_sequence_length
        self._ragged = ragged
        self._encoding = encoding
        self._has_input_vocabulary = kwargs.pop("has_input_vocabulary", vocabulary is not None)
        vocabulary_size = kwargs.pop("vocabulary_size", None)
        if is_string_dtype(kwargs.get("dtype")):
            kwargs.pop("dtype")  # tf-keras configs say "string"; the outputs are int64/float32 here
        super().__init__(name=name, **kwargs)
        refuse_sparse(f"Layer '{self.name}'", sparse)
        self._lookup_layer = StringLookup(max_tokens=max_tokens, vocabulary=vocabulary, idf_weights=idf_weights,
                                          pad_to_max_tokens=pad_to_max_tokens, mask_token="", output_mode=output_mode,
                                          sparse=sparse, has_input_vocabulary=self._has_input_vocabulary,
                                          encoding=encoding, vocabulary_size=vocabulary_size)
        self.built = True

    # ------------------------------------------------------------------ text processing
    def _standardized(self, strings: np.ndarray) -> np.ndarray:
        std = self._standardize
        if std is None:
            return strings
        if callable(std):
            out = to_string_array(std(to_unicode_array(strings)), self._encoding, "The `standardize` callable")
            if out.shape != strings.shape:
                raise ValueError(f"Layer '{self.name}': the `standardize` callable changed the shape of its input "
                                 f"from {strings.shape} to {out.shape}.")
            return out
        lower = std in ("lower", "lower_and_strip_punctuation")
        strip = std in ("strip_punctuation", "lower_and_strip_punctuation")

        def one(s: str) -> str:
            if lower:
                s = s.translate(_ASCII_LOWER)
            return _PUNCTUATION.sub("", s) if strip else s

        out = np.empty(strings.size, dtype=object)
        out[:] = [one(s) for s in strings.ravel().tolist()]
        return out.reshape(strings.shape)

    def _split_rows(self, strings: np.ndarray) -> list[list[str]]:
        texts = strings.ravel().tolist()
        if self._split == "whitespace":
            return [[t for t in _ASCII_SPACE.split(s) if t] for s in texts]
        if self._split == "character":
            return [list(s) for s in texts]
        rows = ragged_rows(self._split(to_unicode_array(strings)), self._encoding)
        if len(rows) != len(texts):
            raise ValueError(f"Layer '{self.name}': the `split` callable returned {len(rows)} rows for "
                             f"{len(texts)} strings.")
        return rows

    def _preprocess(self, inputs: Any) -> tuple[Any, bool]:
        """Standardized, split and n-grammed inputs: ``(rows, True)`` (ragged lists of tokens) or
        ``(array, False)`` (a dense ``object`` array when there is no split and no n-grams)."""
        strings = self._standardized(to_string_array(inputs, self._encoding, f"Layer '{self.name}'"))
        if self._split is None and self._ngrams is None:
            return strings, False
        if self._split is not None:
            if strings.ndim > 1:
                if strings.shape[-1] != 1 or strings.ndim > 2:
                    raise ValueError("When using `TextVectorization` to tokenize strings, the input rank must be 1 or "
                                     f"the last shape dimension must be 1. Received: inputs.shape={strings.shape} "
                                     f"with rank={strings.ndim}")
                strings = strings[:, 0]
            rows = self._split_rows(strings.reshape(-1))
        else:
            rows = [list(r) for r in (strings.reshape(1, -1) if strings.ndim < 2 else strings).tolist()]
        if self._ngrams is not None:
            rows = [_ngrams(r, self._ngrams) for r in rows]
        return rows, True

    # ------------------------------------------------------------------ adapt
    def adapt(self, data: Any, batch_size: int | None = None, steps: int | None = None) -> None:
        """Build the vocabulary from texts: a list/array of strings or an iterable of batches.

        Args:
            data: Strings (list, numpy array, tf stand-in constant) or an iterable of batches of them
                (a generator, a tf stand-in dataset); each string is one document.
            batch_size: Accepted for Keras compatibility.
            steps: Batches to read from an iterable (all by default).
        """
        self.reset_state()
        if isinstance(data, (list, tuple, np.ndarray, str)) or hasattr(data, "numpy"):
            strings = to_string_array(data, self._encoding, f"Layer '{self.name}'")
            self.update_state(strings[..., None] if strings.ndim == 1 else strings)
        else:
            for batch in adapt_batches(data, steps):
                self.update_state(batch)
        self.finalize_state()

    def update_state(self, data: Any) -> None:
        processed, ragged = self._preprocess(data)
        if ragged:
            self._lookup_layer.update_rows(processed)
        else:
            self._lookup_layer.update_state(processed)

    def finalize_state(self) -> None:
        self._lookup_layer.finalize_state()

    def reset_state(self) -> None:
        self._lookup_layer.reset_state()

    # ------------------------------------------------------------------ vocabulary
    def get_vocabulary(self, include_special_tokens: bool = True) -> list[str]:
        """The vocabulary (``""`` and ``"[UNK]"`` first unless ``include_special_tokens=False``)."""
        return self._lookup_layer.get_vocabulary(include_special_tokens)

    def vocabulary_size(self) -> int:
        """The vocabulary size, mask and OOV tokens included."""
        return self._lookup_layer.vocabulary_size()

    def set_vocabulary(self, vocabulary: Any, idf_weights: Any = None) -> None:
        """Set the vocabulary (and TF-IDF weights) directly; see ``StringLookup.set_vocabulary``."""
        self._lookup_layer.set_vocabulary(vocabulary, idf_weights=idf_weights)

    # ------------------------------------------------------------------ call
    def call(self, inputs: Any) -> Any:
        refuse_export(self)
        return to_model_device(self._vectorize(inputs))

    def _vectorize(self, inputs: Any) -> torch.Tensor:
        lookup = self._lookup_layer
        lookup._ensure_known_vocab_size()
        processed, ragged = self._preprocess(inputs)
        osl = self._output_sequence_length
        if not ragged:
            indices = torch.from_numpy(lookup.lookup(processed))
            if self._output_mode != "int":
                return lookup.encode(indices if indices.ndim else indices.reshape(1))
            if osl is not None and indices.ndim:
                indices = indices[..., :osl]
                pad = osl - indices.shape[-1]
                if pad > 0:
                    indices = torch.nn.functional.pad(indices, (0, pad))
            return indices
        flat = np.empty(sum(len(r) for r in processed), dtype=object)
        flat[:] = [t for r in processed for t in r]
        ids = lookup.lookup(flat).tolist()
        rows, start = [], 0
        for r in processed:
            rows.append(ids[start:start + len(r)])
            start += len(r)
        if self._output_mode == "int":
            if osl is not None:
                rows = [r[:osl] for r in rows]
            if self._ragged:
                return torch.nested.nested_tensor([torch.tensor(r, dtype=torch.int64) for r in rows],
                                                  layout=torch.jagged)
            width = osl if osl is not None else max((len(r) for r in rows), default=0)
            return torch.tensor([r + [0] * (width - len(r)) for r in rows], dtype=torch.int64).reshape(
                len(rows), width)
        width = max((len(r) for r in rows), default=0)
        padded = torch.tensor([r + [MASK_SENTINEL] * (width - len(r)) for r in rows], dtype=torch.int64)
        if self._output_mode == "one_hot":
            raise ValueError(f"Layer '{self.name}': output_mode='one_hot' encodes each token of a split text, "
                             "which gives ragged outputs; use 'multi_hot', 'count' or 'tf_idf', or split=None.")
        return lookup.encode(padded.reshape(len(rows), width))

    def compute_output_shape(self, input_shape: Any) -> tuple:
        input_shape = tuple(input_shape)
        if self._output_mode == "int":
            return (input_shape[0] if input_shape else None, self._output_sequence_length)
        if self._split is None:
            if len(input_shape) <= 1:
                input_shape = input_shape + (1,)
        else:
            input_shape = input_shape + (None,)
        return self._lookup_layer.compute_output_shape(input_shape)

    def compute_output_spec(self, inputs: Any) -> KerasTensor:
        dtype = "int64" if self._output_mode == "int" else ("float32" if self._output_mode == "tf_idf" else "int64")
        return KerasTensor(self.compute_output_shape(inputs.shape), dtype)

    # ------------------------------------------------------------------ config and saved state
    def get_config(self) -> dict[str, Any]:
        lookup = self._lookup_layer
        return {
            **super().get_config(),
            "max_tokens": lookup.max_tokens,
            "standardize": _serialize_callable(self._standardize),
            "split": _serialize_callable(self._split),
            "ngrams": self._ngrams_arg,
            "output_mode": self._output_mode,
            "output_sequence_length": self._output_sequence_length,
            "pad_to_max_tokens": lookup.pad_to_max_tokens,
            "sparse": lookup.sparse,
            "ragged": self._ragged,
            "vocabulary": _listify(lookup.input_vocabulary),
            "idf_weights": _listify(lookup.input_idf_weights),
            "encoding": self._encoding,
            "vocabulary_size": self.vocabulary_size(),
        }

    def get_build_config(self) -> dict[str, Any] | None:
        return None if self._build_shapes is None else super().get_build_config()

    def save_own_variables(self, store: dict[str, Any]) -> None:
        """The lookup's saved variables (``idf_weights`` in TF-IDF mode), as Keras 3."""
        self._lookup_layer.save_own_variables(store)

    def load_own_variables(self, store: Any) -> None:
        self._lookup_layer.load_own_variables(store)

    def save_assets(self, dir_path: str) -> None:
        """The vocabulary as ``vocabulary.txt`` (see ``IndexLookup.save_assets``)."""
        self._lookup_layer.save_assets(dir_path)

    def load_assets(self, dir_path: str) -> None:
        self._lookup_layer.load_assets(dir_path)

