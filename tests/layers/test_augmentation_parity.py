"""Image augmentation layers against real Keras 3.15 (fixtures from ``compat/gen/augmentation.py``).

* Deterministic part: Keras's sampled transformation is fed to keras_torch's ``transform_images`` /
  ``transform_bounding_boxes`` / ``transform_labels`` / ``transform_segmentation_masks``; outputs
  match to 1e-5 absolute + 1e-4 relative. Interpolation tolerance: bilinear resampling runs on
  ``grid_sample``, whose float32 normalised grid moves sampling points by about 1e-7 x size pixels,
  so layers that resample allow 1e-6 x the input's value range absolute (2.6e-4 on 0..255 images).
* Random part: the parameters keras_torch samples follow Keras's distributions (two-sample
  Kolmogorov-Smirnov at the 0.1% level, and within Keras's sampled range widened by 10%).
* ``keras.utils.bounding_boxes`` matches Keras call by call; Keras ``.keras`` files with augmentation
  layers load and predict the same (augmentation is the identity in ``predict``).
"""

from __future__ import annotations

import json
import math
import pathlib
import random

import numpy as np
import pytest
import torch

from keras_torch import layers as L
from keras_torch.saving import load_model
from keras_torch.utils import bounding_boxes as bb

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "augmentation"
TRANSFORMS = json.loads((FIXTURES / "transforms.json").read_text())
ARRAYS = dict(np.load(FIXTURES / "transforms.npz"))
DISTRIBUTIONS = json.loads((FIXTURES / "distributions.json").read_text())
SAMPLES = dict(np.load(FIXTURES / "distributions.npz"))


def _decode(v, arrays=ARRAYS):
    if isinstance(v, dict):
        if "__array__" in v:
            return torch.from_numpy(np.array(arrays[v["__array__"]]))
        if "__tuple__" in v:
            return tuple(_decode(x, arrays) for x in v["__tuple__"])
        if "__dict__" in v:
            return {k: _decode(x, arrays) for k, x in v["__dict__"].items()}
    if isinstance(v, list):
        return [_decode(x, arrays) for x in v]
    return v


RESAMPLING = {"RandomRotation", "RandomTranslation", "RandomZoom", "RandomShear", "RandomPerspective",
              "RandomElasticTransform", "RandAugment", "AugMix"}


def _close(got, want, what: str, atol: float = 1e-5) -> float:
    got = got.detach().cpu().numpy() if isinstance(got, torch.Tensor) else np.asarray(got)
    assert got.shape == want.shape, f"{what}: shape {got.shape} != Keras {want.shape}"
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=1e-4, atol=atol, err_msg=what)
    return float(np.max(np.abs(got.astype(np.float64) - want))) if got.size else 0.0


@pytest.mark.parametrize("case", TRANSFORMS["cases"], ids=[c["id"] for c in TRANSFORMS["cases"]])
def test_transform_matches_keras(case):
    cid = case["id"]
    layer = getattr(L, case["class"])(**_decode(case["kwargs"]))
    t = _decode(case["transformation"])
    images = torch.from_numpy(ARRAYS[f"{cid}/in/images"])
    atol = max(1e-5, 1e-6 * float(images.abs().max())) if case["class"] in RESAMPLING else 1e-5
    _close(layer.transform_images(images, t, training=True), ARRAYS[f"{cid}/out/images"], f"{cid} images", atol)
    outputs = case["outputs"]
    if "boxes" in outputs:
        boxes = {"boxes": torch.from_numpy(ARRAYS[f"{cid}/in/boxes"]),
                 "labels": torch.from_numpy(ARRAYS[f"{cid}/in/box_labels"])}
        got = layer.transform_bounding_boxes(boxes, t, training=True)
        _close(got["boxes"], ARRAYS[f"{cid}/out/boxes"], f"{cid} boxes")
        labels = got["labels"].numpy()
        if case["class"] == "MixUp":
            # Keras appends the partner's labels along the batch axis; keras_torch along the box axis
            # (next to the partner's boxes): the same values.
            n = labels.shape[1] // 2
            labels = np.concatenate([labels[:, :n], labels[:, n:]], 0)
        np.testing.assert_array_equal(labels, ARRAYS[f"{cid}/out/box_labels"], err_msg=f"{cid} box labels")
    if "labels" in outputs:
        got = layer.transform_labels(torch.from_numpy(ARRAYS[f"{cid}/in/labels"]), t, training=True)
        _close(got, ARRAYS[f"{cid}/out/labels"], f"{cid} labels")
    if "masks" in outputs:
        got = layer.transform_segmentation_masks(torch.from_numpy(ARRAYS[f"{cid}/in/masks"]), t, training=True)
        _close(got, ARRAYS[f"{cid}/out/masks"], f"{cid} masks")


