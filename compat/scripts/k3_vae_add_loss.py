"""Variational autoencoder (Keras "VAE" example + the subclassing guide): a `Sampling` layer drawing
`tf.random.normal` noise, the KL term added with `add_loss` in `call`, and a custom `train_step` with
`tf.GradientTape` that adds `self.losses` to the reconstruction loss; trained with `fit(x)` (no targets).

`--weights DIR` / `--trace FILE`: as in k3_gan_two_optimizers.py (the sampling noise then comes from numpy).
"""
import argparse
import json
import os

import keras
import numpy as np
import tensorflow as tf
from keras import layers

parser = argparse.ArgumentParser()
parser.add_argument("--weights", help="directory of initial weights (loaded, or saved when missing)")
parser.add_argument("--trace", help="deterministic run; write the first steps' losses to this JSON file")
args = parser.parse_args()

keras.utils.set_random_seed(2)
LATENT_DIM = 2
noise_rng = np.random.default_rng(1)
trace_epsilon = [None]  # --trace: the noise of the current train step, drawn with numpy


def initial_weights(model):
    if args.weights:
        path = os.path.join(args.weights, f"{model.name}.weights.h5")
        if os.path.exists(path):
            model.load_weights(path)
        else:
            os.makedirs(args.weights, exist_ok=True)
            model.save_weights(path)


class Sampling(layers.Layer):
    """z = z_mean + exp(z_log_var / 2) * epsilon."""

    def call(self, inputs):
        z_mean, z_log_var = inputs
        batch = tf.shape(z_mean)[0]
        dim = tf.shape(z_mean)[1]
        if trace_epsilon[0] is not None:  # the same noise on every framework
            epsilon = tf.constant(trace_epsilon[0])
        else:
            epsilon = tf.random.normal(shape=(batch, dim))
        return z_mean + tf.exp(0.5 * z_log_var) * epsilon


# Offline data: 8x8 images with a bar (horizontal or vertical) at a random position, values in [0, 1].
rng = np.random.default_rng(11)
images = np.zeros((320, 8, 8), dtype="float32")
for img, (vertical, pos) in zip(images, zip(rng.integers(0, 2, 320), rng.integers(1, 7, 320))):
    if vertical:
        img[:, pos] = 1.0
    else:
        img[pos, :] = 1.0
images = np.clip(images + rng.uniform(0, 0.15, images.shape), 0, 1).astype("float32").reshape(-1, 64)

encoder_inputs = keras.Input(shape=(64,))
x = layers.Dense(32, activation="relu")(encoder_inputs)
z_mean = layers.Dense(LATENT_DIM, name="z_mean")(x)
z_log_var = layers.Dense(LATENT_DIM, name="z_log_var")(x)
z = Sampling()([z_mean, z_log_var])
encoder = keras.Model(encoder_inputs, [z_mean, z_log_var, z], name="encoder")

latent_inputs = keras.Input(shape=(LATENT_DIM,))
x = layers.Dense(32, activation="relu")(latent_inputs)
decoder_outputs = layers.Dense(64, activation="sigmoid")(x)
decoder = keras.Model(latent_inputs, decoder_outputs, name="decoder")
initial_weights(encoder)
initial_weights(decoder)


class VAE(keras.Model):
    def __init__(self, encoder, decoder, **kwargs):
        super().__init__(**kwargs)
        self.encoder = encoder
        self.decoder = decoder
        self.total_loss_tracker = keras.metrics.Mean(name="total_loss")
        self.reconstruction_loss_tracker = keras.metrics.Mean(name="reconstruction_loss")
        self.kl_loss_tracker = keras.metrics.Mean(name="kl_loss")

    @property
    def metrics(self):
        return [self.total_loss_tracker, self.reconstruction_loss_tracker, self.kl_loss_tracker]

    def call(self, inputs):
        z_mean, z_log_var, z = self.encoder(inputs)
        kl_loss = -0.5 * (1 + z_log_var - tf.square(z_mean) - tf.exp(z_log_var))
        self.add_loss(tf.reduce_mean(tf.reduce_sum(kl_loss, axis=1)))
        return self.decoder(z)

    def train_step(self, data):
        if args.trace:
            trace_epsilon[0] = noise_rng.normal(size=(int(tf.shape(data)[0]), LATENT_DIM)).astype("float32")
        with tf.GradientTape() as tape:
            reconstruction = self(data, training=True)
            reconstruction_loss = tf.reduce_mean(keras.losses.binary_crossentropy(data, reconstruction)) * 64
            kl_loss = tf.add_n(self.losses)
            total_loss = reconstruction_loss + kl_loss
        grads = tape.gradient(total_loss, self.trainable_weights)
        self.optimizer.apply_gradients(zip(grads, self.trainable_weights))
        self.total_loss_tracker.update_state(total_loss)
        self.reconstruction_loss_tracker.update_state(reconstruction_loss)
        self.kl_loss_tracker.update_state(kl_loss)
        trace_epsilon[0] = None
        return {m.name: m.result() for m in self.metrics}


class StepLosses(keras.callbacks.Callback):
    def __init__(self):
        super().__init__()
        self.steps = []

    def on_train_batch_end(self, batch, logs=None):
        self.steps.append([float(logs["total_loss"]), float(logs["reconstruction_loss"]), float(logs["kl_loss"])])


vae = VAE(encoder, decoder)
vae.compile(optimizer=keras.optimizers.Adam(learning_rate=3e-3), run_eagerly=bool(args.trace))
recorder = StepLosses()
history = vae.fit(images, epochs=2 if args.trace else 25, batch_size=32, shuffle=not args.trace,
                  callbacks=[recorder], verbose=0)
if args.trace:
    with open(args.trace, "w") as f:
        json.dump({"losses": recorder.steps}, f)

losses = history.history["total_loss"]
z_mean, _, _ = encoder.predict(images[:64], verbose=0)
decoded = decoder.predict(z_mean, verbose=0)
print(f"RESULT total_loss {losses[0]:.2f} -> {losses[-1]:.2f}, reconstruction_error="
      f"{float(np.mean(np.abs(decoded - images[:64]))):.3f}")
assert set(history.history) == {"total_loss", "reconstruction_loss", "kl_loss"}, history.history.keys()
assert decoded.shape == (64, 64)
if not args.trace:
    assert losses[-1] < 0.8 * losses[0], losses
