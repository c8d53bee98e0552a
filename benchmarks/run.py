"""Side-by-side speed of keras_torch vs a hand-written PyTorch loop (and Keras peers when present).

    python benchmarks/run.py                      # all workloads, CPU, JSON to benchmarks/results.json
    python benchmarks/run.py --only mlp cnn --repeats 3
    python benchmarks/run.py --peer-python /opt/kref/bin/python   # add tf-keras / Keras 3 (TF) figures
    KERAS_TORCH_DEVICE=cuda python benchmarks/run.py               # on a GPU machine
    python benchmarks/run.py --busy --peer-python /opt/kref/bin/python  # with a CPU-bound neighbour per core

Measures fit throughput (samples/s over the second epoch, batch 32) for the tutorial's MLP, CNN
and LSTM(relu), an LSTM(tanh) and a small Transformer encoder; predict latency at batch 1 and
256; and ``load_model`` time of a keras.applications-sized ``.h5``. Each round times three
back-to-back epoch triples (keras_torch, torch loop, torch loop with fused Adam) per workload,
then one run of each peer library; throughputs are medians over all epochs, ratios to torch
the median of the back-to-back pairs, so machine drift cancels. Prints the performance targets
and writes JSON plus the Markdown tables (``results.md``) used in ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import pathlib
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import numpy as np
import torch
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

import keras_torch as keras  # noqa: E402
from keras_torch import layers  # noqa: E402
from keras_torch.core import threads as keras_threads  # noqa: E402

BATCH = 32


# --------------------------------------------------------------------------- workloads
def workload(name: str) -> dict:
    rng = np.random.default_rng(0)
    if name == "mlp":
        n, shape = 8192, (100,)
    elif name == "cnn":
        n, shape = 1024, (28, 28, 1)
    elif name in ("lstm_relu", "lstm_tanh"):
        n, shape = 512, (100, 1)
    elif name == "transformer":
        n, shape = 1024, (32, 64)
    else:
        raise ValueError(name)
    x = rng.standard_normal((n,) + shape).astype("float32")
    y = np.eye(10, dtype="float32")[rng.integers(0, 10, n)]
    return {"x": x, "y": y}


def build_keras(name: str):
    if name == "mlp":
        m = keras.Sequential([layers.Dense(64, activation="relu", input_dim=100), layers.Dense(10, activation="softmax")])
    elif name == "cnn":
        m = keras.Sequential([
            layers.Conv2D(32, (3, 3), activation="relu", input_shape=(28, 28, 1)), layers.MaxPooling2D((2, 2)),
            layers.Conv2D(64, (3, 3), activation="relu"), layers.MaxPooling2D((2, 2)), layers.Flatten(),
            layers.Dense(128, activation="relu"), layers.Dense(10, activation="softmax")])
    elif name in ("lstm_relu", "lstm_tanh"):
        act = "relu" if name == "lstm_relu" else "tanh"
        m = keras.Sequential([layers.LSTM(64, activation=act, input_shape=(100, 1)),
                              layers.Dense(10, activation="softmax")])
    else:
        inp = keras.Input((32, 64))
        h = layers.MultiHeadAttention(num_heads=4, key_dim=16)(inp, inp)
        h = layers.LayerNormalization()(layers.Add()([inp, h]))
        f = layers.Dense(128, activation="relu")(h)
        f = layers.Dense(64)(f)
        h = layers.LayerNormalization()(layers.Add()([h, f]))
        out = layers.Dense(10, activation="softmax")(layers.GlobalAveragePooling1D()(h))
        m = keras.Model(inp, out)
    m.compile(optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
    return m


class TorchRef(torch.nn.Module):
    """The same networks written by hand in PyTorch (NCHW CNN, torch LSTM, torch MHA)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        if name == "mlp":
            self.net = torch.nn.Sequential(torch.nn.Linear(100, 64), torch.nn.ReLU(), torch.nn.Linear(64, 10))
        elif name == "cnn":
            self.net = torch.nn.Sequential(
                torch.nn.Conv2d(1, 32, 3), torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Conv2d(32, 64, 3),
                torch.nn.ReLU(), torch.nn.MaxPool2d(2), torch.nn.Flatten(), torch.nn.Linear(1600, 128),
                torch.nn.ReLU(), torch.nn.Linear(128, 10))
        elif name == "lstm_tanh":
            self.lstm = torch.nn.LSTM(1, 64, batch_first=True)
            self.out = torch.nn.Linear(64, 10)
        elif name == "lstm_relu":
            self.cell_ih = torch.nn.Linear(1, 256)
            self.cell_hh = torch.nn.Linear(64, 256, bias=False)
            self.out = torch.nn.Linear(64, 10)
        else:
            self.mha = torch.nn.MultiheadAttention(64, 4, batch_first=True)
            self.ln1, self.ln2 = torch.nn.LayerNorm(64, eps=1e-3), torch.nn.LayerNorm(64, eps=1e-3)
            self.f1, self.f2, self.out = torch.nn.Linear(64, 128), torch.nn.Linear(128, 64), torch.nn.Linear(64, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.name == "mlp":
            return self.net(x)
        if self.name == "cnn":
            return self.net(x.permute(0, 3, 1, 2))
        if self.name == "lstm_tanh":
            return self.out(self.lstm(x)[0][:, -1])
        if self.name == "lstm_relu":
            b, t, _ = x.shape
            h = x.new_zeros(b, 64)
            c = x.new_zeros(b, 64)
            xs = self.cell_ih(x)
            for k in range(t):
                z = xs[:, k] + self.cell_hh(h)
                i, f, g, o = z.chunk(4, 1)
                c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.relu(g)
                h = torch.sigmoid(o) * torch.relu(c)
            return self.out(h)
        h = self.ln1(x + self.mha(x, x, x, need_weights=False)[0])
        h = self.ln2(h + self.f2(torch.relu(self.f1(h))))
        return self.out(h.mean(1))


def torch_epoch(model: TorchRef, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor) -> None:
    """A hand-written epoch doing the same math as ``fit(metrics=["accuracy"])``: shuffle, batch,
    forward, CE loss, backward, Adam step, and the running loss mean and accuracy Keras reports
    (accumulated on device, read once at the end)."""
    model.train()
    perm = torch.randperm(len(x), device=x.device)
    x, y = x[perm], y[perm]
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device)
    for i in range(0, len(x), BATCH):
        xb, yb = x[i:i + BATCH], y[i:i + BATCH]
        logits = model(xb)
        labels = yb.argmax(-1)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total_loss += loss.detach() * len(xb)
        correct += (logits.detach().argmax(-1) == labels).sum()
    float(total_loss / len(x)), float(correct / len(x))


