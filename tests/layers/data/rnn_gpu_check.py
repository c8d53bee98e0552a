"""GPU check of the recurrent layers (parity with the Keras reference files on CUDA + timings)."""
import sys, time, warnings, json
sys.path.insert(0, ".")
import numpy as np, torch
torch.backends.cuda.matmul.allow_tf32 = False
torch.backends.cudnn.allow_tf32 = False
import keras_torch.layers as L
from keras_torch.core import tree
sys.path.insert(0, "tests/layers")
import test_recurrent as T

import os
dev = "cuda" if torch.cuda.is_available() else "cpu"
print(torch.cuda.get_device_name() if dev == "cuda" else "cpu", torch.__version__)
sync = torch.cuda.synchronize if dev == "cuda" else (lambda: None)
worst = 0.0
with warnings.catch_warnings(record=True) as wlist:
    warnings.simplefilter("always")
    for p in T.CASES:
        expr, x, mask, inits, ws, ys = p.values
        layer = T.build_from_expr(expr, x, ws).to(dev)
        kw = {}
        if mask is not None:
            kw["mask"] = torch.from_numpy(mask).to(dev)
        if inits:
            kw["initial_state"] = [torch.from_numpy(s).to(dev) for s in inits]
        xt = torch.from_numpy(x).to(dev).requires_grad_(True)
        flat = tree.flatten(layer(xt, **kw))
        sum(f.sum() for f in flat).backward()
        err = max(float(np.abs(a.detach().cpu().numpy() - b).max()) for a, b in zip(flat, ys))
        worst = max(worst, err)
        if err > 1e-5:
            print("BAD", p.id, err)
    print("cuda parity cases:", len(T.CASES), "max abs err %.2e" % worst)
    print("warnings:", sorted({str(w.message)[:120] for w in wlist}))

B, Tn, F, U = (64, 100, 64, 128) if dev == "cuda" else (4, 6, 3, 5)
x = torch.randn(B, Tn, F, device=dev)
lens = torch.randint(Tn // 2, Tn + 1, (B,), device=dev)
mask_right = torch.arange(Tn, device=dev)[None] < lens[:, None]
mask_left = mask_right.flip(1)
mask_holes = torch.rand(B, Tn, device=dev) > 0.2

def bench(fn, n=10 if dev == "cuda" else 1):
    for _ in range(3 if dev == "cuda" else 1): fn()
    sync(); t = time.perf_counter()
    for _ in range(n): fn()
    sync(); return (time.perf_counter() - t) / n * 1e3

ref = torch.nn.LSTM(F, U, batch_first=True).to(dev)
print("nn.LSTM fwd+bwd               %.2f ms" % bench(lambda: ref(x)[0][:, -1].sum().backward()))
refb = torch.nn.LSTM(F, U, batch_first=True, bidirectional=True).to(dev)
print("nn.LSTM bidi fwd+bwd          %.2f ms" % bench(lambda: refb(x)[0].sum().backward()))
for name, layer, kw in [
    ("LSTM tanh", L.LSTM(U), {}),
    ("LSTM tanh seq", L.LSTM(U, return_sequences=True), {}),
    ("LSTM relu (loop)", L.LSTM(U, activation="relu"), {}),
    ("LSTM mask right", L.LSTM(U), {"mask": mask_right}),
    ("LSTM mask left seq", L.LSTM(U, return_sequences=True), {"mask": mask_left}),
    ("LSTM mask holes (loop)", L.LSTM(U), {"mask": mask_holes}),
    ("GRU", L.GRU(U), {}),
    ("GRU reset_before (loop)", L.GRU(U, reset_after=False), {}),
    ("SimpleRNN", L.SimpleRNN(U), {}),
    ("Bidi LSTM seq", L.Bidirectional(L.LSTM(U, return_sequences=True)), {}),
    ("Bidi LSTM mask right", L.Bidirectional(L.LSTM(U, return_sequences=True)), {"mask": mask_right}),
    ("LSTM dropout train", L.LSTM(U, dropout=0.2), {"training": True}),
    ("LSTM rec dropout train", L.LSTM(U, recurrent_dropout=0.2), {"training": True}),
    ("TD Dense", L.TimeDistributed(L.Dense(U)), {}),
]:
    layer(x[:2, :3].cpu())
    layer.to(dev)
    def f():
        y = layer(x, **kw); y.sum().backward()
    print(f"{name:28s}  {bench(f):.2f} ms")
