"""``keras.utils`` names of Keras 3 and tf-keras 2 beyond the data loaders."""

import os
import threading
import time
import wave

import numpy as np
import pytest
import torch

import keras_torch as keras
from keras_torch import utils


def test_config_behaves_like_keras():
    config = utils.Config(learning_rate=0.1)
    config.momentum = 0.9
    config["nesterov"] = True
    assert config.learning_rate == 0.1 and config["momentum"] == 0.9 and len(config) == 3
    assert list(config) == ["learning_rate", "momentum", "nesterov"] and "nesterov" in config
    assert config.as_dict() == {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True}
    assert config.to_json() == '{"learning_rate": 0.1, "momentum": 0.9, "nesterov": true}'
    with pytest.raises(AttributeError, match="Unknown attribute: 'learning_rat'. Did you mean 'learning_rate'?"):
        config.learning_rat  # noqa: B018
    config.freeze()
    assert config.frozen
    with pytest.raises(ValueError, match="config is frozen"):
        config.momentum = 0.5
    config.unfreeze()
    del config["nesterov"]
    assert config.pop("momentum") == 0.9 and config.keys() == {"learning_rate": 0}.keys()


def test_to_ordinal_matches_tf_keras_definition():
    out = utils.to_ordinal([[0], [2], [1]], num_classes=4)
    assert out.tolist() == [[0, 0, 0], [1, 1, 0], [1, 0, 0]] and out.dtype == np.float32
    assert utils.to_ordinal(np.array([[1, 3]])).shape == (1, 2, 3)


def test_get_source_inputs_and_is_keras_tensor():
    a, b = keras.Input((2,)), keras.Input((2,))
    out = keras.layers.Dense(1)(keras.layers.Add()([a, b]) + a)
    sources = utils.get_source_inputs(out)
    assert sources[0] is a and sources[1] is b and len(sources) == 2
    assert utils.get_source_inputs(a) == [a]
    assert utils.is_keras_tensor(out) and not utils.is_keras_tensor(torch.ones(1))


def test_split_dataset_like_keras():
    x, y = np.arange(10).reshape(10, 1), np.arange(10)
    left, right = utils.split_dataset((x, y), left_size=0.8)
    assert len(left) == 8 and len(right) == 2
    assert [int(e[1]) for e in right] == [8, 9]
    left, right = utils.split_dataset(np.arange(10), right_size=3, shuffle=True, seed=1)
    import random
    order = list(range(10))
    random.seed(1)
    random.shuffle(order)  # Keras shuffles the samples with Python's random, seeded the same way
    assert [int(v) for v in left] == order[:7] and [int(v) for v in right] == order[-3:]
    with pytest.raises(ValueError, match="At least one of the `left_size` or `right_size`"):
        utils.split_dataset(np.arange(4))
    with pytest.raises(ValueError, match="`left_size` should be either a positive integer smaller than 4"):
        utils.split_dataset(np.arange(4), left_size=4)
    with pytest.raises(ValueError, match="sum of `left_size` and `right_size` is greater than 1"):
        utils.split_dataset(np.arange(4), left_size=0.6, right_size=0.6)


def _write_wav(path, samples, rate=8000):
    with wave.open(str(path), "wb") as f:
        f.setnchannels(1)
        f.setsampwidth(2)
        f.setframerate(rate)
        f.writeframes((np.asarray(samples) * 32768).astype("<i2").tobytes())


