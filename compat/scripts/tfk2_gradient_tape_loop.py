"""tf.keras 2 custom training loop ("Writing a training loop from scratch"): `tf.GradientTape`,
`optimizer.apply_gradients`, regularization losses from `model.losses`, metrics updated by hand,
`@tf.function` train/test steps over `tf.data` batches.

`--weights DIR` / `--trace FILE`: as in k3_gan_two_optimizers.py (no shuffling then).
"""
import argparse
import json
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

parser = argparse.ArgumentParser()
parser.add_argument("--weights", help="directory of initial weights (loaded, or saved when missing)")
parser.add_argument("--trace", help="deterministic run; write the first steps' losses to this JSON file")
args = parser.parse_args()

tf.random.set_seed(3)
np.random.seed(3)

# Offline data: 4 Gaussian classes in 20 dimensions.
rng = np.random.default_rng(3)
centers = rng.normal(size=(4, 20)) * 1.5
labels = rng.integers(0, 4, 1200)
features = (centers[labels] + rng.normal(size=(1200, 20))).astype("float32")
x_train, y_train = features[:1000], labels[:1000]
x_val, y_val = features[1000:], labels[1000:]

inputs = keras.Input(shape=(20,), name="features")
x = layers.Dense(32, activation="relu", kernel_regularizer=keras.regularizers.l2(1e-4))(inputs)
x = layers.Dense(32, activation="relu")(x)
outputs = layers.Dense(4, name="predictions")(x)
model = keras.Model(inputs=inputs, outputs=outputs, name="classifier")
if args.weights:
    path = os.path.join(args.weights, f"{model.name}.weights.h5")
    if os.path.exists(path):
        model.load_weights(path)
    else:
        os.makedirs(args.weights, exist_ok=True)
        model.save_weights(path)

optimizer = keras.optimizers.Adam(learning_rate=1e-3)
loss_fn = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
train_acc_metric = keras.metrics.SparseCategoricalAccuracy()
val_acc_metric = keras.metrics.SparseCategoricalAccuracy()

batch_size = 64
train_dataset = tf.data.Dataset.from_tensor_slices((x_train, y_train))
if not args.trace:
    train_dataset = train_dataset.shuffle(buffer_size=1024)
train_dataset = train_dataset.batch(batch_size)
val_dataset = tf.data.Dataset.from_tensor_slices((x_val, y_val)).batch(batch_size)


@tf.function
def train_step(x, y):
    with tf.GradientTape() as tape:
        logits = model(x, training=True)
        loss_value = loss_fn(y, logits)
        loss_value += sum(model.losses)
    grads = tape.gradient(loss_value, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
    train_acc_metric.update_state(y, logits)
    return loss_value


@tf.function
def test_step(x, y):
    val_logits = model(x, training=False)
    val_acc_metric.update_state(y, val_logits)


step_losses = []
epochs = 2 if args.trace else 6
for epoch in range(epochs):
    for step, (x_batch_train, y_batch_train) in enumerate(train_dataset):
        loss_value = train_step(x_batch_train, y_batch_train)
        step_losses.append(float(loss_value))
        if step % 8 == 0:
            print(f"Training loss (for one batch) at step {step}: {float(loss_value):.4f}")
    train_acc = train_acc_metric.result()
    train_acc_metric.reset_state()
    for x_batch_val, y_batch_val in val_dataset:
        test_step(x_batch_val, y_batch_val)
    val_acc = val_acc_metric.result()
    val_acc_metric.reset_state()
    print(f"Epoch {epoch}: train acc {float(train_acc):.4f}, validation acc {float(val_acc):.4f}")

if args.trace:
    with open(args.trace, "w") as f:
        json.dump({"losses": [[v] for v in step_losses]}, f)
print(f"RESULT val_acc={float(val_acc):.3f} loss {step_losses[0]:.3f} -> {step_losses[-1]:.3f}")
assert step_losses[-1] < step_losses[0]
if not args.trace:
    assert float(val_acc) > 0.9, float(val_acc)
