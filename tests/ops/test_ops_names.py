"""Every public name of Keras 3.15's ``keras.ops`` (and ``numpy``/``nn``/``linalg``/``image``) and
``keras.random`` exists in keras_torch, with Keras's parameter names.

The reference lists are recorded from real Keras by ``compat/gen/ops.py`` (``names`` in the
fixture), so this test never imports Keras.
"""

from __future__ import annotations

import gzip
import importlib
import inspect
import json
import pathlib

import pytest

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "ops" / "cases.json.gz"
pytestmark = pytest.mark.skipif(not FIXTURE.exists(), reason="no op fixtures; run compat/gen/ops.py")

NAMES = json.load(gzip.open(FIXTURE, "rt", encoding="utf8"))["names"] if FIXTURE.exists() else {}
SUBMODULES = {"image", "linalg", "nn", "numpy"}


def _ours(key: str):
    return importlib.import_module(f"keras_torch.{key}")


@pytest.mark.parametrize("key", sorted(NAMES))
def test_every_keras_name_exists(key):
    mod = _ours(key)
    missing = [n for n in NAMES[key] if not hasattr(mod, n)]
    assert not missing, f"keras_torch.{key} lacks {missing}"
    not_callable = [n for n in NAMES[key] if n not in SUBMODULES and not callable(getattr(mod, n))]
    assert not not_callable


@pytest.mark.parametrize("key", ["ops.numpy", "ops.nn", "ops.linalg"])
def test_submodule_names_are_the_same_objects(key):
    """``keras.ops.numpy.add is keras.ops.add``: one implementation per name."""
    top, mod = _ours("ops"), _ours(key)
    shared = [n for n in NAMES[key] if n in NAMES["ops"]]
    assert shared and all(getattr(mod, n) is getattr(top, n) for n in shared)


def test_public_parameters_match_keras_signatures():
    """Spot check: the positional parameter names of ops users call with keywords."""
    from keras_torch import ops

    expected = {
        "conv": ["inputs", "kernel", "strides", "padding", "data_format", "dilation_rate"],
        "dot_product_attention": ["query", "key", "value", "bias", "mask", "scale", "is_causal", "flash_attention",
                                  "attn_logits_soft_cap"],
        "unique": ["x", "sorted", "return_index", "return_inverse", "return_counts", "axis", "size", "fill_value"],
        "scan": ["f", "init", "xs", "length", "reverse", "unroll"],
        "stft": ["x", "sequence_length", "sequence_stride", "fft_length", "window", "center"],
        "segment_sum": ["data", "segment_ids", "num_segments", "sorted"],
        "linspace": ["start", "stop", "num", "endpoint", "retstep", "dtype", "axis"],
    }
    for name, params in expected.items():
        assert list(inspect.signature(getattr(ops, name)).parameters)[: len(params)] == params, name
