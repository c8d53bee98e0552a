"""Text, lookup, categorical and Normalization layer cases shared by the Keras 3 fixture generator and the tests.

``cases(keras, fns)`` builds every layer with the given library (real Keras 3 on its TensorFlow
backend in ``compat/gen/text_layers.py``; keras_torch in ``tests/layers/test_text_layers.py``),
adapts it on the fixed corpus below, calls it, and returns ``{key: value}``: integer / float
outputs as arrays, string outputs and vocabularies as JSON strings. ``fns`` holds the few
library-specific pieces: the ``standardize``/``split`` callables (TensorFlow string ops for
Keras, numpy for keras_torch, same results) and how to list a ragged output.
"""

from __future__ import annotations

import json
import os
import tempfile
from typing import Any

import numpy as np

CORPUS = [
    "The quick brown fox jumps over the lazy dog.",
    "A QUICK brown DOG!! naïve café",
    "the fox, the dog, and the cat",
    "  spaces\tand\nnewlines  here ",
    "ÉCOLE élève Über über",
    "repeat repeat repeat fox",
    "emoji 🙂 and ünïcödé, fox",
    "non\u00a0breaking space here-and-there",
    "it's 'quoted' (parens) [brackets] {braces} a+b=c 50% #tag @user ~tilde",
]
QUERIES = CORPUS[:4] + ["an unseen sentence about the fox", "", "dog dog dog dog dog dog dog dog"]
TOKENS = np.array([["red", "green", "blue"], ["green", "green", "red"], ["", "yellow", "green"],
                   ["blue", "blue", "zz"]])
TOKEN_QUERIES = np.array([["red", "purple", ""], ["blue", "green", "orange"], ["zz", "z", "yellow"]])
INTS = np.array([[3, 5, 7], [5, 5, -2], [0, 9, 5], [7, 7, 12]])
INT_QUERIES = np.array([[3, 4, 0], [-7, 5, 100], [12, 13, -2]])
LONG = ["x" * n for n in (0, 1, 3, 4, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 200)]


def _vocab(layer: Any) -> str:
    return json.dumps(layer.get_vocabulary(), default=lambda v: v.item())


