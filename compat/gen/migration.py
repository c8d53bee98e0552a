"""tf-keras 2 models of every family, for the migration round trips (``tests/saving/test_migration_interop.py``).

Each builder takes the tf-keras module (and TensorFlow for the raw-op model) and returns a model;
the interop test builds them in real tf-keras, saves ``.h5`` files, loads them in keras_torch, writes
``.keras`` (for Keras 3) and ``.h5`` (for tf-keras) and checks real Keras predicts the same. Nothing
here is committed output: no ``generate`` function.
"""

from __future__ import annotations

from typing import Any

from compat.gen import files


def _conv1d_bn(K: Any) -> Any:  # noqa: N803 - the Keras module
    L = K.layers
    return K.Sequential([K.Input((10, 3)), L.Conv1D(4, 3, padding="same"), L.BatchNormalization(), L.ReLU(),
                         L.Conv1D(5, 3, strides=2), L.GlobalAveragePooling1D(), L.Dense(2)], name="conv1d_bn")


def _lstm_relu(K: Any) -> Any:  # noqa: N803
    L = K.layers
    return K.Sequential([K.Input((5, 3)), L.LSTM(4, activation="relu", return_sequences=True),
                         L.LSTM(3, activation="relu"), L.Dense(2)], name="lstm_relu")


def _sepconv(K: Any) -> Any:  # noqa: N803
    L = K.layers
    return K.Sequential([K.Input((9, 9, 3)), L.SeparableConv2D(4, 3, depth_multiplier=2),
                         L.DepthwiseConv2D(3, padding="same"), L.MaxPooling2D(), L.Flatten(), L.Dense(2)],
                        name="sepconv")


def _transformer(K: Any) -> Any:  # noqa: N803
    L = K.layers
    tokens = K.Input((6,), dtype="int32", name="tokens")
    x = L.Embedding(30, 8)(tokens)  # files._inputs draws token ids in [0, 30)
    attn = L.MultiHeadAttention(num_heads=2, key_dim=4, name="mha")(x, x)
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, attn]))
    ff = L.Dense(8)(L.Dense(16, activation="gelu")(x))
    x = L.LayerNormalization(epsilon=1e-6)(L.Add()([x, ff]))
    return K.Model(tokens, L.Dense(3)(L.GlobalAveragePooling1D()(x)), name="transformer")


def _mobilenet_v3(K: Any) -> Any:  # noqa: N803
    return K.applications.MobileNetV3Small(input_shape=(32, 32, 3), weights=None, alpha=0.75, classes=4,
                                           classifier_activation=None)


def builders(tf: Any) -> dict[str, Any]:
    """name -> builder(K); ``tf`` (TensorFlow) serves the raw-op model."""
    from compat.gen import tf_ops

    return {
        "mlp": files._mlp, "cnn": files._cnn, "conv1d_bn": _conv1d_bn, "lstm_relu": _lstm_relu,
        "sepconv": _sepconv, "text": files._text, "gru_v1": files._gru_v1, "multi": files._multi,
        "transformer": _transformer, "families": files._families, "tf_ops": lambda K: tf_ops.build(tf, K),
        "mobilenet_v3": _mobilenet_v3,
    }
