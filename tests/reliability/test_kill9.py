"""``kill -9`` at random moments never leaves a half-written file behind.

A zygote subprocess (``_kill_worker.py``, one import of keras_torch) forks a child per trial that
saves in a loop (every weight set to the save counter ``k`` before save ``k``), sleeps a random
delay and SIGKILLs it. After every trial the file at the target path must be absent (only if no
save ever completed) or load completely, with all weights equal to one single ``k`` (no mix of
two saves). Kills that land mid-save are counted (the child had started more saves than it
finished) to show the property was actually exercised.

Formats: ``model.save`` to ``.keras``, ``.h5`` and a directory (``zipped=False``),
``save_weights`` in both layouts, and a ``fit()`` with ModelCheckpoint + BackupAndRestore +
CSVLogger (checkpoint loads, the backup restores, every CSV line is complete and parses).
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import pytest
from _rel_helpers import HERE, subprocess_env
from _rel_models import mlp, uniform_value

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')

TRIALS = {"save_keras": 20, "save_h5": 20, "weights_k3": 20, "weights_legacy": 20, "save_dir": 12, "fit": 20}
TARGET = {"save_keras": "m.keras", "save_h5": "m.h5", "weights_k3": "m.weights.h5", "weights_legacy": "m.h5",
          "save_dir": "m_dir"}


class Zygote:
    def __init__(self, tmp_path):
        self.stderr = open(tmp_path / "zygote.stderr", "wb")
        self.proc = subprocess.Popen([sys.executable, str(HERE / "_kill_worker.py")], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=self.stderr, env=subprocess_env(),
                                     cwd=tmp_path, text=True, bufsize=1)
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("kill-9 zygote failed: " + open(self.stderr.name, errors="replace").read()[-3000:])
        self.save_seconds = json.loads(line)["save_seconds"]

    def trial(self, **req) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError("kill-9 zygote died: " + open(self.stderr.name, errors="replace").read()[-3000:])
        return json.loads(line)

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=60)
        self.stderr.close()


@pytest.fixture(scope="module")
def zygote(tmp_path_factory):
    z = Zygote(tmp_path_factory.mktemp("zygote"))
    yield z
    z.close()


def _check_weights_file(keras, mode: str, path: str) -> float:
    if mode in ("save_keras", "save_h5", "save_dir"):
        model = keras.models.load_model(path, compile=False)
    else:
        model = mlp(keras, compiled=False)
        model.load_weights(path)
    k = uniform_value(model)
    assert k is not None, f"{path} mixes weights of different saves"
    return k


@pytest.mark.parametrize("mode", ["save_keras", "save_h5", "weights_k3", "weights_legacy", "save_dir"])
def test_kill9_during_repeated_saves(mode, zygote, keras, tmp_path):
    rng = random.Random(f"kill9-{mode}")
    target = str(tmp_path / TARGET[mode])
    ever_saved = False
    mid_save = 0
    prev_k = None
    for trial in range(TRIALS[mode]):
        # the first delay is short enough to often kill before the first save ever completes
        delay = rng.uniform(0.0, 0.03) if trial == 0 else rng.uniform(0.02, 0.3)
        r = zygote.trial(mode=mode, dir=str(tmp_path), delay=delay, trial=trial)
        assert r["exit"] == -9, f"the saving child died on its own: {r}"
        mid_save += r["started"] > r["completed"]
        ever_saved = ever_saved or r["completed"] > 0
        if not os.path.exists(target):
            assert not ever_saved, f"trial {trial}: {target} disappeared after a completed save"
            continue
        k = _check_weights_file(keras, mode, target)
        # Each child saves k = 1, 2, ...: the file holds the last completed save, or the one the kill
        # interrupted if its rename had already happened; with no completed save, the previous trial's file.
        allowed = {r["completed"], r["started"]} if r["completed"] else {prev_k, 1.0}
        assert k in allowed, f"trial {trial}: file holds save {k}, child progress {r}, previous file {prev_k}"
        prev_k = k
    leftovers = [n for n in os.listdir(tmp_path) if n.endswith(".tmp") or ".old-" in n]
    print(f"\nkill -9 {mode}: {TRIALS[mode]} trials, {mid_save} killed mid-save, "
          f"{len(leftovers)} temp files left behind (never read)")
    assert ever_saved


def _check_csv(path: str) -> int:
    with open(path, newline="") as f:
        text = f.read()
    if not text:
        return 0
    assert text.endswith("\r\n") or text.endswith("\n"), f"partial last line in {path}: {text[-80:]!r}"
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][0] == "epoch", rows[0]
    for row in rows[1:]:
        assert len(row) == len(rows[0]), row
        int(row[0])
        float(row[1])
    return len(rows) - 1


def test_kill9_during_fit_with_checkpoint_backup_and_csv(zygote, keras, tmp_path):
    from keras_torch.callbacks import BackupAndRestore

    rng = random.Random("kill9-fit")
    ckpt = tmp_path / "ckpt.keras"
    backup = tmp_path / "backup" / BackupAndRestore.FILENAME
    mid_epoch, rows, restored = 0, 0, 0
    for trial in range(TRIALS["fit"]):
        r = zygote.trial(mode="fit", dir=str(tmp_path), delay=rng.uniform(0.05, 0.6), trial=trial)
        assert r["exit"] == -9, f"the training child died on its own: {r}"
        mid_epoch += r["started"] > r["completed"]
        if ckpt.exists():
            model = keras.models.load_model(ckpt)
            assert np.isfinite(model.predict(np.ones((2, 4), "float32"), verbose=0)).all()
        if backup.exists():
            model = mlp(keras)
            cb = BackupAndRestore(str(tmp_path / "backup"))
            cb.set_model(model)
            cb.on_train_begin()  # raises if the backup is torn
            restored += 1
        if (tmp_path / "log.csv").exists():
            rows = _check_csv(str(tmp_path / "log.csv"))
    print(f"\nkill -9 fit: {TRIALS['fit']} trials, {mid_epoch} killed mid-epoch, {rows} CSV rows, "
          f"backup restored {restored} times")
    assert restored > 0 and rows > 0


def test_atomic_write_keeps_old_file_when_writer_fails(keras, tmp_path):
    """In-process complement: an exception in the middle of a save leaves the previous file intact."""
    from keras_torch.saving import files

    p = tmp_path / "m.keras"
    model = mlp(keras)
    model.save(p)
    before = p.read_bytes()

    def boom(tmp):
        with open(tmp, "wb") as f:
            f.write(b"partial")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        files.atomic_write(str(p), boom)
    assert p.read_bytes() == before
    assert [n for n in os.listdir(tmp_path)] == ["m.keras"]
    time.sleep(0)
