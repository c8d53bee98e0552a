"""tf.keras 2 style: feeding fit/evaluate/predict with tf.data pipelines."""
import numpy as np
import tensorflow as tf
from tensorflow import keras

tf.random.set_seed(21)
np.random.seed(21)
AUTOTUNE = tf.data.AUTOTUNE
BATCH_SIZE = 32

features = np.random.normal(size=(700, 5)).astype("float32")
labels = (features[:, 0] * features[:, 1] > 0).astype("int64")  # XOR-like quadrants
x_train, y_train = features[:560], labels[:560]
x_val, y_val = features[560:], labels[560:]


def normalize(x, y):
    return tf.cast(x, tf.float32) / 2.0, y


train_ds = (tf.data.Dataset.from_tensor_slices((x_train, y_train))
            .shuffle(buffer_size=560, seed=21)
            .map(normalize, num_parallel_calls=AUTOTUNE)
            .batch(BATCH_SIZE)
            .prefetch(AUTOTUNE))
val_ds = tf.data.Dataset.from_tensor_slices((x_val, y_val)).map(normalize).batch(BATCH_SIZE).cache()

for xb, yb in train_ds.take(1):
    print("batch shapes:", xb.shape, yb.shape)

model = keras.Sequential([
    keras.layers.Dense(32, activation="relu", input_shape=(5,)),
    keras.layers.Dense(32, activation="relu"),
    keras.layers.Dense(2, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(0.01), loss="sparse_categorical_crossentropy", metrics=["accuracy"])
history = model.fit(train_ds, validation_data=val_ds, epochs=12, verbose=2)
loss, acc = model.evaluate(val_ds, verbose=0)
probs = model.predict(tf.data.Dataset.from_tensor_slices(x_val / 2.0).batch(64), verbose=0)
assert probs.shape == (140, 2)
print(f"RESULT val_acc={acc:.3f} steps_per_epoch={len(train_ds)}")
assert len(train_ds) == 18
assert acc > 0.85, acc
