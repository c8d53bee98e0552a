"""tf.keras 2 style: custom metric functions (R^2 and a thresholded accuracy) in compile()."""
import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras import backend as K


def r_squared(y_true, y_pred):
    ss_res = K.sum(K.square(y_true - y_pred))
    ss_tot = K.sum(K.square(y_true - K.mean(y_true)))
    return 1 - ss_res / (ss_tot + K.epsilon())


def within_10_percent(y_true, y_pred):
    ok = K.cast(K.abs(y_pred - y_true) <= 0.1 * K.abs(y_true), "float32")
    return K.mean(ok)


tf.random.set_seed(13)
np.random.seed(13)
x = np.random.uniform(0, 1, (500, 3)).astype("float32")
y = (3 + 2 * x[:, :1] - x[:, 1:2] + 0.5 * x[:, 2:] ** 2).astype("float32")

model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse",
              metrics=[r_squared, within_10_percent, keras.metrics.RootMeanSquaredError(name="rmse")])
history = model.fit(x, y, epochs=25, batch_size=25, validation_split=0.2, verbose=0)
results = model.evaluate(x, y, return_dict=True, verbose=0)
print("history keys:", sorted(history.history))
print(f"RESULT r2={results['r_squared']:.3f} within10={results['within_10_percent']:.3f} rmse={results['rmse']:.3f}")
assert {"r_squared", "val_r_squared", "within_10_percent", "rmse"} <= set(history.history)
assert results["r_squared"] > 0.9 and results["within_10_percent"] > 0.9, results
