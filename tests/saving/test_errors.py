"""Errors: missing/corrupted files, shape mismatches, unknown classes, Lambda safety, atomic saves."""

from __future__ import annotations

import json
import os

import h5py
import numpy as np
import pytest
from _saving_helpers import predict


def _mlp(keras):
    L = keras.layers
    return keras.Sequential([keras.Input((4,)), L.Dense(3, name="a"), L.Dense(2, name="b")])


def test_missing_file(keras, tmp_path):
    with pytest.raises(FileNotFoundError):
        keras.models.load_model(tmp_path / "nope.keras")
    with pytest.raises(FileNotFoundError):
        _mlp(keras).load_weights(tmp_path / "nope.h5")


@pytest.mark.parametrize("content", [b"", b"hello world, not a model", b"\x00" * 100])
def test_not_a_keras_file(content, keras, tmp_path):
    p = tmp_path / "x.h5"
    p.write_bytes(content)
    with pytest.raises(ValueError, match="x.h5"):
        keras.models.load_model(p)
    with pytest.raises(ValueError):
        _mlp(keras).load_weights(p)


@pytest.mark.parametrize("ext", [".h5", ".keras", ".weights.h5"])
def test_truncated_file(ext, keras, tmp_path):
    model = _mlp(keras)
    p = tmp_path / f"m{ext}"
    if ext == ".weights.h5":
        model.save_weights(p)
    else:
        model.save(p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError):
        if ext == ".weights.h5":
            _mlp(keras).load_weights(p)
        else:
            keras.models.load_model(p)


def test_corrupted_keras_archive_member(keras, tmp_path):
    import zipfile

    p = tmp_path / "m.keras"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("metadata.json", "{}")
        z.writestr("config.json", "{not json")
    with pytest.raises(ValueError, match="config.json"):
        keras.models.load_model(p)
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("metadata.json", "{}")
    with pytest.raises(ValueError, match="config.json"):
        keras.models.load_model(p)


def test_weights_only_file_to_load_model(keras, tmp_path):
    _mlp(keras).save_weights(tmp_path / "w.h5")
    with pytest.raises(ValueError, match="load_weights"):
        keras.models.load_model(tmp_path / "w.h5")


@pytest.mark.parametrize("fname", ["w.h5", "w.weights.h5"])
def test_shape_mismatch_names_layer_weight_and_shapes(fname, keras, tmp_path):
    _mlp(keras).save_weights(tmp_path / fname)
    L = keras.layers
    other = keras.Sequential([keras.Input((5,)), L.Dense(3, name="a"), L.Dense(2, name="b")])
    with pytest.raises(ValueError) as e:
        other.load_weights(tmp_path / fname)
    msg = str(e.value)
    assert "'a'" in msg and "kernel" in msg and "(5, 3)" in msg and "(4, 3)" in msg


def test_unknown_class_mentions_custom_objects(keras, tmp_path):
    model = _mlp(keras)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as f:
        cfg = json.loads(f.attrs["model_config"])
        cfg["config"]["layers"][1]["class_name"] = "MyFancyDense"
        f.attrs["model_config"] = json.dumps(cfg).encode()
    with pytest.raises(ValueError, match="MyFancyDense") as e:
        keras.models.load_model(tmp_path / "m.h5")
    assert "custom_objects" in str(e.value)
    # ...and passing it makes it load.
    loaded = keras.models.load_model(tmp_path / "m.h5", custom_objects={"MyFancyDense": keras.layers.Dense})
    assert type(loaded.layers[0]).__name__ == "Dense"


def test_custom_registered_layer_roundtrip(keras, tmp_path):
    @keras.saving.register_keras_serializable(package="TestPkg")
    class Scale(keras.layers.Layer):
        def __init__(self, factor=2.0, **kwargs):
            super().__init__(**kwargs)
            self.factor = factor

        def build(self, input_shape):
            self.w = self.add_weight(name="w", shape=(input_shape[-1],), initializer="ones")

        def call(self, x):
            return x * self.w * self.factor

        def get_config(self):
            return {**super().get_config(), "factor": self.factor}

    model = keras.Sequential([keras.Input((3,)), Scale(3.0), keras.layers.Dense(2)])
    x = np.ones((2, 3), "float32")
    for ext in (".keras", ".h5"):
        model.save(tmp_path / f"m{ext}")
        loaded = keras.models.load_model(tmp_path / f"m{ext}")
        np.testing.assert_array_equal(predict(loaded, [x])[0], predict(model, [x])[0])


@pytest.mark.parametrize("ext", [".keras", ".h5"])
def test_lambda_safe_mode(ext, keras, tmp_path):
    L = keras.layers
    model = keras.Sequential([keras.Input((3,)), L.Lambda(lambda t: t * 3.0), L.Dense(2)])
    model.save(tmp_path / f"m{ext}")
    with pytest.raises(ValueError, match="safe_mode"):
        keras.models.load_model(tmp_path / f"m{ext}")
    loaded = keras.models.load_model(tmp_path / f"m{ext}", safe_mode=False)
    x = np.ones((2, 3), "float32")
    np.testing.assert_array_equal(predict(loaded, [x])[0], predict(model, [x])[0])


