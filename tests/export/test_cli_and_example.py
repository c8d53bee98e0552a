"""``python -m keras_torch export`` on real Keras files, and the ONNX example script."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys

import numpy as np
import onnx
import pytest

from ._helpers import DATA, ROOT, keras, onnx_io, ort_run, predict


def _cli(*args: str) -> str:
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""), OMP_NUM_THREADS="1")
    res = subprocess.run([sys.executable, "-m", "keras_torch", "export", *args], cwd=str(ROOT), env=env,
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-3000:]
    return res.stdout


def test_cli_keras3_file_relu_lstm_dynamic_time(tmp_path):
    """Keras 3 ``.keras``: Input(None, 3) -> LSTM(4, relu) -> Dense; reference outputs from real Keras."""
    out = tmp_path / "lstm.onnx"
    text = _cli(str(DATA / "k3_lstm_relu.keras"), str(out))
    assert "series[batch, series_dim1, 3]" in text and "probs[batch, 2]" in text, text
    ref = np.load(DATA / "k3_lstm_relu.npz")
    (got,) = ort_run(out, [ref["x"]])
    np.testing.assert_allclose(got, ref["y"], atol=1e-5, rtol=1e-4)
    model = keras.saving.load_model(str(DATA / "k3_lstm_relu.keras"), compile=False)
    x = np.random.default_rng(1).standard_normal((3, 11, 3)).astype("float32")  # other batch and length
    np.testing.assert_allclose(ort_run(out, [x])[0], predict(model, [x])[0], atol=1e-5, rtol=1e-4)


def test_cli_keras2_h5_cnn_fp16_and_static_batch(tmp_path):
    """tf-keras (Keras 2) ``.h5`` CNN, float32, ``--fp16`` and ``--static-batch``."""
    from keras_torch.launcher.cli import main

    ref = np.load(DATA / "k2_cnn.npz")
    out = tmp_path / "cnn.onnx"
    main(["export", str(DATA / "k2_cnn.h5"), str(out), "--opset", "15"])  # in-process (the .keras test runs -m)
    assert onnx.load(str(out)).opset_import[0].version == 15
    np.testing.assert_allclose(ort_run(out, [ref["x"]])[0], ref["y"], atol=1e-5, rtol=1e-4)
    half = tmp_path / "cnn16.onnx"
    main(["export", str(DATA / "k2_cnn.h5"), str(half), "--fp16", "--static-batch"])
    ins, _ = onnx_io(half)
    assert ins[0][1] == [1, 8, 8, 1]
    (got,) = ort_run(half, [ref["x"][:1].astype("float16")])
    assert got.dtype == np.float16
    np.testing.assert_allclose(got.astype("float32"), ref["y"][:1], atol=1e-2, rtol=5e-2)


def test_example_script(capsys, monkeypatch):
    monkeypatch.syspath_prepend(str(ROOT / "examples"))
    runpy.run_path(str(ROOT / "examples" / "onnx_export.py"), run_name="__main__")
    text = capsys.readouterr().out
    diff = float(text.strip().splitlines()[-1].rsplit(":", 1)[1])
    assert diff < 1e-5, text


@pytest.mark.parametrize("missing", ["nope.keras"])
def test_cli_missing_file(tmp_path, missing, capsys):
    from keras_torch.launcher.cli import main

    assert main(["export", str(tmp_path / missing), str(tmp_path / "x.onnx")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("keras-torch: error: No such file or directory")
    assert list(tmp_path.iterdir()) == []