def cases(keras: Any, fns: Any) -> dict[str, Any]:
    """Every recorded value (see the module docstring)."""
    L = keras.layers
    out: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        if isinstance(value, str):
            out[key] = value
            return
        arr = np.asarray(value)
        if arr.dtype.kind in "OSU":
            out[key] = json.dumps([v.decode() if isinstance(v, bytes) else v for v in arr.ravel().tolist()]
                                  + [list(arr.shape)])
        else:
            out[key] = arr
            out[f"dtype_{key}"] = str(arr.dtype)

    # ------------------------------------------------------------------ TextVectorization
    tv_configs = {
        "tv_default": {},
        "tv_osl5": {"output_sequence_length": 5},
        "tv_osl12": {"output_sequence_length": 12},
        "tv_max10": {"max_tokens": 10, "output_sequence_length": 6},
        "tv_bigrams": {"ngrams": 2},
        "tv_ngrams13": {"ngrams": (1, 3), "max_tokens": 40},
        "tv_lower": {"standardize": "lower"},
        "tv_strip": {"standardize": "strip_punctuation"},
        "tv_nostd": {"standardize": None},
        "tv_chars": {"split": "character", "output_sequence_length": 20},
        "tv_nosplit": {"split": None, "max_tokens": 6},
        "tv_multi_hot": {"output_mode": "multi_hot"},
        "tv_count": {"output_mode": "count", "ngrams": 2},
        "tv_tf_idf": {"output_mode": "tf_idf"},
        "tv_tf_idf_padded": {"output_mode": "tf_idf", "max_tokens": 30, "pad_to_max_tokens": True},
        "tv_multi_hot_padded": {"output_mode": "multi_hot", "max_tokens": 8, "pad_to_max_tokens": True},
        "tv_std_callable": {"standardize": fns.replace_fox},
        "tv_split_callable": {"split": fns.split_commas, "standardize": None},
    }
    for key, cfg in tv_configs.items():
        layer = L.TextVectorization(**cfg)
        layer.adapt(CORPUS)
        put(f"{key}_vocab", _vocab(layer))
        put(key, layer(QUERIES))
    ragged = L.TextVectorization(ragged=True, output_sequence_length=4) if fns.ragged_supported else None
    if ragged is not None:
        ragged.adapt(CORPUS)
        put("tv_ragged", json.dumps(fns.ragged_to_list(ragged(QUERIES))))
    given = L.TextVectorization(vocabulary=["fox", "dog", "the", "cat"], output_sequence_length=6)
    put("tv_given_vocab", _vocab(given))
    put("tv_given", given(np.array(QUERIES)[:, None]))
    idf = L.TextVectorization(vocabulary=["fox", "dog", "the"], idf_weights=[0.5, 1.5, 0.25], output_mode="tf_idf")
    put("tv_given_tf_idf", idf(QUERIES))
    batched = L.TextVectorization(max_tokens=12)
    batched.adapt(iter([CORPUS[:3], CORPUS[3:6], CORPUS[6:]]))
    put("tv_batched_vocab", _vocab(batched))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "vocab.txt")
        with open(path, "w", encoding="utf-8") as f:
            f.write("fox\ndog\nthe\nbrown\n")
        from_file = L.TextVectorization(vocabulary=path)
        put("tv_file_vocab", _vocab(from_file))
        put("tv_file", from_file(QUERIES))
    put("tv_scalar", L.TextVectorization(vocabulary=["a", "b"])(np.array(["a b c"])))

    # ------------------------------------------------------------------ StringLookup
    sl_configs = {
        "sl_default": {},
        "sl_mask": {"mask_token": ""},
        "sl_oov0_known": {"num_oov_indices": 0, "max_tokens": None},
        "sl_oov3": {"num_oov_indices": 3},
        "sl_oov3_salt": {"num_oov_indices": 3, "salt": 1234},
        "sl_max4": {"max_tokens": 4, "mask_token": "", "oov_token": "?"},
        "sl_one_hot": {"output_mode": "one_hot"},
        "sl_multi_hot": {"output_mode": "multi_hot", "mask_token": ""},
        "sl_count": {"output_mode": "count", "num_oov_indices": 2},
        "sl_tf_idf": {"output_mode": "tf_idf"},
        "sl_tf_idf_padded": {"output_mode": "tf_idf", "max_tokens": 10, "pad_to_max_tokens": True},
        "sl_multi_hot_padded": {"output_mode": "multi_hot", "max_tokens": 9, "pad_to_max_tokens": True},
    }
    for key, cfg in sl_configs.items():
        layer = L.StringLookup(**cfg)
        layer.adapt(TOKENS)
        put(f"{key}_vocab", _vocab(layer))
        queries = TOKENS if key == "sl_oov0_known" else TOKEN_QUERIES
        put(key, layer(queries[:, :1] if cfg.get("output_mode") == "one_hot" else queries))
    rank1 = L.StringLookup(output_mode="tf_idf")
    rank1.adapt(TOKENS.ravel())  # a rank-1 array: every element its own document
    put("sl_rank1_tf_idf", rank1(TOKEN_QUERIES))
    inverse = L.StringLookup(vocabulary=["red", "green", "blue"], invert=True, mask_token="<m>")
    put("sl_invert", inverse(np.array([[0, 1, 2, 3], [4, 5, 1, 0]])))
    special = L.StringLookup(vocabulary=["", "[UNK]", "a", "b"], mask_token="")
    put("sl_special_vocab", _vocab(special))
    put("sl_special", special(np.array(["b", "", "c", "a"])))
    idf_given = L.StringLookup(vocabulary=["red", "blue"], idf_weights=[0.3, 0.7], output_mode="tf_idf")
    put("sl_given_tf_idf", idf_given(TOKEN_QUERIES))
    put("sl_tokens_only", json.dumps(special.get_vocabulary(include_special_tokens=False)))
    put("sl_scalar", L.StringLookup(vocabulary=["a", "b"])("b"))

    # ------------------------------------------------------------------ IntegerLookup
    il_configs = {
        "il_default": {},
        "il_mask0": {"mask_token": 0},
        "il_oov3": {"num_oov_indices": 3},
        "il_oov3_farmhash": {"num_oov_indices": 3, "oov_method": "farmhash"},
        "il_oov3_salt": {"num_oov_indices": 3, "oov_method": "farmhash", "salt": [7, 11]},
        "il_max4": {"max_tokens": 4},
        "il_multi_hot": {"output_mode": "multi_hot"},
        "il_count": {"output_mode": "count", "mask_token": 0},
        "il_tf_idf": {"output_mode": "tf_idf"},
    }
    for key, cfg in il_configs.items():
        layer = L.IntegerLookup(**cfg)
        layer.adapt(INTS)
        put(f"{key}_vocab", _vocab(layer))
        put(key, layer(INT_QUERIES))
    put("il_invert", L.IntegerLookup(vocabulary=[10, 20, 30], invert=True)(np.array([[0, 1, 2, 3, 4]])))
    put("il_invert_mask", L.IntegerLookup(vocabulary=[10, 20], invert=True, mask_token=0, oov_token=-5)(
        np.array([[0, 1, 2, 3, 9]])))

    # ------------------------------------------------------------------ Hashing / HashedCrossing
    for bins in (3, 1000, 2**31 - 1):
        put(f"hash_long_{bins}", L.Hashing(num_bins=bins)(np.array(LONG)))
        put(f"hash_corpus_{bins}", L.Hashing(num_bins=bins)(np.array(CORPUS)))
    put("hash_ints", L.Hashing(num_bins=17)(INTS))
    put("hash_floats", L.Hashing(num_bins=17)(np.array([[1.7, -2.5, 3.0]], dtype="float32")))
    put("hash_mask", L.Hashing(num_bins=5, mask_value="")(TOKENS))
    put("hash_mask_int", L.Hashing(num_bins=5, mask_value=5)(INTS))
    put("hash_salt", L.Hashing(num_bins=11, salt=133)(TOKENS))
    put("hash_salt_pair", L.Hashing(num_bins=11, salt=(2, 2**40 + 3))(np.array(LONG)))
    put("hash_one_hot", L.Hashing(num_bins=4, output_mode="one_hot")(TOKENS[:, :1]))
    put("hash_multi_hot", L.Hashing(num_bins=4, output_mode="multi_hot")(TOKENS))
    put("hash_count", L.Hashing(num_bins=4, output_mode="count")(TOKENS))
    put("hash_int32_out", L.Hashing(num_bins=9, dtype="int32")(TOKENS))
    cross_a, cross_b = np.array([1, 2, -5, 0, 2**40]), np.array(["a", "bc", "x" * 70, "", "a"])
    put("cross_int_str", L.HashedCrossing(num_bins=1000)((cross_a, cross_b)))
    put("cross_str_int", L.HashedCrossing(num_bins=1000)((cross_b, cross_a)))
    put("cross_int32", L.HashedCrossing(num_bins=97)((cross_a[:4].astype("int32"), np.array([3, 1, 4, 1]))))
    put("cross_three", L.HashedCrossing(num_bins=50)((cross_a[:, None], cross_b[:, None], cross_a[:, None] * 3)))
    put("cross_one_hot", L.HashedCrossing(num_bins=6, output_mode="one_hot")((cross_a, cross_b)))

    # ------------------------------------------------------------------ CategoryEncoding / Discretization
    ids = np.array([[0, 1, 1, 3], [2, 2, 2, 0]])
    put("ce_one_hot", L.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([3, 0, 2])))
    put("ce_one_hot_col", L.CategoryEncoding(num_tokens=4, output_mode="one_hot")(np.array([[3], [1]])))
    put("ce_multi_hot", L.CategoryEncoding(num_tokens=5)(ids))
    put("ce_multi_hot_rank1", L.CategoryEncoding(num_tokens=5)(np.array([3, 2, 0, 1])))
    put("ce_count", L.CategoryEncoding(num_tokens=5, output_mode="count")(ids))
    put("ce_count_weights", L.CategoryEncoding(num_tokens=5, output_mode="count")(
        ids, count_weights=np.array([[0.5, 1.0, 2.0, 0.25], [1.0, 1.0, 3.0, 4.0]])))
    put("ce_count_rank3", L.CategoryEncoding(num_tokens=4, output_mode="count")(ids.reshape(2, 2, 2)))
    put("ce_multi_hot_rank3", L.CategoryEncoding(num_tokens=4)(ids.reshape(2, 2, 2)))
    values = np.random.default_rng(3).normal(size=(40, 3)).astype("float32")
    for key, cfg in {"disc_bins": {"bin_boundaries": [-1.0, 0.0, 0.5, 2.0]},
                     "disc_one_hot": {"bin_boundaries": [0.0, 1.0], "output_mode": "one_hot"},
                     "disc_multi_hot": {"bin_boundaries": [0.0, 1.0], "output_mode": "multi_hot"},
                     "disc_count": {"bin_boundaries": [0.0, 1.0], "output_mode": "count"}}.items():
        put(key, L.Discretization(**cfg)(values[:6]))
    put("disc_edges", L.Discretization(bin_boundaries=[0.0, 1.0])(np.array([[-0.0, 0.0, 1.0, 0.99999994, 1e-30]],
                                                                           dtype="float32")))
    put("disc_ints", L.Discretization(bin_boundaries=[1.5, 3.0])(np.array([[0, 1, 2, 3, 4]])))
    for num_bins, eps in ((4, 0.01), (5, 0.1), (3, 0.3)):
        layer = L.Discretization(num_bins=num_bins, epsilon=eps)
        layer.adapt(values)
        put(f"disc_adapt_{num_bins}", np.asarray(layer.bin_boundaries, dtype="float64"))
        put(f"disc_adapt_{num_bins}_out", layer(values[:5]))
    layer = L.Discretization(num_bins=4)
    layer.adapt(iter([values[:10], values[10:25], values[25:]]))
    put("disc_adapt_batches", np.asarray(layer.bin_boundaries, dtype="float64"))
    put("disc_multi_hot_rank3", L.Discretization(bin_boundaries=[0.0], output_mode="multi_hot")(
        values[:8].reshape(2, 4, 3)))

    # ------------------------------------------------------------------ Normalization (adapt, axes, invert)
    cube = np.random.default_rng(5).normal(size=(12, 3, 4)).astype("float32") * 3 + 1
    for key, cfg in {"norm_last": {}, "norm_axis1": {"axis": 1}, "norm_axes": {"axis": (1, 2)},
                     "norm_none": {"axis": None}, "norm_invert": {"invert": True}}.items():
        layer = L.Normalization(**cfg)
        layer.adapt(cube)
        put(key, layer(cube[:3]))
        for i, w in enumerate(layer.get_weights()):
            put(f"{key}_w{i}", w)
    put("norm_given", L.Normalization(mean=[1.0, 2.0, 3.0, 4.0], variance=[1.0, 4.0, 9.0, 0.0])(cube[:2]))
    put("norm_given_invert", L.Normalization(mean=2.0, variance=3.0, invert=True)(cube[:2]))
    layer = L.Normalization()
    layer.adapt(iter([cube[:5], cube[5:]]))
    put("norm_batches", layer(cube[:2]))
    return out
