"""tf.keras 2 style: Sequential MLP classifier on synthetic Gaussian blobs."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import layers

tf.random.set_seed(42)
np.random.seed(42)
print("Num GPUs Available:", len(tf.config.list_physical_devices("GPU")))
gpus = tf.config.experimental.list_physical_devices("GPU")
for gpu in gpus:
    tf.config.experimental.set_memory_growth(gpu, True)

# Three well separated blobs in 8 dimensions.
num_classes = 3
centers = np.random.randn(num_classes, 8) * 3
y = np.random.randint(0, num_classes, size=600)
x = (centers[y] + np.random.randn(600, 8)).astype("float32")
y_onehot = keras.utils.to_categorical(y, num_classes)
x_train, x_test = x[:480], x[480:]
y_train, y_test = y_onehot[:480], y_onehot[480:]

model = keras.Sequential([
    layers.Dense(32, activation="relu", input_shape=(8,)),
    layers.Dropout(0.1),
    layers.Dense(16, activation="relu"),
    layers.Dense(num_classes, activation="softmax"),
])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.01),
              loss="categorical_crossentropy", metrics=["accuracy"])
model.summary()
history = model.fit(x_train, y_train, epochs=8, batch_size=32, validation_split=0.1, verbose=2)
test_loss, test_acc = model.evaluate(x_test, y_test, verbose=0)
pred = np.argmax(model.predict(x_test[:5], verbose=0), axis=1)
print("predicted classes:", pred, "true:", np.argmax(y_test[:5], axis=1))
print(f"RESULT test_acc={test_acc:.3f}")
assert set(history.history) >= {"loss", "accuracy", "val_loss", "val_accuracy"}
assert test_acc > 0.9, test_acc
