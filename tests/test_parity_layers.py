"""Layer parity against golden Keras 3 fixtures (``compat/fixtures/layers/*.npz``).

For every case of ``compat/layer_cases.py`` that has a fixture, the model is built with
``keras_torch``, the per-layer weights recorded from real Keras are loaded with
``model.layers[i].set_weights(...)``, and ``model(inputs, training=case.training)`` must match
the Keras outputs; ``count_params()`` and the model-level ``get_weights()`` shapes/order must
match too.  No TensorFlow is imported here.

Regenerate the fixtures (needs the reference venv with real Keras)::

    /opt/kref/bin/python compat/generate_fixtures.py layers
    /opt/kref/bin/python compat/gen/layers.py --selfcheck

``PARITY_KERAS_MODULE=keras`` runs the same checks against another Keras-API module (used to
validate the harness itself against real Keras); the default is ``keras_torch``.
"""

from __future__ import annotations

import importlib
import os
import pathlib
import sys

import numpy as np
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # no conftest / packaging needed for `compat`
    sys.path.insert(0, str(ROOT))

from compat.layer_cases import CASES  # noqa: E402

FIXTURES = ROOT / "compat" / "fixtures" / "layers"
MODULE = os.environ.get("PARITY_KERAS_MODULE", "keras_torch")

keras = importlib.import_module(MODULE)  # `import keras_torch as keras`


def _fixture(case):
    return FIXTURES / f"{case.name}.npz"


def _params():
    out = []
    for c in CASES:
        marks = () if _fixture(c).exists() else pytest.mark.skip(
            reason=f"no fixture {_fixture(c).name}; run /opt/kref/bin/python compat/generate_fixtures.py layers")
        out.append(pytest.param(c, id=c.name, marks=marks))
    return out


# ------------------------------------------------------------------------------ helpers
def _load(case) -> dict:
    with np.load(_fixture(case)) as d:
        return {k: d[k] for k in d.files}


def _seq(data, prefix, n=None):
    """Arrays ``{prefix}0, {prefix}1, ...`` in index order."""
    keys = sorted((k for k in data if k.startswith(prefix) and k[len(prefix):].isdigit()),
                  key=lambda k: int(k[len(prefix):]))
    if n is not None:
        assert len(keys) == n, (prefix, len(keys), n)
    return [data[k] for k in keys]


def _layer_weights(data) -> dict[int, list[np.ndarray]]:
    per = {}
    for k in data:
        if k.startswith("w_"):
            i, j = map(int, k[2:].split("_"))
            per.setdefault(i, {})[j] = data[k]
    return {i: [ws[j] for j in range(len(ws))] for i, ws in per.items()}


def _to_input(x):
    if MODULE == "keras_torch":
        import torch

        return torch.from_numpy(np.ascontiguousarray(x))
    return x


def _to_numpy(t):
    if hasattr(t, "detach"):
        return t.detach().cpu().numpy()
    if hasattr(keras, "ops") and not isinstance(t, np.ndarray):
        return np.asarray(keras.ops.convert_to_numpy(t))
    return np.asarray(t)


def build_with_weights(case, data):
    model = case.build(keras)
    per_layer = _layer_weights(data)
    n = len(model.layers)
    assert max(per_layer, default=-1) < n, (
        f"fixture has weights for layer index {max(per_layer)} but model.layers has {n} layers "
        "(Keras: functional models list InputLayers in model.layers, Sequential models do not)")
    for i, ws in per_layer.items():
        model.layers[i].set_weights(ws)
    return model


def run_model(model, case, data):
    xs = [_to_input(x) for x in _seq(data, "x_", int(data["n_inputs"]))]
    ys = model(xs[0] if len(xs) == 1 else xs, training=case.training)
    if not isinstance(ys, (list, tuple)):
        ys = [ys]
    return [_to_numpy(y) for y in ys]


def check_outputs(case, data):
    model = build_with_weights(case, data)
    ours = run_model(model, case, data)
    theirs = _seq(data, "y_", int(data["n_outputs"]))
    assert len(ours) == len(theirs), f"{len(ours)} outputs, Keras has {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert a.shape == b.shape, f"output {i}: shape {a.shape} != Keras {b.shape}"
        np.testing.assert_allclose(a, b, atol=case.atol, rtol=case.rtol, err_msg=f"{case.name} output {i}")
    assert model.count_params() == int(data["count_params"])


def check_weight_structure(case, data):
    model = case.build(keras)
    if "layer_classes" in data:
        ours = [type(layer).__name__ for layer in model.layers]
        assert ours == list(data["layer_classes"]), f"model.layers classes {ours} != Keras {list(data['layer_classes'])}"
    per_layer = _layer_weights(data)
    for i, layer in enumerate(model.layers):
        ours = [tuple(w.shape) for w in layer.get_weights()]
        theirs = [w.shape for w in per_layer.get(i, [])]
        assert ours == theirs, f"model.layers[{i}] ({type(layer).__name__}) weight shapes {ours} != Keras {theirs}"
    ours = [tuple(np.shape(w)) for w in model.get_weights()]
    theirs = [w.shape for w in _seq(data, "mw_")]
    assert ours == theirs, f"model.get_weights() shapes {ours} != Keras {theirs}"


# -------------------------------------------------------------------------------- tests
@pytest.mark.parametrize("case", _params())
def test_layer_parity(case):
    check_outputs(case, _load(case))


@pytest.mark.parametrize("case", _params())
def test_weight_order(case):
    check_weight_structure(case, _load(case))
