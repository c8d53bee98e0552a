"""tf.keras 2 style: a custom loss written with `keras.backend as K` (asymmetric / quantile loss)."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K
from tensorflow.keras.layers import Dense, Input
from tensorflow.keras.models import Model

tf.random.set_seed(0)
np.random.seed(0)


def quantile_loss(q):
    def loss(y_true, y_pred):
        e = y_true - y_pred
        return K.mean(K.maximum(q * e, (q - 1) * e), axis=-1)
    return loss


def rmse(y_true, y_pred):
    return K.sqrt(K.mean(K.square(y_pred - y_true)))


x = np.random.uniform(-2, 2, (800, 1)).astype("float32")
noise = np.random.exponential(1.0, (800, 1)).astype("float32")  # skewed noise
y = 2 * x + noise

inp = Input(shape=(1,))
h = Dense(16, activation="relu")(inp)
out = Dense(1)(h)
model = Model(inp, out)
model.compile(optimizer=keras.optimizers.Adam(0.02), loss=quantile_loss(0.9), metrics=[rmse])
model.fit(x, y, epochs=30, batch_size=64, verbose=0)

pred = model.predict(x, verbose=0)
coverage = float(np.mean(y <= pred))
print("K.epsilon() =", K.epsilon(), "floatx =", K.floatx(), "image_data_format =", K.image_data_format())
print(f"RESULT coverage_of_q90={coverage:.3f}")
assert K.epsilon() == 1e-7 and K.floatx() == "float32"
assert 0.8 < coverage < 0.97, coverage
