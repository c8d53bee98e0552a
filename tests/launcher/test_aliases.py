"""Import forms of existing Keras scripts resolve to keras_torch; the ``tensorflow`` stand-in works and
names what it cannot do."""

from __future__ import annotations

import importlib
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

import keras_torch
from keras_torch import launcher
from keras_torch.launcher.aliases import _FINDER, target_name
from keras_torch.utils.unsupported import UnsupportedTensorFlowFeature

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@pytest.fixture
def aliased():
    """``launcher.install()`` for one test, then restore the import system (incl. a real keras/tf if loaded)."""
    saved = {k: v for k, v in sys.modules.items() if target_name(k) is not None}
    launcher.install()
    yield
    launcher.uninstall()
    sys.modules.update(saved)


def _imp(name: str):
    return importlib.import_module(name)


def test_install_is_idempotent_and_uninstall_restores():
    saved = {k: v for k, v in sys.modules.items() if target_name(k) is not None}
    launcher.install()
    launcher.install()
    try:
        assert sys.meta_path.count(_FINDER) == 1
        assert _imp("keras") is keras_torch
    finally:
        launcher.uninstall()
    assert _FINDER not in sys.meta_path
    assert "keras" not in sys.modules or sys.modules["keras"] is not keras_torch
    sys.modules.update(saved)


def test_keras3_import_forms(aliased):
    import keras
    from keras import layers, ops

    assert keras is keras_torch
    assert layers is keras_torch.layers and ops is keras_torch.ops
    ns: dict = {}
    exec("from keras.layers import Dense, LSTM, Embedding", ns)
    assert ns["Dense"] is keras_torch.layers.Dense
    assert keras.utils.to_categorical([0, 2], 3).shape == (2, 3)


def test_tensorflow_keras_import_forms(aliased):
    import tensorflow as tf
    from tensorflow import keras
    from tensorflow.keras import backend as K
    from tensorflow.keras.layers import Dense
    from tensorflow.keras.models import Sequential

    assert tf.keras is keras_torch and keras is keras_torch
    assert Dense is keras_torch.layers.Dense and Sequential is keras_torch.models.Sequential
    assert tf.keras.layers.Conv2D is keras_torch.layers.Conv2D
    assert K.epsilon() == 1e-7 and K.floatx() == "float32"
    model = tf.keras.Sequential([Dense(2, input_shape=(3,))])
    assert model.predict(np.ones((1, 3), "float32"), verbose=0).shape == (1, 2)


def test_tf_keras_package_and_keras2_paths(aliased):
    import tf_keras

    assert tf_keras is keras_torch
    assert _imp("keras.preprocessing.sequence").pad_sequences([[1, 2]], maxlen=4).tolist() == [[0, 0, 1, 2]]
    np_utils = _imp("keras.utils.np_utils")
    assert np_utils.to_categorical([1], 3).tolist() == [[0.0, 1.0, 0.0]]
    assert _imp("keras.engine").Layer is keras_torch.layers.Layer
    assert _imp("keras.engine.topology").Layer is keras_torch.layers.Layer
    assert _imp("keras.engine.base_layer").Layer is keras_torch.layers.Layer
    assert _imp("keras.layers.core").Dense is keras_torch.layers.Dense
    assert _imp("keras.utils.data_utils").get_file is keras_torch.utils.get_file
    assert _imp("keras.utils.vis_utils").plot_model is keras_torch.utils.plot_model


def test_datasets_and_utils_reachable_through_aliases(aliased):
    from keras.datasets import mnist
    from tensorflow.keras.datasets import imdb

    assert mnist.load_data is keras_torch.datasets.mnist.load_data
    assert callable(imdb.get_word_index)
    import tensorflow as tf

    for name in ("get_file", "image_dataset_from_directory", "text_dataset_from_directory",
                 "timeseries_dataset_from_array", "plot_model"):
        assert getattr(tf.keras.utils, name) is getattr(keras_torch.utils, name)


def test_tf_stand_in_functions(aliased):
    import tensorflow as tf

    t = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    assert isinstance(t, torch.Tensor)
    assert float(tf.reduce_mean(t)) == 2.5
    assert tf.reduce_sum(t, axis=0).tolist() == [4.0, 6.0]
    assert tf.cast(t, tf.int32).dtype == torch.int32
    assert tf.shape(t).tolist() == [2, 2]
    assert tf.concat([t, t], axis=0).shape == (4, 2)
    assert tf.one_hot([0, 2], 3).tolist() == [[1, 0, 0], [0, 0, 1]]
    tf.random.set_seed(5)
    a = tf.random.normal((3,))
    tf.random.set_seed(5)
    assert torch.equal(a, tf.random.normal((3,)))
    devices = tf.config.list_physical_devices()
    assert devices[0].device_type == "CPU"
    assert len(tf.config.list_physical_devices("GPU")) == torch.cuda.device_count()
    tf.config.experimental.set_memory_growth(devices[0], True)  # no-op
    ds = tf.data.Dataset.from_tensor_slices((np.arange(10), np.arange(10) * 2)).shuffle(10, seed=1).batch(4)
    batches = list(ds)
    assert len(ds) == 3 and [len(b[0]) for b in batches] == [4, 4, 2]
    assert sorted(np.concatenate([b[0] for b in batches]).tolist()) == list(range(10))
    assert tf.data.AUTOTUNE == tf.data.experimental.AUTOTUNE


def test_unsupported_tf_symbol_is_named(aliased):
    import tensorflow as tf

    with pytest.raises(UnsupportedTensorFlowFeature, match=r"`tf\.RaggedTensor`.*test_aliases\.py"):
        tf.RaggedTensor.from_row_lengths([1, 2, 3], [2, 1])
    with pytest.raises(UnsupportedTensorFlowFeature, match=r"`tf\.lite`.*ONNX"):
        tf.lite.TFLiteConverter  # noqa: B018
    with pytest.raises(UnsupportedTensorFlowFeature, match=r"`tf\.data\.Dataset\.group_by_window`"):
        tf.data.Dataset.range(3).group_by_window(lambda x: x, lambda k, w: w, 2)


def test_seed_lstm_typo_points_at_compile_line(tmp_path):
    script = os.path.join(REPO, "examples", "seed_lstm.py")
    compile_line = next(i for i, line in enumerate(open(script, encoding="utf-8"), 1) if "model.compile(" in line)
    env = dict(os.environ, KERAS_TORCH_TINY="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
               PYTHONPATH=REPO + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.run([sys.executable, "-m", "keras_torch", "run", script], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert f'seed_lstm.py", line {compile_line}' in proc.stderr, proc.stderr
    assert "categorial_crossentropy" in proc.stderr and "Did you mean 'categorical_crossentropy'" in proc.stderr
    frames = [ln for ln in proc.stderr.splitlines() if ln.strip().startswith('File "')]
    assert frames and not [ln for ln in frames if os.path.join("keras_torch", "") in ln], proc.stderr
    assert "Epoch" not in proc.stdout  # stopped at compile, before training