def _extract(t, path) -> np.ndarray:
    for p in path:
        if p == "#mean":
            t = t.reshape(t.shape[0], -1).double().mean(1)
        elif isinstance(p, str) and p.startswith(":"):
            t = t[:, int(p[1:])]
        else:
            t = t[p]
    return torch.as_tensor(t).double().reshape(-1).numpy()


def _ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    values = np.concatenate([a, b])
    cdf_a = np.searchsorted(np.sort(a), values, side="right") / a.size
    cdf_b = np.searchsorted(np.sort(b), values, side="right") / b.size
    return float(np.max(np.abs(cdf_a - cdf_b)))


def _check_distribution(ours: np.ndarray, keras: np.ndarray, what: str) -> None:
    n, m = ours.size, keras.size
    critical = 1.949 * math.sqrt((n + m) / (n * m))  # alpha = 0.001
    d = _ks_statistic(ours, keras)
    assert d < critical, f"{what}: KS distance {d:.4f} >= {critical:.4f} (means {ours.mean():.4g} vs {keras.mean():.4g})"
    span = max(float(keras.max() - keras.min()), 1e-6)
    assert ours.min() >= keras.min() - 0.1 * span and ours.max() <= keras.max() + 0.1 * span, (
        f"{what}: range [{ours.min():.4g}, {ours.max():.4g}] outside Keras's [{keras.min():.4g}, {keras.max():.4g}]")


@pytest.mark.parametrize("case", DISTRIBUTIONS["cases"], ids=[c["id"] for c in DISTRIBUTIONS["cases"]])
def test_random_parameters_follow_keras(case):
    cid = case["id"]
    random.seed(11)
    kwargs = {k: tuple(v) if isinstance(v, list) else v for k, v in case["kwargs"].items()}
    kwargs["seed"] = kwargs.get("seed", 0) + 1000  # an independent stream
    layer = getattr(L, case["class"])(**kwargs)
    x = torch.from_numpy(np.random.default_rng(1).uniform(0, 255, case["shape"]).astype("float32"))
    if cid.startswith("tfk_"):
        axis = 1 if case["class"] == "RandomHeight" else 2
        side = "height" if axis == 1 else "width"
        ours = np.array([layer.get_random_transformation(x)[side] for _ in range(case["reps"])], dtype=np.float64)
        _check_distribution(ours, SAMPLES[f"{cid}/0"], f"{cid} {side}")
        return
    paths = case["paths"]
    samples = [[] for _ in paths]
    for _ in range(case["reps"]):
        t = layer.get_random_transformation(x, training=True)
        for i, path in enumerate(paths):
            samples[i].append(_extract(t, path))
    for i, path in enumerate(paths):
        _check_distribution(np.concatenate(samples[i]), SAMPLES[f"{cid}/{i}"], f"{cid} {path}")


@pytest.mark.parametrize("call", TRANSFORMS["bounding_boxes"], ids=[f"{i}-{c['fn']}"
                                                                    for i, c in enumerate(TRANSFORMS["bounding_boxes"])])
def test_bounding_box_utils_match_keras(call):
    args, kwargs = _decode(call["args"]), _decode(call["kwargs"])
    got, want = getattr(bb, call["fn"])(*args, **kwargs), _decode(call["out"])
    if isinstance(want, dict):
        for key in want:
            _close(got[key], want[key].numpy(), f"{call['fn']} {key}")
    else:
        _close(got, want.numpy(), call["fn"])


@pytest.mark.parametrize("name", ["aug_cnn", "aug_all"])
def test_keras_files_with_augmentation_predict_the_same(name):
    data = np.load(FIXTURES / f"{name}.npz")
    model = load_model(FIXTURES / f"{name}.keras")
    np.testing.assert_allclose(model.predict(data["x"], verbose=0), data["y"], rtol=1e-4, atol=1e-5)
