"""keras.applications reference outputs (committed) and real-Keras model files (cached, not committed).

    /opt/kref/bin/python compat/generate_fixtures.py applications     # every case still missing
    /opt/kref/bin/python -m compat.gen.applications ResNet50 MobileNet  # some cases (resumable)

For every case of :mod:`compat.app_cases` and each library defining it (``k3`` = Keras 3, ``tfk`` =
tf-keras 2), a subprocess builds the architecture with 2 TensorFlow threads, sets the deterministic
weights, predicts the deterministic inputs and saves the model files (Keras 3: ``.keras`` and
``.weights.h5``; tf-keras: ``.h5``) under :func:`files_dir`; a second subprocess with 1 thread
repeats the prediction: the largest difference is real Keras's own float32 noise floor. The
committed fixture ``compat/fixtures/applications/<name>.npz`` holds, per library, the outputs, the
noise floor and the weight paths and shapes in Keras order. Each case is written once complete, so
an interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys
import time
from typing import Any

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "applications"
FILES_ENV = "KERAS_TORCH_APP_FILES"


def files_dir() -> pathlib.Path:
    """Where the (large) real-Keras model files go: ``$KERAS_TORCH_APP_FILES`` or a user cache directory."""
    default = pathlib.Path(os.path.expanduser("~")) / ".cache" / "keras_torch" / "app_files"
    return pathlib.Path(os.environ.get(FILES_ENV, str(default)))


def file_paths(name: str, lib: str) -> dict[str, pathlib.Path]:
    """The model files one library writes for case ``name``."""
    d = files_dir()
    if lib == "k3":
        return {"keras": d / f"k3_{name}.keras", "weights": d / f"k3_{name}.weights.h5"}
    return {"h5": d / f"tfk_{name}.h5"}


def ordered_weights(model: Any) -> list[Any]:
    """Every weight variable in Keras's per-layer order (that of legacy ``.h5`` files), nested models expanded."""
    out: list[Any] = []
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers and layer is not model:
            out.extend(ordered_weights(layer))
        else:
            out.extend(layer.weights)
    return out


def _weight_name(w: Any) -> str:
    return str(getattr(w, "path", None) or w.name)


def _run_case(name: str, lib: str, threads: int, write: bool) -> dict[str, Any]:
    """Build, set weights and predict in this (TensorFlow) process."""
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    from compat import app_cases

    case = app_cases.BY_NAME[name]
    if lib == "k3":
        import keras as K
    else:
        import tf_keras as K
    model = getattr(K.applications, case.name)(**case.build_kwargs())
    weights = ordered_weights(model)
    for i, w in enumerate(weights):
        dtype = str(getattr(w.dtype, "name", w.dtype))
        w.assign(app_cases.weight_values(i, _weight_name(w), tuple(w.shape), dtype, case.gain))
    for layer in model._flatten_layers() if hasattr(model, "_flatten_layers") else model.layers:
        if hasattr(layer, "finalize_state"):  # Normalization caches mean/variance from its variables
            layer.finalize_state()
    x = app_cases.inputs(case)
    y = np.asarray(model.predict(x, verbose=0))
    result = {"y": y, "names": [_weight_name(w) for w in weights], "shapes": [list(w.shape) for w in weights]}
    if write:
        paths = file_paths(name, lib)
        paths[next(iter(paths))].parent.mkdir(parents=True, exist_ok=True)
        if lib == "k3":
            model.save(paths["keras"])
            model.save_weights(paths["weights"])
        else:
            model.save(paths["h5"])
        cfg = model.get_config()
        result["classes"] = sorted({f"{e.get('module', '')}:{e['class_name']}" for e in _entries(cfg)})
    return result


def _entries(cfg: Any) -> list[dict]:
    out = []
    for e in cfg.get("layers", []):
        out.append(e)
        if isinstance(e.get("config"), dict) and "layers" in e["config"]:
            out.extend(_entries(e["config"]))
    return out