def time_fit_once(name: str, device: torch.device, pairs: int = 3) -> list[tuple[float, float, float]]:
    """One round: after a warm-up epoch each, ``pairs`` times an epoch of keras_torch, of the torch
    loop and of the torch loop with fused Adam, back to back (samples/s per epoch)."""
    data = workload(name)
    xt, yt = torch.from_numpy(data["x"]).to(device), torch.from_numpy(data["y"]).to(device)
    m = build_keras(name)
    refs = []
    for fused in (False, True):
        r = TorchRef(name).to(device)
        refs.append((r, torch.optim.Adam(r.parameters(), lr=1e-3, eps=1e-7, fused=fused or None)))

    def ours() -> None:
        m.fit(data["x"], data["y"], epochs=1, batch_size=BATCH, verbose=0)

    def torch_run(r: TorchRef, o: torch.optim.Optimizer) -> None:
        with same_threads(m):
            torch_epoch(r, o, xt, yt)

    runs = [ours] + [lambda r=r, o=o: torch_run(r, o) for r, o in refs]
    for fn in runs:  # warm-up epoch
        fn()
    out = []
    for _ in range(pairs):
        row = []
        for fn in runs:
            _sync(device)
            t = time.perf_counter()
            fn()
            _sync(device)
            row.append(len(data["x"]) / (time.perf_counter() - t))
        out.append(tuple(row))
    return out


# --torch-threads same: the torch loops run at the thread count keras_torch's fit chose last
TORCH_THREADS = {"same": False}


@contextlib.contextmanager
def same_threads(model: object) -> Iterator[None]:
    """With ``--torch-threads same``, run the body at the count ``model``'s last ``fit`` chose."""
    tuner = getattr(model, "_thread_tuner", None)
    if not TORCH_THREADS["same"] or tuner is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(tuner.choice)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def summarize_fit(samples: list[tuple[float, float, float]]) -> dict:
    """Medians of the throughputs, and ratios as the median of back-to-back pairs (drift cancels)."""
    o, r, rf = (statistics.median(v) for v in zip(*samples))
    ratio = statistics.median(a / b for a, b, _ in samples)
    ratio_f = statistics.median(a / c for a, _, c in samples)
    return {"keras_torch": o, "torch": r, "ratio": ratio, "torch_fused_adam": rf, "ratio_fused_adam": ratio_f,
            "epochs": len(samples)}


