"""Keras 3 style: .keras archive round trip with a registered custom layer, plus .weights.h5."""
import numpy as np
import keras
from keras import layers, ops

keras.utils.set_random_seed(9)


@keras.saving.register_keras_serializable(package="my_package")
class RBFFeatures(layers.Layer):
    def __init__(self, num_centers=8, gamma=1.0, **kwargs):
        super().__init__(**kwargs)
        self.num_centers, self.gamma = num_centers, gamma

    def build(self, input_shape):
        self.centers = self.add_weight(shape=(self.num_centers, input_shape[-1]), initializer="random_normal",
                                       name="centers")

    def call(self, x):
        d = ops.sum(ops.square(ops.expand_dims(x, 1) - self.centers), axis=-1)
        return ops.exp(-self.gamma * d)

    def get_config(self):
        return {**super().get_config(), "num_centers": self.num_centers, "gamma": self.gamma}


x = np.random.uniform(-2, 2, (300, 2)).astype("float32")
y = (np.linalg.norm(x, axis=1) < 1.2).astype("float32")
model = keras.Sequential([keras.Input((2,)), RBFFeatures(12, gamma=0.8), layers.Dense(1, activation="sigmoid")])
model.compile(optimizer=keras.optimizers.Adam(0.05), loss="binary_crossentropy", metrics=["accuracy"])
model.fit(x, y, epochs=20, batch_size=32, verbose=0)
acc = model.evaluate(x, y, verbose=0)[1]
ref = model.predict(x, verbose=0)

model.save("rbf_model.keras")
restored = keras.models.load_model("rbf_model.keras")
assert isinstance(restored.layers[0], RBFFeatures) and restored.layers[0].gamma == 0.8
np.testing.assert_allclose(restored.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)

model.save_weights("rbf.weights.h5")
fresh = keras.Sequential([keras.Input((2,)), RBFFeatures(12, gamma=0.8), layers.Dense(1, activation="sigmoid")])
fresh.load_weights("rbf.weights.h5")
np.testing.assert_allclose(fresh.predict(x, verbose=0), ref, rtol=1e-5, atol=1e-6)
config = model.get_config()
rebuilt = keras.Sequential.from_config(config)
assert len(rebuilt.get_weights()) == len(model.get_weights())
print(f"RESULT train_acc={acc:.3f}")
assert acc > 0.9, acc
