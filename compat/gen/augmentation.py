"""Golden values for the image augmentation layers from real Keras 3 (TensorFlow backend).

    /opt/kref/bin/python compat/generate_fixtures.py augmentation

Writes, under ``compat/fixtures/augmentation/``:

* ``transforms.json`` / ``transforms.npz``: per case (``TRANSFORM_CASES``) the layer, its kwargs, the
  inputs (images, boxes, labels, masks), the transformation Keras sampled
  (``get_random_transformation``) and what Keras's ``transform_images`` / ``transform_bounding_boxes``
  / ``transform_labels`` / ``transform_segmentation_masks`` made of it. The test feeds the same
  transformation to keras_torch's layer (the deterministic part of every layer).
* ``distributions.json`` / ``distributions.npz``: per case (``DISTRIBUTION_CASES``) samples of the
  random parameters Keras draws; the test draws as many from keras_torch and compares the
  distributions (two-sample Kolmogorov-Smirnov and ranges).
* ``transforms.json`` ``"bounding_boxes"``: ``keras.utils.bounding_boxes`` calls and their outputs.
* ``aug_cnn.keras`` / ``aug_all.keras`` + ``.npz``: models with augmentation layers saved by Keras and
  its predictions (``x``, ``y``); augmentation is the identity in ``predict``.

Transformations are stored as JSON with arrays replaced by ``{"__array__": key}`` (and tuples by
``{"__tuple__": [...]}``); ``tests/layers/test_augmentation_parity.py`` decodes them.
"""

from __future__ import annotations

import json
import os
import pathlib
import random
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

IMG = (3, 12, 14, 3)
IMG_CF = (3, 3, 12, 14)

