"""SidecarEvaluator / SidecarEvaluatorModelExport over the weights files ModelCheckpoint writes."""

from __future__ import annotations

import numpy as np
import pytest

import keras_torch as keras
from keras_torch.callbacks import sidecar_evaluator
from keras_torch.launcher.tf.data import Dataset


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
    return model


def test_evaluates_the_latest_checkpoint_and_exports_the_best(tmp_path):
    x = np.random.default_rng(0).standard_normal((16, 3)).astype("float32")
    y = x.sum(axis=1, keepdims=True)
    trained = _model()
    pattern = str(tmp_path / "ckpts" / "ckpt-{epoch}.weights.h5")
    trained.fit(x, y, epochs=3, verbose=0, callbacks=[keras.callbacks.ModelCheckpoint(pattern, save_weights_only=True)])
    assert sidecar_evaluator.latest_checkpoint(str(tmp_path / "ckpts"))[0] == 3

    evaluated = []
    export = keras.callbacks.SidecarEvaluatorModelExport(str(tmp_path / "best" / "model-{epoch}.weights.h5"),
                                                         pattern, monitor="loss", save_weights_only=True)
    record = keras.callbacks.LambdaCallback(on_test_end=lambda logs: evaluated.append(logs["loss"]))
    data = Dataset.from_tensor_slices((x, y)).batch(8)
    evaluator = keras.utils.SidecarEvaluator(_model(), data, str(tmp_path / "ckpts"), max_evaluations=3,
                                             callbacks=[record, export])
    evaluator.start()  # returns: checkpoint 3 reaches max_evaluations
    # Only the newest checkpoint was there when it started, as tf.train.checkpoints_iterator yields.
    assert evaluated == [pytest.approx(trained.evaluate(x, y, verbose=0))]
    assert (tmp_path / "best" / "model-3.weights.h5").exists()
    np.testing.assert_allclose(evaluator.model.get_weights()[0], trained.get_weights()[0])
    assert keras.experimental.SidecarEvaluator is keras.utils.SidecarEvaluator


def test_checkpoints_iterator_times_out(tmp_path):
    calls = []
    found = list(sidecar_evaluator.checkpoints_iterator(str(tmp_path), min_interval_secs=0.01, timeout=0.05,
                                                        timeout_fn=lambda: calls.append(1) or True))
    assert found == [] and calls == [1]
