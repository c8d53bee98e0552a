"""``ImageDataGenerator`` and its iterators against real tf-keras values (compat/fixtures/tfk_image_generator,
calls in compat/gen/tfk_image_generator.py), and feeding ``fit``."""

from __future__ import annotations

import json
import pathlib
import warnings

import numpy as np
import pytest

import keras_torch as keras
from compat.gen import tfk_image_generator
from keras_torch.preprocessing import image

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "tfk_image_generator" / "values.npz"
EXPECTED = np.load(FIXTURE)
with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    GOT = tfk_image_generator.cases(keras)


@pytest.mark.parametrize("key", sorted(EXPECTED.files))
def test_matches_tf_keras(key):
    want = EXPECTED[key]
    got = GOT[key]
    if want.dtype.kind == "U":
        assert json.loads(got) == json.loads(str(want)), key
        return
    got = np.asarray(got)
    assert got.shape == want.shape and got.dtype == want.dtype, f"{key}: {got.shape} {got.dtype}"
    # scipy's affine resampling runs on both sides: the images agree to float32 rounding.
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-4)


def test_every_case_has_a_fixture():
    assert set(GOT) == set(EXPECTED.files)


def test_flow_feeds_fit():
    x = tfk_image_generator.images(16)
    y = keras.utils.to_categorical(np.arange(16) % 3, 3)
    gen = image.ImageDataGenerator(rotation_range=10, horizontal_flip=True, rescale=1 / 255.0)
    model = keras.Sequential([keras.Input((8, 9, 3)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")])
    model.compile("adam", "categorical_crossentropy")
    history = model.fit(gen.flow(x, y, batch_size=5, seed=1), epochs=2, verbose=0)
    assert len(history.history["loss"]) == 2
    assert model.predict(gen.flow(x, batch_size=8, shuffle=False), verbose=0).shape == (16, 3)


def test_flow_from_directory_feeds_fit(tmp_path):
    tfk_image_generator.write_image_tree(str(tmp_path))
    it = image.ImageDataGenerator(rescale=1 / 255.0).flow_from_directory(str(tmp_path), target_size=(6, 6),
                                                                         batch_size=4, seed=0)
    assert it.class_indices == {"cats": 0, "dogs": 1, "zebras": 2} and it.samples == 8
    x, y = it[0]
    assert x.shape == (4, 6, 6, 3) and y.shape == (4, 3)
    model = keras.Sequential([keras.Input((6, 6, 3)), keras.layers.Flatten(), keras.layers.Dense(3, "softmax")])
    model.compile("sgd", "categorical_crossentropy")
    assert len(model.fit(it, epochs=1, verbose=0).history["loss"]) == 1


def test_flow_from_dataframe_matches_flow_from_directory(tmp_path):
    pd = pytest.importorskip("pandas")
    tfk_image_generator.write_image_tree(str(tmp_path))
    gen = image.ImageDataGenerator(rescale=1 / 255.0)
    by_dir = gen.flow_from_directory(str(tmp_path), target_size=(5, 5), batch_size=8, shuffle=False)
    rows = [(f, f.split("/")[0]) for f in by_dir.filenames] + [("cats/notes.txt", "cats")]
    df = pd.DataFrame(rows, columns=["filename", "class"])
    with pytest.warns(UserWarning, match="1 invalid image filename"):
        by_df = gen.flow_from_dataframe(df, str(tmp_path), target_size=(5, 5), batch_size=8, shuffle=False)
    assert by_df.class_indices == by_dir.class_indices and by_df.filenames == by_dir.filenames
    for a, b in zip(by_df[0], by_dir[0]):
        np.testing.assert_array_equal(a, b)
    raw = gen.flow_from_dataframe(df.assign(score=np.arange(9.0)), str(tmp_path), y_col="score", class_mode="raw",
                                  target_size=(5, 5), batch_size=3, shuffle=False, validate_filenames=False)
    np.testing.assert_array_equal(raw[0][1], [0.0, 1.0, 2.0])
    with pytest.raises(TypeError, match='class_mode="multi_output", y_col must be a list'):
        gen.flow_from_dataframe(df, str(tmp_path), class_mode="multi_output")


def test_argument_errors():
    with pytest.raises(ValueError, match="`zoom_range` should be a float"):
        image.ImageDataGenerator(zoom_range=(1, 2, 3))
    with pytest.raises(ValueError, match="`validation_split` must be strictly between 0 and 1"):
        image.ImageDataGenerator(validation_split=1.5)
    with pytest.raises(ValueError, match="should have rank 4"):
        image.ImageDataGenerator().flow(np.zeros((3, 4, 4)))
    with pytest.raises(ValueError, match="Invalid class_mode"):
        image.ImageDataGenerator().flow_from_directory(".", class_mode="bogus")
    with pytest.warns(UserWarning, match="hasn't been fit"):
        image.ImageDataGenerator(featurewise_center=True).standardize(np.ones((2, 2, 3)))
