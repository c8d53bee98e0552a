"""Raw ops in functional models: tf-keras's TFOpLambda files, Keras 3's operation entries, and both writers."""

from __future__ import annotations

import json
import zipfile

import h5py
import numpy as np
import pytest
from _saving_helpers import ROOT

import keras_torch as keras
from keras_torch.layers.tf_op_layer import TF_OPS, TFOpLambda

TF_OPS_FIXTURE = ROOT / "compat" / "fixtures" / "tf_ops"


def _reference():
    data = np.load(TF_OPS_FIXTURE / "tfk_tf_ops.npz")
    xs = [data["x0"], data["x1"]]
    ys = [data[f"y{i}"] for i in range(sum(k.startswith("y") for k in data.files))]
    return xs, ys


def _check(model, xs, ys):
    got = model.predict(xs, verbose=0)
    assert len(got) == len(ys)
    for i, (g, y) in enumerate(zip(got, ys)):
        np.testing.assert_allclose(g, y, rtol=1e-5, atol=1e-6, err_msg=f"output {i}")


@pytest.fixture(scope="module")
def tf_ops_model():
    with pytest.warns(UserWarning, match="training configuration"):
        return keras.models.load_model(TF_OPS_FIXTURE / "tfk_tf_ops.h5")


def test_tf_keras_raw_ops_model_loads_and_matches(tf_ops_model):
    xs, ys = _reference()
    ops = {type(lyr).__name__ for lyr in tf_ops_model.layers}
    assert {"TFOpLambda", "SlicingOpLambda"} <= ops
    _check(tf_ops_model, xs, ys)


def test_keras_file_records_keras3_operations(tf_ops_model, tmp_path):
    xs, ys = _reference()
    path = tmp_path / "ops.keras"
    tf_ops_model.save(path)
    with zipfile.ZipFile(path) as z:
        cfg = json.loads(z.read("config.json"))
    classes = {(e["module"], e["class_name"]) for e in cfg["config"]["layers"]}
    assert not any(c in ("TFOpLambda", "SlicingOpLambda") for _, c in classes)
    assert {("keras.src.ops.numpy", "Add"), ("keras.src.ops.numpy", "GetItem"), ("keras.src.ops.nn", "Relu6"),
            ("keras.src.ops.numpy", "Reshape"), ("keras.src.ops.core", "Cast")} <= classes
    _check(keras.models.load_model(path), xs, ys)


def test_h5_file_records_tfoplambda(tmp_path):
    path = tmp_path / "ops.h5"
    x, y = keras.Input((4, 6)), keras.Input((4, 6))
    model = keras.Model([x, y], [x + 3.0, (x * y)[:, 1:3, ::2], 2.0 - abs(x), -x])
    model.save(path)
    with h5py.File(path) as f:
        cfg = json.loads(f.attrs["model_config"])
    functions = sorted(e["config"]["function"] for e in cfg["config"]["layers"] if "function" in e["config"])
    assert functions == ["__operators__.add", "__operators__.getitem", "math.abs", "math.multiply", "math.negative",
                         "math.subtract"]
    sub = next(e for e in cfg["config"]["layers"] if e["config"].get("function") == "math.subtract")
    assert sub["inbound_nodes"][0][0] == "_CONSTANT_VALUE"  # 2.0 - |x|: the constant comes first
    data = [np.random.default_rng(0).normal(size=(2, 4, 6)).astype("float32") for _ in range(2)]
    want = model.predict(data, verbose=0)
    with pytest.warns(UserWarning, match="training configuration"):
        got = keras.models.load_model(path).predict(data, verbose=0)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_operators_record_serializable_keras3_operations():
    x = keras.Input((3,))
    model = keras.Model(x, [x + 1.0, 2.0 * x, x[:, :2], x / 3.0, x ** 2])
    cfg = model.get_config()
    ops = [(e["module"], e["class_name"]) for e in cfg["layers"][1:]]
    assert ops == [("keras.src.ops.numpy", c) for c in ("Add", "Multiply", "GetItem", "TrueDivide", "Power")]
    multiply = cfg["layers"][2]["inbound_nodes"][0]["args"]
    assert multiply[0] == 2.0  # the constant keeps its position, as Keras 3 records it
    getitem = cfg["layers"][3]["inbound_nodes"][0]["args"][1]
    assert getitem[1] == {"class_name": "__slice__", "config": {"start": None, "stop": 2, "step": None}}
    rebuilt = keras.Model.from_config(cfg)
    data = np.arange(6, dtype="float32").reshape(2, 3)
    for g, w in zip(rebuilt.predict(data, verbose=0), model.predict(data, verbose=0)):
        np.testing.assert_array_equal(g, w)


def test_unmapped_tf_op_is_named():
    with pytest.raises(ValueError, match=r"'tf.math.bessel_i0'.*not supported"):
        TFOpLambda(function="math.bessel_i0")
    with pytest.raises(ValueError, match="Did you mean 'math.multiply'"):
        TFOpLambda(function="math.multiplyy")


def test_op_names_are_looked_up_never_imported(tmp_path):
    """A hostile ``function`` (an importable callable) is just an unknown name: nothing runs."""
    entry = {"class_name": "TFOpLambda", "config": {"name": "evil", "function": "os.system", "trainable": True,
                                                    "dtype": "float32"}}
    with pytest.raises(ValueError, match="'tf.os.system'"):
        keras.layers.deserialize(entry)
    assert "os.system" not in TF_OPS


def test_unknown_keras3_operation_is_named():
    entry = {"module": "keras.src.ops.numpy", "class_name": "Kaiser", "config": {"name": "kaiser"},
             "registered_name": "Kaiser"}
    with pytest.raises(ValueError, match="Unknown Keras operation 'Kaiser'"):
        keras.layers.deserialize(entry)
