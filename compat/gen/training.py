"""Reference accuracies of the seed tutorial's MLP and CNN trained by real Keras 3 on the bundled digits.

    /opt/kref/bin/python compat/generate_fixtures.py training

Writes ``compat/fixtures/training/seed_accuracy.json``: mean/min/max test accuracy over seeds.
"""

from __future__ import annotations

import importlib.util
import json
import pathlib

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
SETTINGS = {"mlp": {"epochs": 20, "size": 10}, "cnn": {"epochs": 3, "size": 28}}
SEEDS = (0, 1, 2)


def _digits():
    spec = importlib.util.spec_from_file_location("digits", ROOT / "keras_torch" / "datasets" / "digits.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def build(keras, kind: str):
    """The tutorial's models (sections 4.1 and 4.2), unchanged."""
    from_layers = keras.layers
    model = keras.Sequential()
    if kind == "mlp":
        model.add(from_layers.Dense(units=64, activation="relu", input_dim=100))
        model.add(from_layers.Dense(units=10, activation="softmax"))
    else:
        model.add(from_layers.Conv2D(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)))
        model.add(from_layers.MaxPooling2D(pool_size=(2, 2)))
        model.add(from_layers.Conv2D(filters=64, kernel_size=(3, 3), activation="relu"))
        model.add(from_layers.MaxPooling2D(pool_size=(2, 2)))
        model.add(from_layers.Flatten())
        model.add(from_layers.Dense(units=128, activation="relu"))
        model.add(from_layers.Dense(units=10, activation="softmax"))
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model


def data(kind: str, loader=None):
    loader = loader or _digits().load_data
    (xtr, ytr), (xte, yte) = loader(SETTINGS[kind]["size"])
    if kind == "mlp":
        xtr, xte = xtr.reshape(len(xtr), -1), xte.reshape(len(xte), -1)
    eye = np.eye(10, dtype="float32")
    return xtr, eye[ytr], xte, eye[yte]


def train_accuracy(keras, kind: str, seed: int, loader=None) -> float:
    keras.utils.set_random_seed(seed)
    xtr, ytr, xte, yte = data(kind, loader)
    model = build(keras, kind)
    model.fit(xtr, ytr, epochs=SETTINGS[kind]["epochs"], batch_size=32, verbose=0)
    return float(model.evaluate(xte, yte, verbose=0)[1])


def generate(out_dir: pathlib.Path) -> None:
    import keras

    result = {"keras_version": keras.__version__, "settings": SETTINGS, "seeds": list(SEEDS)}
    for kind in SETTINGS:
        accs = [train_accuracy(keras, kind, s) for s in SEEDS]
        result[kind] = {"mean": float(np.mean(accs)), "min": min(accs), "max": max(accs), "all": accs}
        print(kind, result[kind])
    (out_dir / "seed_accuracy.json").write_text(json.dumps(result, indent=2))
