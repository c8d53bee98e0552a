"""``keras.preprocessing`` text / sequence / image functions against real tf-keras values
(compat/fixtures/tfk_preprocessing, calls in compat/gen/tfk_preprocessing.py)."""

import json
import pathlib

import numpy as np
import pytest

import keras_torch
from compat.gen import tfk_preprocessing
from keras_torch.preprocessing import image, sequence, text

FIXTURE = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "tfk_preprocessing" / "values.npz"
EXPECTED = np.load(FIXTURE)
GOT = tfk_preprocessing.cases(keras_torch)


@pytest.mark.parametrize("key", sorted(EXPECTED.files))
def test_matches_tf_keras(key):
    want = EXPECTED[key]
    if want.dtype.kind == "U":
        if want.ndim == 0:  # a JSON-encoded ragged list
            assert json.loads(str(GOT[key])) == json.loads(str(want))
        else:
            assert np.asarray(GOT[key]).tolist() == want.tolist()
        return
    np.testing.assert_allclose(np.asarray(GOT[key], dtype="float64"), want.astype("float64"), rtol=1e-5, atol=1e-4)


def test_every_case_has_a_fixture():
    assert set(GOT) == set(EXPECTED.files)


def test_hashing_and_one_hot_ranges():
    assert all(1 <= i < 7 for i in text.one_hot("a b c d e f g", 7))
    assert text.hashing_trick("x y x", 50, hash_function="md5")[0] == text.hashing_trick("x", 50, hash_function="md5")[0]
    words = text.hashing_trick("one two", 10, analyzer=lambda s: s.split())
    assert len(words) == 2


def test_tokenizer_errors_and_old_arguments():
    tok = text.Tokenizer()
    with pytest.raises(ValueError, match="Specify a dimension"):
        tok.texts_to_matrix(["a"])
    with pytest.warns(UserWarning, match="renamed `num_words`"):
        assert text.Tokenizer(nb_words=3).num_words == 3
    with pytest.raises(TypeError, match="Unrecognized keyword arguments"):
        text.Tokenizer(bogus=1)
    tok.fit_on_texts(["a b"])
    with pytest.raises(ValueError, match="Unknown vectorization mode: tf"):
        tok.texts_to_matrix(["a"], mode="tf")


def test_timeseries_generator_feeds_fit():
    data = np.random.rand(50, 3).astype("float32")
    gen = sequence.TimeseriesGenerator(data, data[:, :1], length=4, batch_size=8)
    model = keras_torch.Sequential([keras_torch.Input((4, 3)), keras_torch.layers.Flatten(),
                                    keras_torch.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    history = model.fit(gen, epochs=1, verbose=0)
    assert len(history.history["loss"]) == 1 and len(gen) == 6
    with pytest.raises(ValueError, match="Data and targets have to be of same length"):
        sequence.TimeseriesGenerator(data, data[:3], length=2)


def test_image_argument_errors():
    x = np.zeros((4, 4, 1), "float32")
    with pytest.raises(ValueError, match="must be distinct"):
        image.apply_affine_transform(x, theta=10, row_axis=0, col_axis=0, channel_axis=2)
    with pytest.raises(ValueError, match="`zoom_range` should be a tuple or list of two floats"):
        image.random_zoom(x, (0.5,))
    assert image.apply_affine_transform(x) is x
    with pytest.raises(ValueError, match="Expected `size` to be a tuple of 2 integers"):
        image.smart_resize(x, (3,))
    resized = image.smart_resize(np.zeros((2, 1, 6, 4), "float32"), (3, 3), data_format="channels_first")
    assert resized.shape == (2, 1, 3, 3)