# (case id, layer class, kwargs, image shape, value scale, parts); parts: "boxes:<format>", "labels", "masks".
TRANSFORM_CASES: list[tuple[str, str, dict, tuple, float, tuple]] = [
    ("flip_hv", "RandomFlip", {"seed": 3}, IMG, 1.0, ("boxes:xyxy", "masks")),
    ("flip_h_cf", "RandomFlip", {"mode": "horizontal", "seed": 4, "data_format": "channels_first"}, IMG_CF, 1.0,
     ("boxes:rel_xyxy",)),
    ("flip_v", "RandomFlip", {"mode": "vertical", "seed": 5}, IMG, 1.0, ("boxes:center_xywh",)),
    ("rotation_reflect", "RandomRotation", {"factor": 0.3, "seed": 5}, IMG, 1.0, ("boxes:xyxy", "masks")),
    ("rotation_constant_nearest", "RandomRotation",
     {"factor": (-0.2, 0.4), "fill_mode": "constant", "fill_value": 0.3, "interpolation": "nearest", "seed": 6},
     IMG, 1.0, ()),
    ("rotation_wrap", "RandomRotation", {"factor": 0.25, "fill_mode": "wrap", "seed": 7}, IMG, 1.0, ()),
    ("rotation_nearest_cf", "RandomRotation",
     {"factor": 0.2, "fill_mode": "nearest", "seed": 8, "data_format": "channels_first"}, IMG_CF, 1.0, ()),
    ("translation", "RandomTranslation", {"height_factor": 0.2, "width_factor": 0.3, "seed": 9}, IMG, 1.0,
     ("boxes:xyxy", "masks")),
    ("translation_constant", "RandomTranslation",
     {"height_factor": (-0.4, 0.1), "width_factor": 0.3, "fill_mode": "constant", "fill_value": 0.5,
      "interpolation": "nearest", "seed": 10}, IMG, 1.0, ("boxes:center_xywh",)),
    ("zoom", "RandomZoom", {"height_factor": (-0.3, 0.3), "width_factor": (-0.2, 0.4), "seed": 11}, IMG, 1.0,
     ("boxes:xyxy", "masks")),
    ("zoom_aspect_constant", "RandomZoom", {"height_factor": 0.4, "fill_mode": "constant", "seed": 12}, IMG, 1.0,
     ("boxes:rel_xyxy",)),
    ("zoom_nearest_cf", "RandomZoom",
     {"height_factor": 0.3, "fill_mode": "nearest", "seed": 13, "data_format": "channels_first"}, IMG_CF, 1.0, ()),
    ("shear", "RandomShear", {"x_factor": 0.3, "y_factor": 0.2, "seed": 14}, IMG, 1.0, ("boxes:xyxy", "masks")),
    ("shear_constant", "RandomShear",
     {"x_factor": (0.1, 0.5), "y_factor": 0.0, "fill_mode": "constant", "seed": 15}, IMG, 1.0, ()),
    ("perspective", "RandomPerspective", {"factor": 1.0, "scale": 0.5, "seed": 16}, IMG, 1.0, ("boxes:xyxy",)),
    ("perspective_nearest", "RandomPerspective",
     {"factor": 0.7, "scale": 0.8, "interpolation": "nearest", "fill_value": 0.2, "seed": 17}, IMG, 1.0, ()),
    ("elastic", "RandomElasticTransform", {"scale": 0.8, "seed": 18}, (2, 20, 22, 3), 255.0, ()),
    ("elastic_constant", "RandomElasticTransform",
     {"scale": (0.5, 1.0), "fill_mode": "constant", "fill_value": 9.0, "seed": 19}, (2, 20, 22, 3), 255.0, ()),
    ("elastic_wrap_nearest", "RandomElasticTransform",
     {"scale": 1.0, "fill_mode": "wrap", "interpolation": "nearest", "seed": 20}, (2, 20, 22, 3), 255.0, ()),
    ("crop", "RandomCrop", {"height": 7, "width": 9, "seed": 21}, IMG, 1.0, ("boxes:xyxy",)),
    ("crop_resize", "RandomCrop", {"height": 16, "width": 10, "seed": 22}, IMG, 1.0, ()),
    ("resizing_boxes", "Resizing", {"height": 6, "width": 7}, IMG, 1.0, ("boxes:xyxy",)),
    ("resizing_pad_boxes", "Resizing", {"height": 8, "width": 8, "pad_to_aspect_ratio": True}, IMG, 1.0,
     ("boxes:xyxy",)),
    ("resizing_crop_boxes", "Resizing", {"height": 8, "width": 5, "crop_to_aspect_ratio": True}, IMG, 1.0,
     ("boxes:rel_xyxy",)),
    ("centercrop_boxes", "CenterCrop", {"height": 6, "width": 8}, IMG, 1.0, ("boxes:xyxy",)),
    ("centercrop_up_boxes", "CenterCrop", {"height": 16, "width": 16}, IMG, 1.0, ("boxes:xywh",)),
    ("brightness", "RandomBrightness", {"factor": 0.3, "seed": 23}, IMG, 255.0, ()),
    ("brightness_unit", "RandomBrightness", {"factor": (-0.5, 0.2), "value_range": (0, 1), "seed": 24}, IMG, 1.0, ()),
    ("contrast", "RandomContrast", {"factor": 0.5, "seed": 25}, IMG, 255.0, ()),
    ("contrast_cf", "RandomContrast", {"factor": (0.2, 0.9), "seed": 26, "data_format": "channels_first"}, IMG_CF,
     255.0, ()),
    ("grayscale", "RandomGrayscale", {"factor": 0.5, "seed": 27}, IMG, 255.0, ()),
    ("grayscale_cf", "RandomGrayscale", {"factor": 0.7, "seed": 28, "data_format": "channels_first"}, IMG_CF, 255.0,
     ()),
    ("hue", "RandomHue", {"factor": 0.4, "seed": 29}, IMG, 255.0, ()),
    ("hue_unit_cf", "RandomHue", {"factor": (0.3, 0.9), "value_range": (0, 1), "seed": 30,
                                  "data_format": "channels_first"}, IMG_CF, 1.0, ()),
    ("saturation", "RandomSaturation", {"factor": 0.6, "seed": 31}, IMG, 255.0, ()),
    ("saturation_unit", "RandomSaturation", {"factor": (0.2, 0.9), "value_range": (0, 1), "seed": 32}, IMG, 1.0, ()),
    ("degeneration", "RandomColorDegeneration", {"factor": 0.7, "seed": 33}, IMG, 255.0, ()),
    ("invert", "RandomInvert", {"factor": 0.6, "seed": 34}, IMG, 255.0, ()),
    ("posterization", "RandomPosterization", {"factor": (2, 7), "seed": 35}, IMG, 255.0, ()),
    ("posterization_unit", "RandomPosterization", {"factor": 3, "value_range": (0, 1), "seed": 36}, IMG, 1.0, ()),
    ("solarization", "Solarization", {"addition_factor": 0.3, "threshold_factor": 0.6, "seed": 37}, IMG, 255.0, ()),
    ("solarization_unit", "Solarization", {"addition_factor": (0.1, 0.2), "threshold_factor": (0.2, 0.8),
                                           "value_range": (0, 1), "seed": 38}, IMG, 1.0, ()),
    ("sharpness", "RandomSharpness", {"factor": 0.8, "seed": 39}, IMG, 255.0, ()),
    ("sharpness_cf", "RandomSharpness", {"factor": (0.1, 0.9), "seed": 40, "data_format": "channels_first"}, IMG_CF,
     255.0, ()),
    ("gaussian_blur", "RandomGaussianBlur", {"kernel_size": 5, "sigma": (0.3, 1.0), "seed": 41}, IMG, 255.0, ()),
    ("gaussian_blur_rect", "RandomGaussianBlur", {"factor": 0.6, "kernel_size": (3, 5), "seed": 42}, IMG, 255.0, ()),
    ("autocontrast", "AutoContrast", {}, IMG, 255.0, ()),
    ("autocontrast_unit", "AutoContrast", {"value_range": (0, 1)}, IMG, 1.0, ()),
    ("equalization", "Equalization", {}, IMG, 255.0, ()),
    ("equalization_bins_unit", "Equalization", {"bins": 64, "value_range": (0, 1)}, IMG, 1.0, ()),
    ("clahe", "ContrastLimitedAdaptiveHistogramEqualization", {"tile_grid_size": (3, 4)}, (2, 13, 17, 3), 255.0, ()),
    ("clahe_noclip", "ContrastLimitedAdaptiveHistogramEqualization", {"clip_limit": 0, "tile_grid_size": (2, 2)},
     (2, 12, 14, 1), 255.0, ()),
    ("erasing", "RandomErasing", {"seed": 43}, IMG, 255.0, ()),
    ("erasing_fill", "RandomErasing", {"factor": 0.7, "scale": (0.1, 0.5), "fill_value": (10, 20, 300), "seed": 44},
     IMG, 255.0, ()),
    ("erasing_cf", "RandomErasing", {"fill_value": 7, "seed": 45, "data_format": "channels_first"}, IMG_CF, 255.0, ()),
    ("cutmix", "CutMix", {"seed": 46}, (4, 12, 14, 3), 255.0, ("labels", "masks")),
    ("cutmix_cf", "CutMix", {"factor": (0.2, 0.6), "seed": 47, "data_format": "channels_first"}, (4, 3, 12, 14),
     255.0, ("labels",)),
    ("mixup", "MixUp", {"alpha": 0.4, "seed": 48}, (4, 12, 14, 3), 255.0, ("labels", "boxes:xyxy")),
    ("randaugment", "RandAugment", {"num_ops": 3, "seed": 49}, IMG, 255.0, ()),
    ("randaugment_unit", "RandAugment", {"num_ops": 4, "factor": (0.1, 0.8), "value_range": (0, 1), "seed": 50},
     IMG, 1.0, ()),
    ("augmix", "AugMix", {"seed": 51}, IMG, 255.0, ()),
    ("augmix_basic", "AugMix", {"num_chains": 2, "chain_depth": 4, "all_ops": False, "alpha": 0.5, "seed": 52}, IMG,
     255.0, ()),
    ("jitter", "RandomColorJitter", {"brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": 0.4,
                                     "hue_factor": 0.3, "seed": 53}, IMG, 255.0, ()),
    ("max_boxes_pad", "MaxNumBoundingBoxes", {"max_number": 5}, IMG, 1.0, ("boxes:xyxy",)),
    ("max_boxes_cut", "MaxNumBoundingBoxes", {"max_number": 2}, IMG, 1.0, ("boxes:xyxy",)),
]

