"""tf-keras 2's ``ImageDataGenerator`` (flow, flow_from_directory, fit/standardize) on fixed data and seeds.

    /opt/kref/bin/python compat/generate_fixtures.py tfk_image_generator

Writes ``compat/fixtures/tfk_image_generator/values.npz``; :func:`cases` runs with tf-keras here and with
keras_torch in ``tests/api/test_image_data_generator.py`` (same images, same numpy seeds, so the
same shuffles and random transform parameters). Lists and dicts are stored as JSON strings.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import pathlib
import tempfile
from typing import Any

import numpy as np

CLASSES = {"cats": [(9, 7), (6, 6), (8, 11)], "dogs": [(7, 7), (12, 5)], "zebras": [(5, 9), (10, 10), (7, 8)]}


def images(n: int = 10, h: int = 8, w: int = 9, c: int = 3) -> np.ndarray:
    return np.random.default_rng(0).uniform(0, 255, size=(n, h, w, c)).astype("float32")


def write_image_tree(root: str) -> None:
    """One PNG per entry of :data:`CLASSES` (sizes ``(h, w)``), plus a file that is not an image."""
    from PIL import Image

    rng = np.random.default_rng(1)
    for cls, sizes in CLASSES.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for i, (h, w) in enumerate(sizes):
            pixels = rng.integers(0, 256, size=(h, w, 3), dtype=np.uint8)
            Image.fromarray(pixels).save(os.path.join(root, cls, f"img_{i}.png"))
        with open(os.path.join(root, cls, "notes.txt"), "w") as f:
            f.write("not an image")


def _batches(iterator: Any, n: int, prefix: str, out: dict[str, Any]) -> None:
    for b in range(n):
        batch = iterator[b] if b % 2 == 0 else next(iterator)
        parts = batch if isinstance(batch, tuple) else (batch,)
        for k, part in enumerate(parts):
            if isinstance(part, list):
                for m, item in enumerate(part):
                    out[f"{prefix}_{b}_{k}_{m}"] = np.asarray(item)
            else:
                out[f"{prefix}_{b}_{k}"] = np.asarray(part)


def cases(tf_keras: Any) -> dict[str, Any]:
    """Every recorded value (tf-keras for the fixture, keras_torch in the tests)."""
    idg = tf_keras.preprocessing.image.ImageDataGenerator
    x = images()
    y = np.arange(10) % 3
    out: dict[str, Any] = {}
    augment = idg(rotation_range=25, width_shift_range=0.2, height_shift_range=[-2, 1, 3], shear_range=12,
                  zoom_range=0.25, channel_shift_range=20.0, horizontal_flip=True, vertical_flip=True,
                  fill_mode="reflect", rescale=1 / 255.0)
    _batches(augment.flow(x, y, batch_size=4, shuffle=True, seed=3), 4, "flow_aug", out)
    constant = idg(rotation_range=40, zoom_range=(0.8, 1.1), fill_mode="constant", cval=7.0,
                   brightness_range=(0.6, 1.4), interpolation_order=0)
    _batches(constant.flow(x, y, batch_size=3, shuffle=False, seed=11, sample_weight=np.linspace(0, 1, 10)), 3,
             "flow_const", out)
    wrap = idg(width_shift_range=3, height_shift_range=0.3, fill_mode="wrap", samplewise_center=True,
               samplewise_std_normalization=True)
    _batches(wrap.flow((x, [y * 2, y * 3.0]), y, batch_size=5, seed=5), 2, "flow_misc", out)
    split = idg(validation_split=0.3, horizontal_flip=True)
    _batches(split.flow(x, np.arange(10) % 2, batch_size=4, seed=2, subset="training"), 2, "flow_train", out)
    _batches(split.flow(x, np.arange(10) % 2, batch_size=4, seed=2, subset="validation", shuffle=False), 1,
             "flow_val", out)
    params = augment.get_random_transform((8, 9, 3), seed=42)
    out["params"] = json.dumps({k: (None if v is None else float(v)) for k, v in params.items()})
    out["random_transform"] = augment.random_transform(x[0], seed=9)
    first = idg(data_format="channels_first", rotation_range=30, zoom_range=0.2)
    _batches(first.flow(np.moveaxis(x, -1, 1), y, batch_size=4, seed=8), 1, "flow_cf", out)

    fitted = idg(featurewise_center=True, featurewise_std_normalization=True)
    fitted.fit(x)
    out["fit_mean"], out["fit_std"] = fitted.mean, fitted.std
    out["fit_standardized"] = fitted.standardize(np.copy(x[:2]))
    zca = idg(zca_whitening=True, zca_epsilon=0.1)
    zca.fit(x[:6, :4, :4], augment=True, rounds=2, seed=4)
    out["zca_matrix"] = zca.zca_whitening_matrix
    out["zca_standardized"] = zca.standardize(np.copy(x[:2, :4, :4]))

    with tempfile.TemporaryDirectory() as root:
        write_image_tree(root)
        plain = idg(rescale=1 / 255.0)
        gen = idg(rotation_range=20, horizontal_flip=True, zoom_range=0.1)
        for name, maker, kwargs in [
            ("dir_cat", plain, {"target_size": (6, 6), "batch_size": 3, "seed": 1}),
            ("dir_aug", gen, {"target_size": (7, 5), "batch_size": 4, "seed": 2, "interpolation": "bilinear"}),
            ("dir_binary", plain, {"target_size": (5, 5), "classes": ["dogs", "cats"], "class_mode": "binary",
                                   "batch_size": 2, "shuffle": False}),
            ("dir_sparse", plain, {"target_size": (4, 6), "class_mode": "sparse", "color_mode": "grayscale",
                                   "batch_size": 3, "seed": 6, "keep_aspect_ratio": True}),
            ("dir_rgba", plain, {"target_size": (6, 4), "color_mode": "rgba", "class_mode": "input",
                                 "batch_size": 4, "shuffle": False, "interpolation": "bicubic"}),
            ("dir_none", plain, {"target_size": (5, 5), "class_mode": None, "batch_size": 5, "shuffle": False}),
            ("dir_val", idg(validation_split=0.4), {"target_size": (5, 5), "subset": "validation",
                                                     "batch_size": 2, "shuffle": False}),
            ("dir_train", idg(validation_split=0.4), {"target_size": (5, 5), "subset": "training",
                                                      "batch_size": 2, "seed": 3}),
        ]:
            with contextlib.redirect_stdout(io.StringIO()):
                it = maker.flow_from_directory(root, **kwargs)
            out[f"{name}_meta"] = json.dumps({"class_indices": it.class_indices, "classes": it.classes.tolist(),
                                              "filenames": [f.replace(os.sep, "/") for f in it.filenames],
                                              "len": len(it), "image_shape": list(it.image_shape)})
            _batches(it, min(2, len(it)), name, out)
    return out


def generate(out_dir: pathlib.Path) -> None:
    import tf_keras

    values = cases(tf_keras)
    np.savez_compressed(out_dir / "values.npz", **{k: np.asarray(v) for k, v in values.items()})
    print(f"  {len(values)} arrays (tf-keras {tf_keras.__version__})")
