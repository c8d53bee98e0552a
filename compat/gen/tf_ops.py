"""A tf-keras 2 functional model written with raw TensorFlow ops (``TFOpLambda`` / ``SlicingOpLambda``).

Run: ``/opt/kref/bin/python compat/generate_fixtures.py tf_ops``. Writes ``tfk_tf_ops.h5`` (the model)
and ``tfk_tf_ops.npz`` (inputs ``x0``, ``x1`` and tf-keras's outputs ``y0``...).
"""

from __future__ import annotations

import pathlib

import numpy as np


def build(tf, K):  # noqa: ANN001, N803 - TensorFlow modules
    """Every op family tf-keras records as a TFOpLambda: operators, tf.math, tf.nn, shapes, reductions, slices."""
    x = K.Input((4, 6), name="x")
    y = K.Input((4, 6), name="y")
    d = K.layers.Dense(6, name="dense")(x)
    outs = [
        d + 3.0,
        tf.nn.relu6(tf.math.multiply(d + 3.0, y)) * (1.0 / 6.0),
        tf.reshape(tf.nn.relu(d), (-1, 24)),
        tf.transpose(x, perm=[0, 2, 1]),
        tf.concat([x, y], axis=-1),
        x[:, 1:3, ::2],
        x[..., 0],
        x[:, tf.newaxis, 1],
        tf.reduce_mean(x, axis=1, keepdims=True),
        tf.reduce_sum(x, axis=[1, 2]),
        tf.reduce_max(x, axis=-1),
        tf.squeeze(tf.expand_dims(x, 1), axis=1),
        tf.matmul(x, tf.transpose(y, perm=[0, 2, 1])),
        tf.nn.softmax(x, axis=-1),
        tf.math.sigmoid(x) - y,
        2.0 / (1.0 + tf.abs(x)),
        tf.stack([x, y], axis=1),
        tf.nn.silu(d),
        tf.math.maximum(x, y) - tf.math.minimum(x, 0.5),
        tf.clip_by_value(x, -0.5, 0.5),
        tf.cast(x > 0.0, "float32"),
    ]
    return K.Model([x, y], outs, name="tf_ops")


def generate(out_dir: pathlib.Path) -> None:
    import tensorflow as tf
    import tf_keras as K

    tf.keras.utils.set_random_seed(7)
    model = build(tf, K)
    rng = np.random.default_rng(7)
    xs = [rng.uniform(-1, 1, (3, 4, 6)).astype("float32") for _ in range(2)]
    ys = model.predict(xs, verbose=0)
    model.save(out_dir / "tfk_tf_ops.h5")
    np.savez(out_dir / "tfk_tf_ops.npz", **{f"x{i}": x for i, x in enumerate(xs)},
             **{f"y{i}": np.asarray(y) for i, y in enumerate(ys)})
    print(f"tf_ops: {len(ys)} outputs")
