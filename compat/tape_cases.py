"""``tf.GradientTape`` cases shared by the fixture generator and the tests.

A case is ``(tf, keras) -> result``: the same code runs with real TensorFlow + Keras
(``compat/gen/tf_tape.py`` stores the results in ``compat/fixtures/tf_tape/values.npz``) and with the
stand-in + keras_torch (``tests/launcher/test_gradient_tape.py``). Weights are set from a seeded numpy
generator in Keras layout (``set_weights``), so both sides differentiate the same function. A ``None``
gradient is returned as the string ``"None"``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

CASES: dict[str, tuple[Callable[[Any, Any], Any], float]] = {}


def case(key: str, tol: float = 1e-5) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        CASES[key] = (fn, tol)
        return fn

    return register


def data(seed: int, *shape: int, scale: float = 1.0) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(shape) * scale).astype("float32")


def seeded(model: Any, seed: int, scale: float = 0.4) -> Any:
    rng = np.random.default_rng(seed)
    model.set_weights([(rng.standard_normal(w.shape) * scale).astype(w.dtype) for w in model.get_weights()])
    return model


def dense(g: Any) -> Any:
    """A gradient as a dense tensor (TensorFlow gives ``IndexedSlices`` for gathers); ``None`` as a marker."""
    return "None" if g is None else g


def keras_layout(model: Any, grads: list[Any]) -> list[np.ndarray]:
    """Gradients of ``model.trainable_weights`` in Keras layout and ``get_weights`` order.

    keras_torch keeps weights in torch layouts (a Dense kernel is ``(out, in)``), and its gradients
    have the layout of their variable; reading ``w - g`` back through ``get_weights`` puts them in
    Keras's layout on both frameworks (non-trainable weights give zeros).
    """
    before = model.get_weights()
    for v, g in zip(model.trainable_weights, grads):
        v.assign_sub(g)
    after = model.get_weights()
    model.set_weights(before)
    return [b - a for b, a in zip(before, after)]


def own_layout(tf: Any, model: Any, arrays: list[np.ndarray]) -> list[Any]:
    """Keras-layout ``arrays`` (one per weight) as constants in the layout of each trainable variable."""
    before = model.get_weights()
    model.set_weights(arrays)
    out = [tf.constant(v.numpy()) for v in model.trainable_weights]
    model.set_weights(before)
    return out


def grads_of(tf: Any, model: Any, x: Any, y: Any, loss_fn: Any, training: bool = True) -> list[Any]:
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=training))
    grads = [tf.convert_to_tensor(g) for g in tape.gradient(loss, model.trainable_weights)]
    return [loss] + keras_layout(model, grads)


# ---------------------------------------------------------------------------- models
@case("dense")
def _dense(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                                     keras.layers.Dense(3)]), 1)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    return grads_of(tf, model, data(2, 6, 5), np.array([0, 1, 2, 1, 0, 2]), loss)


@case("conv")
def _conv(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([
        keras.Input((8, 8, 2)), keras.layers.Conv2D(4, 3, padding="same", activation="relu"),
        keras.layers.MaxPooling2D(), keras.layers.Conv2D(3, 2, strides=2), keras.layers.Flatten(),
        keras.layers.Dense(2, activation="sigmoid")]), 3)
    return grads_of(tf, model, data(4, 3, 8, 8, 2), data(5, 3, 2), keras.losses.MeanSquaredError())


@case("lstm", tol=1e-4)
def _lstm(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((7, 3)), keras.layers.LSTM(6), keras.layers.Dense(1)]), 6)
    return grads_of(tf, model, data(7, 4, 7, 3), data(8, 4, 1), keras.losses.MeanAbsoluteError())


@case("gru", tol=1e-4)
def _gru(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((5, 4)), keras.layers.GRU(5, return_sequences=True),
                                     keras.layers.GlobalAveragePooling1D(),
                                     keras.layers.Dense(3, activation="softmax")]), 9)
    y = np.eye(3, dtype="float32")[[0, 2, 1]]
    return grads_of(tf, model, data(10, 3, 5, 4), y, keras.losses.CategoricalCrossentropy())


@case("batchnorm_embedding")
def _bn_embedding(tf: Any, keras: Any) -> Any:
    inp = keras.Input((6,), dtype="int32")
    h = keras.layers.Embedding(10, 4)(inp)
    h = keras.layers.BatchNormalization()(h)
    out = keras.layers.Dense(1)(keras.layers.GlobalMaxPooling1D()(h))
    model = seeded(keras.Model(inp, out), 11)
    x = np.random.default_rng(12).integers(0, 10, (5, 6)).astype("int32")
    return grads_of(tf, model, x, data(13, 5, 1), keras.losses.Huber())


# ---------------------------------------------------------------------------- TensorFlow ops and variables
@case("ops_mix_dict_sources")
def _ops_mix(tf: Any, keras: Any) -> Any:
    w = tf.Variable(data(20, 4, 3, scale=0.5))
    b = tf.Variable(data(21, 3))
    x = tf.constant(data(22, 5, 4))
    with tf.GradientTape() as tape:
        logits = tf.matmul(x, w) + b
        probs = tf.nn.softmax(logits)
        loss = (tf.reduce_mean(tf.reduce_logsumexp(logits, axis=1)) + 0.01 * tf.reduce_sum(tf.square(w))
                + tf.norm(b) + tf.reduce_mean(tf.math.log1p(tf.exp(probs))) - tf.reduce_mean(tf.sqrt(tf.abs(x) + 1.0))
                + tf.reduce_sum(tf.gather(tf.transpose(w), [0, 2])) + tf.reduce_mean(tf.concat([probs, logits], 1) ** 2)
                + tf.reduce_mean(tf.where(logits > 0, logits, 0.1 * logits)))
    g = tape.gradient(loss, {"w": w, "b": b})
    return [loss, g["w"], g["b"]]


@case("nn_losses_and_clipping")
def _nn_losses(tf: Any, keras: Any) -> Any:
    logits = tf.Variable(data(23, 4, 5))
    labels = np.eye(5, dtype="float32")[[1, 0, 4, 2]]
    with tf.GradientTape() as tape:
        l1 = tf.reduce_mean(tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits))
        l2 = tf.reduce_mean(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
        l3 = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=[1, 0, 4, 2], logits=logits))
        l4 = tf.reduce_sum(tf.clip_by_value(logits, -0.5, 0.5)) + tf.nn.l2_loss(tf.nn.gelu(logits))
        loss = l1 + 2 * l2 + 3 * l3 + l4
    return [loss, tape.gradient(loss, logits)]


@case("persistent")
def _persistent(tf: Any, keras: Any) -> Any:
    x = tf.constant(data(30, 3, 2))
    w = tf.Variable(data(31, 2, 2))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y1 = tf.reduce_sum(tf.tanh(tf.matmul(x, w)))
        y2 = tf.reduce_sum(tf.square(x) * 3.0)
    out = [tape.gradient(y1, x), tape.gradient(y2, x), tape.gradient(y1, w), dense(tape.gradient(y2, w))]
    del tape
    return out


@case("second_derivative")
def _second(tf: Any, keras: Any) -> Any:
    x = tf.constant(data(32, 6))
    with tf.GradientTape() as outer:
        outer.watch(x)
        with tf.GradientTape() as inner:
            inner.watch(x)
            y = x ** 3 * tf.sin(x)
        dy = inner.gradient(y, x)
    return [dy, outer.gradient(dy, x)]


@case("hessian_vector_product")
def _hvp(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, activation="tanh"),
                                     keras.layers.Dense(1)]), 33)
    x, y = tf.constant(data(34, 5, 3)), tf.constant(data(35, 5, 1))
    vs = own_layout(tf, model, [data(36 + i, *w.shape) for i, w in enumerate(model.get_weights())])
    with tf.GradientTape() as outer:
        with tf.GradientTape() as inner:
            loss = tf.reduce_mean(tf.square(model(x) - y))
        grads = inner.gradient(loss, model.trainable_weights)
        dot = tf.add_n([tf.reduce_sum(g * v) for g, v in zip(grads, vs)])
    return keras_layout(model, outer.gradient(dot, model.trainable_weights))


@case("gradient_penalty")
def _gradient_penalty(tf: Any, keras: Any) -> Any:
    critic = seeded(keras.Sequential([keras.Input((4,)), keras.layers.Dense(5, activation="softplus"),
                                      keras.layers.Dense(1)]), 40)
    real, fake = tf.constant(data(41, 6, 4)), tf.constant(data(42, 6, 4))
    alpha = tf.constant(np.linspace(0, 1, 6, dtype="float32")[:, None])
    with tf.GradientTape() as tape:
        interpolated = real + alpha * (fake - real)
        with tf.GradientTape() as gp_tape:
            gp_tape.watch(interpolated)
            pred = critic(interpolated, training=True)
        grads = gp_tape.gradient(pred, [interpolated])[0]
        norm = tf.sqrt(tf.reduce_sum(tf.square(grads), axis=[1]))
        gp = tf.reduce_mean((norm - 1.0) ** 2)
        loss = tf.reduce_mean(critic(fake)) - tf.reduce_mean(critic(real)) + 10.0 * gp
    return [loss, gp] + keras_layout(critic, tape.gradient(loss, critic.trainable_weights))


@case("watch_only_and_unconnected")
def _watch_only(tf: Any, keras: Any) -> Any:
    a, b = tf.Variable(2.0), tf.Variable(3.0)
    c = tf.Variable(4.0, trainable=False)
    n = tf.Variable(5)
    with tf.GradientTape(watch_accessed_variables=False) as tape:
        tape.watch(a)
        y = a * b + b * c
    only = [dense(g) for g in tape.gradient(y, [a, b, c])]
    with tf.GradientTape() as tape2:
        z = a * a + tf.cast(n, tf.float32)
    zeros = tape2.gradient(z, [a, b, c], unconnected_gradients="zero")
    with tf.GradientTape() as tape3:
        z = a * c
    ints = [dense(g) for g in tape3.gradient(z, [a, n, c])]
    return only + zeros + ints


@case("targets_and_output_gradients")
def _targets(tf: Any, keras: Any) -> Any:
    x = tf.Variable(data(50, 2, 3))
    with tf.GradientTape(persistent=True) as tape:
        y = tf.exp(x) * 0.5
        z = tf.reduce_sum(x, axis=0)
    return [tape.gradient(y, x), tape.gradient([y, z], x),
            tape.gradient(y, x, output_gradients=tf.constant(data(51, 2, 3))),
            tape.gradient({"y": y, "z": z}, [x, x])]


@case("stop_gradient_and_stop_recording")
def _stop(tf: Any, keras: Any) -> Any:
    x = tf.Variable(data(52, 4))
    with tf.GradientTape() as tape:
        y = tf.reduce_sum(x * tf.stop_gradient(x * 2.0))
        with tape.stop_recording():
            ignored = tf.reduce_sum(x * 100.0)
        total = y + tf.reduce_sum(tf.square(x))
    return [tape.gradient(total, x), ignored]


@case("jacobian")
def _jacobian(tf: Any, keras: Any) -> Any:
    w = tf.Variable(data(60, 3, 2))
    x = tf.constant(data(61, 4, 3))
    with tf.GradientTape(persistent=True) as tape:
        tape.watch(x)
        y = tf.nn.sigmoid(tf.matmul(x, w))
    return [tape.jacobian(y, w), tape.jacobian(y, x), tape.jacobian(y, [w, x])[0]]


@case("batch_jacobian")
def _batch_jacobian(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, activation="tanh")]), 62)
    x = tf.constant(data(63, 5, 3))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = model(x)
    return tape.batch_jacobian(y, x)


@case("apply_gradients_steps")
def _apply(tf: Any, keras: Any) -> Any:
    model = seeded(keras.Sequential([keras.Input((4,)), keras.layers.Dense(3, activation="relu"),
                                     keras.layers.Dense(1)]), 70)
    optimizer = keras.optimizers.Adam(learning_rate=0.05)
    x, y = tf.constant(data(71, 8, 4)), tf.constant(data(72, 8, 1))
    losses = []
    for step in range(3):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(model(x, training=True) - y))
        grads = tape.gradient(loss, model.trainable_weights)
        if step < 2:
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
        else:
            optimizer.apply(grads, model.trainable_weights)
        losses.append(loss)
    return losses + model.get_weights()


@case("gradient_inside_tape")
def _inside(tf: Any, keras: Any) -> Any:
    x = tf.Variable(data(73, 3))
    with tf.GradientTape(persistent=True) as tape:
        y = tf.reduce_sum(x ** 3)
        g = tape.gradient(y, x)
        h = tf.reduce_sum(g * g)
    return [g, tape.gradient(h, x)]
