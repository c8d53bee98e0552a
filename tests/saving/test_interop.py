"""Files written by keras_torch load in real tf-keras 2 and Keras 3 and predict the same.

Runs the reference interpreter (``/opt/kref/bin/python``, or ``$KERAS_REF_PYTHON``) in a subprocess;
skipped when no interpreter with TensorFlow is available.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from _saving_helpers import ROOT, builders, predict, random_inputs

pytestmark = pytest.mark.interop

MODELS = ["mlp", "cnn", "text", "gru_v1", "multi", "hard_sigmoid", "families"]


def _ref_python() -> str | None:
    candidate = os.environ.get("KERAS_REF_PYTHON", "/opt/kref/bin/python")
    if candidate and os.path.exists(candidate):
        return candidate
    if importlib.util.find_spec("tensorflow") is not None and importlib.util.find_spec("keras") is not None:
        return sys.executable
    return None


REF = _ref_python()

SCRIPT = r'''
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
warnings.filterwarnings("ignore")
import numpy as np
import keras
import tf_keras
sys.path.insert(0, sys.argv[2])
from compat.gen import files as gen
jobs = json.load(open(sys.argv[1]))
results = {}

def pred(m, xs):
    out = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]

def check(key, fn, xs, ys):
    try:
        m = fn()
        got = pred(m, xs)
        err = max(float(np.max(np.abs(g - y) / (np.abs(y) + 1e-3))) for g, y in zip(got, ys))
        results[key] = {"ok": True, "err": err, "compiled": bool(getattr(m, "compiled", getattr(m, "_is_compiled", False)) and m.optimizer is not None),
                        "iterations": int(np.asarray(m.optimizer.iterations)) if getattr(m, "optimizer", None) is not None else None}
    except Exception as e:
        results[key] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]}

for job in jobs:
    d = np.load(job["npz"])
    xs = [d[f"x{i}"] for i in range(job["n_in"])]
    ys = [d[f"y{i}"] for i in range(job["n_out"])]
    name = job["name"]
    if "keras" in job:
        check(name + ":k3:keras", lambda: keras.saving.load_model(job["keras"]), xs, ys)
    if "h5" in job:
        check(name + ":k3:h5", lambda: keras.saving.load_model(job["h5"]), xs, ys)
        check(name + ":tfk:h5", lambda: tf_keras.models.load_model(job["h5"]), xs, ys)
    if "weights3" in job:
        def k3w():
            m = getattr(gen, "_" + job["builder"])(keras)
            m.load_weights(job["weights3"])
            return m
        check(name + ":k3:weights.h5", k3w, xs, ys)
    if "weights2" in job:
        def tfkw():
            m = getattr(gen, "_" + job["builder"])(tf_keras)
            m.load_weights(job["weights2"])
            return m
        check(name + ":tfk:weights2.h5", tfkw, xs, ys)
        def k3w2():
            m = getattr(gen, "_" + job["builder"])(keras)
            m.load_weights(job["weights2"])
            return m
        check(name + ":k3:weights2.h5", k3w2, xs, ys)
print("RESULTS" + json.dumps(results))
'''


@pytest.fixture(scope="module")
def interop_results(tmp_path_factory):
    if REF is None:
        pytest.skip("no reference TensorFlow/Keras interpreter available")
    import keras_torch as keras

    out = tmp_path_factory.mktemp("interop")
    jobs = []
    for name in MODELS:
        try:
            model = builders()[name](keras)
        except Exception as e:  # noqa: BLE001 - layer family not available yet
            print(f"skip {name}: {e}")
            continue
        rng = np.random.default_rng(3)
        names = [name for group in model.keras_weight_groups() for name in group.names]
        model.set_weights([rng.uniform(0.5, 1.5, w.shape).astype(w.dtype) if "variance" in n
                           else rng.uniform(-0.5, 0.5, w.shape).astype(w.dtype)
                           for w, n in zip(model.get_weights(), names)])
        xs = random_inputs(model)
        ys = predict(model, xs)
        np.savez(out / f"{name}.npz", **{f"x{i}": x for i, x in enumerate(xs)}, **{f"y{i}": y for i, y in enumerate(ys)})
        model.save(out / f"{name}.keras")
        model.save(out / f"{name}.h5")
        model.save_weights(out / f"{name}.weights.h5")
        model.save_weights(out / f"{name}_w2.h5")
        jobs.append({"name": name, "builder": name, "npz": str(out / f"{name}.npz"), "n_in": len(xs),
                     "n_out": len(ys), "keras": str(out / f"{name}.keras"), "h5": str(out / f"{name}.h5"),
                     "weights3": str(out / f"{name}.weights.h5"), "weights2": str(out / f"{name}_w2.h5")})
    # A compiled, trained model: Keras must get the compile settings and the optimizer state.
    model = builders()["mlp"](keras, dropout=0.0)
    model.compile(optimizer=keras.optimizers.Adam(0.01), loss="categorical_crossentropy", metrics=["accuracy"])
    rng = np.random.default_rng(0)
    model.fit(rng.normal(size=(12, 8)).astype("float32"), np.eye(4, dtype="float32")[rng.integers(0, 4, 12)],
              batch_size=4, epochs=1, verbose=0)
    xs = random_inputs(model)
    np.savez(out / "compiled.npz", x0=xs[0], y0=predict(model, xs)[0])
    model.save(out / "compiled.keras")
    model.save(out / "compiled.h5")
    jobs.append({"name": "compiled", "npz": str(out / "compiled.npz"), "n_in": 1, "n_out": 1,
                 "keras": str(out / "compiled.keras"), "h5": str(out / "compiled.h5")})
    (out / "jobs.json").write_text(json.dumps(jobs))
    (out / "check.py").write_text(SCRIPT)
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([REF, str(out / "check.py"), str(out / "jobs.json"), str(ROOT)], capture_output=True,
                          text=True, timeout=900, env=env)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULTS")]
    if not line:
        pytest.fail(f"reference interpreter failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return json.loads(line[-1][len("RESULTS"):])


CASES = [f"{m}:{w}" for m in MODELS for w in ("k3:keras", "k3:h5", "tfk:h5", "k3:weights.h5", "tfk:weights2.h5",
                                             "k3:weights2.h5")]
# Known gaps of the *reference* libraries, not of the files:
XFAIL = {
    # tf-keras's hard_sigmoid is the Keras 2 definition (0.2x+0.5); keras_torch/Keras 3 use relu6(x+3)/6.
    "hard_sigmoid:tfk:h5": "tf-keras's hard_sigmoid is the Keras 2 definition",
    "hard_sigmoid:tfk:weights2.h5": "tf-keras's hard_sigmoid is the Keras 2 definition",
    # Nested models called inside a functional model: tf-keras counts their construction node in node
    # indices (it hangs or fails without it), Keras 3's legacy loader does not; real tf-keras files
    # with nested models fail in Keras 3 the same way. The .keras file of the same model loads fine.
    "multi:k3:h5": "Keras 3 cannot read tf-keras node indices of nested models",
    # MultiHeadAttention is called with two tensors; the Keras 2 node format (which tf-keras needs)
    # stores the second as a keyword argument that Keras 3's legacy loader cannot resolve.
    "families:k3:h5": "Keras 3's legacy .h5 loader cannot resolve MultiHeadAttention's value tensor",
}


@pytest.mark.parametrize("case", CASES + ["compiled:k3:keras", "compiled:k3:h5", "compiled:tfk:h5"])
def test_reference_keras_loads_our_files(case, interop_results):
    if case.split(":")[0] not in {k.split(":")[0] for k in interop_results}:
        pytest.skip("model not built in keras_torch")
    if case in XFAIL:
        pytest.xfail(XFAIL[case])
    res = interop_results[case]
    assert res["ok"], res.get("error")
    assert res["err"] < 1e-4, res
    if case.startswith("compiled"):
        assert res["compiled"], res
        # .h5 holds the optimizer state in tf-keras's layout (no learning_rate variable, legacy slot
        # order), which tf-keras restores; Keras 3's legacy loader, positional over its own layout,
        # starts a fresh optimizer then, as it does for tf-keras's own .h5 files.
        if case != "compiled:k3:h5":
            assert res["iterations"] == 3, res
