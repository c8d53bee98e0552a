"""Keras 3 style: learning-rate schedules (ExponentialDecay object + LearningRateScheduler callback)."""
import math

import numpy as np
import keras

keras.utils.set_random_seed(2)
x = np.random.uniform(-1, 1, (256, 3)).astype("float32")
y = (x.sum(axis=1, keepdims=True) > 0).astype("float32")

steps_per_epoch = 256 // 32
schedule = keras.optimizers.schedules.ExponentialDecay(
    initial_learning_rate=0.1, decay_steps=steps_per_epoch, decay_rate=0.5, staircase=True)
assert math.isclose(float(schedule(0)), 0.1, rel_tol=1e-6)
assert math.isclose(float(schedule(3 * steps_per_epoch)), 0.0125, rel_tol=1e-6)
cosine = keras.optimizers.schedules.CosineDecay(initial_learning_rate=1.0, decay_steps=100, alpha=0.1)
assert math.isclose(float(cosine(50)), 0.1 + 0.9 * 0.5, rel_tol=1e-5)

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.SGD(learning_rate=schedule, momentum=0.9),
              loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=4, batch_size=32, verbose=0)
iterations = int(model.optimizer.iterations.numpy()) if hasattr(model.optimizer.iterations, "numpy") \
    else int(model.optimizer.iterations)
assert iterations == 4 * steps_per_epoch, iterations


def step_decay(epoch, lr):
    return lr if epoch < 2 else lr * 0.5


seen = []
model2 = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1, activation="sigmoid")])
model2.compile(optimizer=keras.optimizers.Adam(0.1), loss="binary_crossentropy", metrics=["accuracy"])
history = model2.fit(x, y, epochs=5, batch_size=8, verbose=0, callbacks=[
    keras.callbacks.LearningRateScheduler(step_decay),
    keras.callbacks.LambdaCallback(on_epoch_begin=lambda epoch, logs: seen.append(
        float(keras.ops.convert_to_numpy(model2.optimizer.learning_rate)))),
])
expected = [0.1, 0.1, 0.05, 0.025, 0.0125]
assert np.allclose(seen, expected, rtol=1e-5), seen
assert np.allclose(history.history["learning_rate"], expected, rtol=1e-5), history.history["learning_rate"]
acc = model2.evaluate(x, y, verbose=0)[1]
print(f"RESULT lrs={[round(v, 5) for v in seen]} acc={acc:.3f}")
assert acc > 0.9, acc
