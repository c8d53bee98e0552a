"""``image_dataset_from_directory`` / ``text_dataset_from_directory`` / ``timeseries_dataset_from_array``
and ``plot_model``."""

from __future__ import annotations

import os
import sys

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch.utils import (
    image_dataset_from_directory,
    plot_model,
    text_dataset_from_directory,
    timeseries_dataset_from_array,
)
from keras_torch.utils.dataset import Dataset

# ---------------------------------------------------------------------------------------- images


def _make_images(root, sizes=((20, 24), (16, 16), (32, 20))):
    from PIL import Image

    rng = np.random.RandomState(0)
    pixels = {}
    for cls, n in (("cats", 5), ("dogs", 4)):
        os.makedirs(root / cls / "nested")
        for i in range(n):
            h, w = sizes[i % len(sizes)]
            arr = rng.randint(0, 256, (h, w, 3)).astype("uint8")
            sub = "nested/" if i == 0 else ""
            path = root / cls / f"{sub}img_{i}.png"
            Image.fromarray(arr).save(path)
            pixels[str(path)] = arr
    (root / "cats" / "notes.txt").write_text("ignored: not an image")
    (root / ".hidden").mkdir()
    return pixels


@pytest.fixture
def image_dir(tmp_path):
    pytest.importorskip("PIL")
    root = tmp_path / "images"
    return root, _make_images(root)


def test_image_dataset_inferred_labels_and_batches(image_dir):
    root, pixels = image_dir
    ds = image_dataset_from_directory(root, image_size=(16, 16), batch_size=4, seed=1)
    assert isinstance(ds, Dataset) and ds.class_names == ["cats", "dogs"]
    assert len(ds.file_paths) == 9 and len(ds) == 3
    batches = list(ds)
    assert [tuple(b[0].shape) for b in batches] == [(4, 16, 16, 3), (4, 16, 16, 3), (1, 16, 16, 3)]
    assert batches[0][0].dtype == torch.float32 and batches[0][1].dtype == torch.int32
    labels = torch.cat([b[1] for b in batches]).tolist()
    assert sorted(labels) == [0] * 5 + [1] * 4
    # The 16x16 images pass through unchanged (no resize), pixel for pixel.
    ds_sorted = image_dataset_from_directory(root, image_size=(16, 16), batch_size=None, shuffle=False)
    for path, (img, label) in zip(ds_sorted.file_paths, ds_sorted):
        assert label.item() == (0 if os.sep + "cats" + os.sep in path else 1)
        if pixels[path].shape[:2] == (16, 16):
            np.testing.assert_array_equal(img.numpy(), pixels[path].astype("float32"))


def test_image_dataset_modes_and_splits(image_dir):
    root, _ = image_dir
    both = image_dataset_from_directory(root, image_size=8, batch_size=2, validation_split=0.34, subset="both",
                                        seed=3, label_mode="categorical", color_mode="grayscale")
    train, val = both
    assert len(train.file_paths) == 6 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    x, y = next(iter(train))
    assert tuple(x.shape) == (2, 8, 8, 1) and tuple(y.shape) == (2, 2) and y.dtype == torch.float32
    train2 = image_dataset_from_directory(root, image_size=8, validation_split=0.34, subset="training", seed=3)
    assert train2.file_paths == train.file_paths  # same seed, same split
    x, y = next(iter(image_dataset_from_directory(root, image_size=8, label_mode="binary", seed=0)))
    assert tuple(y.shape) == (9, 1) and y.dtype == torch.float32
    only_images = next(iter(image_dataset_from_directory(root, labels=None, image_size=(6, 10), seed=0,
                                                         crop_to_aspect_ratio=True, data_format="channels_first")))
    assert isinstance(only_images, torch.Tensor) and tuple(only_images.shape) == (9, 3, 6, 10)
    sub = image_dataset_from_directory(root, class_names=["dogs"], image_size=8, seed=0)
    assert sub.class_names == ["dogs"] and len(sub.file_paths) == 4
    with pytest.raises(ValueError, match="seed"):
        image_dataset_from_directory(root, validation_split=0.2, subset="training")
    with pytest.raises(ValueError, match="class_names"):
        image_dataset_from_directory(root, class_names=["birds"])
    (root.parent / "empty" / "only_class").mkdir(parents=True)
    with pytest.raises(ValueError, match="No images found"):
        image_dataset_from_directory(root.parent / "empty")


