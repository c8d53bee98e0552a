"""The TensorBoard callback under ``keras-torch run``: event files TensorBoard itself reads back.

``tensorboard`` imports TensorFlow lazily; under ``run`` the name ``tensorflow`` is the stand-in, so
TensorBoard must take its own TensorFlow-free path instead of calling ``tf.io`` on the stand-in.
"""

import os
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("tensorboard")
pytestmark = pytest.mark.slow  # a subprocess run

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = textwrap.dedent("""
    import sys
    import numpy as np
    import tensorflow as tf
    from tensorflow import keras

    model = keras.Sequential([keras.layers.Dense(4, activation="relu", input_shape=(3,)), keras.layers.Dense(1)])
    model.compile(optimizer="adam", loss="mse")
    board = tf.keras.callbacks.TensorBoard(log_dir=sys.argv[1], histogram_freq=1)
    model.fit(np.random.rand(32, 3), np.random.rand(32, 1), epochs=3, verbose=0, callbacks=[board],
              validation_split=0.25)
    import tensorboard.compat
    print("tensorboard's tf:", tensorboard.compat.tf.__name__)
""")


def test_tensorboard_event_files_under_run(tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    script, logs = tmp_path / "train.py", tmp_path / "logs"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""), KERAS_TORCH_DEVICE="cpu")
    out = subprocess.run([sys.executable, "-m", "keras_torch", "run", str(script), str(logs)], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert "tensorboard's tf: tensorboard.compat.tensorflow_stub" in out.stdout
    for run, tags in (("train", {"epoch_loss", "epoch_learning_rate"}), ("validation", {"epoch_loss"})):
        acc = EventAccumulator(str(logs / run))
        acc.Reload()
        assert tags <= set(acc.Tags()["scalars"]), acc.Tags()
        assert [e.step for e in acc.Scalars("epoch_loss")] == [0, 1, 2]
    histograms = EventAccumulator(str(logs / "train"), size_guidance={"histograms": 0})
    histograms.Reload()
    assert histograms.Tags()["histograms"], histograms.Tags()
