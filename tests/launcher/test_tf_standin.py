"""The ``tensorflow`` stand-in of ``keras-torch run`` against real TensorFlow: every case of
``compat/tf_cases.py`` / ``compat/tf_host_cases.py`` gives the values, shapes and dtypes TensorFlow gave
(``compat/fixtures/tf_standin/values.npz``), and every function of the stand-in has a case."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

import keras_torch.launcher.tf as tf
from compat import tf_cases, tf_host_cases  # noqa: F401 - the host cases join tf_cases.CASES
from keras_torch.utils.dataset import Dataset
from keras_torch.utils.unsupported import UnsupportedTensorFlowFeature

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(REPO, "compat", "fixtures", "tf_standin", "values.npz")
pytest.importorskip("PIL")


@pytest.fixture(scope="module")
def stored():
    with np.load(FIXTURE) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def inputs(stored, tmp_path_factory):
    a = {k[3:]: v for k, v in stored.items() if k.startswith("in_")}
    root = str(tmp_path_factory.mktemp("tf_standin"))
    tf_cases.prepare_dir(root, a)
    return dict(a, dir=root)


@pytest.mark.parametrize("key", sorted(tf_cases.CASES))
def test_case_matches_tensorflow(key, stored, inputs):
    case = tf_cases.CASES[key]
    torch.manual_seed(0)
    outs = tf_cases.flatten_result(case.fn(tf, inputs))
    assert len(outs) == int(stored[f"{key}__n"]), f"{key}: {len(outs)} outputs, TensorFlow gave {stored[f'{key}__n']}"
    for i, got in enumerate(outs):
        want = stored[f"{key}__{i}"]
        assert got.shape == want.shape, f"{key} output {i}: shape {got.shape}, TensorFlow {want.shape}"
        assert got.dtype == want.dtype, f"{key} output {i}: dtype {got.dtype}, TensorFlow {want.dtype}"
        if want.dtype.kind in "SUb":
            np.testing.assert_array_equal(got, want, err_msg=key)
        else:
            np.testing.assert_allclose(got.astype("float64"), want.astype("float64"), rtol=case.tol, atol=case.tol,
                                       err_msg=key)


# ---------------------------------------------------------------------------- every function has a case
_MODULES = {"tf": tf, "tf.math": tf.math, "tf.nn": tf.nn, "tf.random": tf.random, "tf.linalg": tf.linalg,
            "tf.strings": tf.strings, "tf.io": tf.io, "tf.image": tf.image, "tf.data": tf.data}
# Tested elsewhere: the tape by tests/launcher/test_gradient_tape.py against TF gradients; tf.config (device
# listing, no values to compare) by test_aliases.py; dtype objects and namespaces are not functions.
_ELSEWHERE = {"tf.GradientTape", "tf.Tensor", "tf.keras", "tf.dtypes", "tf.config"}


def _resolve(symbol: str):
    obj = {"tf": tf}[symbol.split(".")[0]]
    for part in symbol.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _public(prefix: str, module) -> dict[str, object]:
    """The stand-in's own public callables of ``module`` (its helpers imported from elsewhere excluded)."""
    out = {}
    for name, obj in vars(module).items():
        origin = getattr(obj, "__module__", "") or ""
        if name.startswith("_") or not callable(obj) or isinstance(obj, torch.dtype):
            continue
        if origin.startswith("keras_torch.launcher.tf") or f"{prefix}.{name}" in _REEXPORTED:
            out[name] = obj
    return out


_REEXPORTED = {"tf.data.Dataset", "tf.data.Options"}  # from keras_torch.utils.dataset


def test_every_stand_in_function_has_a_tensorflow_case():
    keys = [key.split("#")[0] for key in tf_cases.CASES]
    covered = {id(_resolve(key)) for key in keys}
    missing = []
    for prefix, module in _MODULES.items():
        for name, obj in _public(prefix, module).items():
            symbol = f"{prefix}.{name}"
            if symbol in _ELSEWHERE or id(obj) in covered or any(k.startswith(symbol + ".") for k in keys):
                continue
            missing.append(symbol)
    for name in dir(Dataset):
        if not name.startswith("_") and id(getattr(Dataset, name)) not in covered:
            missing.append(f"tf.data.Dataset.{name}")
    assert not missing, f"stand-in functions without a TensorFlow case: {sorted(missing)}"


@pytest.mark.parametrize("symbol", ["tf.nest", "tf.math.unknown_fn", "tf.nn.conv2d", "tf.random.stateless_normal",
                                    "tf.strings.unicode_split", "tf.image.sobel_edges", "tf.io.parse_example",
                                    "tf.linalg.svd", "tf.data.experimental.sample_from_datasets"])
def test_unsupported_symbols_are_named(symbol):
    with pytest.raises(UnsupportedTensorFlowFeature, match=rf"`{symbol.replace('.', chr(92) + '.')}`"):
        _resolve(symbol)


def test_rank_one_split_names_ragged_tensors():
    with pytest.raises(UnsupportedTensorFlowFeature, match="RaggedTensor"):
        tf.strings.split(tf.constant(["a b", "c"]))
