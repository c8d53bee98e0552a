"""Data-parallel fit/evaluate/predict on 2 CPU processes (gloo on 127.0.0.1).

Two launches, each with a hard timeout: ``keras-torch run --nproc 2 _worker.py`` (torchrun)
runs every scenario once (module fixture), and a failing job is started with a plain
RANK/WORLD_SIZE/MASTER_* environment (no torchrun). The single-process references run in the
pytest process. Keep the data tiny: the whole file should take well under 90 s on 2 cores.
"""

import json
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from _launch import free_port, rank_env

import keras_torch as keras
from keras_torch import layers
from keras_torch.distribution.sharding import Sharding

HERE = pathlib.Path(__file__).resolve().parent
pytestmark = [pytest.mark.slow, pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed unavailable")]


def _env(**extra):
    return rank_env(timeout=30, **extra)


def _launch(args, nproc=2, timeout=100, **extra):
    """Start ``nproc`` ranks with the torchrun-style environment; kill all on timeout."""
    port = free_port()
    procs = []
    for r in range(nproc):
        env = _env(RANK=r, LOCAL_RANK=r, WORLD_SIZE=nproc, MASTER_ADDR="127.0.0.1", MASTER_PORT=port, **extra)
        procs.append(subprocess.Popen([sys.executable, *args], env=env, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True))
    deadline = time.monotonic() + timeout
    outs = []
    try:
        for p in procs:
            out, _ = p.communicate(timeout=max(1.0, deadline - time.monotonic()))
            outs.append(out)
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        dump = "\n".join((p.communicate()[0] or "")[-3000:] for p in procs)
        pytest.fail(f"distributed run hung (> {timeout}s):\n{dump}")
    return [p.returncode for p in procs], outs


def _data():
    rng = np.random.default_rng(0)
    m = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    init = m.get_weights()
    x = rng.standard_normal((21, 5)).astype("float32")
    y = rng.standard_normal((21, 1)).astype("float32")
    vx = rng.standard_normal((7, 5)).astype("float32")
    vy = rng.standard_normal((7, 1)).astype("float32")
    return init, x, y, vx, vy


def _model(init):
    model = keras.Sequential([keras.Input((5,)), layers.Dense(4, activation="tanh"), layers.Dense(1)])
    model.set_weights(init)
    model.compile(optimizer=keras.optimizers.Adam(0.05), loss="mse", metrics=["mae"])
    return model


def _cli(args, timeout, cwd, **extra):
    """``keras-torch run --nproc 2 ...`` with a hard timeout."""
    cmd = [sys.executable, "-m", "keras_torch", "run", "--nproc", "2", *args]
    try:
        p = subprocess.run(cmd, env=_env(**extra), capture_output=True, text=True, timeout=timeout, cwd=cwd)
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"keras-torch run hung (> {timeout}s): {(e.stdout or '')[-2000:]} {(e.stderr or '')[-2000:]}")
    return p.returncode, p.stdout + p.stderr


@pytest.fixture(scope="module")
def worker_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    init, x, y, vx, vy = _data()
    np.savez(out / "init.npz", **{f"w{i}": w for i, w in enumerate(init)}, x=x, y=y, vx=vx, vy=vy)
    rc, log = _cli([str(HERE / "_worker.py"), str(out)], timeout=120, cwd=out)
    assert rc == 0, log[-6000:]
    res = [json.loads((out / f"rank{r}.json").read_text()) for r in range(2)]
    arr = [dict(np.load(out / f"rank{r}.npz")) for r in range(2)]
    outs = [(out / f"stdout_rank{r}.txt").read_text() for r in range(2)]
    return {"dir": out, "outs": outs, "log": log, "res": res, "arr": arr, "data": (init, x, y, vx, vy)}


def test_cli_runs_an_unchanged_keras_script_on_2_processes(worker_run):
    """(f): keras-torch run --nproc 2 (torchrun): `import keras` is keras_torch, gloo group of 2."""
    res = worker_run["res"]
    assert res[0]["keras"] == res[1]["keras"] == "keras_torch"
    assert res[0]["world"] == [0, 2, "gloo"] and res[1]["world"] == [1, 2, "gloo"]
    if res[0]["timeout_s"] is not None:  # KERAS_TORCH_DIST_TIMEOUT reached the process group
        assert res[0]["timeout_s"] == 30


def _close_history(a, b, tol=1e-5):
    assert sorted(a) == sorted(b)
    for k in a:
        np.testing.assert_allclose(a[k], b[k], rtol=tol, atol=tol, err_msg=k)


def test_same_weights_and_history_as_single_process(worker_run):
    """(a)+(d): shuffle=False, 21 samples / global batch 5 (shares 3+2, last batch 1+placeholder)."""
    init, x, y, vx, vy = worker_run["data"]
    ref = _model(init)
    hist = ref.fit(x, y, batch_size=5, epochs=3, shuffle=False, validation_data=(vx, vy), verbose=0)
    res, arr = worker_run["res"], worker_run["arr"]
    for r in range(2):
        for i, w in enumerate(ref.get_weights()):
            np.testing.assert_allclose(arr[r][f"a{i}"], w, atol=1e-5, rtol=1e-5)
        _close_history(res[r]["history"], hist.history)
        _close_history(res[r]["evaluate"], ref.evaluate(vx, vy, batch_size=3, verbose=0, return_dict=True))
        np.testing.assert_allclose(arr[r]["predict"], ref.predict(x, batch_size=4, verbose=0), atol=1e-5)
        np.testing.assert_allclose(arr[r]["predict_tiny"], ref.predict(x[:1], verbose=0), atol=1e-5)
    assert res[0]["history"] == res[1]["history"]  # bit-identical on every rank


