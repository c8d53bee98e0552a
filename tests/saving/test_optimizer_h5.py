"""Optimizer state in .h5 files: written in tf-keras's layout, read back exactly."""

from __future__ import annotations

import warnings

import h5py
import numpy as np
import pytest

import keras_torch as keras

OPTIMIZERS = {
    "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
    "sgd_momentum": lambda: keras.optimizers.SGD(0.01, momentum=0.9),
    "rmsprop_centered": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True),
    "adagrad": lambda: keras.optimizers.Adagrad(0.05),
    "adadelta": lambda: keras.optimizers.Adadelta(1.0),
    "adamax": lambda: keras.optimizers.Adamax(0.01),
    "ftrl": lambda: keras.optimizers.Ftrl(0.05),
    "adamw": lambda: keras.optimizers.AdamW(0.01),
    "nadam": lambda: keras.optimizers.Nadam(0.01),
}


def _trained(optimizer):
    x = keras.Input((4,))
    model = keras.Model(x, keras.layers.Dense(3, name="out")(keras.layers.Dense(5, name="hidden")(x)))
    model.compile(optimizer=optimizer, loss="mse")
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 3)).astype("float32"), batch_size=2,
              verbose=0)
    return model


@pytest.mark.parametrize("kind", list(OPTIMIZERS))
def test_optimizer_state_round_trips_through_h5(kind, tmp_path):
    model = _trained(OPTIMIZERS[kind]())
    path = tmp_path / "m.h5"
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Error in loading the saved optimizer state" would be a warning
        loaded = keras.models.load_model(path)
    assert loaded.optimizer.variable_names == model.optimizer.variable_names
    for name, got, want in zip(model.optimizer.variable_names, loaded.optimizer.get_weights(),
                               model.optimizer.get_weights()):
        np.testing.assert_array_equal(got, want, err_msg=name)


@pytest.mark.parametrize("kind, class_name, names", [
    ("adam_amsgrad", "Adam", ["Adam/iter:0", "Adam/hidden/kernel/m:0", "Adam/hidden/bias/m:0", "Adam/out/kernel/m:0",
                              "Adam/out/bias/m:0", "Adam/hidden/kernel/v:0"]),
    ("rmsprop_centered", "RMSprop", ["RMSprop/iter:0", "RMSprop/hidden/kernel/rms:0", "RMSprop/hidden/bias/rms:0",
                                     "RMSprop/out/kernel/rms:0", "RMSprop/out/bias/rms:0",
                                     "RMSprop/hidden/kernel/momentum:0"]),
    ("adamw", "Custom>AdamW", ["iteration:0", "AdamW/m/hidden/kernel:0", "AdamW/v/hidden/kernel:0",
                               "AdamW/m/hidden/bias:0", "AdamW/v/hidden/bias:0", "AdamW/m/out/kernel:0"]),
    ("nadam", "Nadam", ["Nadam/iter:0", "Nadam/momentum_cache:0", "Nadam/hidden/kernel/m:0", "Nadam/hidden/bias/m:0",
                        "Nadam/out/kernel/m:0", "Nadam/out/bias/m:0", "Nadam/hidden/kernel/v:0"]),
    ("ftrl", "Ftrl", ["Ftrl/iter:0", "Ftrl/hidden/kernel/accumulator:0", "Ftrl/hidden/kernel/linear:0",
                      "Ftrl/hidden/bias/accumulator:0", "Ftrl/hidden/bias/linear:0"]),
])
def test_h5_optimizer_layout_is_tf_keras(kind, class_name, names, tmp_path):
    """Legacy optimizers (what tf-keras's .h5 loader builds) group by slot; tf-keras-only ones are named so."""
    import json

    model = _trained(OPTIMIZERS[kind]())
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        written = [n.decode() if isinstance(n, bytes) else str(n) for n in f["optimizer_weights"].attrs["weight_names"]]
        config = json.loads(f.attrs["training_config"])["optimizer_config"]
        kernel_m = f["optimizer_weights"][next(n for n in written if "hidden/kernel" in n)][()]
    assert written[:len(names)] == names
    assert config["class_name"] == class_name and "learning_rate" not in " ".join(written)
    assert kernel_m.shape == (4, 5)  # Keras layout (in, out), as tf-keras holds the slot


def test_legacy_nadam_schedule_constant_is_not_a_decay():
    """tf-keras's legacy Nadam config records ``decay: 0.004`` (its momentum schedule); it loads without a warning."""
    from keras_torch.saving.dialects.tfkeras import optimizer_config

    cfg = optimizer_config({"class_name": "Nadam", "config": {"learning_rate": 0.01, "decay": 0.004}})
    assert "decay" not in cfg["config"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras.optimizers.deserialize(cfg)
    kept = optimizer_config({"class_name": "Adam", "config": {"learning_rate": 0.01, "decay": 0.004}})
    assert kept["config"]["decay"] == 0.004  # a real learning-rate decay: Keras 3 warns that it is ignored


@pytest.mark.parametrize("kind", ["rmsprop_centered", "adamw"])
def test_gru_bias_slots_are_one_keras_weight(kind, tmp_path):
    """GRU(reset_after)'s Keras bias (2, 3u) is two torch rows; its slots are written as one (2, 3u) array."""
    x = keras.Input((5, 3))
    model = keras.Model(x, keras.layers.Dense(2)(keras.layers.GRU(4, name="gru")(x)))
    model.compile(optimizer=OPTIMIZERS[kind](), loss="mse")
    rng = np.random.default_rng(1)
    model.fit(rng.normal(size=(4, 5, 3)).astype("float32"), rng.normal(size=(4, 2)).astype("float32"), verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5") as f:
        g = f["optimizer_weights"]
        shapes = [g[n].shape for n in g.attrs["weight_names"]]
    per_slot = len(model.get_weights())  # Keras weights: kernel, recurrent_kernel, bias (2, 12), dense kernel, bias
    assert len(shapes) == 1 + per_slot * (3 if kind == "rmsprop_centered" else 2)
    assert shapes.count((2, 12)) == (3 if kind == "rmsprop_centered" else 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = keras.models.load_model(tmp_path / "m.h5")
    for name, got, want in zip(model.optimizer.variable_names, loaded.optimizer.get_weights(),
                               model.optimizer.get_weights()):
        np.testing.assert_array_equal(got, want, err_msg=name)


def test_square_kernel_slots_survive_get_and_set_weights():
    """A Dense kernel is stored (out, in); a square one has the same shape in Keras layout, and must still be
    transposed back when the optimizer's Keras-layout weights are assigned."""
    x = keras.Input((4,))
    square = keras.Model(x, keras.layers.Dense(4, name="square")(x))
    square.compile(optimizer=keras.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(2)
    square.fit(rng.normal(size=(6, 4)).astype("float32"), rng.normal(size=(6, 4)).astype("float32"), verbose=0)
    before = square.optimizer.get_weights()
    square.optimizer.set_weights(before)
    for name, got, want in zip(square.optimizer.variable_names, square.optimizer.get_weights(), before):
        np.testing.assert_array_equal(got, want, err_msg=name)
