"""Training inputs at the edge (issue #22, finding 7): each case ends as it does in Keras 3.

The outcomes of real Keras 3 (TensorFlow backend) are recorded in
``compat/fixtures/training_edge_cases/outcomes.json`` by ``compat/gen/training_edge_cases.py``:
"train", or an error of the same kind (``InvalidArgumentError`` counts as ``ValueError``). Errors
keras_torch raises for them are ``ValueError`` s of its own that name the offending value, never
an ``IndexError``/``RuntimeError`` from inside torch.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import traceback
import warnings

import numpy as np
import pytest
from _rel_helpers import ROOT, subprocess_env

sys.path.insert(0, str(ROOT))
from compat import training_edge_cases as cases  # noqa: E402

KERAS = json.loads((ROOT / "compat" / "fixtures" / "training_edge_cases" / "outcomes.json").read_text())["cases"]


def test_fixture_covers_every_case():
    assert set(KERAS) == set(cases.CASES)


@pytest.mark.parametrize("name", sorted(cases.CASES))
def test_outcome_equals_keras(keras, name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            loss = cases.CASES[name](keras)
        except Exception as e:  # noqa: BLE001 - compared with Keras below
            error = e
        else:
            error = None
    expected = KERAS[name]["outcome"]
    if error is None:
        assert expected == "train", f"Keras 3: {KERAS[name]}, keras_torch trained (loss {loss})"
        assert np.isfinite(loss)
        return
    got = f"error:{cases.KINDS.get(type(error).__name__, 'other')}"
    assert got == expected, f"Keras 3: {KERAS[name]}; keras_torch: {type(error).__name__}: {error}"
    raised_in = traceback.extract_tb(error.__traceback__)[-1].filename
    assert "keras_torch" in raised_in, f"raised from {raised_in}, not by keras_torch: {error!r}"


@pytest.mark.parametrize("label, shown", [(-100, "-100"), (3, "3"), (float("nan"), "nan"), (10**6, "1000000")])
def test_label_errors_name_the_value(keras, label, shown):
    model = cases._dense(keras)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    y = np.zeros(cases.N, "float64" if isinstance(label, float) else "int64")
    y[5] = label
    with pytest.raises(ValueError, match=rf"label value of {shown}\b.*\[0, 3\)"):
        model.fit(cases._x(), y, epochs=1, verbose=0)


def test_label_minus_100_is_not_silently_ignored_by_the_loss(keras):
    """The loss itself (outside fit) raises too: torch's ignore_index=-100 made such labels cost 0."""
    import torch

    probs = torch.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="label value of -100"):
        keras.losses.sparse_categorical_crossentropy(torch.tensor([0, -100]), probs)
    with pytest.raises(ValueError, match="label value of 3"):
        keras.losses.SparseCategoricalCrossentropy(from_logits=True)(torch.tensor([3, 0]), probs)


def test_ignore_class_still_ignores(keras):
    model = cases._dense(keras)
    model.compile(optimizer="sgd", loss=keras.losses.SparseCategoricalCrossentropy(ignore_class=-1))
    y = np.where(np.arange(cases.N) % 2 == 0, -1, 1)
    assert np.isfinite(model.fit(cases._x(), y, epochs=1, verbose=0).history["loss"][-1])


def test_class_weight_with_a_huge_key_allocates_nothing(keras):
    """{10**9: 1} built a 4 GB table; keys beyond the labels now match nothing, as in Keras."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    cases._class_weight({10**9: 1.0, -5: 3.0, "1": 7.0})(keras)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB


def test_class_weight_float_keys_weigh_like_keras(keras):
    import torch

    from keras_torch.trainers.data_adapter import _apply_class_weight

    w = _apply_class_weight(torch.tensor([0, 1, 2, -1]), None, {1.0: 2.0, 2: 3.0, 10**9: 5.0})
    assert w.tolist() == [1.0, 2.0, 3.0, 1.0]


def test_integer_inputs_are_cast_once_for_arrays(keras):
    """Arrays are cast when the data handler is configured, not per batch."""
    import torch

    from keras_torch.trainers.data_adapter import DataHandler

    model = cases._dense(keras, 1, None)
    handler = DataHandler(cases._x("int64"), np.ones((cases.N, 1), "float32"), batch_size=4)
    handler.configure(model._data_spec())
    assert handler.x.dtype == torch.float32
    assert all(b[0].dtype == torch.float32 for b in handler.epoch_iterator())


@pytest.mark.parametrize("content, error", [
    ({"floatx": "float64", "epsilon": 0.001, "image_data_format": "channels_first", "backend": "tensorflow"}, None),
    ({"floatx": "int8"}, "Invalid `floatx`"),
    ({"floatx": "bfloat16"}, "Invalid `floatx`"),
    ({"epsilon": 1}, "Invalid `epsilon`"),
    ({"epsilon": "1e-7"}, "Invalid `epsilon`"),
    ({"image_data_format": "nhwc"}, "Invalid `image_data_format`"),
    (["floatx"], "expected a JSON object"),
])
def test_keras_json_values_are_validated_like_keras(content, error):
    from keras_torch.core.config import _validated_keras_json

    if error is None:
        assert _validated_keras_json(content, "k.json") == {"floatx": "float64", "epsilon": 0.001,
                                                           "image_data_format": "channels_first"}
    else:
        with pytest.raises(ValueError) as info:
            _validated_keras_json(content, "k.json")
        assert error in str(info.value) and "'k.json'" in str(info.value)


@pytest.mark.parametrize("content, expected", [
    ('{"floatx": "int8"}', "ValueError: Invalid `floatx` configuration in"),  # refused at import, as Keras 3
    ('{"floatx": "float64", "epsilon": 0.001}', "float64 0.001 channels_last"),
    ("not json", "float32 1e-07 channels_last"),  # unreadable: ignored, as Keras 3 does
])
def test_keras_json_at_import(tmp_path, content, expected):
    (tmp_path / "keras.json").write_text(content)
    code = "import keras_torch as k; c = k.config; print(c.floatx(), c.epsilon(), c.image_data_format())"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env=subprocess_env(KERAS_HOME=str(tmp_path)))
    assert expected in proc.stdout + proc.stderr
    assert (proc.returncode != 0) == expected.startswith("ValueError")