def _subprocess_case(name: str, lib: str, threads: int, write: bool, out: pathlib.Path) -> None:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(ROOT),
           "OMP_NUM_THREADS": str(threads)}
    cmd = [sys.executable, "-m", "compat.gen.applications", "--one", name, lib, str(threads), str(int(write)), str(out)]
    proc = subprocess.run(cmd, env=env, cwd=str(ROOT), capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{name}/{lib} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")


def generate_case(name: str, out_dir: pathlib.Path = FIXTURES, need_files: bool = True) -> None:
    """Write the fixture of case ``name`` (and its model files) unless both already exist."""
    from compat import app_cases

    case = app_cases.BY_NAME[name]
    target = out_dir / f"{name}.npz"
    have_files = all(p.exists() for lib in case.libs for p in file_paths(name, lib).values())
    if target.exists() and (have_files or not need_files):
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    tmp = out_dir / f".{name}.tmp"
    tmp.mkdir(exist_ok=True)
    start = time.time()
    arrays: dict[str, Any] = {}
    for lib in case.libs:
        _subprocess_case(name, lib, 2, True, tmp / f"{lib}_2.npz")
        if target.exists():  # the files were missing, not the fixture: keep the committed reference
            continue
        _subprocess_case(name, lib, 1, False, tmp / f"{lib}_1.npz")
        a, b = np.load(tmp / f"{lib}_2.npz"), np.load(tmp / f"{lib}_1.npz")
        arrays[f"{lib}_y"] = a["y"]
        arrays[f"{lib}_floor"] = np.asarray(float(np.max(np.abs(a["y"].astype("float64") - b["y"]))))
        arrays[f"{lib}_names"] = a["names"]
        arrays[f"{lib}_shapes"] = a["shapes"]
        arrays[f"{lib}_classes"] = a["classes"]
    if arrays:
        np.savez_compressed(target, **arrays)
    for p in tmp.iterdir():
        p.unlink()
    tmp.rmdir()
    print(f"{name}: {time.time() - start:.0f}s", flush=True)


def generate_preprocessing(out_dir: pathlib.Path = FIXTURES) -> None:
    """``preprocess_input`` of every mode and data format, and ``decode_predictions`` of fixed scores."""
    import keras

    from compat import app_cases

    rng = np.random.default_rng(app_cases.SEED)
    images = rng.uniform(0, 255, (2, 3, 4, 3)).astype("float32")
    arrays: dict[str, Any] = {"images": images}
    for mode in ("caffe", "tf", "torch"):
        arrays[f"{mode}_last"] = keras.applications.imagenet_utils.preprocess_input(
            images.copy(), data_format="channels_last", mode=mode)
        chw = np.ascontiguousarray(images.transpose(0, 3, 1, 2))
        arrays[f"{mode}_first"] = keras.applications.imagenet_utils.preprocess_input(
            chw.copy(), data_format="channels_first", mode=mode)  # numpy inputs are modified in place
        arrays[f"{mode}_single_first"] = keras.applications.imagenet_utils.preprocess_input(
            chw[0].copy(), data_format="channels_first", mode=mode)
    out_dir.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out_dir / "_preprocess_input.npz", **arrays)


def generate(out_dir: pathlib.Path) -> None:
    from compat import app_cases

    generate_preprocessing(out_dir)
    for case in app_cases.CASES:
        generate_case(case.name, out_dir)


def _one(name: str, lib: str, threads: str, write: str, out: str) -> None:
    r = _run_case(name, lib, int(threads), bool(int(write)))
    np.savez(out, y=r["y"], names=np.asarray(r["names"]), shapes=np.asarray(json.dumps(r["shapes"])),
             classes=np.asarray(r.get("classes", [])))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        _one(*sys.argv[2:7])
    else:
        for n in sys.argv[1:]:
            generate_case(n)
