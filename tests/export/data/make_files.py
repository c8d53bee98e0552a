"""Regenerate the small Keras files used by the export CLI tests (needs real Keras)::

    /opt/kref/bin/python tests/export/data/make_files.py

* ``k3_lstm_relu.keras`` -- Keras 3: Input(None, 3) -> LSTM(4, relu) -> Dense(2, softmax)
* ``k2_cnn.h5``          -- tf-keras (Keras 2) HDF5: Conv2D/MaxPooling2D/Flatten/Dense on 8x8x1
* ``*.npz``              -- inputs ``x`` and the real Keras outputs ``y`` for them
"""

import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def k3_lstm() -> None:
    import keras

    keras.utils.set_random_seed(1)
    model = keras.Sequential([
        keras.Input(shape=(None, 3), name="series"),
        keras.layers.LSTM(4, activation="relu", name="lstm"),
        keras.layers.Dense(2, activation="softmax", name="probs"),
    ])
    x = np.random.default_rng(0).standard_normal((2, 6, 3)).astype("float32")
    y = model.predict(x, verbose=0)
    model.save(os.path.join(HERE, "k3_lstm_relu.keras"))
    np.savez(os.path.join(HERE, "k3_lstm_relu.npz"), x=x, y=y)


def k2_cnn() -> None:
    import tf_keras as keras

    keras.utils.set_random_seed(2)
    model = keras.Sequential([
        keras.layers.Conv2D(3, 3, activation="relu", padding="same", input_shape=(8, 8, 1), name="conv"),
        keras.layers.MaxPooling2D(2, name="pool"),
        keras.layers.Flatten(name="flat"),
        keras.layers.Dense(4, activation="softmax", name="out"),
    ])
    x = np.random.default_rng(0).standard_normal((2, 8, 8, 1)).astype("float32")
    y = model.predict(x, verbose=0)
    model.save(os.path.join(HERE, "k2_cnn.h5"))
    np.savez(os.path.join(HERE, "k2_cnn.npz"), x=x, y=y)


if __name__ == "__main__":
    which = sys.argv[1:] or ["k3", "k2"]
    if "k3" in which:
        k3_lstm()
    if "k2" in which:
        k2_cnn()
