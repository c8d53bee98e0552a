"""Keras 3 GAN overriding `train_step` (the "DCGAN overriding train_step" example): two models, two optimizers,
`tf.GradientTape` per player, `tf.random` label noise, a dataset yielding bare image batches.

`--weights DIR` loads each model's initial weights from DIR (saving them there when missing) and `--trace FILE`
makes the run deterministic (latent noise from numpy, no label noise, no shuffling) and writes the first steps'
losses to FILE: tests/launcher/test_loss_agreement.py compares them with real Keras on the same weights.
"""
import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf
from keras import layers, ops

parser = argparse.ArgumentParser()
parser.add_argument("--weights", help="directory of initial weights (loaded, or saved when missing)")
parser.add_argument("--trace", help="deterministic run; write the first steps' losses to this JSON file")
args = parser.parse_args()

keras.utils.set_random_seed(7)
LATENT_DIM = 8
noise_rng = np.random.default_rng(0)


def initial_weights(model):
    if args.weights:
        path = os.path.join(args.weights, f"{model.name}.weights.h5")
        if os.path.exists(path):
            model.load_weights(path)
        else:
            os.makedirs(args.weights, exist_ok=True)
            model.save_weights(path)


# Offline "digits": 8x8 images of a bright square at a random place.
rng = np.random.default_rng(7)
all_digits = np.zeros((256, 8, 8, 1), dtype="float32")
for img, (r, c) in zip(all_digits, rng.integers(0, 5, (256, 2))):
    img[r : r + 3, c : c + 3, 0] = 1.0
all_digits += rng.uniform(0, 0.1, all_digits.shape).astype("float32")

discriminator = keras.Sequential([
    keras.Input(shape=(8, 8, 1)),
    layers.Conv2D(16, 3, strides=2, padding="same"),
    layers.LeakyReLU(negative_slope=0.2),
    layers.Conv2D(16, 3, strides=2, padding="same"),
    layers.LeakyReLU(negative_slope=0.2),
    layers.GlobalMaxPooling2D(),
    layers.Dense(1),
], name="discriminator")
generator = keras.Sequential([
    keras.Input(shape=(LATENT_DIM,)),
    layers.Dense(4 * 4 * 16),
    layers.LeakyReLU(negative_slope=0.2),
    layers.Reshape((4, 4, 16)),
    layers.Conv2DTranspose(16, 4, strides=2, padding="same"),
    layers.LeakyReLU(negative_slope=0.2),
    layers.Conv2D(1, 3, padding="same", activation="sigmoid"),
], name="generator")
initial_weights(discriminator)
initial_weights(generator)


class GAN(keras.Model):
    def __init__(self, discriminator, generator, latent_dim):
        super().__init__()
        self.discriminator = discriminator
        self.generator = generator
        self.latent_dim = latent_dim
        self.seed_generator = keras.random.SeedGenerator(1337)

    def compile(self, d_optimizer, g_optimizer, loss_fn):
        super().compile(run_eagerly=bool(args.trace))  # (numpy noise needs eager steps on TensorFlow)
        self.d_optimizer = d_optimizer
        self.g_optimizer = g_optimizer
        self.loss_fn = loss_fn
        self.d_loss_metric = keras.metrics.Mean(name="d_loss")
        self.g_loss_metric = keras.metrics.Mean(name="g_loss")

    @property
    def metrics(self):
        return [self.d_loss_metric, self.g_loss_metric]

    def latent(self, batch_size):
        if args.trace:  # the same noise on every framework
            return tf.constant(noise_rng.normal(size=(int(batch_size), self.latent_dim)).astype("float32"))
        return keras.random.normal(shape=(batch_size, self.latent_dim), seed=self.seed_generator)

    def train_step(self, real_images):
        batch_size = ops.shape(real_images)[0]
        generated_images = self.generator(self.latent(batch_size))
        combined_images = ops.concatenate([generated_images, real_images], axis=0)
        labels = ops.concatenate([ops.ones((batch_size, 1)), ops.zeros((batch_size, 1))], axis=0)
        if not args.trace:
            labels += 0.05 * tf.random.uniform(tf.shape(labels))  # the classic trick: noisy labels
        with tf.GradientTape() as tape:
            predictions = self.discriminator(combined_images)
            d_loss = self.loss_fn(labels, predictions)
        grads = tape.gradient(d_loss, self.discriminator.trainable_weights)
        self.d_optimizer.apply_gradients(zip(grads, self.discriminator.trainable_weights))

        misleading_labels = ops.zeros((batch_size, 1))
        random_latent_vectors = self.latent(batch_size)
        with tf.GradientTape() as tape:
            predictions = self.discriminator(self.generator(random_latent_vectors))
            g_loss = self.loss_fn(misleading_labels, predictions)
        grads = tape.gradient(g_loss, self.generator.trainable_weights)
        self.g_optimizer.apply_gradients(zip(grads, self.generator.trainable_weights))

        self.d_loss_metric.update_state(d_loss)
        self.g_loss_metric.update_state(g_loss)
        return {"d_loss": self.d_loss_metric.result(), "g_loss": self.g_loss_metric.result()}


class StepLosses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([float(logs["d_loss"]), float(logs["g_loss"])])


dataset = tf.data.Dataset.from_tensor_slices(all_digits)
if not args.trace:
    dataset = dataset.shuffle(buffer_size=256)
dataset = dataset.batch(32)

gan = GAN(discriminator=discriminator, generator=generator, latent_dim=LATENT_DIM)
gan.compile(
    d_optimizer=keras.optimizers.Adam(learning_rate=0.001),
    g_optimizer=keras.optimizers.Adam(learning_rate=0.001),
    loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
)
recorder = StepLosses()
history = gan.fit(dataset, epochs=2 if args.trace else 6, callbacks=[recorder], verbose=0)
if args.trace:
    with open(args.trace, "w") as f:
        json.dump({"losses": recorder.steps}, f)

fake = generator(gan.latent(64))
d_loss, g_loss = history.history["d_loss"][-1], history.history["g_loss"][-1]
print(f"RESULT d_loss={d_loss:.3f} g_loss={g_loss:.3f} fake_mean={float(ops.mean(fake)):.3f}")
assert np.isfinite(d_loss) and np.isfinite(g_loss)
assert set(history.history) == {"d_loss", "g_loss"}, history.history.keys()
assert 0.0 < float(ops.mean(fake)) < 1.0 and tuple(fake.shape) == (64, 8, 8, 1)
