"""``keras.utils.FeatureSpace`` against Keras 3 (compat/fixtures/feature_space, cases in compat/feature_space_cases.py)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import keras_torch as keras
from compat import feature_space_cases

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "feature_space" / "values.npz"
EXPECTED = np.load(FIXTURE)
GOT = feature_space_cases.cases(keras)


@pytest.mark.parametrize("key", sorted(EXPECTED.files))
def test_matches_keras(key):
    got = np.asarray(GOT[key])
    want = EXPECTED[key]
    assert got.shape == want.shape, f"{key}: {got.shape} != {want.shape}"
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_every_case_has_a_fixture():
    assert set(GOT) == set(EXPECTED.files)


def test_errors():
    fs = keras.utils.FeatureSpace
    with pytest.raises(ValueError, match="cannot be None or empty"):
        fs(features={})
    with pytest.raises(ValueError, match="Invalid feature type: floot"):
        fs(features={"a": "floot"})
    with pytest.raises(ValueError, match="unknown features"):
        fs(features={"a": "float"}, crosses=[("a", "b")])
    space = fs(features={"a": "float_normalized"})
    with pytest.raises(ValueError, match=r"call `.adapt\(dataset\)`"):
        space({"a": np.ones(3)})


def test_config_round_trip_and_iterable_adapt():
    space = feature_space_cases.feature_space(keras)
    values = feature_space_cases.data()
    space.adapt(iter([{k: v[:40] for k, v in values.items()}, {k: v[40:] for k, v in values.items()}]))
    revived = keras.utils.FeatureSpace.from_config(space.get_config())
    assert sorted(revived.features) == sorted(space.features)
    assert [c.name for c in revived.crosses] == ["city_X_zone", "code_X_kind"]
    assert space({k: v[:2] for k, v in values.items()}).shape[0] == 2
