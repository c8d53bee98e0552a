"""Fixtures for tf-keras 2.21 names: RandomFourierFeatures, SyncBatchNormalization, SharpnessAwareMinimization,
LinearModel, WideDeepModel and optimizers.experimental.Adafactor.

Run: ``/opt/kref/bin/python compat/generate_fixtures.py breadth_tfk`` (writes
``compat/fixtures/breadth_tfk/breadth_tfk.npz`` with tf-keras, TF_USE_LEGACY_KERAS=1): layer outputs
for fixed weights, and short ``fit`` runs (inputs, weights before/after, per-epoch losses).
"""

from __future__ import annotations

import os
import pathlib

import numpy as np

os.environ["TF_USE_LEGACY_KERAS"] = "1"


def _set(model, rng, a, prefix):
    for i, w in enumerate(model.weights):
        value = (rng.standard_normal(tuple(w.shape)) * 0.5).astype("float32")
        w.assign(value)
        a[f"{prefix}_w{i}"] = value
        a[f"{prefix}_name{i}"] = np.array(w.name)


def generate(out: pathlib.Path) -> None:
    import tf_keras as tfk

    rng = np.random.default_rng(21)
    a = {}
    x = rng.standard_normal((4, 3)).astype("float32")
    a["x"] = x
    rff = tfk.layers.experimental.RandomFourierFeatures(5, scale=2.0)
    rff.build((None, 3))
    _set(rff, rng, a, "rff")
    a["rff_kernel_scale_positive"] = np.abs(a["rff_w0"]) if rff.weights[0].name.startswith("kernel_scale") else 0
    rff.weights[0].assign(np.abs(rff.weights[0].numpy()) + 0.5)
    a["rff_w0"] = rff.weights[0].numpy()
    a["rff_y"] = rff(x).numpy()
    a["rff_config"] = np.array(str(sorted(rff.get_config().items())))

    bn = tfk.layers.experimental.SyncBatchNormalization(momentum=0.9)
    bn.build((None, 3))
    a["syncbn_y"] = bn(x, training=True).numpy()
    a["syncbn_moving"] = np.stack([bn.moving_mean.numpy(), bn.moving_variance.numpy()])

    def mlp(seed_prefix):
        model = tfk.Sequential([tfk.Input((3,)), tfk.layers.Dense(4, activation="relu"), tfk.layers.Dense(2)])
        _set(model, rng, a, seed_prefix)
        return model

    y = rng.standard_normal((8, 2)).astype("float32")
    x8 = rng.standard_normal((8, 3)).astype("float32")
    a["x8"], a["y8"] = x8, y
    for name, splits in (("sam", None), ("sam_split", 2)):
        sam = tfk.models.experimental.SharpnessAwareMinimization(mlp(name), rho=0.1, num_batch_splits=splits)
        sam.compile(optimizer=tfk.optimizers.SGD(0.1), loss="mse")
        history = sam.fit(x8, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
        a[f"{name}_loss"] = np.array(history.history["loss"])
        for i, w in enumerate(sam.model.get_weights()):
            a[f"{name}_after{i}"] = w

    linear = tfk.experimental.LinearModel(units=2)
    a["lin_y"] = linear({"b": x[:, :2], "a": x}).numpy()  # zeros-initialized
    _set(linear, rng, a, "lin")
    a["lin_y2"] = linear({"b": x[:, :2], "a": x}).numpy()
    a["lin_config"] = np.array(str(sorted(linear.get_config().items())))

    wide = tfk.experimental.LinearModel(units=2)
    deep = tfk.Sequential([tfk.Input((3,)), tfk.layers.Dense(4, activation="relu"), tfk.layers.Dense(2)])
    model = tfk.experimental.WideDeepModel(wide, deep, activation="tanh")
    model([x8, x8])
    _set(wide, rng, a, "wd_lin")
    _set(deep, rng, a, "wd_dnn")
    model.compile(optimizer=[tfk.optimizers.SGD(0.1), tfk.optimizers.Adam(0.01)], loss="mse")
    history = model.fit([x8, x8], y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    a["wd_loss"] = np.array(history.history["loss"])
    for i, w in enumerate(wide.get_weights()):
        a[f"wd_lin_after{i}"] = w
    for i, w in enumerate(deep.get_weights()):
        a[f"wd_dnn_after{i}"] = w

    ada_model = mlp("ada")
    ada = tfk.optimizers.experimental.Adafactor(learning_rate=0.05)
    ada_model.compile(optimizer=ada, loss="mse")
    history = ada_model.fit(x8, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    a["ada_loss"] = np.array(history.history["loss"])
    for i, w in enumerate(ada_model.get_weights()):
        a[f"ada_after{i}"] = w
    np.savez(out / "breadth_tfk.npz", **a)