def test_image_dataset_trains_a_model(image_dir):
    root, _ = image_dir
    train = image_dataset_from_directory(root, image_size=(8, 8), batch_size=4, seed=0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Rescaling(1 / 255.0),
                              keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    history = model.fit(train.prefetch(-1), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(train, verbose=0).shape == (9, 2)


def test_resize_matches_tensorflow_pipeline():
    """Plain resize, crop_to_aspect_ratio and pad_to_aspect_ratio equal TF's (data/gen_resize_reference.py)."""
    from keras_torch.utils.dataset_utils import _resize

    ref = np.load(os.path.join(os.path.dirname(__file__), "data", "tf_resize_reference.npz"))
    image = ref["image"]
    checked = 0
    for key in ref.files:
        if key == "image":
            continue
        kind, method, size = key.split("_")
        h, w = map(int, size.split("x"))
        got = _resize(image, (h, w), method, crop=kind == "crop", pad=kind == "pad")
        np.testing.assert_allclose(got, ref[key], atol=2e-3, err_msg=key)
        checked += 1
    assert checked == 24


def test_image_dataset_needs_pillow(tmp_path, monkeypatch):
    (tmp_path / "a").mkdir()
    monkeypatch.setitem(sys.modules, "PIL", None)
    with pytest.raises(ImportError, match="pip install pillow"):
        image_dataset_from_directory(tmp_path)


# ---------------------------------------------------------------------------------------- text


def test_text_dataset(tmp_path):
    for cls, texts in (("neg", ["bad movie", "awful"]), ("pos", ["great film", "loved it", "superb acting"])):
        (tmp_path / cls).mkdir()
        for i, t in enumerate(texts):
            (tmp_path / cls / f"{i}.txt").write_text(t)
    (tmp_path / "pos" / "skip.md").write_text("not a .txt")
    ds = text_dataset_from_directory(tmp_path, batch_size=2, shuffle=False)
    assert ds.class_names == ["neg", "pos"]
    pairs = [(t, int(y)) for xb, yb in ds for t, y in zip(xb.tolist(), yb.tolist())]
    assert pairs == [("bad movie", 0), ("awful", 0), ("great film", 1), ("loved it", 1), ("superb acting", 1)]
    short = text_dataset_from_directory(tmp_path, batch_size=None, max_length=3, shuffle=False, label_mode=None)
    assert [str(t) for t in short] == ["bad", "awf", "gre", "lov", "sup"]
    train, val = text_dataset_from_directory(tmp_path, validation_split=0.4, subset="both", seed=2,
                                             label_mode="binary")
    xs, ys = next(iter(val))
    assert len(xs) == 2 and tuple(ys.shape) == (2, 1)


# ---------------------------------------------------------------------------------------- timeseries


def test_timeseries_matches_keras_docs_example():
    data = np.arange(100)
    ds = timeseries_dataset_from_array(data, None, sequence_length=10, sampling_rate=2, sequence_stride=3,
                                       batch_size=4)
    batches = list(ds)
    first = batches[0]
    assert isinstance(first, torch.Tensor) and tuple(first.shape) == (4, 10)
    assert first[0].tolist() == list(range(0, 20, 2))
    assert first[1].tolist() == list(range(3, 23, 2))
    windows = torch.cat(batches)
    assert len(windows) == len(range(0, 100 - 9 * 2, 3)) and windows[-1].tolist()[-1] <= 99


def test_timeseries_targets_offsets_and_shuffle():
    x = np.arange(50, dtype="float32")[:, None] * np.ones((1, 2), "float32")
    y = np.arange(50) * 10
    ds = timeseries_dataset_from_array(x[:-5], y[5:], sequence_length=5, batch_size=8, start_index=2,
                                       end_index=40)
    xb, yb = next(iter(ds))
    assert tuple(xb.shape) == (8, 5, 2) and xb.dtype == torch.float32
    assert xb[0, :, 0].tolist() == [2, 3, 4, 5, 6] and yb[0].item() == (2 + 5) * 10
    shuffled = timeseries_dataset_from_array(x, y, sequence_length=3, batch_size=None, shuffle=True, seed=0)
    firsts = sorted(int(w[0, 0]) for w, _ in shuffled)
    assert firsts == list(range(48))
    with pytest.raises(ValueError, match="sampling_rate"):
        timeseries_dataset_from_array(x, None, 3, sampling_rate=0)


# ---------------------------------------------------------------------------------------- plot_model


def _functional():
    a = keras.Input((4,), name="a")
    b = keras.Input((3,), name="b")
    h = keras.layers.Concatenate(name="cat")([a, b])
    out = keras.layers.Dense(2, activation="relu", name="head")(h)
    return keras.Model([a, b], out, name="two_inputs")


def test_plot_model_dot_without_dependencies(tmp_path):
    target = tmp_path / "model.dot"
    plot_model(_functional(), to_file=str(target), show_shapes=True, show_layer_names=True,
               show_layer_activations=True)
    dot = target.read_text()
    for name in ("a (InputLayer)", "b (InputLayer)", "cat (Concatenate)", "head (Dense)", "activation: relu"):
        assert name in dot
    assert dot.count("->") == 3
    seq = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2), keras.layers.Dense(1)])
    plot_model(seq, to_file=str(tmp_path / "seq.dot"))
    assert (tmp_path / "seq.dot").read_text().count("->") == len(seq.layers) - 1


def test_plot_model_png_needs_pydot_and_graphviz(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "pydot", None)
    with pytest.raises(ImportError, match="pip install pydot"):
        plot_model(_functional(), to_file=str(tmp_path / "model.png"))
