"""tf-keras's own .h5 files with legacy Nadam / Ftrl state (compat/gen/legacy_optimizer_state.py) load with
every optimizer variable equal to what tf-keras held, without a warning."""

from __future__ import annotations

import pathlib
import warnings

import numpy as np
import pytest

import keras_torch as keras
from keras_torch.saving.optimizer_state import optimizer_keras_values, slot_owner_paths

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "compat" / "fixtures" / "legacy_optimizer_state"
SLOTS = {"m": "momentum", "v": "velocity", "accumulator": "accumulator", "linear": "linear"}
GLOBALS = {"momentum_cache": "variable", "iter": "iteration"}  # legacy name -> Keras 3 (keras_torch) name


@pytest.mark.parametrize("name", ["nadam", "ftrl"])
def test_tf_keras_legacy_optimizer_state_loads(name):
    ref = np.load(FIXTURES / f"{name}.npz")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Error in loading the saved optimizer state" would be a warning
        model = keras.models.load_model(FIXTURES / f"{name}.h5")
    np.testing.assert_allclose(model.predict(ref["x"], verbose=0), ref["y"], rtol=1e-5, atol=1e-6)
    opt = model.optimizer
    ours = {}
    for var_name, path, value in zip(opt.variable_names, slot_owner_paths(opt), optimizer_keras_values(model, opt)):
        ours[(path, var_name[len(path.replace("/", "_")) + 1:]) if path else (None, var_name)] = value
    theirs = [str(n) for n in ref["opt_names"]]
    assert len(theirs) == len(ours) - 1  # ours also holds the learning rate
    for i, full in enumerate(theirs):
        parts = full.split(":")[0].split("/")[1:]  # drop the optimizer's name
        key = (None, GLOBALS[parts[0]]) if len(parts) == 1 else ("/".join(parts[:-1]), SLOTS[parts[-1]])
        np.testing.assert_allclose(np.asarray(ours[key]).reshape(np.shape(ref[f"opt_{i}"])), ref[f"opt_{i}"],
                                   rtol=1e-6, atol=1e-7, err_msg=full)
    assert int(np.asarray(opt.iterations)) == int(ref["iterations"])