def time_predict(name: str, batch: int, repeats: int, device: torch.device) -> dict:
    """Latency of ``predict_on_batch`` vs the torch module on the same numpy batch (numpy in,
    numpy out), in many short alternating blocks; each figure is the median block."""
    data = workload(name)
    m = build_keras(name)
    m.predict(data["x"][:batch], batch_size=batch, verbose=0)
    ref = TorchRef(name).to(device).eval()
    xb = data["x"][:batch]
    m.predict_on_batch(xb)
    n = 200 if batch == 1 else 10
    ours, theirs = [], []
    for _ in range(10 * max(repeats, 5)):
        t = time.perf_counter()
        for _ in range(n):
            m.predict_on_batch(xb)
        ours.append((time.perf_counter() - t) / n * 1e3)
        t = time.perf_counter()
        with torch.inference_mode():
            for _ in range(n):  # the Keras model ends in softmax
                ref(torch.from_numpy(xb).to(device)).softmax(-1).cpu().numpy()
        theirs.append((time.perf_counter() - t) / n * 1e3)
    o, r = statistics.median(ours), statistics.median(theirs)
    return {"keras_torch_ms": o, "torch_ms": r, "ratio": o / r}


def time_load(repeats: int, peer_python: str | None) -> dict:
    """load_model of a keras.applications-sized .h5 (MobileNetV2 written by tf-keras when a peer
    interpreter is given, else the committed Keras 3 MobileNet fixture)."""
    result: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        path = HERE.parent / "compat" / "fixtures" / "files" / "k3_mobilenet.keras"
        if peer_python:
            h5 = pathlib.Path(tmp) / "mobilenet_v2.h5"
            code = (
                "import sys, time, statistics, os; os.environ['TF_CPP_MIN_LOG_LEVEL']='3'\n"
                "import tf_keras\n"
                "m = tf_keras.applications.MobileNetV2(input_shape=(96, 96, 3), alpha=0.35, weights=None, classes=10)\n"
                "m.save(sys.argv[1]); ts = []\n"
                f"for _ in range({repeats}):\n"
                "    t = time.perf_counter(); tf_keras.models.load_model(sys.argv[1], compile=False)\n"
                "    ts.append(time.perf_counter() - t)\n"
                "print(statistics.median(ts))\n"
            )
            res = subprocess.run([peer_python, "-c", code, str(h5)], capture_output=True, text=True, timeout=1800)
            if res.returncode == 0:
                result["tf_keras_s"] = float(res.stdout.strip().splitlines()[-1])
                path = h5
            else:
                result["peer_error"] = res.stderr[-500:]
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            keras.models.load_model(str(path), compile=False)
            times.append(time.perf_counter() - t)
        result.update({"file": path.name, "keras_torch_s": statistics.median(times)})
        if "tf_keras_s" in result:
            result["speedup_vs_tf_keras"] = result["tf_keras_s"] / result["keras_torch_s"]
    return result


class BusyNeighbours:
    """``--busy``: one CPU-bound process per usable CPU, started before the measurements and stopped
    after them (a data loader, a second job or other users sharing the machine)."""

    def __init__(self, count: int) -> None:
        self.procs = [subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(count)]

    def __enter__(self) -> BusyNeighbours:
        return self

    def __exit__(self, *exc: object) -> None:
        for proc in self.procs:
            proc.kill()
            proc.wait(timeout=30)


def usable_cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


PEER_LIBS = (("tf_keras", "tensorflow"), ("keras3_tensorflow", "tensorflow"), ("keras3_torch", "torch"))


