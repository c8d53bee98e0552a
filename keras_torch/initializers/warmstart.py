"""``keras.utils.warmstart_embedding_matrix``: reuse trained embedding rows for a new vocabulary."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from keras_torch.initializers import get as get_initializer


def _vocabulary(vocabulary: Any) -> list[Any]:
    if isinstance(vocabulary, str):  # a vocabulary file, one token per line
        with open(vocabulary, encoding="utf8") as f:
            return [line.rstrip("\n") for line in f]
    if isinstance(vocabulary, torch.Tensor):
        vocabulary = vocabulary.tolist()
    return [v.decode("utf-8") if isinstance(v, bytes) else v for v in np.asarray(vocabulary).tolist()]


def warmstart_embedding_matrix(base_vocabulary: Any, new_vocabulary: Any, base_embeddings: Any,
                               new_embeddings_initializer: Any = "uniform") -> torch.Tensor:
    """An embedding matrix for ``new_vocabulary`` keeping the rows of tokens already in ``base_vocabulary``.

    Args:
        base_vocabulary: Tokens of the trained embedding (a list/array, or a file with one per line).
        new_vocabulary: Tokens of the new embedding.
        base_embeddings: ``(len(base_vocabulary), dim)`` trained matrix.
        new_embeddings_initializer: Initializer for the rows of new tokens (default ``"uniform"``).

    Returns:
        A ``(len(new_vocabulary), dim)`` tensor.
    """
    base, new = _vocabulary(base_vocabulary), _vocabulary(new_vocabulary)
    embeddings = base_embeddings if isinstance(base_embeddings, torch.Tensor) else torch.as_tensor(
        np.asarray(base_embeddings))
    matrix = get_initializer(new_embeddings_initializer)((len(new), embeddings.shape[1]), dtype=embeddings.dtype)
    position = {token: i for i, token in enumerate(base)}
    kept = [(i, position[token]) for i, token in enumerate(new) if token in position]
    if kept:
        rows_new, rows_base = zip(*kept)
        matrix[list(rows_new)] = embeddings[list(rows_base)].to(matrix.dtype)
    return matrix
