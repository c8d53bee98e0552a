"""keras_torch.metrics vs golden values from real Keras 3 (compat/fixtures/losses_metrics)."""

from __future__ import annotations

import json
import pathlib
import re
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import keras_torch.metrics as M
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


def pred(spec: Any) -> torch.Tensor | None:
    if isinstance(spec, dict):
        act, key = next(iter(spec.items()))
        return getattr(activations, act)(t(key))
    return t(spec)


def close(actual: Any, expected: np.ndarray) -> None:
    assert isinstance(actual, torch.Tensor)
    actual = actual.detach().cpu().numpy()
    assert actual.shape == expected.shape, (actual.shape, expected.shape)
    np.testing.assert_allclose(actual, expected, atol=ATOL, rtol=RTOL)


def cases(kind: str) -> list[dict]:
    return [c for c in DATA["cases"] if c["kind"] == kind]


def run_updates(obj: M.Metric, case: dict) -> None:
    assert len(case["updates"]) == len(case["expected"])
    for (yt, yp, sw), exp in zip(case["updates"], case["expected"]):
        if case["cls"] in ("Mean", "Sum"):
            obj.update_state(t(yt), sample_weight=t(sw))
        else:
            obj.update_state(t(yt), pred(yp), sample_weight=t(sw))
        close(obj.result(), ARR[exp])


@pytest.mark.parametrize("case", cases("metric"), ids=lambda c: c["id"])
def test_metric(case: dict) -> None:
    obj = getattr(M, case["cls"])(**case["config"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        run_updates(obj, case)
        obj.reset_state()
        run_updates(obj, case)  # identical after a reset
    mine, keras = dict(obj.get_config()), dict(case["keras_config"])
    assert re.sub(r"_\d+$", "", mine.pop("name")) == re.sub(r"_\d+$", "", keras.pop("name"))
    assert mine == keras


@pytest.mark.parametrize("case", cases("metric_fn"), ids=lambda c: c["id"])
def test_metric_function(case: dict) -> None:
    out = getattr(M, case["fn"])(t(case["y_true"]), t(case["y_pred"]), **case["kwargs"])
    close(out, ARR[case["expected"]])


@pytest.mark.parametrize("case", cases("resolve"), ids=lambda c: c["id"])
def test_resolve_metric(case: dict) -> None:
    ident = case["identifier"]
    if isinstance(ident, dict):
        ident = getattr(M, ident["function"])
    y_true, y_pred = t(case["y_true"]), t(case["y_pred"])
    m = M.resolve_metric(ident, y_true, y_pred)
    assert type(m).__name__ == case["cls"]
    assert m.name == case["name"]
    m.update_state(y_true, y_pred)
    close(m.result(), ARR[case["expected"]])


@pytest.mark.parametrize("key", sorted(DATA["names"]["metrics"]))
def test_every_keras_metric_name_resolves(key: str) -> None:
    obj = registry.lookup("metrics", key)
    assert obj is not None, key
    assert obj.__name__ == DATA["names"]["metrics"][key]


def test_serialize_matches_keras() -> None:
    ref = DATA["names"]["serialize"]["AUC"]
    assert M.serialize(M.AUC(name="auc")) == ref
    assert isinstance(M.deserialize(ref), M.AUC)


def test_keras_rejects_crossentropy_metric_name() -> None:
    # Keras 3 compile(metrics=["crossentropy"]) fails; keras_torch resolves it like tf.keras 2 did.
    assert "crossentropy" in DATA["names"]["errors"]["metric_crossentropy"]
    m = M.resolve_metric("crossentropy", torch.zeros(4), torch.zeros(4, 3))
    assert type(m).__name__ == "SparseCategoricalCrossentropy" and m.name == "crossentropy"


def test_fixture_counts() -> None:
    assert len(cases("metric")) >= 100 and len(cases("resolve")) >= 40
