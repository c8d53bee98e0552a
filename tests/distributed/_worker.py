"""Worker for tests/distributed: an unchanged Keras script run with ``keras-torch run --nproc 2``.

Usage: keras-torch run --nproc 2 _worker.py OUT_DIR. Reads OUT_DIR/init.npz (initial weights +
data) and writes OUT_DIR/rank{R}.npz / rank{R}.json (what each scenario produced on this rank)
and OUT_DIR/stdout_rank{R}.txt (what ``fit`` printed on this rank).
"""

import contextlib
import json
import os
import sys

import keras  # served by keras_torch under `keras-torch run`
import numpy as np
import torch
from keras import layers

OUT = sys.argv[1]
RANK = int(os.environ["RANK"])


def build(init):
    model = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    if init is not None:
        model.set_weights(init)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    return model


class Recorder(layers.Layer):
    """Records the sample ids (column 0) of every training batch this rank runs."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.seen = []

    def call(self, x, training=False):
        if training:
            self.seen[-1].extend(int(v) for v in x[:, 0].round().tolist())
        return x[:, 1:]


class EpochMark(keras.callbacks.Callback):
    def __init__(self, rec):
        super().__init__()
        self.rec = rec

    def on_epoch_begin(self, epoch, logs=None):
        self.rec.seen.append([])


def main():
    data = np.load(os.path.join(OUT, "init.npz"))
    init = [data[f"w{i}"] for i in range(4)]
    x, y, vx, vy = data["x"], data["y"], data["vx"], data["vy"]
    res, arrays = {}, {}

    # (a)+(c)+(d): no shuffle, 21 samples, global batch 5 -> shares 3/2 and a last batch of 1
    model = build(init)
    csv = os.path.join(OUT, f"log_rank{RANK}.csv")
    ckpt = os.path.join(OUT, f"ckpt_rank{RANK}.weights.h5")
    with open(os.path.join(OUT, f"stdout_rank{RANK}.txt"), "w") as f, contextlib.redirect_stdout(f):
        hist = model.fit(x, y, batch_size=5, epochs=3, shuffle=False, validation_data=(vx, vy), verbose=1,
                         callbacks=[keras.callbacks.CSVLogger(csv),
                                    keras.callbacks.ModelCheckpoint(ckpt, save_weights_only=True, verbose=1),
                                    keras.callbacks.EarlyStopping(monitor="loss", patience=5)])
    res["history"] = hist.history
    res["keras"] = keras.__name__
    res["world"] = [torch.distributed.get_rank(), torch.distributed.get_world_size(),
                    torch.distributed.get_backend()]
    try:
        res["timeout_s"] = torch.distributed.group.WORLD._get_backend(torch.device("cpu")).options._timeout.seconds
    except Exception:  # noqa: BLE001 - private API; the test skips the check then
        res["timeout_s"] = None
    res["rank0_ckpt_exists_after_fit"] = os.path.exists(os.path.join(OUT, "ckpt_rank0.weights.h5"))
    for i, w in enumerate(model.get_weights()):
        arrays[f"a{i}"] = w
    res["evaluate"] = model.evaluate(vx, vy, batch_size=3, verbose=0, return_dict=True)
    arrays["predict"] = model.predict(x, batch_size=4, verbose=0)
    arrays["predict_tiny"] = model.predict(x[:1], verbose=0)  # fewer samples than ranks

    # even split + torch Dataset input, 20 samples, batch 4
    model = build(init)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x[:20]), torch.from_numpy(y[:20]))
    hist = model.fit(ds, batch_size=4, epochs=2, shuffle=False, verbose=0)
    res["history_ds"] = hist.history
    for i, w in enumerate(model.get_weights()):
        arrays[f"d{i}"] = w

    # (b) shuffle=True: each sample exactly once per epoch across ranks (22 samples, batch 4)
    rec = Recorder()
    ids = np.arange(22, dtype="float32")[:, None]
    xs = np.concatenate([ids, np.resize(x, (22, 5))], axis=1)
    model = keras.Sequential([keras.Input((6,)), rec, layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(xs, np.resize(y, (22, 1)), batch_size=4, epochs=3, shuffle=True, verbose=0,
              callbacks=[EpochMark(rec)])
    res["seen"] = rec.seen

    # train_on_batch splits the (global) batch too
    model = build(init)
    res["train_on_batch"] = model.train_on_batch(x[:7], y[:7], return_dict=True)
    for i, w in enumerate(model.get_weights()):
        arrays[f"t{i}"] = w

    # BatchNorm + dict outputs, one output without a loss (DDP finds the unused weights);
    # ranks must stay identical (non-trainable state is re-broadcast at epoch ends)
    inp = keras.Input((5,))
    h = layers.BatchNormalization()(layers.Dense(6)(inp))
    model = keras.Model(inp, {"a": layers.Dense(1, name="a")(h), "b": layers.Dense(2, name="b")(h)})
    model.compile(optimizer="adam", loss={"a": "mse"}, metrics={"a": ["mae"]})
    hist = model.fit(x, {"a": y, "b": np.zeros((21, 2), "float32")}, batch_size=6, epochs=2, verbose=0)
    res["history_multi"] = hist.history
    for i, w in enumerate(model.get_weights()):
        arrays[f"m{i}"] = w

    np.savez(os.path.join(OUT, f"rank{RANK}.npz"), **arrays)
    with open(os.path.join(OUT, f"rank{RANK}.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
