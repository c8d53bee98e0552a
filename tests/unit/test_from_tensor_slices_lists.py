"""``Dataset.from_tensor_slices`` with Python lists: a list is one tensor, tuples and dicts are structure."""

import numpy as np

import keras_torch as keras
from keras_torch.utils.dataset import Dataset


def test_lists_inside_a_tuple_are_tensors():
    items = list(Dataset.from_tensor_slices(([[1.0], [2.0]], [0, 1])))
    assert len(items) == 2
    np.testing.assert_array_equal(items[1][0], [2.0])
    assert int(items[1][1]) == 1


def test_dicts_and_nested_tuples_keep_their_structure():
    items = list(Dataset.from_tensor_slices({"a": [1, 2], "b": ([3, 4], [[5], [6]])}))
    assert [int(i["a"]) for i in items] == [1, 2]
    np.testing.assert_array_equal(items[0]["b"][1], [5])


def test_fit_on_list_slices():
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(2, activation="softmax")])
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    ds = Dataset.from_tensor_slices(([[1.0], [2.0], [3.0], [4.0]], [0, 1, 0, 1])).batch(2)
    history = model.fit(ds, epochs=1, verbose=0)
    assert np.isfinite(history.history["loss"][0])