# (case id, layer class, kwargs, input shape, repetitions, parameter paths); a path is a list of keys
# or indices into the transformation, "#mean" averages each image's entries.
DISTRIBUTION_CASES: list[tuple[str, str, dict, tuple, int, list]] = [
    ("flip", "RandomFlip", {"seed": 1}, (2048, 2, 2, 1), 1, [["flips"]]),
    ("rotation", "RandomRotation", {"factor": 0.2, "seed": 2}, (2048, 2, 2, 1), 1, [["angle"]]),
    ("rotation_range", "RandomRotation", {"factor": (-0.1, 0.3), "seed": 3}, (2048, 2, 2, 1), 1, [["angle"]]),
    ("zoom", "RandomZoom", {"height_factor": (-0.3, 0.5), "width_factor": 0.2, "seed": 4}, (2048, 2, 2, 1), 1,
     [["height_zoom"], ["width_zoom"]]),
    ("translation", "RandomTranslation", {"height_factor": 0.2, "width_factor": (-0.1, 0.3), "seed": 5},
     (2048, 6, 10, 1), 1, [["translations", ":0"], ["translations", ":1"]]),
    ("shear", "RandomShear", {"x_factor": 0.3, "y_factor": (0.1, 0.2), "seed": 6}, (2048, 2, 2, 1), 1,
     [["shear_factor", ":0"], ["shear_factor", ":1"]]),
    ("perspective", "RandomPerspective", {"factor": (0.2, 0.8), "scale": 0.6, "seed": 7}, (1024, 5, 7, 1), 1,
     [["apply_perspective"], ["end_points"]]),
    ("elastic", "RandomElasticTransform", {"factor": (0.3, 0.9), "scale": (0.2, 0.7), "seed": 8}, (8, 2, 2, 1), 300,
     [["apply_transform"], ["distortion_factor"]]),
    ("crop", "RandomCrop", {"height": 5, "width": 3, "seed": 9}, (2, 16, 12, 1), 600, [[0], [1]]),
    ("brightness", "RandomBrightness", {"factor": (-0.2, 0.5), "seed": 10}, (2048, 2, 2, 1), 1, [["rgb_delta"]]),
    ("contrast", "RandomContrast", {"factor": 0.4, "seed": 11}, (2048, 2, 2, 1), 1, [["contrast_factor"]]),
    ("contrast_range", "RandomContrast", {"factor": (0.2, 0.6), "seed": 12}, (2048, 2, 2, 1), 1,
     [["contrast_factor"]]),
    ("grayscale", "RandomGrayscale", {"factor": 0.3, "seed": 13}, (2048, 2, 2, 3), 1, [[]]),
    ("hue", "RandomHue", {"factor": (0.2, 0.8), "seed": 14}, (2048, 2, 2, 3), 1, [["factor"]]),
    ("saturation", "RandomSaturation", {"factor": (0.2, 0.8), "seed": 15}, (2048, 2, 2, 3), 1, [["factor"]]),
    ("degeneration", "RandomColorDegeneration", {"factor": 0.6, "seed": 16}, (2048, 2, 2, 3), 1, [["factor"]]),
    ("invert", "RandomInvert", {"factor": (0.2, 0.7), "seed": 17}, (2048, 2, 2, 1), 1, [["apply_inversion"]]),
    ("posterization", "RandomPosterization", {"factor": (2, 7), "seed": 18}, (2048, 2, 2, 1), 1,
     [["shift_factor"]]),
    ("solarization", "Solarization", {"addition_factor": (0.1, 0.4), "threshold_factor": 0.5, "seed": 19},
     (2048, 2, 2, 1), 1, [["additions"], ["thresholds"]]),
    ("sharpness", "RandomSharpness", {"factor": (0.2, 0.9), "seed": 20}, (2048, 2, 2, 1), 1, [["factor"]]),
    ("gaussian_blur", "RandomGaussianBlur", {"factor": (0.3, 0.6), "sigma": (0.2, 0.9), "seed": 21}, (8, 2, 2, 1),
     300, [["should_apply_blur"], ["blur_factor"]]),
    ("erasing", "RandomErasing", {"factor": (0.4, 0.9), "scale": (0.1, 0.5), "seed": 22}, (512, 10, 12, 1), 1,
     [["apply_erasing"], ["batch_masks", "#mean"], ["fill_value"]]),
    ("cutmix", "CutMix", {"factor": (0.3, 1.0), "seed": 23}, (16, 8, 10, 1), 150,
     [["mix_weight"], ["batch_masks", "#mean"]]),
    ("mixup", "MixUp", {"alpha": 0.4, "seed": 24}, (1024, 2, 2, 1), 1, [["mix_weight"]]),
    ("randaugment", "RandAugment", {"num_ops": 3, "seed": 25}, (2, 4, 4, 3), 400, [["layer_idxes"]]),
    ("augmix", "AugMix", {"num_chains": 4, "alpha": 0.7, "seed": 26}, (2, 4, 4, 3), 200,
     [["chain_mixing_weights"], ["weight_sample"]]),
]

