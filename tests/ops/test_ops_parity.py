"""``keras_torch.ops`` against golden values from real Keras 3 (TensorFlow backend).

Walks the tables of ``compat/ops_cases`` (the same ones ``compat/gen/ops.py`` ran with Keras):

* eager outputs match (float32: ``rtol`` 1e-4 unless the case says otherwise, ``atol = rtol / 10``;
  ints and bools exactly) with Keras's result dtypes;
* symbolic calls (the first array an ``Input``-like tensor with an unknown first dim and the others
  constants, or all static) give Keras's output shapes and dtypes, and the same ops inside a
  functional ``Model`` reproduce the eager outputs;
* the result-dtype tables (every dtype pair of the binary ops, Python scalars, unary ops,
  reductions, creation ops) equal Keras's wherever Keras returns a result;
* bad arguments raise Keras's exception type (where Keras raises a TensorFlow-specific error, an
  error is required);
* the gradients of the differentiable cases pass ``torch.autograd.gradcheck`` in float64.

Regenerate the fixtures with ``/opt/kref/bin/python compat/generate_fixtures.py ops``.
"""

from __future__ import annotations

import builtins
import gzip
import json
import pathlib
import sys

import numpy as np
import pytest
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # no packaging needed for `compat`
    sys.path.insert(0, str(ROOT))

import keras_torch  # noqa: E402
from compat.ops_cases import CASES, ERROR_CASES, dtype_table, symbolic_inputs  # noqa: E402
from keras_torch.core.symbolic import KerasTensor  # noqa: E402

FIXTURES = ROOT / "compat" / "fixtures" / "ops"
pytestmark = pytest.mark.skipif(not (FIXTURES / "values.npz").exists(), reason="no op fixtures; run compat/gen/ops.py")

# Where Keras's TensorFlow backend is the odd one out, keras_torch follows Keras's other backends.
# Keys: a case id (eager and functional-model tests) or "<case id>/symbolic".
DIVERGENCES = {
    "error:numpy.quantile[0]": "q=1.5: Keras-TF extrapolates silently; keras_torch raises ValueError like NumPy",
    "numpy.argpartition[0]": "Keras-TF casts the input to int32 first (its partition of floats is wrong); "
                             "Keras's other backends and keras_torch partition the values",
    "numpy.prod[4]": "Keras-TF ignores `dtype`; Keras's other backends and keras_torch honour it",
    "numpy.prod[4]/symbolic": "Keras-TF's eager result ignores `dtype` (its symbolic spec honours it, as keras_torch)",
    "nn.ctc_decode[2]": "beam_width=4 prunes differently in TensorFlow's C++ decoder; keras_torch gives the results of "
                        "Keras's JAX/torch beam search (a wide beam agrees with TensorFlow: nn.ctc_decode[3])",
    "image.map_coordinates[4]": "fill_mode='reflect': Keras-TF mirrors below 0; Keras-JAX/torch and SciPy reflect "
                                "(d c b a | a b c d), which keras_torch follows",
}


def _load() -> tuple[dict, dict]:
    if not (FIXTURES / "values.npz").exists():
        return {}, {"cases": {}, "dtypes": {}, "errors": {}}
    with np.load(FIXTURES / "values.npz") as f:
        arrays = {k: f[k] for k in f.files}
    with gzip.open(FIXTURES / "cases.json.gz", "rt", encoding="utf8") as f:
        return arrays, json.load(f)


ARRAYS, META = _load()
BANK = {k[3:]: v for k, v in ARRAYS.items() if k.startswith("in/")}


def _tensors() -> dict[str, torch.Tensor]:
    return {k: torch.from_numpy(v.copy()) for k, v in BANK.items()}


def _flatten(x):
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    return [x]


def _params(cases, need=None):
    out = []
    for c in cases:
        marks = []
        if c.id in DIVERGENCES:
            marks.append(pytest.mark.xfail(strict=True, reason=DIVERGENCES[c.id]))
        if need is None or need(c):
            out.append(pytest.param(c, id=c.id, marks=marks))
    return out


