"""Keras 3 style: functional CNN telling horizontal from vertical stripes (synthetic images)."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(1)


def make_images(n, size=16, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(0, 0.3, (n, size, size, 1)).astype("float32")
    y = rng.integers(0, 2, n)
    for i in range(n):
        k = rng.integers(2, size - 2)
        if y[i] == 0:
            x[i, k - 1 : k + 1, :, 0] += 1.0  # horizontal stripe
        else:
            x[i, :, k - 1 : k + 1, 0] += 1.0  # vertical stripe
    return x, y


x_train, y_train = make_images(320, seed=0)
x_test, y_test = make_images(100, seed=1)

inputs = keras.Input(shape=(16, 16, 1), name="image")
x = layers.Conv2D(8, 3, activation="relu", padding="same")(inputs)
x = layers.MaxPooling2D()(x)
x = layers.Conv2D(16, 3, activation="relu")(x)
x = layers.BatchNormalization()(x)
x = layers.GlobalAveragePooling2D()(x)
x = layers.Dropout(0.2)(x)
outputs = layers.Dense(2, activation="softmax", name="label")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="stripes_cnn")
model.summary()

model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=keras.losses.SparseCategoricalCrossentropy(),
              metrics=[keras.metrics.SparseCategoricalAccuracy(name="acc")])
model.fit(x_train, y_train, batch_size=32, epochs=12, verbose=2)
loss, acc = model.evaluate(x_test, y_test, verbose=0)
print(f"RESULT test_acc={acc:.3f} params={model.count_params()}")
assert model.count_params() == 8 * 9 + 8 + 16 * 8 * 9 + 16 + 4 * 16 + 16 * 2 + 2
assert acc > 0.85, acc
