"""Export the tutorial CNN to ONNX and check it with onnxruntime.

Builds the seed CNN (tutorial section 4.2), trains one epoch on a little random data, exports it
with ``model.export(..., format="onnx")`` and compares onnxruntime with ``model.predict``.

    python examples/onnx_export.py
"""

import os
import tempfile

import numpy as np
import onnxruntime as ort

import keras_torch as keras
from keras_torch.layers import Conv2D, Dense, Flatten, MaxPooling2D

rng = np.random.default_rng(0)
x_train = rng.random((64, 28, 28, 1), dtype="float32")
y_train = np.eye(10, dtype="float32")[rng.integers(0, 10, 64)]

model = keras.Sequential()
model.add(Conv2D(filters=32, kernel_size=(3, 3), activation="relu", input_shape=(28, 28, 1)))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Conv2D(filters=64, kernel_size=(3, 3), activation="relu"))
model.add(MaxPooling2D(pool_size=(2, 2)))
model.add(Flatten())
model.add(Dense(units=128, activation="relu"))
model.add(Dense(units=10, activation="softmax"))
model.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=1, batch_size=32, verbose=0)

path = os.path.join(tempfile.mkdtemp(), "seed_cnn.onnx")
model.export(path, format="onnx")  # batch axis dynamic; input/output named after the Keras layers

session = ort.InferenceSession(path, providers=["CPUExecutionProvider"])
x = rng.random((5, 28, 28, 1), dtype="float32")  # another batch size than any used so far
(onnx_out,) = session.run(None, {session.get_inputs()[0].name: x})
keras_out = model.predict(x, verbose=0)
print("ONNX input:", session.get_inputs()[0].name, session.get_inputs()[0].shape)
print("max abs diff onnxruntime vs predict:", float(np.abs(onnx_out - keras_out).max()))
