"""Worker of test_resume.py: an interrupted-and-resumed fit() vs. an uninterrupted one.

Usage: python _resume_worker.py OUT_DIR EPOCHS KILL_AFTER_EPOCH [MODE]

1. child A (forked) trains with BackupAndRestore and SIGKILLs itself at the end of epoch
   KILL_AFTER_EPOCH (after the backup of that epoch was written) -- or raises, with MODE=raise;
2. child B (forked, a fresh process state: new model with other initial weights, new optimizer)
   runs the same fit() with the same backup dir: it must resume and finish;
3. the parent trains the same model uninterrupted.
Final weights of B and of the uninterrupted run are saved to OUT_DIR/resumed.npz and
OUT_DIR/reference.npz; OUT_DIR/epochs_b.json lists the epochs B actually ran.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import warnings

import numpy as np


def build(keras, seed: int):
    keras.utils.set_random_seed(seed)
    L = keras.layers
    model = keras.Sequential([keras.Input((6,)), L.Dense(16, activation="relu"), L.BatchNormalization(),
                              L.Dense(8, activation="tanh"), L.Dense(2)])
    lr = keras.optimizers.schedules.ExponentialDecay(0.01, decay_steps=3, decay_rate=0.9)
    model.compile(optimizer=keras.optimizers.Adam(lr), loss="mse", metrics=["mae"])
    return model


def data():
    rng = np.random.default_rng(42)
    x = rng.normal(size=(40, 6)).astype("float32")
    y = np.stack([x[:, 0] * x[:, 1], np.sin(x[:, 2])], axis=1).astype("float32")
    return x, y


def main() -> None:
    warnings.simplefilter("ignore")
    out, epochs, kill_after = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    mode = sys.argv[4] if len(sys.argv) > 4 else "kill"
    import torch

    torch.set_num_threads(1)
    import keras_torch as keras

    x, y = data()
    backup = os.path.join(out, "backup")

    class Interrupt(keras.callbacks.Callback):
        def on_epoch_end(self, epoch, logs=None):
            if epoch == kill_after:
                if mode == "kill":
                    os.kill(os.getpid(), signal.SIGKILL)
                raise KeyboardInterrupt("interrupted")

    class Record(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.epochs = []

        def on_epoch_begin(self, epoch, logs=None):
            self.epochs.append(epoch)

    def fit(model, callbacks):
        model.fit(x, y, batch_size=8, epochs=epochs, shuffle=False, verbose=0, callbacks=callbacks)

    pid = os.fork()
    if pid == 0:  # A: interrupted run
        code = 0
        try:
            fit(build(keras, 0), [keras.callbacks.BackupAndRestore(backup), Interrupt()])
        except KeyboardInterrupt:
            code = 7
        except BaseException:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    a_status = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)

    pid = os.fork()
    if pid == 0:  # B: a new process picks the run up (different initial weights on purpose)
        code = 0
        try:
            rec = Record()
            model = build(keras, 123)
            fit(model, [keras.callbacks.BackupAndRestore(backup), rec])
            np.savez(os.path.join(out, "resumed.npz"), *model.get_weights())
            with open(os.path.join(out, "epochs_b.json"), "w") as f:
                json.dump(rec.epochs, f)
        except BaseException:  # noqa: BLE001
            import traceback

            traceback.print_exc()
            code = 3
        os._exit(code)
    _, status = os.waitpid(pid, 0)
    b_status = os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)

    model = build(keras, 0)
    fit(model, [])
    np.savez(os.path.join(out, "reference.npz"), *model.get_weights())
    print(json.dumps({"a": a_status, "b": b_status, "backup_left": os.path.exists(backup)}), flush=True)


if __name__ == "__main__":
    main()
