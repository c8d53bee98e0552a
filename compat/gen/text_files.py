"""Keras 3 ``.keras`` / ``.h5`` files with text, lookup and categorical layers (vocabularies in ``assets/``).

    /opt/kref/bin/python compat/generate_fixtures.py text_files

For each builder below this writes ``k3_<name>.keras`` (and ``k3_<name>.h5`` when the model keeps
its vocabularies in the config, the only way an ``.h5`` file holds them) plus ``k3_<name>.npz``
with the inputs ``x0, x1...`` (strings as numpy ``str`` arrays) and Keras's predictions ``y0``.
The builders take the Keras module, so ``tests/saving/test_text_interop.py`` builds the same
models with keras_torch and has Keras 3 load keras_torch's files.
"""

from __future__ import annotations

import pathlib
from typing import Any

import numpy as np

CORPUS = ["The cat sat on the mat.", "the dog ate my homework", "A cat, a dog and a bird!", "birds sing; dogs bark",
          "the end of the story", "ÉCOLE élève über"]
QUERIES = np.array([["the cat and the dog"], ["unknown words only"], ["A BIRD sat"], [""]])
TOKENS = np.array([["red", "green"], ["blue", "red"], ["", "zz"], ["green", ""]])
INTS = np.array([[3, 5], [5, -2], [0, 9], [7, 7]])
FLOATS = np.array([[0.1, -1.2], [2.5, 0.0], [-0.3, 0.9], [1.1, 3.3]], dtype="float32")


def _text(K: Any) -> tuple[Any, list[np.ndarray]]:
    """Adapted TextVectorization (assets) + adapted StringLookup in TF-IDF mode (assets + idf_weights)."""
    L = K.layers
    tv = L.TextVectorization(max_tokens=30, output_sequence_length=6)
    tv.adapt(CORPUS)
    lookup = L.StringLookup(num_oov_indices=2, output_mode="tf_idf")
    lookup.adapt(TOKENS)
    text = K.Input(shape=(1,), dtype="string")
    tokens = K.Input(shape=(2,), dtype="string")
    x = L.Embedding(30, 4, embeddings_initializer=K.initializers.RandomUniform(-1, 1, seed=1))(tv(text))
    x = L.GlobalAveragePooling1D()(x)
    x = L.Concatenate()([x, lookup(tokens)])
    out = L.Dense(2, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=2))(x)
    return K.Model([text, tokens], out), [QUERIES, TOKENS]


def _text_and_images(K: Any) -> tuple[Any, list[np.ndarray]]:
    """One model with TextVectorization + StringLookup and image augmentation layers (RandomFlip, RandomRotation,
    RandomZoom: identity at predict) in front of a Conv2D, as a Keras 3 user preprocesses inside the model."""
    L = K.layers
    tv = L.TextVectorization(max_tokens=30, output_sequence_length=6)
    tv.adapt(CORPUS)
    lookup = L.StringLookup(num_oov_indices=1, output_mode="multi_hot")
    lookup.adapt(TOKENS)
    text = K.Input(shape=(1,), dtype="string")
    tokens = K.Input(shape=(2,), dtype="string")
    image = K.Input(shape=(8, 8, 3))
    x = L.GlobalAveragePooling1D()(L.Embedding(30, 4, embeddings_initializer=K.initializers.RandomUniform(
        -1, 1, seed=6))(tv(text)))
    y = L.RandomZoom(0.2, seed=3)(L.RandomRotation(0.1, seed=2)(L.RandomFlip("horizontal", seed=1)(image)))
    y = L.GlobalAveragePooling2D()(L.Conv2D(3, 3, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=7))(y))
    out = L.Dense(2, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=8))(
        L.Concatenate()([x, lookup(tokens), y]))
    images = np.random.default_rng(0).uniform(0, 1, (4, 8, 8, 3)).astype("float32")
    return K.Model([text, tokens, image], out), [QUERIES, TOKENS, images]


