"""Learning-rate schedules against real Keras 3 values (``compat/fixtures/optimizers/schedules.*``)."""

from __future__ import annotations

import copy
import json
import pathlib

import numpy as np
import pytest
import torch

from keras_torch.optimizers import schedules

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "optimizers"
META = json.loads((FIXTURES / "schedules.json").read_text())
VALUES = np.load(FIXTURES / "schedules.npz")


@pytest.mark.parametrize("meta", META, ids=[m["name"] for m in META])
def test_schedule_values_match_keras(meta: dict) -> None:
    sched = schedules.deserialize(copy.deepcopy(meta["serialized"]))
    ours = np.array([float(sched(torch.tensor(s, dtype=torch.int64))) for s in VALUES["steps"]], dtype=np.float32)
    np.testing.assert_allclose(ours, VALUES[meta["name"]], atol=1e-7, rtol=1e-6)
    # Python ints work too and give the same value.
    assert float(sched(5)) == pytest.approx(float(VALUES[meta["name"]][5]), rel=1e-6, abs=1e-8)


@pytest.mark.parametrize("meta", META, ids=[m["name"] for m in META])
def test_schedule_serialization_round_trip(meta: dict) -> None:
    sched = schedules.deserialize(copy.deepcopy(meta["serialized"]))
    assert schedules.serialize(sched) == meta["serialized"]
    assert type(sched).from_config(sched.get_config()).get_config() == sched.get_config()


def test_schedule_returns_float32_tensor_on_step_device() -> None:
    step = torch.tensor(3, dtype=torch.int64)
    for sched in (
        schedules.ExponentialDecay(0.1, 10, 0.5),
        schedules.PiecewiseConstantDecay([1, 5], [1.0, 0.5, 0.1]),
        schedules.PolynomialDecay(0.1, 10, cycle=True),
        schedules.InverseTimeDecay(0.1, 2, 0.5, staircase=True),
        schedules.CosineDecay(0.0, 10, warmup_target=0.1, warmup_steps=5),
        schedules.CosineDecayRestarts(0.1, 4, t_mul=1.5),
    ):
        out = sched(step)
        assert torch.is_tensor(out) and out.dtype == torch.float32 and out.shape == ()
        assert out.device == step.device


def test_keras2_style_config_and_validation() -> None:
    sched = schedules.deserialize(
        {
            "class_name": "ExponentialDecay",
            "config": {
                "initial_learning_rate": 0.1,
                "decay_steps": 2,
                "decay_rate": 0.5,
                "staircase": False,
                "name": None,
            },
        }
    )
    assert float(sched(2)) == pytest.approx(0.05)
    with pytest.raises(ValueError, match="decay_steps"):
        schedules.CosineDecay(0.1, 0)
    with pytest.raises(ValueError, match="boundaries"):
        schedules.PiecewiseConstantDecay([1, 2], [0.1])
    with pytest.raises(ValueError, match="Unknown decay"):
        schedules.deserialize({"class_name": "ExponentialDecy", "config": {}})


def test_custom_schedule_subclass_drives_optimizer() -> None:
    from keras_torch.optimizers import SGD

    class Halving(schedules.LearningRateSchedule):
        def __call__(self, step):
            return 1.0 / (step.to(torch.float32) + 1.0)

        def get_config(self):
            return {}

    w = torch.nn.Parameter(torch.zeros(()))
    opt = SGD(learning_rate=Halving())
    for _ in range(3):
        w.grad = torch.ones(())
        opt.step([w])
    assert float(w.detach()) == pytest.approx(-(1 + 1 / 2 + 1 / 3))
    assert len(opt.variables) == 1  # no learning_rate variable with a schedule
