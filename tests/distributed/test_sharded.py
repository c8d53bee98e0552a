"""Sharded training (``ModelParallel`` / ``FSDP``) on 2 and 4 CPU processes (gloo on 127.0.0.1).

Each configuration is one ``keras-torch run --nproc N _sharded_worker.py MODE`` launch (module
fixture, run on first use) that trains the Transformer block of ``_sharded_model.py`` for 3
epochs, saves it, loads the files into a sharded model and resumes an interrupted fit. The
single-process references run in the pytest process. Slow: about 30 s (2 processes) to 70 s
(4 processes) per configuration on 2 cores.
"""

import json
import os
import pathlib
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from _launch import free_port, rank_env
from _sharded_model import SEQ, VOCAB, build

import keras_torch as keras

HERE = pathlib.Path(__file__).resolve().parent
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not torch.distributed.is_available(), reason="torch.distributed unavailable")]

# (processes, mode): FSDP over all processes; ModelParallel with weights split on a "model" axis of
# 2 (1 x 2: model only; 2 x 2: two model replicas, each split in two).
CONFIGS = {"fsdp2": (2, "fsdp"), "mp2": (2, "1x2"), "fsdp4": (4, "fsdp"), "mp4": (4, "2x2")}
TOL = 1e-5


def _env(**extra):
    return rank_env(**extra)


def _data():
    keras.utils.set_random_seed(3)
    init = build().get_weights()
    rng = np.random.default_rng(0)
    x = rng.integers(0, VOCAB, (21, SEQ)).astype("int32")
    y = rng.standard_normal((21, 2)).astype("float32")
    vx = rng.integers(0, VOCAB, (7, SEQ)).astype("int32")
    vy = rng.standard_normal((7, 2)).astype("float32")
    return init, x, y, vx, vy


@pytest.fixture(scope="module")
def reference():
    """Single-process training of the same model on the same data."""
    init, x, y, vx, vy = _data()
    model = build(init)
    hist = model.fit(x, y, batch_size=5, epochs=3, shuffle=False, validation_data=(vx, vy), verbose=0)
    return {"data": (init, x, y, vx, vy), "history": hist.history, "weights": model.get_weights(),
            "evaluate": model.evaluate(vx, vy, batch_size=4, verbose=0, return_dict=True),
            "predict": model.predict(x, batch_size=4, verbose=0), "predict_tiny": model.predict(x[:1], verbose=0),
            "bytes": sum(p.numel() * p.element_size() for p in model.parameters()),
            "opt_bytes": sum(v.numel() * v.element_size() for v in model.optimizer.variables)}


_RUNS: dict = {}


@pytest.fixture(scope="module")
def runs(reference, tmp_path_factory):
    """``runs(name)``: the finished launch of configuration ``name`` (started on first use)."""

    def get(name):
        if name not in _RUNS:
            nproc, mode = CONFIGS[name]
            out = tmp_path_factory.mktemp(name)
            init, x, y, vx, vy = reference["data"]
            np.savez(out / "init.npz", **{f"w{i}": w for i, w in enumerate(init)}, n=len(init), x=x, y=y, vx=vx,
                     vy=vy)
            cmd = [sys.executable, "-m", "keras_torch", "run", "--nproc", str(nproc),
                   str(HERE / "_sharded_worker.py"), mode, str(out)]
            start = time.monotonic()
            try:
                p = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=150 * nproc // 2,
                                   cwd=out)
            except subprocess.TimeoutExpired as e:
                pytest.fail(f"{name}: sharded run hung: {(e.stdout or '')[-3000:]} {(e.stderr or '')[-3000:]}")
            assert p.returncode == 0, (p.stdout + p.stderr)[-8000:]
            res = [json.loads((out / f"rank{r}.json").read_text()) for r in range(nproc)]
            arr = [dict(np.load(out / f"rank{r}.npz")) for r in range(nproc)]
            _RUNS[name] = {"dir": out, "res": res, "arr": arr, "nproc": nproc, "seconds": time.monotonic() - start}
        return _RUNS[name]

    return get


