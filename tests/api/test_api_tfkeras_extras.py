"""tf-keras 2.21 names: RandomFourierFeatures, SyncBatchNormalization, SharpnessAwareMinimization,
optimizers.experimental.Adafactor (compat/fixtures/breadth_tfk), BaseLogger, PyMetric, StepsPerExecutionTuner."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers as L

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "breadth_tfk" / "breadth_tfk.npz"


@pytest.fixture(scope="module")
def ref():
    return dict(np.load(FIXTURE))


def test_random_fourier_features_match_tf_keras(ref):
    layer = L.RandomFourierFeatures(5, scale=2.0)
    layer.build((None, 3))
    assert [w.name for w in layer.weights] == [str(ref[f"rff_name{i}"]).split(":")[0] for i in range(3)]
    assert layer.trainable_weights == [] and len(layer.non_trainable_weights) == 3
    layer.set_weights([ref[f"rff_w{i}"] for i in range(3)])
    np.testing.assert_allclose(layer(ref["x"]).detach().numpy(), ref["rff_y"], atol=1e-6)
    config = layer.get_config()
    for key in ("output_dim", "kernel_initializer", "scale", "trainable"):
        assert f"('{key}', {config[key]!r})" in str(ref["rff_config"])
    assert L.RandomFourierFeatures.from_config(config).get_config() == config
    default = L.RandomFourierFeatures(4, kernel_initializer="laplacian")
    default.build((None, 8))
    assert float(default.kernel_scale.detach()) == 1.0
    with pytest.raises(ValueError, match="Unsupported `kernel_initializer`"):
        L.RandomFourierFeatures(4, kernel_initializer="cosine")
    with pytest.raises(ValueError, match="rank of the input tensor should be 2"):
        L.RandomFourierFeatures(4).build((None, 2, 3))


def test_gaussian_default_scale_and_trainable_scale():
    layer = L.RandomFourierFeatures(3, trainable=True)
    layer.build((None, 8))
    assert float(layer.kernel_scale.detach()) == pytest.approx(2.0)  # sqrt(8 / 2)
    assert [w.name for w in layer.trainable_weights] == ["kernel_scale"]


def test_sync_batch_normalization_single_process_is_batch_normalization(ref):
    layer = L.SyncBatchNormalization(momentum=0.9)
    out = layer(ref["x"], training=True)
    np.testing.assert_allclose(out.detach().numpy(), ref["syncbn_y"], atol=1e-5)
    np.testing.assert_allclose(np.stack([layer.moving_mean.numpy(), layer.moving_variance.numpy()]),
                               ref["syncbn_moving"], atol=1e-6)
    assert layer.synchronized and "synchronized" not in layer.get_config()
    assert L.SyncBatchNormalization.from_config(layer.get_config()).momentum == 0.9


@pytest.mark.parametrize("name,splits", [("sam", None), ("sam_split", 2)])
def test_sharpness_aware_minimization_matches_tf_keras(ref, name, splits):
    inner = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    inner.set_weights([ref[f"{name}_w{i}"] for i in range(4)])
    sam = keras.models.experimental.SharpnessAwareMinimization(inner, rho=0.1, num_batch_splits=splits)
    sam.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    history = sam.fit(ref["x8"], ref["y8"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref[f"{name}_loss"], rtol=1e-5)
    for i, w in enumerate(inner.get_weights()):
        np.testing.assert_allclose(w, ref[f"{name}_after{i}"], atol=1e-6)
    again = keras.models.experimental.SharpnessAwareMinimization.from_config(sam.get_config())
    assert again.rho == 0.1 and again.num_batch_splits == splits


def test_experimental_adafactor_matches_tf_keras(ref):
    model = keras.Sequential([keras.Input((3,)), L.Dense(4, activation="relu"), L.Dense(2)])
    model.set_weights([ref[f"ada_w{i}"] for i in range(4)])
    model.compile(optimizer=keras.optimizers.experimental.Adafactor(learning_rate=0.05), loss="mse")
    history = model.fit(ref["x8"], ref["y8"], batch_size=4, epochs=2, shuffle=False, verbose=0)
    np.testing.assert_allclose(history.history["loss"], ref["ada_loss"], rtol=1e-5)
    for i, w in enumerate(model.get_weights()):
        np.testing.assert_allclose(w, ref[f"ada_after{i}"], atol=1e-6)


def test_base_logger_weights_batch_logs_by_size():
    logger = keras.callbacks.BaseLogger(stateful_metrics=["auc"])
    logger.set_params({"metrics": ["loss", "auc"]})
    logger.on_epoch_begin(0)
    logger.on_train_batch_end(0, {"size": 2, "loss": torch.tensor(1.0), "auc": 0.5})
    logger.on_train_batch_end(1, {"size": 6, "loss": 3.0, "auc": 0.7})
    logs = {"loss": 0.0}
    logger.on_epoch_end(0, logs)
    assert logs == {"loss": pytest.approx(2.5), "auc": 0.7}
    untouched = {"loss": 9.0}
    logger.on_epoch_begin(1)
    logger.on_train_batch_end(0, {"loss": 1.0})  # fit's batch logs carry no "size"
    logger.on_epoch_end(1, untouched)
    assert untouched == {"loss": 9.0}


class _Median(keras.metrics.experimental.PyMetric):
    def update_state(self, y_true, y_pred, sample_weight=None):
        self.values.extend(torch.as_tensor(y_pred).reshape(-1).tolist())

    def reset_state(self):
        self.values = []

    def result(self):
        return float(np.median(self.values))


def test_py_metric_keeps_python_state_through_evaluate():
    metric = _Median(name="median")
    metric.update_state(None, [3.0, 1.0, 2.0])
    assert metric.result() == 2.0
    model = keras.Sequential([keras.Input((2,)), L.Dense(1, kernel_initializer="ones")])
    model.compile(loss="mse", metrics=[_Median(name="median")])
    logs = model.evaluate(np.array([[1, 1], [2, 2], [3, 4]], "float32"), np.zeros((3, 1)), return_dict=True,
                          verbose=0)
    assert logs["median"] == pytest.approx(4.0)
    with pytest.raises(NotImplementedError, match="Subclasses should implement `reset_state`"):
        keras.metrics.experimental.PyMetric()


class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_steps_per_execution_tuner_follows_throughput(monkeypatch):
    clock = _Clock()
    monkeypatch.setattr("keras_torch.utils.steps_per_execution_tuning.time.time", clock)
    optimizer = keras.optimizers.SGD()
    spe = keras.Variable(np.int32(8), dtype="int32")
    tuner = keras.utils.StepsPerExecutionTuner(optimizer, spe, change_spe_interval=1)
    tuner._begin_tuning()
    for steps in (10, 40):  # throughput grows: repeat the last change (x1.5)
        optimizer.iterations = int(optimizer.iterations) + steps
        clock.now += 1.0
        tuner._measure_and_tune()
    assert int(spe.numpy()) == 18
    optimizer.iterations = int(optimizer.iterations) + 1  # throughput collapses: reverse (x0.5)
    clock.now += 1.0
    tuner._measure_and_tune()
    assert int(spe.numpy()) == 9
    thread = tuner.start()
    tuner.stop()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_dtensor_optimizers_are_the_keras_optimizers_as_in_tf_keras():
    from keras_torch.core import omissions

    dtensor = keras.dtensor.experimental.optimizers
    for name in ("SGD", "Adadelta", "Adagrad", "Adam", "AdamW", "RMSprop"):
        assert getattr(dtensor, name) is getattr(keras.optimizers, name)
    with pytest.raises(omissions.NotProvidedError, match="DTensor layouts are part of TensorFlow's runtime"):
        keras.dtensor.experimental.LayoutMap  # noqa: B018


def test_dataset_creator_builds_the_data_when_fit_starts():
    from keras_torch.launcher.tf.data import Dataset

    seen = []
    x = np.arange(24, dtype="float32").reshape(12, 2)
    y = x.sum(axis=1, keepdims=True)

    def dataset_fn(context):
        seen.append((context.num_input_pipelines, context.input_pipeline_id, context.get_per_replica_batch_size(4)))
        return Dataset.from_tensor_slices((x, y)).repeat().batch(context.get_per_replica_batch_size(4))

    creator = keras.utils.experimental.DatasetCreator(dataset_fn)
    model = keras.Sequential([keras.Input((2,)), L.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(creator, epochs=2, steps_per_epoch=3, verbose=0)
    assert len(history.history["loss"]) == 2 and seen == [(1, 0, 4)]
    assert np.isfinite(model.evaluate(creator, steps=2, verbose=0))
    with pytest.raises(ValueError, match="`steps_per_epoch`, `validation_steps` or `steps` argument must be provided"):
        model.fit(creator, epochs=1, verbose=0)
    with pytest.raises(TypeError, match="must be a `callable`"):
        keras.utils.experimental.DatasetCreator(3)
