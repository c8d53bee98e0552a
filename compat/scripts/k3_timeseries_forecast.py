"""Keras 3 style: next-step forecasting with keras.utils.timeseries_dataset_from_array and a GRU."""
import numpy as np
import keras
from keras import layers

keras.utils.set_random_seed(17)
t = np.arange(1200, dtype="float32")
series = (np.sin(0.07 * t) + 0.5 * np.sin(0.23 * t) + 0.05 * np.random.default_rng(0).normal(size=t.shape))
series = series.astype("float32")[:, None]  # (time, features)

window = 24
train_end, val_end = 900, 1100
train_ds = keras.utils.timeseries_dataset_from_array(
    series[:-window], series[window:, 0], sequence_length=window, batch_size=64, shuffle=True, seed=17,
    end_index=train_end)
val_ds = keras.utils.timeseries_dataset_from_array(
    series[:-window], series[window:, 0], sequence_length=window, batch_size=64,
    start_index=train_end, end_index=val_end)

for inputs, targets in train_ds.take(1):
    print("inputs:", tuple(inputs.shape), "targets:", tuple(targets.shape))
    assert tuple(inputs.shape) == (64, window, 1) and tuple(targets.shape) == (64,)

model = keras.Sequential([keras.Input((window, 1)), layers.GRU(16), layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(1e-2), loss="mse", metrics=["mae"])
model.fit(train_ds, validation_data=val_ds, epochs=6, verbose=2)
mse, mae = model.evaluate(val_ds, verbose=0)
baseline = float(np.mean((series[train_end + window - 1 : val_end + window - 1, 0]
                          - series[train_end + window : val_end + window, 0]) ** 2))
print(f"RESULT val_mse={mse:.4f} naive_last_value_mse={baseline:.4f}")
assert mse < baseline, (mse, baseline)
