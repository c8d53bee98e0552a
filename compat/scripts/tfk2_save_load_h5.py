"""tf.keras 2 style: save / load round trips in HDF5 (.h5 full model, weights only, JSON architecture)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.layers import Conv1D, Dense, GlobalMaxPooling1D, Input
from tensorflow.keras.models import Model, load_model, model_from_json

tf.random.set_seed(8)
np.random.seed(8)
x = np.random.normal(size=(128, 20, 3)).astype("float32")
y = (x[:, :, 0].max(axis=1) > 1.5).astype("float32")

inp = Input(shape=(20, 3))
h = Conv1D(8, 5, activation="relu")(inp)
h = GlobalMaxPooling1D()(h)
out = Dense(1, activation="sigmoid")(h)
model = Model(inp, out)
model.compile(optimizer="adam", loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=3, batch_size=32, verbose=0)
ref = model.predict(x, verbose=0)

model.save("model.h5")
restored = load_model("model.h5")
np.testing.assert_allclose(restored.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)
assert restored.optimizer is not None  # compiled again from the saved training config

model.save_weights("weights.weights.h5")
clone = model_from_json(model.to_json())
clone.load_weights("weights.weights.h5")
np.testing.assert_allclose(clone.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)
assert [w.shape for w in clone.get_weights()] == [(5, 3, 8), (8,), (8, 1), (1,)]

print(f"RESULT max_abs_diff={float(np.abs(restored.predict(x[:1], verbose=0) - ref[:1]).max()):.2e}")
