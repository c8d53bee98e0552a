"""Text, lookup and categorical layers against real Keras 3 outputs (compat/fixtures/text_layers,
cases in compat/text_cases.py), plus the behaviour the fixtures cannot show (errors, symbolic use)."""

from __future__ import annotations

import json
import pathlib
import types

import numpy as np
import pytest
import torch

import keras_torch as keras
from compat import text_cases

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "text_layers" / "values.npz"
EXPECTED = np.load(FIXTURE)


def _numpy_fns() -> types.SimpleNamespace:
    def replace_fox(x):
        return np.char.replace(x, "fox", "wolf")

    def split_commas(x):
        return [s.split(",") for s in x]

    return types.SimpleNamespace(replace_fox=replace_fox, split_commas=split_commas, ragged_supported=True,
                                 ragged_to_list=lambda nested: [t.tolist() for t in nested.unbind()])


GOT = text_cases.cases(keras, _numpy_fns())


def _array(value):
    return value.numpy() if isinstance(value, torch.Tensor) else np.asarray(value)


@pytest.mark.parametrize("key", sorted(k for k in EXPECTED.files if not k.startswith("dtype_")))
def test_matches_keras(key):
    want = EXPECTED[key]
    got = GOT[key]
    if want.dtype.kind == "U":
        assert json.loads(got) == json.loads(str(want)), key
        return
    got = _array(got)
    assert got.shape == want.shape, f"{key}: shape {got.shape} != {want.shape}"
    if want.dtype.kind == "f":
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    else:
        np.testing.assert_array_equal(got, want)
    assert str(got.dtype) == str(EXPECTED[f"dtype_{key}"]), f"{key}: dtype {got.dtype}"


def test_every_case_has_a_fixture():
    assert set(GOT) == set(EXPECTED.files)


# ---------------------------------------------------------------------- behaviour beyond the fixtures
class _StandInTensor:
    """What the tf stand-in's string constants look like to a layer: an object with ``.numpy()``."""

    def __init__(self, value):
        self.value = value

    def numpy(self):
        return self.value


@pytest.mark.parametrize("make", [
    lambda t: t, tuple, lambda t: np.array(t), lambda t: np.array(t, dtype=object),
    lambda t: np.array([s.encode() for s in t]), lambda t: np.array([s.encode() for s in t], dtype=object),
    lambda t: _StandInTensor(np.array([s.encode() for s in t], dtype=object)),
], ids=["list", "tuple", "str_array", "object_array", "bytes_array", "object_bytes", "numpy_method"])
def test_string_input_types(make):
    layer = keras.layers.TextVectorization(vocabulary=["é", "b"], output_sequence_length=3)
    texts = ["é b", "b c é"]
    np.testing.assert_array_equal(layer(make(texts)).numpy(), [[2, 3, 0], [3, 1, 2]])


def test_scalar_and_bytes_strings():
    lookup = keras.layers.StringLookup(vocabulary=["a", "b"])
    assert lookup("b").item() == 2 and lookup(b"a").item() == 1
    assert lookup(np.array([["a"], ["zz"]])).shape == (2, 1)


def test_non_string_input_is_rejected_with_the_layer_name():
    lookup = keras.layers.StringLookup(vocabulary=["a"], name="words")
    with pytest.raises(TypeError, match="Layer 'words'.*torch tensors cannot hold strings"):
        lookup(torch.ones(2))
    with pytest.raises(TypeError, match="ragged"):
        lookup([["a"], ["a", "b"]])


def test_invert_gives_numpy_strings():
    out = keras.layers.StringLookup(vocabulary=["x", "y"], invert=True)(np.array([[1, 2, 5]]))
    assert isinstance(out, np.ndarray) and out.dtype == object and out.tolist() == [["x", "y", "[UNK]"]]


def test_no_oov_indices_rejects_unknown_tokens():
    lookup = keras.layers.StringLookup(vocabulary=["a"], num_oov_indices=0)
    with pytest.raises(ValueError, match=r"found OOV values \['zz'\]"):
        lookup(["a", "zz"])


