"""Augmentation throughput: RandomFlip + RandomRotation + RandomZoom on 32x224x224x3 float32 images,
keras_torch against Keras 3 on TensorFlow (run by hand; results in benchmarks/README.md).

    python benchmarks/augmentation.py --peer-python /opt/kref/bin/python [--rounds 9] [--batches 3]

Each round times ``--batches`` batches through keras_torch's three layers (``training=True``,
after a warm-up batch) and, right after, the same number through Keras 3's layers in a peer process
(TensorFlow backend), both eagerly and inside a ``tf.function``. The machine is shared: every ratio
is the median over rounds of per-round pairs measured seconds apart. ``KERAS_TORCH_DEVICE=cuda``
runs the keras_torch side on a GPU.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

SHAPE = (32, 224, 224, 3)

PEER = r'''
import json, os, sys, time
os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"
os.environ["CUDA_VISIBLE_DEVICES"] = ""
os.environ["KERAS_BACKEND"] = "tensorflow"
import numpy as np
import keras
import tensorflow as tf
L = keras.layers
layers = [L.RandomFlip(seed=1), L.RandomRotation(0.2, seed=2), L.RandomZoom(0.2, seed=3)]
x = tf.constant(np.random.default_rng(0).uniform(0, 255, SHAPE).astype("float32"))

def eager(t):
    for layer in layers:
        t = layer(t, training=True)
    return t

graph = tf.function(eager)
for fn in (eager, graph):
    fn(x).numpy()
print("ready", flush=True)
for line in sys.stdin:
    n = int(line)
    out = {}
    for name, fn in (("eager", eager), ("tf_function", graph)):
        times = []
        for _ in range(n):
            t0 = time.perf_counter()
            fn(x).numpy()
            times.append(time.perf_counter() - t0)
        out[name] = times
    print(json.dumps(out), flush=True)
'''.replace("SHAPE", repr(SHAPE))


def _ours(device: str):
    import torch

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    from keras_torch import layers as L

    layers = [L.RandomFlip(seed=1), L.RandomRotation(0.2, seed=2), L.RandomZoom(0.2, seed=3)]
    x = torch.from_numpy(np.random.default_rng(0).uniform(0, 255, SHAPE).astype("float32")).to(device)

    def run() -> float:
        t0 = time.perf_counter()
        t = x
        for layer in layers:
            t = layer(t, training=True)
        if device == "cuda":
            torch.cuda.synchronize()
        else:
            t.sum().item()
        return time.perf_counter() - t0

    run()
    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-python", default="/opt/kref/bin/python")
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--batches", type=int, default=3)
    args = parser.parse_args()
    import torch

    device = os.environ.get("KERAS_TORCH_DEVICE", "cpu")
    run = _ours(device)
    peer = subprocess.Popen([args.peer_python, "-c", PEER], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    assert peer.stdout.readline().strip() == "ready", "peer interpreter failed to start"
    rows = []
    for r in range(args.rounds):
        ours = statistics.median(run() for _ in range(args.batches))
        peer.stdin.write(f"{args.batches}\n")
        peer.stdin.flush()
        theirs = {k: statistics.median(v) for k, v in json.loads(peer.stdout.readline()).items()}
        rows.append({"ours": ours, **theirs})
        print(f"round {r}: keras_torch {ours * 1e3:.1f} ms, Keras/TF eager {theirs['eager'] * 1e3:.1f} ms, "
              f"tf.function {theirs['tf_function'] * 1e3:.1f} ms", flush=True)
    peer.stdin.close()
    peer.wait()
    med = {k: statistics.median(row[k] for row in rows) for k in rows[0]}
    ratio = {k: statistics.median(row[k] / row["ours"] for row in rows) for k in ("eager", "tf_function")}
    print(json.dumps({"device": device, "torch_threads": torch.get_num_threads(), "shape": SHAPE,
                      "median_s": med, "speedup_vs": ratio}, indent=1))
    print(f"\n| batch {'x'.join(map(str, SHAPE))} | keras_torch ({device}) | Keras 3 / TF eager | Keras 3 / TF tf.function |")
    print("| --- | --- | --- | --- |")
    print(f"| median ms/batch | {med['ours'] * 1e3:.0f} | {med['eager'] * 1e3:.0f} | {med['tf_function'] * 1e3:.0f} |")
    print(f"| paired speed-up of keras_torch | 1 | {ratio['eager']:.2f}x | {ratio['tf_function']:.2f}x |")


if __name__ == "__main__":
    main()
