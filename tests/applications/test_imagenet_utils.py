"""preprocess_input / decode_predictions against real Keras, and weights="imagenet" end to end."""

from __future__ import annotations

import hashlib
import json
import os

import numpy as np
import pytest
import torch
from _app_helpers import FIXTURES

import keras_torch as keras
from keras_torch.applications import imagenet_utils, mobilenet_v3

REF = np.load(FIXTURES / "_preprocess_input.npz")


@pytest.mark.parametrize("mode", ["caffe", "tf", "torch"])
@pytest.mark.parametrize("kind", ["numpy", "tensor"])
def test_preprocess_input_matches_keras(mode, kind):
    images = REF["images"]
    chw = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
    for data, data_format, key in ((images, "channels_last", "last"), (chw, "channels_first", "first"),
                                   (chw[0], "channels_first", "single_first")):
        x = data.copy() if kind == "numpy" else torch.tensor(data)
        out = imagenet_utils.preprocess_input(x, data_format=data_format, mode=mode)
        assert isinstance(out, np.ndarray if kind == "numpy" else torch.Tensor)
        np.testing.assert_allclose(np.asarray(out), REF[f"{mode}_{key}"], rtol=1e-6, atol=1e-5)
    if kind == "tensor":  # the caller's tensor is left alone
        t = torch.tensor(images)
        imagenet_utils.preprocess_input(t, mode=mode)
        np.testing.assert_array_equal(t.numpy(), images)


def test_family_preprocessing_modes():
    x = np.full((1, 2, 2, 3), 255.0, dtype="float32")
    assert float(keras.applications.resnet_v2.preprocess_input(x.copy()).max()) == pytest.approx(1.0)
    assert float(keras.applications.vgg16.preprocess_input(x.copy())[0, 0, 0, 0]) == pytest.approx(255 - 103.939)
    np.testing.assert_array_equal(keras.applications.efficientnet.preprocess_input(x), x)
    ints = np.full((1, 2, 2, 3), 255, dtype="uint8")
    assert keras.applications.xception.preprocess_input(ints).dtype == np.float32
    with pytest.raises(ValueError, match="mode"):
        imagenet_utils.preprocess_input(x, mode="pytorch")


def _class_index(root) -> str:
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    path = root / "imagenet_class_index.json"
    path.write_text(json.dumps(index))
    return hashlib.md5(path.read_bytes()).hexdigest()


def test_decode_predictions_fetches_the_class_index(weights_server, monkeypatch):
    monkeypatch.setattr(imagenet_utils, "CLASS_INDEX_HASH", _class_index(weights_server.root))
    monkeypatch.setattr(imagenet_utils, "_CLASS_INDEX", {})
    preds = np.zeros((2, 1000), dtype="float32")
    preds[0, [3, 7]] = [0.9, 0.1]
    preds[1, 999] = 1.0
    decoded = keras.applications.resnet50.decode_predictions(preds, top=2)
    assert decoded[0][0][:2] == ("n00000003", "class_3") and decoded[0][0][2] == pytest.approx(0.9)
    assert decoded[0][1][1] == "class_7" and decoded[1][0][1] == "class_999"
    cached = os.path.join(os.environ["KERAS_HOME"], "models", "imagenet_class_index.json")
    assert os.path.exists(cached) and weights_server.requests == ["/imagenet_class_index.json"]
    with pytest.raises(ValueError, match="expects a batch of predictions"):
        keras.applications.resnet50.decode_predictions(np.zeros((2, 10)))


def _reference_mobilenet(path, alpha=0.25, size=128):
    ref = keras.applications.MobileNet(input_shape=(size, size, 3), alpha=alpha, weights=None, include_top=False)
    rng = np.random.default_rng(5)
    ref.set_weights([rng.normal(size=w.shape).astype("float32") for w in ref.get_weights()])
    ref.save_weights(path)  # a Keras 2 .h5 weights file, the layout of Keras's official files
    return ref


def test_imagenet_weights_from_a_mirror_then_the_cache(weights_server):
    (weights_server.root / "mobilenet").mkdir()
    served = weights_server.root / "mobilenet" / "mobilenet_2_5_128_tf_no_top.h5"
    ref = _reference_mobilenet(served)
    model = keras.applications.MobileNet(input_shape=(128, 128, 3), alpha=0.25, weights="imagenet", include_top=False)
    for got, want in zip(model.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(got, want)
    assert weights_server.requests == ["/mobilenet/mobilenet_2_5_128_tf_no_top.h5"]
    assert os.path.exists(os.path.join(os.environ["KERAS_HOME"], "models", served.name))
    served.unlink()  # the second time the Keras cache answers
    again = keras.applications.MobileNet(input_shape=(128, 128, 3), alpha=0.25, weights="imagenet", include_top=False)
    np.testing.assert_array_equal(again.get_weights()[0], ref.get_weights()[0])
    assert len(weights_server.requests) == 1


def test_imagenet_weights_are_checked_against_their_hash(weights_server, monkeypatch):
    (weights_server.root / "mobilenet_v3").mkdir()
    served = weights_server.root / "mobilenet_v3" / "weights_mobilenet_v3_small_224_1.0_float_no_top_v2.h5"
    ref = keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), weights=None, include_top=False)
    ref.save_weights(served)
    with pytest.raises(ValueError, match="hash"), pytest.warns(UserWarning, match="224"):
        # Keras's real hash: the fake file is refused
        keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), weights="imagenet", include_top=False)
    digest = hashlib.md5(served.read_bytes()).hexdigest()
    monkeypatch.setitem(mobilenet_v3.WEIGHTS_HASHES, "small_224_1.0_float", (digest, digest))
    with pytest.warns(UserWarning, match="224"):
        model = keras.applications.MobileNetV3Small(input_shape=(32, 32, 3), weights="imagenet", include_top=False)
    np.testing.assert_array_equal(model.get_weights()[0], ref.get_weights()[0])


def test_imagenet_weights_without_network_name_the_mirror(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.delenv("KERAS_TORCH_MODELS_MIRROR", raising=False)
    monkeypatch.setenv("KERAS_TORCH_MODELS_MIRROR", str(tmp_path / "empty_mirror"))
    with pytest.raises(Exception, match="mobilenet_2_5_128_tf_no_top.h5"):
        keras.applications.MobileNet(input_shape=(128, 128, 3), alpha=0.25, weights="imagenet", include_top=False)