def test_audio_dataset_from_directory(tmp_path):
    for label, lengths in (("a", (5, 3)), ("b", (4,))):
        (tmp_path / label).mkdir()
        for i, n in enumerate(lengths):
            _write_wav(tmp_path / label / f"{i}.wav", np.linspace(-0.5, 0.5, n))
    ds = utils.audio_dataset_from_directory(tmp_path, batch_size=4, shuffle=False)
    assert ds.class_names == ["a", "b"]
    audio, labels = next(iter(ds))
    assert audio.shape == (3, 5, 1) and audio.dtype == torch.float32
    assert labels.tolist() == [0, 0, 1]
    np.testing.assert_allclose(audio[0, :, 0].numpy(), np.linspace(-0.5, 0.5, 5), atol=1e-4)
    assert float(audio[1, 3:].abs().sum()) == 0.0  # the shorter clip is zero-padded
    fixed = utils.audio_dataset_from_directory(tmp_path, batch_size=None, output_sequence_length=2,
                                               label_mode="categorical", shuffle=False)
    clip, label = next(iter(fixed))
    assert clip.shape == (2, 1) and label.tolist() == [1.0, 0.0]
    with pytest.raises(ValueError, match="does not resample"):
        next(iter(utils.audio_dataset_from_directory(tmp_path, sampling_rate=16000)))
    with pytest.raises(NotImplementedError, match="ragged"):
        utils.audio_dataset_from_directory(tmp_path, ragged=True)


def test_warmstart_embedding_matrix():
    base = torch.arange(6.0).reshape(3, 2)
    new = utils.warmstart_embedding_matrix(["a", "b", "c"], ["c", "z", "a"], base,
                                           new_embeddings_initializer="zeros")
    assert new.tolist() == [[4.0, 5.0], [0.0, 0.0], [0.0, 1.0]]
    uniform = utils.warmstart_embedding_matrix(["a"], ["q", "r"], base[:1])
    assert uniform.shape == (2, 2) and float(uniform.abs().max()) <= 0.05


class _Numbers(utils.Sequence):
    def __init__(self):
        super().__init__()
        self.epochs = 0

    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(0.001 * (4 - i))  # later batches finish first: order must still hold
        return i

    def on_epoch_end(self):
        self.epochs += 1


def test_ordered_enqueuer_keeps_order_across_epochs():
    sequence = _Numbers()
    enqueuer = utils.OrderedEnqueuer(sequence)
    enqueuer.start(workers=3, max_queue_size=3)
    items = enqueuer.get()
    got = [next(items) for _ in range(8)]
    enqueuer.stop()
    assert got == [0, 1, 2, 3, 0, 1, 2, 3] and sequence.epochs >= 1 and not enqueuer.is_running()


def test_generator_enqueuer_ends_and_reraises():
    enqueuer = utils.GeneratorEnqueuer(iter(range(5)))
    enqueuer.start()
    assert list(enqueuer.get()) == [0, 1, 2, 3, 4]

    def broken():
        yield 1
        raise RuntimeError("bad batch")

    enqueuer = utils.GeneratorEnqueuer(broken())
    enqueuer.start()
    items = enqueuer.get()
    assert next(items) == 1
    with pytest.raises(RuntimeError, match="bad batch"):
        next(items)


def test_timed_thread_calls_on_interval():
    calls = []
    done = threading.Event()

    class Ticker(utils.TimedThread):
        def on_interval(self):
            calls.append(1)
            if len(calls) >= 3:
                done.set()

    with Ticker(interval=0.01) as ticker:
        assert done.wait(5)
        assert ticker.is_alive()
    ticker.thread.join(5)
    assert not ticker.is_alive()
    with pytest.raises(NotImplementedError, match="implemented in subclasses"):
        utils.TimedThread(1).on_interval()


def test_lazily_served_names():
    assert utils.clear_session is keras.backend.clear_session
    x, y, w = utils.unpack_x_y_sample_weight(utils.pack_x_y_sample_weight(1, 2))
    assert (x, y, w) == (1, 2, None)
    assert utils.standardize_dtype(float) == "float32"
    with utils.CustomObjectScope({"thing": 1}):
        assert utils.get_registered_object("thing") == 1
    assert utils.get_registered_object("thing") is None
    utils.disable_interactive_logging()
    assert not keras.config.is_interactive_logging_enabled()
    utils.enable_interactive_logging()
    assert isinstance(utils.Progbar(3), utils.Progbar)
    assert os.path.basename(utils.legacy.__file__) == "legacy_serialization.py"
