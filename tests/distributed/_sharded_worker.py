"""Worker for tests/distributed/test_sharded.py: an unchanged Keras script, sharded.

Usage: keras-torch run --nproc N _sharded_worker.py MODE OUT_DIR, MODE ``fsdp`` or a mesh shape
``BxM`` (``ModelParallel`` on ``("batch", "model")``). Reads OUT_DIR/init.npz (initial weights
and data), trains the Transformer block of ``_sharded_model.py``, saves it, reloads it, resumes an
interrupted fit, and writes what each rank saw to OUT_DIR/rank{R}.json / rank{R}.npz.
"""

import contextlib
import json
import os
import sys

import keras  # served by keras_torch under `keras-torch run`
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _sharded_model import build, layout_map  # noqa: E402

from keras_torch.core import dtensor  # noqa: E402
from keras_torch.distribution.model_parallel import local_state_bytes  # noqa: E402

MODE, OUT = sys.argv[1], sys.argv[2]
RANK = int(os.environ["RANK"])


def distribution():
    if MODE == "fsdp":
        return keras.distribution.FSDP()
    shape = tuple(int(v) for v in MODE.split("x"))
    mesh = keras.distribution.DeviceMesh(shape, ("batch", "model"))
    return keras.distribution.ModelParallel(layout_map=layout_map(mesh), batch_dim_name="batch")


class Interrupt(keras.callbacks.Callback):
    """Stands in for a crash after the backup of epoch ``at`` was written (on every rank)."""

    def __init__(self, at):
        super().__init__()
        self.at = at

    def on_epoch_end(self, epoch, logs=None):
        if epoch == self.at:
            raise KeyboardInterrupt("interrupted")


def main():
    data = np.load(os.path.join(OUT, "init.npz"))
    init = [data[f"w{i}"] for i in range(int(data["n"]))]
    x, y, vx, vy = data["x"], data["y"], data["vx"], data["vy"]
    keras.distribution.set_distribution(distribution())
    res, arrays = {}, {}

    model = build(init)
    with open(os.path.join(OUT, f"stdout_rank{RANK}.txt"), "w") as f, contextlib.redirect_stdout(f):
        hist = model.fit(x, y, batch_size=5, epochs=3, shuffle=False, validation_data=(vx, vy), verbose=2,
                         callbacks=[keras.callbacks.CSVLogger(os.path.join(OUT, f"log_rank{RANK}.csv")),
                                    keras.callbacks.ModelCheckpoint(os.path.join(OUT, "ckpt.keras"))])
    res["history"] = hist.history
    res["memory"] = local_state_bytes(model)
    res["placements"] = {v.__dict__.get("_keras_path", "?"): [str(p) for p in v.placements]
                         for v in model.weights if dtensor.is_sharded(v)}
    for i, w in enumerate(model.get_weights()):  # collective: every rank gathers
        arrays[f"w{i}"] = w
    res["evaluate"] = model.evaluate(vx, vy, batch_size=4, verbose=0, return_dict=True)
    arrays["predict"] = model.predict(x, batch_size=4, verbose=0)
    arrays["predict_tiny"] = model.predict(x[:1], verbose=0)

    # saving is collective; rank 0 writes ordinary files
    model.save(os.path.join(OUT, "model.keras"))
    model.save(os.path.join(OUT, "model.h5"))
    model.save_weights(os.path.join(OUT, "model.weights.h5"))
    res["files_after_save"] = sorted(n for n in os.listdir(OUT) if n.startswith("model."))

    # loading into an already sharded model keeps each rank's chunks only
    fresh = build(init)
    fresh.predict(x[:2], verbose=0)  # the first distributed call shards it
    fresh.load_weights(os.path.join(OUT, "model.weights.h5"))
    res["loaded_sharded"] = any(dtensor.is_sharded(p) for p in fresh.parameters())
    arrays["loaded_predict"] = fresh.predict(x, batch_size=4, verbose=0)

    # BackupAndRestore: interrupted after epoch 2 of 3, resumed by a new model, same mesh
    backup = os.path.join(OUT, "backup")
    first = build(init)
    try:
        first.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.BackupAndRestore(backup, delete_checkpoint=False), Interrupt(1)])
        res["interrupted"] = False
    except KeyboardInterrupt:
        res["interrupted"] = True
    resumed = build(init)
    hist = resumed.fit(x, y, batch_size=5, epochs=3, shuffle=False, verbose=0,
                       callbacks=[keras.callbacks.BackupAndRestore(backup)])
    res["resumed_epochs"] = len(hist.history["loss"])
    res["resumed_loss"] = hist.history["loss"]
    for i, w in enumerate(resumed.get_weights()):
        arrays[f"r{i}"] = w

    np.savez(os.path.join(OUT, f"rank{RANK}.npz"), **arrays)
    with open(os.path.join(OUT, f"rank{RANK}.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
