"""``model.metrics`` after ``compile`` is Keras 3's ``[loss tracker, CompileMetrics container, per-output
loss trackers]``, so the Keras guide's custom ``train_step`` (update each of ``self.metrics``, return their
results) logs the compiled metrics; the loss tracker exists from ``compile`` on, so ``train_step`` /
``test_step`` can be called directly. Expected names and orders were printed by Keras 3.15.1 (TF backend)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers

X = np.random.default_rng(0).random((8, 3)).astype("float32")
Y = np.random.default_rng(1).random((8, 1)).astype("float32")


class GuideModel(keras.Model):
    """The custom train_step of Keras's "Customizing what happens in fit()" guide."""

    def train_step(self, data):
        x, y = data
        self.zero_grad()
        y_pred = self(x, training=True)
        loss = self.compute_loss(y=y, y_pred=y_pred)
        loss.backward()
        weights = self.trainable_weights
        with torch.no_grad():
            self.optimizer.apply([w.grad for w in weights], weights)
        for metric in self.metrics:
            if metric.name == "loss":
                metric.update_state(loss)
            else:
                metric.update_state(y, y_pred)
        return {m.name: m.result() for m in self.metrics}


def _guide_model() -> GuideModel:
    inputs = keras.Input((3,))
    return GuideModel(inputs, layers.Dense(1)(inputs))


def _names(model):
    return [(m.name, type(m).__name__) for m in model.metrics]


def test_metrics_after_compile_are_the_loss_tracker_and_the_container():
    model = _guide_model()
    assert model.metrics == [] and model.metrics_names == []
    model.compile("sgd", "mse", metrics=["mae"])
    assert _names(model) == [("loss", "Mean"), ("compile_metrics", "CompileMetrics")]
    assert model.metrics_names == ["loss", "compile_metrics"]
    assert model.metrics[1].metrics == []  # built by its first update_state


def test_guide_train_step_logs_the_compiled_metrics():
    model = _guide_model()
    model.compile("sgd", "mse", metrics=["mae"])
    history = model.fit(X, Y, epochs=2, batch_size=4, verbose=0)
    assert list(history.history) == ["mae", "loss"]  # Keras: logs flattened and sorted by name
    assert all(np.isfinite(history.history["mae"]))
    assert model.metrics_names == ["loss", "compile_metrics"]
    container = model.metrics[1]
    assert [m.name for m in container.metrics] == ["mae"]
    assert list(container.result()) == ["mae"]
    logs = model.evaluate(X, Y, verbose=0, return_dict=True)
    assert list(logs) == ["loss", "mae"]
    np.testing.assert_allclose(logs["mae"], np.abs(model.predict(X, verbose=0) - Y).mean(), rtol=1e-5)


def test_metrics_without_compiled_metrics_and_with_several_outputs():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse")
    assert model.metrics_names == ["loss"]
    inputs = keras.Input((3,))
    multi = keras.Model(inputs, [layers.Dense(1, name="a")(inputs), layers.Dense(2, name="b")(inputs)])
    multi.compile("sgd", ["mse", "mse"], metrics=[["mae"], ["mse"]])
    assert multi.metrics_names == ["loss", "compile_metrics"]
    targets = [np.zeros((8, 1), "float32"), np.zeros((8, 2), "float32")]
    values = multi.evaluate(X, targets, verbose=0)
    logs = multi.evaluate(X, targets, verbose=0, return_dict=True)
    assert multi.metrics_names == ["loss", "compile_metrics", "a_loss", "b_loss"]
    assert [m.name for m in multi.metrics[1].metrics] == ["mae", "mse"]
    assert list(logs) == ["a_loss", "a_mae", "b_loss", "b_mse", "loss"]
    # Keras's list order: loss trackers in `metrics` order, then the compiled results by name.
    assert values == pytest.approx([logs[k] for k in ("loss", "a_loss", "b_loss", "a_mae", "b_mse")])


@pytest.mark.parametrize("step", ["test_step", "train_step"])
def test_steps_can_run_before_fit_or_evaluate(step):
    model = keras.Sequential([keras.Input((3,)), layers.Dense(1)])
    model.compile("sgd", "mse", metrics=["mae"])
    logs = getattr(model, step)((torch.from_numpy(X), torch.from_numpy(Y)))
    assert sorted(logs) == ["loss", "mae"]
    assert float(model.metrics[0].result()) == pytest.approx(float(logs["loss"])) and float(logs["loss"]) > 0


class _WithTracker(keras.Model):
    def __init__(self):
        super().__init__()
        self.dense = layers.Dense(1)
        self.seen = keras.metrics.Mean(name="seen")

    def call(self, x):
        self.seen.update_state(x)
        return self.dense(x)


def test_metric_attributes_are_tracked_and_logged_as_keras():
    model = _WithTracker()
    assert [m.name for m in model.metrics] == ["seen"]  # Keras: tracked before compile too
    model.compile("sgd", "mse", metrics=["mae"])
    assert model.metrics_names == ["loss", "compile_metrics", "seen"]
    history = model.fit(X, Y, epochs=1, batch_size=4, verbose=0)
    assert list(history.history) == ["loss", "mae", "seen"]
    np.testing.assert_allclose(history.history["seen"][0], X.mean(), rtol=1e-5)
    model.reset_metrics()
    assert float(model.seen.result()) == 0.0
