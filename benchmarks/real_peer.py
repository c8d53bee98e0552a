"""Keras 3 on TensorFlow's side of ``benchmarks/real.py``, run inside the peer interpreter.

    /opt/kref/bin/python benchmarks/real_peer.py      # reads JSON requests on stdin, answers JSON lines

Requests: ``{"cmd": "train", "name": ...}`` (one timed epoch, the model built and warmed up on the
first request), ``{"cmd": "save_resnet50", "path": ...}`` (keras.applications.ResNet50, weights
None, written as a legacy ``.h5``), ``{"cmd": "load", "path": ...}`` (seconds of ``load_model``),
``{"cmd": "infer", "batch": B, "calls": N}`` (ms per ``predict_on_batch`` of the loaded model).
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("KERAS_BACKEND", "tensorflow")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import real_models  # noqa: E402


def main() -> None:
    trained: dict = {}
    inputs: dict = {}  # batch size -> input, its predict function already traced
    loaded = None
    print(json.dumps({"ready": keras.__version__}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        req = json.loads(line)
        try:
            cmd = req["cmd"]
            if cmd == "train":
                name = req["name"]
                x, y = real_models.data(name)
                batch = real_models.TRAIN[name][1]
                if name not in trained:
                    trained[name] = real_models.build_train(keras, name)
                    trained[name].fit(x, y, batch_size=batch, epochs=1, verbose=0)
                t = time.perf_counter()
                trained[name].fit(x, y, batch_size=batch, epochs=1, verbose=0)
                reply = {"value": len(x) / (time.perf_counter() - t)}
            elif cmd == "save_resnet50":
                m = keras.applications.ResNet50(weights=None, input_shape=real_models.INFER_SHAPE)
                m.save(req["path"])
                reply = {"bytes": os.path.getsize(req["path"])}
            elif cmd == "load":
                t = time.perf_counter()
                loaded = keras.models.load_model(req["path"], compile=False)
                inputs.clear()
                reply = {"value": time.perf_counter() - t}
            elif cmd == "infer":
                xb = inputs.get(req["batch"])
                if xb is None:
                    shape = (req["batch"],) + real_models.INFER_SHAPE
                    inputs[req["batch"]] = xb = np.random.default_rng(0).standard_normal(shape).astype("float32")
                    loaded.predict_on_batch(xb)
                t = time.perf_counter()
                for _ in range(req["calls"]):
                    loaded.predict_on_batch(xb)
                reply = {"value": (time.perf_counter() - t) / req["calls"] * 1e3}
            else:
                reply = {"error": f"unknown request {cmd!r}"}
        except Exception as e:  # noqa: BLE001 - report and keep serving
            reply = {"error": repr(e)[-500:]}
        print(json.dumps(reply), flush=True)


if __name__ == "__main__":
    main()
