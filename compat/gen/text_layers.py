"""Keras 3 (TensorFlow backend) outputs of the text, lookup and categorical layers in ``compat/text_cases.py``.

    /opt/kref/bin/python compat/generate_fixtures.py text_layers

Writes ``compat/fixtures/text_layers/values.npz`` (arrays; JSON strings for string outputs,
ragged outputs and vocabularies), replayed by ``tests/layers/test_text_layers.py``.
"""

from __future__ import annotations

import pathlib
import types

import numpy as np


def tensorflow_fns() -> types.SimpleNamespace:
    """The library-specific callables of the cases, written with TensorFlow string ops."""
    import tensorflow as tf

    def replace_fox(x):
        return tf.strings.regex_replace(x, "fox", "wolf")

    def split_commas(x):
        return tf.strings.split(x, sep=",")

    return types.SimpleNamespace(replace_fox=replace_fox, split_commas=split_commas, ragged_supported=True,
                                 ragged_to_list=lambda r: r.to_list())


def generate(out_dir: pathlib.Path) -> None:
    import keras

    from compat import text_cases

    values = text_cases.cases(keras, tensorflow_fns())
    np.savez_compressed(out_dir / "values.npz", **{k: np.asarray(v) for k, v in values.items()})
    print(f"  {len(values)} values (keras {keras.__version__}, backend {keras.backend.backend()})")