def _close(a, b, what):
    np.testing.assert_allclose(a, b, atol=TOL, rtol=TOL, err_msg=what)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_same_weights_losses_and_predictions_as_single_process(runs, reference, name):
    run = runs(name)
    for r in range(run["nproc"]):
        res, arr = run["res"][r], run["arr"][r]
        assert sorted(res["history"]) == sorted(reference["history"])
        for k, v in reference["history"].items():
            _close(res["history"][k], v, f"{name} rank {r} history {k}")
        for i, w in enumerate(reference["weights"]):
            _close(arr[f"w{i}"], w, f"{name} rank {r} weight {i}")
        for k, v in reference["evaluate"].items():
            _close(res["evaluate"][k], v, f"{name} rank {r} evaluate {k}")
        _close(arr["predict"], reference["predict"], f"{name} rank {r} predict")
        _close(arr["predict_tiny"], reference["predict_tiny"], f"{name} rank {r} predict (1 row)")
    assert all(res["history"] == run["res"][0]["history"] for res in run["res"])  # identical logs everywhere


@pytest.mark.parametrize("name", list(CONFIGS))
def test_resume_from_backup_and_restore_is_exact(runs, name):
    run = runs(name)
    for r in range(run["nproc"]):
        res, arr = run["res"][r], run["arr"][r]
        assert res["interrupted"] and res["resumed_epochs"] == 1  # epochs 1-2 restored, epoch 3 trained
        for i in range(len([k for k in arr if k.startswith("w")])):
            np.testing.assert_allclose(arr[f"r{i}"], arr[f"w{i}"], atol=1e-6, rtol=1e-6)


@pytest.mark.parametrize("name", list(CONFIGS))
def test_files_of_a_sharded_run_load_in_one_process(runs, reference, name):
    """Rank 0 wrote ordinary files; they load anywhere, and into a sharded model (each rank its chunks)."""
    run = runs(name)
    d = run["dir"]
    assert run["res"][0]["files_after_save"] == ["model.h5", "model.keras", "model.weights.h5"]
    x = reference["data"][1]
    for f in ("model.keras", "model.h5", "ckpt.keras"):
        model = keras.saving.load_model(d / f)
        _close(model.predict(x, batch_size=4, verbose=0), reference["predict"], f"{name}: {f}")
    model = build(reference["data"][0])
    model.load_weights(d / "model.weights.h5")
    _close(model.predict(x, verbose=0), reference["predict"], f"{name}: model.weights.h5")
    for r in range(run["nproc"]):
        assert run["res"][r]["loaded_sharded"]
        _close(run["arr"][r]["loaded_predict"], reference["predict"], f"{name} rank {r}: loaded into a sharded model")


@pytest.mark.parametrize("name", ["fsdp2", "fsdp4"])
def test_fsdp_holds_one_nth_of_the_parameters_and_optimizer_state(runs, reference, name, capsys):
    run = runs(name)
    n = run["nproc"]
    single = reference["bytes"] + reference["opt_bytes"]
    per_rank = [res["memory"]["parameters"] + res["memory"]["optimizer"] for res in run["res"]]
    with capsys.disabled():
        print(f"\n{name}: parameter + optimizer bytes per process {per_rank} vs single process {single} "
              f"(ratios {[round(b / single, 3) for b in per_rank]}, ideal {1 / n:.3f})")
    # the optimizer's iteration counter and learning rate stay whole (8 bytes); every weight is split
    assert max(per_rank) <= single / n * 1.1 + 64
    assert sum(res["memory"]["parameters"] for res in run["res"]) == reference["bytes"]


@pytest.mark.parametrize("name", ["mp2", "mp4"])
def test_layouts_map_keras_dimensions_to_torch_dimensions(runs, name):
    """Keras layouts name Keras dimensions; keras_torch stores Dense kernels transposed (out, in)."""
    placements = runs(name)["res"][0]["placements"]
    prefix = ["R"] if name == "mp4" else []  # HSDP on (batch, model): replicated over the batch axis
    expect = {
        "ffn_in/kernel": "S(0)",  # Keras (in, out) split on out ("column-wise") = torch dim 0
        "ffn_in/bias": "S(0)",
        "ffn_out/kernel": "S(1)",  # Keras (in, out) split on in ("row-wise") = torch dim 1
        "token_emb/embeddings": "S(1)",
        "query/kernel": "S(1)",  # EinsumDense (dim, heads, key_dim): the heads
        "attention_output/kernel": "S(0)",
    }
    for path, shard in expect.items():
        assert [p.replace("Replicate()", "R") for p in placements[path]] == prefix + [shard], path
    assert "ln1/gamma" not in placements and "head/kernel" not in placements  # replicated


