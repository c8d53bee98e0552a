"""``model.summary()`` totals as Keras 3 prints them (a built optimizer's variables count in the total)."""

import numpy as np
import pytest

import keras_torch as keras
from keras_torch import layers

# Printed by Keras 3.15.1 (TensorFlow backend) for the same models, compiled and fitted one epoch.
KERAS_TOTALS = {
    "cnn_adam": [" Total params: 675,104 (2.58 MB)", " Trainable params: 225,034 (879.04 KB)",
                 " Non-trainable params: 0 (0.00 B)", " Optimizer params: 450,070 (1.72 MB)"],
    "bn_sgd": [" Total params: 28 (116.00 B)", " Trainable params: 18 (72.00 B)",
               " Non-trainable params: 8 (32.00 B)", " Optimizer params: 2 (12.00 B)"],
    "bn_sgd_momentum": [" Total params: 46 (188.00 B)", " Trainable params: 18 (72.00 B)",
                        " Non-trainable params: 8 (32.00 B)", " Optimizer params: 20 (84.00 B)"],
}
# Before compile/fit (no optimizer variables yet): Keras prints no optimizer line.
KERAS_CNN_UNCOMPILED = [" Total params: 225,034 (879.04 KB)", " Trainable params: 225,034 (879.04 KB)",
                        " Non-trainable params: 0 (0.00 B)"]


def _cnn():
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(32, 3, activation="relu"), layers.MaxPooling2D(),
                             layers.Conv2D(64, 3, activation="relu"), layers.MaxPooling2D(), layers.Flatten(),
                             layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")])


def _bn():
    return keras.Sequential([keras.Input((4,)), layers.BatchNormalization(), layers.Dense(2)])


def _totals(model):
    lines = []
    model.summary(print_fn=lines.append)
    return [line for line in lines if line.startswith(" ") and "params:" in line]


@pytest.mark.parametrize("case", sorted(KERAS_TOTALS))
def test_summary_totals_match_keras(case):
    if case == "cnn_adam":
        model, opt, x, y = _cnn(), "adam", np.zeros((4, 28, 28, 1)), np.eye(10)[[0, 1, 2, 3]]
        model.compile(optimizer=opt, loss="categorical_crossentropy")
        assert _totals(model) == KERAS_CNN_UNCOMPILED
    else:
        model, x, y = _bn(), np.zeros((4, 4)), np.zeros((4, 2))
        opt = keras.optimizers.SGD(momentum=0.9) if case == "bn_sgd_momentum" else "sgd"
        model.compile(optimizer=opt, loss="mse")
    model.fit(x, y, epochs=1, verbose=0)
    assert _totals(model) == KERAS_TOTALS[case]


def test_summary_bytes_follow_the_weight_dtype():
    model = _bn().double()
    assert _totals(model) == [" Total params: 26 (208.00 B)", " Trainable params: 18 (144.00 B)",
                              " Non-trainable params: 8 (64.00 B)"]