def test_adapt_from_batches_and_steps():
    def batches():
        yield np.array(["a b", "b"])
        yield ["c c c"]
        yield ["d d d d"]

    layer = keras.layers.TextVectorization()
    layer.adapt(batches(), steps=2)
    assert layer.get_vocabulary() == ["", "[UNK]", "c", "b", "a"]
    lookup = keras.layers.IntegerLookup()
    lookup.adapt(torch.utils.data.DataLoader(torch.tensor([[1, 2], [2, 2], [3, 1]]), batch_size=2))
    assert lookup.get_vocabulary() == [-1, 2, 1, 3]


def test_adapting_a_given_vocabulary_fails():
    layer = keras.layers.StringLookup(vocabulary=["a"])
    with pytest.raises(ValueError, match="Cannot adapt layer"):
        layer.adapt(["b"])


def test_vocabulary_file_and_safe_mode(tmp_path):
    path = tmp_path / "v.txt"
    path.write_text("b\na\n", encoding="utf-8")
    assert keras.layers.StringLookup(vocabulary=str(path)).get_vocabulary() == ["[UNK]", "b", "a"]
    from keras_torch.core import config

    with config.safe_mode_scope(True), pytest.raises(ValueError, match="outside of the model archive"):
        keras.layers.StringLookup(vocabulary=str(path))


def test_multi_hot_vocabulary_cannot_change_size():
    layer = keras.layers.StringLookup(output_mode="multi_hot")
    layer.adapt(["a", "b"])
    with pytest.raises(RuntimeError, match="cannot be changed"):
        layer.adapt(["a", "b", "c"])


def test_registered_callables_serialize_like_keras():
    @keras.saving.register_keras_serializable(package="text_test")
    def shout(x):
        return np.char.upper(x)

    layer = keras.layers.TextVectorization(standardize=shout, vocabulary=["HI"])
    cfg = layer.get_config()
    assert cfg["standardize"] == {"module": "builtins", "class_name": "function", "config": "text_test>shout",
                                  "registered_name": "function"}
    revived = keras.layers.TextVectorization.from_config(json.loads(json.dumps(cfg)))
    np.testing.assert_array_equal(revived(["hi there"]).numpy(), [[2, 1]])
    with pytest.raises(ValueError, match="Invalid value for argument `standardize`"):
        keras.layers.TextVectorization(standardize="lowercase")


def test_ragged_output_is_a_jagged_nested_tensor():
    layer = keras.layers.TextVectorization(vocabulary=["a", "b"], ragged=True)
    out = layer(["a b a", "", "b"])
    assert out.is_nested and [t.tolist() for t in out.unbind()] == [[2, 3, 2], [], [3]]


