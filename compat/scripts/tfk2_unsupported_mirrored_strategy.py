"""A tf.keras 2 multi-GPU script with tf.distribute.MirroredStrategy: TensorFlow-only, so keras_torch stops
with an error naming `tf.distribute`, this line and the torch-side alternative (expected to fail under
`keras-torch run`; it runs on real TensorFlow)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras

x = np.random.normal(size=(64, 4)).astype("float32")
y = x.sum(axis=1, keepdims=True)
strategy = tf.distribute.MirroredStrategy()
with strategy.scope():
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(4,))])
    model.compile(optimizer=keras.optimizers.SGD(0.1), loss="mse")
history = model.fit(x, y, epochs=20, batch_size=16, verbose=0)
print(f"RESULT replicas={strategy.num_replicas_in_sync} final_loss={history.history['loss'][-1]:.4f}")
assert history.history["loss"][-1] < 0.1
