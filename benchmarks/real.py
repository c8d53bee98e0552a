"""Real-sized workloads: keras_torch next to Keras 3 on TensorFlow and hand-written PyTorch.

    python benchmarks/real.py --peer-python /opt/kref/bin/python            # CPU, idle
    python benchmarks/real.py --peer-python /opt/kref/bin/python --busy     # a CPU-bound neighbour per core
    KERAS_TORCH_DEVICE=cuda python benchmarks/real.py --train-shape 224     # CUDA (batch 32, 224x224)

Measures (``benchmarks/README.md`` explains the method):

- training throughput of a ResNet-50 (``keras.applications.ResNet50``'s architecture, rebuilt
  from layers) and of a 6-layer Transformer encoder (sequences of 256), one ``fit`` epoch per
  round in each library, Adam, categorical crossentropy, accuracy;
- inference latency of ``keras.applications.ResNet50`` (224x224, weights=None) loaded from the
  ``.h5`` file Keras 3 writes (about 100 MB), ``predict_on_batch`` at batch 1 and 32;
- ``load_model`` time of that file.

Every round runs keras_torch, the torch loop and the peer back to back; ratios are medians of
the per-round ratios. Writes ``real_results.json`` and ``real_results.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = pathlib.Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import real_models  # noqa: E402
from run import TORCH_THREADS, BusyNeighbours, same_threads, usable_cpu_count  # noqa: E402

import keras_torch as keras  # noqa: E402
from keras_torch.core import threads as keras_threads  # noqa: E402


# --------------------------------------------------------------------------- hand-written torch
class Bottleneck(torch.nn.Module):
    """ResNet v1 bottleneck as in keras.applications (stride on the first 1x1 convolution)."""

    def __init__(self, cin: int, filters: int, stride: int, shortcut: bool) -> None:
        super().__init__()
        bn = lambda c: torch.nn.BatchNorm2d(c, eps=1.001e-5, momentum=0.01)  # noqa: E731
        self.short = torch.nn.Sequential(torch.nn.Conv2d(cin, 4 * filters, 1, stride), bn(4 * filters)) if shortcut else None
        self.body = torch.nn.Sequential(
            torch.nn.Conv2d(cin, filters, 1, stride), bn(filters), torch.nn.ReLU(inplace=True),
            torch.nn.Conv2d(filters, filters, 3, padding=1), bn(filters), torch.nn.ReLU(inplace=True),
            torch.nn.Conv2d(filters, 4 * filters, 1), bn(4 * filters))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu((x if self.short is None else self.short(x)) + self.body(x))


class TorchResNet50(torch.nn.Module):
    def __init__(self, classes: int) -> None:
        super().__init__()
        mods = [torch.nn.Conv2d(3, 64, 7, 2, padding=3), torch.nn.BatchNorm2d(64, eps=1.001e-5, momentum=0.01),
                torch.nn.ReLU(inplace=True), torch.nn.MaxPool2d(3, 2, padding=1)]
        cin = 64
        for filters, blocks, stride in ((64, 3, 1), (128, 4, 2), (256, 6, 2), (512, 3, 2)):
            for i in range(blocks):
                mods.append(Bottleneck(cin, filters, stride if i == 0 else 1, i == 0))
                cin = 4 * filters
        self.features = torch.nn.Sequential(*mods)
        self.head = torch.nn.Linear(cin, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:  # x: NHWC like the Keras models' input
        x = x.permute(0, 3, 1, 2).contiguous(memory_format=torch.channels_last)
        return self.head(self.features(x).mean((2, 3)))


class TorchEncoder(torch.nn.Module):
    def __init__(self, width: int, classes: int, layers: int = 6, heads: int = 4, ff: int = 128) -> None:
        super().__init__()
        layer = torch.nn.TransformerEncoderLayer(width, heads, ff, dropout=0.0, batch_first=True, layer_norm_eps=1e-3)
        self.encoder = torch.nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.head = torch.nn.Linear(width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.encoder(x).mean(1))


def torch_model(name: str, device: torch.device) -> torch.nn.Module:
    _, _, shape, classes = real_models.TRAIN[name]
    model = TorchResNet50(classes) if name == "resnet50" else TorchEncoder(shape[-1], classes)
    return model.to(device, memory_format=torch.channels_last) if name == "resnet50" else model.to(device)


def torch_epoch(model: torch.nn.Module, opt: torch.optim.Optimizer, x: torch.Tensor, y: torch.Tensor,
                batch: int) -> None:
    """Shuffle, batch, forward, cross-entropy, backward, Adam, on-device loss mean and accuracy."""
    model.train()
    perm = torch.randperm(len(x), device=x.device)
    x, y = x[perm], y[perm]
    total, correct = torch.zeros((), device=x.device), torch.zeros((), device=x.device)
    for i in range(0, len(x), batch):
        xb, yb = x[i:i + batch], y[i:i + batch]
        logits = model(xb)
        labels = yb.argmax(-1)
        loss = F.cross_entropy(logits, labels)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        total += loss.detach() * len(xb)
        correct += (logits.detach().argmax(-1) == labels).sum()
    float(total / len(x)), float(correct / len(x))


# --------------------------------------------------------------------------- the peer
class Peer:
    """``real_peer.py`` in the peer interpreter (Keras 3 on TensorFlow), one JSON line per request."""

    def __init__(self, python: str) -> None:
        env = dict(os.environ, KERAS_BACKEND="tensorflow", TF_CPP_MIN_LOG_LEVEL="3", CUDA_VISIBLE_DEVICES="")
        self.proc = subprocess.Popen([python, str(HERE / "real_peer.py")], env=env, text=True, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.version = self._read().get("ready")

    def _read(self) -> dict:
        for line in self.proc.stdout:
            if line.startswith("{"):
                return json.loads(line)
        return {"error": "the peer exited"}

    def ask(self, **req: object) -> dict:
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        reply = self._read()
        if "error" in reply:
            raise RuntimeError(f"peer request {req}: {reply['error']}")
        return reply

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def _sync(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def _timed(fn, device: torch.device) -> float:
    _sync(device)
    t = time.perf_counter()
    fn()
    _sync(device)
    return time.perf_counter() - t


# --------------------------------------------------------------------------- measurements
def train(name: str, rounds: int, device: torch.device, peer: Peer | None) -> dict:
    """Samples/s of one epoch per round in keras_torch, the torch loop and the peer (after warm-up epochs:
    keras_torch's until its ``fit`` has chosen its thread count, one for the others)."""
    n, batch, _, _ = real_models.TRAIN[name]
    x, y = real_models.data(name)
    xt, yt = torch.from_numpy(x).to(device), torch.from_numpy(y).to(device)
    ours = real_models.build_train(keras, name)
    ref = torch_model(name, device)
    opt = torch.optim.Adam(ref.parameters(), lr=1e-3, eps=1e-7)
    run_ours = lambda: ours.fit(x, y, batch_size=batch, epochs=1, verbose=0)  # noqa: E731

    def run_torch() -> None:
        with same_threads(ours):
            torch_epoch(ref, opt, xt, yt, batch)

    for _ in range(6):  # warm-up: until fit's thread choice is made (its probe steps are not what users wait for)
        run_ours()
        if ours._thread_tuner is None or ours._thread_tuner.settled:
            break
    run_torch()
    rows = []
    for _ in range(rounds):
        row = {"keras_torch": n / _timed(run_ours, device), "torch": n / _timed(run_torch, device)}
        if peer is not None:
            row["keras3_tensorflow"] = peer.ask(cmd="train", name=name)["value"]
        rows.append(row)
        print(f"  {name}: " + ", ".join(f"{k} {v:,.1f}/s" for k, v in row.items()), flush=True)
    return _summary(rows, higher_is_better=True)


def _summary(rows: list[dict], higher_is_better: bool) -> dict:
    out: dict = {"rounds": len(rows)}
    for key in rows[0]:
        out[key] = statistics.median(r[key] for r in rows)
    for key in rows[0]:
        if key != "keras_torch":  # > 1: keras_torch is faster
            pairs = [r["keras_torch"] / r[key] if higher_is_better else r[key] / r["keras_torch"] for r in rows]
            out[f"speedup_vs_{key}"] = statistics.median(pairs)
    return out


def inference_and_load(rounds: int, device: torch.device, peer: Peer | None, h5: pathlib.Path) -> dict:
    """load_model time of the Keras 3 ResNet50 .h5, then predict_on_batch latency at batch 1 and 32."""
    result: dict = {"file_mb": h5.stat().st_size / 1e6}
    rows = []
    for _ in range(rounds):
        t = time.perf_counter()
        model = keras.models.load_model(str(h5), compile=False)
        row = {"keras_torch": time.perf_counter() - t}
        if peer is not None:
            row["keras3_tensorflow"] = peer.ask(cmd="load", path=str(h5))["value"]
        rows.append(row)
        print("  load_model: " + ", ".join(f"{k} {v:.2f} s" for k, v in row.items()), flush=True)
    result["load_model_s"] = _summary(rows, higher_is_better=False)
    ref = TorchResNet50(1000).to(device, memory_format=torch.channels_last).eval()
    for batch, calls in ((1, 3), (32, 1)):
        xb = np.random.default_rng(0).standard_normal((batch,) + real_models.INFER_SHAPE).astype("float32")
        for _ in range(2):  # warm-up: the first call at a shape runs layer by layer, the second folds the weights
            model.predict_on_batch(xb)

        def run_torch(xb: np.ndarray = xb) -> None:
            with torch.inference_mode():
                ref(torch.from_numpy(xb).to(device)).softmax(-1).cpu().numpy()

        run_torch()
        rows = []
        for _ in range(rounds):
            row = {"keras_torch": _timed(lambda xb=xb, k=calls: [model.predict_on_batch(xb) for _ in range(k)], device),
                   "torch": _timed(lambda f=run_torch, k=calls: [f() for _ in range(k)], device)}
            row = {k: v / calls * 1e3 for k, v in row.items()}
            if peer is not None:
                row["keras3_tensorflow"] = peer.ask(cmd="infer", batch=batch, calls=calls)["value"]
            rows.append(row)
            print(f"  predict batch {batch}: " + ", ".join(f"{k} {v:.1f} ms" for k, v in row.items()), flush=True)
        result[f"predict_ms_batch{batch}"] = _summary(rows, higher_is_better=False)
    return result


def write_h5(peer: Peer | None, path: pathlib.Path) -> None:
    """keras.applications.ResNet50 as Keras 3 writes it (peer), else built here from layers."""
    if peer is not None:
        peer.ask(cmd="save_resnet50", path=str(path))
    else:
        real_models.resnet50(keras, real_models.INFER_SHAPE, 1000).save(str(path))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--only", nargs="*", default=["resnet50", "transformer", "inference"])
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--peer-python", default=None, help="interpreter with Keras 3 and TensorFlow")
    p.add_argument("--busy", action="store_true", help="run next to one CPU-bound neighbour process per core")
    p.add_argument("--train-shape", type=int, default=None, help="ResNet-50 training input size (CUDA: 224)")
    p.add_argument("--train-batch", type=int, default=None, help="training batch size (CUDA: 32)")
    p.add_argument("--torch-threads", choices=("default", "same"), default="same",
                   help="the torch loop's threads: torch's default, or the count keras_torch's fit chose")
    p.add_argument("--out", default=str(HERE / "real_results.json"))
    args = p.parse_args()
    TORCH_THREADS["same"] = args.torch_threads == "same"
    if args.train_shape or args.train_batch:
        n, b, shape, c = real_models.TRAIN["resnet50"]
        size, batch = args.train_shape or shape[0], args.train_batch or b
        real_models.TRAIN["resnet50"] = (max(n, 8 * batch), batch, (size, size, 3), c)
    device = keras.config.default_device()
    busy = usable_cpu_count() if args.busy else 0
    results: dict = {"machine": {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "device": str(device),
                                 "torch": torch.__version__, "threads": keras.config.get_num_threads(),
                                 "thread_policy": keras_threads.POLICY.source, "busy": busy,
                                 "torch_threads": args.torch_threads,
                                 "loadavg_start": os.getloadavg()[0]}}
    peer = Peer(args.peer_python) if args.peer_python else None
    if peer is not None:
        results["machine"]["keras3"] = peer.version
    try:
        with BusyNeighbours(busy), tempfile.TemporaryDirectory() as tmp:
            for name in args.only:
                print(name, flush=True)
                if name == "inference":
                    h5 = pathlib.Path(tmp) / "resnet50.h5"
                    write_h5(peer, h5)
                    results["inference"] = inference_and_load(args.rounds, device, peer, h5)
                else:
                    results[name] = train(name, args.rounds, device, peer)
    finally:
        if peer is not None:
            peer.close()
    results["machine"]["loadavg_end"] = os.getloadavg()[0]
    out = pathlib.Path(args.out)
    out.write_text(json.dumps(results, indent=2))
    out.with_suffix(".md").write_text(markdown(results))
    print(markdown(results))


def markdown(results: dict) -> str:
    m = results["machine"]
    lines = [f"{m['date']}, {m['device']}, torch {m['torch']}, Keras {m.get('keras3', '-')} (TensorFlow), thread "
             f"policy {m['thread_policy']} ({m['threads']} threads), torch loop's threads: {m['torch_threads']}, "
             f"busy neighbours: {m['busy']}, load average "
             f"{m['loadavg_start']:.1f} -> {m.get('loadavg_end', 0):.1f}", ""]
    cols = ("keras_torch", "torch", "keras3_tensorflow")
    lines += ["| workload | keras_torch | hand-written torch | Keras 3 (TF) | vs torch | vs Keras 3 (TF) |",
              "| --- | --- | --- | --- | --- | --- |"]

    def row(label: str, r: dict, fmt: str) -> None:
        vals = [format(r[c], fmt) if c in r else "-" for c in cols]
        ratios = [f"{r[k]:.2f}x" if k in r else "-" for k in ("speedup_vs_torch", "speedup_vs_keras3_tensorflow")]
        lines.append(f"| {label} | " + " | ".join(vals + ratios) + " |")

    for name in ("resnet50", "transformer"):
        if name in results:
            n, b, shape, _ = real_models.TRAIN[name]
            row(f"{name} fit, batch {b}, {'x'.join(map(str, shape))} (samples/s)", results[name], ",.1f")
    inf = results.get("inference")
    if inf:
        row("ResNet50 224x224 predict_on_batch, batch 1 (ms)", inf["predict_ms_batch1"], ".1f")
        row("ResNet50 224x224 predict_on_batch, batch 32 (ms)", inf["predict_ms_batch32"], ".0f")
        row(f"load_model of the {inf['file_mb']:.0f} MB .h5 (s)", inf["load_model_s"], ".2f")
    lines += ["", "Ratios are medians of per-round ratios; > 1 means keras_torch is faster."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