def _bag_of_words(K: Any) -> tuple[Any, list[np.ndarray]]:
    """TextVectorization with bigrams in count mode, standardize="lower", in a Sequential model."""
    tv = K.layers.TextVectorization(max_tokens=40, ngrams=2, output_mode="count", standardize="lower")
    tv.adapt(CORPUS)
    model = K.Sequential([K.Input(shape=(), dtype="string"), tv,
                          K.layers.Dense(3, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=3))])
    return model, [QUERIES[:, 0]]


def _categorical(K: Any) -> tuple[Any, list[np.ndarray]]:
    """IntegerLookup (adapted), Hashing, HashedCrossing, Discretization (adapted), CategoryEncoding."""
    L = K.layers
    ints = K.Input(shape=(2,), dtype="int64")
    tokens = K.Input(shape=(2,), dtype="string")
    floats = K.Input(shape=(2,))
    ids = K.Input(shape=(3,), dtype="int64")
    cross_int = K.Input(shape=(1,), dtype="int64")
    cross_str = K.Input(shape=(1,), dtype="string")
    lookup = L.IntegerLookup(output_mode="tf_idf", num_oov_indices=2)
    lookup.adapt(INTS)
    disc = L.Discretization(num_bins=3, output_mode="one_hot")
    disc.adapt(np.random.default_rng(0).normal(size=(50, 2)).astype("float32"))
    parts = [lookup(ints), L.Hashing(num_bins=6, output_mode="count")(tokens), L.Flatten()(disc(floats)),
             L.CategoryEncoding(num_tokens=5, output_mode="count")(ids),
             L.HashedCrossing(num_bins=5, output_mode="one_hot")([cross_int, cross_str])]
    out = L.Dense(2, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=4))(L.Concatenate()(parts))
    xs = [INTS, TOKENS, FLOATS, np.array([[0, 1, 1], [4, 4, 4], [2, 0, 3], [1, 1, 1]]), INTS[:, :1], TOKENS[:, 1:]]
    return K.Model([ints, tokens, floats, ids, cross_int, cross_str], out), xs


def _given_vocabulary(K: Any) -> tuple[Any, list[np.ndarray]]:
    """Vocabularies passed to the constructors (saved in the config: also loadable from .h5)."""
    L = K.layers
    text = K.Input(shape=(), dtype="string")
    tokens = K.Input(shape=(2,), dtype="string")
    tv = L.TextVectorization(vocabulary=["cat", "dog", "the", "bird"], output_mode="tf_idf",
                             idf_weights=[0.5, 0.25, 0.125, 1.0])
    lookup = L.StringLookup(vocabulary=["red", "green", "blue"], output_mode="multi_hot", mask_token="")
    x = L.Concatenate()([tv(text), lookup(tokens)])
    out = L.Dense(2, kernel_initializer=K.initializers.RandomUniform(-1, 1, seed=5))(x)
    return K.Model([text, tokens], out), [QUERIES[:, 0], TOKENS]


BUILDERS = {"text": _text, "bag_of_words": _bag_of_words, "categorical": _categorical,
            "given_vocabulary": _given_vocabulary, "text_and_images": _text_and_images}
H5_MODELS = ("given_vocabulary",)


def predict(model: Any, xs: list[np.ndarray]) -> np.ndarray:
    """``model.predict`` (Keras 3's predict takes strings as ``tf.string`` tensors, not numpy arrays)."""
    import tensorflow as tf

    xs = [tf.constant(x) if x.dtype.kind == "U" else x for x in xs]
    return np.asarray(model.predict(xs if len(xs) > 1 else xs[0], verbose=0))


def generate(out_dir: pathlib.Path) -> None:
    import keras

    for name, build in BUILDERS.items():
        model, xs = build(keras)
        model.save(out_dir / f"k3_{name}.keras")
        if name in H5_MODELS:
            model.save(out_dir / f"k3_{name}.h5")
        arrays = {f"x{i}": x for i, x in enumerate(xs)}
        np.savez(out_dir / f"k3_{name}.npz", y0=predict(model, xs), **arrays)
        print(f"  k3_{name}")
