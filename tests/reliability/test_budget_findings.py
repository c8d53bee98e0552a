"""Issue #22 finding 3: every allocation a file can cause goes through one budget.

Initializers computing in numpy (STFT) or factorising (Orthogonal), tensors made from numpy data,
metric state built when compiling from a file, and ``model_from_json``: each is refused with a
``ValueError`` naming the file (or "model JSON") and the layer or metric, before allocating, in well
under a second.
"""

from __future__ import annotations

import json
import resource
import time
import zipfile

import numpy as np
import pytest
from _rel_models import mlp


def _seq_json(layer: dict, shape: tuple) -> str:
    return json.dumps({"class_name": "Sequential", "config": {"name": "s", "layers": [
        {"class_name": "InputLayer", "config": {"batch_shape": [None, *shape], "name": "in"}}, layer]}})


def _refused_fast(fn, match: str, seconds: float = 2.0) -> ValueError:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with pytest.raises(ValueError, match=match) as info:
        fn()
    assert time.perf_counter() - start < seconds
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 300_000  # KiB: nothing big allocated
    return info.value


@pytest.fixture(autouse=True)
def _default_budget(monkeypatch):
    monkeypatch.delenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", raising=False)


CASES = {
    # Dense(1e11): model_from_json had no budget (a raw RuntimeError after trying 1.6 TB)
    "dense": ({"class_name": "Dense", "config": {"name": "big", "units": 10**11}}, (4,), "big"),
    # STFT kernel in numpy: 2.86 GiB of parameters from ~1 kB of config
    "stft": ({"class_name": "Conv1D", "config": {"name": "spectro", "filters": 30000, "kernel_size": 30000,
                                                  "kernel_initializer": {"class_name": "STFT", "config": {}}}},
             (30000, 1), "spectro"),
    # Orthogonal 10000 x 10000: 76 s and 3.7 GB from a 20 kB file
    "orthogonal": ({"class_name": "Dense", "config": {"name": "orth", "units": 10000,
                                                       "kernel_initializer": {"class_name": "Orthogonal",
                                                                              "config": {}}}}, (10000,), "orth"),
    # 7000 x 7000: 1.6 GiB fits the memory budget, the QR's 3.4e11 operations do not
    "orthogonal_work": ({"class_name": "Dense", "config": {"name": "square", "units": 7000,
                                                            "kernel_initializer": "orthogonal"}}, (7000,), "square"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_model_from_json_refuses_before_allocating(keras, case):
    layer, shape, name = CASES[case]
    err = _refused_fast(lambda: keras.models.model_from_json(_seq_json(layer, shape)), "KERAS_TORCH_LOAD_MEMORY_LIMIT")
    assert f"layer '{name}'" in str(err) and "model JSON" in str(err)
    assert ("computation" in str(err)) == (case == "orthogonal_work")


@pytest.mark.parametrize("case", sorted(CASES))
def test_load_model_refuses_before_allocating(keras, tmp_path, case):
    layer, shape, name = CASES[case]
    path = tmp_path / "m.keras"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("metadata.json", json.dumps({"keras_version": "3.5.0"}))
        z.writestr("config.json", _seq_json(layer, shape))
        z.writestr("model.weights.h5", b"")
    err = _refused_fast(lambda: keras.models.load_model(path), "KERAS_TORCH_LOAD_MEMORY_LIMIT")
    assert f"layer '{name}'" in str(err) and str(path) in str(err)


def test_orthogonal_within_budget_still_builds(keras):
    model = keras.models.model_from_json(_seq_json(
        {"class_name": "Dense", "config": {"name": "ok", "units": 64, "kernel_initializer": "orthogonal"}}, (64,)))
    k = model.get_weights()[0]
    assert np.allclose(k.T @ k, np.eye(64), atol=1e-5)


def test_tensors_from_numpy_are_charged(keras):
    import torch

    from keras_torch.saving.guards.budget import allocation_budget

    with allocation_budget(1 << 20, "x.keras"):
        torch.as_tensor(np.zeros(1000, "float32"))  # 4 kB
        with pytest.raises(ValueError, match="torch.as_tensor"):
            torch.as_tensor(np.zeros(1 << 20, "float32"))  # 4 MiB


def _compiled_archive(keras, tmp_path, metric: dict):
    model = mlp(keras, compiled=False)
    model.compile(optimizer="adam", loss="mse", metrics=["mae"])
    path = tmp_path / "m.keras"
    model.save(path)
    with zipfile.ZipFile(path) as z:
        members = {n: z.read(n) for n in z.namelist()}
    cfg = json.loads(members["config.json"])
    cfg["compile_config"]["metrics"] = [metric]
    members["config.json"] = json.dumps(cfg).encode()
    with zipfile.ZipFile(path, "w") as z:
        for n, data in members.items():
            z.writestr(n, data)
    return path


@pytest.mark.parametrize("metric, budget", [
    ({"class_name": "MeanIoU", "config": {"num_classes": 20000, "name": "iou"}}, None),  # 3.2 GB confusion matrix
    ({"class_name": "MeanIoU", "config": {"num_classes": 4000, "name": "iou"}}, "67108864"),  # 128 MB over 64 MiB
    ({"class_name": "AUC", "config": {"num_thresholds": 300_000_000, "name": "auc"}}, None),  # 3.4 GB, then an empty warning
])
def test_metric_state_at_compile_is_budgeted(keras, tmp_path, monkeypatch, metric, budget):
    path = _compiled_archive(keras, tmp_path, metric)
    if budget is not None:
        monkeypatch.setenv("KERAS_TORCH_LOAD_MEMORY_LIMIT", budget)
    err = _refused_fast(lambda: keras.models.load_model(path), "KERAS_TORCH_LOAD_MEMORY_LIMIT")
    assert str(path) in str(err)
    assert metric["class_name"] in str(err) or "zeros" in str(err)


def test_metric_that_fits_still_compiles(keras, tmp_path):
    path = _compiled_archive(keras, tmp_path, {"class_name": "MeanIoU", "config": {"num_classes": 3, "name": "iou"}})
    model = keras.models.load_model(path)
    assert model.compiled


def test_compile_failure_warning_says_what_failed(keras, tmp_path):
    path = _compiled_archive(keras, tmp_path, {"class_name": "AUC", "config": {"num_thresholds": -3, "name": "auc"}})
    with pytest.warns(UserWarning, match=r"Could not compile .* \(ValueError: .*num_thresholds"):
        model = keras.models.load_model(path)
    assert not model.compiled


# The refusal is a size computation before any allocation: its time may not grow with the request.
# Before the budget covered them, STFT built its kernel in numpy and Orthogonal factorised it (10000 x
# 10000: 76 s and 3.7 GB), so time and memory grew with the square of the requested size.
SLACK = 3.0
NOISE_FLOOR_S = 0.05  # a loaded 2-core machine makes millisecond timings jitter
SCALED = {
    "stft": (lambda n: ({"class_name": "Conv1D", "config": {
        "name": "spectro", "filters": n, "kernel_size": n,
        "kernel_initializer": {"class_name": "STFT", "config": {}}}}, (n, 1)), [30_000, 300_000, 3_000_000, 30_000_000]),
    "orthogonal": (lambda n: ({"class_name": "Dense", "config": {
        "name": "orth", "units": n, "kernel_initializer": {"class_name": "Orthogonal", "config": {}}}}, (n,)),
                   [10_000, 100_000, 1_000_000, 10_000_000]),
}


@pytest.mark.parametrize("case", sorted(SCALED))
def test_budget_refusal_time_does_not_grow_with_the_request(keras, case, no_hang):
    """The STFT and Orthogonal budget cases at 4 requested sizes (1000x apart): each refused, in the same time."""
    build, sizes = SCALED[case]
    times = []
    with no_hang(120):
        for n in sizes:
            layer, shape = build(n)
            text = _seq_json(layer, shape)
            best = float("inf")
            for _ in range(2):  # the better of two: one run can be slowed by a neighbour process
                start = time.perf_counter()
                err = _refused_fast(lambda text=text: keras.models.model_from_json(text),
                                    "KERAS_TORCH_LOAD_MEMORY_LIMIT")
                assert f"layer '{layer['config']['name']}'" in str(err)
                best = min(best, time.perf_counter() - start)
            times.append(best)
    assert times[-1] <= SLACK * max(times[0], NOISE_FLOOR_S), (
        f"{case}: refusing takes longer for larger requests: sizes {sizes} took {[round(t, 4) for t in times]} s")