@pytest.mark.parametrize("fname", ["m.h5", "m.keras", "w.weights.h5", "w.h5"])
def test_failed_save_leaves_previous_file_intact(fname, keras, tmp_path, monkeypatch):
    from keras_torch.saving.formats import keras_archive, legacy_h5

    model = _mlp(keras)
    path = tmp_path / fname
    save = model.save_weights if fname.startswith("w") else model.save
    save(path)
    before = path.read_bytes()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(legacy_h5, "save_weights_to_hdf5_group", boom)
    monkeypatch.setattr(keras_archive, "save_weights_to_h5file", boom)
    model.set_weights([w + 1 for w in model.get_weights()])
    with pytest.raises(RuntimeError, match="disk full"):
        save(path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == [fname]


def test_overwrite_false(keras, tmp_path):
    model = _mlp(keras)
    model.save(tmp_path / "m.keras")
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m.keras", overwrite=False)


def test_bad_extensions(keras, tmp_path):
    model = _mlp(keras)
    with pytest.raises(ValueError, match="extension"):
        model.save(tmp_path / "m.txt")
    with pytest.raises(ValueError):
        model.save_weights(tmp_path / "w.txt")


def test_content_sniffing_ignores_extension(keras, tmp_path):
    model = _mlp(keras)
    model.save(tmp_path / "m.keras")
    os.rename(tmp_path / "m.keras", tmp_path / "renamed.h5")
    loaded = keras.models.load_model(tmp_path / "renamed.h5")
    x = np.ones((1, 4), "float32")
    np.testing.assert_array_equal(predict(loaded, [x])[0], predict(model, [x])[0])


def test_keras22_bytes_attributes(keras, tmp_path):
    """Standalone Keras 2.2 wrote root attrs as bytes; readers accept both."""
    model = _mlp(keras)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as f:
        for key in ("keras_version", "backend", "model_config"):
            value = f.attrs[key]
            value = value.encode() if isinstance(value, str) else value
            del f.attrs[key]
            f.attrs[key] = np.bytes_(value)
        f.attrs["keras_version"] = np.bytes_(b"2.2.4")
    loaded = keras.models.load_model(tmp_path / "m.h5")
    x = np.ones((1, 4), "float32")
    np.testing.assert_array_equal(predict(loaded, [x])[0], predict(model, [x])[0])


def test_keras1_style_sequential(keras, tmp_path):
    rng = np.random.default_rng(0)
    W, b = rng.normal(size=(4, 3)).astype("float32"), rng.normal(size=(3,)).astype("float32")
    cfg = {"class_name": "Sequential", "config": [
        {"class_name": "Dense", "config": {"name": "dense_1", "output_dim": 3, "init": "glorot_uniform",
                                           "activation": "relu", "batch_input_shape": [None, 4], "bias": True,
                                           "W_regularizer": None, "b_regularizer": None, "input_dtype": "float32",
                                           "trainable": True, "input_dim": 4}},
        {"class_name": "Dropout", "config": {"name": "dropout_1", "p": 0.5, "trainable": True}}]}
    p = tmp_path / "k1.h5"
    with h5py.File(p, "w") as f:
        f.attrs["keras_version"] = b"1.2.2"
        f.attrs["backend"] = b"theano"
        f.attrs["model_config"] = json.dumps(cfg).encode()
        g = f.create_group("model_weights")
        g.attrs["layer_names"] = [b"dense_1", b"dropout_1"]
        d = g.create_group("dense_1")
        d.attrs["weight_names"] = [b"dense_1_W", b"dense_1_b"]
        d["dense_1_W"] = W
        d["dense_1_b"] = b
        g.create_group("dropout_1").attrs["weight_names"] = np.array([], dtype="S1")
    model = keras.models.load_model(p)
    x = rng.normal(size=(2, 4)).astype("float32")
    np.testing.assert_allclose(predict(model, [x])[0], np.maximum(x @ W + b, 0), rtol=1e-6)


def test_optimizer_weight_orders():
    """Legacy optimizer_v2 [iter, m..., v...], tf-keras [iteration, m0, v0...] -> Keras 3 order."""
    import keras_torch as keras
    from keras_torch.saving.dialects.tfkeras import convert_optimizer_weights

    model = _mlp(keras)
    opt = keras.optimizers.Adam(0.01)
    opt.build(model.trainable_weights)
    n = len(model.trainable_weights)
    ms = [np.full((1,), i, "float32") for i in range(n)]
    vs = [np.full((1,), 10 + i, "float32") for i in range(n)]
    inter = [a for pair in zip(ms, vs) for a in pair]
    legacy = convert_optimizer_weights(["Adam/iter:0"] + ["m"] * n + ["v"] * n, [np.int64(7)] + ms + vs, opt)
    tfk = convert_optimizer_weights(["iteration:0"] + ["Adam/m"] * (2 * n), [np.int64(7)] + inter, opt)
    assert int(legacy[0]) == 7 and int(tfk[0]) == 7
    for got in (legacy, tfk):
        assert len(got) == len(opt.variables)
        np.testing.assert_allclose(got[1], 0.01, rtol=1e-6)
        for a, b in zip(got[2:], inter):
            np.testing.assert_array_equal(a, b)


def test_broken_optimizer_state_only_warns(keras, tmp_path):
    model = _mlp(keras)
    model.compile("adam", "mse")
    model.fit(np.ones((4, 4), "float32"), np.ones((4, 2), "float32"), verbose=0)
    model.save(tmp_path / "m.h5")
    with h5py.File(tmp_path / "m.h5", "a") as f:
        g = f["optimizer_weights"]
        names = [n.decode() for n in g.attrs["weight_names"]]
        g.attrs["weight_names"] = np.array([n.encode() for n in names[:3]])
    with pytest.warns(UserWarning, match="optimizer"):
        loaded = keras.models.load_model(tmp_path / "m.h5")
    assert loaded.compiled