# tf-keras 2 layers without a transformation API: the output height/width is the sampled parameter.
TFK_SIZE_CASES: list[tuple[str, str, dict, tuple, int]] = [
    ("height", "RandomHeight", {"factor": (-0.3, 0.4), "seed": 1}, (1, 20, 8, 1), 600),
    ("width", "RandomWidth", {"factor": 0.5, "seed": 2}, (1, 8, 20, 1), 600),
]


def _encode(v: Any, arrays: dict, key: str) -> Any:
    import tensorflow as tf

    if v is None or isinstance(v, (str, bool)):
        return v
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating)) and not isinstance(v, np.ndarray):
        return float(v)
    if isinstance(v, tf.TensorShape):
        return {"__tuple__": [int(d) for d in v]}
    if isinstance(v, dict):
        return {"__dict__": {k: _encode(x, arrays, f"{key}.{k}") for k, x in v.items()}}
    if isinstance(v, tuple):
        return {"__tuple__": [_encode(x, arrays, f"{key}.{i}") for i, x in enumerate(v)]}
    if isinstance(v, list):
        return [_encode(x, arrays, f"{key}.{i}") for i, x in enumerate(v)]
    arrays[key] = np.asarray(v)
    return {"__array__": key}


def _inputs(shape: tuple, scale: float, rng: np.random.Generator, data_format: str) -> dict:
    images = (rng.uniform(0, 1, shape) * scale).astype("float32")
    n = shape[0]
    h, w = (shape[1], shape[2]) if data_format == "channels_last" else (shape[2], shape[3])
    x1 = rng.uniform(-2, w - 4, (n, 3))
    y1 = rng.uniform(-2, h - 4, (n, 3))
    boxes = np.stack([x1, y1, x1 + rng.uniform(1, w / 2, (n, 3)), y1 + rng.uniform(1, h / 2, (n, 3))], -1)
    mask_shape = (n, h, w, 1) if data_format == "channels_last" else (n, 1, h, w)
    return {
        "images": images,
        "boxes": boxes.astype("float32"),
        "box_labels": rng.integers(0, 5, (n, 3)).astype("int32"),
        "labels": np.eye(4, dtype="float32")[rng.integers(0, 4, n)],
        "masks": rng.integers(0, 4, mask_shape).astype("float32"),
    }