def test_dataset_input_and_train_on_batch_match_single_process(worker_run):
    init, x, y, _, _ = worker_run["data"]
    ref = _model(init)
    ds = torch.utils.data.TensorDataset(torch.from_numpy(x[:20]), torch.from_numpy(y[:20]))
    hist = ref.fit(ds, batch_size=4, epochs=2, shuffle=False, verbose=0)
    ref2 = _model(init)
    tob = ref2.train_on_batch(x[:7], y[:7], return_dict=True)
    for r in range(2):
        _close_history(worker_run["res"][r]["history_ds"], hist.history)
        for i, w in enumerate(ref.get_weights()):
            np.testing.assert_allclose(worker_run["arr"][r][f"d{i}"], w, atol=1e-5, rtol=1e-5)
        _close_history({k: [v] for k, v in worker_run["res"][r]["train_on_batch"].items()},
                       {k: [v] for k, v in tob.items()})
        for i, w in enumerate(ref2.get_weights()):
            np.testing.assert_allclose(worker_run["arr"][r][f"t{i}"], w, atol=1e-5, rtol=1e-5)


def test_ranks_stay_identical_with_batchnorm_and_an_output_without_loss(worker_run):
    res, arr = worker_run["res"], worker_run["arr"]
    assert res[0]["history_multi"] == res[1]["history_multi"]
    assert {"loss", "a_mae"} <= set(res[0]["history_multi"])
    keys = [k for k in arr[0] if k.startswith("m")]
    assert len(keys) == 10
    for k in keys:
        np.testing.assert_array_equal(arr[0][k], arr[1][k])


def test_shuffle_sees_every_sample_once_per_epoch(worker_run):
    """(b): 22 samples, global batch 4, shuffle=True."""
    seen = [worker_run["res"][r]["seen"] for r in range(2)]
    assert len(seen[0]) == len(seen[1]) == 3
    for epoch in range(3):
        a, b = seen[0][epoch], seen[1][epoch]
        assert sorted(a + b) == list(range(22)), (epoch, a, b)
        assert len(a) == len(b) == 11
    assert seen[0][0] + seen[1][0] != list(range(22))  # actually shuffled
    assert seen[0][0] != seen[0][1]  # a new order every epoch


def test_only_rank0_prints_and_writes(worker_run):
    """(c): progress bar, checkpoint messages, CSVLogger and ModelCheckpoint on rank 0 only."""
    d, outs, res = worker_run["dir"], worker_run["outs"], worker_run["res"]
    assert "Epoch 1/3" in outs[0] and "val_loss" in outs[0] and "saving model" in outs[0]
    assert "Epoch 1/3" not in outs[1] and "val_loss" not in outs[1] and "saving model" not in outs[1]
    assert (d / "log_rank0.csv").exists() and not (d / "log_rank1.csv").exists()
    assert (d / "ckpt_rank0.weights.h5").exists() and not (d / "ckpt_rank1.weights.h5").exists()
    rows = (d / "log_rank0.csv").read_text().strip().splitlines()
    assert rows[0].split(",") == ["epoch", "loss", "mae", "val_loss", "val_mae"] and len(rows) == 4
    assert res[1]["rank0_ckpt_exists_after_fit"]  # fit ends with a barrier


def test_split_plan_covers_every_row_once():
    """The per-rank plan: same steps on every rank, each row once, weights summing to 1."""

    for n, bs, world in [(21, 5, 2), (9, 4, 3), (1, 4, 2), (10, 10, 4), (7, 2, 3)]:
        plans = []
        for r in range(world):
            sharding = Sharding(r, world)  # no process group needed for the plan
            plans.append(sharding.plan(n, bs, shuffle=True, steps=None, epoch=1, seed=123))
        steps = {len(p[1]) for p in plans}
        assert steps == {-(-n // bs)}
        rows = []
        for idx, sizes, weights in plans:
            off = 0
            for size, w in zip(sizes, weights):
                if w > 0:
                    rows += idx[off:off + size].tolist()
                off += size
        assert sorted(rows) == list(range(n))
        for k in range(len(plans[0][1])):
            assert abs(sum(p[2][k] for p in plans) - 1.0) < 1e-12


FAIL_SCRIPT = """
import os, sys
import numpy as np
import keras_torch as keras

model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
model.compile("sgd", "mse")


class Boom(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if int(os.environ["RANK"]) == 1:
            raise RuntimeError("boom on rank 1")


model.fit(np.ones((8, 3)), np.ones((8, 1)), batch_size=4, epochs=50, verbose=0, callbacks=[Boom()])
print("unreachable")
"""


def test_failing_rank_ends_the_job_with_its_error(tmp_path):
    """(e): rank 1 raises mid-fit while rank 0 is in a collective: both exit (no hang), error shown.

    Plain environment launch (no torchrun to kill the survivors): rank 0 must fail by itself.
    """
    script = tmp_path / "fail.py"
    script.write_text(FAIL_SCRIPT)
    start = time.monotonic()
    rcs, outs = _launch([str(script)], timeout=80, KERAS_TORCH_DIST_TIMEOUT="20")
    assert rcs[0] != 0 and rcs[1] != 0, outs
    assert "boom on rank 1" in outs[1]
    assert "unreachable" not in outs[0] + outs[1]
    assert "Traceback" in outs[0]  # the survivor reports the broken collective instead of waiting
    assert time.monotonic() - start < 75
