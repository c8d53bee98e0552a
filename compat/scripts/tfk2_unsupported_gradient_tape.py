"""A tf.keras 2 custom training loop with tf.GradientTape: TensorFlow-only, so keras_torch stops with an
error naming `tf.GradientTape`, this line and the torch-side alternative (expected to fail under
`keras-torch run`; it runs on real TensorFlow)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.normal(size=(64, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)
model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
optimizer = keras.optimizers.SGD(0.1)
loss_fn = keras.losses.MeanSquaredError()

for _ in range(20):
    with tf.GradientTape() as tape:
        loss = loss_fn(y, model(x, training=True))
    grads = tape.gradient(loss, model.trainable_weights)
    optimizer.apply_gradients(zip(grads, model.trainable_weights))
print(f"RESULT final_loss={float(loss):.4f}")
assert float(loss) < 0.1
