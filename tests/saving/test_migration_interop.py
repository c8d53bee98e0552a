"""Migration round trips with real Keras: tf-keras .h5 -> keras_torch -> .keras -> Keras 3 (and -> .h5 -> tf-keras),
and keras_torch's training state -> tf-keras.

For every model family (MLP, CNN, Conv1D+BN, LSTM(relu), SeparableConv, BiLSTM text, GRU v1, nested
multi-IO, Transformer, the layer families, raw TF ops, an application): real tf-keras builds it with
seeded weights and saves ``.h5``; keras_torch loads it (same predictions), saves ``.keras`` and
``.h5``; Keras 3 loads the ``.keras`` and tf-keras the ``.h5``, and both must predict what tf-keras
predicted at the start. Compiled, trained keras_torch models saved as ``.h5`` must come back in
tf-keras with their optimizer state (iterations and every slot variable) and no warning.

Runs the reference interpreter in subprocesses; skipped without one (see ``test_interop.py``).
"""

from __future__ import annotations

import json
import os
import subprocess
import warnings

import numpy as np
import pytest
from _saving_helpers import ROOT
from test_interop import REF

import keras_torch as keras
from keras_torch.saving.optimizer_state import optimizer_keras_values, slot_owner_paths

pytestmark = pytest.mark.interop

MODELS = ["mlp", "cnn", "conv1d_bn", "lstm_relu", "sepconv", "text", "gru_v1", "multi", "transformer", "families",
          "tf_ops", "mobilenet_v3"]
# (model, optimizer) trained in keras_torch, restored by tf-keras.
TRAINED = [("mlp", "adam"), ("cnn", "sgd_momentum"), ("text", "rmsprop_momentum"), ("conv1d_bn", "adamw"),
           ("sepconv", "adagrad"), ("mlp", "nadam"), ("cnn", "ftrl"), ("mlp", "adamax"), ("gru_v1", "adadelta"),
           ("cnn", "adam_amsgrad"), ("gru_v1", "rmsprop_centered")]

# tf-keras's slot names -> Keras 3's (legacy optimizers: "dense/kernel/m:0"; new ones: "m/dense/kernel:0").
TFK_SLOTS = {"m": "momentum", "v": "velocity", "rms": "velocity", "momentum": "momentum",
             "accumulator": "accumulator", "linear": "linear", "vhat": "velocity_hat", "mg": "average_gradient",
             "accum_grad": "accumulated_grad", "accum_var": "accumulated_delta_var"}
# tf-keras's optimizer-wide variables -> Keras 3's (legacy Nadam's momentum cache is the unnamed u_product).
TFK_GLOBALS = {"momentum_cache": "variable"}


def _tfk_slot(name: str, kind: str) -> tuple[str, str]:
    """tf-keras slot variable name -> (``"dense/kernel"``, Keras 3 slot name), the key our side uses."""
    slots = {**TFK_SLOTS, "v": "norm"} if kind == "adamax" else TFK_SLOTS
    parts = name.split(":")[0].split("/")
    if parts[0] in slots and len(parts) > 2:
        return "/".join(parts[1:]), slots[parts[0]]
    return "/".join(parts[:-1]), slots[parts[-1]]


def _per_slot(slots) -> dict[str, np.ndarray]:
    """[(slot, value)] in model-variable order -> slot -> all its values raveled end to end.

    Compared so, the names of the weights (a DepthwiseConv2D's ``depthwise_kernel`` is Keras 3's
    ``kernel``) and their split (a GRU's bias is one (2, 3u) weight in tf-keras, two rows here) do not
    matter; the values and the order of the model's variables do.
    """
    out: dict[str, list] = {}
    for slot, value in slots:
        out.setdefault(slot, []).append(np.ravel(value))
    return {k: np.concatenate(v) for k, v in out.items()}


BUILD_SCRIPT = r'''
import json, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
warnings.filterwarnings("ignore")
import numpy as np
import tensorflow as tf
import tf_keras
sys.path.insert(0, sys.argv[2])
from compat.gen import files, migration
out = sys.argv[1]
for name, build in migration.builders(tf).items():
    model, xs, ys = files._seeded(tf_keras, build)
    model.save(os.path.join(out, f"{name}.h5"))
    np.savez(os.path.join(out, f"{name}.npz"), **{f"x{i}": x for i, x in enumerate(xs)},
             **{f"y{i}": y for i, y in enumerate(ys)})
print("BUILT")
'''

