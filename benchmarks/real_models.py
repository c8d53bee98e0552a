"""Real-sized benchmark models written once against the Keras API, so keras_torch (``import
keras_torch as keras``) and Keras 3 on TensorFlow build the very same networks (used by
``benchmarks/real.py`` and its peer ``benchmarks/real_peer.py``; no torch import here).
"""

from __future__ import annotations

# name -> (samples per epoch, batch, input shape, classes)
TRAIN = {
    "resnet50": (32, 8, (64, 64, 3), 10),
    "transformer": (32, 8, (256, 64), 10),
}
INFER_SHAPE = (224, 224, 3)  # keras.applications.ResNet50's own input size


def data(name: str):
    import numpy as np

    n, _, shape, classes = TRAIN[name]
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n,) + shape).astype("float32")
    y = np.eye(classes, dtype="float32")[rng.integers(0, classes, n)]
    return x, y


def resnet50(keras, input_shape: tuple, classes: int):
    """keras.applications.ResNet50 (v1: stride on the first 1x1 convolution of a block), rebuilt
    from layers so it can train at any input size."""
    L = keras.layers

    def block(x, filters: int, stride: int = 1, conv_shortcut: bool = True):
        if conv_shortcut:
            shortcut = L.Conv2D(4 * filters, 1, strides=stride)(x)
            shortcut = L.BatchNormalization(epsilon=1.001e-5)(shortcut)
        else:
            shortcut = x
        x = L.Conv2D(filters, 1, strides=stride)(x)
        x = L.Activation("relu")(L.BatchNormalization(epsilon=1.001e-5)(x))
        x = L.Conv2D(filters, 3, padding="same")(x)
        x = L.Activation("relu")(L.BatchNormalization(epsilon=1.001e-5)(x))
        x = L.BatchNormalization(epsilon=1.001e-5)(L.Conv2D(4 * filters, 1)(x))
        return L.Activation("relu")(L.Add()([shortcut, x]))

    inp = keras.Input(input_shape)
    x = L.Conv2D(64, 7, strides=2)(L.ZeroPadding2D(3)(inp))
    x = L.Activation("relu")(L.BatchNormalization(epsilon=1.001e-5)(x))
    x = L.MaxPooling2D(3, strides=2)(L.ZeroPadding2D(1)(x))
    for filters, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
        x = block(x, filters, stride)
        for _ in range(blocks - 1):
            x = block(x, filters, conv_shortcut=False)
    x = L.GlobalAveragePooling2D()(x)
    return keras.Model(inp, L.Dense(classes, activation="softmax")(x))


def transformer(keras, input_shape: tuple, classes: int, layers: int = 6, heads: int = 4, ff: int = 128):
    """A post-norm Transformer encoder (``layers`` blocks of self-attention and a ReLU MLP)."""
    L = keras.layers
    width = input_shape[-1]
    inp = keras.Input(input_shape)
    h = inp
    for _ in range(layers):
        a = L.MultiHeadAttention(num_heads=heads, key_dim=width // heads)(h, h)
        h = L.LayerNormalization()(L.Add()([h, a]))
        f = L.Dense(width)(L.Dense(ff, activation="relu")(h))
        h = L.LayerNormalization()(L.Add()([h, f]))
    out = L.Dense(classes, activation="softmax")(L.GlobalAveragePooling1D()(h))
    return keras.Model(inp, out)


def build_train(keras, name: str):
    _, _, shape, classes = TRAIN[name]
    model = (resnet50 if name == "resnet50" else transformer)(keras, shape, classes)
    model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return model
