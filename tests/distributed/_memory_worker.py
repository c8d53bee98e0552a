"""Worker for tests/distributed/test_sharded_memory.py: how much memory a process of an FSDP job uses.

Usage: keras-torch run --nproc N _memory_worker.py OUT_DIR [UNITS LAYERS]. Builds a stack of ``LAYERS``
square ``Dense(UNITS)`` layers under ``FSDP()``, fits one step, saves the weights and loads them back
(into the trained model and into a fresh one), and writes OUT_DIR/mem{RANK}.json: per phase, the resident
memory before, at its peak and after, above a baseline (Linux ``VmHWM``/``VmRSS``; ``/proc/self/clear_refs``
resets the peak at the start of each phase), and the parameter bytes this process holds.

The launcher sets ``MALLOC_MMAP_THRESHOLD_`` so large blocks are mmap-ed and given back when freed:
resident memory then follows the live tensors.
"""

import json
import os
import re
import sys

import keras  # served by keras_torch under `keras-torch run`
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _memory_model import build  # noqa: E402

from keras_torch.core import pending  # noqa: E402
from keras_torch.distribution.model_parallel import local_state_bytes  # noqa: E402

OUT = sys.argv[1]
UNITS, LAYERS = (int(sys.argv[2]), int(sys.argv[3])) if len(sys.argv) > 3 else (1024, 16)
RANK = int(os.environ["RANK"])


def _kib(field):
    with open("/proc/self/status") as f:
        return int(re.search(rf"{field}:\s+(\d+)", f.read()).group(1))


def _reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def main():
    keras.utils.set_random_seed(1)
    keras.distribution.set_distribution(keras.distribution.FSDP())
    x = np.random.default_rng(0).standard_normal((4, UNITS)).astype("float32")
    # warm-up: the process group, the meshes, FSDP2, autograd and the file writers cost the same with any
    # model; a small one pays them before the baseline
    warm = build(8, 2)
    warm.fit(x[:, :8], x[:, :8], batch_size=4, epochs=1, verbose=0)
    warm.save_weights(os.path.join(OUT, "warm.weights.h5"))
    warm.load_weights(os.path.join(OUT, "warm.weights.h5"))
    del warm
    res = {"units": UNITS, "layers": LAYERS}
    base = _kib("VmRSS")

    def phase(name, fn):
        before = _kib("VmRSS")
        _reset_peak()
        out = fn()
        res[name] = {"before": (before - base) * 1024, "peak": (_kib("VmHWM") - base) * 1024,
                     "after": (_kib("VmRSS") - base) * 1024}
        return out

    model = phase("build", lambda: build(UNITS, LAYERS))
    res["pending_after_build"] = len(pending.pending_in(model))
    phase("fit", lambda: model.fit(x, x, batch_size=4, epochs=1, verbose=0))  # splits the model, one step
    phase("fit_again", lambda: model.fit(x, x, batch_size=4, epochs=1, verbose=0))  # the same step, split already
    res["parameter_bytes"] = local_state_bytes(model)["parameters"]
    path = os.path.join(OUT, "model.weights.h5")
    model.save_weights(path)  # (process 0 holds a whole copy while writing: not measured)
    phase("load", lambda: model.load_weights(path))
    fresh = phase("build_fresh", lambda: build(UNITS, LAYERS))
    phase("load_fresh", lambda: fresh.load_weights(path))
    res["fresh_pending_after_load"] = len(pending.pending_in(fresh))
    phase("predict_fresh", lambda: fresh.predict(x, verbose=0))
    res["fresh_parameter_bytes"] = local_state_bytes(fresh)["parameters"]
    res["same_predictions"] = bool(np.allclose(model.predict(x, verbose=0), fresh.predict(x, verbose=0), atol=1e-6))
    with open(os.path.join(OUT, f"mem{RANK}.json"), "w") as f:
        json.dump(res, f)


if __name__ == "__main__":
    main()