def test_only_rank0_prints_and_writes(runs):
    d = runs("mp2")["dir"]
    out0, out1 = (d / "stdout_rank0.txt").read_text(), (d / "stdout_rank1.txt").read_text()
    assert "Epoch 3/3" in out0 and "val_loss" in out0 and out1 == ""
    assert (d / "log_rank0.csv").exists() and not (d / "log_rank1.csv").exists()
    assert not list(d.glob(".*.tmp"))  # atomic writes left nothing behind


REF = os.environ.get("KERAS_REF_PYTHON", "/opt/kref/bin/python")

KERAS_SCRIPT = r"""
import os, sys, json
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
import numpy as np
import keras
import tf_keras
d, x = sys.argv[1], np.load(sys.argv[2])["x"]
out = {}
m = keras.saving.load_model(os.path.join(d, "model.keras"))
out["model.keras"] = m.predict(x, batch_size=4, verbose=0).tolist()
m = keras.saving.load_model(os.path.join(d, "model.keras"), compile=False)
for w in m.weights:
    w.assign(np.zeros(w.shape, w.dtype))
m.load_weights(os.path.join(d, "model.weights.h5"))
out["model.weights.h5"] = m.predict(x, batch_size=4, verbose=0).tolist()
# (keras_torch writes .h5 in the Keras 2 dialect: tf-keras reads it)
m = tf_keras.models.load_model(os.path.join(d, "model.h5"))
out["model.h5"] = m.predict(x, batch_size=4, verbose=0).tolist()
print("RESULT" + json.dumps(out))
"""


@pytest.mark.interop
@pytest.mark.skipif(not os.path.exists(REF), reason="no reference Keras interpreter")
def test_real_keras_loads_files_of_a_sharded_run(runs, reference, tmp_path):
    run = runs("fsdp2")
    np.savez(tmp_path / "x.npz", x=reference["data"][1])
    p = subprocess.run([REF, "-c", KERAS_SCRIPT, str(run["dir"]), str(tmp_path / "x.npz")], capture_output=True,
                       text=True, timeout=300)
    line = [ln for ln in p.stdout.splitlines() if ln.startswith("RESULT")]
    assert line, p.stdout[-3000:] + p.stderr[-3000:]
    got = json.loads(line[0][len("RESULT"):])
    assert sorted(got) == ["model.h5", "model.keras", "model.weights.h5"]
    for f, pred in got.items():
        np.testing.assert_allclose(np.asarray(pred, dtype="float32"), reference["predict"], atol=1e-4, rtol=1e-4,
                                   err_msg=f)


FAIL_SCRIPT = """
import os
import numpy as np
import keras_torch as keras

keras.distribution.set_distribution(keras.distribution.FSDP())
model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(8), keras.layers.Dense(1)])
model.compile("adam", "mse")


class Boom(keras.callbacks.Callback):
    def on_train_batch_end(self, batch, logs=None):
        if batch == 2 and int(os.environ["RANK"]) == 1:
            raise RuntimeError("boom on rank 1")


model.fit(np.ones((64, 3)), np.ones((64, 1)), batch_size=4, epochs=50, verbose=0, callbacks=[Boom()])
print("unreachable")
"""


