"""Peer figures for benchmarks/run.py, run inside an interpreter that has Keras installed.

    /opt/kref/bin/python benchmarks/peers.py --out peers.json --only mlp cnn

Measures tf-keras (Keras 2), Keras 3 on TensorFlow and, when torch is installed there, Keras 3
with the torch backend (each in its own subprocess, since the backend is fixed at import).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

BATCH = 32


def _data(name):
    import numpy as np

    rng = np.random.default_rng(0)
    n, shape = {"mlp": (8192, (100,)), "cnn": (1024, (28, 28, 1)), "lstm_relu": (512, (100, 1)),
                "lstm_tanh": (512, (100, 1)), "transformer": (1024, (32, 64))}[name]
    x = rng.standard_normal((n,) + shape).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    return x, y


def _build(keras, name):
    L = keras.layers
    if name == "mlp":
        m = keras.Sequential([keras.Input((100,)), L.Dense(64, activation="relu"), L.Dense(10, activation="softmax")])
    elif name == "cnn":
        m = keras.Sequential([keras.Input((28, 28, 1)), L.Conv2D(32, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)),
                              L.Conv2D(64, (3, 3), activation="relu"), L.MaxPooling2D((2, 2)), L.Flatten(),
                              L.Dense(128, activation="relu"), L.Dense(10, activation="softmax")])
    elif name in ("lstm_relu", "lstm_tanh"):
        act = "relu" if name == "lstm_relu" else "tanh"
        m = keras.Sequential([keras.Input((100, 1)), L.LSTM(64, activation=act), L.Dense(10, activation="softmax")])
    else:
        inp = keras.Input((32, 64))
        h = L.MultiHeadAttention(num_heads=4, key_dim=16)(inp, inp)
        h = L.LayerNormalization()(L.Add()([inp, h]))
        f = L.Dense(64)(L.Dense(128, activation="relu")(h))
        h = L.LayerNormalization()(L.Add()([h, f]))
        m = keras.Model(inp, L.Dense(10, activation="softmax")(L.GlobalAveragePooling1D()(h)))
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return m


def measure(lib: str, names: list[str], repeats: int) -> dict:
    if lib == "tf_keras":
        import tf_keras as keras
    else:
        import keras
    out = {}
    for name in names:
        x, y = _data(name)
        runs = []
        for _ in range(repeats):
            m = _build(keras, name)
            m.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
            t = time.perf_counter()
            m.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
            runs.append(len(x) / (time.perf_counter() - t))
        out[name] = statistics.median(runs)
    return out


def serve(lib: str) -> None:
    """Persistent child for ``run.py``: read workload names from stdin, answer one JSON line each
    (samples/s of one timed epoch after a warm-up epoch), so peers run next to keras_torch."""
    if lib == "tf_keras":
        import tf_keras as keras
    else:
        import keras
    print(json.dumps({"ready": lib}), flush=True)
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        try:
            x, y = _data(name)
            m = _build(keras, name)
            m.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
            t = time.perf_counter()
            m.fit(x, y, epochs=1, batch_size=BATCH, verbose=0)
            print(json.dumps({"name": name, "value": len(x) / (time.perf_counter() - t)}), flush=True)
        except Exception as e:  # noqa: BLE001 - report and keep serving
            print(json.dumps({"name": name, "error": repr(e)[-500:]}), flush=True)


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--out", default=None)
    p.add_argument("--only", nargs="*", default=["mlp", "cnn", "lstm_relu", "lstm_tanh", "transformer"])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--child", default=None)
    p.add_argument("--serve", default=None, help="persistent mode for run.py (one library)")
    args = p.parse_args()
    if args.serve:
        serve(args.serve)
        return
    if args.child:
        print(json.dumps(measure(args.child, args.only, args.repeats)))
        return
    results = {}
    for lib, backend in (("tf_keras", "tensorflow"), ("keras3_tensorflow", "tensorflow"), ("keras3_torch", "torch")):
        env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        cmd = [sys.executable, __file__, "--out", args.out, "--child", lib, "--repeats", str(args.repeats),
               "--only", *args.only]
        res = subprocess.run(cmd, env=env, capture_output=True, text=True)
        lines = [ln for ln in res.stdout.splitlines() if ln.startswith("{")]
        results[lib] = json.loads(lines[-1]) if res.returncode == 0 and lines else {"error": res.stderr[-500:]}
    with open(args.out, "w") as f:
        json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
