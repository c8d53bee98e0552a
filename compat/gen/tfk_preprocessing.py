"""``tf_keras.preprocessing`` (text, sequence, image) results for the preprocessing tests.

    /opt/kref/bin/python compat/generate_fixtures.py tfk_preprocessing

Writes ``compat/fixtures/tfk_preprocessing/values.npz``; the inputs and calls are in :func:`cases` and
the tests replay them with keras_torch (random draws are seeded the same way on both sides). Ragged
lists are stored as JSON strings.
"""

from __future__ import annotations

import json
import pathlib
import random

import numpy as np

TEXTS = ["The cat sat on the mat.", "The dog ate my homework!", "A cat, a dog; the end", "dog dog cat"]


def image() -> np.ndarray:
    return np.linspace(0.0, 255.0, 7 * 9 * 3, dtype="float32").reshape(7, 9, 3)


def cases(tf_keras) -> dict[str, np.ndarray]:
    """Every recorded value (called by the generator with tf-keras, by the tests with keras_torch)."""
    text, seq, img = tf_keras.preprocessing.text, tf_keras.preprocessing.sequence, tf_keras.preprocessing.image
    out: dict[str, np.ndarray] = {}
    tok = text.Tokenizer(num_words=6, oov_token="<oov>")
    tok.fit_on_texts(TEXTS)
    out["tok_sequences"] = np.array(json.dumps(tok.texts_to_sequences(TEXTS + ["unknown cat words"])))
    for mode in ("binary", "count", "freq", "tfidf"):
        out[f"tok_matrix_{mode}"] = tok.texts_to_matrix(TEXTS, mode=mode)
    out["tok_texts"] = np.array(tok.sequences_to_texts([[1, 2, 3, 4, 5, 6, 7], [2, 2]]))
    out["tok_word_index"] = np.array(json.dumps(sorted(tok.word_index.items())))
    restored = text.tokenizer_from_json(tok.to_json())
    out["tok_restored_sequences"] = np.array(json.dumps(restored.texts_to_sequences(TEXTS)))
    chars = text.Tokenizer(char_level=True)
    chars.fit_on_texts(["abca", "bd"])
    out["tok_chars"] = np.array(chars.texts_to_sequences(["dcba"]))
    out["hashing_md5"] = np.array(text.hashing_trick("The cat sat on the mat", 20, hash_function="md5"))
    out["sampling_table"] = seq.make_sampling_table(12)
    random.seed(7)
    couples, labels = seq.skipgrams([1, 2, 0, 3, 4], vocabulary_size=6, window_size=2, seed=3)
    out["skipgram_couples"], out["skipgram_labels"] = np.array(couples), np.array(labels)
    random.seed(7)
    couples, labels = seq.skipgrams([3, 1, 2], vocabulary_size=5, window_size=1, categorical=True,
                                    negative_samples=0.5, shuffle=False)
    out["skipgram_cat_couples"], out["skipgram_cat_labels"] = np.array(couples), np.array(labels)
    series = np.arange(40).reshape(20, 2)
    gen = seq.TimeseriesGenerator(series, np.arange(20), length=5, sampling_rate=2, stride=3, start_index=1,
                                  end_index=18, batch_size=2, reverse=True)
    out["ts_len"] = np.array(len(gen))
    for i in range(len(gen)):
        out[f"ts_x_{i}"], out[f"ts_y_{i}"] = gen[i]
    x = image()
    out["affine"] = img.apply_affine_transform(x, theta=20, tx=1.5, ty=-2, shear=10, zx=0.8, zy=1.2, row_axis=0,
                                               col_axis=1, channel_axis=2, fill_mode="constant", cval=3.0)
    out["affine_cf"] = img.apply_affine_transform(np.moveaxis(x, -1, 0), theta=-35, fill_mode="reflect", order=0)
    np.random.seed(11)
    out["random_rotation"] = img.random_rotation(x, 30, row_axis=0, col_axis=1, channel_axis=2)
    out["random_shift"] = img.random_shift(x, 0.2, 0.3, row_axis=0, col_axis=1, channel_axis=2, fill_mode="wrap")
    out["random_shear"] = img.random_shear(x, 25, row_axis=0, col_axis=1, channel_axis=2)
    out["random_zoom"] = img.random_zoom(x, (0.7, 1.3), row_axis=0, col_axis=1, channel_axis=2)
    out["random_channel_shift"] = img.random_channel_shift(x, 40.0, channel_axis=2)
    out["brightness"] = img.apply_brightness_shift(x, 1.4)
    out["smart_resize"] = np.asarray(img.smart_resize(x, (4, 4)))
    out["smart_resize_batch"] = np.asarray(img.smart_resize(np.stack([x, x[::-1]]), (10, 5), interpolation="nearest"))
    return out


def generate(out_dir: pathlib.Path) -> None:
    import tf_keras

    values = cases(tf_keras)
    np.savez_compressed(out_dir / "values.npz", **values)
    print(f"  {len(values)} arrays (tf-keras {tf_keras.__version__})")