def test_a_failing_rank_ends_a_sharded_job(tmp_path):
    """Rank 1 raises mid-epoch while rank 0 all-gathers weights: both exit, no hang (plain env launch)."""
    port = free_port()
    script = tmp_path / "fail.py"
    script.write_text(FAIL_SCRIPT)
    procs = [subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                              text=True, env=_env(RANK=r, LOCAL_RANK=r, WORLD_SIZE=2, MASTER_ADDR="127.0.0.1",
                                                  MASTER_PORT=port, KERAS_TORCH_DIST_TIMEOUT=20))
             for r in range(2)]
    start = time.monotonic()
    try:
        outs = [p.communicate(timeout=80)[0] for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
        pytest.fail("a sharded job with a failing rank hung")
    assert procs[0].returncode != 0 and procs[1].returncode != 0, outs
    assert "boom on rank 1" in outs[1] and "unreachable" not in outs[0] + outs[1]
    assert time.monotonic() - start < 75


CLIP_SCRIPT = """
import json
import os
import sys

import numpy as np
import keras_torch as keras

MODE, OUT = sys.argv[1], sys.argv[2]


def build(opt, constraint=None):
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, kernel_constraint=constraint, name="d1"),
                              keras.layers.Dense(3, kernel_constraint=constraint, name="d2")])
    model.set_weights([np.linspace(-1, 1, w.size, dtype="float32").reshape(w.shape) for w in model.get_weights()])
    model.compile(opt, "mse")
    return model


if MODE == "fsdp":
    keras.distribution.set_distribution(keras.distribution.FSDP())
elif MODE == "mp":
    mesh = keras.distribution.DeviceMesh((1, 2), ("batch", "model"))
    lm = keras.distribution.LayoutMap(mesh)
    lm["d1/kernel"] = (None, "model")
    lm["d2/kernel"] = ("model", None)
    keras.distribution.set_distribution(keras.distribution.ModelParallel(layout_map=lm, batch_dim_name="batch"))
rng = np.random.default_rng(1)
x = rng.standard_normal((12, 5)).astype("float32")
y = (10 * rng.standard_normal((12, 3))).astype("float32")
out = {}
# (MaxNorm's norm runs over the input axis: across the shards of d2's row-split kernel)
for kind, opt, constraint in (("clipnorm", keras.optimizers.SGD(0.1, clipnorm=0.05), None),
                              ("global_clipnorm", keras.optimizers.SGD(0.1, global_clipnorm=0.05), None),
                              ("constraint", keras.optimizers.SGD(0.1), keras.constraints.MaxNorm(0.5))):
    model = build(opt, constraint)
    hist = model.fit(x, y, batch_size=4, epochs=2, shuffle=False, verbose=0)
    out[kind] = {"loss": hist.history["loss"], "weights": [w.tolist() for w in model.get_weights()]}
if int(os.environ.get("RANK", "0")) == 0:
    with open(os.path.join(OUT, MODE + ".json"), "w") as f:
        json.dump(out, f)
"""


@pytest.mark.parametrize("mode", ["fsdp", "mp"])
def test_gradient_clipping_and_constraints_use_whole_tensors(mode, tmp_path):
    """clipnorm / global_clipnorm on sharded gradients and a MaxNorm constraint on sharded kernels use the
    norms of the whole tensors (a shard's own norm would clip by a smaller value on each process), so
    2 processes equal one."""
    script = tmp_path / "clip.py"
    script.write_text(CLIP_SCRIPT)
    single = subprocess.run([sys.executable, str(script), "single", str(tmp_path)], env=_env(), capture_output=True,
                            text=True, timeout=120)
    assert single.returncode == 0, single.stderr[-4000:]
    p = subprocess.run([sys.executable, "-m", "keras_torch", "run", "--nproc", "2", str(script), mode, str(tmp_path)],
                       env=_env(), capture_output=True, text=True, timeout=150, cwd=tmp_path)
    assert p.returncode == 0, (p.stdout + p.stderr)[-8000:]
    ref = json.loads((tmp_path / "single.json").read_text())
    got = json.loads((tmp_path / f"{mode}.json").read_text())
    for kind in ("clipnorm", "global_clipnorm", "constraint"):
        _close(got[kind]["loss"], ref[kind]["loss"], f"{kind} loss")
        for i, (a, b) in enumerate(zip(got[kind]["weights"], ref[kind]["weights"])):
            _close(np.asarray(a), np.asarray(b), f"{kind} weight {i}")
