"""tf.keras 2 style: EarlyStopping, ModelCheckpoint, ReduceLROnPlateau and CSVLogger together."""
import csv
import os

import numpy as np
import tensorflow as tf
from tensorflow import keras
from tensorflow.keras.callbacks import CSVLogger, EarlyStopping, ModelCheckpoint, ReduceLROnPlateau

tf.random.set_seed(11)
np.random.seed(11)
x = np.random.normal(size=(400, 6)).astype("float32")
w = np.random.normal(size=(6, 1)).astype("float32")
y = (x @ w + 0.05 * np.random.normal(size=(400, 1))).astype("float32")

model = keras.Sequential([keras.layers.Dense(16, activation="relu", input_shape=(6,)), keras.layers.Dense(1)])
model.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05), loss="mse", metrics=["mae"])

os.makedirs("checkpoints", exist_ok=True)
callbacks = [
    EarlyStopping(monitor="val_loss", patience=3, min_delta=1e-4, restore_best_weights=True, verbose=1),
    ModelCheckpoint("checkpoints/best_model.h5", monitor="val_loss", save_best_only=True, verbose=1),
    ModelCheckpoint("checkpoints/weights_epoch{epoch:02d}.weights.h5", save_weights_only=True),
    ReduceLROnPlateau(monitor="val_loss", factor=0.5, patience=1, min_lr=1e-4, verbose=1),
    CSVLogger("training_log.csv"),
]
history = model.fit(x, y, validation_split=0.2, epochs=60, batch_size=32, callbacks=callbacks, verbose=2)

epochs_run = len(history.history["loss"])
best_val = min(history.history["val_loss"])
val_after_restore = model.evaluate(x[320:], y[320:], verbose=0)[0]
with open("training_log.csv") as f:
    rows = list(csv.DictReader(f))
lrs = [float(r["learning_rate"]) if "learning_rate" in r else float(r["lr"]) for r in rows]
best = keras.models.load_model("checkpoints/best_model.h5", compile=False)
best_val_reloaded = float(np.mean((best.predict(x[320:], verbose=0) - y[320:]) ** 2))

print(f"RESULT epochs_run={epochs_run} best_val_loss={best_val:.5f} final_lr={lrs[-1]:.5f}")
assert epochs_run < 60, "EarlyStopping should have stopped training"
assert len(rows) == epochs_run and {"epoch", "loss", "val_loss", "mae", "val_mae"} <= set(rows[0])
assert lrs[-1] < lrs[0], "ReduceLROnPlateau should have lowered the learning rate"
assert abs(val_after_restore - best_val) < 1e-4 * max(1.0, best_val) + 1e-6, (val_after_restore, best_val)
assert abs(best_val_reloaded - best_val) < 1e-3 * max(1.0, best_val), (best_val_reloaded, best_val)
assert os.path.exists("checkpoints/weights_epoch01.weights.h5")
assert best_val < 0.05, best_val