class Peers:
    """One persistent ``peers.py --serve`` child per library (tf-keras, Keras 3 on TF, Keras 3 on
    torch), asked for one epoch of a workload right after keras_torch ran it."""

    def __init__(self, python: str) -> None:
        self.procs: dict[str, subprocess.Popen] = {}
        self.errors: dict[str, str] = {}
        for lib, backend in PEER_LIBS:
            env = dict(os.environ, KERAS_BACKEND=backend, TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
            proc = subprocess.Popen([python, str(HERE / "peers.py"), "--serve", lib], env=env, text=True,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
            if self._read(proc) is None:
                self.errors[lib] = "the peer interpreter could not import it"
                proc.kill()
            else:
                self.procs[lib] = proc

    @staticmethod
    def _read(proc: subprocess.Popen) -> dict | None:
        for line in proc.stdout:
            if line.startswith("{"):
                return json.loads(line)
        return None

    def measure(self, name: str) -> dict[str, float]:
        out = {}
        for lib, proc in self.procs.items():
            proc.stdin.write(name + "\n")
            proc.stdin.flush()
            reply = self._read(proc) or {"error": "peer exited"}
            if "value" in reply:
                out[lib] = reply["value"]
            else:
                self.errors[lib] = reply.get("error", "?")
        return out

    def close(self) -> None:
        for proc in self.procs.values():
            proc.stdin.close()
            proc.wait(timeout=60)


def targets(results: dict) -> list[dict]:
    """The performance issue's CPU targets, checked on this run's figures."""
    fit, pred = results["fit_samples_per_s"], results["predict_latency"]
    rows = []

    def add(what: str, value: float | None, goal: float, higher: bool = True) -> None:
        ok = None if value is None else (value >= goal if higher else value <= goal)
        rows.append({"target": what, "value": value, "goal": goal, "met": ok})

    for name in ("mlp", "cnn", "lstm_tanh"):
        if name in fit:
            add(f"fit {name} vs hand-written torch (>= 0.95x)", fit[name]["ratio"], 0.95)
    ratios = results.get("peer_ratios", {})
    if results["machine"].get("busy"):  # the busy-machine targets: at least tf-keras's speed
        for name in ("mlp", "cnn", "lstm_relu"):
            if name in ratios.get("tf_keras", {}):
                add(f"busy: fit {name} vs tf-keras (>= 1.0x)", ratios["tf_keras"][name], 1.0)
        return rows
    if "mlp" in ratios.get("keras3_torch", {}):
        add("fit mlp vs Keras 3 torch backend (>= 4x)", ratios["keras3_torch"]["mlp"], 4.0)
    tf_cnn = [ratios[lib]["cnn"] for lib in ("tf_keras", "keras3_tensorflow") if "cnn" in ratios.get(lib, {})]
    if tf_cnn:  # against the best (fastest) TensorFlow library: the smallest ratio
        add("fit cnn vs best TensorFlow figure (>= 1.0x)", min(tf_cnn), 1.0)
    if "lstm_relu" in ratios.get("tf_keras", {}):
        add("fit lstm_relu vs tf-keras (>= 1.5x)", ratios["tf_keras"]["lstm_relu"], 1.5)
    if "mlp_batch1" in pred:
        add("predict batch-1 latency vs torch (<= 1.2x)", pred["mlp_batch1"]["ratio"], 1.2, higher=False)
    return rows


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--only", nargs="*", default=["mlp", "cnn", "lstm_relu", "lstm_tanh", "transformer"])
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--peer-python", default=None, help="interpreter with tf-keras / keras installed")
    p.add_argument("--out", default=str(HERE / "results.json"))
    p.add_argument("--busy", action="store_true", help="run next to one CPU-bound neighbour process per core")
    p.add_argument("--torch-threads", choices=("default", "same"), default="default",
                   help="the torch loops' threads: torch's default, or the count keras_torch's fit chose")
    args = p.parse_args()
    TORCH_THREADS["same"] = args.torch_threads == "same"
    busy = usable_cpu_count() if args.busy else 0
    with BusyNeighbours(busy):
        run(args, busy)


def run(args: argparse.Namespace, busy: int) -> None:
    device = keras.config.default_device()
    results = {"machine": {"platform": platform.platform(), "cpu_count": os.cpu_count(), "torch": torch.__version__,
                           "device": str(device), "threads": keras.config.get_num_threads(),
                           "thread_policy": keras_threads.POLICY.source, "busy": busy,
                           "torch_threads": args.torch_threads,
                           "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                           "loadavg_start": os.getloadavg()[0]},
               "fit_samples_per_s": {}, "predict_latency": {}}
    # Rounds alternate keras_torch, the torch loops and (when given) the peer interpreter, so
    # machine drift hits every column alike; each figure is the median over the rounds.
    samples: dict[str, list] = {name: [] for name in args.only}
    peer_samples: dict[str, dict[str, list]] = {}  # lib -> workload -> [(peer, keras_torch)]
    peers = Peers(args.peer_python) if args.peer_python else None
    for rnd in range(args.repeats):
        for name in args.only:
            epochs = time_fit_once(name, device)
            samples[name].extend(epochs)
            if peers is not None:  # right after keras_torch's epochs: pair them
                ours = statistics.median(e[0] for e in epochs)
                for lib, value in peers.measure(name).items():
                    peer_samples.setdefault(lib, {}).setdefault(name, []).append((value, ours))
        print(f"round {rnd + 1}/{args.repeats} done", flush=True)
    if peers is not None:
        peers.close()
    for name in args.only:
        results["fit_samples_per_s"][name] = r = summarize_fit(samples[name])
        print(f"fit {name:12s} keras_torch {r['keras_torch']:9.0f}/s  torch {r['torch']:9.0f}/s  ratio {r['ratio']:.3f}"
              f"  (torch with fused Adam {r['torch_fused_adam']:9.0f}/s, ratio {r['ratio_fused_adam']:.3f})")
    for batch in (1, 256):
        results["predict_latency"][f"mlp_batch{batch}"] = r = time_predict("mlp", batch, args.repeats, device)
        print(f"predict mlp batch {batch:3d}: keras_torch {r['keras_torch_ms']:.3f} ms  torch {r['torch_ms']:.3f} ms"
              f"  ratio {r['ratio']:.3f}")
    results["load_model"] = time_load(args.repeats, args.peer_python)
    print("load_model:", results["load_model"])
    if peers is not None:
        results["peers"] = {lib: {n: statistics.median(v for v, _ in pairs) for n, pairs in figs.items()}
                            for lib, figs in peer_samples.items()}
        results["peer_ratios"] = {lib: {n: statistics.median(o / v for v, o in pairs) for n, pairs in figs.items()}
                                  for lib, figs in peer_samples.items()}
        results["peer_errors"] = peers.errors
        print("peers:", json.dumps(results["peers"], indent=1))
        print("keras_torch / peer (paired):", json.dumps(results["peer_ratios"], indent=1))
    results["machine"]["loadavg_end"] = os.getloadavg()[0]
    results["targets"] = targets(results)
    for row in results["targets"]:
        mark = {True: "MET", False: "NOT MET", None: "n/a"}[row["met"]]
        print(f"target {row['target']:48s} {row['value']:.3f}  {mark}")
    pathlib.Path(args.out).write_text(json.dumps(results, indent=2))
    md = pathlib.Path(args.out).with_suffix(".md")
    md.write_text(markdown(results))
    print(f"wrote {args.out} and {md}")


def markdown(results: dict) -> str:
    """The README tables for ``results`` (written next to the JSON as ``.md``)."""
    fit, peers = results["fit_samples_per_s"], results.get("peers", {})
    libs = [lib for lib in ("tf_keras", "keras3_tensorflow", "keras3_torch") if lib in peers and "error" not in peers[lib]]
    head = ["fit (samples/s)", "keras_torch", "hand-written torch", "ratio", "torch, fused Adam", "ratio", *libs]
    mach = results["machine"]
    lines = [f"{mach.get('date', '?')}, {mach['device']}, thread policy {mach.get('thread_policy', '?')} "
             f"({mach['threads']} threads), torch loops' threads: {mach.get('torch_threads', 'default')}, "
             f"busy neighbours: {mach.get('busy', 0)}, load average "
             f"{mach.get('loadavg_start', 0):.1f} -> {mach.get('loadavg_end', 0):.1f}", "",
             "| " + " | ".join(head) + " |", "|" + " --- |" * len(head)]
    for name, r in fit.items():
        row = [name, f"{r['keras_torch']:,.0f}", f"{r['torch']:,.0f}", f"{r['ratio']:.2f}",
               f"{r['torch_fused_adam']:,.0f}", f"{r['ratio_fused_adam']:.2f}"]
        row += [f"{peers[lib][name]:,.0f}" if name in peers[lib] else "-" for lib in libs]
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| predict latency (MLP) | keras_torch | torch | ratio |", "| --- | --- | --- | --- |"]
    for key, r in results["predict_latency"].items():
        lines.append(f"| {key.replace('mlp_', '')} | {r['keras_torch_ms']:.3f} ms | {r['torch_ms']:.3f} ms | {r['ratio']:.2f} |")
    lm = results.get("load_model", {})
    if "keras_torch_s" in lm:
        peer = f", tf-keras {lm['tf_keras_s']:.2f} s" if "tf_keras_s" in lm else ""
        lines += ["", f"`load_model` of `{lm['file']}`: keras_torch {lm['keras_torch_s']:.2f} s{peer}"]
    lines += ["", "| target | this run | met |", "| --- | --- | --- |"]
    for row in results.get("targets", []):
        mark = {True: "yes", False: "**no**", None: "n/a"}[row["met"]]
        lines.append(f"| {row['target']} | {row['value']:.2f} | {mark} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