def _transformation(layer: Any, cls: str, images: Any) -> tuple[Any, Any]:
    """(Keras's transformation, the same for keras_torch): RandomElasticTransform draws its displacement
    field inside ``ops.image.elastic_transform`` from an int seed, recorded here as ``noise``."""
    t = layer.get_random_transformation(images, training=True)
    if cls != "RandomElasticTransform" or t is None:
        return t, t
    import tensorflow as tf
    from keras.src.random.seed_generator import draw_seed

    shape = images.shape
    h, w = (shape[1], shape[2]) if layer.data_format == "channels_last" else (shape[2], shape[3])
    keras_t = dict(t, seed=1234)
    noise = tf.random.stateless_normal((shape[0], h, w), seed=draw_seed(1234), dtype="float32")
    return keras_t, dict(keras_t, noise=noise)


def _run_jitter(layer: Any, images: Any) -> tuple[dict, Any]:
    """Keras's RandomColorJitter.transform_images with each part's transformation recorded."""
    import keras

    out = keras.ops.cast(images, layer.compute_dtype)
    record = {}
    for part in ("brightness", "contrast", "saturation", "hue"):
        sub = getattr(layer, f"random_{part}")
        if sub is None:
            continue
        t = sub.get_random_transformation(out, seed=layer._get_seed_generator(layer.backend._backend))
        if part == "contrast":
            t["contrast_factor"] = keras.ops.cast(t["contrast_factor"], layer.compute_dtype)
        out = sub.transform_images(out, t)
        record[part] = t
    return record, out


