"""Parity of layers whose fixtures ``compat/gen/layers_extra.py`` records (``compat/fixtures/layers_extra``).

* tf-keras 2.21 cases (``compat/layer_cases_tfk.py``: LocallyConnected1D/2D in the three tf-keras
  implementations, ThresholdedReLU), checked like ``tests/test_parity_layers.py``;
* legacy ``.h5`` models written by tf-keras (ConvLSTM2D, LocallyConnected1D/2D, ThresholdedReLU)
  load and reproduce tf-keras's outputs;
* one Keras 3 ``SpectralNormalization`` training call (output and updated weights).

Regenerate: ``/opt/kref/bin/python compat/generate_fixtures.py layers_extra``.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keras_torch as keras  # noqa: E402
from compat.layer_cases_tfk import CASES  # noqa: E402

FIXTURES = ROOT / "compat" / "fixtures" / "layers_extra"
if not FIXTURES.exists():
    pytest.skip("layers_extra fixtures not generated", allow_module_level=True)

# The checks of the Keras 3 layer parity test, applied to these fixtures.
_spec = importlib.util.spec_from_file_location("_parity_layers", ROOT / "tests" / "test_parity_layers.py")
_parity = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_parity)


def _load(name: str) -> dict:
    with np.load(FIXTURES / f"{name}.npz") as d:
        return {k: d[k] for k in d.files}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tf_keras_layer_parity(case):
    data = _load(case.name)
    _parity.check_outputs(case, data)
    _parity.check_weight_structure(case, data)


@pytest.mark.parametrize("name", ["tfk_conv_lstm_lc", "tfk_lc1d_impl3"])
def test_tf_keras_h5_models_load_and_match(name, tmp_path):
    data = _load("tfk_models")
    model = keras.saving.load_model(FIXTURES / f"{name}.h5", compile=False)
    x = data[f"{name}_x"]
    np.testing.assert_allclose(model.predict(x, verbose=0), data[f"{name}_y"], atol=1e-5, rtol=1e-4)
    path = tmp_path / "again.h5"  # and survive our own save/load
    model.save(path)
    again = keras.saving.load_model(path, compile=False)
    np.testing.assert_allclose(again.predict(x, verbose=0), data[f"{name}_y"], atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize("name,make", [
    ("dense", lambda: keras.layers.SpectralNormalization(keras.layers.Dense(3))),
    ("conv", lambda: keras.layers.SpectralNormalization(keras.layers.Conv2D(2, 2), power_iterations=3)),
])
def test_spectral_normalization_training_call(name, make):
    data = _load("spectral_normalization_training")
    layer = make()
    x = torch.from_numpy(data[f"{name}_x"])
    layer.build(tuple(x.shape))
    n = len(layer.get_weights())
    layer.set_weights([data[f"{name}_before_{i}"] for i in range(n)])
    y = layer(x, training=True)
    np.testing.assert_allclose(y.detach().numpy(), data[f"{name}_y"], atol=1e-5, rtol=1e-4)
    for i, w in enumerate(layer.get_weights()):
        np.testing.assert_allclose(w, data[f"{name}_after_{i}"], atol=1e-6, rtol=1e-5, err_msg=f"weight {i}")
