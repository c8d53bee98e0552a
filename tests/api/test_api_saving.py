"""``keras.saving`` object serialization (Keras 3 and legacy) and ``KerasFileEditor`` on real Keras files."""

import pathlib

import h5py
import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import saving

FILES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "files"


@pytest.mark.parametrize("obj", [
    keras.regularizers.L2(0.1), keras.initializers.HeNormal(seed=3), keras.constraints.MaxNorm(2.0),
    keras.losses.Huber(delta=0.5), keras.metrics.AUC(num_thresholds=50), keras.optimizers.Adam(0.01),
    keras.optimizers.schedules.ExponentialDecay(0.1, 10, 0.9), keras.layers.Dense(3, activation="relu"),
])
def test_objects_round_trip(obj):
    config = saving.serialize_keras_object(obj)
    assert set(config) >= {"module", "class_name", "config", "registered_name"}
    again = saving.deserialize_keras_object(config)
    assert type(again) is type(obj) and again.get_config() == obj.get_config()


def test_functions_arrays_and_containers():
    relu = saving.serialize_keras_object(keras.activations.relu)
    assert relu == {"module": "builtins", "class_name": "function", "config": "relu", "registered_name": "function"}
    assert saving.deserialize_keras_object(relu) is keras.activations.relu
    array = saving.serialize_keras_object(np.arange(3))
    assert array == {"class_name": "__numpy__", "config": {"value": [0, 1, 2], "dtype": "int64"}}
    assert saving.deserialize_keras_object(array).tolist() == [0, 1, 2]
    tensor = saving.deserialize_keras_object(saving.serialize_keras_object(torch.tensor([1.5])))
    assert isinstance(tensor, torch.Tensor) and tensor.tolist() == [1.5]
    assert saving.deserialize_keras_object(saving.serialize_keras_object((1, {"a": "relu"}))) == [1, {"a": "relu"}]
    policy = saving.deserialize_keras_object(saving.serialize_keras_object(keras.DTypePolicy("mixed_float16")))
    assert policy.name == "mixed_float16"
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])
    assert isinstance(saving.deserialize_keras_object(saving.serialize_keras_object(model)), keras.Sequential)


def test_custom_objects_and_errors():
    @keras.saving.register_keras_serializable(package="TestApi")
    def scaled(x):
        return x * 2

    config = saving.serialize_keras_object(scaled)
    assert config["registered_name"] == "TestApi>scaled"
    assert saving.deserialize_keras_object(config) is scaled
    assert saving.get_registered_object("TestApi>scaled") is scaled
    assert saving.get_registered_object("nope", module_objects={"nope": 3}) == 3
    with pytest.raises(TypeError, match="Could not locate class 'Mystery'"):
        saving.deserialize_keras_object({"class_name": "Mystery", "config": {}})
    with pytest.raises(TypeError, match="Could not locate function 'relux'. Did you mean 'relu'"):
        saving.deserialize_keras_object({"class_name": "function", "config": "relux", "registered_name": "function"})


def test_legacy_serialization():
    legacy = keras.legacy.saving
    assert legacy.serialize_keras_object(keras.regularizers.L2(0.1)) == {"class_name": "L2", "config": {"l2": 0.1}}
    assert legacy.serialize_keras_object(keras.activations.relu) == "relu"
    obj = legacy.deserialize_keras_object({"class_name": "L2", "config": {"l2": 0.5}},
                                          module_objects={"L2": keras.regularizers.L2})
    assert isinstance(obj, keras.regularizers.L2) and obj.l2 == 0.5
    with pytest.raises(ValueError, match="Unknown regularizer: 'OrthogonalRegulariser'. Did you mean "
                                         "'OrthogonalRegularizer'"):
        legacy.deserialize_keras_object("OrthogonalRegulariser", module_objects={"OrthogonalRegularizer": 1},
                                        printable_module_name="regularizer")
    assert keras.utils.legacy is legacy


def test_file_editor_reads_a_real_keras_file(tmp_path, capsys):
    editor = saving.KerasFileEditor(FILES / "k3_cnn.keras")
    assert editor.config["class_name"] in ("Sequential", "Functional") and editor.metadata["keras_version"]
    with h5py.File(FILES / "k3_cnn.weights.h5", "r") as f:
        paths = []
        f.visititems(lambda name, obj: paths.append(name) if isinstance(obj, h5py.Dataset) else None)
    flat = []

    def walk(tree, prefix):
        for key, value in tree.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}/")
            else:
                flat.append(f"{prefix}{key}")

    walk(saving.KerasFileEditor(FILES / "k3_cnn.weights.h5").weights_dict, "")
    assert sorted(flat) == sorted(p.replace("vars/", "") for p in paths)
    editor.summary()
    assert "k3_cnn.keras" in capsys.readouterr().out
    model = keras.models.load_model(FILES / "k3_cnn.keras")
    assert editor.compare(model)["status"] == "success"
    out = tmp_path / "resaved.weights.h5"
    editor.save(out)
    fresh = keras.models.load_model(FILES / "k3_cnn.keras")
    for w in fresh.weights:
        torch.nn.init.zeros_(w)
    fresh.load_weights(out)
    x = np.load(FILES / "k3_cnn.npz")["x0"]
    np.testing.assert_allclose(fresh.predict(x, verbose=0), model.predict(x, verbose=0), rtol=1e-6)


def test_file_editor_edits(tmp_path):
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="a"), keras.layers.Dense(2, name="b")])
    path = tmp_path / "m.weights.h5"
    model.save_weights(path)
    editor = saving.KerasFileEditor(path)
    editor.rename_object("dense", "first")
    editor.delete_weight("layers/first", "1")
    editor.add_weights("first", {"1": np.ones(4, "float32")})
    editor.add_object("layers/extra", {"0": np.zeros((2, 2))})
    assert set(editor.weights_dict["layers"]) == {"first", "dense_1", "extra"}
    result = editor.compare(model)
    assert result == {"status": "error", "error_count": 3, "match_count": 2}
    editor.delete_object("extra")
    editor.rename_object("layers/first", "dense")
    assert editor.compare(model)["status"] == "success"
    with pytest.raises(ValueError, match="does not appear in the model"):
        editor.delete_object("nothing")
    with pytest.raises(ValueError, match="should be a leaf name"):
        editor.rename_object("dense", "a/b")
    with pytest.raises(ValueError, match="expected a `.weights.h5` extension"):
        editor.save(tmp_path / "x.h5")
    with pytest.raises(ValueError, match="expected a `.keras` `.weights.h5` extension"):
        saving.KerasFileEditor(tmp_path / "x.h5")
