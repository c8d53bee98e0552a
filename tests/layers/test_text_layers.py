"""Text, lookup and categorical layers against real Keras 3 outputs (compat/fixtures/text_layers,
cases in compat/text_cases.py), plus the behaviour the fixtures cannot show (errors, symbolic use)."""

from __future__ import annotations

import json
import pathlib
import types

import numpy as np
import pytest
import torch

import keras_torch as keras
from compat import text_cases

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "text_layers" / "values.npz"
EXPECTED = np.load(FIXTURE)


def _numpy_fns() -> types.SimpleNamespace:
    def replace_fox(x):
        return np.char.replace(x, "fox", "wolf")

    def split_commas(x):
        return [s.split(",") for s in x]

    return types.SimpleNamespace(replace_fox=replace_fox, split_commas=split_commas, ragged_supported=True,
                                 ragged_to_list=lambda nested: [t.tolist() for t in nested.unbind()])


GOT = text_cases.cases(keras, _numpy_fns())


def _array(value):
    return value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


@pytest.mark.parametrize("key", sorted(k for k in EXPECTED.files if not k.startswith("dtype_")))
def test_matches_keras(key):
    want = EXPECTED[key]
    got = GOT[key]
    if want.dtype.kind == "U":
        assert json.loads(got) == json.loads(str(want)), key
        return
    got = _array(got)
    assert got.shape == want.shape, f"{key}: shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(got, want)
    assert str(got.dtype) == str(EXPECTED[f"dtype_{key}"]), f"{key}: dtype {got.dtype}"


def test_every_case_has_a_fixture():
    assert set(GOT) == set(EXPECTED.files)
