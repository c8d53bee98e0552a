"""tf-keras 2.21's ``layers.experimental.DynamicLookup`` / ``DynamicEmbedding`` (LFU vocabulary tables).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py dynamic_embedding`` (writes
``compat/fixtures/dynamic_embedding/dynamic_embedding.npz``): for an integer and a string initial
vocabulary, the lookup output and the internal table (keys, counts) after each of a sequence of
``learn_vocab`` calls, the top vocabulary, and ``DynamicEmbedding.update_embeddings``'s new vocabulary
and the embedding rows of the tokens kept from the old vocabulary.
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

os.environ["TF_USE_LEGACY_KERAS"] = "1"

INT_BATCHES = [[[1, 2, 9], [9, 9, 3]], [[7, 8, 9], [10, 11, 1]], [[12, 1, 13], [2, 2, 2]], [[5, 6, 14], [15, 1, 9]]]
STR_BATCHES = [[["a", "x", "x"], ["y", "b", "a"]], [["z", "z", "q"], ["a", "c", "w"]], [["x", "y", "z"], ["v", "u", "a"]]]


def _np(t) -> np.ndarray:
    """A numpy array without Python objects (TensorFlow strings come back as ``bytes`` objects)."""
    values = t.numpy()
    return values.astype(str) if values.dtype == object else values


def generate(out: pathlib.Path) -> None:
    import tensorflow as tf
    import tf_keras as tfk

    a = {}
    for kind, initial, batches in (("int", tf.constant([1, 2, 3, 4, 5], tf.int64), INT_BATCHES),
                                   ("str", tf.constant(["a", "b", "c", "d"]), STR_BATCHES)):
        layer = tfk.layers.experimental.DynamicLookup(len(initial), initial_vocabulary=initial)
        for i, batch in enumerate(batches):
            x = tf.constant(batch, dtype=initial.dtype)
            a[f"{kind}_out{i}"] = layer(x).numpy()
            a[f"{kind}_keys{i}"] = _np(layer.vocabulary_table_keys)
            a[f"{kind}_values{i}"] = layer.vocabulary_table_values.numpy()
        a[f"{kind}_nolearn"] = layer(tf.constant(batches[0], dtype=initial.dtype), learn_vocab=False).numpy()
        a[f"{kind}_nolearn_values"] = layer.vocabulary_table_values.numpy()
        a[f"{kind}_top3"] = _np(layer.get_top_vocabulary(3))
    embedding = tfk.layers.experimental.DynamicEmbedding(4, 3, initial_vocabulary=tf.constant(["a", "b", "c", "d"]))
    embedding.build((None, 3))
    old = embedding.embedding_layer.embeddings.numpy()
    a["emb_old"] = old
    for batch in STR_BATCHES:
        a.setdefault("emb_first_out", embedding(tf.constant(batch)).numpy())
    embedding.update_embeddings(tf.distribute.get_strategy())
    a["emb_new_vocab"] = _np(embedding.get_vocabulary())
    a["emb_new"] = embedding.embedding_layer.embeddings.numpy()
    a["emb_config"] = np.array(str(sorted(embedding.get_config().items())))
    np.savez(out / "dynamic_embedding.npz", **a)
