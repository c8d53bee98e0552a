"""Long runs keep memory flat: no growth from history, metrics, logs, graphs or caches."""

from __future__ import annotations

import gc
import os

import numpy as np
import pytest
from _rel_models import mlp

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

LIMIT_MB = 30.0


def rss_mb(collect: bool = True) -> float:
    if collect:
        gc.collect()
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def _growth(samples: list[float], warmup: int) -> float:
    base = min(samples[warmup:warmup + 3])
    return max(samples[warmup:]) - base


def test_fit_with_validation_memory_is_flat(keras, tmp_path):
    L = keras.layers
    model = keras.Sequential([keras.Input((8,)), L.Dense(32, activation="relu"), L.BatchNormalization(),
                              L.Dropout(0.1), L.Dense(4, activation="softmax")])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    x = rng.normal(size=(160, 8)).astype("float32")
    y = rng.integers(0, 4, size=160)
    samples: list[float] = []

    class Probe(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            samples.append(rss_mb(collect=epoch % 10 == 9))

    history = model.fit(x, y, batch_size=32, epochs=60, validation_split=0.25, verbose=0, callbacks=[
        Probe(), keras.callbacks.CSVLogger(str(tmp_path / "log.csv")),
        keras.callbacks.ReduceLROnPlateau(patience=100)])
    assert len(history.history["val_loss"]) == 60
    growth = _growth(samples, warmup=10)
    print(f"\nsoak fit: 60 epochs, RSS {samples[10]:.0f} -> {samples[-1]:.0f} MB (max growth {growth:.1f} MB)")
    assert growth < LIMIT_MB, samples


def test_repeated_evaluate_predict_save_load_memory_is_flat(keras, tmp_path):
    model = mlp(keras)
    x = np.random.default_rng(0).normal(size=(64, 4)).astype("float32")
    y = np.zeros((64, 2), "float32")
    samples = []
    for _ in range(25):
        model.evaluate(x, y, verbose=0)
        model.predict(x, verbose=0)
        model.train_on_batch(x, y)
        model.save(tmp_path / "m.keras")
        keras.models.load_model(tmp_path / "m.keras")
        model.save_weights(tmp_path / "m.weights.h5")
        model.load_weights(tmp_path / "m.weights.h5")
        samples.append(rss_mb())
    growth = _growth(samples, warmup=5)
    print(f"\nsoak evaluate/predict/save/load: 25 rounds, max growth {growth:.1f} MB")
    assert growth < LIMIT_MB, samples