CHECK_SCRIPT = r'''
import json, logging, os, sys, warnings
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
import numpy as np
import keras
import tf_keras
jobs = json.load(open(sys.argv[1]))
messages = []

class Collect(logging.Handler):
    def emit(self, record):
        messages.append(record.getMessage())

logging.getLogger("tensorflow").addHandler(Collect())
results = {}

def pred(m, xs):
    out = m.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, list) else [out])]

def run(key, load, xs, ys, back=None):
    del messages[:]
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            m = load()
        got = pred(m, xs)
        err = max(float(np.max(np.abs(g - y) / (np.abs(y) + 1e-3))) for g, y in zip(got, ys))
        res = {"ok": True, "err": err, "warnings": [str(w.message)[:300] for w in caught] + messages[:]}
        if getattr(m, "optimizer", None) is not None:
            res["iterations"] = int(np.asarray(m.optimizer.iterations))
            variables = m.optimizer.variables  # a method on tf-keras's legacy optimizers
            variables = variables() if callable(variables) else variables
            res["optimizer"] = {v.name: np.asarray(v).tolist() for v in variables}
            if back:  # tf-keras writes the restored state back, for the way home
                m.save(back)
        results[key] = res
    except Exception as e:
        results[key] = {"ok": False, "error": f"{type(e).__name__}: {e}"[:2000]}

for job in jobs:
    d = np.load(job["npz"])
    xs = [d[f"x{i}"] for i in range(sum(k.startswith("x") for k in d.files))]
    ys = [d[f"y{i}"] for i in range(sum(k.startswith("y") for k in d.files))]
    if "keras" in job:
        run(job["name"] + ":k3:keras", lambda: keras.saving.load_model(job["keras"]), xs, ys)
    run(job["name"] + ":tfk:h5", lambda: tf_keras.models.load_model(job["h5"]), xs, ys, job.get("back"))
print("RESULTS" + json.dumps(results))
'''


def _ref(script: str, *args: str) -> str:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": ""}
    proc = subprocess.run([REF, "-c", script, *args], capture_output=True, text=True, timeout=1800, env=env)
    if proc.returncode != 0:
        pytest.fail(f"reference interpreter failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-5000:]}")
    return proc.stdout


def _io(path) -> tuple[list[np.ndarray], list[np.ndarray]]:
    d = np.load(path)
    return ([d[f"x{i}"] for i in range(sum(k.startswith("x") for k in d.files))],
            [d[f"y{i}"] for i in range(sum(k.startswith("y") for k in d.files))])


def _predict(model, xs):
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def _optimizer(kind: str):
    return {"adam": lambda: keras.optimizers.Adam(0.01), "sgd_momentum": lambda: keras.optimizers.SGD(0.01, 0.9),
            "rmsprop_momentum": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5),
            "adamw": lambda: keras.optimizers.AdamW(0.01), "adagrad": lambda: keras.optimizers.Adagrad(0.05),
            "nadam": lambda: keras.optimizers.Nadam(0.01), "ftrl": lambda: keras.optimizers.Ftrl(0.05),
            "adamax": lambda: keras.optimizers.Adamax(0.01), "adadelta": lambda: keras.optimizers.Adadelta(1.0),
            "adam_amsgrad": lambda: keras.optimizers.Adam(0.01, amsgrad=True),
            "rmsprop_centered": lambda: keras.optimizers.RMSprop(0.01, momentum=0.5, centered=True)}[kind]()


