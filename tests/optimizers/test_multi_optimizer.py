"""MultiOptimizer / OptimizerMap against Keras 3.15 (compat/fixtures/breadth_k3/multi_optimizer.npz)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

import keras_torch as keras
from keras_torch import optimizers

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_k3" / "multi_optimizer.npz"


def _model():
    return keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, name="encoder"),
                             keras.layers.Dense(2, name="head")])


def _multi():
    return optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD(0.1, momentum=0.9),
                                                             {".*encoder/.*": optimizers.Adam(0.01)}))


def test_fit_matches_keras_trajectory():
    ref = np.load(FIXTURE)
    model = _model()
    model.set_weights([ref[f"before_{i}"] for i in range(4)])
    optimizer = _multi()
    model.compile(optimizer=optimizer, loss="mse")
    history = model.fit(ref["x"], ref["y"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref["loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ref[f"after_{i}"], atol=1e-6)
    weights = optimizer.get_weights()
    assert len(weights) == len(ref["opt_names"])
    for i, w in enumerate(weights):
        np.testing.assert_allclose(w, ref[f"opt_{i}"], atol=1e-6, err_msg=str(ref["opt_names"][i]))
    assert [type(o).__name__ for o in optimizer.optimizers] == ["Adam", "SGD"]


def test_state_and_config_round_trip():
    optimizer = _multi()
    model = _model()
    model.compile(optimizer=optimizer, loss="mse")
    x, y = np.ones((4, 4), "float32"), np.zeros((4, 2), "float32")
    model.fit(x, y, epochs=1, verbose=0)
    config = optimizers.serialize(optimizer)
    again = optimizers.deserialize(config)
    assert isinstance(again, optimizers.MultiOptimizer)
    assert [type(o).__name__ for o in again.optimizers] == ["Adam", "SGD"]
    assert again.optimizers[0].get_config()["learning_rate"] == pytest.approx(0.01)
    again.build(model.trainable_weights)
    again.set_weights(optimizer.get_weights())
    for a, b in zip(again.get_weights(), optimizer.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_errors_and_callable_selector():
    optimizer = optimizers.MultiOptimizer(
        lambda v: optimizers.SGD(0.5) if "head" in v.path else optimizers.SGD(0.0))
    with pytest.raises(AttributeError, match="Learning rate cannot be accessed on a MultiOptimizer"):
        optimizer.learning_rate  # noqa: B018
    omap = optimizers.OptimizerMap(optimizers.SGD())
    omap["encoder"] = optimizers.Adam()
    with pytest.raises(ValueError, match="'encoder' already exists"):
        omap["encoder"] = optimizers.Adam()
    with pytest.raises(ValueError, match="cannot be LossScaleOptimizer"):
        omap["x"] = optimizers.LossScaleOptimizer(optimizers.SGD())
    with pytest.raises(TypeError, match="default_optimizer must be a Keras Optimizer"):
        optimizers.OptimizerMap("sgd")
    omap["enc.*"] = optimizers.RMSprop()
    omap[".*x"] = optimizers.Adagrad()
    with pytest.raises(ValueError, match="Multiple optimizers assigned to variable encoderx"):
        omap["encoderx"]  # noqa: B018
    model = _model()
    model.compile(optimizer=optimizers.MultiOptimizer(
        lambda v: optimizers.SGD(0.5) if "head" in v.path else optimizers.LossScaleOptimizer(optimizers.SGD())),
        loss="mse")
    with pytest.raises(ValueError, match="LossScaleOptimizer cannot be used inside an MultiOptimizer"):
        model.fit(np.ones((2, 4)), np.ones((2, 2)), verbose=0)
