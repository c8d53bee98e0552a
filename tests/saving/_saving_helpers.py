"""Helpers for the Keras file format tests."""

from __future__ import annotations

import json
import pathlib
import sys

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "files"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def manifest() -> dict:
    path = FIXTURES / "manifest.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text())


def load_io(stem: str) -> tuple[list[np.ndarray], list[np.ndarray], dict]:
    data = np.load(FIXTURES / f"{stem}.npz")
    xs = [data[f"x{i}"] for i in range(sum(k.startswith("x") and k[1:].isdigit() for k in data.files))]
    ys = [data[f"y{i}"] for i in range(sum(k.startswith("y") and k[1:].isdigit() for k in data.files))]
    return xs, ys, {k: data[k] for k in data.files}


def predict(model, xs: list[np.ndarray]) -> list[np.ndarray]:
    out = model.predict(xs if len(xs) > 1 else xs[0], verbose=0)
    return [np.asarray(o) for o in (out if isinstance(out, (list, tuple)) else [out])]


def random_inputs(model, n: int = 3, seed: int = 0) -> list[np.ndarray]:
    """Seeded inputs for every model input: token ids in [0, 30) for integer inputs, else N(0, 1)."""
    rng = np.random.default_rng(seed)
    xs = []
    for t in model.inputs:
        shape = (n,) + tuple(int(d) for d in t.shape[1:])
        if "int" in str(t.dtype):
            xs.append(rng.integers(0, 30, shape).astype("int32"))
        else:
            xs.append(rng.normal(size=shape).astype("float32"))
    return xs


def assert_outputs_close(got: list[np.ndarray], want: list[np.ndarray], rtol: float = 1e-4, atol: float = 1e-5) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def builders():
    """Model builders shared with the fixture generator (they take the Keras module as argument)."""
    from compat.gen import files

    return {"mlp": files._mlp, "cnn": files._cnn, "text": files._text, "gru_v1": files._gru_v1,
            "multi": files._multi, "hard_sigmoid": files._hard_sigmoid, "families": files._families}