def _transform_cases(keras: Any, arrays: dict) -> list:
    rng = np.random.default_rng(0)
    cases = []
    for index, (cid, cls, kwargs, shape, scale, parts) in enumerate(TRANSFORM_CASES):
        random.seed(index)
        box_format = next((p.split(":")[1] for p in parts if p.startswith("boxes:")), None)
        kw = dict(kwargs, bounding_box_format=box_format) if box_format else dict(kwargs)
        layer = getattr(keras.layers, cls)(**kw)
        data_format = kwargs.get("data_format", "channels_last")
        inp = _inputs(shape, scale, rng, data_format)
        images = keras.ops.convert_to_tensor(inp["images"])
        entry = {"id": cid, "class": cls, "kwargs": _encode(kw, arrays, f"{cid}/kwargs"), "outputs": {}}
        for name in ("images", "labels", "masks"):
            arrays[f"{cid}/in/{name}"] = inp[name]
        if cls == "RandomColorJitter":
            t, out = _run_jitter(layer, images)
        else:
            keras_t, t = _transformation(layer, cls, images)
            out = layer.transform_images(images, keras_t, training=True)
        entry["transformation"] = _encode(t, arrays, f"{cid}/t")
        arrays[f"{cid}/out/images"] = np.asarray(out)
        if box_format:
            from keras.utils import bounding_boxes as kbb

            h, w = (shape[1], shape[2]) if data_format == "channels_last" else (shape[2], shape[3])
            boxes = np.asarray(kbb.convert_format(inp["boxes"], "xyxy", box_format, height=h, width=w))
            n_boxes = 5 if cls == "MaxNumBoundingBoxes" and kwargs["max_number"] < 3 else 3
            if n_boxes == 5:
                boxes = np.concatenate([boxes, boxes[:, :2] + 1.0], 1)
                inp["box_labels"] = np.concatenate([inp["box_labels"], inp["box_labels"][:, :2]], 1)
            arrays[f"{cid}/in/boxes"] = boxes
            arrays[f"{cid}/in/box_labels"] = inp["box_labels"]
            got = layer.transform_bounding_boxes({"boxes": keras.ops.convert_to_tensor(boxes),
                                                  "labels": keras.ops.convert_to_tensor(inp["box_labels"])},
                                                 t, training=True)
            arrays[f"{cid}/out/boxes"] = np.asarray(got["boxes"])
            arrays[f"{cid}/out/box_labels"] = np.asarray(got["labels"])
            entry["outputs"]["boxes"] = box_format
        if "labels" in parts:
            got = layer.transform_labels(keras.ops.convert_to_tensor(inp["labels"]), t, training=True)
            arrays[f"{cid}/out/labels"] = np.asarray(got)
            entry["outputs"]["labels"] = True
        if "masks" in parts:
            got = layer.transform_segmentation_masks(keras.ops.convert_to_tensor(inp["masks"]), t, training=True)
            arrays[f"{cid}/out/masks"] = np.asarray(got)
            entry["outputs"]["masks"] = True
        cases.append(entry)
        print(f"  {cid}: {np.asarray(out).shape}")
    return cases


def _extract(t: Any, path: list) -> np.ndarray:
    for p in path:
        if p == "#mean":
            t = np.asarray(t).reshape(np.asarray(t).shape[0], -1).mean(1)
        elif isinstance(p, str) and p.startswith(":"):
            t = np.asarray(t)[:, int(p[1:])]
        else:
            t = t[p]
    return np.asarray(t, dtype="float64").reshape(-1)