@pytest.fixture(scope="module")
def migration(tmp_path_factory):
    if REF is None:
        pytest.skip("no reference TensorFlow/Keras interpreter available")
    out = tmp_path_factory.mktemp("migration")
    assert "BUILT" in _ref(BUILD_SCRIPT, str(out), str(ROOT))
    jobs, ours = [], {}
    for name in MODELS:
        xs, ys = _io(out / f"{name}.npz")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.models.load_model(out / f"{name}.h5")
        ours[name] = max(float(np.max(np.abs(g - y) / (np.abs(y) + 1e-3))) for g, y in zip(_predict(model, xs), ys))
        model.save(out / f"{name}_kt.keras")
        model.save(out / f"{name}_kt.h5")
        jobs.append({"name": name, "npz": str(out / f"{name}.npz"), "keras": str(out / f"{name}_kt.keras"),
                     "h5": str(out / f"{name}_kt.h5")})
    trained, ours_state = {}, {}
    for name, kind in TRAINED:
        xs, _ = _io(out / f"{name}.npz")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = keras.models.load_model(out / f"{name}.h5", compile=False)
        loss = "sparse_categorical_crossentropy" if name == "mlp" else "mse"
        model.compile(optimizer=_optimizer(kind), loss=loss)
        y0 = _predict(model, xs)[0]
        target = np.zeros(len(xs[0]), dtype="int64") if name == "mlp" else np.ones_like(y0)
        model.fit(xs if len(xs) > 1 else xs[0], target, batch_size=2, epochs=1, verbose=0)
        model.save(out / f"{name}_{kind}.h5")
        ys = _predict(model, xs)
        np.savez(out / f"{name}_{kind}.npz", **{f"x{i}": x for i, x in enumerate(xs)},
                 **{f"y{i}": y for i, y in enumerate(ys)})
        iterations = int(np.asarray(model.optimizer.iterations))
        values = optimizer_keras_values(model, model.optimizer)  # Keras layouts, as tf-keras holds them
        slots = _per_slot((name[len(path) + 1:], v) for name, path, v in
                          zip(model.optimizer.variable_names, slot_owner_paths(model.optimizer), values) if path)
        globals_ = {n: np.asarray(v) for n, path, v in zip(model.optimizer.variable_names,
                                                           slot_owner_paths(model.optimizer), values)
                    if not path and n not in ("iteration", "learning_rate")}
        trained[f"{name}_{kind}"] = (kind, iterations, slots, globals_)
        jobs.append({"name": f"{name}_{kind}", "npz": str(out / f"{name}_{kind}.npz"),
                     "h5": str(out / f"{name}_{kind}.h5"), "back": str(out / f"{name}_{kind}_back.h5")})
        ours_state[f"{name}_{kind}"] = (model.optimizer.variable_names, model.optimizer.get_weights())
    (out / "jobs.json").write_text(json.dumps(jobs))
    stdout = _ref(CHECK_SCRIPT, str(out / "jobs.json"))
    line = [ln for ln in stdout.splitlines() if ln.startswith("RESULTS")][-1]
    return {"ours": ours, "ref": json.loads(line[len("RESULTS"):]), "trained": trained, "state": ours_state,
            "dir": out}


@pytest.mark.parametrize("name", MODELS)
def test_tf_keras_h5_loads_in_keras_torch(name, migration):
    assert migration["ours"][name] < 1e-4


@pytest.mark.parametrize("name", MODELS)
def test_migrated_keras_file_loads_in_keras3(name, migration):
    res = migration["ref"][f"{name}:k3:keras"]
    assert res["ok"], res.get("error")
    assert res["err"] < 1e-4, res


@pytest.mark.parametrize("name", MODELS)
def test_migrated_h5_file_loads_in_tf_keras(name, migration):
    res = migration["ref"][f"{name}:tfk:h5"]
    assert res["ok"], res.get("error")
    assert res["err"] < 1e-4, res


@pytest.mark.parametrize("case", [f"{n}_{k}" for n, k in TRAINED])
def test_tf_keras_restores_our_optimizer_state(case, migration):
    res = migration["ref"][f"{case}:tfk:h5"]
    assert res["ok"], res.get("error")
    assert res["err"] < 1e-4, res
    assert not [w for w in res["warnings"] if "optimizer" in w.lower()], res["warnings"]
    kind, iterations, slots, globals_ = migration["trained"][case]
    assert res["iterations"] == iterations
    optimizer = {name: v for name, v in res["optimizer"].items() if "iter" not in name}
    their_globals = {TFK_GLOBALS[name.split(":")[0]]: v for name, v in optimizer.items()
                     if name.split(":")[0] in TFK_GLOBALS}
    theirs = _per_slot((_tfk_slot(name, kind)[1], v) for name, v in optimizer.items()
                       if name.split(":")[0] not in TFK_GLOBALS)
    assert sorted(theirs) == sorted(slots)
    for slot, values in slots.items():
        np.testing.assert_allclose(theirs[slot], values, rtol=1e-6, atol=1e-7, err_msg=slot)
    assert sorted(their_globals) == sorted(globals_)
    for name, value in globals_.items():
        np.testing.assert_allclose(their_globals[name], value, rtol=1e-6, err_msg=name)


@pytest.mark.parametrize("case", [f"{n}_{k}" for n, k in TRAINED])
def test_our_optimizer_state_comes_home_through_tf_keras(case, migration):
    """keras_torch .h5 -> tf-keras -> .h5 -> keras_torch: every optimizer variable as it was."""
    assert migration["ref"][f"{case}:tfk:h5"]["ok"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Error in loading the saved optimizer state" would be a warning
        loaded = keras.models.load_model(migration["dir"] / f"{case}_back.h5")
    names, values = migration["state"][case]
    assert loaded.optimizer.variable_names == names
    for name, got, want in zip(names, loaded.optimizer.get_weights(), values):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7, err_msg=name)
