"""Golden values for ``keras_torch.ops`` from real Keras 3 (TensorFlow backend).

    /opt/kref/bin/python compat/generate_fixtures.py ops

Walks the tables of ``compat/ops_cases`` and writes, under ``compat/fixtures/ops/``:

* ``values.npz``: the input bank (``in/<name>``) and every eager output (``out/<case id>/<i>``);
* ``cases.json.gz``: per case the flattened outputs (dtype and shape, or a Python value), the
  symbolic output specs of two variants (``first``: the first array argument symbolic with an
  unknown first dim, the others concrete; ``static``: all symbolic with known shapes) or the
  exception type; the result
  dtype of every (op, dtypes) entry of the dtype tables; the exception types of the bad-argument
  cases, eager and symbolic; the public names of ``keras.ops`` (and submodules) and ``keras.random``.
"""

from __future__ import annotations

import gzip
import json
import os
import pathlib
import sys
from typing import Any

os.environ.setdefault("KERAS_BACKEND", "tensorflow")

import numpy as np  # noqa: E402

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2]))

from compat.ops_cases import CASES, ERROR_CASES, dtype_table, make_bank, symbolic_inputs  # noqa: E402


def _flatten(x: Any) -> list:
    if isinstance(x, (list, tuple)):
        return [v for item in x for v in _flatten(item)]
    if isinstance(x, dict):
        return [v for k in sorted(x) for v in _flatten(x[k])]
    return [x]


def _leaf(keras: Any, v: Any) -> tuple[dict, np.ndarray | None]:
    if isinstance(v, (bool, int, float, str)) or v is None:
        return {"kind": "value", "value": v}, None
    arr = np.asarray(keras.ops.convert_to_numpy(v))
    dtype = keras.backend.standardize_dtype(v.dtype) if hasattr(v, "dtype") else arr.dtype.name
    if dtype == "bfloat16":
        arr = arr.astype(np.float32)
    return {"kind": "array", "dtype": dtype, "shape": list(arr.shape)}, arr


def _symbolic(keras: Any, case: Any, bank: dict) -> dict:
    """Output specs of a symbolic call per variant (see ``ops_cases.symbolic_inputs``), or the error."""
    out = {}
    for variant in ("first", "static"):
        try:
            result = case.run(keras, symbolic_inputs(keras.KerasTensor, case, bank, variant))
        except Exception as e:  # noqa: BLE001 - any Keras failure is recorded
            out[variant] = {"error": type(e).__name__}
            continue
        leaves = _flatten(result)
        if not all(isinstance(v, keras.KerasTensor) for v in leaves):
            out[variant] = {"error": "non-symbolic output"}
            continue
        out[variant] = {"specs": [{"shape": list(v.shape), "dtype": v.dtype} for v in leaves]}
    return out


def _numeric(keras: Any, bank: dict, arrays: dict, meta: dict) -> None:
    for case in CASES:
        entry: dict[str, Any] = {}
        try:
            out = case.run(keras, bank)
        except Exception as e:  # noqa: BLE001
            entry["error"] = f"{type(e).__name__}: {str(e)[:200]}"
            print(f"  {case.id}: {entry['error'][:120]}")
        else:
            leaves = []
            for i, v in enumerate(_flatten(out)):
                info, arr = _leaf(keras, v)
                if arr is not None:
                    arrays[f"out/{case.id}/{i}"] = arr
                leaves.append(info)
            entry["outputs"] = leaves
        if case.symbolic:
            entry["symbolic"] = _symbolic(keras, case, bank)
        meta["cases"][case.id] = entry


def _errors(keras: Any, bank: dict, meta: dict) -> None:
    out = {}
    for case in ERROR_CASES:
        entry = {}
        try:
            case.run(keras, bank)
            entry["eager"] = None
        except Exception as e:  # noqa: BLE001
            entry["eager"] = type(e).__name__
            entry["message"] = str(e)[:300]
        if case.symbolic:
            entry["symbolic"] = _symbolic(keras, case, bank)["static"].get("error")
        out[case.id] = entry
    meta["errors"] = out


def _public_names(keras: Any) -> dict[str, list[str]]:
    """Public names of ``keras.ops`` (and its submodules) and ``keras.random``."""
    modules = {"ops": keras.ops, "ops.numpy": keras.ops.numpy, "ops.nn": keras.ops.nn, "ops.linalg": keras.ops.linalg,
               "ops.image": keras.ops.image, "random": keras.random}
    return {key: sorted(n for n in dir(mod) if not n.startswith("_")) for key, mod in modules.items()}


def generate(out_dir: pathlib.Path) -> None:
    import keras

    assert keras.backend.backend() == "tensorflow", "generate the op fixtures on Keras's TensorFlow backend"
    bank = make_bank()
    arrays = {f"in/{k}": v for k, v in bank.items()}
    meta: dict[str, Any] = {"keras_version": keras.__version__, "cases": {}}
    _numeric(keras, bank, arrays, meta)
    meta["dtypes"] = dtype_table(keras)
    meta["names"] = _public_names(keras)
    _errors(keras, bank, meta)
    np.savez_compressed(out_dir / "values.npz", **arrays)
    with gzip.open(out_dir / "cases.json.gz", "wt", encoding="utf8") as f:
        json.dump(meta, f, sort_keys=True, separators=(",", ":"))
    n_err = sum(1 for c in meta["cases"].values() if "error" in c)
    print(f"{len(meta['cases'])} cases ({n_err} raised in Keras), {len(meta['dtypes'])} dtype entries, "
          f"{len(meta['errors'])} error cases -> {out_dir}")


if __name__ == "__main__":
    generate(pathlib.Path(__file__).resolve().parents[1] / "fixtures" / "ops")
