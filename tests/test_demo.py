"""`keras-torch demo`: trains the tutorial CNN on the bundled digits, saves .h5 and exports ONNX."""

import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.slow  # end-to-end: subprocesses / many training runs (quick run: -m 'not slow')


def test_demo_runs_offline_and_writes_files(tmp_path):
    env = dict(os.environ, KERAS_TORCH_TINY="1")
    out = subprocess.run([sys.executable, "-m", "keras_torch", "demo", "--epochs", "1", "--verbose", "2"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr
    assert "Total params: 225,034" in out.stdout
    assert "Test accuracy:" in out.stdout
    assert (tmp_path / "keras_torch_demo" / "seed_cnn.h5").exists()
    assert (tmp_path / "keras_torch_demo" / "seed_cnn.onnx").exists()
