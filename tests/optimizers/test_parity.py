"""Optimizer parity against golden Keras 3 trajectories (``compat/fixtures/optimizers``).

Each fixture holds two variables, four steps of gradients (some ``None``), the variable values
after every step, the learning rate, and the final ``optimizer.variables`` from real Keras 3
(TensorFlow backend). The optimizer is rebuilt from Keras's own serialized config and replayed
through ``opt.step(vars)`` (gradients in ``.grad``) and through ``apply_gradients``.

Regenerate with ``/opt/kref/bin/python compat/generate_fixtures.py optimizers``.
"""

from __future__ import annotations

import copy
import json
import pathlib
import warnings

import numpy as np
import pytest
import torch

from keras_torch import optimizers

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "optimizers"
META = json.loads((FIXTURES / "configs.json").read_text())["configs"]
ATOL = 1e-6
SLOT_RTOL = 1e-5


def _replay(meta: dict, mode: str):
    data = np.load(FIXTURES / f"{meta['name']}.npz")
    opt = optimizers.deserialize(copy.deepcopy(meta["serialized"]))
    a = torch.nn.Parameter(torch.tensor(data["init_a"]))
    b = torch.nn.Parameter(torch.tensor(data["init_b"]))
    for k in range(meta["steps"]):
        grads = [data.get(f"grad{k}_a"), data.get(f"grad{k}_b")]
        grads = [None if g is None else torch.tensor(g) for g in grads]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "Gradients do not exist for variables"
            if mode == "step":
                a.grad, b.grad = grads
                opt.step([a, b])
            else:
                opt.apply_gradients(zip(grads, [a, b]))
        np.testing.assert_allclose(a.detach().numpy(), data[f"after{k}_a"], atol=ATOL, rtol=0, err_msg=f"a, step {k}")
        np.testing.assert_allclose(b.detach().numpy(), data[f"after{k}_b"], atol=ATOL, rtol=0, err_msg=f"b, step {k}")
        np.testing.assert_allclose(float(opt.learning_rate), data[f"lr{k}"], atol=1e-8, rtol=1e-6, err_msg=f"lr {k}")
    return opt, (a, b), data


@pytest.mark.parametrize("mode", ["step", "apply_gradients"])
@pytest.mark.parametrize("meta", META, ids=[m["name"] for m in META])
def test_trajectory_matches_keras(meta: dict, mode: str) -> None:
    opt, variables, data = _replay(meta, mode)

    # Optimizer state: same count, order, shapes, dtypes and values as Keras 3 `optimizer.variables`.
    ours = opt.variables
    assert [list(v.shape) for v in ours] == [shape for _, shape, _ in meta["variables"]]
    assert [str(v.dtype).replace("torch.", "") for v in ours] == [dt for _, _, dt in meta["variables"]]
    store: dict = {}
    opt.save_own_variables(store)
    assert sorted(store, key=int) == [str(i) for i in range(len(meta["variables"]))]
    for i in range(len(ours)):
        ref = data[f"optvar{i}"]
        if ref.dtype.kind == "i":
            assert int(store[str(i)]) == int(ref), f"optimizer variable {i} ({meta['variables'][i][0]})"
        else:
            # Slots can be large (Ftrl's `linear` reaches ~1e3, where one float32 ulp is 6e-5) and
            # amplify ulp-level pow() differences (Eigen's pow vs torch's), hence the relative part.
            np.testing.assert_allclose(store[str(i)], ref, atol=ATOL, rtol=SLOT_RTOL, err_msg=meta["variables"][i][0])

    if "final_a" in data.files:
        opt.finalize_variable_values(list(variables))
        np.testing.assert_allclose(variables[0].detach().numpy(), data["final_a"], atol=ATOL, rtol=0)
        np.testing.assert_allclose(variables[1].detach().numpy(), data["final_b"], atol=ATOL, rtol=0)


@pytest.mark.parametrize("meta", META, ids=[m["name"] for m in META])
def test_config_matches_keras(meta: dict) -> None:
    opt = optimizers.deserialize(copy.deepcopy(meta["serialized"]))
    assert opt.get_config() == meta["config"]
    assert optimizers.serialize(opt) == meta["serialized"]
    again = type(opt).from_config(opt.get_config())
    assert again.get_config() == meta["config"]


def test_fixture_inventory() -> None:
    names = {m["class_name"] for m in META}
    expected = {"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "Nadam", "Ftrl", "Lion"}
    assert expected <= names
    assert len(META) >= 30


def test_issue16_optimizers_have_fixtures() -> None:
    names = {m["class_name"] for m in META}
    assert {"Adafactor", "Lamb", "Muon", "LossScaleOptimizer", "ScheduleFreeAdamW"} <= names
