"""Behaviour of the image augmentation layers: training vs inference, seeding, dict inputs (boxes,
labels, masks), unbatched and symbolic inputs, fit, files, devices and argument errors.

Numeric parity with real Keras lives in ``test_augmentation_parity.py``.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers as L
from keras_torch.saving import load_model

RANDOM_LAYERS = [
    (L.RandomFlip, {}), (L.RandomRotation, {"factor": 0.2}), (L.RandomZoom, {"height_factor": 0.2}),
    (L.RandomTranslation, {"height_factor": 0.1, "width_factor": 0.2}), (L.RandomShear, {"x_factor": 0.2}),
    (L.RandomPerspective, {}), (L.RandomElasticTransform, {}), (L.RandomCrop, {"height": 6, "width": 7}),
    (L.RandomHeight, {"factor": (0.3, 0.6)}), (L.RandomWidth, {"factor": (0.3, 0.6)}),
    (L.RandomBrightness, {"factor": 0.2}), (L.RandomContrast, {"factor": 0.3}), (L.RandomHue, {"factor": 0.3}),
    (L.RandomSaturation, {"factor": 0.3}), (L.RandomGrayscale, {}), (L.RandomColorDegeneration, {"factor": 0.5}),
    (L.RandomColorJitter, {"brightness_factor": 0.2, "hue_factor": 0.2}), (L.RandomInvert, {}),
    (L.RandomPosterization, {"factor": 3}), (L.Solarization, {"addition_factor": 0.3, "threshold_factor": 0.5}),
    (L.RandomSharpness, {"factor": 0.8}), (L.RandomGaussianBlur, {}), (L.RandomErasing, {}), (L.CutMix, {}),
    (L.MixUp, {}), (L.RandAugment, {}), (L.AugMix, {}), (L.Equalization, {}),
]
IDS = [cls.__name__ for cls, _ in RANDOM_LAYERS]


def _images(n=4, h=10, w=12, c=3, seed=0):
    return torch.from_numpy(np.random.default_rng(seed).uniform(0, 255, (n, h, w, c)).astype("float32"))


@pytest.mark.parametrize("cls,kwargs", RANDOM_LAYERS, ids=IDS)
def test_identity_at_inference_and_active_in_training(cls, kwargs):
    x = _images()
    layer = cls(seed=3, **kwargs) if cls is not L.Equalization else cls(**kwargs)
    state = None if layer.generator is None else layer.generator.state.clone()
    torch.testing.assert_close(layer(x, training=False), x)
    if state is not None:  # nothing is drawn at inference
        assert torch.equal(layer.generator.state, state)
    out = layer(x, training=True)
    assert out.shape != x.shape or not torch.equal(out, x), f"{cls.__name__} changed nothing while training"
    assert not torch.equal(layer(x), layer(x, training=False)), "a direct call trains (Keras's default)"


def test_predict_is_identity_and_fit_augments():
    seen = []

    class Spy(L.Layer):
        def call(self, x, training=False):
            seen.append(bool(training))
            return x

    x = _images(8, 16, 16).numpy()
    model = keras.Sequential([keras.Input((16, 16, 3)), L.RandomFlip(seed=1), L.RandomRotation(0.2, seed=2),
                              L.RandomZoom(0.2, seed=3), Spy()])
    np.testing.assert_allclose(model.predict(x, verbose=0), x, atol=1e-6)
    head = keras.Sequential([model, L.GlobalAveragePooling2D(), L.Dense(1)])
    head.compile("adam", "mse")
    head.fit(x, np.zeros((8, 1)), epochs=1, batch_size=4, verbose=0)
    assert seen[-2:] == [True, True]


def test_seed_generator_semantics():
    x = _images()
    a, b = L.RandomRotation(0.3, seed=7), L.RandomRotation(0.3, seed=7)
    first = a(x)
    torch.testing.assert_close(first, b(x))
    assert not torch.equal(first, a(x)), "successive draws differ"
    assert not torch.equal(first, L.RandomRotation(0.3, seed=8)(x))


def test_one_transformation_for_every_part_of_a_dict():
    x = _images(3, 12, 14)
    masks = x[..., :1].clone()
    boxes = {"boxes": np.array([[[2, 3, 8, 9]]] * 3, "float32"), "labels": np.array([[1]] * 3)}
    for make in (lambda: L.RandomFlip(seed=5, bounding_box_format="xyxy"),
                 lambda: L.RandomTranslation(0.3, 0.3, seed=5, bounding_box_format="xyxy", interpolation="nearest"),
                 lambda: L.RandomRotation(0.4, seed=5, bounding_box_format="xyxy", interpolation="nearest")):
        layer, twin = make(), make()
        out = layer({"images": x, "segmentation_masks": masks, "bounding_boxes": boxes, "labels": torch.eye(3)})
        t = twin.get_random_transformation(x)
        torch.testing.assert_close(out["images"], twin.transform_images(x, t))
        torch.testing.assert_close(out["segmentation_masks"], out["images"][..., :1])
        want = twin.transform_bounding_boxes({k: torch.as_tensor(v) for k, v in boxes.items()}, t)
        torch.testing.assert_close(out["bounding_boxes"]["boxes"], want["boxes"])
        torch.testing.assert_close(out["labels"], torch.eye(3))


def test_box_geometry():
    boxes = {"boxes": np.array([[[1.0, 2.0, 4.0, 6.0]]], "float32"), "labels": np.array([[3]])}
    x = torch.zeros(1, 10, 20, 3)
    flip = L.RandomFlip("horizontal", bounding_box_format="xyxy")
    t = {"flips": torch.ones(1, 1, 1, 1, dtype=torch.bool), "input_shape": (1, 10, 20, 3)}
    got = flip.transform_bounding_boxes({k: torch.as_tensor(v) for k, v in boxes.items()}, t)
    torch.testing.assert_close(got["boxes"], torch.tensor([[[16.0, 2.0, 19.0, 6.0]]]))
    crop = L.CenterCrop(6, 10, bounding_box_format="xyxy")
    out = crop({"images": x, "bounding_boxes": boxes})
    torch.testing.assert_close(out["bounding_boxes"]["boxes"], torch.tensor([[[0.0, 0.0, 0.0, 4.0]]]))
    assert out["bounding_boxes"]["labels"].tolist() == [[-1]]  # no area left: label -1
    with pytest.raises(ValueError, match="bounding_box_format"):
        L.RandomFlip()({"images": x, "bounding_boxes": boxes})
    with pytest.raises(NotImplementedError, match="CutMix"):
        L.CutMix(bounding_box_format="xyxy")({"images": torch.zeros(2, 4, 4, 3), "bounding_boxes": {"boxes": np.zeros((2, 1, 4)),
                                                                          "labels": np.zeros((2, 1))}})


def test_ragged_box_lists_are_padded_and_max_num_bounding_boxes():
    data = {"images": _images(2), "bounding_boxes": {"boxes": [[[1, 2, 5, 6.0]], [[3, 3, 9, 9.0], [0, 0, 4, 4.0]]],
                                                      "labels": [[1], [2, 3]]}}
    out = L.RandomFlip(bounding_box_format="xyxy")(data, training=False)
    assert out["bounding_boxes"]["boxes"].shape == (2, 2, 4)
    assert out["bounding_boxes"]["labels"].tolist() == [[1, -1], [2, 3]]
    out = L.MaxNumBoundingBoxes(3, bounding_box_format="xyxy")(data)
    assert out["bounding_boxes"]["boxes"].shape == (2, 3, 4)
    assert out["bounding_boxes"]["labels"].tolist() == [[1, -1, -1], [2, 3, -1]]


def test_unbatched_and_channels_first():
    x = _images(1)[0]
    assert L.RandomRotation(0.2)(x).shape == x.shape
    assert L.RandomCrop(5, 6)(x).shape == (5, 6, 3)
    out = L.RandomZoom(0.2, bounding_box_format="xyxy")({"images": x, "bounding_boxes": {
        "boxes": np.array([[1, 1, 5, 5.0]]), "labels": np.array([2])}})
    assert out["images"].shape == x.shape and out["bounding_boxes"]["boxes"].shape == (1, 4)
    xc = _images().permute(0, 3, 1, 2)
    for layer in (L.RandomFlip(data_format="channels_first"), L.RandomHue(0.3, data_format="channels_first"),
                  L.RandomTranslation(0.2, 0.2, data_format="channels_first"),
                  L.Equalization(data_format="channels_first")):
        assert layer(xc).shape == xc.shape


def test_symbolic_inputs():
    out = L.RandomCrop(5, 6)(keras.Input((10, 12, 3)))
    assert out.shape == (None, 5, 6, 3)
    assert L.RandomHeight(0.2)(keras.Input((10, 12, 3))).shape == (None, None, 12, 3)
    outs = L.RandomFlip()({"images": keras.Input((8, 8, 3)), "labels": keras.Input((4,))})
    assert outs["images"].shape == (None, 8, 8, 3) and outs["labels"].shape == (None, 4)
    shapes = L.MaxNumBoundingBoxes(5).compute_output_shape(
        {"images": (None, 8, 8, 3), "bounding_boxes": {"boxes": (None, 3, 4), "labels": (None, 3)}})
    assert shapes["bounding_boxes"] == {"boxes": (None, 5, 4), "labels": (None, 5)}


def test_pipeline_config_and_call():
    pipe = L.Pipeline([L.RandomFlip(seed=1), L.RandomRotation(0.1, seed=2)], name="aug")
    x = _images()
    torch.testing.assert_close(pipe(x, training=False), x)
    assert pipe(x).shape == x.shape
    revived = L.Pipeline.from_config(pipe.get_config())
    assert [type(layer).__name__ for layer in revived.layers] == ["RandomFlip", "RandomRotation"]
    assert revived.layers[1].get_config()["factor"] == pipe.layers[1].get_config()["factor"]
    with pytest.raises(ValueError, match="layers"):
        L.Pipeline.from_config({"name": "p"})


def test_keras_file_round_trip(tmp_path):
    model = keras.Sequential([keras.Input((12, 12, 3)), L.RandomFlip(seed=1), L.RandAugment(seed=2),
                              L.AugMix(seed=3), L.RandomColorJitter(hue_factor=0.1), L.Conv2D(2, 3)])
    x = _images(2, 12, 12).numpy()
    model.save(tmp_path / "m.keras")
    loaded = load_model(tmp_path / "m.keras")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-5)
    for a, b in zip(loaded.layers, model.layers):
        assert json.loads(json.dumps(a.get_config())) == json.loads(json.dumps(b.get_config()))


def test_argument_errors_name_the_layer():
    with pytest.raises(ValueError, match="factor"):
        L.RandomContrast(1.5)
    with pytest.raises(NotImplementedError, match="fill_mode"):
        L.RandomRotation(0.1, fill_mode="mirror")
    with pytest.raises(ValueError, match="height_factor"):
        L.RandomZoom(-1.0)
    with pytest.raises(ValueError, match="kernel_size"):
        L.RandomGaussianBlur(kernel_size=4)
    with pytest.raises(ValueError, match="rank 3"):
        L.RandomFlip()(torch.zeros(2, 3))
    with pytest.raises(ValueError, match="value_range"):
        L.RandomBrightness(0.1, value_range=5)
    with pytest.raises(ValueError, match="mode"):
        L.RandomFlip("diagonal")


def test_tf_keras_experimental_paths():
    assert L.experimental.preprocessing.RandomFlip is L.RandomFlip
    assert L.experimental.preprocessing.RandomHeight is L.RandomHeight


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_runs_on_the_device_of_the_images():
    x = _images().cuda()
    for cls, kwargs in RANDOM_LAYERS:
        layer = cls(**kwargs)
        out = layer(x)
        assert out.device == x.device, cls.__name__
    model = keras.Sequential([keras.Input((10, 12, 3)), L.RandomFlip(), L.RandomRotation(0.2), L.Conv2D(2, 3)])
    model.to("cuda")
    assert model(_images(), training=True).device.type == "cuda"