def _check_leaf(got, info: dict, expected, rtol: float, where: str) -> None:
    if info["kind"] == "value":
        value = got.tolist() if isinstance(got, torch.Tensor) else got
        assert value == info["value"] or (isinstance(value, tuple) and list(value) == info["value"]), where
        return
    # convert_to_numpy returns arrays, as Keras does; everything else returns tensors.
    assert isinstance(got, (torch.Tensor, np.ndarray)), f"{where}: expected a tensor, got {type(got).__name__}"
    assert keras_torch.ops.dtype(got) == info["dtype"], f"{where}: dtype {got.dtype} != Keras {info['dtype']}"
    arr = keras_torch.ops.convert_to_numpy(got)
    assert list(arr.shape) == info["shape"], f"{where}: shape {arr.shape} != Keras {info['shape']}"
    if arr.dtype.kind in "fc":
        np.testing.assert_allclose(arr, expected, rtol=rtol, atol=rtol / 10, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(arr, expected, err_msg=where)


@pytest.mark.parametrize("case", _params(CASES, lambda c: "outputs" in META["cases"].get(c.id, {})))
def test_eager_matches_keras(case):
    entry = META["cases"][case.id]
    out = _flatten(case.run(keras_torch, _tensors()))
    assert len(out) == len(entry["outputs"]), f"{len(out)} outputs, Keras gave {len(entry['outputs'])}"
    for i, (got, info) in enumerate(zip(out, entry["outputs"])):
        _check_leaf(got, info, ARRAYS.get(f"out/{case.id}/{i}"), case.tol, f"{case.id} output {i}")


def _sym_params():
    out = []
    for c in CASES:
        for variant, spec in META["cases"].get(c.id, {}).get("symbolic", {}).items():
            if "specs" in spec:
                marks = [pytest.mark.xfail(strict=True, reason=DIVERGENCES[f"{c.id}/symbolic"])] \
                    if f"{c.id}/symbolic" in DIVERGENCES else []
                out.append(pytest.param(c, variant, id=f"{c.id}/{variant}", marks=marks))
    return out


def _inputs(case, variant: str) -> dict:
    tensors = _tensors()
    sym = symbolic_inputs(KerasTensor, case, BANK, variant)
    return {k: (v if isinstance(v, KerasTensor) else tensors[k]) for k, v in sym.items()}


def _expected_shape(keras_shape: list, eager_shape: list | None) -> list:
    """Keras's symbolic shape, with the dims that contradict Keras's own eager result unknown."""
    if eager_shape is None:
        return keras_shape
    if len(keras_shape) != len(eager_shape):
        return [None] * len(eager_shape)
    return [k if k is None or k == e else None for k, e in zip(keras_shape, eager_shape)]


@pytest.mark.parametrize(("case", "variant"), _sym_params())
def test_symbolic_shapes_match_keras(case, variant):
    """Every dim Keras's symbolic call knows (consistently with its eager result) must match; where
    Keras leaves a dim unknown keras_torch may know it, and then it must be the real output's."""
    specs = META["cases"][case.id]["symbolic"][variant]["specs"]
    eager = META["cases"][case.id].get("outputs") or [{}] * len(specs)
    out = _flatten(case.run(keras_torch, _inputs(case, variant)))
    assert all(isinstance(t, KerasTensor) for t in out) and len(out) == len(specs)
    for i, (t, s, e) in enumerate(zip(out, specs, eager)):
        expected = _expected_shape(s["shape"], e.get("shape"))
        real = e.get("shape") or [None] * len(expected)
        assert len(t.shape) == len(expected), f"output {i}: {t.shape} vs Keras {s['shape']}"
        for dim, k, r in zip(t.shape, expected, real):
            assert dim == k or (k is None and dim in (None, r)), f"output {i}: {t.shape} vs Keras {s['shape']}"
        # Where Keras's symbolic dtype contradicts its own eager result, the eager dtype is the reference.
        assert t.dtype == e.get("dtype", s["dtype"]), f"output {i}: dtype {t.dtype} vs Keras {e.get('dtype', s['dtype'])}"


@pytest.mark.parametrize("case", _params(
    CASES, lambda c: "specs" in META["cases"].get(c.id, {}).get("symbolic", {}).get("first", {})
    and "outputs" in META["cases"][c.id]))
def test_functional_model_matches_eager(case):
    """The op inside a functional model (its first array an ``Input``, the others constants)."""
    entry = META["cases"][case.id]
    first = case.arrays()[0]
    inputs = _inputs(case, "first")
    inputs[first] = keras_torch.Input(shape=BANK[first].shape[1:], dtype=BANK[first].dtype.name)
    model = keras_torch.Model(inputs[first], _flatten(case.run(keras_torch, inputs)))
    got = _flatten(model(torch.from_numpy(BANK[first].copy())))
    for i, (g, info) in enumerate(zip(got, entry["outputs"])):
        _check_leaf(g, info, ARRAYS.get(f"out/{case.id}/{i}"), case.tol, f"{case.id} model output {i}")


def _dtype_ops() -> list[str]:
    return sorted({k.split("|")[0] for k in META["dtypes"]})


@pytest.fixture(scope="module")
def our_dtypes() -> dict:
    return dtype_table(keras_torch)


@pytest.mark.parametrize("op", _dtype_ops())
def test_result_dtypes_match_keras(op, our_dtypes):
    wrong = {}
    for key, expected in META["dtypes"].items():
        if key.split("|")[0] != op or expected.startswith("error:"):
            continue
        if our_dtypes[key] != expected:
            wrong[key] = (our_dtypes[key], expected)
    assert not wrong, f"(ours, Keras): {wrong}"


def _accepted(names: list) -> tuple:
    """Exception types to accept: Keras's builtin ones; any exception for TensorFlow-specific ones."""
    kinds = [getattr(builtins, n, None) for n in names if n]
    if any(not (isinstance(k, type) and issubclass(k, Exception)) for k in kinds):
        return (Exception,)
    return tuple(kinds)


@pytest.mark.parametrize("case", _params(ERROR_CASES))
def test_bad_arguments_raise_like_keras(case):
    """Bad arguments raise Keras's exception type. Keras's eager and symbolic calls sometimes raise
    different types (backend artifacts), or only one of them raises: either type is accepted."""
    entry = META["errors"][case.id]
    both = [entry["eager"], entry.get("symbolic")]
    if not any(both):
        case.run(keras_torch, _tensors())
        return
    with pytest.raises(_accepted(both)):
        case.run(keras_torch, _tensors())
    if case.symbolic:
        with pytest.raises(_accepted(both)):
            case.run(keras_torch, _inputs(case, "static"))


def _float_args(case) -> list[str]:
    return [n for n in dict.fromkeys(case.arrays()) if BANK[n].dtype.kind == "f"]


@pytest.mark.parametrize("case", _params(
    CASES, lambda c: c.grad and _float_args(c) and any(
        o.get("dtype", "").startswith("float") for o in META["cases"].get(c.id, {}).get("outputs", []))))
def test_gradients_pass_gradcheck(case):
    names = _float_args(case)
    base = _tensors()

    def fn(*xs):
        bank = dict(base)
        bank.update(zip(names, xs))
        outs = [o for o in _flatten(case.run(keras_torch, bank)) if isinstance(o, torch.Tensor) and o.is_floating_point()]
        return tuple(outs)

    xs = tuple(torch.from_numpy(BANK[n].astype(np.float64)).requires_grad_(True) for n in names)
    assert torch.autograd.gradcheck(fn, xs, eps=1e-6, atol=1e-5, rtol=1e-3, fast_mode=True)
