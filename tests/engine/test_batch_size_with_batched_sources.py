"""``batch_size`` next to data that makes its own batches: said, not silently ignored."""

import warnings

import numpy as np
import pytest
import torch

import keras_torch as keras


def _model():
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    return model


def _loader(batch_size):
    ds = torch.utils.data.TensorDataset(torch.rand(16, 3), torch.rand(16, 1))
    return torch.utils.data.DataLoader(ds, batch_size=batch_size)


@pytest.mark.parametrize("call", ["fit", "evaluate", "predict"])
def test_batch_size_that_a_dataloader_ignores_warns(call):
    model = _model()
    with pytest.warns(UserWarning, match=r"`batch_size=8` is ignored: the DataLoader yields batches of 4\. "
                                         r"Set the batch size in DataLoader\(batch_size=\.\.\.\) instead"):
        getattr(model, call)(_loader(4), batch_size=8, verbose=0)


def test_generator_with_batch_size_warns():
    model = _model()

    def gen():
        while True:
            yield np.zeros((4, 3), "float32"), np.zeros((4, 1), "float32")

    with pytest.warns(UserWarning, match="`batch_size=8` is ignored: the generator yields its own batches"):
        model.fit(gen(), batch_size=8, steps_per_epoch=2, verbose=0)


def test_no_warning_when_nothing_is_ignored():
    model = _model()
    x, y = np.zeros((16, 3), "float32"), np.zeros((16, 1), "float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model.fit(_loader(4), batch_size=4, verbose=0)  # the same size: nothing ignored
        model.fit(_loader(4), verbose=0)
        model.fit(x, y, batch_size=8, validation_data=_loader(4), verbose=0)  # batch_size is the arrays'
