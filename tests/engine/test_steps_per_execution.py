"""``compile(steps_per_execution=N)``: batch callbacks once per N steps (Keras on TensorFlow), same training."""

from __future__ import annotations

import numpy as np
import pytest

import keras_torch as keras
from keras_torch import layers


class Recorder(keras.callbacks.Callback):
    def __init__(self) -> None:
        super().__init__()
        self.calls: list[tuple[str, int]] = []

    def on_train_batch_begin(self, batch, logs=None):
        self.calls.append(("begin", batch))

    def on_train_batch_end(self, batch, logs=None):
        self.calls.append(("end", batch))

    def on_test_batch_begin(self, batch, logs=None):
        self.calls.append(("test_begin", batch))

    def on_test_batch_end(self, batch, logs=None):
        self.calls.append(("test_end", batch))


def _model(spe: int):
    keras.utils.set_random_seed(0)
    m = keras.Sequential([layers.Dense(4, activation="relu", input_shape=(3,)), layers.Dense(2, activation="softmax")])
    m.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"], steps_per_execution=spe)
    return m


@pytest.mark.parametrize("spe", [1, 3, 20])
def test_callbacks_per_execution_and_same_training(spe, capsys):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal((40, 3)).astype("float32"), rng.integers(0, 2, 40)  # 10 batches of 4
    ref, m, rec = _model(1), _model(spe), Recorder()
    ref.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    hist = m.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=1, callbacks=[rec])
    begins = list(range(0, 10, spe))
    ends = [min(b + spe, 10) - 1 for b in begins]
    expected = [c for b, e in zip(begins, ends) for c in (("begin", b), ("end", e))]
    assert rec.calls == expected * 2
    assert "10/10" in capsys.readouterr().out  # the progress bar still ends at the last step
    for a, b in zip(m.get_weights(), ref.get_weights()):
        np.testing.assert_array_equal(a, b)
    rec.calls.clear()
    m.evaluate(x, y, batch_size=4, verbose=0, callbacks=[rec])
    assert rec.calls == [c for b, e in zip(begins, ends) for c in (("test_begin", b), ("test_end", e))]
    assert hist.history["loss"][-1] == pytest.approx(ref.history.history["loss"][-1])


def test_stop_training_inside_an_execution_still_closes_it():
    class StopAt(Recorder):
        def on_train_batch_end(self, batch, logs=None):
            super().on_train_batch_end(batch, logs)
            self.model.stop_training = True

    m, rec = _model(4), StopAt()
    m.fit(np.zeros((40, 3), "float32"), np.zeros(40, "int64"), batch_size=4, epochs=3, verbose=0, callbacks=[rec])
    assert rec.calls == [("begin", 0), ("end", 3)]
