"""Shared helpers for the export tests: fixture cases, onnxruntime runs, comparisons."""

from __future__ import annotations

import pathlib
import sys
from typing import Any

import numpy as np
import torch

ROOT = pathlib.Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import keras_torch as keras  # noqa: E402
from compat.layer_cases import CASES, CASES_BY_NAME  # noqa: E402

FIXTURES = ROOT / "compat" / "fixtures" / "layers"
DATA = pathlib.Path(__file__).resolve().parent / "data"

__all__ = ["CASES", "CASES_BY_NAME", "DATA", "FIXTURES", "ROOT", "keras"]


def load_fixture(case: Any) -> dict:
    with np.load(FIXTURES / f"{case.name}.npz") as d:
        return {k: d[k] for k in d.files}


def fixture_inputs(data: dict) -> list[np.ndarray]:
    n = int(data["n_inputs"])
    return [data[f"x_{i}"] for i in range(n)]


def layer_weights(data: dict) -> dict[int, list[np.ndarray]]:
    per: dict[int, dict[int, np.ndarray]] = {}
    for k in data:
        if k.startswith("w_"):
            i, j = map(int, k[2:].split("_"))
            per.setdefault(i, {})[j] = data[k]
    return {i: [ws[j] for j in range(len(ws))] for i, ws in per.items()}


def build_case(case: Any, data: dict, module: Any = None) -> Any:
    """``case.build(keras)`` with the fixture's per-layer weights (as tests/test_parity_layers.py)."""
    model = case.build(module or keras)
    for i, ws in layer_weights(data).items():
        model.layers[i].set_weights(ws)
    return model


class DynamicTime:
    """A keras module whose ``Input`` has a ``None`` time axis (axis 1) for sequence inputs."""

    def __init__(self, module: Any) -> None:
        self._module = module

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)

    def Input(self, shape: Any = None, **kwargs: Any) -> Any:  # noqa: N802 - Keras API name
        shape = tuple(shape)
        dtype = str(kwargs.get("dtype") or "float32")
        if len(shape) >= 2 or (len(shape) == 1 and dtype.startswith("int")):
            shape = (None,) + shape[1:]
        return self._module.Input(shape=shape, **kwargs)


def as_list(y: Any) -> list[np.ndarray]:
    if isinstance(y, dict):
        return [np.asarray(y[k]) for k in sorted(y)]
    if isinstance(y, (list, tuple)):
        return [np.asarray(v) for v in y]
    return [np.asarray(y)]


def predict(model: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    return as_list(model.predict(xs[0] if len(xs) == 1 else list(xs), verbose=0))


def ort_session(path: Any) -> Any:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    opts.inter_op_num_threads = 1
    return ort.InferenceSession(str(path), opts, providers=["CPUExecutionProvider"])


def ort_run(session_or_path: Any, xs: list[np.ndarray]) -> list[np.ndarray]:
    session = ort_session(session_or_path) if not hasattr(session_or_path, "run") else session_or_path
    feeds = {i.name: x for i, x in zip(session.get_inputs(), xs)}
    return session.run(None, feeds)


def assert_close(got: list, want: list, atol: float = 1e-5, rtol: float = 1e-4, what: str = "") -> None:
    assert len(got) == len(want), f"{what}: {len(got)} ONNX outputs, model has {len(want)}"
    for i, (a, b) in enumerate(zip(got, want)):
        a, b = np.asarray(a, dtype="float32"), np.asarray(b, dtype="float32")
        assert a.shape == b.shape, f"{what} output {i}: shape {a.shape} != model {b.shape}"
        np.testing.assert_allclose(a, b, atol=atol, rtol=rtol, err_msg=f"{what} output {i}")


def resize_batch(xs: list[np.ndarray], n: int) -> list[np.ndarray]:
    """Inputs with batch size ``n`` (the fixture rows repeated)."""
    return [np.concatenate([x] * (n // len(x) + 1), 0)[:n] for x in xs]


def resize_time(xs: list[np.ndarray], t: int) -> list[np.ndarray]:
    """Inputs with ``t`` steps on axis 1 (the fixture steps repeated)."""
    return [np.ascontiguousarray(np.concatenate([x] * (t // x.shape[1] + 1), 1)[:, :t]) for x in xs]


def seeded(*shape: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def onnx_ops(path: Any) -> set[str]:
    import onnx

    ops: set[str] = set()

    def walk(graph: Any) -> None:
        for node in graph.node:
            ops.add(node.op_type)
            for attr in node.attribute:
                if attr.HasField("g"):
                    walk(attr.g)

    walk(onnx.load(str(path)).graph)
    return ops


def onnx_io(path: Any) -> tuple[list, list]:
    """([(name, [dims])], [(name, [dims])]) with dims as int or symbolic name."""
    import onnx

    g = onnx.load(str(path)).graph

    def dims(vi: Any) -> list:
        return [d.dim_param or d.dim_value for d in vi.type.tensor_type.shape.dim]

    return [(i.name, dims(i)) for i in g.input], [(o.name, dims(o)) for o in g.output]


def torch_inputs(xs: list[np.ndarray]) -> list[torch.Tensor]:
    return [torch.from_numpy(np.ascontiguousarray(x)) for x in xs]
