"""keras_torch.losses vs golden values from real Keras 3 (compat/fixtures/losses_metrics)."""

from __future__ import annotations

import json
import pathlib
import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import keras_torch.losses as L
from keras_torch import activations
from keras_torch.core import registry

FIX = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "losses_metrics"
if not (FIX / "cases.json").exists():
    pytest.skip("losses_metrics fixtures not generated", allow_module_level=True)
DATA = json.loads((FIX / "cases.json").read_text())
ARR = dict(np.load(FIX / "arrays.npz"))
ATOL, RTOL = 1e-6, 1e-5


def t(key: str | None) -> torch.Tensor | None:
    return None if key is None else torch.as_tensor(ARR[key])


def pred(spec: Any) -> torch.Tensor:
    if isinstance(spec, dict):
        act, key = next(iter(spec.items()))
        return getattr(activations, act)(t(key))
    return t(spec)


def close(actual: Any, expected: np.ndarray) -> None:
    actual = actual.detach().cpu().numpy() if isinstance(actual, torch.Tensor) else np.asarray(actual)
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, atol=ATOL, rtol=RTOL)


def same_config(mine: dict, keras: dict) -> None:
    mine, keras = dict(mine), dict(keras)
    # Auto-generated names carry a global "_N" counter that depends on creation order.
    assert re.sub(r"_\d+$", "", mine.pop("name")) == re.sub(r"_\d+$", "", keras.pop("name"))
    assert mine == keras


def cases(kind: str) -> list[dict]:
    return [c for c in DATA["cases"] if c["kind"] == kind]


@pytest.mark.parametrize("case", cases("loss"), ids=lambda c: c["id"])
def test_loss_class(case: dict) -> None:
    obj = getattr(L, case["cls"])(**case["config"])
    y_true, y_pred, sw = t(case["y_true"]), pred(case["y_pred"]), t(case["sample_weight"])
    if case["mask"] is not None:
        y_pred._keras_mask = t(case["mask"])
    if case["error"]:
        with pytest.raises((ValueError, RuntimeError)):
            obj(y_true, y_pred, sample_weight=sw)
        return
    close(obj(y_true, y_pred, sample_weight=sw), ARR[case["expected"]])
    same_config(obj.get_config(), case["keras_config"])


@pytest.mark.parametrize("case", cases("loss_fn"), ids=lambda c: c["id"])
def test_loss_function(case: dict) -> None:
    fn = getattr(L, case["fn"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Keras warns too (from_logits=True on a softmax output)
        out = fn(t(case["y_true"]), pred(case["y_pred"]), **case["kwargs"])
    close(out, ARR[case["expected"]])


@pytest.mark.parametrize("case", cases("resolve_loss"), ids=lambda c: c["id"])
def test_resolve_crossentropy(case: dict) -> None:
    y_true, y_pred = t(case["y_true"]), t(case["y_pred"])
    loss = L.resolve_loss(case["identifier"], y_true, y_pred)
    assert loss.fn.__name__ == case["fn"]
    assert loss.name == case["name"]
    close(loss(y_true, y_pred), ARR[case["expected"]])


@pytest.mark.parametrize("key", sorted(DATA["names"]["losses"]))
def test_every_keras_loss_name_resolves(key: str) -> None:
    obj = registry.lookup("losses", key)
    assert obj is not None, key
    assert obj.__name__ == DATA["names"]["losses"][key]
    if key not in ("Loss", "LossFunctionWrapper"):  # abstract / needs `fn`
        assert L.get(key) is not None


def test_serialize_matches_keras() -> None:
    ref = DATA["names"]["serialize"]["CategoricalCrossentropy"]
    assert L.serialize(L.CategoricalCrossentropy(from_logits=True)) == ref
    restored = L.deserialize(ref)
    assert isinstance(restored, L.CategoricalCrossentropy) and restored.from_logits
    assert L.deserialize(DATA["names"]["serialize"]["categorical_crossentropy"]) is L.categorical_crossentropy


def test_fixture_counts() -> None:
    assert len(cases("loss")) >= 150 and len(cases("loss_fn")) >= 20
