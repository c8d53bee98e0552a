"""CUDA checks that the test suite cannot make: host syncs inside fit/evaluate/predict steps,
``jit_compile=True`` and mixed precision on a GPU, with step times. Run by ``gpu_session.sh``.

    python benchmarks/gpu_check.py [mlp] [cnn]   # prints one line per check, JSON at the end
"""

from __future__ import annotations

import json
import sys
import time
import traceback
import warnings

import numpy as np
import torch

sys.path.insert(0, __file__.rsplit("/", 2)[0])
import keras_torch as keras  # noqa: E402
from keras_torch import layers  # noqa: E402

RESULTS: dict = {}
DROP = 0.2
KINDS = sys.argv[1:] or ["mlp", "cnn"]
CUDA = torch.cuda.is_available()


def _sync() -> None:
    if CUDA:
        torch.cuda.synchronize()


def mlp(**compile_kw):
    m = keras.Sequential([layers.Dense(64, activation="relu", input_dim=100), layers.Dense(10, activation="softmax")])
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"], **compile_kw)
    return m


def cnn(**compile_kw):
    m = keras.Sequential([
        layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)), layers.MaxPooling2D((2, 2)),
        layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)), layers.Flatten(),
        layers.BatchNormalization(), layers.Dropout(DROP), layers.Dense(10, activation="softmax")])
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"], **compile_kw)
    return m


def data(kind: str, n: int = 2048):
    rng = np.random.default_rng(0)
    if kind == "mlp":
        return rng.standard_normal((n, 100)).astype("float32"), np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    return rng.standard_normal((n, 28, 28, 1)).astype("float32"), rng.integers(0, 10, n)


def host_syncs() -> None:
    """Every synchronizing CUDA call during fit/evaluate/predict epochs, with where it came from."""
    for kind, build in (("mlp", mlp), ("cnn", cnn)):
        x, y = data(kind, 512)
        m = build()
        m.fit(x, y, epochs=1, batch_size=32, verbose=0)
        seen: dict[str, int] = {}

        def record(message, category, filename, lineno, file=None, line=None, seen=seen):
            frames = [f for f in traceback.extract_stack()[:-1] if "keras_torch" in f.filename]
            where = " <- ".join(f"{f.filename.split('keras_torch/')[-1]}:{f.lineno}" for f in frames[-3:][::-1])
            key = f"{str(message)[:60]} @ {where}"
            seen[key] = seen.get(key, 0) + 1

        old = warnings.showwarning
        warnings.showwarning = record
        if CUDA:
            torch.cuda.set_sync_debug_mode("warn")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("always")
                warnings.showwarning = record
                m.fit(x, y, epochs=1, batch_size=32, verbose=0)
                m.evaluate(x, y, batch_size=32, verbose=0)
                m.predict(x, batch_size=32, verbose=0)
        finally:
            if CUDA:
                torch.cuda.set_sync_debug_mode("default")
            warnings.showwarning = old
        steps = 3 * 512 // 32
        RESULTS[f"syncs_{kind}"] = seen
        print(f"host syncs, {kind} (fit+evaluate+predict, {steps} steps):", sum(seen.values()))
        for k, v in sorted(seen.items(), key=lambda kv: -kv[1]):
            print(f"   {v:4d} x {k}")


def epoch_rate(m, x, y, epochs: int = 3) -> float:
    m.fit(x, y, epochs=1, batch_size=32, verbose=0)  # warm-up (and compile)
    rates = []
    for _ in range(epochs):
        _sync()
        t = time.perf_counter()
        m.fit(x, y, epochs=1, batch_size=32, verbose=0)
        _sync()
        rates.append(len(x) / (time.perf_counter() - t))
    return float(np.median(rates))


def compiled_and_mixed() -> None:
    """Samples/s of eager, ``jit_compile=True`` and ``mixed_float16`` fits (each checked to learn)."""
    for kind, build in (("mlp", mlp), ("cnn", cnn)):
        if kind not in KINDS:
            continue
        x, y = data(kind, 8192 if kind == "mlp" else 2048)
        row = {}
        for label, kw in (("eager", {}), ("jit_compile", {"jit_compile": True})):
            try:
                t = time.perf_counter()
                m = build(**kw)
                row[label] = epoch_rate(m, x, y)
                row[label + "_first_s"] = time.perf_counter() - t
            except Exception as e:  # report, keep going
                row[label] = f"{type(e).__name__}: {str(e)[:200]}"
        keras.mixed_precision.set_global_policy("mixed_float16")
        try:
            m = build()
            row["mixed_float16"] = epoch_rate(m, x, y)
            row["mixed_loss_finite"] = bool(np.isfinite(m.evaluate(x, y, verbose=0)[0]))
        except Exception as e:
            row["mixed_float16"] = f"{type(e).__name__}: {str(e)[:200]}"
        finally:
            keras.mixed_precision.set_global_policy("float32")
        RESULTS[f"rates_{kind}"] = row
        print(f"fit samples/s on CUDA, {kind}:", row)


def launches_per_step() -> None:
    """GPU kernels (and copies) per training step, keras_torch vs the benchmark's torch loop."""
    import run as bench  # benchmarks/run.py
    from torch.profiler import ProfilerActivity, profile

    dev = torch.device("cuda")
    for name in ("mlp", "cnn", "lstm_tanh", "transformer"):
        d = bench.workload(name)
        x, y = d["x"][:320], d["y"][:320]
        m = bench.build_keras(name)
        ref = bench.TorchRef(name).to(dev)
        opt = torch.optim.Adam(ref.parameters(), lr=1e-3, eps=1e-7)
        xt, yt = torch.from_numpy(x).to(dev), torch.from_numpy(y).to(dev)
        row = {}
        for label, fn in (("keras_torch", lambda m=m, x=x, y=y: m.fit(x, y, epochs=1, batch_size=32, verbose=0)),
                          ("torch", lambda r=ref, o=opt, a=xt, b=yt: bench.torch_epoch(r, o, a, b))):
            fn()
            _sync()
            with profile(activities=[ProfilerActivity.CPU, ProfilerActivity.CUDA]) as prof:
                fn()
                _sync()
            kernels: dict[str, int] = {}
            for e in prof.events():
                if e.device_type == torch.autograd.DeviceType.CUDA:
                    kernels[e.name[:50]] = kernels.get(e.name[:50], 0) + 1
            row[label] = sum(kernels.values()) / 10
            row[label + "_kernels"] = kernels
        extra = {k: (v - row["torch_kernels"].get(k, 0)) / 10 for k, v in row["keras_torch_kernels"].items()
                 if v != row["torch_kernels"].get(k, 0)}
        RESULTS[f"launches_{name}"] = {"keras_torch": row["keras_torch"], "torch": row["torch"], "diff": extra}
        print(f"GPU launches per step, {name}: keras_torch {row['keras_torch']:.1f}  torch {row['torch']:.1f}")
        for k, v in sorted(extra.items(), key=lambda kv: -abs(kv[1]))[:8]:
            print(f"   {v:+5.1f} {k}")


if __name__ == "__main__":
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    print(torch.__version__, torch.cuda.get_device_name() if CUDA else "no CUDA", "default device", keras.config.default_device())
    sys.path.insert(0, __file__.rsplit("/", 1)[0])
    for check in (launches_per_step, host_syncs, compiled_and_mixed):
        try:
            check()
        except Exception:
            traceback.print_exc()
    print("JSON", json.dumps(RESULTS, default=str))
