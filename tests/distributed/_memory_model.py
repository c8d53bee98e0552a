"""The model whose memory tests/distributed/test_sharded_memory.py measures (shared by the worker and the test)."""

import keras_torch as keras


def build(units, layers):
    """``layers`` square ``Dense(units)`` kernels (no biases), plain SGD (no optimizer slots)."""
    inputs = keras.Input((units,))
    h = inputs
    for i in range(layers):
        h = keras.layers.Dense(units, use_bias=False, name=f"d{i}")(h)
    model = keras.Model(inputs, h)
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    return model