def test_string_model_fits_and_predicts():
    texts = np.array(["good movie", "bad film", "great movie", "awful bad"] * 4)
    labels = np.array([1, 0, 1, 0] * 4, dtype="float32")
    vectorize = keras.layers.TextVectorization(max_tokens=12, output_sequence_length=3)
    vectorize.adapt(texts)
    inputs = keras.Input(shape=(1,), dtype="string")
    assert inputs.dtype == "string"
    x = keras.layers.Embedding(12, 4)(vectorize(inputs))
    outputs = keras.layers.Dense(1, activation="sigmoid")(keras.layers.GlobalAveragePooling1D()(x))
    model = keras.Model(inputs, outputs)
    model.compile("adam", "binary_crossentropy")
    history = model.fit(texts[:, None], labels, batch_size=4, epochs=2, shuffle=True, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(texts[:5, None], verbose=0).shape == (5, 1)
    seq = keras.Sequential([keras.Input(shape=(), dtype="string"), vectorize, keras.layers.Embedding(12, 2)])
    assert seq.predict(texts[:3], verbose=0).shape == (3, 3, 2)


def test_export_refuses_string_inputs_and_lookup_layers(tmp_path):
    pytest.importorskip("onnx")
    from keras_torch.export._common import ExportError

    inputs = keras.Input(shape=(1,), dtype="string")
    vectorize = keras.layers.TextVectorization(vocabulary=["a"], output_sequence_length=2, name="words")
    model = keras.Model(inputs, keras.layers.Embedding(3, 2)(vectorize(inputs)))
    with pytest.raises(ExportError, match="TextVectorization 'words'.*export the model that starts after"):
        model.export(str(tmp_path / "m.onnx"), format="onnx")
    hashed = keras.Sequential([keras.Input((3,), dtype="int64"),
                               keras.layers.IntegerLookup(vocabulary=[1, 2], num_oov_indices=2, oov_method="farmhash")])
    with pytest.raises(ExportError, match="IntegerLookup.*cannot be exported"):
        hashed.export(str(tmp_path / "i.onnx"), format="onnx")


@pytest.mark.parametrize("kwargs", [{"mask_token": 0}, {"num_oov_indices": 3}, {"output_mode": "multi_hot"},
                                    {"output_mode": "tf_idf", "idf_weights": [0.5, 1.5, 2.0]}])
def test_integer_lookup_exports(tmp_path, kwargs):
    ort = pytest.importorskip("onnxruntime")
    model = keras.Sequential([keras.Input((4,), dtype="int64"),
                              keras.layers.IntegerLookup(vocabulary=[7, 3, 9], **kwargs)])
    model.export(str(tmp_path / "m.onnx"), format="onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    x = np.array([[7, 0, 9, -4], [3, 3, 12, 5]], dtype="int64")
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(got, model.predict(x, verbose=0), rtol=1e-6)


def test_category_encoding_and_discretization_export(tmp_path):
    ort = pytest.importorskip("onnxruntime")
    model = keras.Sequential([keras.Input((3,)), keras.layers.Discretization(bin_boundaries=[0.0, 1.0]),
                              keras.layers.CategoryEncoding(num_tokens=3, output_mode="count")])
    model.export(str(tmp_path / "m.onnx"), format="onnx")
    session = ort.InferenceSession(str(tmp_path / "m.onnx"))
    x = np.array([[-1.0, 0.5, 2.0], [0.0, 0.0, 1.0]], dtype="float32")
    got = session.run(None, {session.get_inputs()[0].name: x})[0]
    np.testing.assert_array_equal(got, model.predict(x, verbose=0))


def test_token_ids_follow_the_model_to_its_device():
    # The ids are made on the host; inside a model they go where the model's weights are (here the
    # meta device stands in for a GPU), so the next layer never sees a device mismatch.
    vectorize = keras.layers.TextVectorization(vocabulary=["a", "b"], output_sequence_length=3)
    model = keras.Sequential([keras.Input(shape=(1,), dtype="string"), vectorize, keras.layers.Embedding(4, 2)])
    model.to("meta")
    out = model(np.array([["a b"]]))
    assert out.device.type == "meta" and tuple(out.shape) == (1, 3, 2)
    assert vectorize(np.array([["a b"]])).device.type == "cpu"  # called alone: no weights, stays on the host


def test_old_experimental_paths_and_preprocessing_layer_base():
    old = keras.layers.experimental.preprocessing
    assert old.TextVectorization is keras.layers.TextVectorization and old.Rescaling is keras.layers.Rescaling
    assert keras.layers.experimental.StringLookup is keras.layers.StringLookup

    class Mean(old.PreprocessingLayer):
        def build(self, input_shape):
            self.total, self.count = 0.0, 0

        def update_state(self, data):
            self.total += float(np.sum(data))
            self.count += int(np.size(data))

        def reset_state(self):
            self.total, self.count = 0.0, 0

        def finalize_state(self):
            self.mean = self.total / self.count

        def call(self, x):
            return x - self.mean

    layer = Mean()
    assert not layer.is_adapted
    layer.adapt(np.arange(100.0), batch_size=7)
    assert layer.is_adapted and layer.mean == 49.5
    layer.adapt(np.ones(5))
    assert layer.mean == 1.0


def test_numeric_layers_name_string_inputs():
    with pytest.raises(ValueError, match=r"Layer 'dense_in' \(Dense\) received data of dtype <U1"):
        keras.layers.Dense(2, name="dense_in")(np.array([["a", "b"]]))


def test_predict_with_ragged_output_joins_the_batches():
    layer = keras.layers.TextVectorization(vocabulary=["the", "cat", "dog"], ragged=True)
    inp = keras.Input(shape=(), dtype="string")
    model = keras.Model(inp, layer(inp))
    texts = np.array(["the cat", "dog dog the cat", "x"] * 5, dtype=object)
    out = model.predict(texts, batch_size=4, verbose=0)  # 4 batches of ragged rows
    assert out.is_nested
    rows = [r.tolist() for r in out.unbind()]
    assert rows == [[2, 3], [4, 4, 2, 3], [1]] * 5
