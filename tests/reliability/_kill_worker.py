"""Zygote of test_kill9.py: imports keras_torch once, then forks one saving child per trial and SIGKILLs it.

Protocol (JSON lines): the parent writes ``{"mode", "dir", "delay", "trial"}`` on stdin; the zygote
forks a child that saves in a loop (``mode`` picks what it saves), sleeps ``delay`` seconds,
sends SIGKILL, reaps it and answers ``{"trial", "started", "completed", "exit"}``: how many saves
the child had begun and finished (a shared counter), so ``started > completed`` means the kill
landed in the middle of a save.
"""

from __future__ import annotations

import json
import mmap
import os
import signal
import struct
import sys
import time
import traceback
import warnings


def child(mode: str, folder: str, counters: mmap.mmap) -> None:
    from _rel_models import data, fill, mlp

    import keras_torch as keras

    def bump(slot: int) -> None:
        counters.seek(slot * 8)
        (v,) = struct.unpack("q", counters.read(8))
        counters.seek(slot * 8)
        counters.write(struct.pack("q", v + 1))

    model = mlp(keras)
    if mode == "fit":
        class Count(keras.callbacks.Callback):
            def on_epoch_end(self, epoch, logs=None):
                bump(1)  # the epoch's saves (checkpoint, backup, csv row) are done

            def on_epoch_begin(self, epoch, logs=None):
                bump(0)

        x, y = data(32)
        model.fit(x, y, batch_size=8, epochs=10**6, verbose=0, shuffle=False, callbacks=[
            keras.callbacks.CSVLogger(os.path.join(folder, "log.csv"), append=True),
            keras.callbacks.ModelCheckpoint(os.path.join(folder, "ckpt.keras")),
            keras.callbacks.BackupAndRestore(os.path.join(folder, "backup"), delete_checkpoint=False),
            Count(),
        ])
        return
    k = 0
    while True:
        k += 1
        fill(model, float(k))
        bump(0)
        if mode == "save_keras":
            model.save(os.path.join(folder, "m.keras"))
        elif mode == "save_h5":
            model.save(os.path.join(folder, "m.h5"))
        elif mode == "weights_k3":
            model.save_weights(os.path.join(folder, "m.weights.h5"))
        elif mode == "weights_legacy":
            model.save_weights(os.path.join(folder, "m.h5"))
        elif mode == "save_dir":
            model.save(os.path.join(folder, "m_dir"), zipped=False)
        else:
            raise ValueError(mode)
        bump(1)


def main() -> None:
    warnings.simplefilter("ignore")
    import torch

    torch.set_num_threads(1)  # no thread pools before fork()
    import shutil
    import tempfile

    from _rel_models import data, mlp

    import keras_torch as keras

    # Warm up once (lazy imports, first-call setup) so children start saving right away.
    warm = tempfile.mkdtemp(prefix="kt_kill9_warmup_")
    model = mlp(keras)
    x, y = data(8)
    model.fit(x, y, epochs=1, verbose=0, callbacks=[
        keras.callbacks.CSVLogger(os.path.join(warm, "log.csv")),
        keras.callbacks.ModelCheckpoint(os.path.join(warm, "c.keras")),
        keras.callbacks.BackupAndRestore(os.path.join(warm, "b"))])
    model.save(os.path.join(warm, "m.h5"))
    model.save_weights(os.path.join(warm, "m.weights.h5"))
    model.save_weights(os.path.join(warm, "w.h5"))
    model.save(os.path.join(warm, "d"), zipped=False)
    for name in ("c.keras", "m.h5", "d"):
        keras.models.load_model(os.path.join(warm, name))
    shutil.rmtree(warm)
    t0 = time.perf_counter()
    model.save(os.path.join(tempfile.gettempdir(), f"kt_kill9_{os.getpid()}.keras"))
    os.remove(os.path.join(tempfile.gettempdir(), f"kt_kill9_{os.getpid()}.keras"))
    print(json.dumps({"ready": True, "save_seconds": time.perf_counter() - t0}), flush=True)

    for line in sys.stdin:
        req = json.loads(line)
        counters = mmap.mmap(-1, 16)
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                child(req["mode"], req["dir"], counters)
            except BaseException:  # noqa: BLE001
                traceback.print_exc()
                code = 3
            os._exit(code)
        time.sleep(req["delay"])
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        counters.seek(0)
        started, completed = struct.unpack("qq", counters.read(16))
        counters.close()
        exit_info = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        print(json.dumps({"trial": req["trial"], "started": started, "completed": completed, "exit": exit_info}),
              flush=True)


if __name__ == "__main__":
    main()
