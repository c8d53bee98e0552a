"""``keras-torch run`` on a Ctrl-C'd fit: the progress bar's line is ended, status 130."""

import os
import subprocess
import sys
import textwrap

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

SCRIPT = textwrap.dedent("""
    import numpy as np
    import keras

    class CtrlC(keras.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            if batch == 2:
                raise KeyboardInterrupt  # what Ctrl-C raises in the middle of an epoch

    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    model.fit(np.zeros((64, 3)), np.zeros((64, 1)), batch_size=4, epochs=1, verbose=1, callbacks=[CtrlC()])
""")


def test_interrupted_fit_ends_the_progress_line(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""), KERAS_TORCH_DEVICE="cpu")
    out = subprocess.run([sys.executable, "-m", "keras_torch", "run", str(script)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 130
    assert "/16" in out.stdout and out.stdout.endswith("\n"), repr(out.stdout[-200:])
    assert not out.stdout.endswith("\n\n")
    assert out.stderr.splitlines()[-1] == "KeyboardInterrupt"