def _distribution_cases(keras: Any, arrays: dict) -> list:
    out = []
    for cid, cls, kwargs, shape, reps, paths in DISTRIBUTION_CASES:
        random.seed(7)
        layer = getattr(keras.layers, cls)(**kwargs)
        x = keras.ops.convert_to_tensor(np.random.default_rng(1).uniform(0, 255, shape).astype("float32"))
        samples: list[list[np.ndarray]] = [[] for _ in paths]
        for _ in range(reps):
            t = layer.get_random_transformation(x, training=True)
            for i, path in enumerate(paths):
                samples[i].append(_extract(t, path))
        for i in range(len(paths)):
            arrays[f"{cid}/{i}"] = np.concatenate(samples[i])
        out.append({"id": cid, "class": cls, "kwargs": kwargs, "shape": list(shape), "reps": reps, "paths": paths})
        print(f"  {cid}: {[arrays[f'{cid}/{i}'].size for i in range(len(paths))]} samples")
    return out


def _tfk_size_cases(arrays: dict) -> list:
    import tf_keras

    out = []
    for cid, cls, kwargs, shape, reps in TFK_SIZE_CASES:
        layer = getattr(tf_keras.layers, cls)(**kwargs)
        x = np.zeros(shape, "float32")
        axis = 1 if cls == "RandomHeight" else 2
        arrays[f"tfk_{cid}/0"] = np.array([layer(x, training=True).shape[axis] for _ in range(reps)], "float64")
        out.append({"id": f"tfk_{cid}", "class": cls, "kwargs": kwargs, "shape": list(shape), "reps": reps})
    return out


def _bbox_utils_cases(keras: Any, arrays: dict) -> list:
    """``keras.utils.bounding_boxes`` on fixed boxes: (function, args, kwargs, output)."""
    bb = keras.utils.bounding_boxes
    rng = np.random.default_rng(3)

    def boxes(n: int, h: float = 30, w: float = 40) -> np.ndarray:
        x1, y1 = rng.uniform(-5, w - 5, (2, n)), rng.uniform(-5, h - 5, (2, n))
        return np.stack([x1, y1, x1 + rng.uniform(1, 15, (2, n)), y1 + rng.uniform(1, 12, (2, n))], -1).astype("float32")

    b1, b2 = boxes(5), boxes(3)
    b2[0, 1] = -1.0
    anchors = boxes(5)[0]
    formats = ["xyxy", "yxyx", "xywh", "center_xywh", "center_yxhw", "rel_xyxy", "rel_yxyx", "rel_xywh",
               "rel_center_xywh"]
    calls: list[tuple[str, tuple, dict]] = []
    for f in formats:
        calls.append(("convert_format", (b1, "xyxy", f), {"height": 30, "width": 40}))
        converted = np.asarray(bb.convert_format(b1, "xyxy", f, height=30, width=40))
        for g in ("xyxy", "rel_center_xywh", "yxyx"):
            calls.append(("convert_format", (converted, f, g), {"height": 30, "width": 40}))
    labels = np.arange(10, dtype="int32").reshape(2, 5)
    calls += [
        ("clip_to_image_size", ({"boxes": b1, "labels": labels},), {"height": 30, "width": 40}),
        ("clip_to_image_size", ({"boxes": b1 / 35.0, "labels": labels},), {"bounding_box_format": "rel_xyxy"}),
        ("affine_transform", (b1, np.array([10.0, -25.0], "float32"), np.array([0.1, -0.05], "float32"),
                              np.array([0.0, 0.2], "float32"), np.array([1.2, 0.9], "float32"),
                              np.array([5.0, 0.0], "float32"), np.array([0.0, -8.0], "float32"), 30, 40), {}),
        ("crop", (b1, 3, 5, 20, 25), {}),
        ("pad", (b1, 2, 4), {}),
        ("encode_box_to_deltas", (anchors, b1, "xyxy", "xyxy"), {}),
        ("encode_box_to_deltas", (anchors, b1, "xyxy", "rel_xyxy"),
         {"encoding_format": "center_xywh", "variance": [0.1, 0.1, 0.2, 0.2], "image_shape": (30, 40, 3)}),
        ("decode_deltas_to_boxes", (anchors, b1 / 40.0, "xyxy", "xyxy"), {"variance": [0.1, 0.1, 0.2, 0.2]}),
        ("decode_deltas_to_boxes", (anchors, b1 / 40.0, "xyxy", "center_yxhw"), {"encoded_format": "center_xywh"}),
        ("compute_iou", (b1, b2, "xyxy"), {}),
        ("compute_iou", (b1[0], b2[0], "yxyx"), {}),
        ("compute_iou", (b1, b2, "xyxy"), {"use_masking": True, "mask_val": -2}),
        ("compute_iou", (b1, b2[0], "xyxy"), {}),
        ("compute_iou", (b1 / 40.0, b2 / 40.0, "rel_xyxy"), {"image_shape": (30, 40, 3)}),
        ("compute_ciou", (b1, b1 + rng.uniform(-2, 2, b1.shape).astype("float32"), "xyxy"), {}),
        ("compute_ciou", (b1[0], b1[0][::-1].copy(), "center_xywh"), {}),
    ]
    out = []
    for i, (fn, args, kwargs) in enumerate(calls):
        result = getattr(bb, fn)(*args, **kwargs)
        out.append({"fn": fn, "args": _encode(args, arrays, f"bb{i}/args"),
                    "kwargs": _encode(kwargs, arrays, f"bb{i}/kwargs"), "out": _encode(result, arrays, f"bb{i}/out")})
    print(f"  bounding_boxes: {len(out)} calls")
    return out


