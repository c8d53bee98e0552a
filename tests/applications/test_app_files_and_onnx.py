"""Real Keras's own application files load and match; every architecture exports to ONNX.

The files (tf-keras ``.h5``; Keras 3 ``.keras`` and ``.weights.h5``) are written by
``compat/gen/applications.py`` next to the committed references, but are too large to commit: they
live in ``$KERAS_TORCH_APP_FILES`` (default ``~/.cache/keras_torch/app_files``), and these tests skip
for a case whose files were not generated on this machine. They hold the deterministic weights of
``compat/app_cases.py``, so the loaded model must predict the committed reference within the
acceptance bound.

The ONNX export is checked in onnxruntime against ``model.predict`` at batch 1 and batch 3.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from _app_helpers import app_cases, build, case_params, check_close, fixture, reference_weights

import keras_torch as keras
from compat.gen import applications as app_gen

FILE_KINDS = {"tfk_h5": ("tfk", "h5"), "k3_keras": ("k3", "keras"), "k3_weights": ("k3", "weights")}


@pytest.mark.interop
@pytest.mark.parametrize("kind", list(FILE_KINDS))
@pytest.mark.parametrize("name", case_params())
def test_real_keras_file_loads_and_matches(name, kind):
    case = app_cases.BY_NAME[name]
    lib, key = FILE_KINDS[kind]
    if lib not in case.libs:
        pytest.skip(f"{name} is not in {lib}")
    path = app_gen.file_paths(name, lib)[key]
    if not path.exists():
        pytest.skip(f"{path} not generated (/opt/kref/bin/python -m compat.gen.applications {name})")
    keras.backend.clear_session()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # tf-keras files without a training configuration say so
        if key == "weights":
            model = build(name)
            model.load_weights(path)
        else:
            model = keras.models.load_model(path)
    x = app_cases.inputs(case)
    check_close(model.predict(x, verbose=0), fixture(name), lib, f"{name} from {path.name}")
    check_close(model.predict(x, verbose=0), fixture(name), lib, f"{name} from {path.name}, fused")


# The default run exports three small architectures (depthwise/SE/hard-swish, grouped convs,
# Rescaling); KERAS_TORCH_EXHAUSTIVE=1 exports all 71.
ONNX_FAST = ("MobileNetV3Small", "RegNetX002", "MobileNet")


@pytest.mark.parametrize("name", [pytest.param(c.name, id=c.name, marks=() if c.name in ONNX_FAST else pytest.mark.exhaustive)
                                  for c in app_cases.CASES])
def test_onnx_export_matches_at_batch_1_and_n(name, tmp_path):
    ort = pytest.importorskip("onnxruntime")
    case = app_cases.BY_NAME[name]
    fx = fixture(name)
    lib = case.libs[0]
    model = build(name)
    model.set_weights(reference_weights(fx, lib, name))
    path = tmp_path / f"{name}.onnx"
    model.export(path, format="onnx")
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    x = app_cases.inputs(case)
    for batch in (1, 3):
        xb = np.concatenate([x] * 2, 0)[:batch]
        want = model.predict(xb, verbose=0)
        got = session.run(None, {session.get_inputs()[0].name: xb})[0]
        assert got.shape == want.shape
        tol = app_cases.tolerance(want, float(fx[f"{lib}_floor"]))
        err = float(np.max(np.abs(got - want)))
        assert err <= tol, f"{name} batch {batch}: onnxruntime differs by {err:.3g} > {tol:.3g}"
