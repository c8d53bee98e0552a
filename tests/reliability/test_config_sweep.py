"""The config type-confusion sweep (issue #22): bad hyperparameters fail at load, cleanly, naming the layer.

``_config_sweep.py`` builds, for every registered layer, a model around its ``LAYER_DB`` entry and
replaces each key of the layer's config by bad values (18 kinds: wrong type, negative, zero, huge, NaN,
+-inf, nested junk, None, a bool, a fraction, 1e20, an int beyond 64 bits, empty list/string, a number's
text). Every case must end in a ``ValueError``/``TypeError`` raised by a
keras_torch argument check and naming the layer, or load and predict cleanly. The quick run takes a
derandomised sample (the same cases every run); ``KERAS_TORCH_EXHAUSTIVE=1`` runs every case.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import numpy as np
import pytest
from _config_sweep import _snapshot_sources, judge_error, run_case
from _rel_helpers import HERE, subprocess_env

import keras_torch as keras
from keras_torch.layers import _args

SWEEP = HERE / "_config_sweep.py"
SAMPLE_ONE_IN = 70  # ~300 of the ~22,000 cases: about 20 s


def _run_sweep(extra: list[str], timeout: float) -> list[dict]:
    proc = subprocess.run([sys.executable, str(SWEEP), *extra], capture_output=True, text=True, timeout=timeout,
                          env=subprocess_env(), check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def _report(results: list[dict]) -> str:
    bad = [r for r in results if not r["ok"]]
    return f"{len(bad)} of {len(results)} cases not clean:\n" + "\n".join(
        f"  {r['case']} [{r['path']}]: {r['detail']}" for r in bad[:40])


def test_sweep_sample_is_clean():
    results = _run_sweep(["--sample", str(SAMPLE_ONE_IN)], timeout=600)
    assert len(results) > 150  # the sample covers the registry, not a handful of layers
    assert all(r["ok"] for r in results), _report(results)


@pytest.mark.exhaustive
def test_sweep_every_case_is_clean():
    results = _run_sweep([], timeout=3600)
    assert len(results) > 20_000
    assert all(r["ok"] for r in results), _report(results)


# ----------------------------------------------------------------------------- the judge itself
def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the judged exception
        return e
    raise AssertionError("nothing raised")


@pytest.fixture(scope="module", autouse=True)
def _sources():
    _snapshot_sources()


def test_judge_accepts_an_argument_check():
    e = _raised(lambda: _args.check_float("dense_7", "epsilon", "x"))
    assert judge_error(e, ("dense_7",)) is None


@pytest.mark.parametrize("fn", [
    lambda: np.zeros(3)[7],  # raw IndexError from numpy
    lambda: int(math.nan),  # ValueError from a builtin conversion
    lambda: __import__("torch").zeros(-1),  # RuntimeError inside torch
])
def test_judge_refuses_raw_errors(fn):
    e = _raised(fn)
    assert judge_error(e, ("dense_7",)) is not None


def test_judge_requires_the_layer_name():
    e = _raised(lambda: _args.check_float("dense_7", "epsilon", "x"))
    assert judge_error(e, ("conv_3",)) is not None


# ----------------------------------------------------------------------------- findings named in #22
def _functional_json(layer_cfg: dict) -> str:
    inp = keras.Input((8, 8, 3), name="img")
    layer = keras.layers.deserialize(layer_cfg)
    model = keras.Model(inp, layer(inp))
    return model.to_json()


@pytest.mark.parametrize("class_name,key,value,fixed", [
    ("Conv2D", "strides", 1e20, {"filters": 2, "kernel_size": 3}),
    ("Resizing", "height", -1, {"width": 4}),
    ("Rescaling", "scale", "x", {}),
    ("CenterCrop", "width", -1, {"height": 4}),
    ("Reshape", "target_shape", 12, {}),
    ("LayerNormalization", "epsilon", None, {}),
    ("Dropout", "noise_shape", 3, {"rate": 0.5}),
])
def test_bad_hyperparameter_fails_at_load_naming_the_layer(class_name, key, value, fixed):
    good = {"Conv2D": {"strides": 1}, "Resizing": {"height": 4}, "Rescaling": {"scale": 0.5},
            "CenterCrop": {"width": 4}, "Reshape": {"target_shape": [192]}, "LayerNormalization": {},
            "Dropout": {}}[class_name]
    text = _functional_json({"class_name": class_name, "config": {"name": "culprit", **fixed, **good}})
    cfg = json.loads(text)
    entry = next(e for e in cfg["config"]["layers"] if e["config"]["name"] == "culprit")
    entry["config"][key] = value
    with pytest.raises((ValueError, TypeError), match="culprit") as info:
        keras.models.model_from_json(json.dumps(cfg))
    assert judge_error(info.value, ("culprit",)) is None, judge_error(info.value, ("culprit",))


@pytest.mark.parametrize("case", [
    "Conv1D/kernel_initializer/overflow",  # Constant(2**64): numpy held it as an object, torch refused it
    "AugMix/seed/overflow",  # the seed state is an int64 tensor
    "BatchNormalization/epsilon/overflow",  # np.isfinite(2**64) raised a TypeError inside the check
    "Masking/mask_value/overflow",  # accepted, then torch's comparison overflowed at predict
    "MelSpectrogram/mag_exp/overflow",
    "RMSNormalization/epsilon/overflow",
    "GroupedQueryAttention/sliding_window/overflow",
    "TextVectorization/output_sequence_length/neg_huge",  # accepted, then a negative shape at predict
    "EinsumDense/bias_axes/empty_str",  # min() of nothing
    "EinsumDense/output_shape/empty_list",  # an IndexError
    "RNN/cell/empty_list",  # an IndexError in a stack of no cells
    "LayerScale/projection_dim/fraction",  # the applications' private layers had no argument checks
    "LayerScale/init_values/str",
    "CustomScaleLayer/scale/str",  # accepted, then a TypeError at predict
    "DynamicLookup/vocabulary_size/huge",  # numpy tables of 8.7 TiB (MemoryError), outside the torch budget
    "DynamicLookup/initial_vocabulary/nested",
    "DynamicEmbedding/num_oov_indices/str",
    "RandomFourierFeatures/scale/object",  # `scale <= 0.0` raised the TypeError
])
def test_sweep_findings_stay_fixed(case):
    """The cases the widened sweep (18 kinds, 22,032 cases, then 1,224 more from new layers) found, run in-process whatever the sample."""
    result = run_case(case)
    assert result["ok"], _report([result])


def test_graph_using_an_output_the_config_no_longer_makes():
    inp = keras.Input((4, 3))
    _, h, c = keras.layers.LSTM(2, return_state=True, name="enc")(inp)
    cfg = json.loads(keras.Model(inp, [h, c]).to_json())
    entry = next(e for e in cfg["config"]["layers"] if e["config"]["name"] == "enc")
    entry["config"]["return_state"] = False
    with pytest.raises(ValueError, match="Layer 'enc'.*output"):
        keras.models.model_from_json(json.dumps(cfg))


# ----------------------------------------------------------------------------- the argument checks
@pytest.mark.parametrize("check,args,bad", [
    (_args.check_float, ("epsilon",), ["x", None, math.nan, math.inf, [1.0], True, 10**400]),
    (_args.check_int, ("num_bins",), ["x", None, 2.5, True, 10**12]),
    (_args.check_size, ("height",), [0, -1, 2.5, "4", 10**12, math.inf]),
    (_args.check_dims, ("noise_shape",), [3, "x", [0], [-1], [None], [[1]]]),
    (_args.check_axis, ("axis",), ["x", 1.0, [1, 1], [], None, True]),
    (_args.check_numbers, ("scale",), ["x", None, [[1], [1, 2]], [], {"a": 1}]),
])
def test_argument_checks_refuse_and_name_the_layer(check, args, bad):
    for value in bad:
        with pytest.raises(ValueError, match=r"Layer 'my_layer'.*" + args[0]):
            check("my_layer", *args, value)


def test_argument_checks_accept_valid_values():
    assert _args.check_float("l", "epsilon", 1e-3, min_value=0.0) == 1e-3
    assert _args.check_float("l", "mask_value", math.nan, allow_nan=True) != 0
    assert _args.check_int("l", "num_bins", np.int64(4)) == 4
    assert _args.check_size("l", "height", 4.0) == 4
    assert _args.check_dims("l", "noise_shape", [None, 1, 3], free=True) == (None, 1, 3)
    assert _args.check_dims("l", "target_shape", [-1, 3], inferred=True) == (-1, 3)
    with pytest.raises(ValueError):
        _args.check_dims("l", "target_shape", [-1, None], inferred=True)  # two inferred sizes
    assert _args.check_axis("l", "axis", [1, 2]) == [1, 2]
    assert _args.check_numbers("l", "scale", [0.5, 2]).tolist() == [0.5, 2.0]
