"""Versions a script sees: the Keras API keras_torch emulates while it serves ``import keras``."""

import importlib
import os
import subprocess
import sys

import pytest

import keras_torch
from keras_torch import launcher
from keras_torch.core.version import KERAS_API_VERSION, __version__
from keras_torch.launcher.aliases import target_name
from keras_torch.saving.formats import KERAS_VERSION

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_keras_version_is_the_emulated_api_while_serving_import_keras():
    assert keras_torch.__version__ == keras_torch.version() == __version__  # the package, by its own name
    saved = {k: v for k, v in sys.modules.items() if target_name(k) is not None}
    launcher.install()
    try:
        keras, tf = importlib.import_module("keras"), importlib.import_module("tensorflow")
        assert keras.__version__ == tf.keras.__version__ == keras.version() == KERAS_API_VERSION
        assert keras.__version__.startswith("3.") and keras.__version__ >= "2.4"  # scripts' usual checks
        assert tf.__version__.startswith("2.")  # TensorFlow 2.16+ ships Keras 3
    finally:
        launcher.uninstall()
        sys.modules.update(saved)
    assert keras_torch.__version__ == __version__


def test_saved_files_say_the_same_keras_version():
    assert KERAS_VERSION == KERAS_API_VERSION


@pytest.mark.slow
def test_versions_under_run(tmp_path):
    script = tmp_path / "versions.py"
    script.write_text("import keras, tensorflow as tf, tf_keras\n"
                      "print(keras.__version__, tf.keras.__version__, tf_keras.__version__, tf.__version__)\n")
    env = dict(os.environ, PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    out = subprocess.run([sys.executable, "-m", "keras_torch", "run", str(script)], capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    keras_v, tf_keras_v, tf_keras_pkg_v, tf_v = out.stdout.split()
    assert keras_v == tf_keras_v == tf_keras_pkg_v == KERAS_API_VERSION
    assert tf_v.startswith("2.")
