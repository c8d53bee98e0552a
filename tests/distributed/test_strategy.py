"""Strategies in one process: the default single-device strategy, and the data pipeline sharded
for each rank of a simulated job (``Sharding`` without a process group)."""

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import layers
from keras_torch.distribution import context
from keras_torch.distribution.sharding import Sharding
from keras_torch.distribution.strategy import SingleDeviceStrategy
from keras_torch.trainers.data_adapter import DataHandler, unpack_x_y_sample_weight


def _model():
    model = keras.Sequential([keras.Input((3,)), layers.Dense(2)])
    model.compile("sgd", "mse", metrics=["mae"])
    return model


def test_a_single_process_trains_under_the_single_device_strategy(monkeypatch):
    monkeypatch.setattr(context._ACTIVE, "explicit", False)
    model = _model()
    assert keras.distribution.distribution() is None
    assert isinstance(model.distribute_strategy, SingleDeviceStrategy)
    # An explicit DataParallel in a lone process is a no-op: still one device, same results.
    monkeypatch.setattr(context._ACTIVE, "explicit", True)
    monkeypatch.setattr(context._ACTIVE, "chosen", keras.distribution.DataParallel())
    assert isinstance(keras.distribution.distribution(), keras.distribution.DataParallel)
    assert isinstance(model.distribute_strategy, SingleDeviceStrategy)
    hist = model.fit(np.ones((8, 3)), np.ones((8, 2)), batch_size=4, epochs=2, verbose=0)
    assert len(hist.history["loss"]) == 2


def _rank_batches(world, x, y=None, **kwargs):
    """Every rank's batches (as numpy) and step weights over one epoch (``x``: the data, or a
    function returning a fresh generator)."""
    out = []
    for rank in range(world):
        sharding = Sharding(rank, world, broadcast_int=lambda seed: 123)  # stands in for rank 0's seed
        handler = DataHandler(x() if callable(x) else x, y, **kwargs)
        handler.shard(sharding)
        steps = []
        for batch in handler.epoch_iterator(0):
            parts = unpack_x_y_sample_weight(batch)  # (x alone is yielded bare, as in Keras)
            steps.append(([t.numpy() for t in parts if t is not None], sharding.step_weight))
        out.append((handler, steps))
    return out


@pytest.mark.parametrize("shuffle", [False, True, "batch"])
def test_sharded_arrays_cover_every_row_once_with_weights_summing_to_one(shuffle):
    x = np.arange(21, dtype="float32")[:, None]
    ranks = _rank_batches(2, x, x.copy(), batch_size=5, shuffle=shuffle)
    assert [len(steps) for _, steps in ranks] == [5, 5]  # every rank runs every global step
    rows = []
    for k in range(5):
        weights = [steps[k][1] for _, steps in ranks]
        assert sum(weights) == pytest.approx(1.0)
        for _, steps in ranks:
            (bx, by), w = steps[k]
            np.testing.assert_array_equal(bx, by)
            if w > 0:
                rows += bx[:, 0].astype(int).tolist()
    assert sorted(rows) == list(range(21))
    assert ranks[1][1][4][1] == 0.0  # the last global batch has one row: rank 1 runs a placeholder


def test_sharded_streams_take_a_share_of_each_global_batch():
    def gen():
        for s in range(0, 9, 3):
            b = np.arange(s, s + 3, dtype="float32")[:, None]
            yield b, b

    shares = [[b[0][:, 0].tolist() for b, _ in steps] for _, steps in _rank_batches(2, gen)]
    assert shares == [[[0.0, 1.0], [3.0, 4.0], [6.0, 7.0]], [[2.0], [5.0], [8.0]]]


def test_a_sharded_predict_splits_the_rows_in_contiguous_ranges():
    x = np.arange(10, dtype="float32")[:, None]
    ranks = _rank_batches(3, x, batch_size=4, for_predict=True)
    got = [np.concatenate([b[0] for b, _ in steps])[:, 0].tolist() for _, steps in ranks]
    assert got == [[0.0, 1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0]]
    handler = ranks[0][0]
    assert handler.split_rows == 10 and handler.steps() == 2  # batches of ceil(4 / 3) rows
    tiny = _rank_batches(2, x[:1], for_predict=True)
    assert [len(steps) for _, steps in tiny] == [1, 1]  # rank 1 predicts a placeholder row (dropped later)


def test_sample_x_gives_a_build_batch_except_for_one_shot_generators():
    x = np.ones((4, 3), "float32")
    assert DataHandler(x, batch_size=2).sample_x().shape == (1, 3)
    ds = torch.utils.data.TensorDataset(torch.ones(4, 3), torch.ones(4, 1))
    assert DataHandler(ds, batch_size=2).sample_x().shape == (1, 3)
    assert DataHandler(b for b in [(x, x)]).sample_x() is None