def _models(keras: Any, out_dir: pathlib.Path) -> None:
    L = keras.layers
    rng = np.random.default_rng(5)
    builders = {
        "aug_cnn": lambda: keras.Sequential([
            keras.Input((16, 16, 3)), L.Rescaling(1 / 255.0), L.RandomFlip(seed=1), L.RandomRotation(0.1, seed=2),
            L.RandomZoom(0.1, seed=3), L.RandomTranslation(0.1, 0.1, seed=4), L.RandomContrast(0.2, seed=5),
            L.Conv2D(4, 3, activation="relu"), L.MaxPooling2D(2), L.Flatten(), L.Dense(3)], name="aug_cnn"),
        "aug_all": lambda: keras.Sequential([
            keras.Input((16, 16, 3)), L.ContrastLimitedAdaptiveHistogramEqualization(), L.AutoContrast(),
            L.RandomBrightness(0.2), L.RandomHue(0.2), L.RandomSaturation(0.3), L.RandomSharpness(0.3),
            L.RandomShear((0.0, 0.2), (0.0, 0.1)), L.RandomPerspective(), L.RandomErasing(), L.RandomGaussianBlur(),
            L.RandomInvert(), L.RandomPosterization(4), L.Solarization(0.2, 0.3), L.RandomColorDegeneration(0.3),
            L.RandomColorJitter(brightness_factor=0.1, hue_factor=0.1), L.RandomElasticTransform(),
            L.RandomGrayscale(), L.RandAugment(), L.AugMix(), L.Resizing(18, 18), L.CenterCrop(16, 16),
            L.Conv2D(3, 3), L.GlobalAveragePooling2D(),
            L.Dense(2)], name="aug_all"),
    }
    for name, build in builders.items():
        model = build()
        x = rng.uniform(0, 255, (4,) + tuple(model.input_shape[1:])).astype("float32")
        y = model.predict(x, verbose=0)
        model.save(out_dir / f"{name}.keras")
        np.savez(out_dir / f"{name}.npz", x=x, y=y)
        print(f"  {name}.keras: {y.shape}")


def generate(out_dir: pathlib.Path) -> None:
    import keras

    arrays: dict = {}
    cases = _transform_cases(keras, arrays)
    bb_cases = _bbox_utils_cases(keras, arrays)
    (out_dir / "transforms.json").write_text(json.dumps({"keras": keras.__version__, "cases": cases,
                                                        "bounding_boxes": bb_cases}, indent=1))
    np.savez_compressed(out_dir / "transforms.npz", **arrays)
    arrays = {}
    dists = _distribution_cases(keras, arrays) + _tfk_size_cases(arrays)
    (out_dir / "distributions.json").write_text(json.dumps({"keras": keras.__version__, "cases": dists}, indent=1))
    np.savez_compressed(out_dir / "distributions.npz", **arrays)
    _models(keras, out_dir)
